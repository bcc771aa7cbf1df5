package runtime

// SaveState appends the combine node's state: per group, its name and
// dimensions and the points of the time being collected, and the state of
// the group's member lambdas that keep some (a lambda calling a stateful
// function).
func (c *Combine) SaveState(e *StateEncoder) {
	ids := sortedStateKeys(c.groups)
	e.Len(len(ids))
	for _, id := range ids {
		g := c.groups[id]
		e.Group(id)
		e.String(g.name)
		e.Dimensions(g.dims)
		e.Int(g.t)
		e.Bool(g.hasTime)
		e.Len(len(g.points))
		for _, p := range g.points {
			e.BatchPoint(p)
		}
		for _, l := range g.lambdas {
			saveLambda(e, l)
		}
	}
}

// LoadState restores what SaveState wrote into a combine node built from
// the same configuration.
func (c *Combine) LoadState(d *StateDecoder) error {
	clear(c.groups)
	for n := d.Len(); n > 0 && d.Err() == nil; n-- {
		id := d.Group()
		g := c.group(id, d.String(), d.Dimensions(), 0)
		g.t = d.Int()
		g.hasTime = d.Bool()
		np := d.Len()
		g.points = make([]BatchPoint, 0, np)
		for ; np > 0 && d.Err() == nil; np-- {
			g.points = append(g.points, d.BatchPoint())
		}
		for _, l := range g.lambdas {
			loadLambda(d, l)
		}
	}
	return d.Err()
}
