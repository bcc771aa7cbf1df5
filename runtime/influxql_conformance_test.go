package runtime

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// These tests run the InfluxQL node on the inputs of Kapacitor's integration
// cases and compare what an httpOut after it would serve with the case's
// expected.json. The nodes around the InfluxQL function in a case's script
// (from, where, groupBy, window) are played by small helpers below.

// iqlSink is a child that keeps, like an httpOut node, the last point or
// batch of each group, rendered as a row, in the order the groups appeared.
type iqlSink struct {
	order    []GroupID
	rows     map[GroupID]*Row
	points   []Point
	batches  []Batch
	barriers int
	deletes  []GroupID
	done     int
}

func newIQLSink() *iqlSink { return &iqlSink{rows: make(map[GroupID]*Row)} }

func (s *iqlSink) keep(g GroupID, r *Row) {
	if _, ok := s.rows[g]; !ok {
		s.order = append(s.order, g)
	}
	s.rows[g] = r
}

func (s *iqlSink) Point(p Point)          { s.points = append(s.points, p); s.keep(p.Group, PointRow(p)) }
func (s *iqlSink) Batch(b Batch)          { s.batches = append(s.batches, b); s.keep(b.Group, BatchRow(b)) }
func (s *iqlSink) Barrier(GroupID, int64) { s.barriers++ }
func (s *iqlSink) DeleteGroup(g GroupID)  { s.deletes = append(s.deletes, g) }
func (s *iqlSink) Done()                  { s.done++ }
func (s *iqlSink) result(keep func(*Row) bool) Result {
	var res Result
	for _, g := range s.order {
		if r := s.rows[g]; keep == nil || keep(r) {
			res.Series = append(res.Series, r)
		}
	}
	return res
}

// iqlNode returns a node for cfg with a sink below it.
func iqlNode(cfg InfluxQLConfig) (*InfluxQL, *iqlSink) {
	n := NewInfluxQL(&Task{Name: "test"}, NodeInfo{Name: cfg.Func.String() + "1", Pos: "test.tick:1:1"}, cfg)
	s := newIQLSink()
	n.AddChild(s)
	return n, s
}

// iqlCase returns the directory of a conformance case, skipping the test when
// the shared corpus is not next to the repository.
func iqlCase(t *testing.T, kind, name string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "conformance", "cases", kind, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance case %s/%s not available (%v)", kind, name, err)
	}
	return dir
}

// iqlStream reads a case's input.srpl.
func iqlStream(t *testing.T, dir string) []Point {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "input.srpl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pts, err := ReadStreamRecording(f, "input.srpl", 0)
	if err != nil {
		t.Fatal(err)
	}
	return pts
}

// iqlBatches reads a case's input.0.brpl.
func iqlBatches(t *testing.T, dir string) []Batch {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "input.0.brpl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bs, err := ReadBatchRecording(f, "input.0.brpl")
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

// iqlCheck compares res with the case's expected.json, as decoded JSON.
func iqlCheck(t *testing.T, dir string, res Result) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := res.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w, g) {
		t.Errorf("result differs\n got: %s\nwant: %s", got, strings.TrimSpace(string(want)))
	}
}

// iqlSelect keeps the points of measurement name (any when "") whose tag key
// has value val (any when key is ""), grouped by dims, as |from() does.
func iqlSelect(pts []Point, name, key, val string, dims ...string) []Point {
	var out []Point
	for _, p := range pts {
		if name != "" && p.Name != name {
			continue
		}
		if key != "" {
			if v, _ := p.Tags.Get(key); v != val {
				continue
			}
		}
		out = append(out, iqlRegroup(p, dims...))
	}
	return out
}

// iqlRegroup returns p grouped by dims (sorted tag names).
func iqlRegroup(p Point, dims ...string) Point {
	p.Dimensions = Dimensions{TagNames: dims}
	p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions)
	return p
}

