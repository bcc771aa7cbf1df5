package runtime

import (
	"fmt"
)

// Compiled lambdas keep state when they call stateful functions (sigma,
// count, spread, ...): generated code makes such a lambda implement
// Stateful. A node saves each of its lambda instances with saveLambda,
// which nests the lambda's bytes so that a lambda reading less or more
// than it wrote is caught, and which records whether the instance had
// state at all.

// saveLambda writes the state of l, which may be nil or keep none.
func saveLambda(e *StateEncoder, l Lambda) {
	s, ok := l.(Stateful)
	e.Bool(ok)
	if !ok {
		return
	}
	var le StateEncoder
	s.SaveState(&le)
	e.ByteSlice(le.Bytes())
}

// loadLambda reads what saveLambda wrote into l, a fresh instance of the
// same lambda.
func loadLambda(d *StateDecoder, l Lambda) {
	saved := d.Bool()
	if d.Err() != nil {
		return
	}
	s, ok := l.(Stateful)
	if saved != ok {
		d.Fail(fmt.Errorf("the saved expression state does not match the expression (saved state: %t, expression keeps state: %t)", saved, ok))
		return
	}
	if !saved {
		return
	}
	b := d.ByteSlice()
	if d.Err() != nil {
		return
	}
	ld := NewStateDecoder(b)
	err := s.LoadState(ld)
	if err == nil {
		err = ld.Finish()
	}
	if err != nil {
		d.Fail(fmt.Errorf("expression state: %w", err))
	}
}

// sortedGroups returns the keys of m sorted, so that a node's state is
// written in the same order every time.
func sortedGroups[V any](m map[GroupID]V) []GroupID { return sortedStateKeys(m) }

// save writes the groups the node has seen, each with its instance's state.
func (gl *groupLambdas) save(e *StateEncoder) {
	saveGroups(e, gl.m, func(l Lambda) { saveLambda(e, l) })
}

// load reads what save wrote: every group gets a fresh instance with the
// saved state.
func (gl *groupLambdas) load(d *StateDecoder) {
	m, err := loadGroups(d, func() Lambda {
		var l Lambda
		if gl.factory != nil {
			l = gl.factory()
		}
		loadLambda(d, l)
		return l
	})
	if err == nil {
		gl.m = m
	}
}
