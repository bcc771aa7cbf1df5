package runtime

import (
	"fmt"
	"sort"
)

// The checkpoint of an alert node holds, in this order:
//
//   - its inhibitors, those of deleted groups included (they stay
//     registered in their last state): category, equal tags with the
//     group's values, whether active;
//   - its groups, sorted by id: tags, the level history and its cursor,
//     flapping/changed/expired, when the alert left OK and when it last
//     produced an event, and the indexes of the group's inhibitors;
//   - the last event of each alert ID the node sent (its previousLevel);
//   - with .topic(), the last event of each alert ID of the named topic;
//   - the state of its level and reset expressions, which all groups share.
//
// The counters of events sent are statistics, not state: they start again
// from zero.

// SaveState writes the node's state.
func (n *Alert) SaveState(e *StateEncoder) {
	index := make(map[*alertInhibitor]int, len(n.inhibitors))
	e.Len(len(n.inhibitors))
	for i, in := range n.inhibitors {
		index[in] = i
		e.String(in.category)
		e.Tags(in.tags)
		e.Bool(in.active.Load())
	}
	ids := make([]GroupID, 0, len(n.groups))
	for id := range n.groups {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	e.Len(len(ids))
	for _, id := range ids {
		g := n.groups[id]
		e.Group(id)
		e.Tags(g.tags)
		e.Len(len(g.history))
		for _, l := range g.history {
			e.Uint(uint64(l))
		}
		e.Len(g.idx)
		e.Bool(g.flapping)
		e.Bool(g.changed)
		e.Bool(g.expired)
		e.Bool(g.firstSet)
		e.Int(g.first)
		e.Bool(g.everSent)
		e.Int(g.last)
		e.Len(len(g.inhibitors))
		for _, in := range g.inhibitors {
			e.Len(index[in])
		}
	}
	saveTopicState(e, n.events)
	e.Bool(n.named != nil)
	if n.named != nil {
		saveTopicState(e, n.named)
	}
	for l := AlertInfo; l <= AlertCritical; l++ {
		saveLambda(e, n.levels[l])
		saveLambda(e, n.resets[l])
	}
}

// LoadState reads what SaveState wrote into a node just built. Its
// inhibitors are registered with the program's alert service as the saved
// node's were.
func (n *Alert) LoadState(d *StateDecoder) error {
	inhibitors := make([]*alertInhibitor, d.Len())
	for i := range inhibitors {
		in := &alertInhibitor{category: d.String(), tags: d.Tags()}
		in.active.Store(d.Bool())
		inhibitors[i] = in
	}
	groups := make(map[GroupID]*alertGroup)
	for range d.Len() {
		id := d.Group()
		g := &alertGroup{tags: d.Tags(), history: make([]AlertLevel, d.Len())}
		if d.Err() == nil && len(g.history) != n.history {
			d.Fail(fmt.Errorf("alert group %q has a history of %d levels, the node keeps %d", id, len(g.history), n.history))
		}
		for i := range g.history {
			g.history[i] = decodeLevel(d)
		}
		g.idx = d.Len()
		if d.Err() == nil && g.idx >= len(g.history) {
			d.Fail(fmt.Errorf("alert group %q has history position %d of %d", id, g.idx, len(g.history)))
		}
		g.flapping, g.changed, g.expired = d.Bool(), d.Bool(), d.Bool()
		g.firstSet, g.first = d.Bool(), d.Int()
		g.everSent, g.last = d.Bool(), d.Int()
		for range d.Len() {
			i := d.Len()
			if d.Err() != nil {
				break
			}
			if i >= len(inhibitors) {
				d.Fail(fmt.Errorf("alert group %q has inhibitor %d of %d", id, i, len(inhibitors)))
				break
			}
			g.inhibitors = append(g.inhibitors, inhibitors[i])
		}
		if d.Err() != nil {
			break
		}
		if _, dup := groups[id]; dup {
			d.Fail(fmt.Errorf("alert group %q is saved twice", id))
			break
		}
		groups[id] = g
	}
	events := loadTopicState(d)
	var named map[string]topicEvent
	if d.Bool() {
		if n.named == nil {
			d.Fail(fmt.Errorf("the saved alert node has a topic, this one has none"))
		}
		named = loadTopicState(d)
	} else if n.named != nil && d.Err() == nil {
		d.Fail(fmt.Errorf("the saved alert node has no topic, this one has %q", n.cfg.Topic))
	}
	for l := AlertInfo; l <= AlertCritical; l++ {
		loadLambda(d, n.levels[l])
		loadLambda(d, n.resets[l])
	}
	if err := d.Err(); err != nil {
		return err
	}
	for _, in := range n.inhibitors {
		n.service.removeInhibitor(in)
	}
	n.inhibitors = inhibitors
	for _, in := range inhibitors {
		n.service.addInhibitor(in)
	}
	n.groups = groups
	for id, ev := range events {
		n.events.update(id, ev)
	}
	for id, ev := range named {
		n.named.update(id, ev)
	}
	return nil
}

// decodeLevel reads an alert level.
func decodeLevel(d *StateDecoder) AlertLevel {
	l := d.Uint()
	if l > uint64(AlertCritical) {
		d.Fail(fmt.Errorf("state has alert level %d", l))
		return AlertOK
	}
	return AlertLevel(l)
}

// saveTopicState writes the last event of every ID of tp, sorted by ID.
func saveTopicState(e *StateEncoder, tp *topicState) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	ids := make([]string, 0, len(tp.events))
	for id := range tp.events {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	e.Len(len(ids))
	for _, id := range ids {
		ev := tp.events[id]
		e.String(id)
		e.Uint(uint64(ev.level))
		e.Int(ev.time)
	}
}

// loadTopicState reads what saveTopicState wrote.
func loadTopicState(d *StateDecoder) map[string]topicEvent {
	events := map[string]topicEvent{}
	for range d.Len() {
		id := d.String()
		ev := topicEvent{level: decodeLevel(d), time: d.Int()}
		if d.Err() != nil {
			break
		}
		events[id] = ev
	}
	return events
}
