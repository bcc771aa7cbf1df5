package stdlib

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
	"unsafe"
)

// Type is the dynamic type of a Value, as TICKscript's lambda evaluator sees it.
type Type uint8

// The value types of TICKscript expressions (Kapacitor's ast.ValueType, minus the
// pipeline-only kinds lambda, list and star, which never reach a lambda at run time).
const (
	// TypeMissing is the value of a reference that names neither a field nor a tag.
	TypeMissing Type = iota
	TypeFloat
	TypeInt
	TypeString
	TypeBool
	TypeDuration
	TypeTime
	TypeRegex
)

var typeNames = [...]string{
	TypeMissing:  "missing",
	TypeFloat:    "float",
	TypeInt:      "int",
	TypeString:   "string",
	TypeBool:     "boolean",
	TypeDuration: "duration",
	TypeTime:     "time",
	TypeRegex:    "regex",
}

// String returns the type's name as Kapacitor prints it in error messages.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	if t == TypeDynamic {
		return "dynamic"
	}
	return "invalid type"
}

// Value is one dynamically typed TICKscript value. The zero Value is Missing.
// Values are small (three words, passed in registers) and passed by value;
// none of them allocates except strings and regexes, which share their
// backing data.
//
// A string is held as its bytes' address and its length, as a Go string is,
// so that a Value does not need a string header beside the number it holds
// for the other types. Two string Values with equal contents may therefore
// hold different addresses: compare Values with Equal, not ==.
type Value struct {
	typ Type
	n   uint64         // float bits, int, bool (0/1), duration ns, time as Unix ns, or the length of p's string
	p   unsafe.Pointer // the bytes of a string or of a missing reference's name, or a regex's *regexp.Regexp
}

// str returns the string whose bytes v holds: a string's, or a missing
// reference's name.
func (v Value) str() string {
	return unsafe.String((*byte)(v.p), int(v.n))
}

// strValue returns a Value of type t holding s's bytes.
func strValue(t Type, s string) Value {
	return Value{typ: t, n: uint64(len(s)), p: unsafe.Pointer(unsafe.StringData(s))}
}

// Missing is the value of a reference that names no field or tag of a point.
var Missing = Value{}

// Float returns a float Value.
func Float(f float64) Value { return Value{typ: TypeFloat, n: math.Float64bits(f)} }

// Int returns an int Value.
func Int(i int64) Value { return Value{typ: TypeInt, n: uint64(i)} }

// String returns a string Value.
func String(s string) Value { return strValue(TypeString, s) }

// Bool returns a boolean Value.
func Bool(b bool) Value {
	v := Value{typ: TypeBool}
	if b {
		v.n = 1
	}
	return v
}

// Duration returns a duration Value.
func Duration(d time.Duration) Value { return Value{typ: TypeDuration, n: uint64(d)} }

// Time returns a time Value holding t as nanoseconds since the Unix epoch.
func Time(unixNano int64) Value { return Value{typ: TypeTime, n: uint64(unixNano)} }

// Regex returns a regex Value.
func Regex(re *regexp.Regexp) Value { return Value{typ: TypeRegex, p: unsafe.Pointer(re)} }

// Type returns the dynamic type of v.
func (v Value) Type() Type { return v.typ }

// IsMissing reports whether v is the Missing value.
func (v Value) IsMissing() bool { return v.typ == TypeMissing }

// Float returns the float held by v; it is only meaningful when v.Type() is TypeFloat.
func (v Value) Float() float64 { return math.Float64frombits(v.n) }

// Int returns the int held by v; it is only meaningful when v.Type() is TypeInt.
func (v Value) Int() int64 { return int64(v.n) }

// Str returns the string held by v; it is only meaningful when v.Type() is TypeString.
func (v Value) Str() string {
	if v.typ != TypeString {
		return ""
	}
	return v.str()
}

// Bool returns the boolean held by v; it is only meaningful when v.Type() is TypeBool.
func (v Value) Bool() bool { return v.n != 0 }

// Duration returns the duration held by v; it is only meaningful when v.Type() is TypeDuration.
func (v Value) Duration() time.Duration { return time.Duration(v.n) }

