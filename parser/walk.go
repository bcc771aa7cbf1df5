package parser

// Inspect traverses the tree rooted at n in depth-first order, the receiver
// of a chain step before its arguments: it calls f(n), and when f returns
// true, inspects each child of n. Comments are not visited.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *Script:
		for _, s := range n.Stmts {
			Inspect(s, f)
		}
	case *VarDecl:
		Inspect(n.Name, f)
		Inspect(n.Value, f)
	case *TypeDecl:
		Inspect(n.Name, f)
		Inspect(n.Type, f)
	case *DBRPStmt:
		Inspect(n.DB, f)
		Inspect(n.RP, f)
	case *ExprStmt:
		Inspect(n.X, f)
	case *ListLit:
		inspectAll(n.Elems, f)
	case *Lambda:
		Inspect(n.Body, f)
	case *BinaryExpr:
		Inspect(n.X, f)
		Inspect(n.Y, f)
	case *UnaryExpr:
		Inspect(n.X, f)
	case *ParenExpr:
		Inspect(n.X, f)
	case *CallExpr:
		Inspect(n.Fun, f)
		inspectAll(n.Args, f)
	case *ChainCall:
		Inspect(n.X, f)
		Inspect(n.Name, f)
		inspectAll(n.Args, f)
	case *PropertyCall:
		Inspect(n.X, f)
		Inspect(n.Name, f)
		inspectAll(n.Args, f)
	case *PropertyRead:
		Inspect(n.X, f)
		Inspect(n.Name, f)
	case *UDFCall:
		Inspect(n.X, f)
		Inspect(n.Name, f)
		inspectAll(n.Args, f)
	}
}

func inspectAll(xs []Expr, f func(Node) bool) {
	for _, x := range xs {
		Inspect(x, f)
	}
}
