package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The checkpoint tests run a real program three times on the same
// minute of data: A without stopping; B writes the first half, waits for a
// periodic checkpoint, is killed with SIGKILL, restarts and writes the
// second half; C is the same with SIGTERM. The httpOut results and the
// alert events of B and C must be A's. The data crosses the restart
// everywhere state matters: a window of the first half is emitted in the
// second, an alert level set before it changes after it, a stateCount run
// and a derivative go on across it.
const checkpointScript = `dbrp "telegraf"."autogen"

var data = stream
    |from()
        .measurement('cpu')
        .groupBy('host')

data
    |window()
        .period(10s)
        .every(10s)
    |mean('usage')
        .as('mean')
    |alert()
        .crit(lambda: "mean" > THRESHOLD)
        .stateChangesOnly()
        .post('EVENTS')
    |httpOut('alerts')

data
    |stateCount(lambda: "usage" > 50)
        .as('high')
    |derivative('usage')
        .as('rate')
    |httpOut('rates')
`

// checkpointData is the line protocol of second s: one point per host.
func checkpointData(s int) string {
	a := 90
	if s >= 20 && s < 40 {
		a = 10
	}
	b := 40 + (s%25)*3
	return fmt.Sprintf("cpu,host=a usage=%d %d\ncpu,host=b usage=%d %d\n", a, s, b, s)
}

// eventLog collects the alert events the programs post.
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (l *eventLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	l.events = append(l.events, strings.TrimSpace(string(body)))
	l.mu.Unlock()
}

// take returns the events so far, sorted (handlers may deliver two
// groups' events in either order), and forgets them.
func (l *eventLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.events
	l.events = nil
	sort.Strings(ev)
	return ev
}

// eventSummary shows events as "id level time (previous level)" lines.
func eventSummary(events []string) string {
	var out []string
	for _, ev := range events {
		var e struct{ ID, Level, Time, PreviousLevel string }
		if err := json.Unmarshal([]byte(ev), &e); err != nil {
			out = append(out, ev)
			continue
		}
		out = append(out, fmt.Sprintf("\t%s %s %s (%s)", e.ID, e.Level, e.Time, e.PreviousLevel))
	}
	return strings.Join(out, "\n")
}

// ckptServer is one run of a program.
type ckptServer struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	errb *bytes.Buffer
}

