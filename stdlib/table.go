package stdlib

// The signature sets, named by argument letters and result letter
// (F float, I int, S string, B bool, D duration, T time, R regex).
var (
	sigF_F    = sigs(sig(TypeFloat, TypeFloat))
	sigFF_F   = sigs(sig(TypeFloat, TypeFloat, TypeFloat))
	sigI_F    = sigs(sig(TypeFloat, TypeInt))
	sigIF_F   = sigs(sig(TypeFloat, TypeInt, TypeFloat))
	sigSS_B   = sigs(sig(TypeBool, TypeString, TypeString))
	sigSS_I   = sigs(sig(TypeInt, TypeString, TypeString))
	sigSS_S   = sigs(sig(TypeString, TypeString, TypeString))
	sigS_S    = sigs(sig(TypeString, TypeString))
	sigS_I    = sigs(sig(TypeInt, TypeString))
	sigSSSI_S = sigs(sig(TypeString, TypeString, TypeString, TypeString, TypeInt))
	sigSII_S  = sigs(sig(TypeString, TypeString, TypeInt, TypeInt))
	sigRSS_S  = sigs(sig(TypeString, TypeRegex, TypeString, TypeString))
	sigT_I    = sigs(sig(TypeInt, TypeTime))
	sig_T     = sigs(sig(TypeTime))
	sig_I     = sigs(sig(TypeInt))
	sigRand   = sigs(sig(TypeInt), sig(TypeInt, TypeInt))
	sigBool   = sigs(sig(TypeBool, TypeBool), sig(TypeBool, TypeString), sig(TypeBool, TypeInt), sig(TypeBool, TypeFloat))
	sigInt    = sigs(sig(TypeInt, TypeBool), sig(TypeInt, TypeString), sig(TypeInt, TypeInt), sig(TypeInt, TypeFloat))
	sigFloat  = sigs(sig(TypeFloat, TypeBool), sig(TypeFloat, TypeString), sig(TypeFloat, TypeInt), sig(TypeFloat, TypeFloat))
	sigString = sigs(sig(TypeString, TypeBool), sig(TypeString, TypeString), sig(TypeString, TypeInt),
		sig(TypeString, TypeFloat), sig(TypeString, TypeDuration))
	sigDuration = sigs(sig(TypeDuration, TypeDuration), sig(TypeDuration, TypeInt, TypeDuration),
		sig(TypeDuration, TypeFloat, TypeDuration), sig(TypeDuration, TypeString, TypeDuration))
	sigHumanBytes = sigs(sig(TypeString, TypeFloat), sig(TypeString, TypeInt))
	sigIsPresent  = sigs(sig(TypeBool, TypeMissing), sig(TypeBool, TypeBool), sig(TypeBool, TypeString),
		sig(TypeBool, TypeInt), sig(TypeBool, TypeFloat))
	sigIf = func() []Signature {
		var out []Signature
		for _, t := range []Type{TypeFloat, TypeInt, TypeString, TypeBool, TypeRegex, TypeTime, TypeDuration} {
			out = append(out, sig(t, TypeBool, t, t))
		}
		return out
	}()
)

// sig builds a signature: the result type first, then the argument types.
func sig(ret Type, args ...Type) Signature { return Signature{Args: args, Ret: ret} }

func sigs(s ...Signature) []Signature { return s }

func stateless(name, goName string, impl Impl, sigs []Signature) *Func {
	return &Func{Name: name, Sigs: sigs, Pure: true, GoName: goName, Impl: impl}
}

func stateful(name, goName string, newState func() State, sigs []Signature) *Func {
	return &Func{Name: name, Sigs: sigs, Stateful: true, GoName: goName, NewState: newState}
}

