package runtime

import "errors"

// LoopbackConfig is the configuration of a kapacitorLoopback node.
type LoopbackConfig struct {
	// Database and RetentionPolicy are where the points are written; both
	// are required (the compiler checks it, and that they are not one of
	// the task's own database/retention-policy pairs).
	Database        string
	RetentionPolicy string
	// Measurement renames stream points; empty keeps their name. As in
	// Kapacitor, batch points keep the batch's name.
	Measurement string
	// Tags are set on every point written, over the point's own tags.
	Tags Tags
}

// errNoLoopback is reported when the task is not part of a program.
var errNoLoopback = errors.New("failed to write point over loopback: the task is not part of a program")

// LoopbackNode writes the data it receives back into the program's stream
// input, as Kapacitor's KapacitorLoopbackNode writes into Kapacitor: each
// point (each point of a batch) goes to Task.Loopback, which delivers it to
// every task that accepts it after the current delivery, never from inside
// it, so a loop through the program neither deadlocks nor recurses. The node
// has no children: barriers, deletions and Done end here.
type LoopbackNode struct {
	Base
	cfg LoopbackConfig
	// Written counts the points handed to the loopback.
	Written uint64
}

// NewLoopbackNode returns a kapacitorLoopback node.
func NewLoopbackNode(t *Task, info NodeInfo, cfg LoopbackConfig) *LoopbackNode {
	return &LoopbackNode{Base: Base{Task: t, Info: info}, cfg: cfg}
}

// Point writes p back with the node's database, retention policy,
// measurement and tags.
func (n *LoopbackNode) Point(p Point) {
	n.PointsIn++
	p.Database, p.RetentionPolicy = n.cfg.Database, n.cfg.RetentionPolicy
	if n.cfg.Measurement != "" {
		p.Name = n.cfg.Measurement
	}
	p.Tags = n.withTags(p.Tags)
	// A written point carries no grouping: the tasks reading it group it.
	p.Group, p.Dimensions = "", Dimensions{}
	n.write(p)
}

// Batch writes each point of b back as a point of the batch's name, without
// dimensions.
func (n *LoopbackNode) Batch(b Batch) {
	n.PointsIn++
	for _, bp := range b.Points {
		tags := bp.Tags
		if len(tags) == 0 {
			tags = b.Tags
		}
		n.write(Point{
			Name:            b.Name,
			Database:        n.cfg.Database,
			RetentionPolicy: n.cfg.RetentionPolicy,
			Time:            bp.Time,
			Tags:            n.withTags(tags),
			Fields:          bp.Fields,
		})
	}
}

func (n *LoopbackNode) withTags(ts Tags) Tags {
	for _, t := range n.cfg.Tags {
		ts = ts.With(t.Key, t.Value)
	}
	return ts
}

func (n *LoopbackNode) write(p Point) {
	if n.Task == nil || !n.Task.Loopback(p) {
		n.Error(errNoLoopback)
		return
	}
	n.Written++
}

// Barrier ends here.
func (n *LoopbackNode) Barrier(GroupID, int64) {}

// DeleteGroup ends here: the node keeps no state.
func (n *LoopbackNode) DeleteGroup(GroupID) {}

// Done ends here.
func (n *LoopbackNode) Done() {}
