package runtime

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// postRecorder is an HTTP server on 127.0.0.1 that records every request.
// status, when set, gives the status code of the n-th request (from 0).
type postRecorder struct {
	srv    *httptest.Server
	status func(n int) int

	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	paths   []string
}

func newPostRecorder(t *testing.T) *postRecorder {
	r := &postRecorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := len(r.bodies)
		r.bodies = append(r.bodies, body)
		r.headers = append(r.headers, req.Header.Clone())
		r.paths = append(r.paths, req.URL.Path)
		r.mu.Unlock()
		if r.status != nil {
			w.WriteHeader(r.status(n))
			io.WriteString(w, "status body")
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *postRecorder) got() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

// tcpRecorder is a TCP listener on 127.0.0.1 that records what each
// connection sends.
type tcpRecorder struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs [][]byte
	wg   sync.WaitGroup
}

func newTCPRecorder(t *testing.T) *tcpRecorder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &tcpRecorder{ln: ln}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			data, _ := io.ReadAll(c)
			c.Close()
			r.mu.Lock()
			r.msgs = append(r.msgs, data)
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { ln.Close(); r.wg.Wait() })
	return r
}

func (r *tcpRecorder) addr() string { return r.ln.Addr().String() }

func (r *tcpRecorder) got() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.msgs...)
}

// testEvent is an event with a body, as the alert node hands it over.
func testEvent(id string) *AlertEvent {
	return &AlertEvent{ID: id, Body: []byte(`{"id":"` + id + `"}` + "\n")}
}

func TestPostHandlerDelivers(t *testing.T) {
	rec := newPostRecorder(t)
	h := NewPostHandler(nil, PostHandlerConfig{URL: rec.srv.URL + "/alerts/{{ .ID }}", Headers: map[string]string{"X-Team": "ops"}})
	if h.Err() != nil {
		t.Fatal(h.Err())
	}
	h.Handle(testEvent("a"))
	h.Handle(testEvent("b"))
	h.Close()
	got := rec.got()
	if len(got) != 2 || string(got[0]) != "{\"id\":\"a\"}\n" || string(got[1]) != "{\"id\":\"b\"}\n" {
		t.Fatalf("bodies = %q", got)
	}
	if rec.paths[0] != "/alerts/a" || rec.paths[1] != "/alerts/b" {
		t.Errorf("paths = %q", rec.paths)
	}
	if ct := rec.headers[0].Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if v := rec.headers[0].Get("X-Team"); v != "ops" {
		t.Errorf("X-Team = %q", v)
	}
	if d := h.Stats().Delivered.Load(); d != 2 {
		t.Errorf("delivered = %d", d)
	}
}

