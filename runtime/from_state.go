package runtime

// The checkpoint of a from node holds the state of its .where()
// predicate, one instance for every group as in Kapacitor. Its cache of
// group IDs is not state: it is rebuilt as points arrive.

// SaveState writes the node's state.
func (n *From) SaveState(e *StateEncoder) { saveLambda(e, n.cfg.Where) }

// LoadState reads what SaveState wrote.
func (n *From) LoadState(d *StateDecoder) error {
	loadLambda(d, n.cfg.Where)
	return d.Err()
}
