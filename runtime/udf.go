package runtime

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tickc/tickc/stdlib"
	"github.com/tickc/tickc/udf"
	"github.com/tickc/tickc/udf/agent"
)

func init() {
	RegisterConfigSection(ConfigSection{
		Name:  "udf",
		New:   func() any { return &udf.Config{} },
		Check: func(v any) error { return v.(*udf.Config).Validate() },
	})
}

// UDFConfig is the configuration of a UDF node, @name() and its option
// calls in TICKscript.
type UDFConfig struct {
	UDF     string      // the UDF's name, its [udf.functions.NAME] section
	Options []UDFOption // the option calls, in call order
	// WantsBatch and ProvidesBatch are the edges the compiled pipeline
	// gives the node (false: a stream edge). The UDF's info response must
	// declare the same, or the node fails to start.
	WantsBatch, ProvidesBatch bool
}

// UDFOption is one option call of a UDF node, .name(values…).
type UDFOption struct {
	Name   string
	Pos    string // where the script calls it, "file.tick:LINE:COL"
	Values []stdlib.Value
}

// Tuning of the UDF nodes; tests shorten them.
var (
	// UDFSnapshotInterval is how often a running UDF is asked for a snapshot,
	// which a restarted UDF gets back (Kapacitor's default
	// [task] snapshot-interval).
	UDFSnapshotInterval = time.Minute
	// UDFRestartDelay is the least time between two starts of a UDF whose
	// configuration says on-failure = "restart".
	UDFRestartDelay = time.Second
)

// UDF is a user-defined-function node: it sends its input to an external
// process or socket server speaking the UDF protocol and emits what the
// UDF answers. The UDF answers asynchronously; its data responses are
// emitted on the task's goroutine, at the node's next input or, while the
// program serves, as soon as they arrive. Done closes the UDF's input and
// emits everything it sends until it exits.
//
// A UDF that fails (it exits, stops answering within its timeout, sends
// garbage, data of the wrong edge or an error response) is killed and the
// error logged with the UDF's message; the node then stops, or starts the
// UDF again at its next input when configured with on-failure = "restart".
type UDF struct {
	Base
	cfg     UDFConfig
	fc      udf.FunctionConfig
	options []*agent.Option

	sess         *udfSession // the running UDF; nil when stopped or between restarts
	err          error       // the failure that stopped the node, when not restarting
	restartAfter time.Time
	snapshot     []byte // the last snapshot, restored into a restarted UDF
	done         bool

	batch *Batch // the output batch being received
}

// NewUDF starts the UDF of a node: it opens the process or connection,
// checks the node's edges and options against the UDF's info response and
// initializes it. The errors name the script position of the node or of the
// offending option.
func NewUDF(t *Task, info NodeInfo, cfg UDFConfig) (*UDF, error) {
	n := &UDF{cfg: cfg}
	n.Task, n.Info = t, info
	where := func(pos string) string {
		if pos == "" {
			return ""
		}
		return pos + ": "
	}
	var conf *udf.Config
	if t != nil && t.Config != nil {
		conf, _ = t.Config.Section("udf").(*udf.Config)
	}
	if conf == nil {
		conf = &udf.Config{}
	}
	resp, err := conf.Info(cfg.UDF)
	if err != nil {
		return nil, fmt.Errorf("%s%w", where(info.Pos), err)
	}
	n.fc = conf.Functions[cfg.UDF]
	for _, o := range cfg.Options {
		n.options = append(n.options, udf.Option(o.Name, o.Values))
	}
	if err := n.checkInfo(resp); err != nil {
		var optErrs *udfOptionErrors
		if errors.As(err, &optErrs) {
			return nil, err
		}
		return nil, fmt.Errorf("%s%w", where(info.Pos), err)
	}
	s, err := n.start()
	if err != nil {
		return nil, fmt.Errorf("%s%w", where(info.Pos), err)
	}
	n.sess = s
	return n, nil
}

