package udf

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tickc/tickc/udf/agent"
)

// Conn is one connection to a UDF: the standard input and output of a
// process started for it, or a unix socket connection. Requests may be sent
// from several goroutines; responses must be read from one.
type Conn struct {
	name string
	cmd  *exec.Cmd
	sock net.Conn

	w    io.WriteCloser
	bw   *bufio.Writer
	wmu  sync.Mutex
	wbuf []byte

	r    *bufio.Reader
	rbuf []byte
	out  io.Closer // the read end of the process's standard output

	stderrDone chan struct{} // closed when the process's stderr is drained; nil for a socket
	killOnce   sync.Once
}

// Open starts the UDF's process or dials its socket. Each line the process
// writes to its standard error is passed to stderr, which may be nil.
func Open(name string, fc FunctionConfig, stderr func(line string)) (*Conn, error) {
	c := &Conn{name: name}
	if fc.Socket != "" {
		conn, err := net.DialTimeout("unix", fc.Socket, fc.Timeout)
		if err != nil {
			return nil, err
		}
		c.sock, c.w = conn, conn
		c.r = bufio.NewReaderSize(conn, 64<<10)
		c.bw = bufio.NewWriterSize(conn, 64<<10)
		return c, nil
	}
	cmd := exec.Command(fc.Prog, fc.Args...)
	if len(fc.Env) > 0 {
		env := os.Environ()
		keys := make([]string, 0, len(fc.Env))
		for k := range fc.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			env = append(env, k+"="+fc.Env[k])
		}
		cmd.Env = env
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	// A process whose children keep its output open must not block Wait.
	cmd.WaitDelay = fc.Timeout
	c.cmd, c.w, c.out = cmd, in, out
	c.r = bufio.NewReaderSize(out, 64<<10)
	c.bw = bufio.NewWriterSize(in, 64<<10)
	c.stderrDone = make(chan struct{})
	go func() {
		defer close(c.stderrDone)
		sc := bufio.NewScanner(errPipe)
		sc.Buffer(make([]byte, 4096), 1<<20)
		for sc.Scan() {
			if stderr != nil {
				stderr(sc.Text())
			}
		}
		// A line too long for the scanner: discard the rest so the process
		// never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, errPipe)
	}()
	return c, nil
}

// Send writes one request and flushes it.
func (c *Conn) Send(req *agent.Request) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.send(req, true)
}

// SendBuffered writes one request without flushing; Flush sends what is
// buffered. It saves a system call per point within a batch.
func (c *Conn) SendBuffered(req *agent.Request) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.send(req, false)
}

// Flush sends the buffered requests.
func (c *Conn) Flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.bw.Flush(); err != nil {
		return c.writeErr(err)
	}
	return nil
}

// TrySend sends req unless another request is being written: a keepalive
// need not wait behind data, which proves the connection alive anyway. It
// reports whether req was sent.
func (c *Conn) TrySend(req *agent.Request) (bool, error) {
	if !c.wmu.TryLock() {
		return false, nil
	}
	defer c.wmu.Unlock()
	return true, c.send(req, true)
}

func (c *Conn) send(req *agent.Request, flush bool) error {
	var err error
	if c.wbuf, err = agent.WriteMessage(c.bw, req, c.wbuf); err != nil {
		return c.writeErr(err)
	}
	if flush {
		if err := c.bw.Flush(); err != nil {
			return c.writeErr(err)
		}
	}
	return nil
}

func (c *Conn) writeErr(err error) error {
	return fmt.Errorf("writing a request: %w", err)
}

// Recv reads the next response. It returns io.EOF when the UDF has closed
// its output between two messages.
func (c *Conn) Recv(resp *agent.Response) error {
	var err error
	c.rbuf, err = agent.ReadMessage(c.r, resp, c.rbuf)
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return fmt.Errorf("reading a response: %w", err)
	}
	return nil
}

// CloseWrite tells the UDF that no more requests come: it closes the
// process's standard input or half-closes the socket.
func (c *Conn) CloseWrite() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.bw.Flush()
	if uc, ok := c.sock.(*net.UnixConn); ok {
		return uc.CloseWrite()
	}
	return c.w.Close()
}

// Kill ends the connection at once: it kills the process and closes its
// pipes, or closes the socket. Blocked Send and Recv calls return, even when
// a child of the process keeps the pipes open.
func (c *Conn) Kill() {
	c.killOnce.Do(func() {
		if c.cmd != nil {
			_ = c.cmd.Process.Kill()
			c.out.Close()
			c.w.Close()
			return
		}
		c.sock.Close()
	})
}

