package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/influxdata/influxql"
	"github.com/influxdata/line-protocol/v2/lineprotocol"

	"github.com/tickc/tickc/stdlib"
)

// InfluxDBOutConfig is the configuration of an influxDBOut node, the
// properties of |influxDBOut() in TICKscript.
type InfluxDBOutConfig struct {
	Cluster          string        // .cluster(): a [[influxdb]] name; empty for the default
	Database         string        // .database(); empty: the point's database
	RetentionPolicy  string        // .retentionPolicy(); empty: the point's
	Measurement      string        // .measurement(); empty: the point's name
	WriteConsistency string        // .writeConsistency()
	Precision        string        // .precision(): n, u, ms, s, m or h; empty: n
	Buffer           int64         // .buffer(): points per write; 0 means 1000
	FlushInterval    time.Duration // .flushInterval(): the longest a point waits; 0 means 10s
	Tags             Tags          // .tag(k, v): tags set on every point written
	Create           bool          // .create(): CREATE DATABASE before the first write
}

// The defaults of influxDBOut's properties, Kapacitor's.
const (
	DefaultInfluxDBOutBuffer        = 1000
	DefaultInfluxDBOutFlushInterval = 10 * time.Second
)

// WrittenPoint is one point an influxDBOut node writes, as a replay without
// InfluxDB server reports it.
type WrittenPoint struct {
	Database        string            `json:"database"`
	RetentionPolicy string            `json:"retentionPolicy"`
	Name            string            `json:"name"`
	Tags            map[string]string `json:"tags,omitempty"`
	Fields          map[string]any    `json:"fields"`
	Time            time.Time         `json:"time"`
}

// InfluxDBOutStats are the counters of an influxDBOut node. They are safe
// for concurrent use.
type InfluxDBOutStats struct {
	PointsWritten atomic.Uint64 // points InfluxDB accepted
	WriteErrors   atomic.Uint64 // failed write requests (each retry counts)
	Retries       atomic.Uint64 // writes attempted again after a failure
	Dropped       atomic.Uint64 // points given up: buffer full, refused by InfluxDB, retries exhausted, shutdown
}

// InfluxDBOut is the influxDBOut node. It turns every point (and every point
// of a batch) into a point of the configured database, retention policy and
// measurement, with the node's tags added, and writes them to InfluxDB in
// the background: a write is sent when Buffer points of one database and
// retention policy are waiting or FlushInterval has passed. A failed write
// is retried with a doubling backoff while its points stay buffered, up to
// the cluster's buffer-limit; every point that is finally not written is
// logged and counted (Stats().Dropped). Done flushes what is buffered, for
// at most the configured shutdown timeout. The data is passed on unchanged.
//
// In a replay whose configuration has no [[influxdb]] section, the node
// writes nothing and keeps the points for the replay's output (Written).
type InfluxDBOut struct {
	Base
	cfg       InfluxDBOutConfig
	precision int64
	err       error
	record    bool

	recMu    sync.Mutex
	recorded []WrittenPoint

	client *influxClient
	cl     *InfluxDBConfig
	w      *influxWriter
	stats  InfluxDBOutStats
}

// NewInfluxDBOut returns an influxDBOut node of task t. A cluster that the
// configuration does not have, or an invalid precision, is reported by Err
// and logged; the node then drops (and counts) every point.
func NewInfluxDBOut(t *Task, info NodeInfo, cfg InfluxDBOutConfig) *InfluxDBOut {
	n := &InfluxDBOut{Base: Base{Task: t, Info: info}, cfg: cfg}
	if t != nil {
		t.influxOuts = append(t.influxOuts, n)
	}
	if n.cfg.Buffer <= 0 {
		n.cfg.Buffer = DefaultInfluxDBOutBuffer
	}
	if n.cfg.FlushInterval <= 0 {
		n.cfg.FlushInterval = DefaultInfluxDBOutFlushInterval
	}
	n.cfg.Tags = append(Tags(nil), cfg.Tags...)
	sort.SliceStable(n.cfg.Tags, func(i, j int) bool { return n.cfg.Tags[i].Key < n.cfg.Tags[j].Key })
	prec, err := ParsePrecision(cfg.Precision)
	if err != nil {
		n.fail(fmt.Errorf("influxDBOut: %w", err))
		return n
	}
	n.precision = prec
	conf := NewConfig()
	if t != nil && t.Config != nil {
		conf = t.Config
	}
	if t != nil {
		if _, replay := t.Clock().(*ReplayClock); replay && !conf.InfluxDBConfigured() {
			n.record = true
			return n
		}
	}
	cl, err := conf.InfluxDB(cfg.Cluster)
	if err != nil {
		n.fail(fmt.Errorf("influxDBOut: failed to get InfluxDB client: %w", err))
		return n
	}
	client, err := clientFor(cl)
	if err != nil {
		n.fail(fmt.Errorf("influxDBOut: failed to get InfluxDB client: %w", err))
		return n
	}
	n.cl, n.client = cl, client
	flush := DefaultShutdownTimeout
	if conf.HTTP.ShutdownTimeout > 0 {
		flush = conf.HTTP.ShutdownTimeout
	}
	n.w = newInfluxWriter(n, flush)
	return n
}

