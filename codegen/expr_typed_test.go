package codegen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/codegen/gobuild"
	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// typedExprs are expressions whose lambdas get a typed fast path (and a few
// that must not), over the references a, b, c and s.
var typedExprs = []string{
	`"a" > 10.0`,
	`"a" > 10`,
	`"a" <= 9007199254740993`,
	`"a" >= "b"`,
	`"a" == "b"`,
	`"a" != 'x'`,
	`"s" < 'm' OR "s" == "c"`,
	`"a" + 1`,
	`"a" + 1.5`,
	`"a" * 2.0 + 1.0`,
	`1.0 - "a" * "b"`,
	`"a" - ("b" - "c")`,
	`"a" / 2`,
	`"a" / 2.0`,
	`"a" / 0`,
	`"a" / 0.0`,
	`"a" % 3`,
	`"a" / "b"`,
	`"a" % "b"`,
	`"a" * 9223372036854775807`,
	`"a" - -5`,
	`"a" > 0.1 + 0.2`,
	`-"a"`,
	`-(-"a")`,
	`-("a" + "b") * 2.0`,
	`!"a"`,
	`"a" AND "b"`,
	`"a" > 1.0 AND "b" < 2.0 OR "s" =~ /^h/`,
	`"s" !~ /x+/`,
	`"s" + 'x' == 'hx'`,
	`"a" < 5m`,
	`"a" == TRUE`,
	`"a" == "b" AND "b" == "c"`,
	`"a" * 1m > 1s`,
	`"a" + "b" + "c"`,
	`("a" + "b") * ("c" - 1.0)`,
}

// typedPoints give the references values of every type, including the
// ones where a fast path must step aside: ints for floats, NaN, missing
// references and a name that is both a field and a tag.
var typedPoints = []ir.Point{
	{Fields: map[string]stdlib.Value{"a": stdlib.Float(12.5), "b": stdlib.Float(-3), "c": stdlib.Float(0.25), "s": stdlib.String("host1")}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Float(10), "b": stdlib.Float(10), "c": stdlib.Float(10), "s": stdlib.String("m")}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Float(0.1), "b": stdlib.Float(0.2), "c": stdlib.Float(0.1)}, Tags: map[string]string{"s": "mx"}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Float(math.NaN()), "b": stdlib.Float(math.Inf(-1)), "c": stdlib.Float(math.Copysign(0, -1))}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Float(9007199254740992), "b": stdlib.Float(1e308), "c": stdlib.Float(1e308)}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Int(7), "b": stdlib.Int(-2), "c": stdlib.Int(3), "s": stdlib.String("hx")}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Int(math.MinInt64), "b": stdlib.Int(-1), "c": stdlib.Int(0)}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Int(10), "b": stdlib.Float(10), "c": stdlib.Int(0)}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Bool(true), "b": stdlib.Bool(false), "c": stdlib.Bool(false)}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Bool(true), "b": stdlib.Bool(true), "c": stdlib.Bool(true)}, Tags: map[string]string{"s": "axxb"}},
	{Tags: map[string]string{"a": "x", "b": "x", "c": "y", "s": "hello"}},
	{Fields: map[string]stdlib.Value{"b": stdlib.Float(1)}, Tags: map[string]string{"s": "h"}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Float(1), "b": stdlib.Float(2), "c": stdlib.Float(3)}, Tags: map[string]string{"a": "clash"}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Float(2), "b": stdlib.Int(2), "c": stdlib.Float(3), "s": stdlib.Float(1)}},
	{Fields: map[string]stdlib.Value{"a": stdlib.Duration(2 * time.Minute), "b": stdlib.Duration(time.Second), "c": stdlib.Duration(0)}},
}

// TestTypedPathAgreesWithInterpreter compiles each expression once and
// evaluates it on every point: generated code, fast path or not, must give
// exactly the interpreter's value or error.
func TestTypedPathAgreesWithInterpreter(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	g := &generator{
		prog:    &ir.Program{File: "typed.tick", Task: "typed"},
		names:   newNamer(),
		vars:    map[*ir.Node]string{},
		lambdas: map[*ir.Lambda]string{},
		wheres:  map[*ir.Node]*ir.Lambda{},
		regexes: map[string]string{},
	}
	var lambdas []jen.Code
	var want []string
	fast := 0
	for i, src := range typedExprs {
		x, err := parser.ParseExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		e, err := ir.LowerExpr(x, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if errs, _ := ir.CheckExpr(e); len(errs) > 0 {
			t.Fatalf("%s: %v", src, errs)
		}
		typ := g.lambdaType(&ir.Lambda{Expr: e}, fmt.Sprintf("x%d", i))
		lambdas = append(lambdas, jen.Op("&").Id(typ).Values())
		if (&exprEmitter{g: g, names: newLocalNamer(), refs: refVars(e)}).typedPath(e) != nil {
			fast++
		}
		for _, p := range typedPoints {
			v, err := ir.EvalExpr(e, p)
			want = append(want, outcome(v, err))
		}
	}
	if fast < len(typedExprs)*2/3 {
		t.Errorf("only %d of %d expressions have a fast path", fast, len(typedExprs))
	}
	points := typedPointsCode(g)
	f := jen.NewFile("main")
	f.ImportAlias(rt, "tickrt")
	f.Var().Id("lambdas").Op("=").Index().Qual(rt, "Lambda").Values(lambdas...)
	f.Var().Id("points").Op("=").Index().Struct(jen.Id("tags").Qual(rt, "Tags"), jen.Id("fields").Qual(rt, "Fields")).Values(points...)
	f.Func().Id("main").Params().Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("l")).Op(":=").Range().Id("lambdas")).Block(
			jen.For(jen.List(jen.Id("_"), jen.Id("p")).Op(":=").Range().Id("points")).Block(
				jen.List(jen.Id("v"), jen.Err()).Op(":=").Id("l").Dot("Eval").Call(jen.Lit(0), jen.Id("p").Dot("tags"), jen.Id("p").Dot("fields")),
				jen.Switch().Block(
					jen.Case(jen.Err().Op("!=").Nil()).Block(jen.Qual("fmt", "Printf").Call(jen.Lit("err %q\n"), jen.Err().Dot("Error").Call())),
					jen.Case(jen.Id("v").Dot("Type").Call().Op("==").Qual(std, "TypeFloat").Op("&&").Qual("math", "IsNaN").Call(jen.Id("v").Dot("Float").Call())).Block(
						jen.Qual("fmt", "Println").Call(jen.Lit("ok float NaN"))),
					jen.Case(jen.Id("v").Dot("Type").Call().Op("==").Qual(std, "TypeFloat")).Block(
						jen.Qual("fmt", "Printf").Call(jen.Lit("ok float %x\n"), jen.Qual("math", "Float64bits").Call(jen.Id("v").Dot("Float").Call()))),
					jen.Default().Block(jen.Qual("fmt", "Printf").Call(jen.Lit("ok %s %q\n"), jen.Id("v").Dot("Type").Call(), jen.Id("v").Dot("Literal").Call())),
				),
			),
		),
	)
	g.addDecls(f)
	out := runFile(t, f, "typed")
	var got []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		got = append(got, sc.Text())
	}
	if len(got) != len(want) {
		t.Fatalf("%d outcomes, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i] != w {
			x, p := typedExprs[i/len(typedPoints)], typedPoints[i%len(typedPoints)]
			t.Errorf("%s on %v %v:\n  generated:   %s\n  interpreter: %s", x, p.Fields, p.Tags, got[i], w)
		}
	}
}

