package influxtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// URLEnv names the environment variable holding the address of a running
// InfluxDB that the tests share, such as "http://127.0.0.1:38086".
const URLEnv = "TICKC_INFLUXDB_URL"

// Binary finds the influxd binary: $TICKC_INFLUXD, the directory
// scripts/influxd.sh installs it to, then $PATH. It returns "" when there is
// none.
func Binary() string {
	if p := os.Getenv("TICKC_INFLUXD"); p != "" {
		return p
	}
	cache := os.Getenv("TICKC_INFLUXD_CACHE")
	if cache == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(dir, "tickc", "influxd")
		}
	}
	if cache != "" {
		p := filepath.Join(cache, "bin", "influxd")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath("influxd"); err == nil {
		return p
	}
	return ""
}

// installHint is the skip message when there is no influxd.
const installHint = "influxd is not installed: run scripts/influxd.sh install (or set TICKC_INFLUXD), or point " +
	URLEnv + " at a running InfluxDB 1.8"

// Server is one InfluxDB process with a data directory of its own on a free
// loopback port.
type Server struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
	exited   chan struct{}
}

// NewServer prepares a server of binary bin with a fresh data directory; it
// does not start it.
func NewServer(bin string) (*Server, error) {
	port, err := freePortPair()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "tickc-influxd-")
	if err != nil {
		return nil, err
	}
	// The backup service takes the port after the HTTP one.
	conf := fmt.Sprintf(`reporting-disabled = true
bind-address = "127.0.0.1:%d"
[meta]
  dir = %q
[data]
  dir = %q
  wal-dir = %q
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:%d"
  log-enabled = false
[monitor]
  store-enabled = false
`, port+1, filepath.Join(dir, "meta"), filepath.Join(dir, "data"), filepath.Join(dir, "wal"), port)
	if err := os.WriteFile(filepath.Join(dir, "influxd.conf"), []byte(conf), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Server{bin: bin, dir: dir, port: port}, nil
}

// freePortPair finds a port p with p and p+1 free on 127.0.0.1.
func freePortPair() (int, error) {
	for range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		p := ln.Addr().(*net.TCPAddr).Port
		ln2, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
		ln.Close()
		if err == nil {
			ln2.Close()
			return p, nil
		}
	}
	return 0, errors.New("no two consecutive free ports on 127.0.0.1")
}

// URL is the server's HTTP address.
func (s *Server) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.port) }

// Start runs the server (again, after Kill, on the same data) and waits
// until it answers /ping.
func (s *Server) Start() error {
	log, err := os.OpenFile(filepath.Join(s.dir, "influxd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, "-config", filepath.Join(s.dir, "influxd.conf"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return err
	}
	s.cmd = cmd
	exited := make(chan struct{})
	s.exited = exited
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(exited)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL() + "/ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusNoContent {
				return nil
			}
		}
		select {
		case <-exited:
			s.cmd = nil
			out, _ := os.ReadFile(filepath.Join(s.dir, "influxd.log"))
			return fmt.Errorf("influxd exited at start:\n%s", out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.Kill()
	return errors.New("influxd did not answer /ping within 30s")
}

// Kill stops the process and keeps its data: SIGINT, then SIGKILL after 10s.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// Stop kills the server and removes its data directory.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	s.Kill()
	os.RemoveAll(s.dir)
}

// skipIfShort skips t in -short mode.
func skipIfShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("InfluxDB integration test: skipped in -short mode")
	}
}

// Private starts a server for t alone and stops it when t ends, or skips t
// when influxd is not installed. It is for tests that stop InfluxDB.
func Private(t testing.TB) *Server {
	t.Helper()
	skipIfShort(t)
	bin := Binary()
	if bin == "" {
		t.Skip(installHint)
	}
	s, err := NewServer(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}

// The server of this test binary, when $TICKC_INFLUXDB_URL is not set.
var shared struct {
	mainRuns bool // Main is running the tests
	once     sync.Once
	srv      *Server
	url      string
	skip     string // why the tests skip, when there is no influxd
	err      error
}

// Shared returns the address of the InfluxDB shared by the tests: the one in
// $TICKC_INFLUXDB_URL, else a server started at the first call and stopped
// by Main. It skips t when neither is possible.
func Shared(t testing.TB) string {
	t.Helper()
	skipIfShort(t)
	if u := os.Getenv(URLEnv); u != "" {
		return strings.TrimRight(u, "/")
	}
	if !shared.mainRuns {
		t.Fatal("influxtest.Shared needs the package's TestMain to call influxtest.Main, which stops the server")
	}
	shared.once.Do(func() {
		bin := Binary()
		if bin == "" {
			shared.skip = installHint
			return
		}
		s, err := NewServer(bin)
		if err == nil {
			err = s.Start()
		}
		if err != nil {
			if s != nil {
				s.Stop()
			}
			shared.err = err
			return
		}
		shared.srv, shared.url = s, s.URL()
	})
	switch {
	case shared.skip != "":
		t.Skip(shared.skip)
	case shared.err != nil:
		t.Fatal(shared.err)
	}
	return shared.url
}

// Main runs the tests of m and then stops the server Shared started, if any;
// it returns the exit code. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(influxtest.Main(m)) }
func Main(m *testing.M) int {
	shared.mainRuns = true
	defer func() {
		if shared.srv != nil {
			shared.srv.Stop()
		}
	}()
	return m.Run()
}

var (
	runID = strconv.FormatInt(int64(os.Getpid()), 36) + strconv.FormatInt(time.Now().UnixNano()%(1<<32), 36)
	names atomic.Int64
)

// Name returns prefix followed by a suffix unique to this process and call,
// for a database or tag value no other test and no earlier run uses. It is a
// valid InfluxQL identifier when prefix starts with a letter.
func Name(prefix string) string {
	return fmt.Sprintf("%s_%s_%d", prefix, runID, names.Add(1))
}

// Series is one series of a /query answer; numbers are json.Number.
type Series struct {
	Name    string            `json:"name"`
	Tags    map[string]string `json:"tags"`
	Columns []string          `json:"columns"`
	Values  [][]any           `json:"values"`
}

// Query runs an InfluxQL statement on the server at base and returns its
// series; an error of the request or of the statement fails t.
func Query(t testing.TB, base, q string) []Series {
	t.Helper()
	series, err := TryQuery(base, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return series
}

// TryQuery is Query for polling: it returns the error.
func TryQuery(base, q string) ([]Series, error) {
	resp, err := http.PostForm(base+"/query", url.Values{"q": {q}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var out struct {
		Results []struct {
			Series []Series `json:"series"`
			Err    string   `json:"error"`
		} `json:"results"`
		Err string `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("%v: %s", err, body)
	}
	switch {
	case out.Err != "":
		return nil, errors.New(out.Err)
	case len(out.Results) == 0:
		return nil, fmt.Errorf("no result: %s", body)
	case out.Results[0].Err != "":
		return nil, errors.New(out.Results[0].Err)
	}
	return out.Results[0].Series, nil
}

// Write writes lines of line protocol with times of the given precision
// ("s", "ns", …) into database db of the server at base.
func Write(t testing.TB, base, db, precision, lines string) {
	t.Helper()
	q := url.Values{"db": {db}, "precision": {precision}}
	resp, err := http.Post(base+"/write?"+q.Encode(), "text/plain", strings.NewReader(lines))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("write into %s: %d %s", db, resp.StatusCode, b)
	}
}