func (n *InfluxDBOut) fail(err error) {
	n.err = err
	n.Error(err)
}

// Err returns the node's configuration error, or nil.
func (n *InfluxDBOut) Err() error { return n.err }

// InfluxDBOuts returns the task's influxDBOut nodes in creation order.
func (t *Task) InfluxDBOuts() []*InfluxDBOut { return t.influxOuts }

// Stats returns the node's write counters.
func (n *InfluxDBOut) Stats() *InfluxDBOutStats { return &n.stats }

// Written returns the points the node kept instead of writing them (in a
// replay without InfluxDB server), in order. It is safe for concurrent use.
func (n *InfluxDBOut) Written() []WrittenPoint {
	n.recMu.Lock()
	defer n.recMu.Unlock()
	return append([]WrittenPoint(nil), n.recorded...)
}

// Point writes p and passes it on.
func (n *InfluxDBOut) Point(p Point) {
	n.PointsIn++
	n.write(p.Database, p.RetentionPolicy, p.Name, p.Time, p.Tags, p.Fields)
	n.EmitPoint(p)
}

// Batch writes every point of b and passes b on.
func (n *InfluxDBOut) Batch(b Batch) {
	n.PointsIn++
	for _, bp := range b.Points {
		n.write("", "", b.Name, bp.Time, bp.Tags, bp.Fields)
	}
	n.EmitBatch(b)
}

// Barrier passes the barrier on.
func (n *InfluxDBOut) Barrier(g GroupID, t int64) { n.EmitBarrier(g, t) }

// DeleteGroup passes the deletion on.
func (n *InfluxDBOut) DeleteGroup(g GroupID) { n.EmitDeleteGroup(g) }

// Done writes what is buffered, then passes Done on.
func (n *InfluxDBOut) Done() {
	if n.w != nil {
		n.w.close()
	}
	n.EmitDone()
}

// write encodes one point and buffers it.
func (n *InfluxDBOut) write(db, rp, name string, t int64, tags Tags, fields Fields) {
	if n.err != nil {
		n.stats.Dropped.Add(1)
		return
	}
	if n.cfg.Database != "" {
		db = n.cfg.Database
	}
	if n.cfg.RetentionPolicy != "" {
		rp = n.cfg.RetentionPolicy
	}
	if n.cfg.Measurement != "" {
		name = n.cfg.Measurement
	}
	if len(n.cfg.Tags) > 0 {
		for _, tg := range n.cfg.Tags {
			tags = tags.With(tg.Key, tg.Value)
		}
	}
	t -= t % n.precision
	if n.record {
		n.keep(db, rp, name, t, tags, fields)
		return
	}
	line, err := encodeLine(name, t, tags, fields)
	if err != nil {
		n.stats.Dropped.Add(1)
		n.Error(fmt.Errorf("influxDBOut: point dropped: %w", err))
		return
	}
	n.w.enqueue(writeKey{db, rp, n.cfg.WriteConsistency}, line)
}

func (n *InfluxDBOut) keep(db, rp, name string, t int64, tags Tags, fields Fields) {
	wp := WrittenPoint{Database: db, RetentionPolicy: rp, Name: name, Fields: map[string]any{}, Time: time.Unix(0, t).UTC()}
	for _, tg := range tags {
		if tg.Value == "" {
			continue
		}
		if wp.Tags == nil {
			wp.Tags = map[string]string{}
		}
		wp.Tags[tg.Key] = tg.Value
	}
	for _, f := range fields {
		if v, ok := fieldLineValue(f.Value); ok {
			wp.Fields[f.Key] = v.Interface()
		}
	}
	n.recMu.Lock()
	n.recorded = append(n.recorded, wp)
	n.recMu.Unlock()
}

// fieldLineValue converts a field value to line protocol's; false for values
// InfluxDB cannot store (missing, NaN, infinities, durations, times, regexes).
func fieldLineValue(v stdlib.Value) (lineprotocol.Value, bool) {
	switch v.Type() {
	case stdlib.TypeFloat:
		return lineprotocol.FloatValue(v.Float())
	case stdlib.TypeInt:
		return lineprotocol.IntValue(v.Int()), true
	case stdlib.TypeString:
		return lineprotocol.StringValue(v.Str())
	case stdlib.TypeBool:
		return lineprotocol.BoolValue(v.Bool()), true
	}
	return lineprotocol.Value{}, false
}

