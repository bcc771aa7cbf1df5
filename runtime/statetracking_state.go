package runtime

import "fmt"

// The checkpoint of a stateCount or stateDuration node holds the groups it
// has seen with their predicate's state, then each group's current run:
// whether it started, when, and how many points it counts.

// SaveState writes the node's state.
func (n *stateTracking) SaveState(e *StateEncoder) {
	n.lambdas.save(e)
	ids := sortedGroups(n.states)
	e.Len(len(ids))
	for _, id := range ids {
		s := n.states[id]
		e.Group(id)
		e.Bool(s.in)
		e.Int(s.start)
		e.Int(s.count)
	}
}

// LoadState reads what SaveState wrote.
func (n *stateTracking) LoadState(d *StateDecoder) error {
	n.lambdas.load(d)
	states := make(map[GroupID]*trackedState)
	for range d.Len() {
		id := d.Group()
		s := &trackedState{in: d.Bool(), start: d.Int(), count: d.Int()}
		if d.Err() != nil {
			break
		}
		if _, dup := states[id]; dup {
			d.Fail(fmt.Errorf("group %q is saved twice", id))
			break
		}
		states[id] = s
	}
	if err := d.Err(); err != nil {
		return err
	}
	n.states = states
	return nil
}