// Err returns the failure that stopped the node, or nil while it runs (or
// restarts).
func (n *UDF) Err() error { return n.err }

func (n *UDF) name() string { return "@" + n.cfg.UDF }

func edgeName(batch bool) string {
	if batch {
		return "batch"
	}
	return "stream"
}

// start opens a session with the UDF and runs the handshake: init, and
// restore when a snapshot is kept. Its errors name the UDF.
func (n *UDF) start() (*udfSession, error) {
	s, err := n.handshake()
	if err != nil {
		s.close()
		return nil, fmt.Errorf("UDF %s: %w", n.name(), err)
	}
	s.running()
	return s, nil
}

func (n *UDF) handshake() (*udfSession, error) {
	s, err := n.open()
	if err != nil {
		return nil, err
	}
	init := &agent.InitRequest{Options: n.options, TaskID: n.taskName(), NodeID: n.Info.Name}
	resp, err := s.request(&agent.Request{Message: &agent.Request_Init{Init: init}})
	if err != nil {
		return s, err
	}
	m, ok := resp.Message.(*agent.Response_Init)
	if !ok {
		return s, fmt.Errorf("answered the init request with %s", udf.ResponseName(resp))
	}
	if !m.Init.GetSuccess() {
		return s, fmt.Errorf("refused its options: %s", m.Init.GetError())
	}
	if n.snapshot == nil {
		return s, nil
	}
	return s, s.restore(n.snapshot)
}

func (n *UDF) taskName() string {
	if n.Task == nil {
		return ""
	}
	return n.Task.Name
}

// checkInfo checks the UDF's edges and the node's options against its info
// response.
func (n *UDF) checkInfo(info *agent.InfoResponse) error {
	if err := udf.CheckInfo(info); err != nil {
		return err
	}
	wants, provides := info.GetWants() == agent.EdgeType_BATCH, info.GetProvides() == agent.EdgeType_BATCH
	if wants != n.cfg.WantsBatch || provides != n.cfg.ProvidesBatch {
		return fmt.Errorf("UDF %s wants a %s edge and provides a %s edge, but the program was compiled for %s -> %s: build it with --config naming the UDF",
			n.name(), edgeName(wants), edgeName(provides), edgeName(n.cfg.WantsBatch), edgeName(n.cfg.ProvidesBatch))
	}
	var errs []string
	for _, o := range n.cfg.Options {
		if err := udf.CheckOption(n.cfg.UDF, info, o.Name, o.Values); err != nil {
			msg := err.Error()
			if o.Pos != "" {
				msg = o.Pos + ": " + msg
			}
			errs = append(errs, msg)
		}
	}
	if len(errs) > 0 {
		return &udfOptionErrors{errs}
	}
	return nil
}

// udfOptionErrors are the errors of a node's options, each with its
// position.
type udfOptionErrors struct{ msgs []string }

func (e *udfOptionErrors) Error() string { return strings.Join(e.msgs, "\n") }

// open starts the UDF's process or dials its socket and starts the session's
// reader.
func (n *UDF) open() (*udfSession, error) {
	logStderr := func(line string) {
		if n.Task != nil && n.Task.Log != nil {
			n.Task.Log.Info("UDF stderr", "node", n.Info.Name, "udf", n.cfg.UDF, "line", line)
		}
	}
	conn, err := udf.Open(n.cfg.UDF, n.fc, logStderr)
	if err != nil {
		return nil, err
	}
	s := &udfSession{
		node:          n,
		conn:          conn,
		timeout:       n.fc.Timeout,
		snapshotEvery: UDFSnapshotInterval,
		mgmt:          make(chan *agent.Response, 1),
		wake:          make(chan struct{}, 1),
		unflushed:     make(chan struct{}, 1),
		stop:          make(chan struct{}),
		readDone:      make(chan struct{}),
	}
	s.lastSeen.Store(time.Now().UnixNano())
	go s.read()
	return s, nil
}

