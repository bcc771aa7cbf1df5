package runtime

import (
	"container/heap"
	"math"
	"sort"

	"github.com/tickc/tickc/stdlib"
)

// The reducers of the InfluxQL functions. Each one follows the reducer of
// InfluxDB 1.x's query engine that Kapacitor runs, including its tie-breaking
// rules and the times it gives its results, since those decide which point a
// selector picks and which time the output carries.

// noTime marks a result with no time of its own; the node gives it the time
// of the reduction (the bucket time or the batch's TMax).
const noTime = math.MinInt64

// sample is one input point of a reduction: its time, the value of the
// function's field, and the point's tags and fields (which selectors pass on).
type sample struct {
	time   int64
	value  stdlib.Value
	tags   Tags
	fields Fields
}

// result is one value a reducer emits.
type result struct {
	time  int64 // noTime when the value has no time of its own
	value stdlib.Value
	tags  Tags    // the tags of the input point it came from (top, bottom), else nil
	sel   *sample // the selected point (first, last, min, max, percentile), else nil
}

// reducer accumulates the values of one reduction. Every value it is given
// has the type the reducer was made for; the node checks that first.
type reducer interface {
	add(s sample)
	// emit returns the results so far. Transforms call it after each add.
	// The slice may be reused by the next emit: callers consume it at once.
	emit() []result
	// save writes what a checkpoint needs to rebuild the reducer: its
	// state, not what newReducer gives it from the node's configuration.
	save(e *StateEncoder)
	// load reads what save wrote into a reducer fresh from newReducer.
	load(d *StateDecoder)
}

// newReducer returns the reducer of cfg.Func for values of type kind, which
// must be a type the function accepts (InfluxQLFunc.ResultType).
func newReducer(cfg InfluxQLConfig, kind stdlib.Type) reducer {
	switch cfg.Func {
	case InfluxQLCount:
		return &countReducer{time: 0}
	case InfluxQLSum:
		return &sumReducer{kind: kind}
	case InfluxQLMean:
		return &meanReducer{kind: kind}
	case InfluxQLSpread:
		return &spreadReducer{kind: kind, fmin: math.Inf(1), fmax: math.Inf(-1), imin: math.MaxInt64, imax: math.MinInt64}
	case InfluxQLMedian:
		return &sliceReducer{reduce: medianOf}
	case InfluxQLMode:
		return &sliceReducer{reduce: modeOf}
	case InfluxQLStddev:
		return &sliceReducer{reduce: stddevOf}
	case InfluxQLPercentile:
		p := cfg.Percentile
		return &sliceReducer{reduce: func(s []sample) []result { return percentileOf(s, p) }}
	case InfluxQLFirst:
		return &selectReducer{replaces: firstReplaces}
	case InfluxQLLast:
		return &selectReducer{replaces: lastReplaces}
	case InfluxQLMin:
		return &selectReducer{replaces: minReplaces}
	case InfluxQLMax:
		return &selectReducer{replaces: maxReplaces}
	case InfluxQLDistinct:
		return &distinctReducer{}
	case InfluxQLTop:
		return newTopBottomReducer(int(cfg.N), topLess)
	case InfluxQLBottom:
		return newTopBottomReducer(int(cfg.N), bottomLess)
	case InfluxQLElapsed:
		return &elapsedReducer{unit: int64(cfg.Unit)}
	case InfluxQLDifference:
		return &differenceReducer{}
	case InfluxQLMovingAverage:
		return &movingAverageReducer{n: int(cfg.Window)}
	case InfluxQLCumulativeSum:
		return &cumulativeSumReducer{}
	case InfluxQLHoltWinters:
		return newHoltWinters(int(cfg.H), int(cfg.M), false, int64(cfg.Interval))
	case InfluxQLHoltWintersWithFit:
		return newHoltWinters(int(cfg.H), int(cfg.M), true, int64(cfg.Interval))
	}
	// Unreachable: Validate rejects any other function before data arrives.
	return &countReducer{}
}

// valueLess orders two values of the same type: numbers and strings in their
// natural order, false before true.
func valueLess(a, b stdlib.Value) bool {
	switch a.Type() {
	case stdlib.TypeFloat:
		return a.Float() < b.Float()
	case stdlib.TypeInt:
		return a.Int() < b.Int()
	case stdlib.TypeString:
		return a.Str() < b.Str()
	case stdlib.TypeBool:
		return !a.Bool() && b.Bool()
	}
	return false
}

