package parser

import (
	"math/rand"
	"strings"
	"testing"
)

// scriptGen writes random scripts in odd layouts: comments and line breaks
// between any two tokens, redundant parentheses, every literal kind. Many do
// not parse (a comment before an operator changes how the lexer reads it);
// the ones that do must survive formatting.
type scriptGen struct{ r *rand.Rand }

func (g scriptGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

// sep returns what goes between two tokens.
func (g scriptGen) sep() string {
	switch g.r.Intn(10) {
	case 0:
		return " // " + g.pick("a", "b", "", "  indented") + "\n"
	case 1:
		return "\n"
	case 2:
		return "\n\n// x\n\n// y\n"
	case 3:
		return ""
	}
	return " "
}

func (g scriptGen) expr(depth int) string {
	lit := g.pick("1", "07", "1.5", ".5", "5m", "10ms", "'s'", `'it\'s'`, "'''t'''", `"r"`, `"q\"r"`,
		"/re/", `/a\/b/`, "TRUE", "x", "lambda", "*")
	if depth > 3 {
		return lit
	}
	switch g.r.Intn(9) {
	case 0:
		return "(" + g.sep() + g.expr(depth+1) + g.sep() + ")"
	case 1:
		op := g.pick("+", "-", "*", "/", "%", "AND", "OR", "==", "!=", "<", "<=", ">", ">=", "=~", "!~")
		return g.expr(depth+1) + g.sep() + op + g.sep() + g.expr(depth+1)
	case 2:
		return g.pick("-", "!") + g.sep() + g.expr(depth+1)
	case 3:
		return "f(" + g.sep() + g.expr(depth+1) + "," + g.sep() + g.expr(depth+1) + ")"
	}
	return lit
}

func (g scriptGen) chain() string {
	var b strings.Builder
	b.WriteString(g.pick("stream", "batch", "x"))
	for i := 0; i < 1+g.r.Intn(4); i++ {
		b.WriteString(g.sep())
		switch g.r.Intn(5) {
		case 0:
			b.WriteString("|window(" + g.sep() + ")")
		case 1:
			b.WriteString(".where(lambda:" + g.sep() + g.expr(0) + g.sep() + ")")
		case 2:
			b.WriteString("@u(" + g.expr(1) + "," + g.sep() + "[" + g.sep() + "'a'," + g.sep() + "*" + g.sep() + "]" + g.sep() + ")")
		case 3:
			b.WriteString(".quiet")
		default:
			b.WriteString("|union(" + g.sep() + "stream|from()," + g.sep() + "x" + g.sep() + ")")
		}
	}
	return b.String()
}

func (g scriptGen) script() string {
	var b strings.Builder
	for i := 0; i < 1+g.r.Intn(5); i++ {
		switch g.r.Intn(6) {
		case 0:
			b.WriteString("var" + g.sep() + "v =" + g.sep() + g.expr(0))
		case 1:
			b.WriteString("// doc\nvar w" + g.sep() + "= lambda:" + g.sep() + g.expr(0))
		case 2:
			b.WriteString("var t" + g.sep() + g.pick("int", "lambda", "list"))
		case 3:
			b.WriteString("dbrp" + g.sep() + `"db"` + g.sep() + "." + g.sep() + `"rp"`)
		case 4:
			b.WriteString(g.chain())
		default:
			b.WriteString(g.expr(0))
		}
		b.WriteString(g.pick("\n", " ", "\n\n", " // end\n"))
	}
	return b.String()
}

// TestFormatRandomScripts checks the round trip of Format on random scripts.
func TestFormatRandomScripts(t *testing.T) {
	g := scriptGen{rand.New(rand.NewSource(1))}
	parsed := 0
	for i := 0; i < 4000; i++ {
		src := g.script()
		s, err := ParseFile("gen.tick", []byte(src))
		if err != nil {
			continue
		}
		parsed++
		if msg := roundTrip(s); msg != "" {
			t.Fatalf("%q\n%s", src, msg)
		}
	}
	if parsed < 1000 {
		t.Errorf("only %d of the scripts parsed", parsed)
	}
}
