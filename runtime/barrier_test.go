package runtime

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// replayTask returns a stream task on a replay clock at sec(0).
func replayTask(t *testing.T) *Task {
	t.Helper()
	task, err := NewTask(TaskSpec{Name: "test", Type: StreamTask}, nil, NewReplayClock(sec(0)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// barrierLog records what a barrier node emits, in order.
type barrierLog struct{ events []string }

func (l *barrierLog) Point(p Point) {
	l.events = append(l.events, fmt.Sprintf("point %s@%gs", p.Group, float64(p.Time-sec(0))/1e9))
}
func (l *barrierLog) Batch(b Batch) {
	l.events = append(l.events, fmt.Sprintf("batch %s@%gs/%d", b.Group, float64(b.TMax-sec(0))/1e9, len(b.Points)))
}
func (l *barrierLog) Barrier(g GroupID, t int64) {
	l.events = append(l.events, fmt.Sprintf("barrier %s@%gs", g, float64(t-sec(0))/1e9))
}
func (l *barrierLog) DeleteGroup(g GroupID) { l.events = append(l.events, "delete "+string(g)) }
func (l *barrierLog) Done()                 { l.events = append(l.events, "done") }

func TestBarrierNode(t *testing.T) {
	hostPoint := func(host string, s float64) Point {
		return groupBy(Point{Name: "m", Time: sec(s), Tags: Tags{{"host", host}}, Fields: Fields{{"v", stdlib.Float(s)}}}, "host")
	}
	type step struct {
		clock float64 // advance the clock to this time first
		point Point
		batch *Batch
	}
	tests := []struct {
		name  string
		cfg   BarrierNodeConfig
		steps []step
		end   float64
		want  string
	}{
		{
			name: "idle barriers follow the last data time",
			cfg:  BarrierNodeConfig{Idle: time.Second},
			steps: []step{
				{clock: 0, point: hostPoint("a", 0)},
				{clock: 0.5, point: hostPoint("a", 0.5)},
				{clock: 1.5, point: hostPoint("a", 1.5)}, // exactly at the deadline: data first
				{clock: 5, point: hostPoint("a", 4)},     // older than the 4.5s barrier: dropped
				{clock: 5, point: hostPoint("a", 5)},
			},
			end: 5.5,
			want: "point host=a@0s|point host=a@0.5s|point host=a@1.5s|" +
				"barrier host=a@2.5s|barrier host=a@3.5s|barrier host=a@4.5s|point host=a@5s|done",
		},
		{
			name: "idle with delete forgets the group after its barrier",
			cfg:  BarrierNodeConfig{Idle: time.Second, Delete: true},
			steps: []step{
				{clock: 0, point: hostPoint("a", 0)},
				{clock: 0, point: hostPoint("b", 0)},
				{clock: 0.8, point: hostPoint("b", 0.8)},
				{clock: 3, point: hostPoint("a", 0.2)}, // a new group a: nothing to cut it
			},
			end: 3.5,
			want: "point host=a@0s|point host=b@0s|point host=b@0.8s|" +
				"barrier host=a@1s|delete host=a|barrier host=b@1.8s|delete host=b|point host=a@0.2s|done",
		},
		{
			name: "periodic barriers on the clock",
			cfg:  BarrierNodeConfig{Period: 2 * time.Second},
			steps: []step{
				{clock: 0, point: hostPoint("a", 0)},
				{clock: 1, point: hostPoint("b", 1)},
				{clock: 5, point: hostPoint("a", 3.9)}, // before the 4s barrier: dropped
				{clock: 5, batch: &Batch{Name: "m", TMax: sec(5), Group: "host=b", Points: []BatchPoint{{Time: sec(2.5)}, {Time: sec(3.5)}}}},
			},
			end:  5,
			want: "point host=a@0s|point host=b@1s|barrier host=a@2s|barrier host=b@3s|barrier host=a@4s|batch host=b@5s/1|done",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			task := replayTask(t)
			n := NewBarrierNode(task, NodeInfo{Name: "barrier2"}, tc.cfg)
			log := &barrierLog{}
			n.AddChild(log)
			for _, s := range tc.steps {
				task.AdvanceClock(sec(s.clock))
				if s.batch != nil {
					n.Batch(*s.batch)
				} else {
					n.Point(s.point)
				}
			}
			task.AdvanceClock(sec(tc.end))
			n.Done()
			if got := strings.Join(log.events, "|"); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", strings.ReplaceAll(got, "|", "\n"), strings.ReplaceAll(tc.want, "|", "\n"))
			}
			if n.Groups() != 0 {
				t.Errorf("%d groups left after Done", n.Groups())
			}
		})
	}
}

// TestBarrierDeleteJoinConformance runs the pipeline of TestStream_Delete_Join
// below the window: sums per host, idle barriers with delete, and a join with
// deleteAll, on the replay clock.
func TestBarrierDeleteJoinConformance(t *testing.T) {
	dir := confDir(t, "stream", "TestStream_Delete_Join")
	task := replayTask(t)
	j := NewJoin(task, NodeInfo{Name: "join9"}, JoinConfig{
		As: []string{"errors", "views"}, Delimiter: ".", Tolerance: 2 * time.Second, StreamName: "error_view", DeleteAll: true,
	})
	out := &capture{}
	j.AddChild(out)
	sums := map[string]*sumWindows{}
	barriers := map[string]*BarrierNode{}
	for i, m := range []string{"cpu", "views"} {
		sums[m] = newSumWindows(10*time.Second, "value")
		barriers[m] = NewBarrierNode(task, NodeInfo{Name: "barrier"}, BarrierNodeConfig{Idle: time.Second, Delete: true})
		barriers[m].AddChild(j.Input(i))
	}
	for _, p := range confPoints(t, dir) {
		task.AdvanceClock(p.Time)
		for _, s := range sums[p.Name].add(groupBy(p, "host")) {
			barriers[p.Name].Point(s)
		}
	}
	task.AdvanceClock(sec(30))
	for _, b := range barriers {
		b.Done()
	}
	rows, cols := pointRows(lastPerSeries(out.points))
	checkRows(t, rows, cols, confExpected(t, dir), "error_percent")
	if len(out.deletes) != 2 || out.done != 1 {
		t.Errorf("deletions %v, done %d", out.deletes, out.done)
	}
	if j.Groups() != 0 {
		t.Errorf("join keeps %d groups after the deletions", j.Groups())
	}
}
