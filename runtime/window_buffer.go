package runtime

import "github.com/tickc/tickc/stdlib"

// floatPoint is one point of a typed window buffer: its time and the value
// of its only field.
type floatPoint struct {
	t int64
	v float64
}

// windowBuffer holds the points of one group's window in arrival order,
// from head on.
//
// While every point it holds has the same tags and a single float field of
// the same key — the common case — it is typed: it keeps one floatPoint
// per point (16 bytes) in floats, and the key and tags once. The first point
// that does not fit turns it general: the points move to BatchPoints in
// spill.points, and stay there until the buffer empties, when it is typed
// again. Emitted batches are the same either way.
//
// Space is reused: the front that purges free is reclaimed before the
// slice grows, and a slice far larger than the windows it has lately held
// is shrunk.
type windowBuffer struct {
	floats  []floatPoint // typed: the points
	key     string       // typed and not empty: the field key of every point
	tags    Tags         // typed and not empty: the tags of every point
	spill   *windowSpill // what few groups need; nil until then
	head    int          // the first point still buffered
	general bool         // the points are in spill.points
}

// windowSpill is the part of a window that few groups need, apart so that
// the common group stays small.
type windowSpill struct {
	id     GroupID      // the group's id when it is not the one it is filed under
	points []BatchPoint // the points of a general buffer
}

// shrinkMin is the capacity under which a buffer is never shrunk.
const shrinkMin = 16

func (b *windowBuffer) spilled() *windowSpill {
	if b.spill == nil {
		b.spill = &windowSpill{}
	}
	return b.spill
}

// setID records the group's own id, when it differs from its key.
func (b *windowBuffer) setID(id GroupID) { b.spilled().id = id }

// ownID returns the id set by setID, or "".
func (b *windowBuffer) ownID() GroupID {
	if b.spill == nil {
		return ""
	}
	return b.spill.id
}

// len returns the number of points buffered.
func (b *windowBuffer) len() int {
	if b.general {
		return len(b.spill.points) - b.head
	}
	return len(b.floats) - b.head
}

// add appends p; groupTags are the group's dimension tags, which the buffer
// shares when p's tags are the same.
func (b *windowBuffer) add(p *Point, groupTags Tags) {
	if !b.general {
		if b.len() == 0 {
			if isFloatPoint(p) {
				b.key, b.tags = p.Fields[0].Key, p.Tags
				if len(p.Tags) == 0 {
					b.tags = nil
				} else if tagsEqual(p.Tags, groupTags) {
					b.tags = groupTags
				}
				b.appendFloat(p.Time, p.Fields[0].Value.Float())
				return
			}
			b.general = true
			b.key, b.tags = "", nil
			b.floats, b.head = b.floats[:0], 0
		} else if isFloatPoint(p) && sameString(p.Fields[0].Key, b.key) && tagsEqual(p.Tags, b.tags) {
			b.appendFloat(p.Time, p.Fields[0].Value.Float())
			return
		} else {
			b.toGeneral()
		}
	}
	s := b.spilled()
	if len(s.points) == cap(s.points) && b.head > 0 && 4*b.head >= cap(s.points) {
		k := copy(s.points, s.points[b.head:])
		clear(s.points[k:])
		s.points, b.head = s.points[:k], 0
	}
	s.points = append(s.points, BatchPoint{Time: p.Time, Fields: p.Fields, Tags: p.Tags})
}

// isFloatPoint reports whether p's only field is a float.
func isFloatPoint(p *Point) bool {
	return len(p.Fields) == 1 && p.Fields[0].Value.Type() == stdlib.TypeFloat
}

