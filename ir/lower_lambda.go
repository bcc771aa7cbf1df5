package ir

import (
	"fmt"
	"strings"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// exprScope resolves the identifiers of an expression from the vars in scope,
// as Kapacitor's resolveIdents does when a lambda is defined: a scalar var
// becomes its literal, a lambda var its expression.
func (l *lowerer) exprScope() Scope {
	return func(name string) (Expr, bool, error) {
		v, ok := l.scope[name]
		if !ok {
			return nil, false, nil
		}
		switch v.kind {
		case vScalar:
			return &Literal{Value: v.val}, true, nil
		case vLambda:
			return v.lambda.Expr, true, nil
		case vInvalid:
			// Already reported where the var was declared.
			return &Literal{}, true, nil
		}
		return nil, true, fmt.Errorf("cannot use %s var %q in an expression", v.typeName(), name)
	}
}

// lowerLambda lowers lambda: body into a Lambda, with its type errors.
func (l *lowerer) lowerLambda(x *parser.Lambda) value {
	e, err := LowerExpr(x.Body, l.file, l.exprScope())
	if err != nil {
		l.addErrors(err)
		return value{}
	}
	if errs, _ := CheckExpr(e); len(errs) > 0 {
		l.errs = append(l.errs, errs...)
		return value{}
	}
	lam := &Lambda{Expr: e, Pos: l.pos(x.Pos()), Stateful: len(StatefulFuncs(e)) > 0}
	return value{kind: vLambda, lambda: lam, pos: x.Pos()}
}

// evalConst evaluates a top-level operator expression eagerly, as Kapacitor
// does when it defines the task: 'a' + ':{{.Group}}', 5m * 2, -1.
func (l *lowerer) evalConst(x parser.Expr) value {
	e, err := LowerExpr(x, l.file, l.exprScope())
	if err != nil {
		l.addErrors(err)
		return value{}
	}
	if refs := Refs(e); len(refs) > 0 {
		l.errorf(x.Pos(), "cannot use reference %q outside a lambda; did you use double quotes instead of single quotes?", refs[0])
		return value{}
	}
	if lit, ok := FoldExpr(e).(*Literal); ok {
		return value{kind: vScalar, val: lit.Value, pos: x.Pos()}
	}
	v, err := EvalExpr(e, Point{})
	if err != nil {
		l.errorf(x.Pos(), "%s", strings.TrimSuffix(err.Error(), "."))
		return value{}
	}
	switch v.Type() {
	case stdlib.TypeFloat, stdlib.TypeInt, stdlib.TypeString, stdlib.TypeBool, stdlib.TypeDuration, stdlib.TypeRegex:
		return value{kind: vScalar, val: v, pos: x.Pos()}
	}
	l.errorf(x.Pos(), "expression of type %s cannot be used outside a lambda", v.Type())
	return value{}
}

// addErrors appends the diagnostics of err, an ErrorList or a plain error.
func (l *lowerer) addErrors(err error) {
	if list, ok := err.(parser.ErrorList); ok {
		l.errs = append(l.errs, list...)
		return
	}
	l.errs.Add(parser.Position{Filename: l.file.Name()}, err.Error())
}

// deadmanCrit builds the deadman's crit expression: "emitted" <= threshold,
// ANDed with the extra lambdas.
func (l *lowerer) deadmanCrit(threshold float64, extra args, at parser.Pos) *Lambda {
	p := l.pos(at)
	var e Expr = NewBinary(p, stdlib.OpLte, &Ref{At: p, Name: "emitted"}, &Literal{At: p, Value: stdlib.Float(threshold)})
	for _, a := range extra {
		if a.lambda != nil {
			e = NewBinary(p, stdlib.OpAnd, e, a.lambda.Expr)
		}
	}
	return &Lambda{Expr: e, Pos: p, Stateful: len(StatefulFuncs(e)) > 0}
}
