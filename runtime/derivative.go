package runtime

import (
	"errors"
	"fmt"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// DerivativeConfig configures a Derivative node, |derivative(field).
type DerivativeConfig struct {
	Field       string        // the field to differentiate
	As          string        // the result field; empty means Field
	Unit        time.Duration // the time unit of the rate; 0 means 1s
	NonNegative bool          // .nonNegative(): drop points whose value decreased
}

// Derivative computes (cur − prev) / (Δt / unit) of a numeric field between
// consecutive points of a group and stores it in the As field, keeping the
// other fields. The first point of a group (or of each batch) is dropped, as
// are points whose Δt is 0 (with an error) and, with NonNegative, points
// whose value decreased. A point whose field is not numeric is dropped with
// an error and does not become the previous point.
type Derivative struct {
	Base
	cfg    DerivativeConfig
	groups map[GroupID]*derivativeGroup
}

type derivativeGroup struct {
	has   bool
	time  int64
	value float64
}

// NewDerivative returns a Derivative node configured by cfg.
func NewDerivative(t *Task, info NodeInfo, cfg DerivativeConfig) *Derivative {
	if cfg.As == "" {
		cfg.As = cfg.Field
	}
	if cfg.Unit == 0 {
		cfg.Unit = time.Second
	}
	return &Derivative{
		Base:   Base{Task: t, Info: info},
		cfg:    cfg,
		groups: make(map[GroupID]*derivativeGroup),
	}
}

func (n *Derivative) group(g GroupID) *derivativeGroup {
	s, ok := n.groups[g]
	if !ok {
		s = &derivativeGroup{}
		n.groups[g] = s
	}
	return s
}

// Point emits p with the derivative since the group's previous point.
func (n *Derivative) Point(p Point) {
	n.PointsIn++
	if fields, ok := n.derive(n.group(p.Group), p.Time, p.Fields); ok {
		p.Fields = fields
		n.EmitPoint(p)
	}
}

// Batch emits b with the derivative of each of its points but the first;
// each batch starts afresh.
func (n *Derivative) Batch(b Batch) {
	n.PointsIn++
	s := n.group(b.Group)
	*s = derivativeGroup{}
	out := make([]BatchPoint, 0, len(b.Points))
	for _, bp := range b.Points {
		if fields, ok := n.derive(s, bp.Time, bp.Fields); ok {
			bp.Fields = fields
			out = append(out, bp)
		}
	}
	b.Points = out
	n.EmitBatch(b)
}

// derive returns the fields of the point at t with the derivative set, and
// whether the point is emitted.
func (n *Derivative) derive(s *derivativeGroup, t int64, fields Fields) (Fields, bool) {
	v := fields.Get(n.cfg.Field)
	var cur float64
	switch v.Type() {
	case stdlib.TypeFloat:
		cur = v.Float()
	case stdlib.TypeInt:
		cur = float64(v.Int())
	default:
		n.Error(fmt.Errorf("cannot perform derivative: field %q is the wrong type: %s", n.cfg.Field, v.Type()))
		return nil, false
	}
	prev, prevTime, had := s.value, s.time, s.has
	s.has, s.time, s.value = true, t, cur
	if !had {
		return nil, false
	}
	elapsed := float64(t - prevTime)
	if elapsed == 0 {
		n.Error(errors.New("cannot perform derivative: elapsed time was 0"))
		return nil, false
	}
	diff := cur - prev
	if n.cfg.NonNegative && diff < 0 {
		return nil, false
	}
	return fields.With(n.cfg.As, stdlib.Float(diff/(elapsed/float64(n.cfg.Unit)))), true
}

// Barrier passes the barrier on.
func (n *Derivative) Barrier(g GroupID, t int64) {
	n.group(g)
	n.EmitBarrier(g, t)
}

// DeleteGroup forgets the group's previous point and passes the deletion on.
func (n *Derivative) DeleteGroup(g GroupID) {
	if _, ok := n.groups[g]; ok {
		delete(n.groups, g)
		n.EmitDeleteGroup(g)
	}
}

// Done passes the end of input on.
func (n *Derivative) Done() { n.EmitDone() }
