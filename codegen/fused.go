package codegen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

// fusedNode is what the emitter knows about one Fused node while it writes it.
type fusedNode struct {
	typ      string     // the generated struct type
	state    string     // the per-group state type; "" when no step is stateful
	fields   []jen.Code // fields of the struct
	stFields []jen.Code // fields of the per-group state
	init     jen.Dict   // the struct's initial values
	declared map[string]bool
	// stLambdas are the lambdas of the per-group state (all stateful);
	// sharedStateful the stateful lambdas all groups share (from's where).
	stLambdas, sharedStateful []string
	// direct holds the lambda fields whose type has the Test or Result
	// method the node calls with resolved references (see directLambda).
	direct map[string]bool
}

/*
	cpuFrom := &cpuFrom{}
	cpuFrom.Task, cpuFrom.Info = t, tickrt.NodeInfo{Name: "from1", Pos: "cpu.tick:1:8"}
	t.AddMeasurement("cpu")

and, after build:

	// cpuFrom runs from1, where2 and eval3 on each point, fused into one node.
	type cpuFrom struct {
		tickrt.Base
		dims   tickrt.Dimensions
		groups map[tickrt.GroupID]*cpuFromState
		…
	}

	func (n *cpuFrom) Point(p tickrt.Point) {
		n.PointsIn++
		if p.Name != "cpu" {
			return
		}
		p.Dimensions = n.dims
		p.Group = tickrt.NewGroupID(p.Name, p.Tags, p.Dimensions)
		if !n.Task.AdmitGroup(n, p.Group) {
			return
		}
		st := n.state(p.Group)
		refUsage, err := ref(p.Tags, p.Fields, "usage")
		…
		if ok, err := st.where2.Test(p.Time, refUsage); !ok {
			…
		}
		r0, err := st.eval3.Result(p.Time, refUsage)
		…
		p.Fields = n.fieldSets.Make(1)
		p.Fields[0] = tickrt.Field{Key: "used", Value: r0}
		n.EmitPoint(p)
	}
*/
func (g *generator) fused(n *ir.Node, p *ir.FusedProps) []jen.Code {
	if len(p.Steps) == 0 {
		g.errorf(n.Pos, "internal error: fused node without steps")
		return nil
	}
	v := g.varName(n)
	fn := &fusedNode{typ: g.names.name(v, "node"), init: jen.Dict{}, declared: map[string]bool{}, direct: map[string]bool{}}
	var names []string
	for _, s := range p.Steps {
		names = append(names, s.Name)
	}
	stateful := false
	for _, s := range p.Steps {
		for _, l := range stepLambdas(s) {
			if l.Stateful && s.Kind != ir.KindFrom {
				stateful = true
			}
		}
	}
	if stateful {
		fn.state = g.names.name(v, "state")
	}

	tracked := lastGrouped(p.Steps) != nil
	if tracked {
		fn.fields = append(fn.fields,
			jen.Id("seen").Map(jen.Qual(rt, "GroupID")).Bool().Comment("the groups that reached "+lastGrouped(p.Steps).Name),
			jen.Id("last").Qual(rt, "GroupID").Comment("the group of the last point recorded in seen"),
			jen.Id("lastOK").Bool().Comment("whether last is set and still in seen"),
		)
		fn.init[jen.Id("seen")] = jen.Map(jen.Qual(rt, "GroupID")).Bool().Values()
	}
	pointSteps := g.fusedSteps(n, fn, p.Steps, stepVars{
		time: jen.Id("p").Dot("Time"), tags: jen.Id("p").Dot("Tags"), fields: jen.Id("p").Dot("Fields"),
		group: jen.Id("p").Dot("Group"), drop: jen.Return(), point: true,
	})
	first := p.Steps[0]
	var methods []jen.Code
	pointBody := []jen.Code{jen.Id("n").Dot("PointsIn").Op("++")}
	var batchBody []jen.Code
	if first.Kind == ir.KindFrom || n.Wants == ir.StreamEdge {
		pointBody = append(pointBody, pointSteps...)
		pointBody = append(pointBody, jen.Id("n").Dot("EmitPoint").Call(jen.Id("p")))
		batchBody = []jen.Code{
			jen.Id("n").Dot("PointsIn").Op("++"),
			jen.Id("n").Dot("Error").Call(jen.Qual("errors", "New").Call(jen.Lit(first.Kind.String() + " does not support batch data"))),
		}
	} else {
		pointBody = append(pointBody, jen.Id("n").Dot("Error").Call(jen.Qual("errors", "New").Call(jen.Lit(first.Kind.String()+" does not support stream data"))))
		batchSteps := g.fusedSteps(n, fn, p.Steps, stepVars{
			time: jen.Id("bp").Dot("Time"), tags: jen.Id("bp").Dot("Tags"), fields: jen.Id("bp").Dot("Fields"),
			group: jen.Id("b").Dot("Group"), drop: jen.Continue(),
		})
		loop := append(batchSteps, jen.Id("kept").Op("=").Append(jen.Id("kept"), jen.Id("bp")))
		batchBody = []jen.Code{
			jen.Id("n").Dot("PointsIn").Op("++"),
			jen.Id("n").Dot("seen").Index(jen.Id("b").Dot("Group")).Op("=").True(),
			jen.Id("kept").Op(":=").Make(jen.Index().Qual(rt, "BatchPoint"), jen.Lit(0), jen.Len(jen.Id("b").Dot("Points"))),
			jen.For(jen.List(jen.Id("_"), jen.Id("bp")).Op(":=").Range().Id("b").Dot("Points")).Block(loop...),
			jen.Id("b").Dot("Points").Op("=").Id("kept"),
			jen.Id("n").Dot("EmitBatch").Call(jen.Id("b")),
		}
	}
	recv := jen.Id("n").Op("*").Id(fn.typ)

	joined := strings.Join(names, ", ")
	methods = append(methods,
		doc(fmt.Sprintf("Point runs %s on p.", joined),
			jen.Func().Params(recv).Id("Point").Params(jen.Id("p").Qual(rt, "Point")).Block(pointBody...)),
		doc(fmt.Sprintf("Batch runs %s on each point of b.", joined),
			jen.Func().Params(recv).Id("Batch").Params(jen.Id("b").Qual(rt, "Batch")).Block(batchBody...)),
	)
	var barrier, del []jen.Code
	barrierDoc := "Barrier passes the barrier on."
	delDoc := "DeleteGroup passes the deletion on."
	if tracked {
		barrierDoc = "Barrier records the group and passes the barrier on."
		barrier = append(barrier, jen.Id("n").Dot("seen").Index(jen.Id("g")).Op("=").True())
		delDoc = "DeleteGroup forgets a group it has seen and passes the deletion on."
		del = append(del,
			jen.If(jen.Op("!").Id("n").Dot("seen").Index(jen.Id("g"))).Block(jen.Return()),
			jen.Delete(jen.Id("n").Dot("seen"), jen.Id("g")),
			jen.Id("n").Dot("lastOK").Op("=").False(),
		)
	}
	barrier = append(barrier, jen.Id("n").Dot("EmitBarrier").Call(jen.Id("g"), jen.Id("t")))
	methods = append(methods, doc(barrierDoc,
		jen.Func().Params(recv).Id("Barrier").Params(jen.Id("g").Qual(rt, "GroupID"), jen.Id("t").Int64()).Block(barrier...)))
	if fn.state != "" {
		delDoc = "DeleteGroup releases the state of a group it has seen and passes the deletion on."
		del = append(del, jen.Delete(jen.Id("n").Dot("groups"), jen.Id("g")))
	}
	del = append(del, jen.Id("n").Dot("EmitDeleteGroup").Call(jen.Id("g")))
	methods = append(methods,
		doc(delDoc, jen.Func().Params(recv).Id("DeleteGroup").Params(jen.Id("g").Qual(rt, "GroupID")).Block(del...)),
		doc("Done passes the end of input on.", jen.Func().Params(recv).Id("Done").Params().Block(jen.Id("n").Dot("EmitDone").Call())),
	)
	if fn.state != "" {
		fn.fields = append(fn.fields, jen.Id("groups").Map(jen.Qual(rt, "GroupID")).Op("*").Id(fn.state).Comment("per-group lambda state, made on a group's first point"))
		fn.init[jen.Id("groups")] = jen.Map(jen.Qual(rt, "GroupID")).Op("*").Id(fn.state).Values()
		methods = append(methods,
			doc("state returns the lambda state of group g, making it on first use.",
				jen.Func().Params(recv).Id("state").Params(jen.Id("g").Qual(rt, "GroupID")).Op("*").Id(fn.state).Block(
					jen.Id("s").Op(":=").Id("n").Dot("groups").Index(jen.Id("g")),
					jen.If(jen.Id("s").Op("==").Nil()).Block(
						jen.Id("s").Op("=").Op("&").Id(fn.state).Values(),
						jen.Id("n").Dot("groups").Index(jen.Id("g")).Op("=").Id("s"),
					),
					jen.Return(jen.Id("s")),
				)),
		)
	}

	methods = append(methods, g.fusedStateMethods(fn, tracked, recv)...)

	fields := append([]jen.Code{jen.Qual(rt, "Base")}, fn.fields...)
	g.decls = append(g.decls, doc(fmt.Sprintf("%s runs %s on each point, fused into one node.", fn.typ, joined),
		jen.Type().Id(fn.typ).Struct(fields...)))
	if fn.state != "" {
		g.decls = append(g.decls, doc(fmt.Sprintf("%s is the state of the stateful lambdas of %s for one group.", fn.state, fn.typ),
			jen.Type().Id(fn.state).Struct(fn.stFields...)))
	}
	g.decls = append(g.decls, methods...)

	code := []jen.Code{
		jen.Id(v).Op(":=").Op("&").Id(fn.typ).Values(fn.init),
		jen.List(jen.Id(v).Dot("Task"), jen.Id(v).Dot("Info")).Op("=").List(jen.Id("t"), g.info(n)),
	}
	if fp, ok := first.Props.(*ir.FromProps); ok {
		code = append(code, jen.Id("t").Dot("AddMeasurement").Call(jen.Lit(fp.Measurement)))
	}
	return code
}

