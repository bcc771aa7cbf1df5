package runtime

import (
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
)

// TaskType is the kind of a task: it decides which root node the task has and
// how replay feeds it.
type TaskType uint8

const (
	// StreamTask is a task rooted at stream: it receives written points.
	StreamTask TaskType = iota
	// BatchTask is a task rooted at batch: its query nodes produce batches.
	BatchTask
)

// String returns "stream" or "batch".
func (tt TaskType) String() string {
	if tt == BatchTask {
		return "batch"
	}
	return "stream"
}

// DBRP is a database and retention policy pair a task is registered with.
type DBRP struct {
	Database        string
	RetentionPolicy string
}

// String returns "db"."rp" as Kapacitor prints a dbrp.
func (d DBRP) String() string { return fmt.Sprintf("%q.%q", d.Database, d.RetentionPolicy) }

// TaskSpec describes one task of a generated program: what Main needs to run it.
type TaskSpec struct {
	Name  string
	Type  TaskType
	DBRPs []DBRP
	// Build constructs the task's nodes and links them, starting from
	// t.Stream() or t.Batch(). It is generated code; an error aborts the program.
	Build func(t *Task) error
	// Fingerprint identifies the compiled pipeline: the code generator sets
	// it to a hash of the task's IR, so that a checkpoint written by another
	// build of the task is refused rather than misapplied. Empty for a task
	// built by hand.
	Fingerprint string
}

// Task is one compiled TICKscript task at run time: its name, its logger, its
// root nodes, its outputs and the services its nodes share. All data reaches
// a task on one goroutine; only the methods documented as safe for concurrent
// use may be called from elsewhere.
type Task struct {
	Name  string
	Type  TaskType
	DBRPs []DBRP
	// Fingerprint is the spec's: checkpoints record it (see TaskSpec).
	Fingerprint string
	Log         *slog.Logger
	// Config is the program's configuration; nodes read their services'
	// settings from it. It is never nil once the task is built by NewTask.
	Config *Config
	// Handlers is false when alert handlers must not deliver anywhere
	// (replay --no-handlers); alert nodes still record their events.
	Handlers bool

	clock  Clock
	limits *groupLimiter // nil when both limits of the [limits] section are off

	stream       *StreamNode
	batch        *BatchNode
	queries      []*QueryNode
	measurements map[string]bool
	anyMeasure   bool

	outs       []*HTTPOut     // in creation order
	influxOuts []*InfluxDBOut // in creation order

	alertMu       sync.Mutex
	alerts        [][]byte
	discardAlerts bool // set by Serve: nobody reads recorded alerts there

	failMu   sync.Mutex
	failure  error       // why the task stopped; nil while it runs
	reported bool        // failure was returned once by safely
	failed   atomic.Bool // failure is set: read without the lock on every delivery

	// serving is set by Program.Start before the task's goroutine starts:
	// from then on, what the task's nodes keep may be read by other
	// goroutines (httpOut's results by the HTTP server). Before, the
	// program's caller writes and reads on one goroutine.
	serving bool

	// suspended is set when a final checkpoint has saved the task's state:
	// the end of input that follows is a pause, not the end (see Suspended).
	suspended bool

	timerSeq   uint64
	pending    timerHeap           // armed timers on a replay clock
	wallTimers map[*Timer]struct{} // armed timers on the wall clock
	postMu     sync.Mutex
	poster     func(func()) bool // runs work on the task's goroutine; nil before Start
	started    bool              // a poster was set once: a nil poster now means stopped
	early      []func()          // work posted before the task started, run when it starts

	loopback func(Point) // the program's stream input; nil for a task outside a program
}

// NewTask makes the task of spec and runs its Build function. clock gives the
// task its notion of now; cfg and log may be nil (defaults, discarded logs).
func NewTask(spec TaskSpec, cfg *Config, clock Clock, log *slog.Logger) (*Task, error) {
	if spec.Name == "" {
		return nil, fmt.Errorf("task has no name")
	}
	if cfg == nil {
		cfg = NewConfig()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = WallClock{}
	}
	t := &Task{
		Name:         spec.Name,
		Type:         spec.Type,
		DBRPs:        append([]DBRP(nil), spec.DBRPs...),
		Fingerprint:  spec.Fingerprint,
		Log:          log.With("task", spec.Name),
		Config:       cfg,
		Handlers:     true,
		clock:        clock,
		measurements: map[string]bool{},
		wallTimers:   map[*Timer]struct{}{},
	}
	t.limits = newGroupLimiter(t, cfg.Limits)
	if spec.Type == BatchTask {
		t.batch = &BatchNode{}
		t.batch.Task = t
		t.batch.Info = NodeInfo{Name: "batch0"}
	} else {
		t.stream = &StreamNode{}
		t.stream.Task = t
		t.stream.Info = NodeInfo{Name: "stream0"}
	}
	if spec.Build != nil {
		if err := spec.Build(t); err != nil {
			return nil, fmt.Errorf("task %s: %w", spec.Name, err)
		}
	}
	return t, nil
}