// live returns the running session, restarting the UDF when it failed and
// the configuration says so; nil means the input is dropped.
func (n *UDF) live() *udfSession {
	n.deliver()
	if n.sess != nil || n.done || n.err != nil {
		return n.sess
	}
	if time.Now().Before(n.restartAfter) {
		return nil
	}
	s, err := n.start()
	if err != nil {
		n.restartAfter = time.Now().Add(UDFRestartDelay)
		n.logFailure(fmt.Errorf("restarting: %w", err))
		return nil
	}
	n.sess = s
	return s
}

// deliver emits the data responses received so far and handles a failure
// of the session.
func (n *UDF) deliver() {
	s := n.sess
	if s == nil {
		return
	}
	queue, err := s.take()
	for _, r := range queue {
		if rerr := n.response(r); rerr != nil {
			s.fail(rerr)
			err = s.firstErr()
			break
		}
	}
	if err != nil {
		n.failed(s, err)
	}
}

// failed ends the session after err: the node stops or will restart.
func (n *UDF) failed(s *udfSession, err error) {
	s.close()
	if snap := s.lastSnapshot(); snap != nil {
		n.snapshot = snap
	}
	n.sess = nil
	n.batch = nil
	n.logFailure(err)
	if n.fc.OnFailure == udf.OnFailureRestart && !n.done {
		n.restartAfter = time.Now().Add(UDFRestartDelay)
		return
	}
	n.err = fmt.Errorf("%s: UDF %s: %w", n.Info.Name, n.name(), err)
	if n.Task != nil {
		n.Task.Fail(n.err)
	}
}

// logFailure logs a failure of the UDF, quiet or not: it stops the node.
func (n *UDF) logFailure(err error) {
	n.Errors++
	if n.Task != nil && n.Task.Log != nil {
		n.Task.Log.Error(fmt.Sprintf("UDF %s failed: %v", n.name(), err), "node", n.Info.Name, "pos", n.Info.Pos)
	}
}

// send writes a request to the session; a write error fails it. Unflushed
// data requests are flushed by the session's flusher as soon as it runs,
// which sends a burst of points in few writes. A keepalive the watchdog
// could not send goes first.
func (n *UDF) send(s *udfSession, req *agent.Request, flush bool) bool {
	if s.keepaliveDue.Swap(false) {
		ka := &agent.Request{Message: &agent.Request_Keepalive{Keepalive: &agent.KeepaliveRequest{Time: time.Now().UnixNano()}}}
		if err := s.conn.SendBuffered(ka); err != nil {
			n.failed(s, s.writeFailed(err))
			return false
		}
	}
	if !flush {
		defer s.kick()
	}
	var err error
	if flush {
		err = s.conn.Send(req)
	} else {
		err = s.conn.SendBuffered(req)
	}
	if err != nil {
		n.failed(s, s.writeFailed(err))
		return false
	}
	return true
}

// Point sends p to the UDF.
func (n *UDF) Point(p Point) {
	n.PointsIn++
	s := n.live()
	if s == nil {
		n.Errors++
		return
	}
	if n.cfg.WantsBatch {
		n.failed(s, fmt.Errorf("received a point on its batch edge"))
		return
	}
	n.send(s, &agent.Request{Message: &agent.Request_Point{Point: pointMessage(p)}}, false)
}

