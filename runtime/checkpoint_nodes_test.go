package runtime

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// The restart tests run a node on a list of inputs once without stopping,
// then, for every point k of the list, run the first k inputs, save the
// node's state, build a new task and node, load the state into them and
// run the rest: what the two nodes emitted together (and the alert events
// the tasks recorded, and a summary of what the node shows, such as an
// httpOut result) must be exactly what the uninterrupted node did.

// restartInput is one message for the node under test.
type restartInput struct {
	p       *Point
	b       *Batch
	barrier bool
	del     bool
	g       GroupID
	t       int64
}

func inPoint(p Point) restartInput { return restartInput{p: &p} }
func inBatch(b Batch) restartInput { return restartInput{b: &b} }
func inBarrier(g GroupID, t int64) restartInput {
	return restartInput{barrier: true, g: g, t: t}
}
func inDelete(g GroupID) restartInput { return restartInput{del: true, g: g} }

func (in restartInput) send(task *Task, r Receiver) {
	switch {
	case in.p != nil:
		task.AdvanceClock(in.p.Time)
		r.Point(*in.p)
	case in.b != nil:
		task.AdvanceClock(in.b.TMax)
		r.Batch(*in.b)
	case in.barrier:
		r.Barrier(in.g, in.t)
	case in.del:
		r.DeleteGroup(in.g)
	}
}

// restartNode is a node under test: build makes it in task below out, and
// show (may be nil) summarizes what it shows once the inputs are done.
type restartNode struct {
	build func(task *Task, out Receiver) Receiver
	show  func(r Receiver) string
}

