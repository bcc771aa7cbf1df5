package agent

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Handler is what a UDF implements: one method per request of the protocol.
// The agent calls them one at a time, in the order the requests arrive.
type Handler interface {
	// Info describes the UDF: the edges it wants and provides and its options.
	Info() (*InfoResponse, error)
	// Init receives the node's options. An InitResponse with Success false
	// fails the task's start with its Error.
	Init(r *InitRequest) (*InitResponse, error)
	// Snapshot returns the UDF's state, to be given back to Restore.
	Snapshot() (*SnapshotResponse, error)
	// Restore resets the UDF's state to a snapshot.
	Restore(r *RestoreRequest) (*RestoreResponse, error)
	// BeginBatch starts a batch of the input.
	BeginBatch(b *BeginBatch) error
	// Point receives a stream point or a point of the current batch.
	Point(p *Point) error
	// EndBatch ends the current batch.
	EndBatch(e *EndBatch) error
	// Stop tells the UDF that its input has ended. Data responses sent before
	// Stop returns are delivered; none may be sent after.
	Stop()
}

// Agent runs a Handler over one connection to a tickc program (or to
// Kapacitor): it reads requests from In, calls the handler and writes its
// responses to Out. A UDF sends its data responses (points, batches) on
// Responses, from any goroutine.
type Agent struct {
	In      io.Reader
	Out     io.Writer
	Handler Handler

	// Responses carries the handler's responses to the program. Start makes
	// it; the agent closes it after Handler.Stop returns.
	Responses chan<- *Response

	responses chan *Response
	readErr   error
	writeErr  error
	readDone  chan struct{}
	writeDone chan struct{}
	stopOnce  sync.Once
}

// New returns an agent reading requests from in and writing responses to
// out. Set its Handler before Start.
func New(in io.Reader, out io.Writer) *Agent {
	return &Agent{In: in, Out: out}
}

// Start starts the agent's reading and writing goroutines.
func (a *Agent) Start() error {
	if a.Handler == nil {
		return errors.New("agent: no handler")
	}
	a.responses = make(chan *Response, 100)
	a.Responses = a.responses
	a.readDone = make(chan struct{})
	a.writeDone = make(chan struct{})
	go a.write()
	go a.read()
	return nil
}

// Wait waits until the input has ended and every response is written, and
// returns the first error met.
func (a *Agent) Wait() error {
	<-a.readDone
	<-a.writeDone
	if a.readErr != nil {
		return a.readErr
	}
	return a.writeErr
}

// stop calls the handler's Stop once and closes the responses.
func (a *Agent) stop() {
	a.stopOnce.Do(func() {
		a.Handler.Stop()
		close(a.responses)
	})
}

func (a *Agent) read() {
	defer close(a.readDone)
	defer a.stop()
	r := bufio.NewReader(a.In)
	var buf []byte
	var err error
	req := &Request{}
	for {
		buf, err = ReadMessage(r, req, buf)
		if err == io.EOF {
			return
		}
		if err != nil {
			a.readErr = fmt.Errorf("agent: %w", err)
			return
		}
		if err := a.handle(req); err != nil {
			a.readErr = err
			a.responses <- &Response{Message: &Response_Error{Error: &ErrorResponse{Error: err.Error()}}}
			return
		}
	}
}

// handle answers one request.
func (a *Agent) handle(req *Request) error {
	var resp *Response
	switch m := req.Message.(type) {
	case *Request_Info:
		info, err := a.Handler.Info()
		if err != nil {
			return err
		}
		resp = &Response{Message: &Response_Info{Info: info}}
	case *Request_Init:
		init, err := a.Handler.Init(m.Init)
		if err != nil {
			return err
		}
		resp = &Response{Message: &Response_Init{Init: init}}
	case *Request_Keepalive:
		resp = &Response{Message: &Response_Keepalive{Keepalive: &KeepaliveResponse{Time: m.Keepalive.GetTime()}}}
	case *Request_Snapshot:
		snap, err := a.Handler.Snapshot()
		if err != nil {
			return err
		}
		resp = &Response{Message: &Response_Snapshot{Snapshot: snap}}
	case *Request_Restore:
		res, err := a.Handler.Restore(m.Restore)
		if err != nil {
			return err
		}
		resp = &Response{Message: &Response_Restore{Restore: res}}
	case *Request_Begin:
		return a.Handler.BeginBatch(m.Begin)
	case *Request_Point:
		return a.Handler.Point(m.Point)
	case *Request_End:
		return a.Handler.EndBatch(m.End)
	default:
		return fmt.Errorf("agent: unknown request %T", req.Message)
	}
	a.responses <- resp
	return nil
}

func (a *Agent) write() {
	defer close(a.writeDone)
	w := bufio.NewWriter(a.Out)
	var buf []byte
	var err error
	for resp := range a.responses {
		if a.writeErr != nil {
			continue // drain, so that senders never block
		}
		if buf, err = WriteMessage(w, resp, buf); err == nil && len(a.responses) == 0 {
			err = w.Flush()
		}
		if err != nil {
			a.writeErr = fmt.Errorf("agent: %w", err)
		}
	}
	if a.writeErr == nil {
		if err := w.Flush(); err != nil {
			a.writeErr = fmt.Errorf("agent: %w", err)
		}
	}
}
