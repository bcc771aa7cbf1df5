package ir_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/ir/passes"
	"github.com/tickc/tickc/parser"
)

// sharedDir returns the shared corpus directory next to the repository, or
// skips the test when it is absent.
func sharedDir(t *testing.T, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no %s corpus at %s: %v", sub, dir, err)
	}
	return dir
}

// lowerFile parses and lowers one script with the given dbrps.
func lowerFile(t *testing.T, path string, opts ir.LowerOptions) (*ir.Program, error) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	script, err := parser.ParseFile(filepath.Base(path), src)
	if err != nil {
		return nil, err
	}
	return ir.Lower(script, opts)
}

// TestConformanceScriptsLower lowers the task.tick of every conformance case
// as the conformance runner builds it: with the case's dbrps, as a stream or
// batch task by its kind.
func TestConformanceScriptsLower(t *testing.T) {
	dir := sharedDir(t, "conformance/cases")
	cases, err := filepath.Glob(filepath.Join(dir, "*", "*", "task.tick"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Skip("no conformance cases")
	}
	for _, path := range cases {
		caseDir := filepath.Dir(path)
		var meta struct {
			Kind string     `json:"kind"`
			DBRP [][]string `json:"dbrp"`
		}
		data, err := os.ReadFile(filepath.Join(caseDir, "case.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &meta); err != nil {
			t.Fatalf("%s: %v", caseDir, err)
		}
		opts := ir.LowerOptions{Task: filepath.Base(caseDir)}
		for _, d := range meta.DBRP {
			opts.DBRPs = append(opts.DBRPs, ir.DBRP{Database: d[0], RetentionPolicy: d[1]})
		}
		p, err := lowerFile(t, path, opts)
		if err != nil {
			t.Errorf("%s:\n%v", caseDir, err)
			continue
		}
		want := ir.StreamTask
		if meta.Kind == "batch" {
			want = ir.BatchTask
		}
		if p.Type != want {
			t.Errorf("%s: task type %s, want %s", caseDir, p.Type, want)
		}
		if err := ir.Verify(p); err != nil {
			t.Errorf("%s: %v", caseDir, err)
		}
		if err := passes.Run(p, passes.Options{Verify: true}); err != nil {
			t.Errorf("%s: %v", caseDir, err)
		}
	}
}

// TestExamplesLower lowers the example scripts, which declare no dbrp, with
// one given as a flag.
func TestExamplesLower(t *testing.T) {
	dir := sharedDir(t, "examples")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.tick"))
	for _, path := range paths {
		p, err := lowerFile(t, path, ir.LowerOptions{DBRPs: []ir.DBRP{{Database: "db", RetentionPolicy: "rp"}}})
		if err != nil {
			t.Errorf("%s:\n%v", path, err)
			continue
		}
		if err := ir.Verify(p); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		if strings.TrimSpace(ir.Dump(p)) == "" {
			t.Errorf("%s: empty dump", path)
		}
	}
}
