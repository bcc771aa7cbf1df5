package ir

import (
	"sort"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// UDFInfo is what a UDF declares in its info response: the edges it wants and
// provides and, by option name, the value types of each option's arguments
// (stdlib.TypeBool, TypeInt, TypeFloat, TypeString or TypeDuration).
type UDFInfo struct {
	Wants    EdgeType
	Provides EdgeType
	Options  map[string][]stdlib.Type
}

// ApplyUDFInfo gives the nodes of the UDF name their declared edges and
// checks their options as Kapacitor does when it defines the task: each
// option must be declared and get exactly its declared number and types of
// values (no int to float conversion). It returns the diagnostics as a
// parser.ErrorList, including edge mismatches with parents and children.
func ApplyUDFInfo(p *Program, name string, info UDFInfo) error {
	var errs parser.ErrorList
	for _, n := range p.Nodes {
		u, ok := n.Props.(*UDFProps)
		if !ok || u.Name != name {
			continue
		}
		n.Wants, n.Provides = info.Wants, info.Provides
		for _, par := range n.Parents {
			if par.Provides != n.Wants {
				errs.Addf(n.Pos, "cannot add child mismatched edges: %s -> %s: UDF @%s wants a %s edge", par.Provides, n.Wants, name, n.Wants)
			}
		}
		for _, c := range n.Children {
			if c.Wants != n.Provides && c.Kind != KindUDF {
				errs.Addf(c.Pos, "cannot add child mismatched edges: %s -> %s: UDF @%s provides a %s edge", n.Provides, c.Wants, name, n.Provides)
			}
		}
		for _, opt := range u.Options {
			types, ok := info.Options[opt.Name]
			if !ok {
				errs.Addf(opt.Pos, "no option %q on UDF @%s%s", opt.Name, name, suggest(opt.Name, optionNames(info)))
				continue
			}
			if len(opt.Args) != len(types) {
				errs.Addf(opt.Pos, "unexpected number of args to %s, got %d expected %d", opt.Name, len(opt.Args), len(types))
				continue
			}
			for i, a := range opt.Args {
				if a.Type() != types[i] {
					errs.Addf(opt.Pos, "invalid value type for arg %d of option %s: got %s expected %s", i+1, opt.Name, a.Type(), types[i])
				}
			}
		}
	}
	errs.Sort()
	return errs.Err()
}

func optionNames(info UDFInfo) []string {
	names := make([]string, 0, len(info.Options))
	for name := range info.Options {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// UDFNames returns the names of the UDFs p calls, sorted, each once.
func UDFNames(p *Program) []string {
	seen := map[string]bool{}
	var names []string
	for _, n := range p.Nodes {
		if u, ok := n.Props.(*UDFProps); ok && !seen[u.Name] {
			seen[u.Name] = true
			names = append(names, u.Name)
		}
	}
	sort.Strings(names)
	return names
}

// udfEdges gives a UDF node the edges its UDF declares when the lowering
// options carry its info, so that the chain below it is checked against
// what it provides, and reports a parent whose edge it does not want.
func (l *lowerer) udfEdges(n, parent *Node, at parser.Pos) bool {
	name := n.Props.(*UDFProps).Name
	info, ok := l.opts.UDFs[name]
	if !ok {
		return true
	}
	n.Wants, n.Provides = info.Wants, info.Provides
	if parent.Provides != n.Wants {
		l.errorf(at, "cannot add UDF @%s to %s: it wants a %s edge, got a %s edge", name, nodeKindName(parent), n.Wants, parent.Provides)
		return false
	}
	return true
}
