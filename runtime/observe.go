package runtime

import (
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Operational endpoints of a served program, outside Kapacitor's API:
//
//	GET /metrics         Prometheus text format, collected at scrape time
//	GET /healthz         200 while the process answers
//	GET /readyz          200 once the configuration is loaded and the tasks started, else 503
//	GET /debug/pipeline  the tasks' pipelines as SVG, each node with its live counts
//
// Nothing here costs anything per point: the metrics are read from the
// counters the nodes keep anyway (Base.PointsIn, PointsOut, Errors and the
// alert node's per-level counts), on each task's own goroutine so that the
// reads do not race with the task.
const (
	MetricsPath       = "/metrics"
	HealthzPath       = "/healthz"
	ReadyzPath        = "/readyz"
	DebugPipelinePath = "/debug/pipeline"
)

// isOpsPath reports whether path is one of the operational endpoints.
func isOpsPath(path string) bool {
	switch path {
	case MetricsPath, HealthzPath, ReadyzPath, DebugPipelinePath:
		return true
	}
	return false
}

// serveOps answers the operational endpoints; only GET and HEAD are allowed.
func (h *Handler) serveOps(w http.ResponseWriter, r *http.Request, path string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.notFound(w)
		return
	}
	switch path {
	case HealthzPath:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok\n"))
	case ReadyzPath:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !h.Program.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: tasks not started\n"))
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ready\n"))
	case MetricsPath:
		h.metricsHandler().ServeHTTP(w, r)
	case DebugPipelinePath:
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write(h.Program.PipelineSVG())
	}
}

// metricsHandler returns the Prometheus handler of the program, made on
// first use.
func (h *Handler) metricsHandler() http.Handler {
	if m := h.metrics.Load(); m != nil {
		return *m
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(&programCollector{p: h.Program})
	var m http.Handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	h.metrics.CompareAndSwap(nil, &m)
	return *h.metrics.Load()
}

// metricsCache holds a Handler's Prometheus handler.
type metricsCache = atomic.Pointer[http.Handler]

// Ready reports whether the program is serving: its tasks have started and
// not yet stopped.
func (p *Program) Ready() bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.running && !p.stopped
}

// NodeStats are the counters of one node, as read at one moment.
type NodeStats struct {
	Task      string
	Node      string // the node's name, e.g. "window2"
	Pos       string
	Children  []int // indexes in the same task's NodeStats
	PointsIn  uint64
	PointsOut uint64
	Errors    uint64
	Groups    int // the groups the node keeps state for; -1 when it keeps none
	// Alert nodes only: the events sent per level.
	Alerts map[string]uint64
	// Alert nodes only: their queued handlers' counters, per handler kind.
	Handlers []HandlerMetrics
	// Buffered is the points the node holds waiting (a window's buffers,
	// influxDBOut's write buffer); -1 when it holds none.
	Buffered int
	// InfluxDBOut nodes only: their write counters.
	InfluxDB *InfluxDBOutMetrics
}

// groupCounter is a node that keeps per-group state and can count it.
type groupCounter interface{ groupCount() int }

func (n *Window) groupCount() int        { return len(n.groups) }
func (n *Alert) groupCount() int         { return len(n.groups) }
func (n *BarrierNode) groupCount() int   { return len(n.groups) }
func (n *ChangeDetect) groupCount() int  { return len(n.groups) }
func (n *Combine) groupCount() int       { return len(n.groups) }
func (n *Derivative) groupCount() int    { return len(n.groups) }
func (n *Eval) groupCount() int          { return len(n.groups) }
func (n *Flatten) groupCount() int       { return len(n.groups) }
func (n *GroupBy) groupCount() int       { return len(n.pending) }
func (n *InfluxQL) groupCount() int      { return len(n.groups) }
func (n *Join) groupCount() int          { return len(n.groups) }
func (n *Sample) groupCount() int        { return len(n.counts) }
func (n *stateTracking) groupCount() int { return len(n.states) }
func (n *StatsNode) groupCount() int     { return len(n.groups) }
func (n *Where) groupCount() int         { return len(n.lambdas.m) }

