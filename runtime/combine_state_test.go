package runtime

import (
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// countingLambda matches points whose tag key is value, at even
// evaluations only: a member lambda with state, as one calling count()
// has.
type countingLambda struct {
	key, value string
	n          int64
}

func (l *countingLambda) Eval(_ int64, tags Tags, _ Fields) (stdlib.Value, error) {
	l.n++
	v, _ := tags.Get(l.key)
	return stdlib.Bool(v == l.value && l.n%2 == 0), nil
}

func (l *countingLambda) SaveState(e *StateEncoder) { e.Int(l.n) }

func (l *countingLambda) LoadState(d *StateDecoder) error {
	l.n = d.Int()
	return d.Err()
}

// TestCombineStateRoundTrip checks a combine node restored with points of
// an unfinished time buffered in two groups, and its lambdas' state.
func TestCombineStateRoundTrip(t *testing.T) {
	pt := func(region, kind string, s, v float64) Point {
		return groupBy(Point{Name: "m", Time: sec(s), Tags: Tags{{"kind", kind}, {"region", region}}, Fields: Fields{{"v", stdlib.Float(v)}}}, "region")
	}
	c := &ckptCase{
		build: func(t *testing.T, task *Task, out Receiver) (Stateful, []Receiver) {
			n := NewCombine(task, NodeInfo{Name: "combine2"}, CombineConfig{
				Lambdas: []LambdaFactory{
					tagIsLambda("kind", "x"),
					func() Lambda { return &countingLambda{key: "kind", value: "y"} },
				},
				As: []string{"first", "second"}, Delimiter: ".", Tolerance: time.Second, Max: 100,
			})
			n.AddChild(out)
			return n, []Receiver{n}
		},
		start: sec(0), end: sec(100),
		events: []ckptEvent{
			evPoint(0, pt("east", "x", 1, 1)),
			evPoint(0, pt("east", "y", 1.1, 2)),
			evPoint(0, pt("west", "x", 1, 3)),
			evPoint(0, pt("east", "y", 0.9, 4)),
			evPoint(0, pt("west", "y", 1, 5)),
			evPoint(0, pt("east", "x", 2, 6)), // combines east@1s
			evPoint(0, pt("east", "y", 2, 7)),
			evPoint(0, pt("west", "x", 3, 8)), // combines west@1s
			evPoint(0, pt("east", "x", 3, 9)),
			evPoint(0, pt("east", "y", 3, 10)),
			evPoint(0, pt("east", "y", 4, 11)),
		},
	}
	if got := c.check(t); len(got) != 3 {
		t.Errorf("got %d outputs, want 2 combinations and done: %q", len(got), got)
	}
}

// TestCombineStateRefusesOtherLambdas checks that state saved for a
// lambda without state does not load into one with state.
func TestCombineStateRefusesOtherLambdas(t *testing.T) {
	plain := NewCombine(nil, NodeInfo{}, CombineConfig{Lambdas: []LambdaFactory{tagIsLambda("k", "v")}, As: []string{"a"}, Max: 10})
	plain.Point(Point{Name: "m", Time: 1, Tags: Tags{{"k", "v"}}})
	var e StateEncoder
	plain.SaveState(&e)
	counting := NewCombine(nil, NodeInfo{}, CombineConfig{Lambdas: []LambdaFactory{func() Lambda { return &countingLambda{} }}, As: []string{"a"}, Max: 10})
	if err := counting.LoadState(NewStateDecoder(e.Bytes())); err == nil {
		t.Error("loaded without error")
	}
}
