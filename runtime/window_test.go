package runtime

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// runWindow feeds msgs (Points, or windowBarrier/windowDelete) to a window
// with cfg and returns what it emitted.
func runWindow(t *testing.T, cfg WindowConfig, msgs ...any) (*Window, *sink) {
	t.Helper()
	n := NewWindow(nil, NodeInfo{Name: "window1"}, cfg)
	r := &sink{}
	n.AddChild(r)
	for _, m := range msgs {
		switch m := m.(type) {
		case Point:
			n.Point(m)
		case windowBarrier:
			n.Barrier(m.g, secs(m.t))
		case windowDelete:
			n.DeleteGroup(GroupID(m))
		default:
			t.Fatalf("unknown message %T", m)
		}
	}
	return n, r
}

type windowBarrier struct {
	g GroupID
	t float64
}

type windowDelete GroupID

// vpt is a point of group host=h (grouped by host) with value v at second s.
func vpt(s float64, h string, v float64) Point {
	return mkPoint(s, mkTags("host="+h), mkFields("value", v), "host")
}

func TestWindowByTime(t *testing.T) {
	seq := func(from, to float64) []any {
		var out []any
		for s := from; s <= to; s++ {
			out = append(out, vpt(s, "a", s))
		}
		return out
	}
	tests := []struct {
		name string
		cfg  WindowConfig
		in   []any
		want []string
	}{
		{
			"tumbling window emits [emit-period, emit) when a point reaches the emit time",
			WindowConfig{Period: 3 * time.Second, Every: 3 * time.Second},
			seq(1, 8),
			[]string{
				`batch cpu "host=a" 4s {host=a} [1s {host=a} {value=1}; 2s {host=a} {value=2}; 3s {host=a} {value=3}]`,
				`batch cpu "host=a" 7s {host=a} [4s {host=a} {value=4}; 5s {host=a} {value=5}; 6s {host=a} {value=6}]`,
			},
		},
		{
			"overlapping window keeps the last period",
			WindowConfig{Period: 3 * time.Second, Every: 2 * time.Second},
			seq(1, 6),
			[]string{
				`batch cpu "host=a" 3s {host=a} [1s {host=a} {value=1}; 2s {host=a} {value=2}]`,
				`batch cpu "host=a" 5s {host=a} [2s {host=a} {value=2}; 3s {host=a} {value=3}; 4s {host=a} {value=4}]`,
			},
		},
		{
			"after a gap the next emit counts from the closing point",
			WindowConfig{Period: 2 * time.Second, Every: 2 * time.Second},
			[]any{vpt(0, "a", 0), vpt(1, "a", 1), vpt(9, "a", 9), vpt(15, "a", 15)},
			[]string{
				`batch cpu "host=a" 2s {host=a} [0s {host=a} {value=0}; 1s {host=a} {value=1}]`,
				`batch cpu "host=a" 11s {host=a} [9s {host=a} {value=9}]`,
			},
		},
		{
			"align truncates emit times to every",
			WindowConfig{Period: 2 * time.Second, Every: 2 * time.Second, Align: true},
			seq(1, 6),
			[]string{
				`batch cpu "host=a" 2s {host=a} [1s {host=a} {value=1}]`,
				`batch cpu "host=a" 4s {host=a} [2s {host=a} {value=2}; 3s {host=a} {value=3}]`,
				`batch cpu "host=a" 6s {host=a} [4s {host=a} {value=4}; 5s {host=a} {value=5}]`,
			},
		},
		{
			"fillPeriod waits for a full period",
			WindowConfig{Period: 4 * time.Second, Every: 2 * time.Second, FillPeriod: true},
			seq(1, 8),
			[]string{
				`batch cpu "host=a" 5s {host=a} [1s {host=a} {value=1}; 2s {host=a} {value=2}; 3s {host=a} {value=3}; 4s {host=a} {value=4}]`,
				`batch cpu "host=a" 7s {host=a} [3s {host=a} {value=3}; 4s {host=a} {value=4}; 5s {host=a} {value=5}; 6s {host=a} {value=6}]`,
			},
		},
		{
			"fillPeriod with align emits at the first multiple of every after a full period",
			WindowConfig{Period: 3 * time.Second, Every: 2 * time.Second, FillPeriod: true, Align: true},
			seq(1, 7),
			[]string{
				`batch cpu "host=a" 6s {host=a} [3s {host=a} {value=3}; 4s {host=a} {value=4}; 5s {host=a} {value=5}]`,
			},
		},
		{
			"every 0 emits (t-period, t] on every point",
			WindowConfig{Period: 2 * time.Second},
			seq(1, 4),
			[]string{
				`batch cpu "host=a" 1s {host=a} [1s {host=a} {value=1}]`,
				`batch cpu "host=a" 2s {host=a} [1s {host=a} {value=1}; 2s {host=a} {value=2}]`,
				`batch cpu "host=a" 3s {host=a} [2s {host=a} {value=2}; 3s {host=a} {value=3}]`,
				`batch cpu "host=a" 4s {host=a} [3s {host=a} {value=3}; 4s {host=a} {value=4}]`,
			},
		},
		{
			"every 0 with fillPeriod starts once a period has passed",
			WindowConfig{Period: 2 * time.Second, FillPeriod: true},
			seq(1, 4),
			[]string{
				`batch cpu "host=a" 3s {host=a} [2s {host=a} {value=2}; 3s {host=a} {value=3}]`,
				`batch cpu "host=a" 4s {host=a} [3s {host=a} {value=3}; 4s {host=a} {value=4}]`,
			},
		},
		{
			"groups window independently",
			WindowConfig{Period: 2 * time.Second, Every: 2 * time.Second},
			[]any{vpt(0, "a", 1), vpt(1, "b", 2), vpt(2, "a", 3), vpt(3, "b", 4)},
			[]string{
				`batch cpu "host=a" 2s {host=a} [0s {host=a} {value=1}]`,
				`batch cpu "host=b" 3s {host=b} [1s {host=b} {value=2}]`,
			},
		},
		{
			"a barrier at the emit time emits and is consumed",
			WindowConfig{Period: 2 * time.Second, Every: 2 * time.Second},
			[]any{vpt(0, "a", 1), vpt(1, "a", 2), windowBarrier{"host=a", 1.5}, windowBarrier{"host=a", 2.5}, vpt(3, "a", 3), vpt(4.5, "a", 4)},
			[]string{
				`batch cpu "host=a" 2s {host=a} [0s {host=a} {value=1}; 1s {host=a} {value=2}]`,
				`batch cpu "host=a" 4.5s {host=a} [3s {host=a} {value=3}]`,
			},
		},
		{
			"a barrier with every 0 emits the window ending at the barrier",
			WindowConfig{Period: 2 * time.Second},
			[]any{vpt(0, "a", 1), vpt(1, "a", 2), windowBarrier{"host=a", 2.5}},
			[]string{
				`batch cpu "host=a" 0s {host=a} [0s {host=a} {value=1}]`,
				`batch cpu "host=a" 1s {host=a} [0s {host=a} {value=1}; 1s {host=a} {value=2}]`,
				`batch cpu "host=a" 2.5s {host=a} [1s {host=a} {value=2}]`,
			},
		},
		{
			"a barrier starts the window of an unseen group",
			WindowConfig{Period: 2 * time.Second, Every: 2 * time.Second},
			[]any{windowBarrier{"host=a", 0}, vpt(1, "a", 1), vpt(2, "a", 2)},
			[]string{
				`batch barrier "host=a" 2s {host=a} [1s {host=a} {value=1}]`,
			},
		},
		{
			"delete drops the group's buffered points and is passed on",
			WindowConfig{Period: 2 * time.Second, Every: 2 * time.Second},
			[]any{vpt(0, "a", 1), windowDelete("host=a"), windowDelete("host=a"), vpt(1, "a", 2), vpt(3, "a", 3)},
			[]string{
				`delete "host=a"`,
				`batch cpu "host=a" 3s {host=a} [1s {host=a} {value=2}]`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, r := runWindow(t, tc.cfg, tc.in...)
			r.check(t, tc.want...)
		})
	}
}

