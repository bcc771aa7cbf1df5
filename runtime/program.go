package runtime

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Program is the set of tasks of one generated binary and the machinery that
// feeds them: routing of written points, one goroutine per task while
// serving, and the end of input.
type Program struct {
	Tasks  []*Task
	Config *Config
	Log    *slog.Logger

	mu      sync.RWMutex
	running bool
	stopped bool
	loops   []*taskLoop // one per task while running

	loopMu   sync.Mutex
	loopQ    []Point       // points written back by kapacitorLoopback nodes, not yet delivered
	looped   atomic.Bool   // loopQ may hold points: drainLoopback need not lock to see it is empty
	loopWake chan struct{} // wakes the loopback writer while running
	loopDone chan struct{} // closed when the loopback writer has ended

	ckpt checkpointState // the checkpoints saved (checkpoint.go)

	writes WriteStats // what the write path refused (limits_metrics.go)
}

// maxLoopback bounds how many looped-back points one delivery may cause
// outside of serve, so that a task that feeds itself forever fails instead
// of hanging.
const maxLoopback = 1_000_000

// ErrLoopback is the error of a replay whose tasks keep writing points back
// into their own input.
var ErrLoopback = errors.New("kapacitorLoopback: over a million points looped back by one delivery: the tasks feed themselves")

