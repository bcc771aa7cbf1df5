package runtime

import (
	"errors"
	"slices"
	"sort"
	"time"
	"unsafe"
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

	database, retentionPolicy, measurement sameAs // the selection, when not empty
}

// NewFrom returns a From node configured by cfg.
func NewFrom(t *Task, info NodeInfo, cfg FromConfig) *From {
	names := sortedDimensions(cfg.GroupBy, nil)
	return &From{
		Base:     Base{Task: t, Info: info},
		cfg:      cfg,
		tagNames: names,
		groups:   newGroupIDCache(names),

		database:        newSameAs(cfg.Database),
		retentionPolicy: newSameAs(cfg.RetentionPolicy),
		measurement:     newSameAs(cfg.Measurement),
	}
}

// Point filters p, adjusts its time and sets its group.
func (n *From) Point(p Point) {
	n.PointsIn++
	if !n.matches(&p) {
		return
	}
	if n.cfg.Truncate != 0 {
		p.Time = truncateTime(p.Time, n.cfg.Truncate)
	}
	if n.cfg.Round != 0 {
		p.Time = roundTime(p.Time, n.cfg.Round)
	}
	if n.cfg.GroupByAll {
		p.Dimensions = Dimensions{
			ByName:   n.cfg.GroupByMeasurement,
			TagNames: dimensionTagNames(p.Tags, true, nil, nil),
		}
		p.Group = n.groups.get(p.Name, p.Tags, p.Dimensions)
	} else {
		p.Dimensions = Dimensions{ByName: n.cfg.GroupByMeasurement, TagNames: n.tagNames}
		p.Group = n.groups.getFixed(p.Name, p.Tags, n.cfg.GroupByMeasurement)
	}
	if !n.Task.AdmitGroup(n, p.Group) {
		return
	}
	n.EmitPoint(p)
}

func (n *From) matches(p *Point) bool {
	if n.cfg.Database != "" && !n.database.is(p.Database) {
		return false
	}
	if n.cfg.RetentionPolicy != "" && !n.retentionPolicy.is(p.RetentionPolicy) {
		return false
	}
	if n.cfg.Measurement != "" && !n.measurement.is(p.Name) {
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
//
// When the node's dimension tags are a fixed list (names, set by the
// node), getFixed first looks in a small table keyed by the identity of
// the point's measurement name and dimension values: decoded points share
// interned strings, so the same group mostly comes with the very same
// strings, and hashing their addresses costs less than building the ID and
// hashing its bytes. The table compares the strings by value, so a point
// whose strings are other copies of the same values at most misses it.
type groupIDCache struct {
	buf []byte
	ids map[string]GroupID

	names  []string // the fixed dimension tag names, sorted
	seen   []string // for each name, the last tag key found equal to it
	vals   []string // scratch: a point's values of names after the first
	recent recentIDs
}

// newGroupIDCache returns the cache of a node whose dimension tags are the
// fixed, sorted list names (nil when they vary from point to point).
func newGroupIDCache(names []string) groupIDCache {
	return groupIDCache{names: names, seen: slices.Clone(names)}
}

// recentIDs is the table of getFixed: buckets of groupCacheWays entries,
// found by a hash of the addresses and lengths of the name and values. As
// in the window's groupCache, a group goes to the first empty entry of its
// bucket, else to the last, so that groups that come round in turn do not
// evict each other.
type recentIDs struct {
	entries []recentID
	more    []string // the values after the first, len(names)−1 per entry
	shift   uint     // 64 − log2(number of buckets)
}

// recentID is one entry of recentIDs.
type recentID struct {
	hash   uint64  // the hash of the strings' addresses, compared first
	id     GroupID // "" for an empty entry
	name   string  // the measurement name when the grouping includes it, else ""
	first  string  // the value of the first dimension tag
	byName bool
}

// maxCachedGroups bounds the cache; when full it starts over.
const maxCachedGroups = 1 << 14

// Sizes of the recent table, in entries.
const (
	minRecentIDs = 64
	maxRecentIDs = 1 << 14
)

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
		clear(c.recent.entries) // its IDs are no longer the ones handed out
	}
	id := GroupID(b)
	c.ids[string(id)] = id
	return id
}

