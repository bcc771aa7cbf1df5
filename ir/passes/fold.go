package passes

import (
	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

// fold folds the constant parts of every lambda and removes the where
// filters that fold to TRUE.
func fold(p *ir.Program) error {
	for _, n := range append([]*ir.Node(nil), p.Nodes...) {
		for _, l := range n.Lambdas() {
			l.Expr = ir.FoldExpr(l.Expr)
		}
		switch props := n.Props.(type) {
		case *ir.WhereProps:
			if isTrue(props.Lambda) && len(n.Parents) == 1 {
				splice(p, n)
			}
		case *ir.FromProps:
			var kept []*ir.Lambda
			for _, l := range props.Where {
				if !isTrue(l) {
					kept = append(kept, l)
				}
			}
			props.Where = kept
		}
	}
	return nil
}

// isTrue reports whether l is the constant TRUE.
func isTrue(l *ir.Lambda) bool {
	if l == nil {
		return false
	}
	lit, ok := l.Expr.(*ir.Literal)
	return ok && lit.Value.Type() == stdlib.TypeBool && lit.Value.Bool()
}