func TestWindowByCount(t *testing.T) {
	seq := func(n int) []any {
		var out []any
		for i := 1; i <= n; i++ {
			out = append(out, vpt(float64(i), "a", float64(i)))
		}
		return out
	}
	tests := []struct {
		name string
		cfg  WindowConfig
		in   []any
		want []string
	}{
		{
			"tumbling count window, tmax is the last point's time",
			WindowConfig{PeriodCount: 2, EveryCount: 2},
			seq(5),
			[]string{
				`batch cpu "host=a" 2s {host=a} [1s {host=a} {value=1}; 2s {host=a} {value=2}]`,
				`batch cpu "host=a" 4s {host=a} [3s {host=a} {value=3}; 4s {host=a} {value=4}]`,
			},
		},
		{
			"overlapping count window emits partial windows first",
			WindowConfig{PeriodCount: 3, EveryCount: 1},
			seq(4),
			[]string{
				`batch cpu "host=a" 1s {host=a} [1s {host=a} {value=1}]`,
				`batch cpu "host=a" 2s {host=a} [1s {host=a} {value=1}; 2s {host=a} {value=2}]`,
				`batch cpu "host=a" 3s {host=a} [1s {host=a} {value=1}; 2s {host=a} {value=2}; 3s {host=a} {value=3}]`,
				`batch cpu "host=a" 4s {host=a} [2s {host=a} {value=2}; 3s {host=a} {value=3}; 4s {host=a} {value=4}]`,
			},
		},
		{
			"fillPeriod waits for a full count",
			WindowConfig{PeriodCount: 3, EveryCount: 2, FillPeriod: true},
			seq(5),
			[]string{
				`batch cpu "host=a" 3s {host=a} [1s {host=a} {value=1}; 2s {host=a} {value=2}; 3s {host=a} {value=3}]`,
				`batch cpu "host=a" 5s {host=a} [3s {host=a} {value=3}; 4s {host=a} {value=4}; 5s {host=a} {value=5}]`,
			},
		},
		{
			"barriers pass through a count window",
			WindowConfig{PeriodCount: 2, EveryCount: 2},
			[]any{vpt(1, "a", 1), windowBarrier{"host=a", 1}, vpt(2, "a", 2)},
			[]string{
				`barrier "host=a" 1s`,
				`batch cpu "host=a" 2s {host=a} [1s {host=a} {value=1}; 2s {host=a} {value=2}]`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, r := runWindow(t, tc.cfg, tc.in...)
			r.check(t, tc.want...)
		})
	}
}