// funcTable is the specification and the registry of the 83 builtin lambda
// functions (Kapacitor's tick/stateful/functions.go): 79 stateless, 4 stateful.
var funcTable = []*Func{
	// Conversions.
	stateless("bool", "ToBool", ToBool, sigBool),
	stateless("int", "ToInt", ToInt, sigInt),
	stateless("float", "ToFloat", ToFloat, sigFloat),
	stateless("string", "ToString", ToString, sigString),
	stateless("duration", "ToDuration", ToDuration, sigDuration),

	// Math.
	stateless("abs", "Abs", Abs, sigF_F),
	stateless("acos", "Acos", Acos, sigF_F),
	stateless("acosh", "Acosh", Acosh, sigF_F),
	stateless("asin", "Asin", Asin, sigF_F),
	stateless("asinh", "Asinh", Asinh, sigF_F),
	stateless("atan", "Atan", Atan, sigF_F),
	stateless("atanh", "Atanh", Atanh, sigF_F),
	stateless("cbrt", "Cbrt", Cbrt, sigF_F),
	stateless("ceil", "Ceil", Ceil, sigF_F),
	stateless("cos", "Cos", Cos, sigF_F),
	stateless("cosh", "Cosh", Cosh, sigF_F),
	stateless("erf", "Erf", Erf, sigF_F),
	stateless("erfc", "Erfc", Erfc, sigF_F),
	stateless("exp", "Exp", Exp, sigF_F),
	stateless("exp2", "Exp2", Exp2, sigF_F),
	stateless("expm1", "Expm1", Expm1, sigF_F),
	stateless("floor", "Floor", Floor, sigF_F),
	stateless("gamma", "Gamma", Gamma, sigF_F),
	stateless("j0", "J0", J0, sigF_F),
	stateless("j1", "J1", J1, sigF_F),
	stateless("log", "Log", Log, sigF_F),
	stateless("log10", "Log10", Log10, sigF_F),
	stateless("log1p", "Log1p", Log1p, sigF_F),
	stateless("log2", "Log2", Log2, sigF_F),
	stateless("logb", "Logb", Logb, sigF_F),
	stateless("sin", "Sin", Sin, sigF_F),
	stateless("sinh", "Sinh", Sinh, sigF_F),
	stateless("sqrt", "Sqrt", Sqrt, sigF_F),
	stateless("tan", "Tan", Tan, sigF_F),
	stateless("tanh", "Tanh", Tanh, sigF_F),
	stateless("trunc", "Trunc", Trunc, sigF_F),
	stateless("y0", "Y0", Y0, sigF_F),
	stateless("y1", "Y1", Y1, sigF_F),
	stateless("atan2", "Atan2", Atan2, sigFF_F),
	stateless("hypot", "Hypot", Hypot, sigFF_F),
	stateless("max", "Max", Max, sigFF_F),
	stateless("min", "Min", Min, sigFF_F),
	stateless("mod", "FMod", FMod, sigFF_F),
	stateless("pow", "Pow", Pow, sigFF_F),
	stateless("pow10", "Pow10", Pow10, sigI_F),
	stateless("jn", "Jn", Jn, sigIF_F),
	stateless("yn", "Yn", Yn, sigIF_F),

	// Strings.
	stateless("strContains", "StrContains", StrContains, sigSS_B),
	stateless("strContainsAny", "StrContainsAny", StrContainsAny, sigSS_B),
	stateless("strHasPrefix", "StrHasPrefix", StrHasPrefix, sigSS_B),
	stateless("strHasSuffix", "StrHasSuffix", StrHasSuffix, sigSS_B),
	stateless("strCount", "StrCount", StrCount, sigSS_I),
	stateless("strIndex", "StrIndex", StrIndex, sigSS_I),
	stateless("strIndexAny", "StrIndexAny", StrIndexAny, sigSS_I),
	stateless("strLastIndex", "StrLastIndex", StrLastIndex, sigSS_I),
	stateless("strLastIndexAny", "StrLastIndexAny", StrLastIndexAny, sigSS_I),
	stateless("strTrim", "StrTrim", StrTrim, sigSS_S),
	stateless("strTrimLeft", "StrTrimLeft", StrTrimLeft, sigSS_S),
	stateless("strTrimRight", "StrTrimRight", StrTrimRight, sigSS_S),
	stateless("strTrimPrefix", "StrTrimPrefix", StrTrimPrefix, sigSS_S),
	stateless("strTrimSuffix", "StrTrimSuffix", StrTrimSuffix, sigSS_S),
	stateless("strToLower", "StrToLower", StrToLower, sigS_S),
	stateless("strToUpper", "StrToUpper", StrToUpper, sigS_S),
	stateless("strTrimSpace", "StrTrimSpace", StrTrimSpace, sigS_S),
	stateless("strLength", "StrLength", StrLength, sigS_I),
	stateless("strReplace", "StrReplace", StrReplace, sigSSSI_S),
	stateless("strSubstring", "StrSubstring", StrSubstring, sigSII_S),

	// Regex, missing values, conditionals.
	stateless("regexReplace", "RegexReplace", RegexReplace, sigRSS_S),
	stateless("isPresent", "IsPresent", IsPresent, sigIsPresent),
	stateless("if", "If", If, sigIf),

	// Time.
	stateless("unixNano", "UnixNano", UnixNano, sigT_I),
	stateless("minute", "Minute", Minute, sigT_I),
	stateless("hour", "Hour", Hour, sigT_I),
	stateless("weekday", "Weekday", Weekday, sigT_I),
	stateless("day", "Day", Day, sigT_I),
	stateless("month", "Month", Month, sigT_I),
	stateless("year", "Year", Year, sigT_I),
	{Name: "now", Sigs: sig_T, GoName: "Now", Impl: Now},

	// Humanize.
	stateless("humanBytes", "HumanBytes", HumanBytes, sigHumanBytes),

	// Stateful.
	stateful("sigma", "SigmaState", func() State { return NewSigmaState() }, sigF_F),
	stateful("count", "CountState", func() State { return NewCountState() }, sig_I),
	stateful("spread", "SpreadState", func() State { return NewSpreadState() }, sigF_F),
	stateful("rand", "RandState", func() State { return NewRandState() }, sigRand),
}
