package stdlib

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestBinaryOperators(t *testing.T) {
	re := Regex(regexp.MustCompile(`^a+$`))
	nan := Float(math.NaN())
	tests := []struct {
		op   Op
		l, r Value
		want Value
	}{
		{OpAdd, Int(2), Int(3), Int(5)},
		{OpAdd, Float(0.1), Float(0.2), Float(0.30000000000000004)},
		{OpAdd, Duration(time.Second), Duration(time.Minute), Duration(61 * time.Second)},
		{OpAdd, String("ab"), String("cd"), String("abcd")},
		{OpSub, Int(2), Int(3), Int(-1)},
		{OpSub, Float(1), Float(0.5), Float(0.5)},
		{OpSub, Duration(time.Minute), Duration(time.Second), Duration(59 * time.Second)},
		{OpMul, Int(-4), Int(3), Int(-12)},
		{OpMul, Float(1.5), Float(2), Float(3)},
		{OpMul, Duration(time.Second), Int(3), Duration(3 * time.Second)},
		{OpMul, Int(3), Duration(time.Second), Duration(3 * time.Second)},
		{OpMul, Duration(time.Second), Float(1.5), Duration(1500 * time.Millisecond)},
		{OpMul, Float(0.5), Duration(time.Second), Duration(500 * time.Millisecond)},
		{OpDiv, Int(7), Int(2), Int(3)},
		{OpDiv, Int(-7), Int(2), Int(-3)},
		{OpDiv, Float(1), Float(0), Float(math.Inf(1))},
		{OpDiv, Duration(time.Minute), Int(4), Duration(15 * time.Second)},
		{OpDiv, Duration(time.Minute), Float(0.5), Duration(2 * time.Minute)},
		{OpDiv, Duration(time.Hour), Duration(time.Minute), Int(60)},
		{OpMod, Int(7), Int(3), Int(1)},
		{OpMod, Int(-7), Int(3), Int(-1)},
		{OpEq, Int(1), Float(1), Bool(true)},
		{OpEq, Float(1.5), Int(1), Bool(false)},
		{OpEq, Bool(true), Bool(true), Bool(true)},
		{OpEq, String("a"), String("a"), Bool(true)},
		{OpEq, Duration(time.Second), Duration(time.Second), Bool(true)},
		{OpEq, nan, nan, Bool(false)},
		{OpNeq, nan, nan, Bool(true)},
		{OpNeq, Bool(true), Bool(false), Bool(true)},
		{OpLt, Int(1), Float(1.5), Bool(true)},
		{OpLt, String("B"), String("a"), Bool(true)},
		{OpLt, nan, Float(1), Bool(false)},
		{OpLte, Duration(time.Second), Duration(time.Second), Bool(true)},
		{OpGt, Float(2), Int(1), Bool(true)},
		{OpGt, String("b"), String("a"), Bool(true)},
		{OpGte, Int(1), Int(2), Bool(false)},
		{OpRegexMatch, String("aaa"), re, Bool(true)},
		{OpRegexMatch, String("aab"), re, Bool(false)},
		{OpRegexNotMatch, String("aab"), re, Bool(true)},
		{OpAnd, Bool(true), Bool(false), Bool(false)},
		{OpOr, Bool(true), Bool(false), Bool(true)},
	}
	for _, tt := range tests {
		got, err := Binary(tt.op, tt.l, tt.r)
		if err != nil {
			t.Errorf("%v %v %v: %v", tt.l, tt.op, tt.r, err)
			continue
		}
		if !got.Equal(tt.want) || math.Float64bits(got.Float()) != math.Float64bits(tt.want.Float()) {
			t.Errorf("%v %v %v = %v, want %v", tt.l, tt.op, tt.r, got, tt.want)
		}
	}
}

func TestBinaryOperatorErrors(t *testing.T) {
	re := Regex(regexp.MustCompile(`x`))
	tests := []struct {
		op   Op
		l, r Value
		want string
	}{
		{OpAdd, Int(1), Float(1), "mismatched type to binary operator. got int + float. see bool(), int(), float(), string(), duration()"},
		{OpMod, Float(5), Float(2), "invalid math operator % for type float"},
		{OpMod, Duration(time.Hour), Duration(time.Minute), "invalid math operator % for type duration"},
		{OpSub, String("a"), String("b"), "invalid math operator - for type string"},
		{OpMul, Duration(1), Duration(1), "mismatched type to binary operator. got duration * duration"},
		{OpAdd, MissingRef("nope"), String("x"), "invalid math operator + for type missing"},
		{OpAdd, Float(1), MissingRef("nope"), "mismatched type to binary operator. got float + missing"},
		{OpGt, MissingRef("nope"), Float(1), `left reference value "nope" is missing value`},
		{OpLt, Float(1), MissingRef("nope"), `right reference value "nope" is missing value`},
		{OpLt, Bool(true), Bool(false), "invalid comparison operator < for type boolean"},
		{OpGt, Time(0), Time(0), "invalid comparison operator > for type time"},
		{OpEq, re, re, "invalid comparison operator == for type regex"},
		{OpEq, String("a"), re, "mismatched type to binary operator. got string == regex"},
		{OpRegexMatch, Int(1), re, "invalid comparison operator =~ for type int"},
		{OpRegexMatch, re, re, "mismatched type to binary operator. got regex =~ regex"},
		{OpOr, Float(1), Bool(true), "invalid logical operator OR for type float"},
		{OpAnd, Bool(true), Int(1), "mismatched type to binary operator. got boolean AND int"},
		{OpDiv, Int(1), Int(0), "runtime error: integer divide by zero"},
		{OpMod, Int(1), Int(0), "runtime error: integer divide by zero"},
		{OpDiv, Duration(1), Int(0), "runtime error: integer divide by zero"},
		{OpDiv, Duration(1), Duration(0), "runtime error: integer divide by zero"},
	}
	for _, tt := range tests {
		_, err := Binary(tt.op, tt.l, tt.r)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v %v: error %v, want %q", tt.l, tt.op, tt.r, err, tt.want)
		}
	}
}

