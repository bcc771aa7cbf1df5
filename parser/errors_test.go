package parser

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// diagnose returns the diagnostics of a script: its syntax errors, or when
// it parses, the errors Check finds.
func diagnose(filename string, src []byte) ErrorList {
	s, err := ParseFile(filename, src)
	if err != nil {
		return err.(ErrorList)
	}
	return Check(s)
}

var errorComment = regexp.MustCompile(`ERROR ("(?:[^"\\]|\\.)*")`)

// TestErrorAnnotations checks the scripts of testdata/errors both ways:
// every diagnostic matches an // ERROR "regexp" comment on its line, and
// every such comment matches a diagnostic.
func TestErrorAnnotations(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.tick")
	if err != nil || len(files) == 0 {
		t.Fatalf("no error tests: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			type want struct {
				re      *regexp.Regexp
				matched bool
			}
			wants := map[int][]*want{}
			for i, line := range strings.Split(string(src), "\n") {
				for _, m := range errorComment.FindAllStringSubmatch(line, -1) {
					// The pattern is a regexp between double quotes, in
					// which \" stands for a quote.
					pat := strings.ReplaceAll(m[1][1:len(m[1])-1], `\"`, `"`)
					re, err := regexp.Compile(pat)
					if err != nil {
						t.Fatalf("line %d: bad ERROR pattern %s: %v", i+1, m[1], err)
					}
					wants[i+1] = append(wants[i+1], &want{re: re})
				}
			}
			if len(wants) == 0 {
				t.Fatal("no ERROR annotations")
			}
			for _, d := range diagnose(path, src) {
				found := false
				for _, w := range wants[d.Pos.Line] {
					if !w.matched && w.re.MatchString(d.Msg) {
						w.matched, found = true, true
						break
					}
				}
				if !found {
					t.Errorf("unexpected error: %s", d.Error())
				}
			}
			for line, ws := range wants {
				for _, w := range ws {
					if !w.matched {
						t.Errorf("%s:%d: missing error matching %q", path, line, w.re)
					}
				}
			}
		})
	}
}
