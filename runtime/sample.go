package runtime

import (
	"time"
)

// SampleConfig configures a Sample node, |sample(n) or |sample(d); exactly
// one of N and Duration is set.
type SampleConfig struct {
	N        int64         // keep every N-th point of a group, starting with the first
	Duration time.Duration // keep the points whose time is a multiple of Duration
}

// Sample keeps a sample of each group's points. On batches it samples the
// points inside each batch, counting from each batch's first point.
type Sample struct {
	Base
	cfg    SampleConfig
	counts map[GroupID]int64
}

// NewSample returns a Sample node configured by cfg. An N below 1 with no
// Duration keeps every point.
func NewSample(t *Task, info NodeInfo, cfg SampleConfig) *Sample {
	if cfg.Duration == 0 && cfg.N < 1 {
		cfg.N = 1
	}
	return &Sample{
		Base:   Base{Task: t, Info: info},
		cfg:    cfg,
		counts: make(map[GroupID]int64),
	}
}

func (n *Sample) keep(count, t int64) bool {
	if n.cfg.Duration != 0 {
		return truncateTime(t, n.cfg.Duration) == t
	}
	return count%n.cfg.N == 0
}

// Point passes p on if it is sampled.
func (n *Sample) Point(p Point) {
	n.PointsIn++
	c := n.counts[p.Group]
	n.counts[p.Group] = c + 1
	if n.keep(c, p.Time) {
		n.EmitPoint(p)
	}
}

// Batch passes b on with its sampled points.
func (n *Sample) Batch(b Batch) {
	n.PointsIn++
	out := make([]BatchPoint, 0, len(b.Points))
	for i, bp := range b.Points {
		if n.keep(int64(i), bp.Time) {
			out = append(out, bp)
		}
	}
	n.counts[b.Group] = int64(len(b.Points))
	b.Points = out
	n.EmitBatch(b)
}

// Barrier passes the barrier on.
func (n *Sample) Barrier(g GroupID, t int64) {
	if _, ok := n.counts[g]; !ok {
		n.counts[g] = 0
	}
	n.EmitBarrier(g, t)
}

// DeleteGroup forgets the group's count and passes the deletion on.
func (n *Sample) DeleteGroup(g GroupID) {
	if _, ok := n.counts[g]; ok {
		delete(n.counts, g)
		n.EmitDeleteGroup(g)
	}
}

// Done passes the end of input on.
func (n *Sample) Done() { n.EmitDone() }
