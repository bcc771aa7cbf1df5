package runtime

import "fmt"

// The checkpoint of a groupBy node holds what it keeps of batch data: the
// time of its last flush and the regrouped batches waiting for the next
// one. On a stream it keeps nothing (its cache of group IDs is rebuilt as
// points arrive).

// SaveState writes the node's state.
func (n *GroupBy) SaveState(e *StateEncoder) {
	e.Bool(n.haveLast)
	e.Int(n.lastTime)
	ids := sortedGroups(n.pending)
	e.Len(len(ids))
	for _, id := range ids {
		e.Batch(*n.pending[id])
	}
}

// LoadState reads what SaveState wrote.
func (n *GroupBy) LoadState(d *StateDecoder) error {
	haveLast, lastTime := d.Bool(), d.Int()
	pending := make(map[GroupID]*Batch)
	for range d.Len() {
		b := d.Batch()
		if d.Err() != nil {
			break
		}
		if _, dup := pending[b.Group]; dup {
			d.Fail(fmt.Errorf("group %q is saved twice", b.Group))
			break
		}
		pending[b.Group] = &b
	}
	if err := d.Err(); err != nil {
		return err
	}
	n.haveLast, n.lastTime, n.pending = haveLast, lastTime, pending
	return nil
}
