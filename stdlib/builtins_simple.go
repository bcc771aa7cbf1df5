package stdlib

import (
	"math"
	"strings"
)

// Abs is abs(x float) float: math.Abs.
func Abs(args ...Value) (Value, error) { return float1("abs", math.Abs, args) }

// Acos is acos(x float) float: math.Acos.
func Acos(args ...Value) (Value, error) { return float1("acos", math.Acos, args) }

// Acosh is acosh(x float) float: math.Acosh.
func Acosh(args ...Value) (Value, error) { return float1("acosh", math.Acosh, args) }

// Asin is asin(x float) float: math.Asin.
func Asin(args ...Value) (Value, error) { return float1("asin", math.Asin, args) }

// Asinh is asinh(x float) float: math.Asinh.
func Asinh(args ...Value) (Value, error) { return float1("asinh", math.Asinh, args) }

// Atan is atan(x float) float: math.Atan.
func Atan(args ...Value) (Value, error) { return float1("atan", math.Atan, args) }

// Atanh is atanh(x float) float: math.Atanh.
func Atanh(args ...Value) (Value, error) { return float1("atanh", math.Atanh, args) }

// Cbrt is cbrt(x float) float: math.Cbrt.
func Cbrt(args ...Value) (Value, error) { return float1("cbrt", math.Cbrt, args) }

// Ceil is ceil(x float) float: math.Ceil.
func Ceil(args ...Value) (Value, error) { return float1("ceil", math.Ceil, args) }

// Cos is cos(x float) float: math.Cos.
func Cos(args ...Value) (Value, error) { return float1("cos", math.Cos, args) }

// Cosh is cosh(x float) float: math.Cosh.
func Cosh(args ...Value) (Value, error) { return float1("cosh", math.Cosh, args) }

// Erf is erf(x float) float: math.Erf.
func Erf(args ...Value) (Value, error) { return float1("erf", math.Erf, args) }

// Erfc is erfc(x float) float: math.Erfc.
func Erfc(args ...Value) (Value, error) { return float1("erfc", math.Erfc, args) }

// Exp is exp(x float) float: math.Exp.
func Exp(args ...Value) (Value, error) { return float1("exp", math.Exp, args) }

// Exp2 is exp2(x float) float: math.Exp2.
func Exp2(args ...Value) (Value, error) { return float1("exp2", math.Exp2, args) }

// Expm1 is expm1(x float) float: math.Expm1.
func Expm1(args ...Value) (Value, error) { return float1("expm1", math.Expm1, args) }

// Floor is floor(x float) float: math.Floor.
func Floor(args ...Value) (Value, error) { return float1("floor", math.Floor, args) }

// Gamma is gamma(x float) float: math.Gamma.
func Gamma(args ...Value) (Value, error) { return float1("gamma", math.Gamma, args) }

// J0 is j0(x float) float: math.J0.
func J0(args ...Value) (Value, error) { return float1("j0", math.J0, args) }

// J1 is j1(x float) float: math.J1.
func J1(args ...Value) (Value, error) { return float1("j1", math.J1, args) }

// Log is log(x float) float: math.Log.
func Log(args ...Value) (Value, error) { return float1("log", math.Log, args) }

// Log10 is log10(x float) float: math.Log10.
func Log10(args ...Value) (Value, error) { return float1("log10", math.Log10, args) }

// Log1p is log1p(x float) float: math.Log1p.
func Log1p(args ...Value) (Value, error) { return float1("log1p", math.Log1p, args) }

// Log2 is log2(x float) float: math.Log2.
func Log2(args ...Value) (Value, error) { return float1("log2", math.Log2, args) }

// Logb is logb(x float) float: math.Logb.
func Logb(args ...Value) (Value, error) { return float1("logb", math.Logb, args) }

// Sin is sin(x float) float: math.Sin.
func Sin(args ...Value) (Value, error) { return float1("sin", math.Sin, args) }

// Sinh is sinh(x float) float: math.Sinh.
func Sinh(args ...Value) (Value, error) { return float1("sinh", math.Sinh, args) }

// Sqrt is sqrt(x float) float: math.Sqrt.
func Sqrt(args ...Value) (Value, error) { return float1("sqrt", math.Sqrt, args) }

// Tan is tan(x float) float: math.Tan.
func Tan(args ...Value) (Value, error) { return float1("tan", math.Tan, args) }

// Tanh is tanh(x float) float: math.Tanh.
func Tanh(args ...Value) (Value, error) { return float1("tanh", math.Tanh, args) }

// Trunc is trunc(x float) float: math.Trunc.
func Trunc(args ...Value) (Value, error) { return float1("trunc", math.Trunc, args) }

// Y0 is y0(x float) float: math.Y0.
func Y0(args ...Value) (Value, error) { return float1("y0", math.Y0, args) }

// Y1 is y1(x float) float: math.Y1.
func Y1(args ...Value) (Value, error) { return float1("y1", math.Y1, args) }

// Atan2 is atan2(x, y float) float: math.Atan2.
func Atan2(args ...Value) (Value, error) { return float2("atan2", math.Atan2, args) }

