package runtime

// The checkpoint of a sample node holds each group's count of points.

// SaveState writes the node's state.
func (n *Sample) SaveState(e *StateEncoder) {
	saveGroups(e, n.counts, e.Int)
}

// LoadState reads what SaveState wrote.
func (n *Sample) LoadState(d *StateDecoder) error {
	counts, err := loadGroups(d, d.Int)
	if err != nil {
		return err
	}
	n.counts = counts
	return nil
}
