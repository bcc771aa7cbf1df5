package runtime

import (
	"time"

	"github.com/tickc/tickc/stdlib"
)

// StateCountConfig configures a StateCount node, |stateCount(λ).
type StateCountConfig struct {
	Lambda LambdaFactory // the state predicate; one instance per group
	As     string        // the result field; empty means "state_count"
}

// StateDurationConfig configures a StateDuration node, |stateDuration(λ).
type StateDurationConfig struct {
	Lambda LambdaFactory // the state predicate; one instance per group
	As     string        // the result field; empty means "state_duration"
	Unit   time.Duration // the unit of the duration; 0 means 1s
}

// StateCount adds to each point the number of consecutive points of its
// group for which the predicate holds (an int), or -1 when it does not.
// A point whose evaluation fails is dropped with an error. On batches the
// count restarts with each batch.
type StateCount struct {
	stateTracking
}

// StateDuration adds to each point the time its group has spent
// continuously in the state, in units (a float), or -1 when the predicate
// does not hold. A point whose evaluation fails is dropped with an error. On
// batches the duration restarts with each batch.
type StateDuration struct {
	stateTracking
}

// NewStateCount returns a StateCount node configured by cfg.
func NewStateCount(t *Task, info NodeInfo, cfg StateCountConfig) *StateCount {
	as := cfg.As
	if as == "" {
		as = "state_count"
	}
	return &StateCount{newStateTracking(t, info, cfg.Lambda, as, 0)}
}

// NewStateDuration returns a StateDuration node configured by cfg.
func NewStateDuration(t *Task, info NodeInfo, cfg StateDurationConfig) *StateDuration {
	as := cfg.As
	if as == "" {
		as = "state_duration"
	}
	unit := cfg.Unit
	if unit == 0 {
		unit = time.Second
	}
	return &StateDuration{newStateTracking(t, info, cfg.Lambda, as, unit)}
}

// stateTracking is the node shared by StateCount and StateDuration; unit is
// 0 for counting.
type stateTracking struct {
	Base
	as      string
	unit    time.Duration
	lambdas groupLambdas
	states  map[GroupID]*trackedState
}

// trackedState is one group's current state run.
type trackedState struct {
	in    bool  // the run has started
	start int64 // time of the run's first point
	count int64 // points in the run
}

func newStateTracking(t *Task, info NodeInfo, f LambdaFactory, as string, unit time.Duration) stateTracking {
	return stateTracking{
		Base:    Base{Task: t, Info: info},
		as:      as,
		unit:    unit,
		lambdas: newGroupLambdas(f),
		states:  make(map[GroupID]*trackedState),
	}
}

func (n *stateTracking) state(g GroupID) (Lambda, *trackedState) {
	s, ok := n.states[g]
	if !ok {
		s = &trackedState{}
		n.states[g] = s
	}
	return n.lambdas.get(g), s
}

// Point adds the state field to p.
func (n *stateTracking) Point(p Point) {
	n.PointsIn++
	l, s := n.state(p.Group)
	if fields, ok := n.track(l, s, p.Time, p.Tags, p.Fields); ok {
		p.Fields = fields
		n.EmitPoint(p)
	}
}

// Batch adds the state field to the points of b, starting a new run.
func (n *stateTracking) Batch(b Batch) {
	n.PointsIn++
	l, s := n.state(b.Group)
	*s = trackedState{}
	out := make([]BatchPoint, 0, len(b.Points))
	for _, bp := range b.Points {
		if fields, ok := n.track(l, s, bp.Time, bp.Tags, bp.Fields); ok {
			bp.Fields = fields
			out = append(out, bp)
		}
	}
	b.Points = out
	n.EmitBatch(b)
}

func (n *stateTracking) track(l Lambda, s *trackedState, t int64, tags Tags, fields Fields) (Fields, bool) {
	pass, err := evalPredicate(l, t, tags, fields)
	if err != nil {
		n.Error(wrapError("error while evaluating expression", err))
		return nil, false
	}
	var v stdlib.Value
	switch {
	case !pass:
		*s = trackedState{}
		if n.unit == 0 {
			v = stdlib.Int(-1)
		} else {
			v = stdlib.Float(-1)
		}
	case n.unit == 0:
		s.count++
		v = stdlib.Int(s.count)
	default:
		if !s.in {
			s.in, s.start = true, t
		}
		v = stdlib.Float(float64(t-s.start) / float64(n.unit))
	}
	return fields.With(n.as, v), true
}

// Barrier passes the barrier on.
func (n *stateTracking) Barrier(g GroupID, t int64) {
	n.state(g)
	n.EmitBarrier(g, t)
}

// DeleteGroup drops the group's state and passes the deletion on.
func (n *stateTracking) DeleteGroup(g GroupID) {
	delete(n.states, g)
	if n.lambdas.remove(g) {
		n.EmitDeleteGroup(g)
	}
}

// Done passes the end of input on.
func (n *stateTracking) Done() { n.EmitDone() }
