package runtime

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// serveTest runs a program with one hand-built stream task (stream ->
// httpOut('out'), every measurement, dbrps dbname.rpname and dbname.autogen)
// on a real listener.
type serveTest struct {
	t      *testing.T
	base   string
	cancel context.CancelFunc
	errc   chan error
	dones  *atomic.Int32
	points *atomic.Int32
}

func startServe(t *testing.T, cfg *Config) *serveTest {
	t.Helper()
	st := &serveTest{t: t, dones: new(atomic.Int32), points: new(atomic.Int32)}
	spec := TaskSpec{
		Name:  "task1",
		Type:  StreamTask,
		DBRPs: []DBRP{{"dbname", "rpname"}, {"dbname", "autogen"}},
		Build: func(t *Task) error {
			t.AddMeasurement("")
			out := NewHTTPOut(t, NodeInfo{Name: "http_out1"}, HTTPOutConfig{Endpoint: "out"})
			t.Stream().AddChild(out)
			out.AddChild(&countSpy{points: st.points, dones: st.dones})
			return nil
		},
	}
	p, err := NewProgram([]TaskSpec{spec}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st.cancel = cancel
	st.errc = make(chan error, 1)
	st.base = "http://" + ln.Addr().String()
	go func() { st.errc <- Serve(ctx, p, ln, cfg, nil) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-st.errc:
		case <-time.After(5 * time.Second):
			t.Error("server did not stop")
		}
	})
	return st
}

// countSpy counts points and Done calls; it runs on the task goroutine and is
// read from the test's.
type countSpy struct{ points, dones *atomic.Int32 }

func (s *countSpy) Point(Point)            { s.points.Add(1) }
func (s *countSpy) Batch(Batch)            {}
func (s *countSpy) Barrier(GroupID, int64) {}
func (s *countSpy) DeleteGroup(GroupID)    {}
func (s *countSpy) Done()                  { s.dones.Add(1) }

func (st *serveTest) do(method, path string, body []byte, hdr ...string) (int, http.Header, string) {
	st.t.Helper()
	req, err := http.NewRequest(method, st.base+path, bytes.NewReader(body))
	if err != nil {
		st.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	// No transparent gzip: the test sees what the server sends.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestServeWriteAndHTTPOut(t *testing.T) {
	st := startServe(t, NewConfig())

	code, hdr, body := st.do("GET", "/kapacitor/v1/tasks/task1/out", nil)
	if code != 200 || body != `{"series":null}` || hdr.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("empty httpOut: %d %q %v", code, body, hdr)
	}

	code, _, body = st.do("POST", "/write?db=dbname&rp=rpname&precision=s",
		[]byte("cpu,host=serverA value=97.1 31536000\n"))
	if code != 204 || body != "" {
		t.Fatalf("write: %d %q", code, body)
	}
	// The write returned after the task processed the point.
	want := `{"series":[{"name":"cpu","tags":{"host":"serverA"},"columns":["time","value"],"values":[["1971-01-01T00:00:00Z",97.1]]}]}`
	if code, _, body = st.do("GET", "/kapacitor/v1/tasks/task1/out", nil); code != 200 || body != want {
		t.Errorf("httpOut: %d\n%s\nwant\n%s", code, body, want)
	}

	// gzip body on the Kapacitor path; no rp: the default retention policy.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	io.WriteString(zw, "cpu,host=serverA value=1i 31536001000000000\n")
	zw.Close()
	code, _, body = st.do("POST", "/kapacitor/v1/write?db=dbname", zb.Bytes(), "Content-Encoding", "gzip")
	if code != 204 {
		t.Fatalf("gzip write: %d %q", code, body)
	}
	want = `{"series":[{"name":"cpu","tags":{"host":"serverA"},"columns":["time","value"],"values":[["1971-01-01T00:00:01Z",1]]}]}`
	if _, _, body = st.do("GET", "/kapacitor/v1preview/tasks/task1/out", nil); body != want {
		t.Errorf("after gzip write:\n%s\nwant\n%s", body, want)
	}

	// A gzipped answer when the client asks for it.
	_, hdr, body = st.do("GET", "/kapacitor/v1/tasks/task1/out", nil, "Accept-Encoding", "gzip")
	if hdr.Get("Content-Encoding") != "gzip" {
		t.Errorf("no gzip answer: %v", hdr)
	} else if zr, err := gzip.NewReader(strings.NewReader(body)); err != nil {
		t.Error(err)
	} else if b, _ := io.ReadAll(zr); string(b) != want {
		t.Errorf("gzipped body %s", b)
	}

	// Points of another dbrp do not reach the task.
	if code, _, _ = st.do("POST", "/write?db=other", []byte("cpu value=5 1\n")); code != 204 {
		t.Errorf("write to another db: %d", code)
	}
	if n := st.points.Load(); n != 2 {
		t.Errorf("the task saw %d points, want 2", n)
	}
}

