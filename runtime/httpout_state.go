package runtime

import "fmt"

// The checkpoint of an httpOut node holds its rows in order, each with its
// group and its latest point or batch (or nothing, for a group a barrier
// announced), so that the endpoint answers the same after a restart.

// SaveState writes the node's rows.
func (n *HTTPOut) SaveState(e *StateEncoder) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e.Len(len(n.rows))
	for i := range n.rows {
		d := &n.rows[i]
		e.Group(n.groups[i])
		e.Uint(uint64(d.kind))
		switch d.kind {
		case outPoint:
			e.Point(d.point)
		case outBatch:
			e.Batch(d.batch)
		}
	}
}

// LoadState reads what SaveState wrote.
func (n *HTTPOut) LoadState(d *StateDecoder) error {
	count := d.Len()
	rows := make([]outData, 0, count)
	groups := make([]GroupID, 0, count)
	index := make(map[GroupID]int, count)
	for range count {
		g := d.Group()
		var o outData
		o.kind = uint8(d.Uint())
		switch o.kind {
		case outNone:
		case outPoint:
			o.point = d.Point()
		case outBatch:
			o.batch = d.Batch()
		default:
			d.Fail(fmt.Errorf("httpOut row of kind %d", o.kind))
		}
		if d.Err() != nil {
			return d.Err()
		}
		if _, dup := index[g]; dup {
			return fmt.Errorf("httpOut group %q is saved twice", g)
		}
		index[g] = len(rows)
		rows = append(rows, o)
		groups = append(groups, g)
	}
	n.mu.Lock()
	n.rows, n.groups, n.index, n.last = rows, groups, index, -1
	n.mu.Unlock()
	return nil
}
