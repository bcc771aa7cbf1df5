package stdlib

import (
	"fmt"
	"strings"
	"time"
)

// Op is a TICKscript lambda operator.
type Op uint8

// The operators, binary then unary. OpNeg and OpNot are the unary - and !.
const (
	OpInvalid Op = iota
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod
	OpEq
	OpNeq
	OpLt
	OpLte
	OpGt
	OpGte
	OpRegexMatch
	OpRegexNotMatch
	OpAnd
	OpOr
	OpNeg
	OpNot
)

var opNames = [...]string{
	OpInvalid:       "invalid operator",
	OpAdd:           "+",
	OpSub:           "-",
	OpMul:           "*",
	OpDiv:           "/",
	OpMod:           "%",
	OpEq:            "==",
	OpNeq:           "!=",
	OpLt:            "<",
	OpLte:           "<=",
	OpGt:            ">",
	OpGte:           ">=",
	OpRegexMatch:    "=~",
	OpRegexNotMatch: "!~",
	OpAnd:           "AND",
	OpOr:            "OR",
	OpNeg:           "-",
	OpNot:           "!",
}

// String returns the operator as written in TICKscript.
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return opNames[OpInvalid]
}

// IsMath reports whether o is one of + - * / %.
func (o Op) IsMath() bool { return o >= OpAdd && o <= OpMod }

// IsComparison reports whether o is one of == != < <= > >= =~ !~.
func (o Op) IsComparison() bool { return o >= OpEq && o <= OpRegexNotMatch }

// IsLogical reports whether o is AND or OR.
func (o Op) IsLogical() bool { return o == OpAnd || o == OpOr }

// IsBinary reports whether o takes two operands.
func (o Op) IsBinary() bool { return o >= OpAdd && o <= OpOr }

// kind is the word Kapacitor uses for the operator's family in messages.
func (o Op) kind() string {
	switch {
	case o.IsMath():
		return "math"
	case o.IsComparison():
		return "comparison"
	case o.IsLogical():
		return "logical"
	}
	return "INVALID"
}

type opKey struct {
	op   Op
	l, r Type
}

// binaryTypes is Kapacitor's binary operator matrix: every allowed
// (operator, left type, right type) and the result type. Anything else is a
// type error.
var binaryTypes = map[opKey]Type{}

// opsOfType records, per type, the operators that accept it on either side;
// Kapacitor uses it to choose between "invalid operator" and "mismatched type".
var opsOfType = map[Type]map[Op]bool{}

func init() {
	add := func(op Op, l, r, res Type) {
		binaryTypes[opKey{op, l, r}] = res
		for _, t := range []Type{l, r} {
			if opsOfType[t] == nil {
				opsOfType[t] = map[Op]bool{}
			}
			opsOfType[t][op] = true
		}
	}
	add(OpAnd, TypeBool, TypeBool, TypeBool)
	add(OpOr, TypeBool, TypeBool, TypeBool)
	add(OpEq, TypeBool, TypeBool, TypeBool)
	add(OpNeq, TypeBool, TypeBool, TypeBool)
	numeric := []Type{TypeInt, TypeFloat}
	for _, op := range []Op{OpEq, OpNeq, OpLt, OpLte, OpGt, OpGte} {
		for _, l := range numeric {
			for _, r := range numeric {
				add(op, l, r, TypeBool)
			}
		}
		add(op, TypeString, TypeString, TypeBool)
		add(op, TypeDuration, TypeDuration, TypeBool)
	}
	add(OpRegexMatch, TypeString, TypeRegex, TypeBool)
	add(OpRegexNotMatch, TypeString, TypeRegex, TypeBool)
	for _, op := range []Op{OpAdd, OpSub, OpMul, OpDiv} {
		add(op, TypeFloat, TypeFloat, TypeFloat)
		add(op, TypeInt, TypeInt, TypeInt)
	}
	add(OpMod, TypeInt, TypeInt, TypeInt)
	add(OpAdd, TypeDuration, TypeDuration, TypeDuration)
	add(OpSub, TypeDuration, TypeDuration, TypeDuration)
	add(OpMul, TypeDuration, TypeInt, TypeDuration)
	add(OpMul, TypeInt, TypeDuration, TypeDuration)
	add(OpMul, TypeDuration, TypeFloat, TypeDuration)
	add(OpMul, TypeFloat, TypeDuration, TypeDuration)
	add(OpDiv, TypeDuration, TypeInt, TypeDuration)
	add(OpDiv, TypeDuration, TypeFloat, TypeDuration)
	add(OpDiv, TypeDuration, TypeDuration, TypeInt)
	add(OpAdd, TypeString, TypeString, TypeString)
}

