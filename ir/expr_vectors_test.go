package ir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// The lambda vectors of the conformance corpus: expressions with the result or
// the error a real Kapacitor gives on a point. See the README next to the file.
var vectorsPath = filepath.Join("..", "..", "shared", "conformance", "lambda", "vectors.json")

type vecTyped struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

type vecPoint struct {
	Time   string              `json:"time"`
	Fields map[string]vecTyped `json:"fields"`
	Tags   map[string]string   `json:"tags"`
}

type vector struct {
	Name    string              `json:"name"`
	Source  string              `json:"source"`
	Expr    string              `json:"expr"`
	Time    string              `json:"time"`
	Fields  map[string]vecTyped `json:"fields"`
	Tags    map[string]string   `json:"tags"`
	History []vecPoint          `json:"history"`
	Want    *vecTyped           `json:"want"`
	Error   *string             `json:"error"`
	Stage   string              `json:"stage"`
}

func TestExprVectors(t *testing.T) {
	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Skipf("lambda vectors not available (%v): the conformance corpus sits next to the repository", err)
	}
	var vectors []vector
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&vectors); err != nil {
		t.Fatalf("decoding %s: %v", vectorsPath, err)
	}
	saved := time.Local
	time.Local = time.UTC
	defer func() { time.Local = saved }()

	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			if err := runVector(v, false); err != nil {
				t.Errorf("%s\n  expr: %s\n  %v", v.Source, v.Expr, err)
			}
			if err := runVector(v, true); err != nil {
				t.Errorf("%s\n  expr: %s\n  after FoldExpr: %v", v.Source, v.Expr, err)
			}
		})
	}
}

// runVector compiles, checks and evaluates one vector and describes how the
// outcome differs from the expected one, or returns nil. With fold, the
// checked expression is constant-folded before it is evaluated, which must not
// change the outcome.
func runVector(v vector, fold bool) error {
	x, err := parser.ParseExpr(v.Expr)
	if err != nil {
		return fmt.Errorf("parse: %v", err)
	}
	e, err := LowerExpr(x, nil, nil)
	if err != nil {
		return fmt.Errorf("lower: %v", err)
	}
	errs, _ := CheckExpr(e)
	if v.Stage == "compile" {
		if len(errs) == 0 {
			return fmt.Errorf("compiled, want compile error %q", *v.Error)
		}
		if !strings.Contains(errs.Error(), *v.Error) {
			return fmt.Errorf("compile error %q, want %q", errs.Error(), *v.Error)
		}
		return nil
	}
	if len(errs) > 0 {
		return fmt.Errorf("unexpected compile error: %v", errs)
	}
	if fold {
		e = FoldExpr(e)
	}
	in := NewExprInstance(e)
	for i, h := range v.History {
		p, err := vecPointOf(h.Time, h.Fields, h.Tags)
		if err != nil {
			return fmt.Errorf("history %d: %v", i, err)
		}
		_, _ = in.Eval(p)
	}
	p, err := vecPointOf(v.Time, v.Fields, v.Tags)
	if err != nil {
		return err
	}
	got, err := in.Eval(p)
	if err == nil {
		got, err = stdlib.Result(got)
	}
	if v.Error != nil {
		if err == nil {
			return fmt.Errorf("got %v, want error %q", got, *v.Error)
		}
		if !strings.Contains(err.Error(), *v.Error) {
			return fmt.Errorf("error %q, want %q", err, *v.Error)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("error %q, want %s %s", err, v.Want.Type, v.Want.Value)
	}
	want, err := vecValue(*v.Want)
	if err != nil {
		return err
	}
	if !sameValue(got, want) {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	return nil
}

func vecPointOf(ts string, fields map[string]vecTyped, tags map[string]string) (Point, error) {
	tm, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return Point{}, err
	}
	p := Point{Time: tm.UnixNano(), Fields: map[string]stdlib.Value{}, Tags: tags}
	for k, f := range fields {
		val, err := vecValue(f)
		if err != nil {
			return Point{}, fmt.Errorf("field %s: %v", k, err)
		}
		p.Fields[k] = val
	}
	return p, nil
}

func vecValue(tv vecTyped) (stdlib.Value, error) {
	raw := strings.TrimSpace(string(tv.Value))
	switch tv.Type {
	case "float":
		switch raw {
		case `"NaN"`:
			return stdlib.Float(math.NaN()), nil
		case `"+Inf"`:
			return stdlib.Float(math.Inf(1)), nil
		case `"-Inf"`:
			return stdlib.Float(math.Inf(-1)), nil
		}
		f, err := strconv.ParseFloat(raw, 64)
		return stdlib.Float(f), err
	case "int":
		i, err := strconv.ParseInt(raw, 10, 64)
		return stdlib.Int(i), err
	case "duration":
		i, err := strconv.ParseInt(raw, 10, 64)
		return stdlib.Duration(time.Duration(i)), err
	case "string":
		var s string
		err := json.Unmarshal(tv.Value, &s)
		return stdlib.String(s), err
	case "bool":
		var b bool
		err := json.Unmarshal(tv.Value, &b)
		return stdlib.Bool(b), err
	}
	return stdlib.Missing, fmt.Errorf("unknown value type %q", tv.Type)
}

// sameValue compares results as the vectors README asks: same type, floats
// bit for bit except that any NaN equals any NaN.
func sameValue(a, b stdlib.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	if a.Type() == stdlib.TypeFloat {
		x, y := a.Float(), b.Float()
		if math.IsNaN(x) && math.IsNaN(y) {
			return true
		}
		return math.Float64bits(x) == math.Float64bits(y)
	}
	return a.Equal(b)
}

// TestExprNoPanic evaluates every vector expression on points whose fields
// have each of the value types, and on a point without fields: whatever the
// outcome, the interpreter must not panic.
func TestExprNoPanic(t *testing.T) {
	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Skipf("lambda vectors not available (%v)", err)
	}
	var vectors []vector
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	values := []stdlib.Value{stdlib.Float(-1.5), stdlib.Int(0), stdlib.String(""), stdlib.Bool(true)}
	for _, v := range vectors {
		x, err := parser.ParseExpr(v.Expr)
		if err != nil {
			continue
		}
		e, err := LowerExpr(x, nil, nil)
		if err != nil {
			continue
		}
		FoldExpr(e)
		CheckExpr(e)
		in := NewExprInstance(e)
		in.Eval(Point{})
		for _, val := range values {
			p := Point{Fields: map[string]stdlib.Value{}, Tags: map[string]string{}}
			for _, name := range Refs(e) {
				p.Fields[name] = val
			}
			in.Eval(p)
		}
	}
}