// Now returns the task's current time in Unix nanoseconds: the wall clock in
// serve, the replay clock in replay (see ReplayClock).
func (t *Task) Now() int64 { return t.Clock().Now() }

// Clock returns the task's clock; a Task not made by NewTask uses the wall clock.
func (t *Task) Clock() Clock {
	if t.clock == nil {
		return WallClock{}
	}
	return t.clock
}

// Stream returns the root of a stream task. It is nil for a batch task.
func (t *Task) Stream() *StreamNode { return t.stream }

// Batch returns the root of a batch task. It is nil for a stream task.
func (t *Task) Batch() *BatchNode { return t.batch }

// AddMeasurement registers a measurement that a from() of the task selects;
// the empty string means a from() without measurement, which selects every
// measurement. Written points are routed to a stream task only if they match
// one of its measurements (or any, once "" was added).
func (t *Task) AddMeasurement(m string) {
	if m == "" {
		t.anyMeasure = true
		return
	}
	t.measurements[m] = true
}

// AnyMeasurement registers a from() without measurement: every measurement
// reaches the task. It is AddMeasurement("").
func (t *Task) AnyMeasurement() { t.anyMeasure = true }

// Accepts reports whether a point of database db, retention policy rp and
// measurement m reaches the task: its dbrp must be one of the task's and its
// measurement one the task selects. A batch task accepts no written points.
func (t *Task) Accepts(db, rp, m string) bool {
	if t.Type != StreamTask || t.Err() != nil {
		return false
	}
	found := false
	for _, d := range t.DBRPs {
		if d.Database == db && d.RetentionPolicy == rp {
			found = true
			break
		}
	}
	if !found {
		return false
	}
	return t.anyMeasure || t.measurements[m]
}

// Measurements returns the measurements the task selects, sorted, and
// whether it selects every measurement.
func (t *Task) Measurements() (names []string, any bool) {
	for m := range t.measurements {
		names = append(names, m)
	}
	sort.Strings(names)
	return names, t.anyMeasure
}

// NewQuery creates a query node below the task's batch root. Query nodes are
// numbered in creation order: in replay, the N-th query node is fed from the
// N-th batch file.
func (t *Task) NewQuery(info NodeInfo, cfg QueryConfig) *QueryNode {
	q := &QueryNode{Config: cfg, Index: len(t.queries)}
	q.Task = t
	q.Info = info
	t.queries = append(t.queries, q)
	if t.batch != nil {
		t.batch.AddChild(q)
	}
	return q
}

// Queries returns the task's query nodes in creation order.
func (t *Task) Queries() []*QueryNode { return t.queries }

// HTTPOuts returns the task's httpOut nodes in creation order.
func (t *Task) HTTPOuts() []*HTTPOut { return t.outs }

// HTTPOut returns the httpOut node serving endpoint, or nil. Of two nodes
// with the same endpoint the later one is served, as in Kapacitor.
func (t *Task) HTTPOut(endpoint string) *HTTPOut {
	for i := len(t.outs) - 1; i >= 0; i-- {
		if t.outs[i].endpoint == endpoint {
			return t.outs[i]
		}
	}
	return nil
}

// RecordAlert records the body of one alert event (the JSON the post handler
// sends, with or without its trailing newline). Replay prints the recorded
// events as its "alerts" array. A served task keeps nothing, so a long-running
// program does not grow with every event. It is safe for concurrent use.
func (t *Task) RecordAlert(body []byte) {
	if t.discardAlerts {
		return
	}
	b := make([]byte, len(body))
	copy(b, body)
	t.alertMu.Lock()
	t.alerts = append(t.alerts, b)
	t.alertMu.Unlock()
}

// Alerts returns the alert bodies recorded so far, in order. It is safe for
// concurrent use.
func (t *Task) Alerts() [][]byte {
	t.alertMu.Lock()
	defer t.alertMu.Unlock()
	return append([][]byte(nil), t.alerts...)
}

// Loopback writes p back into the program's stream input, as the
// kapacitorLoopback node does: p (with its Database and RetentionPolicy set)
// reaches every task that accepts it, this one included, after the data
// being processed now, never from inside the current call. It returns false
// when the task is not part of a program.
func (t *Task) Loopback(p Point) bool {
	if t.loopback == nil {
		return false
	}
	t.loopback(p)
	return true
}

