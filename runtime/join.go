package runtime

import (
	"fmt"
	"sort"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// JoinFill says what a join does with a set that misses a parent's data.
type JoinFill uint8

const (
	// JoinFillNone drops incomplete sets: an inner join (the default).
	JoinFillNone JoinFill = iota
	// JoinFillNull fills the missing parent's fields with null (Missing).
	JoinFillNull
	// JoinFillValue fills the missing parent's fields with JoinConfig.FillValue.
	JoinFillValue
)

// JoinConfig is the configuration of a join node, the properties of |join().
type JoinConfig struct {
	// As names each parent, in parent order: the prefixes of the joined fields.
	// Its length is the number of parents.
	As []string
	// On lists the dimensions to join on; empty joins on the full group.
	On []string
	// Delimiter goes between a prefix and a field name. It is used as is (it may
	// be empty): the compiler fills in the pipeline default ".".
	Delimiter string
	// Tolerance rounds times (to a multiple of it) before they are compared; 0
	// compares exact times.
	Tolerance time.Duration
	// Fill says what to do with incomplete sets.
	Fill JoinFill
	// FillValue is the int or float value of JoinFillValue.
	FillValue stdlib.Value
	// StreamName names the joined data; empty keeps the name of the first
	// parent present in each set.
	StreamName string
	// DeleteAll makes a group deletion from any parent forget the low-water
	// marks of every group, not only those of the deleted group.
	DeleteAll bool
}

// Join joins the data of several parents on time and group, as Kapacitor's
// JoinNode does: a set collects one point (or batch) per parent at one
// (rounded) time; complete sets are emitted as soon as they are complete,
// incomplete ones once every parent has moved past their time, or when all
// parents are done. Joined fields are named <as><delimiter><field>.
//
// Join has one input per parent: link parent i with
// parent.AddChild(j.Input(i)). Done reaches the node once per parent; it
// flushes and passes Done on only when every parent is done.
//
// With On, data grouped by more dimensions than On ("specific" data) is
// joined with the data of the less specific group that shares the On
// dimensions, which takes the specific data's tags.
//
// State is kept per group and per On group; it is released when the group is
// deleted (DeleteGroup from a parent), including the On group's buffers once
// no live group uses them.
type Join struct {
	Base
	cfg    JoinConfig
	inputs []*joinInput
	done   int

	groups map[GroupID]*joinGroup

	// The rest is only used with On.
	lowMarks map[joinSrcGroup]int64 // latest rounded time per parent and On group
	matches  map[GroupID][]joinSrc  // less specific data waiting for specific data, per On group
	specific map[GroupID][]joinSrc  // specific data waiting for its match, per On group
	onGroup  map[GroupID]GroupID    // the On group of each group seen
	onUsers  map[GroupID]int        // how many groups map to each On group
	reported []bool
	allRep   bool
}

// NewJoin returns a join node with len(cfg.As) inputs.
func NewJoin(t *Task, info NodeInfo, cfg JoinConfig) *Join {
	j := &Join{
		Base:     Base{Task: t, Info: info},
		cfg:      cfg,
		groups:   map[GroupID]*joinGroup{},
		lowMarks: map[joinSrcGroup]int64{},
		matches:  map[GroupID][]joinSrc{},
		specific: map[GroupID][]joinSrc{},
		onGroup:  map[GroupID]GroupID{},
		onUsers:  map[GroupID]int{},
		reported: make([]bool, len(cfg.As)),
	}
	j.inputs = make([]*joinInput, len(cfg.As))
	for i := range j.inputs {
		j.inputs[i] = &joinInput{j: j, src: i}
	}
	return j
}

// Input returns the receiver of parent i, 0 <= i < len(cfg.As).
func (j *Join) Input(i int) Receiver { return j.inputs[i] }

// Groups returns the number of groups the node holds state for.
func (j *Join) Groups() int { return len(j.groups) }

// Buffered returns the number of points and batches the node holds: in
// incomplete sets and in the On buffers.
func (j *Join) Buffered() int {
	n := 0
	for _, g := range j.groups {
		for _, sets := range g.sets {
			for _, s := range sets {
				n += s.size
			}
		}
	}
	for _, q := range j.matches {
		n += len(q)
	}
	for _, q := range j.specific {
		n += len(q)
	}
	return n
}

// joinInput is the Receiver of one parent of a Join.
type joinInput struct {
	j   *Join
	src int
}

func (in *joinInput) Point(p Point) {
	in.j.PointsIn++
	in.j.message(in.src, joinMsg{p: p})
}

func (in *joinInput) Batch(b Batch) {
	in.j.PointsIn++
	in.j.message(in.src, joinMsg{batch: true, b: b})
}

func (in *joinInput) Barrier(g GroupID, t int64) {
	in.j.groupFor(g).barrier(in.src, roundTolerance(t, in.j.cfg.Tolerance))
	in.j.EmitBarrier(g, t)
}

func (in *joinInput) DeleteGroup(g GroupID) {
	in.j.deleteGroup(in.src, g)
	in.j.EmitDeleteGroup(g)
}

func (in *joinInput) Done() {
	j := in.j
	j.done++
	if j.done < len(j.inputs) {
		return
	}
	if j.Task.Suspended() {
		j.EmitDone() // the held sets are in the checkpoint
		return
	}
	ids := make([]GroupID, 0, len(j.groups))
	for id := range j.groups {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	for _, id := range ids {
		j.groups[id].emitAll()
	}
	j.EmitDone()
}

// joinMsg is a point or a batch arriving at a join.
type joinMsg struct {
	batch bool
	p     Point
	b     Batch
}

func (m *joinMsg) time() int64 {
	if m.batch {
		return m.b.TMax
	}
	return m.p.Time
}

func (m *joinMsg) name() string {
	if m.batch {
		return m.b.Name
	}
	return m.p.Name
}

func (m *joinMsg) group() GroupID {
	if m.batch {
		return m.b.Group
	}
	return m.p.Group
}

func (m *joinMsg) tags() Tags {
	if m.batch {
		return m.b.Tags
	}
	return m.p.Tags
}

// dims returns the message's dimensions; a batch's are its tags' keys, as in
// Kapacitor.
func (m *joinMsg) dims() Dimensions {
	if m.batch {
		return batchDimensions(m.b.Tags, m.b.Dimensions.ByName)
	}
	return m.p.Dimensions
}

// groupTags returns the tags that identify the message's group: a point's
// dimension tags (a missing one with an empty value), a batch's tags.
func (m *joinMsg) groupTags() Tags {
	if m.batch {
		return m.b.Tags
	}
	return dimensionTags(m.p.Tags, m.p.Dimensions.TagNames)
}

// batchDimensions returns the dimensions of a batch with tags: Kapacitor
// derives them from the tag keys.
func batchDimensions(tags Tags, byName bool) Dimensions {
	d := Dimensions{ByName: byName}
	if len(tags) > 0 {
		d.TagNames = make([]string, len(tags))
		for i, t := range tags {
			d.TagNames[i] = t.Key
		}
	}
	return d
}

// dimensionTags returns the tags named by names, with an empty value for a
// missing one, sorted.
func dimensionTags(tags Tags, names []string) Tags {
	if len(names) == 0 {
		return nil
	}
	out := make(Tags, len(names))
	for i, k := range names {
		v, _ := tags.Get(k)
		out[i] = Tag{k, v}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Key < out[b].Key })
	return out
}

// roundTolerance rounds t to the nearest multiple of d counted from Go's zero
// time, halfway up, as time.Time.Round does; d <= 0 leaves t as it is.
func roundTolerance(t int64, d time.Duration) int64 {
	if d <= 0 {
		return t
	}
	return time.Unix(0, t).Round(d).UnixNano()
}

// joinSrc is a message and the parent it came from.
type joinSrc struct {
	src int
	msg joinMsg
}

// joinSrcGroup keys a low-water mark: a parent and an On group.
type joinSrcGroup struct {
	src int
	g   GroupID
}

func (j *Join) message(src int, m joinMsg) {
	if len(j.cfg.On) == 0 {
		j.groupFor(m.group()).collect(src, m)
		return
	}
	j.matchPoints(joinSrc{src, m})
}

func (j *Join) groupFor(id GroupID) *joinGroup {
	g := j.groups[id]
	if g == nil {
		g = &joinGroup{j: j, sets: map[int64][]*joinSet{}, head: make([]int64, len(j.inputs))}
		j.groups[id] = g
	}
	return g
}

// lowMark returns the oldest of the parents' latest times in On group og, and
// false when one of the parents has none (Kapacitor's zero time).
func (j *Join) lowMark(og GroupID) (int64, bool) {
	var mark int64
	ok := false
	for s := range j.inputs {
		lm, has := j.lowMarks[joinSrcGroup{s, og}]
		switch {
		case s == 0 || !ok:
			mark, ok = lm, has
		case !has:
			mark, ok = 0, false
		case lm < mark:
			mark = lm
		}
	}
	return mark, ok
}

// matchPoints joins specific data (grouped by more dimensions than On) with
// the less specific data of its On group, as it arrives.
func (j *Join) matchPoints(p joinSrc) {
	if !j.allRep {
		j.reported[p.src] = true
		j.allRep = true
		for _, r := range j.reported {
			j.allRep = j.allRep && r
		}
	}
	tol := j.cfg.Tolerance
	t := roundTolerance(p.msg.time(), tol)
	dims := p.msg.dims()
	og := NewGroupID(p.msg.name(), p.msg.tags(), Dimensions{ByName: dims.ByName, TagNames: j.cfg.On})
	{
		id := p.msg.group()
		if old, seen := j.onGroup[id]; !seen || old != og {
			if seen {
				j.releaseOnUser(old)
			}
			j.onGroup[id] = og
			j.onUsers[og]++
		}
	}
	j.lowMarks[joinSrcGroup{p.src, og}] = t

	var mark int64
	markOK := false
	if j.allRep {
		mark, markOK = j.lowMark(og)
		// Send the specific data that can no longer be matched on its own.
		buf := j.specific[og]
		i := 0
		for ; i < len(buf); i++ {
			if !(markOK && roundTolerance(buf[i].msg.time(), tol) < mark) {
				break
			}
			j.sendSpecific(buf[i])
		}
		j.setSpecific(og, buf[i:])
	}

	if len(dims.TagNames) > len(j.cfg.On) {
		matched := false
		if buf, ok := j.matches[og]; ok {
			i := 0
			for ; i < len(buf); i++ {
				mt := roundTolerance(buf[i].msg.time(), tol)
				if mt == t {
					j.sendMatch(p, buf[i])
					matched = true
				}
				if !(markOK && mt < mark) {
					break
				}
			}
			if j.allRep {
				j.setMatches(og, buf[i:])
			}
		}
		if !matched {
			if j.allRep && markOK && t < mark {
				j.sendSpecific(p)
			} else {
				j.specific[og] = append(j.specific[og], p)
			}
		}
		return
	}

	buf := j.matches[og]
	if j.allRep && markOK {
		// Match data older than every parent's latest time can never be
		// matched again: drop it so the buffer stays bounded.
		i := 0
		for i < len(buf) && roundTolerance(buf[i].msg.time(), tol) < mark {
			i++
		}
		buf = buf[i:]
	}
	j.matches[og] = append(buf, p)
	spec := j.specific[og]
	i := 0
	for ; i < len(spec); i++ {
		if roundTolerance(spec[i].msg.time(), tol) != t {
			break
		}
		j.sendMatch(spec[i], p)
	}
	j.setSpecific(og, spec[i:])
}

func (j *Join) setSpecific(og GroupID, q []joinSrc) {
	if len(q) == 0 {
		delete(j.specific, og)
		return
	}
	j.specific[og] = q
}

func (j *Join) setMatches(og GroupID, q []joinSrc) {
	if len(q) == 0 {
		delete(j.matches, og)
		return
	}
	j.matches[og] = q
}

// sendMatch gives the less specific data matched the specific data's group
// tags, then collects both in the specific data's group.
func (j *Join) sendMatch(specific, matched joinSrc) {
	m := matched.msg
	tags := specific.msg.groupTags()
	if m.batch {
		m.b.Tags = tags
		m.b.Dimensions = batchDimensions(tags, m.b.Dimensions.ByName)
		m.b.Group = NewGroupID(m.b.Name, m.b.Tags, m.b.Dimensions)
	} else {
		m.p.Tags = tags
		m.p.Dimensions = specific.msg.dims()
		m.p.Group = NewGroupID(m.p.Name, m.p.Tags, m.p.Dimensions)
	}
	g := j.groupFor(specific.msg.group())
	g.collect(specific.src, specific.msg)
	g.collect(matched.src, m)
}

func (j *Join) sendSpecific(s joinSrc) {
	j.groupFor(s.msg.group()).collect(s.src, s.msg)
}

// releaseOnUser drops one group's use of On group og and forgets og's state
// once no group uses it.
func (j *Join) releaseOnUser(og GroupID) {
	j.onUsers[og]--
	if j.onUsers[og] > 0 {
		return
	}
	delete(j.onUsers, og)
	delete(j.matches, og)
	delete(j.specific, og)
	for s := range j.inputs {
		delete(j.lowMarks, joinSrcGroup{s, og})
	}
}

// deleteGroup forgets group g, as Kapacitor's JoinNode.Delete does, and also
// what Kapacitor kept forever: the On state nobody uses any more and the
// specific data of g still waiting for a match.
func (j *Join) deleteGroup(src int, g GroupID) {
	delete(j.groups, g)
	delete(j.matches, g)
	delete(j.specific, g)
	if j.cfg.DeleteAll {
		clear(j.lowMarks)
	} else {
		delete(j.lowMarks, joinSrcGroup{src, g})
	}
	og, ok := j.onGroup[g]
	if !ok {
		return
	}
	delete(j.onGroup, g)
	if q := j.specific[og]; len(q) > 0 {
		kept := q[:0:0]
		for _, s := range q {
			if s.msg.group() != g {
				kept = append(kept, s)
			}
		}
		j.setSpecific(og, kept)
	}
	j.releaseOnUser(og)
}

// joinGroup collects the sets of one group and emits them.
type joinGroup struct {
	j      *Join
	sets   map[int64][]*joinSet // by rounded time, oldest first within a time
	head   []int64              // each parent's latest time
	oldest int64
	hasOld bool
}

// collect adds data from parent src and emits what became ready.
func (g *joinGroup) collect(src int, m joinMsg) {
	t := roundTolerance(m.time(), g.j.cfg.Tolerance)
	if !g.hasOld || t < g.oldest {
		g.oldest, g.hasOld = t, true
	}
	var set *joinSet
	for _, s := range g.sets[t] {
		if s.values[src] == nil {
			set = s
			break
		}
	}
	if set == nil {
		set = &joinSet{t: t, values: make([]*joinMsg, len(g.j.inputs)), first: len(g.j.inputs)}
		g.sets[t] = append(g.sets[t], set)
	}
	set.add(src, m)
	g.head[src] = t
	g.emit(g.onlyReady())
}

// barrier tells the group parent src sends nothing older than t.
func (g *joinGroup) barrier(src int, t int64) {
	if len(g.sets) == 0 {
		// Nothing to emit; only the parent's position matters.
		g.head[src] = t
		return
	}
	if t < g.oldest {
		g.oldest = t
	}
	g.head[src] = t
	g.emit(g.onlyReady())
}

// onlyReady reports whether some parent has not moved past the oldest time,
// so that only complete sets may be emitted.
func (g *joinGroup) onlyReady() bool {
	for _, h := range g.head {
		if h <= g.oldest {
			return true
		}
	}
	return false
}

// emit emits the sets of the oldest time: the complete ones in order, or all
// of them unless onlyReady; then, having emitted incomplete sets, it goes on
// with the next time while every parent is past it.
func (g *joinGroup) emit(onlyReady bool) {
	for {
		if len(g.sets) == 0 {
			return
		}
		sets, ok := g.sets[g.oldest]
		if ok {
			i := 0
			for ; i < len(sets); i++ {
				if onlyReady && sets[i].size != len(g.j.inputs) {
					break
				}
				g.emitSet(sets[i])
			}
			if i == len(sets) {
				delete(g.sets, g.oldest)
			} else {
				g.sets[g.oldest] = sets[i:]
			}
		}
		g.hasOld = false
		for t := range g.sets {
			if !g.hasOld || t < g.oldest {
				g.oldest, g.hasOld = t, true
			}
		}
		if onlyReady {
			return
		}
		onlyReady = g.onlyReady()
	}
}

// emitAll emits every set, complete or not.
func (g *joinGroup) emitAll() {
	for len(g.sets) > 0 {
		g.emit(false)
	}
}

func (g *joinGroup) emitSet(s *joinSet) {
	j := g.j
	first := s.values[s.first]
	name := j.cfg.StreamName
	if name == "" {
		name = first.name()
	}
	if first.batch {
		j.EmitBatch(s.joinBatch(j, name))
		return
	}
	p, ok, err := s.joinPoint(j, name)
	if err != nil {
		j.Error(fmt.Errorf("failed to join into point: %w", err))
		return
	}
	if ok {
		j.EmitPoint(p)
	}
}

// joinSet is the data of one time, at most one message per parent.
type joinSet struct {
	t      int64
	values []*joinMsg
	size   int
	first  int // the lowest parent index present
}

func (s *joinSet) add(src int, m joinMsg) {
	if src < s.first {
		s.first = src
	}
	s.values[src] = &m
	s.size++
}

// joinPoint joins the set's points into one point; ok is false when the set
// is incomplete and the fill is none.
func (s *joinSet) joinPoint(j *Join, name string) (Point, bool, error) {
	first := s.values[s.first]
	var fields Fields
	for i, v := range s.values {
		if v == nil {
			fill, ok := j.fillValue()
			if !ok {
				return Point{}, false, nil
			}
			for _, f := range first.p.Fields {
				fields = append(fields, Field{j.cfg.As[i] + j.cfg.Delimiter + f.Key, fill})
			}
			continue
		}
		if v.batch {
			return Point{}, false, fmt.Errorf("unexpected batch from parent %d", i)
		}
		for _, f := range v.p.Fields {
			fields = append(fields, Field{j.cfg.As[i] + j.cfg.Delimiter + f.Key, f.Value})
		}
	}
	tags := first.groupTags()
	p := Point{
		Name:       name,
		Time:       s.t,
		Dimensions: first.p.Dimensions,
		Tags:       tags,
		Fields:     normalizeFields(fields),
	}
	p.Group = NewGroupID(name, tags, p.Dimensions)
	return p, true, nil
}

// joinBatch joins the set's batches point by point: points of the parents
// are paired by rounded time; with fill none, times some parent lacks are
// dropped.
func (s *joinSet) joinBatch(j *Join, name string) Batch {
	first := s.values[s.first]
	n := len(s.values)
	tags := first.b.Tags
	out := Batch{
		Name:       name,
		TMax:       s.t,
		Tags:       tags,
		Dimensions: batchDimensions(tags, first.b.Dimensions.ByName),
	}
	out.Group = NewGroupID(name, tags, out.Dimensions)
	empty := make([]bool, n)
	emptyCount := 0
	idx := make([]int, n)
	var fieldNames []string
	fill, fillOK := j.fillValue()
	for emptyCount < n {
		set := make([]*BatchPoint, n)
		var setTime int64
		haveTime := false
		count := 0
		for i, v := range s.values {
			if empty[i] {
				continue
			}
			if v == nil || !v.batch || idx[i] == len(v.b.Points) {
				emptyCount++
				empty[i] = true
				continue
			}
			bp := &v.b.Points[idx[i]]
			t := roundTolerance(bp.Time, j.cfg.Tolerance)
			if !haveTime {
				setTime, haveTime = t, true
			}
			switch {
			case t < setTime:
				// An earlier time: start the set over from this point.
				setTime = t
				for k := range set {
					if set[k] != nil {
						idx[k]--
					}
					set[k] = nil
				}
				set[i] = bp
				idx[i]++
				count = 1
			case t == setTime:
				if fieldNames == nil {
					for _, f := range bp.Fields {
						fieldNames = append(fieldNames, f.Key)
					}
				}
				set[i] = bp
				idx[i]++
				count++
			}
		}
		if count == 0 {
			continue
		}
		var fields Fields
		complete := true
		for i, bp := range set {
			if bp == nil {
				if !fillOK {
					complete = false
					break
				}
				for _, k := range fieldNames {
					fields = append(fields, Field{j.cfg.As[i] + j.cfg.Delimiter + k, fill})
				}
				continue
			}
			for _, f := range bp.Fields {
				fields = append(fields, Field{j.cfg.As[i] + j.cfg.Delimiter + f.Key, f.Value})
			}
		}
		if !complete {
			continue
		}
		out.Points = append(out.Points, BatchPoint{Time: setTime, Fields: normalizeFields(fields), Tags: tags})
	}
	return out
}

// fillValue returns the value that fills a missing parent's fields, and false
// for an inner join.
func (j *Join) fillValue() (stdlib.Value, bool) {
	switch j.cfg.Fill {
	case JoinFillNull:
		return stdlib.Missing, true
	case JoinFillValue:
		return j.cfg.FillValue, true
	}
	return stdlib.Missing, false
}

// normalizeFields sorts fields by key and keeps the last value of a repeated
// key, as writing them one by one into a map would.
func normalizeFields(fs Fields) Fields {
	sort.SliceStable(fs, func(a, b int) bool { return fs[a].Key < fs[b].Key })
	out := fs[:0]
	for i, f := range fs {
		if i+1 < len(fs) && fs[i+1].Key == f.Key {
			continue
		}
		out = append(out, f)
	}
	return out
}