func TestWindowGroupIdentity(t *testing.T) {
	// The batch carries the group's dimension tags (empty for a dimension
	// the point lacks), the measurement grouping, and each point's own tags.
	p := Point{Name: "cpu", Time: secs(0), Tags: mkTags("host=a", "cpu=0"), Fields: mkFields("v", 1.0),
		Dimensions: Dimensions{ByName: true, TagNames: []string{"dc", "host"}}}
	p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions)
	q := p
	q.Time = secs(1)
	_, r := runWindow(t, WindowConfig{Period: time.Second, Every: time.Second}, p, q)
	r.check(t, "batch cpu \"cpu\\ndc=,host=a\" 1s {dc=,host=a} [0s {cpu=0,host=a} {v=1}] byname")
	if got := r.bts[0].Dimensions.TagNames; strings.Join(got, ",") != "dc,host" {
		t.Errorf("dimensions = %v, want [dc host]", got)
	}
}

func TestWindowRejectsBatchesAndPassesDone(t *testing.T) {
	n, r := runWindow(t, WindowConfig{Period: time.Second, Every: time.Second}, vpt(0, "a", 1))
	n.Batch(mkBatch(1, nil))
	n.Done()
	r.check(t, "done")
	if n.Errors != 1 {
		t.Errorf("errors = %d, want 1", n.Errors)
	}
}