func (rn restartNode) newTask(t *testing.T) *Task {
	t.Helper()
	task, err := NewTask(TaskSpec{Name: "task", Type: StreamTask}, nil, NewReplayClock(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// run feeds inputs to a new node; with restartAt >= 0 it restarts the node
// from a checkpoint after that many inputs. It returns everything emitted
// and recorded, and the node's summary.
func (rn restartNode) run(t *testing.T, inputs []restartInput, restartAt int) string {
	t.Helper()
	out := &sink{}
	task := rn.newTask(t)
	node := rn.build(task, out)
	var alerts [][]byte
	for i, in := range inputs {
		if i == restartAt {
			var e StateEncoder
			node.(Stateful).SaveState(&e)
			var again StateEncoder
			node.(Stateful).SaveState(&again)
			if !bytes.Equal(e.Bytes(), again.Bytes()) {
				t.Fatalf("restart at %d: two saves of one state differ", i)
			}
			alerts = append(alerts, task.Alerts()...)
			now := task.Now()
			task = rn.newTask(t)
			task.AdvanceClock(now)
			node = rn.build(task, out)
			d := NewStateDecoder(e.Bytes())
			err := node.(Stateful).LoadState(d)
			if err == nil {
				err = d.Finish()
			}
			if err != nil {
				t.Fatalf("restart at %d: %v", i, err)
			}
		}
		in.send(task, node)
	}
	node.Done()
	alerts = append(alerts, task.Alerts()...)
	var b strings.Builder
	b.WriteString(strings.Join(out.lines, "\n"))
	for _, a := range alerts {
		b.WriteString("\nalert ")
		b.Write(bytes.TrimSpace(a))
	}
	if rn.show != nil {
		b.WriteString("\nshows " + rn.show(node))
	}
	return b.String()
}

// checkRestarts compares the uninterrupted run with a restart after every
// input. want, when not empty, is a line the uninterrupted output must
// contain, to show that the inputs exercise the state.
func checkRestarts(t *testing.T, rn restartNode, inputs []restartInput, want ...string) {
	t.Helper()
	whole := rn.run(t, inputs, -1)
	for _, w := range want {
		if !strings.Contains(whole, w) {
			t.Fatalf("the uninterrupted run lacks %q:\n%s", w, whole)
		}
	}
	for k := 0; k <= len(inputs); k++ {
		if got := rn.run(t, inputs, k); got != whole {
			t.Errorf("restarted after %d inputs:\n%s\nwant:\n%s", k, got, whole)
		}
	}
}

// sumLambda is a stateful lambda, a running sum of a field per instance,
// whose state a checkpoint keeps.
type sumLambda struct {
	field string
	sum   float64
}

func (l *sumLambda) Eval(_ int64, _ Tags, f Fields) (stdlib.Value, error) {
	v := f.Get(l.field)
	if v.Type() != stdlib.TypeFloat {
		return stdlib.Missing, fmt.Errorf("field %q is %s", l.field, v.Type())
	}
	l.sum += v.Float()
	return stdlib.Float(l.sum), nil
}

func (l *sumLambda) SaveState(e *StateEncoder) { e.Float(l.sum) }

func (l *sumLambda) LoadState(d *StateDecoder) error {
	l.sum = d.Float()
	return d.Err()
}

func sumOf(field string) LambdaFactory { return func() Lambda { return &sumLambda{field: field} } }

// sumAbove is a stateful predicate: the running sum of field exceeds x.
type sumAbove struct {
	sumLambda
	x float64
}

func (l *sumAbove) Eval(t int64, tags Tags, f Fields) (stdlib.Value, error) {
	v, err := l.sumLambda.Eval(t, tags, f)
	if err != nil {
		return v, err
	}
	return stdlib.Bool(v.Float() > l.x), nil
}

func sumAboveOf(field string, x float64) LambdaFactory {
	return func() Lambda { return &sumAbove{sumLambda{field: field}, x} }
}

func hostPoint(s float64, host string, v float64) Point {
	return mkPoint(s, mkTags("host="+host), mkFields("value", v), "host")
}

func TestAlertRestart(t *testing.T) {
	inputs := []restartInput{
		inPoint(hostPoint(1, "a", 10)),
		inPoint(hostPoint(2, "a", 90)),
		inPoint(hostPoint(3, "b", 95)),
		inPoint(hostPoint(4, "a", 95)), // unchanged: held back by stateChangesOnly
		inPoint(hostPoint(5, "a", 70)),
		inPoint(hostPoint(6, "a", 20)),
		inDelete("host=b"),
		inPoint(hostPoint(7, "b", 20)), // restored from the topic at CRITICAL: recovers
		inPoint(hostPoint(8, "a", 85)),
		inPoint(hostPoint(70, "a", 99)), // a minute later: sent again
		inBarrier("host=c", secs(71)),
	}
	rn := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewAlert(task, NodeInfo{Name: "alert1"}, alertDefaults(AlertConfig{
			Warn: fieldGreater("value", 60),
			Crit: fieldGreater("value", 80),
			CritReset: evalFunc(func(_ int64, _ Tags, f Fields) (stdlib.Value, error) {
				return stdlib.Bool(f.Get("value").Float() < 50), nil
			}),
			StateChangesOnly:         true,
			StateChangesOnlyDuration: time.Minute,
			Flapping:                 true, FlapLow: 0.7, FlapHigh: 0.95, History: 4,
			LevelField: "level", DurationField: "duration",
			Inhibitors: []AlertInhibitor{{Category: "db", EqualTags: []string{"host"}}},
			Handlers:   []AlertHandler{&captureHandler{}},
		}))
		if n.Err() != nil {
			t.Fatal(n.Err())
		}
		n.AddChild(out)
		return n
	}, show: func(r Receiver) string {
		n := r.(*Alert)
		return fmt.Sprint(len(n.groups), " groups, inhibits a: ", n.service.isInhibited("db", mkTags("host=a")))
	}}
	checkRestarts(t, rn, inputs, `"level":"CRITICAL"`, `"previousLevel":"CRITICAL"`)
}

// TestAlertRestartSharedLevelState: the level expressions are one instance
// for all groups; their state is restored too.
func TestAlertRestartSharedLevelState(t *testing.T) {
	inputs := []restartInput{
		inPoint(hostPoint(1, "a", 1)),
		inPoint(hostPoint(2, "b", 2)),
		inPoint(hostPoint(3, "a", 3)),
		inPoint(hostPoint(4, "b", 4)),
	}
	rn := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewAlert(task, NodeInfo{Name: "alert1"}, alertDefaults(AlertConfig{Crit: sumAboveOf("value", 5)()}))
		n.AddChild(out)
		return n
	}}
	checkRestarts(t, rn, inputs, `"level":"CRITICAL"`)
}

