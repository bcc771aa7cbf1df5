package runtime

import (
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

func TestFlattenStreamConformance(t *testing.T) {
	tests := []struct {
		name string
		drop bool
	}{
		{"TestStream_Flatten", false},
		{"TestStream_FlattenDropOriginalFieldName", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := confDir(t, "stream", tc.name)
			f := NewFlatten(nil, NodeInfo{Name: "flatten2"}, FlattenConfig{
				On: []string{"service", "host"}, Delimiter: ".", Tolerance: time.Second, DropOriginalFieldName: tc.drop,
			})
			out := &capture{}
			f.AddChild(out)
			for _, p := range confPoints(t, dir) {
				f.Point(groupBy(p, "dc"))
			}
			f.Done()
			rows, cols := pointRows(lastPerSeries(out.points))
			checkRows(t, rows, cols, confExpected(t, dir))
			if out.done != 1 {
				t.Errorf("Done passed %d times", out.done)
			}
		})
	}
}

func TestFlattenBatchConformance(t *testing.T) {
	dir := confDir(t, "batch", "TestBatch_Flatten")
	f := NewFlatten(nil, NodeInfo{Name: "flatten3"}, FlattenConfig{On: []string{"service"}, Delimiter: ".", Tolerance: 5 * time.Second})
	out := &capture{}
	f.AddChild(out)
	for _, b := range regroupBatches(confBatches(t, dir, 0), "dc") {
		f.Batch(b)
	}
	rows, cols := lastBatchRows(out.batches)
	checkRows(t, rows, cols, confExpected(t, dir))
}

func TestFlattenStream(t *testing.T) {
	mk := func(s float64, tags Tags, v float64) Point {
		return groupBy(Point{Name: "lat", Time: sec(s), Tags: tags, Fields: Fields{{"value", stdlib.Float(v)}}}, "dc")
	}
	f := NewFlatten(nil, NodeInfo{}, FlattenConfig{On: []string{"service", "host"}, Delimiter: "_"})
	out := &capture{}
	f.AddChild(out)
	f.Point(mk(0, Tags{{"dc", "A"}, {"host", "h1"}, {"service", "auth"}}, 1))
	f.Point(mk(0, Tags{{"dc", "A"}, {"service", "log"}}, 2)) // no host: dropped with an error
	f.Point(mk(0, Tags{{"dc", "A"}, {"host", "h2"}, {"service", "auth"}}, 3))
	f.Point(mk(1, Tags{{"dc", "A"}, {"host", "h1"}, {"service", "auth"}}, 4))
	f.Barrier("dc=A", sec(1)) // not past 1s: nothing flushed
	f.Barrier("dc=A", sec(2))
	f.Point(mk(3, Tags{{"dc", "A"}, {"host", "h1"}, {"service", "auth"}}, 5))
	f.Done() // the 3s point stays buffered
	var got []string
	for _, p := range out.points {
		got = append(got, describePoint(p))
	}
	// The point with a missing tag leaves its partial prefix to the next
	// point, as Kapacitor's shared buffer does.
	want := []string{
		"lat{dc=A}@0s [dc=A] auth_h1_value=1 logauth_h2_value=3",
		"lat{dc=A}@1s [dc=A] auth_h1_value=4",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f.Errors != 1 {
		t.Errorf("%d errors, want 1", f.Errors)
	}
	if len(out.barriers) != 2 || out.done != 1 {
		t.Errorf("barriers %v, done %d", out.barriers, out.done)
	}
	f.DeleteGroup("dc=A")
	if len(f.groups) != 0 || len(out.deletes) != 1 {
		t.Errorf("%d groups left, deletions %v", len(f.groups), out.deletes)
	}
}
