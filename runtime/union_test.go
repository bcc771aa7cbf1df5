package runtime

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tickc/tickc/stdlib"
)

func TestUnionConformance(t *testing.T) {
	dir := confDir(t, "stream", "TestStream_Union")
	u := NewUnion(nil, NodeInfo{Name: "union4"}, UnionConfig{Parents: 3, Rename: "cpu_all"})
	out := &capture{}
	u.AddChild(out)
	parent := map[string]int{"total": 0, "0": 1, "1": 2}
	in := 0
	for _, p := range confPoints(t, dir) {
		cpu, _ := p.Tags.Get("cpu")
		if i, ok := parent[cpu]; ok {
			u.Input(i).Point(p)
			in++
		}
	}
	for i := range 3 {
		u.Input(i).Done()
	}
	if len(out.points) != in || out.done != 1 {
		t.Fatalf("got %d points and %d Done, want %d and 1", len(out.points), out.done, in)
	}
	count := 0
	for i, p := range out.points {
		if p.Name != "cpu_all" {
			t.Fatalf("point %d named %q", i, p.Name)
		}
		if i > 0 && p.Time < out.points[i-1].Time {
			t.Fatalf("point %d out of time order", i)
		}
		if p.Time < sec(10) {
			count++
		}
	}
	// The case counts the points of the first 10s window.
	want := confExpected(t, dir)[0].Values[0][1].(float64)
	if float64(count) != want {
		t.Errorf("%d points in [0s, 10s), want %v", count, want)
	}
}

func TestUnionOrder(t *testing.T) {
	u := NewUnion(nil, NodeInfo{}, UnionConfig{Parents: 2})
	out := &capture{}
	u.AddChild(out)
	pt := func(name string, s float64) Point {
		return Point{Name: name, Time: sec(s), Fields: Fields{{"v", stdlib.Float(s)}}}
	}
	got := func() string {
		var s []string
		for _, p := range out.points {
			s = append(s, fmt.Sprintf("%s%g", p.Name, float64(p.Time-sec(0))/1e9))
		}
		return strings.Join(s, " ")
	}
	u.Input(0).Point(pt("a", 1))
	u.Input(0).Point(pt("a", 3))
	if got() != "" {
		t.Fatalf("released %q before every parent reported", got())
	}
	u.Input(1).Point(pt("b", 2)) // mark 1s... then 2s, parent 0 waits at 3s
	if want := "a1 b2"; got() != want {
		t.Fatalf("got %q, want %q", got(), want)
	}
	u.Input(1).Barrier("", sec(4))
	if want := "a1 b2 a3"; got() != want {
		t.Fatalf("got %q, want %q", got(), want)
	}
	u.Input(0).DeleteGroup("g") // passes at once
	u.Input(0).Done()
	u.Input(1).Done()
	if want := "a1 b2 a3"; got() != want || len(out.barriers) != 1 || len(out.deletes) != 1 || out.done != 1 {
		t.Fatalf("got %q barriers %v deletes %v done %d", got(), out.barriers, out.deletes, out.done)
	}
	if u.Buffered() != 0 {
		t.Errorf("%d items still buffered", u.Buffered())
	}
}

func TestUnionBatchesRenamed(t *testing.T) {
	u := NewUnion(nil, NodeInfo{}, UnionConfig{Parents: 2, Rename: "all"})
	out := &capture{}
	u.AddChild(out)
	dims := Dimensions{ByName: true}
	u.Input(0).Batch(Batch{Name: "x", TMax: sec(2), Dimensions: dims, Group: NewGroupID("x", nil, dims)})
	u.Input(1).Batch(Batch{Name: "y", TMax: sec(1), Dimensions: dims, Group: NewGroupID("y", nil, dims)})
	u.Input(0).Done()
	u.Input(1).Done()
	if len(out.batches) != 2 || out.batches[0].TMax != sec(1) || out.batches[1].TMax != sec(2) {
		t.Fatalf("got %+v", out.batches)
	}
	for _, b := range out.batches {
		if b.Name != "all" || b.Group != "all\n" {
			t.Errorf("batch %q in group %q, want all", b.Name, b.Group)
		}
	}
}
