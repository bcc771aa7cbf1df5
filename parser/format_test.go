package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestFormatGolden formats the in.tick of each testdata/fmt archive and
// compares the result with out.tick.
func TestFormatGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/fmt/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fmt goldens: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			src := section(t, ar, "in.tick")
			out, err := FormatSource("in.tick", src)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				ar.Files = []txtar.File{{Name: "in.tick", Data: src}, {Name: "out.tick", Data: out}}
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := section(t, ar, "out.tick"); string(out) != string(want) {
				t.Errorf("formatted differs\n--- got\n%s--- want\n%s", out, want)
			}
		})
	}
}

// TestFormatRoundTrip checks, over every script of the tests and of the
// shared corpus, that the formatted text parses to an equal tree with the
// same comments and formats to itself.
func TestFormatRoundTrip(t *testing.T) {
	for _, sc := range corpus(t) {
		s, err := ParseFile(sc.name, sc.src)
		if err != nil {
			continue // the scripts that must fail are the error tests' business
		}
		if err := roundTrip(s); err != "" {
			t.Errorf("%s: %s", sc.name, err)
		}
	}
}

// roundTrip returns what is wrong with formatting s, or "".
func roundTrip(s *Script) string {
	out := Format(s)
	s2, err := ParseFile("formatted.tick", out)
	if err != nil {
		return "formatted text does not parse: " + err.Error() + "\n" + string(out)
	}
	if !Equal(s, s2) {
		return "formatted text parses to a different tree:\n" + string(out) + "\n--- before\n" + Dump(s) + "--- after\n" + Dump(s2)
	}
	if a, b := commentTexts(s), commentTexts(s2); a != b {
		return "comments changed:\n" + a + "\n--- after\n" + b
	}
	if again := Format(s2); string(again) != string(out) {
		return "not idempotent:\n" + string(out) + "--- again\n" + string(again)
	}
	return ""
}

// commentTexts lists the comments of s as the formatter writes them.
func commentTexts(s *Script) string {
	var b strings.Builder
	for _, g := range s.Comments {
		for _, c := range g.List {
			b.WriteString(normComment(c.Text))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

type script struct {
	name string
	src  []byte
}

// corpus returns every script the tests know: the inputs of the parser, fmt
// and error tests, and the conformance and example scripts of the shared
// directory next to the repository when it is there.
func corpus(t testing.TB) []script {
	t.Helper()
	var out []script
	for _, dir := range []string{"testdata/parse", "testdata/fmt"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.txtar"))
		for _, path := range files {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if src, ok := lookup(ar, "in.tick"); ok {
				out = append(out, script{path, src})
			}
		}
	}
	files, _ := filepath.Glob("testdata/errors/*.tick")
	for _, path := range append(files, sharedScripts(t)...) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, script{path, src})
	}
	return out
}

// sharedDir returns the shared directory that sits next to the repository
// root, or "" when there is none.
func sharedDir() string {
	dir, err := filepath.Abs(".")
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		return ""
	}
	return shared
}

// sharedScripts lists the conformance task scripts and the example scripts.
func sharedScripts(t testing.TB) []string {
	shared := sharedDir()
	if shared == "" {
		return nil
	}
	cases, _ := filepath.Glob(filepath.Join(shared, "conformance", "cases", "*", "*", "task.tick"))
	examples, _ := filepath.Glob(filepath.Join(shared, "examples", "*.tick"))
	return append(cases, examples...)
}
