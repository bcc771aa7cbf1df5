package runtime

import (
	"testing"

	"github.com/tickc/tickc/stdlib"
)

func TestWhereStream(t *testing.T) {
	n := NewWhere(nil, NodeInfo{Name: "where1"}, WhereConfig{Lambda: factoryFor(fieldGreater("value", 2))})
	r := &sink{}
	n.AddChild(r)
	n.Point(mkPoint(1, mkTags("host=a"), mkFields("value", 1.0), "host"))
	n.Point(mkPoint(2, mkTags("host=a"), mkFields("value", 3.0), "host"))
	n.Point(mkPoint(3, mkTags("host=b"), mkFields("other", 3.0), "host")) // error: dropped
	n.Barrier("host=a", secs(4))
	n.DeleteGroup("host=a")
	n.DeleteGroup("host=zzz") // never seen: not passed on
	n.Done()
	r.check(t,
		`cpu "host=a" 2s {host=a} {value=3} dims=[host]`,
		`barrier "host=a" 4s`,
		`delete "host=a"`,
		"done",
	)
	if n.Errors != 1 {
		t.Errorf("errors = %d, want 1", n.Errors)
	}
}

func TestWhereBatch(t *testing.T) {
	n := NewWhere(nil, NodeInfo{Name: "where1"}, WhereConfig{Lambda: factoryFor(tagEquals("host", "a"))})
	r := &sink{}
	n.AddChild(r)
	in := mkBatch(10, nil,
		mkBP(1, mkTags("host=a"), mkFields("v", 1.0)),
		mkBP(2, mkTags("host=b"), mkFields("v", 2.0)),
		mkBP(3, mkTags("host=a"), mkFields("v", 3.0)),
	)
	n.Batch(in)
	n.Batch(mkBatch(20, nil, mkBP(11, mkTags("host=b"), mkFields("v", 2.0))))
	r.check(t,
		`batch cpu "" 10s {} [1s {host=a} {v=1}; 3s {host=a} {v=3}]`,
		`batch cpu "" 20s {} []`,
	)
	if len(in.Points) != 3 || in.Points[1].Time != secs(2) {
		t.Errorf("where changed its input batch: %s", showBatch(in))
	}
}

func TestWhereKeepsLambdaStatePerGroup(t *testing.T) {
	// count() < 3: the first two points of each group pass.
	below3 := func() Lambda {
		c := &countLambda{}
		return evalFunc(func(tm int64, tg Tags, fs Fields) (stdlib.Value, error) {
			v, _ := c.Eval(tm, tg, fs)
			return stdlib.Bool(v.Int() < 3), nil
		})
	}
	n := NewWhere(nil, NodeInfo{Name: "where1"}, WhereConfig{Lambda: below3})
	r := &sink{}
	n.AddChild(r)
	for i, h := range []string{"a", "a", "b", "a", "b", "b"} {
		n.Point(mkPoint(float64(i), mkTags("host="+h), mkFields("v", float64(i)), "host"))
	}
	n.DeleteGroup("host=a")
	n.Point(mkPoint(9, mkTags("host=a"), mkFields("v", 9.0), "host"))
	r.check(t,
		`cpu "host=a" 0s {host=a} {v=0} dims=[host]`,
		`cpu "host=a" 1s {host=a} {v=1} dims=[host]`,
		`cpu "host=b" 2s {host=b} {v=2} dims=[host]`,
		`cpu "host=b" 4s {host=b} {v=4} dims=[host]`,
		`delete "host=a"`,
		`cpu "host=a" 9s {host=a} {v=9} dims=[host]`,
	)
}

func TestWhereNonBooleanIsAnError(t *testing.T) {
	n := NewWhere(nil, NodeInfo{Name: "where1"}, WhereConfig{Lambda: factoryFor(func(int64, Tags, Fields) (stdlib.Value, error) {
		return stdlib.Float(1), nil
	})})
	r := &sink{}
	n.AddChild(r)
	n.Point(mkPoint(1, nil, mkFields("v", 1.0)))
	r.check(t)
	if n.Errors != 1 {
		t.Errorf("errors = %d, want 1", n.Errors)
	}
	_, err := evalPredicate(evalFunc(func(int64, Tags, Fields) (stdlib.Value, error) { return stdlib.Float(1), nil }), 0, nil, nil)
	if err == nil || err.Error() != "TypeGuard: expression returned unexpected type float, expected boolean" {
		t.Errorf("error = %v", err)
	}
	if _, err := evalPredicate(nil, 0, nil, nil); err == nil {
		t.Error("a nil lambda evaluated without error")
	}
}
