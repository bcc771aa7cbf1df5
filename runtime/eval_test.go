package runtime

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/tickc/tickc/stdlib"
)

// arith is "a" OP "b" over float fields; a missing operand is an error.
func arith(a, op, b string) evalFunc {
	return func(_ int64, _ Tags, fs Fields) (stdlib.Value, error) {
		x, y := fs.Get(a), fs.Get(b)
		if x.Type() != stdlib.TypeFloat || y.Type() != stdlib.TypeFloat {
			return stdlib.Missing, fmt.Errorf("%s %s %s: operands are %s and %s", a, op, b, x.Type(), y.Type())
		}
		switch op {
		case "+":
			return stdlib.Float(x.Float() + y.Float()), nil
		case "-":
			return stdlib.Float(x.Float() - y.Float()), nil
		default:
			return stdlib.Float(x.Float() * y.Float()), nil
		}
	}
}

// constant is a lambda returning v.
func constant(v stdlib.Value) evalFunc {
	return func(int64, Tags, Fields) (stdlib.Value, error) { return v, nil }
}

// stringOf is string("field") of a float field.
func stringOf(field string) evalFunc {
	return func(_ int64, _ Tags, fs Fields) (stdlib.Value, error) {
		return stdlib.String(strconv.FormatFloat(fs.Get(field).Float(), 'f', -1, 64)), nil
	}
}

func TestEval(t *testing.T) {
	types := mkPoint(0, mkTags("host=a"), mkFields("value0", 0.0, "value1", 1.0, "other", 5.0))
	tests := []struct {
		name string
		cfg  EvalConfig
		in   Point
		want []string
	}{
		{
			"without keep only the results remain",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(arith("value0", "+", "value1")), factoryFor(arith("value0", "-", "value1"))}, As: []string{"pos", "neg"}},
			types,
			[]string{`cpu "" 0s {host=a} {neg=-1,pos=1}`},
		},
		{
			"keep() keeps every field",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(arith("value0", "+", "value1")), factoryFor(arith("value0", "-", "value1"))}, As: []string{"pos", "neg"}, Keep: true},
			types,
			[]string{`cpu "" 0s {host=a} {neg=-1,other=5,pos=1,value0=0,value1=1}`},
		},
		{
			"keep(names) keeps the named fields and results",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(arith("value0", "+", "value1")), factoryFor(arith("value0", "-", "value1"))}, As: []string{"pos", "neg"}, Keep: true, KeepList: []string{"value0", "pos", "neg", "other"}},
			types,
			[]string{`cpu "" 0s {host=a} {neg=-1,other=5,pos=1,value0=0}`},
		},
		{
			"an earlier result is visible to later expressions",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(arith("value0", "+", "value1")), factoryFor(arith("pos", "-", "value1"))}, As: []string{"pos", "zero"}, Keep: true, KeepList: []string{"value0", "zero"},
				Refs: [][]string{{"value0", "value1"}, {"pos", "value1"}}},
			types,
			[]string{`cpu "" 0s {host=a} {value0=0,zero=0}`},
		},
		{
			"a field of the point hides an earlier result of the same name and replaces it",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(arith("value1", "*", "other")), factoryFor(arith("value1", "+", "value1"))}, As: []string{"value1", "v2"},
				Refs: [][]string{{"value1", "other"}, {"value1"}}},
			types,
			[]string{`cpu "" 0s {host=a} {v2=2,value1=1}`},
		},
		{
			"keep(names) keeps a referenced tag as a field",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(tagEquals("host", "a"))}, As: []string{"isA"}, Keep: true, KeepList: []string{"host", "isA"},
				Refs: [][]string{{"host"}}},
			types,
			[]string{`cpu "" 0s {host=a} {host="a",isA=true}`},
		},
		{
			"keeping a field that does not exist drops the point",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(constant(stdlib.Int(1)))}, As: []string{"one"}, Keep: true, KeepList: []string{"nope"}},
			types,
			nil,
		},
		{
			"a failing expression drops the point",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(arith("value0", "+", "missing"))}, As: []string{"x"}},
			types,
			nil,
		},
		{
			"tags turn string results into tags and regroup",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(stringOf("value"))}, As: []string{"value"}, Tags: []string{"value"}},
			mkPoint(0, nil, mkFields("value", 0.0, "another", 2.0), "value"),
			[]string{`cpu "value=0" 0s {value=0} {} dims=[value]`},
		},
		{
			"tags with keep() also keep the result as a field",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(stringOf("value"))}, As: []string{"value"}, Tags: []string{"value"}, Keep: true},
			mkPoint(0, nil, mkFields("value", 1.0, "another", 2.0)),
			[]string{`cpu "" 0s {value=1} {another=2,value="1"}`},
		},
		{
			"tags with keep(names) keep only the named fields",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(stringOf("value"))}, As: []string{"value_tag"}, Tags: []string{"value_tag"}, Keep: true, KeepList: []string{"value", "another"}},
			mkPoint(0, nil, mkFields("value", 1.0, "another", 2.0)),
			[]string{`cpu "" 0s {value_tag=1} {another=2,value=1}`},
		},
		{
			"a missing result drops the point",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(constant(stdlib.Missing))}, As: []string{"x"}},
			types,
			nil,
		},
		{
			"a tag result that is not a string drops the point",
			EvalConfig{Lambdas: []LambdaFactory{factoryFor(constant(stdlib.Float(1)))}, As: []string{"t"}, Tags: []string{"t"}},
			types,
			nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := NewEval(nil, NodeInfo{Name: "eval1"}, tc.cfg)
			r := &sink{}
			n.AddChild(r)
			n.Point(tc.in)
			r.check(t, tc.want...)
			if wantErr := len(tc.want) == 0; wantErr != (n.Errors == 1) {
				t.Errorf("errors = %d", n.Errors)
			}
		})
	}
}