func TestServeErrors(t *testing.T) {
	cfg := NewConfig()
	cfg.HTTP.MaxBodySize = 64
	st := startServe(t, cfg)

	cases := []struct {
		method, path, body string
		hdr                []string
		code               int
		wantBody           string
	}{
		{"POST", "/write", "cpu value=1 1\n", nil, 400, "database is required\n"},
		{"POST", "/write?db=dbname", "cpu value= 1\n", nil, 400, "unable to parse 'cpu value= 1': "},
		{"POST", "/write?db=dbname", "cpu\n", nil, 400, "unable to parse 'cpu': missing fields\n"},
		{"POST", "/write?db=dbname&precision=d", "cpu value=1 1\n", nil, 400, "invalid precision"},
		{"POST", "/write?db=dbname", strings.Repeat("cpu value=1 1\n", 10), nil, 413, "Request Entity Too Large\n"},
		{"POST", "/write?db=dbname", "not gzip", []string{"Content-Encoding", "gzip"}, 400, ""},
		{"OPTIONS", "/write", "", nil, 204, ""},
		{"OPTIONS", "/kapacitor/v1/write", "", nil, 204, ""},
		{"GET", "/kapacitor/v1/ping", "", nil, 204, ""},
		{"HEAD", "/kapacitor/v1/ping", "", nil, 204, ""},
		{"GET", "/kapacitor/v1preview/ping", "", nil, 204, ""},
		{"GET", "/kapacitor/v1/tasks/task1/nope", "", nil, 404, "{\n    \"error\": \"Not Found\",\n    \"message\": \"Not Found\"\n}"},
		{"GET", "/kapacitor/v1/tasks/nope/out", "", nil, 404, ""},
		{"GET", "/write", "", nil, 404, ""},
		{"GET", "/", "", nil, 404, ""},
	}
	for _, c := range cases {
		code, hdr, body := st.do(c.method, c.path, []byte(c.body), c.hdr...)
		if code != c.code || !strings.HasPrefix(body, c.wantBody) {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, code, body, c.code, c.wantBody)
		}
		if hdr.Get("X-Kapacitor-Version") == "" || hdr.Get("Request-Id") == "" || hdr.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s %s: headers %v", c.method, c.path, hdr)
		}
	}
	// A gzipped body over the limit once decompressed is refused too.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	io.WriteString(zw, strings.Repeat("cpu value=1 1\n", 100))
	zw.Close()
	if code, _, _ := st.do("POST", "/write?db=dbname", zb.Bytes(), "Content-Encoding", "gzip"); code != 413 {
		t.Errorf("gzip bomb: %d", code)
	}
	// Request-Id is echoed.
	if _, hdr, _ := st.do("GET", "/kapacitor/v1/ping", nil, "Request-Id", "abc-123"); hdr.Get("Request-Id") != "abc-123" {
		t.Errorf("Request-Id not echoed: %v", hdr)
	}
	if n := st.points.Load(); n != 0 {
		t.Errorf("rejected writes delivered %d points", n)
	}
}

func TestServeGracefulShutdown(t *testing.T) {
	st := startServe(t, NewConfig())
	if code, _, _ := st.do("POST", "/write?db=dbname&rp=rpname", []byte("cpu value=1 1\n")); code != 204 {
		t.Fatal("write failed")
	}
	st.cancel()
	select {
	case err := <-st.errc:
		if err != nil {
			t.Errorf("Serve returned %v", err)
		}
		st.errc <- nil // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	if n := st.dones.Load(); n != 1 {
		t.Errorf("Done reached the task %d times, want 1", n)
	}
	if _, err := http.Get(st.base + "/kapacitor/v1/ping"); err == nil {
		t.Error("server still accepts connections")
	}
}

func TestServePprof(t *testing.T) {
	cfg := NewConfig()
	if code, _, _ := startServe(t, cfg).do("GET", "/kapacitor/v1/debug/pprof/", nil); code != 404 {
		t.Errorf("pprof served while disabled: %d", code)
	}
	cfg = NewConfig()
	cfg.HTTP.PprofEnabled = true
	if code, _, body := startServe(t, cfg).do("GET", "/kapacitor/v1/debug/pprof/", nil); code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("pprof index: %d", code)
	}
}
