package passes

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

// TestPassOrder checks the ordering constraints of All.
func TestPassOrder(t *testing.T) {
	constraints := []struct{ before, after, why string }{
		{"deadcode", "fuse", "dead branches keep nodes from having a single child"},
		{"fold", "fuse", "fold removes where TRUE filters, which lengthens chains"},
	}
	index := map[string]int{}
	for i, p := range All {
		if _, dup := index[p.Name]; dup {
			t.Errorf("pass %s listed twice", p.Name)
		}
		index[p.Name] = i
		if p.Run == nil {
			t.Errorf("pass %s has no function", p.Name)
		}
	}
	for _, c := range constraints {
		b, ok1 := index[c.before]
		a, ok2 := index[c.after]
		if !ok1 || !ok2 {
			t.Errorf("constraint %s < %s names a missing pass", c.before, c.after)
			continue
		}
		if b >= a {
			t.Errorf("%s must run before %s: %s", c.before, c.after, c.why)
		}
	}
}

func TestFuseFromWhereEval(t *testing.T) {
	b := newBuilder(t, ir.StreamTask)
	from := b.node(ir.KindFrom, b.root)
	from.Props.(*ir.FromProps).Measurement = "cpu"
	where := b.node(ir.KindWhere, from)
	where.Props.(*ir.WhereProps).Lambda = gt("v", 1)
	eval := b.node(ir.KindEval, where)
	eval.Props.(*ir.EvalProps).Lambdas = []*ir.Lambda{gt("v", 2)}
	eval.Props.(*ir.EvalProps).As = []string{"big"}
	eval.Ident = "data"
	out := b.node(ir.KindHTTPOut, eval)
	p := b.program()

	run(t, "fuse", p)
	if got, want := nodeNames(p), "stream0 from1[from1,where2,eval3] http_out4"; got != want {
		t.Fatalf("nodes = %s, want %s", got, want)
	}
	f := p.Nodes[1]
	if f.Kind != ir.KindFused || f.Ident != "data" || f.Pos != from.Pos {
		t.Errorf("fused node kind %s ident %q pos %v", f.Kind, f.Ident, f.Pos)
	}
	if out.Parents[0] != f || p.Root().Children[0] != f {
		t.Errorf("fused node is not linked in place")
	}
	steps := f.Props.(*ir.FusedProps).Steps
	if steps[1].Pos != where.Pos || steps[1].Props.(*ir.WhereProps).Lambda == nil {
		t.Errorf("the where step lost its position or lambda")
	}
}

func TestFuseStopsAtForksAndJoins(t *testing.T) {
	b := newBuilder(t, ir.StreamTask)
	from := b.node(ir.KindFrom, b.root)
	w1 := b.node(ir.KindWhere, from)
	w1.Props.(*ir.WhereProps).Lambda = gt("a", 1)
	// w1 forks: neither branch fuses with it.
	e1 := b.node(ir.KindEval, w1)
	e1.Props.(*ir.EvalProps).Lambdas, e1.Props.(*ir.EvalProps).As = []*ir.Lambda{gt("a", 2)}, []string{"x"}
	w2 := b.node(ir.KindWhere, w1)
	w2.Props.(*ir.WhereProps).Lambda = gt("a", 3)
	e2 := b.node(ir.KindEval, w2)
	e2.Props.(*ir.EvalProps).Lambdas, e2.Props.(*ir.EvalProps).As = []*ir.Lambda{gt("a", 4)}, []string{"y"}
	u := b.node(ir.KindUnion, e1, e2)
	b.node(ir.KindHTTPOut, u)
	p := b.program()

	run(t, "fuse", p)
	if got, want := nodeNames(p), "stream0 from1[from1,where2] eval3 where4[where4,eval5] union6 http_out7"; got != want {
		t.Fatalf("nodes = %s, want %s", got, want)
	}
}

func TestFuseKeepsWatchedNodeCount(t *testing.T) {
	b := newBuilder(t, ir.StreamTask)
	from := b.node(ir.KindFrom, b.root)
	w := b.node(ir.KindWhere, from)
	w.Props.(*ir.WhereProps).Lambda = gt("a", 1)
	b.node(ir.KindHTTPOut, w)
	b.stats(from)
	p := b.program()
	run(t, "fuse", p)
	if got, want := nodeNames(p), "stream0 from1 where2 http_out3 stats4"; got != want {
		t.Fatalf("nodes = %s, want %s", got, want)
	}
}