func TestWindowBufferIsReused(t *testing.T) {
	n, _ := runWindow(t, WindowConfig{Period: 3 * time.Second, Every: time.Second})
	for i := 0; i < 1000; i++ {
		n.Point(vpt(float64(i), "a", 1))
	}
	w := n.groups["host=a"]
	// [996, 999) is emitted at 999, then 999 joins the buffer.
	if got := w.buf.len(); got != 4 {
		t.Errorf("buffered %d points, want 4", got)
	}
	if cap(w.buf.floats) > 16 {
		t.Errorf("buffer grew to %d for a 3-point window", cap(w.buf.floats))
	}
}

// The conformance cases below run from() and window() (and a stand-in for
// count() where the script has one) on a case's recorded input and compare
// the last batch of each group, as httpOut would serve it, with Kapacitor's
// recorded result.

func TestWindowPipelineConformance(t *testing.T) {
	tenSeconds := WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second}
	t.Run("TestStream_AllMeasurements", func(t *testing.T) {
		checkStreamCase(t, "TestStream_AllMeasurements", FromConfig{},
			NewWindow(nil, NodeInfo{}, tenSeconds), &batchCount{})
	})
	t.Run("TestStream_SimpleMR", func(t *testing.T) {
		checkStreamCase(t, "TestStream_SimpleMR", FromConfig{Measurement: "cpu", Where: tagEquals("host", "serverA")},
			NewWindow(nil, NodeInfo{}, tenSeconds), &batchCount{})
	})
	t.Run("TestStream_GroupBy", func(t *testing.T) {
		checkStreamCase(t, "TestStream_GroupBy", FromConfig{Measurement: "errors", GroupBy: []string{"service"}},
			NewWindow(nil, NodeInfo{}, tenSeconds), &batchCount{sum: true})
	})
	t.Run("TestStream_GroupByMeasurement", func(t *testing.T) {
		checkStreamCase(t, "TestStream_GroupByMeasurement", FromConfig{GroupBy: []string{"service"}, GroupByMeasurement: true},
			NewWindow(nil, NodeInfo{}, tenSeconds), &batchCount{sum: true})
	})
	t.Run("TestStream_Aggregate_Changing_Type", func(t *testing.T) {
		c := factoryFor(func(_ int64, _ Tags, fs Fields) (stdlib.Value, error) { return fs.Get("c"), nil })
		checkStreamCase(t, "TestStream_Aggregate_Changing_Type", FromConfig{Measurement: "m"},
			NewWindow(nil, NodeInfo{}, tenSeconds), NewWhere(nil, NodeInfo{}, WhereConfig{Lambda: c}), &batchCount{})
	})
	t.Run("TestStream_Default", func(t *testing.T) {
		checkStreamCase(t, "TestStream_Default", FromConfig{Measurement: "cpu"},
			NewDefault(nil, NodeInfo{}, DefaultConfig{Fields: []Field{{Key: "value", Value: stdlib.Float(1)}}, Tags: []Tag{{Key: "host", Value: "serverA"}}}),
			NewWhere(nil, NodeInfo{}, WhereConfig{Lambda: factoryFor(tagEquals("host", "serverA"))}),
			NewWindow(nil, NodeInfo{}, tenSeconds), &batchCount{sum: true})
	})
}

