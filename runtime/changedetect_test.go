package runtime

import (
	"testing"
	"time"
)

func TestChangeDetectStream(t *testing.T) {
	n := NewChangeDetect(nil, NodeInfo{Name: "changeDetect1"}, ChangeDetectConfig{Fields: []string{"a", "b"}})
	r := &sink{}
	n.AddChild(r)
	n.Point(mkPoint(0, mkTags("host=x"), mkFields("a", "bad", "b", 0), "host"))
	n.Point(mkPoint(1, mkTags("host=x"), mkFields("a", "bad", "b", 0), "host"))
	n.Point(mkPoint(2, mkTags("host=y"), mkFields("a", "bad", "b", 0), "host")) // other group: first point
	n.Point(mkPoint(3, mkTags("host=x"), mkFields("a", "bad", "b", 0.0), "host"))
	n.Point(mkPoint(4, mkTags("host=x"), mkFields("b", 0.0), "host")) // a missing: error, b unchanged
	n.Point(mkPoint(5, mkTags("host=x"), mkFields("a", "good", "b", 0.0), "host"))
	n.DeleteGroup("host=x")
	n.Point(mkPoint(6, mkTags("host=x"), mkFields("a", "good", "b", 0.0), "host"))
	r.check(t,
		`cpu "host=x" 0s {host=x} {a="bad",b=0i} dims=[host]`,
		`cpu "host=y" 2s {host=y} {a="bad",b=0i} dims=[host]`,
		`cpu "host=x" 3s {host=x} {a="bad",b=0} dims=[host]`, // int 0 and float 0 differ
		`cpu "host=x" 5s {host=x} {a="good",b=0} dims=[host]`,
		`delete "host=x"`,
		`cpu "host=x" 6s {host=x} {a="good",b=0} dims=[host]`,
	)
	if n.Errors != 1 {
		t.Errorf("errors = %d, want 1", n.Errors)
	}
}

func TestChangeDetectBatch(t *testing.T) {
	n := NewChangeDetect(nil, NodeInfo{Name: "changeDetect1"}, ChangeDetectConfig{Fields: []string{"v"}})
	r := &sink{}
	n.AddChild(r)
	n.Batch(mkBatch(10, nil, mkBP(1, nil, mkFields("v", 1.0)), mkBP(2, nil, mkFields("v", 1.0)), mkBP(3, nil, mkFields("v", 2.0))))
	n.Batch(mkBatch(20, nil, mkBP(11, nil, mkFields("v", 2.0))))
	r.check(t,
		`batch cpu "" 10s {} [1s {} {v=1}; 3s {} {v=2}]`,
		`batch cpu "" 20s {} [11s {} {v=2}]`,
	)
}

func TestChangeDetectConformance(t *testing.T) {
	t.Run("TestStream_ChangeDetect", func(t *testing.T) {
		checkStreamCase(t, "TestStream_ChangeDetect", FromConfig{Measurement: "packets"},
			NewChangeDetect(nil, NodeInfo{}, ChangeDetectConfig{Fields: []string{"value"}}),
			NewWindow(nil, NodeInfo{}, WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second}))
	})
	t.Run("TestStream_ChangeDetect_Many", func(t *testing.T) {
		checkStreamCase(t, "TestStream_ChangeDetect_Many", FromConfig{Measurement: "packets"},
			NewChangeDetect(nil, NodeInfo{}, ChangeDetectConfig{Fields: []string{"a", "b"}}),
			NewWindow(nil, NodeInfo{}, WindowConfig{Period: 6 * time.Second, Every: 6 * time.Second}))
	})
}

func TestChangeDetectBatchConformance(t *testing.T) {
	t.Run("TestBatch_ChangeDetect", func(t *testing.T) {
		checkBatchCase(t, "TestBatch_ChangeDetect", NewChangeDetect(nil, NodeInfo{}, ChangeDetectConfig{Fields: []string{"value"}}))
	})
	t.Run("TestBatch_ChangeDetect_Many", func(t *testing.T) {
		checkBatchCase(t, "TestBatch_ChangeDetect_Many", NewChangeDetect(nil, NodeInfo{}, ChangeDetectConfig{Fields: []string{"a", "b"}}))
	})
}
