package runtime

import (
	"math"
	"slices"
	"testing"
	"time"
)

// windowEvents is a stream of two groups whose windows hold typed and
// general points (a second field, an int, another tag), with a barrier, a
// barrier for a group not seen yet and a deletion.
func windowEvents() []ckptEvent {
	pt := func(s float64, host string, kv ...any) Point {
		tags := mkTags("host=" + host)
		if s == 4 {
			tags = mkTags("host="+host, "cpu=1")
		}
		return mkPoint(s, tags, mkFields(kv...), "host")
	}
	return []ckptEvent{
		evPoint(0, pt(0, "a", "value", 1.0)),
		evPoint(0, pt(1, "b", "value", 2.0)),
		evPoint(0, pt(2, "a", "value", 3.0, "x", 1)),
		evPoint(0, pt(3, "a", "value", math.NaN())),
		evPoint(0, pt(4, "b", "value", 4.0)),
		evBarrier(0, "host=c", secs(4.5)),
		evPoint(0, pt(5, "a", "value", 5)),
		evPoint(0, pt(6, "b", "value", 6.0)),
		evBarrier(0, "host=a", secs(7)),
		evPoint(0, pt(8, "a", "value", 8.0)),
		evDelete(0, "host=b"),
		evPoint(0, pt(9, "b", "value", 9.0)),
		evPoint(0, pt(11, "c", "value", 11.0)),
		evPoint(0, pt(12, "a", "value", 12.0)),
	}
}

func TestWindowStateRoundTrip(t *testing.T) {
	configs := []WindowConfig{
		{Period: 3 * time.Second, Every: 3 * time.Second},
		{Period: 4 * time.Second, Every: 2 * time.Second, Align: true, FillPeriod: true},
		{Period: 2 * time.Second},
		{PeriodCount: 3, EveryCount: 2},
	}
	for _, cfg := range configs {
		c := &ckptCase{
			build: func(t *testing.T, task *Task, out Receiver) (Stateful, []Receiver) {
				w := NewWindow(task, NodeInfo{Name: "window2"}, cfg)
				w.AddChild(out)
				return w, []Receiver{w}
			},
			start: 0, end: secs(20),
			events: windowEvents(),
		}
		if got := c.check(t); len(got) < 4 {
			t.Errorf("%+v: only %d outputs: %q", cfg, len(got), got)
		}
	}
}

// TestInfluxQLStateRoundTrip restores InfluxQL nodes in the middle of a
// stream bucket, of a transform's running state and between windows.
func TestInfluxQLStateRoundTrip(t *testing.T) {
	streamCases := []InfluxQLConfig{
		{Func: InfluxQLMean, Field: "value"},
		{Func: InfluxQLFirst, Field: "value", As: "first"},
		{Func: InfluxQLMedian, Field: "value"},
		{Func: InfluxQLSpread, Field: "value"},
		{Func: InfluxQLCount, Field: "value"},
		{Func: InfluxQLSum, Field: "value"},
		{Func: InfluxQLDistinct, Field: "value"},
		{Func: InfluxQLTop, Field: "value", N: 2, FieldsAndTags: []string{"host"}},
		{Func: InfluxQLElapsed, Field: "value", Unit: time.Second},
		{Func: InfluxQLDifference, Field: "value"},
		{Func: InfluxQLMovingAverage, Field: "value", Window: 2},
		{Func: InfluxQLCumulativeSum, Field: "value"},
		{Func: InfluxQLHoltWinters, Field: "value", H: 2, Interval: time.Second},
	}
	// Several points share a time, so that a stream bucket is pending
	// across the checkpoint; ints and a field the points lack are mixed in.
	pt := func(s float64, host string, kv ...any) Point {
		return mkPoint(s, mkTags("host="+host), mkFields(kv...))
	}
	events := []ckptEvent{
		evPoint(0, pt(1, "a", "value", 3.0)),
		evPoint(0, pt(1, "b", "value", 1.0)),
		evPoint(0, pt(2, "a", "value", 4.0)),
		evPoint(0, pt(2, "b", "value", 4.0)),
		evPoint(0, pt(2, "c", "value", math.NaN())),
		evPoint(0, pt(3, "a", "other", 1.0)),
		evPoint(0, pt(3, "b", "value", 2.0)),
		evPoint(0, pt(3, "a", "value", 7)),
		evBarrier(0, "", secs(3.5)),
		evPoint(0, pt(4, "a", "value", 5.0)),
		evPoint(0, pt(5, "b", "value", 6.0)),
		evPoint(0, pt(6, "a", "value", 8.0)),
	}
	for _, cfg := range streamCases {
		events := events
		if cfg.Func == InfluxQLDistinct {
			// Distinct values of one time are ordered by value, and NaN
			// has no order: leave it out.
			events = slices.DeleteFunc(slices.Clone(events), func(ev ckptEvent) bool {
				return ev.point != nil && math.IsNaN(ev.point.Fields.Get("value").Float())
			})
		}
		c := &ckptCase{
			build: func(t *testing.T, task *Task, out Receiver) (Stateful, []Receiver) {
				n := NewInfluxQL(task, NodeInfo{Name: cfg.Func.String() + "3"}, cfg)
				n.AddChild(out)
				return n, []Receiver{n}
			},
			start: 0, end: secs(10),
			events: events,
		}
		if got := c.check(t); len(got) < 2 {
			t.Errorf("%s: only %d outputs: %q", cfg.Func, len(got), got)
		}
	}

	// Behind a window, on a batch edge.
	for _, f := range []InfluxQLFunc{InfluxQLMean, InfluxQLCount, InfluxQLTop, InfluxQLMovingAverage} {
		cfg := InfluxQLConfig{Func: f, Field: "value", BatchInput: true, N: 2, Window: 2}
		c := &ckptCase{
			build: func(t *testing.T, task *Task, out Receiver) (Stateful, []Receiver) {
				w := NewWindow(task, NodeInfo{Name: "window2"}, WindowConfig{Period: 3 * time.Second, Every: 3 * time.Second})
				n := NewInfluxQL(task, NodeInfo{Name: f.String() + "3"}, cfg)
				w.AddChild(n)
				n.AddChild(out)
				return statefulPair{w, n}, []Receiver{w}
			},
			start: 0, end: secs(20),
			events: windowEvents(),
		}
		if got := c.check(t); len(got) < 3 {
			t.Errorf("%s behind a window: only %d outputs: %q", f, len(got), got)
		}
	}
}

// statefulPair saves and loads two nodes one after the other.
type statefulPair [2]Stateful

func (p statefulPair) SaveState(e *StateEncoder) {
	p[0].SaveState(e)
	p[1].SaveState(e)
}

func (p statefulPair) LoadState(d *StateDecoder) error {
	if err := p[0].LoadState(d); err != nil {
		return err
	}
	return p[1].LoadState(d)
}
