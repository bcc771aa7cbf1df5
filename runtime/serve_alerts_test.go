package runtime

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// TestServeKeepsNoAlertBodies checks that a served task does not keep the
// bodies of its alert events (only replay prints them), so a long-running
// program does not grow with every event.
func TestServeKeepsNoAlertBodies(t *testing.T) {
	spec := TaskSpec{
		Name:  "alerting",
		Type:  StreamTask,
		DBRPs: []DBRP{{"db", "rp"}},
		Build: func(t *Task) error {
			t.AddMeasurement("")
			a := NewAlert(t, NodeInfo{Name: "alert1"}, AlertConfig{
				ID:      DefaultAlertID,
				Message: DefaultAlertMessage,
				Crit:    constLambda(stdlib.Bool(true))(),
			})
			t.Stream().AddChild(a)
			return a.Err()
		},
	}
	p, err := NewProgram([]TaskSpec{spec}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, p, ln, nil, nil) }()
	defer func() {
		cancel()
		select {
		case <-errc:
		case <-time.After(5 * time.Second):
			t.Error("server did not stop")
		}
	}()
	body := "cpu value=1 1000000000\ncpu value=2 2000000000\ncpu value=3 3000000000\n"
	resp, err := http.Post("http://"+ln.Addr().String()+"/write?db=db&rp=rp", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("write: status %d", resp.StatusCode)
	}
	if n := len(p.Tasks[0].Alerts()); n != 0 {
		t.Errorf("served task kept %d alert bodies, want none", n)
	}

	// The same task outside serve (as in replay) records its events.
	task, err := NewTask(spec, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	task.Stream().Point(Point{Name: "cpu", Database: "db", RetentionPolicy: "rp", Time: 1e9,
		Fields: Fields{{Key: "value", Value: stdlib.Float(1)}}})
	if n := len(task.Alerts()); n != 1 {
		t.Errorf("task outside serve recorded %d alert bodies, want 1", n)
	}
}
