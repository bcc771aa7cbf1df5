package runtime

// The checkpoint of a stateCount or stateDuration node holds the groups it
// has seen with their predicate's state, then each group's current run:
// whether it started, when, and how many points it counts.

// SaveState writes the node's state.
func (n *stateTracking) SaveState(e *StateEncoder) {
	n.lambdas.save(e)
	saveGroups(e, n.states, func(s *trackedState) {
		e.Bool(s.in)
		e.Int(s.start)
		e.Int(s.count)
	})
}

// LoadState reads what SaveState wrote.
func (n *stateTracking) LoadState(d *StateDecoder) error {
	n.lambdas.load(d)
	states, err := loadGroups(d, func() *trackedState {
		return &trackedState{in: d.Bool(), start: d.Int(), count: d.Int()}
	})
	if err != nil {
		return err
	}
	n.states = states
	return nil
}
