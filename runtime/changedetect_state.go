package runtime

import "fmt"

// The checkpoint of a changeDetect node holds, for each group, the fields
// of the last point it passed on.

// SaveState writes the node's state.
func (n *ChangeDetect) SaveState(e *StateEncoder) {
	ids := sortedGroups(n.groups)
	e.Len(len(ids))
	for _, id := range ids {
		s := n.groups[id]
		e.Group(id)
		e.Bool(s.has)
		e.Fields(s.prev)
	}
}

// LoadState reads what SaveState wrote.
func (n *ChangeDetect) LoadState(d *StateDecoder) error {
	groups := make(map[GroupID]*changeDetectGroup)
	for range d.Len() {
		id := d.Group()
		s := &changeDetectGroup{has: d.Bool(), prev: d.Fields()}
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
