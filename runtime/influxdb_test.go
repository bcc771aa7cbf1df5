package runtime

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

func TestInfluxDBConfigSections(t *testing.T) {
	cfg, err := ParseConfig(`
[[influxdb]]
  enabled = true
  name = "a"
  urls = ["http://127.0.0.1:1"]
  username = "u"
  password = "p"
  timeout = "3s"
  subscription-protocol = "udp"
  retry-interval = "10ms"
[[influxdb]]
  name = "b"
  default = true
  urls = ["https://127.0.0.1:2"]
  write-api = "v1"
[[influxdb]]
  enabled = false
  name = "off"
  urls = ["http://127.0.0.1:3"]
`)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.InfluxDBConfigured() {
		t.Fatal("InfluxDBConfigured() = false")
	}
	d, err := cfg.InfluxDB("")
	if err != nil || d.Name != "b" || d.WriteAPI != "v1" {
		t.Fatalf("default cluster = %+v, %v; want b with write-api v1", d, err)
	}
	a, err := cfg.InfluxDB("a")
	if err != nil {
		t.Fatal(err)
	}
	if a.Timeout != 3*time.Second || a.RetryInterval != 10*time.Millisecond || a.WriteAPI != "auto" ||
		a.MaxRetryInterval != DefaultInfluxDBMaxRetryInterval || a.BufferLimit != DefaultInfluxDBBufferLimit {
		t.Errorf("cluster a = %+v", a)
	}
	if _, err := cfg.InfluxDB("off"); err == nil || !strings.Contains(err.Error(), `unknown InfluxDB cluster "off" (configured: a, b)`) {
		t.Errorf("a disabled cluster: err = %v", err)
	}

	// Without any section: Kapacitor's default server, and nothing configured.
	def := NewConfig()
	if def.InfluxDBConfigured() {
		t.Error("a default configuration says InfluxDB is configured")
	}
	if c, err := def.InfluxDB(""); err != nil || c.URLs[0] != DefaultInfluxDBURL || c.Name != "default" {
		t.Errorf("default cluster = %+v, %v", c, err)
	}
	if _, err := def.InfluxDB("prod"); err == nil {
		t.Error("a named cluster without any section: no error")
	}
}

func TestInfluxDBConfigErrors(t *testing.T) {
	tests := []struct{ conf, want string }{
		{`[[influxdb]]
name = "a"`, "must specify at least one InfluxDB URL"},
		{`[[influxdb]]
name = "a b"
urls = ["http://x"]`, "cluster name must contain only"},
		{`[[influxdb]]
urls = ["ftp://x"]`, "the scheme must be http or https"},
		{`[[influxdb]]
urls = ["http://x"]
write-api = "v3"`, "write-api must be auto, v1 or v2"},
		{`[[influxdb]]
urls = ["http://x"]
[[influxdb]]
urls = ["http://y"]`, `two [[influxdb]] sections are named "default"`},
		{`[[influxdb]]
name = "a"
default = true
urls = ["http://x"]
[[influxdb]]
name = "b"
default = true
urls = ["http://y"]`, "more than one [[influxdb]] section is the default"},
		{`[[influxdb]]
urls = ["http://x"]
bogus = 1`, "unknown configuration keys: influxdb.bogus"},
		{`[[udp]]
enabled = true
database = "db"`, "bind-address is required"},
	}
	for _, tt := range tests {
		_, err := ParseConfig(tt.conf)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s\nerr = %v, want %q", tt.conf, err, tt.want)
		}
	}
	cfg, err := ParseConfig(`[[influxdb]]
name = "a"
urls = ["http://x"]
[[influxdb]]
name = "b"
urls = ["http://y"]`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.InfluxDB(""); err == nil || !strings.Contains(err.Error(), "none is marked default") {
		t.Errorf("two clusters without default: err = %v", err)
	}
}

