package runtime

import (
	"runtime"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

func TestStatsNodeCountsEmissionsPerGroupOnTheReplayClock(t *testing.T) {
	task := replayTask(t)
	watched := NewNoOpNode(task, NodeInfo{Name: "noop1"}, NoOpConfig{})
	stats := NewStatsNode(task, NodeInfo{Name: "stats2"}, StatsConfig{Interval: 10 * time.Second, Align: true})
	watched.AddChild(stats.Watch())
	out := &barrierLog{}
	stats.AddChild(out)

	// Nothing seen yet: one ungrouped point with emitted 0 at the first tick.
	task.AdvanceClock(sec(10))
	for _, host := range []string{"a", "b", "a"} {
		watched.Point(groupBy(Point{Name: "m", Time: sec(11), Tags: Tags{{"host", host}}, Fields: Fields{{"v", stdlib.Float(1)}}}, "host"))
	}
	task.AdvanceClock(sec(20))
	watched.DeleteGroup("host=b")
	task.AdvanceClock(sec(30))
	watched.Done()
	task.AdvanceClock(sec(60)) // stopped: no more ticks

	want := []string{
		"point @10s",
		"point host=a@20s", "point host=b@20s",
		"point host=a@30s",
		"done",
	}
	if len(out.events) != len(want) {
		t.Fatalf("events %q, want %q", out.events, want)
	}
	for i := range want {
		if out.events[i] != want[i] {
			t.Errorf("event %d = %q, want %q", i, out.events[i], want[i])
		}
	}
	if stats.Groups() != 1 {
		t.Errorf("groups = %d, want 1 after host=b was deleted", stats.Groups())
	}
}

func TestStatsNodeEmittedValues(t *testing.T) {
	task := replayTask(t)
	stats := NewStatsNode(task, NodeInfo{Name: "stats1"}, StatsConfig{Interval: time.Second})
	got := &sink{}
	stats.AddChild(got)
	w := stats.Watch()
	w.Batch(Batch{Name: "m", Group: "host=a", Tags: Tags{{"host", "a"}}, Dimensions: Dimensions{TagNames: []string{"host"}}})
	w.Batch(Batch{Name: "m", Group: "host=a", Tags: Tags{{"host", "a"}}, Dimensions: Dimensions{TagNames: []string{"host"}}})
	task.AdvanceClock(sec(1))
	if len(got.pts) != 1 {
		t.Fatalf("got %d points, want 1", len(got.pts))
	}
	p := got.pts[0]
	if p.Name != "stats" || p.Time != sec(1) || p.Group != "host=a" || p.Fields.Get("emitted") != stdlib.Int(2) {
		t.Errorf("stats point = %+v, want stats@1s host=a emitted=2", p)
	}
}

func TestLoopbackNodeWritesIntoTheProgram(t *testing.T) {
	prog, err := NewProgram([]TaskSpec{{Name: "t", Type: StreamTask, DBRPs: []DBRP{{"db", "rp"}}}}, nil, func() Clock { return NewReplayClock(sec(0)) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	task := prog.Tasks[0]
	lb := NewLoopbackNode(task, NodeInfo{Name: "kapacitorLoopback2"}, LoopbackConfig{
		Database: "other", RetentionPolicy: "autogen", Measurement: "copy", Tags: Tags{{"k", "v"}},
	})
	lb.Point(groupBy(Point{Name: "m", Time: sec(1), Tags: Tags{{"host", "a"}}, Fields: Fields{{"v", stdlib.Float(1)}}}, "host"))
	lb.Batch(Batch{Name: "b", TMax: sec(3), Tags: Tags{{"host", "b"}}, Points: []BatchPoint{{Time: sec(2), Fields: Fields{{"v", stdlib.Float(2)}}}}})
	q := prog.takeLoopback()
	if len(q) != 2 || lb.Written != 2 || lb.Errors != 0 {
		t.Fatalf("looped back %d points (written %d, errors %d), want 2", len(q), lb.Written, lb.Errors)
	}
	if p := q[0]; p.Name != "copy" || p.Database != "other" || p.RetentionPolicy != "autogen" || p.Group != "" || len(p.Tags) != 2 || p.Tags[1] != (Tag{"k", "v"}) {
		t.Errorf("stream point = %+v", p)
	}
	if p := q[1]; p.Name != "b" || p.Time != sec(2) || p.Tags[0] != (Tag{"host", "b"}) || p.Tags[1] != (Tag{"k", "v"}) {
		t.Errorf("batch point = %+v", p)
	}

	alone := NewLoopbackNode(nil, NodeInfo{Name: "kapacitorLoopback1"}, LoopbackConfig{Database: "d", RetentionPolicy: "r"})
	alone.Point(Point{Name: "m"})
	if alone.Errors != 1 {
		t.Errorf("a loopback outside a program: errors = %d, want 1", alone.Errors)
	}
}

// TestBarrierDeleteJoinReleasesChurningGroups runs many short-lived groups
// through barrier(idle, delete) → join and checks that neither node keeps
// state for a group once it has gone, and that the heap stays flat.
func TestBarrierDeleteJoinReleasesChurningGroups(t *testing.T) {
	task := replayTask(t)
	left := NewBarrierNode(task, NodeInfo{Name: "barrier1"}, BarrierNodeConfig{Idle: time.Second, Delete: true})
	right := NewBarrierNode(task, NodeInfo{Name: "barrier2"}, BarrierNodeConfig{Idle: time.Second, Delete: true})
	join := NewJoin(task, NodeInfo{Name: "join3"}, JoinConfig{As: []string{"errors", "requests"}, Delimiter: "."})
	left.AddChild(join.Input(0))
	right.AddChild(join.Input(1))
	out := &countSink{}
	join.AddChild(out)

	const rounds, perRound = 400, 50
	var before runtime.MemStats
	now := 0.0
	run := func(from, to int) {
		for r := from; r < to; r++ {
			for i := 0; i < perRound; i++ {
				host := "h" + itoa(r*perRound+i) // every group is new and lives one round
				p := groupBy(Point{Name: "m", Time: sec(now), Tags: Tags{{"host", host}}, Fields: Fields{{"v", stdlib.Float(1)}}}, "host")
				left.Point(p)
				if i%2 == 0 { // half the sets stay incomplete
					right.Point(p)
				}
			}
			now += 2 // past the idle time: every group of the round is deleted
			task.AdvanceClock(sec(now))
		}
	}
	run(0, rounds/2)
	runtime.GC()
	runtime.ReadMemStats(&before)
	run(rounds/2, rounds)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)

	if g := left.Groups() + right.Groups(); g != 0 {
		t.Errorf("barriers hold %d groups, want 0", g)
	}
	if g, b := join.Groups(), join.Buffered(); g != 0 || b != 0 {
		t.Errorf("join holds %d groups and %d buffered points, want none", g, b)
	}
	if want := rounds * perRound / 2; out.points != want {
		t.Errorf("joined %d points, want %d", out.points, want)
	}
	// Every group is deleted by the barrier of each parent it reached.
	if want := rounds*perRound + rounds*perRound/2; out.deletes != want {
		t.Errorf("passed on %d deletions, want %d", out.deletes, want)
	}
	if growth := int64(after.HeapAlloc) - int64(before.HeapAlloc); growth > 4<<20 {
		t.Errorf("heap grew by %d bytes over %d churned groups", growth, rounds*perRound/2)
	}
}

// countSink counts what reaches it.
type countSink struct{ points, deletes int }

func (c *countSink) Point(Point)            { c.points++ }
func (c *countSink) Batch(Batch)            {}
func (c *countSink) Barrier(GroupID, int64) {}
func (c *countSink) DeleteGroup(GroupID)    { c.deletes++ }
func (c *countSink) Done()                  {}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
