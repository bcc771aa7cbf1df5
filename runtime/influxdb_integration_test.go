package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// The tests of this file run against a real InfluxDB 1.8 server. They look
// for influxd in $TICKC_INFLUXD, then where scripts/influxd.sh installs it
// ($TICKC_INFLUXD_CACHE or the user cache directory, tickc/influxd/bin),
// then on $PATH, and are skipped when it is not found. Each top-level test
// starts one server on 127.0.0.1 and stops it when it ends; TestInfluxDB
// runs several cases against one server.

// influxdBinary finds the influxd binary, or returns "".
func influxdBinary() string {
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
		if p := filepath.Join(cache, "bin", "influxd"); fileExists(p) {
			return p
		}
	}
	if p, err := exec.LookPath("influxd"); err == nil {
		return p
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// influxd is one InfluxDB server started by the tests.
type influxd struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
	exited   chan struct{}
}

// URL is the server's HTTP address.
func (s *influxd) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.port) }

// freePortPair finds a port p with p and p+1 free on 127.0.0.1 (InfluxDB
// takes the second for its backup service).
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
	return 0, errors.New("no two consecutive free ports")
}

// newInfluxd makes a server with a fresh data directory, not started.
func newInfluxd(bin string) (*influxd, error) {
	port, err := freePortPair()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "tickc-influxd-")
	if err != nil {
		return nil, err
	}
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
		return nil, err
	}
	return &influxd{bin: bin, dir: dir, port: port}, nil
}

