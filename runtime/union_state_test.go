package runtime

import (
	"testing"

	"github.com/tickc/tickc/stdlib"
)

// TestUnionStateRoundTrip checks a union restored with data and barriers
// held back per parent.
func TestUnionStateRoundTrip(t *testing.T) {
	pt := func(name string, s float64) Point {
		return Point{Name: name, Time: sec(s), Fields: Fields{{"v", stdlib.Float(s)}}}
	}
	c := &ckptCase{
		build: func(t *testing.T, task *Task, out Receiver) (Stateful, []Receiver) {
			u := NewUnion(task, NodeInfo{Name: "union4"}, UnionConfig{Parents: 3, Rename: "all"})
			u.AddChild(out)
			return u, []Receiver{u.Input(0), u.Input(1), u.Input(2)}
		},
		start: sec(0), end: sec(100),
		events: []ckptEvent{
			evPoint(0, pt("a", 1)),
			evPoint(0, pt("a", 3)),
			evPoint(1, pt("b", 2)),
			evBarrier(1, "", sec(2.5)),
			evBatch(2, Batch{Name: "c", TMax: sec(2), Points: []BatchPoint{{Time: sec(1.5), Fields: Fields{{"v", stdlib.Int(1)}}}}}),
			evPoint(1, pt("b", 4)),
			evPoint(2, pt("c", 5)),
			evPoint(0, pt("a", 6)),
		},
	}
	if got := c.check(t); len(got) != 9 {
		t.Errorf("got %d outputs, want 9: %q", len(got), got)
	}
}