func TestDeadcode(t *testing.T) {
	b := newBuilder(t, ir.StreamTask)
	from := b.node(ir.KindFrom, b.root)
	win := b.node(ir.KindWindow, from)
	b.node(ir.KindHTTPOut, win)
	// A branch that ends in no sink.
	dead := b.node(ir.KindWhere, from)
	dead.Props.(*ir.WhereProps).Lambda = gt("a", 1)
	b.node(ir.KindEval, dead).Props.(*ir.EvalProps).As = nil
	// A stats source whose output is unused, and one that feeds an alert.
	from2 := b.node(ir.KindFrom, b.root)
	b.stats(from2)
	from3 := b.node(ir.KindFrom, b.root)
	s := b.stats(from3)
	b.node(ir.KindAlert, s)
	p := b.program()

	run(t, "deadcode", p)
	if got, want := nodeNames(p), "stream0 from1 window2 http_out3 from8 stats9 alert10"; got != want {
		t.Fatalf("nodes = %s, want %s", got, want)
	}
	if len(from.Children) != 1 {
		t.Errorf("from1 still has %d children", len(from.Children))
	}
}

func TestDeadcodeKeepsQueries(t *testing.T) {
	b := newBuilder(t, ir.BatchTask)
	q0 := b.node(ir.KindQuery, b.root)
	b.node(ir.KindQuery, b.root)
	b.node(ir.KindHTTPOut, q0)
	p := b.program()
	run(t, "deadcode", p)
	if got, want := nodeNames(p), "batch0 query1 query2 http_out3"; got != want {
		t.Fatalf("nodes = %s, want %s", got, want)
	}
}

func TestFold(t *testing.T) {
	b := newBuilder(t, ir.StreamTask)
	from := b.node(ir.KindFrom, b.root)
	from.Props.(*ir.FromProps).Where = []*ir.Lambda{lit(stdlib.Int(1), stdlib.OpLt, stdlib.Int(2)), gt("v", 0)}
	w := b.node(ir.KindWhere, from)
	w.Props.(*ir.WhereProps).Lambda = lit(stdlib.Bool(true), stdlib.OpAnd, stdlib.Bool(true))
	e := b.node(ir.KindEval, w)
	concat := lit(stdlib.String("a"), stdlib.OpAdd, stdlib.String("b"))
	e.Props.(*ir.EvalProps).Lambdas, e.Props.(*ir.EvalProps).As = []*ir.Lambda{concat}, []string{"s"}
	b.node(ir.KindHTTPOut, e)
	p := b.program()

	run(t, "fold", p)
	if got, want := nodeNames(p), "stream0 from1 eval3 http_out4"; got != want {
		t.Fatalf("nodes = %s, want %s", got, want)
	}
	if n := len(from.Props.(*ir.FromProps).Where); n != 1 {
		t.Errorf("from keeps %d where lambdas, want 1", n)
	}
	if got := concat.Expr.String(); got != "'ab'" {
		t.Errorf("folded concatenation = %s, want 'ab'", got)
	}
}

func TestRunOptions(t *testing.T) {
	build := func() *ir.Program {
		b := newBuilder(t, ir.StreamTask)
		from := b.node(ir.KindFrom, b.root)
		w := b.node(ir.KindWhere, from)
		w.Props.(*ir.WhereProps).Lambda = gt("v", 1)
		b.node(ir.KindHTTPOut, w)
		w2 := b.node(ir.KindWhere, from)
		w2.Props.(*ir.WhereProps).Lambda = gt("v", 2)
		b.node(ir.KindLog, w2)
		return b.program()
	}
	p := build()

	var buf bytes.Buffer
	if err := Run(p, Options{Verify: true, DumpAfter: "deadcode", Dump: &buf, StopAfter: "fold"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "# after deadcode\n") {
		t.Errorf("dump = %q", buf.String())
	}
	if got, want := nodeNames(p), "stream0 from1 where2 http_out3 where4 log5"; got != want {
		t.Errorf("stopping after fold: nodes = %s, want %s", got, want)
	}

	p = build()
	if err := Run(p, Options{NoOpt: true, Verify: true}); err != nil {
		t.Fatal(err)
	}
	if got, want := nodeNames(p), "stream0 from1 where2 http_out3 where4 log5"; got != want {
		t.Errorf("-O0: nodes = %s, want %s", got, want)
	}
	if err := Run(p, Options{StopAfter: "nosuch"}); err == nil || !strings.Contains(err.Error(), "unknown pass") {
		t.Errorf("unknown pass: err = %v", err)
	}
}
