package runtime

import (
	"errors"
	"fmt"

	"github.com/tickc/tickc/stdlib"
)

// WhereConfig configures a Where node, |where(λ).
type WhereConfig struct {
	// Lambda makes the predicate; each group gets its own instance, so the
	// state of functions such as sigma() or count() is per group.
	Lambda LambdaFactory
}

// Where keeps the points, and the points inside batches, for which its
// predicate is true. A point whose evaluation fails is dropped with an error.
// A batch is passed on even when none of its points remain.
type Where struct {
	Base
	lambdas groupLambdas
}

// NewWhere returns a Where node configured by cfg.
func NewWhere(t *Task, info NodeInfo, cfg WhereConfig) *Where {
	return &Where{
		Base:    Base{Task: t, Info: info},
		lambdas: newGroupLambdas(cfg.Lambda),
	}
}

// Point passes p on when the predicate holds.
func (n *Where) Point(p Point) {
	n.PointsIn++
	if n.keep(n.lambdas.get(p.Group), p.Time, p.Tags, p.Fields) {
		n.EmitPoint(p)
	}
}

// Batch passes b on with the points for which the predicate holds.
func (n *Where) Batch(b Batch) {
	n.PointsIn++
	l := n.lambdas.get(b.Group)
	kept := make([]BatchPoint, 0, len(b.Points))
	for _, bp := range b.Points {
		if n.keep(l, bp.Time, bp.Tags, bp.Fields) {
			kept = append(kept, bp)
		}
	}
	b.Points = kept
	n.EmitBatch(b)
}

func (n *Where) keep(l Lambda, t int64, tags Tags, fields Fields) bool {
	pass, err := evalPredicate(l, t, tags, fields)
	if err != nil {
		n.Error(wrapError("error while evaluating expression", err))
		return false
	}
	return pass
}

// Barrier passes the barrier on.
func (n *Where) Barrier(g GroupID, t int64) {
	n.lambdas.get(g)
	n.EmitBarrier(g, t)
}

// DeleteGroup drops the group's predicate state and passes the deletion on.
func (n *Where) DeleteGroup(g GroupID) {
	if n.lambdas.remove(g) {
		n.EmitDeleteGroup(g)
	}
}

// Done passes the end of input on.
func (n *Where) Done() { n.EmitDone() }

// groupLambdas holds one instance of a lambda per group. Like Kapacitor's
// grouped consumer it also records which groups the node has seen: a group
// appears with its first point, batch or barrier, and a deletion of a group
// the node never saw is not passed on.
type groupLambdas struct {
	factory LambdaFactory // nil when the node has no lambda
	m       map[GroupID]Lambda
}

func newGroupLambdas(f LambdaFactory) groupLambdas {
	return groupLambdas{factory: f, m: make(map[GroupID]Lambda)}
}

// get returns the group's instance, making it on first use. It is nil when
// there is no factory.
func (gl *groupLambdas) get(g GroupID) Lambda {
	l, ok := gl.m[g]
	if !ok {
		if gl.factory != nil {
			l = gl.factory()
		}
		gl.m[g] = l
	}
	return l
}

// remove forgets the group and reports whether it was known.
func (gl *groupLambdas) remove(g GroupID) bool {
	_, ok := gl.m[g]
	delete(gl.m, g)
	return ok
}

// errNoLambda is reported when a node that needs an expression has none.
var errNoLambda = errors.New("no expression to evaluate")

// evalPredicate evaluates l as a boolean predicate; any other result type is
// an error, worded as Kapacitor's type guard words it.
func evalPredicate(l Lambda, t int64, tags Tags, fields Fields) (bool, error) {
	if l == nil {
		return false, errNoLambda
	}
	v, err := l.Eval(t, tags, fields)
	if err != nil {
		return false, err
	}
	if v.Type() != stdlib.TypeBool {
		return false, fmt.Errorf("TypeGuard: expression returned unexpected type %s, expected %s", v.Type(), stdlib.TypeBool)
	}
	return v.Bool(), nil
}

// wrapError prefixes err with what the node was doing.
func wrapError(what string, err error) error {
	return fmt.Errorf("%s: %w", what, err)
}
