package ir

import (
	"fmt"
	"strings"
	"time"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// LowerOptions are the task settings that do not come from the script.
type LowerOptions struct {
	// Task is the task name; empty means the script's file name without its
	// directory and extension.
	Task string
	// Type forces the task type; zero means it follows from the script's root
	// (a script that uses batch is a batch task, otherwise a stream task).
	Type TaskType
	// DBRPs are the database/retention-policy pairs given on the command line.
	// They may not be combined with dbrp statements in the script.
	DBRPs []DBRP
	// Vars are the define-time vars (see ParseVars), by name; nil for none.
	Vars map[string]DefineVar
	// Deadman is the [deadman] configuration used by |deadman(); the zero value
	// means Kapacitor's defaults.
	Deadman DeadmanConfig
	// UDFs are the info responses of the UDFs the configuration names, by
	// name: their nodes get the declared edges (see udfEdges). A UDF not
	// listed passes its parent's edge through.
	UDFs map[string]UDFInfo
	// Template lowers the script as Kapacitor defines a template task: a
	// "var x TYPE" without a define-time value takes its type's zero value and
	// the dbrps may be left for define time. tickc check uses it.
	Template bool
}

// DeadmanConfig is the id and message templates |deadman() gives its alert.
// NODE_NAME in ID is replaced by the name of the watched node and INTERVAL in
// Message by the interval.
type DeadmanConfig struct {
	ID      string
	Message string
}

// Kapacitor's defaults for the [deadman] section.
const (
	DefaultDeadmanID      = "{{ .Group }}:NODE_NAME for task '{{ .TaskName }}'"
	DefaultDeadmanMessage = "{{ .ID }} is {{ if eq .Level \"OK\" }}alive{{ else }}dead{{ end }}: {{ index .Fields \"emitted\" | printf \"%0.3f\" }} points/INTERVAL."
)

// Lower checks script and builds its pipeline. It reports every error it finds
// as a parser.ErrorList, sorted; the Program is nil when there is any.
func Lower(script *parser.Script, opts LowerOptions) (*Program, error) {
	if script == nil || script.File == nil {
		return nil, fmt.Errorf("no script to lower")
	}
	checked := parser.Check(script)
	l := &lowerer{
		file:   script.File,
		opts:   opts,
		scope:  map[string]value{},
		prog:   &Program{File: script.File.Name(), Task: opts.Task},
		named:  map[*Node]bool{},
		broken: map[*Node]bool{},
	}
	if l.prog.Task == "" {
		l.prog.Task = taskName(script.File.Name())
	}
	if l.opts.Deadman.ID == "" {
		l.opts.Deadman.ID = DefaultDeadmanID
	}
	if l.opts.Deadman.Message == "" {
		l.opts.Deadman.Message = DefaultDeadmanMessage
	}
	l.lower(script)
	if len(checked) > 0 {
		// The checker's diagnostics (undefined names, immutable vars, …) come
		// first; the lowering's own at the same places are consequences.
		at := map[parser.Position]bool{}
		for _, d := range checked {
			at[d.Pos] = true
		}
		errs := checked
		for _, d := range l.errs {
			if !at[d.Pos] {
				errs = append(errs, d)
			}
		}
		l.errs = errs
	}
	if len(l.errs) > 0 {
		l.errs.Sort()
		return nil, l.errs
	}
	return l.prog, nil
}

// taskName derives a task name from a file name: its base without extension.
func taskName(file string) string {
	if i := strings.LastIndexAny(file, `/\`); i >= 0 {
		file = file[i+1:]
	}
	if i := strings.LastIndexByte(file, '.'); i > 0 {
		file = file[:i]
	}
	return file
}

// lowerer holds the state of one Lower call.
type lowerer struct {
	file    *parser.File
	opts    LowerOptions
	prog    *Program
	errs    parser.ErrorList
	scope   map[string]value // the vars, by name
	root    *Node
	sources []*Node // root, then stats nodes, in the order Kapacitor adds them
	nextID  int
	nodes   []*Node        // every node, in creation order
	named   map[*Node]bool // nodes whose Ident comes from a var
	broken  map[*Node]bool // nodes with a bad property call: not validated, to avoid cascades
	// zeroVars is set when a template var took its zero value: the start-time
	// validation is skipped then, since the real values come at define time.
	zeroVars bool
	dbrpPos  parser.Pos // the first dbrp statement
}

// errorf records a diagnostic at p.
func (l *lowerer) errorf(p parser.Pos, format string, a ...any) {
	l.errs.Addf(l.file.Position(p), format, a...)
}

// pos resolves p.
func (l *lowerer) pos(p parser.Pos) Pos { return l.file.Position(p) }

func (l *lowerer) lower(script *parser.Script) {
	var rootPos parser.Pos
	l.prog.Type, rootPos = l.taskType(script)
	if l.prog.Type == BatchTask {
		l.root = l.newNode(KindBatch, rootPos)
		l.root.Wants, l.root.Provides = NoEdge, BatchEdge
	} else {
		l.root = l.newNode(KindStream, rootPos)
		l.root.Wants, l.root.Provides = StreamEdge, StreamEdge
	}
	kind := l.root.Kind
	l.addSource(l.root)
	l.scope[kind.String()] = value{kind: vNode, node: l.root}

	for _, st := range script.Stmts {
		switch st := st.(type) {
		case *parser.VarDecl:
			l.varDecl(st)
		case *parser.TypeDecl:
			l.typeDecl(st)
		case *parser.DBRPStmt:
			if !l.dbrpPos.IsValid() {
				l.dbrpPos = st.Pos()
			}
			l.prog.DBRPs = append(l.prog.DBRPs, DBRP{Database: st.DB.Name, RetentionPolicy: st.RP.Name})
		case *parser.ExprStmt:
			l.eval(st.X)
		}
	}
	l.dbrps()
	for _, n := range l.nodes {
		if !l.broken[n] && !l.zeroVars {
			l.validate(n)
		}
	}
	if len(l.errs) > 0 {
		return
	}
	l.prog.Nodes = l.sort()
	for _, n := range l.prog.Nodes {
		n.Name = nodeName(n)
	}
}

// taskType returns the type of the task: the option, else the source the
// script names (batch if it names batch, stream otherwise). A script naming
// the other source than the task's type gets an error where it does.
func (l *lowerer) taskType(script *parser.Script) (TaskType, parser.Pos) {
	var uses [3]parser.Pos // by TaskType
	var visit func(x parser.Expr)
	visit = func(x parser.Expr) {
		switch x := x.(type) {
		case *parser.Ident:
			if x.Name == "stream" && !uses[StreamTask].IsValid() {
				uses[StreamTask] = x.Pos()
			}
			if x.Name == "batch" && !uses[BatchTask].IsValid() {
				uses[BatchTask] = x.Pos()
			}
		case *parser.ChainCall:
			visit(x.X)
			for _, a := range x.Args {
				visit(a)
			}
		case *parser.PropertyCall:
			visit(x.X)
			for _, a := range x.Args {
				visit(a)
			}
		case *parser.UDFCall:
			visit(x.X)
			for _, a := range x.Args {
				visit(a)
			}
		case *parser.PropertyRead:
			visit(x.X)
		case *parser.ParenExpr:
			visit(x.X)
		case *parser.ListLit:
			for _, e := range x.Elems {
				visit(e)
			}
		}
	}
	for _, st := range script.Stmts {
		switch st := st.(type) {
		case *parser.VarDecl:
			visit(st.Value)
		case *parser.ExprStmt:
			visit(st.X)
		}
	}
	t := l.opts.Type
	if t == 0 {
		t = StreamTask
		if uses[BatchTask].IsValid() && !uses[StreamTask].IsValid() {
			t = BatchTask
		}
	}
	other := StreamTask
	if t == StreamTask {
		other = BatchTask
	}
	if p := uses[other]; p.IsValid() {
		l.errorf(p, "%s is not defined in a %s task", other, t)
	}
	return t, uses[t]
}

// dbrps settles the task's dbrps from the script and the options.
func (l *lowerer) dbrps() {
	switch {
	case len(l.prog.DBRPs) > 0 && len(l.opts.DBRPs) > 0:
		l.errorf(l.dbrpPos, "cannot specify dbrp in both implicitly and explicitly")
	case len(l.prog.DBRPs) == 0 && len(l.opts.DBRPs) == 0:
		if l.opts.Template {
			return
		}
		l.errs.Add(parser.Position{Filename: l.file.Name()}, "must specify dbrp")
	case len(l.prog.DBRPs) == 0:
		l.prog.DBRPs = append([]DBRP(nil), l.opts.DBRPs...)
	}
}

// varDecl lowers "var name = value".
func (l *lowerer) varDecl(d *parser.VarDecl) {
	v := l.eval(d.Value)
	name := d.Name.Name
	if v.kind == vInvalid {
		l.scope[name] = v
		return
	}
	if dv, ok := l.opts.Vars[name]; ok {
		typ := v.varType()
		if typ == "" || dv.Type != typ {
			got := dv.Type
			l.errorf(d.Name.Pos(), "invalid type supplied for %s, got %s exp %s", name, got, orNode(typ))
		} else if nv, ok := l.defineValue(dv, d.Name.Pos()); ok {
			v = nv
		}
	}
	if v.kind == vNode {
		if !l.named[v.node] {
			// The first var that holds a node names it in generated code.
			v.node.Ident = name
			l.named[v.node] = true
		}
	} else {
		l.addVar(name, v, d.Name.Pos(), d.Doc.Text())
	}
	l.scope[name] = v
}

func orNode(typ string) string {
	if typ == "" {
		return "node"
	}
	return typ
}

// typeDecl lowers "var name TYPE": the value must come from the define-time vars.
func (l *lowerer) typeDecl(d *parser.TypeDecl) {
	name, typ := d.Name.Name, d.Type.Name
	dv, ok := l.opts.Vars[name]
	if !ok && l.opts.Template {
		dv, ok = zeroDefineVar(typ), true
		l.zeroVars = true
	}
	if !ok {
		l.errorf(d.Name.Pos(), "missing value for var %q", name)
		l.scope[name] = value{}
		return
	}
	if dv.Type != typ {
		l.errorf(d.Name.Pos(), "invalid type supplied for %s, got %s exp %s", name, dv.Type, typ)
		l.scope[name] = value{}
		return
	}
	v, ok := l.defineValue(dv, d.Name.Pos())
	if !ok {
		l.scope[name] = value{}
		return
	}
	l.addVar(name, v, d.Name.Pos(), d.Doc.Text())
	l.scope[name] = v
}

// addVar records a non-node var of the program.
func (l *lowerer) addVar(name string, v value, p parser.Pos, doc string) {
	pv := &Var{Name: name, Type: v.varType(), Pos: l.pos(p), Description: doc}
	switch v.kind {
	case vScalar:
		pv.Value = v.val
	case vLambda:
		pv.Lambda = v.lambda
	case vList:
		for _, e := range v.list {
			if e.kind == vStar {
				pv.List = append(pv.List, "*")
			} else {
				pv.List = append(pv.List, formatListElem(e))
			}
		}
	case vStar:
	default:
		return
	}
	l.prog.Vars = append(l.prog.Vars, pv)
}

func formatListElem(v value) string {
	if v.kind == vScalar && v.val.Type() == stdlib.TypeString {
		return v.val.Str()
	}
	if v.kind == vScalar {
		return formatValue(v.val)
	}
	return v.typeName()
}

// eval evaluates a top-level expression.
func (l *lowerer) eval(x parser.Expr) value {
	switch x := x.(type) {
	case *parser.Ident:
		v, ok := l.scope[x.Name]
		if !ok {
			// parser.Check reports undeclared names; here only the other source remains.
			return value{}
		}
		v.pos = x.Pos()
		return v
	case *parser.IntLit:
		return value{kind: vScalar, val: stdlib.Int(x.Value), pos: x.Pos()}
	case *parser.FloatLit:
		return value{kind: vScalar, val: stdlib.Float(x.Value), pos: x.Pos()}
	case *parser.DurationLit:
		return value{kind: vScalar, val: stdlib.Duration(x.Value), pos: x.Pos()}
	case *parser.StringLit:
		return value{kind: vScalar, val: stdlib.String(x.Value), pos: x.Pos()}
	case *parser.BoolLit:
		return value{kind: vScalar, val: stdlib.Bool(x.Value), pos: x.Pos()}
	case *parser.RegexLit:
		return value{kind: vScalar, val: stdlib.Regex(x.Regexp), pos: x.Pos()}
	case *parser.Reference:
		return value{kind: vRef, ref: x.Name, pos: x.Pos()}
	case *parser.Star:
		return value{kind: vStar, pos: x.Pos()}
	case *parser.ListLit:
		v := value{kind: vList, pos: x.Pos()}
		for _, e := range x.Elems {
			ev := l.eval(e)
			if ev.kind == vList {
				v.list = append(v.list, ev.list...)
				continue
			}
			v.list = append(v.list, ev)
		}
		return v
	case *parser.Lambda:
		return l.lowerLambda(x)
	case *parser.ParenExpr:
		v := l.eval(x.X)
		return v
	case *parser.BinaryExpr, *parser.UnaryExpr:
		return l.evalConst(x)
	case *parser.CallExpr:
		return l.globalCall(x)
	case *parser.ChainCall:
		return l.chainCall(x)
	case *parser.PropertyCall:
		return l.propertyCall(x)
	case *parser.UDFCall:
		return l.udfCall(x)
	case *parser.PropertyRead:
		recv := l.eval(x.X)
		if recv.kind == vInvalid {
			return recv
		}
		l.errorf(x.Name.Pos(), "cannot read property %q of %s: property reads are not supported", x.Name.Name, recv.describe())
		return value{}
	}
	l.errorf(x.Pos(), "unexpected expression")
	return value{}
}

// describe names a receiver in messages: the node kind or the value type.
func (v value) describe() string {
	if v.kind == vNode {
		if v.handler != nil {
			return v.handler.Kind + " handler of alert"
		}
		return nodeKindName(v.node)
	}
	return v.typeName()
}

// nodeKindName is the name of a node's kind as the script calls it.
func nodeKindName(n *Node) string {
	switch p := n.Props.(type) {
	case *UDFProps:
		return "@" + p.Name
	case *InfluxQLProps:
		return p.Method
	}
	return n.Kind.String()
}

// globalCall evaluates time(length[, offset]), the only global function.
func (l *lowerer) globalCall(x *parser.CallExpr) value {
	if x.Fun.Name != "time" {
		l.errorf(x.Fun.Pos(), "no global function %q defined", x.Fun.Name)
		return value{}
	}
	a, ok := l.callArgs(x.Args, opt(aDuration, aDuration), "time", x.Fun.Pos())
	if !ok {
		return value{}
	}
	if len(a) == 0 {
		l.errorf(x.Fun.Pos(), "time() expects 1 or 2 arguments, got 0")
		return value{}
	}
	v := value{kind: vTimeDim, pos: x.Pos()}
	v.tdim.Length = a.dur(0)
	if len(a) > 1 {
		v.tdim.Offset = a.dur(1)
	}
	return v
}

// callArgs evaluates the arguments of a call and checks them against s. A
// single list argument is spread into the argument list. what names the call
// in messages.
func (l *lowerer) callArgs(xs []parser.Expr, s signature, what string, at parser.Pos) (args, bool) {
	var a args
	for _, x := range xs {
		a = append(a, l.eval(x))
	}
	if len(a) == 1 && a[0].kind == vList {
		a = a[0].list
	}
	for _, v := range a {
		if v.kind == vInvalid {
			return nil, false
		}
	}
	min := len(s.params) - s.optional
	max := len(s.params)
	if s.variadic != aNone {
		max = -1
	}
	if len(a) < min || (max >= 0 && len(a) > max) {
		l.errorf(at, "%s expects %s, got %d", what, countText(min, max), len(a))
		return nil, false
	}
	ok := true
	for i, v := range a {
		t := s.variadic
		if i < len(s.params) {
			t = s.params[i]
		}
		if v.accepts(t) {
			continue
		}
		ok = false
		p := v.pos
		if !p.IsValid() {
			p = at
		}
		if v.kind == vRef && (t == aString || t == aDim || t == aQueryDim) {
			l.errorf(p, "cannot use reference \"%s\" as a string argument of %s; did you use double quotes instead of single quotes?", v.ref, what)
			continue
		}
		l.errorf(p, "argument %d of %s must be %s, got %s", i+1, what, article(t.String()), v.typeName())
	}
	return a, ok
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

func countText(min, max int) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case max < 0:
		return "at least " + plural(min)
	case min == max:
		return plural(min)
	}
	return fmt.Sprintf("%d to %s", min, plural(max))
}

// newNode makes a node of kind k with default props.
func (l *lowerer) newNode(k Kind, p parser.Pos) *Node {
	n := &Node{Kind: k, Pos: l.pos(p), Props: newProps(k), Ident: k.String()}
	l.nodes = append(l.nodes, n)
	return n
}

// addSource adds a root node and gives it the next ID, as Kapacitor's addSource.
func (l *lowerer) addSource(n *Node) {
	n.ID = l.nextID
	l.nextID++
	l.sources = append(l.sources, n)
}

// link makes c a child of p and gives c the next ID, as Kapacitor's linkChild
// (a node linked to several parents keeps the last ID).
func (l *lowerer) link(p, c *Node) {
	c.ID = l.nextID
	l.nextID++
	p.Children = append(p.Children, c)
	c.Parents = append(c.Parents, p)
}

// chainCall lowers recv|name(args).
func (l *lowerer) chainCall(x *parser.ChainCall) value {
	recv := l.eval(x.X)
	if recv.kind == vInvalid {
		return recv
	}
	name := x.Name.Name
	if recv.kind != vNode {
		l.errorf(x.Name.Pos(), "cannot call chain method %q on a %s", name, recv.typeName())
		return value{}
	}
	parent := recv.node
	m := findMethod(parent.Kind, name)
	if m == nil {
		l.unknownChain(parent, recv.handler, x.Name)
		l.broken[parent] = true
		return value{}
	}
	a, ok := l.callArgs(x.Args, m.sig, name, x.Name.Pos())
	if !ok {
		return value{}
	}
	if m.name == "deadman" {
		return l.deadman(parent, a, x.Name.Pos())
	}
	if m.name == "stats" {
		return value{kind: vNode, node: l.stats(parent, a.dur(0), x.Name.Pos()), pos: x.Pos()}
	}
	n := l.newNode(m.kind, x.Name.Pos())
	if m.kind == KindInfluxQL {
		n.Ident = m.name
	}
	if !l.setEdges(n, parent, m, x.Name.Pos()) {
		l.nodes = l.nodes[:len(l.nodes)-1] // n was never linked
		return value{}
	}
	switch m.kind {
	case KindJoin, KindUnion:
		l.link(parent, n)
		for i, o := range a {
			if o.node == parent || containsNode(n.Parents, o.node) {
				l.errorf(o.pos, "%s argument %d is already a parent of the %s", name, i+1, name)
				continue
			}
			if o.node.Provides != parent.Provides {
				l.errorf(o.pos, "cannot %s a %s edge with a %s edge", name, o.node.Provides, parent.Provides)
			}
			l.link(o.node, n)
		}
	default:
		l.link(parent, n)
	}
	if m.init != nil {
		m.init(l, n, a)
	}
	return value{kind: vNode, node: n, pos: x.Pos()}
}

func containsNode(list []*Node, n *Node) bool {
	for _, m := range list {
		if m == n {
			return true
		}
	}
	return false
}

// setEdges sets the wants and provides of n, a child of parent made by m, and
// reports a parent whose edge m cannot take.
func (l *lowerer) setEdges(n, parent *Node, m *method, at parser.Pos) bool {
	in := parent.Provides
	if in == NoEdge {
		l.errorf(at, "cannot add child %s to %s: it provides no edge", m.name, nodeKindName(parent))
		return false
	}
	n.Wants, n.Provides = in, in
	switch m.edge {
	case edgeStream:
		n.Wants, n.Provides = StreamEdge, StreamEdge
	case edgeBatch:
		n.Wants, n.Provides = BatchEdge, BatchEdge
	case edgeStreamToBatch:
		n.Wants, n.Provides = StreamEdge, BatchEdge
	case edgeBatchToStream:
		n.Wants, n.Provides = BatchEdge, StreamEdge
	case edgeToStream:
		n.Provides = StreamEdge
	case edgeToBatch:
		n.Provides = BatchEdge
	case edgeToNone:
		n.Provides = NoEdge
	}
	if n.Wants != in {
		l.errorf(at, "cannot %s a %s edge: %s wants a %s edge", m.name, in, m.name, n.Wants)
		return false
	}
	return true
}

// unknownChain reports recv|name() where name is no chain method of the node.
func (l *lowerer) unknownChain(n *Node, h *Handler, id *parser.Ident) {
	name, kind := id.Name, nodeKindName(n)
	switch {
	case l.hasProperty(n, h, name):
		l.errorf(id.Pos(), "no chaining method %q on %s, but property does exist; use '.' operator instead: 'node.%s(..)'", name, kind, name)
	case n.Provides == NoEdge:
		l.errorf(id.Pos(), "no chaining method %q on %s: it provides no edge, only stats and deadman may follow it", name, kind)
	default:
		l.errorf(id.Pos(), "no chaining method %q on %s%s", name, kind, suggest(name, chainMethodsOf(n.Kind)))
	}
}

// hasProperty reports whether .name() is a property of n (or of its handler h).
func (l *lowerer) hasProperty(n *Node, h *Handler, name string) bool {
	if sameName(name, "quiet") || findProperty(propSets[n.Kind.String()], name) != nil {
		return true
	}
	if n.Kind == KindAlert {
		if findHandler(name) != nil {
			return true
		}
		if h != nil && findProperty(findHandler(h.Kind).props, name) != nil {
			return true
		}
	}
	return n.Kind == KindUDF
}

// propertyNames lists the properties of n (and its handler h) for suggestions.
func propertyNames(n *Node, h *Handler) []string {
	names := []string{"quiet"}
	for _, p := range propSets[n.Kind.String()] {
		names = append(names, p.name)
	}
	if n.Kind == KindAlert {
		for _, hs := range handlerList {
			names = append(names, hs.name)
		}
		if h != nil {
			for _, p := range findHandler(h.Kind).props {
				names = append(names, p.name)
			}
		}
	}
	return names
}

// propertyCall lowers recv.name(args).
func (l *lowerer) propertyCall(x *parser.PropertyCall) value {
	recv := l.eval(x.X)
	if recv.kind == vInvalid {
		return recv
	}
	name := x.Name.Name
	if recv.kind != vNode {
		l.errorf(x.Name.Pos(), "cannot call property %q on a %s", name, recv.typeName())
		return value{}
	}
	n, h := recv.node, recv.handler
	at := x.Name.Pos()
	setPos := func(key string) {
		if n.PropPos == nil {
			n.PropPos = map[string]Pos{}
		}
		n.PropPos[key] = l.pos(at)
	}

	// A handler's own properties shadow the alert's while it is current.
	if h != nil {
		if p := findProperty(findHandler(h.Kind).props, name); p != nil {
			a, ok := l.callArgs(x.Args, p.sig, name, at)
			if ok {
				h.Props = append(h.Props, Call{Name: p.name, Args: scalars(a), Pos: l.pos(at)})
			} else {
				l.broken[n] = true
			}
			return recv
		}
	}
	if sameName(name, "quiet") {
		if _, ok := l.callArgs(x.Args, sig(), name, at); ok {
			n.Quiet = true
			setPos("quiet")
		}
		return recv
	}
	if n.Kind == KindUDF {
		a, ok := l.callArgs(x.Args, varargs(aOption), name, at)
		if ok {
			p := n.Props.(*UDFProps)
			p.Options = append(p.Options, Call{Name: name, Args: scalars(a), Pos: l.pos(at)})
		}
		return recv
	}
	if p := findProperty(propSets[n.Kind.String()], name); p != nil {
		a, ok := l.callArgs(x.Args, p.sig, name, at)
		if ok {
			p.set(l, n, a)
			setPos(p.name)
		} else {
			l.broken[n] = true
		}
		// The alert's field properties keep the current handler, as Kapacitor's
		// handler objects embed the alert node: .slack().crit(λ).channel('#a')
		// still reaches slack. Its property methods return the alert itself.
		if alertMethodProps[p.name] {
			recv.handler = nil
		}
		return recv
	}
	if n.Kind == KindAlert {
		if hs := findHandler(name); hs != nil {
			a, ok := l.callArgs(x.Args, hs.sig, name, at)
			hd := &Handler{Kind: hs.name, Pos: l.pos(at)}
			if ok {
				hd.Args = scalars(a)
			} else {
				l.broken[n] = true
			}
			ap := n.Props.(*AlertProps)
			ap.Handlers = append(ap.Handlers, hd)
			recv.handler = hd
			return recv
		}
	}
	// After a bad property the chain goes on from the same node, so that the
	// errors further down the chain are reported too.
	l.broken[n] = true
	if findMethod(n.Kind, name) != nil {
		l.errorf(at, "no property method %q on %s, but chaining method does exist; use '|' operator instead: 'node|%s(..)'", name, nodeKindName(n), name)
		return recv
	}
	l.errorf(at, "no property %q on %s%s", name, recv.describe(), suggest(name, propertyNames(n, h)))
	return recv
}

// alertMethodProps are the alert properties Kapacitor implements as methods
// of the alert node: after them no handler is current.
var alertMethodProps = map[string]bool{"all": true, "noRecoveries": true, "stateChangesOnly": true, "flapping": true, "inhibit": true}

// scalars returns the scalar values of a.
func scalars(a args) []stdlib.Value {
	out := make([]stdlib.Value, len(a))
	for i, v := range a {
		out[i] = v.val
	}
	return out
}

// udfCall lowers recv@name(args).
func (l *lowerer) udfCall(x *parser.UDFCall) value {
	recv := l.eval(x.X)
	if recv.kind == vInvalid {
		return recv
	}
	if recv.kind != vNode {
		l.errorf(x.Name.Pos(), "cannot call UDF %q on a %s", x.Name.Name, recv.typeName())
		return value{}
	}
	if len(x.Args) > 0 {
		l.errorf(x.Name.Pos(), "@%s takes no arguments; set the UDF's options with property methods", x.Name.Name)
		return value{}
	}
	parent := recv.node
	if parent.Provides == NoEdge {
		l.errorf(x.Name.Pos(), "cannot add UDF @%s to %s: it provides no edge", x.Name.Name, nodeKindName(parent))
		return value{}
	}
	n := l.newNode(KindUDF, x.Name.Pos())
	n.Props.(*UDFProps).Name = x.Name.Name
	n.Ident = x.Name.Name
	// The UDF declares its edges in its info response; until its configuration
	// is known the node passes its parent's edge through.
	n.Wants, n.Provides = parent.Provides, parent.Provides
	if !l.udfEdges(n, parent, x.Name.Pos()) {
		return value{}
	}
	l.link(parent, n)
	return value{kind: vNode, node: n, pos: x.Pos()}
}

// stats adds a stats source watching n, as Kapacitor's node.Stats: the source
// gets the next ID and, when n has no child yet, n gets a noop child so that
// its data go somewhere.
func (l *lowerer) stats(n *Node, interval time.Duration, at parser.Pos) *Node {
	s := l.newNode(KindStats, at)
	s.Wants, s.Provides = StreamEdge, StreamEdge
	p := s.Props.(*StatsProps)
	p.Source, p.Interval = n, interval
	l.addSource(s)
	if len(n.Children) == 0 && n.Provides != NoEdge {
		noop := l.newNode(KindNoOp, at)
		noop.Wants, noop.Provides = n.Provides, n.Provides
		l.link(n, noop)
	}
	return s
}

// deadman expands |deadman(threshold, interval, λ…) into
// stats(interval).align()|derivative('emitted').unit(interval).nonNegative()|alert().
func (l *lowerer) deadman(n *Node, a args, at parser.Pos) value {
	threshold, interval := a.float(0), a.dur(1)
	s := l.stats(n, interval, at)
	s.Props.(*StatsProps).Align = true

	d := l.newNode(KindDerivative, at)
	d.Wants, d.Provides = StreamEdge, StreamEdge
	l.link(s, d)
	dp := d.Props.(*DerivativeProps)
	dp.Field, dp.As, dp.Unit, dp.NonNegative = "emitted", "emitted", interval, true

	al := l.newNode(KindAlert, at)
	al.Wants, al.Provides = StreamEdge, StreamEdge
	l.link(d, al)
	ap := al.Props.(*AlertProps)
	ap.Crit = l.deadmanCrit(threshold, a[2:], at)
	// Kapacitor names the watched node here, before the pipeline is sorted;
	// its name is final once linked.
	ap.ID = strings.Replace(l.opts.Deadman.ID, "NODE_NAME", nodeName(n), 1)
	ap.Message = strings.Replace(l.opts.Deadman.Message, "INTERVAL", formatGoDuration(interval), 1)
	return value{kind: vNode, node: al, pos: at}
}

// formatGoDuration formats d as Go's time.Duration.String does, which is what
// Kapacitor puts in the deadman message.
func formatGoDuration(d time.Duration) string { return d.String() }

// nodeName returns Kapacitor's name of n: its description and its ID.
func nodeName(n *Node) string {
	desc := n.Kind.Desc()
	switch p := n.Props.(type) {
	case *UDFProps:
		desc = p.Name
	case *InfluxQLProps:
		desc = p.Method
	}
	return fmt.Sprintf("%s%d", desc, n.ID)
}

// sort returns the nodes in Kapacitor's walk order: a depth-first topological
// sort from the sources taken in reverse order, reversed. Nodes unreachable
// from any source do not exist.
func (l *lowerer) sort() []*Node {
	var out []*Node
	done := map[*Node]bool{}
	var visit func(n *Node)
	visit = func(n *Node) {
		if done[n] {
			return
		}
		done[n] = true
		for _, c := range n.Children {
			visit(c)
		}
		out = append(out, n)
	}
	for i := len(l.sources) - 1; i >= 0; i-- {
		visit(l.sources[i])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
