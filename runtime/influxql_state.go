package runtime

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/tickc/tickc/stdlib"
)

// The checkpoint of an InfluxQL node holds, for each group in id order: its
// name, the time of its current reduction, its tags and dimensions once
// known, and the reducer of the reduction in progress (a stream bucket not
// yet emitted, or a transform's running state) with the field type it was
// made for. A finished reducer kept for reuse is not saved: a new one is
// the same.

// SaveState writes the node's state.
func (n *InfluxQL) SaveState(e *StateEncoder) {
	ids := sortedGroups(n.groups)
	e.Len(len(ids))
	for _, id := range ids {
		g := n.groups[id]
		e.Group(id)
		e.String(g.name)
		e.Int(g.time)
		e.Bool(g.known)
		if g.known {
			e.Tags(g.tags)
			e.Dimensions(n.dims.value(g.dims))
		}
		e.Bool(g.active)
		if g.active {
			e.Uint(uint64(g.kind))
			g.red.save(e)
		}
	}
}

// LoadState reads what SaveState wrote.
func (n *InfluxQL) LoadState(d *StateDecoder) error {
	groups := make(map[GroupID]*influxqlGroup)
	for range d.Len() {
		id := d.Group()
		g := &influxqlGroup{name: d.String(), time: d.Int()}
		if g.known = d.Bool(); g.known {
			g.tags, g.dims = d.Tags(), n.dims.get(d.Dimensions())
		}
		if g.active = d.Bool(); g.active {
			g.kind = stdlib.Type(d.Uint())
			if d.Err() != nil {
				break
			}
			if _, ok := n.cfg.Func.ResultType(g.kind); !ok || n.invalid != nil {
				d.Fail(fmt.Errorf("%s reducer for %s values", n.cfg.Func, g.kind))
				break
			}
			g.red = newReducer(n.cfg, g.kind)
			g.red.load(d)
		}
		if d.Err() != nil {
			break
		}
		if _, dup := groups[id]; dup {
			d.Fail(fmt.Errorf("%s group %q is saved twice", n.cfg.Func, id))
			break
		}
		groups[id] = g
	}
	if err := d.Err(); err != nil {
		return err
	}
	n.groups = groups
	n.recent = groupCache[influxqlGroup]{}
	return nil
}

func saveSample(e *StateEncoder, s sample) {
	e.Int(s.time)
	e.Value(s.value)
	e.Tags(s.tags)
	e.Fields(s.fields)
}

func loadSample(d *StateDecoder) sample {
	return sample{time: d.Int(), value: d.Value(), tags: d.Tags(), fields: d.Fields()}
}

// saveList writes a slice: its length, then each element with put.
func saveList[T any](e *StateEncoder, xs []T, put func(*StateEncoder, T)) {
	e.Len(len(xs))
	for _, x := range xs {
		put(e, x)
	}
}

// loadList reads what saveList wrote, each element with get: nil when it
// is empty, and a failure of d when it holds more than limit elements
// (what names them in the message).
func loadList[T any](d *StateDecoder, limit int, what string, get func(*StateDecoder) T) []T {
	k := d.Len()
	if d.Err() != nil || k == 0 {
		return nil
	}
	if k > limit {
		d.Fail(fmt.Errorf("%d %s saved where at most %d fit", k, what, limit))
		return nil
	}
	xs := make([]T, 0, k)
	for range k {
		xs = append(xs, get(d))
	}
	return xs
}

// noLimit is the limit of loadList for slices of any length.
const noLimit = int(^uint(0) >> 1)

func (r *countReducer) save(e *StateEncoder) {
	e.Int(r.n)
	e.Int(r.time)
}

func (r *countReducer) load(d *StateDecoder) { r.n, r.time = d.Int(), d.Int() }

func (r *sumReducer) save(e *StateEncoder) {
	e.Float(r.f)
	e.Int(r.i)
}

func (r *sumReducer) load(d *StateDecoder) { r.f, r.i = d.Float(), d.Int() }

func (r *meanReducer) save(e *StateEncoder) {
	e.Float(r.f)
	e.Int(r.i)
	e.Uint(uint64(r.count))
}

func (r *meanReducer) load(d *StateDecoder) {
	r.f, r.i = d.Float(), d.Int()
	c := d.Uint()
	if c > 1<<32-1 {
		d.Fail(fmt.Errorf("mean count %d out of range", c))
	}
	r.count = uint32(c)
}

func (r *spreadReducer) save(e *StateEncoder) {
	e.Float(r.fmin)
	e.Float(r.fmax)
	e.Int(r.imin)
	e.Int(r.imax)
}

func (r *spreadReducer) load(d *StateDecoder) {
	r.fmin, r.fmax, r.imin, r.imax = d.Float(), d.Float(), d.Int(), d.Int()
}

func (r *selectReducer) save(e *StateEncoder) {
	e.Bool(r.has)
	if r.has {
		saveSample(e, r.best)
	}
}

func (r *selectReducer) load(d *StateDecoder) {
	if r.has = d.Bool(); r.has {
		r.best = loadSample(d)
	}
}

