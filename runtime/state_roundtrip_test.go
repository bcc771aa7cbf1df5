package runtime

import (
	"bytes"
	"strings"
	"testing"
)

// The checkpoint round-trip tests feed a node a sequence of events and
// compare what it emits uninterrupted with what it emits when, after any
// number of the events, its state is saved, a new task and node are built,
// the state is loaded into them (then Restored is called, as a program
// restoring a checkpoint does) and the remaining events go to the new
// node: the output before the checkpoint followed by the restored node's
// output must be exactly the uninterrupted output.

// ckptEvent is one input of a round-trip test: a point, a batch, a barrier
// or a group deletion for one of the node's inputs, or only a move of the
// replay clock. Data moves the clock to its time first, as replay does.
type ckptEvent struct {
	in      int
	clock   int64
	point   *Point
	batch   *Batch
	barrier bool
	del     bool
	group   GroupID
	t       int64
}

func evPoint(in int, p Point) ckptEvent { return ckptEvent{in: in, point: &p} }
func evBatch(in int, b Batch) ckptEvent { return ckptEvent{in: in, batch: &b} }
func evBarrier(in int, g GroupID, t int64) ckptEvent {
	return ckptEvent{in: in, barrier: true, group: g, t: t}
}
func evDelete(in int, g GroupID) ckptEvent { return ckptEvent{in: in, del: true, group: g} }
func evClock(t int64) ckptEvent            { return ckptEvent{clock: t} }

// ckptCase is a node under test: build makes it in a task, linked to out,
// and returns it with its inputs; start is the replay clock's zero and end
// the clock's time before Done.
type ckptCase struct {
	build  func(t *testing.T, task *Task, out Receiver) (Stateful, []Receiver)
	start  int64
	end    int64
	events []ckptEvent
}

func (c *ckptCase) task(t *testing.T, now int64) *Task {
	t.Helper()
	task, err := NewTask(TaskSpec{Name: "ckpt", Type: StreamTask}, nil, NewReplayClock(now), nil)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func (c *ckptCase) apply(task *Task, inputs []Receiver, evs []ckptEvent) {
	for _, ev := range evs {
		switch {
		case ev.point != nil:
			task.AdvanceClock(ev.point.Time)
			inputs[ev.in].Point(*ev.point)
		case ev.batch != nil:
			task.AdvanceClock(ev.batch.TMax)
			inputs[ev.in].Batch(*ev.batch)
		case ev.barrier:
			inputs[ev.in].Barrier(ev.group, ev.t)
		case ev.del:
			inputs[ev.in].DeleteGroup(ev.group)
		default:
			task.AdvanceClock(ev.clock)
		}
	}
}

func (c *ckptCase) finish(task *Task, inputs []Receiver) {
	task.AdvanceClock(c.end)
	for _, in := range inputs {
		in.Done()
	}
}

// run feeds every event to a fresh node and returns its output.
func (c *ckptCase) run(t *testing.T) []string {
	task := c.task(t, c.start)
	out := &sink{}
	_, inputs := c.build(t, task, out)
	c.apply(task, inputs, c.events)
	c.finish(task, inputs)
	return out.lines
}

// split feeds the first k events, checkpoints the node, ends its input as
// a program stopping after its final checkpoint does, restores the state
// into a new node and feeds it the rest; it returns the output of both and
// the state.
func (c *ckptCase) split(t *testing.T, k int) ([]string, []byte) {
	t.Helper()
	task := c.task(t, c.start)
	out := &sink{}
	node, inputs := c.build(t, task, out)
	c.apply(task, inputs, c.events[:k])
	var e StateEncoder
	node.SaveState(&e)
	state := bytes.Clone(e.Bytes())
	// The program then stops, as on SIGTERM after the final checkpoint:
	// what the node emits at the end of its input must not come again
	// from the restored node.
	task.suspended = true
	emitted := len(out.lines)
	for _, in := range inputs {
		in.Done()
	}
	if ended := out.lines[emitted:]; len(ended) != 1 || ended[0] != "done" {
		t.Errorf("after %d events: a suspended node emitted %q at the end of its input, want only done", k, ended)
	}
	out.lines = out.lines[:emitted]

	task2 := c.task(t, task.Now())
	out2 := &sink{}
	node2, inputs2 := c.build(t, task2, out2)
	d := NewStateDecoder(state)
	if err := node2.LoadState(d); err != nil {
		t.Fatalf("after %d events: LoadState: %v", k, err)
	}
	if err := d.Finish(); err != nil {
		t.Fatalf("after %d events: %v", k, err)
	}
	if r, ok := node2.(interface{ Restored() }); ok {
		r.Restored()
	}
	var again StateEncoder
	node2.SaveState(&again)
	if !bytes.Equal(again.Bytes(), state) {
		t.Errorf("after %d events: the restored node saves other bytes than it loaded", k)
	}
	c.apply(task2, inputs2, c.events[k:])
	c.finish(task2, inputs2)
	return append(out.lines, out2.lines...), state
}

// check runs the case uninterrupted and checkpointed after every number of
// events, and checks that each strict prefix of a checkpoint is refused.
// It returns the uninterrupted output.
func (c *ckptCase) check(t *testing.T) []string {
	t.Helper()
	want := c.run(t)
	var longest []byte
	for k := 0; k <= len(c.events); k++ {
		got, state := c.split(t, k)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("checkpoint after %d events: got\n\t%s\nwant\n\t%s", k, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}
		if len(state) > len(longest) {
			longest = state
		}
	}
	for i := 0; i < len(longest); i++ {
		node, _ := c.build(t, c.task(t, c.start), &sink{})
		d := NewStateDecoder(longest[:i])
		if node.LoadState(d) == nil && d.Finish() == nil {
			t.Errorf("prefix %d of %d bytes of a checkpoint loaded without error", i, len(longest))
		}
	}
	return want
}