func TestWindowConformance(t *testing.T) {
	serverA := factoryFor(tagEquals("host", "serverA"))
	type stage struct {
		window WindowConfig
		count  bool // a count('value') stand-in follows the window
	}
	tests := []struct {
		name   string
		from   FromConfig
		stages []stage
	}{
		{"TestStream_Window", FromConfig{Measurement: "cpu", Where: serverA()},
			[]stage{{window: WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second}}}},
		{"TestStream_Window_Overlapping", FromConfig{Measurement: "cpu", Where: serverA()},
			[]stage{{window: WindowConfig{Period: 14 * time.Second, Every: 10 * time.Second}}}},
		{"TestStream_Window_FillPeriod", FromConfig{Measurement: "cpu", Where: serverA()},
			[]stage{{window: WindowConfig{Period: 14 * time.Second, Every: 10 * time.Second, FillPeriod: true}}}},
		{"TestStream_Window_FillPeriod_Aligned", FromConfig{Measurement: "cpu", Where: serverA()},
			[]stage{{window: WindowConfig{Period: 14 * time.Second, Every: 10 * time.Second, FillPeriod: true, Align: true}}}},
		{"TestStream_WindowMissingAligned", FromConfig{Measurement: "cpu", Where: serverA()},
			[]stage{{window: WindowConfig{Period: 3 * time.Second, Every: 2 * time.Second, Align: true}, count: true}}},
		{"TestStream_Window_Every_0", FromConfig{Measurement: "cpu", GroupBy: []string{"host"}},
			[]stage{{window: WindowConfig{Period: 10 * time.Second}, count: true}, {window: WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second}}}},
		{"TestStream_Window_Every_0_FillPeriod", FromConfig{Measurement: "cpu", GroupBy: []string{"host"}},
			[]stage{{window: WindowConfig{Period: 5 * time.Second, FillPeriod: true}, count: true}, {window: WindowConfig{Period: 10 * time.Second}}}},
		{"TestStream_Window_Count", FromConfig{Measurement: "cpu", Where: serverA()},
			[]stage{{window: WindowConfig{PeriodCount: 10, EveryCount: 10}}}},
		{"TestStream_Window_Count_Overlapping", FromConfig{Measurement: "cpu", Where: serverA()},
			[]stage{{window: WindowConfig{PeriodCount: 3, EveryCount: 1}}}},
		{"TestStream_Window_Count_Every_1", FromConfig{Measurement: "cpu", GroupBy: []string{"host"}},
			[]stage{{window: WindowConfig{PeriodCount: 3, EveryCount: 1}, count: true}, {window: WindowConfig{PeriodCount: 20, EveryCount: 1}}}},
		{"TestStream_Window_Count_FillPeriod", FromConfig{Measurement: "cpu", GroupBy: []string{"host"}},
			[]stage{{window: WindowConfig{PeriodCount: 4, EveryCount: 1, FillPeriod: true}, count: true}, {window: WindowConfig{PeriodCount: 20, EveryCount: 1}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "shared", "conformance", "cases", "stream", tc.name)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("conformance case not available: %v", err)
			}
			tc.from.Database, tc.from.RetentionPolicy = "dbname", "rpname"
			from := NewFrom(nil, NodeInfo{Name: "from1"}, tc.from)
			var parent interface{ AddChild(Receiver) } = from
			for _, s := range tc.stages {
				w := NewWindow(nil, NodeInfo{Name: "window"}, s.window)
				parent.AddChild(w)
				parent = w
				if s.count {
					c := &batchCount{}
					parent.AddChild(c)
					parent = c
				}
			}
			out := &sink{}
			parent.AddChild(out)
			for _, p := range readSrpl(t, filepath.Join(dir, "input.srpl")) {
				from.Point(p)
			}
			got := lastBatchSeries(out.bts)
			if tc.stages[len(tc.stages)-1].count {
				got = lastPointSeries(out.pts)
			}
			want := expectedSeries(t, filepath.Join(dir, "expected.json"))
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// batchCount stands in for count('value') on a batch edge: one point per
// batch, at the batch's time, with the group's tags and the number of points.
// With sum set it stands in for sum('value') instead.
type batchCount struct {
	Base
	sum bool
}

func (c *batchCount) Point(Point) {}
func (c *batchCount) Batch(b Batch) {
	field := Field{Key: "count", Value: stdlib.Int(int64(len(b.Points)))}
	if c.sum {
		var f float64
		for _, p := range b.Points {
			f += p.Fields.Get("value").Float()
		}
		field = Field{Key: "sum", Value: stdlib.Float(f)}
	}
	c.EmitPoint(Point{Name: b.Name, Time: b.TMax, Group: b.Group, Dimensions: b.Dimensions, Tags: b.Tags, Fields: Fields{field}})
}
func (c *batchCount) Barrier(g GroupID, t int64) { c.EmitBarrier(g, t) }
func (c *batchCount) DeleteGroup(g GroupID)      { c.EmitDeleteGroup(g) }
func (c *batchCount) Done()                      { c.EmitDone() }

// readSrpl reads a stream recording: database, retention policy and one
// line-protocol point (float, integer, string or boolean fields) per record.
func readSrpl(t *testing.T, path string) []Point {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			lines = append(lines, s)
		}
	}
	var pts []Point
	for i := 0; i+2 < len(lines); i += 3 {
		parts := splitOutsideQuotes(lines[i+2], ' ')
		if len(parts) != 3 {
			t.Fatalf("%s: cannot read %q", path, lines[i+2])
		}
		key := strings.Split(parts[0], ",")
		p := Point{Name: key[0], Database: lines[i], RetentionPolicy: lines[i+1]}
		for _, kv := range key[1:] {
			k, v, _ := strings.Cut(kv, "=")
			p.Tags = p.Tags.With(k, v)
		}
		for _, kv := range splitOutsideQuotes(parts[1], ',') {
			k, v, _ := strings.Cut(kv, "=")
			p.Fields = p.Fields.With(k, lineValue(t, v))
		}
		if p.Time, err = strconv.ParseInt(parts[2], 10, 64); err != nil {
			t.Fatal(err)
		}
		pts = append(pts, p)
	}
	return pts
}

