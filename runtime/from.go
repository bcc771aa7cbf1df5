package runtime

import (
	"errors"
	"sort"
	"time"
)

// FromConfig configures a From node, the stream task's |from().
type FromConfig struct {
	Database        string // keep only points of this database; empty keeps any
	RetentionPolicy string // keep only points of this retention policy; empty keeps any
	Measurement     string // keep only points of this measurement; empty keeps any

	// Where keeps only the points for which it is true. Repeated .where()
	// calls arrive here already combined with AND. Nil keeps every point.
	// One instance serves every group, as in Kapacitor.
	Where Lambda

	GroupBy            []string // the dimension tags of .groupBy(tags…)
	GroupByAll         bool     // .groupBy(*): every tag of each point is a dimension
	GroupByMeasurement bool     // .groupByMeasurement()

	Truncate time.Duration // .truncate(d): truncate point times to d; 0 leaves them
	Round    time.Duration // .round(d): round point times to d (after truncation); 0 leaves them
}

// From selects the points of a stream task by database, retention policy,
// measurement and predicate, rounds their times and sets their grouping.
type From struct {
	Base
	cfg      FromConfig
	tagNames []string
	groups   groupIDCache
}

// NewFrom returns a From node configured by cfg.
func NewFrom(t *Task, info NodeInfo, cfg FromConfig) *From {
	return &From{
		Base:     Base{Task: t, Info: info},
		cfg:      cfg,
		tagNames: sortedDimensions(cfg.GroupBy, nil),
	}
}

// Point filters p, adjusts its time and sets its group.
func (n *From) Point(p Point) {
	n.PointsIn++
	if !n.matches(p) {
		return
	}
	if n.cfg.Truncate != 0 {
		p.Time = truncateTime(p.Time, n.cfg.Truncate)
	}
	if n.cfg.Round != 0 {
		p.Time = roundTime(p.Time, n.cfg.Round)
	}
	p.Dimensions = Dimensions{
		ByName:   n.cfg.GroupByMeasurement,
		TagNames: dimensionTagNames(p.Tags, n.cfg.GroupByAll, n.tagNames, nil),
	}
	p.Group = n.groups.get(p.Name, p.Tags, p.Dimensions)
	if !n.Task.AdmitGroup(n, p.Group) {
		return
	}
	n.EmitPoint(p)
}

func (n *From) matches(p Point) bool {
	if n.cfg.Database != "" && p.Database != n.cfg.Database {
		return false
	}
	if n.cfg.RetentionPolicy != "" && p.RetentionPolicy != n.cfg.RetentionPolicy {
		return false
	}
	if n.cfg.Measurement != "" && p.Name != n.cfg.Measurement {
		return false
	}
	if n.cfg.Where == nil {
		return true
	}
	pass, err := evalPredicate(n.cfg.Where, p.Time, p.Tags, p.Fields)
	if err != nil {
		n.Error(wrapError("failed to evaluate WHERE expression", err))
		return false
	}
	return pass
}

// Batch reports an error: from only reads streams.
func (n *From) Batch(Batch) {
	n.PointsIn++
	n.Error(errors.New("from does not support batch data"))
}

// Barrier passes the barrier on.
func (n *From) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *From) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes the end of input on.
func (n *From) Done() { n.EmitDone() }

// truncateTime truncates t down to a multiple of d counted from Go's zero
// time, as Kapacitor's time.Time.Truncate does (for durations that do not
// divide a day, such as 7d, this differs from truncating Unix time).
func truncateTime(t int64, d time.Duration) int64 {
	if d <= 0 {
		return t
	}
	return time.Unix(0, t).Truncate(d).UnixNano()
}

// roundTime rounds t to the nearest multiple of d counted from Go's zero time,
// halfway values rounding up, as time.Time.Round does.
func roundTime(t int64, d time.Duration) int64 {
	if d <= 0 {
		return t
	}
	return time.Unix(0, t).Round(d).UnixNano()
}

// groupIDCache computes group IDs like NewGroupID, but returns the same
// string for the same group without allocating it again: the ID is built in
// a reused buffer and looked up among the IDs already made.
type groupIDCache struct {
	buf []byte
	ids map[string]GroupID
}

// maxCachedGroups bounds the cache; when full it starts over.
const maxCachedGroups = 1 << 14

func (c *groupIDCache) get(name string, tags Tags, dims Dimensions) GroupID {
	if len(dims.TagNames) == 0 && !dims.ByName {
		return ""
	}
	b := c.buf[:0]
	if dims.ByName {
		b = append(b, name...)
		b = append(b, '\n')
	}
	for i, k := range dims.TagNames {
		if i > 0 {
			b = append(b, ',')
		}
		v, _ := tags.Get(k)
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, v...)
	}
	c.buf = b
	if id, ok := c.ids[string(b)]; ok {
		return id
	}
	if c.ids == nil || len(c.ids) >= maxCachedGroups {
		c.ids = make(map[string]GroupID)
	}
	id := GroupID(b)
	c.ids[string(id)] = id
	return id
}

// sortedDimensions returns the sorted tag names of names, without those in
// excluded.
func sortedDimensions(names, excluded []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := make([]string, 0, len(names))
	for _, k := range names {
		if !containsString(excluded, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// dimensionTagNames returns the dimension tags of a point with tags: the
// fixed names, or with all set every tag key of the point (Tags are sorted,
// so the result is too), without those in excluded.
func dimensionTagNames(tags Tags, all bool, names, excluded []string) []string {
	if !all {
		return names
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if !containsString(excluded, t.Key) {
			out = append(out, t.Key)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
