package passes

import "github.com/tickc/tickc/ir"

// fuse merges each chain of from, where and eval nodes linked one to one
// (every node of the chain but the last has one child, every node but the
// first has one parent, none but the last is watched by stats) into one Fused
// node that runs the steps in order.
func fuse(p *ir.Program) error {
	// A node that a stats node watches must keep its own output count, so
	// it may end a chain but not continue one.
	watched := map[*ir.Node]bool{}
	for _, n := range p.Nodes {
		if s, ok := n.Props.(*ir.StatsProps); ok {
			watched[s.Source] = true
		}
	}
	done := map[*ir.Node]bool{}
	for _, n := range append([]*ir.Node(nil), p.Nodes...) {
		if done[n] || !fusable(n, true) {
			continue
		}
		chain := []*ir.Node{n}
		for last := n; len(last.Children) == 1 && !watched[last]; {
			c := last.Children[0]
			if len(c.Parents) != 1 || !fusable(c, false) {
				break
			}
			chain = append(chain, c)
			last = c
		}
		for _, c := range chain {
			done[c] = true
		}
		if len(chain) < 2 {
			continue
		}
		patch(p, chain, newFused(chain))
	}
	return nil
}

// fusable reports whether n can be a step of a fused node; a from can only
// start a chain.
func fusable(n *ir.Node, first bool) bool {
	switch n.Kind {
	case ir.KindFrom:
		return first
	case ir.KindWhere, ir.KindEval:
		return true
	}
	return false
}

// newFused builds the fused node of chain. It takes the name, ID and position
// of the chain's first node and the var name of the last node that has one.
func newFused(chain []*ir.Node) *ir.Node {
	first, last := chain[0], chain[len(chain)-1]
	f := &ir.Node{
		ID:       first.ID,
		Kind:     ir.KindFused,
		Name:     first.Name,
		Ident:    first.Ident,
		Pos:      first.Pos,
		Wants:    first.Wants,
		Provides: last.Provides,
		Props:    &ir.FusedProps{Steps: chain},
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if s := chain[i]; s.Ident != "" && s.Ident != s.Kind.String() {
			f.Ident = s.Ident
			break
		}
	}
	return f
}

// patch puts f in the place of chain: f takes the first node's parents and
// position in p.Nodes and the last node's children; the steps are detached.
func patch(p *ir.Program, chain []*ir.Node, f *ir.Node) {
	first, last := chain[0], chain[len(chain)-1]
	f.Parents = first.Parents
	f.Children = last.Children
	for _, par := range f.Parents {
		par.Children = replaceIn(par.Children, first, f)
	}
	for _, c := range f.Children {
		c.Parents = replaceIn(c.Parents, last, f)
	}
	in := map[*ir.Node]bool{}
	for _, s := range chain {
		in[s] = true
	}
	var nodes []*ir.Node
	for _, n := range p.Nodes {
		switch {
		case n == first:
			nodes = append(nodes, f)
		case !in[n]:
			nodes = append(nodes, n)
		}
		if s, ok := n.Props.(*ir.StatsProps); ok && in[s.Source] {
			// A stats node watching a fused step watches the fused node.
			s.Source = f
		}
	}
	p.Nodes = nodes
	for _, s := range chain {
		s.Parents, s.Children = nil, nil
	}
}
