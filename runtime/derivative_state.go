package runtime

import "fmt"

// The checkpoint of a derivative node holds, for each group, its previous
// point's time and value.

// SaveState writes the node's state.
func (n *Derivative) SaveState(e *StateEncoder) {
	ids := sortedGroups(n.groups)
	e.Len(len(ids))
	for _, id := range ids {
		s := n.groups[id]
		e.Group(id)
		e.Bool(s.has)
		e.Int(s.time)
		e.Float(s.value)
	}
}

// LoadState reads what SaveState wrote.
func (n *Derivative) LoadState(d *StateDecoder) error {
	groups := make(map[GroupID]*derivativeGroup)
	for range d.Len() {
		id := d.Group()
		s := &derivativeGroup{has: d.Bool(), time: d.Int(), value: d.Float()}
		if d.Err() != nil {
			break
		}
		if _, dup := groups[id]; dup {
			d.Fail(fmt.Errorf("group %q is saved twice", id))
			break
		}
		groups[id] = s
	}
	if err := d.Err(); err != nil {
		return err
	}
	n.groups = groups
	return nil
}
