package runtime

// TrickleConfig is the configuration of a trickle node; |trickle() has no
// properties.
type TrickleConfig struct{}

// Trickle turns batches into stream points, as Kapacitor's TrickleNode does:
// each batch point becomes a point with the batch's name and dimensions and
// the batch point's own time, fields and tags. Points, barriers and group
// deletions pass unchanged.
type Trickle struct {
	Base
}

// NewTrickle returns a trickle node.
func NewTrickle(t *Task, info NodeInfo, cfg TrickleConfig) *Trickle {
	return &Trickle{Base: Base{Task: t, Info: info}}
}

// Point passes p on.
func (n *Trickle) Point(p Point) {
	n.PointsIn++
	n.EmitPoint(p)
}

// Batch emits the points of b one by one.
func (n *Trickle) Batch(b Batch) {
	n.PointsIn++
	for _, bp := range b.Points {
		p := Point{
			Name:       b.Name,
			Time:       bp.Time,
			Dimensions: b.Dimensions,
			Tags:       bp.Tags,
			Fields:     bp.Fields,
		}
		p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions)
		n.EmitPoint(p)
	}
}

// Barrier passes the barrier on.
func (n *Trickle) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *Trickle) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes Done on.
func (n *Trickle) Done() { n.EmitDone() }
