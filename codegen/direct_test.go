package codegen

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/parser"
)

// directExprs add to typedExprs expressions with no fast path: calls,
// stateful functions, a lone reference, the time, values no check accepts.
var directExprs = []string{
	`abs("a") > 1.0`,
	`"a"`,
	`"s"`,
	`count()`,
	`sigma("a") > 0.5`,
	`"a" > 1.0 AND isPresent("b")`,
	`"time"`,
	`"time" > 1000`,
	`"a" > 1.0 AND "b"`,
	`TRUE`,
	`"a" == "b" OR count() > 3`,
}

// TestDirectMethodsAgreeWithEval compiles each expression into two
// lambdas, one with Test and one with Result, and runs every point
// through Eval (then stdlib.Predicate or stdlib.Result, as a node does) and
// through the direct method on the resolved references: both must give the
// same boolean, value or error, fast path or not. Stateful lambdas see the
// same points in the same order, so their states stay in step.
func TestDirectMethodsAgreeWithEval(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	g := &generator{
		prog:    &ir.Program{File: "direct.tick", Task: "direct"},
		names:   newNamer(),
		vars:    map[*ir.Node]string{},
		lambdas: map[*ir.Lambda]string{},
		wheres:  map[*ir.Node]*ir.Lambda{},
		regexes: map[string]string{},
	}
	g.needRef = true
	// Each case is a function main calls on every point: it prints the
	// outcome through Eval, a tab, and the outcome through the direct method.
	var cases []jen.Code
	srcs := append(append([]string(nil), typedExprs...), directExprs...)
	for i, src := range srcs {
		x, err := parser.ParseExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		for _, use := range []lambdaUse{useTest, useResult} {
			e, err := ir.LowerExpr(x, nil, nil)
			if err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			l := &ir.Lambda{Expr: e, Stateful: len(ir.StatefulFuncs(e)) > 0}
			typ, direct := g.directLambda(l, fmt.Sprintf("d%d", i), use)
			if !direct {
				t.Fatalf("%s: no direct method", src)
			}
			if again, direct := g.directLambda(l, "other", use); again != typ || direct {
				t.Fatalf("%s: a second directLambda gave %s, %v; want %s without a direct method", src, again, direct, typ)
			}
			cases = append(cases, directCase(typ, lambdaRefs(l), use))
		}
	}
	points := typedPointsCode(g)
	f := jen.NewFile("main")
	f.ImportAlias(rt, "tickrt")
	f.Var().Id("points").Op("=").Index().Struct(jen.Id("tags").Qual(rt, "Tags"), jen.Id("fields").Qual(rt, "Fields")).Values(points...)
	f.Var().Id("cases").Op("=").Index().Func().Params(jen.Int64(), jen.Qual(rt, "Tags"), jen.Qual(rt, "Fields")).Values(cases...)
	f.Func().Id("main").Params().Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("c")).Op(":=").Range().Id("cases")).Block(
			jen.For(jen.List(jen.Id("i"), jen.Id("p")).Op(":=").Range().Id("points")).Block(
				jen.Id("c").Call(jen.Int64().Call(jen.Id("i")).Op("*").Lit(1000), jen.Id("p").Dot("tags"), jen.Id("p").Dot("fields")),
			),
		),
	)
	f.Comment("show prints a value or an error as the typed path test does.")
	f.Func().Id("show").Params(jen.Id("v").Qual(std, "Value"), jen.Err().Error()).String().Block(
		jen.Switch().Block(
			jen.Case(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual("fmt", "Sprintf").Call(jen.Lit("err %q"), jen.Err().Dot("Error").Call()))),
			jen.Case(jen.Id("v").Dot("Type").Call().Op("==").Qual(std, "TypeFloat").Op("&&").Qual("math", "IsNaN").Call(jen.Id("v").Dot("Float").Call())).Block(
				jen.Return(jen.Lit("ok float NaN"))),
			jen.Case(jen.Id("v").Dot("Type").Call().Op("==").Qual(std, "TypeFloat")).Block(
				jen.Return(jen.Qual("fmt", "Sprintf").Call(jen.Lit("ok float %x"), jen.Qual("math", "Float64bits").Call(jen.Id("v").Dot("Float").Call())))),
		),
		jen.Return(jen.Qual("fmt", "Sprintf").Call(jen.Lit("ok %s %q"), jen.Id("v").Dot("Type").Call(), jen.Id("v").Dot("Literal").Call())),
	)
	f.Comment("showBool prints a condition's outcome.")
	f.Func().Id("showBool").Params(jen.Id("b").Bool(), jen.Err().Error()).String().Block(
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual("fmt", "Sprintf").Call(jen.Lit("err %q"), jen.Err().Dot("Error").Call()))),
		jen.Return(jen.Qual("fmt", "Sprintf").Call(jen.Lit("ok %v"), jen.Id("b"))),
	)
	g.addDecls(f)
	out := runFile(t, f, "direct")
	sc := bufio.NewScanner(bytes.NewReader(out))
	n := 0
	for sc.Scan() {
		i := n / len(typedPoints)
		src, use, p := srcs[i/2], []string{"Test", "Result"}[i%2], typedPoints[n%len(typedPoints)]
		n++
		viaEval, viaDirect, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			t.Fatalf("bad line %q", sc.Text())
		}
		if viaEval != viaDirect {
			t.Errorf("%s on %v %v:\n  Eval: %s\n  %s: %s", src, p.Fields, p.Tags, viaEval, use, viaDirect)
		}
	}
	if want := 2 * len(srcs) * len(typedPoints); n != want {
		t.Fatalf("%d outcomes, want %d", n, want)
	}
}