// Hypot is hypot(x, y float) float: math.Hypot.
func Hypot(args ...Value) (Value, error) { return float2("hypot", math.Hypot, args) }

// Max is max(x, y float) float: math.Max.
func Max(args ...Value) (Value, error) { return float2("max", math.Max, args) }

// Min is min(x, y float) float: math.Min.
func Min(args ...Value) (Value, error) { return float2("min", math.Min, args) }

// FMod is mod(x, y float) float: math.Mod (the operator % is Mod).
func FMod(args ...Value) (Value, error) { return float2("mod", math.Mod, args) }

// Pow is pow(x, y float) float: math.Pow.
func Pow(args ...Value) (Value, error) { return float2("pow", math.Pow, args) }

// StrContains is strContains(s, t string) bool: strings.Contains.
func StrContains(args ...Value) (Value, error) {
	return str2("strContains", sigSS_B, args, func(s, t string) Value { return Bool(strings.Contains(s, t)) })
}

// StrContainsAny is strContainsAny(s, t string) bool: strings.ContainsAny.
func StrContainsAny(args ...Value) (Value, error) {
	return str2("strContainsAny", sigSS_B, args, func(s, t string) Value { return Bool(strings.ContainsAny(s, t)) })
}

// StrHasPrefix is strHasPrefix(s, t string) bool: strings.HasPrefix.
func StrHasPrefix(args ...Value) (Value, error) {
	return str2("strHasPrefix", sigSS_B, args, func(s, t string) Value { return Bool(strings.HasPrefix(s, t)) })
}

// StrHasSuffix is strHasSuffix(s, t string) bool: strings.HasSuffix.
func StrHasSuffix(args ...Value) (Value, error) {
	return str2("strHasSuffix", sigSS_B, args, func(s, t string) Value { return Bool(strings.HasSuffix(s, t)) })
}

// StrCount is strCount(s, t string) int: strings.Count.
func StrCount(args ...Value) (Value, error) {
	return str2("strCount", sigSS_I, args, func(s, t string) Value { return Int(int64(strings.Count(s, t))) })
}

// StrIndex is strIndex(s, t string) int: strings.Index.
func StrIndex(args ...Value) (Value, error) {
	return str2("strIndex", sigSS_I, args, func(s, t string) Value { return Int(int64(strings.Index(s, t))) })
}

// StrIndexAny is strIndexAny(s, t string) int: strings.IndexAny.
func StrIndexAny(args ...Value) (Value, error) {
	return str2("strIndexAny", sigSS_I, args, func(s, t string) Value { return Int(int64(strings.IndexAny(s, t))) })
}

// StrLastIndex is strLastIndex(s, t string) int: strings.LastIndex.
func StrLastIndex(args ...Value) (Value, error) {
	return str2("strLastIndex", sigSS_I, args, func(s, t string) Value { return Int(int64(strings.LastIndex(s, t))) })
}

// StrLastIndexAny is strLastIndexAny(s, t string) int: strings.LastIndexAny.
func StrLastIndexAny(args ...Value) (Value, error) {
	return str2("strLastIndexAny", sigSS_I, args, func(s, t string) Value { return Int(int64(strings.LastIndexAny(s, t))) })
}

// StrTrim is strTrim(s, t string) string: strings.Trim.
func StrTrim(args ...Value) (Value, error) {
	return str2("strTrim", sigSS_S, args, func(s, t string) Value { return String(strings.Trim(s, t)) })
}

// StrTrimLeft is strTrimLeft(s, t string) string: strings.TrimLeft.
func StrTrimLeft(args ...Value) (Value, error) {
	return str2("strTrimLeft", sigSS_S, args, func(s, t string) Value { return String(strings.TrimLeft(s, t)) })
}

// StrTrimRight is strTrimRight(s, t string) string: strings.TrimRight.
func StrTrimRight(args ...Value) (Value, error) {
	return str2("strTrimRight", sigSS_S, args, func(s, t string) Value { return String(strings.TrimRight(s, t)) })
}

// StrTrimPrefix is strTrimPrefix(s, t string) string: strings.TrimPrefix.
func StrTrimPrefix(args ...Value) (Value, error) {
	return str2("strTrimPrefix", sigSS_S, args, func(s, t string) Value { return String(strings.TrimPrefix(s, t)) })
}

// StrTrimSuffix is strTrimSuffix(s, t string) string: strings.TrimSuffix.
func StrTrimSuffix(args ...Value) (Value, error) {
	return str2("strTrimSuffix", sigSS_S, args, func(s, t string) Value { return String(strings.TrimSuffix(s, t)) })
}

// StrToLower is strToLower(s string) string: strings.ToLower.
func StrToLower(args ...Value) (Value, error) { return str1("strToLower", strings.ToLower, args) }

// StrToUpper is strToUpper(s string) string: strings.ToUpper.
func StrToUpper(args ...Value) (Value, error) { return str1("strToUpper", strings.ToUpper, args) }

// StrTrimSpace is strTrimSpace(s string) string: strings.TrimSpace.
func StrTrimSpace(args ...Value) (Value, error) { return str1("strTrimSpace", strings.TrimSpace, args) }
