package runtime

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// capture is a Receiver that records everything it receives.
type capture struct {
	points   []Point
	batches  []Batch
	barriers []string // "group@time"
	deletes  []GroupID
	done     int
}

func (c *capture) Point(p Point) { c.points = append(c.points, p) }
func (c *capture) Batch(b Batch) { c.batches = append(c.batches, b) }
func (c *capture) Barrier(g GroupID, t int64) {
	c.barriers = append(c.barriers, fmt.Sprintf("%s@%d", g, t))
}
func (c *capture) DeleteGroup(g GroupID) { c.deletes = append(c.deletes, g) }
func (c *capture) Done()                 { c.done++ }

// sec returns the time s seconds after the conformance clock zero,
// 1971-01-01T00:00:00Z.
func sec(s float64) int64 { return 31536000e9 + int64(s*1e9) }

// confDir returns the directory of a conformance case, skipping the test when
// the shared corpus is not next to the repository.
func confDir(t *testing.T, kind, name string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "conformance", "cases", kind, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance case %s/%s not available (%v)", kind, name, err)
	}
	return dir
}

// confPoints reads a case's input.srpl: one line-protocol point per record,
// in file order, ungrouped.
func confPoints(t *testing.T, dir string) []Point {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "input.srpl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pts []Point
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		n++
		if n%3 != 0 || strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Fields(line)
		if len(parts) != 3 {
			t.Fatalf("unsupported line protocol %q", line)
		}
		key := strings.Split(parts[0], ",")
		p := Point{Name: key[0], Database: "dbname", RetentionPolicy: "rpname"}
		for _, kv := range key[1:] {
			k, v, _ := strings.Cut(kv, "=")
			p.Tags = p.Tags.With(k, v)
		}
		for _, kv := range strings.Split(parts[1], ",") {
			k, v, _ := strings.Cut(kv, "=")
			p.Fields = p.Fields.With(k, confFieldValue(t, v))
		}
		p.Time, err = strconv.ParseInt(parts[2], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		pts = append(pts, p)
	}
	return pts
}

func confFieldValue(t *testing.T, v string) stdlib.Value {
	switch {
	case strings.HasSuffix(v, "i"):
		i, err := strconv.ParseInt(strings.TrimSuffix(v, "i"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return stdlib.Int(i)
	case v == "true" || v == "false":
		return stdlib.Bool(v == "true")
	case strings.HasPrefix(v, `"`):
		return stdlib.String(strings.Trim(v, `"`))
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatal(err)
	}
	return stdlib.Float(f)
}

// confBatches reads a case's input.N.brpl: one batch per line, grouped by
// its tags, as a query node emits them.
func confBatches(t *testing.T, dir string, n int) []Batch {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("input.%d.brpl", n)))
	if err != nil {
		t.Fatal(err)
	}
	var out []Batch
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var raw struct {
			Name   string            `json:"name"`
			TMax   time.Time         `json:"tmax"`
			Tags   map[string]string `json:"tags"`
			ByName bool              `json:"byname"`
			Points []struct {
				Fields map[string]float64 `json:"fields"`
				Tags   map[string]string  `json:"tags"`
				Time   time.Time          `json:"time"`
			} `json:"points"`
		}
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatal(err)
		}
		b := Batch{Name: raw.Name, TMax: raw.TMax.UnixNano(), Tags: mapTags(raw.Tags)}
		b.Dimensions = batchDimensions(b.Tags, raw.ByName)
		b.Group = NewGroupID(b.Name, b.Tags, b.Dimensions)
		for _, rp := range raw.Points {
			bp := BatchPoint{Time: rp.Time.UnixNano(), Tags: b.Tags}
			if rp.Tags != nil {
				bp.Tags = mapTags(rp.Tags)
			}
			for k, v := range rp.Fields {
				bp.Fields = bp.Fields.With(k, stdlib.Float(v))
			}
			b.Points = append(b.Points, bp)
		}
		out = append(out, b)
	}
	return out
}

func mapTags(m map[string]string) Tags {
	var ts Tags
	for k, v := range m {
		ts = ts.With(k, v)
	}
	return ts
}