// BinaryType returns the result type of l op r and whether the operator
// accepts those operand types. It is the static side of the operator matrix:
// comparisons and logical operators are always boolean, whatever their
// operands, but they still report ok=false for operands they reject.
func BinaryType(op Op, l, r Type) (Type, bool) {
	t, ok := binaryTypes[opKey{op, l, r}]
	return t, ok
}

// BinaryTypeError returns Kapacitor's message for operands that op rejects,
// given only their types, as the compile-time check and the math operators
// report it: "invalid math operator % for type float" when the left type
// accepts no such operator, else "mismatched type to binary operator. got …".
func BinaryTypeError(op Op, l, r Type) error {
	if !opsOfType[l][op] {
		return fmt.Errorf("invalid %s operator %v for type %s", op.kind(), op, l)
	}
	return fmt.Errorf("mismatched type to binary operator. got %s %v %s. see bool(), int(), float(), string(), duration()", l, op, r)
}

// operandError is the error of l op r on values op rejects. Comparisons and
// logical operators name a missing reference first, as Kapacitor does when it
// evaluates them; math operators report the types only, because Kapacitor
// checks their types before evaluating anything.
func operandError(op Op, l, r Value) error {
	if !op.IsMath() {
		if l.IsMissing() {
			return fmt.Errorf("left reference value %q is missing value", l.Ref())
		}
		if r.IsMissing() {
			return fmt.Errorf("right reference value %q is missing value", r.Ref())
		}
	}
	return BinaryTypeError(op, l.Type(), r.Type())
}

// CheckLogical checks the operand types of AND and OR before either side is
// evaluated, as Kapacitor does: both must be boolean, and a missing reference
// on either side is an error even when the other side alone decides. l and r
// only need the right types: pass the value of a reference, or Zero(t) for an
// operand whose type t is known without evaluating it.
func CheckLogical(op Op, l, r Value) error {
	if l.Type() == TypeBool && r.Type() == TypeBool {
		return nil
	}
	return operandError(op, l, r)
}

// ErrDivideByZero is the error of an integer or duration division by zero; its
// text is that of the Go run-time panic Kapacitor recovers from.
var ErrDivideByZero error = runtimeError("runtime error: integer divide by zero")

// Binary applies the binary operator op to l and r. AND and OR are applied
// without short-circuit; generated code short-circuits them itself after
// CheckLogical.
func Binary(op Op, l, r Value) (Value, error) {
	switch op {
	case OpAdd:
		return Add(l, r)
	case OpSub:
		return Sub(l, r)
	case OpMul:
		return Mul(l, r)
	case OpDiv:
		return Div(l, r)
	case OpMod:
		return Mod(l, r)
	case OpEq:
		return Eq(l, r)
	case OpNeq:
		return Neq(l, r)
	case OpLt:
		return Lt(l, r)
	case OpLte:
		return Lte(l, r)
	case OpGt:
		return Gt(l, r)
	case OpGte:
		return Gte(l, r)
	case OpRegexMatch:
		return RegexMatch(l, r)
	case OpRegexNotMatch:
		return RegexNotMatch(l, r)
	case OpAnd:
		return And(l, r)
	case OpOr:
		return Or(l, r)
	}
	return Missing, fmt.Errorf("unknown binary operator %v", op)
}

