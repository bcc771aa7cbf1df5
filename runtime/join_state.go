package runtime

import (
	"cmp"
	"fmt"
	"slices"
)

// SaveState appends the join's state: how many parents are done, each
// group's sets (the buffered data per rounded time and parent) with its
// parents' positions, and, with On, the low-water marks, the buffers of
// less specific and specific data and the group bookkeeping. Maps are
// written in sorted order, so equal states encode to equal bytes.
func (j *Join) SaveState(e *StateEncoder) {
	e.Len(j.done)

	ids := sortedStateKeys(j.groups)
	e.Len(len(ids))
	for _, id := range ids {
		g := j.groups[id]
		e.Group(id)
		for _, h := range g.head {
			e.Int(h)
		}
		e.Bool(g.hasOld)
		e.Int(g.oldest)
		times := sortedStateKeys(g.sets)
		e.Len(len(times))
		for _, t := range times {
			sets := g.sets[t]
			e.Int(t)
			e.Len(len(sets))
			for _, s := range sets {
				for _, v := range s.values {
					e.Bool(v != nil)
					if v != nil {
						saveJoinMsg(e, v)
					}
				}
			}
		}
	}

	marks := make([]joinSrcGroup, 0, len(j.lowMarks))
	for k := range j.lowMarks {
		marks = append(marks, k)
	}
	slices.SortFunc(marks, func(a, b joinSrcGroup) int {
		return cmp.Or(cmp.Compare(a.g, b.g), cmp.Compare(a.src, b.src))
	})
	e.Len(len(marks))
	for _, k := range marks {
		e.Group(k.g)
		e.Len(k.src)
		e.Int(j.lowMarks[k])
	}

	saveJoinQueues(e, j.matches)
	saveJoinQueues(e, j.specific)

	ids = sortedStateKeys(j.onGroup)
	e.Len(len(ids))
	for _, id := range ids {
		e.Group(id)
		e.Group(j.onGroup[id])
	}
	ids = sortedStateKeys(j.onUsers)
	e.Len(len(ids))
	for _, id := range ids {
		e.Group(id)
		e.Len(j.onUsers[id])
	}
	for _, r := range j.reported {
		e.Bool(r)
	}
	e.Bool(j.allRep)
}

// LoadState restores what SaveState wrote into a join built from the same
// configuration.
func (j *Join) LoadState(d *StateDecoder) error {
	parents := len(j.inputs)
	j.done = d.Len()
	if j.done > parents {
		d.Fail(fmt.Errorf("join state has %d parents done of %d", j.done, parents))
	}

	clear(j.groups)
	for n := d.Len(); n > 0 && d.Err() == nil; n-- {
		id := d.Group()
		g := &joinGroup{j: j, sets: map[int64][]*joinSet{}, head: make([]int64, parents)}
		for i := range g.head {
			g.head[i] = d.Int()
		}
		g.hasOld = d.Bool()
		g.oldest = d.Int()
		for nt := d.Len(); nt > 0 && d.Err() == nil; nt-- {
			t := d.Int()
			ns := d.Len()
			if ns == 0 {
				d.Fail(fmt.Errorf("join state has no set at a buffered time"))
			}
			for ; ns > 0 && d.Err() == nil; ns-- {
				s := &joinSet{t: t, values: make([]*joinMsg, parents), first: parents}
				for src := range s.values {
					if d.Bool() {
						m := loadJoinMsg(d)
						s.add(src, m)
					}
				}
				if s.size == 0 {
					d.Fail(fmt.Errorf("join state has an empty set"))
				}
				g.sets[t] = append(g.sets[t], s)
			}
		}
		j.groups[id] = g
	}

	clear(j.lowMarks)
	for n := d.Len(); n > 0 && d.Err() == nil; n-- {
		g, src := d.Group(), d.Len()
		t := d.Int()
		if src >= parents {
			d.Fail(fmt.Errorf("join state has parent %d of %d", src, parents))
		}
		j.lowMarks[joinSrcGroup{src, g}] = t
	}

	loadJoinQueues(d, j.matches, parents)
	loadJoinQueues(d, j.specific, parents)

	clear(j.onGroup)
	for n := d.Len(); n > 0 && d.Err() == nil; n-- {
		id := d.Group()
		j.onGroup[id] = d.Group()
	}
	clear(j.onUsers)
	for n := d.Len(); n > 0 && d.Err() == nil; n-- {
		id := d.Group()
		j.onUsers[id] = d.Len()
	}
	for i := range j.reported {
		j.reported[i] = d.Bool()
	}
	j.allRep = d.Bool()
	return d.Err()
}

// saveJoinQueues appends the buffers of data waiting per On group.
func saveJoinQueues(e *StateEncoder, qs map[GroupID][]joinSrc) {
	ids := sortedStateKeys(qs)
	e.Len(len(ids))
	for _, id := range ids {
		e.Group(id)
		q := qs[id]
		e.Len(len(q))
		for _, s := range q {
			e.Len(s.src)
			saveJoinMsg(e, &s.msg)
		}
	}
}

// loadJoinQueues reads what saveJoinQueues wrote into qs.
func loadJoinQueues(d *StateDecoder, qs map[GroupID][]joinSrc, parents int) {
	clear(qs)
	for n := d.Len(); n > 0 && d.Err() == nil; n-- {
		id := d.Group()
		nq := d.Len()
		if nq == 0 {
			d.Fail(fmt.Errorf("join state has an empty buffer"))
		}
		q := make([]joinSrc, 0, nq)
		for ; nq > 0 && d.Err() == nil; nq-- {
			src := d.Len()
			if src >= parents {
				d.Fail(fmt.Errorf("join state has parent %d of %d", src, parents))
			}
			q = append(q, joinSrc{src: src, msg: loadJoinMsg(d)})
		}
		qs[id] = q
	}
}

// saveJoinMsg appends a point or a batch that a join holds.
func saveJoinMsg(e *StateEncoder, m *joinMsg) {
	e.Bool(m.batch)
	if m.batch {
		e.Batch(m.b)
	} else {
		e.Point(m.p)
	}
}

// loadJoinMsg reads what saveJoinMsg wrote.
func loadJoinMsg(d *StateDecoder) joinMsg {
	if d.Bool() {
		return joinMsg{batch: true, b: d.Batch()}
	}
	return joinMsg{p: d.Point()}
}

// sortedStateKeys returns the keys of m in increasing order.
func sortedStateKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
