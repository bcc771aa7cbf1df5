package runtime

import (
	"testing"
	"time"
)

func TestSampleByCount(t *testing.T) {
	n := NewSample(nil, NodeInfo{Name: "sample1"}, SampleConfig{N: 2})
	r := &sink{}
	n.AddChild(r)
	for i, h := range []string{"a", "a", "b", "a", "b", "a", "b"} {
		n.Point(mkPoint(float64(i), mkTags("host="+h), mkFields("v", float64(i)), "host"))
	}
	n.DeleteGroup("host=a")
	n.Point(mkPoint(9, mkTags("host=a"), mkFields("v", 9.0), "host"))
	r.check(t,
		`cpu "host=a" 0s {host=a} {v=0} dims=[host]`,
		`cpu "host=b" 2s {host=b} {v=2} dims=[host]`,
		`cpu "host=a" 3s {host=a} {v=3} dims=[host]`,
		`cpu "host=b" 6s {host=b} {v=6} dims=[host]`,
		`delete "host=a"`,
		`cpu "host=a" 9s {host=a} {v=9} dims=[host]`,
	)
}

func TestSampleByDurationAndBatch(t *testing.T) {
	n := NewSample(nil, NodeInfo{Name: "sample1"}, SampleConfig{Duration: 2 * time.Second})
	r := &sink{}
	n.AddChild(r)
	n.Point(mkPoint(1, nil, mkFields("v", 1.0)))
	n.Point(mkPoint(2, nil, mkFields("v", 2.0)))
	n.Point(mkPoint(2.5, nil, mkFields("v", 3.0)))
	n.Batch(mkBatch(10, nil, mkBP(4, nil, mkFields("v", 4.0)), mkBP(5, nil, mkFields("v", 5.0)), mkBP(6, nil, mkFields("v", 6.0))))

	c := NewSample(nil, NodeInfo{Name: "sample2"}, SampleConfig{N: 2})
	c.AddChild(r)
	for i := 0; i < 2; i++ {
		c.Batch(mkBatch(10, nil, mkBP(1, nil, mkFields("v", 1.0)), mkBP(2, nil, mkFields("v", 2.0)), mkBP(3, nil, mkFields("v", 3.0))))
	}
	r.check(t,
		`cpu "" 2s {} {v=2}`,
		`batch cpu "" 10s {} [4s {} {v=4}; 6s {} {v=6}]`,
		`batch cpu "" 10s {} [1s {} {v=1}; 3s {} {v=3}]`,
		`batch cpu "" 10s {} [1s {} {v=1}; 3s {} {v=3}]`,
	)
}

func TestSampleWithoutRateKeepsEverything(t *testing.T) {
	n := NewSample(nil, NodeInfo{Name: "sample1"}, SampleConfig{})
	r := &sink{}
	n.AddChild(r)
	n.Point(mkPoint(1, nil, mkFields("v", 1.0)))
	n.Point(mkPoint(2, nil, mkFields("v", 2.0)))
	r.check(t, `cpu "" 1s {} {v=1}`, `cpu "" 2s {} {v=2}`)
}

func TestSampleConformance(t *testing.T) {
	checkStreamCase(t, "TestStream_Sample_Time", FromConfig{Measurement: "packets"},
		NewSample(nil, NodeInfo{}, SampleConfig{Duration: 3 * time.Second}),
		NewWindow(nil, NodeInfo{}, WindowConfig{Period: 4 * time.Second, Every: 4 * time.Second, Align: true}))
}