// Add is l + r: int, float and duration addition, and string concatenation.
func Add(l, r Value) (Value, error) {
	switch {
	case l.typ == TypeInt && r.typ == TypeInt:
		return Int(l.Int() + r.Int()), nil
	case l.typ == TypeFloat && r.typ == TypeFloat:
		return Float(l.Float() + r.Float()), nil
	case l.typ == TypeDuration && r.typ == TypeDuration:
		return Duration(l.Duration() + r.Duration()), nil
	case l.typ == TypeString && r.typ == TypeString:
		return String(l.str() + r.str()), nil
	}
	return Missing, operandError(OpAdd, l, r)
}

// Sub is l - r on two ints, two floats or two durations.
func Sub(l, r Value) (Value, error) {
	switch {
	case l.typ == TypeInt && r.typ == TypeInt:
		return Int(l.Int() - r.Int()), nil
	case l.typ == TypeFloat && r.typ == TypeFloat:
		return Float(l.Float() - r.Float()), nil
	case l.typ == TypeDuration && r.typ == TypeDuration:
		return Duration(l.Duration() - r.Duration()), nil
	}
	return Missing, operandError(OpSub, l, r)
}

// Mul is l * r on two ints or two floats, or a duration scaled by an int or a
// float on either side.
func Mul(l, r Value) (Value, error) {
	switch {
	case l.typ == TypeInt && r.typ == TypeInt:
		return Int(l.Int() * r.Int()), nil
	case l.typ == TypeFloat && r.typ == TypeFloat:
		return Float(l.Float() * r.Float()), nil
	case l.typ == TypeDuration && r.typ == TypeInt:
		return Duration(l.Duration() * time.Duration(r.Int())), nil
	case l.typ == TypeInt && r.typ == TypeDuration:
		return Duration(time.Duration(l.Int()) * r.Duration()), nil
	case l.typ == TypeDuration && r.typ == TypeFloat:
		return Duration(time.Duration(float64(l.Duration()) * r.Float())), nil
	case l.typ == TypeFloat && r.typ == TypeDuration:
		return Duration(time.Duration(l.Float() * float64(r.Duration()))), nil
	}
	return Missing, operandError(OpMul, l, r)
}

// Div is l / r: truncating on ints (dividing by zero is ErrDivideByZero), IEEE
// on floats, a duration divided by an int or a float, and the int ratio of two
// durations.
func Div(l, r Value) (Value, error) {
	switch {
	case l.typ == TypeInt && r.typ == TypeInt:
		if r.Int() == 0 {
			return Missing, ErrDivideByZero
		}
		return Int(l.Int() / r.Int()), nil
	case l.typ == TypeFloat && r.typ == TypeFloat:
		return Float(l.Float() / r.Float()), nil
	case l.typ == TypeDuration && r.typ == TypeInt:
		if r.Int() == 0 {
			return Missing, ErrDivideByZero
		}
		return Duration(l.Duration() / time.Duration(r.Int())), nil
	case l.typ == TypeDuration && r.typ == TypeFloat:
		return Duration(time.Duration(float64(l.Duration()) / r.Float())), nil
	case l.typ == TypeDuration && r.typ == TypeDuration:
		if r.Duration() == 0 {
			return Missing, ErrDivideByZero
		}
		return Int(int64(l.Duration() / r.Duration())), nil
	}
	return Missing, operandError(OpDiv, l, r)
}

// Mod is l % r on two ints; a zero divisor is ErrDivideByZero.
func Mod(l, r Value) (Value, error) {
	if l.typ == TypeInt && r.typ == TypeInt {
		if r.Int() == 0 {
			return Missing, ErrDivideByZero
		}
		return Int(l.Int() % r.Int()), nil
	}
	return Missing, operandError(OpMod, l, r)
}

