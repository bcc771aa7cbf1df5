package codegen

import (
	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

// This file writes the typed fast path of a lambda. Most points give each
// reference the type the expression expects of it: a float field compared
// with a float, a string tag compared with a string. For those points the
// whole expression is one Go expression on plain float64, int64, string and
// bool values; every other point takes the generic path, which keeps every
// type rule and error message. The fast path is only written when, with the
// expected types, no operation can fail and every operation computes what
// its stdlib operator computes, so both paths agree on every value.

/*
typedPath writes the fast path of a lambda's expression, placed after the
references are resolved:

	if value.Type() == stdlib.TypeFloat && host.Type() == stdlib.TypeString {
		return stdlib.Bool(value.Float() > 10.0 && host.Str() != "skip"), nil
	}

It writes nothing for an expression that calls a function, reads the time,
reads no reference or is a lone reference.
*/
func (e *exprEmitter) typedPath(x ir.Expr) []jen.Code {
	guard, code, t, ok := e.typedParts(x)
	if !ok {
		return nil
	}
	return []jen.Code{jen.If(guard).Block(jen.Return(jen.Qual(std, valueFuncs[t]).Call(code), jen.Nil()))}
}

// typedParts returns the fast path of x: the condition on the types of the
// references (in e.refs) under which it is taken, the Go expression that
// computes x then, and its type; ok is false when x has no fast path.
func (e *exprEmitter) typedParts(x ir.Expr) (guard, code *jen.Statement, t stdlib.Type, ok bool) {
	if _, isRef := x.(*ir.Ref); isRef || !typedForm(x) {
		return nil, nil, 0, false
	}
	refs := ir.Refs(x)
	if len(refs) == 0 {
		return nil, nil, 0, false
	}
	te := &typedEmitter{e: e, types: expectedTypes(x)}
	code, t, ok = te.code(x)
	if !ok {
		return nil, nil, 0, false
	}
	for _, name := range refs {
		cond := jen.Id(e.refs[name]).Dot("Type").Call().Op("==").Qual(std, typeConst(te.types[name]))
		if guard == nil {
			guard = cond
		} else {
			guard = guard.Op("&&").Add(cond)
		}
	}
	return guard, code, t, true
}

// valueFuncs names the stdlib constructor of a Value of each type the fast
// path computes.
var valueFuncs = map[stdlib.Type]string{
	stdlib.TypeFloat: "Float", stdlib.TypeInt: "Int", stdlib.TypeString: "String",
	stdlib.TypeBool: "Bool", stdlib.TypeDuration: "Duration",
}

// accessors names the Value method that reads a plain Go value of each type.
var accessors = map[stdlib.Type]string{
	stdlib.TypeFloat: "Float", stdlib.TypeInt: "Int", stdlib.TypeString: "Str",
	stdlib.TypeBool: "Bool", stdlib.TypeDuration: "Duration",
}

// goOps is the Go operator of each operator the fast path writes as one.
var goOps = map[stdlib.Op]string{
	stdlib.OpAdd: "+", stdlib.OpSub: "-", stdlib.OpMul: "*", stdlib.OpDiv: "/", stdlib.OpMod: "%",
	stdlib.OpEq: "==", stdlib.OpNeq: "!=", stdlib.OpLt: "<", stdlib.OpLte: "<=", stdlib.OpGt: ">", stdlib.OpGte: ">=",
	stdlib.OpAnd: "&&", stdlib.OpOr: "||",
}

// typedForm reports whether x is made only of literals, references and
// operators: the expressions the fast path can write.
func typedForm(x ir.Expr) bool {
	ok := true
	ir.Walk(x, func(n ir.Expr) {
		switch n.(type) {
		case *ir.Literal, *ir.Ref, *ir.Unary, *ir.Binary:
		default:
			ok = false
		}
	})
	return ok
}

// expectedTypes returns the type the expression expects of each reference:
// that of what it is compared or combined with (a float for a number in a
// comparison, since line protocol numbers are floats unless marked as
// integers), a boolean for an operand of AND, OR and !, a string on the left
// of =~; float for a reference nothing decides.
func expectedTypes(x ir.Expr) map[string]stdlib.Type {
	types := map[string]stdlib.Type{}
	expect := func(operand ir.Expr, t stdlib.Type) bool {
		for {
			u, ok := operand.(*ir.Unary)
			if !ok || u.Op != stdlib.OpNeg {
				break
			}
			operand = u.X
		}
		r, ok := operand.(*ir.Ref)
		if !ok || t == stdlib.TypeDynamic {
			return false
		}
		if _, done := types[r.Name]; done {
			return false
		}
		types[r.Name] = t
		return true
	}
	for changed := true; changed; {
		changed = false
		ir.Walk(x, func(n ir.Expr) {
			switch n := n.(type) {
			case *ir.Binary:
				changed = expect(n.X, operandType(n.Op, staticType(n.Y, types), true)) || changed
				changed = expect(n.Y, operandType(n.Op, staticType(n.X, types), false)) || changed
			case *ir.Unary:
				if n.Op == stdlib.OpNot {
					changed = expect(n.X, stdlib.TypeBool) || changed
				}
			}
		})
	}
	for _, name := range ir.Refs(x) {
		if _, ok := types[name]; !ok {
			types[name] = stdlib.TypeFloat
		}
	}
	return types
}

// operandType is the type op expects of one operand when the other one has
// type other, or stdlib.TypeDynamic when that does not decide it.
func operandType(op stdlib.Op, other stdlib.Type, left bool) stdlib.Type {
	switch {
	case op.IsLogical():
		return stdlib.TypeBool
	case op == stdlib.OpRegexMatch || op == stdlib.OpRegexNotMatch:
		if left {
			return stdlib.TypeString
		}
		return stdlib.TypeDynamic
	case op.IsComparison():
		if other == stdlib.TypeInt {
			return stdlib.TypeFloat
		}
		return other
	case other == stdlib.TypeString && op != stdlib.OpAdd, other == stdlib.TypeDuration, other == stdlib.TypeBool:
		return stdlib.TypeDynamic
	}
	return other
}

// staticType is the type x has when its references have the types in types,
// or stdlib.TypeDynamic when that is not known.
func staticType(x ir.Expr, types map[string]stdlib.Type) stdlib.Type {
	switch x := x.(type) {
	case *ir.Literal:
		return x.Value.Type()
	case *ir.Ref:
		if t, ok := types[x.Name]; ok {
			return t
		}
	case *ir.Unary:
		if x.Op == stdlib.OpNot {
			return stdlib.TypeBool
		}
		return staticType(x.X, types)
	case *ir.Binary:
		if x.Op.IsComparison() || x.Op.IsLogical() {
			return stdlib.TypeBool
		}
		if t, ok := stdlib.BinaryType(x.Op, staticType(x.X, types), staticType(x.Y, types)); ok {
			return t
		}
	}
	return stdlib.TypeDynamic
}

// typedEmitter writes the Go expression of the fast path.
type typedEmitter struct {
	e     *exprEmitter
	types map[string]stdlib.Type // the type expected of each reference
}

// code returns the Go expression that computes x on plain Go values and its
// type, or ok=false when x has no such expression that always agrees with the
// generic path.
func (te *typedEmitter) code(x ir.Expr) (c *jen.Statement, t stdlib.Type, ok bool) {
	if len(ir.Refs(x)) == 0 {
		return te.constant(x)
	}
	switch x := x.(type) {
	case *ir.Ref:
		t := te.types[x.Name]
		get, ok := accessors[t]
		if !ok {
			return nil, 0, false
		}
		return jen.Id(te.e.refs[x.Name]).Dot(get).Call(), t, true
	case *ir.Unary:
		c, t, ok := te.operand(x.X, x.Op, false)
		if !ok {
			return nil, 0, false
		}
		if _, nested := x.X.(*ir.Unary); nested {
			c = jen.Parens(c) // - -x, not the decrement --x
		}
		switch {
		case x.Op == stdlib.OpNot && t == stdlib.TypeBool:
			return jen.Op("!").Add(c), t, true
		case x.Op == stdlib.OpNeg && t == stdlib.TypeBool:
			return jen.Op("!").Add(c), t, true // Kapacitor's - on a boolean is its negation
		case x.Op == stdlib.OpNeg && (t == stdlib.TypeFloat || t == stdlib.TypeInt || t == stdlib.TypeDuration):
			return jen.Op("-").Add(c), t, true
		}
		return nil, 0, false
	case *ir.Binary:
		return te.binary(x)
	}
	return nil, 0, false
}

// operand is code, with the operation in parentheses when x is one that
// binds more loosely in Go than its parent operator parent (or as loosely,
// on the right).
func (te *typedEmitter) operand(x ir.Expr, parent stdlib.Op, right bool) (*jen.Statement, stdlib.Type, bool) {
	c, t, ok := te.code(x)
	if b, isBinary := x.(*ir.Binary); ok && isBinary && len(ir.Refs(b)) > 0 && goOps[b.Op] != "" {
		if p, q := goPrecedence(b.Op), goPrecedence(parent); p < q || (right && p == q) {
			c = jen.Parens(c)
		}
	}
	return c, t, ok
}

// goPrecedence is the binding strength of the Go operator of op; a unary
// operator binds tightest.
func goPrecedence(op stdlib.Op) int {
	switch op {
	case stdlib.OpMul, stdlib.OpDiv, stdlib.OpMod:
		return 5
	case stdlib.OpAdd, stdlib.OpSub:
		return 4
	case stdlib.OpEq, stdlib.OpNeq, stdlib.OpLt, stdlib.OpLte, stdlib.OpGt, stdlib.OpGte:
		return 3
	case stdlib.OpAnd:
		return 2
	case stdlib.OpOr:
		return 1
	}
	return 6
}

// binary writes one binary operation.
func (te *typedEmitter) binary(x *ir.Binary) (*jen.Statement, stdlib.Type, bool) {
	if x.Op == stdlib.OpRegexMatch || x.Op == stdlib.OpRegexNotMatch {
		lit, isLit := x.Y.(*ir.Literal)
		if !isLit || lit.Value.Type() != stdlib.TypeRegex || lit.Value.Regex() == nil {
			return nil, 0, false
		}
		l, lt, ok := te.code(x.X)
		if !ok || lt != stdlib.TypeString {
			return nil, 0, false
		}
		match := jen.Id(te.e.g.regexVar(lit.Value.Regex().String())).Dot("MatchString").Call(l)
		if x.Op == stdlib.OpRegexNotMatch {
			return jen.Op("!").Add(match), stdlib.TypeBool, true
		}
		return match, stdlib.TypeBool, true
	}
	l, lt, ok := te.operand(x.X, x.Op, false)
	if !ok {
		return nil, 0, false
	}
	r, rt, ok := te.operand(x.Y, x.Op, true)
	if !ok {
		return nil, 0, false
	}
	res, ok := stdlib.BinaryType(x.Op, lt, rt)
	if !ok {
		return nil, 0, false
	}
	op := goOps[x.Op]
	switch {
	case x.Op.IsLogical():
	case x.Op.IsComparison():
		if lt != rt {
			// An int compared with a float is compared as a float.
			if l, ok = te.asFloat(x.X, l, lt); !ok {
				return nil, 0, false
			}
			if r, ok = te.asFloat(x.Y, r, rt); !ok {
				return nil, 0, false
			}
		}
	default: // math
		if lt != rt || (res != stdlib.TypeFloat && res != stdlib.TypeInt && res != stdlib.TypeString) {
			return nil, 0, false // durations are scaled through float64 conversions: leave them to stdlib
		}
		if (x.Op == stdlib.OpDiv || x.Op == stdlib.OpMod) && !nonZeroConstant(x.Y) && (res == stdlib.TypeInt || len(ir.Refs(x.Y)) == 0) {
			return nil, 0, false // an integer division by zero is an error; a constant zero divisor does not compile
		}
		if res == stdlib.TypeFloat && (x.Op == stdlib.OpAdd || x.Op == stdlib.OpSub) {
			// An explicit conversion rounds the product, as storing it in a
			// Value does: no fused multiply-add.
			l, r = roundProduct(x.X, l), roundProduct(x.Y, r)
		}
	}
	return l.Op(op).Add(r), res, true
}

// asFloat widens an int operand of a mixed comparison to float64.
func (te *typedEmitter) asFloat(x ir.Expr, c *jen.Statement, t stdlib.Type) (*jen.Statement, bool) {
	switch {
	case t == stdlib.TypeFloat:
		return c, true
	case t != stdlib.TypeInt:
		return nil, false
	case len(ir.Refs(x)) == 0:
		v, err := ir.EvalExpr(x, ir.Point{})
		if err != nil {
			return nil, false
		}
		return jen.Add(floatLit(float64(v.Int()))), true
	}
	return jen.Float64().Call(c), true
}

// roundProduct wraps a float product that is an operand of + or - in
// float64().
func roundProduct(x ir.Expr, c *jen.Statement) *jen.Statement {
	if b, ok := x.(*ir.Binary); ok && b.Op == stdlib.OpMul && len(ir.Refs(b)) > 0 {
		return jen.Float64().Call(c) // a product binds tighter than + and -: it has no parentheses of its own
	}
	return c
}

// nonZeroConstant reports whether x reads no reference and is a number other
// than zero.
func nonZeroConstant(x ir.Expr) bool {
	if len(ir.Refs(x)) > 0 {
		return false
	}
	v, err := ir.EvalExpr(x, ir.Point{})
	if err != nil {
		return false
	}
	switch v.Type() {
	case stdlib.TypeFloat:
		return v.Float() != 0
	case stdlib.TypeInt:
		return v.Int() != 0
	}
	return false
}

// constant writes the value of a subexpression that reads no reference,
// computed now by the interpreter (the generic path computes the same on
// every point), as a Go constant of its type.
func (te *typedEmitter) constant(x ir.Expr) (*jen.Statement, stdlib.Type, bool) {
	v, err := ir.EvalExpr(x, ir.Point{})
	if err != nil {
		return nil, 0, false
	}
	switch t := v.Type(); t {
	case stdlib.TypeFloat:
		return jen.Add(floatLit(v.Float())), t, true
	case stdlib.TypeInt:
		return intLit(v.Int()), t, true
	case stdlib.TypeString:
		return jen.Lit(v.Str()), t, true
	case stdlib.TypeBool:
		return jen.Lit(v.Bool()), t, true
	case stdlib.TypeDuration:
		return jen.Add(durationCode(v.Duration())), t, true
	}
	return nil, 0, false
}
