package runtime

import (
	"cmp"
	"fmt"
	"slices"
)

// SaveState appends the points the node accepted but InfluxDB has not
// taken yet: the batches waiting to be written (the one being written or
// retried included) in order, then those being filled, each with its
// database, retention policy, write consistency and line-protocol lines.
// A program killed after a checkpoint writes them when it restarts; a point
// written twice is harmless, as InfluxDB keeps one point per series and
// time. In a replay without InfluxDB the node buffers nothing: the points
// it keeps (Written) are the replay's output, not state.
func (n *InfluxDBOut) SaveState(e *StateEncoder) {
	if n.w == nil {
		e.Len(0)
		return
	}
	batches := n.w.buffered()
	e.Len(len(batches))
	for _, b := range batches {
		e.String(b.key.db)
		e.String(b.key.rp)
		e.String(b.key.consistency)
		e.Len(b.n)
		e.ByteSlice(b.lines)
	}
}

// LoadState puts the saved points back in the node's buffer, ahead of any
// new point; Restored starts writing them. A node that cannot write (its
// cluster is missing from the configuration) counts them as dropped.
func (n *InfluxDBOut) LoadState(d *StateDecoder) error {
	var batches []*writeBatch
	points := 0
	for c := d.Len(); c > 0 && d.Err() == nil; c-- {
		b := &writeBatch{key: writeKey{db: d.String(), rp: d.String(), consistency: d.String()}, n: d.Len()}
		b.lines = append([]byte(nil), d.ByteSlice()...)
		if d.Err() == nil && (b.n == 0 || len(b.lines) == 0) {
			d.Fail(fmt.Errorf("influxDBOut state has an empty write"))
		}
		points += b.n
		batches = append(batches, b)
	}
	if d.Err() != nil {
		return d.Err()
	}
	if n.w == nil {
		if points > 0 {
			n.stats.Dropped.Add(uint64(points))
			n.Error(fmt.Errorf("influxDBOut: %d points of the checkpoint dropped: the node cannot write to InfluxDB", points))
		}
		return nil
	}
	n.w.restore(batches, points)
	return nil
}

// Restored starts writing the points the checkpoint had buffered.
func (n *InfluxDBOut) Restored() {
	if n.w == nil {
		return
	}
	n.w.mu.Lock()
	pending := n.w.pending
	n.w.mu.Unlock()
	if pending == 0 {
		return
	}
	n.w.start()
	select {
	case n.w.wake <- struct{}{}:
	default:
	}
}

// buffered returns copies of the writer's batches: those ready to be
// written, in order, then those being filled, in key order.
func (w *influxWriter) buffered() []writeBatch {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]writeBatch, 0, len(w.ready)+len(w.open))
	for _, b := range w.ready {
		out = append(out, writeBatch{key: b.key, lines: b.lines, n: b.n})
	}
	keys := make([]writeKey, 0, len(w.open))
	for k := range w.open {
		keys = append(keys, k)
	}
	sortWriteKeys(keys)
	for _, k := range keys {
		b := w.open[k]
		out = append(out, writeBatch{key: b.key, lines: b.lines, n: b.n})
	}
	return out
}

// restore puts batches read from a checkpoint ahead of the writer's
// buffer, ready to be written.
func (w *influxWriter) restore(batches []*writeBatch, points int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ready = append(batches, w.ready...)
	w.pending += points
}

// sortWriteKeys sorts keys by database, retention policy and consistency.
func sortWriteKeys(keys []writeKey) {
	slices.SortFunc(keys, func(a, b writeKey) int {
		return cmp.Or(cmp.Compare(a.db, b.db), cmp.Compare(a.rp, b.rp), cmp.Compare(a.consistency, b.consistency))
	})
}