/*
fusedStateMethods makes the fused node a tickrt.Stateful when it keeps
state: the groups it has seen, and the state of its stateful lambdas, each
group's in group order (so that the same state gives the same bytes), then
those all groups share:

	func (n *cpuFrom) SaveState(e *tickrt.StateEncoder) {
		e.GroupSet(n.seen)
		groups := slices.Sorted(maps.Keys(n.groups))
		e.Len(len(groups))
		for _, g := range groups {
			e.Group(g)
			n.groups[g].eval3.SaveState(e)
		}
	}

and LoadState, which reads it back into fresh maps.
*/
func (g *generator) fusedStateMethods(fn *fusedNode, tracked bool, recv *jen.Statement) []jen.Code {
	if !tracked && fn.state == "" && len(fn.sharedStateful) == 0 {
		return nil
	}
	sortedKeys := func(m string) jen.Code {
		return jen.Qual("slices", "Sorted").Call(jen.Qual("maps", "Keys").Call(jen.Id("n").Dot(m)))
	}
	failed := func(call jen.Code) jen.Code {
		return jen.If(jen.Err().Op(":=").Add(call), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
	}
	var save, load []jen.Code
	var parts []string
	if tracked {
		parts = append(parts, "the groups it has seen")
		save = append(save, jen.Id("e").Dot("GroupSet").Call(jen.Id("n").Dot("seen")))
		load = append(load,
			jen.Id("n").Dot("seen").Op("=").Id("d").Dot("GroupSet").Call(),
			jen.Id("n").Dot("lastOK").Op("=").False(),
		)
	}
	if fn.state != "" {
		parts = append(parts, "the lambda state of each group")
		saveGroup := []jen.Code{jen.Id("e").Dot("Group").Call(jen.Id("g"))}
		loadGroup := []jen.Code{
			jen.Id("g").Op(":=").Id("d").Dot("Group").Call(),
			jen.Id("st").Op(":=").Op("&").Id(fn.state).Values(),
		}
		for _, name := range fn.stLambdas {
			saveGroup = append(saveGroup, jen.Id("n").Dot("groups").Index(jen.Id("g")).Dot(name).Dot("SaveState").Call(jen.Id("e")))
			loadGroup = append(loadGroup, failed(jen.Id("st").Dot(name).Dot("LoadState").Call(jen.Id("d"))))
		}
		loadGroup = append(loadGroup, jen.Id("n").Dot("groups").Index(jen.Id("g")).Op("=").Id("st"))
		save = append(save,
			jen.Id("groups").Op(":=").Add(sortedKeys("groups")),
			jen.Id("e").Dot("Len").Call(jen.Len(jen.Id("groups"))),
			jen.For(jen.List(jen.Id("_"), jen.Id("g")).Op(":=").Range().Id("groups")).Block(saveGroup...),
		)
		load = append(load,
			jen.Id("n").Dot("groups").Op("=").Map(jen.Qual(rt, "GroupID")).Op("*").Id(fn.state).Values(),
			jen.For(jen.Range().Id("d").Dot("Len").Call()).Block(loadGroup...),
		)
	}
	if len(fn.sharedStateful) > 0 {
		parts = append(parts, "the state of the lambdas all groups share")
		for _, name := range fn.sharedStateful {
			save = append(save, jen.Id("n").Dot(name).Dot("SaveState").Call(jen.Id("e")))
			load = append(load, failed(jen.Id("n").Dot(name).Dot("LoadState").Call(jen.Id("d"))))
		}
	}
	load = append(load, jen.Return(jen.Id("d").Dot("Err").Call()))
	what := parts[0]
	if len(parts) > 1 {
		what = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	if tracked || fn.state != "" {
		what += ", in group order"
	}
	return []jen.Code{
		doc(fmt.Sprintf("SaveState writes %s.", what),
			jen.Func().Params(recv).Id("SaveState").Params(jen.Id("e").Op("*").Qual(rt, "StateEncoder")).Block(save...)),
		doc("LoadState reads what SaveState wrote into a freshly built node.",
			jen.Func().Params(recv).Id("LoadState").Params(jen.Id("d").Op("*").Qual(rt, "StateDecoder")).Error().Block(load...)),
	}
}

// lastGrouped returns the last where or eval step, or nil. Like Kapacitor's
// grouped consumers, such a node knows the groups whose data (or barriers)
// reached it and passes on only the deletions of those; the fused node keeps
// that record for its last one, whose groups every earlier one saw too.
func lastGrouped(steps []*ir.Node) *ir.Node {
	var last *ir.Node
	for _, s := range steps {
		if s.Kind == ir.KindWhere || s.Kind == ir.KindEval {
			last = s
		}
	}
	return last
}

// doc puts a doc comment above a declaration.
func doc(comment string, d *jen.Statement) *jen.Statement {
	return jen.Comment(comment).Line().Add(d)
}

// stepLambdas returns the lambdas of one fused step.
func stepLambdas(s *ir.Node) []*ir.Lambda {
	switch p := s.Props.(type) {
	case *ir.FromProps:
		return p.Where
	case *ir.WhereProps:
		return []*ir.Lambda{p.Lambda}
	case *ir.EvalProps:
		return p.Lambdas
	}
	return nil
}

// stepVars are the expressions a fused step reads and writes: those of the
// point, or those of one batch point and its batch.
type stepVars struct {
	time, tags, fields, group jen.Code
	drop                      jen.Code   // leaves the current point: return or continue
	point                     bool       // a stream point (name, time and group may change)
	refs                      *pointRefs // the references resolved on tags and fields so far
}

/*
fusedSteps emits the inline code of every step of a fused node.

Before the last where or eval step, a stream point's group is recorded in
seen; a run of points of one group touches the map only for its first:

	if !n.lastOK || p.Group != n.last {
		n.seen[p.Group] = true
		n.last, n.lastOK = p.Group, true
	}
*/
func (g *generator) fusedSteps(n *ir.Node, fn *fusedNode, steps []*ir.Node, sv stepVars) []jen.Code {
	var out []jen.Code
	stateLoaded := false
	last := lastGrouped(steps)
	sv.refs = newPointRefs()
	for _, s := range steps {
		out = append(out, jen.Comment(fmt.Sprintf("%s (%s)", s.Name, g.position(s.Pos))))
		if s == last && sv.point {
			out = append(out, jen.If(jen.Op("!").Id("n").Dot("lastOK").Op("||").Add(sv.group).Op("!=").Id("n").Dot("last")).Block(
				jen.Id("n").Dot("seen").Index(sv.group).Op("=").True(),
				jen.List(jen.Id("n").Dot("last"), jen.Id("n").Dot("lastOK")).Op("=").List(sv.group, jen.True()),
			))
		}
		if fn.state != "" && !stateLoaded && s.Kind != ir.KindFrom {
			out = append(out, jen.Id("st").Op(":=").Id("n").Dot("state").Call(sv.group))
			stateLoaded = true
		}
		switch p := s.Props.(type) {
		case *ir.FromProps:
			out = append(out, g.fromStep(s, fn, p, sv)...)
		case *ir.WhereProps:
			out = append(out, g.whereStep(s, fn, p, sv)...)
		case *ir.EvalProps:
			out = append(out, g.evalStep(s, fn, p, sv)...)
			sv.refs.forget() // eval sets new fields (and maybe tags)
		default:
			g.errorf(s.Pos, "internal error: %s cannot be fused", s.Kind)
		}
	}
	return out
}

// lambdaField declares the field that holds one lambda of a fused node, in
// the per-group state when it is stateful and the step keeps state per group,
// and returns the expression that reaches it and whether its type has the
// direct method of use (else the node calls Eval).
func (g *generator) lambdaField(fn *fusedNode, step *ir.Node, l *ir.Lambda, hint string, shared bool, use lambdaUse) (jen.Code, bool) {
	name := camel(hint)
	if l.Stateful && !shared && fn.state != "" {
		key := "st." + name
		if !fn.declared[key] {
			fn.declared[key] = true
			typ, direct := g.directLambda(l, hint, use)
			fn.direct[key] = direct
			fn.stFields = append(fn.stFields, jen.Id(name).Id(typ))
			fn.stLambdas = append(fn.stLambdas, name)
		}
		return jen.Id("st").Dot(name), fn.direct[key]
	}
	if !fn.declared[name] {
		fn.declared[name] = true
		typ, direct := g.directLambda(l, hint, use)
		fn.direct[name] = direct
		fn.fields = append(fn.fields, jen.Id(name).Id(typ).Comment(step.Name))
		if l.Stateful {
			fn.sharedStateful = append(fn.sharedStateful, name)
		}
	}
	return jen.Id("n").Dot(name), fn.direct[name]
}

// pointRefs are the references a fused node's steps have resolved on the
// point's current tags and fields, each held in a local variable, so that a
// later lambda that reads the same name takes the variable, until a step
// changes the tags or fields.
type pointRefs struct {
	names *localNamer
	vars  map[string]string // reference name -> variable
}

func newPointRefs() *pointRefs {
	names := newLocalNamer()
	for _, r := range []string{"n", "p", "b", "bp", "kept", "st", "scope", "dims", "i", "tag"} {
		names.used[r] = true
	}
	return &pointRefs{names: names, vars: map[string]string{}}
}

// forget drops every resolved reference: the tags or fields changed.
func (r *pointRefs) forget() {
	r.vars = map[string]string{}
}

/*
resolve appends to out the statements that resolve the references of l not
resolved yet, in l's order (Kapacitor resolves them all before it evaluates
anything, so the first one that fails is the error of l), and returns the
arguments of l's direct method: the time, then the references.

	refValue, err := ref(p.Tags, p.Fields, "value")
	if err != nil {
		n.Error(fmt.Errorf("error while evaluating WHERE expression: %w", err))
		return
	}

A failure is reported with msg and drops the point. With keep false, the
fields are a scope that holds for this lambda only: the variables are not
kept for later lambdas.
*/
func (r *pointRefs) resolve(l *ir.Lambda, sv stepVars, fields jen.Code, msg string, keep bool, out *[]jen.Code) (args []jen.Code, vars map[string]string) {
	args = []jen.Code{sv.time}
	vars = map[string]string{}
	for _, name := range lambdaRefs(l) {
		v, ok := r.vars[name]
		if !ok || !keep {
			v = r.names.name("ref " + name)
			if keep {
				r.vars[name] = v
			}
			*out = append(*out,
				jen.List(jen.Id(v), jen.Err()).Op(":=").Id("ref").Call(sv.tags, fields, jen.Lit(name)),
				jen.If(jen.Err().Op("!=").Nil()).Block(
					jen.Id("n").Dot("Error").Call(jen.Qual("fmt", "Errorf").Call(jen.Lit(msg+": %w"), jen.Err())),
					sv.drop,
				),
			)
		}
		args = append(args, jen.Id(v))
		vars[name] = v
	}
	return args, vars
}

// fastPath returns the typed fast path of l on the references in vars (see
// typedParts), for the node to compute inline before it calls l's method.
func (g *generator) fastPath(l *ir.Lambda, vars map[string]string) (guard, code *jen.Statement, t stdlib.Type, ok bool) {
	if l.Expr == nil {
		return nil, nil, 0, false
	}
	e := &exprEmitter{g: g, names: newLocalNamer(), refs: vars}
	return e.typedParts(l.Expr)
}

// fromStep filters by database, retention policy and measurement, applies
// from's where (one lambda instance for all groups, as in Kapacitor), adjusts
// the time and sets the group.
func (g *generator) fromStep(s *ir.Node, fn *fusedNode, p *ir.FromProps, sv stepVars) []jen.Code {
	var out []jen.Code
	reject := func(field, want string) {
		if want != "" {
			out = append(out, jen.If(jen.Id("p").Dot(field).Op("!=").Lit(want)).Block(sv.drop))
		}
	}
	reject("Database", p.Database)
	reject("RetentionPolicy", p.RetentionPolicy)
	reject("Name", p.Measurement)
	if len(p.Where) > 0 {
		l := g.whereLambda(s, p.Where)
		f, direct := g.lambdaField(fn, s, l, s.Name+"Where", true, useTest)
		out = append(out, g.predicate(l, f, direct, sv, "failed to evaluate WHERE expression")...)
	}
	if p.Truncate != 0 {
		out = append(out, jen.Id("p").Dot("Time").Op("=").Qual("time", "Unix").Call(jen.Lit(0), jen.Id("p").Dot("Time")).Dot("Truncate").Call(durationCode(p.Truncate)).Dot("UnixNano").Call())
	}
	if p.Round != 0 {
		out = append(out, jen.Id("p").Dot("Time").Op("=").Qual("time", "Unix").Call(jen.Lit(0), jen.Id("p").Dot("Time")).Dot("Round").Call(durationCode(p.Round)).Dot("UnixNano").Call())
	}
	if p.GroupBy.All {
		out = append(out,
			jen.Id("dims").Op(":=").Qual(rt, "Dimensions").Values(jen.Dict{
				jen.Id("ByName"):   jen.Lit(p.GroupByMeasurement),
				jen.Id("TagNames"): jen.Make(jen.Index().String(), jen.Len(jen.Id("p").Dot("Tags"))),
			}),
			jen.For(jen.List(jen.Id("i"), jen.Id("tag")).Op(":=").Range().Id("p").Dot("Tags")).Block(
				jen.Id("dims").Dot("TagNames").Index(jen.Id("i")).Op("=").Id("tag").Dot("Key"),
			),
			jen.Id("p").Dot("Dimensions").Op("=").Id("dims"),
		)
	} else {
		tags := append([]string(nil), p.GroupBy.Tags...)
		sort.Strings(tags)
		dims := jen.Dict{}
		setLit(dims, "ByName", p.GroupByMeasurement)
		setStrings(dims, "TagNames", tags)
		fn.fields = append(fn.fields, jen.Id("dims").Qual(rt, "Dimensions").Comment("the grouping from sets"))
		fn.init[jen.Id("dims")] = jen.Qual(rt, "Dimensions").Values(dims)
		out = append(out, jen.Id("p").Dot("Dimensions").Op("=").Id("n").Dot("dims"))
	}
	out = append(out, jen.Id("p").Dot("Group").Op("=").Qual(rt, "NewGroupID").Call(jen.Id("p").Dot("Name"), jen.Id("p").Dot("Tags"), jen.Id("p").Dot("Dimensions")))
	out = append(out, jen.If(jen.Op("!").Id("n").Dot("Task").Dot("AdmitGroup").Call(jen.Id("n"), jen.Id("p").Dot("Group"))).Block(sv.drop))
	return out
}

/*
predicate evaluates a boolean lambda l, held in field, and drops the point
unless it is true: with its Test method on the references resolved when
direct, else with Eval. When the lambda has a boolean fast path, the node
computes it inline and calls Test only for the other points:

	if refValue.Type() == stdlib.TypeFloat && refHost.Type() == stdlib.TypeString {
		if !(refValue.Float() > 10.0 && refHost.Str() != "skip") {
			return
		}
	} else if ok, err := n.where2.Test(p.Time, refValue, refHost); !ok {
		…
	}
*/
func (g *generator) predicate(l *ir.Lambda, field jen.Code, direct bool, sv stepVars, msg string) []jen.Code {
	var out []jen.Code
	var test jen.Code
	var guard, fast *jen.Statement
	if direct {
		g.needRef = g.needRef || len(lambdaRefs(l)) > 0
		args, vars := sv.refs.resolve(l, sv, sv.fields, msg, true, &out)
		test = jen.Add(field).Dot("Test").Call(args...)
		if gd, code, t, ok := g.fastPath(l, vars); ok && t == stdlib.TypeBool {
			guard, fast = gd, code
		}
	} else {
		g.needIsTrue = true
		test = jen.Id("isTrue").Call(jen.Add(field).Dot("Eval").Call(sv.time, sv.tags, sv.fields))
	}
	call := jen.If(
		jen.List(jen.Id("ok"), jen.Err()).Op(":=").Add(test),
		jen.Op("!").Id("ok"),
	).Block(
		jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Id("n").Dot("Error").Call(jen.Qual("fmt", "Errorf").Call(jen.Lit(msg+": %w"), jen.Err())),
		),
		sv.drop,
	)
	if guard == nil {
		return append(out, call)
	}
	return append(out, jen.If(guard).Block(
		jen.If(jen.Op("!").Parens(fast)).Block(sv.drop),
	).Else().Add(call))
}

// whereStep keeps the point when the lambda is true.
func (g *generator) whereStep(s *ir.Node, fn *fusedNode, p *ir.WhereProps, sv stepVars) []jen.Code {
	f, direct := g.lambdaField(fn, s, p.Lambda, s.Name, false, useTest)
	return g.predicate(p.Lambda, f, direct, sv, "error while evaluating expression")
}

// evalStep evaluates the lambdas in order, each seeing the results of those
// before it (under a name the point has as neither field nor tag), and then
// sets tags and fields as Kapacitor's eval does.
func (g *generator) evalStep(s *ir.Node, fn *fusedNode, p *ir.EvalProps, sv stepVars) []jen.Code {
	if len(p.As) != len(p.Lambdas) {
		g.errorf(s.Pos, "must provide one name per expression via the 'As' property")
		return nil
	}
	var out []jen.Code
	res := make([]string, len(p.Lambdas))
	// later[i] is set when a later lambda reads the result of lambda i.
	later := make([]bool, len(p.Lambdas))
	for i := range p.Lambdas {
		for j := i + 1; j < len(p.Lambdas); j++ {
			if containsStr(lambdaRefs(p.Lambdas[j]), p.As[i]) {
				later[i] = true
			}
		}
	}
	scoped := false
	for i, l := range p.Lambdas {
		hint := s.Name
		if len(p.Lambdas) > 1 {
			hint = fmt.Sprintf("%s%s", s.Name, exportedName(p.As[i]))
		}
		f, direct := g.lambdaField(fn, s, l, hint, false, useResult)
		res[i] = fmt.Sprintf("r%d", i)
		fields := sv.fields
		if scoped {
			fields = jen.Id("scope")
		}
		const msg = "error evaluating expression"
		failed := jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Id("n").Dot("Error").Call(jen.Qual("fmt", "Errorf").Call(jen.Lit(msg+": %w"), jen.Err())),
			sv.drop,
		)
		if direct {
			g.needRef = g.needRef || len(lambdaRefs(l)) > 0
			args, vars := sv.refs.resolve(l, sv, fields, msg, !scoped, &out)
			result := jen.Add(f).Dot("Result").Call(args...)
			if guard, code, t, ok := g.fastPath(l, vars); ok {
				// The fast path's value is one stdlib.Result accepts.
				out = append(out,
					jen.Var().Id(res[i]).Qual(std, "Value"),
					jen.If(guard).Block(
						jen.Id(res[i]).Op("=").Qual(std, valueFuncs[t]).Call(code),
					).Else().If(jen.List(jen.Id("v"), jen.Err()).Op(":=").Add(result), jen.Err().Op("!=").Nil()).Block(
						jen.Id("n").Dot("Error").Call(jen.Qual("fmt", "Errorf").Call(jen.Lit(msg+": %w"), jen.Err())),
						sv.drop,
					).Else().Block(
						jen.Id(res[i]).Op("=").Id("v"),
					),
				)
			} else {
				out = append(out, jen.List(jen.Id(res[i]), jen.Err()).Op(":=").Add(result), failed)
			}
		} else {
			out = append(out,
				jen.List(jen.Id(res[i]), jen.Err()).Op(":=").Add(f).Dot("Eval").Call(sv.time, sv.tags, fields),
				jen.If(jen.Err().Op("==").Nil()).Block(
					jen.List(jen.Id(res[i]), jen.Err()).Op("=").Qual(std, "Result").Call(jen.Id(res[i])),
				),
				failed,
			)
		}
		if later[i] {
			g.needScopeWith = true
			if !scoped {
				out = append(out, jen.Id("scope").Op(":=").Add(sv.fields))
				scoped = true
			}
			out = append(out, jen.Id("scope").Op("=").Id("scopeWith").Call(sv.tags, sv.fields, jen.Id("scope"), jen.Lit(p.As[i]), jen.Id(res[i])))
		}
	}
	// The last lambda of a name wins, as in Kapacitor's scope.
	last := map[string]int{}
	for i, name := range p.As {
		last[name] = i
	}
	// A later lambda that reads a result's name fills the scope with the
	// point's own field or tag of that name, if it has one: that is then
	// what the name holds at the end.
	for i, name := range p.As {
		if i != last[name] || !referenced(p.Lambdas[i+1:], name) {
			continue
		}
		out = append(out, jen.If(jen.Id("v").Op(":=").Add(sv.fields).Dot("Get").Call(jen.Lit(name)), jen.Op("!").Id("v").Dot("IsMissing").Call()).Block(
			jen.Id(res[i]).Op("=").Id("v"),
		).Else().If(jen.List(jen.Id("tag"), jen.Id("ok")).Op(":=").Add(sv.tags).Dot("Get").Call(jen.Lit(name)), jen.Id("ok")).Block(
			jen.Id(res[i]).Op("=").Qual(std, "String").Call(jen.Id("tag")),
		))
	}
	isTag := map[string]bool{}
	tagNames := append([]string(nil), p.Tags...)
	sort.Strings(tagNames)
	for _, t := range tagNames {
		isTag[t] = true
		i, ok := last[t]
		if !ok {
			g.errorf(s.Pos, "eval tag %q is not the name of one of its expressions", t)
			continue
		}
		out = append(out,
			jen.If(jen.Id(res[i]).Dot("Type").Call().Op("!=").Qual(std, "TypeString")).Block(
				jen.Id("n").Dot("Error").Call(jen.Qual("fmt", "Errorf").Call(jen.Lit("error evaluating expression: result of a tag expression must be of type string, got %s"), jen.Id(res[i]).Dot("Type").Call())),
				sv.drop,
			),
		)
	}
	var newTags []jen.Code
	for _, t := range tagNames {
		if i, ok := last[t]; ok {
			newTags = append(newTags, jen.Add(sv.tags).Op("=").Add(sv.tags).Dot("With").Call(jen.Lit(t), jen.Id(res[i]).Dot("Str").Call()))
		}
	}
	if len(newTags) > 0 && sv.point {
		// As the eval node does, a point whose tags change changes group.
		newTags = append(newTags, jen.Id("p").Dot("Group").Op("=").Qual(rt, "NewGroupID").Call(jen.Id("p").Dot("Name"), jen.Id("p").Dot("Tags"), jen.Id("p").Dot("Dimensions")))
	}
	names := make([]string, 0, len(last))
	for name := range last {
		names = append(names, name)
	}
	sort.Strings(names)
	switch {
	case p.Keep && len(p.KeepFields) > 0:
		keep := uniqueSorted(p.KeepFields)
		var items []fieldItem
		for k, name := range keep {
			if i, ok := last[name]; ok {
				items = append(items, fieldItem{name, jen.Id(res[i])})
				continue
			}
			kv := fmt.Sprintf("k%d", k)
			out = append(out, jen.Id(kv).Op(":=").Add(sv.fields).Dot("Get").Call(jen.Lit(name)))
			if referenced(p.Lambdas, name) {
				// A tag the expressions read is in their scope, so it can be kept, as a field.
				out = append(out, jen.If(jen.Id(kv).Dot("IsMissing").Call()).Block(
					jen.If(jen.List(jen.Id("tag"), jen.Id("ok")).Op(":=").Add(sv.tags).Dot("Get").Call(jen.Lit(name)), jen.Id("ok")).Block(
						jen.Id(kv).Op("=").Qual(std, "String").Call(jen.Id("tag")),
					),
				))
			}
			out = append(out,
				jen.If(jen.Id(kv).Dot("IsMissing").Call()).Block(
					jen.Id("n").Dot("Error").Call(jen.Qual("fmt", "Errorf").Call(jen.Lit("error evaluating expression: cannot keep field %q, field does not exist"), jen.Lit(name))),
					sv.drop,
				),
			)
			items = append(items, fieldItem{name, jen.Id(kv)})
		}
		out = append(out, newTags...)
		out = append(out, g.newFields(fn, sv, items)...)
	case p.Keep:
		out = append(out, newTags...)
		for _, name := range names {
			out = append(out, jen.Add(sv.fields).Op("=").Add(sv.fields).Dot("With").Call(jen.Lit(name), jen.Id(res[last[name]])))
		}
	default:
		out = append(out, newTags...)
		var items []fieldItem
		for _, name := range names {
			if isTag[name] {
				continue
			}
			items = append(items, fieldItem{name, jen.Id(res[last[name]])})
		}
		out = append(out, g.newFields(fn, sv, items)...)
	}
	return []jen.Code{jen.Block(out...)}
}

