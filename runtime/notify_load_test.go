package runtime

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// blackHole is a loopback listener that accepts connections and never
// answers: a receiver that is down in the worst way (a dead peer rather than
// a refused connection).
func blackHole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// ingest pushes n points through an alert node whose every point is
// critical, with one teams handler posting to url, and returns how long the
// node took, the points it passed on and the handler.
func ingest(t *testing.T, url string, n int) (time.Duration, int, *ServiceHandler) {
	t.Helper()
	cfg, err := ParseConfig("[teams]\nenabled = true\nchannel-url = '" + url + "'\n")
	if err != nil {
		t.Fatal(err)
	}
	task, err := NewTask(TaskSpec{Name: "load", Type: StreamTask}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := NewTeamsHandler(task, TeamsHandlerConfig{})
	h.queue.timeout = 2 * time.Second
	h.queue.flush = 200 * time.Millisecond // bounded test: give up what is still queued at the end
	node := NewAlert(task, NodeInfo{Name: "alert1"}, alertDefaults(AlertConfig{Crit: alwaysTrue, Handlers: []AlertHandler{h}}))
	if node.Err() != nil {
		t.Fatal(node.Err())
	}
	out := &sink{}
	node.AddChild(out)
	start := time.Now()
	for i := range n {
		node.Point(Point{
			Name: "cpu", Time: int64(i) * int64(time.Second),
			Tags:   Tags{{Key: "host", Value: "a"}},
			Fields: Fields{{Key: "value", Value: stdlib.Float(float64(i))}},
		})
	}
	took := time.Since(start)
	node.Done()
	if node.AlertsTriggered != uint64(n) {
		t.Fatalf("%d alerts triggered, want %d", node.AlertsTriggered, n)
	}
	return took, len(out.pts), h
}

// TestAlertIngestWithDeadReceiver shows that a handler whose receiver is
// down does not slow the alert node: the same points pass through, events
// that do not fit the queue are dropped and counted. The throughputs are
// logged (go test -v), never asserted.
func TestAlertIngestWithDeadReceiver(t *testing.T) {
	const n = 10000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()

	upTook, upOut, up := ingest(t, srv.URL, n)
	downTook, downOut, down := ingest(t, blackHole(t), n)

	if upOut != n || downOut != n {
		t.Fatalf("points passed on: %d with the receiver up, %d with it down; want %d", upOut, downOut, n)
	}
	if down.Stats().Delivered.Load() != 0 || down.Stats().Dropped.Load() == 0 {
		t.Errorf("dead receiver: delivered %d, dropped %d; want none delivered and drops counted",
			down.Stats().Delivered.Load(), down.Stats().Dropped.Load())
	}
	if got := down.Stats().Delivered.Load() + down.Stats().Failed.Load() + down.Stats().Dropped.Load(); got != n {
		t.Errorf("dead receiver: %d events accounted for, want %d", got, n)
	}
	upRate := float64(n) / upTook.Seconds()
	downRate := float64(n) / downTook.Seconds()
	t.Logf("ingest through the alert node: %.0f points/s with the receiver up (%d delivered), %.0f points/s with it down (%d dropped); down/up = %.2f",
		upRate, up.Stats().Delivered.Load(), downRate, down.Stats().Dropped.Load(), downRate/upRate)
}
