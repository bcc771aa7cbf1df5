package runtime

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestReplayClockTimers(t *testing.T) {
	task, err := NewTask(TaskSpec{Name: "t"}, nil, NewReplayClock(zsec(0)), nil)
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	mk := func(name string) *Timer {
		return task.NewTimer(func(now int64) {
			log = append(log, name+"@"+TimeValue(now).Format("05"))
		})
	}
	a, b, c, d := mk("a"), mk("b"), mk("c"), mk("d")
	a.Reset(zsec(5))
	b.Reset(zsec(3))
	c.Reset(zsec(3)) // same time as b: creation order
	d.Reset(zsec(4))
	d.Reset(zsec(9)) // the earlier setting is void
	a.Stop()
	if a.Armed() || !d.Armed() || d.When() != zsec(9) {
		t.Errorf("armed: a %v d %v at %d", a.Armed(), d.Armed(), d.When())
	}
	task.AdvanceClock(zsec(6))
	if got := strings.Join(log, " "); got != "b@03 c@03" {
		t.Errorf("fired %q, want b@03 c@03", got)
	}
	if task.Now() != zsec(6) {
		t.Errorf("clock at %d", task.Now())
	}
	// A timer re-armed from its own callback, in the past: fires at once, at the clock's time.
	b.Reset(zsec(1))
	task.AdvanceClock(zsec(6))
	// The clock never goes back.
	task.AdvanceClock(zsec(2))
	task.AdvanceClock(zsec(10))
	if got := strings.Join(log, " "); got != "b@03 c@03 b@06 d@09" {
		t.Errorf("fired %q", got)
	}
	if task.Now() != zsec(10) {
		t.Errorf("clock at %d", task.Now())
	}
}

func TestWallClockTimersRunOnTaskGoroutine(t *testing.T) {
	var (
		mu    sync.Mutex
		fired int
		timer *Timer
	)
	done := make(chan struct{})
	spec := TaskSpec{Name: "t", Type: StreamTask, Build: func(task *Task) error {
		timer = task.NewTimer(func(int64) {
			mu.Lock()
			fired++
			mu.Unlock()
			close(done)
		})
		return nil
	}}
	p, err := NewProgram([]TaskSpec{spec}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	// Timers are armed on the task goroutine, like everything a node does.
	p.Tasks[0].post(func() { timer.Reset(time.Now().UnixNano() + int64(10*time.Millisecond)) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("timer did not fire")
	}
	p.Tasks[0].post(func() { timer.Reset(time.Now().UnixNano() + int64(time.Hour)) })
	p.Stop()
	mu.Lock()
	defer mu.Unlock()
	if fired != 1 {
		t.Errorf("fired %d times", fired)
	}
	if timer.Armed() {
		t.Error("Stop left a timer armed")
	}
	if err := p.Write([]Point{{Name: "m"}}); err != ErrStopped {
		t.Errorf("write after stop: %v", err)
	}
}