// start runs the server and waits until it answers /ping.
func (s *influxd) start() error {
	log, err := os.OpenFile(filepath.Join(s.dir, "influxd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	s.cmd = exec.Command(s.bin, "-config", filepath.Join(s.dir, "influxd.conf"))
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		log.Close()
		return err
	}
	s.exited = make(chan struct{})
	go func() {
		_ = s.cmd.Wait()
		log.Close()
		close(s.exited)
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
		case <-s.exited:
			out, _ := os.ReadFile(filepath.Join(s.dir, "influxd.log"))
			return fmt.Errorf("influxd exited at start:\n%s", out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.kill()
	return errors.New("influxd did not answer /ping within 30s")
}

// kill stops the process (SIGTERM, then SIGKILL after 10s).
func (s *influxd) kill() {
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

// stop kills the server and removes its data.
func (s *influxd) stop() {
	if s == nil {
		return
	}
	s.kill()
	os.RemoveAll(s.dir)
}

// influxdForTest starts a server for t and stops it when t ends, or skips t
// when influxd is not installed.
func influxdForTest(t *testing.T) *influxd {
	t.Helper()
	if testing.Short() {
		t.Skip("InfluxDB integration test: skipped in -short mode")
	}
	bin := influxdBinary()
	if bin == "" {
		t.Skip("influxd is not installed: run scripts/influxd.sh install (or set TICKC_INFLUXD)")
	}
	srv, err := newInfluxd(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.stop)
	if err := srv.start(); err != nil {
		t.Fatal(err)
	}
	return srv
}

// influxQuery runs an InfluxQL command on the server and returns the first
// statement's series.
func influxQuery(t *testing.T, base, q string) []querySeries {
	t.Helper()
	resp, err := http.PostForm(base+"/query", url.Values{"q": {q}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out queryResponse
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("%s: %v: %s", q, err, body)
	}
	if out.Err != "" || len(out.Results) == 0 || out.Results[0].Err != "" {
		t.Fatalf("%s: %s", q, body)
	}
	return out.Results[0].Series
}

// influxWrite writes line protocol with second timestamps into db.
func influxWrite(t *testing.T, base, db, lines string) {
	t.Helper()
	resp, err := http.Post(base+"/write?precision=s&db="+url.QueryEscape(db), "text/plain", strings.NewReader(lines))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("write: %d %s", resp.StatusCode, b)
	}
}

// waitFor polls cond every 20ms until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func influxConf(t *testing.T, base, extra string) *Config {
	t.Helper()
	cfg, err := ParseConfig(fmt.Sprintf("[[influxdb]]\n  name = \"local\"\n  urls = [%q]\n%s", base, extra))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// houseSpec is the task house.tick compiles to (see the examples): the power
// not on a sub-meter, per point, written back to InfluxDB, here into db.
func houseSpec(db string) TaskSpec {
	consumer := func(_ int64, _ Tags, fs Fields) (stdlib.Value, error) {
		v := fs.Get("Global_active_power").Float()*1000.0/60.0 -
			fs.Get("Sub_metering_1").Float() - fs.Get("Sub_metering_2").Float() - fs.Get("Sub_metering_3").Float()
		return stdlib.Float(v), nil
	}
	return TaskSpec{
		Name:  "house",
		Type:  StreamTask,
		DBRPs: []DBRP{{"house", "autogen"}},
		Build: func(t *Task) error {
			from := NewFrom(t, NodeInfo{Name: "from1", Pos: "house.tick:3:6"}, FromConfig{Measurement: "house"})
			t.AddMeasurement("house")
			t.Stream().AddChild(from)
			eval := NewEval(t, NodeInfo{Name: "eval2", Pos: "house.tick:5:6"}, EvalConfig{
				Lambdas: []LambdaFactory{factoryFor(consumer)}, As: []string{"consumer"},
			})
			from.AddChild(eval)
			out := NewInfluxDBOut(t, NodeInfo{Name: "influxdb_out3", Pos: "house.tick:8:6"}, InfluxDBOutConfig{
				Database: db, RetentionPolicy: "autogen", Measurement: "house", Create: true,
			})
			eval.AddChild(out)
			return out.Err()
		},
	}
}

// TestInfluxDB runs the cases that share one InfluxDB server.
func TestInfluxDB(t *testing.T) {
	srv := influxdForTest(t)
	t.Run("house.tick end to end", func(t *testing.T) { testHouseEndToEnd(t, srv) })
	t.Run("batch query matches replay", func(t *testing.T) { testBatchQueryMatchesReplay(t, srv) })
	t.Run("power_alert.tick alert rows", func(t *testing.T) { testPowerAlertRows(t, srv) })
}

// testHouseEndToEnd writes points to a serving program over HTTP and reads
// what its influxDBOut wrote back from InfluxDB.
func testHouseEndToEnd(t *testing.T, srv *influxd) {
	cfg := influxConf(t, srv.URL(), "")
	p, err := NewProgram([]TaskSpec{houseSpec("house_e2e")}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, p, ln, cfg, nil) }()

	// Three minutes of the household power data set.
	body := `house Global_active_power=4.216,Sub_metering_1=0,Sub_metering_2=1,Sub_metering_3=17 1166289840000000000
house Global_active_power=5.36,Sub_metering_1=0,Sub_metering_2=1,Sub_metering_3=16 1166289900000000000
house Global_active_power=5.374,Sub_metering_1=0,Sub_metering_2=2,Sub_metering_3=17 1166289960000000000
other Global_active_power=1,Sub_metering_1=0,Sub_metering_2=0,Sub_metering_3=0 1166289960000000000
`
	resp, err := http.Post("http://"+ln.Addr().String()+"/write?db=house&rp=autogen", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("write: %d", resp.StatusCode)
	}
	cancel() // a graceful shutdown flushes the buffered points
	if err := <-served; err != nil {
		t.Fatal(err)
	}

	series := influxQuery(t, srv.URL(), `SELECT consumer FROM house_e2e.autogen.house`)
	if len(series) != 1 {
		t.Fatalf("series = %+v", series)
	}
	want := []struct {
		time  string
		value float64
	}{
		{"2006-12-16T17:24:00Z", 4.216*1000.0/60.0 - 0 - 1 - 17},
		{"2006-12-16T17:25:00Z", 5.36*1000.0/60.0 - 0 - 1 - 16},
		{"2006-12-16T17:26:00Z", 5.374*1000.0/60.0 - 0 - 2 - 17},
	}
	rows := series[0].Values
	if len(rows) != len(want) {
		t.Fatalf("rows = %v, want %d", rows, len(want))
	}
	for i, w := range want {
		got, _ := rows[i][1].(json.Number).Float64()
		if rows[i][0] != w.time || math.Abs(got-w.value) > 1e-9 {
			t.Errorf("row %d = %v, want [%s %v]", i, rows[i], w.time, w.value)
		}
	}
}

// testBatchQueryMatchesReplay runs a batch task's query live against data in
// InfluxDB and compares its result with a replay of the same data.
func testBatchQueryMatchesReplay(t *testing.T, srv *influxd) {
	influxQuery(t, srv.URL(), "CREATE DATABASE batchdb")
	now := time.Now().Truncate(time.Second)
	var lines strings.Builder
	type pt struct {
		host string
		t    time.Time
		v    float64
	}
	var pts []pt
	for i := range 6 {
		for _, h := range []string{"a", "b"} {
			p := pt{h, now.Add(-time.Duration(50-5*i) * time.Minute), float64(i) + map[string]float64{"a": 0.5, "b": 10}[h]}
			pts = append(pts, p)
			fmt.Fprintf(&lines, "cpu,host=%s value=%v %d\n", p.host, p.v, p.t.Unix())
		}
	}
	influxWrite(t, srv.URL(), "batchdb", lines.String())

	spec := func() TaskSpec {
		return TaskSpec{Name: "cpu", Type: BatchTask, DBRPs: []DBRP{{"batchdb", "autogen"}}, Build: func(t *Task) error {
			q := t.NewQuery(NodeInfo{Name: "query1", Pos: "cpu.tick:2:6"}, QueryConfig{
				Query:   `SELECT value FROM "batchdb"."autogen"."cpu"`,
				Period:  int64(time.Hour),
				Every:   int64(100 * time.Millisecond),
				GroupBy: []string{"host"},
			})
			q.AddChild(NewHTTPOut(t, NodeInfo{Name: "http_out2"}, HTTPOutConfig{Endpoint: "out"}))
			return nil
		}}
	}

	// Live: the query runs on the wall clock against InfluxDB.
	cfg := influxConf(t, srv.URL(), "")
	live, err := NewProgram([]TaskSpec{spec()}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, live, ln, cfg, nil) }()
	out := live.Tasks[0].HTTPOut("out")
	waitFor(t, 10*time.Second, "the live query's batches", func() bool {
		b, _ := out.JSON()
		return bytes.Count(b, []byte(`"name":"cpu"`)) == 2
	})
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	liveBody, _ := out.JSON()

	// Replay: the same data as a batch recording, one batch per host.
	var rec bytes.Buffer
	for _, h := range []string{"a", "b"} {
		type point struct {
			Fields map[string]any    `json:"fields"`
			Tags   map[string]string `json:"tags"`
			Time   time.Time         `json:"time"`
		}
		var ps []point
		for _, p := range pts {
			if p.host == h {
				ps = append(ps, point{map[string]any{"value": p.v}, map[string]string{"host": h}, p.t.UTC()})
			}
		}
		b, _ := json.Marshal(map[string]any{"name": "cpu", "tmax": now.UTC(), "tags": map[string]string{"host": h}, "points": ps})
		rec.Write(b)
		rec.WriteByte('\n')
	}
	file := filepath.Join(t.TempDir(), "cpu.brpl")
	if err := os.WriteFile(file, rec.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	zero := now.Add(-time.Hour).UnixNano()
	replayed, err := NewProgram([]TaskSpec{spec()}, nil, func() Clock { return NewReplayClock(zero) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := replayed.Replay(ReplayOptions{Batches: []string{file}, ClockZero: zero, Duration: int64(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Endpoints) != 1 {
		t.Fatalf("replay endpoints = %+v", res.Endpoints)
	}
	if !bytes.Equal(liveBody, res.Endpoints[0].Body) {
		t.Errorf("live and replay differ:\nlive   %s\nreplay %s", liveBody, res.Endpoints[0].Body)
	}
}

func TestInfluxDBOutSurvivesOutage(t *testing.T) {
	srv := influxdForTest(t)
	cfg := influxConf(t, srv.URL(), `  retry-interval = "50ms"
  max-retry-interval = "200ms"
  buffer-limit = 500
  timeout = "2s"
`)
	spec := TaskSpec{Name: "copy", Type: StreamTask, DBRPs: []DBRP{{"in", "autogen"}}, Build: func(t *Task) error {
		from := NewFrom(t, NodeInfo{Name: "from1"}, FromConfig{Measurement: "m"})
		t.AddMeasurement("m")
		t.Stream().AddChild(from)
		out := NewInfluxDBOut(t, NodeInfo{Name: "influxdb_out2"}, InfluxDBOutConfig{
			Database: "outage", Create: true, Buffer: 10, FlushInterval: 50 * time.Millisecond,
		})
		from.AddChild(out)
		return out.Err()
	}}
	p, err := NewProgram([]TaskSpec{spec}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	node := p.Tasks[0].Stream().Children[0].(*From).Children[0].(*InfluxDBOut)
	write := func(from, to int) {
		var pts []Point
		for i := from; i < to; i++ {
			pts = append(pts, Point{Name: "m", Database: "in", RetentionPolicy: "autogen", Time: int64(i) * 1e9,
				Fields: Fields{{"v", stdlib.Int(int64(i))}}})
		}
		if err := p.Write(pts); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int64 {
		// Before the node's CREATE DATABASE the statement fails: no point yet.
		resp, err := http.PostForm(srv.URL()+"/query", url.Values{"q": {"SELECT count(v) FROM outage.autogen.m"}})
		if err != nil {
			return -1
		}
		defer resp.Body.Close()
		var out queryResponse
		dec := json.NewDecoder(resp.Body)
		dec.UseNumber()
		if dec.Decode(&out) != nil || len(out.Results) == 0 || len(out.Results[0].Series) == 0 {
			return 0
		}
		n, _ := out.Results[0].Series[0].Values[0][1].(json.Number).Int64()
		return n
	}

	write(0, 100)
	waitFor(t, 10*time.Second, "the first 100 points in InfluxDB", func() bool { return count() == 100 })
	srv.kill()
	write(100, 400) // within the buffer limit of 500
	waitFor(t, 10*time.Second, "failed writes while InfluxDB is down", func() bool { return node.Stats().Retries.Load() > 0 })
	if err := srv.start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "all 400 points in InfluxDB after the restart", func() bool { return count() == 400 })
	p.Stop()
	if d := node.Stats().Dropped.Load(); d != 0 {
		t.Errorf("%d points dropped", d)
	}
	if w := node.Stats().PointsWritten.Load(); w != 400 {
		t.Errorf("%d points written, want 400", w)
	}
}

// testPowerAlertRows runs power_alert.tick's alert and influxDBOut (its
// email and httpPost outputs left out) and reads the alert rows back.
func testPowerAlertRows(t *testing.T, srv *influxd) {
	deviation := func(_ int64, _ Tags, fs Fields) (stdlib.Value, error) { return fs.Get("deviation"), nil }
	isLJZ := func(_ int64, tags Tags, _ Fields) (stdlib.Value, error) {
		v, _ := tags.Get("metric")
		return stdlib.Bool(v == "ljz"), nil
	}
	crit := func(_ int64, _ Tags, fs Fields) (stdlib.Value, error) {
		return stdlib.Bool(fs.Get("value").Float() > 4), nil
	}
	spec := TaskSpec{Name: "power_alert", DBRPs: []DBRP{{"house_data", "autogen"}}, Build: func(t *Task) error {
		from := NewFrom(t, NodeInfo{Name: "from1"}, FromConfig{Database: "house_data", RetentionPolicy: "autogen", Measurement: "house", Where: evalFunc(isLJZ)})
		t.AddMeasurement("house")
		t.Stream().AddChild(from)
		eval := NewEval(t, NodeInfo{Name: "eval2"}, EvalConfig{Lambdas: []LambdaFactory{factoryFor(deviation)}, As: []string{"value"}})
		from.AddChild(eval)
		alert := NewAlert(t, NodeInfo{Name: "alert3"}, AlertConfig{
			ID:            "Power_Consumption_Rule:{{.Group}}",
			Message:       "Alert: power consumption",
			Details:       "The error of power consumption is greater than the threshold(6Wh)",
			Crit:          evalFunc(crit),
			IDTag:         "alertID",
			LevelTag:      "level",
			MessageField:  "message",
			DurationField: "duration",
		})
		eval.AddChild(alert)
		out := NewInfluxDBOut(t, NodeInfo{Name: "influxdb_out4"}, InfluxDBOutConfig{
			Create: true, Database: "httpTest", RetentionPolicy: "autogen", Measurement: "httptest",
			Tags: Tags{{"alertName", "test_http"}, {"triggerType", "threshold"}},
		})
		alert.AddChild(out)
		return out.Err()
	}}
	cfg := influxConf(t, srv.URL(), "")
	p, err := NewProgram([]TaskSpec{spec}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	var pts []Point
	for i, d := range []float64{3, 5, 6, 2} {
		pts = append(pts, Point{Name: "house", Database: "house_data", RetentionPolicy: "autogen",
			Time: int64(i+1) * int64(time.Minute), Tags: Tags{{"metric", "ljz"}}, Fields: Fields{{"deviation", stdlib.Float(d)}}})
	}
	pts = append(pts, Point{Name: "house", Database: "house_data", RetentionPolicy: "autogen",
		Time: int64(5 * time.Minute), Tags: Tags{{"metric", "other"}}, Fields: Fields{{"deviation", stdlib.Float(9)}}})
	if err := p.Write(pts); err != nil {
		t.Fatal(err)
	}
	p.Stop()

	series := influxQuery(t, srv.URL(), `SELECT "level", "alertID", "message", "value", "alertName", "triggerType", "metric" FROM "httpTest"."autogen"."httptest"`)
	if len(series) != 1 {
		t.Fatalf("series = %+v", series)
	}
	want := [][]any{
		{"1970-01-01T00:02:00Z", "CRITICAL", "Power_Consumption_Rule:nil", "Alert: power consumption", json.Number("5"), "test_http", "threshold", "ljz"},
		{"1970-01-01T00:03:00Z", "CRITICAL", "Power_Consumption_Rule:nil", "Alert: power consumption", json.Number("6"), "test_http", "threshold", "ljz"},
		{"1970-01-01T00:04:00Z", "OK", "Power_Consumption_Rule:nil", "Alert: power consumption", json.Number("2"), "test_http", "threshold", "ljz"},
	}
	if got, exp := fmt.Sprint(series[0].Values), fmt.Sprint(want); got != exp {
		t.Errorf("alert rows\n got %s\nwant %s", got, exp)
	}
}
