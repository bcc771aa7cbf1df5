package runtime

import (
	"testing"

	"github.com/tickc/tickc/stdlib"
)

func TestTrickle(t *testing.T) {
	n := NewTrickle(nil, NodeInfo{}, TrickleConfig{})
	out := &capture{}
	n.AddChild(out)
	dims := Dimensions{TagNames: []string{"host"}}
	b := Batch{Name: "cpu", TMax: sec(10), Tags: Tags{{"host", "a"}}, Dimensions: dims, Group: "host=a", Points: []BatchPoint{
		{Time: sec(1), Tags: Tags{{"cpu", "0"}, {"host", "a"}}, Fields: Fields{{"v", stdlib.Float(1)}}},
		{Time: sec(2), Tags: Tags{{"cpu", "1"}, {"host", "a"}}, Fields: Fields{{"v", stdlib.Float(2)}}},
	}}
	n.Batch(b)
	n.Batch(Batch{Name: "cpu", TMax: sec(20), Group: "host=b"}) // empty: nothing
	n.Barrier("host=a", sec(10))
	n.DeleteGroup("host=a")
	n.Done()
	if len(out.points) != 2 {
		t.Fatalf("got %d points, want 2", len(out.points))
	}
	for i, p := range out.points {
		bp := b.Points[i]
		if p.Name != "cpu" || p.Time != bp.Time || p.Group != "host=a" || describePoint(p) != describePoint(Point{Name: "cpu", Group: "host=a", Time: bp.Time, Tags: bp.Tags, Fields: bp.Fields}) {
			t.Errorf("point %d: %s", i, describePoint(p))
		}
	}
	if len(out.barriers) != 1 || len(out.deletes) != 1 || out.done != 1 {
		t.Errorf("barriers %v deletes %v done %d", out.barriers, out.deletes, out.done)
	}
}
