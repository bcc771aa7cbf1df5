package runtime

import "fmt"

// SaveState appends the barrier node's state: per group, the idle base or
// last tick, the time of its last barrier, its next periodic barrier and
// the setting of its timer.
func (n *BarrierNode) SaveState(e *StateEncoder) {
	ids := sortedStateKeys(n.groups)
	e.Len(len(ids))
	for _, id := range ids {
		g := n.groups[id]
		e.Group(id)
		e.Int(g.last)
		e.Bool(g.hasCut)
		e.Int(g.cut)
		e.Int(g.next)
		saveTimer(e, g.timer)
	}
}

// LoadState restores what SaveState wrote; the groups' timers stay
// disarmed until Restored.
func (n *BarrierNode) LoadState(d *StateDecoder) error {
	for _, g := range n.groups {
		n.drop(g)
	}
	for c := d.Len(); c > 0 && d.Err() == nil; c-- {
		g := &barrierGroup{id: d.Group(), last: d.Int(), hasCut: d.Bool(), cut: d.Int(), next: d.Int()}
		if n.Task != nil {
			switch {
			case n.cfg.Idle > 0:
				g.timer = n.Task.NewTimer(func(int64) { n.idleFired(g) })
			case n.cfg.Period > 0:
				g.timer = n.Task.NewTimer(func(int64) { n.periodFired(g) })
			}
		}
		if !loadTimer(d, g.timer) && g.timer != nil && d.Err() == nil {
			d.Fail(fmt.Errorf("barrier state has group %q without a timer", g.id))
		}
		n.groups[g.id] = g
	}
	return d.Err()
}

// Restored arms the groups' timers at the times they had when the
// checkpoint was taken.
func (n *BarrierNode) Restored() {
	for _, g := range n.groups {
		if g.timer != nil {
			g.timer.rearm()
		}
	}
}
