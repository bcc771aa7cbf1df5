package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gorhill/cronexpr"
	"github.com/influxdata/influxql"

	"github.com/tickc/tickc/stdlib"
)

// LiveQuery is a query node's InfluxQL statement with the time condition and
// GROUP BY that Kapacitor adds to it: the query's own WHERE condition is
// joined with "time >= START AND time < STOP", its GROUP BY is replaced by
// the node's groupBy dimensions in the order of the call (time as
// time(LENGTH, OFFSET)), and its fill by the node's fill when it has one.
// String renders it as InfluxDB gets it.
type LiveQuery struct {
	stmt       *influxql.SelectStatement
	start      *influxql.TimeLiteral
	stop       *influxql.TimeLiteral
	byTime     *influxql.DurationLiteral // nil when not grouped by time
	byOffset   *influxql.DurationLiteral
	alignGroup bool
	period     int64 // .period()
	offset     int64 // .offset()
}

// NewLiveQuery parses cfg.Query and applies cfg's dimensions and fill.
func NewLiveQuery(cfg QueryConfig) (*LiveQuery, error) {
	q, err := influxql.ParseQuery(cfg.Query)
	if err != nil {
		return nil, fmt.Errorf("failed to parse InfluxQL query: %w", err)
	}
	if n := len(q.Statements); n != 1 {
		return nil, fmt.Errorf("query must be a single select statement, got %d statements", n)
	}
	stmt, ok := q.Statements[0].(*influxql.SelectStatement)
	if !ok {
		return nil, fmt.Errorf("query is not a select statement %q", cfg.Query)
	}
	lq := &LiveQuery{
		stmt:       stmt,
		start:      &influxql.TimeLiteral{},
		stop:       &influxql.TimeLiteral{},
		byOffset:   &influxql.DurationLiteral{},
		alignGroup: cfg.AlignGroup,
		period:     cfg.Period,
		offset:     cfg.Offset,
	}
	timeRange := &influxql.BinaryExpr{
		Op:  influxql.AND,
		LHS: &influxql.BinaryExpr{Op: influxql.GTE, LHS: &influxql.VarRef{Val: "time"}, RHS: lq.start},
		RHS: &influxql.BinaryExpr{Op: influxql.LT, LHS: &influxql.VarRef{Val: "time"}, RHS: lq.stop},
	}
	if stmt.Condition != nil {
		stmt.Condition = &influxql.BinaryExpr{Op: influxql.AND, LHS: stmt.Condition, RHS: timeRange}
	} else {
		stmt.Condition = timeRange
	}

	stmt.Dimensions = nil
	var byTime *influxql.Dimension
	if cfg.GroupByTime != 0 {
		if cfg.GroupByTime < 0 {
			return nil, errors.New("groupBy time() length must be positive")
		}
		lq.byTime = &influxql.DurationLiteral{Val: time.Duration(cfg.GroupByTime)}
		lq.byOffset.Val = time.Duration(cfg.GroupByTimeOffset)
		byTime = &influxql.Dimension{Expr: &influxql.Call{Name: "time", Args: []influxql.Expr{lq.byTime, lq.byOffset}}}
	}
	for i, d := range cfg.GroupBy {
		if byTime != nil && i == cfg.GroupByTimeAt {
			stmt.Dimensions = append(stmt.Dimensions, byTime)
			byTime = nil
		}
		if d == "*" {
			stmt.Dimensions = append(stmt.Dimensions, &influxql.Dimension{Expr: &influxql.Wildcard{}})
			continue
		}
		stmt.Dimensions = append(stmt.Dimensions, &influxql.Dimension{Expr: &influxql.VarRef{Val: d}})
	}
	if byTime != nil {
		stmt.Dimensions = append(stmt.Dimensions, byTime)
	}

	switch cfg.Fill {
	case "":
	case "null":
		stmt.Fill, stmt.FillValue = influxql.NullFill, nil
	case "none":
		stmt.Fill, stmt.FillValue = influxql.NoFill, nil
	case "previous":
		stmt.Fill, stmt.FillValue = influxql.PreviousFill, nil
	case "linear":
		stmt.Fill, stmt.FillValue = influxql.LinearFill, nil
	default:
		if i, err := strconv.ParseInt(cfg.Fill, 10, 64); err == nil {
			stmt.Fill, stmt.FillValue = influxql.NumberFill, i
		} else if f, err := strconv.ParseFloat(cfg.Fill, 64); err == nil {
			stmt.Fill, stmt.FillValue = influxql.NumberFill, f
		} else {
			return nil, fmt.Errorf("unexpected fill option %s", cfg.Fill)
		}
	}
	return lq, nil
}