// Suspended reports whether the task's state was saved by a final
// checkpoint before its input ends: the program will continue from that
// state after a restart. A node that would emit the data it holds when its
// input ends (join, union) keeps it instead: the checkpoint has it, and
// emitting it now would emit it a second time after the restart.
func (t *Task) Suspended() bool { return t != nil && t.suspended }

// Done ends the task's input: it passes Done from the root through the graph.
func (t *Task) Done() {
	if t.stream != nil {
		t.stream.Done()
	}
	if t.batch != nil {
		t.batch.Done()
	}
}

// deliverPoint hands a routed point to the stream root.
func (t *Task) deliverPoint(p Point) {
	if s := t.stream; s != nil {
		// StreamNode.Point, one call and one copy of p fewer per point.
		s.PointsIn++
		s.PointsOut++
		for _, c := range s.Children {
			c.Point(p)
		}
	}
}

// StreamNode is the root of a stream task. The program pushes every point
// routed to the task into it; it passes them to its children (the from nodes).
type StreamNode struct {
	Base
}

// Point passes p on.
func (n *StreamNode) Point(p Point) { n.PointsIn++; n.EmitPoint(p) }

// Batch passes b on; a stream root normally receives no batches.
func (n *StreamNode) Batch(b Batch) { n.PointsIn++; n.EmitBatch(b) }

// Barrier passes the barrier on.
func (n *StreamNode) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *StreamNode) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes the end of input on.
func (n *StreamNode) Done() { n.EmitDone() }

// BatchNode is the root of a batch task, the parent of its query nodes. The
// query nodes are the sources: BatchNode only forwards Done to them.
type BatchNode struct {
	Base
}

// Point is ignored: a batch root receives no points.
func (n *BatchNode) Point(Point) {}

// Batch is ignored: batches enter a batch task through its query nodes.
func (n *BatchNode) Batch(Batch) {}

// Barrier passes the barrier on.
func (n *BatchNode) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *BatchNode) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes the end of input on to the query nodes.
func (n *BatchNode) Done() { n.EmitDone() }

// QueryConfig is the configuration of a query node, the properties of
// |query() in TICKscript. Durations are in nanoseconds.
type QueryConfig struct {
	Query              string   // the InfluxQL text, without time condition and GROUP BY
	Period             int64    // .period()
	Every              int64    // .every()
	Cron               string   // .cron(); empty when every is used
	Offset             int64    // .offset()
	Align              bool     // .align()
	AlignGroup         bool     // .alignGroup()
	GroupBy            []string // .groupBy() tag dimensions; "*" for all
	GroupByTime        int64    // .groupBy(time(d)); 0 when absent
	GroupByTimeOffset  int64    // the offset of time(d, offset)
	GroupByTimeAt      int      // time() comes before GroupBy[GroupByTimeAt]: 0 puts it first
	GroupByMeasurement bool     // .groupByMeasurement()
	Fill               string   // .fill(): "", "null", "previous", "none", "linear" or a number
	Cluster            string   // .cluster()
}

// QueryNode is a query or queryFlux node: a batch source. In replay it emits
// the recorded batches of its batch file, as they are.
type QueryNode struct {
	Base
	Config QueryConfig
	Index  int // its position among the task's query nodes
}

// Point is ignored: a query node receives no points.
func (n *QueryNode) Point(Point) {}

// Batch emits b: it is how a source (replay, a live query) hands the node
// the batch the query produced.
func (n *QueryNode) Batch(b Batch) { n.PointsIn++; n.EmitBatch(b) }

// Barrier passes the barrier on.
func (n *QueryNode) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *QueryNode) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done passes the end of input on.
func (n *QueryNode) Done() { n.EmitDone() }

// Fail stops the task because of err, as Kapacitor stops a task whose UDF
// fails: the error is logged, the task receives no more written points, the
// write or replay that was running reports it, and replay exits non-zero.
// Only the first failure is kept. It is safe for concurrent use.
func (t *Task) Fail(err error) {
	t.failMu.Lock()
	defer t.failMu.Unlock()
	if t.failure != nil || err == nil {
		return
	}
	t.failure = fmt.Errorf("task %s stopped: %w", t.Name, err)
	t.failed.Store(true)
	t.Log.Error("task stopped", "error", err.Error())
}

// Err returns the failure that stopped the task, or nil while it runs.
func (t *Task) Err() error {
	if !t.failed.Load() {
		return nil
	}
	t.failMu.Lock()
	defer t.failMu.Unlock()
	return t.failure
}

// takeFailure returns the task's failure the first time it is asked after
// the failure, and nil otherwise: one caller reports it.
func (t *Task) takeFailure() error {
	if !t.failed.Load() {
		return nil // the usual case, without the lock
	}
	t.failMu.Lock()
	defer t.failMu.Unlock()
	if t.failure == nil || t.reported {
		return nil
	}
	t.reported = true
	return t.failure
}