func TestLiveQueryText(t *testing.T) {
	start := time.Date(1975, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	stop := time.Date(1975, 1, 2, 0, 0, 0, 0, time.UTC).UnixNano()
	const rng = "time >= '1975-01-01T00:00:00Z' AND time < '1975-01-02T00:00:00Z'"
	tests := []struct {
		cfg  QueryConfig
		want string
	}{
		{QueryConfig{Query: "SELECT usage FROM telegraf.autogen.cpu"},
			"SELECT usage FROM telegraf.autogen.cpu WHERE " + rng},
		{QueryConfig{Query: "SELECT mean(usage) FROM telegraf.autogen.cpu WHERE host = 'serverA'", GroupByTime: int64(time.Hour), GroupBy: []string{"host"}},
			"SELECT mean(usage) FROM telegraf.autogen.cpu WHERE host = 'serverA' AND " + rng + " GROUP BY time(1h, 0s), host"},
		{QueryConfig{Query: `select max("value") from "db"."rp"."m" group by dc`, GroupBy: []string{"*"}, Fill: "none"},
			`SELECT max(value) FROM db.rp.m WHERE ` + rng + ` GROUP BY * fill(none)`},
		{QueryConfig{Query: "SELECT mean(v) FROM m", GroupByTime: int64(10 * time.Second), GroupByTimeOffset: int64(2 * time.Second), Fill: "100"},
			"SELECT mean(v) FROM m WHERE " + rng + " GROUP BY time(10s, 2s) fill(100)"},
		{QueryConfig{Query: "SELECT mean(v) FROM m", GroupByTime: int64(7 * time.Hour), AlignGroup: true, Fill: "linear"},
			// 1975-01-01 is 1826 days after the epoch: 43824h, 4h past a multiple of 7h.
			"SELECT mean(v) FROM m WHERE " + rng + " GROUP BY time(7h, 4h) fill(linear)"},
		{QueryConfig{Query: "SELECT mean(v) FROM m WHERE a = 'x' OR b = 'y'", Fill: "0.5"},
			"SELECT mean(v) FROM m WHERE a = 'x' OR b = 'y' AND " + rng + " fill(0.5)"},
	}
	for _, tt := range tests {
		q, err := NewLiveQuery(tt.cfg)
		if err != nil {
			t.Errorf("%s: %v", tt.cfg.Query, err)
			continue
		}
		q.SetRange(start, stop)
		if got := q.String(); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.cfg.Query, got, tt.want)
		}
		if q.GroupedByTime() != (tt.cfg.GroupByTime != 0) {
			t.Errorf("%s: GroupedByTime() = %v", tt.cfg.Query, q.GroupedByTime())
		}
	}
	for _, bad := range []struct{ q, want string }{
		{"SELEC x FROM m", "failed to parse InfluxQL query"},
		{"SELECT x FROM m; SELECT y FROM m", "single select statement, got 2"},
		{"SHOW DATABASES", "query is not a select statement"},
	} {
		if _, err := NewLiveQuery(QueryConfig{Query: bad.q}); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: err = %v, want %q", bad.q, err, bad.want)
		}
	}
}