// valueEqual reports whether two values of the same type are equal (floats by
// ==, so NaN equals nothing).
func valueEqual(a, b stdlib.Value) bool {
	if a.Type() == stdlib.TypeFloat {
		return a.Float() == b.Float()
	}
	return a.Equal(b)
}

// countReducer counts points. Its result has time 0 rather than noTime until
// a point arrives, as InfluxDB's initial count point does; it only shows with
// .usePointTimes() on an empty batch.
type countReducer struct {
	n    int64
	time int64
}

func (r *countReducer) add(sample)     { r.n++; r.time = noTime }
func (r *countReducer) emit() []result { return []result{{time: r.time, value: stdlib.Int(r.n)}} }

// sumReducer sums floats or ints (ints wrap on overflow). Its result always
// has time 0, as InfluxDB's sum keeps the time of its initial zero point; that
// only shows with .usePointTimes().
type sumReducer struct {
	kind stdlib.Type
	f    float64
	i    int64
}

func (r *sumReducer) add(s sample) {
	if r.kind == stdlib.TypeInt {
		r.i += s.value.Int()
	} else {
		r.f += s.value.Float()
	}
}

func (r *sumReducer) emit() []result {
	if r.kind == stdlib.TypeInt {
		return []result{{time: 0, value: stdlib.Int(r.i)}}
	}
	return []result{{time: 0, value: stdlib.Float(r.f)}}
}

// resetter is a reducer that can start over for values of type kind, as
// if newly made; the InfluxQL node reuses such reducers from one window to
// the next.
type resetter interface {
	reset(kind stdlib.Type)
}

// meanReducer averages floats or ints; an int sum wraps like InfluxDB's.
type meanReducer struct {
	kind  stdlib.Type
	f     float64
	i     int64
	count uint32
	out   [1]result // the result emit returns, valid until the next emit
}

func (r *meanReducer) reset(kind stdlib.Type) { *r = meanReducer{kind: kind} }

func (r *meanReducer) add(s sample) {
	if r.kind == stdlib.TypeInt {
		r.i += s.value.Int()
	} else {
		r.f += s.value.Float()
	}
	r.count++
}

func (r *meanReducer) emit() []result {
	sum := r.f
	if r.kind == stdlib.TypeInt {
		sum = float64(r.i)
	}
	r.out[0] = result{time: noTime, value: stdlib.Float(sum / float64(r.count))}
	return r.out[:]
}

// spreadReducer returns max − min, in the input's type.
type spreadReducer struct {
	kind       stdlib.Type
	fmin, fmax float64
	imin, imax int64
}

func (r *spreadReducer) add(s sample) {
	if r.kind == stdlib.TypeInt {
		v := s.value.Int()
		if v < r.imin {
			r.imin = v
		}
		if v > r.imax {
			r.imax = v
		}
		return
	}
	r.fmin = math.Min(r.fmin, s.value.Float())
	r.fmax = math.Max(r.fmax, s.value.Float())
}

func (r *spreadReducer) emit() []result {
	if r.kind == stdlib.TypeInt {
		return []result{{time: noTime, value: stdlib.Int(r.imax - r.imin)}}
	}
	return []result{{time: noTime, value: stdlib.Float(r.fmax - r.fmin)}}
}

// selectReducer keeps one point: the one replaces prefers.
type selectReducer struct {
	best     sample
	has      bool
	replaces func(prev, cur *sample) bool // whether cur takes prev's place
}

func (r *selectReducer) add(s sample) {
	if !r.has || r.replaces(&r.best, &s) {
		r.best, r.has = s, true
	}
}

func (r *selectReducer) emit() []result {
	if !r.has {
		return nil
	}
	best := r.best
	return []result{{time: best.time, value: best.value, sel: &best}}
}

// firstReplaces prefers the earliest point; among points of one time the
// greatest value, except for booleans, where false wins.
func firstReplaces(prev, cur *sample) bool {
	if cur.time != prev.time {
		return cur.time < prev.time
	}
	if cur.value.Type() == stdlib.TypeBool {
		return !cur.value.Bool() && prev.value.Bool()
	}
	return valueLess(prev.value, cur.value)
}