// refVars names each reference of e after itself, as lambdaType does.
func refVars(e ir.Expr) map[string]string {
	m := map[string]string{}
	for _, name := range ir.Refs(e) {
		m[name] = strings.ToLower(name)
	}
	return m
}

// TestTypedPathCode checks the fast path of a few expressions as written.
func TestTypedPathCode(t *testing.T) {
	cases := []struct{ expr, want string }{
		{`"value" > 10.0 AND "host" != 'skip'`, `if value.Type() == stdlib.TypeFloat && host.Type() == stdlib.TypeString {
	return stdlib.Bool(value.Float() > 10.0 && host.Str() != "skip"), nil
}`},
		{`"value" * 2.0 + 1.0`, `if value.Type() == stdlib.TypeFloat {
	return stdlib.Float(float64(value.Float()*2.0) + 1.0), nil
}`},
		{`"n" % 2 == 0 OR "x" > 3`, `if n.Type() == stdlib.TypeInt && x.Type() == stdlib.TypeFloat {
	return stdlib.Bool(n.Int()%2 == 0 || x.Float() > 3.0), nil
}`},
		{`"a" - ("b" - "c")`, `if a.Type() == stdlib.TypeFloat && b.Type() == stdlib.TypeFloat && c.Type() == stdlib.TypeFloat {
	return stdlib.Float(a.Float() - (b.Float() - c.Float())), nil
}`},
		{`"a" / "b"`, `if a.Type() == stdlib.TypeFloat && b.Type() == stdlib.TypeFloat {
	return stdlib.Float(a.Float() / b.Float()), nil
}`},
		{`"s" =~ /^h/`, `if s.Type() == stdlib.TypeString {
	return stdlib.Bool(re1.MatchString(s.Str())), nil
}`},
		{`"a" / 0`, ``},
		{`abs("a") > 1.0`, ``},
		{`"a"`, ``},
	}
	for _, c := range cases {
		x, err := parser.ParseExpr(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		e, err := ir.LowerExpr(x, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		g := &generator{names: newNamer(), regexes: map[string]string{}}
		em := &exprEmitter{g: g, names: newLocalNamer(), refs: refVars(e)}
		var buf bytes.Buffer
		for _, s := range em.typedPath(e) {
			if err := jen.Add(s).Render(&buf); err != nil {
				t.Fatal(err)
			}
		}
		got := strings.ReplaceAll(buf.String(), "\"github.com/tickc/tickc/stdlib\".", "stdlib.")
		if got != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.expr, got, c.want)
		}
	}
}

// runFile renders f as a main package, builds it as name and returns what
// it prints.
func runFile(t *testing.T, f *jen.File, name string) []byte {
	t.Helper()
	var src bytes.Buffer
	if err := f.Render(&src); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), name)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := gobuild.Build(ctx, []gobuild.Program{{Name: name, Source: src.Bytes(), Output: bin}}, gobuild.Options{CacheDir: testCache()}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running the program: %v", err)
	}
	return out
}

// typedPointsCode writes typedPoints as Go composite literals of their
// tags and fields.
func typedPointsCode(g *generator) []jen.Code {
	var points []jen.Code
	for _, p := range typedPoints {
		var tags, fields []jen.Code
		for _, k := range sortedKeys(p.Tags) {
			tags = append(tags, jen.Values(jen.Lit(k), jen.Lit(p.Tags[k])))
		}
		for _, k := range sortedKeys(p.Fields) {
			fields = append(fields, jen.Values(jen.Lit(k), g.constant(p.Fields[k])))
		}
		points = append(points, jen.Values(jen.Qual(rt, "Tags").Values(tags...), jen.Qual(rt, "Fields").Values(fields...)))
	}
	return points
}
