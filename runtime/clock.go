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
