package runtime

import (
	"fmt"
	"math"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// InfluxQLFunc names one of the 21 InfluxQL functions a TICKscript can chain
// (|count(), |mean(), |top(), |holtWinters(), ...). The zero value names none.
type InfluxQLFunc uint8

// The InfluxQL functions, in the order Kapacitor's pipeline package declares them.
const (
	InfluxQLCount InfluxQLFunc = iota + 1
	InfluxQLDistinct
	InfluxQLMean
	InfluxQLMedian
	InfluxQLMode
	InfluxQLSpread
	InfluxQLSum
	InfluxQLFirst
	InfluxQLLast
	InfluxQLMin
	InfluxQLMax
	InfluxQLPercentile
	InfluxQLTop
	InfluxQLBottom
	InfluxQLStddev
	InfluxQLElapsed
	InfluxQLDifference
	InfluxQLMovingAverage
	InfluxQLHoltWinters
	InfluxQLHoltWintersWithFit
	InfluxQLCumulativeSum
)

// influxqlRole says how a function turns its input into output.
type influxqlRole uint8

const (
	// roleAggregate reduces a bucket to values that carry the group's tags.
	roleAggregate influxqlRole = iota
	// roleSelector reduces a bucket to one of its points, whose tags and
	// fields it passes on (first, last, min, max, percentile).
	roleSelector
	// roleTransform emits one value per input point and keeps its state
	// from point to point (elapsed, difference, movingAverage, cumulativeSum).
	roleTransform
)

// influxqlSpec is one row of the function table: what the runtime, the type
// checker and the code generator need to know about a function.
type influxqlSpec struct {
	name     string       // the TICKscript chain method
	as       string       // the default output field (Kapacitor's method name)
	role     influxqlRole // how the output is shaped
	batchOut bool         // always provides a batch edge (else stream, or the input edge for transforms)
	emptyOK  bool         // emits a result for an empty batch
	// result maps an input field type to the output type; TypeMissing means
	// the function does not accept that type.
	result [stdlib.TypeBool + 1]stdlib.Type
}

const (
	tF = stdlib.TypeFloat
	tI = stdlib.TypeInt
	tS = stdlib.TypeString
	tB = stdlib.TypeBool
	tX = stdlib.TypeMissing
)

// influxqlSpecs is the function table, indexed by InfluxQLFunc. The result
// columns are, in order: missing, float, int, string, bool input.
var influxqlSpecs = [...]influxqlSpec{
	InfluxQLCount:              {name: "count", role: roleAggregate, emptyOK: true, result: [5]stdlib.Type{tX, tI, tI, tI, tI}},
	InfluxQLDistinct:           {name: "distinct", role: roleAggregate, batchOut: true, result: [5]stdlib.Type{tX, tF, tI, tS, tB}},
	InfluxQLMean:               {name: "mean", role: roleAggregate, result: [5]stdlib.Type{tX, tF, tF, tX, tX}},
	InfluxQLMedian:             {name: "median", role: roleAggregate, result: [5]stdlib.Type{tX, tF, tF, tX, tX}},
	InfluxQLMode:               {name: "mode", role: roleAggregate, result: [5]stdlib.Type{tX, tF, tI, tX, tX}},
	InfluxQLSpread:             {name: "spread", role: roleAggregate, result: [5]stdlib.Type{tX, tF, tI, tX, tX}},
	InfluxQLSum:                {name: "sum", role: roleAggregate, emptyOK: true, result: [5]stdlib.Type{tX, tF, tI, tX, tX}},
	InfluxQLFirst:              {name: "first", role: roleSelector, result: [5]stdlib.Type{tX, tF, tI, tS, tB}},
	InfluxQLLast:               {name: "last", role: roleSelector, result: [5]stdlib.Type{tX, tF, tI, tS, tB}},
	InfluxQLMin:                {name: "min", role: roleSelector, result: [5]stdlib.Type{tX, tF, tI, tX, tX}},
	InfluxQLMax:                {name: "max", role: roleSelector, result: [5]stdlib.Type{tX, tF, tI, tX, tX}},
	InfluxQLPercentile:         {name: "percentile", role: roleSelector, result: [5]stdlib.Type{tX, tF, tI, tX, tX}},
	InfluxQLTop:                {name: "top", role: roleAggregate, batchOut: true, result: [5]stdlib.Type{tX, tF, tI, tX, tX}},
	InfluxQLBottom:             {name: "bottom", role: roleAggregate, batchOut: true, result: [5]stdlib.Type{tX, tF, tI, tX, tX}},
	InfluxQLStddev:             {name: "stddev", role: roleAggregate, result: [5]stdlib.Type{tX, tF, tF, tX, tX}},
	InfluxQLElapsed:            {name: "elapsed", role: roleTransform, result: [5]stdlib.Type{tX, tI, tI, tI, tI}},
	InfluxQLDifference:         {name: "difference", role: roleTransform, result: [5]stdlib.Type{tX, tF, tI, tX, tX}},
	InfluxQLMovingAverage:      {name: "movingAverage", role: roleTransform, result: [5]stdlib.Type{tX, tF, tF, tX, tX}},
	InfluxQLHoltWinters:        {name: "holtWinters", role: roleAggregate, batchOut: true, result: [5]stdlib.Type{tX, tF, tF, tX, tX}},
	InfluxQLHoltWintersWithFit: {name: "holtWintersWithFit", as: "holtWinters", role: roleAggregate, batchOut: true, result: [5]stdlib.Type{tX, tF, tF, tX, tX}},
	InfluxQLCumulativeSum:      {name: "cumulativeSum", role: roleTransform, result: [5]stdlib.Type{tX, tF, tI, tX, tX}},
}

func (f InfluxQLFunc) spec() *influxqlSpec {
	if f == 0 || int(f) >= len(influxqlSpecs) {
		return nil
	}
	return &influxqlSpecs[f]
}

// String returns the function's TICKscript name, e.g. "movingAverage".
func (f InfluxQLFunc) String() string {
	if s := f.spec(); s != nil {
		return s.name
	}
	return fmt.Sprintf("InfluxQLFunc(%d)", uint8(f))
}

// InfluxQLFuncByName returns the function a TICKscript chain method names,
// and false when name is not an InfluxQL function.
func InfluxQLFuncByName(name string) (InfluxQLFunc, bool) {
	for f := InfluxQLCount; int(f) < len(influxqlSpecs); f++ {
		if influxqlSpecs[f].name == name {
			return f, true
		}
	}
	return 0, false
}

// DefaultAs returns the name of the output field when .as() is not set: the
// function's name, except that both Holt-Winters functions write "holtWinters".
func (f InfluxQLFunc) DefaultAs() string {
	s := f.spec()
	if s == nil {
		return ""
	}
	if s.as != "" {
		return s.as
	}
	return s.name
}

// ResultType returns the type of the values f produces from a field of type
// in, and false when f does not accept that type (the node then logs an
// error and drops the data).
func (f InfluxQLFunc) ResultType(in stdlib.Type) (stdlib.Type, bool) {
	s := f.spec()
	if s == nil || in > stdlib.TypeBool {
		return stdlib.TypeMissing, false
	}
	t := s.result[in]
	return t, t != stdlib.TypeMissing
}

// IsTransform reports whether f emits one value per input point (elapsed,
// difference, movingAverage, cumulativeSum); such a function keeps the kind
// of its input edge.
func (f InfluxQLFunc) IsTransform() bool {
	s := f.spec()
	return s != nil && s.role == roleTransform
}

// IsSelector reports whether f selects one input point and passes on its
// tags and fields (first, last, min, max, percentile).
func (f InfluxQLFunc) IsSelector() bool {
	s := f.spec()
	return s != nil && s.role == roleSelector
}

// ProvidesBatch reports whether f's node emits batches, given whether its
// input edge carries batches: distinct, top, bottom and the Holt-Winters
// functions always do, transforms keep their input edge, the others emit points.
func (f InfluxQLFunc) ProvidesBatch(batchInput bool) bool {
	s := f.spec()
	if s == nil {
		return false
	}
	if s.role == roleTransform {
		return batchInput
	}
	return s.batchOut
}

// InfluxQLConfig configures an InfluxQL function node. Only the arguments of
// the chosen function are read; the others stay zero.
type InfluxQLConfig struct {
	Func          InfluxQLFunc
	Field         string // the input field
	As            string // the output field; "" means Func.DefaultAs()
	UsePointTimes bool   // .usePointTimes(): selectors keep the selected point's time
	BatchInput    bool   // the input edge carries batches (else points)

	Percentile    float64       // percentile(field, p)
	N             int64         // top(n, ...) and bottom(n, ...): how many points to keep, > 0
	FieldsAndTags []string      // top and bottom: the extra field and tag names of the call
	Unit          time.Duration // elapsed(field, unit), > 0
	Window        int64         // movingAverage(field, window), > 0
	H             int64         // holtWinters: how many values to forecast
	M             int64         // holtWinters: the season length (< 2: no season)
	Interval      time.Duration // holtWinters: the spacing of the points, > 0
}

// ProvidesBatch reports whether the node emits batches (else points).
func (c InfluxQLConfig) ProvidesBatch() bool { return c.Func.ProvidesBatch(c.BatchInput) }

// Validate reports a configuration the node cannot run: an unknown function
// or an argument out of range. A node built from an invalid configuration
// logs the error for every message it receives and drops the data.
func (c InfluxQLConfig) Validate() error {
	if c.Func.spec() == nil {
		return fmt.Errorf("unknown InfluxQL function %d", uint8(c.Func))
	}
	if c.Field == "" {
		return fmt.Errorf("%s: the field name must not be empty", c.Func)
	}
	switch c.Func {
	case InfluxQLTop, InfluxQLBottom:
		if c.N <= 0 {
			return fmt.Errorf("%s: the number of points must be positive, got %d", c.Func, c.N)
		}
	case InfluxQLElapsed:
		if c.Unit <= 0 {
			return fmt.Errorf("elapsed: the unit must be positive, got %v", c.Unit)
		}
	case InfluxQLMovingAverage:
		if c.Window <= 0 {
			return fmt.Errorf("movingAverage: the window must be positive, got %d", c.Window)
		}
	case InfluxQLHoltWinters, InfluxQLHoltWintersWithFit:
		if c.Interval <= 0 {
			return fmt.Errorf("%s: the interval must be positive, got %v", c.Func, c.Interval)
		}
	}
	return nil
}

// InfluxQL is the node of the InfluxQL functions. On a batch edge each batch
// is one reduction. On a stream edge the consecutive points of a group that
// share a time are one reduction, emitted when a point with another time
// arrives (so the last one waits). Transforms emit as each point arrives.
type InfluxQL struct {
	Base
	cfg       InfluxQLConfig
	spec      *influxqlSpec
	as        string
	pointTime bool  // output times come from the reduced points when they have one
	invalid   error // the configuration error, if any
	// floatReduce: the node reduces batches of float values straight from
	// a window's buffer (floatWindow).
	floatReduce bool
	groups      map[GroupID]*influxqlGroup
	recent      groupCache[influxqlGroup] // finds groups by the identity of their id string first
	dims        sharedDims                // the groupings of the groups
}

// influxqlGroup is the state of one group. A reduction starts with no
// reducer; the type of the field in its first point picks one.
type influxqlGroup struct {
	name string // measurement of the output
	time int64  // time of the current reduction (bucket time or batch TMax)
	tags Tags   // the group's tags
	dims *Dimensions
	// red is the reducer of the current reduction when active; when not, a
	// finished reducer that may be reset for the next one, or nil.
	red    reducer
	kind   stdlib.Type // the field type red was made for
	active bool        // red belongs to the current reduction
	known  bool        // tags and dims are set (a group a barrier made has none yet)
}

// current returns the reducer of the current reduction, or nil.
func (g *influxqlGroup) current() reducer {
	if g.active {
		return g.red
	}
	return nil
}

// finish ends the group's current reduction; a reducer that can be reset is
// kept for the next one, so that windows of a steady stream reuse it.
func (g *influxqlGroup) finish() {
	if _, ok := g.red.(resetter); !ok {
		g.red = nil
	}
	g.active = false
}

// start begins a reduction of values of type kind with a reducer of n's
// function: the group's spare one when it can be reset.
func (n *InfluxQL) start(g *influxqlGroup, kind stdlib.Type) {
	if r, ok := g.red.(resetter); ok && !g.active {
		r.reset(kind)
	} else {
		g.red = newReducer(n.cfg, kind)
	}
	g.kind, g.active = kind, true
}

// NewInfluxQL returns the node of one InfluxQL function call.
func NewInfluxQL(t *Task, info NodeInfo, cfg InfluxQLConfig) *InfluxQL {
	n := &InfluxQL{
		Base:    Base{Task: t, Info: info},
		cfg:     cfg,
		invalid: cfg.Validate(),
		groups:  make(map[GroupID]*influxqlGroup),
	}
	if n.invalid != nil {
		return n
	}
	n.spec = cfg.Func.spec()
	n.as = cfg.As
	if n.as == "" {
		n.as = cfg.Func.DefaultAs()
	}
	switch cfg.Func {
	case InfluxQLCount, InfluxQLSum, InfluxQLMean, InfluxQLSpread:
		n.floatReduce = cfg.BatchInput
	}
	n.pointTime = cfg.UsePointTimes || n.spec.role == roleTransform ||
		cfg.Func == InfluxQLHoltWinters || cfg.Func == InfluxQLHoltWintersWithFit
	return n
}

// group returns the state of group id, creating it with the name and time of
// the message that revealed it.
func (n *InfluxQL) group(id GroupID, name string, t int64) *influxqlGroup {
	if g := n.recent.get(id); g != nil {
		return g
	}
	g, ok := n.groups[id]
	if !ok {
		g = &influxqlGroup{name: name, time: t}
		n.groups[id] = g
	}
	n.recent.put(id, g, len(n.groups))
	return g
}

// Point reduces p into its group's current time bucket, or transforms it.
func (n *InfluxQL) Point(p Point) {
	n.PointsIn++
	if n.invalid != nil {
		n.Error(n.invalid)
		return
	}
	g := n.group(p.Group, p.Name, p.Time)
	if !g.known {
		g.tags, g.dims, g.known = groupTags(p.Tags, p.Dimensions), n.dims.get(p.Dimensions), true
	}
	s := sample{time: p.Time, tags: p.Tags, fields: p.Fields}
	if n.spec.role == roleTransform {
		if !n.add(g, s) {
			return
		}
		if r, ok := n.single(g); ok {
			n.EmitPoint(n.transformPoint(p.Group, g, r))
		}
		return
	}
	if p.Time != g.time {
		if g.active {
			n.emit(p.Group, g)
		}
		g.finish()
		g.name, g.time = p.Name, p.Time
	}
	n.add(g, s)
}

// Batch reduces b as a whole, or transforms each of its points.
func (n *InfluxQL) Batch(b Batch) {
	n.PointsIn++
	if n.invalid != nil {
		n.Error(n.invalid)
		return
	}
	g := n.group(b.Group, b.Name, b.TMax)
	if !g.known {
		g.tags, g.dims, g.known = b.Tags, n.dims.get(b.Dimensions), true
	}
	g.finish()
	g.time = b.TMax
	if n.spec.role == roleTransform {
		n.transformBatch(g, b)
		return
	}
	size := 0
	for _, bp := range b.Points {
		if n.add(g, sample{time: bp.Time, tags: bp.Tags, fields: bp.Fields}) {
			size++
		}
	}
	if size == 0 && !n.spec.emptyOK {
		return
	}
	if !g.active {
		// Nothing told the field's type: count and sum reduce as floats.
		n.start(g, stdlib.TypeFloat)
	}
	n.emit(b.Group, g)
}

// floatWindow reduces a window straight from its buffer, as Batch would
// reduce the window's batch, for the functions whose result needs only the
// values (count, sum, mean and spread): it implements floatWindowReceiver.
func (n *InfluxQL) floatWindow(w floatWindow) bool {
	if !n.floatReduce || (len(w.points) > 0 && w.key != n.cfg.Field) {
		return false
	}
	n.PointsIn++
	g := n.group(w.group, w.name, w.tmax)
	if !g.known {
		g.tags, g.dims, g.known = w.tags, n.dims.get(w.dims), true
	}
	g.finish()
	g.time = w.tmax
	if len(w.points) == 0 && !n.spec.emptyOK {
		return true
	}
	n.emitPoint(w.group, g, reduceFloats(n.cfg.Func, w.points))
	return true
}

// reduceFloats returns the result of count, sum, mean or spread over a
// window's float values: the value and time the reducers of influxql_reduce.go
// give, computed in the same order.
func reduceFloats(f InfluxQLFunc, pts []floatPoint) result {
	switch f {
	case InfluxQLCount:
		if len(pts) == 0 {
			return result{time: 0, value: stdlib.Int(0)}
		}
		return result{time: noTime, value: stdlib.Int(int64(len(pts)))}
	case InfluxQLSum:
		var sum float64
		for _, p := range pts {
			sum += p.v
		}
		return result{time: 0, value: stdlib.Float(sum)}
	case InfluxQLMean:
		var sum float64
		for _, p := range pts {
			sum += p.v
		}
		return result{time: noTime, value: stdlib.Float(sum / float64(uint32(len(pts))))}
	default: // InfluxQLSpread
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range pts {
			lo, hi = math.Min(lo, p.v), math.Max(hi, p.v)
		}
		return result{time: noTime, value: stdlib.Float(hi - lo)}
	}
}

// Barrier passes the barrier on. Like Kapacitor it makes the group known (with
// an empty name and the barrier's time) but flushes nothing.
func (n *InfluxQL) Barrier(id GroupID, t int64) {
	n.group(id, "", t)
	n.EmitBarrier(id, t)
}

// DeleteGroup releases the group's state and passes the deletion on; the
// deletion of a group the node never saw goes no further.
func (n *InfluxQL) DeleteGroup(id GroupID) {
	if _, ok := n.groups[id]; !ok {
		return
	}
	delete(n.groups, id)
	n.recent.forget()
	n.EmitDeleteGroup(id)
}

// Done passes the end of input on. A pending stream bucket is not flushed:
// Kapacitor emits a bucket only when a newer point arrives.
func (n *InfluxQL) Done() { n.EmitDone() }

// add feeds one point to the group's reducer, making the reducer from the
// point's field type first if needed. It reports false when no reducer could
// be made (the field is missing or of a type the function does not take);
// errors are logged and the point is dropped.
func (n *InfluxQL) add(g *influxqlGroup, s sample) bool {
	v := s.fields.Get(n.cfg.Field)
	if !g.active {
		if v.IsMissing() {
			n.Error(fmt.Errorf("field %q missing from point", n.cfg.Field))
			return false
		}
		if _, ok := n.cfg.Func.ResultType(v.Type()); !ok {
			n.Error(fmt.Errorf("cannot apply %s to %s field %q", n.cfg.Func, v.Type(), n.cfg.Field))
			return false
		}
		n.start(g, v.Type())
	}
	switch {
	case v.IsMissing():
		n.Error(fmt.Errorf("field %q missing from point, cannot aggregate", n.cfg.Field))
	case v.Type() != g.kind:
		n.Error(fmt.Errorf("field %q has wrong type: got %s, want %s", n.cfg.Field, v.Type(), g.kind))
	default:
		s.value = v
		g.red.add(s)
	}
	return true
}

// single returns the reducer's result when it emits exactly one value, as
// every function with a stream output must.
func (n *InfluxQL) single(g *influxqlGroup) (result, bool) {
	rs := g.red.emit()
	if len(rs) != 1 {
		return result{}, false
	}
	return rs[0], true
}

// outTime is the time of one result: the reduced point's own time when the
// node uses point times and the result has one, else the reduction's time.
func (n *InfluxQL) outTime(g *influxqlGroup, r result) int64 {
	if n.pointTime && r.time != noTime {
		return r.time
	}
	return g.time
}

// emit sends the result of the group's reduction: one point, or a batch for
// the functions with a batch output.
func (n *InfluxQL) emit(id GroupID, g *influxqlGroup) {
	if n.spec.batchOut {
		n.EmitBatch(n.resultBatch(id, g, g.red.emit()))
		return
	}
	r, ok := n.single(g)
	if !ok {
		return
	}
	n.emitPoint(id, g, r)
}

// emitPoint sends the point of one result of the group's reduction.
func (n *InfluxQL) emitPoint(id GroupID, g *influxqlGroup, r result) {
	p := Point{Name: g.name, Time: n.outTime(g, r), Group: id, Dimensions: n.dims.value(g.dims)}
	if n.spec.role == roleSelector {
		// The selected point goes on whole, its field renamed to as.
		p.Tags, p.Fields = r.sel.tags, r.sel.fields
		if n.as != n.cfg.Field {
			p.Fields = p.Fields.With(n.as, p.Fields.Get(n.cfg.Field)).Without(n.cfg.Field)
		}
	} else {
		p.Tags, p.Fields = g.tags, Fields{{Key: n.as, Value: r.value}}
	}
	n.EmitPoint(p)
}

// resultBatch builds the batch of a batch-output function. Each point carries
// the group's tags plus the tags of the input point it came from (top,
// bottom); the batch's time is raised to its latest point.
func (n *InfluxQL) resultBatch(id GroupID, g *influxqlGroup, rs []result) Batch {
	b := Batch{Name: g.name, TMax: g.time, Group: id, Dimensions: n.dims.value(g.dims), Tags: g.tags}
	if len(rs) > 0 {
		b.Points = make([]BatchPoint, len(rs))
	}
	for i, r := range rs {
		t := n.outTime(g, r)
		b.Points[i] = BatchPoint{Time: t, Fields: Fields{{Key: n.as, Value: r.value}}, Tags: mergeTags(g.tags, r.tags)}
		if t > b.TMax {
			b.TMax = t
		}
	}
	return b
}

// transformPoint builds the point a transform emits for one input point.
func (n *InfluxQL) transformPoint(id GroupID, g *influxqlGroup, r result) Point {
	return Point{
		Name:       g.name,
		Time:       n.outTime(g, r),
		Group:      id,
		Dimensions: n.dims.value(g.dims),
		Tags:       g.tags,
		Fields:     Fields{{Key: n.as, Value: r.value}},
	}
}

// transformBatch transforms the points of b with a fresh reducer (Kapacitor
// does not carry a transform's state from one batch to the next) and emits
// the batch of results, empty or not, with b's name, time and tags.
func (n *InfluxQL) transformBatch(g *influxqlGroup, b Batch) {
	out := Batch{Name: b.Name, TMax: b.TMax, Group: b.Group, Dimensions: b.Dimensions, Tags: b.Tags}
	for _, bp := range b.Points {
		if !n.add(g, sample{time: bp.Time, tags: bp.Tags, fields: bp.Fields}) {
			continue
		}
		if r, ok := n.single(g); ok {
			out.Points = append(out.Points, BatchPoint{
				Time:   n.outTime(g, r),
				Fields: Fields{{Key: n.as, Value: r.value}},
				Tags:   g.tags,
			})
		}
	}
	n.EmitBatch(out)
}

// groupTags returns the group's tags of a point: the value of every dimension
// tag, "" for those the point lacks.
func groupTags(tags Tags, dims Dimensions) Tags {
	if len(dims.TagNames) == 0 {
		return nil
	}
	out := make(Tags, 0, len(dims.TagNames))
	for _, k := range dims.TagNames {
		v, _ := tags.Get(k)
		out = append(out, Tag{Key: k, Value: v})
	}
	return out
}

// mergeTags returns base with the tags of extra added or overriding; base
// itself when extra is empty.
func mergeTags(base, extra Tags) Tags {
	if len(extra) == 0 {
		return base
	}
	out := make(Tags, 0, len(base)+len(extra))
	i, j := 0, 0
	for i < len(base) && j < len(extra) {
		switch {
		case base[i].Key < extra[j].Key:
			out = append(out, base[i])
			i++
		case base[i].Key > extra[j].Key:
			out = append(out, extra[j])
			j++
		default:
			out = append(out, extra[j])
			i++
			j++
		}
	}
	out = append(out, base[i:]...)
	return append(out, extra[j:]...)
}
