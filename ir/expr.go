package ir

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// Expr is a lambda expression of the IR: a tree of *Literal, *Ref, *TimeRef,
// *Binary, *Unary and *FuncCall. Identifiers are gone (replaced by the values of
// the vars they named), parentheses are implied by the tree, and every node
// keeps the position of the source text it came from.
type Expr interface {
	// Pos returns the position diagnostics point at: the operator of a
	// Binary, the start of the text of any other node.
	Pos() Pos
	// Type returns the static type: a value type when literals and function
	// signatures fix it, else stdlib.TypeDynamic.
	Type() stdlib.Type
	// String returns the expression in TICKscript syntax.
	String() string
	exprNode()
}

// Literal is a constant: a float, int, string, boolean, duration or regex.
type Literal struct {
	At    Pos
	Value stdlib.Value

	// Folded is, for a literal FoldExpr computed, the ArgText of the
	// expression it replaces, so that error messages still show what was
	// written; "" for a literal of the source.
	Folded string
}

// Ref is a "reference" to a field or a tag of the point, read per point:
// fields first, then tags.
type Ref struct {
	At   Pos
	Name string
}

// TimeRef is the reference "time": the point's time, read in the local zone.
type TimeRef struct {
	At Pos
}

// Binary is X Op Y. AND and OR short-circuit.
type Binary struct {
	At   Pos // the position of the operator
	Op   stdlib.Op
	X, Y Expr
	T    stdlib.Type // static type
}

// Unary is -X or !X.
type Unary struct {
	At Pos
	Op stdlib.Op // stdlib.OpNeg or stdlib.OpNot
	X  Expr
	T  stdlib.Type // static type
}

// FuncCall is a call of a builtin function.
type FuncCall struct {
	At   Pos
	Name string
	Func *stdlib.Func // the table entry; nil for a function that does not exist (an error at run time, as in Kapacitor)
	Args []Expr
	T    stdlib.Type // static type
}

// Pos implements Expr.
func (e *Literal) Pos() Pos { return e.At }

// Pos implements Expr.
func (e *Ref) Pos() Pos { return e.At }

// Pos implements Expr.
func (e *TimeRef) Pos() Pos { return e.At }

// Pos implements Expr.
func (e *Binary) Pos() Pos { return e.At }

// Pos implements Expr.
func (e *Unary) Pos() Pos { return e.At }

// Pos implements Expr.
func (e *FuncCall) Pos() Pos { return e.At }

// Type implements Expr.
func (e *Literal) Type() stdlib.Type { return e.Value.Type() }

// Type implements Expr: a reference is dynamic.
func (e *Ref) Type() stdlib.Type { return stdlib.TypeDynamic }

// Type implements Expr: "time" is always a time.
func (e *TimeRef) Type() stdlib.Type { return stdlib.TypeTime }

// Type implements Expr.
func (e *Binary) Type() stdlib.Type { return e.T }

// Type implements Expr.
func (e *Unary) Type() stdlib.Type { return e.T }

// Type implements Expr.
func (e *FuncCall) Type() stdlib.Type { return e.T }

func (*Literal) exprNode()  {}
func (*Ref) exprNode()      {}
func (*TimeRef) exprNode()  {}
func (*Binary) exprNode()   {}
func (*Unary) exprNode()    {}
func (*FuncCall) exprNode() {}

// String writes the literal in TICKscript syntax.
func (e *Literal) String() string {
	v := e.Value
	switch v.Type() {
	case stdlib.TypeFloat:
		s := strconv.FormatFloat(v.Float(), 'f', -1, 64)
		if !strings.ContainsAny(s, ".IN") {
			s += ".0"
		}
		return s
	case stdlib.TypeString:
		return "'" + strings.ReplaceAll(v.Str(), "'", `\'`) + "'"
	case stdlib.TypeBool:
		if v.Bool() {
			return "TRUE"
		}
		return "FALSE"
	case stdlib.TypeDuration:
		d := v.Duration()
		if d%time.Microsecond != 0 {
			// No duration literal is finer than a microsecond.
			return "(" + strconv.FormatInt(int64(d), 10) + "u / 1000)"
		}
		return stdlib.FormatDuration(d)
	case stdlib.TypeRegex:
		return "/" + strings.ReplaceAll(v.Literal(), "/", `\/`) + "/"
	}
	return v.Literal()
}

