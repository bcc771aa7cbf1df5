package runtime

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// combineLambda is a Lambda written as a Go function, standing in for
// compiled lambdas in tests.
type combineLambda func(t int64, tags Tags, fields Fields) (stdlib.Value, error)

func (f combineLambda) Eval(t int64, tags Tags, fields Fields) (stdlib.Value, error) {
	return f(t, tags, fields)
}

func constLambda(v stdlib.Value) LambdaFactory {
	return func() Lambda {
		return combineLambda(func(int64, Tags, Fields) (stdlib.Value, error) { return v, nil })
	}
}

func tagIsLambda(key, value string) LambdaFactory {
	return func() Lambda {
		return combineLambda(func(_ int64, tags Tags, _ Fields) (stdlib.Value, error) {
			v, _ := tags.Get(key)
			return stdlib.Bool(v == value), nil
		})
	}
}

// withRatio adds the field ratio = a / b, as the cases' eval does, and keeps
// only it.
func withRatio(pts []Point, a, b string) []Point {
	out := make([]Point, len(pts))
	for i, p := range pts {
		p.Fields = Fields{{"ratio", stdlib.Float(p.Fields.Get(a).Float() / p.Fields.Get(b).Float())}}
		out[i] = p
	}
	return out
}

// lastPerSeries keeps the last point of each series, as httpOut serves it.
func lastPerSeries(pts []Point) []Point {
	last := map[string]int{}
	for i, p := range pts {
		last[rowKey(p.Name, p.Tags)] = i
	}
	var out []Point
	for i, p := range pts {
		if last[rowKey(p.Name, p.Tags)] == i {
			out = append(out, p)
		}
	}
	return out
}

func TestCombineStreamConformance(t *testing.T) {
	tests := []struct {
		name    string
		lambdas int
	}{
		{"TestStream_Combine_All", 2},
		{"TestStream_Combine_All_Triples", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := confDir(t, "stream", tc.name)
			cfg := CombineConfig{As: []string{"first", "second", "third"}[:tc.lambdas], Delimiter: ".", Tolerance: time.Second, Max: 1e6}
			for range tc.lambdas {
				cfg.Lambdas = append(cfg.Lambdas, constLambda(stdlib.Bool(true)))
			}
			c := NewCombine(nil, NodeInfo{Name: "combine2"}, cfg)
			out := &capture{}
			c.AddChild(out)
			for _, p := range confPoints(t, dir) {
				c.Point(groupBy(p, "dc"))
			}
			c.Done()
			var pts []Point
			for _, p := range out.points {
				if tc.lambdas == 2 {
					p = withRatio([]Point{p}, "first.value", "second.value")[0]
				} else {
					sum := p.Fields.Get("first.value").Float() + p.Fields.Get("second.value").Float() + p.Fields.Get("third.value").Float()
					p.Fields = Fields{{"sum", stdlib.Float(sum)}}
				}
				pts = append(pts, p)
			}
			rows, cols := pointRows(lastPerSeries(pts))
			checkRows(t, rows, cols, confExpected(t, dir))
			if out.done != 1 {
				t.Errorf("Done passed %d times", out.done)
			}
		})
	}
}

// regroupBatches emulates groupBy(tags...) on batches: the points of the
// batches of one time are re-bucketed by the new group and sorted by time;
// the buckets are emitted when a batch of another time arrives.
func regroupBatches(in []Batch, tags ...string) []Batch {
	var out []Batch
	var order []GroupID
	buckets := map[GroupID]*Batch{}
	var last int64
	flush := func() {
		for _, id := range order {
			b := buckets[id]
			sort.SliceStable(b.Points, func(i, j int) bool { return b.Points[i].Time < b.Points[j].Time })
			out = append(out, *b)
		}
		order, buckets = nil, map[GroupID]*Batch{}
	}
	for _, b := range in {
		if b.TMax != last {
			flush()
			last = b.TMax
		}
		for _, bp := range b.Points {
			gt := dimensionTags(bp.Tags, tags)
			dims := Dimensions{TagNames: tags}
			id := NewGroupID(b.Name, gt, dims)
			nb := buckets[id]
			if nb == nil {
				nb = &Batch{Name: b.Name, TMax: b.TMax, Tags: gt, Dimensions: dims, Group: id}
				buckets[id] = nb
				order = append(order, id)
			}
			nb.Points = append(nb.Points, bp)
		}
	}
	return out
}

func TestCombineBatchConformance(t *testing.T) {
	tests := []struct {
		name    string
		lambdas []LambdaFactory
		as      []string
	}{
		{"TestBatch_Combine_All", []LambdaFactory{constLambda(stdlib.Bool(true)), constLambda(stdlib.Bool(true))}, []string{"first", "second"}},
		{"TestBatch_Combine_Filtered", []LambdaFactory{tagIsLambda("service", "auth"), constLambda(stdlib.Bool(true))}, []string{"auth", "other"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := confDir(t, "batch", tc.name)
			c := NewCombine(nil, NodeInfo{Name: "combine3"}, CombineConfig{
				Lambdas: tc.lambdas, As: tc.as, Delimiter: ".", Tolerance: 5 * time.Second, Max: 1e6,
			})
			out := &capture{}
			c.AddChild(out)
			for _, b := range regroupBatches(confBatches(t, dir, 0), "dc") {
				c.Batch(b)
			}
			c.Done()
			pts := withRatio(out.points, tc.as[0]+".value", tc.as[1]+".value")
			rows, cols := pointRows(lastPerSeries(pts))
			checkRows(t, rows, cols, confExpected(t, dir))
		})
	}
}

