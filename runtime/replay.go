package runtime

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// ReadStreamRecording reads a stream recording (.srpl): records of three
// lines, a database, a retention policy and one line-protocol point with a
// nanosecond timestamp. name prefixes errors ("name:LINE: ..."). A point
// without timestamp gets now.
func ReadStreamRecording(r io.Reader, name string, now int64) ([]Point, error) {
	s := newStreamReader(r, name, now, func(err error) error {
		return fmt.Errorf("%s: read replay file failed: %w", name, err)
	})
	defer s.close()
	var points []Point
	for {
		points = slices.Grow(points, recordBlock)
		n := len(points)
		block, err := s.read(points[n : n : n+recordBlock])
		if err != nil {
			return nil, err
		}
		if len(block) == 0 {
			break
		}
		points = points[:n+len(block)]
	}
	if len(points) == 0 {
		return nil, nil
	}
	return points, nil
}

// brplBatch is one batch of a batch recording, in Kapacitor's JSON.
type brplBatch struct {
	Name   string            `json:"name"`
	TMax   time.Time         `json:"tmax"`
	Group  string            `json:"group"` // written by Kapacitor, ignored on read
	ByName bool              `json:"byname"`
	Tags   map[string]string `json:"tags"`
	Points []struct {
		Fields map[string]any    `json:"fields"`
		Tags   map[string]string `json:"tags"`
		Time   time.Time         `json:"time"`
	} `json:"points"`
}

// ReadBatchRecording reads a batch recording (.brpl): concatenated JSON
// batches as Kapacitor writes them. Numbers decode as floats; a point
// without tags has the batch's tags; the batch's dimensions are its sorted
// tag keys (plus the name with byname); a batch's time (TMax) is its tmax, or
// its last point's time when tmax is absent or earlier. Batches without
// points are skipped. name prefixes errors ("name:LINE: ...").
func ReadBatchRecording(r io.Reader, name string) ([]Batch, error) {
	return readBatchRecording(r, name, false, 0)
}

// readBatchRecording reads a batch recording; with shift, it moves point
// times as Kapacitor's replay without -rec-time does: by zero minus the time
// of the first point of the first batch with points. tmax is not moved.
func readBatchRecording(r io.Reader, name string, shift bool, zero int64) ([]Batch, error) {
	var diff int64
	shifted := false
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []Batch
	for {
		// The batch starts after the whitespace that follows the previous one.
		off := dec.InputOffset()
		off += int64(len(data[off:]) - len(bytes.TrimLeft(data[off:], " \t\r\n")))
		line := lineAt(data, off)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s:%d: invalid batch: %v", name, line, jsonReason(err))
		}
		var bb brplBatch
		if err := json.Unmarshal(raw, &bb); err != nil {
			return nil, fmt.Errorf("%s:%d: invalid batch: %v", name, line, jsonReason(err))
		}
		if len(bb.Points) == 0 {
			continue
		}
		if shift && !shifted {
			diff, shifted = zero-bb.Points[0].Time.UnixNano(), true
		}
		b, err := bb.batch(diff)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		out = append(out, b)
	}
}

// batch converts a decoded batch, adding diff to its point times.
func (bb *brplBatch) batch(diff int64) (Batch, error) {
	tags := tagsFromMap(bb.Tags)
	dims := Dimensions{ByName: bb.ByName}
	for _, t := range tags {
		dims.TagNames = append(dims.TagNames, t.Key)
	}
	b := Batch{
		Name:       bb.Name,
		Tags:       tags,
		Dimensions: dims,
		Group:      NewGroupID(bb.Name, tags, dims),
		Points:     make([]BatchPoint, 0, len(bb.Points)),
	}
	for i, p := range bb.Points {
		bp := BatchPoint{Time: p.Time.UnixNano() + diff, Tags: tags}
		if len(p.Tags) > 0 {
			bp.Tags = tagsFromMap(p.Tags)
		}
		keys := make([]string, 0, len(p.Fields))
		for k := range p.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			var v stdlib.Value
			switch x := p.Fields[k].(type) {
			case nil:
				continue
			case float64:
				v = stdlib.Float(x)
			case string:
				v = stdlib.String(x)
			case bool:
				v = stdlib.Bool(x)
			default:
				return Batch{}, fmt.Errorf("point %d: field %q: a field value must be a number, a string or a boolean", i, k)
			}
			bp.Fields = append(bp.Fields, Field{k, v})
		}
		b.Points = append(b.Points, bp)
	}
	b.TMax = bb.TMax.UnixNano()
	if last := b.Points[len(b.Points)-1].Time; bb.TMax.IsZero() || b.TMax < last {
		b.TMax = last
	}
	return b, nil
}

