package runtime

import (
	"testing"
	"time"
)

func TestStateCount(t *testing.T) {
	n := NewStateCount(nil, NodeInfo{Name: "stateCount1"}, StateCountConfig{Lambda: factoryFor(fieldGreater("value", 95))})
	r := &sink{}
	n.AddChild(r)
	for _, p := range []Point{
		mkPoint(0, mkTags("host=a"), mkFields("value", 97.0), "host"),
		mkPoint(0, mkTags("host=b"), mkFields("value", 47.0), "host"),
		mkPoint(1, mkTags("host=a"), mkFields("value", 96.0), "host"),
		mkPoint(2, mkTags("host=a"), mkFields("other", 1.0), "host"), // error: dropped, state kept
		mkPoint(3, mkTags("host=a"), mkFields("value", 99.0), "host"),
		mkPoint(4, mkTags("host=a"), mkFields("value", 80.0), "host"),
		mkPoint(5, mkTags("host=a"), mkFields("value", 99.0), "host"),
	} {
		n.Point(p)
	}
	r.check(t,
		`cpu "host=a" 0s {host=a} {state_count=1i,value=97} dims=[host]`,
		`cpu "host=b" 0s {host=b} {state_count=-1i,value=47} dims=[host]`,
		`cpu "host=a" 1s {host=a} {state_count=2i,value=96} dims=[host]`,
		`cpu "host=a" 3s {host=a} {state_count=3i,value=99} dims=[host]`,
		`cpu "host=a" 4s {host=a} {state_count=-1i,value=80} dims=[host]`,
		`cpu "host=a" 5s {host=a} {state_count=1i,value=99} dims=[host]`,
	)
	if n.Errors != 1 {
		t.Errorf("errors = %d, want 1", n.Errors)
	}
}

func TestStateDuration(t *testing.T) {
	n := NewStateDuration(nil, NodeInfo{Name: "stateDuration1"}, StateDurationConfig{Lambda: factoryFor(fieldGreater("value", 95)), As: "d", Unit: time.Minute})
	r := &sink{}
	n.AddChild(r)
	for _, p := range []Point{
		mkPoint(0, nil, mkFields("value", 97.0)),
		mkPoint(30, nil, mkFields("value", 97.0)),
		mkPoint(90, nil, mkFields("value", 97.0)),
		mkPoint(100, nil, mkFields("value", 7.0)),
		mkPoint(110, nil, mkFields("value", 97.0)),
	} {
		n.Point(p)
	}
	n.Barrier("", secs(120))
	n.DeleteGroup("")
	n.Point(mkPoint(130, nil, mkFields("value", 97.0)))
	r.check(t,
		`cpu "" 0s {} {d=0,value=97}`,
		`cpu "" 30s {} {d=0.5,value=97}`,
		`cpu "" 1m30s {} {d=1.5,value=97}`,
		`cpu "" 1m40s {} {d=-1,value=7}`,
		`cpu "" 1m50s {} {d=0,value=97}`,
		`barrier "" 2m0s`,
		`delete ""`,
		`cpu "" 2m10s {} {d=0,value=97}`,
	)
}

func TestStateBatchResetsPerBatch(t *testing.T) {
	sc := NewStateCount(nil, NodeInfo{Name: "stateCount1"}, StateCountConfig{Lambda: factoryFor(fieldGreater("v", 0)), As: "n"})
	sd := NewStateDuration(nil, NodeInfo{Name: "stateDuration1"}, StateDurationConfig{Lambda: factoryFor(fieldGreater("v", 0))})
	r := &sink{}
	sc.AddChild(sd)
	sd.AddChild(r)
	sc.Batch(mkBatch(10, nil, mkBP(1, nil, mkFields("v", 1.0)), mkBP(2, nil, mkFields("v", 1.0))))
	sc.Batch(mkBatch(20, nil, mkBP(11, nil, mkFields("v", 1.0)), mkBP(12, nil, mkFields("x", 1.0)), mkBP(14, nil, mkFields("v", 1.0))))
	r.check(t,
		`batch cpu "" 10s {} [1s {} {n=1i,state_duration=0,v=1}; 2s {} {n=2i,state_duration=1,v=1}]`,
		`batch cpu "" 20s {} [11s {} {n=1i,state_duration=0,v=1}; 14s {} {n=2i,state_duration=3,v=1}]`,
	)
}

func TestStateCountConformance(t *testing.T) {
	checkStreamCase(t, "TestStream_StateCount", FromConfig{Measurement: "cpu", GroupBy: []string{"host"}},
		NewStateCount(nil, NodeInfo{}, StateCountConfig{Lambda: factoryFor(fieldGreater("value", 95)), As: "my_count"}),
		NewWindow(nil, NodeInfo{}, WindowConfig{Period: 4 * time.Second, Every: 4 * time.Second}))
}

func TestStateBatchConformance(t *testing.T) {
	above95 := factoryFor(fieldGreater("value", 95))
	t.Run("TestBatch_StateCount", func(t *testing.T) {
		checkBatchCase(t, "TestBatch_StateCount", NewStateCount(nil, NodeInfo{}, StateCountConfig{Lambda: above95, As: "my_count"}))
	})
	t.Run("TestBatch_StateDuration", func(t *testing.T) {
		checkBatchCase(t, "TestBatch_StateDuration", NewStateDuration(nil, NodeInfo{}, StateDurationConfig{Lambda: above95, As: "my_duration", Unit: time.Millisecond}))
	})
}