// UnixNano returns the time held by v as nanoseconds since the Unix epoch; it is only
// meaningful when v.Type() is TypeTime.
func (v Value) UnixNano() int64 { return int64(v.n) }

// Regex returns the regex held by v; it is nil unless v.Type() is TypeRegex.
func (v Value) Regex() *regexp.Regexp {
	if v.typ != TypeRegex {
		return nil
	}
	return (*regexp.Regexp)(v.p)
}

// Equal reports whether a and b have the same type and value. Floats compare by
// value (NaN is unequal to itself), regexes by their source text.
func (a Value) Equal(b Value) bool {
	if a.typ != b.typ {
		return false
	}
	switch a.typ {
	case TypeFloat:
		return a.Float() == b.Float()
	case TypeString:
		return a.str() == b.str()
	case TypeRegex:
		return a.Literal() == b.Literal()
	case TypeMissing:
		return true
	default:
		return a.n == b.n
	}
}

// Identical reports whether a and b are the same value bit for bit: the
// same type and, unlike Equal, floats with the same bits (NaN is identical
// to itself, 0 is not identical to -0); strings and missing references'
// names by their contents, regexes by their patterns.
func (a Value) Identical(b Value) bool {
	if a.typ != b.typ {
		return false
	}
	switch a.typ {
	case TypeString, TypeMissing:
		return a.str() == b.str()
	case TypeRegex:
		return a.Literal() == b.Literal()
	}
	return a.n == b.n
}

// TypeDynamic is a static type only: the type of an expression that is not known
// before run time, such as a field reference. No Value has it.
const TypeDynamic Type = 100

// MissingRef returns the Missing value of the reference name: it is Missing, and
// it remembers the name so that error messages can say which reference was
// absent, as Kapacitor's do ("left reference value \"x\" is missing value").
func MissingRef(name string) Value { return strValue(TypeMissing, name) }

// Ref returns the reference name a Missing value came from, or "" if it came
// from none.
func (v Value) Ref() string {
	if v.typ != TypeMissing {
		return ""
	}
	return v.str()
}

// Zero returns a Value of type t holding its zero value: 0, "", false, 0s, the
// Unix epoch, or a regex that matches the empty string. A Zero value stands for
// "some value of type t" where only the type matters, as in CheckLogical.
// Zero(TypeMissing) and any type that is not a value type give Missing.
func Zero(t Type) Value {
	switch t {
	case TypeFloat, TypeInt, TypeString, TypeBool, TypeDuration, TypeTime:
		return Value{typ: t}
	case TypeRegex:
		return Regex(emptyRegex)
	}
	return Missing
}

var emptyRegex = regexp.MustCompile(``)

// Literal returns v written the way Kapacitor writes a constant in its error
// messages: numbers with %v, strings and regexes without quotes, durations in
// Go's notation (1h0m0s), times in RFC 3339, and a missing reference in
// double quotes.
func (v Value) Literal() string {
	switch v.typ {
	case TypeFloat:
		return fmt.Sprint(v.Float())
	case TypeInt:
		return strconv.FormatInt(v.Int(), 10)
	case TypeString:
		return v.str()
	case TypeBool:
		return strconv.FormatBool(v.Bool())
	case TypeDuration:
		return v.Duration().String()
	case TypeTime:
		return time.Unix(0, v.UnixNano()).UTC().Format(time.RFC3339Nano)
	case TypeRegex:
		if v.p == nil {
			return ""
		}
		return v.Regex().String()
	}
	if v.n != 0 {
		return strconv.Quote(v.str())
	}
	return "missing"
}

// String returns v for debugging and test output: the type and the literal,
// e.g. "float(1.5)" or "string(\"a\")".
func (v Value) String() string {
	switch v.typ {
	case TypeString:
		return "string(" + strconv.Quote(v.str()) + ")"
	case TypeFloat:
		return "float(" + strconv.FormatFloat(v.Float(), 'g', -1, 64) + ")"
	case TypeMissing:
		if v.n != 0 {
			return "missing(" + strconv.Quote(v.str()) + ")"
		}
		return "missing"
	}
	return v.typ.String() + "(" + v.Literal() + ")"
}
