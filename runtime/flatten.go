package runtime

import (
	"fmt"
	"strings"
	"time"
)

// FlattenConfig is the configuration of a flatten node, the properties of
// |flatten().
type FlattenConfig struct {
	// On lists the tags whose values, in this order, prefix the field names.
	On []string
	// Delimiter goes between the tag values and the field name. It is used as
	// is: the compiler fills in the pipeline default ".".
	Delimiter string
	// Tolerance rounds times (to a multiple of it) before they are compared.
	Tolerance time.Duration
	// DropOriginalFieldName leaves the field name out: only the tag values
	// name the flattened field.
	DropOriginalFieldName bool
}

// Flatten merges the points of one group that share a (rounded) time into one
// point, as Kapacitor's FlattenNode does: each field is renamed
// <v1><delimiter><v2>...<delimiter><field>, with v1, v2, ... the point's values
// of the On tags; a point that lacks one of them is dropped with an error.
// The flattened point carries the group's tags.
//
// On a stream, a time's points are flattened when a point of a later time
// arrives, or a barrier past that time (the last time is never flushed by
// Done, as in Kapacitor); in a batch, at each change of time and at the end
// of the batch.
type Flatten struct {
	Base
	cfg    FlattenConfig
	groups map[GroupID]*flattenGroup
	// prefix carries a partial prefix over after a point with a missing tag,
	// as Kapacitor's reused buffer does.
	prefix strings.Builder
}

// NewFlatten returns a flatten node.
func NewFlatten(t *Task, info NodeInfo, cfg FlattenConfig) *Flatten {
	return &Flatten{Base: Base{Task: t, Info: info}, cfg: cfg, groups: map[GroupID]*flattenGroup{}}
}

// flattenGroup buffers the points of one group and time.
type flattenGroup struct {
	name   string
	dims   Dimensions
	tags   Tags // the group's tags
	t      int64
	points []BatchPoint
}

// Point buffers p, first flattening and emitting the buffered points of an
// earlier time.
func (f *Flatten) Point(p Point) {
	f.PointsIn++
	g := f.groups[p.Group]
	if g == nil {
		g = &flattenGroup{name: p.Name, dims: p.Dimensions, tags: dimensionTags(p.Tags, p.Dimensions.TagNames),
			t: roundTolerance(p.Time, f.cfg.Tolerance)}
		f.groups[p.Group] = g
	}
	t, fields, ok := f.add(g, BatchPoint{Time: roundTolerance(p.Time, f.cfg.Tolerance), Tags: p.Tags, Fields: p.Fields})
	if ok && len(fields) > 0 {
		f.EmitPoint(g.point(t, fields))
	}
}

// Batch flattens the points of b, time by time, into one batch.
func (f *Flatten) Batch(b Batch) {
	f.PointsIn++
	g := f.groups[b.Group]
	if g == nil {
		g = &flattenGroup{}
		f.groups[b.Group] = g
	}
	g.name = b.Name
	g.dims = b.Dimensions
	g.tags = b.Tags
	g.t = 0
	g.points = g.points[:0]
	hasTime := false
	out := b
	out.Points = nil
	for _, bp := range b.Points {
		bp.Time = roundTolerance(bp.Time, f.cfg.Tolerance)
		if hasTime && bp.Time == g.t {
			g.points = append(g.points, bp)
			continue
		}
		if len(g.points) > 0 {
			if fields := f.flatten(g); len(fields) > 0 {
				out.Points = append(out.Points, BatchPoint{Time: g.t, Fields: fields, Tags: g.tags})
			}
		}
		g.t, hasTime = bp.Time, true
		g.points = append(g.points[:0], bp)
	}
	if len(g.points) > 0 {
		// At the end of a batch the last time is emitted even without fields.
		out.Points = append(out.Points, BatchPoint{Time: g.t, Fields: f.flatten(g), Tags: g.tags})
		g.points = g.points[:0]
	}
	f.EmitBatch(out)
}

// add buffers p; when p starts a new time it returns the flattened fields of
// the previous time and that time.
func (f *Flatten) add(g *flattenGroup, p BatchPoint) (int64, Fields, bool) {
	if p.Time == g.t {
		g.points = append(g.points, p)
		return 0, nil, false
	}
	var fields Fields
	prev := g.t
	flushed := len(g.points) > 0
	if flushed {
		fields = f.flatten(g)
	}
	g.t = p.Time
	g.points = append(g.points[:0], p)
	return prev, fields, flushed
}

func (g *flattenGroup) point(t int64, fields Fields) Point {
	p := Point{Name: g.name, Time: t, Dimensions: g.dims, Tags: g.tags, Fields: fields}
	p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions)
	return p
}

// flatten merges the buffered points into one field set and empties the
// buffer.
func (f *Flatten) flatten(g *flattenGroup) Fields {
	var fields Fields
	pre := &f.prefix
points:
	for _, p := range g.points {
		for i, tag := range f.cfg.On {
			v, ok := p.Tags.Get(tag)
			if !ok {
				f.Error(fmt.Errorf("point missing tag for flatten operation: tag %s is missing from point", tag))
				continue points
			}
			if i > 0 {
				pre.WriteString(f.cfg.Delimiter)
			}
			pre.WriteString(v)
		}
		base := pre.String()
		for _, fl := range p.Fields {
			name := base
			if !f.cfg.DropOriginalFieldName {
				if len(base) > 0 {
					name += f.cfg.Delimiter
				}
				name += fl.Key
			}
			fields = append(fields, Field{name, fl.Value})
		}
		pre.Reset()
	}
	g.points = g.points[:0]
	return normalizeFields(fields)
}

// Barrier flushes the group's buffered time if the barrier is past it, then
// passes the barrier on.
func (f *Flatten) Barrier(id GroupID, t int64) {
	if g := f.groups[id]; g != nil && t > g.t && len(g.points) > 0 {
		f.EmitPoint(g.point(g.t, f.flatten(g)))
	}
	f.EmitBarrier(id, t)
}

// DeleteGroup forgets group g and passes the deletion on if the group was
// known, as Kapacitor's grouped nodes do.
func (f *Flatten) DeleteGroup(g GroupID) {
	if _, ok := f.groups[g]; !ok {
		return
	}
	delete(f.groups, g)
	f.EmitDeleteGroup(g)
}

// Done passes Done on; a stream's last buffered time is dropped, as in
// Kapacitor.
func (f *Flatten) Done() { f.EmitDone() }
