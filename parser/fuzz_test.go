package parser

import "testing"

// FuzzParse checks that no input panics the parser, the checker or the
// formatter, and that a script that parses formats to text that parses to an
// equal tree, with the same comments, and formats to itself.
func FuzzParse(f *testing.F) {
	for _, sc := range corpus(f) {
		f.Add(sc.src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, _ = ParseExpr(string(src))
		s, err := ParseFile("fuzz.tick", src)
		if err != nil {
			if _, ok := err.(ErrorList); !ok {
				t.Fatalf("error of type %T", err)
			}
			_ = err.(ErrorList).Render(s.File)
			return
		}
		_ = Check(s)
		if msg := roundTrip(s); msg != "" {
			t.Fatal(msg)
		}
	})
}