// NewProgram builds the tasks of specs with the given configuration and
// logger (nil for defaults). newClock makes each task's clock (nil: the wall
// clock); a replay gives every task its own ReplayClock. Task names must be
// unique.
func NewProgram(specs []TaskSpec, cfg *Config, newClock func() Clock, log *slog.Logger) (*Program, error) {
	if cfg == nil {
		cfg = NewConfig()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(specs) == 0 {
		return nil, errors.New("the program has no task")
	}
	p := &Program{Config: cfg, Log: log}
	seen := map[string]bool{}
	for _, s := range specs {
		if seen[s.Name] {
			return nil, fmt.Errorf("two tasks are named %q", s.Name)
		}
		seen[s.Name] = true
		var clock Clock = WallClock{}
		if newClock != nil {
			clock = newClock()
		}
		t, err := NewTask(s, cfg, clock, log)
		if err != nil {
			return nil, err
		}
		t.loopback = p.enqueueLoopback
		p.Tasks = append(p.Tasks, t)
	}
	return p, nil
}

// Task returns the task named name, or nil.
func (p *Program) Task(name string) *Task {
	for _, t := range p.Tasks {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// ErrStopped is returned by Write once the program stops accepting writes.
var ErrStopped = errors.New("the server is shutting down")

// taskLoop is the goroutine that owns a task while the program serves: all
// data and timer callbacks of the task run on it, in the order they were
// posted.
type taskLoop struct {
	task *Task
	work chan func()
	done chan struct{}
}

func (l *taskLoop) run() {
	defer close(l.done)
	for f := range l.work {
		if f == nil {
			return
		}
		// A failure was logged by safely; the loop goes on with the next work.
		_ = l.task.safely(f)
	}
}

// safely runs f, turning a panic of the task's code into an error that
// names the task; the error is also logged with the stack. A bug in one
// node must not take down the program or the other tasks.
func (t *Task) safely(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("task %s: internal error: %v", t.Name, v)
			t.Log.Error("task panicked", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	f()
	return t.takeFailure()
}

// Start starts one goroutine per task. From then on the tasks receive data
// only through Write and their timers, and Stop must be called to end them.
func (p *Program) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running || p.stopped {
		return
	}
	p.running = true
	p.loops = make([]*taskLoop, len(p.Tasks))
	for i, t := range p.Tasks {
		l := &taskLoop{task: t, work: make(chan func()), done: make(chan struct{})}
		p.loops[i] = l
		t.serving = true // before the task's goroutine starts, which reads it
		t.setPoster(func(f func()) bool {
			select {
			case l.work <- f:
				return true
			case <-l.done:
				return false
			}
		})
		go l.run()
	}
	wake := make(chan struct{}, 1)
	p.loopMu.Lock()
	p.loopWake = wake
	p.loopMu.Unlock()
	p.loopDone = make(chan struct{})
	go p.loopbackWriter(wake)
}

// Write delivers points to every task that accepts them (see Task.Accepts)
// and returns once all of them have been processed: a writer is slowed down
// to the pace of the tasks. Before Start, the points are processed on the
// caller's goroutine. After Stop it returns ErrStopped.
func (p *Program) Write(points []Point) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.stopped {
		return ErrStopped
	}
	if !p.running {
		return p.writeSync(points)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(p.Tasks))
	routedAll := false
	for i, t := range p.Tasks {
		mine := acceptedBy(t, points)
		routedAll = routedAll || len(mine) == len(points)
		if len(mine) == 0 {
			continue
		}
		wg.Add(1)
		p.loops[i].work <- func() {
			defer wg.Done()
			errs[i] = t.safely(func() {
				for _, pt := range mine {
					t.deliverPoint(pt)
				}
			})
		}
	}
	if !routedAll {
		p.countUnrouted(points)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// acceptedBy returns the points t accepts: points itself when it accepts
// them all, as a task usually does, else a copy of those it accepts.
func acceptedBy(t *Task, points []Point) []Point {
	var r route
	for i := range points {
		if r.accepts(t, &points[i]) {
			continue
		}
		mine := append([]Point(nil), points[:i]...)
		for j := i + 1; j < len(points); j++ {
			if r.accepts(t, &points[j]) {
				mine = append(mine, points[j])
			}
		}
		return mine
	}
	return points
}

// route remembers a task's routing decision (Task.Accepts) for the latest
// database, retention policy and measurement. Points come in runs of the
// same three, and decoded points share their strings (they are interned),
// so comparing them is cheaper than deciding again. A route lives for one
// write or one replay: a task that fails during it stops the write or the
// replay, so the failure Accepts checks cannot change a decision it holds.
type route struct {
	db, rp, name string
	valid, ok    bool
}

// accepts reports whether t accepts p.
func (r *route) accepts(t *Task, p *Point) bool {
	if r.valid && p.Name == r.name && p.Database == r.db && p.RetentionPolicy == r.rp {
		return r.ok
	}
	r.db, r.rp, r.name = p.Database, p.RetentionPolicy, p.Name
	r.ok, r.valid = t.Accepts(p.Database, p.RetentionPolicy, p.Name), true
	return r.ok
}

// writeSync delivers points on the caller's goroutine, point by point to
// every task that accepts it, then the points looped back meanwhile.
func (p *Program) writeSync(points []Point) error {
	p.countUnrouted(points)
	if len(p.Tasks) == 1 {
		// One task: the points go in one recover frame, and a failure
		// stops the write at the point that caused it.
		t := p.Tasks[0]
		var r route
		if err := t.safely(func() {
			for i := range points {
				if r.accepts(t, &points[i]) {
					t.deliverPoint(points[i])
					if t.failed.Load() {
						return
					}
				}
			}
		}); err != nil {
			return err
		}
		return p.drainLoopback(p.Tasks)
	}
	routes := make([]route, len(p.Tasks))
	for i := range points {
		for j, t := range p.Tasks {
			if routes[j].accepts(t, &points[i]) {
				if err := t.safely(func() { t.deliverPoint(points[i]) }); err != nil {
					return err
				}
			}
		}
	}
	return p.drainLoopback(p.Tasks)
}

// enqueueLoopback queues a point written back by a task.
func (p *Program) enqueueLoopback(pt Point) {
	p.loopMu.Lock()
	defer p.loopMu.Unlock()
	p.loopQ = append(p.loopQ, pt)
	p.looped.Store(true)
	if p.loopWake != nil {
		select {
		case p.loopWake <- struct{}{}:
		default: // already woken
		}
	}
}

func (p *Program) takeLoopback() []Point {
	p.loopMu.Lock()
	defer p.loopMu.Unlock()
	q := p.loopQ
	p.loopQ = nil
	p.looped.Store(false)
	return q
}

// drainLoopback delivers the looped-back points, and those they cause, to
// the given tasks, on the caller's goroutine.
func (p *Program) drainLoopback(tasks []*Task) error {
	if !p.looped.Load() {
		return nil // nothing was looped back: the usual case, without locking
	}
	n := 0
	for q := p.takeLoopback(); len(q) > 0; q = p.takeLoopback() {
		if n += len(q); n > maxLoopback {
			return ErrLoopback
		}
		for _, pt := range q {
			for _, t := range tasks {
				if t.Accepts(pt.Database, pt.RetentionPolicy, pt.Name) {
					if err := t.safely(func() { t.deliverPoint(pt) }); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// loopbackWriter writes looped-back points while the program serves, as
// any writer would: the task that looped them back is not blocked.
func (p *Program) loopbackWriter(wake <-chan struct{}) {
	defer close(p.loopDone)
	for range wake {
		if q := p.takeLoopback(); len(q) > 0 {
			if err := p.Write(q); err != nil {
				return
			}
		}
	}
}

// Stop stops accepting writes, waits for the writes in progress, passes Done
// through every task and waits for the task goroutines to end. It may be
// called more than once.
func (p *Program) Stop() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	running := p.running
	p.mu.Unlock()
	if running {
		p.loopMu.Lock()
		close(p.loopWake)
		p.loopWake = nil
		p.loopMu.Unlock()
		<-p.loopDone
	}
	for i, t := range p.Tasks {
		end := func() {
			t.stopTimers()
			_ = t.safely(t.Done) // a failure is logged
		}
		if !running {
			end()
			continue
		}
		l := p.loops[i]
		l.work <- end
		l.work <- nil
		<-l.done
	}
}
