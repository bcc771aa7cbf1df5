package codegen

import (
	"go/token"
	"strconv"
	"strings"
	"unicode"
)

// namer hands out Go identifiers that are unique in the generated file, made
// readable from TICKscript names: "cpu" + "window" becomes cpuWindow.
type namer struct {
	used map[string]bool
}

// reserved are the identifiers the generated file itself declares or imports.
var reserved = []string{"main", "build", "spec", "t", "err", "os", "fmt", "math", "time", "strings", "tickrt", "stdlib", "p", "b", "n", "g"}

func newNamer() *namer {
	nm := &namer{used: map[string]bool{}}
	for _, r := range reserved {
		nm.used[r] = true
	}
	return nm
}

// name returns a fresh identifier built from parts, camel-cased, e.g.
// name("cpu", "window") is "cpuWindow", then "cpuWindow2", "cpuWindow3", …
func (nm *namer) name(parts ...string) string {
	base := camel(parts...)
	if base == "" {
		base = "x"
	}
	if !nm.used[base] && !isPredeclared(base) {
		nm.used[base] = true
		return base
	}
	for i := 2; ; i++ {
		n := base + strconv.Itoa(i)
		if !nm.used[n] {
			nm.used[n] = true
			return n
		}
	}
}

// camel joins parts into one lower camel-case Go identifier, dropping the
// characters an identifier cannot hold.
func camel(parts ...string) string {
	var b strings.Builder
	upper := false
	for _, part := range parts {
		for _, r := range part {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				upper = b.Len() > 0
				continue
			}
			if b.Len() == 0 {
				if unicode.IsDigit(r) {
					b.WriteByte('x')
				}
				b.WriteRune(unicode.ToLower(r))
				continue
			}
			if upper {
				r = unicode.ToUpper(r)
				upper = false
			}
			b.WriteRune(r)
		}
		upper = b.Len() > 0
	}
	return b.String()
}

func isPredeclared(s string) bool {
	if token.IsKeyword(s) {
		return true
	}
	switch s {
	case "bool", "byte", "complex64", "complex128", "error", "float32", "float64",
		"int", "int8", "int16", "int32", "int64", "rune", "string",
		"uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "any", "comparable",
		"true", "false", "iota", "nil", "append", "cap", "clear", "close", "complex",
		"copy", "delete", "imag", "len", "make", "max", "min", "new", "panic", "print",
		"println", "real", "recover":
		return true
	}
	return false
}
