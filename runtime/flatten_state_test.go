package runtime

import (
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// TestFlattenStateRoundTrip checks a flatten node restored with points of
// an unfinished time buffered, in two groups, with a barrier, and after a
// point that lacks a tag (whose partial prefix carries over).
func TestFlattenStateRoundTrip(t *testing.T) {
	pt := func(host, cpu, core string, s, v float64) Point {
		tags := Tags{{"cpu", cpu}, {"host", host}}
		if core != "" {
			tags = Tags{{"core", core}, {"cpu", cpu}, {"host", host}}
		}
		return groupBy(Point{Name: "cpu", Time: sec(s), Tags: tags, Fields: Fields{{"usage", stdlib.Float(v)}}}, "host")
	}
	c := &ckptCase{
		build: func(t *testing.T, task *Task, out Receiver) (Stateful, []Receiver) {
			n := NewFlatten(task, NodeInfo{Name: "flatten2"}, FlattenConfig{On: []string{"cpu", "core"}, Delimiter: "_", Tolerance: time.Second})
			n.AddChild(out)
			return n, []Receiver{n}
		},
		start: sec(0), end: sec(100),
		events: []ckptEvent{
			evPoint(0, pt("a", "cpu0", "c0", 1, 1)),
			evPoint(0, pt("a", "cpu1", "c1", 1.2, 2)),
			evPoint(0, pt("b", "cpu0", "c0", 1, 3)),
			evPoint(0, pt("a", "cpu2", "", 1, 4)), // no core: dropped, its cpu stays in the prefix
			evPoint(0, pt("a", "cpu0", "c0", 2, 5)),
			evBarrier(0, pt("b", "", "", 0, 0).Group, sec(3)),
			evPoint(0, pt("b", "cpu1", "c1", 3, 6)),
			evPoint(0, pt("a", "cpu1", "c1", 3, 7)),
		},
	}
	if got := c.check(t); len(got) < 4 {
		t.Errorf("the case emits too little to test anything: %q", got)
	}
}
