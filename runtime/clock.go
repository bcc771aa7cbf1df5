package runtime

import (
	"sync/atomic"
	"time"
)

// Clock gives a task its notion of now, in Unix nanoseconds.
type Clock interface {
	Now() int64
}

// WallClock is the system clock: the clock of a serving program.
type WallClock struct{}

// Now returns the current wall-clock time.
func (WallClock) Now() int64 { return time.Now().UnixNano() }

// ReplayClock is the clock of a replay. It starts at the replay's clock zero
// and follows the data: before each point or batch is delivered, the clock
// moves to that data's time (the batch's last point time) if it is later, so
// during a replay Now is the time of the latest delivered data, and it never
// goes back. When the input is exhausted the replay moves it to clock zero
// plus the replay's duration, as Kapacitor's test harness sets its clock
// before draining the task.
type ReplayClock struct {
	now atomic.Int64
}

// NewReplayClock returns a replay clock set to zero.
func NewReplayClock(zero int64) *ReplayClock {
	c := &ReplayClock{}
	c.now.Store(zero)
	return c
}

// Now returns the clock's time.
func (c *ReplayClock) Now() int64 { return c.now.Load() }

// Advance moves the clock to t if t is later than its time.
func (c *ReplayClock) Advance(t int64) {
	for {
		cur := c.now.Load()
		if t <= cur || c.now.CompareAndSwap(cur, t) {
			return
		}
	}
}

// Timer calls a function at a given task time, on the task's goroutine. Nodes
// that act on time rather than on data (barrier, deadman, stats) use it. On
// the wall clock it fires after the real delay, while the program serves; on
// a replay clock it fires when the replay moves the clock to or past its
// time, before the data of that time is delivered, with the clock set to
// the timer's time. A Timer is used only from the task's goroutine.
type Timer struct {
	task  *Task
	f     func(now int64)
	at    int64
	gen   uint64 // bumped on every Reset and Stop; stale firings are ignored
	armed bool
	seq   uint64 // creation order, to fire timers of equal time deterministically
	wall  *time.Timer
}

// NewTimer returns a stopped timer that calls f with the task's time.
func (t *Task) NewTimer(f func(now int64)) *Timer {
	t.timerSeq++
	return &Timer{task: t, f: f, seq: t.timerSeq}
}

// Reset arms the timer to fire at task time at (Unix nanoseconds), replacing
// any earlier setting. A time already past fires as soon as possible.
func (tm *Timer) Reset(at int64) {
	tm.Stop()
	tm.at = at
	tm.armed = true
	gen := tm.gen
	t := tm.task
	if _, ok := t.clock.(*ReplayClock); ok {
		t.pending.push(tm, gen)
		return
	}
	d := time.Duration(at - t.Now())
	tm.wall = time.AfterFunc(max(d, 0), func() {
		t.post(func() {
			if tm.armed && tm.gen == gen {
				tm.armed = false
				delete(t.wallTimers, tm)
				tm.f(t.Now())
			}
		})
	})
	if t.wallTimers == nil {
		t.wallTimers = map[*Timer]struct{}{}
	}
	t.wallTimers[tm] = struct{}{}
}

// Stop disarms the timer.
func (tm *Timer) Stop() {
	tm.gen++
	tm.armed = false
	if tm.wall != nil {
		tm.wall.Stop()
		tm.wall = nil
		delete(tm.task.wallTimers, tm)
	}
}

// Armed reports whether the timer is set to fire.
func (tm *Timer) Armed() bool { return tm.armed }

// When returns the time the timer is set to fire at.
func (tm *Timer) When() int64 { return tm.at }

// timerHeap orders the armed timers of a replayed task by time, then by
// creation order. Entries whose generation is stale are skipped when popped.
type timerHeap []timerEntry

type timerEntry struct {
	tm  *Timer
	gen uint64
	at  int64
}

func (h *timerHeap) less(i, j int) bool {
	a, b := (*h)[i], (*h)[j]
	if a.at != b.at {
		return a.at < b.at
	}
	return a.tm.seq < b.tm.seq
}

func (h *timerHeap) push(tm *Timer, gen uint64) {
	*h = append(*h, timerEntry{tm, gen, tm.at})
	i := len(*h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		(*h)[i], (*h)[p] = (*h)[p], (*h)[i]
		i = p
	}
}

func (h *timerHeap) pop() timerEntry {
	old := *h
	top := old[0]
	n := len(old) - 1
	old[0] = old[n]
	*h = old[:n]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		(*h)[i], (*h)[m] = (*h)[m], (*h)[i]
		i = m
	}
	return top
}

// AdvanceClock moves a replayed task's clock to ts, first firing, in time
// order, every timer due at or before ts with the clock set to its time. It
// does nothing to a task on the wall clock.
func (t *Task) AdvanceClock(ts int64) {
	rc, ok := t.clock.(*ReplayClock)
	if !ok {
		return
	}
	for len(t.pending) > 0 && t.pending[0].at <= ts {
		e := t.pending.pop()
		if !e.tm.armed || e.tm.gen != e.gen {
			continue
		}
		e.tm.armed = false
		rc.Advance(e.at)
		e.tm.f(rc.Now())
	}
	rc.Advance(ts)
}

// setPoster installs the function that runs work on the task's goroutine.
func (t *Task) setPoster(post func(func()) bool) {
	t.postMu.Lock()
	t.poster = post
	var early []func()
	if post != nil {
		t.started = true
		early, t.early = t.early, nil
	}
	t.postMu.Unlock()
	if len(early) > 0 {
		// The task's goroutine starts after this returns: hand the work over
		// from another goroutine, in order.
		go func() {
			for _, f := range early {
				post(f)
			}
		}()
	}
}

// post runs f on the task's goroutine; before the task starts, f waits for
// it; once the task has stopped, f is dropped.
func (t *Task) post(f func()) {
	t.postMu.Lock()
	post := t.poster
	if post == nil && !t.started {
		// A wall-clock timer that fell due before the task started (a stats
		// interval shorter than the time from build to serve) runs first
		// thing once it starts, instead of being lost.
		t.early = append(t.early, f)
		t.postMu.Unlock()
		return
	}
	t.postMu.Unlock()
	if post != nil {
		post(f)
	}
}

// stopTimers disarms the wall-clock timers of a task that is stopping.
func (t *Task) stopTimers() {
	for tm := range t.wallTimers {
		tm.Stop()
	}
}
