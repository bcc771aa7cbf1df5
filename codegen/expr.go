package codegen

import (
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

// This file writes the body of a lambda's Eval method. It follows the
// expression interpreter (ir.ExprInstance) step by step, so that generated
// code and interpreter agree on every value and every error message: types
// are checked before operands are evaluated (an operation bound to fail moves
// no state), AND and OR short-circuit after checking both operand types, and
// an error met in a function's argument is wrapped with the argument's index.

// exprEmitter writes the statements that evaluate one expression.
type exprEmitter struct {
	g      *generator
	names  *localNamer
	refs   map[string]string // reference name -> local variable
	states map[string]string // stateful function name -> field
	tmp    int
	// args is the stack of function arguments being evaluated, innermost
	// last: an error returned from inside is wrapped with stdlib.ArgError
	// for each, innermost first.
	args []int
}

func (e *exprEmitter) temp() string {
	e.tmp++
	return e.names.name("v" + strconv.Itoa(e.tmp))
}

// ret returns err from Eval, wrapped for the arguments it happened in.
func (e *exprEmitter) ret(err jen.Code) jen.Code {
	for i := len(e.args) - 1; i >= 0; i-- {
		err = jen.Qual(std, "ArgError").Call(jen.Lit(e.args[i]), err)
	}
	return jen.Return(jen.Qual(std, "Missing"), err)
}

// check appends "v, err := call; if err != nil { return Missing, err }" and
// returns v.
func (e *exprEmitter) check(call jen.Code, stmts *[]jen.Code) jen.Code {
	v := e.temp()
	*stmts = append(*stmts,
		jen.List(jen.Id(v), jen.Err()).Op(":=").Add(call),
		jen.If(jen.Err().Op("!=").Nil()).Block(e.ret(jen.Err())),
	)
	return jen.Id(v)
}

// binaryFuncs names the stdlib function of each binary operator.
var binaryFuncs = map[stdlib.Op]string{
	stdlib.OpAdd: "Add", stdlib.OpSub: "Sub", stdlib.OpMul: "Mul", stdlib.OpDiv: "Div", stdlib.OpMod: "Mod",
	stdlib.OpEq: "Eq", stdlib.OpNeq: "Neq", stdlib.OpLt: "Lt", stdlib.OpLte: "Lte", stdlib.OpGt: "Gt", stdlib.OpGte: "Gte",
	stdlib.OpRegexMatch: "RegexMatch", stdlib.OpRegexNotMatch: "RegexNotMatch",
	stdlib.OpAnd: "And", stdlib.OpOr: "Or",
}

// expr appends the statements that evaluate x to stmts and returns the Go
// expression of its value.
func (e *exprEmitter) expr(x ir.Expr, stmts *[]jen.Code) jen.Code {
	switch x := x.(type) {
	case *ir.Literal:
		return e.g.constant(x.Value)
	case *ir.Ref:
		return jen.Id(e.refs[x.Name])
	case *ir.TimeRef:
		return jen.Qual(std, "Time").Call(jen.Id("at"))
	case *ir.Unary:
		v := e.expr(x.X, stmts)
		fn := "Neg"
		if x.Op == stdlib.OpNot {
			fn = "Not"
		}
		return e.check(jen.Qual(std, fn).Call(v), stmts)
	case *ir.Binary:
		if x.Op.IsLogical() {
			return e.logical(x, stmts)
		}
		e.precheck(x, stmts)
		l := e.expr(x.X, stmts)
		r := e.expr(x.Y, stmts)
		fn, ok := binaryFuncs[x.Op]
		if !ok {
			return e.check(jen.Qual(std, "Binary").Call(jen.Qual(std, opConst(x.Op)), l, r), stmts)
		}
		return e.check(jen.Qual(std, fn).Call(l, r), stmts)
	case *ir.FuncCall:
		return e.call(x, stmts)
	}
	return e.check(jen.List(jen.Qual(std, "Missing"), jen.Qual("errors", "New").Call(jen.Lit("invalid expression"))), stmts)
}

/*
precheck checks the operand types of a binary operator before either operand
is evaluated, when one of them is only known on the point:

	if _, ok := stdlib.BinaryType(stdlib.OpGt, usage.Type(), stdlib.TypeFloat); !ok {
		if _, err := stdlib.Binary(stdlib.OpGt, usage, stdlib.Zero(stdlib.TypeFloat)); err != nil {
			return stdlib.Missing, err
		}
	}

When both types are known before any point arrives, the check is decided
now and only a failing one is written.
*/
func (e *exprEmitter) precheck(x *ir.Binary, stmts *[]jen.Code) {
	if leaf(x.X) && leaf(x.Y) {
		return // evaluating the operands moves no state: the operator's own check says the same
	}
	wx := e.witness(x.X, stmts)
	wy := e.witness(x.Y, stmts)
	if wx.static() && wy.static() {
		if _, ok := stdlib.BinaryType(x.Op, wx.t, wy.t); ok {
			return // statically fine: the check cannot fail
		}
	}
	op := jen.Qual(std, opConst(x.Op))
	*stmts = append(*stmts, jen.If(
		jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Qual(std, "BinaryType").Call(op, wx.typ, wy.typ),
		jen.Op("!").Id("ok"),
	).Block(
		jen.If(
			jen.List(jen.Id("_"), jen.Err()).Op(":=").Qual(std, "Binary").Call(op, wx.val, wy.val),
			jen.Err().Op("!=").Nil(),
		).Block(e.ret(jen.Err())),
	))
}

// leaf reports whether x is a reference or a constant: evaluating it cannot
// fail or change state, and its value has the type its witness has.
func leaf(x ir.Expr) bool {
	switch x.(type) {
	case *ir.Ref, *ir.Literal, *ir.TimeRef:
		return true
	}
	return false
}

// wit is the witness of an operand: a value of the type the operand has on
// the point, and that type. A static witness has a type known before any
// point arrives, so the checks that read it are decided at generation time.
type wit struct {
	t   stdlib.Type // the static type, or stdlib.TypeDynamic
	val jen.Code    // the witness value
	typ jen.Code    // its type
}

// staticWit is the witness of an operand of type t, known now.
func staticWit(t stdlib.Type) wit {
	return wit{t: t, val: jen.Qual(std, "Zero").Call(jen.Qual(std, typeConst(t))), typ: jen.Qual(std, typeConst(t))}
}

func (w wit) static() bool { return w.t != stdlib.TypeDynamic }

/*
logical writes AND and OR:

	if err := stdlib.CheckLogical(stdlib.OpAnd, x, stdlib.Zero(stdlib.TypeBool)); err != nil {
		return stdlib.Missing, err
	}
	v1 := x
	if v1.Type() != stdlib.TypeBool {
		return stdlib.Missing, &stdlib.TypeGuardError{Got: v1.Type(), Want: stdlib.TypeBool}
	}
	v2 := v1
	if v1.Bool() {
		v3, err := …right…
		…
		v2 = v3
	}

Both operand types are checked first, without evaluating either (a missing
reference fails even when the other side decides; two operands known to be
boolean need no check); then the left operand is evaluated and the right one
only when the left does not decide.
*/
func (e *exprEmitter) logical(x *ir.Binary, stmts *[]jen.Code) jen.Code {
	op := "OpAnd"
	if x.Op == stdlib.OpOr {
		op = "OpOr"
	}
	lw := e.witness(x.X, stmts)
	rw := e.witness(x.Y, stmts)
	if !lw.static() || !rw.static() || stdlib.CheckLogical(x.Op, stdlib.Zero(lw.t), stdlib.Zero(rw.t)) != nil {
		*stmts = append(*stmts, jen.If(
			jen.Err().Op(":=").Qual(std, "CheckLogical").Call(jen.Qual(std, op), lw.val, rw.val),
			jen.Err().Op("!=").Nil(),
		).Block(e.ret(jen.Err())))
	}
	l := e.expr(x.X, stmts)
	lv := e.temp()
	*stmts = append(*stmts, jen.Id(lv).Op(":=").Add(l), e.boolGuard(lv))
	res := e.temp()
	var right []jen.Code
	r := e.expr(x.Y, &right)
	rv := e.temp()
	right = append(right, jen.Id(rv).Op(":=").Add(r), e.boolGuard(rv), jen.Id(res).Op("=").Id(rv))
	undecided := jen.Id(lv).Dot("Bool").Call()
	if x.Op == stdlib.OpOr {
		undecided = jen.Op("!").Id(lv).Dot("Bool").Call()
	}
	*stmts = append(*stmts,
		jen.Id(res).Op(":=").Id(lv),
		jen.If(undecided).Block(right...),
	)
	return jen.Id(res)
}

// boolGuard fails unless the value in v is a boolean: an operand of AND or OR.
func (e *exprEmitter) boolGuard(v string) jen.Code {
	return jen.If(jen.Id(v).Dot("Type").Call().Op("!=").Qual(std, "TypeBool")).Block(
		e.ret(jen.Op("&").Qual(std, "TypeGuardError").Values(jen.Dict{
			jen.Id("Got"):  jen.Id(v).Dot("Type").Call(),
			jen.Id("Want"): jen.Qual(std, "TypeBool"),
		})),
	)
}

// witness appends the statements that compute a value of the type x has on
// the point, without evaluating x (no function is called, no state moves),
// and returns it: what Kapacitor's type pass computes before an operator
// evaluates. Math operators and calls check their operand types on the way.
func (e *exprEmitter) witness(x ir.Expr, stmts *[]jen.Code) wit {
	if t := ir.ConstType(x); t != stdlib.TypeDynamic {
		return staticWit(t)
	}
	switch x := x.(type) {
	case *ir.Ref:
		return wit{t: stdlib.TypeDynamic, val: jen.Id(e.refs[x.Name]), typ: jen.Id(e.refs[x.Name]).Dot("Type").Call()}
	case *ir.TimeRef:
		return staticWit(stdlib.TypeTime)
	case *ir.Unary:
		return e.witness(x.X, stmts)
	case *ir.Binary:
		wx := e.witness(x.X, stmts)
		wy := e.witness(x.Y, stmts)
		if wx.static() && wy.static() {
			if t, ok := stdlib.BinaryType(x.Op, wx.t, wy.t); ok {
				return staticWit(t)
			}
		}
		t := e.names.name("t")
		op := jen.Qual(std, opConst(x.Op))
		*stmts = append(*stmts,
			jen.List(jen.Id(t), jen.Id("ok")).Op(":=").Qual(std, "BinaryType").Call(op, wx.typ, wy.typ),
			jen.If(jen.Op("!").Id("ok")).Block(e.ret(jen.Qual(std, "BinaryTypeError").Call(op, wx.typ, wy.typ))),
		)
		return wit{t: stdlib.TypeDynamic, val: jen.Qual(std, "Zero").Call(jen.Id(t)), typ: jen.Id(t)}
	case *ir.FuncCall:
		return e.witnessCall(x, stmts, true)
	}
	return wit{t: stdlib.TypeDynamic, val: jen.Qual(std, "Missing"), typ: jen.Qual(std, "Missing").Dot("Type").Call()}
}

// witnessCall is witness for a call; the type is only computed when want is
// set (a call checks its own arguments before it evaluates them, and needs
// no type).
func (e *exprEmitter) witnessCall(x *ir.FuncCall, stmts *[]jen.Code, want bool) wit {
	if x.Func == nil {
		*stmts = append(*stmts, jen.If(
			jen.Err().Op(":=").Qual(std, "ErrUndefinedFunction").Call(jen.Lit(x.Name)),
			jen.Err().Op("!=").Nil(),
		).Block(e.ret(jen.Err())))
		return staticWit(stdlib.TypeMissing)
	}
	var args, types, texts []jen.Code
	for i, a := range x.Args {
		e.args = append(e.args, i)
		w := e.witness(a, stmts)
		e.args = e.args[:len(e.args)-1]
		args = append(args, w.val)
		types = append(types, w.typ)
		texts = append(texts, jen.Lit(ir.ArgText(a)))
	}
	if ret, ok := staticCall(x); ok {
		return staticWit(ret)
	}
	check := jen.Qual(std, "Lookup").Call(jen.Lit(x.Func.Name))
	if want {
		f := e.names.name(x.Name + "Func")
		*stmts = append(*stmts, jen.Id(f).Op(":=").Add(check))
		check = jen.Id(f)
	}
	*stmts = append(*stmts, jen.If(
		jen.Err().Op(":=").Add(check).Dot("Check").Call(append([]jen.Code{jen.Index().String().Values(texts...)}, args...)...),
		jen.Err().Op("!=").Nil(),
	).Block(e.ret(jen.Err())))
	if !want {
		return wit{}
	}
	t := e.names.name("t")
	*stmts = append(*stmts,
		jen.List(jen.Id(t), jen.Id("_")).Op(":=").Add(check).Dot("StaticType").Call(jen.Index().Qual(std, "Type").Values(types...)),
	)
	return wit{t: stdlib.TypeDynamic, val: jen.Qual(std, "Zero").Call(jen.Id(t)), typ: jen.Id(t)}
}

// staticCall reports whether the argument types of a call are all known
// before any point arrives and match a signature, and if so its result type:
// then its type check cannot fail and needs no code.
func staticCall(x *ir.FuncCall) (stdlib.Type, bool) {
	args := make([]stdlib.Value, len(x.Args))
	types := make([]stdlib.Type, len(x.Args))
	for i, a := range x.Args {
		t := ir.ConstType(a)
		if t == stdlib.TypeDynamic {
			return 0, false
		}
		args[i], types[i] = stdlib.Zero(t), t
	}
	if !x.Func.Match(args) {
		return 0, false
	}
	ret, ok := x.Func.StaticType(types)
	if !ok || ret == stdlib.TypeDynamic {
		return 0, false
	}
	return ret, true
}

/*
call writes a function call: the type check of its arguments first, then
each argument, then the call.

	v1, err := stdlib.Abs(x)                     // a stateless function
	if err != nil {
		return stdlib.Missing, stdlib.WithArgText(err, "\"x\"")
	}

	if l.sigma == nil {                          // a stateful one
		l.sigma = stdlib.NewSigmaState()
	}
	v2, err := l.sigma.Call(x)
*/
func (e *exprEmitter) call(x *ir.FuncCall, stmts *[]jen.Code) jen.Code {
	if x.Func == nil {
		return e.check(jen.List(jen.Qual(std, "Missing"), jen.Qual(std, "ErrUndefinedFunction").Call(jen.Lit(x.Name))), stmts)
	}
	allLeaves := true
	for _, a := range x.Args {
		allLeaves = allLeaves && leaf(a)
	}
	if !allLeaves {
		// The function checks its arguments itself, with the same message,
		// but only after they were evaluated.
		e.witnessCall(x, stmts, false)
	}
	args := make([]jen.Code, len(x.Args))
	texts := []jen.Code{jen.Err()}
	for i, a := range x.Args {
		e.args = append(e.args, i)
		args[i] = e.expr(a, stmts)
		e.args = e.args[:len(e.args)-1]
		texts = append(texts, jen.Lit(ir.ArgText(a)))
	}
	wrapped := jen.Qual(std, "WithArgText").Call(texts...)
	if len(x.Args) == 0 {
		wrapped = jen.Err()
	}
	var call jen.Code
	if x.Func.Stateful {
		field, ok := e.states[x.Func.Name]
		if !ok {
			field = camel(x.Func.Name)
			e.states[x.Func.Name] = field
		}
		*stmts = append(*stmts, jen.If(jen.Id("l").Dot(field).Op("==").Nil()).Block(
			jen.Id("l").Dot(field).Op("=").Qual(std, "New"+x.Func.GoName).Call(),
		))
		call = jen.Id("l").Dot(field).Dot("Call").Call(args...)
	} else {
		call = jen.Qual(std, x.Func.GoName).Call(args...)
	}
	v := e.temp()
	*stmts = append(*stmts,
		jen.List(jen.Id(v), jen.Err()).Op(":=").Add(call),
		jen.If(jen.Err().Op("!=").Nil()).Block(e.ret(wrapped)),
	)
	return jen.Id(v)
}
