package ir

import (
	"fmt"
	"strings"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// CheckExpr type-checks a lowered expression.
//
// errs are the errors Kapacitor reports when the task starts ("Failed to
// compile expression"): a binary operator whose two operands have types known
// without any point — literals and operators over them, but not references or
// function calls — and that the operator matrix rejects, such as 5.0 % 2.0,
// 1 + 1.0 or TRUE AND 1.
//
// warns are expressions that Kapacitor accepts at start but that fail on every
// point, found with the static types of function signatures: sigma(5),
// strLength(1), TRUE AND sqrt(2.0), an undefined function. A task with only
// warnings runs, and drops the points as Kapacitor does.
func CheckExpr(e Expr) (errs, warns parser.ErrorList) {
	c := &checker{}
	c.expr(e)
	errs, warns = c.errs, c.warns
	errs.Sort()
	warns.Sort()
	return errs, warns
}

type checker struct {
	errs, warns parser.ErrorList
}

func (c *checker) expr(e Expr) {
	switch e := e.(type) {
	case *Binary:
		c.expr(e.X)
		c.expr(e.Y)
		if !IsDynamic(e.X) && !IsDynamic(e.Y) {
			lt, rt := ConstType(e.X), ConstType(e.Y)
			if lt != stdlib.TypeDynamic && rt != stdlib.TypeDynamic {
				if _, ok := stdlib.BinaryType(e.Op, lt, rt); !ok {
					c.errs = append(c.errs, errAt(e, "%v", stdlib.BinaryTypeError(e.Op, lt, rt)))
					return
				}
			}
		}
		lt, rt := e.X.Type(), e.Y.Type()
		if known(lt) && known(rt) {
			if _, ok := stdlib.BinaryType(e.Op, lt, rt); !ok {
				c.warns = append(c.warns, errAt(e, "%v", stdlib.BinaryTypeError(e.Op, lt, rt)))
			}
		}
	case *Unary:
		c.expr(e.X)
		t := e.X.Type()
		switch {
		case e.Op == stdlib.OpNot && known(t) && t != stdlib.TypeBool,
			e.Op == stdlib.OpNeg && (t == stdlib.TypeString || t == stdlib.TypeRegex || t == stdlib.TypeTime):
			_, err := stdlib.Unary(e.Op, stdlib.Zero(t))
			c.warns = append(c.warns, errAt(e, "%v", err))
		}
	case *FuncCall:
		for _, a := range e.Args {
			c.expr(a)
		}
		if e.Func == nil {
			c.warns = append(c.warns, errAt(e, "%v", stdlib.ErrUndefinedFunction(e.Name)))
			return
		}
		types := make([]stdlib.Type, len(e.Args))
		vals := make([]stdlib.Value, len(e.Args))
		text := make([]string, len(e.Args))
		for i, a := range e.Args {
			types[i] = a.Type()
			vals[i] = stdlib.Zero(types[i])
			text[i] = ArgText(a)
		}
		if _, ok := e.Func.StaticType(types); !ok {
			for _, t := range types {
				if !known(t) {
					c.warns = append(c.warns, errAt(e, "%s", staticCallError(e.Func, text, types)))
					return
				}
			}
			c.warns = append(c.warns, errAt(e, "%v", e.Func.Check(text, vals...)))
		}
	}
}

// staticCallError describes a call that no signature accepts whatever the
// dynamic arguments turn out to be.
func staticCallError(f *stdlib.Func, text []string, types []stdlib.Type) string {
	args := make([]string, len(types))
	for i, t := range types {
		args[i] = text[i] + ": " + t.String()
	}
	sigs := make([]string, len(f.Sigs))
	for i, s := range f.Sigs {
		sigs[i] = s.String()
	}
	return fmt.Sprintf("cannot call function %q with args (%s), available signatures are [%s]",
		f.Name, strings.Join(args, ","), strings.Join(sigs, ", "))
}

// known reports whether t is a value type fixed before run time.
func known(t stdlib.Type) bool { return t != stdlib.TypeDynamic && t != stdlib.TypeMissing }

// IsDynamic reports whether Kapacitor treats e's type as unknown until a point
// arrives, so that its compile-time check skips the operators above e:
// references and calls are dynamic, and so are operators over them unless the
// operator alone fixes the type (comparisons, AND, OR, !).
func IsDynamic(e Expr) bool {
	switch e := e.(type) {
	case *Ref, *TimeRef, *FuncCall:
		return true
	case *Unary:
		if ConstType(e) != stdlib.TypeDynamic {
			return false
		}
		return IsDynamic(e.X)
	case *Binary:
		if ConstType(e) != stdlib.TypeDynamic {
			return false
		}
		return IsDynamic(e.X) || IsDynamic(e.Y)
	}
	return false
}

// ConstType returns the type Kapacitor gives e without a point: that of a
// literal, boolean for comparisons, AND, OR and !, the matrix's result for
// math over constant types; TypeDynamic otherwise (references and calls
// included). Generated code uses it, as the interpreter does, for the
// operand types AND and OR check before they evaluate.
func ConstType(e Expr) stdlib.Type {
	switch e := e.(type) {
	case *Literal:
		return e.Value.Type()
	case *Unary:
		if e.Op == stdlib.OpNot {
			return stdlib.TypeBool
		}
		return ConstType(e.X)
	case *Binary:
		if e.Op.IsComparison() || e.Op.IsLogical() {
			return stdlib.TypeBool
		}
		if t, ok := stdlib.BinaryType(e.Op, ConstType(e.X), ConstType(e.Y)); ok {
			return t
		}
	}
	return stdlib.TypeDynamic
}