// fieldItem is one field of a new field set: its key and the Go expression
// of its value.
type fieldItem struct {
	key   string
	value jen.Code
}

/*
newFields replaces the point's fields by a new set, in key order, carved from
the node's block of field sets (no allocation per point):

	p.Fields = n.fieldSets.Make(1)
	p.Fields[0] = tickrt.Field{Key: "used", Value: r0}
*/
func (g *generator) newFields(fn *fusedNode, sv stepVars, items []fieldItem) []jen.Code {
	if len(items) == 0 {
		return []jen.Code{jen.Add(sv.fields).Op("=").Qual(rt, "Fields").Values()}
	}
	if !fn.declared["fieldSets"] {
		fn.declared["fieldSets"] = true
		fn.fields = append(fn.fields, jen.Id("fieldSets").Qual(rt, "FieldsBlock").Comment("the blocks eval's new field sets are carved from"))
	}
	out := []jen.Code{jen.Add(sv.fields).Op("=").Id("n").Dot("fieldSets").Dot("Make").Call(jen.Lit(len(items)))}
	for i, it := range items {
		out = append(out, jen.Add(sv.fields).Index(jen.Lit(i)).Op("=").Qual(rt, "Field").Values(jen.Dict{jen.Id("Key"): jen.Lit(it.key), jen.Id("Value"): it.value}))
	}
	return out
}

// referenced reports whether one of the lambdas reads the reference name.
func referenced(ls []*ir.Lambda, name string) bool {
	for _, l := range ls {
		if containsStr(lambdaRefs(l), name) {
			return true
		}
	}
	return false
}

func uniqueSorted(v []string) []string {
	out := append([]string(nil), v...)
	sort.Strings(out)
	k := 0
	for i, s := range out {
		if i == 0 || s != out[k-1] {
			out[k] = s
			k++
		}
	}
	return out[:k]
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func exportedName(s string) string {
	c := camel(s)
	if c == "" {
		return c
	}
	return strings.ToUpper(c[:1]) + c[1:]
}