// Wait waits for the process to exit and returns its exit error; it must be
// called once Recv has returned an error. For a socket it closes the
// connection.
func (c *Conn) Wait() error {
	if c.cmd == nil {
		c.sock.Close()
		return nil
	}
	// Wait closes the pipes once the process has exited: give the logger of
	// its standard error a moment to read what is left.
	select {
	case <-c.stderrDone:
	case <-time.After(100 * time.Millisecond):
	}
	err := c.cmd.Wait()
	<-c.stderrDone
	return err
}

// Info asks the UDF configured as fc what it wants, provides and accepts as
// options, in a connection of its own, as Kapacitor does when it starts.
func Info(name string, fc FunctionConfig) (*agent.InfoResponse, error) {
	info, err := info(name, fc)
	if err != nil {
		return nil, fmt.Errorf("UDF @%s: %w", name, err)
	}
	return info, nil
}

func info(name string, fc FunctionConfig) (*agent.InfoResponse, error) {
	var lastLines []string
	var mu sync.Mutex
	c, err := Open(name, fc, func(line string) {
		mu.Lock()
		if len(lastLines) < 5 {
			lastLines = append(lastLines, line)
		}
		mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	type result struct {
		info *agent.InfoResponse
		err  error
	}
	done := make(chan result, 1)
	go func() {
		if err := c.Send(&agent.Request{Message: &agent.Request_Info{Info: &agent.InfoRequest{}}}); err != nil {
			done <- result{err: err}
			return
		}
		for {
			resp := &agent.Response{}
			if err := c.Recv(resp); err != nil {
				if err == io.EOF {
					err = errors.New("closed its output before answering the info request")
				}
				done <- result{err: err}
				return
			}
			switch m := resp.Message.(type) {
			case *agent.Response_Info:
				done <- result{info: m.Info}
				return
			case *agent.Response_Error:
				done <- result{err: errors.New(m.Error.GetError())}
				return
			case *agent.Response_Keepalive:
			default:
				done <- result{err: fmt.Errorf("answered the info request with %s", responseName(resp))}
				return
			}
		}
	}()
	var res result
	select {
	case res = <-done:
	case <-time.After(fc.Timeout):
		res.err = fmt.Errorf("no answer to the info request within %v", fc.Timeout)
		c.Kill()
		<-done
	}
	_ = c.CloseWrite()
	// A UDF gets the time of its timeout to exit after its input closed.
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	select {
	case werr := <-exited:
		if res.err != nil && werr != nil && c.cmd != nil {
			res.err = fmt.Errorf("%w (%v)", res.err, werr)
		}
	case <-time.After(fc.Timeout):
		c.Kill()
		<-exited
	}
	if res.err != nil {
		mu.Lock()
		if len(lastLines) > 0 {
			res.err = fmt.Errorf("%w; its standard error: %s", res.err, strings.Join(lastLines, " | "))
		}
		mu.Unlock()
		return nil, res.err
	}
	if err := CheckInfo(res.info); err != nil {
		return nil, err
	}
	return res.info, nil
}

// CheckInfo checks an info response: known edge and value types.
func CheckInfo(info *agent.InfoResponse) error {
	for _, e := range []agent.EdgeType{info.GetWants(), info.GetProvides()} {
		if e != agent.EdgeType_STREAM && e != agent.EdgeType_BATCH {
			return fmt.Errorf("unknown edge type %d in its info response", int32(e))
		}
	}
	for name, o := range info.GetOptions() {
		for _, t := range o.GetValueTypes() {
			if _, ok := agent.ValueType_name[int32(t)]; !ok {
				return fmt.Errorf("unknown value type %d of option %s in its info response", int32(t), name)
			}
		}
	}
	return nil
}

// responseName names the kind of a response for messages.
func responseName(r *agent.Response) string {
	switch r.Message.(type) {
	case *agent.Response_Info:
		return "an info response"
	case *agent.Response_Init:
		return "an init response"
	case *agent.Response_Keepalive:
		return "a keepalive response"
	case *agent.Response_Snapshot:
		return "a snapshot response"
	case *agent.Response_Restore:
		return "a restore response"
	case *agent.Response_Error:
		return "an error response"
	case *agent.Response_Begin:
		return "a begin batch"
	case *agent.Response_Point:
		return "a point"
	case *agent.Response_End:
		return "an end batch"
	}
	return "an empty response"
}

// ResponseName names the kind of a response for messages: "a point", "an
// init response", …
func ResponseName(r *agent.Response) string { return responseName(r) }
