package ir

import (
	"github.com/tickc/tickc/stdlib"
)

// Point is what an expression reads: a time (Unix nanoseconds), fields and
// tags.
type Point struct {
	Time   int64
	Fields map[string]stdlib.Value
	Tags   map[string]string
}

// ExprInstance is one instance of an expression: the expression and the state
// of the stateful functions it calls. Kapacitor keeps one instance per group
// for most nodes; each instance counts, sums and draws on its own.
//
// The interpreter is the reference semantics of lambdas: the constant folder
// uses it, and tests compare generated code with it. It is built on the same
// stdlib operators and functions as generated code.
type ExprInstance struct {
	expr   Expr
	states map[*stdlib.Func]stdlib.State
}

// NewExprInstance returns a fresh instance of e.
func NewExprInstance(e Expr) *ExprInstance {
	in := &ExprInstance{expr: e, states: map[*stdlib.Func]stdlib.State{}}
	for _, f := range StatefulFuncs(e) {
		in.states[f] = f.NewState()
	}
	return in
}

// EvalExpr evaluates e once on p with fresh state.
func EvalExpr(e Expr, p Point) (stdlib.Value, error) {
	return NewExprInstance(e).Eval(p)
}

// Eval evaluates the expression on p and returns its raw value, which may be
// Missing, a time or a regex: stdlib.Result and stdlib.Predicate apply the
// checks of a node that wants a value or a condition.
//
// Every reference is resolved first (a name that is both a field and a tag
// fails even in a branch AND/OR skips), then the tree is evaluated left to
// right; AND and OR check both operand types, then short-circuit.
func (in *ExprInstance) Eval(p Point) (stdlib.Value, error) {
	env := &evalEnv{in: in, p: p, refs: map[string]stdlib.Value{}}
	for _, name := range Refs(in.expr) {
		field, hasField := p.Fields[name]
		tag, hasTag := p.Tags[name]
		v, err := stdlib.ResolveRef(name, field, hasField, tag, hasTag)
		if err != nil {
			return stdlib.Missing, err
		}
		env.refs[name] = v
	}
	return env.eval(in.expr)
}

type evalEnv struct {
	in   *ExprInstance
	p    Point
	refs map[string]stdlib.Value
}

func (env *evalEnv) eval(e Expr) (stdlib.Value, error) {
	switch e := e.(type) {
	case *Literal:
		return e.Value, nil
	case *Ref:
		return env.refs[e.Name], nil
	case *TimeRef:
		return stdlib.Time(env.p.Time), nil
	case *Unary:
		x, err := env.eval(e.X)
		if err != nil {
			return stdlib.Missing, err
		}
		return stdlib.Unary(e.Op, x)
	case *Binary:
		if e.Op.IsLogical() {
			return env.logical(e)
		}
		if err := env.precheck(e); err != nil {
			return stdlib.Missing, err
		}
		x, err := env.eval(e.X)
		if err != nil {
			return stdlib.Missing, err
		}
		y, err := env.eval(e.Y)
		if err != nil {
			return stdlib.Missing, err
		}
		return stdlib.Binary(e.Op, x, y)
	case *FuncCall:
		if e.Func == nil {
			return stdlib.Missing, stdlib.ErrUndefinedFunction(e.Name)
		}
		if _, err := env.witness(e); err != nil {
			return stdlib.Missing, err
		}
		args := make([]stdlib.Value, len(e.Args))
		for i, a := range e.Args {
			v, err := env.eval(a)
			if err != nil {
				return stdlib.Missing, stdlib.ArgError(i, err)
			}
			args[i] = v
		}
		var v stdlib.Value
		var err error
		if e.Func.Stateful {
			v, err = env.in.states[e.Func].Call(args...)
		} else {
			v, err = e.Func.Impl(args...)
		}
		if err != nil {
			return stdlib.Missing, stdlib.WithArgText(err, argTexts(e.Args)...)
		}
		return v, nil
	}
	return stdlib.Missing, nil
}

// precheck checks the operand types of a binary operator before either
// operand is evaluated, as Kapacitor's type pass does: an operation that is
// bound to fail leaves the state of count(), sigma() and the like untouched.
func (env *evalEnv) precheck(e *Binary) error {
	x, err := env.witness(e.X)
	if err != nil {
		return err
	}
	y, err := env.witness(e.Y)
	if err != nil {
		return err
	}
	if _, ok := stdlib.BinaryType(e.Op, x.Type(), y.Type()); !ok {
		_, err := stdlib.Binary(e.Op, x, y)
		return err
	}
	return nil
}

func argTexts(args []Expr) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = ArgText(a)
	}
	return out
}