// lastReplaces prefers the latest point; among points of one time the
// greatest value (true over false).
func lastReplaces(prev, cur *sample) bool {
	if cur.time != prev.time {
		return cur.time > prev.time
	}
	return valueLess(prev.value, cur.value)
}

// minReplaces prefers the smallest value; among equal values the earliest point.
func minReplaces(prev, cur *sample) bool {
	return valueLess(cur.value, prev.value) || (valueEqual(cur.value, prev.value) && cur.time < prev.time)
}

// maxReplaces prefers the largest value; among equal values the earliest point.
func maxReplaces(prev, cur *sample) bool {
	return valueLess(prev.value, cur.value) || (valueEqual(cur.value, prev.value) && cur.time < prev.time)
}

// sliceReducer keeps every point and reduces them all when emitting.
type sliceReducer struct {
	points []sample
	reduce func([]sample) []result
}

func (r *sliceReducer) add(s sample) { r.points = append(r.points, s) }
func (r *sliceReducer) emit() []result {
	if len(r.points) == 0 {
		return nil
	}
	return r.reduce(r.points)
}

// byValue sorts samples by value with sort.Sort, which is not stable: the
// order it leaves equal values in decides the times mode and percentile
// return, so it must stay sort.Sort over this exact Less, as in InfluxDB.
type byValue []sample

func (a byValue) Len() int           { return len(a) }
func (a byValue) Less(i, j int) bool { return valueLess(a[i].value, a[j].value) }
func (a byValue) Swap(i, j int)      { a[i], a[j] = a[j], a[i] }

// medianOf returns the middle value, or the midpoint of the two middle values,
// as a float. A single float point keeps its own time.
func medianOf(a []sample) []result {
	isInt := a[0].value.Type() == stdlib.TypeInt
	if len(a) == 1 {
		if isInt {
			return []result{{time: noTime, value: stdlib.Float(float64(a[0].value.Int()))}}
		}
		return []result{{time: a[0].time, value: a[0].value}}
	}
	sort.Sort(byValue(a))
	mid := len(a) / 2
	if len(a)%2 == 1 {
		if isInt {
			return []result{{time: noTime, value: stdlib.Float(float64(a[mid].value.Int()))}}
		}
		return []result{{time: noTime, value: a[mid].value}}
	}
	lo, hi := a[mid-1].value, a[mid].value
	if isInt {
		return []result{{time: noTime, value: stdlib.Float(float64(lo.Int()) + float64(hi.Int()-lo.Int())/2)}}
	}
	return []result{{time: noTime, value: stdlib.Float(lo.Float() + (hi.Float()-lo.Float())/2)}}
}

// modeOf returns the most frequent value; among equally frequent values the
// one whose run (in sorted order) starts with the earliest point. A single
// point keeps its own time.
func modeOf(a []sample) []result {
	if len(a) == 1 {
		return []result{{time: a[0].time, value: a[0].value}}
	}
	sort.Sort(byValue(a))
	mostFreq, currFreq := 0, 0
	currMode, mostMode := a[0].value, a[0].value
	currTime, mostTime := a[0].time, a[0].time
	for _, p := range a {
		if !valueEqual(p.value, currMode) {
			currFreq, currMode, currTime = 1, p.value, p.time
			continue
		}
		currFreq++
		if mostFreq > currFreq || (mostFreq == currFreq && currTime > mostTime) {
			continue
		}
		mostFreq, mostMode, mostTime = currFreq, p.value, p.time
	}
	return []result{{time: noTime, value: mostMode}}
}

// stddevOf returns the sample standard deviation (NaN for fewer than two
// points); NaN float values are left out.
func stddevOf(a []sample) []result {
	if len(a) < 2 {
		return []result{{time: noTime, value: stdlib.Float(math.NaN())}}
	}
	isInt := a[0].value.Type() == stdlib.TypeInt
	num := func(s sample) float64 {
		if isInt {
			return float64(s.value.Int())
		}
		return s.value.Float()
	}
	var mean float64
	count := 0
	for _, p := range a {
		v := num(p)
		if math.IsNaN(v) {
			continue
		}
		count++
		mean += (v - mean) / float64(count)
	}
	var variance float64
	for _, p := range a {
		v := num(p)
		if math.IsNaN(v) {
			continue
		}
		variance += math.Pow(v-mean, 2)
	}
	return []result{{time: noTime, value: stdlib.Float(math.Sqrt(variance / float64(count-1)))}}
}

