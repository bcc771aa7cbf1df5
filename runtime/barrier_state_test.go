package runtime

import (
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

func barrierCase(cfg BarrierNodeConfig, events ...ckptEvent) *ckptCase {
	return &ckptCase{
		build: func(t *testing.T, task *Task, out Receiver) (Stateful, []Receiver) {
			n := NewBarrierNode(task, NodeInfo{Name: "barrier2"}, cfg)
			n.AddChild(out)
			return n, []Receiver{n}
		},
		start: sec(0), end: sec(20), events: events,
	}
}

func barrierPoint(host string, s float64) Point {
	return groupBy(Point{Name: "m", Time: sec(s), Tags: Tags{{"host", host}}, Fields: Fields{{"v", stdlib.Float(s)}}}, "host")
}

// TestBarrierIdleStateRoundTrip checks that a restored idle barrier fires
// at the same times: its groups' timers are re-armed where they were.
func TestBarrierIdleStateRoundTrip(t *testing.T) {
	c := barrierCase(BarrierNodeConfig{Idle: 2 * time.Second},
		evPoint(0, barrierPoint("b", 0.5)),
		evPoint(0, barrierPoint("a", 1)),
		evPoint(0, barrierPoint("b", 1.5)),
		evClock(sec(3)),
		evPoint(0, barrierPoint("a", 3.2)), // b fired at 3.5s
		evClock(sec(6)),
		evPoint(0, barrierPoint("b", 4)), // older than b's last barrier: dropped
		evPoint(0, barrierPoint("b", 7)),
		evBarrier(0, barrierPoint("a", 0).Group, sec(7.5)),
		evClock(sec(12)),
	)
	if got := c.check(t); len(got) < 10 {
		t.Errorf("the case emits too little to test anything: %q", got)
	}
}

// TestBarrierPeriodStateRoundTrip checks periodic barriers, with deletion:
// two groups' timers due at the same time fire in the order the groups
// came, which is not the order of their names.
func TestBarrierPeriodStateRoundTrip(t *testing.T) {
	c := barrierCase(BarrierNodeConfig{Period: time.Second, Delete: true},
		evPoint(0, barrierPoint("b", 0)),
		evPoint(0, barrierPoint("a", 0)),
		evClock(sec(0.5)),
		evPoint(0, barrierPoint("a", 0.7)),
		evClock(sec(1.5)),
		evPoint(0, barrierPoint("b", 1.6)),
		evPoint(0, barrierPoint("a", 1.6)),
		evClock(sec(2)),
		evPoint(0, barrierPoint("c", 2.2)),
		evClock(sec(4)),
	)
	got := c.check(t)
	if len(got) < 10 {
		t.Errorf("the case emits too little to test anything: %q", got)
	}
}

// TestBarrierStateRefusesAGroupWithoutTimer checks a malformed checkpoint.
func TestBarrierStateRefusesAGroupWithoutTimer(t *testing.T) {
	var e StateEncoder
	e.Len(1)
	e.Group("host=a")
	e.Int(0)
	e.Bool(false)
	e.Int(0)
	e.Int(0)
	e.Bool(false) // no timer
	n := NewBarrierNode(replayTask(t), NodeInfo{}, BarrierNodeConfig{Idle: time.Second})
	if err := n.LoadState(NewStateDecoder(e.Bytes())); err == nil {
		t.Error("loaded a group without timer")
	}
}
