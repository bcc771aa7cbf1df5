package tickc

import (
	"io/fs"
	"os/exec"
	"path"
	"strings"
	"testing"
)

// TestSourceHoldsRuntimeDeps checks that every package of this module that
// the runtime imports, directly or not, is embedded: otherwise generated
// programs would not build.
func TestSourceHoldsRuntimeDeps(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	out, err := exec.Command("go", "list", "-deps", "./runtime/...", "./stdlib/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/tickc/tickc/"
	for _, pkg := range strings.Fields(string(out)) {
		dir, ok := strings.CutPrefix(pkg, mod)
		if !ok {
			continue
		}
		entries, err := fs.ReadDir(Source(), dir)
		if err != nil {
			t.Errorf("package %s is not embedded", pkg)
			continue
		}
		goFiles := 0
		for _, e := range entries {
			if !e.IsDir() && path.Ext(e.Name()) == ".go" {
				goFiles++
			}
		}
		if goFiles == 0 {
			t.Errorf("package %s is embedded without Go files", pkg)
		}
	}
}

func TestSourceLeavesOutTests(t *testing.T) {
	err := fs.WalkDir(Source(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, "_test.go") || d.Name() == "testdata" {
			t.Errorf("%s is embedded", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(Source(), "go.mod"); err != nil {
		t.Errorf("go.mod is not embedded: %v", err)
	}
	if SourceHash() == "" || SourceHash() != computeHash() {
		t.Error("SourceHash is not stable")
	}
}