// encodeLine writes one point as a line of line protocol (with its newline)
// with a nanosecond timestamp. Tags with empty values are left out, as InfluxDB does; a field
// InfluxDB cannot store is an error.
func encodeLine(name string, t int64, tags Tags, fields Fields) ([]byte, error) {
	var enc lineprotocol.Encoder
	enc.SetPrecision(lineprotocol.Nanosecond)
	enc.StartLine(name)
	for _, tg := range tags {
		if tg.Value != "" {
			enc.AddTag(tg.Key, tg.Value)
		}
	}
	if len(fields) == 0 {
		return nil, errors.New("the point has no field")
	}
	for _, f := range fields {
		v, ok := fieldLineValue(f.Value)
		if !ok {
			return nil, fmt.Errorf("field %q: InfluxDB cannot store a %s value %s", f.Key, f.Value.Type(), f.Value)
		}
		enc.AddField(f.Key, v)
	}
	enc.EndLine(time.Unix(0, t))
	if err := enc.Err(); err != nil {
		return nil, err
	}
	return enc.Bytes(), nil
}

// writeKey is what one write request shares.
type writeKey struct {
	db, rp, consistency string
}

// writeBatch is the body of one write request, being filled or waiting.
type writeBatch struct {
	key       writeKey
	lines     []byte
	n         int
	firstFail time.Time // when the first attempt failed; zero before
}

// influxWriter buffers an influxDBOut node's points and writes them on its
// own goroutine, so that a slow or absent InfluxDB never blocks the task.
type influxWriter struct {
	node  *InfluxDBOut
	log   *slog.Logger
	size  int
	limit int
	every time.Duration
	flush time.Duration // how long close waits for the buffer to drain

	mu      sync.Mutex
	open    map[writeKey]*writeBatch // being filled
	ready   []*writeBatch            // full or due, in order
	pending int                      // points in open and ready
	closed  bool

	startOnce sync.Once
	closeOnce sync.Once
	wake      chan struct{}
	closing   chan struct{}
	done      chan struct{}
	ctx       context.Context
	cancel    context.CancelFunc
}

func newInfluxWriter(n *InfluxDBOut, flush time.Duration) *influxWriter {
	log := slog.New(slog.DiscardHandler)
	if n.Task != nil && n.Task.Log != nil && !n.Info.Quiet {
		log = n.Task.Log.With("node", n.Info.Name, "pos", n.Info.Pos, "cluster", n.cl.Name)
	}
	return &influxWriter{
		node:  n,
		log:   log,
		size:  int(n.cfg.Buffer),
		limit: n.cl.BufferLimit,
		every: n.cfg.FlushInterval,
		flush: flush,
		open:  map[writeKey]*writeBatch{},
	}
}

// start makes the writer's goroutine on first use.
func (w *influxWriter) start() {
	w.startOnce.Do(func() {
		w.wake = make(chan struct{}, 1)
		w.closing = make(chan struct{})
		w.done = make(chan struct{})
		w.ctx, w.cancel = context.WithCancel(context.Background())
		go w.run()
	})
}

// enqueue buffers one encoded point, or drops it when the buffer is full.
func (w *influxWriter) enqueue(k writeKey, line []byte) {
	w.start()
	w.mu.Lock()
	if w.closed || w.pending >= w.limit {
		closed := w.closed
		w.mu.Unlock()
		dropped := w.node.stats.Dropped.Add(1)
		if closed {
			w.log.Error("influxDBOut: point dropped: the node is closed")
		} else if dropped == 1 || dropped%1000 == 0 {
			w.log.Error("influxDBOut: point dropped: the write buffer is full while InfluxDB does not take writes",
				"buffer_limit", w.limit, "dropped_total", dropped)
		}
		return
	}
	b := w.open[k]
	if b == nil {
		b = &writeBatch{key: k}
		w.open[k] = b
	}
	b.lines = append(b.lines, line...)
	b.n++
	w.pending++
	full := b.n >= w.size
	if full {
		delete(w.open, k)
		w.ready = append(w.ready, b)
	}
	w.mu.Unlock()
	if full {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// seal moves every batch being filled to the ready list, in key order.
func (w *influxWriter) seal() {
	w.mu.Lock()
	defer w.mu.Unlock()
	keys := make([]writeKey, 0, len(w.open))
	for k := range w.open {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.db != b.db {
			return a.db < b.db
		}
		if a.rp != b.rp {
			return a.rp < b.rp
		}
		return a.consistency < b.consistency
	})
	for _, k := range keys {
		w.ready = append(w.ready, w.open[k])
		delete(w.open, k)
	}
}

func (w *influxWriter) front() *writeBatch {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.ready) == 0 {
		return nil
	}
	return w.ready[0]
}