// Batch sends b to the UDF as begin, points and end.
func (n *UDF) Batch(b Batch) {
	n.PointsIn++
	s := n.live()
	if s == nil {
		n.Errors++
		return
	}
	if !n.cfg.WantsBatch {
		n.failed(s, fmt.Errorf("received a batch on its stream edge"))
		return
	}
	tags := tagMap(b.Tags)
	group := string(b.Group)
	begin := &agent.BeginBatch{Name: b.Name, Group: group, Tags: tags, Size: int64(len(b.Points)), ByName: b.Dimensions.ByName}
	if !n.send(s, &agent.Request{Message: &agent.Request_Begin{Begin: begin}}, false) {
		return
	}
	for _, bp := range b.Points {
		pt := &agent.Point{Time: bp.Time, Group: group, Tags: tagMap(bp.Tags)}
		setFields(pt, bp.Fields)
		if !n.send(s, &agent.Request{Message: &agent.Request_Point{Point: pt}}, false) {
			return
		}
	}
	end := &agent.EndBatch{Name: b.Name, Group: group, Tmax: b.TMax, Tags: tags}
	n.send(s, &agent.Request{Message: &agent.Request_End{End: end}}, false)
}

// Barrier emits what the UDF sent so far. The barrier itself is not passed
// on, as in Kapacitor: the UDF's output is not aligned with its input.
func (n *UDF) Barrier(GroupID, int64) { n.deliver() }

// DeleteGroup emits what the UDF sent so far. The deletion is not passed
// on, as in Kapacitor: the UDF's output groups are its own.
func (n *UDF) DeleteGroup(GroupID) { n.deliver() }

// Done closes the UDF's input, emits everything it sends until it ends its
// output, and passes Done on. A UDF that sends nothing for its timeout is
// killed.
func (n *UDF) Done() {
	n.deliver()
	n.done = true
	if s := n.sess; s != nil {
		s.closeInput()
	wait:
		for {
			select {
			case <-s.readDone:
				break wait
			case <-s.wake:
				n.deliver()
				if n.sess == nil {
					break wait
				}
			}
		}
		if n.sess != nil {
			n.deliver()
		}
		if n.sess != nil {
			if err := s.exitErr(); err != nil {
				n.failed(s, err)
			} else {
				s.close()
				n.sess = nil
			}
		}
	}
	n.EmitDone()
}

// response handles one data response of the UDF.
func (n *UDF) response(r *agent.Response) error {
	switch m := r.Message.(type) {
	case *agent.Response_Point:
		if n.batch != nil {
			n.batch.Points = append(n.batch.Points, BatchPoint{Time: m.Point.GetTime(), Tags: tagsFromMap(m.Point.GetTags()), Fields: fieldsOf(m.Point)})
			return nil
		}
		if n.cfg.ProvidesBatch {
			return fmt.Errorf("sent a point outside a batch, but it provides a batch edge")
		}
		p := m.Point
		// The group is rebuilt from the dimensions in the order the UDF
		// gives them, as Kapacitor does; the group string is ignored.
		dims := Dimensions{ByName: p.GetByName(), TagNames: p.GetDimensions()}
		tags := tagsFromMap(p.GetTags())
		n.EmitPoint(Point{
			Name:            p.GetName(),
			Database:        p.GetDatabase(),
			RetentionPolicy: p.GetRetentionPolicy(),
			Time:            p.GetTime(),
			Group:           NewGroupID(p.GetName(), tags, dims),
			Dimensions:      dims,
			Tags:            tags,
			Fields:          fieldsOf(p),
		})
	case *agent.Response_Begin:
		if !n.cfg.ProvidesBatch {
			return fmt.Errorf("sent a batch, but it provides a stream edge")
		}
		if n.batch != nil {
			return fmt.Errorf("began a batch inside a batch")
		}
		size := m.Begin.GetSize()
		if size < 0 || size > 1<<20 {
			size = 0
		}
		n.batch = &Batch{Dimensions: Dimensions{ByName: m.Begin.GetByName()}, Points: make([]BatchPoint, 0, size)}
	case *agent.Response_End:
		if n.batch == nil {
			return fmt.Errorf("ended a batch it did not begin")
		}
		b := *n.batch
		n.batch = nil
		b.Name, b.TMax = m.End.GetName(), m.End.GetTmax()
		b.Tags = tagsFromMap(m.End.GetTags())
		for _, t := range b.Tags {
			b.Dimensions.TagNames = append(b.Dimensions.TagNames, t.Key)
		}
		b.Group = NewGroupID(b.Name, b.Tags, b.Dimensions)
		n.EmitBatch(b)
	default:
		return fmt.Errorf("sent %s", udf.ResponseName(r))
	}
	return nil
}