func TestCheckLogical(t *testing.T) {
	if err := CheckLogical(OpAnd, Bool(false), Zero(TypeBool)); err != nil {
		t.Errorf("bool AND bool: %v", err)
	}
	err := CheckLogical(OpAnd, Bool(false), MissingRef("nope"))
	if err == nil || err.Error() != `right reference value "nope" is missing value` {
		t.Errorf("bool AND missing: %v", err)
	}
	err = CheckLogical(OpOr, Zero(TypeString), Zero(TypeBool))
	if err == nil || err.Error() != "invalid logical operator OR for type string" {
		t.Errorf("string OR bool: %v", err)
	}
}

func TestUnaryOperators(t *testing.T) {
	tests := []struct {
		op      Op
		v, want Value
	}{
		{OpNeg, Int(5), Int(-5)},
		{OpNeg, Float(0), Float(math.Copysign(0, -1))},
		{OpNeg, Duration(time.Second), Duration(-time.Second)},
		{OpNeg, Bool(true), Bool(false)}, // Kapacitor reads -b as !b
		{OpNot, Bool(false), Bool(true)},
	}
	for _, tt := range tests {
		got, err := Unary(tt.op, tt.v)
		if err != nil || !got.Equal(tt.want) || math.Signbit(got.Float()) != math.Signbit(tt.want.Float()) {
			t.Errorf("%v%v = %v, %v; want %v", tt.op, tt.v, got, err, tt.want)
		}
	}
	errs := []struct {
		op   Op
		v    Value
		want string
	}{
		{OpNot, Int(5), "TypeGuard: expression returned unexpected type int, expected boolean"},
		{OpNeg, String("a"), "TypeGuard: expression returned unexpected type string, expected string"},
		{OpNeg, MissingRef("x"), `reference "x" is missing value`},
		{OpNot, MissingRef("x"), `reference "x" is missing value`},
		{OpNeg, Time(0), "expression returned unexpected type time"},
	}
	for _, tt := range errs {
		_, err := Unary(tt.op, tt.v)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%v%v: error %v, want %q", tt.op, tt.v, err, tt.want)
		}
	}
}

func TestResultAndPredicate(t *testing.T) {
	if _, err := Result(MissingRef("nope")); err == nil || err.Error() != `missing value: "nope"` {
		t.Errorf("Result(missing) error = %v", err)
	}
	if _, err := Result(Time(0)); err == nil || err.Error() != "expression returned unexpected type time" {
		t.Errorf("Result(time) error = %v", err)
	}
	if v, err := Result(Float(1)); err != nil || v.Float() != 1 {
		t.Errorf("Result(1.0) = %v, %v", v, err)
	}
	if b, err := Predicate(Bool(true)); err != nil || !b {
		t.Errorf("Predicate(true) = %v, %v", b, err)
	}
	if _, err := Predicate(Float(1)); err == nil || err.Error() != "TypeGuard: expression returned unexpected type float, expected boolean" {
		t.Errorf("Predicate(1.0) error = %v", err)
	}
}

func TestResolveRef(t *testing.T) {
	v, err := ResolveRef("x", Float(1), true, "", false)
	if err != nil || v.Float() != 1 {
		t.Errorf("field: %v, %v", v, err)
	}
	v, err = ResolveRef("host", Missing, false, "srv", true)
	if err != nil || v.Str() != "srv" || v.Type() != TypeString {
		t.Errorf("tag: %v, %v", v, err)
	}
	v, err = ResolveRef("nope", Missing, false, "", false)
	if err != nil || !v.IsMissing() || v.Ref() != "nope" {
		t.Errorf("absent: %v, %v", v, err)
	}
	_, err = ResolveRef("host", Float(1), true, "srv", true)
	if err == nil || err.Error() != `cannot have field and tags with same name "host"` {
		t.Errorf("clash: %v", err)
	}
}

func TestBinaryType(t *testing.T) {
	tests := []struct {
		op   Op
		l, r Type
		want Type
		ok   bool
	}{
		{OpDiv, TypeDuration, TypeDuration, TypeInt, true},
		{OpMul, TypeFloat, TypeDuration, TypeDuration, true},
		{OpAdd, TypeString, TypeString, TypeString, true},
		{OpLt, TypeInt, TypeFloat, TypeBool, true},
		{OpMod, TypeFloat, TypeFloat, 0, false},
		{OpSub, TypeString, TypeString, 0, false},
		{OpDiv, TypeInt, TypeDuration, 0, false},
	}
	for _, tt := range tests {
		got, ok := BinaryType(tt.op, tt.l, tt.r)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("BinaryType(%v, %v, %v) = %v, %v; want %v, %v", tt.op, tt.l, tt.r, got, ok, tt.want, tt.ok)
		}
	}
}
