package runtime

import "github.com/tickc/tickc/stdlib"

// Receiver is the input side of a pipeline node. A parent calls its children's
// methods directly, synchronously, on the goroutine of the task: there is no
// goroutine or channel per node. Errors are handled inside the node (logged
// with the node's position, counted, the offending data dropped), never
// returned, as Kapacitor's nodes do.
type Receiver interface {
	// Point receives one point of a stream edge.
	Point(p Point)
	// Batch receives one batch of a batch edge.
	Batch(b Batch)
	// Barrier tells the node that no data older than t will arrive for group g.
	Barrier(g GroupID, t int64)
	// DeleteGroup tells the node that group g is gone: it releases the group's state
	// and passes the message on.
	DeleteGroup(g GroupID)
	// Done tells the node that its input has ended: it flushes what it must and
	// passes Done on.
	Done()
}

// Lambda is a compiled TICKscript lambda expression. Generated code implements
// it with a small struct that holds the state of the stateful functions the
// expression calls (sigma, count, spread, rand); nodes that keep that state per
// group make one instance per group with a LambdaFactory.
type Lambda interface {
	// Eval evaluates the expression on one point's time, tags and fields.
	Eval(time int64, tags Tags, fields Fields) (stdlib.Value, error)
}

// LambdaFactory returns a fresh instance of one compiled lambda, with fresh state.
type LambdaFactory func() Lambda

// NodeInfo identifies a node in logs, errors and statistics.
type NodeInfo struct {
	Name  string // the node's name as Kapacitor shows it: kind plus index, e.g. "window2"
	Pos   string // where the script creates it, "file.tick:LINE:COL"
	Quiet bool   // .quiet(): do not log errors (they are still counted)
}

// Base is embedded by every node: its identity, its children and its counters.
// Nodes are built with a constructor NewX(t *Task, info NodeInfo, cfg XConfig)
// and linked with AddChild.
type Base struct {
	Task     *Task
	Info     NodeInfo
	Children []Receiver

	PointsIn  uint64 // points (or batches) received
	PointsOut uint64 // points (or batches) emitted
	Errors    uint64 // errors met, each with its data dropped
}

// AddChild links r below the node.
func (b *Base) AddChild(r Receiver) { b.Children = append(b.Children, r) }

// EmitPoint passes p to every child.
func (b *Base) EmitPoint(p Point) {
	b.PointsOut++
	for _, c := range b.Children {
		c.Point(p)
	}
}

// EmitBatch passes bt to every child.
func (b *Base) EmitBatch(bt Batch) {
	b.PointsOut++
	for _, c := range b.Children {
		c.Batch(bt)
	}
}

// EmitBarrier passes a barrier to every child.
func (b *Base) EmitBarrier(g GroupID, t int64) {
	for _, c := range b.Children {
		c.Barrier(g, t)
	}
}

// EmitDeleteGroup passes a group deletion to every child.
func (b *Base) EmitDeleteGroup(g GroupID) {
	for _, c := range b.Children {
		c.DeleteGroup(g)
	}
}

// EmitDone passes the end of input to every child.
func (b *Base) EmitDone() {
	for _, c := range b.Children {
		c.Done()
	}
}

// Error counts err and logs it with the node's name and position, unless the
// node is quiet.
func (b *Base) Error(err error) {
	b.Errors++
	if b.Info.Quiet || b.Task == nil || b.Task.Log == nil {
		return
	}
	b.Task.Log.Error(err.Error(), "node", b.Info.Name, "pos", b.Info.Pos)
}
