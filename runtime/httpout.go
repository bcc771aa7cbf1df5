package runtime

import (
	"encoding/json"
	"sync"
)

// HTTPOutConfig is the configuration of an httpOut node.
type HTTPOutConfig struct {
	Endpoint string // the name in httpOut('name'), served at /kapacitor/v1/tasks/<task>/<name>
}

// HTTPOut is the httpOut node. It keeps the latest point or batch of every
// group as one row, in the order the groups first appeared, removes a
// group's row when the group is deleted, and passes all data through to its
// children. Its result may be read from other goroutines while the task runs.
//
// The node keeps the data itself and turns it into rows only when the
// result is read: data is immutable once emitted, so the row is the same,
// and a stream pays no row building per point.
type HTTPOut struct {
	Base
	endpoint string

	mu     sync.Mutex // held by readers, and by the writer while the program serves (see lockData)
	rows   []outData  // one per group, in group creation order
	groups []GroupID  // the group of each row
	index  map[GroupID]int
	last   int // the slot of the latest data, tried before the index; -1: none
}

// outData is the latest data of one group of an httpOut node.
type outData struct {
	kind  uint8 // outNone until data arrives, then outPoint or outBatch
	point Point
	batch Batch
}

const (
	outNone uint8 = iota
	outPoint
	outBatch
)

// row returns the data's row; nil before any data.
func (d *outData) row() *Row {
	switch d.kind {
	case outPoint:
		return PointRow(d.point)
	case outBatch:
		return BatchRow(d.batch)
	}
	return nil
}

// NewHTTPOut creates an httpOut node and registers its endpoint with the task.
func NewHTTPOut(t *Task, info NodeInfo, cfg HTTPOutConfig) *HTTPOut {
	n := &HTTPOut{endpoint: cfg.Endpoint, index: map[GroupID]int{}, last: -1}
	n.Task = t
	n.Info = info
	if t != nil {
		t.outs = append(t.outs, n)
	}
	return n
}

// Endpoint returns the endpoint name.
func (n *HTTPOut) Endpoint() string { return n.endpoint }

// slot returns the index of g's row, creating the group at the end. The
// caller holds n.mu.
func (n *HTTPOut) slot(g GroupID) int {
	if n.last >= 0 && n.groups[n.last] == g {
		return n.last // a run of data of one group, or ungrouped data
	}
	i, ok := n.index[g]
	if !ok {
		i = len(n.rows)
		n.index[g] = i
		n.rows = append(n.rows, outData{})
		n.groups = append(n.groups, g)
	}
	n.last = i
	return i
}

// lockData locks the rows for the task's goroutine, which alone writes
// them: only while the program serves, when readers come from other
// goroutines. A replay, or a program written to before it starts, runs on
// one goroutine and saves the two atomic operations per point.
func (n *HTTPOut) lockData() {
	if n.Task != nil && n.Task.serving {
		n.mu.Lock()
	}
}

// unlockData undoes lockData.
func (n *HTTPOut) unlockData() {
	if n.Task != nil && n.Task.serving {
		n.mu.Unlock()
	}
}

// Point caches p as its group's row and passes p on.
func (n *HTTPOut) Point(p Point) {
	n.PointsIn++
	n.lockData()
	d := &n.rows[n.slot(p.Group)]
	if d.kind == outBatch {
		d.batch = Batch{}
	}
	d.kind, d.point = outPoint, p
	n.unlockData()
	n.EmitPoint(p)
}

// Batch caches b as its group's row and passes b on.
func (n *HTTPOut) Batch(b Batch) {
	n.PointsIn++
	n.lockData()
	d := &n.rows[n.slot(b.Group)]
	if d.kind == outPoint {
		d.point = Point{}
	}
	d.kind, d.batch = outBatch, b
	n.unlockData()
	n.EmitBatch(b)
}

// Barrier creates g's slot if the group is new, as Kapacitor's grouped
// consumer does (its row stays null until data arrives), and passes it on.
func (n *HTTPOut) Barrier(g GroupID, t int64) {
	n.lockData()
	n.slot(g)
	n.unlockData()
	n.EmitBarrier(g, t)
}

// DeleteGroup removes g's row and passes the deletion on.
func (n *HTTPOut) DeleteGroup(g GroupID) {
	n.lockData()
	if i, ok := n.index[g]; ok {
		delete(n.index, g)
		n.last = -1
		n.rows = append(n.rows[:i], n.rows[i+1:]...)
		n.groups = append(n.groups[:i], n.groups[i+1:]...)
		for j := i; j < len(n.groups); j++ {
			n.index[n.groups[j]] = j
		}
	}
	n.unlockData()
	n.EmitDeleteGroup(g)
}

// Done passes the end of input on; the cache stays readable.
func (n *HTTPOut) Done() { n.EmitDone() }

// Result returns a copy of what the endpoint serves now.
func (n *HTTPOut) Result() Result {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.rows) == 0 {
		return Result{}
	}
	series := make([]*Row, len(n.rows))
	for i := range n.rows {
		series[i] = n.rows[i].row()
	}
	return Result{Series: series}
}

// JSON returns the endpoint's body as Kapacitor serves it. When the result
// cannot be encoded (a NaN value), it returns Kapacitor's error body
// {"error":"..."} and false.
func (n *HTTPOut) JSON() ([]byte, bool) {
	b, err := n.Result().JSON()
	if err != nil {
		eb, _ := json.Marshal(struct {
			Error string `json:"error"`
		}{err.Error()})
		return eb, false
	}
	return b, true
}
