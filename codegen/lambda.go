package codegen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

/*
	// cpuWhere2 is the lambda of where2 (cpu.tick:3:9): "usage" > 90.0
	type cpuWhere2 struct{}

	// Eval evaluates "usage" > 90.0 on one point.
	func (l *cpuWhere2) Eval(at int64, tags tickrt.Tags, fields tickrt.Fields) (stdlib.Value, error) {
		usage, err := ref(tags, fields, "usage")
		if err != nil {
			return stdlib.Missing, err
		}
		v1, err := stdlib.Gt(usage, stdlib.Float(90))
		if err != nil {
			return stdlib.Missing, err
		}
		return v1, nil
	}

A lambda that calls stateful functions keeps their state in its fields, one
per function name (two calls of count() share one), made on first use, so
that the zero value of the struct is ready.
*/
func (g *generator) lambdaType(l *ir.Lambda, hint string) string {
	return g.lambdaTypeOf(l, hint, false)
}

// lambdaTypeOf is lambdaType; a direct lambda (one a fused node calls, see
// directLambda) evaluates its expression in a method of its own, compute,
// which Eval calls once it has resolved the references, and which the Test
// or Result method calls too.
func (g *generator) lambdaTypeOf(l *ir.Lambda, hint string, direct bool) string {
	if typ, ok := g.lambdas[l]; ok {
		return typ
	}
	typ := g.names.name(hint, "lambda")
	g.lambdas[l] = typ
	e := &exprEmitter{g: g, refs: map[string]string{}, states: map[string]string{}}
	e.names = newLocalNamer()
	var stmts []jen.Code
	// Kapacitor resolves every reference the expression mentions before it
	// evaluates anything, so a field/tag clash is an error even in a branch
	// that AND or OR skips.
	refs := lambdaRefs(l)
	var refVars []jen.Code
	for _, name := range refs {
		v := e.names.name(name)
		e.refs[name] = v
		refVars = append(refVars, jen.Id(v))
		g.needRef = true
		stmts = append(stmts,
			jen.List(jen.Id(v), jen.Err()).Op(":=").Id("ref").Call(jen.Id("tags"), jen.Id("fields"), jen.Lit(name)),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual(std, "Missing"), jen.Err())),
		)
	}
	body := &stmts
	var valueBody []jen.Code
	if direct {
		body = &valueBody
		stmts = append(stmts, jen.Return(jen.Id("l").Dot("compute").Call(append([]jen.Code{jen.Id("at")}, refVars...)...)))
	}
	*body = append(*body, e.typedPath(l.Expr)...)
	result := e.expr(l.Expr, body)
	*body = append(*body, jen.Return(result, jen.Nil()))

	var fields []jen.Code
	fnames := make([]string, 0, len(e.states))
	for fn := range e.states {
		fnames = append(fnames, fn)
	}
	sort.Strings(fnames)
	for _, fn := range fnames {
		f := stdlib.Lookup(fn)
		fields = append(fields, jen.Id(e.states[fn]).Op("*").Qual(std, f.GoName).Comment(fmt.Sprintf("the state of %s(); nil until first called", fn)))
	}
	text := oneLine(l.Expr.String())
	pos := ""
	if l.Pos.IsValid() {
		pos = " (" + g.position(l.Pos) + ")"
	}
	g.decls = append(g.decls,
		doc(fmt.Sprintf("%s is the lambda%s: %s", typ, pos, text), jen.Type().Id(typ).Struct(fields...)),
		doc(fmt.Sprintf("Eval evaluates %s on one point.", text),
			jen.Func().Params(jen.Id("l").Op("*").Id(typ)).Id("Eval").
				Params(jen.Id("at").Int64(), jen.Id("tags").Qual(rt, "Tags"), jen.Id("fields").Qual(rt, "Fields")).
				Params(jen.Qual(std, "Value"), jen.Error()).
				Block(stmts...)),
	)
	if direct {
		g.decls = append(g.decls, doc2(fmt.Sprintf("compute evaluates %s on the values of its", text),
			"references on one point.",
			jen.Func().Params(jen.Id("l").Op("*").Id(typ)).Id("compute").Params(refParams(jen.Id("at").Int64(), refVars)...).
				Params(jen.Qual(std, "Value"), jen.Error()).Block(valueBody...)))
	}
	if len(fnames) > 0 {
		g.decls = append(g.decls, lambdaStateMethods(typ, fnames, e.states)...)
	}
	return typ
}