// tagsFromMap returns m as sorted Tags, nil when empty.
func tagsFromMap(m map[string]string) Tags {
	if len(m) == 0 {
		return nil
	}
	ts := make(Tags, 0, len(m))
	for k, v := range m {
		ts = append(ts, Tag{k, v})
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Key < ts[j].Key })
	return ts
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// jsonReason makes a decoding error read without Go type names.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s: unexpected JSON %s", te.Field, te.Value)
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("invalid time %q (want RFC3339)", pe.Value)
	}
	return err.Error()
}

// ReplayOptions says what a replay reads and how it runs.
type ReplayOptions struct {
	Streams    []string // stream recordings (.srpl); several are merged by time
	Batches    []string // batch recordings (.brpl); the N-th feeds the N-th query node
	ClockZero  int64    // the replay clock's start (Unix ns)
	Duration   int64    // where the clock is set at the end: ClockZero+Duration
	Task       string   // replay only this task; empty: every task
	NoHandlers bool     // alert handlers record events but deliver nowhere
	// Shift moves the times of each file so that its first point is at
	// ClockZero, as Kapacitor's replay does without -rec-time. Off, times are
	// used as they are.
	Shift bool
}

// ReplayOutput is what a replay produces: every httpOut endpoint's result
// and every alert event, in order.
type ReplayOutput struct {
	Endpoints []EndpointResult
	Alerts    [][]byte
	// Written holds the points influxDBOut nodes would have written, when
	// the configuration names no InfluxDB server (see InfluxDBOut).
	Written []WrittenPoint
}

// EndpointResult is the body one httpOut endpoint serves.
type EndpointResult struct {
	Task, Endpoint string
	Body           []byte // the JSON served
}

// replaySource is one input of a replay: a stream recording, read a block
// of records at a time, or the batches of a batch recording (for the
// query-th query node).
type replaySource struct {
	stream  *streamReader // nil for a batch recording, and once the recording is over
	file    io.Closer
	ahead   *readAhead // decodes the stream recording's blocks ahead of delivery
	points  []Point    // the current block of a stream recording
	shift   bool       // move the recording's times so that it starts at zero
	zero    int64
	shifted bool
	diff    int64 // what shifting adds to every time, once known

	isBatch bool
	batches []Batch
	query   int

	head int // the next delivery: points[head] or batches[head]
}

// firstBlock is the capacity of a stream source's first block of points;
// each refill doubles it up to recordBlock, so that a short recording
// costs little memory.
const firstBlock = 64

// peek returns the time of the source's next delivery — a point's time, or
// the time of a batch's last point — reading the next block of a stream
// recording when the current one is delivered. ok is false when the source
// is exhausted.
func (s *replaySource) peek() (at int64, ok bool, err error) {
	if s.isBatch {
		if s.head == len(s.batches) {
			return 0, false, nil
		}
		b := &s.batches[s.head]
		return b.Points[len(b.Points)-1].Time, true, nil
	}
	if s.head < len(s.points) {
		return s.points[s.head].Time, true, nil
	}
	if s.stream == nil {
		return 0, false, nil
	}
	if s.ahead == nil {
		s.ahead = startReadAhead(s.stream)
	}
	pts, err := s.ahead.next(s.points)
	if err != nil {
		return 0, false, err
	}
	s.points, s.head = pts, 0
	if len(pts) == 0 {
		s.close()
		return 0, false, nil
	}
	if s.shift {
		if !s.shifted {
			s.diff, s.shifted = s.zero-pts[0].Time, true
		}
		for i := range pts {
			pts[i].Time += s.diff
		}
	}
	return pts[0].Time, true, nil
}

