package runtime

// The checkpoint of a where node holds the groups it has seen, each with
// the state of its instance of the predicate.

// SaveState writes the node's state.
func (n *Where) SaveState(e *StateEncoder) { n.lambdas.save(e) }

// LoadState reads what SaveState wrote.
func (n *Where) LoadState(d *StateDecoder) error {
	n.lambdas.load(d)
	return d.Err()
}
