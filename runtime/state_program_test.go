package runtime

import (
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// multiParentSpec is a task whose cpu points go through an idle barrier to
// a join with its mem points; the join feeds a union with the raw cpu
// points and is watched by a stats node. Everything the union and the
// stats node emit is written down in out.
func multiParentSpec(out *sink) TaskSpec {
	return TaskSpec{
		Name: "multi", Type: StreamTask, DBRPs: []DBRP{{"db", "rp"}}, Fingerprint: "fp-multi",
		Build: func(t *Task) error {
			t.AddMeasurement("cpu")
			t.AddMeasurement("mem")
			cpu := NewFrom(t, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
			mem := NewFrom(t, NodeInfo{Name: "from2"}, FromConfig{Measurement: "mem", GroupBy: []string{"host"}})
			barrier := NewBarrierNode(t, NodeInfo{Name: "barrier3"}, BarrierNodeConfig{Idle: 2 * time.Second})
			join := NewJoin(t, NodeInfo{Name: "join4"}, JoinConfig{As: []string{"cpu", "mem"}, Delimiter: ".", Tolerance: time.Second, Fill: JoinFillNull, StreamName: "both"})
			union := NewUnion(t, NodeInfo{Name: "union5"}, UnionConfig{Parents: 2})
			stats := NewStatsNode(t, NodeInfo{Name: "stats6"}, StatsConfig{Interval: 3 * time.Second})
			t.Stream().AddChild(cpu)
			t.Stream().AddChild(mem)
			cpu.AddChild(barrier)
			barrier.AddChild(join.Input(0))
			mem.AddChild(join.Input(1))
			join.AddChild(union.Input(0))
			cpu.AddChild(union.Input(1))
			join.AddChild(stats.Watch())
			union.AddChild(out)
			stats.AddChild(out)
			return nil
		},
	}
}

func multiParentPoints() []Point {
	var pts []Point
	add := func(m, host string, s, v float64) {
		pts = append(pts, Point{Name: m, Database: "db", RetentionPolicy: "rp", Time: sec(s),
			Tags: Tags{{"host", host}}, Fields: Fields{{"v", stdlib.Float(v)}}})
	}
	add("cpu", "a", 1, 1)
	add("mem", "a", 1.2, 10)
	add("cpu", "b", 1.5, 2)
	add("cpu", "a", 2, 3)
	add("mem", "b", 2.4, 20)
	add("cpu", "b", 6, 4) // a has been idle: barrier
	add("mem", "a", 6.2, 30)
	add("cpu", "a", 7, 5)
	add("mem", "b", 8, 40)
	add("cpu", "b", 9, 6)
	return pts
}

// runMulti writes pts into a program of multiParentSpec one by one on the
// replay clock; end > 0 then moves the clock to end and ends the input.
func runMulti(t *testing.T, p *Program, pts []Point, end int64) {
	t.Helper()
	task := p.Task("multi")
	for _, pt := range pts {
		task.AdvanceClock(pt.Time)
		if err := p.Write([]Point{pt}); err != nil {
			t.Fatal(err)
		}
	}
	if end > 0 {
		task.AdvanceClock(end)
		task.Done()
	}
}

func newMultiProgram(t *testing.T, out *sink) *Program {
	t.Helper()
	p, err := NewProgram([]TaskSpec{multiParentSpec(out)}, nil, func() Clock { return NewReplayClock(sec(0)) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheckpointMultiParentProgram checks the join, union, barrier and
// stats nodes through a program's checkpoint: the program finds them,
// restores them and re-arms their timers, and the restored program goes
// on exactly as the uninterrupted one.
func TestCheckpointMultiParentProgram(t *testing.T) {
	pts := multiParentPoints()
	end := sec(12)
	want := &sink{}
	runMulti(t, newMultiProgram(t, want), pts, end)
	if len(want.lines) < 15 {
		t.Fatalf("the task emits too little to test anything: %q", want.lines)
	}
	for _, k := range []int{1, 3, 6, 8} {
		out1 := &sink{}
		first := newMultiProgram(t, out1)
		runMulti(t, first, pts[:k], 0)
		data, err := first.Checkpoint()
		if err != nil {
			t.Fatal(err)
		}
		out2 := &sink{}
		second := newMultiProgram(t, out2)
		if err := second.RestoreCheckpoint(data); err != nil {
			t.Fatalf("after %d points: %v", k, err)
		}
		runMulti(t, second, pts[k:], end)
		got := append(out1.lines, out2.lines...)
		if strings.Join(got, "\n") != strings.Join(want.lines, "\n") {
			t.Errorf("checkpoint after %d points: got\n\t%s\nwant\n\t%s", k, strings.Join(got, "\n\t"), strings.Join(want.lines, "\n\t"))
		}
	}
}