func quoteRef(name string) string { return `"` + strings.ReplaceAll(name, `"`, `\"`) + `"` }

// String writes the reference in double quotes.
func (e *Ref) String() string { return quoteRef(e.Name) }

// String writes "time".
func (e *TimeRef) String() string { return `"time"` }

// String writes the operation, parenthesizing operands that bind more loosely.
func (e *Binary) String() string {
	p := precedence(e.Op)
	return operand(e.X, p, false) + " " + e.Op.String() + " " + operand(e.Y, p, true)
}

// String writes the operator and its operand.
func (e *Unary) String() string {
	s := e.X.String()
	if _, ok := e.X.(*Binary); ok {
		s = "(" + s + ")"
	}
	return e.Op.String() + s
}

// String writes the call.
func (e *FuncCall) String() string {
	args := make([]string, len(e.Args))
	for i, a := range e.Args {
		args[i] = a.String()
	}
	return e.Name + "(" + strings.Join(args, ", ") + ")"
}

// precedence is the binding strength of a binary operator, as in the parser.
func precedence(op stdlib.Op) int {
	switch op {
	case stdlib.OpOr:
		return 0
	case stdlib.OpAnd:
		return 1
	case stdlib.OpEq, stdlib.OpNeq, stdlib.OpRegexMatch, stdlib.OpRegexNotMatch:
		return 2
	case stdlib.OpLt, stdlib.OpLte, stdlib.OpGt, stdlib.OpGte:
		return 3
	case stdlib.OpAdd, stdlib.OpSub:
		return 4
	}
	return 5
}

// operand writes a binary operand, in parentheses when the tree needs them:
// a looser operand, or an equal one on the right (operators are left-associative).
func operand(e Expr, parent int, right bool) string {
	b, ok := e.(*Binary)
	if !ok {
		return e.String()
	}
	p := precedence(b.Op)
	if p < parent || right && p == parent {
		return "(" + b.String() + ")"
	}
	return b.String()
}

// ArgText returns e as Kapacitor writes an expression inside its error
// messages, e.g. the arguments in `Cannot call function "abs" with args
// (-1: int)`: strings and regexes bare, floats with %v (1.0 is "1"),
// durations in Go notation, references in double quotes, operators spaced
// and no parentheses. Generated code passes these texts to
// stdlib.WithArgText.
func ArgText(e Expr) string {
	switch e := e.(type) {
	case *Literal:
		if e.Folded != "" {
			return e.Folded
		}
		return e.Value.Literal()
	case *Ref:
		return `"` + e.Name + `"`
	case *TimeRef:
		return `"time"`
	case *Binary:
		return ArgText(e.X) + " " + e.Op.String() + " " + ArgText(e.Y)
	case *Unary:
		return e.Op.String() + ArgText(e.X)
	case *FuncCall:
		args := make([]string, len(e.Args))
		for i, a := range e.Args {
			args[i] = ArgText(a)
		}
		return e.Name + "(" + strings.Join(args, ", ") + ")"
	}
	return ""
}

// Refs returns the names of the references e reads, "time" excluded, in
// order of first appearance. Kapacitor resolves all of them before it
// evaluates the expression.
func Refs(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	Walk(e, func(x Expr) {
		if r, ok := x.(*Ref); ok && !seen[r.Name] {
			seen[r.Name] = true
			out = append(out, r.Name)
		}
	})
	return out
}

// StatefulFuncs returns the stateful functions e calls, each once, in order of
// first appearance: an instance of the expression holds one state per entry,
// shared by all the calls of that function.
func StatefulFuncs(e Expr) []*stdlib.Func {
	var out []*stdlib.Func
	Walk(e, func(x Expr) {
		c, ok := x.(*FuncCall)
		if !ok || c.Func == nil || !c.Func.Stateful {
			return
		}
		for _, f := range out {
			if f == c.Func {
				return
			}
		}
		out = append(out, c.Func)
	})
	return out
}

