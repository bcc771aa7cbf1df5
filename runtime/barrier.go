package runtime

import "time"

// BarrierNodeConfig is the configuration of a barrier node, the properties
// of |barrier(). Exactly one of Idle and Period is positive.
type BarrierNodeConfig struct {
	// Idle emits a group's barrier once the group has received nothing for
	// this long.
	Idle time.Duration
	// Period emits a barrier for every group at this interval.
	Period time.Duration
	// Delete deletes the group (DeleteGroup downstream) after each of its
	// barriers.
	Delete bool
}

// BarrierNode emits barriers on the task clock, as Kapacitor's BarrierNode
// does on the wall clock (named so because Barrier is also a Receiver
// method). It keeps one timer per group, started when the group first shows
// up:
//
//   - idle: each point (batch point, incoming barrier) resets the group's
//     timer; when it fires, the barrier's time is the last data time plus
//     Idle (then again Idle later while the group stays idle);
//   - period: the timer fires every Period from the group's start, and the
//     barrier's time is the firing time.
//
// Data older than the group's last barrier is dropped. With Delete, each
// barrier is followed by a DeleteGroup and the group's timer stops; data of
// the group starts it afresh. A timer fires only once the clock is past its
// time: data arriving at exactly that time comes first.
//
// The node needs a Task for its timers; without one it only filters and
// passes data on.
type BarrierNode struct {
	Base
	cfg    BarrierNodeConfig
	groups map[GroupID]*barrierGroup
}

// barrierGroup is the state of one group.
type barrierGroup struct {
	id    GroupID
	timer *Timer
	// last is the idle base (the last data time, or the group's start on the
	// clock) for idle barriers, and the last tick's time for periodic ones.
	last int64
	// cut is the time of the last barrier; data before it is dropped.
	cut    int64
	hasCut bool
	// next is the time of the next periodic barrier.
	next int64
}

// NewBarrierNode returns a barrier node.
func NewBarrierNode(t *Task, info NodeInfo, cfg BarrierNodeConfig) *BarrierNode {
	return &BarrierNode{Base: Base{Task: t, Info: info}, cfg: cfg, groups: map[GroupID]*barrierGroup{}}
}

// Groups returns the number of groups with a running timer.
func (n *BarrierNode) Groups() int { return len(n.groups) }

func (n *BarrierNode) group(id GroupID) *barrierGroup {
	g := n.groups[id]
	if g != nil {
		return g
	}
	g = &barrierGroup{id: id}
	n.groups[id] = g
	if n.Task == nil {
		return g
	}
	now := n.Task.Now()
	switch {
	case n.cfg.Idle > 0:
		g.last = now
		g.timer = n.Task.NewTimer(func(int64) { n.idleFired(g) })
		g.timer.Reset(now + int64(n.cfg.Idle) + 1)
	case n.cfg.Period > 0:
		g.next = now + int64(n.cfg.Period)
		g.timer = n.Task.NewTimer(func(int64) { n.periodFired(g) })
		g.timer.Reset(g.next + 1)
	}
	return g
}

// keep reports whether data of time t passes the group's last barrier, and
// restarts an idle timer for it.
func (n *BarrierNode) keep(g *barrierGroup, t int64) bool {
	if g.hasCut && t < g.cut {
		return false
	}
	if n.cfg.Idle > 0 {
		g.last = t
		if g.timer != nil {
			g.timer.Reset(n.Task.Now() + int64(n.cfg.Idle) + 1)
		}
	}
	return true
}

// Point passes p on unless it is older than its group's last barrier.
func (n *BarrierNode) Point(p Point) {
	n.PointsIn++
	if n.keep(n.group(p.Group), p.Time) {
		n.EmitPoint(p)
	}
}

// Batch passes b on without its points older than the group's last barrier.
func (n *BarrierNode) Batch(b Batch) {
	n.PointsIn++
	g := n.group(b.Group)
	kept := b.Points[:0:0]
	for _, bp := range b.Points {
		if n.keep(g, bp.Time) {
			kept = append(kept, bp)
		}
	}
	if len(kept) != len(b.Points) {
		b.Points = kept
	}
	n.EmitBatch(b)
}

// Barrier passes an upstream barrier on unless it is older than the group's
// last one; it counts as activity and moves the group's cut.
func (n *BarrierNode) Barrier(id GroupID, t int64) {
	g := n.group(id)
	if !n.keep(g, t) {
		return
	}
	if n.cfg.Idle > 0 {
		g.cut, g.hasCut = t, true
	}
	n.EmitBarrier(id, t)
}

// DeleteGroup stops the group's timer and passes the deletion on, if the group
// is known.
func (n *BarrierNode) DeleteGroup(id GroupID) {
	g := n.groups[id]
	if g == nil {
		return
	}
	n.drop(g)
	n.EmitDeleteGroup(id)
}

// Done stops every timer and passes Done on.
func (n *BarrierNode) Done() {
	for _, g := range n.groups {
		n.drop(g)
	}
	n.EmitDone()
}

func (n *BarrierNode) drop(g *barrierGroup) {
	if g.timer != nil {
		g.timer.Stop()
	}
	delete(n.groups, g.id)
}

// idleFired emits the barrier of an idle group and arms the timer again.
func (n *BarrierNode) idleFired(g *barrierGroup) {
	t := g.last + int64(n.cfg.Idle)
	g.last = t
	g.cut, g.hasCut = t, true
	g.timer.Reset(n.Task.Now() + int64(n.cfg.Idle))
	n.emit(g, t)
}

// periodFired emits the periodic barrier that was due and arms the next one.
func (n *BarrierNode) periodFired(g *barrierGroup) {
	tick := g.next
	g.last = tick
	g.cut, g.hasCut = tick, true
	g.next = tick + int64(n.cfg.Period)
	g.timer.Reset(g.next + 1)
	n.emit(g, tick)
}

func (n *BarrierNode) emit(g *barrierGroup, t int64) {
	n.EmitBarrier(g.id, t)
	if n.cfg.Delete {
		n.drop(g)
		n.EmitDeleteGroup(g.id)
	}
}
