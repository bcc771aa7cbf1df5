package codegen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/codegen/gobuild"
	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// The lambda vectors of the conformance corpus, next to the repository.
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
	Expr    string              `json:"expr"`
	Time    string              `json:"time"`
	Fields  map[string]vecTyped `json:"fields"`
	Tags    map[string]string   `json:"tags"`
	History []vecPoint          `json:"history"`
	Want    *vecTyped           `json:"want"`
	Error   *string             `json:"error"`
	Stage   string              `json:"stage"`
}

// vecCase is a vector that compiles, ready to run.
type vecCase struct {
	v       vector
	expr    ir.Expr
	history []ir.Point
	point   ir.Point
	interp  string // the interpreter's outcome, in outcome's format
}

// TestLambdaVectors compiles every lambda vector that passes the compile-time
// check into one generated program, runs it, and compares each outcome with
// the expression interpreter's (exactly: type, value bits, error text) and
// with Kapacitor's in the vector.
func TestLambdaVectors(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Skipf("lambda vectors not available (%v): the conformance corpus sits next to the repository", err)
	}
	var vectors []vector
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&vectors); err != nil {
		t.Fatal(err)
	}
	saved := time.Local
	time.Local = time.UTC
	defer func() { time.Local = saved }()

	var cases []*vecCase
	for _, v := range vectors {
		if v.Stage == "compile" {
			continue // the type checker's business, tested in ir
		}
		c, err := prepareVector(v)
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		cases = append(cases, c)
	}
	src, err := vectorProgram(cases)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "vectors")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := gobuild.Build(ctx, []gobuild.Program{{Name: "vectors", Source: src, Output: bin}}, gobuild.Options{CacheDir: testCache()}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running the vectors program: %v", err)
	}
	got := map[int]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		i, rest, _ := strings.Cut(sc.Text(), " ")
		n, err := strconv.Atoi(i)
		if err != nil {
			t.Fatalf("bad output line %q", sc.Text())
		}
		got[n] = rest
	}
	for i, c := range cases {
		g, ok := got[i]
		if !ok {
			t.Errorf("%s: no outcome", c.v.Name)
			continue
		}
		if g != c.interp {
			t.Errorf("%s: %s\n  generated:   %s\n  interpreter: %s", c.v.Name, c.v.Expr, g, c.interp)
			continue
		}
		if err := checkVector(c.v, g); err != nil {
			t.Errorf("%s: %s: %v", c.v.Name, c.v.Expr, err)
		}
	}
	t.Logf("%d vectors run through generated code", len(cases))
}

// prepareVector compiles a vector's expression and computes the
// interpreter's outcome.
func prepareVector(v vector) (*vecCase, error) {
	x, err := parser.ParseExpr(v.Expr)
	if err != nil {
		return nil, fmt.Errorf("parse: %v", err)
	}
	e, err := ir.LowerExpr(x, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("lower: %v", err)
	}
	if errs, _ := ir.CheckExpr(e); len(errs) > 0 {
		return nil, fmt.Errorf("check: %v", errs)
	}
	c := &vecCase{v: v, expr: e}
	for _, h := range v.History {
		p, err := vecPointOf(h.Time, h.Fields, h.Tags)
		if err != nil {
			return nil, err
		}
		c.history = append(c.history, p)
	}
	if c.point, err = vecPointOf(v.Time, v.Fields, v.Tags); err != nil {
		return nil, err
	}
	in := ir.NewExprInstance(e)
	for _, h := range c.history {
		_, _ = in.Eval(h)
	}
	res, err := in.Eval(c.point)
	if err == nil {
		res, err = stdlib.Result(res)
	}
	c.interp = outcome(res, err)
	return c, nil
}

// outcome writes a result as the generated program prints it.
func outcome(v stdlib.Value, err error) string {
	if err != nil {
		return "err " + strconv.Quote(err.Error())
	}
	if v.Type() == stdlib.TypeFloat {
		if math.IsNaN(v.Float()) {
			return "ok float NaN" // every NaN is the same NaN to Kapacitor's JSON
		}
		return fmt.Sprintf("ok float %x", math.Float64bits(v.Float()))
	}
	return fmt.Sprintf("ok %s %q", v.Type(), v.Literal())
}

// checkVector compares an outcome with what Kapacitor gave.
func checkVector(v vector, got string) error {
	if v.Error != nil {
		if !strings.HasPrefix(got, "err ") {
			return fmt.Errorf("got %s, want error %q", got, *v.Error)
		}
		msg, _ := strconv.Unquote(strings.TrimPrefix(got, "err "))
		if !strings.Contains(msg, *v.Error) {
			return fmt.Errorf("error %q, want %q", msg, *v.Error)
		}
		return nil
	}
	want, err := vecValue(*v.Want)
	if err != nil {
		return err
	}
	if w := outcome(want, nil); got != w {
		return fmt.Errorf("got %s, want %s", got, w)
	}
	return nil
}

