package parser

import "testing"

// TestErrorListSorts checks that a list built out of order by a later stage
// prints sorted, without duplicates.
func TestErrorListSorts(t *testing.T) {
	var l ErrorList
	l.Add(Position{Filename: "b.tick", Line: 1, Column: 1}, "third")
	l.Add(Position{Filename: "a.tick", Line: 2, Column: 1}, "second")
	l.Addf(Position{Filename: "a.tick", Line: 1, Column: 7}, "first %d", 1)
	l.Add(Position{Filename: "a.tick", Line: 2, Column: 1}, "second")
	want := "a.tick:1:7: first 1\na.tick:2:1: second\nb.tick:1:1: third"
	if got := l.Error(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if l.Err() == nil || ErrorList(nil).Err() != nil {
		t.Error("Err must be nil exactly for an empty list")
	}
	if got := (Diagnostic{Msg: "no position"}).Error(); got != "no position" {
		t.Errorf("diagnostic without position: %q", got)
	}
}

// TestPosition checks the resolution of positions, with CRLF line ends and
// offsets past the end.
func TestPosition(t *testing.T) {
	f := NewFile("p.tick", []byte("ab\r\ncd\n\nx"))
	for _, tt := range []struct {
		off       int
		line, col int
		lineText  string
	}{
		{0, 1, 1, "ab"},
		{4, 2, 1, "cd"},
		{5, 2, 2, "cd"},
		{7, 3, 1, ""},
		{8, 4, 1, "x"},
		{9, 4, 2, "x"},
		{99, 4, 2, "x"},
	} {
		p := f.Position(f.Pos(tt.off))
		if p.Line != tt.line || p.Column != tt.col {
			t.Errorf("offset %d: %d:%d, want %d:%d", tt.off, p.Line, p.Column, tt.line, tt.col)
		}
		if got := string(f.Line(p.Line)); got != tt.lineText {
			t.Errorf("line %d: %q, want %q", p.Line, got, tt.lineText)
		}
	}
	if got := f.Position(NoPos).String(); got != "p.tick" {
		t.Errorf("NoPos: %q", got)
	}
	if got := (Position{Line: 3, Column: 4}).String(); got != "3:4" {
		t.Errorf("no file name: %q", got)
	}
}

// TestSnippetInvalidUTF8 checks that the caret stays under its column when
// the line holds bytes that are not UTF-8.
func TestSnippetInvalidUTF8(t *testing.T) {
	f := NewFile("u.tick", []byte("var a = '\xff\xfe' + )"))
	got := f.Snippet(f.Position(f.Pos(15))) // the ")"
	want := "  | var a = '\uFFFD\uFFFD' + )\n  |                ^\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