// iqlWindows cuts each group's points into the tumbling windows of
// |window().period(d).every(d) (aligned to d with align): a group's first
// window ends at its first point's time + d, a window is emitted when a point
// at or after its end arrives, and the next one ends at that point's time + d.
// Batches carry the group's tags and tmax = the window's end.
func iqlWindows(pts []Point, d time.Duration, align bool) []Batch {
	type win struct {
		end int64
		b   Batch
	}
	period := int64(d)
	endAfter := func(t int64) int64 {
		if align {
			return t - t%period + period
		}
		return t + period
	}
	wins := make(map[GroupID]*win)
	var out []Batch
	for _, p := range pts {
		w, ok := wins[p.Group]
		if !ok {
			w = &win{end: endAfter(p.Time)}
			wins[p.Group] = w
		}
		if p.Time >= w.end {
			w.b.TMax = w.end
			out = append(out, w.b)
			w.end = endAfter(p.Time)
			w.b = Batch{}
		}
		w.b.Name, w.b.Group, w.b.Dimensions = p.Name, p.Group, p.Dimensions
		w.b.Tags = groupTags(p.Tags, p.Dimensions)
		w.b.Points = append(w.b.Points, BatchPoint{Time: p.Time, Fields: p.Fields, Tags: p.Tags})
	}
	return out
}

// iqlFilterBatch keeps the points of b for which keep holds, as |where() does.
func iqlFilterBatch(b Batch, keep func(BatchPoint) bool) Batch {
	var pts []BatchPoint
	for _, p := range b.Points {
		if keep(p) {
			pts = append(pts, p)
		}
	}
	b.Points = pts
	return b
}

// iqlTable is the function column of TestStream_InfluxQL_{Float,Integer}:
// entry i is the function of case i.
var iqlTable = []InfluxQLConfig{
	{Func: InfluxQLSum},
	{Func: InfluxQLCount},
	{Func: InfluxQLDistinct},
	{Func: InfluxQLMean},
	{Func: InfluxQLMedian},
	{Func: InfluxQLMode},
	{Func: InfluxQLMin, UsePointTimes: true},
	{Func: InfluxQLMin},
	{Func: InfluxQLMax, UsePointTimes: true},
	{Func: InfluxQLMax},
	{Func: InfluxQLSpread},
	{Func: InfluxQLStddev},
	{Func: InfluxQLFirst, UsePointTimes: true},
	{Func: InfluxQLFirst},
	{Func: InfluxQLLast, UsePointTimes: true},
	{Func: InfluxQLLast},
	{Func: InfluxQLPercentile, Percentile: 50},
	{Func: InfluxQLTop, N: 2, UsePointTimes: true},
	{Func: InfluxQLTop, N: 2},
	{Func: InfluxQLBottom, N: 3, UsePointTimes: true},
	{Func: InfluxQLBottom, N: 3},
}

// iqlTextTable is the function column of TestStream_InfluxQL_{String,Boolean}.
var iqlTextTable = []InfluxQLConfig{
	{Func: InfluxQLCount},
	{Func: InfluxQLDistinct},
	{Func: InfluxQLFirst, UsePointTimes: true},
	{Func: InfluxQLFirst},
	{Func: InfluxQLLast, UsePointTimes: true},
	{Func: InfluxQLLast},
}

// runInfluxQLTableCase runs one case of the InfluxQL tables:
//
//	stream|from().measurement('cpu').where(lambda: "host" == 'serverA').groupBy('host')
//	      |window().period(10s).every(10s) |FUNC('value', ...) |httpOut(...)
func runInfluxQLTableCase(t *testing.T, name string, cfg InfluxQLConfig) {
	dir := iqlCase(t, "stream", name)
	cfg.Field = "value"
	cfg.BatchInput = true
	n, sink := iqlNode(cfg)
	for _, b := range iqlWindows(iqlSelect(iqlStream(t, dir), "cpu", "host", "serverA", "host"), 10*time.Second, false) {
		n.Batch(b)
	}
	iqlCheck(t, dir, sink.result(nil))
	if n.Errors != 0 {
		t.Errorf("%d errors", n.Errors)
	}
}

func TestInfluxQLConformanceTables(t *testing.T) {
	floatNames := []string{"sum", "count", "distinct", "mean", "median", "mode", "min", "min", "max", "max",
		"spread", "stddev", "first", "first", "last", "last", "percentile", "top", "top", "bottom", "bottom"}
	for i, cfg := range iqlTable {
		name := fmt.Sprintf("TestStream_InfluxQL_Float__%s-%d", floatNames[i], i)
		t.Run(name, func(t *testing.T) { runInfluxQLTableCase(t, name, cfg) })
		name = fmt.Sprintf("TestStream_InfluxQL_Integer_%02d", i)
		t.Run(name, func(t *testing.T) { runInfluxQLTableCase(t, name, cfg) })
	}
	for i, cfg := range iqlTextTable {
		for _, kind := range []string{"String", "Boolean"} {
			name := fmt.Sprintf("TestStream_InfluxQL_%s_%02d", kind, i)
			t.Run(name, func(t *testing.T) { runInfluxQLTableCase(t, name, cfg) })
		}
	}
}