// tagsEqual reports whether two tag sets are the same.
func tagsEqual(a, b Tags) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameString(a[i].Key, b[i].Key) || !sameString(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

// appendFloat appends a point to a typed buffer, reclaiming the purged
// front first when it is a quarter of the slice or more.
func (b *windowBuffer) appendFloat(t int64, v float64) {
	if len(b.floats) == cap(b.floats) && b.head > 0 && 4*b.head >= cap(b.floats) {
		k := copy(b.floats, b.floats[b.head:])
		b.floats, b.head = b.floats[:k], 0
	}
	b.floats = append(b.floats, floatPoint{t: t, v: v})
}

// toGeneral moves the points of a typed buffer to BatchPoints, as they
// arrived.
func (b *windowBuffer) toGeneral() {
	s := b.spilled()
	live := b.floats[b.head:]
	fields := make(Fields, len(live))
	for i, fp := range live {
		fields[i] = Field{Key: b.key, Value: stdlib.Float(fp.v)}
		s.points = append(s.points, BatchPoint{Time: fp.t, Fields: fields[i : i+1 : i+1], Tags: b.tags})
	}
	b.floats, b.head = b.floats[:0], 0
	b.key, b.tags, b.general = "", nil, true
}

// time returns the time of the i-th buffered point.
func (b *windowBuffer) time(i int) int64 {
	if b.general {
		return b.spill.points[b.head+i].Time
	}
	return b.floats[b.head+i].t
}

// purge drops buffered points from the front while they are older than
// oldest (or at oldest, unless inclusive), stopping at the first point that
// stays, as Kapacitor does: buffered points are in arrival order.
func (b *windowBuffer) purge(oldest int64, inclusive bool) {
	before := b.len()
	n := 0
	for n < before {
		t := b.time(n)
		if t > oldest || (inclusive && t == oldest) {
			break
		}
		n++
	}
	b.drop(n)
	b.shrink(before)
}

// dropFirst drops the oldest buffered point.
func (b *windowBuffer) dropFirst() {
	if b.len() > 0 {
		b.drop(1)
	}
}

// drop drops the n oldest points; an emptied buffer is reset to typed.
func (b *windowBuffer) drop(n int) {
	if b.general {
		clear(b.spill.points[b.head : b.head+n])
	}
	b.head += n
	if b.len() > 0 {
		return
	}
	b.floats, b.head = b.floats[:0], 0
	b.key, b.tags = "", nil
	if b.general {
		b.spill.points = b.spill.points[:0]
		b.general = false
	}
}

// shrink reallocates the slices that are more than four times as large as
// the recent need, the points held before the last purge, to twice that.
// A steady stream settles on a size and allocates no more.
func (b *windowBuffer) shrink(recent int) {
	if c := cap(b.floats); c > shrinkMin && c > 4*recent {
		b.floats = shrunk(b.floats, b.head, 2*recent, !b.general)
		if !b.general {
			b.head = 0
		}
	}
	if b.spill != nil {
		if c := cap(b.spill.points); c > shrinkMin && c > 4*recent {
			b.spill.points = shrunk(b.spill.points, b.head, 2*recent, b.general)
			if b.general {
				b.head = 0
			}
		}
	}
}

// shrunk returns s with capacity c, holding s[head:] when live, else
// nothing; a zero capacity gives nil.
func shrunk[T any](s []T, head, c int, live bool) []T {
	var out []T
	if c > 0 {
		out = make([]T, 0, c)
	}
	if live {
		out = append(out, s[head:]...)
	}
	return out
}

// batchPoints returns a copy of the buffered points as BatchPoints, nil
// when there are none. The fields of a typed buffer's points are cut from
// one block.
func (b *windowBuffer) batchPoints() []BatchPoint {
	k := b.len()
	if k == 0 {
		return nil
	}
	pts := make([]BatchPoint, k)
	if b.general {
		copy(pts, b.spill.points[b.head:])
		return pts
	}
	fields := make(Fields, k)
	for i, fp := range b.floats[b.head:] {
		fields[i] = Field{Key: b.key, Value: stdlib.Float(fp.v)}
		pts[i] = BatchPoint{Time: fp.t, Fields: fields[i : i+1 : i+1], Tags: b.tags}
	}
	return pts
}

// floatWindow is a window whose points all have the same tags and a single
// float field of the same key, as its buffer holds it.
type floatWindow struct {
	name      string
	tmax      int64
	group     GroupID
	dims      Dimensions
	tags      Tags   // the group's tags
	pointTags Tags   // the tags of every point
	key       string // the field of every point; "" when there are no points
	points    []floatPoint
}

// floatWindowReceiver is a child that can take a float window straight
// from the window's buffer, instead of a Batch of its points. It must not
// keep w.points past the call. (The window is passed by value: through an
// interface a pointer to it would make it escape to the heap.) It reports false, having changed nothing,
// when it cannot take that window; the window then emits the Batch.
type floatWindowReceiver interface {
	floatWindow(w floatWindow) bool
}