// refParams is the parameter list of a method that takes a lambda's
// references already resolved: first, then the references as values.
func refParams(first jen.Code, refVars []jen.Code) []jen.Code {
	params := []jen.Code{first}
	if len(refVars) > 0 {
		params = append(params, jen.List(refVars...).Qual(std, "Value"))
	}
	return params
}

// lambdaUse is what a fused node does with the value of a lambda.
type lambdaUse int

const (
	// useTest reads it as a condition, as stdlib.Predicate does.
	useTest lambdaUse = iota + 1
	// useResult keeps it as a result, checked as stdlib.Result does.
	useResult
)

/*
directLambda is lambdaType for a lambda a fused node calls: the expression
is evaluated by a method of its own, compute, which takes the references
already resolved (in the order lambdaRefs gives); Eval resolves them and
calls it, and so does the method the node calls, which returns what the
node uses — the boolean of a condition, or the checked result:

	// Test evaluates "value" > 10.0 AND "host" != 'skip' as a condition,
	// on the values of its references on one point.
	func (l *where2Lambda) Test(at int64, value, host stdlib.Value) (bool, error) {
		v, err := l.compute(at, value, host)
		if err != nil {
			return false, err
		}
		return stdlib.Predicate(v)
	}

The node runs the typed fast path of the expression itself (see
typedParts) and calls Test or Result for the other points. A lambda
already emitted before (direct is false) has only Eval.
*/
func (g *generator) directLambda(l *ir.Lambda, hint string, use lambdaUse) (typ string, direct bool) {
	if typ, ok := g.lambdas[l]; ok {
		return typ, false
	}
	typ = g.lambdaTypeOf(l, hint, true)
	g.decls = append(g.decls, directMethod(l, typ, use))
	return typ, true
}

// directMethodName is the name of the method directLambda writes for use.
func directMethodName(use lambdaUse) string {
	if use == useTest {
		return "Test"
	}
	return "Result"
}

// directMethod writes the Test or Result method of a lambda type: its
// computed value, checked.
func directMethod(l *ir.Lambda, typ string, use lambdaUse) jen.Code {
	names := newLocalNamer()
	var refVars []jen.Code
	for _, name := range lambdaRefs(l) {
		refVars = append(refVars, jen.Id(names.name(name)))
	}
	call := jen.List(jen.Id("v"), jen.Err()).Op(":=").Id("l").Dot("compute").Call(append([]jen.Code{jen.Id("at")}, refVars...)...)
	text := oneLine(l.Expr.String())
	name := directMethodName(use)
	var results, body []jen.Code
	var what string
	if use == useTest {
		results = []jen.Code{jen.Bool(), jen.Error()}
		body = []jen.Code{call, jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.False(), jen.Err())), jen.Return(jen.Qual(std, "Predicate").Call(jen.Id("v")))}
		what = "as a condition"
	} else {
		results = []jen.Code{jen.Qual(std, "Value"), jen.Error()}
		body = []jen.Code{call, jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual(std, "Missing"), jen.Err())), jen.Return(jen.Qual(std, "Result").Call(jen.Id("v")))}
		what = "as a result"
	}
	fn := jen.Func().Params(jen.Id("l").Op("*").Id(typ)).Id(name).Params(refParams(jen.Id("at").Int64(), refVars)...).Params(results...).Block(body...)
	if len(refVars) == 0 {
		return doc(fmt.Sprintf("%s evaluates %s %s.", name, text, what), fn)
	}
	return doc2(fmt.Sprintf("%s evaluates %s %s,", name, text, what),
		"on the values of its references on one point.", fn)
}

