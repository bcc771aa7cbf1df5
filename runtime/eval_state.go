package runtime

import "fmt"

// The checkpoint of an eval node holds the groups it has seen, each with
// the state of its instances of the node's expressions.

// SaveState writes the node's state.
func (n *Eval) SaveState(e *StateEncoder) {
	ids := sortedGroups(n.groups)
	e.Len(len(ids))
	for _, id := range ids {
		ls := n.groups[id]
		e.Group(id)
		e.Len(len(ls))
		for _, l := range ls {
			saveLambda(e, l)
		}
	}
}

// LoadState reads what SaveState wrote; every group gets fresh instances
// of the expressions with the saved state.
func (n *Eval) LoadState(d *StateDecoder) error {
	groups := make(map[GroupID][]Lambda)
	for range d.Len() {
		id := d.Group()
		count := d.Len()
		if d.Err() == nil && count != len(n.cfg.Lambdas) {
			d.Fail(fmt.Errorf("group %q has %d saved expressions, the node has %d", id, count, len(n.cfg.Lambdas)))
		}
		if d.Err() != nil {
			break
		}
		ls := make([]Lambda, count)
		for i, f := range n.cfg.Lambdas {
			if f != nil {
				ls[i] = f()
			}
			loadLambda(d, ls[i])
		}
		if d.Err() != nil {
			break
		}
		if _, dup := groups[id]; dup {
			d.Fail(fmt.Errorf("group %q is saved twice", id))
			break
		}
		groups[id] = ls
	}
	if err := d.Err(); err != nil {
		return err
	}
	n.groups = groups
	return nil
}
