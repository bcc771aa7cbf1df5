package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// The window's typed buffer must emit exactly what a buffer of BatchPoints
// emits. These tests feed points that leave the typed form (mixed fields,
// ints, strings, changed tags or keys) and points that stay in it, through
// every kind of window.

func TestWindowBufferFallbacks(t *testing.T) {
	tumbling := WindowConfig{Period: 3 * time.Second, Every: 3 * time.Second}
	pt := func(s float64, tags string, kv ...any) Point {
		return mkPoint(s, mkTags(strings.Split(tags, ",")...), mkFields(kv...), "host")
	}
	tests := []struct {
		name string
		cfg  WindowConfig
		in   []any
		want []string
	}{
		{
			"a second field turns the buffer general, an emptied buffer is typed again",
			tumbling,
			[]any{pt(0, "host=a", "value", 1.0), pt(1, "host=a", "value", 2.0, "x", 7), pt(2, "host=a", "value", 3.0),
				pt(3, "host=a", "value", 4.0), pt(4, "host=a", "value", 5.0), pt(6, "host=a", "value", 6.0)},
			[]string{
				`batch cpu "host=a" 3s {host=a} [0s {host=a} {value=1}; 1s {host=a} {value=2,x=7i}; 2s {host=a} {value=3}]`,
				`batch cpu "host=a" 6s {host=a} [3s {host=a} {value=4}; 4s {host=a} {value=5}]`,
			},
		},
		{
			"an int field after floats",
			tumbling,
			[]any{pt(0, "host=a", "value", 1.5), pt(1, "host=a", "value", 2), pt(3, "host=a", "value", 3.5)},
			[]string{`batch cpu "host=a" 3s {host=a} [0s {host=a} {value=1.5}; 1s {host=a} {value=2i}]`},
		},
		{
			"a window of ints first, then floats",
			tumbling,
			[]any{pt(0, "host=a", "value", 1), pt(1, "host=a", "value", 2.5), pt(3, "host=a", "value", 3.5),
				pt(4, "host=a", "value", 4.5), pt(6, "host=a", "value", 0.0)},
			[]string{
				`batch cpu "host=a" 3s {host=a} [0s {host=a} {value=1i}; 1s {host=a} {value=2.5}]`,
				`batch cpu "host=a" 6s {host=a} [3s {host=a} {value=3.5}; 4s {host=a} {value=4.5}]`,
			},
		},
		{
			"strings and booleans",
			tumbling,
			[]any{pt(0, "host=a", "value", "up"), pt(1, "host=a", "value", true), pt(2, "host=a", "value", 1.0), pt(3, "host=a", "value", 0.0)},
			[]string{`batch cpu "host=a" 3s {host=a} [0s {host=a} {value="up"}; 1s {host=a} {value=true}; 2s {host=a} {value=1}]`},
		},
		{
			"a tag that changes within the group",
			tumbling,
			[]any{pt(0, "host=a,cpu=0", "value", 1.0), pt(1, "host=a,cpu=1", "value", 2.0), pt(2, "host=a", "value", 3.0), pt(3, "host=a", "value", 0.0)},
			[]string{`batch cpu "host=a" 3s {host=a} [0s {cpu=0,host=a} {value=1}; 1s {cpu=1,host=a} {value=2}; 2s {host=a} {value=3}]`},
		},
		{
			"another field key",
			tumbling,
			[]any{pt(0, "host=a", "value", 1.0), pt(1, "host=a", "other", 2.0), pt(3, "host=a", "value", 0.0)},
			[]string{`batch cpu "host=a" 3s {host=a} [0s {host=a} {value=1}; 1s {host=a} {other=2}]`},
		},
		{
			"a sliding window keeps its general points until they are purged",
			WindowConfig{Period: 3 * time.Second, Every: time.Second},
			[]any{pt(0, "host=a", "value", 1.0), pt(1, "host=a", "value", 2), pt(2, "host=a", "value", 3.0),
				pt(3, "host=a", "value", 4.0), pt(4, "host=a", "value", 5.0), pt(5, "host=a", "value", 6.0)},
			[]string{
				`batch cpu "host=a" 1s {host=a} [0s {host=a} {value=1}]`,
				`batch cpu "host=a" 2s {host=a} [0s {host=a} {value=1}; 1s {host=a} {value=2i}]`,
				`batch cpu "host=a" 3s {host=a} [0s {host=a} {value=1}; 1s {host=a} {value=2i}; 2s {host=a} {value=3}]`,
				`batch cpu "host=a" 4s {host=a} [1s {host=a} {value=2i}; 2s {host=a} {value=3}; 3s {host=a} {value=4}]`,
				`batch cpu "host=a" 5s {host=a} [2s {host=a} {value=3}; 3s {host=a} {value=4}; 4s {host=a} {value=5}]`,
			},
		},
		{
			"every 0 emits (t−period, t] on each point",
			WindowConfig{Period: 2 * time.Second},
			[]any{pt(0, "host=a", "value", 1.0), pt(1, "host=a", "value", 2, "x", 1.0), pt(2, "host=a", "value", 3.0), pt(3, "host=a", "value", 4.0)},
			[]string{
				`batch cpu "host=a" 0s {host=a} [0s {host=a} {value=1}]`,
				`batch cpu "host=a" 1s {host=a} [0s {host=a} {value=1}; 1s {host=a} {value=2i,x=1}]`,
				`batch cpu "host=a" 2s {host=a} [1s {host=a} {value=2i,x=1}; 2s {host=a} {value=3}]`,
				`batch cpu "host=a" 3s {host=a} [2s {host=a} {value=3}; 3s {host=a} {value=4}]`,
			},
		},
		{
			"aligned, fillPeriod",
			WindowConfig{Period: 4 * time.Second, Every: 2 * time.Second, Align: true, FillPeriod: true},
			[]any{pt(1, "host=a", "value", 1.0), pt(2, "host=a", "value", 2), pt(3, "host=a", "value", 3.0),
				pt(5, "host=a", "value", 5.0), pt(6, "host=a", "value", 6.0), pt(8, "host=a", "value", 8.0)},
			[]string{
				`batch cpu "host=a" 6s {host=a} [2s {host=a} {value=2i}; 3s {host=a} {value=3}; 5s {host=a} {value=5}]`,
				`batch cpu "host=a" 8s {host=a} [5s {host=a} {value=5}; 6s {host=a} {value=6}]`,
			},
		},
		{
			"a count window with an int in its ring",
			WindowConfig{PeriodCount: 3, EveryCount: 2},
			[]any{pt(1, "host=a", "value", 1.0), pt(2, "host=a", "value", 2), pt(3, "host=a", "value", 3.0),
				pt(4, "host=a", "value", 4.0), pt(5, "host=a", "value", 5.0), pt(6, "host=a", "value", 6.0)},
			[]string{
				`batch cpu "host=a" 2s {host=a} [1s {host=a} {value=1}; 2s {host=a} {value=2i}]`,
				`batch cpu "host=a" 4s {host=a} [2s {host=a} {value=2i}; 3s {host=a} {value=3}; 4s {host=a} {value=4}]`,
				`batch cpu "host=a" 6s {host=a} [4s {host=a} {value=4}; 5s {host=a} {value=5}; 6s {host=a} {value=6}]`,
			},
		},
		{
			"a count window, fillPeriod, tags changing",
			WindowConfig{PeriodCount: 2, EveryCount: 1, FillPeriod: true},
			[]any{pt(1, "host=a", "value", 1.0), pt(2, "host=a,cpu=1", "value", 2.0), pt(3, "host=a", "value", 3.0), pt(4, "host=a", "value", 4.0)},
			[]string{
				`batch cpu "host=a" 2s {host=a} [1s {host=a} {value=1}; 2s {cpu=1,host=a} {value=2}]`,
				`batch cpu "host=a" 3s {host=a} [2s {cpu=1,host=a} {value=2}; 3s {host=a} {value=3}]`,
				`batch cpu "host=a" 4s {host=a} [3s {host=a} {value=3}; 4s {host=a} {value=4}]`,
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

// TestWindowTypedMatchesGeneral compares, over random streams, a window fed
// float points (held typed) with one fed the same points plus a second
// field (held general): with that field taken out again, the batches must
// be the same.
func TestWindowTypedMatchesGeneral(t *testing.T) {
	configs := []WindowConfig{
		{Period: 5 * time.Second, Every: 5 * time.Second},
		{Period: 10 * time.Second, Every: 3 * time.Second},
		{Period: 4 * time.Second, Every: 2 * time.Second, Align: true},
		{Period: 6 * time.Second, Every: 2 * time.Second, FillPeriod: true},
		{Period: 3 * time.Second},
		{PeriodCount: 4, EveryCount: 3},
		{PeriodCount: 5, EveryCount: 5, FillPeriod: true},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, cfg := range configs {
		typed, general := NewWindow(nil, NodeInfo{}, cfg), NewWindow(nil, NodeInfo{}, cfg)
		r1, r2 := &sink{}, &sink{}
		typed.AddChild(r1)
		general.AddChild(r2)
		now := 0.0
		for range 400 {
			now += float64(rng.IntN(1500)) / 1000
			host := []string{"a", "b", "c"}[rng.IntN(3)]
			tags := mkTags("host=" + host)
			if rng.IntN(10) == 0 {
				tags = mkTags("host="+host, "cpu=1")
			}
			v := rng.NormFloat64()
			if rng.IntN(50) == 0 {
				v = math.NaN()
			}
			p := mkPoint(now, tags, mkFields("value", v), "host")
			typed.Point(p)
			p.Fields = p.Fields.With("zz", stdlib.Int(1))
			general.Point(p)
			if rng.IntN(40) == 0 {
				typed.Barrier(p.Group, secs(now+0.5))
				general.Barrier(p.Group, secs(now+0.5))
			}
		}
		if len(r1.bts) == 0 || len(r1.bts) != len(r2.bts) {
			t.Fatalf("%+v: %d batches typed, %d general", cfg, len(r1.bts), len(r2.bts))
		}
		for i := range r2.bts {
			for j := range r2.bts[i].Points {
				r2.bts[i].Points[j].Fields = r2.bts[i].Points[j].Fields.Without("zz")
			}
			if got, want := showBatch(r1.bts[i]), showBatch(r2.bts[i]); got != want {
				t.Fatalf("%+v: batch %d:\n typed   %s\n general %s", cfg, i, got, want)
			}
		}
	}
}

// hideFloatWindow passes everything on to r, but not the floatWindow
// method: the window must build a Batch for it.
type hideFloatWindow struct{ r Receiver }

func (h hideFloatWindow) Point(p Point)              { h.r.Point(p) }
func (h hideFloatWindow) Batch(b Batch)              { h.r.Batch(b) }
func (h hideFloatWindow) Barrier(g GroupID, t int64) { h.r.Barrier(g, t) }
func (h hideFloatWindow) DeleteGroup(g GroupID)      { h.r.DeleteGroup(g) }
func (h hideFloatWindow) Done()                      { h.r.Done() }

// TestInfluxQLFloatWindow checks that the reducers that take a window
// straight from its buffer give what they give for the window's batch:
// values, times (with and without usePointTimes), empty windows, NaNs, a
// field the points lack and windows that are not typed.
func TestInfluxQLFloatWindow(t *testing.T) {
	cfg := WindowConfig{Period: 4 * time.Second, Every: 2 * time.Second}
	var in []Point
	rng := rand.New(rand.NewPCG(3, 4))
	now := 0.0
	for i := range 300 {
		now += float64(rng.IntN(3000)) / 1000
		fs := mkFields("value", rng.Float64()*100-50)
		switch {
		case i%97 == 0:
			fs = mkFields("value", math.NaN())
		case i%61 == 0:
			fs = mkFields("value", 7)
		case i%53 == 0:
			fs = mkFields("other", 1.0)
		}
		in = append(in, mkPoint(now, mkTags("host="+[]string{"a", "b"}[rng.IntN(2)]), fs, "host"))
	}
	for _, f := range []InfluxQLFunc{InfluxQLCount, InfluxQLSum, InfluxQLMean, InfluxQLSpread} {
		for _, pointTimes := range []bool{false, true} {
			iq := InfluxQLConfig{Func: f, Field: "value", BatchInput: true, UsePointTimes: pointTimes}
			run := func(hide bool) (*sink, *InfluxQL) {
				w := NewWindow(nil, NodeInfo{}, cfg)
				n := NewInfluxQL(nil, NodeInfo{}, iq)
				r := &sink{}
				n.AddChild(r)
				if hide {
					w.AddChild(hideFloatWindow{n})
				} else {
					w.AddChild(n)
				}
				for _, p := range in {
					w.Point(p)
				}
				return r, n
			}
			fast, nf := run(false)
			slow, ns := run(true)
			if len(fast.lines) == 0 || !reflect.DeepEqual(fast.lines, slow.lines) {
				t.Errorf("%s usePointTimes=%v: from the buffer\n\t%s\nfrom batches\n\t%s", f, pointTimes,
					strings.Join(fast.lines, "\n\t"), strings.Join(slow.lines, "\n\t"))
			}
			if nf.PointsIn != ns.PointsIn || nf.Errors != ns.Errors || nf.PointsOut != ns.PointsOut {
				t.Errorf("%s: counters in/out/errors %d/%d/%d from the buffer, %d/%d/%d from batches", f,
					nf.PointsIn, nf.PointsOut, nf.Errors, ns.PointsIn, ns.PointsOut, ns.Errors)
			}
		}
	}
}

// TestWindowBufferShrinks checks that a buffer grown by a burst is given
// back once the windows are small again, and that a steady stream then
// allocates nothing per point.
func TestWindowBufferShrinks(t *testing.T) {
	n := NewWindow(nil, NodeInfo{}, WindowConfig{Period: time.Second, Every: time.Second})
	n.AddChild(NewInfluxQL(nil, NodeInfo{}, InfluxQLConfig{Func: InfluxQLMean, Field: "value", BatchInput: true}))
	p := vpt(0, "a", 1)
	for i := range 10_000 { // a burst: 10,000 points in one second
		p.Time = int64(i) * int64(time.Second) / 10_000
		n.Point(p)
	}
	w := n.groups["host=a"]
	if cap(w.buf.floats) < 10_000 {
		t.Fatalf("buffer of %d for 10,000 points", cap(w.buf.floats))
	}
	next := func() {
		p.Time += int64(time.Second) / 4 // four points a window
		n.Point(p)
	}
	for range 12 {
		next()
	}
	if c := cap(w.buf.floats); c > 16 {
		t.Errorf("buffer of %d after windows of four points", c)
	}
	// One point in four closes a window, whose mean point allocates its
	// fields: nothing else may allocate.
	if allocs := testing.AllocsPerRun(400, next); allocs > 0.25 {
		t.Errorf("%.2f allocations per point, want at most 0.25", allocs)
	}
}

// TestGroupCache checks the identity cache of the window's groups: a hit
// needs the very same string, a deletion forgets everything.
func TestGroupCache(t *testing.T) {
	var c groupCache[int]
	a, b := new(int), new(int)
	id := GroupID(strings.Repeat("host=a", 2))
	c.put(id, a, 1)
	if c.get(id) != a {
		t.Fatal("the same id misses")
	}
	if same := GroupID(strings.Repeat("host=a", 2)); c.get(same) != nil {
		t.Error("an equal id in another string hits")
	}
	if prefix := id[:6]; c.get(prefix) != nil {
		t.Error("a prefix of the id hits")
	}
	for i := range 5000 { // growth starts over
		c.put(GroupID(strings.Repeat("x", i%50+1)+string(rune('a'+i%26))), b, i+2)
	}
	c.put(id, a, 5002)
	c.forget()
	if c.get(id) != nil {
		t.Error("a deleted group hits")
	}
}

// TestGroupCacheBuckets fills the cache as a window does, 1,000 groups
// that come round in turn: a hit is always the group's own state, and
// groups that share a bucket stay, so nearly every point hits.
func TestGroupCacheBuckets(t *testing.T) {
	var c groupCache[int]
	ids := make([]GroupID, 1000)
	states := make([]*int, len(ids))
	for i := range ids {
		ids[i] = GroupID(fmt.Sprintf("host=h%d", i))
		states[i] = new(int)
		c.put(ids[i], states[i], i+1)
	}
	hits := 0
	for round := range 3 {
		if round == 1 {
			hits = 0
		}
		for i, id := range ids {
			switch got := c.get(id); got {
			case states[i]:
				hits++
			case nil:
				c.put(id, states[i], len(ids))
			default:
				t.Fatalf("round %d: group %q gets another group's state", round, id)
			}
		}
	}
	// The first round refills what the cache's growth emptied; in the
	// others few groups may miss.
	if hits < 2*len(ids)*95/100 {
		t.Errorf("%d hits of %d", hits, 2*len(ids))
	}
}