// pointMessage is a stream point as the protocol sends it, every field set.
func pointMessage(p Point) *agent.Point {
	pt := &agent.Point{
		Time:            p.Time,
		Name:            p.Name,
		Database:        p.Database,
		RetentionPolicy: p.RetentionPolicy,
		Group:           string(p.Group),
		Dimensions:      p.Dimensions.TagNames,
		Tags:            tagMap(p.Tags),
		ByName:          p.Dimensions.ByName,
	}
	setFields(pt, p.Fields)
	return pt
}

func tagMap(ts Tags) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

// setFields fills the typed field maps of pt. The protocol has no duration
// or time type: they travel as int64 nanoseconds.
func setFields(pt *agent.Point, fs Fields) {
	for _, f := range fs {
		switch f.Value.Type() {
		case stdlib.TypeFloat:
			if pt.FieldsDouble == nil {
				pt.FieldsDouble = map[string]float64{}
			}
			pt.FieldsDouble[f.Key] = f.Value.Float()
		case stdlib.TypeInt, stdlib.TypeDuration, stdlib.TypeTime:
			if pt.FieldsInt == nil {
				pt.FieldsInt = map[string]int64{}
			}
			pt.FieldsInt[f.Key] = f.Value.Int()
		case stdlib.TypeString:
			if pt.FieldsString == nil {
				pt.FieldsString = map[string]string{}
			}
			pt.FieldsString[f.Key] = f.Value.Str()
		case stdlib.TypeBool:
			if pt.FieldsBool == nil {
				pt.FieldsBool = map[string]bool{}
			}
			pt.FieldsBool[f.Key] = f.Value.Bool()
		}
	}
}

// fieldsOf returns the fields of a point the UDF sent, sorted by key. A key
// in several maps keeps the value of the last of string, int, double and
// bool, as Kapacitor merges them.
func fieldsOf(p *agent.Point) Fields {
	n := len(p.GetFieldsDouble()) + len(p.GetFieldsInt()) + len(p.GetFieldsString()) + len(p.GetFieldsBool())
	if n == 0 {
		return nil
	}
	merged := make(map[string]stdlib.Value, n)
	for k, v := range p.GetFieldsString() {
		merged[k] = stdlib.String(v)
	}
	for k, v := range p.GetFieldsInt() {
		merged[k] = stdlib.Int(v)
	}
	for k, v := range p.GetFieldsDouble() {
		merged[k] = stdlib.Float(v)
	}
	for k, v := range p.GetFieldsBool() {
		merged[k] = stdlib.Bool(v)
	}
	fs := make(Fields, 0, len(merged))
	for k, v := range merged {
		fs = append(fs, Field{k, v})
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Key < fs[j].Key })
	return fs
}

// maxUDFQueue bounds the data responses of a UDF waiting for the task, so
// that a UDF that answers without end fails instead of exhausting memory.
const maxUDFQueue = 1 << 20

// udfSession is one run of a UDF: its connection and the goroutines that
// read its responses and watch it.
type udfSession struct {
	node          *UDF
	conn          *udf.Conn
	timeout       time.Duration
	snapshotEvery time.Duration

	lastSeen     atomic.Int64 // wall time of the last response, Unix ns
	inputClosed  atomic.Bool
	keepaliveDue atomic.Bool  // the watchdog found the writer busy: the next send adds a keepalive
	awaiting     atomic.Bool  // a handshake request waits for its answer
	snaps        udfSnapshots // counts snapshot requests and answers; see udf_state.go

	mgmt      chan *agent.Response // handshake responses
	wake      chan struct{}        // signalled when data or a failure arrives
	unflushed chan struct{}        // signalled when requests wait in the write buffer
	stop      chan struct{}        // closed by close: ends the watchdog and the pump
	readDone  chan struct{}        // closed when the reader has ended

	mu       sync.Mutex
	queue    []*agent.Response
	err      error
	snapshot []byte
	waitErr  error // the process's exit error, once it has exited

	closeOnce sync.Once
}