// compare orders l and r for the comparison operators: it returns -1, 0 or +1,
// or an error when op does not accept the operand types. unordered is true
// when a float operand is NaN, which makes every relation but != false.
// Booleans reach it only for == and !=.
func compare(op Op, l, r Value) (c int, unordered bool, err error) {
	switch {
	case l.typ == TypeInt && r.typ == TypeInt:
		return cmpInt(l.Int(), r.Int()), false, nil
	case (l.typ == TypeFloat || l.typ == TypeInt) && (r.typ == TypeFloat || r.typ == TypeInt):
		a, b := l.asFloat(), r.asFloat()
		switch {
		case a < b:
			return -1, false, nil
		case a > b:
			return 1, false, nil
		case a == b:
			return 0, false, nil
		}
		return 0, true, nil
	case l.typ == TypeString && r.typ == TypeString:
		return strings.Compare(l.str(), r.str()), false, nil
	case l.typ == TypeDuration && r.typ == TypeDuration:
		return cmpInt(int64(l.Duration()), int64(r.Duration())), false, nil
	case l.typ == TypeBool && r.typ == TypeBool && (op == OpEq || op == OpNeq):
		return cmpInt(int64(l.n), int64(r.n)), false, nil
	}
	return 0, false, operandError(op, l, r)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// asFloat widens an int or float to float64, as Kapacitor's mixed
// comparisons do.
func (v Value) asFloat() float64 {
	if v.typ == TypeInt {
		return float64(v.Int())
	}
	return v.Float()
}

// Eq is l == r on two booleans, numbers (int and float mix), strings or
// durations.
func Eq(l, r Value) (Value, error) {
	c, un, err := compare(OpEq, l, r)
	if err != nil {
		return Missing, err
	}
	return Bool(!un && c == 0), nil
}

// Neq is l != r on the operands Eq accepts.
func Neq(l, r Value) (Value, error) {
	c, un, err := compare(OpNeq, l, r)
	if err != nil {
		return Missing, err
	}
	return Bool(un || c != 0), nil
}

// Lt is l < r on numbers (int and float mix), strings (byte order) or durations.
func Lt(l, r Value) (Value, error) {
	c, un, err := compare(OpLt, l, r)
	if err != nil {
		return Missing, err
	}
	return Bool(!un && c < 0), nil
}

// Lte is l <= r on the operands Lt accepts.
func Lte(l, r Value) (Value, error) {
	c, un, err := compare(OpLte, l, r)
	if err != nil {
		return Missing, err
	}
	return Bool(!un && c <= 0), nil
}

// Gt is l > r on the operands Lt accepts.
func Gt(l, r Value) (Value, error) {
	c, un, err := compare(OpGt, l, r)
	if err != nil {
		return Missing, err
	}
	return Bool(!un && c > 0), nil
}

// Gte is l >= r on the operands Lt accepts.
func Gte(l, r Value) (Value, error) {
	c, un, err := compare(OpGte, l, r)
	if err != nil {
		return Missing, err
	}
	return Bool(!un && c >= 0), nil
}

// RegexMatch is l =~ r: whether the string l matches the regex r.
func RegexMatch(l, r Value) (Value, error) {
	if l.typ == TypeString && r.typ == TypeRegex && r.Regex() != nil {
		return Bool(r.Regex().MatchString(l.str())), nil
	}
	return Missing, operandError(OpRegexMatch, l, r)
}

// RegexNotMatch is l !~ r: whether the string l does not match the regex r.
func RegexNotMatch(l, r Value) (Value, error) {
	if l.typ == TypeString && r.typ == TypeRegex && r.Regex() != nil {
		return Bool(!r.Regex().MatchString(l.str())), nil
	}
	return Missing, operandError(OpRegexNotMatch, l, r)
}

// And is l AND r on two booleans, both already evaluated.
func And(l, r Value) (Value, error) {
	if err := CheckLogical(OpAnd, l, r); err != nil {
		return Missing, err
	}
	return Bool(l.Bool() && r.Bool()), nil
}

// Or is l OR r on two booleans, both already evaluated.
func Or(l, r Value) (Value, error) {
	if err := CheckLogical(OpOr, l, r); err != nil {
		return Missing, err
	}
	return Bool(l.Bool() || r.Bool()), nil
}

// TypeGuardError is Kapacitor's error for an operand whose type the operator
// cannot read: "TypeGuard: expression returned unexpected type int, expected
// boolean".
type TypeGuardError struct {
	Got, Want Type
}

// Error returns Kapacitor's message.
func (e *TypeGuardError) Error() string {
	return fmt.Sprintf("TypeGuard: expression returned unexpected type %s, expected %s", e.Got, e.Want)
}

// missingRefError is the error of reading a missing reference as an operand
// of a unary operator or as a predicate.
func missingRefError(v Value) error {
	return fmt.Errorf("reference %q is missing value", v.Ref())
}

// Neg is the unary -: it negates an int, a float or a duration. As in
// Kapacitor, on a boolean it is the logical not.
func Neg(v Value) (Value, error) {
	switch v.typ {
	case TypeInt:
		return Int(-v.Int()), nil
	case TypeFloat:
		return Float(-v.Float()), nil
	case TypeDuration:
		return Duration(-v.Duration()), nil
	case TypeBool:
		return Bool(!v.Bool()), nil
	case TypeMissing:
		return Missing, missingRefError(v)
	case TypeString:
		return Missing, &TypeGuardError{Got: TypeString, Want: TypeString}
	}
	return Missing, unexpectedType(v.typ)
}

// Not is the unary ! on a boolean.
func Not(v Value) (Value, error) {
	switch v.typ {
	case TypeBool:
		return Bool(!v.Bool()), nil
	case TypeMissing:
		return Missing, missingRefError(v)
	}
	return Missing, &TypeGuardError{Got: v.typ, Want: TypeBool}
}

// Unary applies the unary operator op (OpNeg or OpNot) to v.
func Unary(op Op, v Value) (Value, error) {
	switch op {
	case OpNeg:
		return Neg(v)
	case OpNot:
		return Not(v)
	}
	return Missing, fmt.Errorf("Invalid unary operator: %q", op.String())
}

func unexpectedType(t Type) error {
	return fmt.Errorf("expression returned unexpected type %s", t)
}

// Result checks the value of a whole expression evaluated for its value (the
// eval node, alert messages): a missing reference, a time or a regex cannot be
// a result.
func Result(v Value) (Value, error) {
	switch v.typ {
	case TypeMissing:
		return Missing, fmt.Errorf("missing value: %q", v.Ref())
	case TypeTime, TypeRegex:
		return Missing, unexpectedType(v.typ)
	}
	return v, nil
}

// Predicate checks the value of a whole expression evaluated as a condition
// (where, alert levels) and returns the boolean.
func Predicate(v Value) (bool, error) {
	switch v.typ {
	case TypeBool:
		return v.Bool(), nil
	case TypeMissing:
		return false, missingRefError(v)
	}
	return false, &TypeGuardError{Got: v.typ, Want: TypeBool}
}

// ResolveRef returns the value of the reference name on a point from what the
// point holds under that name: a field (hasField) and a tag (hasTag). A name
// that is both is an error, a name that is neither is MissingRef(name). The
// special reference "time" is not resolved here: it is Time(point time).
//
// Kapacitor resolves every reference an expression mentions before it
// evaluates anything, so the clash error happens even for a reference in a
// branch that short-circuit skips; callers resolve them all first too.
func ResolveRef(name string, field Value, hasField bool, tag string, hasTag bool) (Value, error) {
	switch {
	case hasField && hasTag:
		return Missing, fmt.Errorf("cannot have field and tags with same name %q", name)
	case hasField:
		return field, nil
	case hasTag:
		return String(tag), nil
	}
	return MissingRef(name), nil
}