// splitOutsideQuotes splits s at each run of sep outside double quotes.
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func lineValue(t *testing.T, s string) stdlib.Value {
	switch {
	case strings.HasSuffix(s, "i"):
		n, err := strconv.ParseInt(strings.TrimSuffix(s, "i"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return stdlib.Int(n)
	case strings.HasPrefix(s, `"`):
		return stdlib.String(strings.Trim(s, `"`))
	case s == "true" || s == "false":
		return stdlib.Bool(s == "true")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return stdlib.Float(f)
}

// seriesRow is one row of a Kapacitor result.
type seriesRow struct {
	Name    string            `json:"name"`
	Tags    map[string]string `json:"tags,omitempty"`
	Columns []string          `json:"columns,omitempty"`
	Values  [][]any           `json:"values,omitempty"`
}

// lastBatchSeries renders the last batch of each group as Kapacitor's
// httpOut shows it: columns time, the first point's fields and its tags that
// are not group tags, sorted. Rows are sorted by group for comparison.
func lastBatchSeries(bs []Batch) string {
	last := map[GroupID]Batch{}
	for _, b := range bs {
		last[b.Group] = b
	}
	var rows []seriesRow
	for _, b := range last {
		row := seriesRow{Name: b.Name}
		if len(b.Tags) > 0 {
			row.Tags = map[string]string{}
			for _, tg := range b.Tags {
				row.Tags[tg.Key] = tg.Value
			}
		}
		if len(b.Points) > 0 {
			first := b.Points[0]
			for _, f := range first.Fields {
				row.Columns = append(row.Columns, f.Key)
			}
			for _, tg := range first.Tags {
				if _, ok := b.Tags.Get(tg.Key); !ok {
					row.Columns = append(row.Columns, tg.Key)
				}
			}
			sort.Strings(row.Columns)
			row.Columns = append([]string{"time"}, row.Columns...)
			for _, p := range b.Points {
				vals := []any{time.Unix(0, p.Time).UTC().Format(time.RFC3339Nano)}
				for _, c := range row.Columns[1:] {
					if v := p.Fields.Get(c); !v.IsMissing() {
						vals = append(vals, jsonValue(v))
					} else if s, ok := p.Tags.Get(c); ok {
						vals = append(vals, s)
					} else {
						vals = append(vals, nil)
					}
				}
				row.Values = append(row.Values, vals)
			}
		}
		rows = append(rows, row)
	}
	return canonicalSeries(rows)
}

// lastPointSeries renders the last point of each group as httpOut shows it.
func lastPointSeries(pts []Point) string {
	last := map[GroupID]Point{}
	for _, p := range pts {
		last[p.Group] = p
	}
	var rows []seriesRow
	for _, p := range last {
		row := seriesRow{Name: p.Name, Columns: []string{"time"}}
		if len(p.Tags) > 0 {
			row.Tags = map[string]string{}
			for _, tg := range p.Tags {
				row.Tags[tg.Key] = tg.Value
			}
		}
		vals := []any{time.Unix(0, p.Time).UTC().Format(time.RFC3339Nano)}
		for _, f := range p.Fields {
			row.Columns = append(row.Columns, f.Key)
			vals = append(vals, jsonValue(f.Value))
		}
		row.Values = [][]any{vals}
		rows = append(rows, row)
	}
	return canonicalSeries(rows)
}

func jsonValue(v stdlib.Value) any {
	switch v.Type() {
	case stdlib.TypeFloat:
		return v.Float()
	case stdlib.TypeInt:
		return v.Int()
	case stdlib.TypeString:
		return v.Str()
	case stdlib.TypeBool:
		return v.Bool()
	}
	return nil
}

func expectedSeries(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Series []seriesRow }
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return canonicalSeries(res.Series)
}

// canonicalSeries encodes rows sorted by name and tags, numbers as JSON
// numbers, so that equal results give equal strings.
func canonicalSeries(rows []seriesRow) string {
	enc := make([]string, len(rows))
	for i, r := range rows {
		b, _ := json.Marshal(r)
		var generic any
		_ = json.Unmarshal(b, &generic)
		b, _ = json.Marshal(generic)
		enc[i] = string(b)
	}
	sort.Strings(enc)
	return "[" + strings.Join(enc, ",") + "]"
}

// chainNode is a node that can have children.
type chainNode interface {
	Receiver
	AddChild(Receiver)
}

// checkStreamCase runs the recorded input of stream conformance case name
// through from (its database and retention policy set to the recording's)
// and the chain of nodes below it, and compares the last batch of each
// group, or the last point when the chain emits points, with the case's
// expected result.
func checkStreamCase(t *testing.T, name string, from FromConfig, chain ...chainNode) {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "conformance", "cases", "stream", name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance case not available: %v", err)
	}
	from.Database, from.RetentionPolicy = "dbname", "rpname"
	var parent chainNode = NewFrom(nil, NodeInfo{Name: "from1"}, from)
	head := parent
	for _, n := range chain {
		parent.AddChild(n)
		parent = n
	}
	out := &sink{}
	parent.AddChild(out)
	for _, p := range readSrpl(t, filepath.Join(dir, "input.srpl")) {
		head.Point(p)
	}
	got := lastPointSeries(out.pts)
	if len(out.bts) > 0 {
		got = lastBatchSeries(out.bts)
	}
	if want := expectedSeries(t, filepath.Join(dir, "expected.json")); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// BenchmarkFromWindow measures from() |window() per point: four groups,
// four points a second each, ten-second tumbling windows, into a sink that
// counts what it receives.
func BenchmarkFromWindow(b *testing.B) {
	from := NewFrom(nil, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
	w := NewWindow(nil, NodeInfo{Name: "window2"}, WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second})
	out := &countingSink{}
	from.AddChild(w)
	w.AddChild(out)
	var pts [4]Point
	for i := range pts {
		pts[i] = Point{Name: "cpu", Database: "db", RetentionPolicy: "rp",
			Tags: Tags{{Key: "host", Value: "server" + strconv.Itoa(i)}, {Key: "type", Value: "idle"}}, Fields: Fields{{Key: "value", Value: stdlib.Float(1)}}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i%4]
		p.Time = int64(i/4) * int64(time.Second/4)
		from.Point(p)
	}
	b.StopTimer()
	if b.N > 200 && out.batches == 0 {
		b.Fatal("no window was emitted")
	}
}

// countingSink counts the batches and points it receives.
type countingSink struct{ batches, points int }

func (s *countingSink) Point(Point)            { s.points++ }
func (s *countingSink) Batch(b Batch)          { s.batches++; s.points += len(b.Points) }
func (s *countingSink) Barrier(GroupID, int64) {}
func (s *countingSink) DeleteGroup(GroupID)    {}
func (s *countingSink) Done()                  {}

// readBrpl reads a batch recording: concatenated JSON batches whose points
// inherit the batch tags when they have none.
func readBrpl(t *testing.T, path string) []Batch {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type recPoint struct {
		Fields map[string]any
		Tags   map[string]string
		Time   time.Time
	}
	type recBatch struct {
		Name   string
		TMax   time.Time
		ByName bool
		Tags   map[string]string
		Points []recPoint
	}
	toTags := func(m map[string]string) Tags {
		var ts Tags
		for k, v := range m {
			ts = ts.With(k, v)
		}
		return ts
	}
	var out []Batch
	dec := json.NewDecoder(f)
	for dec.More() {
		var rb recBatch
		if err := dec.Decode(&rb); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b := Batch{Name: rb.Name, TMax: rb.TMax.UnixNano(), Tags: toTags(rb.Tags), Dimensions: Dimensions{ByName: rb.ByName}}
		for _, tg := range b.Tags {
			b.Dimensions.TagNames = append(b.Dimensions.TagNames, tg.Key)
		}
		b.Group = NewGroupID(b.Name, b.Tags, b.Dimensions)
		for _, rp := range rb.Points {
			p := BatchPoint{Time: rp.Time.UnixNano(), Tags: b.Tags}
			if rp.Tags != nil {
				p.Tags = toTags(rp.Tags)
			}
			for k, v := range rp.Fields {
				switch v := v.(type) {
				case float64:
					p.Fields = p.Fields.With(k, stdlib.Float(v))
				case string:
					p.Fields = p.Fields.With(k, stdlib.String(v))
				case bool:
					p.Fields = p.Fields.With(k, stdlib.Bool(v))
				case nil:
					// A null field is left out: the point lacks it.
				default:
					t.Fatalf("%s: field %s has unsupported value %v", path, k, v)
				}
			}
			b.Points = append(b.Points, p)
		}
		out = append(out, b)
	}
	return out
}

// checkBatchCase feeds the recorded batches of batch conformance case name
// (one query) to the chain of nodes and compares the last batch of each
// group with the case's expected result.
func checkBatchCase(t *testing.T, name string, chain ...chainNode) {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "conformance", "cases", "batch", name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance case not available: %v", err)
	}
	for i := 1; i < len(chain); i++ {
		chain[i-1].AddChild(chain[i])
	}
	out := &sink{}
	chain[len(chain)-1].AddChild(out)
	for _, b := range readBrpl(t, filepath.Join(dir, "input.0.brpl")) {
		chain[0].Batch(b)
	}
	got := lastPointSeries(out.pts)
	if len(out.bts) > 0 {
		got = lastBatchSeries(out.bts)
	}
	if want := expectedSeries(t, filepath.Join(dir, "expected.json")); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