// request sends a handshake request and waits for its answer, killing the
// UDF when none comes within its timeout.
func (s *udfSession) request(req *agent.Request) (*agent.Response, error) {
	s.awaiting.Store(true)
	defer s.awaiting.Store(false)
	if err := s.conn.Send(req); err != nil {
		return nil, s.writeFailed(err)
	}
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case r := <-s.mgmt:
		return r, nil
	case <-s.readDone:
		return nil, s.firstErr()
	case <-timer.C:
		s.fail(fmt.Errorf("no answer within its timeout of %v: killed", s.timeout))
		<-s.readDone
		return nil, s.firstErr()
	}
}

// running starts the watchdog, the flusher and, while the program serves,
// the pump that delivers the UDF's output as it arrives.
func (s *udfSession) running() {
	go s.watch()
	go s.flush()
	go s.pump()
}

// kick wakes the flusher.
func (s *udfSession) kick() {
	select {
	case s.unflushed <- struct{}{}:
	default:
	}
}

// flush writes the buffered requests whenever some are waiting. A write
// that blocks because the UDF reads nothing ends when the watchdog kills it.
func (s *udfSession) flush() {
	for {
		select {
		case <-s.stop:
			return
		case <-s.readDone:
			return
		case <-s.unflushed:
			if err := s.conn.Flush(); err != nil {
				s.writeFailed(err)
				return
			}
		}
	}
}

// read reads responses until the UDF ends its output or fails.
func (s *udfSession) read() {
	defer close(s.readDone)
	defer s.signal()
	for {
		r := &agent.Response{}
		err := s.conn.Recv(r)
		if err != nil {
			werr := s.wait()
			switch {
			case err == io.EOF && s.inputClosed.Load():
			case err == io.EOF && werr != nil:
				s.fail(fmt.Errorf("exited: %v", werr))
			case err == io.EOF:
				s.fail(errors.New("closed its output before its input ended"))
			default:
				s.fail(err)
			}
			return
		}
		s.lastSeen.Store(time.Now().UnixNano())
		switch m := r.Message.(type) {
		case *agent.Response_Keepalive:
		case *agent.Response_Info, *agent.Response_Init, *agent.Response_Restore:
			// An answer nobody asked for is logged and ignored, as Kapacitor does.
			if !s.awaiting.Load() {
				s.logUnexpected(r)
				continue
			}
			select {
			case s.mgmt <- r:
			default:
				s.logUnexpected(r)
			}
		case *agent.Response_Snapshot:
			s.snapshotArrived(m.Snapshot.GetSnapshot())
		case *agent.Response_Error:
			s.fail(errors.New(m.Error.GetError()))
		case *agent.Response_Begin, *agent.Response_Point, *agent.Response_End:
			s.mu.Lock()
			s.queue = append(s.queue, r)
			flood := len(s.queue) > maxUDFQueue
			s.mu.Unlock()
			if flood {
				s.fail(fmt.Errorf("sent over %d responses the task has not taken yet", maxUDFQueue))
				continue
			}
			s.signal()
		default:
			s.fail(errors.New("sent an empty response"))
		}
	}
}

// logUnexpected logs a management response that answers no request.
func (s *udfSession) logUnexpected(r *agent.Response) {
	n := s.node
	if n.Task != nil && n.Task.Log != nil {
		n.Task.Log.Error(fmt.Sprintf("UDF %s sent %s nobody asked for: ignored", n.name(), udf.ResponseName(r)), "node", n.Info.Name, "pos", n.Info.Pos)
	}
}