func TestCombineMembersAndTags(t *testing.T) {
	isCPU := func(v string) LambdaFactory { return tagIsLambda("cpu", v) }
	c := NewCombine(nil, NodeInfo{}, CombineConfig{
		Lambdas: []LambdaFactory{isCPU("total"), func() Lambda {
			return combineLambda(func(_ int64, tags Tags, _ Fields) (stdlib.Value, error) {
				v, _ := tags.Get("cpu")
				return stdlib.Bool(v != "total"), nil
			})
		}},
		As: []string{"total", "one"}, Delimiter: "_", Max: 100,
	})
	out := &capture{}
	c.AddChild(out)
	mk := func(s float64, cpu string, v float64) Point {
		return groupBy(Point{Name: "cpu", Time: sec(s), Tags: Tags{{"cpu", cpu}, {"host", "a"}}, Fields: Fields{{"usage", stdlib.Float(v)}}}, "host")
	}
	c.Point(mk(0, "0", 10))
	c.Point(mk(0, "total", 30))
	c.Point(mk(0, "1", 20))
	if len(out.points) != 0 {
		t.Fatal("combined before time moved on")
	}
	c.Point(mk(1, "0", 1))
	var got []string
	for _, p := range out.points {
		got = append(got, describePoint(p))
	}
	want := []string{
		`cpu{host=a}@0s [host=a one_cpu=0 total_cpu=total] one_usage=10 total_usage=30`,
		`cpu{host=a}@0s [host=a one_cpu=1 total_cpu=total] one_usage=20 total_usage=30`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// describePoint prints a point as name{group}@time [tags] fields.
func describePoint(p Point) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s{%s}@%gs [", p.Name, p.Group, float64(p.Time-sec(0))/1e9)
	for i, t := range p.Tags {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Key + "=" + t.Value)
	}
	b.WriteByte(']')
	for _, f := range p.Fields {
		fmt.Fprintf(&b, " %s=%v", f.Key, valueOf(f.Value))
	}
	return b.String()
}

func TestCombineErrors(t *testing.T) {
	failing := func() Lambda {
		return combineLambda(func(int64, Tags, Fields) (stdlib.Value, error) { return stdlib.Missing, errors.New("boom") })
	}
	tests := []struct {
		name    string
		cfg     CombineConfig
		points  int
		errors  uint64
		emitted int
	}{
		{"too many combinations", CombineConfig{Lambdas: []LambdaFactory{constLambda(stdlib.Bool(true)), constLambda(stdlib.Bool(true))}, As: []string{"a", "b"}, Max: 5}, 4, 1, 0},
		{"at the limit", CombineConfig{Lambdas: []LambdaFactory{constLambda(stdlib.Bool(true)), constLambda(stdlib.Bool(true))}, As: []string{"a", "b"}, Max: 6}, 4, 0, 6},
		{"lambda error", CombineConfig{Lambdas: []LambdaFactory{failing, constLambda(stdlib.Bool(true))}, As: []string{"a", "b"}, Max: 6}, 2, 2, 0},
		{"not a boolean", CombineConfig{Lambdas: []LambdaFactory{constLambda(stdlib.Int(1)), constLambda(stdlib.Bool(true))}, As: []string{"a", "b"}, Max: 6}, 2, 2, 0},
		{"fewer points than members", CombineConfig{Lambdas: []LambdaFactory{constLambda(stdlib.Bool(true)), constLambda(stdlib.Bool(true))}, As: []string{"a", "b"}, Max: 6}, 1, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCombine(nil, NodeInfo{}, tc.cfg)
			out := &capture{}
			c.AddChild(out)
			b := Batch{Name: "m", TMax: sec(1)}
			for i := range tc.points {
				b.Points = append(b.Points, BatchPoint{Time: sec(0), Fields: Fields{{"v", stdlib.Int(int64(i))}}})
			}
			c.Batch(b)
			if c.Errors != tc.errors || len(out.points) != tc.emitted {
				t.Errorf("errors %d, emitted %d; want %d, %d", c.Errors, len(out.points), tc.errors, tc.emitted)
			}
		})
	}
}

func TestCombineDeleteGroup(t *testing.T) {
	c := NewCombine(nil, NodeInfo{}, CombineConfig{Lambdas: []LambdaFactory{constLambda(stdlib.Bool(true))}, As: []string{"a"}, Max: 10})
	out := &capture{}
	c.AddChild(out)
	c.DeleteGroup("host=x") // unknown: not passed on
	c.Point(groupBy(Point{Name: "m", Time: sec(0), Tags: Tags{{"host", "x"}}}, "host"))
	c.DeleteGroup("host=x")
	if len(c.groups) != 0 || len(out.deletes) != 1 {
		t.Errorf("%d groups left, %d deletions passed on", len(c.groups), len(out.deletes))
	}
}
