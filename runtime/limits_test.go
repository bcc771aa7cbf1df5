package runtime

import (
	"bytes"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// limitedTask returns a stream task on a replay clock at sec(0) with the
// given limits, built by build, logging to log (which may be nil).
func limitedTask(t *testing.T, lim LimitsConfig, log *slog.Logger, build func(task *Task) error) *Task {
	t.Helper()
	cfg := NewConfig()
	cfg.Limits = lim
	task, err := NewTask(TaskSpec{Name: "test", Type: StreamTask, DBRPs: []DBRP{{"db", "rp"}}, Build: build}, cfg, NewReplayClock(sec(0)), log)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func cpuPoint(host string, s, v float64) Point {
	return Point{Database: "db", RetentionPolicy: "rp", Name: "cpu", Time: sec(s),
		Tags: Tags{{"host", host}}, Fields: Fields{{"value", stdlib.Float(v)}}}
}

// TestGroupExpiryFreesEveryNode runs from |groupBy('host') |window(10s, 10s)
// |mean('value') |alert() |httpOut with a 15s idle timeout: once a host is
// idle for longer, no node keeps anything of it, and the endpoint no longer
// serves it, as after barrier().delete(TRUE).
func TestGroupExpiryFreesEveryNode(t *testing.T) {
	var nodes []groupCounter
	var out *HTTPOut
	task := limitedTask(t, LimitsConfig{GroupIdleTimeout: 15 * time.Second}, nil, func(task *Task) error {
		task.AddMeasurement("cpu")
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu"})
		gb := NewGroupBy(task, NodeInfo{Name: "groupBy2"}, GroupByConfig{Tags: []string{"host"}})
		win := NewWindow(task, NodeInfo{Name: "window3"}, WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second})
		mean := NewInfluxQL(task, NodeInfo{Name: "mean4"}, InfluxQLConfig{Func: InfluxQLMean, Field: "value", BatchInput: true})
		alert := NewAlert(task, NodeInfo{Name: "alert5"}, alertDefaults(AlertConfig{Crit: cmpField("mean", ">", 5)}))
		out = NewHTTPOut(task, NodeInfo{Name: "http_out6"}, HTTPOutConfig{Endpoint: "out"})
		task.Stream().AddChild(from)
		from.AddChild(gb)
		gb.AddChild(win)
		win.AddChild(mean)
		mean.AddChild(alert)
		alert.AddChild(out)
		nodes = []groupCounter{win, mean, alert, out}
		return nil
	})
	counts := func() []int {
		c := make([]int, len(nodes))
		for i, n := range nodes {
			c[i] = n.groupCount()
		}
		return c
	}
	send := func(p Point) {
		task.AdvanceClock(p.Time)
		task.deliverPoint(p)
	}
	// Hosts a and b every second up to 25s, then a alone until 60s; both
	// are over the threshold, so each window makes an event.
	for s := 0; s <= 60; s++ {
		if s == 26 {
			if got := counts(); !equalInts(got, []int{2, 2, 2, 2}) {
				t.Fatalf("groups per node at 25s: %v, want 2 each", got)
			}
		}
		send(cpuPoint("a", float64(s), 9))
		if s <= 25 {
			send(cpuPoint("b", float64(s), 8))
		}
	}
	// b's last data is at 25s: it expired when the clock passed 40s.
	if got := counts(); !equalInts(got, []int{1, 1, 1, 1}) {
		t.Errorf("groups per node at 60s: %v, want 1 each", got)
	}
	if body := resultJSON(t, out); !strings.Contains(body, `"host":"a"`) || strings.Contains(body, `"host":"b"`) {
		t.Errorf("at 60s the endpoint serves %s, want host a only", body)
	}
	// a's last data is at 60s: at 80s nothing is left anywhere.
	task.AdvanceClock(sec(80))
	if got := counts(); !equalInts(got, []int{0, 0, 0, 0}) {
		t.Errorf("groups per node at 80s: %v, want none", got)
	}
	if body := resultJSON(t, out); strings.Contains(body, "host") {
		t.Errorf("at 80s the endpoint serves %s, want no series", body)
	}
	if l := task.limits; l.groupCount() != 0 || len(l.entries) != 0 || l.oldest != nil || l.newest != nil {
		t.Errorf("the limiter keeps %d groups, %d entries", l.groupCount(), len(l.entries))
	}
}

// TestGroupExpiryOnReplayClock checks the moments of expiry on the replay
// clock: a group goes when the clock passes its last data plus the timeout
// (data at exactly that time keeps it), before the data that moved the
// clock, and comes back as a new group with its next point.
func TestGroupExpiryOnReplayClock(t *testing.T) {
	run := func() string {
		log := &barrierLog{}
		task := limitedTask(t, LimitsConfig{GroupIdleTimeout: 10 * time.Second}, nil, func(task *Task) error {
			from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
			task.Stream().AddChild(from)
			from.AddChild(log)
			return nil
		})
		for _, p := range []Point{
			cpuPoint("a", 0, 0), cpuPoint("b", 0, 0), cpuPoint("a", 5, 0), cpuPoint("b", 5, 0),
			cpuPoint("a", 10, 0), cpuPoint("a", 15, 0), // b is due at 15s+: not yet
			cpuPoint("a", 20, 0), // b goes first
			cpuPoint("b", 22, 0), // a new b
		} {
			task.AdvanceClock(p.Time)
			task.deliverPoint(p)
		}
		task.AdvanceClock(sec(40))
		return strings.Join(log.events, "|")
	}
	want := "point host=a@0s|point host=b@0s|point host=a@5s|point host=b@5s|point host=a@10s|point host=a@15s|" +
		"delete host=b|point host=a@20s|point host=b@22s|delete host=a|delete host=b"
	first := run()
	if first != want {
		t.Errorf("got\n%s\nwant\n%s", strings.ReplaceAll(first, "|", "\n"), strings.ReplaceAll(want, "|", "\n"))
	}
	for range 3 {
		if again := run(); again != first {
			t.Fatalf("a second run differs:\n%s\nthen\n%s", first, again)
		}
	}
}

// TestGroupLimitRejectsNewGroups caps a task at two groups, made by the from
// node or by a groupBy below an ungrouped from (whose one group does not
// count): the third host is rejected and counted, the first two go on, and
// the rejections are logged once.
func TestGroupLimitRejectsNewGroups(t *testing.T) {
	for _, viaGroupBy := range []bool{false, true} {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		var out *HTTPOut
		task := limitedTask(t, LimitsConfig{MaxGroupsPerTask: 2}, log, func(task *Task) error {
			out = NewHTTPOut(task, NodeInfo{Name: "http_out3"}, HTTPOutConfig{Endpoint: "out"})
			if viaGroupBy {
				from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu"})
				gb := NewGroupBy(task, NodeInfo{Name: "groupBy2"}, GroupByConfig{Tags: []string{"host"}})
				task.Stream().AddChild(from)
				from.AddChild(gb)
				gb.AddChild(out)
			} else {
				from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
				task.Stream().AddChild(from)
				from.AddChild(out)
			}
			return nil
		})
		for i, host := range []string{"a", "b", "c", "a", "d", "b"} {
			task.deliverPoint(cpuPoint(host, float64(i), float64(i)))
		}
		if got := task.PointsRejected(); got != 2 {
			t.Errorf("viaGroupBy=%v: %d points rejected, want 2", viaGroupBy, got)
		}
		body := resultJSON(t, out)
		for _, want := range []string{`"host":"a"},"columns":["time","value"],"values":[["1971-01-01T00:00:03Z",3]]`,
			`"host":"b"},"columns":["time","value"],"values":[["1971-01-01T00:00:05Z",5]]`} {
			if !strings.Contains(body, want) {
				t.Errorf("viaGroupBy=%v: the endpoint serves %s, want %s", viaGroupBy, body, want)
			}
		}
		if strings.Contains(body, `"host":"c"`) || strings.Contains(body, `"host":"d"`) {
			t.Errorf("viaGroupBy=%v: rejected hosts are served: %s", viaGroupBy, body)
		}
		if n := strings.Count(logs.String(), "group limit reached"); n != 1 {
			t.Errorf("viaGroupBy=%v: %d log lines about the limit, want 1:\n%s", viaGroupBy, n, logs.String())
		}
		if !strings.Contains(logs.String(), `group="host=c"`) {
			t.Errorf("viaGroupBy=%v: the log line does not name the first rejected group:\n%s", viaGroupBy, logs.String())
		}
	}
}

// TestGroupLimitWithExpiry frees a place under the cap when a group expires.
func TestGroupLimitWithExpiry(t *testing.T) {
	log := &barrierLog{}
	task := limitedTask(t, LimitsConfig{MaxGroupsPerTask: 1, GroupIdleTimeout: 10 * time.Second}, nil, func(task *Task) error {
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
		task.Stream().AddChild(from)
		from.AddChild(log)
		return nil
	})
	for _, p := range []Point{cpuPoint("a", 0, 0), cpuPoint("b", 1, 0), cpuPoint("b", 20, 0)} {
		task.AdvanceClock(p.Time)
		task.deliverPoint(p)
	}
	want := "point host=a@0s|delete host=a|point host=b@20s"
	if got := strings.Join(log.events, "|"); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := task.PointsRejected(); got != 1 {
		t.Errorf("%d points rejected, want 1", got)
	}
}

// TestLimitsOffKeepNothing checks that a task without limits has no limiter:
// its nodes pay one nil check per point.
func TestLimitsOffKeepNothing(t *testing.T) {
	task := limitedTask(t, LimitsConfig{}, nil, nil)
	if task.limits != nil {
		t.Fatal("a task without limits has a limiter")
	}
	if !task.AdmitGroup(nil, "host=a") || task.PointsRejected() != 0 {
		t.Error("a task without limits rejects a group")
	}
	var nilTask *Task
	if !nilTask.AdmitGroup(nil, "host=a") {
		t.Error("a node without task rejects a group")
	}
}

// TestGroupExpiryOnWallClock serves a task whose groups expire after 50ms of
// real time.
func TestGroupExpiryOnWallClock(t *testing.T) {
	cfg := NewConfig()
	cfg.Limits.GroupIdleTimeout = 50 * time.Millisecond
	var out *HTTPOut
	spec := TaskSpec{Name: "t", Type: StreamTask, DBRPs: []DBRP{{"db", "rp"}}, Build: func(task *Task) error {
		task.AddMeasurement("cpu")
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
		out = NewHTTPOut(task, NodeInfo{Name: "http_out2"}, HTTPOutConfig{Endpoint: "out"})
		task.Stream().AddChild(from)
		from.AddChild(out)
		return nil
	}}
	p, err := NewProgram([]TaskSpec{spec}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	if err := p.Write([]Point{cpuPoint("a", 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if body := resultJSON(t, out); !strings.Contains(body, `"host":"a"`) {
		t.Fatalf("the endpoint serves %s, want host a", body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Contains(resultJSON(t, out), `"host":"a"`) {
		if time.Now().After(deadline) {
			t.Fatal("the idle group did not expire within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLimitsConfig(t *testing.T) {
	cfg, err := ParseConfig("[limits]\ngroup-idle-timeout = \"5m\"\nmax-groups-per-task = 1000\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Limits.GroupIdleTimeout != 5*time.Minute || cfg.Limits.MaxGroupsPerTask != 1000 {
		t.Errorf("limits %+v", cfg.Limits)
	}
	if c := NewConfig(); c.Limits != (LimitsConfig{}) {
		t.Errorf("default limits %+v, want both off", c.Limits)
	}
	if _, err := ParseConfig("[limits]\nmax-groups-per-task = -1\n"); err == nil || !strings.Contains(err.Error(), "limits.max-groups-per-task must not be negative") {
		t.Errorf("negative limit: %v", err)
	}
	env := map[string]string{"TICKC_LIMITS_GROUP_IDLE_TIMEOUT": "90s", "TICKC_LIMITS_MAX_GROUPS_PER_TASK": "7"}
	if err := cfg.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if cfg.Limits.GroupIdleTimeout != 90*time.Second || cfg.Limits.MaxGroupsPerTask != 7 {
		t.Errorf("limits after the environment %+v", cfg.Limits)
	}
	env = map[string]string{"TICKC_LIMITS_MAX_GROUPS_PER_TASK": "many"}
	if err := cfg.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err == nil {
		t.Error("TICKC_LIMITS_MAX_GROUPS_PER_TASK=many is accepted")
	}

	// A flag given on the command line wins; one not given leaves the value.
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	apply := limitFlags(fs)
	if err := fs.Parse([]string{"--max-groups-per-task", "3"}); err != nil {
		t.Fatal(err)
	}
	cfg.Limits = LimitsConfig{GroupIdleTimeout: time.Hour, MaxGroupsPerTask: 10}
	if err := apply(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Limits.GroupIdleTimeout != time.Hour || cfg.Limits.MaxGroupsPerTask != 3 {
		t.Errorf("limits after the flags %+v", cfg.Limits)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func resultJSON(t *testing.T, out *HTTPOut) string {
	t.Helper()
	b, ok := out.JSON()
	if !ok {
		t.Fatal("httpOut result does not encode")
	}
	return string(b)
}
