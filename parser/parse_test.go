package parser

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden outputs under testdata")

// TestParseGolden parses the in.tick of each testdata/parse archive and
// compares the tree dump with out/ast, or the diagnostics with out/errors.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no parser goldens: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			src := section(t, ar, "in.tick")
			var got, name string
			s, err := ParseFile("in.tick", src)
			if err != nil {
				name, got = "out/errors", err.Error()+"\n"
			} else {
				name, got = "out/ast", Dump(s)
			}
			if *update {
				ar.Files = []txtar.File{{Name: "in.tick", Data: src}, {Name: name, Data: []byte(got)}}
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, ok := lookup(ar, name)
			if !ok {
				t.Fatalf("got %s but the archive has no %s section:\n%s", name, name, got)
			}
			if got != string(want) {
				t.Errorf("%s differs\n--- got\n%s--- want\n%s", name, got, want)
			}
		})
	}
}

func lookup(ar *txtar.Archive, name string) ([]byte, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

// section returns a section of the archive, without the newline txtar adds
// to its last line when the section does not end in one.
func section(t *testing.T, ar *txtar.Archive, name string) []byte {
	t.Helper()
	data, ok := lookup(ar, name)
	if !ok {
		t.Fatalf("archive has no %s section", name)
	}
	return bytes.Clone(data)
}