// close releases the source's file and parser.
func (s *replaySource) close() {
	if s.ahead != nil {
		s.ahead.stop()
		s.ahead = nil
	}
	if s.stream != nil {
		s.stream.close()
		s.stream = nil
	}
	if s.file != nil {
		s.file.Close()
		s.file = nil
	}
}

// timerDue reports whether moving t's clock to at fires one of its timers.
func timerDue(t *Task, at int64) bool {
	return len(t.pending) > 0 && t.pending[0].at <= at
}

// replayRun delivers the rest of a stream source's current block to the
// only task of a replay of one recording (tasks holds it), in one recover frame: for each
// point the task's clock moves to the point's time (its due timers fire)
// and then the point is delivered, as the general loop does point by
// point. The run stops early when the task fails, and after a point that
// made a task loop data back, which is delivered before the next point.
func (p *Program) replayRun(tasks []*Task, src *replaySource, r *route) error {
	t := tasks[0]
	if err := t.safely(func() {
		for src.head < len(src.points) {
			pt := &src.points[src.head]
			t.AdvanceClock(pt.Time)
			if t.failed.Load() {
				return
			}
			if r.accepts(t, pt) {
				t.deliverPoint(*pt)
			}
			src.head++
			if t.failed.Load() || p.looped.Load() {
				return
			}
		}
	}); err != nil {
		return err
	}
	return p.drainLoopback(tasks)
}

// earlierStreamError returns the first error of reading the stream
// recordings files, or err when they read without one. Setting up a replay
// opens the stream recordings without reading them; when it then fails, the
// recordings opened before the failure are read, so that the error reported
// is the one of reading every recording first.
func earlierStreamError(files []string, now int64, err error) error {
	for _, f := range files {
		if ferr := checkStreamRecording(f, now); ferr != nil {
			return ferr
		}
	}
	return err
}

