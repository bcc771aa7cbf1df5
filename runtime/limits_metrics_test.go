package runtime

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMetricsAfterAKnownWorkload serves a task with a group limit of two,
// an alert with a log handler (which delivers) and a post handler (whose
// target answers 400), and an influxDBOut writing two points per request,
// then checks /metrics after a known set of writes, good and bad.
func TestMetricsAfterAKnownWorkload(t *testing.T) {
	influx := &fakeInflux{}
	isrv := httptest.NewServer(influx)
	defer isrv.Close()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer refusing.Close()
	cfg, err := ParseConfig(`
[http]
max-body-size = 200
[limits]
max-groups-per-task = 2
[[influxdb]]
urls = ["` + isrv.URL + `"]
`)
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "alerts.log")
	spec := TaskSpec{Name: "cpu", Type: StreamTask, DBRPs: []DBRP{{"db", "rp"}}, Build: func(task *Task) error {
		task.AddMeasurement("cpu")
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
		alert := NewAlert(task, NodeInfo{Name: "alert2"}, alertDefaults(AlertConfig{
			Crit: cmpField("value", ">", 5),
			Handlers: []AlertHandler{
				NewLogHandler(task, LogHandlerConfig{Path: logPath}),
				NewPostHandler(task, PostHandlerConfig{URL: refusing.URL}),
			},
		}))
		out := NewInfluxDBOut(task, NodeInfo{Name: "influxdb_out3"}, InfluxDBOutConfig{Database: "out", Buffer: 2, FlushInterval: time.Hour})
		task.Stream().AddChild(from)
		from.AddChild(alert)
		from.AddChild(out)
		return nil
	}}
	p, err := NewProgram([]TaskSpec{spec}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, p, ln, cfg, nil) }()
	defer func() {
		cancel()
		<-errc
	}()
	st := &serveTest{t: t, base: "http://" + ln.Addr().String()}

	for _, w := range []struct {
		query, body string
		code        int
	}{
		// a goes critical, b stays OK, c is over the group limit, a recovers.
		{"db=db&rp=rp&precision=s", "cpu,host=a value=9 1\ncpu,host=b value=1 2\ncpu,host=c value=9 3\ncpu,host=a value=1 4\n", 204},
		{"db=db&rp=rp", "cpu,host=a value=\n", 400},                       // malformed
		{"rp=rp", "cpu,host=a value=1\n", 400},                            // no database
		{"db=db&rp=rp&precision=fortnights", "cpu,host=a value=1\n", 400}, // unknown precision
		{"db=db&rp=rp", strings.Repeat("cpu,host=a value=1\n", 20), 413},  // 380 bytes
		{"db=db&rp=rp", "mem,host=a value=1\nmem,host=b value=1\n", 204},  // no task selects mem
		{"db=other&rp=rp", "cpu,host=a value=1\n", 204},                   // no task has other.rp
	} {
		if code, _, body := st.do("POST", "/write?"+w.query, []byte(w.body)); code != w.code {
			t.Fatalf("write ?%s: %d %s, want %d", w.query, code, body, w.code)
		}
	}

	want := []string{
		`tickc_write_rejected_total{reason="malformed_line"} 1`,
		`tickc_write_rejected_total{reason="missing_db"} 1`,
		`tickc_write_rejected_total{reason="bad_request"} 1`,
		`tickc_write_rejected_total{reason="body_too_large"} 1`,
		`tickc_points_dropped_total{reason="no_task"} 3`,
		`tickc_task_points_rejected_total{reason="group_limit",task="cpu"} 1`,
		`tickc_task_groups{task="cpu"} 2`,
		`tickc_task_points_received_total{task="cpu"} 4`,
		`tickc_node_groups{node="alert2",task="cpu"} 2`,
		`tickc_alert_events_total{level="CRITICAL",node="alert2",task="cpu"} 1`,
		`tickc_alert_handler_events_total{handler="log",level="CRITICAL",node="alert2",task="cpu"} 1`,
		`tickc_alert_handler_events_total{handler="log",level="OK",node="alert2",task="cpu"} 1`,
		`tickc_alert_handler_events_total{handler="post",level="CRITICAL",node="alert2",task="cpu"} 1`,
		`tickc_alert_handler_events_total{handler="post",level="WARNING",node="alert2",task="cpu"} 0`,
		`tickc_alert_handler_delivered_total{handler="log",node="alert2",task="cpu"} 2`,
		`tickc_alert_handler_errors_total{handler="log",node="alert2",task="cpu"} 0`,
		`tickc_alert_handler_delivered_total{handler="post",node="alert2",task="cpu"} 0`,
		`tickc_alert_handler_errors_total{handler="post",node="alert2",task="cpu"} 2`,
		`tickc_alert_handler_queue_depth{handler="post",node="alert2",task="cpu"} 0`,
		`tickc_alert_handler_delivery_seconds_count{handler="log",node="alert2",task="cpu"} 2`,
		`tickc_alert_handler_delivery_seconds_bucket{handler="post",node="alert2",task="cpu",le="+Inf"} 2`,
		`tickc_influxdb_out_points_written_total{node="influxdb_out3",task="cpu"} 2`,
		`tickc_influxdb_out_write_errors_total{node="influxdb_out3",task="cpu"} 0`,
		`tickc_influxdb_out_points_dropped_total{node="influxdb_out3",task="cpu"} 0`,
		`tickc_node_buffered_points{node="influxdb_out3",task="cpu"} 1`,
	}
	// The handlers and influxDBOut deliver on their own goroutines: wait
	// for them.
	var body string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		code, _, b := st.do("GET", "/metrics", nil)
		if code != 200 {
			t.Fatalf("/metrics: %d %s", code, b)
		}
		body = b
		if missing := missingLines(body, want); len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, m := range missingLines(body, want) {
		t.Errorf("/metrics lacks %s", m)
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
}