func TestEvalTagErrorMessage(t *testing.T) {
	n := NewEval(nil, NodeInfo{Name: "eval1"}, EvalConfig{Lambdas: []LambdaFactory{factoryFor(constant(stdlib.Float(1)))}, As: []string{"t"}, Tags: []string{"t"}})
	_, _, err := n.eval(n.group(""), 0, nil, nil)
	if err == nil || err.Error() != "result of a tag expression must be of type string, got float64" {
		t.Errorf("error = %v", err)
	}
}

func TestEvalStatePerGroup(t *testing.T) {
	// eval(lambda: count()).as('count') grouped by group, as TestStream_EvalGroups.
	n := NewEval(nil, NodeInfo{Name: "eval1"}, EvalConfig{Lambdas: []LambdaFactory{newCountLambda}, As: []string{"count"}})
	r := &sink{}
	n.AddChild(r)
	for i, g := range []string{"A", "B", "A", "B"} {
		n.Point(mkPoint(float64(i/2), mkTags("group="+g), mkFields("value", 42.0), "group"))
	}
	r.check(t,
		`cpu "group=A" 0s {group=A} {count=1i} dims=[group]`,
		`cpu "group=B" 0s {group=B} {count=1i} dims=[group]`,
		`cpu "group=A" 1s {group=A} {count=2i} dims=[group]`,
		`cpu "group=B" 1s {group=B} {count=2i} dims=[group]`,
	)
}

