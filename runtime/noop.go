package runtime

// NoOpNode is the implicit node Kapacitor adds below a node that has no child
// when stats or deadman watch it, so that the watched node's data go
// somewhere. It passes everything on unchanged (it normally has no children).
type NoOpNode struct {
	Base
}

// NoOpConfig is the (empty) configuration of a noop node.
type NoOpConfig struct{}

// NewNoOpNode returns a noop node.
func NewNoOpNode(t *Task, info NodeInfo, _ NoOpConfig) *NoOpNode {
	return &NoOpNode{Base: Base{Task: t, Info: info}}
}

// Point passes p on.
func (n *NoOpNode) Point(p Point) { n.PointsIn++; n.EmitPoint(p) }

// Batch passes b on.
func (n *NoOpNode) Batch(b Batch) { n.PointsIn++; n.EmitBatch(b) }

// Barrier passes the barrier on.
func (n *NoOpNode) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *NoOpNode) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes Done on.
func (n *NoOpNode) Done() { n.EmitDone() }
