package parser

// Equal reports whether two trees mean the same: the same node kinds, names,
// operators and values, in the same shape. It ignores positions, comments
// other than var descriptions, the spelling of numbers (1.50 and 1.5 are
// equal) and parentheses around anything but a binary expression, all of
// which Format may change.
func Equal(a, b Node) bool {
	if a, ok := a.(Expr); ok {
		a = stripParen(a)
		if b, ok := b.(Expr); ok {
			return equalExpr(a, stripParen(b))
		}
		return false
	}
	switch a := a.(type) {
	case *Script:
		b, ok := b.(*Script)
		if !ok || len(a.Stmts) != len(b.Stmts) {
			return false
		}
		for i := range a.Stmts {
			if !Equal(a.Stmts[i], b.Stmts[i]) {
				return false
			}
		}
		return true
	case *VarDecl:
		b, ok := b.(*VarDecl)
		return ok && a.Name.Name == b.Name.Name && a.Doc.Text() == b.Doc.Text() && Equal(a.Value, b.Value)
	case *TypeDecl:
		b, ok := b.(*TypeDecl)
		return ok && a.Name.Name == b.Name.Name && a.Type.Name == b.Type.Name && a.Doc.Text() == b.Doc.Text()
	case *DBRPStmt:
		b, ok := b.(*DBRPStmt)
		return ok && a.DB.Name == b.DB.Name && a.RP.Name == b.RP.Name
	case *ExprStmt:
		b, ok := b.(*ExprStmt)
		return ok && Equal(a.X, b.X)
	}
	return false
}

// stripParen removes parentheses that do not enclose a binary expression.
func stripParen(x Expr) Expr {
	for {
		p, ok := x.(*ParenExpr)
		if !ok {
			return x
		}
		inner := p.X
		for {
			q, ok := inner.(*ParenExpr)
			if !ok {
				break
			}
			inner = q.X
		}
		if _, ok := inner.(*BinaryExpr); ok {
			return &ParenExpr{X: inner}
		}
		x = inner
	}
}

func equalExprs(a, b []Expr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func equalExpr(a, b Expr) bool {
	switch a := a.(type) {
	case *Ident:
		b, ok := b.(*Ident)
		return ok && a.Name == b.Name
	case *IntLit:
		b, ok := b.(*IntLit)
		return ok && a.Value == b.Value
	case *FloatLit:
		b, ok := b.(*FloatLit)
		return ok && a.Value == b.Value
	case *DurationLit:
		b, ok := b.(*DurationLit)
		return ok && a.Value == b.Value && a.Lit == b.Lit
	case *StringLit:
		b, ok := b.(*StringLit)
		return ok && a.Value == b.Value && a.Triple == b.Triple
	case *Reference:
		b, ok := b.(*Reference)
		return ok && a.Name == b.Name
	case *RegexLit:
		b, ok := b.(*RegexLit)
		return ok && a.Pattern == b.Pattern
	case *BoolLit:
		b, ok := b.(*BoolLit)
		return ok && a.Value == b.Value
	case *Star:
		_, ok := b.(*Star)
		return ok
	case *ListLit:
		b, ok := b.(*ListLit)
		return ok && equalExprs(a.Elems, b.Elems)
	case *Lambda:
		b, ok := b.(*Lambda)
		return ok && Equal(a.Body, b.Body)
	case *BinaryExpr:
		b, ok := b.(*BinaryExpr)
		return ok && a.Op == b.Op && Equal(a.X, b.X) && Equal(a.Y, b.Y)
	case *UnaryExpr:
		b, ok := b.(*UnaryExpr)
		return ok && a.Op == b.Op && Equal(a.X, b.X)
	case *ParenExpr:
		b, ok := b.(*ParenExpr)
		return ok && Equal(a.X, b.X)
	case *CallExpr:
		b, ok := b.(*CallExpr)
		return ok && a.Fun.Name == b.Fun.Name && equalExprs(a.Args, b.Args)
	case *ChainCall:
		b, ok := b.(*ChainCall)
		return ok && a.Name.Name == b.Name.Name && Equal(a.X, b.X) && equalExprs(a.Args, b.Args)
	case *PropertyCall:
		b, ok := b.(*PropertyCall)
		return ok && a.Name.Name == b.Name.Name && Equal(a.X, b.X) && equalExprs(a.Args, b.Args)
	case *PropertyRead:
		b, ok := b.(*PropertyRead)
		return ok && a.Name.Name == b.Name.Name && Equal(a.X, b.X)
	case *UDFCall:
		b, ok := b.(*UDFCall)
		return ok && a.Name.Name == b.Name.Name && Equal(a.X, b.X) && equalExprs(a.Args, b.Args)
	}
	return false
}