// confSeries is one series of a case's expected.json.
type confSeries struct {
	Name    string            `json:"name"`
	Tags    map[string]string `json:"tags"`
	Columns []string          `json:"columns"`
	Values  [][]any           `json:"values"`
}

func confExpected(t *testing.T, dir string) []confSeries {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Series []confSeries `json:"series"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return res.Series
}

// groupBy sets p's dimensions and group as from().groupBy(tags...) does.
func groupBy(p Point, tags ...string) Point {
	sort.Strings(tags)
	p.Dimensions = Dimensions{TagNames: tags}
	p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions)
	return p
}

// alignedSums emulates window().period(d).every(d).align() followed by
// sum(field) on points already grouped: each group's window is emitted, as a
// point named after the data, with its group tags and the field "sum" at the
// window's end, when a point of the group at or past that end arrives.
func alignedSums(pts []Point, d time.Duration, field string) []Point {
	w := newSumWindows(d, field)
	var out []Point
	for _, p := range pts {
		out = append(out, w.add(p)...)
	}
	return out
}

// sumWindows is the state of alignedSums, to feed it point by point.
type sumWindows struct {
	d     time.Duration
	field string
	wins  map[GroupID]*sumWindow
}

type sumWindow struct {
	end  int64
	sum  float64
	name string
	tags Tags
	dims Dimensions
}

func newSumWindows(d time.Duration, field string) *sumWindows {
	return &sumWindows{d: d, field: field, wins: map[GroupID]*sumWindow{}}
}

// add takes one point and returns the sum it makes the window emit, if any.
func (s *sumWindows) add(p Point) []Point {
	var out []Point
	w := s.wins[p.Group]
	if w != nil && p.Time >= w.end {
		sp := Point{Name: w.name, Time: w.end, Tags: w.tags, Dimensions: w.dims,
			Fields: Fields{{Key: "sum", Value: stdlib.Float(w.sum)}}}
		sp.Group = NewGroupID(sp.Name, sp.Tags, sp.Dimensions)
		out = append(out, sp)
		w = nil
	}
	if w == nil {
		start := time.Unix(0, p.Time).Truncate(s.d).UnixNano()
		w = &sumWindow{end: start + int64(s.d), name: p.Name, tags: dimensionTags(p.Tags, p.Dimensions.TagNames), dims: p.Dimensions}
		s.wins[p.Group] = w
	}
	w.sum += p.Fields.Get(s.field).Float()
	return out
}

// rowKey identifies a series: name and tags.
func rowKey(name string, tags Tags) string {
	var b strings.Builder
	b.WriteString(name)
	for _, t := range tags {
		b.WriteString("," + t.Key + "=" + t.Value)
	}
	return b.String()
}

// valueOf converts a field value to what expected.json holds.
func valueOf(v stdlib.Value) any {
	switch v.Type() {
	case stdlib.TypeFloat:
		return v.Float()
	case stdlib.TypeInt:
		return float64(v.Int())
	case stdlib.TypeString:
		return v.Str()
	case stdlib.TypeBool:
		return v.Bool()
	}
	return nil
}

// checkRows compares rows (per series: time and fields) with the expected
// series, on the columns the rows have; a column the rows lack must be one
// a later node adds (listed in later).
func checkRows(t *testing.T, got map[string][][]any, gotCols map[string][]string, want []confSeries, later ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d series %v, want %d", len(got), keysOf(got), len(want))
	}
	for _, s := range want {
		key := rowKey(s.Name, mapTags(s.Tags))
		rows, ok := got[key]
		if !ok {
			t.Errorf("missing series %s", key)
			continue
		}
		if len(rows) != len(s.Values) {
			t.Errorf("series %s: got %d rows %v, want %d %v", key, len(rows), rows, len(s.Values), s.Values)
			continue
		}
		for c, col := range s.Columns {
			idx := -1
			for i, gc := range gotCols[key] {
				if gc == col {
					idx = i
				}
			}
			if idx < 0 {
				if !slices.Contains(later, col) {
					t.Errorf("series %s: no column %q in %v", key, col, gotCols[key])
				}
				continue
			}
			for r := range rows {
				w := s.Values[r][c]
				if col == "time" {
					wt, _ := time.Parse(time.RFC3339Nano, w.(string))
					w = float64(wt.UnixNano())
				}
				g := rows[r][idx]
				if gf, ok := g.(float64); ok {
					if wf, ok := w.(float64); ok && math.Abs(gf-wf) <= 1e-9*math.Abs(wf) {
						continue
					}
				}
				if g != w {
					t.Errorf("series %s row %d column %s: got %v, want %v", key, r, col, g, w)
				}
			}
		}
	}
}

func keysOf(m map[string][][]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// pointRows turns points into rows per series, all points kept in order.
func pointRows(pts []Point) (map[string][][]any, map[string][]string) {
	rows := map[string][][]any{}
	cols := map[string][]string{}
	for _, p := range pts {
		key := rowKey(p.Name, p.Tags)
		c := []string{"time"}
		r := []any{float64(p.Time)}
		for _, f := range p.Fields {
			c = append(c, f.Key)
			r = append(r, valueOf(f.Value))
		}
		cols[key] = c
		rows[key] = append(rows[key], r)
	}
	return rows, cols
}

// lastBatchRows turns batches into rows per series, keeping each group's last
// batch as httpOut does.
func lastBatchRows(bs []Batch) (map[string][][]any, map[string][]string) {
	rows := map[string][][]any{}
	cols := map[string][]string{}
	for _, b := range bs {
		key := rowKey(b.Name, b.Tags)
		rows[key] = nil
		for _, bp := range b.Points {
			c := []string{"time"}
			r := []any{float64(bp.Time)}
			for _, f := range bp.Fields {
				c = append(c, f.Key)
				r = append(r, valueOf(f.Value))
			}
			cols[key] = c
			rows[key] = append(rows[key], r)
		}
	}
	return rows, cols
}

// feedBatches delivers the batches of several query inputs in time order
// (by tmax, the first input first on ties) to the given receivers, then Done.
func feedBatches(inputs [][]Batch, to []Receiver) {
	idx := make([]int, len(inputs))
	for {
		best := -1
		for i, in := range inputs {
			if idx[i] < len(in) && (best < 0 || in[idx[i]].TMax < inputs[best][idx[best]].TMax) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		to[best].Batch(inputs[best][idx[best]])
		idx[best]++
	}
	for _, r := range to {
		r.Done()
	}
}

func TestJoinStreamConformance(t *testing.T) {
	tests := []struct {
		name  string
		sums  bool // the parents are window+sum of the data
		cfg   JoinConfig
		left  string // measurement of parent 0 (parent 1 gets the others)
		group []string
		on    []string // groupBy of parent 1 when it differs
		later []string
	}{
		{name: "TestStream_Join", sums: true, left: "errors", group: []string{"service"},
			cfg:   JoinConfig{As: []string{"errors", "views"}, Delimiter: ".", StreamName: "error_view"},
			later: []string{"error_percent"}},
		{name: "TestStream_Join_Delimiter", sums: true, left: "errors", group: []string{"service"},
			cfg:   JoinConfig{As: []string{"errors", "views"}, Delimiter: "#", StreamName: "error_view"},
			later: []string{"error_percent"}},
		{name: "TestStream_Join_DelimiterEmpty", sums: true, left: "errors", group: []string{"service"},
			cfg:   JoinConfig{As: []string{"errors", "views"}, Delimiter: "", StreamName: "error_view"},
			later: []string{"error_percent"}},
		{name: "TestStream_JoinOn", sums: true, left: "", group: []string{"service"}, on: []string{"dc", "service"},
			cfg:   JoinConfig{As: []string{"service", "dc"}, On: []string{"service"}, Delimiter: ".", StreamName: "dc_error_percent"},
			later: []string{"value"}},
		{name: "TestStream_JoinOnGap", sums: true, left: "", group: []string{"service"}, on: []string{"dc", "service", "rack"},
			cfg:   JoinConfig{As: []string{"service", "loc"}, On: []string{"service"}, Delimiter: ".", StreamName: "loc_error_percent"},
			later: []string{"value"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := confDir(t, "stream", tc.name)
			var parents [2][]Point
			for _, p := range confPoints(t, dir) {
				if tc.on != nil {
					// Both parents read the same measurement, grouped differently.
					if p.Name != "errors" {
						continue
					}
					parents[0] = append(parents[0], groupBy(p, tc.group...))
					parents[1] = append(parents[1], groupBy(p, tc.on...))
					continue
				}
				switch p.Name {
				case tc.left:
					parents[0] = append(parents[0], groupBy(p, tc.group...))
				case "views":
					parents[1] = append(parents[1], groupBy(p, tc.group...))
				}
			}
			if tc.sums {
				parents[0] = alignedSums(parents[0], 10*time.Second, "value")
				parents[1] = alignedSums(parents[1], 10*time.Second, "value")
			}
			j := NewJoin(nil, NodeInfo{Name: "join3"}, tc.cfg)
			out := &capture{}
			j.AddChild(out)
			// Interleave the parents by time, parent 0 first on ties.
			i0, i1 := 0, 0
			for i0 < len(parents[0]) || i1 < len(parents[1]) {
				if i1 >= len(parents[1]) || i0 < len(parents[0]) && parents[0][i0].Time <= parents[1][i1].Time {
					j.Input(0).Point(parents[0][i0])
					i0++
				} else {
					j.Input(1).Point(parents[1][i1])
					i1++
				}
			}
			j.Input(0).Done()
			if out.done != 0 {
				t.Fatal("Done passed on before every parent was done")
			}
			j.Input(1).Done()
			if out.done != 1 {
				t.Fatalf("Done passed on %d times, want 1", out.done)
			}
			rows, cols := pointRows(out.points)
			checkRows(t, rows, cols, confExpected(t, dir), tc.later...)
		})
	}
}

func TestJoinToleranceConformance(t *testing.T) {
	dir := confDir(t, "stream", "TestStream_JoinTolerance")
	j := NewJoin(nil, NodeInfo{Name: "join3"}, JoinConfig{
		As: []string{"errors", "views"}, Delimiter: ".", Tolerance: 2 * time.Second, StreamName: "error_view",
	})
	out := &capture{}
	j.AddChild(out)
	for _, p := range confPoints(t, dir) {
		switch p.Name {
		case "errors":
			j.Input(0).Point(groupBy(p, "service"))
		case "views":
			j.Input(1).Point(groupBy(p, "service"))
		}
	}
	j.Input(0).Done()
	j.Input(1).Done()
	// The 10s window keeps [0s, 10s).
	var kept []Point
	for _, p := range out.points {
		if p.Time < sec(10) {
			kept = append(kept, p)
		}
	}
	rows, cols := pointRows(kept)
	checkRows(t, rows, cols, confExpected(t, dir))
}

func TestJoinOnFillNullConformance(t *testing.T) {
	dir := confDir(t, "stream", "TestStream_JoinOn_Fill_Null")
	j := NewJoin(nil, NodeInfo{Name: "join3"}, JoinConfig{
		As: []string{"disk", "maintlock"}, On: []string{"host"}, Delimiter: ".",
		Fill: JoinFillNull, Tolerance: time.Second, StreamName: "disk",
	})
	out := &capture{}
	j.AddChild(out)
	for _, p := range confPoints(t, dir) {
		switch p.Name {
		case "disk":
			j.Input(0).Point(groupBy(p, "host", "path"))
		case "maintlock":
			j.Input(1).Point(groupBy(p, "host"))
		}
	}
	j.Input(0).Done()
	j.Input(1).Done()
	// default() then turns the nulls into 0, and a 4s window keeps [0s, 4s).
	var kept []Point
	for _, p := range out.points {
		if p.Time >= sec(4) {
			continue
		}
		for _, f := range p.Fields {
			if f.Value.IsMissing() {
				p.Fields = p.Fields.With(f.Key, stdlib.Float(0))
			}
		}
		kept = append(kept, p)
	}
	rows, cols := pointRows(kept)
	checkRows(t, rows, cols, confExpected(t, dir))
	// The 4s points are joined too, with the maintlock count of that time.
	var last []string
	for _, p := range out.points {
		if p.Time == sec(4) {
			last = append(last, fmt.Sprintf("%s %s %v %v", p.Name, p.Group, valueOf(p.Fields.Get("disk.used_percent")), valueOf(p.Fields.Get("maintlock.count"))))
		}
	}
	want := []string{"disk host=A,path=/ 90 0", "disk host=A,path=/tmp 0 0"}
	sort.Strings(last)
	if strings.Join(last, "\n") != strings.Join(want, "\n") {
		t.Errorf("points at 4s:\n%s\nwant\n%s", strings.Join(last, "\n"), strings.Join(want, "\n"))
	}
}

func TestJoinBatchConformance(t *testing.T) {
	tests := []struct {
		name   string
		cfg    JoinConfig
		swap   bool         // input.0.brpl feeds parent 1
		nullIs stdlib.Value // what the default node downstream makes of null fields
		later  []string
	}{
		{name: "TestBatch_JoinOn", swap: true,
			cfg:   JoinConfig{As: []string{"service", "dc"}, On: []string{"service"}, Delimiter: ".", StreamName: "dc_error_percent"},
			later: []string{"value"}},
		{name: "TestBatch_JoinOn_Fill_Num",
			cfg: JoinConfig{As: []string{"disk", "maintlock"}, On: []string{"host"}, Delimiter: ".",
				Fill: JoinFillValue, FillValue: stdlib.Float(0), Tolerance: time.Second}},
		{name: "TestBatch_JoinOn_Fill_Null", nullIs: stdlib.Int(0),
			cfg: JoinConfig{As: []string{"disk", "maintlock"}, On: []string{"host"}, Delimiter: ".",
				Fill: JoinFillNull, Tolerance: time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := confDir(t, "batch", tc.name)
			j := NewJoin(nil, NodeInfo{Name: "join3"}, tc.cfg)
			out := &capture{}
			j.AddChild(out)
			in := []Receiver{j.Input(0), j.Input(1)}
			if tc.swap {
				in[0], in[1] = in[1], in[0]
			}
			feedBatches([][]Batch{confBatches(t, dir, 0), confBatches(t, dir, 1)}, in)
			if !tc.nullIs.IsMissing() {
				for _, b := range out.batches {
					for i, bp := range b.Points {
						for _, f := range bp.Fields {
							if f.Value.IsMissing() {
								b.Points[i].Fields = b.Points[i].Fields.With(f.Key, tc.nullIs)
							}
						}
					}
				}
			}
			rows, cols := lastBatchRows(out.batches)
			checkRows(t, rows, cols, confExpected(t, dir), tc.later...)
		})
	}
}

// TestJoinBatchPairsPoints checks the pairing of batch points by rounded
// time, with and without fill, and the set emitted when time moves past it.
func TestJoinBatchPairsPoints(t *testing.T) {
	mk := func(name string, tmax float64, pts ...float64) Batch {
		b := Batch{Name: name, TMax: sec(tmax)}
		for i := 0; i+1 < len(pts); i += 2 {
			b.Points = append(b.Points, BatchPoint{Time: sec(pts[i]), Fields: Fields{{"mean", stdlib.Float(pts[i+1])}}})
		}
		return b
	}
	tests := []struct {
		name string
		fill JoinFill
		want string
	}{
		{"inner", JoinFillNone, "cpu@8s: 0s a.mean=1 b.mean=10; 4s a.mean=3 b.mean=30"},
		{"null", JoinFillNull, "cpu@8s: 0s a.mean=1 b.mean=10; 2s a.mean=2 b.mean=<nil>; 4s a.mean=3 b.mean=30; 6s a.mean=<nil> b.mean=40"},
		{"number", JoinFillValue, "cpu@8s: 0s a.mean=1 b.mean=10; 2s a.mean=2 b.mean=-1; 4s a.mean=3 b.mean=30; 6s a.mean=-1 b.mean=40"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := NewJoin(nil, NodeInfo{}, JoinConfig{As: []string{"a", "b"}, Delimiter: ".", Fill: tc.fill, FillValue: stdlib.Int(-1)})
			out := &capture{}
			j.AddChild(out)
			j.Input(0).Batch(mk("cpu", 8, 0, 1, 2, 2, 4, 3))
			if len(out.batches) != 0 {
				t.Fatal("emitted a set before it was complete")
			}
			j.Input(1).Batch(mk("mem", 8, 0, 10, 4, 30, 6, 40))
			if len(out.batches) != 1 {
				t.Fatalf("got %d batches, want 1", len(out.batches))
			}
			if got := describeBatch(out.batches[0]); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func describeBatch(b Batch) string {
	var parts []string
	for _, bp := range b.Points {
		s := fmt.Sprintf("%gs", float64(bp.Time-sec(0))/1e9)
		for _, f := range bp.Fields {
			s += fmt.Sprintf(" %s=%v", f.Key, valueOf(f.Value))
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("%s@%gs: %s", b.Name, float64(b.TMax-sec(0))/1e9, strings.Join(parts, "; "))
}

// TestJoinEmission checks when sets leave the node: complete sets at once,
// incomplete ones when every parent has moved past them (fill) or never
// (inner join), and the rest on Done.
func TestJoinEmission(t *testing.T) {
	pt := func(s float64, v float64) Point {
		return Point{Name: "m", Time: sec(s), Fields: Fields{{"v", stdlib.Float(v)}}}
	}
	j := NewJoin(nil, NodeInfo{}, JoinConfig{As: []string{"a", "b"}, Delimiter: "_", Fill: JoinFillNull})
	out := &capture{}
	j.AddChild(out)
	emitted := func() string {
		var s []string
		for _, p := range out.points {
			s = append(s, fmt.Sprintf("%gs:a_v=%v,b_v=%v", float64(p.Time-sec(0))/1e9, valueOf(p.Fields.Get("a_v")), valueOf(p.Fields.Get("b_v"))))
		}
		return strings.Join(s, " ")
	}
	j.Input(0).Point(pt(1, 1))
	j.Input(0).Point(pt(2, 2)) // parent 1 has not reached 1s: nothing yet
	if got := emitted(); got != "" {
		t.Fatalf("emitted %q too early", got)
	}
	// Both parents are past 1s: the 1s set goes, filled, then the 2s set,
	// complete now.
	j.Input(1).Point(pt(2, 20))
	if got, want := emitted(), "1s:a_v=1,b_v=<nil> 2s:a_v=2,b_v=20"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	j.Input(1).Point(pt(3, 30)) // parent 0 has not reached 3s: the set waits
	if got, want := emitted(), "1s:a_v=1,b_v=<nil> 2s:a_v=2,b_v=20"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	j.Input(0).Done()
	j.Input(1).Done()
	if got, want := emitted(), "1s:a_v=1,b_v=<nil> 2s:a_v=2,b_v=20 3s:a_v=<nil>,b_v=30"; got != want {
		t.Fatalf("after Done got %q, want %q", got, want)
	}
	if out.done != 1 {
		t.Fatalf("Done passed %d times", out.done)
	}
}

// TestJoinReleasesGroups runs many short-lived groups through a join on a
// dimension and checks that deleting them leaves no state behind.
func TestJoinReleasesGroups(t *testing.T) {
	for _, deleteAll := range []bool{false, true} {
		j := NewJoin(nil, NodeInfo{}, JoinConfig{As: []string{"host", "path"}, On: []string{"host"}, Delimiter: ".", DeleteAll: deleteAll})
		out := &capture{}
		j.AddChild(out)
		const groups = 500
		for g := 0; g < groups; g++ {
			host := fmt.Sprintf("h%d", g)
			for s := 0; s < 3; s++ {
				tm := sec(float64(g*3 + s))
				hp := groupBy(Point{Name: "m", Time: tm, Tags: Tags{{"host", host}}, Fields: Fields{{"v", stdlib.Float(1)}}}, "host")
				pp := groupBy(Point{Name: "m", Time: tm, Tags: Tags{{"host", host}, {"path", "/"}}, Fields: Fields{{"u", stdlib.Float(2)}}}, "host", "path")
				j.Input(1).Point(pp)
				j.Input(0).Point(hp)
			}
			// The groups go away, as a barrier with delete() upstream makes them.
			j.Input(0).DeleteGroup(NewGroupID("m", Tags{{"host", host}}, Dimensions{TagNames: []string{"host"}}))
			j.Input(1).DeleteGroup(NewGroupID("m", Tags{{"host", host}, {"path", "/"}}, Dimensions{TagNames: []string{"host", "path"}}))
		}
		if len(out.points) != groups*3 {
			t.Errorf("deleteAll=%v: joined %d points, want %d", deleteAll, len(out.points), groups*3)
		}
		if len(out.deletes) != 2*groups {
			t.Errorf("deleteAll=%v: passed on %d deletions, want %d", deleteAll, len(out.deletes), 2*groups)
		}
		if j.Groups() != 0 || j.Buffered() != 0 || len(j.lowMarks) != 0 || len(j.onGroup) != 0 || len(j.onUsers) != 0 {
			t.Errorf("deleteAll=%v: state left: %d groups, %d buffered, %d marks, %d on groups, %d users",
				deleteAll, j.Groups(), j.Buffered(), len(j.lowMarks), len(j.onGroup), len(j.onUsers))
		}
	}
}

// TestJoinBoundedMatchBuffer checks that the less specific data of an On
// group does not pile up while the specific data keeps coming.
func TestJoinBoundedMatchBuffer(t *testing.T) {
	j := NewJoin(nil, NodeInfo{}, JoinConfig{As: []string{"host", "path"}, On: []string{"host"}, Delimiter: "."})
	out := &capture{}
	j.AddChild(out)
	for s := 0; s < 1000; s++ {
		hp := groupBy(Point{Name: "m", Time: sec(float64(s)), Tags: Tags{{"host", "a"}}, Fields: Fields{{"v", stdlib.Float(1)}}}, "host")
		j.Input(0).Point(hp)
		if s%2 == 0 { // the specific parent only reports every other second
			pp := groupBy(Point{Name: "m", Time: sec(float64(s)), Tags: Tags{{"host", "a"}, {"path", "/"}}, Fields: Fields{{"u", stdlib.Float(2)}}}, "host", "path")
			j.Input(1).Point(pp)
		}
	}
	if n := j.Buffered(); n > 4 {
		t.Errorf("%d points buffered after 1000 seconds of data", n)
	}
	if len(out.points) != 500 {
		t.Errorf("joined %d points, want 500", len(out.points))
	}
}

func TestJoinBarrierForwarded(t *testing.T) {
	j := NewJoin(nil, NodeInfo{}, JoinConfig{As: []string{"a", "b"}, Delimiter: ".", Fill: JoinFillNull, Tolerance: time.Second})
	out := &capture{}
	j.AddChild(out)
	j.Input(0).Point(Point{Name: "m", Time: sec(1), Fields: Fields{{"v", stdlib.Float(1)}}})
	j.Input(1).Barrier("", sec(2.2))
	j.Input(0).Barrier("", sec(2.2))
	// Both parents passed 1s: the set is emitted, filled; each barrier is passed on.
	if len(out.points) != 1 || !out.points[0].Fields.Get("b.v").IsMissing() {
		t.Fatalf("got %+v", out.points)
	}
	if want := []string{fmt.Sprintf("@%d", sec(2.2)), fmt.Sprintf("@%d", sec(2.2))}; fmt.Sprint(out.barriers) != fmt.Sprint(want) {
		t.Errorf("barriers %v, want %v", out.barriers, want)
	}
}

// TestJoinBatchAggregatedConformance checks the batch join cases whose
// result is an aggregate of the joined batches: what the downstream
// count/sum, window(20s) and sum make of the batches of the first window
// (tmax 8s and 18s).
func TestJoinBatchAggregatedConformance(t *testing.T) {
	tests := []struct {
		name  string
		cfg   JoinConfig
		count string // count this field; otherwise sum cpu0<delim>mean + cpu1<delim>mean
	}{
		{name: "TestBatch_Join", cfg: JoinConfig{As: []string{"cpu0", "cpu1"}, Delimiter: "."}, count: "cpu0.mean"},
		{name: "TestBatch_Join_Delimiter", cfg: JoinConfig{As: []string{"cpu0", "cpu1"}, Delimiter: "~"}, count: "cpu0~mean"},
		{name: "TestBatch_Join_DelimiterEmpty", cfg: JoinConfig{As: []string{"cpu0", "cpu1"}, Delimiter: ""}, count: "cpu0mean"},
		{name: "TestBatch_Join_NoFill", cfg: JoinConfig{As: []string{"cpu0", "cpu1"}, Delimiter: "."}},
		{name: "TestBatch_Join_Fill_Num", cfg: JoinConfig{As: []string{"cpu0", "cpu1"}, Delimiter: ".", Fill: JoinFillValue, FillValue: stdlib.Float(100)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := confDir(t, "batch", tc.name)
			j := NewJoin(nil, NodeInfo{Name: "join3"}, tc.cfg)
			out := &capture{}
			j.AddChild(out)
			feedBatches([][]Batch{confBatches(t, dir, 0), confBatches(t, dir, 1)}, []Receiver{j.Input(0), j.Input(1)})
			if len(out.batches) != 3 {
				t.Fatalf("got %d joined batches, want 3", len(out.batches))
			}
			total := 0.0
			for _, b := range out.batches {
				if b.TMax >= sec(28) {
					continue
				}
				for _, bp := range b.Points {
					if tc.count != "" {
						if !bp.Fields.Get(tc.count).IsMissing() {
							total++
						}
						continue
					}
					d := tc.cfg.Delimiter
					total += bp.Fields.Get("cpu0"+d+"mean").Float() + bp.Fields.Get("cpu1"+d+"mean").Float()
				}
			}
			want := confExpected(t, dir)[0].Values[0][1].(float64)
			if math.Abs(total-want) > 1e-9*math.Abs(want) {
				t.Errorf("got %v, want %v", total, want)
			}
		})
	}
}

func TestJoinOnAcrossMeasurementConformance(t *testing.T) {
	dir := confDir(t, "stream", "TestStream_JoinOn_AcrossMeasurement")
	j := NewJoin(nil, NodeInfo{Name: "join3"}, JoinConfig{
		As: []string{"building", "floor"}, On: []string{"building"}, Delimiter: ".", StreamName: "power_floor_percentage",
	})
	out := &capture{}
	j.AddChild(out)
	for _, p := range confPoints(t, dir) {
		switch p.Name {
		case "building_power":
			j.Input(0).Point(groupBy(p, "building"))
		case "floor_power":
			j.Input(1).Point(groupBy(p, "building", "floor"))
		}
	}
	j.Input(0).Done()
	j.Input(1).Done()
	pts := withRatio(lastPerSeries(out.points), "floor.value", "building.value")
	for i := range pts {
		pts[i].Fields = Fields{{"value", pts[i].Fields.Get("ratio")}}
	}
	rows, cols := pointRows(pts)
	checkRows(t, rows, cols, confExpected(t, dir))
}

func TestJoinFillNullConformance(t *testing.T) {
	dir := confDir(t, "stream", "TestStream_Join_Fill_Null")
	j := NewJoin(nil, NodeInfo{Name: "join3"}, JoinConfig{
		As: []string{"errors", "views"}, Delimiter: ".", Fill: JoinFillNull, StreamName: "error_view",
	})
	out := &capture{}
	j.AddChild(out)
	for _, p := range confPoints(t, dir) {
		switch p.Name {
		case "errors":
			j.Input(0).Point(groupBy(p, "service"))
		case "views":
			j.Input(1).Point(groupBy(p, "service"))
		}
	}
	j.Input(0).Done()
	j.Input(1).Done()
	// The window downstream counts the joined points of [0s, 10s) per service.
	counts := map[string]float64{}
	for _, p := range out.points {
		if p.Time < sec(10) {
			counts[rowKey(p.Name, p.Tags)]++
		}
	}
	want := confExpected(t, dir)
	if len(counts) != len(want) {
		t.Errorf("got %d series, want %d", len(counts), len(want))
	}
	for _, s := range want {
		key := rowKey(s.Name, mapTags(s.Tags))
		if got := counts[key]; got != s.Values[0][1].(float64) {
			t.Errorf("%s: %v joined points in the first window, want %v", key, got, s.Values[0][1])
		}
	}
}
