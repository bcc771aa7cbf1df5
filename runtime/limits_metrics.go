package runtime

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// This file holds the metrics of what a program refuses, drops or keeps
// waiting: the write path's rejections, the group limit's, the alert
// handlers' deliveries and queues, influxDBOut's writes and the points
// buffered in nodes. observe.go exposes them with the node counters.

// WriteStats count what the write path refuses. They are safe for
// concurrent use.
type WriteStats struct {
	MalformedLine atomic.Uint64 // writes refused because a line does not parse
	BodyTooLarge  atomic.Uint64 // writes refused because the body exceeds http.max-body-size
	MissingDB     atomic.Uint64 // writes refused because they name no database
	BadRequest    atomic.Uint64 // writes refused otherwise: a bad gzip body, an unknown precision, a body that does not read
	NoTask        atomic.Uint64 // points written that no task takes: no task has their dbrp, or selects their measurement
}

// WriteStats returns the counters of the program's write path.
func (p *Program) WriteStats() *WriteStats { return &p.writes }

// countUnrouted counts the points of a write that no task accepts.
func (p *Program) countUnrouted(points []Point) {
	routes := make([]route, len(p.Tasks))
	n := uint64(0)
	for i := range points {
		routed := false
		for j, t := range p.Tasks {
			if routes[j].accepts(t, &points[i]) {
				routed = true
				break
			}
		}
		if !routed {
			n++
		}
	}
	if n > 0 {
		p.writes.NoTask.Add(n)
	}
}

// latencyBuckets are the upper bounds, in seconds, of the delivery latency
// histogram: Prometheus's default buckets.
var latencyBuckets = [...]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// latencyHistogram is a histogram of durations that is safe for concurrent
// use without a lock: one counter per bucket (the last for what exceeds
// every bound) and the sum in nanoseconds.
type latencyHistogram struct {
	counts [len(latencyBuckets) + 1]atomic.Uint64
	sum    atomic.Int64
}

