package passes

import "github.com/tickc/tickc/ir"

// Graph edits shared by the passes. They keep parent and child lists
// symmetric and p.Nodes in topological order.

// without returns list without the nodes for which drop is true, reusing no
// memory of list (lists may be shared by a caller iterating them).
func without(list []*ir.Node, drop func(*ir.Node) bool) []*ir.Node {
	var out []*ir.Node
	for _, n := range list {
		if !drop(n) {
			out = append(out, n)
		}
	}
	return out
}

// replaceIn returns list with every occurrence of old replaced by repl, in place.
func replaceIn(list []*ir.Node, old *ir.Node, repl ...*ir.Node) []*ir.Node {
	var out []*ir.Node
	for _, n := range list {
		if n == old {
			out = append(out, repl...)
		} else {
			out = append(out, n)
		}
	}
	return out
}

// splice removes n, which has one parent, from the pipeline: its children
// take its place among the parent's children and the parent takes its place
// among each child's parents.
func splice(p *ir.Program, n *ir.Node) {
	parent := n.Parents[0]
	parent.Children = replaceIn(parent.Children, n, n.Children...)
	for _, c := range n.Children {
		c.Parents = replaceIn(c.Parents, n, parent)
	}
	n.Parents, n.Children = nil, nil
	p.Nodes = without(p.Nodes, func(m *ir.Node) bool { return m == n })
}
