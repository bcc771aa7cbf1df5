package ir

// Expr is a checked lambda expression of the expression IR.
//
// This declaration holds the place of the expression IR's own Expr type and
// goes away when that lands; only the method set below is relied on here.
type Expr interface {
	// String returns the expression in TICKscript syntax.
	String() string
}