// TestStream_Selectors: last('value') over ungrouped windows passes on the
// selected point's tags and all its fields.
func TestInfluxQLConformanceSelectors(t *testing.T) {
	dir := iqlCase(t, "stream", "TestStream_Selectors")
	n, sink := iqlNode(InfluxQLConfig{Func: InfluxQLLast, Field: "value", BatchInput: true})
	for _, b := range iqlWindows(iqlSelect(iqlStream(t, dir), "cpu", "host", "serverA"), 10*time.Second, false) {
		n.Batch(b)
	}
	iqlCheck(t, dir, sink.result(nil))
}

// TestStream_TopSelector: last per (game, player) window, regrouped by game,
// then top(5, 'last', 'player') over the points that share a time.
func TestInfluxQLConformanceTopSelector(t *testing.T) {
	dir := iqlCase(t, "stream", "TestStream_TopSelector")
	last, lastOut := iqlNode(InfluxQLConfig{Func: InfluxQLLast, Field: "value", BatchInput: true})
	for _, b := range iqlWindows(iqlSelect(iqlStream(t, dir), "scores", "", "", "game", "player"), 2*time.Second, true) {
		last.Batch(b)
	}
	top, sink := iqlNode(InfluxQLConfig{Func: InfluxQLTop, Field: "last", N: 5, FieldsAndTags: []string{"player"}})
	for _, p := range lastOut.points {
		top.Point(iqlRegroup(p, "game"))
	}
	iqlCheck(t, dir, sink.result(nil))
}

// TestStream_HoltWintersWithFit: the fitted values and three forecasts per
// host window; the case keeps serverA's.
func TestInfluxQLConformanceHoltWintersWithFit(t *testing.T) {
	dir := iqlCase(t, "stream", "TestStream_HoltWintersWithFit")
	n, sink := iqlNode(InfluxQLConfig{Func: InfluxQLHoltWintersWithFit, Field: "value", H: 3, M: 0, Interval: time.Second, BatchInput: true})
	for _, b := range iqlWindows(iqlSelect(iqlStream(t, dir), "packets", "", "", "host"), 10*time.Second, false) {
		n.Batch(b)
	}
	iqlCheck(t, dir, sink.result(func(r *Row) bool { return r.Tags["host"] == "serverA" }))
}

// TestStream_MovingAverage: movingAverage('value', 4) on the stream, then a window.
func TestInfluxQLConformanceStreamMovingAverage(t *testing.T) {
	dir := iqlCase(t, "stream", "TestStream_MovingAverage")
	n, out := iqlNode(InfluxQLConfig{Func: InfluxQLMovingAverage, Field: "value", Window: 4})
	for _, p := range iqlSelect(iqlStream(t, dir), "packets", "", "") {
		n.Point(p)
	}
	sink := newIQLSink()
	for _, b := range iqlWindows(out.points, 10*time.Second, false) {
		sink.Batch(b)
	}
	iqlCheck(t, dir, sink.result(nil))
}

// TestStream_Elapsed: elapsed('value', 1s) on the stream, a window, then max.
func TestInfluxQLConformanceStreamElapsed(t *testing.T) {
	dir := iqlCase(t, "stream", "TestStream_Elapsed")
	n, out := iqlNode(InfluxQLConfig{Func: InfluxQLElapsed, Field: "value", Unit: time.Second})
	for _, p := range iqlSelect(iqlStream(t, dir), "packets", "", "") {
		n.Point(p)
	}
	maxNode, sink := iqlNode(InfluxQLConfig{Func: InfluxQLMax, Field: "elapsed", BatchInput: true})
	for _, b := range iqlWindows(out.points, 10*time.Second, false) {
		maxNode.Batch(b)
	}
	iqlCheck(t, dir, sink.result(nil))
}

