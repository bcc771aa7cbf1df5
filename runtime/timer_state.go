package runtime

import "fmt"

// A checkpoint keeps a node's timers as their settings: whether each is
// armed, the task time it fires at, and its creation order among the
// task's timers (Timer.seq), which decides the firing order of timers due
// at the same time. LoadState reads the setting into the node's timer,
// disarmed; the node's Restored (see Restorer) arms it again with rearm,
// once every node is loaded and the task's clock restored. So on a replay
// clock a restored timer fires exactly when, and in the order, it would
// have fired had the program not stopped; on the wall clock a time that
// passed while the program was down fires as soon as the program runs.

// saveTimer appends the setting of tm, which may be nil (a node without a
// task has no timers).
func saveTimer(e *StateEncoder, tm *Timer) {
	if tm == nil || !tm.armed {
		e.Bool(false)
		return
	}
	e.Bool(true)
	e.Int(tm.at)
	e.Uint(tm.seq)
}

// loadTimer reads what saveTimer wrote into tm, leaving it disarmed, and
// reports whether it was armed. An armed timer takes back its time and its
// creation order, and the task's next timers are created after it. A nil
// tm (no task) only skips the setting.
func loadTimer(d *StateDecoder, tm *Timer) (armed bool) {
	if tm != nil {
		tm.Stop()
	}
	if !d.Bool() {
		return false
	}
	at, seq := d.Int(), d.Uint()
	if d.Err() != nil {
		return false
	}
	if seq == 0 {
		d.Fail(fmt.Errorf("state has a timer without creation order"))
		return false
	}
	if tm != nil {
		tm.at, tm.seq = at, seq
		if tm.task.timerSeq < seq {
			tm.task.timerSeq = seq
		}
	}
	return true
}

// rearm arms tm again at the time loadTimer gave it. The program rebuilds
// the same timers in the same order before it loads a checkpoint, so a
// timer built with the task keeps its own creation order and one made for
// a group later (a barrier's) takes back the order it had.
func (tm *Timer) rearm() { tm.Reset(tm.at) }
