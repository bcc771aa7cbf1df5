package runtime

import (
	"testing"
	"time"
)

// TestWallTimerDueBeforeStartRuns checks that a wall-clock timer that falls
// due between building a program and starting it (as a stats interval can)
// fires once the task starts instead of being lost.
func TestWallTimerDueBeforeStartRuns(t *testing.T) {
	fired := make(chan int64, 1)
	spec := TaskSpec{Name: "early", Type: StreamTask, DBRPs: []DBRP{{"db", "rp"}}, Build: func(tk *Task) error {
		tm := tk.NewTimer(func(now int64) { fired <- now })
		tm.Reset(tk.Now() + int64(5*time.Millisecond))
		return nil
	}}
	p, err := NewProgram([]TaskSpec{spec}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the timer falls due before Start
	select {
	case <-fired:
		t.Fatal("the timer ran before the task started")
	default:
	}
	p.Start()
	defer p.Stop()
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("a timer that fell due before Start never fired")
	}
}