// TestLiveQueryAsKapacitor renders queries as Kapacitor's query node does at
// a tick (kapacitor's query.go: Dimensions in the call order, each time()
// with its offset written out, alignGroup replacing that offset by START
// modulo the length, fill only when the node sets one, the range ending at
// the tick minus .offset()). The first want is a query of a Kapacitor log
// (influxdata/kapacitor#1765); the others follow from that code.
func TestLiveQueryAsKapacitor(t *testing.T) {
	tick := time.Date(2018, 1, 18, 20, 22, 5, 805615392, time.UTC).UnixNano()
	const (
		day    = int64(24 * time.Hour)
		rng1m  = "time >= '2018-01-18T20:21:05.805615392Z' AND time < '2018-01-18T20:22:05.805615392Z'"
		rng10m = "time >= '2018-01-18T20:12:00Z' AND time < '2018-01-18T20:22:00Z'"
	)
	tests := []struct {
		name string
		cfg  QueryConfig
		tick int64
		want string
	}{
		{"log of kapacitor#1765: groupBy(time(1h)) fill(0) period(120d)",
			QueryConfig{Query: "SELECT mean(temperature) FROM xxxxxxx LIMIT 5", Period: 120 * day, GroupByTime: int64(time.Hour), Fill: "0"}, tick,
			"SELECT mean(temperature) FROM xxxxxxx WHERE time >= '2017-09-20T20:22:05.805615392Z' AND time < '2018-01-18T20:22:05.805615392Z' GROUP BY time(1h, 0s) fill(0) LIMIT 5"},
		{"groupBy(time(1m), 'host')",
			QueryConfig{Query: "SELECT mean(usage) FROM telegraf.autogen.cpu", Period: int64(time.Minute), GroupByTime: int64(time.Minute), GroupBy: []string{"host"}}, tick,
			"SELECT mean(usage) FROM telegraf.autogen.cpu WHERE " + rng1m + " GROUP BY time(1m, 0s), host"},
		{"groupBy('host', time(1m)): time where the call puts it",
			QueryConfig{Query: "SELECT mean(usage) FROM telegraf.autogen.cpu", Period: int64(time.Minute), GroupByTime: int64(time.Minute), GroupBy: []string{"host"}, GroupByTimeAt: 1}, tick,
			"SELECT mean(usage) FROM telegraf.autogen.cpu WHERE " + rng1m + " GROUP BY host, time(1m, 0s)"},
		{"groupBy('host', time(10s, -5s), 'dc') fill('none')",
			QueryConfig{Query: "SELECT max(v) FROM m", Period: int64(time.Minute), GroupByTime: int64(10 * time.Second), GroupByTimeOffset: int64(-5 * time.Second),
				GroupBy: []string{"host", "dc"}, GroupByTimeAt: 1, Fill: "none"}, tick,
			"SELECT max(v) FROM m WHERE " + rng1m + " GROUP BY host, time(10s, -5s), dc fill(none)"},
		{"groupBy(*, time(1m)) fill('previous')",
			QueryConfig{Query: "SELECT last(v) FROM m", Period: int64(time.Minute), GroupByTime: int64(time.Minute), GroupBy: []string{"*"}, GroupByTimeAt: 1, Fill: "previous"}, tick,
			"SELECT last(v) FROM m WHERE " + rng1m + " GROUP BY *, time(1m, 0s) fill(previous)"},
		{"groupBy('a', 'b'): the query's own GROUP BY goes, its fill stays",
			QueryConfig{Query: "SELECT mean(v) FROM m WHERE host =~ /^web/ GROUP BY dc fill(1)", Period: int64(time.Minute), GroupBy: []string{"a", "b"}}, tick,
			"SELECT mean(v) FROM m WHERE host =~ /^web/ AND " + rng1m + " GROUP BY a, b fill(1)"},
		{"no groupBy: no GROUP BY",
			QueryConfig{Query: "SELECT v FROM m GROUP BY time(5m)", Period: int64(time.Minute), Fill: "linear"}, tick,
			"SELECT v FROM m WHERE " + rng1m + " fill(linear)"},
		{"offset(1m) period(10m), aligned tick: the range ends a minute early",
			QueryConfig{Query: "SELECT mean(v) FROM m", Period: int64(10 * time.Minute), Offset: int64(time.Minute), GroupByTime: int64(2 * time.Minute), GroupByTimeOffset: int64(30 * time.Second), GroupBy: []string{"host"}, Fill: "1.5"},
			time.Date(2018, 1, 18, 20, 23, 0, 0, time.UTC).UnixNano(),
			"SELECT mean(v) FROM m WHERE " + rng10m + " GROUP BY time(2m, 30s), host fill(1.5)"},
		{"alignGroup: START modulo the length replaces time()'s own offset",
			QueryConfig{Query: "SELECT mean(v) FROM m", Period: int64(10 * time.Minute), Offset: int64(time.Minute), GroupByTime: int64(3 * time.Minute), GroupByTimeOffset: int64(30 * time.Second), AlignGroup: true, GroupBy: []string{"host"}, GroupByTimeAt: 1},
			time.Date(2018, 1, 18, 20, 23, 0, 0, time.UTC).UnixNano(),
			// START, 20:12, is a multiple of 3 minutes since the epoch.
			"SELECT mean(v) FROM m WHERE " + rng10m + " GROUP BY host, time(3m, 0s)"},
		{"alignGroup, START 20:16: one minute past a multiple of 5 minutes",
			QueryConfig{Query: "SELECT mean(v) FROM m", Period: int64(6 * time.Minute), GroupByTime: int64(5 * time.Minute), AlignGroup: true},
			time.Date(2018, 1, 18, 20, 22, 0, 0, time.UTC).UnixNano(),
			"SELECT mean(v) FROM m WHERE time >= '2018-01-18T20:16:00Z' AND time < '2018-01-18T20:22:00Z' GROUP BY time(5m, 1m)"},
	}
	for _, tt := range tests {
		q, err := NewLiveQuery(tt.cfg)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		stop := q.SetTick(tt.tick)
		if want := tt.tick - tt.cfg.Offset; stop != want {
			t.Errorf("%s: stop %d, want %d", tt.name, stop, want)
		}
		if got := q.String(); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestQuerySchedule(t *testing.T) {
	now := time.Date(2020, 1, 1, 10, 0, 7, 0, time.UTC)
	if _, err := newSchedule(QueryConfig{}); err == nil {
		t.Error("no every and no cron: no error")
	}
	if _, err := newSchedule(QueryConfig{Every: int64(time.Second), Cron: "* * * * *"}); err == nil {
		t.Error("every and cron: no error")
	}
	s, _ := newSchedule(QueryConfig{Every: int64(10 * time.Second), Align: true})
	if got := s.next(now); !got.Equal(now.Truncate(10 * time.Second).Add(10 * time.Second)) {
		t.Errorf("aligned next = %v", got)
	}
	s, _ = newSchedule(QueryConfig{Every: int64(10 * time.Second)})
	if got := s.next(now); !got.Equal(now.Add(10 * time.Second)) {
		t.Errorf("next = %v", got)
	}
	s, err := newSchedule(QueryConfig{Cron: "*/15 * * * * * *"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.next(now); !got.Equal(time.Date(2020, 1, 1, 10, 0, 15, 0, time.UTC)) {
		t.Errorf("cron next = %v", got)
	}
	if _, err := newSchedule(QueryConfig{Cron: "nonsense"}); err == nil {
		t.Error("a bad cron expression: no error")
	}
}

func TestResultBatches(t *testing.T) {
	var resp queryResponse
	dec := json.NewDecoder(strings.NewReader(`{"results":[{"series":[
		{"name":"cpu","tags":{"host":"a"},"columns":["time","mean","s"],"values":[
			["2020-01-01T00:00:00Z",1,"x"],["2020-01-01T00:00:10Z",null,null],["2020-01-01T00:00:20Z",2.5,null]]},
		{"name":"cpu","tags":{"host":"b"},"columns":["time","mean","s"],"values":[["2020-01-01T00:00:00Z",null,null]]}]}]}`))
	dec.UseNumber()
	if err := dec.Decode(&resp); err != nil {
		t.Fatal(err)
	}
	stop := time.Date(2020, 1, 1, 0, 1, 0, 0, time.UTC).UnixNano()
	bs, err := ResultBatches(resp.Results[0].Series, true, true, stop)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 {
		t.Fatalf("%d batches, want 2", len(bs))
	}
	a := bs[0]
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	if a.Group != "cpu\nhost=a" || len(a.Points) != 2 || a.TMax != t0+20e9 {
		t.Errorf("batch a = %+v", a)
	}
	if got := a.Points[0].Fields; !sameFields(got, Fields{{"mean", stdlib.Float(1)}, {"s", stdlib.String("x")}}) {
		t.Errorf("point 0 fields = %v", got)
	}
	if a.Points[1].Time != t0+20e9 || len(a.Points[1].Tags) != 1 {
		t.Errorf("point 1 = %+v", a.Points[1])
	}
	// No point: the batch's time is the query's stop.
	if b := bs[1]; len(b.Points) != 0 || b.TMax != stop {
		t.Errorf("batch b = %+v", b)
	}
	// Not grouped by time: always stop.
	bs, _ = ResultBatches(resp.Results[0].Series, false, false, stop)
	if bs[0].TMax != stop || bs[0].Group != "host=a" {
		t.Errorf("ungrouped batch = %+v", bs[0])
	}
}

func TestEncodeLine(t *testing.T) {
	line, err := encodeLine("my house", 1500, Tags{{"a b", "x,y"}, {"empty", ""}},
		Fields{{"f", stdlib.Float(1.5)}, {"i", stdlib.Int(-3)}, {"s", stdlib.String(`say "hi"`)}, {"t", stdlib.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `my\ house,a\ b=x\,y f=1.5,i=-3i,s="say \"hi\"",t=true 1500` + "\n"; string(line) != want {
		t.Errorf("got  %q\nwant %q", line, want)
	}
	if _, err := encodeLine("m", 0, nil, Fields{{"d", stdlib.Duration(time.Second)}}); err == nil {
		t.Error("a duration field: no error")
	}
	if _, err := encodeLine("m", 0, nil, nil); err == nil {
		t.Error("no field: no error")
	}
}

// fakeInflux is an InfluxDB stand-in: it records the line-protocol bodies of
// v1 and v2 writes and answers with the statuses queued in fail first.
type fakeInflux struct {
	mu        sync.Mutex
	fail      []int
	queryFail int    // the next queries answered with 500
	answer    string // the answer to a query; empty: no series
	bodies    []string
	queries   []string
	paths     []string
}

func (f *fakeInflux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/ping":
		w.Header().Set("X-Influxdb-Version", "1.7.9")
		w.WriteHeader(http.StatusNoContent)
	case "/query":
		_ = r.ParseForm()
		f.queries = append(f.queries, r.Form.Get("q"))
		if f.queryFail > 0 {
			f.queryFail--
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"error":"overloaded"}`)
			return
		}
		if f.answer != "" {
			io.WriteString(w, f.answer)
			return
		}
		io.WriteString(w, `{"results":[{"statement_id":0}]}`)
	case "/write", "/api/v2/write":
		f.paths = append(f.paths, r.URL.Path+"?"+r.URL.RawQuery)
		if len(f.fail) > 0 {
			code := f.fail[0]
			f.fail = f.fail[1:]
			w.WriteHeader(code)
			io.WriteString(w, `{"error":"nope"}`)
			return
		}
		b, _ := io.ReadAll(r.Body)
		f.bodies = append(f.bodies, string(b))
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeInflux) snapshot() (bodies, paths, queries []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...), append([]string(nil), f.paths...), append([]string(nil), f.queries...)
}

func influxTask(t *testing.T, conf string, clock Clock) *Task {
	t.Helper()
	cfg, err := ParseConfig(conf)
	if err != nil {
		t.Fatal(err)
	}
	task, err := NewTask(TaskSpec{Name: "t"}, cfg, clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestInfluxDBOutRetriesThenWrites(t *testing.T) {
	f := &fakeInflux{fail: []int{503, 500}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	task := influxTask(t, `[[influxdb]]
urls = ["`+srv.URL+`"]
retry-interval = "5ms"
`, nil)
	n := NewInfluxDBOut(task, NodeInfo{Name: "influxdb_out2"}, InfluxDBOutConfig{
		Database: "db", RetentionPolicy: "rp", Measurement: "out", Precision: "s", Create: true,
		Tags: Tags{{"k", "v"}}, Buffer: 2, FlushInterval: time.Hour,
	})
	if n.Err() != nil {
		t.Fatal(n.Err())
	}
	for i := range 3 {
		n.Point(Point{Name: "in", Time: int64(i)*1e9 + 7, Tags: Tags{{"host", "a"}}, Fields: Fields{{"v", stdlib.Int(int64(i))}}})
	}
	n.Done() // the third point is written by the flush of Done
	bodies, paths, queries := f.snapshot()
	for i := range bodies {
		bodies[i] = strings.TrimSpace(bodies[i])
	}
	want := []string{
		"out,host=a,k=v v=0i 0\nout,host=a,k=v v=1i 1000000000",
		"out,host=a,k=v v=2i 2000000000",
	}
	if strings.Join(bodies, "|") != strings.Join(want, "|") {
		t.Errorf("bodies = %q\nwant %q", bodies, want)
	}
	// The server says 1.7: the v1 endpoint.
	if len(paths) != 4 || !strings.HasPrefix(paths[0], "/write?") || !strings.Contains(paths[0], "db=db") || !strings.Contains(paths[0], "rp=rp") {
		t.Errorf("paths = %q", paths)
	}
	if len(queries) != 1 || queries[0] != "CREATE DATABASE db WITH NAME rp" {
		t.Errorf("queries = %q", queries)
	}
	s := n.Stats()
	if s.PointsWritten.Load() != 3 || s.WriteErrors.Load() != 2 || s.Retries.Load() != 2 || s.Dropped.Load() != 0 {
		t.Errorf("stats: written %d, errors %d, retries %d, dropped %d", s.PointsWritten.Load(), s.WriteErrors.Load(), s.Retries.Load(), s.Dropped.Load())
	}
}

func TestInfluxDBOutCountsWhatIsLost(t *testing.T) {
	f := &fakeInflux{fail: []int{400}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	task := influxTask(t, `[[influxdb]]
urls = ["`+srv.URL+`"]
write-api = "v2"
buffer-limit = 3
`, nil)
	n := NewInfluxDBOut(task, NodeInfo{Name: "influxdb_out1"}, InfluxDBOutConfig{Database: "db", Buffer: 1, FlushInterval: time.Hour})
	n.Point(Point{Name: "m", Time: 1, Fields: Fields{{"v", stdlib.Float(1)}}})    // refused by the server: dropped
	n.Point(Point{Name: "m", Time: 2, Fields: Fields{{"v", stdlib.Duration(1)}}}) // not storable: dropped
	n.Done()
	n.Point(Point{Name: "m", Time: 3, Fields: Fields{{"v", stdlib.Float(3)}}}) // after Done: dropped
	s := n.Stats()
	if s.Dropped.Load() != 3 || s.PointsWritten.Load() != 0 {
		t.Errorf("dropped %d, written %d; want 3 and 0", s.Dropped.Load(), s.PointsWritten.Load())
	}
	if n.Errors != 1 {
		t.Errorf("node errors = %d, want 1 (the unstorable field)", n.Errors)
	}
	if _, paths, _ := f.snapshot(); len(paths) != 1 || !strings.HasPrefix(paths[0], "/api/v2/write?") || !strings.Contains(paths[0], "bucket=db") {
		t.Errorf("paths = %q", paths)
	}

	// An unreachable server: the buffer bound drops the surplus, the rest is
	// dropped when Done gives up.
	cfg, _ := ParseConfig(`[[influxdb]]
urls = ["http://127.0.0.1:1"]
buffer-limit = 3
retry-interval = "5ms"
[http]
shutdown-timeout = "50ms"
`)
	task, _ = NewTask(TaskSpec{Name: "t"}, cfg, nil, nil)
	n = NewInfluxDBOut(task, NodeInfo{Name: "influxdb_out1"}, InfluxDBOutConfig{Database: "db", Buffer: 10, FlushInterval: time.Millisecond})
	for i := range 5 {
		n.Point(Point{Name: "m", Time: int64(i), Fields: Fields{{"v", stdlib.Float(1)}}})
	}
	n.Done()
	if got := n.Stats().Dropped.Load(); got != 5 {
		t.Errorf("dropped %d of 5 points that could not be written", got)
	}
}

// TestInfluxDBOutWritesToInfluxDB2 writes to a server that says it is
// InfluxDB 2.x: the v2 write API with the configured org, the bucket db/rp
// and the token; the batch query goes to /query with the same token.
func TestInfluxDBOutWritesToInfluxDB2(t *testing.T) {
	var (
		mu       sync.Mutex
		requests []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		requests = append(requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+" "+r.Header.Get("Authorization"))
		switch r.URL.Path {
		case "/ping":
			w.Header().Set("X-Influxdb-Version", "v2.7.4")
			w.WriteHeader(http.StatusNoContent)
		case "/api/v2/write":
			w.WriteHeader(http.StatusNoContent)
		case "/query":
			io.WriteString(w, `{"results":[{"statement_id":0}]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	task := influxTask(t, `[[influxdb]]
urls = ["`+srv.URL+`"]
token = "s3cr3t"
org = "my-org"
`, nil)
	n := NewInfluxDBOut(task, NodeInfo{Name: "influxdb_out2"}, InfluxDBOutConfig{
		Database: "house", RetentionPolicy: "autogen", Buffer: 10, FlushInterval: time.Hour,
	})
	n.Point(Point{Name: "house", Time: 1, Fields: Fields{{"consumer", stdlib.Float(52.5)}}})
	n.Done()
	if s := n.Stats(); s.PointsWritten.Load() != 1 {
		t.Fatalf("written %d, dropped %d", s.PointsWritten.Load(), s.Dropped.Load())
	}
	cl, err := task.Config.InfluxDB("")
	if err != nil {
		t.Fatal(err)
	}
	client, err := clientFor(cl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Query(t.Context(), "SELECT consumer FROM house.autogen.house"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"GET /ping? Token s3cr3t",
		"POST /api/v2/write?bucket=house%2Fautogen&org=my-org&precision=ns Token s3cr3t",
		"POST /query? Token s3cr3t",
	}
	if strings.Join(requests, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(requests, "\n"), strings.Join(want, "\n"))
	}
}

func TestInfluxDBOutRecordsInReplay(t *testing.T) {
	task := influxTask(t, "", NewReplayClock(0))
	n := NewInfluxDBOut(task, NodeInfo{Name: "influxdb_out1"}, InfluxDBOutConfig{Database: "db", Precision: "ms", Tags: Tags{{"x", "y"}}})
	n.Batch(Batch{Name: "b", Points: []BatchPoint{{Time: 1_234_567, Tags: Tags{{"h", "a"}}, Fields: Fields{{"v", stdlib.Float(2)}}}}})
	n.Done()
	got, _ := json.Marshal(n.Written())
	want := `[{"database":"db","retentionPolicy":"","name":"b","tags":{"h":"a","x":"y"},"fields":{"v":2},"time":"1970-01-01T00:00:00.001Z"}]`
	if string(got) != want {
		t.Errorf("written = %s\nwant      %s", got, want)
	}
}

func TestInfluxDBOutConfigErrors(t *testing.T) {
	task := influxTask(t, "", nil)
	if n := NewInfluxDBOut(task, NodeInfo{}, InfluxDBOutConfig{Cluster: "nope"}); n.Err() == nil {
		t.Error("an unknown cluster: no error")
	}
	n := NewInfluxDBOut(task, NodeInfo{}, InfluxDBOutConfig{Precision: "d"})
	if n.Err() == nil {
		t.Fatal("a bad precision: no error")
	}
	n.Point(Point{Name: "m", Fields: Fields{{"v", stdlib.Float(1)}}})
	n.Done()
	if n.Stats().Dropped.Load() != 1 {
		t.Error("a point of a misconfigured node is not counted as dropped")
	}
}

func TestLiveQueryRetriesAtTheNextTick(t *testing.T) {
	f := &fakeInflux{queryFail: 1, answer: `{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","value"],"values":[["2020-01-01T00:00:00Z",1]]}]}]}`}
	srv := httptest.NewServer(f)
	defer srv.Close()
	cfg, err := ParseConfig(`[[influxdb]]
urls = ["` + srv.URL + `"]`)
	if err != nil {
		t.Fatal(err)
	}
	var q *QueryNode
	var out *HTTPOut
	spec := TaskSpec{Name: "b", Type: BatchTask, Build: func(t *Task) error {
		q = t.NewQuery(NodeInfo{Name: "query1"}, QueryConfig{Query: "SELECT value FROM db.rp.cpu", Period: int64(time.Minute), Every: int64(20 * time.Millisecond), Offset: int64(time.Second)})
		out = NewHTTPOut(t, NodeInfo{Name: "http_out2"}, HTTPOutConfig{Endpoint: "out"})
		q.AddChild(out)
		return nil
	}}
	p, err := NewProgram([]TaskSpec{spec}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	stop, err := startLive(p, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if b, _ := out.JSON(); strings.Contains(string(b), `"values":[["2020-01-01T00:00:00Z",1]]`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no batch after the failed query")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	p.Stop()
	if q.Errors != 1 {
		t.Errorf("query node errors = %d, want 1", q.Errors)
	}
	_, _, queries := f.snapshot()
	if len(queries) < 2 || !strings.HasPrefix(queries[0], "SELECT value FROM db.rp.cpu WHERE time >= '") {
		t.Errorf("queries = %q", queries)
	}
}

func TestStartLiveRejectsBadQueries(t *testing.T) {
	tests := []struct {
		cfg  QueryConfig
		want string
	}{
		{QueryConfig{Query: "SELECT FROM", Every: 1}, "task b: query1 (b.tick:2:3): failed to parse InfluxQL query"},
		{QueryConfig{Query: "SELECT v FROM m"}, "must define one of 'every' or 'cron'"},
		{QueryConfig{Query: "SELECT v FROM m", Every: 1, Cluster: "elsewhere"}, `unknown InfluxDB cluster "elsewhere"`},
	}
	for _, tt := range tests {
		spec := TaskSpec{Name: "b", Type: BatchTask, Build: func(t *Task) error {
			t.NewQuery(NodeInfo{Name: "query1", Pos: "b.tick:2:3"}, tt.cfg)
			return nil
		}}
		p, err := NewProgram([]TaskSpec{spec}, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := startLive(p, p.Config, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

func TestReplayOutputHasInfluxDBOutPoints(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/in.srpl"
	rec := "house\nautogen\nhouse,meter=a power=1.5 60000000000\nhouse\nautogen\nother power=2 61000000000\n"
	if err := os.WriteFile(file, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := TaskSpec{Name: "house", DBRPs: []DBRP{{"house", "autogen"}}, Build: func(t *Task) error {
		from := NewFrom(t, NodeInfo{Name: "from1"}, FromConfig{Measurement: "house"})
		t.AddMeasurement("house")
		t.Stream().AddChild(from)
		out := NewInfluxDBOut(t, NodeInfo{Name: "influxdb_out2"}, InfluxDBOutConfig{Measurement: "copy", Tags: Tags{{"src", "tickc"}}})
		from.AddChild(out)
		return out.Err()
	}}
	p, err := NewProgram([]TaskSpec{spec}, nil, func() Clock { return NewReplayClock(0) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Replay(ReplayOptions{Streams: []string{file}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := out.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	want := `{"httpOut":{},"alerts":[],"influxDBOut":[{"database":"house","retentionPolicy":"autogen","name":"copy","tags":{"meter":"a","src":"tickc"},"fields":{"power":1.5},"time":"1970-01-01T00:01:00Z"}]}` + "\n"
	if b.String() != want {
		t.Errorf("replay output\n got %s\nwant %s", b.String(), want)
	}
}
