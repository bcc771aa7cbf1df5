package parser

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxErrors is how many diagnostics ErrorList.Error prints before it sums up
// the rest as "and N more errors".
const MaxErrors = 10

// Diagnostic is one positioned message of any stage. Msg is lowercase and has
// no stage prefix.
type Diagnostic struct {
	Pos Position
	Msg string
}

// Error returns "file:line:col: message".
func (d Diagnostic) Error() string {
	if !d.Pos.IsValid() && d.Pos.Filename == "" {
		return d.Msg
	}
	return d.Pos.String() + ": " + d.Msg
}

// ErrorList is a list of diagnostics. Its Error method prints them one per
// line, sorted, capped at MaxErrors. The zero value is an empty list ready
// to use.
type ErrorList []Diagnostic

// Add appends a diagnostic at pos.
func (l *ErrorList) Add(pos Position, msg string) {
	*l = append(*l, Diagnostic{Pos: pos, Msg: msg})
}

// Addf appends a diagnostic at pos with a formatted message.
func (l *ErrorList) Addf(pos Position, format string, args ...any) {
	l.Add(pos, fmt.Sprintf(format, args...))
}

// Len returns the number of diagnostics; with Less and Swap it makes the
// list a sort.Interface.
func (l ErrorList) Len() int { return len(l) }

// Swap swaps two diagnostics.
func (l ErrorList) Swap(i, j int) { l[i], l[j] = l[j], l[i] }

// Less orders diagnostics by file, line, column, then message.
func (l ErrorList) Less(i, j int) bool {
	a, b := l[i].Pos, l[j].Pos
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	return l[i].Msg < l[j].Msg
}

// Sort sorts the list in place and drops exact duplicates.
func (l *ErrorList) Sort() {
	sort.Stable(*l)
	out := (*l)[:0]
	for i, d := range *l {
		if i > 0 && d == (*l)[i-1] {
			continue
		}
		out = append(out, d)
	}
	*l = out
}

// sorted returns a sorted copy of the list without duplicates.
func (l ErrorList) sorted() ErrorList {
	c := append(ErrorList(nil), l...)
	c.Sort()
	return c
}

// Error prints up to MaxErrors diagnostics, sorted, one per line, and "and N
// more errors" for the rest.
func (l ErrorList) Error() string {
	l = l.sorted()
	var b strings.Builder
	for i, d := range l {
		if i == MaxErrors {
			fmt.Fprintf(&b, "\nand %d more errors", len(l)-MaxErrors)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Render prints the diagnostics like Error, sorted, each followed by a snippet of its
// source line with a caret under the column, when one of files has that name:
//
//	cpu.tick:4:19: unknown property "perod" on window
//	  |     |window().perod(10s)
//	  |               ^
func (l ErrorList) Render(files ...*File) string {
	l = l.sorted()
	var b strings.Builder
	for i, d := range l {
		if i == MaxErrors {
			fmt.Fprintf(&b, "and %d more errors\n", len(l)-MaxErrors)
			break
		}
		b.WriteString(d.Error())
		b.WriteByte('\n')
		for _, f := range files {
			if f != nil && f.Name() == d.Pos.Filename {
				b.WriteString(f.Snippet(d.Pos))
				break
			}
		}
	}
	return b.String()
}

// Snippet returns the source line of pos and a caret under its column, each
// line prefixed by "  | ", or "" when the line does not exist. Tabs are kept
// so that the caret lines up.
func (f *File) Snippet(pos Position) string {
	line := f.Line(pos.Line)
	if line == nil || pos.Column < 1 {
		return ""
	}
	col := pos.Column - 1
	if col > len(line) {
		col = len(line)
	}
	// Each invalid byte shows as U+FFFD, one column wide like any character.
	var text, pad strings.Builder
	for i := 0; i < len(line); {
		r, w := utf8.DecodeRune(line[i:])
		text.WriteRune(r)
		if i < col {
			if r == '\t' {
				pad.WriteByte('\t')
			} else {
				pad.WriteByte(' ')
			}
		}
		i += w
	}
	return "  | " + text.String() + "\n  | " + pad.String() + "^\n"
}
