package ir

import (
	"testing"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// sampleArg returns a value of type t for table tests.
func sampleArg(t argType) value {
	switch t {
	case aString, aDim, aQueryDim:
		return value{kind: vScalar, val: stdlib.String("x")}
	case aInt, aRate:
		return value{kind: vScalar, val: stdlib.Int(2)}
	case aFloat, aScalar, aFill:
		return value{kind: vScalar, val: stdlib.Float(0.5)}
	case aBool:
		return value{kind: vScalar, val: stdlib.Bool(true)}
	case aDuration, aOption:
		return value{kind: vScalar, val: stdlib.Duration(1e9)}
	case aLambda:
		return value{kind: vLambda, lambda: &Lambda{Expr: &Literal{Value: stdlib.Bool(true)}}}
	case aNode:
		return value{kind: vNode, node: &Node{Kind: KindStream, Provides: StreamEdge}}
	}
	return value{}
}

func sampleArgs(s signature) args {
	var a args
	for _, t := range s.params {
		a = append(a, sampleArg(t))
	}
	if s.variadic != aNone {
		a = append(a, sampleArg(s.variadic))
	}
	return a
}

// TestTableConsistency runs every constructor and property setter of the node
// table on a fresh node of its kind, so that a setter that asserts the wrong
// props type or reads a missing argument fails here.
func TestTableConsistency(t *testing.T) {
	for name, m := range methods {
		if m.name != name {
			t.Errorf("method %q is listed as %q", m.name, name)
		}
		n := &Node{Kind: m.kind, Props: newProps(m.kind)}
		if n.Props == nil {
			t.Errorf("method %s: kind %s has no props", name, m.kind)
			continue
		}
		if m.init != nil && name != "join" && name != "union" {
			m.init(nil, n, sampleArgs(m.sig))
		}
		if _, ok := propSets[m.kind.String()]; !ok {
			t.Errorf("kind %s (method %s) has no property set", m.kind, name)
		}
		for _, p := range propSets[m.kind.String()] {
			p.set(nil, n, sampleArgs(p.sig))
		}
	}
	for k := KindStream; k < numKinds; k++ {
		if newProps(k) == nil {
			t.Errorf("kind %s has no props", k)
		}
		if _, ok := propSets[k.String()]; !ok && k != KindFused {
			t.Errorf("kind %s has no property set", k)
		}
	}
	for _, set := range [][]string{chainMethods, streamMethods, batchMethods, terminalMethods} {
		for _, name := range set {
			if methods[name] == nil {
				t.Errorf("chain method %s is offered but not in the table", name)
			}
		}
	}
	if len(handlerList) != 25 {
		t.Errorf("%d alert handlers, Kapacitor has 25", len(handlerList))
	}
	seen := map[string]bool{}
	for _, h := range handlerList {
		if seen[h.name] {
			t.Errorf("handler %s listed twice", h.name)
		}
		seen[h.name] = true
	}
	// Kapacitor's 28 chain methods, 21 InfluxQL functions, stats and deadman.
	if got := len(chainMethods); got != 28+21+2 {
		t.Errorf("%d chain methods after a chain node, want 51", got)
	}
}

func TestSameName(t *testing.T) {
	for _, c := range []struct {
		name, want string
		ok         bool
	}{
		{"period", "period", true},
		{"Period", "period", true},
		{"URL", "URL", true},
		{"uRL", "URL", true},
		{"url", "URL", false},
		{"perio", "period", false},
	} {
		if got := sameName(c.name, c.want); got != c.ok {
			t.Errorf("sameName(%q, %q) = %v", c.name, c.want, got)
		}
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"period", "every", "align", "fillPeriod", "periodCount", "everyCount"}
	for _, c := range []struct{ name, want string }{
		{"perod", `; did you mean "period"?`},
		{"evry", `; did you mean "every"?`},
		{"Align", `; did you mean "align"?`},
		{"zzzzzz", ""},
	} {
		if got := suggest(c.name, names); got != c.want {
			t.Errorf("suggest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	if parser.EditDistance("kitten", "sitting") != 3 {
		t.Errorf("EditDistance(kitten, sitting) = %d, want 3", parser.EditDistance("kitten", "sitting"))
	}
}

func TestParseVars(t *testing.T) {
	vars, err := ParseVars([]byte(`{
		"f": {"type": "float", "value": 0.5},
		"i": {"type": "int", "value": 3},
		"d1": {"type": "duration", "value": 1000000000},
		"d2": {"type": "duration", "value": "5m"},
		"s": {"type": "string", "value": "x", "description": "a string"},
		"r": {"type": "regex", "value": "^a+$"},
		"l": {"type": "list", "value": [{"type": "string", "value": "a"}, {"type": "star"}]},
		"λ": {"type": "lambda", "value": "\"v\" > 1"},
		"*": {"type": "star"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if v := vars["f"].Value; v.Type() != stdlib.TypeFloat || v.Float() != 0.5 {
		t.Errorf("f = %v", formatValue(v))
	}
	if v := vars["i"].Value; v.Type() != stdlib.TypeInt || v.Int() != 3 {
		t.Errorf("i = %v", formatValue(v))
	}
	if a, b := vars["d1"].Value.Duration(), vars["d2"].Value.Duration(); a.String() != "1s" || b.String() != "5m0s" {
		t.Errorf("durations = %v %v", a, b)
	}
	if re := vars["r"].Value.Regex(); re == nil || !re.MatchString("aaa") {
		t.Errorf("regex = %v", re)
	}
	if l := vars["l"].List; len(l) != 2 || l[1].Type != "star" {
		t.Errorf("list = %+v", l)
	}
	if vars["λ"].Lambda != `"v" > 1` {
		t.Errorf("lambda = %q", vars["λ"].Lambda)
	}
	for _, bad := range []string{
		`{"x": {"type": "int", "value": 1.5}}`,
		`{"x": {"type": "float", "value": "1"}}`,
		`{"x": {"type": "time", "value": 1}}`,
		`{"x": {"type": "duration", "value": "5 minutes"}}`,
		`{"x": {"type": "regex", "value": "("}}`,
		`[1, 2]`,
	} {
		if _, err := ParseVars([]byte(bad)); err == nil {
			t.Errorf("ParseVars(%s) accepted it", bad)
		}
	}
}
