package parser

import (
	"fmt"
	"strings"
	"testing"
)

func TestInspect(t *testing.T) {
	src := `var t = 5
stream|from().where(lambda: -"v" > t).groupBy(['a', *])@udf(1 + (2))
dbrp "d"."r"
`
	s, err := ParseFile("w.tick", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	Inspect(s, func(n Node) bool {
		if _, ok := n.(*Lambda); ok {
			kinds = append(kinds, "Lambda(skipped)")
			return false
		}
		k := strings.TrimPrefix(fmt.Sprintf("%T", n), "*parser.")
		if id, ok := n.(*Ident); ok {
			k += " " + id.Name
		}
		kinds = append(kinds, k)
		return true
	})
	want := "Script VarDecl Ident t IntLit ExprStmt UDFCall PropertyCall PropertyCall ChainCall Ident stream Ident from " +
		"Ident where Lambda(skipped) Ident groupBy ListLit StringLit Star Ident udf BinaryExpr IntLit ParenExpr IntLit " +
		"DBRPStmt Reference Reference"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
