package passes

import "github.com/tickc/tickc/ir"

// deadcode removes the nodes whose output reaches no sink (ir.Sinks: httpOut,
// httpPost, influxDBOut, kapacitorLoopback, alert, log, UDF, autoscale),
// keeping the root, the query nodes (they number the task's batch inputs) and
// the nodes a live stats node watches, with their ancestors.
func deadcode(p *ir.Program) error {
	live := map[*ir.Node]bool{}
	var markUp func(n *ir.Node)
	markUp = func(n *ir.Node) {
		if live[n] {
			return
		}
		live[n] = true
		for _, par := range n.Parents {
			markUp(par)
		}
	}
	for changed := true; changed; {
		changed = false
		// Children come after their parents: one backward sweep sees every
		// child's liveness before its parents'.
		for i := len(p.Nodes) - 1; i >= 0; i-- {
			n := p.Nodes[i]
			if live[n] {
				continue
			}
			keep := i == 0 || ir.Sinks[n.Kind] || n.Kind == ir.KindQuery || n.Kind == ir.KindQueryFlux
			for _, c := range n.Children {
				keep = keep || live[c]
			}
			if keep {
				markUp(n)
				changed = true
			}
		}
		for _, n := range p.Nodes {
			if s, ok := n.Props.(*ir.StatsProps); ok && live[n] && s.Source != nil && !live[s.Source] {
				markUp(s.Source)
				changed = true
			}
		}
	}
	dead := func(n *ir.Node) bool { return !live[n] }
	for _, n := range p.Nodes {
		if live[n] {
			n.Children = without(n.Children, dead)
		}
	}
	p.Nodes = without(p.Nodes, dead)
	return nil
}