/*
vectorProgram generates the test program:

	var cases = []vcase{{l: &v0Lambda{}, history: []vpoint{…}, p: vpoint{…}}, …}

	func main() {
		for i, c := range cases {
			… evaluate the history, then the point, print the outcome …
		}
	}
*/
func vectorProgram(cases []*vecCase) ([]byte, error) {
	g := &generator{
		prog:    &ir.Program{File: "vectors.tick", Task: "vectors"},
		names:   newNamer(),
		vars:    map[*ir.Node]string{},
		lambdas: map[*ir.Lambda]string{},
		wheres:  map[*ir.Node]*ir.Lambda{},
		regexes: map[string]string{},
	}
	point := func(p ir.Point) jen.Code {
		var tags, fields []jen.Code
		for _, k := range sortedKeys(p.Tags) {
			tags = append(tags, jen.Values(jen.Lit(k), jen.Lit(p.Tags[k])))
		}
		for _, k := range sortedKeys(p.Fields) {
			fields = append(fields, jen.Values(jen.Lit(k), g.constant(p.Fields[k])))
		}
		return jen.Id("vpoint").Values(intLit(p.Time), jen.Qual(rt, "Tags").Values(tags...), jen.Qual(rt, "Fields").Values(fields...))
	}
	var items []jen.Code
	for i, c := range cases {
		typ := g.lambdaType(&ir.Lambda{Expr: c.expr}, fmt.Sprintf("v%d", i))
		var hist []jen.Code
		for _, h := range c.history {
			hist = append(hist, point(h))
		}
		items = append(items, jen.Values(jen.Op("&").Id(typ).Values(), jen.Index().Id("vpoint").Values(hist...), point(c.point)))
	}
	f := jen.NewFile("main")
	f.ImportAlias(rt, "tickrt")
	f.Type().Id("vpoint").Struct(jen.Id("t").Int64(), jen.Id("tags").Qual(rt, "Tags"), jen.Id("fields").Qual(rt, "Fields"))
	f.Type().Id("vcase").Struct(jen.Id("l").Qual(rt, "Lambda"), jen.Id("history").Index().Id("vpoint"), jen.Id("p").Id("vpoint"))
	f.Var().Id("cases").Op("=").Index().Id("vcase").Values(items...)
	f.Func().Id("main").Params().Block(
		jen.For(jen.List(jen.Id("i"), jen.Id("c")).Op(":=").Range().Id("cases")).Block(
			jen.For(jen.List(jen.Id("_"), jen.Id("h")).Op(":=").Range().Id("c").Dot("history")).Block(
				jen.List(jen.Id("_"), jen.Id("_")).Op("=").Id("c").Dot("l").Dot("Eval").Call(jen.Id("h").Dot("t"), jen.Id("h").Dot("tags"), jen.Id("h").Dot("fields")),
			),
			jen.List(jen.Id("v"), jen.Err()).Op(":=").Id("c").Dot("l").Dot("Eval").Call(jen.Id("c").Dot("p").Dot("t"), jen.Id("c").Dot("p").Dot("tags"), jen.Id("c").Dot("p").Dot("fields")),
			jen.If(jen.Err().Op("==").Nil()).Block(jen.List(jen.Id("v"), jen.Err()).Op("=").Qual(std, "Result").Call(jen.Id("v"))),
			jen.Switch().Block(
				jen.Case(jen.Err().Op("!=").Nil()).Block(jen.Qual("fmt", "Printf").Call(jen.Lit("%d err %q\n"), jen.Id("i"), jen.Err().Dot("Error").Call())),
				jen.Case(jen.Id("v").Dot("Type").Call().Op("==").Qual(std, "TypeFloat").Op("&&").Qual("math", "IsNaN").Call(jen.Id("v").Dot("Float").Call())).Block(
					jen.Qual("fmt", "Printf").Call(jen.Lit("%d ok float NaN\n"), jen.Id("i"))),
				jen.Case(jen.Id("v").Dot("Type").Call().Op("==").Qual(std, "TypeFloat")).Block(
					jen.Qual("fmt", "Printf").Call(jen.Lit("%d ok float %x\n"), jen.Id("i"), jen.Qual("math", "Float64bits").Call(jen.Id("v").Dot("Float").Call()))),
				jen.Default().Block(jen.Qual("fmt", "Printf").Call(jen.Lit("%d ok %s %q\n"), jen.Id("i"), jen.Id("v").Dot("Type").Call(), jen.Id("v").Dot("Literal").Call())),
			),
		),
	)
	g.addDecls(f)
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func vecPointOf(ts string, fields map[string]vecTyped, tags map[string]string) (ir.Point, error) {
	tm, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ir.Point{}, err
	}
	p := ir.Point{Time: tm.UnixNano(), Fields: map[string]stdlib.Value{}, Tags: tags}
	for k, f := range fields {
		val, err := vecValue(f)
		if err != nil {
			return ir.Point{}, fmt.Errorf("field %s: %v", k, err)
		}
		p.Fields[k] = val
	}
	return p, nil
}

// vecValue decodes a typed value of the vectors file.
func vecValue(tv vecTyped) (stdlib.Value, error) {
	switch tv.Type {
	case "float":
		var s string
		if json.Unmarshal(tv.Value, &s) == nil {
			switch s {
			case "NaN":
				return stdlib.Float(math.NaN()), nil
			case "+Inf":
				return stdlib.Float(math.Inf(1)), nil
			case "-Inf":
				return stdlib.Float(math.Inf(-1)), nil
			}
			return stdlib.Missing, fmt.Errorf("bad float %q", s)
		}
		f, err := strconv.ParseFloat(string(tv.Value), 64)
		return stdlib.Float(f), err
	case "int":
		i, err := strconv.ParseInt(string(tv.Value), 10, 64)
		return stdlib.Int(i), err
	case "duration":
		i, err := strconv.ParseInt(string(tv.Value), 10, 64)
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
	return stdlib.Missing, fmt.Errorf("unknown type %q", tv.Type)
}