func (n *HTTPOut) groupCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.index)
}

// nodeBase is every node: they embed Base.
type nodeBase interface{ nodeBase() *Base }

func (b *Base) nodeBase() *Base { return b }

// Stats reads the counters of every node of t, in the order of a walk from
// its sources (parents before their children where the graph allows), on
// the task's goroutine when it runs.
func (t *Task) Stats() []NodeStats {
	var out []NodeStats
	t.onLoop(func() { out = t.collectStats() })
	return out
}

// onLoop runs f on the task's goroutine and waits for it; before Start and
// after Stop, when nothing else runs the task, it runs f directly.
func (t *Task) onLoop(f func()) {
	t.postMu.Lock()
	post := t.poster
	t.postMu.Unlock()
	if post == nil {
		f()
		return
	}
	done := make(chan struct{})
	if !post(func() { f(); close(done) }) {
		f()
		return
	}
	<-done
}

func (t *Task) collectStats() []NodeStats {
	index := map[*Base]int{}
	var order []*Base
	var queue []*Base
	visit := func(r any) {
		nb, ok := r.(nodeBase)
		if !ok {
			return
		}
		b := nb.nodeBase()
		if _, seen := index[b]; seen {
			return
		}
		index[b] = len(order)
		order = append(order, b)
		queue = append(queue, b)
	}
	if t.stream != nil {
		visit(t.stream)
	}
	if t.batch != nil {
		visit(t.batch)
	}
	for _, q := range t.queries {
		visit(q)
	}
	recv := map[*Base]Receiver{}
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		for _, c := range b.Children {
			visit(c)
			if nb, ok := c.(nodeBase); ok {
				recv[nb.nodeBase()] = c
			}
		}
	}
	out := make([]NodeStats, len(order))
	for i, b := range order {
		s := NodeStats{
			Task: t.Name, Node: b.Info.Name, Pos: b.Info.Pos,
			PointsIn: b.PointsIn, PointsOut: b.PointsOut, Errors: b.Errors, Groups: -1, Buffered: -1,
		}
		for _, c := range b.Children {
			if nb, ok := c.(nodeBase); ok {
				s.Children = append(s.Children, index[nb.nodeBase()])
			}
		}
		r := recv[b]
		if gc, ok := r.(groupCounter); ok {
			s.Groups = gc.groupCount()
		}
		if bc, ok := r.(bufferCounter); ok {
			s.Buffered = bc.bufferedPoints()
		}
		if o, ok := r.(*InfluxDBOut); ok {
			s.InfluxDB = &InfluxDBOutMetrics{
				Written: o.stats.PointsWritten.Load(), WriteErrors: o.stats.WriteErrors.Load(), Dropped: o.stats.Dropped.Load(),
			}
		}
		if a, ok := r.(*Alert); ok {
			s.Alerts = map[string]uint64{
				"OK": a.OKsTriggered, "INFO": a.InfosTriggered,
				"WARNING": a.WarnsTriggered, "CRITICAL": a.CritsTriggered,
			}
			s.Handlers = handlerMetrics(a)
		}
		out[i] = s
	}
	return out
}

// programCollector is the Prometheus collector of a program: it reads the
// node counters at each scrape.
type programCollector struct{ p *Program }

