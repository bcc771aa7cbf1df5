package stdlib

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"unsafe"
)

func TestValueIsThreeWords(t *testing.T) {
	if got := unsafe.Sizeof(Value{}); got != 24 {
		t.Errorf("a Value is %d bytes, want 24", got)
	}
}

func TestValueAccessors(t *testing.T) {
	re := regexp.MustCompile(`^a.*b$`)
	for _, c := range []struct {
		v             Value
		str, ref, lit string
		regex         *regexp.Regexp
		typ           Type
	}{
		{v: String("héllo"), str: "héllo", lit: "héllo", typ: TypeString},
		{v: String(""), lit: "", typ: TypeString},
		{v: Value{typ: TypeString}, lit: "", typ: TypeString},
		{v: MissingRef("cpu"), ref: "cpu", lit: `"cpu"`, typ: TypeMissing},
		{v: Missing, lit: "missing", typ: TypeMissing},
		{v: Float(2.5), lit: "2.5", typ: TypeFloat},
		{v: Int(-3), lit: "-3", typ: TypeInt},
		{v: Bool(true), lit: "true", typ: TypeBool},
		{v: Regex(re), lit: `^a.*b$`, regex: re, typ: TypeRegex},
	} {
		if c.v.Type() != c.typ || c.v.Str() != c.str || c.v.Ref() != c.ref || c.v.Literal() != c.lit || c.v.Regex() != c.regex {
			t.Errorf("%v: type %v, Str %q, Ref %q, Literal %q, Regex %v", c.v, c.v.Type(), c.v.Str(), c.v.Ref(), c.v.Literal(), c.v.Regex())
		}
	}
}

func TestValueEqualAndIdentical(t *testing.T) {
	// Equal strings held at different addresses.
	a, b := String("value"), String(strings.Repeat("val", 1)+"ue")
	nan := Float(math.NaN())
	for _, c := range []struct {
		a, b             Value
		equal, identical bool
	}{
		{a, b, true, true},
		{a, String("other"), false, false},
		{a, MissingRef("value"), false, false},
		{MissingRef("x"), MissingRef("y"), true, false},
		{Float(0), Float(math.Copysign(0, -1)), true, false},
		{nan, nan, false, true},
		{Int(1), Float(1), false, false},
		{Regex(regexp.MustCompile("a+")), Regex(regexp.MustCompile("a+")), true, true},
		{Bool(true), Bool(true), true, true},
	} {
		if got := c.a.Equal(c.b); got != c.equal {
			t.Errorf("%v.Equal(%v) = %v, want %v", c.a, c.b, got, c.equal)
		}
		if got := c.a.Identical(c.b); got != c.identical {
			t.Errorf("%v.Identical(%v) = %v, want %v", c.a, c.b, got, c.identical)
		}
	}
}