func (r *sliceReducer) save(e *StateEncoder) { saveList(e, r.points, saveSample) }

func (r *sliceReducer) load(d *StateDecoder) { r.points = loadList(d, noLimit, "samples", loadSample) }

// save writes the distinct values' first points in an order of their
// encodings, so that the same state always saves the same bytes.
func (r *distinctReducer) save(e *StateEncoder) {
	var encoded [][]byte
	var one StateEncoder
	add := func(s sample) {
		one.Reset()
		saveSample(&one, s)
		encoded = append(encoded, bytes.Clone(one.Bytes()))
	}
	for _, s := range r.floats {
		add(s)
	}
	for _, s := range r.others {
		add(s)
	}
	slices.SortFunc(encoded, bytes.Compare)
	e.Len(len(encoded))
	for _, b := range encoded {
		e.ByteSlice(b)
	}
}

func (r *distinctReducer) load(d *StateDecoder) {
	for range d.Len() {
		one := NewStateDecoder(d.ByteSlice())
		s := loadSample(one)
		if err := one.Finish(); err != nil {
			d.Fail(err)
		}
		if d.Err() != nil {
			return
		}
		r.add(s)
	}
}

// save writes the heap's slice as it is, so that the restored heap has
// the same shape.
func (r *topBottomReducer) save(e *StateEncoder) { saveList(e, r.h.s, saveSample) }

func (r *topBottomReducer) load(d *StateDecoder) {
	if s := loadList(d, r.n, "samples", loadSample); s != nil {
		r.h.s = s
	}
}

func (r *elapsedReducer) save(e *StateEncoder) {
	e.Int(r.prev)
	e.Int(r.cur)
	e.Len(r.n)
}

func (r *elapsedReducer) load(d *StateDecoder) {
	r.prev, r.cur = d.Int(), d.Int()
	if r.n = int(d.Uint()); r.n > 2 {
		d.Fail(fmt.Errorf("elapsed has seen %d points, at most 2 are counted", r.n))
	}
}

func (r *differenceReducer) save(e *StateEncoder) {
	e.Bool(r.hasPrev)
	if r.hasPrev {
		saveSample(e, r.prev)
	}
	e.Bool(r.hasCur)
	if r.hasCur {
		saveSample(e, r.cur)
	}
}

func (r *differenceReducer) load(d *StateDecoder) {
	if r.hasPrev = d.Bool(); r.hasPrev {
		r.prev = loadSample(d)
	}
	if r.hasCur = d.Bool(); r.hasCur {
		r.cur = loadSample(d)
	}
}

func (r *movingAverageReducer) save(e *StateEncoder) {
	e.Len(r.pos)
	e.Int(r.time)
	e.Len(r.size)
	e.Float(r.fsum)
	e.Int(r.isum)
	e.Bool(r.fbuf != nil)
	if r.fbuf != nil {
		saveList(e, r.fbuf, (*StateEncoder).Float)
	}
	e.Bool(r.ibuf != nil)
	if r.ibuf != nil {
		saveList(e, r.ibuf, (*StateEncoder).Int)
	}
}

func (r *movingAverageReducer) load(d *StateDecoder) {
	r.pos, r.time, r.size = int(d.Uint()), d.Int(), int(d.Uint())
	r.fsum, r.isum = d.Float(), d.Int()
	if d.Bool() {
		r.fbuf = loadList(d, noLimit, "floats", (*StateDecoder).Float)
		if r.fbuf == nil {
			r.fbuf = []float64{}
		}
	}
	if d.Bool() {
		r.ibuf = loadList(d, noLimit, "ints", (*StateDecoder).Int)
		if r.ibuf == nil {
			r.ibuf = []int64{}
		}
	}
	if r.pos < 0 || r.pos >= r.n || len(r.fbuf) > r.n || len(r.ibuf) > r.n || r.size > r.n {
		d.Fail(fmt.Errorf("movingAverage state of %d values at %d does not fit a window of %d", r.size, r.pos, r.n))
	}
}

func (r *cumulativeSumReducer) save(e *StateEncoder) {
	e.Float(r.f)
	e.Int(r.i)
	e.Bool(r.isInt)
	e.Int(r.time)
	e.Bool(r.has)
}

func (r *cumulativeSumReducer) load(d *StateDecoder) {
	r.f, r.i, r.isInt, r.time, r.has = d.Float(), d.Int(), d.Bool(), d.Int(), d.Bool()
}

func (r *holtWintersReducer) save(e *StateEncoder) {
	saveList(e, r.times, (*StateEncoder).Int)
	saveList(e, r.values, (*StateEncoder).Float)
}

func (r *holtWintersReducer) load(d *StateDecoder) {
	r.times = loadList(d, noLimit, "times", (*StateDecoder).Int)
	r.values = loadList(d, noLimit, "values", (*StateDecoder).Float)
	if len(r.times) != len(r.values) {
		d.Fail(fmt.Errorf("holtWinters state has %d times for %d values", len(r.times), len(r.values)))
	}
}