func (w *influxWriter) pop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending -= w.ready[0].n
	w.ready = w.ready[1:]
}

func (w *influxWriter) run() {
	defer close(w.done)
	if w.node.cfg.Create {
		w.create()
	}
	tick := time.NewTicker(w.every)
	defer tick.Stop()
	for {
		select {
		case <-w.wake:
		case <-tick.C:
			w.seal()
		case <-w.closing:
			w.seal()
			w.send()
			w.dropAll("the node stopped before InfluxDB took them")
			return
		}
		w.send()
	}
}

// create runs CREATE DATABASE, retrying while InfluxDB cannot be reached.
func (w *influxWriter) create() {
	cfg := w.node.cfg
	cmd := "CREATE DATABASE " + influxql.QuoteIdent(cfg.Database)
	if cfg.RetentionPolicy != "" {
		cmd += " WITH NAME " + influxql.QuoteIdent(cfg.RetentionPolicy)
	}
	wait := w.node.cl.RetryInterval
	for {
		_, err := w.node.client.Query(w.ctx, cmd)
		if err == nil {
			return
		}
		if !retryable(err) || w.ctx.Err() != nil {
			w.log.Error("influxDBOut: failed to create database", "database", cfg.Database, "err", err.Error())
			return
		}
		w.log.Warn("influxDBOut: failed to create database, retrying", "database", cfg.Database, "err", err.Error(), "retry_in", wait.String())
		if !w.sleep(wait) {
			return
		}
		wait = min(2*wait, w.node.cl.MaxRetryInterval)
	}
}

// sleep waits d; false when the writer is cancelled meanwhile.
func (w *influxWriter) sleep(d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-w.ctx.Done():
		return false
	}
}

// send writes the ready batches in order, retrying a failed one until it
// succeeds, is refused, exhausts its retry time or the writer is cancelled.
func (w *influxWriter) send() {
	cl := w.node.cl
	wait := cl.RetryInterval
	for {
		b := w.front()
		if b == nil || w.ctx.Err() != nil {
			return
		}
		err := w.node.client.Write(w.ctx, b.key.db, b.key.rp, b.key.consistency, b.lines)
		if err == nil {
			w.pop()
			w.node.stats.PointsWritten.Add(uint64(b.n))
			if !b.firstFail.IsZero() {
				w.log.Info("influxDBOut: write succeeded after retries", "database", b.key.db, "points", b.n)
			}
			wait = cl.RetryInterval
			continue
		}
		w.node.stats.WriteErrors.Add(1)
		if !retryable(err) {
			w.pop()
			w.node.stats.Dropped.Add(uint64(b.n))
			w.log.Error("influxDBOut: failed to write points to InfluxDB, points dropped",
				"database", b.key.db, "retention_policy", b.key.rp, "points", b.n, "err", err.Error())
			continue
		}
		now := time.Now()
		if b.firstFail.IsZero() {
			b.firstFail = now
		}
		if cl.MaxRetryTime > 0 && now.Sub(b.firstFail) >= cl.MaxRetryTime {
			w.pop()
			w.node.stats.Dropped.Add(uint64(b.n))
			w.log.Error("influxDBOut: giving up writing points to InfluxDB, points dropped",
				"database", b.key.db, "points", b.n, "retried_for", now.Sub(b.firstFail).String(), "err", err.Error())
			continue
		}
		w.log.Warn("influxDBOut: failed to write points to InfluxDB, retrying",
			"database", b.key.db, "points", b.n, "retry_in", wait.String(), "err", err.Error())
		w.node.stats.Retries.Add(1)
		if !w.sleep(wait) {
			return
		}
		wait = min(2*wait, cl.MaxRetryInterval)
	}
}

// dropAll counts and logs the points still buffered.
func (w *influxWriter) dropAll(why string) {
	w.mu.Lock()
	n := w.pending
	w.pending = 0
	w.ready = nil
	w.open = map[writeKey]*writeBatch{}
	w.mu.Unlock()
	if n > 0 {
		w.node.stats.Dropped.Add(uint64(n))
		w.log.Error("influxDBOut: points dropped: "+why, "points", n)
	}
}

// close writes what is buffered, waiting at most the flush timeout, and
// stops the writer; later points are dropped and counted.
func (w *influxWriter) close() {
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		started := true
		w.startOnce.Do(func() { started = false })
		if !started {
			return
		}
		close(w.closing)
		tm := time.NewTimer(w.flush)
		defer tm.Stop()
		select {
		case <-w.done:
		case <-tm.C:
			w.log.Error("influxDBOut: InfluxDB did not take the buffered points in time", "waited", w.flush.String())
			w.cancel()
			<-w.done
		}
		w.cancel()
	})
}