func startCkptServer(t *testing.T, bin string, args ...string) *ckptServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &ckptServer{t: t, base: "http://" + addr, errb: &bytes.Buffer{}}
	s.cmd = exec.Command(bin, append([]string{"serve", "--http", addr}, args...)...)
	s.cmd.Stderr = s.errb
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _ := s.get("/readyz"); code == http.StatusOK {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program did not become ready: %s", s.errb)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *ckptServer) get(path string) (int, string) {
	resp, err := http.Get(s.base + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// write sends the data of seconds [from, to), one request per second.
func (s *ckptServer) write(from, to int) {
	s.t.Helper()
	for sec := from; sec < to; sec++ {
		resp, err := http.Post(s.base+"/kapacitor/v1/write?db=telegraf&rp=autogen&precision=s", "text/plain",
			strings.NewReader(checkpointData(sec)))
		if err != nil {
			s.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			s.t.Fatalf("write of second %d: %d", sec, resp.StatusCode)
		}
	}
}

// results returns what the two httpOut endpoints serve.
func (s *ckptServer) results() string {
	s.t.Helper()
	var out []string
	for _, ep := range []string{"alerts", "rates"} {
		code, body := s.get("/kapacitor/v1/tasks/cpu/" + ep)
		if code != http.StatusOK {
			s.t.Fatalf("%s: %d %s", ep, code, body)
		}
		out = append(out, body)
	}
	return strings.Join(out, "\n")
}

// metric returns the value of a metric without labels.
func (s *ckptServer) metric(name string) float64 {
	_, body := s.get("/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return -1
}

// waitCheckpointAfter waits until a checkpoint taken after t is written,
// as the program's metrics tell.
func (s *ckptServer) waitCheckpointAfter(t time.Time) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.metric("tickc_checkpoint_last_timestamp_seconds") < float64(t.UnixNano())/1e9 {
		if time.Now().After(deadline) {
			s.t.Fatalf("no periodic checkpoint after the writes: %s", s.errb)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the program with sig and waits for it.
func (s *ckptServer) stop(sig syscall.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
	err := s.cmd.Wait()
	if sig == syscall.SIGTERM && err != nil {
		s.t.Fatalf("the program did not stop cleanly: %v\n%s", err, s.errb)
	}
}

func buildCheckpointProgram(t *testing.T, threshold, events string) string {
	t.Helper()
	src := strings.NewReplacer("THRESHOLD", threshold, "EVENTS", events).Replace(checkpointScript)
	script := filepath.Join(t.TempDir(), "cpu.tick")
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "cpu")
	if code, _, errOut := runShowCLI(t, "build", "-o", bin, script); code != 0 {
		t.Fatalf("build: exit %d: %s", code, errOut)
	}
	return bin
}

// TestCheckpointServe builds the script, runs A, B and C, then shows that a
// checkpoint of a changed script, or a corrupt one, is refused at start.
func TestCheckpointServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs programs")
	}
	t.Setenv("TICKC_CACHE", testBuildCache())
	events := &eventLog{}
	hook := httptest.NewServer(events)
	defer hook.Close()
	bin := buildCheckpointProgram(t, "80", hook.URL+"/events")
	const half, end = 30, 61

	// A: uninterrupted.
	a := startCkptServer(t, bin, "--data-dir", t.TempDir())
	a.write(0, end)
	wantResults := a.results()
	a.stop(syscall.SIGTERM)
	wantEvents := events.take()
	if len(wantEvents) < 3 || !strings.Contains(wantResults, `"high"`) {
		t.Fatalf("the data exercise too little: %d events, results %s", len(wantEvents), wantResults)
	}

	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			first := startCkptServer(t, bin, "--data-dir", dir, "--checkpoint-interval", "100ms")
			first.write(0, half)
			if sig == syscall.SIGKILL {
				first.waitCheckpointAfter(time.Now())
			}
			first.stop(sig)
			if _, err := os.Stat(filepath.Join(dir, "tickc.checkpoint")); err != nil {
				t.Fatal(err)
			}
			second := startCkptServer(t, bin, "--data-dir", dir, "--checkpoint-interval", "100ms")
			second.write(half, end)
			if got := second.results(); got != wantResults {
				t.Errorf("results after the restart:\n%s\nwant:\n%s", got, wantResults)
			}
			second.stop(syscall.SIGTERM)
			if got := events.take(); strings.Join(got, "\n") != strings.Join(wantEvents, "\n") {
				t.Errorf("alert events:\n%s\nwant:\n%s", eventSummary(got), eventSummary(wantEvents))
			}
		})
	}

	t.Run("refused", func(t *testing.T) {
		changed := buildCheckpointProgram(t, "81", hook.URL+"/events")
		dir := t.TempDir()
		file := filepath.Join(dir, "tickc.checkpoint")
		s := startCkptServer(t, bin, "--data-dir", dir)
		s.write(0, 5)
		s.stop(syscall.SIGTERM)

		refused := func(bin, want string) {
			t.Helper()
			var errb bytes.Buffer
			cmd := exec.Command(bin, "serve", "--http", "127.0.0.1:0", "--data-dir", dir)
			cmd.Stderr = &errb
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				msg := errb.String()
				if err == nil || !strings.Contains(msg, "checkpoint "+file+": ") || !strings.Contains(msg, want) ||
					!strings.Contains(msg, "--ignore-checkpoint") {
					t.Errorf("exit %v, stderr %s; want %q", err, msg, want)
				}
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("the program started on a checkpoint it must refuse")
			}
		}
		refused(changed, "task cpu was built from another script or another tickc")

		// --ignore-checkpoint starts anyway, and its checkpoint replaces the file.
		s = startCkptServer(t, changed, "--data-dir", dir, "--ignore-checkpoint")
		s.stop(syscall.SIGTERM)
		refused(bin, "task cpu was built from another script or another tickc")

		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)/2] ^= 0xff
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		refused(changed, "the file is corrupt")
	})
}
