package runtime

import "fmt"

// The checkpoint of a window holds, for each group in id order: its name,
// its identity once a point has filled it (tags, dimensions and its own id
// when that differs from the one it is filed under), the next emit time
// (or, for a count window, the points still to come before the next
// emission) and its buffered points, typed or general as they are held.

// SaveState writes the node's state.
func (n *Window) SaveState(e *StateEncoder) {
	ids := sortedGroups(n.groups)
	e.Len(len(ids))
	for _, id := range ids {
		w := n.groups[id]
		e.Group(id)
		e.String(w.name)
		e.Bool(w.dims != nil)
		if w.dims != nil {
			e.Tags(w.tags)
			e.Dimensions(*w.dims)
			e.Group(w.buf.ownID())
		}
		e.Int(w.nextEmit)
		w.buf.save(e)
	}
}

// LoadState reads what SaveState wrote.
func (n *Window) LoadState(d *StateDecoder) error {
	groups := make(map[GroupID]*windowGroup)
	for range d.Len() {
		id := d.Group()
		w := &windowGroup{name: d.String()}
		if d.Bool() {
			w.tags = d.Tags()
			if w.tags == nil {
				w.tags = Tags{}
			}
			w.dims = n.dims.get(d.Dimensions())
			if own := d.Group(); own != "" {
				w.buf.setID(own)
			}
		}
		w.nextEmit = d.Int()
		w.buf.load(d, w.tags)
		if d.Err() != nil {
			break
		}
		if _, dup := groups[id]; dup {
			d.Fail(fmt.Errorf("window group %q is saved twice", id))
			break
		}
		groups[id] = w
	}
	if err := d.Err(); err != nil {
		return err
	}
	n.groups = groups
	n.recent = groupCache[windowGroup]{}
	return nil
}

// save writes the buffered points: whether they are general, then the
// points, as BatchPoints or as the key and tags of all and each one's time
// and value.
func (b *windowBuffer) save(e *StateEncoder) {
	e.Bool(b.general)
	if b.general {
		pts := b.spill.points[b.head:]
		e.Len(len(pts))
		for _, p := range pts {
			e.BatchPoint(p)
		}
		return
	}
	pts := b.floats[b.head:]
	e.Len(len(pts))
	if len(pts) == 0 {
		return
	}
	e.String(b.key)
	e.Tags(b.tags)
	for _, p := range pts {
		e.Int(p.t)
		e.Float(p.v)
	}
}

// load reads what save wrote into an empty buffer; groupTags are the
// group's tags, shared by typed points that have the same.
func (b *windowBuffer) load(d *StateDecoder, groupTags Tags) {
	general := d.Bool()
	k := d.Len()
	if d.Err() != nil {
		return
	}
	if general {
		if k == 0 {
			d.Fail(fmt.Errorf("window buffer is general but empty"))
			return
		}
		s := b.spilled()
		s.points = make([]BatchPoint, 0, k)
		for range k {
			s.points = append(s.points, d.BatchPoint())
		}
		b.general = true
		return
	}
	if k == 0 {
		return
	}
	b.key, b.tags = d.String(), d.Tags()
	if len(b.tags) > 0 && tagsEqual(b.tags, groupTags) {
		b.tags = groupTags
	}
	b.floats = make([]floatPoint, 0, k)
	for range k {
		b.floats = append(b.floats, floatPoint{t: d.Int(), v: d.Float()})
	}
}
