package runtime

import (
	"time"
)

// ShiftConfig configures a Shift node, |shift(d).
type ShiftConfig struct {
	Shift time.Duration // added to every time; may be negative
}

// Shift moves points, batches and the points inside batches in time.
// Barriers pass unchanged.
type Shift struct {
	Base
	shift int64
}

// NewShift returns a Shift node configured by cfg.
func NewShift(t *Task, info NodeInfo, cfg ShiftConfig) *Shift {
	return &Shift{Base: Base{Task: t, Info: info}, shift: int64(cfg.Shift)}
}

// Point emits p shifted.
func (n *Shift) Point(p Point) {
	n.PointsIn++
	p.Time += n.shift
	n.EmitPoint(p)
}

// Batch emits b with its time and its points' times shifted.
func (n *Shift) Batch(b Batch) {
	n.PointsIn++
	b.TMax += n.shift
	pts := make([]BatchPoint, len(b.Points))
	for i, bp := range b.Points {
		bp.Time += n.shift
		pts[i] = bp
	}
	b.Points = pts
	n.EmitBatch(b)
}

// Barrier passes the barrier on.
func (n *Shift) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *Shift) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes the end of input on.
func (n *Shift) Done() { n.EmitDone() }