func TestPostHandlerRetries(t *testing.T) {
	rec := newPostRecorder(t)
	rec.status = func(n int) int {
		if n == 0 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	h := NewPostHandler(nil, PostHandlerConfig{URL: rec.srv.URL})
	h.queue.backoff = time.Millisecond
	h.Handle(testEvent("a"))
	h.Close()
	if n := len(rec.got()); n != 2 {
		t.Errorf("requests = %d, want 2 (one retry)", n)
	}
	s := h.Stats()
	if s.Delivered.Load() != 1 || s.Retries.Load() != 1 || s.Failed.Load() != 0 {
		t.Errorf("delivered %d retries %d failed %d", s.Delivered.Load(), s.Retries.Load(), s.Failed.Load())
	}
}

func TestPostHandlerDoesNotRetryClientErrors(t *testing.T) {
	rec := newPostRecorder(t)
	rec.status = func(int) int { return http.StatusBadRequest }
	h := NewPostHandler(nil, PostHandlerConfig{URL: rec.srv.URL, CaptureResponse: true})
	h.Handle(testEvent("a"))
	h.Close()
	if n := len(rec.got()); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
	if f := h.Stats().Failed.Load(); f != 1 {
		t.Errorf("failed = %d", f)
	}
	var se *httpStatusError
	_, err := postJSON(context.Background(), http.DefaultClient, rec.srv.URL, nil, nil, true)
	if !errors.As(err, &se) || se.code != 400 || se.body != "status body" {
		t.Errorf("postJSON error = %v", err)
	}
}

// TestDeadReceiverDoesNotBlock posts to a server that never answers and to a
// port nobody listens on: Handle returns at once, Close gives up after its
// flush timeout, and the losses are counted.
func TestDeadReceiverDoesNotBlock(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()

	post := NewPostHandler(nil, PostHandlerConfig{URL: hang.URL, Timeout: 50 * time.Millisecond})
	post.queue.length = 10
	post.queue.flush = 300 * time.Millisecond
	post.queue.backoff = time.Millisecond
	tcp := NewTCPHandler(nil, TCPHandlerConfig{Address: closedAddr})
	tcp.queue.backoff = time.Millisecond

	start := time.Now()
	for i := 0; i < 100; i++ {
		post.Handle(testEvent("x"))
		tcp.Handle(testEvent("y"))
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("Handle blocked for %v", d)
	}
	start = time.Now()
	post.Close()
	tcp.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	ps := post.Stats()
	if ps.Delivered.Load() != 0 || ps.Dropped.Load() == 0 || ps.Failed.Load()+ps.Dropped.Load() != 100 {
		t.Errorf("post: delivered %d failed %d dropped %d", ps.Delivered.Load(), ps.Failed.Load(), ps.Dropped.Load())
	}
	ts := tcp.Stats()
	if ts.Delivered.Load() != 0 || ts.Failed.Load()+ts.Dropped.Load() != 100 {
		t.Errorf("tcp: delivered %d failed %d dropped %d", ts.Delivered.Load(), ts.Failed.Load(), ts.Dropped.Load())
	}
	// A closed handler drops what it is given.
	post.Handle(testEvent("late"))
	if ps.Dropped.Load()+ps.Failed.Load() != 101 {
		t.Errorf("event after Close not counted as dropped")
	}
}

func TestTCPHandlerOneConnectionPerEvent(t *testing.T) {
	rec := newTCPRecorder(t)
	h := NewTCPHandler(nil, TCPHandlerConfig{Address: rec.addr()})
	h.Handle(testEvent("a"))
	h.Handle(testEvent("b"))
	h.Close()
	deadline := time.Now().Add(2 * time.Second)
	for len(rec.got()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	got := rec.got()
	if len(got) != 2 || string(got[0]) != "{\"id\":\"a\"}\n\n" || string(got[1]) != "{\"id\":\"b\"}\n\n" {
		t.Errorf("connections got %q", got)
	}
}

func TestLogHandler(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		mode, want os.FileMode
	}{{0, 0o600}, {0o644, 0o644}} {
		path := filepath.Join(dir, "alerts-"+tc.want.String()+".log")
		h := NewLogHandler(nil, LogHandlerConfig{Path: path, Mode: tc.mode})
		if h.Err() != nil {
			t.Fatal(h.Err())
		}
		h.Handle(testEvent("a"))
		h.Handle(testEvent("b"))
		h.Close()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != "{\"id\":\"a\"}\n{\"id\":\"b\"}\n" {
			t.Errorf("log = %q", data)
		}
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != tc.want {
			t.Errorf("mode = %v, want %v", fi.Mode().Perm(), tc.want)
		}
	}
}

func TestHandlerConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		h    interface{ Err() error }
		want string
	}{
		{NewLogHandler(nil, LogHandlerConfig{Path: "alerts.log"}), "log path must be absolute: alerts.log is not absolute"},
		{NewLogHandler(nil, LogHandlerConfig{Path: "/tmp/a.log", Mode: 0o444}), "invalid file mode -r--r--r--, must be user writable"},
		{NewPostHandler(nil, PostHandlerConfig{}), "url must be specified"},
		{NewPostHandler(nil, PostHandlerConfig{URL: "http://x/{{ .ID "}), "failed to parse url template"},
		{NewTCPHandler(nil, TCPHandlerConfig{}), "an address must be specified"},
	} {
		if err := tc.h.Err(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%T: err = %v, want %q", tc.h, err, tc.want)
		}
	}
}

// TestNoHandlersDeliversNothing: with the task's handlers off (replay
// --no-handlers) nothing is sent.
func TestNoHandlersDeliversNothing(t *testing.T) {
	rec := newPostRecorder(t)
	task := &Task{Name: "t", Handlers: false}
	h := NewPostHandler(task, PostHandlerConfig{URL: rec.srv.URL})
	h.Handle(testEvent("a"))
	h.Close()
	if len(rec.got()) != 0 {
		t.Errorf("delivered %d events with handlers off", len(rec.got()))
	}
}

// TestHandlerFailureIsLogged: a failed delivery is logged with the handler's
// target and the alert node, and counted.
func TestHandlerFailureIsLogged(t *testing.T) {
	var logs strings.Builder
	task, err := NewTask(TaskSpec{Name: "task", Type: StreamTask}, nil, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	h := NewTCPHandler(task, TCPHandlerConfig{Address: addr})
	h.queue.backoff = time.Millisecond
	n := NewAlert(task, NodeInfo{Name: "alert3", Pos: "x.tick:4:2"}, alertDefaults(AlertConfig{Crit: alwaysTrue, Handlers: []AlertHandler{h}}))
	n.Point(mkPoint(1, nil, mkFields("v", 1.0)))
	n.Done()
	for _, want := range []string{"alert handler failed", "handler=\"tcp " + addr + "\"", "node=alert3", "pos=x.tick:4:2", "attempts=3"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if h.Stats().Failed.Load() != 1 || h.Stats().Retries.Load() != 2 {
		t.Errorf("failed %d retries %d", h.Stats().Failed.Load(), h.Stats().Retries.Load())
	}
}
