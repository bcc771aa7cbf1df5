package runtime

// SaveState appends the flatten node's state: per group, its name,
// dimensions and tags and the points of the time being collected, and the
// partial prefix a point with a missing tag leaves behind.
func (f *Flatten) SaveState(e *StateEncoder) {
	ids := sortedStateKeys(f.groups)
	e.Len(len(ids))
	for _, id := range ids {
		g := f.groups[id]
		e.Group(id)
		e.String(g.name)
		e.Dimensions(g.dims)
		e.Tags(g.tags)
		e.Int(g.t)
		e.Len(len(g.points))
		for _, p := range g.points {
			e.BatchPoint(p)
		}
	}
	e.String(f.prefix.String())
}

// LoadState restores what SaveState wrote.
func (f *Flatten) LoadState(d *StateDecoder) error {
	clear(f.groups)
	for n := d.Len(); n > 0 && d.Err() == nil; n-- {
		id := d.Group()
		g := &flattenGroup{name: d.String(), dims: d.Dimensions(), tags: d.Tags(), t: d.Int()}
		np := d.Len()
		g.points = make([]BatchPoint, 0, np)
		for ; np > 0 && d.Err() == nil; np-- {
			g.points = append(g.points, d.BatchPoint())
		}
		f.groups[id] = g
	}
	f.prefix.Reset()
	f.prefix.WriteString(d.String())
	return d.Err()
}
