package runtime

import (
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// TestStatsStateRoundTrip checks that a restored stats node keeps its
// counters and emits at the same times, aligned or not; a deadman is a
// stats node followed by a threshold alert, so this is a deadman's state
// too.
func TestStatsStateRoundTrip(t *testing.T) {
	for _, align := range []bool{false, true} {
		c := &ckptCase{
			build: func(t *testing.T, task *Task, out Receiver) (Stateful, []Receiver) {
				n := NewStatsNode(task, NodeInfo{Name: "stats3"}, StatsConfig{Interval: 2 * time.Second, Align: align})
				n.AddChild(out)
				return n, []Receiver{n.Watch()}
			},
			start: sec(0.3), end: sec(12),
			events: []ckptEvent{
				evClock(sec(2.5)),
				evPoint(0, barrierPoint("a", 3)),
				evPoint(0, barrierPoint("b", 3.1)),
				evPoint(0, barrierPoint("a", 4.4)),
				evClock(sec(5)),
				evBatch(0, Batch{Name: "m", TMax: sec(5.5), Group: "batch", Points: []BatchPoint{{Time: sec(5.5), Fields: Fields{{"v", stdlib.Int(1)}}}}}),
				evDelete(0, barrierPoint("b", 0).Group),
				evPoint(0, barrierPoint("a", 8)),
			},
		}
		if got := c.check(t); len(got) < 10 {
			t.Errorf("align %v: the case emits too little to test anything: %q", align, got)
		}
	}
}