func TestHTTPOutRestart(t *testing.T) {
	inputs := []restartInput{
		inPoint(hostPoint(1, "a", 1)),
		inBarrier("host=z", secs(1)),
		inPoint(hostPoint(2, "b", 2)),
		inPoint(hostPoint(3, "a", 3)),
		inBatch(mkBatch(4, mkTags("host=c"), mkBP(4, mkTags("host=c"), mkFields("value", 4.0)))),
		inDelete("host=b"),
		inPoint(hostPoint(5, "d", 5)),
	}
	rn := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewHTTPOut(task, NodeInfo{Name: "http_out1"}, HTTPOutConfig{Endpoint: "out"})
		n.AddChild(out)
		return n
	}, show: func(r Receiver) string {
		b, _ := r.(*HTTPOut).JSON()
		return string(b)
	}}
	checkRestarts(t, rn, inputs, `"host":"c"`)
}

func TestStateCountAndDurationRestart(t *testing.T) {
	inputs := []restartInput{
		inPoint(hostPoint(1, "a", 1)),
		inPoint(hostPoint(2, "a", 5)),
		inPoint(hostPoint(3, "b", 1)),
		inPoint(hostPoint(4, "a", 1)),
		inPoint(hostPoint(5, "a", 1)),
		inDelete("host=b"),
		inPoint(hostPoint(6, "b", 9)),
		inPoint(hostPoint(8, "a", 1)),
	}
	count := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewStateCount(task, NodeInfo{Name: "state_count1"}, StateCountConfig{Lambda: sumAboveOf("value", 2)})
		n.AddChild(out)
		return n
	}}
	checkRestarts(t, count, inputs, "state_count=4")
	duration := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewStateDuration(task, NodeInfo{Name: "state_duration1"}, StateDurationConfig{Lambda: sumAboveOf("value", 2)})
		n.AddChild(out)
		return n
	}}
	checkRestarts(t, duration, inputs, "state_duration=6")
}

func TestDerivativeRestart(t *testing.T) {
	inputs := []restartInput{
		inPoint(hostPoint(1, "a", 10)),
		inPoint(hostPoint(2, "b", 5)),
		inPoint(hostPoint(3, "a", 14)),
		inPoint(hostPoint(4, "a", 11)),
		inDelete("host=b"),
		inPoint(hostPoint(5, "b", 7)),
		inPoint(hostPoint(6, "b", 9)),
	}
	rn := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewDerivative(task, NodeInfo{Name: "derivative1"}, DerivativeConfig{Field: "value", As: "rate"})
		n.AddChild(out)
		return n
	}}
	checkRestarts(t, rn, inputs, "rate=-3")
}

func TestChangeDetectRestart(t *testing.T) {
	inputs := []restartInput{
		inPoint(hostPoint(1, "a", 1)),
		inPoint(hostPoint(2, "a", 1)),
		inPoint(hostPoint(3, "b", 1)),
		inPoint(hostPoint(4, "a", 2)),
		inPoint(hostPoint(5, "a", 2)),
		inPoint(hostPoint(6, "b", 1)),
	}
	rn := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewChangeDetect(task, NodeInfo{Name: "change_detect1"}, ChangeDetectConfig{Fields: []string{"value"}})
		n.AddChild(out)
		return n
	}}
	checkRestarts(t, rn, inputs, "4s")
}

func TestSampleRestart(t *testing.T) {
	var inputs []restartInput
	for i := range 9 {
		inputs = append(inputs, inPoint(hostPoint(float64(i), []string{"a", "b"}[i%2], float64(i))))
	}
	rn := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewSample(task, NodeInfo{Name: "sample1"}, SampleConfig{N: 3})
		n.AddChild(out)
		return n
	}}
	checkRestarts(t, rn, inputs, "7s")
}

func TestEvalAndWhereRestart(t *testing.T) {
	inputs := []restartInput{
		inPoint(hostPoint(1, "a", 1)),
		inPoint(hostPoint(2, "b", 10)),
		inPoint(hostPoint(3, "a", 2)),
		inPoint(hostPoint(4, "a", 3)),
		inDelete("host=b"),
		inPoint(hostPoint(5, "b", 1)),
		inBarrier("host=c", secs(5)),
	}
	eval := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewEval(task, NodeInfo{Name: "eval1"}, EvalConfig{Lambdas: []LambdaFactory{sumOf("value"), factoryFor(alwaysTrue)}, As: []string{"sum", "yes"}})
		n.AddChild(out)
		return n
	}}
	checkRestarts(t, eval, inputs, "sum=6")
	where := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewWhere(task, NodeInfo{Name: "where1"}, WhereConfig{Lambda: sumAboveOf("value", 2)})
		n.AddChild(out)
		return n
	}}
	checkRestarts(t, where, inputs, "4s")
}