// logical evaluates AND and OR: both operand types first, then the left
// operand, then the right one only when the left does not decide.
func (env *evalEnv) logical(e *Binary) (stdlib.Value, error) {
	lw, err := env.witness(e.X)
	if err != nil {
		return stdlib.Missing, err
	}
	rw, err := env.witness(e.Y)
	if err != nil {
		return stdlib.Missing, err
	}
	if err := stdlib.CheckLogical(e.Op, lw, rw); err != nil {
		return stdlib.Missing, err
	}
	x, err := env.eval(e.X)
	if err != nil {
		return stdlib.Missing, err
	}
	if x.Type() != stdlib.TypeBool {
		return stdlib.Missing, &stdlib.TypeGuardError{Got: x.Type(), Want: stdlib.TypeBool}
	}
	if x.Bool() == (e.Op == stdlib.OpOr) {
		return x, nil
	}
	y, err := env.eval(e.Y)
	if err != nil {
		return stdlib.Missing, err
	}
	if y.Type() != stdlib.TypeBool {
		return stdlib.Missing, &stdlib.TypeGuardError{Got: y.Type(), Want: stdlib.TypeBool}
	}
	return y, nil
}

// witness returns a value of the type e has on this point, without
// evaluating e (no function is called, no state moves): what Kapacitor's type
// pass computes before AND and OR evaluate. Comparisons, logical operators and
// ! are boolean whatever their operands; a reference has the type of its value
// (a missing one stays missing, with its name); math and calls check their
// operand types.
func (env *evalEnv) witness(e Expr) (stdlib.Value, error) {
	if t := ConstType(e); t != stdlib.TypeDynamic {
		return stdlib.Zero(t), nil
	}
	switch e := e.(type) {
	case *Ref:
		return env.refs[e.Name], nil
	case *TimeRef:
		return stdlib.Zero(stdlib.TypeTime), nil
	case *Unary:
		return env.witness(e.X)
	case *Binary:
		x, err := env.witness(e.X)
		if err != nil {
			return stdlib.Missing, err
		}
		y, err := env.witness(e.Y)
		if err != nil {
			return stdlib.Missing, err
		}
		t, ok := stdlib.BinaryType(e.Op, x.Type(), y.Type())
		if !ok {
			return stdlib.Missing, stdlib.BinaryTypeError(e.Op, x.Type(), y.Type())
		}
		return stdlib.Zero(t), nil
	case *FuncCall:
		if e.Func == nil {
			return stdlib.Missing, stdlib.ErrUndefinedFunction(e.Name)
		}
		args := make([]stdlib.Value, len(e.Args))
		types := make([]stdlib.Type, len(e.Args))
		for i, a := range e.Args {
			w, err := env.witness(a)
			if err != nil {
				return stdlib.Missing, stdlib.ArgError(i, err)
			}
			args[i], types[i] = w, w.Type()
		}
		if err := e.Func.Check(argTexts(e.Args), args...); err != nil {
			return stdlib.Missing, err
		}
		t, _ := e.Func.StaticType(types)
		return stdlib.Zero(t), nil
	}
	return stdlib.Missing, nil
}

// FoldExpr returns e with every subtree that reads no reference and calls no
// stateful or impure function (now, rand) replaced by its value, keeping the
// subtree's position. A subtree whose evaluation fails is kept as it is, so
// the error still happens per point, as in Kapacitor. Regex results are folded
// too; time results are not (no literal holds a time). A folded literal keeps
// the text of what it replaces for error messages (Literal.Folded).
//
// Check before folding: CheckExpr follows Kapacitor, which does not fold, so
// sqrt(4.0) + 1 starts (and fails on every point) while 2.0 + 1 does not start.
func FoldExpr(e Expr) Expr {
	switch x := e.(type) {
	case *Binary:
		y := NewBinary(x.At, x.Op, FoldExpr(x.X), FoldExpr(x.Y))
		return foldNode(y, constant(y.X) && constant(y.Y))
	case *Unary:
		y := NewUnary(x.At, x.Op, FoldExpr(x.X))
		return foldNode(y, constant(y.X))
	case *FuncCall:
		args := make([]Expr, len(x.Args))
		all := x.Func != nil && x.Func.Pure
		for i, a := range x.Args {
			args[i] = FoldExpr(a)
			all = all && constant(args[i])
		}
		y := &FuncCall{At: x.At, Name: x.Name, Func: x.Func, Args: args, T: x.T}
		return foldNode(y, all)
	}
	return e
}

func constant(e Expr) bool {
	_, ok := e.(*Literal)
	return ok
}

// foldNode replaces e by its value when its operands are constant and it
// evaluates without error to a value a literal can hold.
func foldNode(e Expr, operandsConstant bool) Expr {
	if !operandsConstant {
		return e
	}
	v, err := EvalExpr(e, Point{})
	if err != nil {
		return e
	}
	switch v.Type() {
	case stdlib.TypeMissing, stdlib.TypeTime:
		return e
	}
	return &Literal{At: e.Pos(), Value: v, Folded: ArgText(e)}
}
