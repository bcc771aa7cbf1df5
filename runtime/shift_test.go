package runtime

import (
	"testing"
	"time"
)

func TestShift(t *testing.T) {
	n := NewShift(nil, NodeInfo{Name: "shift1"}, ShiftConfig{Shift: -5 * time.Second})
	r := &sink{}
	n.AddChild(r)
	n.Point(mkPoint(10, mkTags("host=a"), mkFields("v", 1.0), "host"))
	in := mkBatch(20, mkTags("host=a"), mkBP(11, mkTags("host=a"), mkFields("v", 1.0)), mkBP(12, mkTags("host=a"), mkFields("v", 2.0)))
	n.Batch(in)
	n.Barrier("host=a", secs(30))
	n.DeleteGroup("host=a")
	n.Done()
	r.check(t,
		`cpu "host=a" 5s {host=a} {v=1} dims=[host]`,
		`batch cpu "host=a" 15s {host=a} [6s {host=a} {v=1}; 7s {host=a} {v=2}]`,
		`barrier "host=a" 30s`,
		`delete "host=a"`,
		"done",
	)
	if in.Points[0].Time != secs(11) {
		t.Error("shift changed its input batch")
	}
}