// SetRange sets the query's time range, [start, stop). With alignGroup the
// offset of the time dimension follows start, so that the buckets begin at
// start.
func (q *LiveQuery) SetRange(start, stop int64) {
	q.start.Val = time.Unix(0, start).UTC()
	q.stop.Val = time.Unix(0, stop).UTC()
	if q.alignGroup && q.byTime != nil {
		q.byOffset.Val = time.Duration(start) % q.byTime.Val
	}
}

// SetTick sets the range of the run at time tick as Kapacitor does: it
// ends at tick minus the offset and spans the period. It returns the end.
func (q *LiveQuery) SetTick(tick int64) (stop int64) {
	stop = tick - q.offset
	q.SetRange(stop-q.period, stop)
	return stop
}

// GroupedByTime reports whether the query has a time dimension.
func (q *LiveQuery) GroupedByTime() bool { return q.byTime != nil }

// String is the InfluxQL text sent to InfluxDB.
func (q *LiveQuery) String() string { return q.stmt.String() }

// querySchedule gives the times a query runs at.
type querySchedule interface {
	// next returns the first run after now.
	next(now time.Time) time.Time
}

// everySchedule runs every period: at now+every, or, aligned, on the
// multiples of every since the epoch.
type everySchedule struct {
	every time.Duration
	align bool
}

func (s everySchedule) next(now time.Time) time.Time {
	if s.align {
		return now.Truncate(s.every).Add(s.every)
	}
	return now.Add(s.every)
}

// cronSchedule runs at the times of a cron expression.
type cronSchedule struct{ expr *cronexpr.Expression }

func (s cronSchedule) next(now time.Time) time.Time { return s.expr.Next(now) }

// newSchedule makes the schedule of a query node's every or cron.
func newSchedule(cfg QueryConfig) (querySchedule, error) {
	switch {
	case cfg.Every != 0 && cfg.Cron != "":
		return nil, errors.New("must not set both 'every' and 'cron' properties")
	case cfg.Every > 0:
		return everySchedule{every: time.Duration(cfg.Every), align: cfg.Align}, nil
	case cfg.Cron != "":
		expr, err := cronexpr.Parse(cfg.Cron)
		if err != nil {
			return nil, fmt.Errorf("cron %q: %w", cfg.Cron, err)
		}
		return cronSchedule{expr}, nil
	case cfg.Every < 0:
		return nil, errors.New("'every' duration must be non-negative")
	}
	return nil, errors.New("must define one of 'every' or 'cron'")
}

// ResultBatches turns one statement result of /query into batches as
// Kapacitor does: one batch per series, named after it, with its tags as
// the group's tags (and the measurement too with byName); a row becomes a
// point unless all its values are null; numbers become floats. The batch's
// time is its last point's time when the query groups by time and it has
// points, else stop.
func ResultBatches(series []querySeries, byName, groupedByTime bool, stop int64) ([]Batch, error) {
	out := make([]Batch, 0, len(series))
	for _, s := range series {
		tags := tagsFromMap(s.Tags)
		dims := Dimensions{ByName: byName}
		for _, t := range tags {
			dims.TagNames = append(dims.TagNames, t.Key)
		}
		b := Batch{Name: s.Name, Tags: tags, Dimensions: dims, Group: NewGroupID(s.Name, tags, dims)}
		var tmax int64
		haveTime := false
		for _, row := range s.Values {
			var (
				t      int64
				fields Fields
			)
			for i, col := range s.Columns {
				if i >= len(row) {
					break
				}
				if col == "time" {
					ts, err := rowTime(row[i])
					if err != nil {
						return nil, err
					}
					t = ts
					continue
				}
				v, err := resultValue(row[i])
				if err != nil {
					return nil, fmt.Errorf("series %s, column %s: %w", s.Name, col, err)
				}
				if v.Type() != stdlib.TypeMissing {
					fields = append(fields, Field{col, v})
				}
			}
			if len(fields) == 0 {
				continue
			}
			sort.Slice(fields, func(i, j int) bool { return fields[i].Key < fields[j].Key })
			if !haveTime || t > tmax {
				tmax, haveTime = t, true
			}
			b.Points = append(b.Points, BatchPoint{Time: t, Fields: fields, Tags: tags})
		}
		b.TMax = tmax
		if !haveTime || tmax == 0 || !groupedByTime {
			b.TMax = stop
		}
		out = append(out, b)
	}
	return out, nil
}

func rowTime(v any) (int64, error) {
	switch x := v.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return 0, fmt.Errorf("unexpected time format: %v", err)
		}
		return t.UnixNano(), nil
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			return 0, fmt.Errorf("unexpected time value: %v", x)
		}
		return n, nil
	}
	return 0, fmt.Errorf("unexpected time value: %v", v)
}

