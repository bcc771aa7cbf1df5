package runtime

import (
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

func joinCase(cfg JoinConfig, events ...ckptEvent) *ckptCase {
	return &ckptCase{
		build: func(t *testing.T, task *Task, out Receiver) (Stateful, []Receiver) {
			j := NewJoin(task, NodeInfo{Name: "join3"}, cfg)
			j.AddChild(out)
			inputs := make([]Receiver, len(cfg.As))
			for i := range inputs {
				inputs[i] = j.Input(i)
			}
			return j, inputs
		},
		start: sec(0), end: sec(100), events: events,
	}
}

// TestJoinStateRoundTrip checks a join restored from a checkpoint taken
// anywhere in a stream with tolerance, fill, groups, barriers and a group
// deletion.
func TestJoinStateRoundTrip(t *testing.T) {
	host := func(name, h string, s, v float64) Point {
		return groupBy(Point{Name: name, Time: sec(s), Tags: Tags{{"host", h}}, Fields: Fields{{"v", stdlib.Float(v)}}}, "host")
	}
	c := joinCase(JoinConfig{As: []string{"cpu", "mem"}, Delimiter: ".", Tolerance: time.Second, Fill: JoinFillValue, FillValue: stdlib.Int(-1)},
		evPoint(0, host("cpu", "a", 1, 10)),
		evPoint(0, host("cpu", "b", 1.2, 11)),
		evPoint(1, host("mem", "a", 1.1, 20)), // completes a@1s
		evPoint(0, host("cpu", "a", 2, 12)),
		evPoint(0, host("cpu", "a", 2.1, 13)), // a second set at 2s for parent 0
		evPoint(1, host("mem", "b", 3, 21)),   // b@1s is incomplete, and past
		evPoint(1, host("mem", "a", 4, 22)),
		evBarrier(0, host("cpu", "b", 0, 0).Group, sec(5)),
		evPoint(0, host("cpu", "a", 5, 14)),
		evDelete(1, host("mem", "b", 0, 0).Group),
		evPoint(0, host("cpu", "c", 6, 15)),
		evPoint(1, host("mem", "c", 6, 25)),
		evPoint(1, host("mem", "a", 7, 26)),
	)
	if got := c.check(t); len(got) < 8 {
		t.Errorf("the case emits too little to test anything: %q", got)
	}
}

// TestJoinOnStateRoundTrip checks the On bookkeeping: specific data
// waiting for its match, less specific data waiting for specific data, and
// low-water marks.
func TestJoinOnStateRoundTrip(t *testing.T) {
	hostPt := func(s, v float64) Point {
		return groupBy(Point{Name: "m", Time: sec(s), Tags: Tags{{"host", "a"}}, Fields: Fields{{"v", stdlib.Float(v)}}}, "host")
	}
	pathPt := func(path string, s, v float64) Point {
		return groupBy(Point{Name: "m", Time: sec(s), Tags: Tags{{"host", "a"}, {"path", path}}, Fields: Fields{{"u", stdlib.Float(v)}}}, "host", "path")
	}
	c := joinCase(JoinConfig{As: []string{"host", "path"}, On: []string{"host"}, Delimiter: "."},
		evPoint(1, pathPt("/", 1, 1)), // specific data before any match
		evPoint(1, pathPt("/x", 1, 2)),
		evPoint(0, hostPt(1, 100)),
		evPoint(0, hostPt(2, 200)), // a match waiting for specific data
		evPoint(1, pathPt("/", 2, 3)),
		evPoint(1, pathPt("/x", 3, 4)),
		evPoint(0, hostPt(3, 300)),
		evDelete(1, pathPt("/x", 0, 0).Group),
		evPoint(1, pathPt("/", 4, 5)),
		evPoint(0, hostPt(4, 400)),
	)
	if got := c.check(t); len(got) < 5 {
		t.Errorf("the case emits too little to test anything: %q", got)
	}
}

// TestJoinBatchStateRoundTrip checks buffered batches.
func TestJoinBatchStateRoundTrip(t *testing.T) {
	batch := func(name string, s float64, vs ...float64) Batch {
		b := Batch{Name: name, TMax: sec(s)}
		for i, v := range vs {
			b.Points = append(b.Points, BatchPoint{Time: sec(s - float64(len(vs)-1-i)), Fields: Fields{{"v", stdlib.Float(v)}}})
		}
		return b
	}
	c := joinCase(JoinConfig{As: []string{"a", "b"}, Delimiter: "_", Fill: JoinFillNull},
		evBatch(0, batch("x", 10, 1, 2)),
		evBatch(0, batch("x", 20, 3, 4)),
		evBatch(1, batch("y", 10, 5, 6)),
		evBatch(1, batch("y", 30, 7)),
		evBatch(0, batch("x", 30, 8, 9)),
	)
	if got := c.check(t); len(got) < 3 {
		t.Errorf("the case emits too little to test anything: %q", got)
	}
}
