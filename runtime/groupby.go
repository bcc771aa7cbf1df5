package runtime

import (
	"sort"
)

// GroupByConfig configures a GroupBy node, |groupBy(tags…).
type GroupByConfig struct {
	Tags          []string // the dimension tags
	All           bool     // groupBy(*): every tag of each point is a dimension
	Exclude       []string // .exclude(tags…): tags left out of the dimensions
	ByMeasurement bool     // .byMeasurement()
}

// GroupBy regroups data. On a stream it changes only the group and
// dimensions of each point (the point keeps its tags). On a batch edge it
// re-buckets the points of incoming batches into one batch per new group,
// and emits those batches when a batch with a different time, or a barrier
// with a different time, arrives; the last ones wait for such a message.
type GroupBy struct {
	Base
	cfg      GroupByConfig
	tagNames []string
	ids      groupIDCache

	// batch state
	lastTime int64
	haveLast bool
	pending  map[GroupID]*Batch
}

// NewGroupBy returns a GroupBy node configured by cfg.
func NewGroupBy(t *Task, info NodeInfo, cfg GroupByConfig) *GroupBy {
	names := sortedDimensions(cfg.Tags, cfg.Exclude)
	return &GroupBy{
		Base:     Base{Task: t, Info: info},
		cfg:      cfg,
		tagNames: names,
		ids:      newGroupIDCache(names),
		pending:  make(map[GroupID]*Batch),
	}
}

// Point sets p's dimensions and group.
func (n *GroupBy) Point(p Point) {
	n.PointsIn++
	byName := p.Dimensions.ByName || n.cfg.ByMeasurement
	if n.cfg.All {
		p.Dimensions = Dimensions{
			ByName:   byName,
			TagNames: dimensionTagNames(p.Tags, true, nil, n.cfg.Exclude),
		}
		p.Group = n.ids.get(p.Name, p.Tags, p.Dimensions)
	} else {
		p.Dimensions = Dimensions{ByName: byName, TagNames: n.tagNames}
		p.Group = n.ids.getFixed(p.Name, p.Tags, byName)
	}
	if !n.Task.AdmitGroup(n, p.Group) {
		return
	}
	n.EmitPoint(p)
}

// Batch first emits the regrouped batches of an earlier time, then files
// the points of b under their new groups.
func (n *GroupBy) Batch(b Batch) {
	n.PointsIn++
	n.flush(b.TMax)
	byName := b.Dimensions.ByName || n.cfg.ByMeasurement
	for _, bp := range b.Points {
		dims := Dimensions{
			ByName:   byName,
			TagNames: dimensionTagNames(bp.Tags, n.cfg.All, n.tagNames, n.cfg.Exclude),
		}
		var g GroupID
		if n.cfg.All {
			g = n.ids.get(b.Name, bp.Tags, dims)
		} else {
			g = n.ids.getFixed(b.Name, bp.Tags, byName)
		}
		if !n.Task.AdmitGroup(n, g) {
			continue
		}
		nb, ok := n.pending[g]
		if !ok {
			tags := make(Tags, 0, len(dims.TagNames))
			for _, k := range dims.TagNames {
				v, _ := bp.Tags.Get(k)
				tags = tags.With(k, v)
			}
			nb = &Batch{
				Name:       b.Name,
				TMax:       b.TMax,
				Group:      g,
				Dimensions: dims,
				Tags:       tags,
				Points:     make([]BatchPoint, 0, len(b.Points)),
			}
			n.pending[g] = nb
		}
		nb.Points = append(nb.Points, bp)
	}
}

// flush emits every pending batch when t differs from the time of the last
// flush. Batches go out in group order, their points sorted by time.
func (n *GroupBy) flush(t int64) {
	if n.haveLast && t == n.lastTime {
		return
	}
	n.lastTime, n.haveLast = t, true
	if len(n.pending) == 0 {
		return
	}
	ids := make([]GroupID, 0, len(n.pending))
	for g := range n.pending {
		ids = append(ids, g)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, g := range ids {
		b := n.pending[g]
		delete(n.pending, g)
		sort.SliceStable(b.Points, func(i, j int) bool { return b.Points[i].Time < b.Points[j].Time })
		n.EmitBatch(*b)
	}
}

// Barrier emits the pending batches (if its time differs from the last
// batch's) and passes the barrier on.
func (n *GroupBy) Barrier(g GroupID, t int64) {
	n.flush(t)
	n.EmitBarrier(g, t)
}

// DeleteGroup drops the group's pending batch and passes the deletion on.
func (n *GroupBy) DeleteGroup(g GroupID) {
	delete(n.pending, g)
	n.EmitDeleteGroup(g)
}

// Done passes the end of input on. Pending batches are not emitted, as in
// Kapacitor.
func (n *GroupBy) Done() { n.EmitDone() }

// regroup recomputes the group of p after its tags or dimensions changed.
func regroup(p *Point) { p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions) }
