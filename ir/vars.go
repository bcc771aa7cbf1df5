package ir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// DefineVar is one define-time var: the value a task definition supplies for
// a var of the script, in Kapacitor's JSON shape
// {"name": {"type": "float", "value": 0.5, "description": "…"}}.
type DefineVar struct {
	Type  string // bool int float string regex duration lambda list star
	Value stdlib.Value
	// Lambda is the expression text of a lambda var, without "lambda:".
	Lambda string
	// List holds the elements of a list var.
	List []DefineVar
}

// ParseVars decodes a define-time vars file in Kapacitor's JSON shape. Each
// value is checked against its type: durations are integer nanoseconds or a
// string such as "5m", lambdas are expression text, lists are arrays of
// {type, value} objects and star vars have no value.
func ParseVars(data []byte) (map[string]DefineVar, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("invalid vars file: %v", err)
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make(map[string]DefineVar, len(raw))
	var errs []string
	for _, name := range names {
		v, err := decodeVar(raw[name])
		if err != nil {
			errs = append(errs, fmt.Sprintf("var %s: %v", name, err))
			continue
		}
		out[name] = v
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid vars file: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

// decodeVar decodes one {type, value} object.
func decodeVar(data json.RawMessage) (DefineVar, error) {
	var obj struct {
		Type        string          `json:"type"`
		Value       json.RawMessage `json:"value"`
		Description string          `json:"description"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return DefineVar{}, err
	}
	v := DefineVar{Type: obj.Type}
	var x any
	if len(obj.Value) > 0 {
		dec := json.NewDecoder(bytes.NewReader(obj.Value))
		dec.UseNumber()
		if err := dec.Decode(&x); err != nil {
			return v, err
		}
	}
	bad := func() (DefineVar, error) {
		return v, fmt.Errorf("invalid value %s for type %s", strings.TrimSpace(string(obj.Value)), obj.Type)
	}
	switch obj.Type {
	case "bool":
		b, ok := x.(bool)
		if !ok {
			return bad()
		}
		v.Value = stdlib.Bool(b)
	case "int":
		n, ok := x.(json.Number)
		if !ok {
			return bad()
		}
		i, err := n.Int64()
		if err != nil {
			return bad()
		}
		v.Value = stdlib.Int(i)
	case "float":
		n, ok := x.(json.Number)
		if !ok {
			return bad()
		}
		f, err := n.Float64()
		if err != nil {
			return bad()
		}
		v.Value = stdlib.Float(f)
	case "string":
		s, ok := x.(string)
		if !ok {
			return bad()
		}
		v.Value = stdlib.String(s)
	case "regex":
		s, ok := x.(string)
		if !ok {
			return bad()
		}
		re, err := regexp.Compile(s)
		if err != nil {
			return v, fmt.Errorf("invalid regex %q: %v", s, err)
		}
		v.Value = stdlib.Regex(re)
	case "duration":
		switch d := x.(type) {
		case json.Number:
			i, err := d.Int64()
			if err != nil {
				return bad()
			}
			v.Value = stdlib.Duration(time.Duration(i))
		case string:
			dur, err := parseDuration(d)
			if err != nil {
				return v, err
			}
			v.Value = stdlib.Duration(dur)
		default:
			return bad()
		}
	case "lambda":
		s, ok := x.(string)
		if !ok {
			return bad()
		}
		v.Lambda = s
	case "list":
		var elems []json.RawMessage
		if err := json.Unmarshal(obj.Value, &elems); err != nil {
			return bad()
		}
		for _, e := range elems {
			ev, err := decodeVar(e)
			if err != nil {
				return v, err
			}
			v.List = append(v.List, ev)
		}
	case "star":
	default:
		return v, fmt.Errorf("invalid var type %q", obj.Type)
	}
	return v, nil
}

// parseDuration parses a TICKscript duration such as "5m", "10s" or "1w"
// (digits and one unit among u µ ms s m h d w); Go's forms like "1h30m" are
// accepted too, as influxql.ParseDuration does.
func parseDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"ms", time.Millisecond}, {"us", time.Microsecond}, {"u", time.Microsecond}, {"µ", time.Microsecond},
		{"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}}
	for _, u := range units {
		digits, ok := strings.CutSuffix(s, u.suffix)
		if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
			continue
		}
		var n int64
		for _, c := range digits {
			if n > (math.MaxInt64-9)/10 {
				return 0, fmt.Errorf("duration %q out of range", s)
			}
			n = n*10 + int64(c-'0')
		}
		if n > math.MaxInt64/int64(u.unit) {
			return 0, fmt.Errorf("duration %q out of range", s)
		}
		return time.Duration(n) * u.unit, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	return 0, fmt.Errorf("invalid duration %q", s)
}

// defineValue turns a define-time var into a value of the script; a lambda is
// parsed and checked like one written in the script.
func (l *lowerer) defineValue(dv DefineVar, at parser.Pos) (value, bool) {
	switch dv.Type {
	case "lambda":
		x, err := parser.ParseExpr(dv.Lambda)
		if err != nil {
			l.errorf(at, "invalid lambda for var: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
			return value{}, false
		}
		e, err := LowerExpr(x, nil, l.exprScope())
		if err != nil {
			l.errorf(at, "invalid lambda for var: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
			return value{}, false
		}
		if errs, _ := CheckExpr(e); len(errs) > 0 {
			l.errorf(at, "invalid lambda for var: %s", strings.ReplaceAll(errs.Error(), "\n", "; "))
			return value{}, false
		}
		repositionExpr(e, l.pos(at))
		lam := &Lambda{Expr: e, Pos: l.pos(at), Stateful: len(StatefulFuncs(e)) > 0}
		return value{kind: vLambda, lambda: lam, pos: at}, true
	case "list":
		v := value{kind: vList, pos: at}
		for _, e := range dv.List {
			ev, ok := l.defineValue(e, at)
			if !ok {
				return value{}, false
			}
			v.list = append(v.list, ev)
		}
		return v, true
	case "star":
		return value{kind: vStar, pos: at}, true
	}
	return value{kind: vScalar, val: dv.Value, pos: at}, true
}

// repositionExpr places every node of e, parsed from a define-time var's
// text, at p: the var statement that receives it.
func repositionExpr(e Expr, p Pos) {
	Walk(e, func(x Expr) {
		switch x := x.(type) {
		case *Literal:
			x.At = p
		case *Ref:
			x.At = p
		case *TimeRef:
			x.At = p
		case *Binary:
			x.At = p
		case *Unary:
			x.At = p
		case *FuncCall:
			x.At = p
		}
	})
}

// zeroDefineVar is the value a template var of type typ has when define time
// supplies none, as in Kapacitor's template definition: the type's zero value.
func zeroDefineVar(typ string) DefineVar {
	dv := DefineVar{Type: typ}
	switch typ {
	case "bool":
		dv.Value = stdlib.Bool(false)
	case "int":
		dv.Value = stdlib.Int(0)
	case "float":
		dv.Value = stdlib.Float(0)
	case "string":
		dv.Value = stdlib.String("")
	case "duration":
		dv.Value = stdlib.Duration(0)
	case "regex":
		dv.Value = stdlib.Regex(regexp.MustCompile(""))
	case "lambda":
		dv.Lambda = "TRUE"
	}
	return dv
}
