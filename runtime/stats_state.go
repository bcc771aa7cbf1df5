package runtime

import "fmt"

// SaveState appends the stats node's state: whether it is done, the
// setting of its timer, and per group of the watched node its tags,
// dimensions and count of emissions.
func (n *StatsNode) SaveState(e *StateEncoder) {
	e.Bool(n.done)
	saveTimer(e, n.timer)
	ids := sortedStateKeys(n.groups)
	e.Len(len(ids))
	for _, id := range ids {
		g := n.groups[id]
		e.Group(id)
		e.Tags(g.tags)
		e.Dimensions(g.dims)
		e.Int(g.emitted)
	}
}

// LoadState restores what SaveState wrote; the timer stays disarmed until
// Restored.
func (n *StatsNode) LoadState(d *StateDecoder) error {
	n.done = d.Bool()
	armed := loadTimer(d, n.timer)
	if d.Err() == nil && n.timer != nil && armed == n.done {
		d.Fail(fmt.Errorf("stats state has a timer armed %v with the node done %v", armed, n.done))
	}
	clear(n.groups)
	for c := d.Len(); c > 0 && d.Err() == nil; c-- {
		id := d.Group()
		n.groups[id] = &statsGroup{tags: d.Tags(), dims: d.Dimensions(), emitted: d.Int()}
	}
	return d.Err()
}

// Restored arms the timer at the time of the next emission the checkpoint
// had scheduled.
func (n *StatsNode) Restored() {
	if n.timer != nil && !n.done {
		n.timer.rearm()
	}
}