func TestEvalBatch(t *testing.T) {
	n := NewEval(nil, NodeInfo{Name: "eval1"}, EvalConfig{Lambdas: []LambdaFactory{factoryFor(arith("a", "*", "a"))}, As: []string{"sq"}, Tags: nil})
	r := &sink{}
	n.AddChild(r)
	n.Batch(mkBatch(10, mkTags("host=a"),
		mkBP(1, mkTags("host=a"), mkFields("a", 2.0)),
		mkBP(2, mkTags("host=a"), mkFields("b", 2.0)),
		mkBP(3, mkTags("host=a"), mkFields("a", 3.0)),
	))
	n.Barrier("host=a", secs(11))
	n.DeleteGroup("host=a")
	n.Done()
	r.check(t,
		`batch cpu "host=a" 10s {host=a} [1s {host=a} {sq=4}; 3s {host=a} {sq=9}]`,
		`barrier "host=a" 11s`,
		`delete "host=a"`,
		"done",
	)
}

func TestEvalConformance(t *testing.T) {
	sum := factoryFor(arith("value0", "+", "value1"))
	diff := factoryFor(arith("value0", "-", "value1"))
	valueString := factoryFor(stringOf("value"))
	types := FromConfig{Measurement: "types"}
	t.Run("TestStream_Eval_KeepAll", func(t *testing.T) {
		checkStreamCase(t, "TestStream_Eval_KeepAll", types,
			NewEval(nil, NodeInfo{}, EvalConfig{Lambdas: []LambdaFactory{sum, diff}, As: []string{"pos", "neg"}, Keep: true}))
	})
	t.Run("TestStream_Eval_KeepSome", func(t *testing.T) {
		checkStreamCase(t, "TestStream_Eval_KeepSome", types,
			NewEval(nil, NodeInfo{}, EvalConfig{Lambdas: []LambdaFactory{sum, diff}, As: []string{"pos", "neg"}, Keep: true, KeepList: []string{"value0", "pos", "neg", "other"}}))
	})
	t.Run("TestStream_Eval_KeepSomeWithHidden", func(t *testing.T) {
		checkStreamCase(t, "TestStream_Eval_KeepSomeWithHidden", types,
			NewEval(nil, NodeInfo{}, EvalConfig{Lambdas: []LambdaFactory{sum, factoryFor(arith("pos", "-", "value1"))}, As: []string{"pos", "zero"},
				Keep: true, KeepList: []string{"value0", "zero"}, Refs: [][]string{{"value0", "value1"}, {"pos", "value1"}}}))
	})
	t.Run("TestStream_Eval_Tags", func(t *testing.T) {
		checkStreamCase(t, "TestStream_Eval_Tags", types,
			NewEval(nil, NodeInfo{}, EvalConfig{Lambdas: []LambdaFactory{valueString}, As: []string{"value"}, Tags: []string{"value"}}),
			NewGroupBy(nil, NodeInfo{}, GroupByConfig{Tags: []string{"value"}}))
	})
	t.Run("TestStream_Eval_Tags_Keep", func(t *testing.T) {
		checkStreamCase(t, "TestStream_Eval_Tags_Keep", types,
			NewEval(nil, NodeInfo{}, EvalConfig{Lambdas: []LambdaFactory{valueString}, As: []string{"value"}, Tags: []string{"value"}, Keep: true}),
			NewGroupBy(nil, NodeInfo{}, GroupByConfig{Tags: []string{"value"}}))
	})
	t.Run("TestStream_Eval_Tags_KeepSome", func(t *testing.T) {
		checkStreamCase(t, "TestStream_Eval_Tags_KeepSome", types,
			NewEval(nil, NodeInfo{}, EvalConfig{Lambdas: []LambdaFactory{valueString}, As: []string{"value_tag"}, Tags: []string{"value_tag"}, Keep: true, KeepList: []string{"value", "another"}}),
			NewGroupBy(nil, NodeInfo{}, GroupByConfig{Tags: []string{"value_tag"}}))
	})
	t.Run("TestStream_EvalGroups", func(t *testing.T) {
		checkStreamCase(t, "TestStream_EvalGroups", FromConfig{Measurement: "types", GroupBy: []string{"group"}},
			NewEval(nil, NodeInfo{}, EvalConfig{Lambdas: []LambdaFactory{newCountLambda}, As: []string{"count"}}))
	})
}