// getFixed is get for the dimensions {ByName: byName, TagNames: c.names}.
func (c *groupIDCache) getFixed(name string, tags Tags, byName bool) GroupID {
	if len(c.names) == 0 {
		if !byName {
			return ""
		}
		return c.get(name, tags, Dimensions{ByName: true})
	}
	key := ""
	if byName {
		key = name
	}
	first := c.tagValue(tags, 0)
	h := mixString(mixString(0, key), first)
	rest := c.vals[:0]
	for i := 1; i < len(c.names); i++ {
		v := c.tagValue(tags, i)
		rest = append(rest, v)
		h = mixString(h, v)
	}
	c.vals = rest
	r := &c.recent
	w := len(rest)
	if len(r.entries) > 0 {
		e := int(h>>r.shift) * groupCacheWays
		for i := e; i < e+groupCacheWays; i++ {
			x := &r.entries[i]
			if x.hash == h && x.id != "" && x.byName == byName && sameString(x.first, first) && sameString(x.name, key) &&
				(w == 0 || slices.Equal(r.more[i*w:i*w+w], rest)) {
				return x.id
			}
		}
	}
	id := c.get(name, tags, Dimensions{ByName: byName, TagNames: c.names})
	if want := 4 * len(c.ids); len(r.entries) < want && len(r.entries) < maxRecentIDs {
		r.resize(want, w)
	}
	e := int(h>>r.shift) * groupCacheWays
	for last := e + groupCacheWays - 1; e < last && r.entries[e].id != ""; {
		e++
	}
	r.entries[e] = recentID{hash: h, id: id, name: key, first: first, byName: byName}
	copy(r.more[e*w:e*w+w], rest)
	return id
}

// tagValue returns the value of the tag names[i] in tags, "" when it has
// none, as Tags.Get does. Decoded tag keys are interned, so the key is
// looked for by the address of the last key string found equal to the name
// first, and by value only when that fails.
func (c *groupIDCache) tagValue(tags Tags, i int) string {
	seen := c.seen[i]
	for j := range tags {
		if k := tags[j].Key; len(k) == len(seen) && unsafe.StringData(k) == unsafe.StringData(seen) {
			return tags[j].Value
		}
	}
	for j := range tags {
		if tags[j].Key == c.names[i] {
			c.seen[i] = tags[j].Key
			return tags[j].Value
		}
	}
	return ""
}

// resize makes the table empty with room for at least want entries of w
// values after the first.
func (r *recentIDs) resize(want, w int) {
	n := minRecentIDs
	for n < want && n < maxRecentIDs {
		n *= 2
	}
	r.entries = make([]recentID, n)
	r.more = make([]string, n*w)
	r.shift = uint(64 - bitsOf(n/groupCacheWays))
}

// sameAs compares strings with a fixed one. It remembers the last string
// found equal to it, so that the interned strings of decoded points compare
// by address.
type sameAs struct{ want, seen string }

func newSameAs(want string) sameAs { return sameAs{want: want, seen: want} }

// is reports whether s equals the fixed string.
func (c *sameAs) is(s string) bool {
	if len(s) != len(c.want) {
		return false
	}
	if unsafe.StringData(s) == unsafe.StringData(c.seen) {
		return true
	}
	if s != c.want {
		return false
	}
	c.seen = s
	return true
}

// sameString is a == b, deciding without a call when the two share their
// bytes (interned strings) or differ in length.
func sameString(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	return len(a) == 0 || unsafe.StringData(a) == unsafe.StringData(b) || a == b
}

// mixString mixes the address and length of s into the hash h.
func mixString(h uint64, s string) uint64 {
	return mixAddress(h*0x9E3779B97F4A7C15 ^ uint64(uintptr(unsafe.Pointer(unsafe.StringData(s)))) ^ uint64(len(s))<<48)
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
