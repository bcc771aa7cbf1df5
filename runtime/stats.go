package runtime

import (
	"sort"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// StatsConfig is the configuration of a stats node, |stats(interval).
type StatsConfig struct {
	// Interval is how often the statistics are emitted; it is positive.
	Interval time.Duration
	// Align aligns the emissions, and their times, to multiples of Interval.
	Align bool
}

// StatsNode emits, every Interval on the task clock (the wall clock in
// serve, the replay clock in replay), one point per group of the node it
// watches, as Kapacitor's StatsNode does: measurement "stats", the group's
// tags and dimensions, and the field "emitted", the number of points (or
// batches) the watched node has emitted in that group since the task
// started. With no group seen yet it emits one ungrouped point with emitted
// 0, so that a deadman fires for a source that never sends anything.
//
// The node is a source: its data come from its timer, not from a parent.
// The watched node reports to it through the Receiver that Watch returns,
// added as a child of the watched node; its Done ends the stats node too. A group deleted by the watched node
// is forgotten (Kapacitor kept its counter forever).
type StatsNode struct {
	Base
	cfg    StatsConfig
	timer  *Timer
	groups map[GroupID]*statsGroup
	done   bool
}

// statsGroup is what the stats node knows of one group of the watched node.
type statsGroup struct {
	tags    Tags
	dims    Dimensions
	emitted int64
}

// NewStatsNode returns a stats node and arms its timer.
func NewStatsNode(t *Task, info NodeInfo, cfg StatsConfig) *StatsNode {
	n := &StatsNode{Base: Base{Task: t, Info: info}, cfg: cfg, groups: map[GroupID]*statsGroup{}}
	if t == nil || cfg.Interval <= 0 {
		return n
	}
	n.timer = t.NewTimer(n.fire)
	now := t.Now()
	if cfg.Align {
		// The first tick is at the next multiple of the interval.
		iv := int64(cfg.Interval)
		n.timer.Reset(now - now%iv + iv)
	} else {
		n.timer.Reset(now + int64(cfg.Interval))
	}
	return n
}

// Watch returns the Receiver that counts what the watched node emits: link
// it with watched.AddChild(stats.Watch()).
func (n *StatsNode) Watch() Receiver { return statsWatch{n} }

// Groups returns the number of groups the node counts.
func (n *StatsNode) Groups() int { return len(n.groups) }

// fire emits the statistics and arms the next tick.
func (n *StatsNode) fire(now int64) {
	n.timer.Reset(now + int64(n.cfg.Interval))
	n.Emit(now)
}

// Emit emits one point per group with the count of the watched node's
// emissions, at time now (rounded to the interval when aligned).
func (n *StatsNode) Emit(now int64) {
	t := now
	if n.cfg.Align {
		t = roundTolerance(now, n.cfg.Interval)
	}
	if len(n.groups) == 0 {
		n.EmitPoint(Point{Name: "stats", Time: t, Fields: Fields{{"emitted", stdlib.Int(0)}}})
		return
	}
	ids := make([]GroupID, 0, len(n.groups))
	for id := range n.groups {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	for _, id := range ids {
		g := n.groups[id]
		n.EmitPoint(Point{
			Name:       "stats",
			Time:       t,
			Group:      NewGroupID("stats", g.tags, g.dims),
			Dimensions: g.dims,
			Tags:       g.tags,
			Fields:     Fields{{"emitted", stdlib.Int(g.emitted)}},
		})
	}
}

func (n *StatsNode) count(id GroupID, tags func() Tags, dims Dimensions) {
	g := n.groups[id]
	if g == nil {
		g = &statsGroup{tags: tags(), dims: dims}
		n.groups[id] = g
	}
	g.emitted++
}

// Point has no parent to come from: a stats node is a source.
func (n *StatsNode) Point(Point) {}

// Batch has no parent to come from: a stats node is a source.
func (n *StatsNode) Batch(Batch) {}

// Barrier has no parent to come from.
func (n *StatsNode) Barrier(GroupID, int64) {}

// DeleteGroup has no parent to come from.
func (n *StatsNode) DeleteGroup(GroupID) {}

// Done stops the timer and passes Done on, once. The watched node's Done
// reaches it through Watch.
func (n *StatsNode) Done() {
	if n.done {
		return
	}
	n.done = true
	if n.timer != nil {
		n.timer.Stop()
	}
	n.EmitDone()
}

// statsWatch is the child of the watched node that counts its emissions.
type statsWatch struct{ n *StatsNode }

func (w statsWatch) Point(p Point) {
	w.n.count(p.Group, func() Tags { return dimensionTags(p.Tags, p.Dimensions.TagNames) }, p.Dimensions)
}

func (w statsWatch) Batch(b Batch) {
	w.n.count(b.Group, func() Tags { return b.Tags }, b.Dimensions)
}

func (w statsWatch) Barrier(GroupID, int64) {}

// DeleteGroup forgets the group's counter.
func (w statsWatch) DeleteGroup(id GroupID) { delete(w.n.groups, id) }

// Done ends the stats node with the node it watches.
func (w statsWatch) Done() { w.n.Done() }