var (
	descPointsIn  = prometheus.NewDesc("tickc_node_points_in_total", "Points (or batches) a node received.", []string{"task", "node"}, nil)
	descPointsOut = prometheus.NewDesc("tickc_node_points_out_total", "Points (or batches) a node emitted.", []string{"task", "node"}, nil)
	descErrors    = prometheus.NewDesc("tickc_node_errors_total", "Errors a node met, each with its data dropped.", []string{"task", "node"}, nil)
	descGroups    = prometheus.NewDesc("tickc_node_groups", "Groups a node keeps state for.", []string{"task", "node"}, nil)
	descAlerts    = prometheus.NewDesc("tickc_alert_events_total", "Alert events sent, per level.", []string{"task", "node", "level"}, nil)
	descReceived  = prometheus.NewDesc("tickc_task_points_received_total", "Points the task's source received.", []string{"task"}, nil)
	descReady     = prometheus.NewDesc("tickc_ready", "1 when the tasks are started.", nil, nil)

	descCkptLast     = prometheus.NewDesc("tickc_checkpoint_last_timestamp_seconds", "When the last successful checkpoint was taken, Unix seconds; 0 before any.", nil, nil)
	descCkptDuration = prometheus.NewDesc("tickc_checkpoint_duration_seconds", "How long the last successful checkpoint took, file written.", nil, nil)
	descCkptSize     = prometheus.NewDesc("tickc_checkpoint_size_bytes", "The size of the last checkpoint file written.", nil, nil)
	descCkptSaved    = prometheus.NewDesc("tickc_checkpoints_total", "Checkpoints written.", nil, nil)
	descCkptFailures = prometheus.NewDesc("tickc_checkpoint_failures_total", "Checkpoints that could not be taken or written.", nil, nil)
)

// Describe sends the descriptors of every metric.
func (c *programCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPointsIn, descPointsOut, descErrors, descGroups, descAlerts, descReceived, descReady,
		descCkptLast, descCkptDuration, descCkptSize, descCkptSaved, descCkptFailures} {
		ch <- d
	}
	for _, d := range limitDescs {
		ch <- d
	}
}

// Collect reads the counters of every task.
func (c *programCollector) Collect(ch chan<- prometheus.Metric) {
	ready := 0.0
	if c.p.Ready() {
		ready = 1
	}
	ch <- prometheus.MustNewConstMetric(descReady, prometheus.GaugeValue, ready)
	ck := c.p.CheckpointStats()
	last := 0.0
	if !ck.Last.IsZero() {
		last = float64(ck.Last.UnixNano()) / 1e9
	}
	ch <- prometheus.MustNewConstMetric(descCkptLast, prometheus.GaugeValue, last)
	ch <- prometheus.MustNewConstMetric(descCkptDuration, prometheus.GaugeValue, ck.Duration.Seconds())
	ch <- prometheus.MustNewConstMetric(descCkptSize, prometheus.GaugeValue, float64(ck.Size))
	ch <- prometheus.MustNewConstMetric(descCkptSaved, prometheus.CounterValue, float64(ck.Saved))
	ch <- prometheus.MustNewConstMetric(descCkptFailures, prometheus.CounterValue, float64(ck.Failures))
	c.collectWrites(ch)
	for _, t := range c.p.Tasks {
		c.collectTask(ch, t)
		for i, s := range t.Stats() {
			if i == 0 {
				ch <- prometheus.MustNewConstMetric(descReceived, prometheus.CounterValue, float64(s.PointsIn), s.Task)
			}
			ch <- prometheus.MustNewConstMetric(descPointsIn, prometheus.CounterValue, float64(s.PointsIn), s.Task, s.Node)
			ch <- prometheus.MustNewConstMetric(descPointsOut, prometheus.CounterValue, float64(s.PointsOut), s.Task, s.Node)
			ch <- prometheus.MustNewConstMetric(descErrors, prometheus.CounterValue, float64(s.Errors), s.Task, s.Node)
			if s.Groups >= 0 {
				ch <- prometheus.MustNewConstMetric(descGroups, prometheus.GaugeValue, float64(s.Groups), s.Task, s.Node)
			}
			for _, level := range []string{"OK", "INFO", "WARNING", "CRITICAL"} {
				if s.Alerts != nil {
					ch <- prometheus.MustNewConstMetric(descAlerts, prometheus.CounterValue, float64(s.Alerts[level]), s.Task, s.Node, level)
				}
			}
			c.collectNode(ch, &s)
		}
	}
}
