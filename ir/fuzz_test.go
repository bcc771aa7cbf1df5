package ir_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/ir/passes"
	"github.com/tickc/tickc/parser"
)

// FuzzLower checks that lowering and the passes never panic, and that every
// program they accept verifies. It is seeded with the test scripts.
func FuzzLower(f *testing.F) {
	goldens, _ := filepath.Glob(filepath.Join("testdata", "lower", "*.txtar"))
	for _, g := range goldens {
		if ar, err := txtar.ParseFile(g); err == nil {
			for _, file := range ar.Files {
				if file.Name == "in.tick" {
					f.Add(file.Data)
				}
			}
		}
	}
	errs, _ := filepath.Glob(filepath.Join("testdata", "errors", "*.tick"))
	for _, e := range errs {
		if src, err := os.ReadFile(e); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		script, err := parser.ParseFile("fuzz.tick", src)
		if err != nil {
			return
		}
		p, err := ir.Lower(script, ir.LowerOptions{DBRPs: []ir.DBRP{{Database: "db", RetentionPolicy: "rp"}}})
		if err != nil {
			if _, ok := err.(parser.ErrorList); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if err := ir.Verify(p); err != nil {
			t.Fatalf("lowered program does not verify: %v\n%s", err, src)
		}
		_ = ir.Dump(p)
		if err := passes.Run(p, passes.Options{Verify: true}); err != nil {
			t.Fatalf("passes: %v\n%s", err, src)
		}
	})
}