/*
lambdaStateMethods makes a lambda that keeps state a tickrt.Stateful, so
that its state survives a restart, one function after the other in name
order:

	// SaveState writes the state of count() and sigma().
	func (l *cpuEval3) SaveState(e *tickrt.StateEncoder) {
		saveFunc(e, l.count != nil, l.count)
		…
	}

	// LoadState reads what SaveState wrote.
	func (l *cpuEval3) LoadState(d *tickrt.StateDecoder) error {
		l.count = nil
		if s := stdlib.NewCountState(); loadFunc(d, s) {
			l.count = s
		}
		…
		return d.Err()
	}
*/
func lambdaStateMethods(typ string, fnames []string, fields map[string]string) []jen.Code {
	var save, load []jen.Code
	var nils []jen.Code
	var names []string
	for _, fn := range fnames {
		f := jen.Id("l").Dot(fields[fn])
		names = append(names, fn+"()")
		save = append(save, jen.Id("saveFunc").Call(jen.Id("e"), jen.Add(f).Op("!=").Nil(), f))
		nils = append(nils, jen.Nil())
		load = append(load, jen.If(
			jen.Id("s").Op(":=").Qual(std, "New"+stdlib.Lookup(fn).GoName).Call(),
			jen.Id("loadFunc").Call(jen.Id("d"), jen.Id("s")),
		).Block(jen.Add(f).Op("=").Id("s")))
	}
	var targets []jen.Code
	for _, fn := range fnames {
		targets = append(targets, jen.Id("l").Dot(fields[fn]))
	}
	load = append([]jen.Code{jen.List(targets...).Op("=").List(nils...)}, load...)
	load = append(load, jen.Return(jen.Id("d").Dot("Err").Call()))
	recv := jen.Id("l").Op("*").Id(typ)
	return []jen.Code{
		doc(fmt.Sprintf("SaveState writes the state of %s.", strings.Join(names, " and ")),
			jen.Func().Params(recv).Id("SaveState").Params(jen.Id("e").Op("*").Qual(rt, "StateEncoder")).Block(save...)),
		doc("LoadState reads what SaveState wrote.",
			jen.Func().Params(recv).Id("LoadState").Params(jen.Id("d").Op("*").Qual(rt, "StateDecoder")).Error().Block(load...)),
	}
}

// needsFuncState reports whether a lambda of the file keeps function state,
// and so the file needs saveFunc and loadFunc.
func (g *generator) needsFuncState() bool {
	for l := range g.lambdas {
		if l.Expr != nil && len(ir.StatefulFuncs(l.Expr)) > 0 {
			return true
		}
	}
	return false
}

// doc2 puts a two-line doc comment above a declaration.
func doc2(line1, line2 string, d *jen.Statement) *jen.Statement {
	return jen.Comment(line1).Line().Comment(line2).Line().Add(d)
}

// lambdaValue is a fresh instance of a lambda type, as a tickrt.Lambda.
func (g *generator) lambdaValue(typ string) jen.Code {
	return jen.Op("&").Id(typ).Values()
}

// lambdaFactory is a tickrt.LambdaFactory of a lambda type.
func (g *generator) lambdaFactory(typ string) jen.Code {
	return jen.Func().Params().Qual(rt, "Lambda").Block(jen.Return(jen.Op("&").Id(typ).Values()))
}

// oneLine squeezes an expression's text onto one comment line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// localNamer names the temporaries of one Eval method.
type localNamer struct{ used map[string]bool }

func newLocalNamer() *localNamer {
	ln := &localNamer{used: map[string]bool{}}
	for _, r := range []string{"l", "at", "time", "tags", "fields", "err", "ok", "ref", "stdlib", "tickrt", "isTrue", "scopeWith", "errors", "fmt", "math", "regexp", "os", "strings"} {
		ln.used[r] = true
	}
	return ln
}

func (ln *localNamer) name(hint string) string {
	base := camel(hint)
	if base == "" || isPredeclared(base) {
		base = "v" + base
	}
	if !ln.used[base] {
		ln.used[base] = true
		return base
	}
	for i := 2; ; i++ {
		n := base + strconv.Itoa(i)
		if !ln.used[n] {
			ln.used[n] = true
			return n
		}
	}
}

// constant writes a constant value.
func (g *generator) constant(v stdlib.Value) jen.Code {
	switch v.Type() {
	case stdlib.TypeFloat:
		return jen.Qual(std, "Float").Call(floatLit(v.Float()))
	case stdlib.TypeInt:
		return jen.Qual(std, "Int").Call(jen.Lit(v.Int()))
	case stdlib.TypeString:
		return jen.Qual(std, "String").Call(jen.Lit(v.Str()))
	case stdlib.TypeBool:
		return jen.Qual(std, "Bool").Call(jen.Lit(v.Bool()))
	case stdlib.TypeDuration:
		return jen.Qual(std, "Duration").Call(durationCode(v.Duration()))
	case stdlib.TypeTime:
		return jen.Qual(std, "Time").Call(jen.Lit(v.UnixNano()))
	case stdlib.TypeRegex:
		return jen.Qual(std, "Regex").Call(jen.Id(g.regexVar(v.Regex().String())))
	}
	return jen.Qual(std, "Missing")
}

// floatLit writes a float64 literal that reads back as the same value.
func floatLit(f float64) jen.Code {
	switch {
	case f != f:
		return jen.Qual("math", "NaN").Call()
	case f > 1.7976931348623157e308:
		return jen.Qual("math", "Inf").Call(jen.Lit(1))
	case f < -1.7976931348623157e308:
		return jen.Qual("math", "Inf").Call(jen.Lit(-1))
	case f == 0 && 1/f < 0:
		return jen.Qual("math", "Copysign").Call(jen.Lit(0.0), jen.Lit(-1.0))
	}
	return jen.Lit(f)
}