// wait waits for the process to exit after its output ended, killing it
// when it lingers past its timeout, and returns its exit error.
func (s *udfSession) wait() error {
	exited := make(chan error, 1)
	go func() { exited <- s.conn.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(s.timeout):
		s.conn.Kill()
		err = <-exited
	}
	s.mu.Lock()
	s.waitErr = err
	s.mu.Unlock()
	return err
}

// exitErr is the error of a UDF that exited with a failure after its input
// closed; nil for a clean exit.
func (s *udfSession) exitErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.waitErr != nil {
		return fmt.Errorf("exited: %v", s.waitErr)
	}
	return nil
}

// watch sends keepalives every timeout/2 and snapshot requests on their
// schedule, and kills the UDF when it has not answered for its timeout.
func (s *udfSession) watch() {
	tick := time.NewTicker(s.timeout / 2)
	defer tick.Stop()
	nextSnap := time.Now().Add(s.snapshotEvery)
	for {
		select {
		case <-s.stop:
			return
		case <-s.readDone:
			return
		case now := <-tick.C:
			if silent := now.Sub(time.Unix(0, s.lastSeen.Load())); silent > s.timeout {
				s.fail(fmt.Errorf("did not answer for %v (timeout %v): killed", silent.Round(time.Millisecond), s.timeout))
				return
			}
			if s.inputClosed.Load() {
				continue
			}
			req := &agent.Request{Message: &agent.Request_Keepalive{Keepalive: &agent.KeepaliveRequest{Time: now.UnixNano()}}}
			if sent, err := s.conn.TrySend(req); err != nil {
				s.writeFailed(err)
				return
			} else if !sent {
				s.keepaliveDue.Store(true)
			}
			if now.After(nextSnap) {
				if sent, err := s.trySnapshot(); err != nil {
					s.writeFailed(err)
					return
				} else if sent {
					nextSnap = now.Add(s.snapshotEvery)
				}
			}
		}
	}
}

// pump hands the UDF's output to the task's goroutine as it arrives. It
// does nothing for a task that has no goroutine (replay, tests): the output
// is then delivered at the node's next input.
func (s *udfSession) pump() {
	t := s.node.Task
	for {
		select {
		case <-s.stop:
			return
		case <-s.wake:
			if t != nil {
				t.post(func() {
					if s.node.sess == s {
						s.node.deliver()
					}
				})
			}
		}
	}
}

// signal wakes the pump (or Done).
func (s *udfSession) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// fail records the session's first failure and kills the UDF, which
// unblocks its reader and any writer.
func (s *udfSession) fail(err error) {
	s.mu.Lock()
	first := s.err == nil
	if first {
		s.err = err
	}
	s.mu.Unlock()
	if first {
		s.conn.Kill()
		s.signal()
	}
}

// writeFailed handles a failed write and returns the session's failure. A
// write fails mostly because the UDF has exited: its reader, which sees the
// exit status, gets the time of the timeout to say so first.
func (s *udfSession) writeFailed(err error) error {
	select {
	case <-s.readDone:
	case <-time.After(s.timeout):
	}
	s.fail(err)
	<-s.readDone
	return s.firstErr()
}

func (s *udfSession) firstErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// take returns the queued data responses and the session's failure.
func (s *udfSession) take() ([]*agent.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	s.queue = nil
	return q, s.err
}

func (s *udfSession) lastSnapshot() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshot
}

// closeInput tells the UDF its input has ended, after the buffered requests.
func (s *udfSession) closeInput() {
	s.inputClosed.Store(true)
	if err := s.conn.CloseWrite(); err != nil {
		s.fail(err)
	}
}

// close ends the session: it kills the UDF if it still runs and waits for
// the reader, so that no goroutine outlives the session.
func (s *udfSession) close() {
	if s == nil {
		return
	}
	s.closeOnce.Do(func() {
		close(s.stop)
		select {
		case <-s.readDone:
		default:
			s.conn.Kill()
			<-s.readDone
		}
	})
}
