package runtime

import (
	"strings"
	"testing"

	"github.com/tickc/tickc/udf/agent"
)

// TestUDFStateRoundTrip runs the mirror UDF (its answers count the points
// it has seen, its snapshot is that count) as a real process: a program
// checkpointed after some points, then replaced by a new program with a new
// process restored from the checkpoint, emits exactly what one program
// that never stopped emits.
func TestUDFStateRoundTrip(t *testing.T) {
	checkNoLeak(t)
	const total = 8
	run := func(task *Task, from, to int) {
		for i := from; i <= to; i++ {
			task.deliverPoint(udfPoint(i))
		}
	}

	task, _, want, err := udfTask(t, processUDF(t, "mirror"), UDFConfig{})
	if err != nil {
		t.Fatal(err)
	}
	run(task, 1, total)
	task.Done()
	if len(want.lines) != total+1 {
		t.Fatalf("the uninterrupted UDF emitted %q", want.lines)
	}

	for _, k := range []int{0, 5} {
		task, node, out, err := udfTask(t, processUDF(t, "mirror"), UDFConfig{})
		if err != nil {
			t.Fatal(err)
		}
		run(task, 1, k)
		var e StateEncoder
		node.SaveState(&e)
		// The first program stops without delivering what the UDF sent
		// after the checkpoint, as a killed program would.
		node.sess.close()
		node.sess = nil

		task2, node2, out2, err := udfTask(t, processUDF(t, "mirror"), UDFConfig{})
		if err != nil {
			t.Fatal(err)
		}
		d := NewStateDecoder(e.Bytes())
		if err := node2.LoadState(d); err != nil {
			t.Fatalf("after %d points: %v", k, err)
		}
		if err := d.Finish(); err != nil {
			t.Fatalf("after %d points: %v", k, err)
		}
		run(task2, k+1, total)
		task2.Done()
		if err := node2.Err(); err != nil {
			t.Fatal(err)
		}
		got := append(out.lines, out2.lines...)
		if strings.Join(got, "\n") != strings.Join(want.lines, "\n") {
			t.Errorf("checkpoint after %d points: got\n\t%s\nwant\n\t%s", k, strings.Join(got, "\n\t"), strings.Join(want.lines, "\n\t"))
		}
	}
}

// TestUDFStateBatch checks that an output batch being received when the
// checkpoint is taken is completed by the restored node.
func TestUDFStateBatch(t *testing.T) {
	checkNoLeak(t)
	task, node, out, err := udfTask(t, processUDF(t, "noop"), UDFConfig{})
	if err != nil {
		t.Fatal(err)
	}
	node.cfg.ProvidesBatch = true
	// The UDF has sent a batch's begin and one point, delivered, and a
	// second point the task has not taken yet.
	node.sess.mu.Lock()
	node.sess.queue = []*agent.Response{
		{Message: &agent.Response_Begin{Begin: &agent.BeginBatch{Name: "cpu"}}},
		{Message: &agent.Response_Point{Point: &agent.Point{Time: 1e9, FieldsDouble: map[string]float64{"v": 1}}}},
	}
	node.sess.mu.Unlock()
	node.deliver()
	node.sess.mu.Lock()
	node.sess.queue = append(node.sess.queue, &agent.Response{Message: &agent.Response_Point{Point: &agent.Point{Time: 2e9, FieldsDouble: map[string]float64{"v": 2}}}})
	node.sess.mu.Unlock()
	var e StateEncoder
	node.SaveState(&e)
	task.Done()
	if len(out.bts) != 0 {
		t.Fatalf("a batch was emitted before its end: %q", out.lines)
	}

	task2, node2, out2, err := udfTask(t, processUDF(t, "noop"), UDFConfig{})
	if err != nil {
		t.Fatal(err)
	}
	node2.cfg.ProvidesBatch = true
	if err := node2.LoadState(NewStateDecoder(e.Bytes())); err != nil {
		t.Fatal(err)
	}
	node2.sess.mu.Lock()
	node2.sess.queue = append(node2.sess.queue, &agent.Response{Message: &agent.Response_End{End: &agent.EndBatch{Name: "cpu", Tmax: 2e9}}})
	node2.sess.mu.Unlock()
	task2.Done()
	if len(out2.bts) != 1 || len(out2.bts[0].Points) != 2 || out2.bts[0].Points[1].Fields.Get("v").Float() != 2 {
		t.Errorf("restored output: %q", out2.lines)
	}
}

// TestUDFStateRestoreFails checks that a UDF refusing the checkpoint's
// snapshot stops the node and its task with the UDF's error.
func TestUDFStateRestoreFails(t *testing.T) {
	checkNoLeak(t)
	task, node, _, err := udfTask(t, processUDF(t, "mirror"), UDFConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var e StateEncoder
	e.Bool(true)
	e.ByteSlice([]byte("not a count"))
	e.Len(0)
	e.Bool(false)
	err = node.LoadState(NewStateDecoder(e.Bytes()))
	if err == nil || !strings.Contains(err.Error(), "could not restore its snapshot") || !strings.Contains(err.Error(), "@test") {
		t.Fatalf("err = %v, want the UDF's restore error", err)
	}
	if task.Err() == nil || node.Err() == nil {
		t.Errorf("the task goes on: task %v, node %v", task.Err(), node.Err())
	}
	task.Done()
}

// TestUDFSnapshotAnswerOrder checks that a checkpoint waiting for the
// answer to its snapshot request is not given the answer to a periodic
// request written before it, and gets the data responses that came before
// its own answer.
func TestUDFSnapshotAnswerOrder(t *testing.T) {
	s := &udfSession{}
	point := func(i int64) *agent.Response {
		return &agent.Response{Message: &agent.Response_Point{Point: &agent.Point{Time: i}}}
	}
	// A periodic request (1) and the checkpoint's (2) were written.
	answer := make(chan udfSnapshotAnswer, 1)
	s.snaps.sent, s.snaps.want, s.snaps.waiter = 2, 2, answer
	s.queue = []*agent.Response{point(1)}
	s.snapshotArrived([]byte("1"))
	select {
	case a := <-answer:
		t.Fatalf("the periodic answer %q was taken for the checkpoint's", a.snapshot)
	default:
	}
	s.queue = append(s.queue, point(2))
	s.snapshotArrived([]byte("2"))
	s.queue = append(s.queue, point(3)) // after the answer: not part of it
	a := <-answer
	if string(a.snapshot) != "2" || len(a.queued) != 2 || a.queued[1].GetPoint().GetTime() != 2 {
		t.Errorf("answer %q with %d queued responses", a.snapshot, len(a.queued))
	}
	if string(s.snapshot) != "2" || s.snaps.waiter != nil {
		t.Errorf("session snapshot %q, waiter %v", s.snapshot, s.snaps.waiter)
	}
}
