package runtime

// The checkpoint of a changeDetect node holds, for each group, the fields
// of the last point it passed on.

// SaveState writes the node's state.
func (n *ChangeDetect) SaveState(e *StateEncoder) {
	saveGroups(e, n.groups, func(s *changeDetectGroup) {
		e.Bool(s.has)
		e.Fields(s.prev)
	})
}

// LoadState reads what SaveState wrote.
func (n *ChangeDetect) LoadState(d *StateDecoder) error {
	groups, err := loadGroups(d, func() *changeDetectGroup {
		return &changeDetectGroup{has: d.Bool(), prev: d.Fields()}
	})
	if err != nil {
		return err
	}
	n.groups = groups
	return nil
}
