package ir

import (
	"errors"
	"fmt"
)

// Verify checks the structural invariants every Program keeps, after Lower
// and after every pass: a root that matches the task type, nodes in
// topological order, symmetric parent and child links, matching edge types,
// props of the node's kind, unique names, and well-formed fused nodes. It
// returns every violation found, joined.
func Verify(p *Program) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(p.DBRPs) == 0 {
		bad("program has no dbrp")
	}
	if len(p.Nodes) == 0 {
		bad("program has no nodes")
		return errors.Join(errs...)
	}
	root := p.Nodes[0]
	switch {
	case p.Type == StreamTask && root.Kind != KindStream, p.Type == BatchTask && root.Kind != KindBatch:
		bad("root %s is a %s node in a %s task", root.Name, root.Kind, p.Type)
	case p.Type != StreamTask && p.Type != BatchTask:
		bad("invalid task type %d", p.Type)
	}

	index := map[*Node]int{}
	names := map[string]*Node{}
	for i, n := range p.Nodes {
		if n == nil {
			bad("node %d is nil", i)
			return errors.Join(errs...)
		}
		if _, dup := index[n]; dup {
			bad("node %s appears twice", n.Name)
		}
		index[n] = i
		if o, dup := names[n.Name]; dup && o != n {
			bad("two nodes are named %s", n.Name)
		}
		names[n.Name] = n
	}
	for i, n := range p.Nodes {
		verifyNode(n, bad)
		if len(n.Parents) == 0 && n != root && n.Kind != KindStats {
			bad("%s has no parent and is not a source", n.Name)
		}
		if (n.Kind == KindStream || n.Kind == KindBatch) && n != root {
			bad("%s is a second %s source", n.Name, n.Kind)
		}
		if n.Provides == NoEdge && len(n.Children) > 0 {
			bad("%s provides no edge but has children", n.Name)
		}
		for _, c := range n.Children {
			j, ok := index[c]
			switch {
			case !ok:
				bad("%s has child %s that is not in the program", n.Name, c.Name)
				continue
			case j <= i:
				bad("%s comes before its parent %s", c.Name, n.Name)
			}
			if count(c.Parents, n) != count(n.Children, c) {
				bad("%s -> %s: link is not symmetric", n.Name, c.Name)
			}
			if n.Provides != c.Wants {
				bad("%s -> %s: mismatched edges: %s -> %s", n.Name, c.Name, n.Provides, c.Wants)
			}
		}
		for _, par := range n.Parents {
			if _, ok := index[par]; !ok {
				bad("%s has parent %s that is not in the program", n.Name, par.Name)
			} else if count(par.Children, n) == 0 {
				bad("%s lists parent %s, which does not list it as a child", n.Name, par.Name)
			}
		}
		if s, ok := n.Props.(*StatsProps); ok {
			if _, in := index[s.Source]; !in {
				bad("%s watches a node that is not in the program", n.Name)
			}
		}
	}
	return errors.Join(errs...)
}

// verifyNode checks one node on its own: props, lambdas and fused steps.
func verifyNode(n *Node, bad func(string, ...any)) {
	if n.Name == "" {
		bad("node of kind %s has no name", n.Kind)
	}
	if n.Props == nil {
		bad("%s has no props", n.Name)
		return
	}
	if want := newProps(n.Kind); want == nil || fmt.Sprintf("%T", want) != fmt.Sprintf("%T", n.Props) {
		bad("%s: kind %s holds props %T", n.Name, n.Kind, n.Props)
		return
	}
	switch p := n.Props.(type) {
	case *WhereProps:
		checkLambda(n, "where", p.Lambda, bad)
	case *StateDurationProps:
		checkLambda(n, "stateDuration", p.Lambda, bad)
	case *StateCountProps:
		checkLambda(n, "stateCount", p.Lambda, bad)
	case *EvalProps:
		if len(p.Lambdas) != len(p.As) {
			bad("%s: %d expressions but %d names", n.Name, len(p.Lambdas), len(p.As))
		}
		for _, l := range p.Lambdas {
			checkLambda(n, "eval", l, bad)
		}
	case *FromProps:
		for _, l := range p.Where {
			checkLambda(n, "where", l, bad)
		}
	case *FusedProps:
		if len(p.Steps) == 0 {
			bad("%s: fused node has no steps", n.Name)
		}
		for _, s := range p.Steps {
			switch s.Kind {
			case KindFrom, KindWhere, KindEval:
			default:
				bad("%s: fused step %s has kind %s", n.Name, s.Name, s.Kind)
			}
			if len(s.Parents) > 0 || len(s.Children) > 0 {
				bad("%s: fused step %s is still linked", n.Name, s.Name)
			}
			verifyNode(s, bad)
		}
	}
}

func checkLambda(n *Node, what string, l *Lambda, bad func(string, ...any)) {
	if l == nil || l.Expr == nil {
		bad("%s: %s has no expression", n.Name, what)
	}
}

func count(list []*Node, n *Node) int {
	c := 0
	for _, m := range list {
		if m == n {
			c++
		}
	}
	return c
}