func missingLines(body string, want []string) []string {
	var missing []string
	for _, w := range want {
		if !strings.Contains(body, w+"\n") {
			missing = append(missing, w)
		}
	}
	return missing
}

// TestMetricsWindowBufferedPoints reads a window's buffered points, summed
// over its groups, before and after one group's window is emitted.
func TestMetricsWindowBufferedPoints(t *testing.T) {
	spec := TaskSpec{Name: "w", Type: StreamTask, DBRPs: []DBRP{{"db", "rp"}}, Build: func(task *Task) error {
		task.AddMeasurement("cpu")
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
		win := NewWindow(task, NodeInfo{Name: "window2"}, WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second})
		task.Stream().AddChild(from)
		from.AddChild(win)
		return nil
	}}
	p, err := NewProgram([]TaskSpec{spec}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	scrape := func() string {
		rec := httptest.NewRecorder()
		NewHandler(p, nil, nil).ServeHTTP(rec, httptest.NewRequest("GET", MetricsPath, nil))
		return rec.Body.String()
	}
	if err := p.Write([]Point{cpuPoint("a", 0, 1), cpuPoint("a", 1, 1), cpuPoint("a", 2, 1), cpuPoint("b", 3, 1)}); err != nil {
		t.Fatal(err)
	}
	body := scrape()
	for _, m := range missingLines(body, []string{
		`tickc_node_buffered_points{node="window2",task="w"} 4`,
		`tickc_node_groups{node="window2",task="w"} 2`,
	}) {
		t.Errorf("/metrics lacks %s:\n%s", m, body)
	}
	// a's point at 10s emits [0s, 10s), whose points stay until the next
	// emission; the one at 20s emits [10s, 20s) and drops them.
	for _, step := range []struct {
		p    Point
		want int
	}{{cpuPoint("a", 10, 1), 5}, {cpuPoint("a", 20, 1), 3}} {
		if err := p.Write([]Point{step.p}); err != nil {
			t.Fatal(err)
		}
		body = scrape()
		want := fmt.Sprintf(`tickc_node_buffered_points{node="window2",task="w"} %d`, step.want)
		if m := missingLines(body, []string{want}); len(m) > 0 {
			t.Errorf("after %s: /metrics lacks %s:\n%s", step.p.Tags, want, body)
		}
	}
}