// observe adds one duration.
func (h *latencyHistogram) observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(latencyBuckets) && s > latencyBuckets[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

// latencySnapshot is a histogram read at one moment, with cumulative
// bucket counts as Prometheus wants them.
type latencySnapshot struct {
	Count   uint64
	Sum     time.Duration
	Buckets map[float64]uint64 // upper bound in seconds → observations at or below it
}

// add accumulates h into s.
func (s *latencySnapshot) add(h *latencyHistogram) {
	if s.Buckets == nil {
		s.Buckets = make(map[float64]uint64, len(latencyBuckets))
	}
	cum := uint64(0)
	for i, b := range latencyBuckets {
		cum += h.counts[i].Load()
		s.Buckets[b] += cum
	}
	cum += h.counts[len(latencyBuckets)].Load()
	s.Count += cum
	s.Sum += time.Duration(h.sum.Load())
}

// queuedHandler is an alert handler that delivers through a deliveryQueue;
// kind names it in metrics: the TICKscript method ("post", "slack", …).
type queuedHandler interface {
	AlertHandler
	kind() string
	deliveries() *deliveryQueue
}

func (h *PostHandler) kind() string                  { return "post" }
func (h *PostHandler) deliveries() *deliveryQueue    { return h.queue }
func (h *TCPHandler) kind() string                   { return "tcp" }
func (h *TCPHandler) deliveries() *deliveryQueue     { return h.queue }
func (h *LogHandler) kind() string                   { return "log" }
func (h *LogHandler) deliveries() *deliveryQueue     { return h.queue }
func (h *ServiceHandler) kind() string               { return h.service }
func (h *ServiceHandler) deliveries() *deliveryQueue { return h.queue }
func (q *deliveryQueue) depth() int                  { return len(q.events) }

// HandlerMetrics are the counters of the handlers of one kind of an alert
// node, summed over the node's handlers of that kind.
type HandlerMetrics struct {
	Kind      string
	Events    map[string]uint64 // events handed to the handlers, per level
	Delivered uint64
	Failed    uint64 // events given up after the last attempt failed
	Dropped   uint64 // events dropped: queue full, or still queued at shutdown
	Queued    int    // events waiting in the queues now
	Latency   latencySnapshot
}

// handlerMetrics reads the counters of the queued handlers of a, one entry
// per kind in the order the kinds first appear. It runs on the task's
// goroutine, which makes the queues.
func handlerMetrics(a *Alert) []HandlerMetrics {
	var out []HandlerMetrics
	byKind := map[string]int{}
	for _, h := range a.cfg.Handlers {
		qh, ok := h.(queuedHandler)
		if !ok || qh.deliveries() == nil {
			continue
		}
		i, ok := byKind[qh.kind()]
		if !ok {
			i = len(out)
			byKind[qh.kind()] = i
			out = append(out, HandlerMetrics{Kind: qh.kind(), Events: map[string]uint64{}})
		}
		m := &out[i]
		q := qh.deliveries()
		st := q.stats
		for l := range st.Events {
			m.Events[AlertLevel(l).String()] += st.Events[l].Load()
		}
		m.Delivered += st.Delivered.Load()
		m.Failed += st.Failed.Load()
		m.Dropped += st.Dropped.Load()
		m.Queued += q.depth()
		m.Latency.add(&st.Latency)
	}
	return out
}

// InfluxDBOutMetrics are the write counters of an influxDBOut node.
type InfluxDBOutMetrics struct {
	Written     uint64 // points InfluxDB accepted
	WriteErrors uint64 // failed write requests
	Dropped     uint64 // points given up
}

// bufferCounter is a node that holds points waiting to be emitted or
// written: a window's buffers, influxDBOut's write buffer.
type bufferCounter interface{ bufferedPoints() int }

// bufferedPoints returns the points waiting in the node's write buffer.
func (n *InfluxDBOut) bufferedPoints() int {
	if n.w == nil {
		return 0
	}
	n.w.mu.Lock()
	defer n.w.mu.Unlock()
	return n.w.pending
}

var (
	descWriteRejected  = prometheus.NewDesc("tickc_write_rejected_total", "Write requests refused, per reason: malformed_line, body_too_large, missing_db, bad_request.", []string{"reason"}, nil)
	descPointsDropped  = prometheus.NewDesc("tickc_points_dropped_total", "Points written that no task takes (reason no_task: no task has their dbrp or selects their measurement).", []string{"reason"}, nil)
	descTaskRejected   = prometheus.NewDesc("tickc_task_points_rejected_total", "Points a task rejected, per reason (group_limit: the point would make a group over limits.max-groups-per-task).", []string{"task", "reason"}, nil)
	descTaskGroups     = prometheus.NewDesc("tickc_task_groups", "Groups the task's grouping nodes keep, when a limit of the [limits] section is set.", []string{"task"}, nil)
	descBuffered       = prometheus.NewDesc("tickc_node_buffered_points", "Points a node holds waiting: a window's buffers, influxDBOut's write buffer.", []string{"task", "node"}, nil)
	descHandlerEvents  = prometheus.NewDesc("tickc_alert_handler_events_total", "Alert events handed to a handler, per handler kind and level.", []string{"task", "node", "handler", "level"}, nil)
	descHandlerDeliv   = prometheus.NewDesc("tickc_alert_handler_delivered_total", "Alert events a handler delivered.", []string{"task", "node", "handler"}, nil)
	descHandlerErrors  = prometheus.NewDesc("tickc_alert_handler_errors_total", "Alert events a handler gave up after its last attempt failed.", []string{"task", "node", "handler"}, nil)
	descHandlerDropped = prometheus.NewDesc("tickc_alert_handler_dropped_total", "Alert events a handler dropped: queue full, or still queued at shutdown.", []string{"task", "node", "handler"}, nil)
	descHandlerQueue   = prometheus.NewDesc("tickc_alert_handler_queue_depth", "Alert events waiting in a handler's queue.", []string{"task", "node", "handler"}, nil)
	descHandlerLatency = prometheus.NewDesc("tickc_alert_handler_delivery_seconds", "Time from an event's first delivery attempt to the end of its last.", []string{"task", "node", "handler"}, nil)
	descInfluxWritten  = prometheus.NewDesc("tickc_influxdb_out_points_written_total", "Points an influxDBOut node wrote and InfluxDB accepted.", []string{"task", "node"}, nil)
	descInfluxErrors   = prometheus.NewDesc("tickc_influxdb_out_write_errors_total", "Write requests of an influxDBOut node that failed (each retry counts).", []string{"task", "node"}, nil)
	descInfluxDropped  = prometheus.NewDesc("tickc_influxdb_out_points_dropped_total", "Points an influxDBOut node gave up: buffer full, refused by InfluxDB, retries exhausted, shutdown.", []string{"task", "node"}, nil)

	limitDescs = []*prometheus.Desc{descWriteRejected, descPointsDropped, descTaskRejected, descTaskGroups, descBuffered,
		descHandlerEvents, descHandlerDeliv, descHandlerErrors, descHandlerDropped, descHandlerQueue, descHandlerLatency,
		descInfluxWritten, descInfluxErrors, descInfluxDropped}
)

// collectWrites sends the program's write path metrics.
func (c *programCollector) collectWrites(ch chan<- prometheus.Metric) {
	w := c.p.WriteStats()
	for _, r := range []struct {
		reason string
		n      *atomic.Uint64
	}{
		{"malformed_line", &w.MalformedLine}, {"body_too_large", &w.BodyTooLarge},
		{"missing_db", &w.MissingDB}, {"bad_request", &w.BadRequest},
	} {
		ch <- prometheus.MustNewConstMetric(descWriteRejected, prometheus.CounterValue, float64(r.n.Load()), r.reason)
	}
	ch <- prometheus.MustNewConstMetric(descPointsDropped, prometheus.CounterValue, float64(w.NoTask.Load()), "no_task")
}

// collectTask sends a task's limit metrics.
func (c *programCollector) collectTask(ch chan<- prometheus.Metric, t *Task) {
	ch <- prometheus.MustNewConstMetric(descTaskRejected, prometheus.CounterValue, float64(t.PointsRejected()), t.Name, ReasonGroupLimit)
	if t.limits != nil {
		groups := 0
		t.onLoop(func() { groups = t.limits.groupCount() })
		ch <- prometheus.MustNewConstMetric(descTaskGroups, prometheus.GaugeValue, float64(groups), t.Name)
	}
}

// collectNode sends the metrics of one node beyond its point counters.
func (c *programCollector) collectNode(ch chan<- prometheus.Metric, s *NodeStats) {
	if s.Buffered >= 0 {
		ch <- prometheus.MustNewConstMetric(descBuffered, prometheus.GaugeValue, float64(s.Buffered), s.Task, s.Node)
	}
	for _, h := range s.Handlers {
		for _, level := range []string{"OK", "INFO", "WARNING", "CRITICAL"} {
			ch <- prometheus.MustNewConstMetric(descHandlerEvents, prometheus.CounterValue, float64(h.Events[level]), s.Task, s.Node, h.Kind, level)
		}
		ch <- prometheus.MustNewConstMetric(descHandlerDeliv, prometheus.CounterValue, float64(h.Delivered), s.Task, s.Node, h.Kind)
		ch <- prometheus.MustNewConstMetric(descHandlerErrors, prometheus.CounterValue, float64(h.Failed), s.Task, s.Node, h.Kind)
		ch <- prometheus.MustNewConstMetric(descHandlerDropped, prometheus.CounterValue, float64(h.Dropped), s.Task, s.Node, h.Kind)
		ch <- prometheus.MustNewConstMetric(descHandlerQueue, prometheus.GaugeValue, float64(h.Queued), s.Task, s.Node, h.Kind)
		ch <- prometheus.MustNewConstHistogram(descHandlerLatency, h.Latency.Count, h.Latency.Sum.Seconds(), h.Latency.Buckets, s.Task, s.Node, h.Kind)
	}
	if m := s.InfluxDB; m != nil {
		ch <- prometheus.MustNewConstMetric(descInfluxWritten, prometheus.CounterValue, float64(m.Written), s.Task, s.Node)
		ch <- prometheus.MustNewConstMetric(descInfluxErrors, prometheus.CounterValue, float64(m.WriteErrors), s.Task, s.Node)
		ch <- prometheus.MustNewConstMetric(descInfluxDropped, prometheus.CounterValue, float64(m.Dropped), s.Task, s.Node)
	}
}