// resultValue converts a value of a query result; null is Missing.
func resultValue(v any) (stdlib.Value, error) {
	switch x := v.(type) {
	case nil:
		return stdlib.Missing, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return stdlib.Missing, fmt.Errorf("invalid number %s", x)
		}
		return stdlib.Float(f), nil
	case float64:
		return stdlib.Float(x), nil
	case string:
		return stdlib.String(x), nil
	case bool:
		return stdlib.Bool(x), nil
	}
	return stdlib.Missing, fmt.Errorf("unexpected value %v", v)
}

// liveQuery runs one query node against InfluxDB while the program serves.
type liveQuery struct {
	task   *Task
	node   *QueryNode
	query  *LiveQuery
	sched  querySchedule
	client *influxClient
	cl     *InfluxDBConfig
	log    *slog.Logger
}

// run queries at every scheduled time until ctx ends. A failed query is
// logged and counted on the node; the next run is tried at the next tick.
func (lq *liveQuery) run(ctx context.Context) {
	cfg := lq.node.Config
	next := lq.sched.next(time.Now())
	for {
		tm := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			tm.Stop()
			return
		case <-tm.C:
		}
		tick := next
		if _, ok := lq.sched.(everySchedule); ok && !cfg.Align {
			tick = time.Now()
		}
		stop := lq.query.SetTick(tick.UnixNano())
		cmd := lq.query.String()
		lq.log.Debug("starting batch query", "query", cmd)
		qctx := ctx
		cancel := func() {}
		if lq.cl.Timeout > 0 {
			qctx, cancel = context.WithTimeout(ctx, lq.cl.Timeout)
		}
		resp, err := lq.client.Query(qctx, cmd)
		cancel()
		if ctx.Err() != nil {
			return
		}
		var batches []Batch
		var errs []error
		if err != nil {
			errs = append(errs, fmt.Errorf("error executing query: %w", err))
		} else {
			for _, res := range resp.Results {
				if res.Err != "" {
					errs = append(errs, fmt.Errorf("failed to understand query result: %s", res.Err))
					continue
				}
				bs, err := ResultBatches(res.Series, cfg.GroupByMeasurement, lq.query.GroupedByTime(), stop)
				if err != nil {
					errs = append(errs, fmt.Errorf("failed to understand query result: %w", err))
					continue
				}
				batches = append(batches, bs...)
			}
		}
		n := lq.node
		lq.task.post(func() {
			for _, e := range errs {
				n.Error(e)
			}
			for _, b := range batches {
				n.Batch(b)
			}
		})
		next = lq.sched.next(tick)
		if now := time.Now(); !next.After(now) {
			next = lq.sched.next(now) // a run took longer than the interval: skip the missed ones
		}
	}
}

// startLive starts what a serving program runs beside its HTTP API: the
// queries of its batch tasks against InfluxDB, on the wall clock, and the
// [[udp]] listeners. The returned function stops them and waits for them.
func startLive(p *Program, cfg *Config, log *slog.Logger) (stop func(), err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	stopAll := func() {
		cancel()
		wg.Wait()
	}
	var queries []*liveQuery
	for _, t := range p.Tasks {
		for _, qn := range t.Queries() {
			lq, err := newLive(t, qn, cfg, log)
			if err != nil {
				stopAll()
				return nil, err
			}
			queries = append(queries, lq)
		}
	}
	udps, err := startUDP(ctx, &wg, p, cfg, log)
	if err != nil {
		stopAll()
		return nil, err
	}
	for _, lq := range queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lq.run(ctx)
		}()
		log.Info("batch query scheduled", "task", lq.task.Name, "node", lq.node.Info.Name, "cluster", lq.cl.Name)
	}
	return func() {
		for _, u := range udps {
			u.Close()
		}
		stopAll()
	}, nil
}

// newLive prepares the live query of node qn.
func newLive(t *Task, qn *QueryNode, cfg *Config, log *slog.Logger) (*liveQuery, error) {
	where := func(err error) error {
		pos := ""
		if qn.Info.Pos != "" {
			pos = " (" + qn.Info.Pos + ")"
		}
		return fmt.Errorf("task %s: %s%s: %w", t.Name, qn.Info.Name, pos, err)
	}
	q, err := NewLiveQuery(qn.Config)
	if err != nil {
		return nil, where(err)
	}
	sched, err := newSchedule(qn.Config)
	if err != nil {
		return nil, where(err)
	}
	cl, err := cfg.InfluxDB(qn.Config.Cluster)
	if err != nil {
		return nil, where(fmt.Errorf("failed to get InfluxDB client: %w", err))
	}
	client, err := clientFor(cl)
	if err != nil {
		return nil, where(fmt.Errorf("failed to get InfluxDB client: %w", err))
	}
	return &liveQuery{
		task: t, node: qn, query: q, sched: sched, client: client, cl: cl,
		log: log.With("task", t.Name, "node", qn.Info.Name),
	}, nil
}
