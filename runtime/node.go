package runtime

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
