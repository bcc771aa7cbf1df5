package passes

import (
	"fmt"
	"testing"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

// builder makes IR programs by hand for pass tests, without the parser:
//
//	b := newBuilder(t, ir.StreamTask)
//	from := b.node(ir.KindFrom, b.root)
//	b.node(ir.KindHTTPOut, from)
//	p := b.program()
type builder struct {
	t     *testing.T
	prog  *ir.Program
	root  *ir.Node
	nodes []*ir.Node
}

func newBuilder(t *testing.T, typ ir.TaskType) *builder {
	b := &builder{t: t, prog: &ir.Program{File: "t.tick", Task: "t", Type: typ, DBRPs: []ir.DBRP{{Database: "db", RetentionPolicy: "rp"}}}}
	if typ == ir.BatchTask {
		b.root = b.make(ir.KindBatch, ir.NoEdge, ir.BatchEdge)
	} else {
		b.root = b.make(ir.KindStream, ir.StreamEdge, ir.StreamEdge)
	}
	return b
}

// make adds an unlinked node with default props, named like Kapacitor.
func (b *builder) make(k ir.Kind, wants, provides ir.EdgeType) *ir.Node {
	id := len(b.nodes)
	n := &ir.Node{ID: id, Kind: k, Name: fmt.Sprintf("%s%d", k.Desc(), id), Ident: k.String(),
		Pos: ir.Pos{Filename: "t.tick", Line: id + 1, Column: 1, Offset: id * 10}, Props: ir.NewProps(k),
		Wants: wants, Provides: provides}
	b.nodes = append(b.nodes, n)
	return n
}

// node adds a node of kind k below parents; it passes the first parent's edge
// through, except for the kinds whose edges are fixed.
func (b *builder) node(k ir.Kind, parents ...*ir.Node) *ir.Node {
	in := parents[0].Provides
	out := in
	switch k {
	case ir.KindWindow:
		out = ir.BatchEdge
	case ir.KindHTTPOut:
	case ir.KindInfluxDBOut, ir.KindKapacitorLoopback:
		out = ir.NoEdge
	}
	n := b.make(k, in, out)
	for _, p := range parents {
		p.Children = append(p.Children, n)
		n.Parents = append(n.Parents, p)
	}
	return n
}

// stats adds a stats source watching n.
func (b *builder) stats(n *ir.Node) *ir.Node {
	s := b.make(ir.KindStats, ir.StreamEdge, ir.StreamEdge)
	s.Props.(*ir.StatsProps).Source = n
	s.Props.(*ir.StatsProps).Interval = 1e9
	return s
}

// program returns the program: the nodes in creation order, which is
// topological since parents are made first.
func (b *builder) program() *ir.Program {
	b.prog.Nodes = b.nodes
	if err := ir.Verify(b.prog); err != nil {
		b.t.Fatalf("built program is invalid: %v\n%s", err, ir.Dump(b.prog))
	}
	return b.prog
}

// gt returns lambda: "field" > v.
func gt(field string, v float64) *ir.Lambda {
	e := ir.NewBinary(ir.Pos{}, stdlib.OpGt, &ir.Ref{Name: field}, &ir.Literal{Value: stdlib.Float(v)})
	return &ir.Lambda{Expr: e}
}

// lit returns a lambda holding the constant expression x op y.
func lit(x stdlib.Value, op stdlib.Op, y stdlib.Value) *ir.Lambda {
	return &ir.Lambda{Expr: ir.NewBinary(ir.Pos{}, op, &ir.Literal{Value: x}, &ir.Literal{Value: y})}
}

// run runs one pass and verifies the result.
func run(t *testing.T, name string, p *ir.Program) {
	t.Helper()
	pass, ok := Lookup(name)
	if !ok {
		t.Fatalf("no pass %q", name)
	}
	if err := pass.Run(p); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := ir.Verify(p); err != nil {
		t.Fatalf("after %s: %v\n%s", name, err, ir.Dump(p))
	}
}

// names lists the names of p's nodes in order.
func nodeNames(p *ir.Program) string {
	s := ""
	for i, n := range p.Nodes {
		if i > 0 {
			s += " "
		}
		s += n.Name
		if f, ok := n.Props.(*ir.FusedProps); ok {
			s += "["
			for j, st := range f.Steps {
				if j > 0 {
					s += ","
				}
				s += st.Name
			}
			s += "]"
		}
	}
	return s
}
