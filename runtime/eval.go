package runtime

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tickc/tickc/stdlib"
)

// EvalConfig configures an Eval node, |eval(λ…).as(…).
type EvalConfig struct {
	// Lambdas make the expressions, evaluated in order; each group gets its
	// own instances.
	Lambdas []LambdaFactory
	// As names the result of each expression, one name per lambda.
	As []string
	// Refs lists, per lambda, the field and tag names it references. It
	// reproduces how Kapacitor's shared scope lets a later reference to a
	// field or tag replace an earlier result of the same name, and lets
	// .keep() keep a referenced tag as a field. Nil means no lambda
	// references a name that is also a result name or a kept name.
	Refs [][]string
	// Tags names results that become tags instead of fields; each must be a
	// string.
	Tags []string
	// Keep is set by .keep(): KeepList empty keeps every field of the point
	// plus the results; otherwise only the named fields and results are kept.
	// Without Keep only the results survive (tags always survive).
	Keep     bool
	KeepList []string
}

// Eval evaluates expressions on each point and stores their results as
// fields or tags. A point whose evaluation fails is dropped with an error.
type Eval struct {
	Base
	cfg    EvalConfig
	isTag  map[string]bool
	groups map[GroupID][]Lambda
	scope  evalScope // reused for every point; nodes run on one goroutine
}

// NewEval returns an Eval node configured by cfg.
func NewEval(t *Task, info NodeInfo, cfg EvalConfig) *Eval {
	n := &Eval{
		Base:   Base{Task: t, Info: info},
		cfg:    cfg,
		isTag:  make(map[string]bool, len(cfg.Tags)),
		groups: make(map[GroupID][]Lambda),
	}
	for _, tag := range cfg.Tags {
		n.isTag[tag] = true
	}
	return n
}

func (n *Eval) group(g GroupID) []Lambda {
	ls, ok := n.groups[g]
	if !ok {
		ls = make([]Lambda, len(n.cfg.Lambdas))
		for i, f := range n.cfg.Lambdas {
			if f != nil {
				ls[i] = f()
			}
		}
		n.groups[g] = ls
	}
	return ls
}

// Point evaluates the expressions on p and passes on the result.
func (n *Eval) Point(p Point) {
	n.PointsIn++
	fields, tags, err := n.eval(n.group(p.Group), p.Time, p.Tags, p.Fields)
	if err != nil {
		n.Error(wrapError("error evaluating expression", err))
		return
	}
	p.Fields = fields
	if len(n.cfg.Tags) > 0 {
		p.Tags = tags
		p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions)
	}
	n.EmitPoint(p)
}

// Batch evaluates the expressions on every point of b; the batch's own tags
// are left as they are.
func (n *Eval) Batch(b Batch) {
	n.PointsIn++
	ls := n.group(b.Group)
	out := make([]BatchPoint, 0, len(b.Points))
	for _, bp := range b.Points {
		fields, tags, err := n.eval(ls, bp.Time, bp.Tags, bp.Fields)
		if err != nil {
			n.Error(wrapError("error evaluating expression", err))
			continue
		}
		bp.Fields = fields
		bp.Tags = tags
		out = append(out, bp)
	}
	b.Points = out
	n.EmitBatch(b)
}