// regexVar declares a package-level compiled regex once per pattern.
func (g *generator) regexVar(pattern string) string {
	if v, ok := g.regexes[pattern]; ok {
		return v
	}
	v := g.names.name("re", strconv.Itoa(len(g.regexes)+1))
	g.regexes[pattern] = v
	g.regexDecls = append(g.regexDecls, jen.Id(v).Op("=").Qual("regexp", "MustCompile").Call(jen.Lit(pattern)))
	return v
}

// helpers are the small functions generated code shares, emitted only when used.
func (g *generator) helpers() []jen.Code {
	var out []jen.Code
	if len(g.regexDecls) > 0 {
		out = append(out, doc("The regexes of the script's lambdas, compiled once.", jen.Var().Defs(g.regexDecls...)))
	}
	if g.needRef {
		/*
			func ref(tags tickrt.Tags, fields tickrt.Fields, name string) (stdlib.Value, error)
		*/
		/*
			func ref(tags tickrt.Tags, fields tickrt.Fields, name string) (stdlib.Value, error) {
				for i := range fields {
					if fields[i].Key == name {
						if tag, isTag := tags.Get(name); isTag {
							return stdlib.ResolveRef(name, fields[i].Value, true, tag, true)
						}
						return fields[i].Value, nil
					}
				}
				…
		*/
		out = append(out, doc2("ref returns the value of the reference name on a point: its field, else",
			"its tag; a name that is both is an error, one that is neither is missing.",
			jen.Func().Id("ref").Params(jen.Id("tags").Qual(rt, "Tags"), jen.Id("fields").Qual(rt, "Fields"), jen.Id("name").String()).
				Params(jen.Qual(std, "Value"), jen.Error()).Block(
				jen.For(jen.Id("i").Op(":=").Range().Id("fields")).Block(
					jen.If(jen.Id("fields").Index(jen.Id("i")).Dot("Key").Op("==").Id("name")).Block(
						jen.If(jen.List(jen.Id("tag"), jen.Id("isTag")).Op(":=").Id("tags").Dot("Get").Call(jen.Id("name")), jen.Id("isTag")).Block(
							jen.Return(jen.Qual(std, "ResolveRef").Call(jen.Id("name"), jen.Id("fields").Index(jen.Id("i")).Dot("Value"), jen.True(), jen.Id("tag"), jen.True())),
						),
						jen.Return(jen.Id("fields").Index(jen.Id("i")).Dot("Value"), jen.Nil()),
					),
				),
				jen.If(jen.List(jen.Id("tag"), jen.Id("isTag")).Op(":=").Id("tags").Dot("Get").Call(jen.Id("name")), jen.Id("isTag")).Block(
					jen.Return(jen.Qual(std, "String").Call(jen.Id("tag")), jen.Nil()),
				),
				jen.Return(jen.Qual(std, "MissingRef").Call(jen.Id("name")), jen.Nil()),
			)))
	}
	if g.needIsTrue {
		out = append(out, doc("isTrue reads the result of a predicate: a boolean, or an error.",
			jen.Func().Id("isTrue").Params(jen.Id("v").Qual(std, "Value"), jen.Err().Error()).Params(jen.Bool(), jen.Error()).Block(
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.False(), jen.Err())),
				jen.Return(jen.Qual(std, "Predicate").Call(jen.Id("v"))),
			)))
	}
	if g.needsFuncState() {
		out = append(out, doc2("saveFunc writes whether a stateful function was called and, if it was,",
			"its state. (stdlib's states always encode: an empty state would fail to load.)",
			jen.Func().Id("saveFunc").Params(jen.Id("e").Op("*").Qual(rt, "StateEncoder"), jen.Id("called").Bool(), jen.Id("s").Qual("encoding", "BinaryMarshaler")).Block(
				jen.Id("e").Dot("Bool").Call(jen.Id("called")),
				jen.If(jen.Op("!").Id("called")).Block(jen.Return()),
				jen.List(jen.Id("b"), jen.Err()).Op(":=").Id("s").Dot("MarshalBinary").Call(),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Id("b").Op("=").Nil()),
				jen.Id("e").Dot("ByteSlice").Call(jen.Id("b")),
			)))
		out = append(out, doc2("loadFunc reads what saveFunc wrote into s, a fresh state, and reports",
			"whether the function had been called; a malformed state fails d.",
			jen.Func().Id("loadFunc").Params(jen.Id("d").Op("*").Qual(rt, "StateDecoder"), jen.Id("s").Qual("encoding", "BinaryUnmarshaler")).Bool().Block(
				jen.If(jen.Op("!").Id("d").Dot("Bool").Call()).Block(jen.Return(jen.False())),
				jen.If(jen.Err().Op(":=").Id("s").Dot("UnmarshalBinary").Call(jen.Id("d").Dot("ByteSlice").Call()), jen.Err().Op("!=").Nil()).Block(
					jen.Id("d").Dot("Fail").Call(jen.Err()),
				),
				jen.Return(jen.Id("d").Dot("Err").Call().Op("==").Nil()),
			)))
	}
	if g.needScopeWith {
		out = append(out, doc2("scopeWith makes an earlier eval result visible to a later expression under",
			"its name, unless the point has a field or tag of that name, which wins.",
			jen.Func().Id("scopeWith").Params(jen.Id("tags").Qual(rt, "Tags"), jen.List(jen.Id("fields"), jen.Id("scope")).Qual(rt, "Fields"), jen.Id("name").String(), jen.Id("v").Qual(std, "Value")).Qual(rt, "Fields").Block(
				jen.If(jen.List(jen.Id("_"), jen.Id("isTag")).Op(":=").Id("tags").Dot("Get").Call(jen.Id("name")), jen.Id("isTag").Op("||").Op("!").Id("fields").Dot("Get").Call(jen.Id("name")).Dot("IsMissing").Call()).Block(
					jen.Return(jen.Id("scope")),
				),
				jen.Return(jen.Id("scope").Dot("With").Call(jen.Id("name"), jen.Id("v"))),
			)))
	}
	return out
}

