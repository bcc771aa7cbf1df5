package codegen

import (
	"fmt"
	"sort"
	"strings"
)

// Error is a positioned diagnostic of the code generator, such as a node kind
// the runtime does not implement yet.
type Error struct {
	File      string // the script's file name
	Line, Col int    // 1-based; 0 when the node has no position
	Msg       string // lowercase, no prefix
}

// Error returns "file:line:col: message".
func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorList is every diagnostic of one Generate call, sorted by position.
type ErrorList []*Error

// Error prints the diagnostics one per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		if l[i].Col != l[j].Col {
			return l[i].Col < l[j].Col
		}
		return l[i].Msg < l[j].Msg
	})
}
