package codegen

import (
	"github.com/dave/jennifer/jen"
	"github.com/tickc/tickc/ir"
)

/*
	kapacitorLoopback := tickrt.NewLoopbackNode(t, tickrt.NodeInfo{…}, tickrt.LoopbackConfig{
		Database: "db", RetentionPolicy: "autogen", Measurement: "copy",
		Tags: []tickrt.Tag{{Key: "k", Value: "v"}},
	})
*/
func (g *generator) kapacitorLoopback(n *ir.Node, p *ir.KapacitorLoopbackProps) []jen.Code {
	cfg := jen.Dict{
		jen.Id("Database"):        jen.Lit(p.Database),
		jen.Id("RetentionPolicy"): jen.Lit(p.RetentionPolicy),
	}
	setLit(cfg, "Measurement", p.Measurement)
	if len(p.Tags) > 0 {
		cfg[jen.Id("Tags")] = tagsLit(p.Tags)
	}
	return g.construct(n, "NewLoopbackNode", "LoopbackConfig", cfg)
}

/*
stats := tickrt.NewStatsNode(t, tickrt.NodeInfo{…}, tickrt.StatsConfig{Interval: 10 * time.Second, Align: true})
*/
func (g *generator) stats(n *ir.Node, p *ir.StatsProps) []jen.Code {
	cfg := jen.Dict{}
	setDur(cfg, "Interval", p.Interval)
	setLit(cfg, "Align", p.Align)
	return g.construct(n, "NewStatsNode", "StatsConfig", cfg)
}

/*
noop := tickrt.NewNoOpNode(t, tickrt.NodeInfo{…}, tickrt.NoOpConfig{})
*/
func (g *generator) noOp(n *ir.Node) []jen.Code {
	return g.construct(n, "NewNoOpNode", "NoOpConfig", jen.Dict{})
}

// statsWatch links a stats node below the node it watches, after every
// node is built:
//
//	window.AddChild(stats.Watch())
func (g *generator) statsWatch(n *ir.Node) []jen.Code {
	p, ok := n.Props.(*ir.StatsProps)
	if !ok || p.Source == nil {
		return nil
	}
	sv, ok1 := g.vars[n]
	wv, ok2 := g.vars[p.Source]
	if !ok1 || !ok2 {
		return nil
	}
	return []jen.Code{jen.Id(wv).Dot("AddChild").Call(jen.Id(sv).Dot("Watch").Call())}
}