func TestFromRestart(t *testing.T) {
	inputs := []restartInput{
		inPoint(hostPoint(1, "a", 1)),
		inPoint(hostPoint(2, "b", 1)),
		inPoint(hostPoint(3, "a", 1)),
		inPoint(hostPoint(4, "b", 1)),
	}
	rn := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", Where: sumAboveOf("value", 2)(), GroupBy: []string{"host"}})
		n.AddChild(out)
		return n
	}}
	checkRestarts(t, rn, inputs, "3s")
}

func TestGroupByBatchRestart(t *testing.T) {
	bp := func(s float64, host string) BatchPoint {
		return mkBP(s, mkTags("host="+host), mkFields("value", s))
	}
	inputs := []restartInput{
		inBatch(mkBatch(1, nil, bp(1, "a"), bp(1, "b"))),
		inBatch(mkBatch(1, nil, bp(1, "c"))),
		inBatch(mkBatch(2, nil, bp(2, "a"))),
		inBarrier("", secs(3)),
	}
	rn := restartNode{build: func(task *Task, out Receiver) Receiver {
		n := NewGroupBy(task, NodeInfo{Name: "group_by1"}, GroupByConfig{Tags: []string{"host"}})
		n.AddChild(out)
		return n
	}}
	checkRestarts(t, rn, inputs, `"host=c"`, `"host=a" 2s`)
}

// TestNodeStateRefusesBadInput: malformed state is an error, never a
// panic, and leaves the node as it was.
func TestNodeStateRefusesBadInput(t *testing.T) {
	task, err := NewTask(TaskSpec{Name: "task"}, nil, NewReplayClock(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := NewHTTPOut(task, NodeInfo{Name: "http_out1"}, HTTPOutConfig{Endpoint: "out"})
	n.Point(hostPoint(1, "a", 1))
	var e StateEncoder
	n.SaveState(&e)
	good := e.Bytes()
	for cut := 0; cut < len(good); cut++ {
		m := NewHTTPOut(task, NodeInfo{Name: "http_out1"}, HTTPOutConfig{Endpoint: "out"})
		d := NewStateDecoder(good[:cut])
		if err := m.LoadState(d); err == nil {
			err = d.Finish()
			if err == nil {
				t.Fatalf("state cut at %d bytes loaded", cut)
			}
		}
	}
	var bad StateEncoder
	bad.Len(1)
	bad.Group("g")
	bad.Uint(7) // no such row kind
	if err := n.LoadState(NewStateDecoder(bad.Bytes())); err == nil || !strings.Contains(err.Error(), "kind 7") {
		t.Errorf("bad kind: %v", err)
	}
	if len(n.Result().Series) != 1 {
		t.Error("a failed load changed the node")
	}

	// An alert node's history must have the node's length.
	a := NewAlert(task, NodeInfo{Name: "alert1"}, alertDefaults(AlertConfig{Crit: alwaysTrue, History: 3}))
	a.Point(hostPoint(1, "a", 1))
	e.Reset()
	a.SaveState(&e)
	b := NewAlert(task, NodeInfo{Name: "alert1"}, alertDefaults(AlertConfig{Crit: alwaysTrue, History: 5}))
	if err := b.LoadState(NewStateDecoder(e.Bytes())); err == nil || !strings.Contains(err.Error(), "history of 3 levels") {
		t.Errorf("history: %v", err)
	}
	// A lambda that keeps state where the saved one kept none.
	w := NewWhere(task, NodeInfo{Name: "where1"}, WhereConfig{Lambda: factoryFor(alwaysTrue)})
	w.Point(hostPoint(1, "a", 1))
	e.Reset()
	w.SaveState(&e)
	w2 := NewWhere(task, NodeInfo{Name: "where1"}, WhereConfig{Lambda: sumAboveOf("value", 1)})
	if err := w2.LoadState(NewStateDecoder(e.Bytes())); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("lambda: %v", err)
	}
}