// Replay runs recorded data through the program's tasks (all of them, or
// opts.Task) and returns their results. Stream points go, in file order, to
// every selected stream task that accepts them (as written points would);
// the N-th batch recording feeds the N-th query node of the selected batch
// task. Files may be gzipped; a batch file may be Kapacitor's zip archive
// of recordings, one entry per query node, in archive order.
// Deliveries from several files are merged by time (ties in file order,
// stream files first). Points that kapacitorLoopback nodes write back are
// delivered after the delivery that caused them. Each task's clock follows the data (see ReplayClock);
// at the end it is set to ClockZero+Duration, without firing the timers still
// pending, and the tasks get Done. Input
// times are used as they are: they are not shifted. The program must be
// built with replay clocks and not be running.
func (p *Program) Replay(opts ReplayOptions) (*ReplayOutput, error) {
	p.mu.RLock()
	busy := p.running || p.stopped
	p.mu.RUnlock()
	if busy {
		return nil, errors.New("replay needs a program that is neither serving nor stopped")
	}
	tasks := p.Tasks
	if opts.Task != "" {
		t := p.Task(opts.Task)
		if t == nil {
			return nil, fmt.Errorf("no task named %q (tasks: %s)", opts.Task, names(p.Tasks))
		}
		tasks = []*Task{t}
	}
	if len(opts.Streams) == 0 && len(opts.Batches) == 0 {
		return nil, errors.New("nothing to replay: give --input FILE.srpl or --batch FILE.brpl")
	}
	var streamTasks, batchTasks []*Task
	for _, t := range tasks {
		t.Handlers = !opts.NoHandlers
		if t.Type == BatchTask {
			batchTasks = append(batchTasks, t)
		} else {
			streamTasks = append(streamTasks, t)
		}
	}

	// Stream recordings are opened here and read block by block as the
	// replay goes. An error found while setting up reads as it did when
	// every recording was read first: an earlier recording's bad record
	// comes before it (see earlierStreamError).
	var sources []*replaySource
	defer func() {
		for _, src := range sources {
			src.close()
		}
	}()
	for i, f := range opts.Streams {
		sr, c, err := openStreamRecording(f, opts.ClockZero)
		if err != nil {
			return nil, earlierStreamError(opts.Streams[:i], opts.ClockZero, err)
		}
		sources = append(sources, &replaySource{stream: sr, file: c, shift: opts.Shift, zero: opts.ClockZero})
		if len(streamTasks) == 0 {
			err := fmt.Errorf("%s: no stream task to replay a stream recording into (tasks: %s)", f, names(tasks))
			return nil, earlierStreamError(opts.Streams[:i+1], opts.ClockZero, err)
		}
	}
	setupErr := func(err error) error { return earlierStreamError(opts.Streams, opts.ClockZero, err) }
	// A batch file is one recording, or Kapacitor's zip archive of one
	// recording per query node.
	type batchInput struct {
		name string
		data []byte
	}
	var batchInputs []batchInput
	for _, f := range opts.Batches {
		data, err := readRecording(f)
		if err != nil {
			return nil, setupErr(err)
		}
		if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			batchInputs = append(batchInputs, batchInput{f, data})
			continue
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, setupErr(fmt.Errorf("%s: %w", f, err))
		}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				return nil, setupErr(fmt.Errorf("%s: %s: %w", f, zf.Name, err))
			}
			entry, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return nil, setupErr(fmt.Errorf("%s: %s: %w", f, zf.Name, err))
			}
			batchInputs = append(batchInputs, batchInput{f + "[" + zf.Name + "]", entry})
		}
	}
	var batchTask *Task
	if len(batchInputs) > 0 {
		switch len(batchTasks) {
		case 0:
			return nil, setupErr(fmt.Errorf("no batch task to replay batch recordings into (tasks: %s)", names(tasks)))
		case 1:
			batchTask = batchTasks[0]
		default:
			return nil, setupErr(errors.New("several batch tasks: choose the one to replay with --task"))
		}
		if n := len(batchTask.queries); n != len(batchInputs) {
			return nil, setupErr(fmt.Errorf("task %s has %d query nodes but %d batch recordings were given", batchTask.Name, n, len(batchInputs)))
		}
	}
	for i, in := range batchInputs {
		bs, err := readBatchRecording(bytes.NewReader(in.data), in.name, opts.Shift, opts.ClockZero)
		if err != nil {
			return nil, setupErr(err)
		}
		sources = append(sources, &replaySource{isBatch: true, batches: bs, query: i})
	}

	routes := make([]route, len(streamTasks))
	for {
		// The next delivery: the earliest head, the first source on ties.
		var next *replaySource
		var at int64
		for _, src := range sources {
			t, ok, err := src.peek()
			if err != nil {
				return nil, err
			}
			if ok && (next == nil || t < at) {
				next, at = src, t
			}
		}
		if next == nil {
			break
		}
		if len(sources) == 1 && len(tasks) == 1 && len(streamTasks) == 1 {
			// One recording into one task, the usual replay: the rest of
			// the block goes in one run.
			if err := p.replayRun(streamTasks, next, &routes[0]); err != nil {
				return nil, err
			}
			continue
		}
		for _, t := range tasks {
			if !timerDue(t, at) {
				t.AdvanceClock(at) // sets the clock; none of the task's code runs
				continue
			}
			if err := t.safely(func() { t.AdvanceClock(at) }); err != nil {
				return nil, err
			}
		}
		if !next.isBatch {
			pt := &next.points[next.head]
			for i, t := range streamTasks {
				if routes[i].accepts(t, pt) {
					if err := t.safely(func() { t.deliverPoint(*pt) }); err != nil {
						return nil, err
					}
				}
			}
		} else if err := batchTask.safely(func() { batchTask.queries[next.query].Batch(next.batches[next.head]) }); err != nil {
			return nil, err
		}
		next.head++
		if err := p.drainLoopback(streamTasks); err != nil {
			return nil, err
		}
	}
	// The input is exhausted: the tasks are drained at once. Timers still
	// pending (an idle barrier waiting for its group to go quiet) do not
	// fire: no time passes between the last delivery and the drain, as in
	// Kapacitor's harness, which closes the task as soon as its replay ends.
	for _, t := range tasks {
		t.pending = t.pending[:0]
		if err := t.safely(func() { t.AdvanceClock(opts.ClockZero + opts.Duration) }); err != nil {
			return nil, err
		}
	}
	for _, t := range tasks {
		if err := t.safely(t.Done); err != nil {
			return nil, err
		}
	}

	out := &ReplayOutput{}
	for _, t := range tasks {
		seen := map[string]int{}
		for _, o := range t.outs {
			body, _ := o.JSON()
			r := EndpointResult{Task: t.Name, Endpoint: o.endpoint, Body: body}
			// Of two httpOut nodes with one endpoint the later is served, as in Kapacitor.
			if i, dup := seen[o.endpoint]; dup {
				out.Endpoints[i] = r
				continue
			}
			seen[o.endpoint] = len(out.Endpoints)
			out.Endpoints = append(out.Endpoints, r)
		}
		out.Alerts = append(out.Alerts, t.Alerts()...)
		for _, n := range t.InfluxDBOuts() {
			out.Written = append(out.Written, n.Written()...)
		}
	}
	return out, nil
}