// Walk calls f on e and then on each of its subexpressions, depth first, left
// to right.
func Walk(e Expr, f func(Expr)) {
	f(e)
	switch e := e.(type) {
	case *Binary:
		Walk(e.X, f)
		Walk(e.Y, f)
	case *Unary:
		Walk(e.X, f)
	case *FuncCall:
		for _, a := range e.Args {
			Walk(a, f)
		}
	}
}

// Scope resolves the identifiers of a lambda when it is lowered: it returns
// the expression a var stands for (a *Literal for a scalar var, the lowered
// body for a lambda var), or ok=false when no var has that name. An error
// reports a var that exists but cannot be used in an expression, such as a
// list or a node.
type Scope func(name string) (e Expr, ok bool, err error)

// ValueScope makes a Scope from a lookup of scalar var values.
func ValueScope(lookup func(name string) (stdlib.Value, bool)) Scope {
	return func(name string) (Expr, bool, error) {
		v, ok := lookup(name)
		if !ok {
			return nil, false, nil
		}
		return &Literal{Value: v}, true, nil
	}
}

// LowerExpr turns the body of a lambda into the expression IR: identifiers are
// replaced by what scope gives for them, operators and functions are resolved,
// static types inferred and positions resolved through file (which may be nil).
// It reports every unknown identifier and misplaced syntax as an
// parser.ErrorList. Call CheckExpr on the result for the type errors.
func LowerExpr(x parser.Expr, file *parser.File, scope Scope) (Expr, error) {
	l := &exprLowerer{file: file, scope: scope}
	e := l.lower(x)
	if len(l.errs) > 0 {
		l.errs.Sort()
		return nil, l.errs
	}
	return e, nil
}

type exprLowerer struct {
	file  *parser.File
	scope Scope
	errs  parser.ErrorList
}

func (l *exprLowerer) pos(p parser.Pos) Pos { return l.file.Position(p) }

func (l *exprLowerer) errorf(p parser.Pos, format string, args ...any) Expr {
	l.errs.Addf(l.pos(p), format, args...)
	return &Literal{At: l.pos(p)}
}

func (l *exprLowerer) lower(x parser.Expr) Expr {
	switch x := x.(type) {
	case *parser.IntLit:
		return &Literal{At: l.pos(x.Pos()), Value: stdlib.Int(x.Value)}
	case *parser.FloatLit:
		return &Literal{At: l.pos(x.Pos()), Value: stdlib.Float(x.Value)}
	case *parser.DurationLit:
		return &Literal{At: l.pos(x.Pos()), Value: stdlib.Duration(x.Value)}
	case *parser.StringLit:
		return &Literal{At: l.pos(x.Pos()), Value: stdlib.String(x.Value)}
	case *parser.BoolLit:
		return &Literal{At: l.pos(x.Pos()), Value: stdlib.Bool(x.Value)}
	case *parser.RegexLit:
		if x.Regexp == nil {
			return l.errorf(x.Pos(), "invalid regex %s", x.Lit)
		}
		return &Literal{At: l.pos(x.Pos()), Value: stdlib.Regex(x.Regexp)}
	case *parser.Reference:
		if x.Name == "time" {
			return &TimeRef{At: l.pos(x.Pos())}
		}
		return &Ref{At: l.pos(x.Pos()), Name: x.Name}
	case *parser.Ident:
		return l.ident(x)
	case *parser.ParenExpr:
		return l.lower(x.X)
	case *parser.Lambda:
		// A lambda inside a lambda (a lambda var, already substituted by
		// the caller's AST) is its body.
		return l.lower(x.Body)
	case *parser.UnaryExpr:
		op := stdlib.OpNeg
		if x.Op == parser.NOT {
			op = stdlib.OpNot
		} else if x.Op != parser.SUB {
			return l.errorf(x.Pos(), "invalid unary operator %s", x.Op)
		}
		return NewUnary(l.pos(x.OpPos), op, l.lower(x.X))
	case *parser.BinaryExpr:
		op, ok := binaryOps[x.Op]
		if !ok {
			return l.errorf(x.OpPos, "invalid binary operator %s", x.Op)
		}
		return NewBinary(l.pos(x.OpPos), op, l.lower(x.X), l.lower(x.Y))
	case *parser.CallExpr:
		args := make([]Expr, len(x.Args))
		for i, a := range x.Args {
			args[i] = l.lower(a)
		}
		return NewFuncCall(l.pos(x.Pos()), x.Fun.Name, args)
	case *parser.Star:
		return l.errorf(x.Pos(), "cannot use * in an expression")
	case *parser.ListLit:
		return l.errorf(x.Pos(), "cannot use a list in an expression")
	case nil:
		return &Literal{}
	}
	return l.errorf(x.Pos(), "cannot use a pipeline call in an expression")
}

