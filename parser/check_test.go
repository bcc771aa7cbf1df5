package parser

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestSharedScriptsCheck checks that every conformance task script and
// every example script parses and passes Check.
func TestSharedScriptsCheck(t *testing.T) {
	paths := sharedScripts(t)
	if len(paths) == 0 {
		t.Skip("no shared conformance or example scripts next to the repository")
	}
	for _, sc := range corpus(t) {
		if !isShared(sc.name, paths) {
			continue
		}
		if errs := diagnose(sc.name, sc.src); len(errs) > 0 {
			t.Errorf("%v", errs)
		}
	}
	if len(paths) < 150 {
		t.Errorf("found only %d shared scripts", len(paths))
	}
}

func isShared(name string, paths []string) bool {
	for _, p := range paths {
		if p == name {
			return true
		}
	}
	return false
}

// TestCheckScopes checks the scope rules that matter most on valid scripts:
// vars used in lambdas, template vars, time() and lambda functions.
func TestCheckScopes(t *testing.T) {
	src := `// The threshold.
var threshold = 90
var crit lambda
var fields = ['a', 'b']
var lambda = 2
batch
    |query('SELECT mean("value") FROM cpu')
        .groupBy(time(1m), 'host')
    |eval(lambda: sigma("mean") * float(threshold), lambda: lambda)
        .as(fields)
    |alert()
        .crit(crit)
        .warn(lambda: "mean" > threshold AND strContains("host", 'a'))
var total = 1 + abs(-2.0)
`
	s, err := ParseFile("ok.tick", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if errs := Check(s); len(errs) > 0 {
		t.Fatalf("unexpected errors:\n%v", errs)
	}
	if d := s.Stmts[0].(*VarDecl).Doc.Text(); d != "The threshold." {
		t.Errorf("description %q", d)
	}
}

// TestParseExpr parses lambda bodies as given in a vars file.
func TestParseExpr(t *testing.T) {
	x, err := ParseExpr(`"value" > 10.0 AND "host" =~ /^web/`)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := x.(*BinaryExpr)
	if !ok || b.Op != AND {
		t.Fatalf("got %T, want an AND expression", x)
	}
	if m, ok := b.Y.(*BinaryExpr); !ok || m.Op != MATCH || m.Y.(*RegexLit).Pattern != "^web" {
		t.Errorf("right operand: %s", DumpExpr(b.Y, NewFile("", []byte(`"value" > 10.0 AND "host" =~ /^web/`))))
	}
	for src, want := range map[string]string{
		`"a" >`:         `1:6: unexpected end of file, expected expression`,
		`1 2`:           `1:3: unexpected integer 2, expected end of expression`,
		`stream|from()`: `1:7: unexpected "|", expected end of expression`,
		``:              `1:1: unexpected end of file, expected expression`,
	} {
		if _, err := ParseExpr(src); err == nil || err.Error() != want {
			t.Errorf("ParseExpr(%q) = %v, want %s", src, err, want)
		}
	}
}

// TestLambdaVectorsParse parses every expression of the shared lambda
// vectors, all of which Kapacitor parsed (their errors, if any, come from
// evaluation).
func TestLambdaVectorsParse(t *testing.T) {
	shared := sharedDir()
	if shared == "" {
		t.Skip("no shared directory next to the repository")
	}
	data, err := os.ReadFile(filepath.Join(shared, "conformance", "lambda", "vectors.json"))
	if err != nil {
		t.Skipf("no lambda vectors: %v", err)
	}
	var vectors []struct{ Name, Expr string }
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) < 1000 {
		t.Errorf("only %d vectors", len(vectors))
	}
	for _, v := range vectors {
		if _, err := ParseExpr(v.Expr); err != nil {
			t.Errorf("%s: %q: %v", v.Name, v.Expr, err)
		}
	}
}
