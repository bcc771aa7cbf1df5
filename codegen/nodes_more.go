package codegen

import (
	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/ir"
)

// This file holds the emitters of the nodes that talk to the outside world
// or reshape data by time.

/*
barrier := tickrt.NewBarrierNode(t, tickrt.NodeInfo{…}, tickrt.BarrierNodeConfig{Idle: 5 * time.Second})
*/
func (g *generator) barrier(n *ir.Node, p *ir.BarrierProps) []jen.Code {
	cfg := jen.Dict{}
	setDur(cfg, "Idle", p.Idle)
	setDur(cfg, "Period", p.Period)
	setLit(cfg, "Delete", p.Delete)
	return g.construct(n, "NewBarrierNode", "BarrierNodeConfig", cfg)
}

/*
flatten := tickrt.NewFlatten(t, tickrt.NodeInfo{…}, tickrt.FlattenConfig{On: []string{"host"}, Delimiter: "."})
*/
func (g *generator) flatten(n *ir.Node, p *ir.FlattenProps) []jen.Code {
	cfg := jen.Dict{}
	setStrings(cfg, "On", p.On)
	cfg[jen.Id("Delimiter")] = jen.Lit(p.Delimiter)
	setDur(cfg, "Tolerance", p.Tolerance)
	setLit(cfg, "DropOriginalFieldName", p.DropOriginalFieldName)
	return g.construct(n, "NewFlatten", "FlattenConfig", cfg)
}

/*
	sideload := tickrt.NewSideload(t, tickrt.NodeInfo{…}, tickrt.SideloadConfig{
		Source: "file:///etc/hosts", Order: []string{"{{.host}}.yml"},
		Fields: tickrt.Fields{{Key: "cpu_threshold", Value: stdlib.Float(90)}},
	})
*/
func (g *generator) sideload(n *ir.Node, p *ir.SideloadProps) []jen.Code {
	cfg := jen.Dict{}
	setLit(cfg, "Source", p.Source)
	setStrings(cfg, "Order", p.Order)
	if len(p.Fields) > 0 {
		var items []jen.Code
		for _, f := range sortedNamed(p.Fields) {
			items = append(items, jen.Values(jen.Dict{jen.Id("Key"): jen.Lit(f.Name), jen.Id("Value"): g.constant(f.Value)}))
		}
		cfg[jen.Id("Fields")] = jen.Qual(rt, "Fields").Values(items...)
	}
	if len(p.Tags) > 0 {
		var items []jen.Code
		for _, t := range sortedNamed(p.Tags) {
			items = append(items, jen.Values(jen.Dict{jen.Id("Key"): jen.Lit(t.Name), jen.Id("Value"): jen.Lit(t.Value.Literal())}))
		}
		cfg[jen.Id("Tags")] = jen.Qual(rt, "Tags").Values(items...)
	}
	return g.construct(n, "NewSideload", "SideloadConfig", cfg)
}

// sortedNamed sorts named values by name, keeping the last of a repeated
// name: Fields and Tags are sorted sets.
func sortedNamed(v []ir.NamedValue) []ir.NamedValue {
	last := map[string]ir.NamedValue{}
	var names []string
	for _, nv := range v {
		if _, ok := last[nv.Name]; !ok {
			names = append(names, nv.Name)
		}
		last[nv.Name] = nv
	}
	out := make([]ir.NamedValue, 0, len(names))
	for _, name := range uniqueSorted(names) {
		out = append(out, last[name])
	}
	return out
}

/*
trickle := tickrt.NewTrickle(t, tickrt.NodeInfo{…}, tickrt.TrickleConfig{})
*/
func (g *generator) trickle(n *ir.Node) []jen.Code {
	return g.construct(n, "NewTrickle", "TrickleConfig", jen.Dict{})
}

/*
influxDBOut := tickrt.NewInfluxDBOut(t, tickrt.NodeInfo{…}, tickrt.InfluxDBOutConfig{Database: "db", Measurement: "m"})
*/
func (g *generator) influxDBOut(n *ir.Node, p *ir.InfluxDBOutProps) []jen.Code {
	cfg := jen.Dict{}
	setLit(cfg, "Cluster", p.Cluster)
	setLit(cfg, "Database", p.Database)
	setLit(cfg, "RetentionPolicy", p.RetentionPolicy)
	setLit(cfg, "Measurement", p.Measurement)
	setLit(cfg, "WriteConsistency", p.WriteConsistency)
	setLit(cfg, "Precision", p.Precision)
	setLit(cfg, "Buffer", p.Buffer)
	setDur(cfg, "FlushInterval", p.FlushInterval)
	if len(p.Tags) > 0 {
		cfg[jen.Id("Tags")] = tagsLit(p.Tags)
	}
	setLit(cfg, "Create", p.Create)
	return g.construct(n, "NewInfluxDBOut", "InfluxDBOutConfig", cfg)
}

/*
movingAvg, err := tickrt.NewUDF(t, tickrt.NodeInfo{…}, tickrt.UDFConfig{UDF: "movingAvg", Options: …})

	if err != nil {
		return err
	}
*/
func (g *generator) udf(n *ir.Node, p *ir.UDFProps) []jen.Code {
	cfg := jen.Dict{jen.Id("UDF"): jen.Lit(p.Name)}
	if len(p.Options) > 0 {
		var opts []jen.Code
		for _, o := range p.Options {
			vals := make([]jen.Code, len(o.Args))
			for i, a := range o.Args {
				vals[i] = g.constant(a)
			}
			d := jen.Dict{jen.Id("Name"): jen.Lit(o.Name)}
			if o.Pos.IsValid() {
				d[jen.Id("Pos")] = jen.Lit(g.position(o.Pos))
			}
			if len(vals) > 0 {
				d[jen.Id("Values")] = jen.Index().Qual(std, "Value").Values(vals...)
			}
			opts = append(opts, jen.Values(d))
		}
		cfg[jen.Id("Options")] = jen.Index().Qual(rt, "UDFOption").Values(opts...)
	}
	setLit(cfg, "WantsBatch", n.Wants == ir.BatchEdge)
	setLit(cfg, "ProvidesBatch", n.Provides == ir.BatchEdge)
	v := g.varName(n)
	return []jen.Code{
		jen.List(jen.Id(v), jen.Err()).Op(":=").Qual(rt, "NewUDF").Call(jen.Id("t"), g.info(n), jen.Qual(rt, "UDFConfig").Values(cfg)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	}
}

/*
queryFlux := t.NewQuery(tickrt.NodeInfo{…}, tickrt.QueryConfig{Query: "from(bucket: …)", Period: …})
*/
func (g *generator) queryFlux(n *ir.Node, p *ir.QueryFluxProps) []jen.Code {
	cfg := jen.Dict{}
	setLit(cfg, "Query", p.Query)
	setNanos(cfg, "Period", p.Period)
	setNanos(cfg, "Every", p.Every)
	setLit(cfg, "Cron", p.Cron)
	setNanos(cfg, "Offset", p.Offset)
	setLit(cfg, "Align", p.Align)
	setLit(cfg, "Cluster", p.Cluster)
	v := g.varName(n)
	return []jen.Code{
		jen.Id(v).Op(":=").Id("t").Dot("NewQuery").Call(g.info(n), jen.Qual(rt, "QueryConfig").Values(cfg)),
	}
}
