package runtime

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestGroupByStream(t *testing.T) {
	in := Point{Name: "cpu", Time: secs(1), Tags: mkTags("host=a", "dc=x", "cpu=0"), Fields: mkFields("v", 1.0),
		Dimensions: Dimensions{TagNames: []string{"host"}}}
	in.Group = NewGroupID(in.Name, in.Tags, in.Dimensions)
	tests := []struct {
		name string
		cfg  GroupByConfig
		want string
	}{
		{"tags", GroupByConfig{Tags: []string{"host", "dc"}}, `cpu "dc=x,host=a" 1s {cpu=0,dc=x,host=a} {v=1} dims=[dc host]`},
		{"no tags ungroups", GroupByConfig{}, `cpu "" 1s {cpu=0,dc=x,host=a} {v=1}`},
		{"a missing tag is an empty dimension", GroupByConfig{Tags: []string{"zone"}}, `cpu "zone=" 1s {cpu=0,dc=x,host=a} {v=1} dims=[zone]`},
		{"star", GroupByConfig{All: true}, `cpu "cpu=0,dc=x,host=a" 1s {cpu=0,dc=x,host=a} {v=1} dims=[cpu dc host]`},
		{"star with exclude", GroupByConfig{All: true, Exclude: []string{"cpu"}}, `cpu "dc=x,host=a" 1s {cpu=0,dc=x,host=a} {v=1} dims=[dc host]`},
		{"by measurement", GroupByConfig{Tags: []string{"host"}, ByMeasurement: true}, "cpu \"cpu\\nhost=a\" 1s {cpu=0,dc=x,host=a} {v=1} dims=[host]+name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := NewGroupBy(nil, NodeInfo{Name: "groupby1"}, tc.cfg)
			r := &sink{}
			n.AddChild(r)
			n.Point(in)
			r.check(t, tc.want)
		})
	}
}

func TestGroupByBatch(t *testing.T) {
	n := NewGroupBy(nil, NodeInfo{Name: "groupby1"}, GroupByConfig{Tags: []string{"host"}})
	r := &sink{}
	n.AddChild(r)
	n.Batch(mkBatch(10, mkTags("dc=x"),
		mkBP(2, mkTags("dc=x", "host=b"), mkFields("v", 1.0)),
		mkBP(1, mkTags("dc=x", "host=a"), mkFields("v", 2.0)),
	))
	// Same time: the points join the pending batches.
	n.Batch(mkBatch(10, mkTags("dc=y"),
		mkBP(1, mkTags("dc=y", "host=b"), mkFields("v", 3.0)),
	))
	r.check(t)
	// A new time emits the regrouped batches, in group order, points sorted.
	n.Batch(mkBatch(20, mkTags("dc=x"), mkBP(15, mkTags("dc=x", "host=a"), mkFields("v", 4.0))))
	n.Barrier("dc=x", secs(20)) // same time as the last batch: nothing to emit
	n.DeleteGroup("nothing")
	n.Barrier("dc=x", secs(25))
	n.Batch(mkBatch(30, nil, mkBP(26, mkTags("host=c"), mkFields("v", 5.0))))
	n.DeleteGroup("host=c")
	n.Batch(mkBatch(40, nil))
	n.Batch(mkBatch(50, nil, mkBP(41, mkTags("host=d"), mkFields("v", 6.0))))
	n.Done() // pending batches are not emitted on Done
	r.check(t,
		`batch cpu "host=a" 10s {host=a} [1s {dc=x,host=a} {v=2}]`,
		`batch cpu "host=b" 10s {host=b} [1s {dc=y,host=b} {v=3}; 2s {dc=x,host=b} {v=1}]`,
		`barrier "dc=x" 20s`,
		`delete "nothing"`,
		`batch cpu "host=a" 20s {host=a} [15s {dc=x,host=a} {v=4}]`,
		`barrier "dc=x" 25s`,
		`delete "host=c"`,
		"done",
	)
}

func TestGroupByBatchStarMeasurement(t *testing.T) {
	n := NewGroupBy(nil, NodeInfo{Name: "groupby1"}, GroupByConfig{All: true, Exclude: []string{"cpu"}, ByMeasurement: true})
	r := &sink{}
	n.AddChild(r)
	n.Batch(mkBatch(10, nil,
		mkBP(1, mkTags("cpu=0", "host=a"), mkFields("v", 1.0)),
		mkBP(2, mkTags("cpu=1"), mkFields("v", 2.0)),
	))
	n.Barrier("", secs(11))
	r.check(t,
		"batch cpu \"cpu\\n\" 10s {} [2s {cpu=1} {v=2}] byname",
		"batch cpu \"cpu\\nhost=a\" 10s {host=a} [1s {cpu=0,host=a} {v=1}] byname",
		`barrier "" 11s`,
	)
}

func TestGroupByConformance(t *testing.T) {
	tests := []struct {
		name string
		cfg  GroupByConfig
	}{
		{"TestStream_BatchGroupBy", GroupByConfig{Tags: []string{"host"}}},
		{"TestStream_BatchGroupByAllExclude", GroupByConfig{All: true, Exclude: []string{"host"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "shared", "conformance", "cases", "stream", tc.name)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("conformance case not available: %v", err)
			}
			// from().measurement('cpu') |window().period(5s).every(5s) |groupBy(…) |count('value')
			from := NewFrom(nil, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu"})
			w := NewWindow(nil, NodeInfo{Name: "window2"}, WindowConfig{Period: 5 * time.Second, Every: 5 * time.Second})
			g := NewGroupBy(nil, NodeInfo{Name: "groupby3"}, tc.cfg)
			c := &batchCount{}
			out := &sink{}
			from.AddChild(w)
			w.AddChild(g)
			g.AddChild(c)
			c.AddChild(out)
			for _, p := range readSrpl(t, filepath.Join(dir, "input.srpl")) {
				from.Point(p)
			}
			if got, want := lastPointSeries(out.pts), expectedSeries(t, filepath.Join(dir, "expected.json")); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}
