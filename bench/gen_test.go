package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tickc/tickc/codegen"
	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/ir/passes"
	"github.com/tickc/tickc/parser"
)

// generated lists the committed packages and how go generate makes them.
var generated = []struct {
	script, pkg string
	noOpt       bool
}{
	{"testdata/whereeval.tick", "whereevalopt", false},
	{"testdata/whereeval.tick", "whereevalo0", true},
	{"testdata/windowmean.tick", "windowmeanopt", false},
	{"testdata/windowmean.tick", "windowmeano0", true},
}

// compile does what tickc gen does with the script, the package name and
// -O0 when noOpt is set.
func compile(t *testing.T, script, pkg string, noOpt bool) []byte {
	t.Helper()
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := parser.ParseFile(script, src)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(script)
	prog, err := ir.Lower(parsed, ir.LowerOptions{Task: base[:len(base)-len(filepath.Ext(base))]})
	if err != nil {
		t.Fatal(err)
	}
	if err := passes.Run(prog, passes.Options{NoOpt: noOpt}); err != nil {
		t.Fatal(err)
	}
	out, err := codegen.Generate(prog, codegen.Options{Package: pkg})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGeneratedUpToDate checks that the committed task packages are what
// the compiler generates today.
func TestGeneratedUpToDate(t *testing.T) {
	for _, g := range generated {
		t.Run(g.pkg, func(t *testing.T) {
			want := compile(t, g.script, g.pkg, g.noOpt)
			path := filepath.Join("tasks", g.pkg, "task.go")
			have, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(have, want) {
				t.Errorf("%s is not what tickc generates now from %s: run go generate ./bench", path, g.script)
			}
		})
	}
}

// TestOptimizedDiffers checks that the optimized where/eval task really is
// compiled differently from its -O0 twin, so that the benchmarks compare
// two programs.
func TestOptimizedDiffers(t *testing.T) {
	opt := compile(t, "testdata/whereeval.tick", "p", false)
	o0 := compile(t, "testdata/whereeval.tick", "p", true)
	if bytes.Equal(opt, o0) {
		t.Fatal("the optimizing passes changed nothing in whereeval.tick")
	}
	if !bytes.Contains(opt, []byte("FusedNode")) {
		t.Error("the optimized where/eval task has no fused node")
	}
}