/*
directCase is the function literal that runs one point through two
instances of a lambda type, as a where or eval step would:

	func(at int64, tags tickrt.Tags, fields tickrt.Fields) {
		viaEval := showBool(stdlib.Predicate(l.Eval(at, tags, fields)))  // or show(stdlib.Result(…))
		viaDirect := func() string {
			a, err := ref(tags, fields, "a")
			if err != nil {
				return showBool(false, err)
			}
			return showBool(d.Test(at, a))
		}()
		fmt.Printf("%s\t%s\n", viaEval, viaDirect)
	}

The instances live in variables of the literal's own closure (made once).
*/
func directCase(typ string, refs []string, use lambdaUse) jen.Code {
	show, check, method := "showBool", "Predicate", "Test"
	failed := jen.Return(jen.Id("showBool").Call(jen.False(), jen.Err()))
	if use == useResult {
		show, check, method = "show", "Result", "Result"
		failed = jen.Return(jen.Id("show").Call(jen.Qual(std, "Missing"), jen.Err()))
	}
	var resolve []jen.Code
	args := []jen.Code{jen.Id("at")}
	for i, name := range refs {
		v := fmt.Sprintf("r%d", i)
		resolve = append(resolve,
			jen.List(jen.Id(v), jen.Err()).Op(":=").Id("ref").Call(jen.Id("tags"), jen.Id("fields"), jen.Lit(name)),
			jen.If(jen.Err().Op("!=").Nil()).Block(failed),
		)
		args = append(args, jen.Id(v))
	}
	resolve = append(resolve, jen.Return(jen.Id(show).Call(jen.Id("d").Dot(method).Call(args...))))
	var evalLine jen.Code
	if use == useTest {
		evalLine = jen.List(jen.Id("v"), jen.Err()).Op(":=").Id("l").Dot("Eval").Call(jen.Id("at"), jen.Id("tags"), jen.Id("fields")).Line().
			Id("viaEval").Op(":=").Id("showBool").Call(jen.False(), jen.Err()).Line().
			If(jen.Err().Op("==").Nil()).Block(jen.Id("viaEval").Op("=").Id("showBool").Call(jen.Qual(std, check).Call(jen.Id("v"))))
	} else {
		evalLine = jen.List(jen.Id("v"), jen.Err()).Op(":=").Id("l").Dot("Eval").Call(jen.Id("at"), jen.Id("tags"), jen.Id("fields")).Line().
			If(jen.Err().Op("==").Nil()).Block(jen.List(jen.Id("v"), jen.Err()).Op("=").Qual(std, check).Call(jen.Id("v"))).Line().
			Id("viaEval").Op(":=").Id("show").Call(jen.Id("v"), jen.Err())
	}
	return jen.Func().Params().Func().Params(jen.Int64(), jen.Qual(rt, "Tags"), jen.Qual(rt, "Fields")).Block(
		jen.List(jen.Id("l"), jen.Id("d")).Op(":=").List(jen.Op("&").Id(typ).Values(), jen.Op("&").Id(typ).Values()),
		jen.Return(jen.Func().Params(jen.Id("at").Int64(), jen.Id("tags").Qual(rt, "Tags"), jen.Id("fields").Qual(rt, "Fields")).Block(
			evalLine,
			jen.Id("viaDirect").Op(":=").Func().Params().String().Block(resolve...).Call(),
			jen.Qual("fmt", "Printf").Call(jen.Lit("%s\t%s\n"), jen.Id("viaEval"), jen.Id("viaDirect")),
		)),
	).Call()
}
