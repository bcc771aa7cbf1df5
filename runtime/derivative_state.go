package runtime

// The checkpoint of a derivative node holds, for each group, its previous
// point's time and value.

// SaveState writes the node's state.
func (n *Derivative) SaveState(e *StateEncoder) {
	saveGroups(e, n.groups, func(s *derivativeGroup) {
		e.Bool(s.has)
		e.Int(s.time)
		e.Float(s.value)
	})
}

// LoadState reads what SaveState wrote.
func (n *Derivative) LoadState(d *StateDecoder) error {
	groups, err := loadGroups(d, func() *derivativeGroup {
		return &derivativeGroup{has: d.Bool(), time: d.Int(), value: d.Float()}
	})
	if err != nil {
		return err
	}
	n.groups = groups
	return nil
}