// names lists the tasks' names, for messages.
func names(tasks []*Task) string {
	s := make([]string, len(tasks))
	for i, t := range tasks {
		s[i] = t.Name
	}
	return strings.Join(s, ", ")
}

// readRecording reads a recording file, decompressing it when it is
// gzipped, as Kapacitor stores its stream recordings.
func readRecording(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer zr.Close()
	data, err = io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

// WriteJSON prints the replay output as one JSON object:
// {"httpOut":{ENDPOINT:RESULT,...},"alerts":[EVENT,...]}. Endpoints are keyed
// by name, or by "task/name" when two replayed tasks have the same endpoint
// name. An alert body that is JSON is written as the object; any other body
// as a string. When influxDBOut nodes kept points (no InfluxDB server
// configured), they follow as "influxDBOut":[POINT,...], each point
// {"database","retentionPolicy","name","tags","fields","time"}.
func (o *ReplayOutput) WriteJSON(w io.Writer) error {
	count := map[string]int{}
	for _, e := range o.Endpoints {
		count[e.Endpoint]++
	}
	var b bytes.Buffer
	b.WriteString(`{"httpOut":{`)
	for i, e := range o.Endpoints {
		if i > 0 {
			b.WriteByte(',')
		}
		key := e.Endpoint
		if count[key] > 1 {
			key = e.Task + "/" + key
		}
		k, _ := json.Marshal(key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(e.Body)
	}
	b.WriteString(`},"alerts":[`)
	for i, a := range o.Alerts {
		if i > 0 {
			b.WriteByte(',')
		}
		a = bytes.TrimRight(a, "\r\n")
		if json.Valid(a) {
			b.Write(a)
		} else {
			s, _ := json.Marshal(string(a))
			b.Write(s)
		}
	}
	b.WriteByte(']')
	if len(o.Written) > 0 {
		ws, err := json.Marshal(o.Written)
		if err != nil {
			return err
		}
		b.WriteString(`,"influxDBOut":`)
		b.Write(ws)
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}