// TestStream_Aggregate_Changing_Type: count over windows a where filters,
// one of which it empties (count then emits 0).
func TestInfluxQLConformanceChangingType(t *testing.T) {
	dir := iqlCase(t, "stream", "TestStream_Aggregate_Changing_Type")
	n, sink := iqlNode(InfluxQLConfig{Func: InfluxQLCount, Field: "value", BatchInput: true})
	for _, b := range iqlWindows(iqlSelect(iqlStream(t, dir), "m", "", ""), 10*time.Second, false) {
		n.Batch(iqlFilterBatch(b, func(p BatchPoint) bool { return p.Fields.Get("c").Bool() }))
	}
	iqlCheck(t, dir, sink.result(nil))
	if len(sink.points) != 2 || sink.points[0].Fields.Get("count") != stdlib.Int(0) {
		t.Errorf("want count 0 for the emptied window, then 1; got %v", sink.points)
	}
}

// TestStream_InfluxQLNodeMissingValue_Stream: mean of a field only one point
// has; the others are errors, and the bucket of that point's time is emitted
// when the next time arrives.
func TestInfluxQLConformanceMissingValueStream(t *testing.T) {
	dir := iqlCase(t, "stream", "TestStream_InfluxQLNodeMissingValue_Stream")
	n, sink := iqlNode(InfluxQLConfig{Func: InfluxQLMean, Field: "is_missing_value"})
	for _, p := range iqlSelect(iqlStream(t, dir), "packets", "", "") {
		n.Point(p)
	}
	iqlCheck(t, dir, sink.result(nil))
	if n.Errors == 0 {
		t.Error("want errors for the points without the field")
	}
}

// TestStream_InfluxQLNodeMissingValue_Batch: after derivative('value') (which
// drops the point without "value") no point has the field: nothing is emitted.
func TestInfluxQLConformanceMissingValueBatch(t *testing.T) {
	dir := iqlCase(t, "stream", "TestStream_InfluxQLNodeMissingValue_Batch")
	var pts []Point
	for _, p := range iqlSelect(iqlStream(t, dir), "packets", "", "") {
		if !p.Fields.Get("value").IsMissing() {
			pts = append(pts, p)
		}
	}
	n, sink := iqlNode(InfluxQLConfig{Func: InfluxQLMean, Field: "is_missing_value", BatchInput: true})
	for _, b := range iqlWindows(pts, 10*time.Second, false) {
		n.Batch(b)
	}
	iqlCheck(t, dir, sink.result(nil))
}

// The batch transforms restart with each batch.
func TestInfluxQLConformanceBatchTransforms(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  InfluxQLConfig
	}{
		{"TestBatch_CumulativeSum", InfluxQLConfig{Func: InfluxQLCumulativeSum}},
		{"TestBatch_MovingAverage", InfluxQLConfig{Func: InfluxQLMovingAverage, Window: 2}},
		{"TestBatch_Elapsed", InfluxQLConfig{Func: InfluxQLElapsed, Unit: time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := iqlCase(t, "batch", tc.name)
			tc.cfg.Field, tc.cfg.BatchInput = "value", true
			n, sink := iqlNode(tc.cfg)
			for _, b := range iqlBatches(t, dir) {
				n.Batch(b)
			}
			iqlCheck(t, dir, sink.result(nil))
		})
	}
}

// TestBatch_CountEmptyBatch and TestBatch_SumEmptyBatch: a where empties
// every batch; count and sum still emit 0.
func TestInfluxQLConformanceEmptyBatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   InfluxQLFunc
	}{
		{"TestBatch_CountEmptyBatch", InfluxQLCount},
		{"TestBatch_SumEmptyBatch", InfluxQLSum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := iqlCase(t, "batch", tc.name)
			n, sink := iqlNode(InfluxQLConfig{Func: tc.fn, Field: "mean", BatchInput: true})
			for _, b := range iqlBatches(t, dir) {
				n.Batch(iqlFilterBatch(b, func(p BatchPoint) bool { return p.Fields.Get("mean").Float() < 10 }))
			}
			iqlCheck(t, dir, sink.result(nil))
		})
	}
}

// TestBatch_SimpleMR: count per batch, a 20s window of the counts, then sum.
func TestInfluxQLConformanceSimpleMR(t *testing.T) {
	dir := iqlCase(t, "batch", "TestBatch_SimpleMR")
	count, counts := iqlNode(InfluxQLConfig{Func: InfluxQLCount, Field: "mean", BatchInput: true})
	for _, b := range iqlBatches(t, dir) {
		count.Batch(b)
	}
	sum, sink := iqlNode(InfluxQLConfig{Func: InfluxQLSum, Field: "count", BatchInput: true})
	for _, b := range iqlWindows(counts.points, 20*time.Second, false) {
		sum.Batch(b)
	}
	iqlCheck(t, dir, sink.result(nil))
}