// percentileOf selects the point at percentile p (no interpolation): the
// ⌊n·p/100 + 0.5⌋-th smallest, and nothing when that rank is out of range.
func percentileOf(a []sample, p float64) []result {
	i := int(math.Floor(float64(len(a))*p/100.0+0.5)) - 1
	if i < 0 || i >= len(a) {
		return nil
	}
	sort.Sort(byValue(a))
	sel := a[i]
	return []result{{time: sel.time, value: sel.value, sel: &sel}}
}

// distinctReducer keeps the first point of each distinct value and emits
// them ordered by time, then value.
type distinctReducer struct {
	floats map[float64]sample     // float values, keyed as Go compares floats
	others map[distinctKey]sample // int, string and bool values
}

// distinctKey is a non-float value as a map key: stdlib.Value holds a
// string's address, so equal strings are equal keys only by their contents.
type distinctKey struct {
	typ stdlib.Type
	n   int64 // an int, or a bool as 0 or 1
	s   string
}

func keyOf(v stdlib.Value) distinctKey {
	k := distinctKey{typ: v.Type(), s: v.Str()}
	switch k.typ {
	case stdlib.TypeInt:
		k.n = v.Int()
	case stdlib.TypeBool:
		if v.Bool() {
			k.n = 1
		}
	}
	return k
}

func (r *distinctReducer) add(s sample) {
	if s.value.Type() == stdlib.TypeFloat {
		if r.floats == nil {
			r.floats = make(map[float64]sample)
		}
		if _, ok := r.floats[s.value.Float()]; !ok {
			r.floats[s.value.Float()] = s
		}
		return
	}
	if r.others == nil {
		r.others = make(map[distinctKey]sample)
	}
	k := keyOf(s.value)
	if _, ok := r.others[k]; !ok {
		r.others[k] = s
	}
}

func (r *distinctReducer) emit() []result {
	out := make(byTimeValue, 0, len(r.floats)+len(r.others))
	for _, s := range r.floats {
		out = append(out, result{time: s.time, value: s.value})
	}
	for _, s := range r.others {
		out = append(out, result{time: s.time, value: s.value})
	}
	sort.Sort(out)
	return out
}

// byTimeValue orders results by time, then value; for booleans of one time
// InfluxDB's order puts false first.
type byTimeValue []result

func (a byTimeValue) Len() int { return len(a) }
func (a byTimeValue) Less(i, j int) bool {
	if a[i].time != a[j].time {
		return a[i].time < a[j].time
	}
	if a[i].value.Type() == stdlib.TypeBool {
		return !a[i].value.Bool()
	}
	return valueLess(a[i].value, a[j].value)
}
func (a byTimeValue) Swap(i, j int) { a[i], a[j] = a[j], a[i] }

// topBottomReducer keeps the n best points in a heap whose root is the
// worst of them, and emits them best first.
type topBottomReducer struct {
	h topBottomHeap
	n int
}

// topBottomHeap is a container/heap of samples ordered by less.
type topBottomHeap struct {
	s    []sample
	less func(a, b *sample) bool
}

func (h *topBottomHeap) Len() int           { return len(h.s) }
func (h *topBottomHeap) Less(i, j int) bool { return h.less(&h.s[i], &h.s[j]) }
func (h *topBottomHeap) Swap(i, j int)      { h.s[i], h.s[j] = h.s[j], h.s[i] }
func (h *topBottomHeap) Push(x any)         { h.s = append(h.s, x.(sample)) }
func (h *topBottomHeap) Pop() any {
	x := h.s[len(h.s)-1]
	h.s = h.s[:len(h.s)-1]
	return x
}

// topLess orders for top: smaller values are worse, and among equal values
// later points are worse.
func topLess(a, b *sample) bool {
	if !valueEqual(a.value, b.value) {
		return valueLess(a.value, b.value)
	}
	return a.time > b.time
}

// bottomLess orders for bottom: larger values are worse, and among equal
// values later points are worse.
func bottomLess(a, b *sample) bool {
	if !valueEqual(a.value, b.value) {
		return valueLess(b.value, a.value)
	}
	return a.time > b.time
}

func newTopBottomReducer(n int, less func(a, b *sample) bool) *topBottomReducer {
	// The heap grows as points come: a large n costs nothing up front.
	return &topBottomReducer{n: n, h: topBottomHeap{s: make([]sample, 0, min(n, 64)), less: less}}
}

