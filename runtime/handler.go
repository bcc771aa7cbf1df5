package runtime

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// AlertHandler receives the events of an alert node. The node calls Handle on
// the task's goroutine, for every event that is not inhibited, in order;
// Handle must not block and must not modify the event. A handler that queues
// work also implements io.Closer: the node closes its handlers when its input
// ends (Done), and Close returns once the queued events are delivered or
// given up.
type AlertHandler interface {
	Handle(ev *AlertEvent)
}

// Delivery defaults of the post, tcp and log handlers.
const (
	// DefaultHandlerTimeout bounds one delivery attempt when the handler sets
	// no timeout of its own.
	DefaultHandlerTimeout = 10 * time.Second
	// DefaultHandlerAttempts is how many times a failed delivery is tried.
	DefaultHandlerAttempts = 3
	// DefaultHandlerBackoff is the wait before the second attempt; it doubles
	// for each further attempt.
	DefaultHandlerBackoff = 100 * time.Millisecond
	// DefaultHandlerFlushTimeout bounds how long Close waits for the queued
	// events; what is left then is dropped and counted.
	DefaultHandlerFlushTimeout = 10 * time.Second
)

// HandlerStats are the counters of a queued handler. They may be read from
// any goroutine.
type HandlerStats struct {
	Delivered atomic.Uint64 // events delivered
	Failed    atomic.Uint64 // events given up after the last attempt failed
	Dropped   atomic.Uint64 // events dropped: queue full, or still queued when Close gave up
	Retries   atomic.Uint64 // attempts after a failure

	Events  [4]atomic.Uint64 // events handed to the handler, per AlertLevel
	Latency latencyHistogram // time from an event's first attempt to the end of its last
}

// errPermanent marks a delivery failure that another attempt cannot fix
// (a 4xx answer, an event that does not encode).
type errPermanent struct{ err error }

func (e errPermanent) Error() string { return e.err.Error() }
func (e errPermanent) Unwrap() error { return e.err }

// permanent wraps err so that the queue does not retry it.
func permanent(err error) error { return errPermanent{err} }

// deliveryQueue delivers events asynchronously, in order, on one goroutine:
// a bounded queue (a full queue drops the new event, as Kapacitor's topic
// handlers do), a timeout per attempt, retries with a doubling backoff. A
// slow or dead target therefore never blocks the task.
type deliveryQueue struct {
	what     string // the target, for logs: "post http://…", "tcp host:port", "log /path"
	log      *slog.Logger
	send     func(ctx context.Context, ev *AlertEvent) error
	timeout  time.Duration
	attempts int
	backoff  time.Duration
	flush    time.Duration
	length   int
	enabled  func() bool // false while the task's handlers must deliver nowhere
	stats    *HandlerStats

	startOnce sync.Once
	closeOnce sync.Once
	events    chan *AlertEvent
	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}
	closed    atomic.Bool
}

// newDeliveryQueue makes the queue of a handler of task t (which may be nil).
func newDeliveryQueue(t *Task, what string, timeout time.Duration, send func(context.Context, *AlertEvent) error, stats *HandlerStats) *deliveryQueue {
	q := &deliveryQueue{
		what:     what,
		log:      slog.New(slog.DiscardHandler),
		send:     send,
		timeout:  timeout,
		attempts: DefaultHandlerAttempts,
		backoff:  DefaultHandlerBackoff,
		flush:    DefaultHandlerFlushTimeout,
		length:   alertSettings(t).queueLength(),
		enabled:  func() bool { return true },
		stats:    stats,
	}
	if q.timeout <= 0 {
		q.timeout = DefaultHandlerTimeout
	}
	if t != nil {
		if t.Log != nil {
			q.log = t.Log
		}
		q.enabled = func() bool { return t.Handlers }
	}
	return q
}

// attach adds the alert node that owns the queue to its log lines.
func (q *deliveryQueue) attach(info NodeInfo) {
	q.log = q.log.With("node", info.Name, "pos", info.Pos)
}

// start makes the queue and its goroutine on first use, so that a handler
// that never gets an event costs nothing.
func (q *deliveryQueue) start() {
	q.startOnce.Do(func() {
		q.events = make(chan *AlertEvent, q.length)
		q.ctx, q.cancel = context.WithCancel(context.Background())
		q.done = make(chan struct{})
		go q.run()
	})
}

// enqueue queues ev, or drops it when the queue is full or closed.
func (q *deliveryQueue) enqueue(ev *AlertEvent) {
	if !q.enabled() {
		return
	}
	if q.closed.Load() {
		q.stats.Dropped.Add(1)
		q.log.Error("alert handler is closed, event dropped", "handler", q.what, "id", ev.ID)
		return
	}
	if int(ev.Level) < len(q.stats.Events) {
		q.stats.Events[ev.Level].Add(1)
	}
	q.start()
	select {
	case q.events <- ev:
	default:
		q.stats.Dropped.Add(1)
		q.log.Error("failed to deliver event to handler: queue full", "handler", q.what, "id", ev.ID)
	}
}

func (q *deliveryQueue) run() {
	defer close(q.done)
	for ev := range q.events {
		if q.ctx.Err() != nil {
			q.stats.Dropped.Add(1)
			continue
		}
		q.deliver(ev)
	}
}

// deliver makes up to attempts tries of one event.
func (q *deliveryQueue) deliver(ev *AlertEvent) {
	start := time.Now()
	defer func() { q.stats.Latency.observe(time.Since(start)) }()
	wait := q.backoff
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(q.ctx, q.timeout)
		err := q.send(ctx, ev)
		cancel()
		if err == nil {
			q.stats.Delivered.Add(1)
			return
		}
		var perm errPermanent
		if attempt >= q.attempts || errors.As(err, &perm) || q.ctx.Err() != nil {
			q.stats.Failed.Add(1)
			q.log.Error("alert handler failed", "handler", q.what, "id", ev.ID, "attempts", attempt, "err", err.Error())
			return
		}
		q.stats.Retries.Add(1)
		select {
		case <-time.After(wait):
		case <-q.ctx.Done():
		}
		wait *= 2
	}
}

// Close delivers the queued events and stops the queue's goroutine. It waits
// at most the flush timeout; the events still queued then are dropped. It is
// safe to call more than once.
func (q *deliveryQueue) Close() error {
	q.closeOnce.Do(func() {
		q.closed.Store(true)
		started := true
		q.startOnce.Do(func() { started = false })
		if !started {
			return // never used: nothing to flush
		}
		close(q.events)
		timer := time.NewTimer(q.flush)
		defer timer.Stop()
		select {
		case <-q.done:
		case <-timer.C:
			q.log.Error("alert handler did not finish its deliveries in time, dropping the rest", "handler", q.what, "waited", q.flush.String())
			q.cancel()
			<-q.done
		}
		q.cancel()
	})
	return nil
}