// lambdaRefs returns the references a lambda reads, "time" excluded.
func lambdaRefs(l *ir.Lambda) []string {
	if l == nil || l.Expr == nil {
		return nil
	}
	return ir.Refs(l.Expr)
}

// whereLambda is the one predicate of from's where calls: Kapacitor joins
// repeated .where() calls with AND.
func (g *generator) whereLambda(n *ir.Node, ls []*ir.Lambda) *ir.Lambda {
	if len(ls) == 1 {
		return ls[0]
	}
	if l, ok := g.wheres[n]; ok {
		return l
	}
	combined := &ir.Lambda{Expr: ls[0].Expr, Pos: ls[0].Pos, Stateful: ls[0].Stateful}
	for _, l := range ls[1:] {
		combined.Expr = ir.NewBinary(l.Pos, stdlib.OpAnd, combined.Expr, l.Expr)
		combined.Stateful = combined.Stateful || l.Stateful
	}
	g.wheres[n] = combined
	return combined
}

// opConst names the stdlib constant of an operator.
func opConst(op stdlib.Op) string {
	switch op {
	case stdlib.OpAdd:
		return "OpAdd"
	case stdlib.OpSub:
		return "OpSub"
	case stdlib.OpMul:
		return "OpMul"
	case stdlib.OpDiv:
		return "OpDiv"
	case stdlib.OpMod:
		return "OpMod"
	case stdlib.OpEq:
		return "OpEq"
	case stdlib.OpNeq:
		return "OpNeq"
	case stdlib.OpLt:
		return "OpLt"
	case stdlib.OpLte:
		return "OpLte"
	case stdlib.OpGt:
		return "OpGt"
	case stdlib.OpGte:
		return "OpGte"
	case stdlib.OpRegexMatch:
		return "OpRegexMatch"
	case stdlib.OpRegexNotMatch:
		return "OpRegexNotMatch"
	case stdlib.OpAnd:
		return "OpAnd"
	case stdlib.OpOr:
		return "OpOr"
	case stdlib.OpNeg:
		return "OpNeg"
	case stdlib.OpNot:
		return "OpNot"
	}
	return "OpInvalid"
}

// typeConst names the stdlib constant of a type.
func typeConst(t stdlib.Type) string {
	switch t {
	case stdlib.TypeFloat:
		return "TypeFloat"
	case stdlib.TypeInt:
		return "TypeInt"
	case stdlib.TypeString:
		return "TypeString"
	case stdlib.TypeBool:
		return "TypeBool"
	case stdlib.TypeDuration:
		return "TypeDuration"
	case stdlib.TypeTime:
		return "TypeTime"
	case stdlib.TypeRegex:
		return "TypeRegex"
	}
	return "TypeMissing"
}