// eval computes the new fields and tags of one point.
func (n *Eval) eval(ls []Lambda, t int64, tags Tags, fields Fields) (Fields, Tags, error) {
	if len(n.cfg.As) != len(ls) {
		return nil, nil, errors.New("must provide one name per expression via the 'As' property")
	}
	sc := &n.scope
	sc.reset()
	for i, l := range ls {
		var refs []string
		if n.cfg.Refs != nil && i < len(n.cfg.Refs) {
			refs = n.cfg.Refs[i]
			if err := sc.fill(refs, tags, fields); err != nil {
				return nil, nil, err
			}
		}
		input := fields
		// Earlier results are visible under their names unless the point
		// has a field or tag of that name, which wins.
		for _, name := range n.cfg.As[:i] {
			if n.cfg.Refs != nil && !containsString(refs, name) {
				continue
			}
			if _, isTag := tags.Get(name); isTag || !fields.Get(name).IsMissing() {
				continue
			}
			if v, ok := sc.get(name); ok && !v.IsMissing() {
				input = input.With(name, v)
			}
		}
		if l == nil {
			return nil, nil, errNoLambda
		}
		v, err := l.Eval(t, tags, input)
		if err != nil {
			return nil, nil, err
		}
		if v.IsMissing() {
			// Kapacitor fails on a missing result; a field never holds Missing.
			return nil, nil, fmt.Errorf("missing value: %q", n.cfg.As[i])
		}
		sc.set(n.cfg.As[i], v)
	}

	newTags := tags
	for _, tag := range n.cfg.Tags {
		v, err := sc.mustGet(tag)
		if err != nil {
			return nil, nil, err
		}
		if v.Type() != stdlib.TypeString {
			return nil, nil, fmt.Errorf("result of a tag expression must be of type string, got %s", goTypeName(v))
		}
		newTags = newTags.With(tag, v.Str())
	}

	var newFields Fields
	switch {
	case n.cfg.Keep && len(n.cfg.KeepList) > 0:
		newFields = make(Fields, 0, len(n.cfg.KeepList))
		for _, f := range n.cfg.KeepList {
			if v, ok := sc.get(f); ok && !v.IsMissing() {
				newFields = newFields.With(f, v)
			} else if v := fields.Get(f); !v.IsMissing() {
				newFields = newFields.With(f, v)
			} else {
				return nil, nil, fmt.Errorf("cannot keep field %q, field does not exist", f)
			}
		}
	case n.cfg.Keep:
		newFields = fields
		for _, f := range n.cfg.As {
			v, err := sc.mustGet(f)
			if err != nil {
				return nil, nil, err
			}
			newFields = newFields.With(f, v)
		}
	default:
		newFields = make(Fields, 0, len(n.cfg.As))
		for _, f := range n.cfg.As {
			if n.isTag[f] {
				continue
			}
			v, err := sc.mustGet(f)
			if err != nil {
				return nil, nil, err
			}
			newFields = newFields.With(f, v)
		}
	}
	return newFields, newTags, nil
}

// Barrier passes the barrier on.
func (n *Eval) Barrier(g GroupID, t int64) {
	n.group(g)
	n.EmitBarrier(g, t)
}

// DeleteGroup drops the group's expression state and passes the deletion on.
func (n *Eval) DeleteGroup(g GroupID) {
	if _, ok := n.groups[g]; ok {
		delete(n.groups, g)
		n.EmitDeleteGroup(g)
	}
}

// Done passes the end of input on.
func (n *Eval) Done() { n.EmitDone() }

// evalScope is the set of names an eval node's expressions have seen on one
// point: referenced fields and tags, and results. An entry holding Missing
// is a referenced name the point lacks.
type evalScope struct {
	vars []Field
}

func (sc *evalScope) reset() { sc.vars = sc.vars[:0] }

func (sc *evalScope) get(name string) (stdlib.Value, bool) {
	for i := range sc.vars {
		if sc.vars[i].Key == name {
			return sc.vars[i].Value, true
		}
	}
	return stdlib.Missing, false
}

func (sc *evalScope) mustGet(name string) (stdlib.Value, error) {
	if v, ok := sc.get(name); ok {
		return v, nil
	}
	names := make([]string, len(sc.vars))
	for i := range sc.vars {
		names[i] = sc.vars[i].Key
	}
	return stdlib.Missing, fmt.Errorf("name %q is undefined. Names in scope: %s", name, strings.Join(names, ","))
}

func (sc *evalScope) set(name string, v stdlib.Value) {
	for i := range sc.vars {
		if sc.vars[i].Key == name {
			sc.vars[i].Value = v
			return
		}
	}
	sc.vars = append(sc.vars, Field{Key: name, Value: v})
}

// fill loads the referenced names from the point: a field or a tag replaces
// what the scope holds; a name the point lacks is Missing unless the scope
// already holds it.
func (sc *evalScope) fill(refs []string, tags Tags, fields Fields) error {
	for _, r := range refs {
		if r == "time" {
			continue
		}
		fv := fields.Get(r)
		tv, isTag := tags.Get(r)
		switch {
		case !fv.IsMissing() && isTag:
			return fmt.Errorf("cannot have field and tags with same name %q", r)
		case !fv.IsMissing():
			sc.set(r, fv)
		case isTag:
			sc.set(r, stdlib.String(tv))
		default:
			if _, ok := sc.get(r); !ok {
				sc.set(r, stdlib.Missing)
			}
		}
	}
	return nil
}

// goTypeName names the Go type Kapacitor holds for a value of v's type, as
// its error messages print it.
func goTypeName(v stdlib.Value) string {
	switch v.Type() {
	case stdlib.TypeFloat:
		return "float64"
	case stdlib.TypeInt:
		return "int64"
	case stdlib.TypeString:
		return "string"
	case stdlib.TypeBool:
		return "bool"
	case stdlib.TypeDuration:
		return "time.Duration"
	case stdlib.TypeTime:
		return "time.Time"
	case stdlib.TypeRegex:
		return "*regexp.Regexp"
	default:
		return "*ast.Missing"
	}
}
