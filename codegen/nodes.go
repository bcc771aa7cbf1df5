package codegen

import (
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

// This file holds the emitters of the nodes that map one to one onto a runtime
// node: each builds the node's config literal from its IR properties.

/*
	where := tickrt.NewWhere(t, tickrt.NodeInfo{…}, tickrt.WhereConfig{
		Lambda: func() tickrt.Lambda { return &whereLambda{} },
	})
*/
func (g *generator) where(n *ir.Node, p *ir.WhereProps) []jen.Code {
	typ := g.lambdaType(p.Lambda, n.Name)
	return g.construct(n, "NewWhere", "WhereConfig", jen.Dict{jen.Id("Lambda"): g.lambdaFactory(typ)})
}

/*
	eval := tickrt.NewEval(t, tickrt.NodeInfo{…}, tickrt.EvalConfig{
		Lambdas: []tickrt.LambdaFactory{func() tickrt.Lambda { return &evalUsedLambda{} }},
		As:      []string{"used"},
		Refs:    [][]string{{"total", "free"}},
	})
*/
func (g *generator) eval(n *ir.Node, p *ir.EvalProps) []jen.Code {
	var factories, refs []jen.Code
	for i, l := range p.Lambdas {
		hint := n.Name
		if i < len(p.As) && len(p.Lambdas) > 1 {
			hint += exportedName(p.As[i])
		}
		factories = append(factories, g.lambdaFactory(g.lambdaType(l, hint)))
		var names []jen.Code
		for _, r := range lambdaRefs(l) {
			if r != "time" {
				names = append(names, jen.Lit(r))
			}
		}
		refs = append(refs, jen.Values(names...))
	}
	cfg := jen.Dict{
		jen.Id("Lambdas"): jen.Index().Qual(rt, "LambdaFactory").Values(factories...),
		jen.Id("As"):      stringsLit(p.As),
		jen.Id("Refs"):    jen.Index().Index().String().Values(refs...),
	}
	setStrings(cfg, "Tags", p.Tags)
	setLit(cfg, "Keep", p.Keep)
	setStrings(cfg, "KeepList", p.KeepFields)
	return g.construct(n, "NewEval", "EvalConfig", cfg)
}

/*
window := tickrt.NewWindow(t, tickrt.NodeInfo{…}, tickrt.WindowConfig{Period: 10 * time.Second, Every: 5 * time.Second})
*/
func (g *generator) window(n *ir.Node, p *ir.WindowProps) []jen.Code {
	cfg := jen.Dict{}
	setDur(cfg, "Period", p.Period)
	setDur(cfg, "Every", p.Every)
	setLit(cfg, "Align", p.Align)
	setLit(cfg, "FillPeriod", p.FillPeriod)
	setLit(cfg, "PeriodCount", p.PeriodCount)
	setLit(cfg, "EveryCount", p.EveryCount)
	return g.construct(n, "NewWindow", "WindowConfig", cfg)
}

/*
groupBy := tickrt.NewGroupBy(t, tickrt.NodeInfo{…}, tickrt.GroupByConfig{Tags: []string{"host"}})
*/
func (g *generator) groupBy(n *ir.Node, p *ir.GroupByProps) []jen.Code {
	cfg := jen.Dict{}
	setStrings(cfg, "Tags", p.Dimensions.Tags)
	setLit(cfg, "All", p.Dimensions.All)
	setStrings(cfg, "Exclude", p.Exclude)
	setLit(cfg, "ByMeasurement", p.ByMeasurement)
	return g.construct(n, "NewGroupBy", "GroupByConfig", cfg)
}

/*
mean := tickrt.NewInfluxQL(t, tickrt.NodeInfo{…}, tickrt.InfluxQLConfig{Func: tickrt.InfluxQLMean, Field: "value"})
*/
func (g *generator) influxQL(n *ir.Node, p *ir.InfluxQLProps) []jen.Code {
	fn, ok := influxQLFuncs[p.Method]
	if !ok {
		g.errorf(n.Pos, "not supported yet: %s", p.Method)
		return nil
	}
	cfg := jen.Dict{jen.Id("Func"): jen.Qual(rt, fn)}
	setLit(cfg, "Field", p.Field)
	if p.As != p.Method {
		setLit(cfg, "As", p.As) // else the runtime's default, which is not always the method
	}
	setLit(cfg, "UsePointTimes", p.UsePointTimes)
	setLit(cfg, "BatchInput", n.Wants == ir.BatchEdge)
	setLit(cfg, "Percentile", p.Percentile)
	setLit(cfg, "N", p.N)
	setStrings(cfg, "FieldsAndTags", p.Extra)
	setDur(cfg, "Unit", p.Unit)
	setLit(cfg, "Window", p.Window)
	setLit(cfg, "H", p.H)
	setLit(cfg, "M", p.M)
	setDur(cfg, "Interval", p.Interval)
	return g.construct(n, "NewInfluxQL", "InfluxQLConfig", cfg)
}

// influxQLFuncs maps the InfluxQL chain methods to the runtime's constants.
var influxQLFuncs = map[string]string{
	"count":              "InfluxQLCount",
	"distinct":           "InfluxQLDistinct",
	"mean":               "InfluxQLMean",
	"median":             "InfluxQLMedian",
	"mode":               "InfluxQLMode",
	"spread":             "InfluxQLSpread",
	"sum":                "InfluxQLSum",
	"first":              "InfluxQLFirst",
	"last":               "InfluxQLLast",
	"min":                "InfluxQLMin",
	"max":                "InfluxQLMax",
	"percentile":         "InfluxQLPercentile",
	"top":                "InfluxQLTop",
	"bottom":             "InfluxQLBottom",
	"stddev":             "InfluxQLStddev",
	"elapsed":            "InfluxQLElapsed",
	"difference":         "InfluxQLDifference",
	"movingAverage":      "InfluxQLMovingAverage",
	"holtWinters":        "InfluxQLHoltWinters",
	"holtWintersWithFit": "InfluxQLHoltWintersWithFit",
	"cumulativeSum":      "InfluxQLCumulativeSum",
}

/*
derivative := tickrt.NewDerivative(t, tickrt.NodeInfo{…}, tickrt.DerivativeConfig{Field: "value", Unit: time.Second})
*/
func (g *generator) derivative(n *ir.Node, p *ir.DerivativeProps) []jen.Code {
	cfg := jen.Dict{}
	setLit(cfg, "Field", p.Field)
	setLit(cfg, "As", p.As)
	setDur(cfg, "Unit", p.Unit)
	setLit(cfg, "NonNegative", p.NonNegative)
	return g.construct(n, "NewDerivative", "DerivativeConfig", cfg)
}

/*
changeDetect := tickrt.NewChangeDetect(t, tickrt.NodeInfo{…}, tickrt.ChangeDetectConfig{Fields: []string{"value"}})
*/
func (g *generator) changeDetect(n *ir.Node, p *ir.ChangeDetectProps) []jen.Code {
	cfg := jen.Dict{}
	setStrings(cfg, "Fields", p.Fields)
	return g.construct(n, "NewChangeDetect", "ChangeDetectConfig", cfg)
}

/*
stateCount := tickrt.NewStateCount(t, tickrt.NodeInfo{…}, tickrt.StateCountConfig{Lambda: func() tickrt.Lambda { … }, As: "n"})
*/
func (g *generator) stateCount(n *ir.Node, p *ir.StateCountProps) []jen.Code {
	cfg := jen.Dict{jen.Id("Lambda"): g.lambdaFactory(g.lambdaType(p.Lambda, n.Name))}
	setLit(cfg, "As", p.As)
	return g.construct(n, "NewStateCount", "StateCountConfig", cfg)
}

/*
stateDuration := tickrt.NewStateDuration(t, tickrt.NodeInfo{…}, tickrt.StateDurationConfig{Lambda: …, Unit: time.Minute})
*/
func (g *generator) stateDuration(n *ir.Node, p *ir.StateDurationProps) []jen.Code {
	cfg := jen.Dict{jen.Id("Lambda"): g.lambdaFactory(g.lambdaType(p.Lambda, n.Name))}
	setLit(cfg, "As", p.As)
	setDur(cfg, "Unit", p.Unit)
	return g.construct(n, "NewStateDuration", "StateDurationConfig", cfg)
}

/*
shift := tickrt.NewShift(t, tickrt.NodeInfo{…}, tickrt.ShiftConfig{Shift: 5 * time.Minute})
*/
func (g *generator) shift(n *ir.Node, p *ir.ShiftProps) []jen.Code {
	cfg := jen.Dict{}
	setDur(cfg, "Shift", p.Shift)
	return g.construct(n, "NewShift", "ShiftConfig", cfg)
}

/*
sample := tickrt.NewSample(t, tickrt.NodeInfo{…}, tickrt.SampleConfig{N: 3})
*/
func (g *generator) sample(n *ir.Node, p *ir.SampleProps) []jen.Code {
	cfg := jen.Dict{}
	setLit(cfg, "N", p.N)
	setDur(cfg, "Duration", p.Duration)
	return g.construct(n, "NewSample", "SampleConfig", cfg)
}

/*
	defaults := tickrt.NewDefault(t, tickrt.NodeInfo{…}, tickrt.DefaultConfig{
		Fields: tickrt.Fields{{Key: "value", Value: stdlib.Float(0)}},
		Tags:   tickrt.Tags{{Key: "host", Value: "unknown"}},
	})
*/
func (g *generator) defaultNode(n *ir.Node, p *ir.DefaultProps) []jen.Code {
	cfg := jen.Dict{}
	if len(p.Fields) > 0 {
		var items []jen.Code
		for _, f := range p.Fields {
			items = append(items, jen.Values(jen.Dict{jen.Id("Key"): jen.Lit(f.Name), jen.Id("Value"): g.constant(f.Value)}))
		}
		cfg[jen.Id("Fields")] = jen.Index().Qual(rt, "Field").Values(items...)
	}
	if len(p.Tags) > 0 {
		cfg[jen.Id("Tags")] = tagsLit(p.Tags)
	}
	return g.construct(n, "NewDefault", "DefaultConfig", cfg)
}

func tagsLit(tags []ir.Tag) jen.Code {
	var items []jen.Code
	for _, t := range tags {
		items = append(items, jen.Values(jen.Dict{jen.Id("Key"): jen.Lit(t.Key), jen.Id("Value"): jen.Lit(t.Value)}))
	}
	return jen.Index().Qual(rt, "Tag").Values(items...)
}

/*
del := tickrt.NewDelete(t, tickrt.NodeInfo{…}, tickrt.DeleteConfig{Fields: []string{"tmp"}})
*/
func (g *generator) deleteNode(n *ir.Node, p *ir.DeleteProps) []jen.Code {
	cfg := jen.Dict{}
	setStrings(cfg, "Fields", p.Fields)
	setStrings(cfg, "Tags", p.Tags)
	return g.construct(n, "NewDelete", "DeleteConfig", cfg)
}

/*
log := tickrt.NewLogNode(t, tickrt.NodeInfo{…}, tickrt.LogNodeConfig{Level: "INFO"})
*/
func (g *generator) logNode(n *ir.Node, p *ir.LogProps) []jen.Code {
	cfg := jen.Dict{}
	setLit(cfg, "Level", p.Level)
	setLit(cfg, "Prefix", p.Prefix)
	return g.construct(n, "NewLogNode", "LogNodeConfig", cfg)
}

/*
	join := tickrt.NewJoin(t, tickrt.NodeInfo{…}, tickrt.JoinConfig{As: []string{"a", "b"}, Delimiter: "."})

Each parent links to its own input: a.AddChild(join.Input(0)).
*/
func (g *generator) join(n *ir.Node, p *ir.JoinProps) []jen.Code {
	cfg := jen.Dict{}
	setStrings(cfg, "As", p.As)
	setStrings(cfg, "On", p.On)
	cfg[jen.Id("Delimiter")] = jen.Lit(p.Delimiter)
	setDur(cfg, "Tolerance", p.Tolerance)
	switch p.Fill.Mode {
	case "", "none":
	case "null":
		cfg[jen.Id("Fill")] = jen.Qual(rt, "JoinFillNull")
	case "number":
		cfg[jen.Id("Fill")] = jen.Qual(rt, "JoinFillValue")
		cfg[jen.Id("FillValue")] = g.constant(p.Fill.Value)
	default:
		g.errorf(n.Pos, "not supported yet: join fill %q", p.Fill.Mode)
	}
	setLit(cfg, "StreamName", p.StreamName)
	setLit(cfg, "DeleteAll", p.DeleteAll)
	return g.construct(n, "NewJoin", "JoinConfig", cfg)
}

/*
union := tickrt.NewUnion(t, tickrt.NodeInfo{…}, tickrt.UnionConfig{Parents: 2, Rename: "both"})
*/
func (g *generator) union(n *ir.Node, p *ir.UnionProps) []jen.Code {
	cfg := jen.Dict{jen.Id("Parents"): jen.Lit(len(n.Parents))}
	setLit(cfg, "Rename", p.Rename)
	return g.construct(n, "NewUnion", "UnionConfig", cfg)
}

/*
	combine := tickrt.NewCombine(t, tickrt.NodeInfo{…}, tickrt.CombineConfig{
		Lambdas: []tickrt.LambdaFactory{…}, As: []string{"a", "b"}, Delimiter: ".", Max: 1000000,
	})
*/
func (g *generator) combine(n *ir.Node, p *ir.CombineProps) []jen.Code {
	var factories []jen.Code
	for i, l := range p.Lambdas {
		hint := n.Name
		if i < len(p.As) {
			hint += exportedName(p.As[i])
		}
		factories = append(factories, g.lambdaFactory(g.lambdaType(l, hint)))
	}
	cfg := jen.Dict{jen.Id("Lambdas"): jen.Index().Qual(rt, "LambdaFactory").Values(factories...)}
	setStrings(cfg, "As", p.As)
	cfg[jen.Id("Delimiter")] = jen.Lit(p.Delimiter)
	setDur(cfg, "Tolerance", p.Tolerance)
	setLit(cfg, "Max", p.Max)
	return g.construct(n, "NewCombine", "CombineConfig", cfg)
}

// multiInput reports whether n takes each parent on its own input.
func multiInput(n *ir.Node) bool {
	return n.Kind == ir.KindJoin || n.Kind == ir.KindUnion
}

// valueText writes a fill number as the runtime's query config spells it.
func valueText(v stdlib.Value) string {
	switch v.Type() {
	case stdlib.TypeInt:
		return strconv.FormatInt(v.Int(), 10)
	case stdlib.TypeFloat:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return v.Literal()
}
