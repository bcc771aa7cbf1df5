package runtime

import "fmt"

// The checkpoint of a sample node holds each group's count of points.

// SaveState writes the node's state.
func (n *Sample) SaveState(e *StateEncoder) {
	ids := sortedGroups(n.counts)
	e.Len(len(ids))
	for _, id := range ids {
		e.Group(id)
		e.Int(n.counts[id])
	}
}

// LoadState reads what SaveState wrote.
func (n *Sample) LoadState(d *StateDecoder) error {
	counts := make(map[GroupID]int64)
	for range d.Len() {
		id, c := d.Group(), d.Int()
		if d.Err() != nil {
			break
		}
		if _, dup := counts[id]; dup {
			d.Fail(fmt.Errorf("group %q is saved twice", id))
			break
		}
		counts[id] = c
	}
	if err := d.Err(); err != nil {
		return err
	}
	n.counts = counts
	return nil
}