func (l *exprLowerer) ident(x *parser.Ident) Expr {
	if l.scope == nil {
		return l.errorf(x.Pos(), "name %q is undefined", x.Name)
	}
	e, ok, err := l.scope(x.Name)
	switch {
	case err != nil:
		return l.errorf(x.Pos(), "%v", err)
	case !ok || e == nil:
		return l.errorf(x.Pos(), "name %q is undefined", x.Name)
	}
	if lit, ok := e.(*Literal); ok {
		// A var's value takes the position of the identifier that uses it.
		return &Literal{At: l.pos(x.Pos()), Value: lit.Value}
	}
	return e
}

var binaryOps = map[parser.Op]stdlib.Op{
	parser.OR: stdlib.OpOr, parser.AND: stdlib.OpAnd,
	parser.EQL: stdlib.OpEq, parser.NEQ: stdlib.OpNeq,
	parser.MATCH: stdlib.OpRegexMatch, parser.NOTMATCH: stdlib.OpRegexNotMatch,
	parser.LSS: stdlib.OpLt, parser.LEQ: stdlib.OpLte, parser.GTR: stdlib.OpGt, parser.GEQ: stdlib.OpGte,
	parser.ADD: stdlib.OpAdd, parser.SUB: stdlib.OpSub, parser.MUL: stdlib.OpMul, parser.QUO: stdlib.OpDiv,
	parser.REM: stdlib.OpMod,
}

// NewBinary builds x op y with its static type: boolean for comparisons and
// logical operators, the matrix's result type for math on known types, else
// dynamic.
func NewBinary(at Pos, op stdlib.Op, x, y Expr) *Binary {
	t := stdlib.TypeDynamic
	if op.IsComparison() || op.IsLogical() {
		t = stdlib.TypeBool
	} else if rt, ok := stdlib.BinaryType(op, x.Type(), y.Type()); ok {
		t = rt
	}
	return &Binary{At: at, Op: op, X: x, Y: y, T: t}
}

// NewUnary builds op x with its static type.
func NewUnary(at Pos, op stdlib.Op, x Expr) *Unary {
	t := stdlib.TypeDynamic
	switch {
	case op == stdlib.OpNot:
		t = stdlib.TypeBool
	case x.Type() == stdlib.TypeInt || x.Type() == stdlib.TypeFloat || x.Type() == stdlib.TypeDuration || x.Type() == stdlib.TypeBool:
		t = x.Type()
	}
	return &Unary{At: at, Op: op, X: x, T: t}
}

// NewFuncCall builds a call of the builtin name, resolved in the function table,
// with its static type.
func NewFuncCall(at Pos, name string, args []Expr) *FuncCall {
	c := &FuncCall{At: at, Name: name, Func: stdlib.Lookup(name), Args: args, T: stdlib.TypeDynamic}
	if c.Func != nil {
		types := make([]stdlib.Type, len(args))
		for i, a := range args {
			types[i] = a.Type()
		}
		if t, ok := c.Func.StaticType(types); ok {
			c.T = t
		}
	}
	return c
}

// errAt formats a diagnostic message for an expression node.
func errAt(e Expr, format string, args ...any) parser.Diagnostic {
	return parser.Diagnostic{Pos: e.Pos(), Msg: fmt.Sprintf(format, args...)}
}
