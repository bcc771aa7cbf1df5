package parser

import (
	"fmt"
	"sort"
)

// Pos is a compact source position: the byte offset in its File plus one.
// The zero value, NoPos, means "no position".
type Pos int

// NoPos is the zero Pos, carried by nodes that have no place in the source.
const NoPos Pos = 0

// IsValid reports whether p is a real position.
func (p Pos) IsValid() bool { return p != NoPos }

// Position is a resolved source position.
type Position struct {
	Filename string // the file name given to ParseFile; empty if unknown
	Offset   int    // byte offset, starting at 0
	Line     int    // line number, starting at 1
	Column   int    // byte column, starting at 1
}

// IsValid reports whether the position has a line.
func (p Position) IsValid() bool { return p.Line > 0 }

// String returns "file:line:col", "line:col" without a file name, or "-" when
// the position is not valid.
func (p Position) String() string {
	if !p.IsValid() {
		if p.Filename != "" {
			return p.Filename
		}
		return "-"
	}
	if p.Filename == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

// File is the position table of one source: it resolves the Pos values of the
// nodes parsed from it and keeps the text for diagnostic snippets.
type File struct {
	name  string
	src   []byte
	lines []int // offset of the first byte of each line
}

// NewFile returns the position table of src, named name in positions.
func NewFile(name string, src []byte) *File {
	f := &File{name: name, src: src, lines: []int{0}}
	for i, c := range src {
		if c == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// Name returns the file name used in positions.
func (f *File) Name() string { return f.name }

// Source returns the text the file was made from.
func (f *File) Source() []byte { return f.src }

// Pos returns the Pos of a byte offset.
func (f *File) Pos(offset int) Pos { return Pos(offset + 1) }

// Offset returns the byte offset of p, or -1 for NoPos.
func (f *File) Offset(p Pos) int { return int(p) - 1 }

// Position resolves p to a file name, line and column. Offsets past the end of
// the source resolve to the end.
func (f *File) Position(p Pos) Position {
	if f == nil {
		return Position{}
	}
	if !p.IsValid() {
		return Position{Filename: f.name}
	}
	off := int(p) - 1
	if off > len(f.src) {
		off = len(f.src)
	}
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	return Position{Filename: f.name, Offset: off, Line: i + 1, Column: off - f.lines[i] + 1}
}

// Line returns the text of line n (1-based) without its newline, or nil.
func (f *File) Line(n int) []byte {
	if n < 1 || n > len(f.lines) {
		return nil
	}
	start := f.lines[n-1]
	end := len(f.src)
	if n < len(f.lines) {
		end = f.lines[n] - 1
	}
	if end > start && f.src[end-1] == '\r' {
		end--
	}
	return f.src[start:end]
}
