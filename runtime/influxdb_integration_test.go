package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/internal/influxtest"
	"github.com/tickc/tickc/stdlib"
)

// The tests of this file run against a real InfluxDB 1.8 server, from
// package influxtest: the one the test run shares ($TICKC_INFLUXDB_URL, or one
// started for this test binary), each test in databases of its own, except
// the outage test, which stops and restarts a server of its own. Without
// influxd they are skipped.

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

// TestMain stops the InfluxDB server the tests of this package started.
func TestMain(m *testing.M) { os.Exit(influxtest.Main(m)) }

// house.tick's pipeline, from /write to InfluxDB and back, is tested with the
// built program in cmd/tickc.

// TestInfluxDB runs the cases on the shared InfluxDB server.
func TestInfluxDB(t *testing.T) {
	base := influxtest.Shared(t)
	t.Run("batch query matches replay", func(t *testing.T) { testBatchQueryMatchesReplay(t, base) })
	t.Run("power_alert.tick alert rows", func(t *testing.T) { testPowerAlertRows(t, base) })
	for _, api := range []string{"v1", "v2", "auto"} {
		t.Run("write-api "+api, func(t *testing.T) { testWriteAPI(t, base, api) })
	}
}

// testWriteAPI writes points through the v1 /write endpoint (what InfluxDB
// 1.7 and older take), the v2 API or the one /ping suggests, with a tag and a
// precision of the node, and reads them back.
func testWriteAPI(t *testing.T, base, api string) {
	db := influxtest.Name("api_" + api)
	cfg := influxConf(t, base, fmt.Sprintf("  write-api = %q\n", api))
	spec := TaskSpec{Name: "copy", Type: StreamTask, DBRPs: []DBRP{{"in", "autogen"}}, Build: func(t *Task) error {
		from := NewFrom(t, NodeInfo{Name: "from1"}, FromConfig{Measurement: "m"})
		t.AddMeasurement("m")
		t.Stream().AddChild(from)
		out := NewInfluxDBOut(t, NodeInfo{Name: "influxdb_out2"}, InfluxDBOutConfig{
			Database: db, RetentionPolicy: "autogen", Create: true, Precision: "s", Tags: Tags{{"api", api}},
		})
		from.AddChild(out)
		return out.Err()
	}}
	p, err := NewProgram([]TaskSpec{spec}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	var pts []Point
	for i := range 3 {
		pts = append(pts, Point{Name: "m", Database: "in", RetentionPolicy: "autogen", Time: int64(i)*int64(time.Minute) + 123456789,
			Tags: Tags{{"host", "h"}}, Fields: Fields{{"v", stdlib.Int(int64(i * 10))}, {"s", stdlib.String("x y")}}})
	}
	if err := p.Write(pts); err != nil {
		t.Fatal(err)
	}
	p.Stop() // flushes
	series := influxtest.Query(t, base, `SELECT * FROM "`+db+`"."autogen"."m"`)
	want := "[[1970-01-01T00:00:00Z " + api + " h x y 0] [1970-01-01T00:01:00Z " + api + " h x y 10] [1970-01-01T00:02:00Z " + api + " h x y 20]]"
	if len(series) != 1 || fmt.Sprint(series[0].Columns) != "[time api host s v]" || fmt.Sprint(series[0].Values) != want {
		t.Errorf("series = %+v\nwant values %s", series, want)
	}
}

// testBatchQueryMatchesReplay runs a batch task's query live against data in
// InfluxDB and compares its result with a replay of the same data.
func testBatchQueryMatchesReplay(t *testing.T, base string) {
	db := influxtest.Name("batch")
	influxtest.Query(t, base, "CREATE DATABASE "+db)
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
	influxtest.Write(t, base, db, "s", lines.String())

	spec := func() TaskSpec {
		return TaskSpec{Name: "cpu", Type: BatchTask, DBRPs: []DBRP{{db, "autogen"}}, Build: func(t *Task) error {
			q := t.NewQuery(NodeInfo{Name: "query1", Pos: "cpu.tick:2:6"}, QueryConfig{
				Query:   `SELECT value FROM "` + db + `"."autogen"."cpu"`,
				Period:  int64(time.Hour),
				Every:   int64(100 * time.Millisecond),
				GroupBy: []string{"host"},
			})
			q.AddChild(NewHTTPOut(t, NodeInfo{Name: "http_out2"}, HTTPOutConfig{Endpoint: "out"}))
			return nil
		}}
	}

	// Live: the query runs on the wall clock against InfluxDB.
	cfg := influxConf(t, base, "")
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

// TestInfluxDBOutSurvivesOutage stops InfluxDB while points are written and
// starts it again: every point within the buffer limit arrives. The server
// is the test's own.
func TestInfluxDBOutSurvivesOutage(t *testing.T) {
	srv := influxtest.Private(t)
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
		series, err := influxtest.TryQuery(srv.URL(), "SELECT count(v) FROM outage.autogen.m")
		if err != nil || len(series) == 0 {
			return 0
		}
		n, _ := series[0].Values[0][1].(json.Number).Int64()
		return n
	}

	write(0, 100)
	waitFor(t, 10*time.Second, "the first 100 points in InfluxDB", func() bool { return count() == 100 })
	srv.Kill()
	write(100, 400) // within the buffer limit of 500
	waitFor(t, 10*time.Second, "failed writes while InfluxDB is down", func() bool { return node.Stats().Retries.Load() > 0 })
	if err := srv.Start(); err != nil {
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
// email and httpPost outputs left out) and reads the alert rows back: the
// columns of the example's README, with the levels, durations and values
// the input implies.
func testPowerAlertRows(t *testing.T, base string) {
	db := influxtest.Name("httpTest")
	deviation := func(_ int64, _ Tags, fs Fields) (stdlib.Value, error) { return fs.Get("deviation"), nil }
	isLJZ := func(_ int64, tags Tags, _ Fields) (stdlib.Value, error) {
		v, _ := tags.Get("metric")
		return stdlib.Bool(v == "ljz"), nil
	}
	const threshold = 4.0
	crit := func(_ int64, _ Tags, fs Fields) (stdlib.Value, error) {
		return stdlib.Bool(fs.Get("value").Float() > threshold), nil
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
			Create: true, Database: db, RetentionPolicy: "autogen", Measurement: "httptest",
			Tags: Tags{{"alertName", "test_http"}, {"triggerType", "threshold"}},
		})
		alert.AddChild(out)
		return out.Err()
	}}
	cfg := influxConf(t, base, "")
	p, err := NewProgram([]TaskSpec{spec}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	deviations := []float64{3, 5, 6, 2}
	var pts []Point
	for i, d := range deviations {
		pts = append(pts, Point{Name: "house", Database: "house_data", RetentionPolicy: "autogen",
			Time: int64(i+1) * int64(time.Minute), Tags: Tags{{"metric", "ljz"}}, Fields: Fields{{"deviation", stdlib.Float(d)}}})
	}
	pts = append(pts, Point{Name: "house", Database: "house_data", RetentionPolicy: "autogen",
		Time: int64(len(deviations)+1) * int64(time.Minute), Tags: Tags{{"metric", "other"}}, Fields: Fields{{"deviation", stdlib.Float(9)}}})
	if err := p.Write(pts); err != nil {
		t.Fatal(err)
	}
	p.Stop()

	// The expected rows: an event whenever the level changes from OK or is
	// not OK, its duration the time since the level left OK.
	var want [][]any
	level, since := "OK", int64(0)
	for i, d := range deviations {
		tm := int64(i+1) * int64(time.Minute)
		next := "OK"
		if d > threshold {
			next = "CRITICAL"
		}
		if level == "OK" && next == "OK" {
			continue
		}
		if level == "OK" {
			since = tm
		}
		level = next
		want = append(want, []any{
			time.Unix(0, tm).UTC().Format(time.RFC3339), "Power_Consumption_Rule:nil", "test_http",
			json.Number(fmt.Sprint(tm - since)), level, "Alert: power consumption", "ljz", "threshold",
			json.Number(fmt.Sprint(d)),
		})
	}
	series := influxtest.Query(t, base, `SELECT * FROM "`+db+`"."autogen"."httptest"`)
	if len(series) != 1 {
		t.Fatalf("series = %+v", series)
	}
	columns := []string{"time", "alertID", "alertName", "duration", "level", "message", "metric", "triggerType", "value"}
	if got, exp := fmt.Sprint(series[0].Columns), fmt.Sprint(columns); got != exp {
		t.Errorf("alert columns\n got %s\nwant %s", got, exp)
	}
	if got, exp := fmt.Sprint(series[0].Values), fmt.Sprint(want); got != exp {
		t.Errorf("alert rows\n got %s\nwant %s", got, exp)
	}
}
