package runtime

import (
	"fmt"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// CombineConfig is the configuration of a combine node, the properties of
// |combine().
type CombineConfig struct {
	// Lambdas select the members of a combination, one lambda per member; a
	// fresh instance is made per group.
	Lambdas []LambdaFactory
	// As names the members, one name per lambda: the prefixes of the
	// combined fields and tags.
	As []string
	// Delimiter goes between a prefix and a field or tag name. It is used as
	// is: the compiler fills in the pipeline default ".".
	Delimiter string
	// Tolerance rounds times (to a multiple of it) before they are compared.
	Tolerance time.Duration
	// Max is the most combinations one time may produce; more is an error
	// and the time's data is dropped. The compiler fills in the pipeline
	// default, 1000000.
	Max int64
}

// Combine combines the points of one group that share a (rounded) time into
// every combination of len(Lambdas) of them, as Kapacitor's CombineNode does:
// for each combination (in lexicographic order of the points' arrival) the
// i-th member is the first remaining point that matches the i-th lambda; a
// combination where some lambda matches no point is skipped. The combined
// point has the fields and non-dimension tags of each member prefixed with
// <as><delimiter>, the dimension tags as they are, and the members' time.
//
// It emits a stream. On a stream, a time's points are combined when the
// first point of a later time arrives (the last time is never combined, as in
// Kapacitor); in a batch, at each change of time and at the end of the batch.
type Combine struct {
	Base
	cfg    CombineConfig
	groups map[GroupID]*combineGroup
}

// NewCombine returns a combine node.
func NewCombine(t *Task, info NodeInfo, cfg CombineConfig) *Combine {
	return &Combine{Base: Base{Task: t, Info: info}, cfg: cfg, groups: map[GroupID]*combineGroup{}}
}

// combineGroup buffers the points of one group and time.
type combineGroup struct {
	name    string
	dims    Dimensions
	t       int64
	hasTime bool
	points  []BatchPoint
	lambdas []Lambda
}

func (c *Combine) group(id GroupID, name string, dims Dimensions, t int64) *combineGroup {
	g := c.groups[id]
	if g == nil {
		g = &combineGroup{name: name, dims: dims, t: t, hasTime: true, lambdas: make([]Lambda, len(c.cfg.Lambdas))}
		for i, f := range c.cfg.Lambdas {
			g.lambdas[i] = f()
		}
		c.groups[id] = g
	}
	return g
}

// Point buffers p with the other points of its group and time.
func (c *Combine) Point(p Point) {
	c.PointsIn++
	g := c.group(p.Group, p.Name, p.Dimensions, p.Time)
	c.add(g, BatchPoint{Time: p.Time, Tags: p.Tags, Fields: p.Fields})
}

// Batch combines the points of b, time by time.
func (c *Combine) Batch(b Batch) {
	c.PointsIn++
	g := c.group(b.Group, b.Name, batchDimensions(b.Tags, b.Dimensions.ByName), b.TMax)
	g.name = b.Name
	g.hasTime = false
	for _, bp := range b.Points {
		c.add(g, bp)
	}
	c.combine(g)
	g.points = g.points[:0]
}

func (c *Combine) add(g *combineGroup, p BatchPoint) {
	p.Time = roundTolerance(p.Time, c.cfg.Tolerance)
	if g.hasTime && p.Time == g.t {
		g.points = append(g.points, p)
		return
	}
	c.combine(g)
	g.t, g.hasTime = p.Time, true
	g.points = append(g.points[:0], p)
}

// Barrier passes the barrier on.
func (c *Combine) Barrier(g GroupID, t int64) { c.EmitBarrier(g, t) }

// DeleteGroup forgets group g and passes the deletion on if the group was
// known, as Kapacitor's grouped nodes do.
func (c *Combine) DeleteGroup(g GroupID) {
	if _, ok := c.groups[g]; !ok {
		return
	}
	delete(c.groups, g)
	c.EmitDeleteGroup(g)
}

// Done passes Done on; what is buffered is dropped, as in Kapacitor.
func (c *Combine) Done() { c.EmitDone() }

// combine emits the combinations of the group's buffered points.
func (c *Combine) combine(g *combineGroup) {
	k := len(g.lambdas)
	if len(g.points) == 0 || k == 0 {
		return
	}
	matches := make([][]bool, k)
	for i := range matches {
		matches[i] = make([]bool, len(g.points))
	}
	for idx, p := range g.points {
		for i, l := range g.lambdas {
			ok, err := combineMatch(l, p)
			if err != nil {
				c.Error(fmt.Errorf("error evaluating lambda expression: %w", err))
			}
			matches[i][idx] = ok
		}
	}
	set := make([]*BatchPoint, k)
	err := combinations(len(g.points), k, c.cfg.Max, func(indices []int) {
		for s := 0; s < k; s++ {
			found := false
			for i, idx := range indices {
				if matches[s][idx] {
					set[s] = &g.points[idx]
					indices = append(indices[:i], indices[i+1:]...)
					found = true
					break
				}
			}
			if !found {
				return
			}
		}
		c.EmitPoint(c.merge(g, set))
	})
	if err != nil {
		c.Error(err)
	}
}

// combineMatch evaluates a member lambda on p; an error counts as no match.
func combineMatch(l Lambda, p BatchPoint) (bool, error) {
	v, err := l.Eval(p.Time, p.Tags, p.Fields)
	if err != nil {
		return false, err
	}
	if v.Type() != stdlib.TypeBool {
		return false, fmt.Errorf("expression returned unexpected type %s", v.Type())
	}
	return v.Bool(), nil
}

// merge builds the combined point of one combination.
func (c *Combine) merge(g *combineGroup, set []*BatchPoint) Point {
	var fields Fields
	var tags Tags
	for i, p := range set {
		prefix := c.cfg.As[i] + c.cfg.Delimiter
		for _, f := range p.Fields {
			fields = append(fields, Field{prefix + f.Key, f.Value})
		}
		for _, t := range p.Tags {
			if containsName(g.dims.TagNames, t.Key) {
				tags = append(tags, t)
			} else {
				tags = append(tags, Tag{prefix + t.Key, t.Value})
			}
		}
	}
	out := Point{
		Name:       g.name,
		Time:       set[0].Time,
		Dimensions: g.dims,
		Tags:       normalizeTags(tags),
		Fields:     normalizeFields(fields),
	}
	out.Group = NewGroupID(out.Name, out.Tags, out.Dimensions)
	return out
}

func containsName(names []string, s string) bool {
	for _, n := range names {
		if n == s {
			return true
		}
	}
	return false
}

// normalizeTags sorts tags by key and keeps the last value of a repeated key.
func normalizeTags(ts Tags) Tags {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Key < ts[j-1].Key; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
	out := ts[:0]
	for i, t := range ts {
		if i+1 < len(ts) && ts[i+1].Key == t.Key {
			continue
		}
		out = append(out, t)
	}
	return out
}

// combinations calls f with every k-combination of 0..n-1, in lexicographic
// order; f may modify the slice it gets. It fails when there are more than
// max combinations, and does nothing when n < k.
func combinations(n, k int, max int64, f func([]int)) error {
	count := int64(1)
	if n < k {
		count = -1
	} else {
		for i := int64(0); i < int64(k); i++ {
			count = count * (int64(n) - i) / (i + 1)
		}
	}
	if count > max {
		return fmt.Errorf("refusing to perform combination as total combinations %d exceeds max combinations %d", count, max)
	}
	if count == -1 {
		return nil
	}
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	buf := make([]int, k)
	for {
		copy(buf, idx)
		f(buf)
		i := k - 1
		for i >= 0 && idx[i] == i+n-k {
			i--
		}
		if i < 0 {
			return nil
		}
		idx[i]++
		for j := i + 1; j < k; j++ {
			idx[j] = idx[j-1] + 1
		}
	}
}