func (r *topBottomReducer) add(s sample) {
	if r.h.Len() == r.n {
		// Full: s replaces the worst point only if it is better.
		if !r.h.less(&r.h.s[0], &s) {
			return
		}
		r.h.s[0] = s
		heap.Fix(&r.h, 0)
		return
	}
	heap.Push(&r.h, s)
}

func (r *topBottomReducer) emit() []result {
	sorted := topBottomHeap{s: append([]sample(nil), r.h.s...), less: r.h.less}
	sort.Sort(sort.Reverse(&sorted))
	out := make([]result, len(sorted.s))
	for i, s := range sorted.s {
		out[i] = result{time: s.time, value: s.value, tags: s.tags}
	}
	return out
}

// elapsedReducer emits the time between the last two points, in units.
type elapsedReducer struct {
	unit      int64
	prev, cur int64
	n         int // points seen, up to 2
}

func (r *elapsedReducer) add(s sample) {
	r.prev, r.cur = r.cur, s.time
	if r.n < 2 {
		r.n++
	}
}

func (r *elapsedReducer) emit() []result {
	if r.n < 2 {
		return nil
	}
	return []result{{time: r.cur, value: stdlib.Int((r.cur - r.prev) / r.unit)}}
}

// differenceReducer emits cur − prev once per new point. A point with the
// time of the current one is ignored, so it emits nothing.
type differenceReducer struct {
	prev, cur       sample
	hasPrev, hasCur bool
}

func (r *differenceReducer) add(s sample) {
	if r.hasCur && r.cur.time == s.time {
		return
	}
	r.prev, r.hasPrev = r.cur, r.hasCur
	r.cur, r.hasCur = s, true
}

func (r *differenceReducer) emit() []result {
	if !r.hasPrev {
		return nil
	}
	r.hasPrev = false
	if r.cur.value.Type() == stdlib.TypeInt {
		return []result{{time: r.cur.time, value: stdlib.Int(r.cur.value.Int() - r.prev.value.Int())}}
	}
	return []result{{time: r.cur.time, value: stdlib.Float(r.cur.value.Float() - r.prev.value.Float())}}
}

// movingAverageReducer averages the last n values (a ring buffer with a
// running sum, kept as an int for int input) once n values have arrived.
type movingAverageReducer struct {
	n    int
	pos  int
	time int64
	fbuf []float64
	ibuf []int64
	fsum float64
	isum int64
	size int
}

func (r *movingAverageReducer) add(s sample) {
	if s.value.Type() == stdlib.TypeInt {
		v := s.value.Int()
		if len(r.ibuf) < r.n {
			r.ibuf = append(r.ibuf, v)
		} else {
			r.isum -= r.ibuf[r.pos]
			r.ibuf[r.pos] = v
		}
		r.isum += v
		r.size = len(r.ibuf)
	} else {
		v := s.value.Float()
		if len(r.fbuf) < r.n {
			r.fbuf = append(r.fbuf, v)
		} else {
			r.fsum -= r.fbuf[r.pos]
			r.fbuf[r.pos] = v
		}
		r.fsum += v
		r.size = len(r.fbuf)
	}
	r.time = s.time
	r.pos++
	if r.pos >= r.n {
		r.pos = 0
	}
}

func (r *movingAverageReducer) emit() []result {
	if r.size < r.n {
		return nil
	}
	sum := r.fsum
	if r.ibuf != nil {
		sum = float64(r.isum)
	}
	return []result{{time: r.time, value: stdlib.Float(sum / float64(r.size))}}
}

// cumulativeSumReducer emits the running sum at each point.
type cumulativeSumReducer struct {
	f     float64
	i     int64
	isInt bool
	time  int64
	has   bool
}

func (r *cumulativeSumReducer) add(s sample) {
	if s.value.Type() == stdlib.TypeInt {
		r.i += s.value.Int()
		r.isInt = true
	} else {
		r.f += s.value.Float()
	}
	r.time, r.has = s.time, true
}

func (r *cumulativeSumReducer) emit() []result {
	if !r.has {
		return nil
	}
	if r.isInt {
		return []result{{time: r.time, value: stdlib.Int(r.i)}}
	}
	return []result{{time: r.time, value: stdlib.Float(r.f)}}
}
