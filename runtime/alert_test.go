package runtime

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// captureHandler records the events it is given.
type captureHandler struct{ evs []*AlertEvent }

func (c *captureHandler) Handle(ev *AlertEvent) { c.evs = append(c.evs, ev) }

// summary renders the events as "LEVEL@secs(prev,duration)" lines.
func (c *captureHandler) summary() string {
	var out []string
	for _, ev := range c.evs {
		out = append(out, ev.Level.String()+"@"+time.Duration(ev.Time).String()+"("+ev.PreviousLevel.String()+","+ev.Duration.String()+")")
	}
	return strings.Join(out, " ")
}

var alwaysTrue = evalFunc(func(int64, Tags, Fields) (stdlib.Value, error) { return stdlib.Bool(true), nil })

// newTestAlert makes an alert node of a new stream task, with a capturing
// handler and a sink below it.
func newTestAlert(t *testing.T, cfg AlertConfig) (*Alert, *captureHandler, *sink) {
	t.Helper()
	task, err := NewTask(TaskSpec{Name: "task", Type: StreamTask}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &captureHandler{}
	cfg.Handlers = append(cfg.Handlers, h)
	n := NewAlert(task, NodeInfo{Name: "alert1"}, alertDefaults(cfg))
	if n.Err() != nil {
		t.Fatal(n.Err())
	}
	out := &sink{}
	n.AddChild(out)
	return n, h, out
}

// levelsOf returns the level field of every point the sink got.
func levelsOf(s *sink) string {
	var out []string
	for _, p := range s.pts {
		out = append(out, p.Fields.Get("level").Str())
	}
	return strings.Join(out, " ")
}

// TestAlertLevelsWithResets is the example of Kapacitor's documentation:
// values 61 73 64 85 62 56 47 give INFO WARNING WARNING CRITICAL INFO INFO OK.
func TestAlertLevelsWithResets(t *testing.T) {
	n, h, out := newTestAlert(t, AlertConfig{
		Info: cmpField("v", ">", 60), InfoReset: cmpField("v", "<", 50),
		Warn: cmpField("v", ">", 70), WarnReset: cmpField("v", "<", 60),
		Crit: cmpField("v", ">", 80), CritReset: cmpField("v", "<", 70),
		LevelField: "level",
	})
	for i, v := range []float64{61, 73, 64, 85, 62, 56, 47, 40} {
		n.Point(mkPoint(float64(i), nil, mkFields("v", v)))
	}
	if got, want := levelsOf(out), "INFO WARNING WARNING CRITICAL INFO INFO OK"; got != want {
		t.Errorf("levels %q, want %q", got, want)
	}
	if got, want := h.summary(), "INFO@0s(OK,0s) WARNING@1s(INFO,1s) WARNING@2s(WARNING,2s) CRITICAL@3s(WARNING,3s) "+
		"INFO@4s(CRITICAL,4s) INFO@5s(INFO,5s) OK@6s(INFO,6s)"; got != want {
		t.Errorf("events %s\nwant   %s", got, want)
	}
	if n.AlertsTriggered != 7 || n.InfosTriggered != 3 || n.WarnsTriggered != 2 || n.CritsTriggered != 1 || n.OKsTriggered != 1 {
		t.Errorf("counters %d %d %d %d %d", n.AlertsTriggered, n.InfosTriggered, n.WarnsTriggered, n.CritsTriggered, n.OKsTriggered)
	}
}

// TestAlertDefaultTemplates checks the default ID, message and details (HTML
// escaped JSON of the template data) and the event body.
func TestAlertDefaultTemplates(t *testing.T) {
	n, h, _ := newTestAlert(t, AlertConfig{Details: DefaultAlertDetails, Crit: alwaysTrue})
	n.Point(mkPoint(10, mkTags("host=a"), mkFields("v", 1.5, "n", 2)))
	if len(h.evs) != 1 {
		t.Fatalf("%d events", len(h.evs))
	}
	ev := h.evs[0]
	if ev.ID != "cpu:nil" || ev.Message != "cpu:nil is CRITICAL" {
		t.Errorf("id %q message %q", ev.ID, ev.Message)
	}
	plain := `{"Name":"cpu","TaskName":"task","Group":"nil","Tags":{"host":"a"},` +
		`"ServerInfo":{"Hostname":"localhost","ClusterID":"","ServerID":""},"ID":"cpu:nil","Fields":{"n":2,"v":1.5},` +
		`"Level":"CRITICAL","Time":"1970-01-01T00:00:10Z","Duration":0,"Message":"cpu:nil is CRITICAL"}` + "\n"
	if want := strings.ReplaceAll(plain, `"`, "&#34;"); ev.Details != want {
		t.Errorf("details\n%s\nwant\n%s", ev.Details, want)
	}
	body := `{"id":"cpu:nil","message":"cpu:nil is CRITICAL","details":"` + strings.ReplaceAll(ev.Details[:len(ev.Details)-1], "&", `\u0026`) +
		`\n","time":"1970-01-01T00:00:10Z","duration":0,"level":"CRITICAL","data":{"series":[{"name":"cpu","tags":{"host":"a"},` +
		`"columns":["time","n","v"],"values":[["1970-01-01T00:00:10Z",2,1.5]]}]},"previousLevel":"OK","recoverable":true}` + "\n"
	if string(ev.Body) != body {
		t.Errorf("body\n%s\nwant\n%s", ev.Body, body)
	}
	if got := n.Task.Alerts(); len(got) != 1 || string(got[0]) != body {
		t.Errorf("recorded %q", got)
	}
}

func TestAlertTemplates(t *testing.T) {
	n, h, _ := newTestAlert(t, AlertConfig{
		ID:      "{{ .TaskName }}/{{ .Group }}/{{ index .Tags \"host\" }}",
		Message: "{{ .ID }} {{ .Level }} at {{ .Time.Unix }} for {{ .Duration }} v={{ index .Fields \"v\" }}",
		Details: "<b>{{ .Message }}</b> {{ jsonCompact .Tags }}",
		Warn:    cmpField("v", ">", 1),
	})
	n.Point(mkPoint(10, mkTags("host=a", "dc=x"), mkFields("v", 1.5), "host", "dc"))
	n.Point(mkPoint(15, mkTags("host=a", "dc=x"), mkFields("v", 2.5), "host", "dc"))
	if len(h.evs) != 2 {
		t.Fatalf("%d events", len(h.evs))
	}
	ev := h.evs[1]
	if ev.ID != "task/dc=x,host=a/a" {
		t.Errorf("id %q", ev.ID)
	}
	if ev.Message != "task/dc=x,host=a/a WARNING at 15 for 5s v=2.5" {
		t.Errorf("message %q", ev.Message)
	}
	if want := "<b>task/dc=x,host=a/a WARNING at 15 for 5s v=2.5</b> {&#34;dc&#34;:&#34;x&#34;,&#34;host&#34;:&#34;a&#34;}"; ev.Details != want {
		t.Errorf("details %q\nwant    %q", ev.Details, want)
	}
}

// TestAlertStateChangesOnly sends an unchanged level again once the interval
// has passed since the last event.
func TestAlertStateChangesOnly(t *testing.T) {
	for _, tc := range []struct {
		every time.Duration
		want  string
	}{
		{0, "CRITICAL@0s(OK,0s) OK@12s(CRITICAL,12s)"},
		{5 * time.Second, "CRITICAL@0s(OK,0s) CRITICAL@5s(CRITICAL,5s) CRITICAL@10s(CRITICAL,10s) OK@12s(CRITICAL,12s)"},
	} {
		n, h, _ := newTestAlert(t, AlertConfig{Crit: cmpField("v", ">", 0), StateChangesOnly: true, StateChangesOnlyDuration: tc.every})
		for i := 0; i <= 11; i++ {
			n.Point(mkPoint(float64(i), nil, mkFields("v", 1.0)))
		}
		n.Point(mkPoint(12, nil, mkFields("v", 0.0)))
		n.Point(mkPoint(13, nil, mkFields("v", 0.0)))
		if got := h.summary(); got != tc.want {
			t.Errorf("every %v: %s\nwant %s", tc.every, got, tc.want)
		}
	}
}

func TestAlertPercentChange(t *testing.T) {
	O, C := AlertOK, AlertCritical
	for _, tc := range []struct {
		history []AlertLevel
		idx     int
		want    float64
	}{
		{[]AlertLevel{O, O, O, O}, 0, 0},
		{[]AlertLevel{O, C, O, O}, 1, (0.8 + 0.8 + 0.4/3) / 3},
		{[]AlertLevel{O, C, C, O}, 2, (0.8 + 0.4/3) / 3},
		{[]AlertLevel{O, C, C, C}, 3, (0.8 + 0.4/3 + 0.8 + 0.8/3) / 3},
		{[]AlertLevel{C, C, C, C}, 0, 0},
	} {
		g := &alertGroup{history: tc.history, idx: tc.idx}
		if got := g.percentChange(); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%v idx %d: %v, want %v", tc.history, tc.idx, got, tc.want)
		}
	}
}

// TestAlertFlapping holds events back while the weighted fraction of
// changes is above high, until it falls below low. The alert left OK while
// flapping, so, as in Kapacitor, its duration has no start.
func TestAlertFlapping(t *testing.T) {
	n, h, out := newTestAlert(t, AlertConfig{Crit: cmpField("v", ">", 0), History: 4, Flapping: true, FlapLow: 0.25, FlapHigh: 0.5})
	for i := 0; i < 4; i++ {
		n.Point(mkPoint(float64(i), nil, mkFields("v", 1.0)))
	}
	if len(h.evs) != 1 || h.evs[0].Time != secs(3) || h.evs[0].Duration != math.MaxInt64 || len(out.pts) != 1 {
		t.Errorf("events %s, %d points out", h.summary(), len(out.pts))
	}
	if n := NewAlert(nil, NodeInfo{}, AlertConfig{Flapping: true, FlapLow: 0.2, FlapHigh: 50}); n.Err() == nil ||
		!strings.Contains(n.Err().Error(), "flap thresholds are percentages") {
		t.Errorf("err = %v", n.Err())
	}
}

func TestAlertNoRecoveriesKeepsState(t *testing.T) {
	n, h, out := newTestAlert(t, AlertConfig{Crit: cmpField("v", ">", 0), NoRecoveries: true})
	for i, v := range []float64{1, 0, 1} {
		n.Point(mkPoint(float64(i), nil, mkFields("v", v)))
	}
	if got := h.summary(); got != "CRITICAL@0s(OK,0s) CRITICAL@2s(CRITICAL,0s)" {
		t.Errorf("events %s", got)
	}
	if len(out.pts) != 2 || !strings.Contains(string(h.evs[0].Body), `"recoverable":false`) {
		t.Errorf("%d points out; body %s", len(out.pts), h.evs[0].Body)
	}
}

func TestAlertAugmentsOutput(t *testing.T) {
	n, _, out := newTestAlert(t, AlertConfig{
		ID: "x", Crit: cmpField("v", ">", 0),
		LevelTag: "lt", IDTag: "it", LevelField: "lf", MessageField: "mf", IDField: "if", DurationField: "df",
	})
	n.Point(mkPoint(0, mkTags("host=a"), mkFields("v", 1.0)))
	n.Point(mkPoint(2, mkTags("host=a"), mkFields("v", 1.0)))
	out.check(t,
		`cpu "" 0s {host=a,it=x,lt=CRITICAL} {df=0i,if="x",lf="CRITICAL",mf="x is CRITICAL",v=1}`,
		`cpu "" 2s {host=a,it=x,lt=CRITICAL} {df=2000000000i,if="x",lf="CRITICAL",mf="x is CRITICAL",v=1}`)
}

// TestAlertBatch: the level of a batch is its highest point's (its time and
// fields are the event's), or with all() its lowest (at the batch's time);
// empty batches are ignored.
func TestAlertBatch(t *testing.T) {
	lv := func(v float64) Fields { return mkFields("v", v) }
	levels := AlertConfig{Info: cmpField("v", ">", 1), Warn: cmpField("v", ">", 2), Crit: cmpField("v", ">", 3), LevelTag: "level", LevelField: "level"}
	n, h, out := newTestAlert(t, levels)
	n.Batch(mkBatch(10, mkTags("host=a"), mkBP(1, mkTags("host=a", "x=1"), lv(2.5)), mkBP(2, mkTags("host=a"), lv(5)), mkBP(3, mkTags("host=a"), lv(4))))
	n.Batch(mkBatch(20, mkTags("host=a")))
	n.Batch(mkBatch(30, mkTags("host=a"), mkBP(21, nil, lv(0)), mkBP(22, nil, lv(0.5))))
	if got := h.summary(); got != "CRITICAL@2s(OK,0s) OK@30s(CRITICAL,28s)" {
		t.Errorf("events %s", got)
	}
	if got := h.evs[0].Fields.Get("v").Float(); got != 5 {
		t.Errorf("event fields from v=%v", got)
	}
	if d := h.evs[0].Data.Series[0]; len(d.Values) != 3 || strings.Join(d.Columns, ",") != "time,v,x" {
		t.Errorf("event data %+v", d)
	}
	// The level tag becomes a dimension of the batch, as in Kapacitor.
	out.check(t,
		`batch cpu "host=a,level=CRITICAL" 10s {host=a,level=CRITICAL} [1s {host=a,level=CRITICAL,x=1} {level="CRITICAL",v=2.5}; 2s {host=a,level=CRITICAL} {level="CRITICAL",v=5}; 3s {host=a,level=CRITICAL} {level="CRITICAL",v=4}]`,
		`batch cpu "host=a,level=OK" 30s {host=a,level=OK} [21s {level=OK} {level="OK",v=0}; 22s {level=OK} {level="OK",v=0.5}]`)

	levels.All = true
	n, h, _ = newTestAlert(t, levels)
	n.Batch(mkBatch(10, nil, mkBP(1, nil, lv(5)), mkBP(2, nil, lv(2.5))))
	n.Batch(mkBatch(20, nil, mkBP(11, nil, lv(5)), mkBP(12, nil, lv(0))))
	if got := h.summary(); got != "WARNING@10s(OK,0s) OK@20s(WARNING,10s)" {
		t.Errorf("all: events %s", got)
	}
}

// TestAlertInhibit: while an alert with inhibit(category, tags) is not OK,
// events of alerts of that category with the same tag values are dropped;
// their data still goes downstream.
func TestAlertInhibit(t *testing.T) {
	task, err := NewTask(TaskSpec{Name: "task", Type: StreamTask}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	parent := NewAlert(task, NodeInfo{Name: "alert1"}, alertDefaults(AlertConfig{
		Crit: cmpField("v", ">", 5), Inhibitors: []AlertInhibitor{{Category: "db", EqualTags: []string{"host"}}},
	}))
	child := NewAlert(task, NodeInfo{Name: "alert2"}, alertDefaults(AlertConfig{Category: "db", Crit: alwaysTrue, IDField: "id"}))
	out := &sink{}
	child.AddChild(out)
	pt := func(s float64, host string, v float64) Point {
		return mkPoint(s, mkTags("host="+host), mkFields("v", v), "host")
	}
	parent.Point(pt(0, "a", 10))
	child.Point(pt(1, "a", 0))
	child.Point(pt(2, "b", 0))
	parent.Point(pt(3, "a", 1))
	child.Point(pt(4, "a", 0))
	var ids []string
	for _, b := range task.Alerts() {
		ids = append(ids, string(b[:strings.Index(string(b), `","message`)]))
	}
	if got := strings.Join(ids, " "); got != `{"id":"cpu:host=a {"id":"cpu:host=b {"id":"cpu:host=a {"id":"cpu:host=a` {
		t.Errorf("recorded %s", got)
	}
	if child.AlertsInhibited != 1 || child.AlertsTriggered != 2 || len(out.pts) != 3 {
		t.Errorf("inhibited %d triggered %d out %d", child.AlertsInhibited, child.AlertsTriggered, len(out.pts))
	}
	parent.Done()
	if task.Config.Section("alert").(*AlertServiceConfig).service.isInhibited("db", mkTags("host=a")) {
		t.Error("inhibitor still registered after Done")
	}
}

// TestAlertRestoresGroup: a group that appears again starts at the level its
// ID had in the node's topic, as Kapacitor restores it; without handlers
// there is no topic and it starts at OK.
func TestAlertRestoresGroup(t *testing.T) {
	n, h, _ := newTestAlert(t, AlertConfig{Crit: cmpField("v", ">", 0)})
	p := func(s, v float64) Point { return mkPoint(s, mkTags("host=a"), mkFields("v", v), "host") }
	n.Point(p(1, 1))
	n.DeleteGroup("host=a")
	n.Point(p(5, 0))
	if got := h.summary(); got != "CRITICAL@1s(OK,0s) OK@5s(CRITICAL,4s)" {
		t.Errorf("events %s", got)
	}

	n = NewAlert(nil, NodeInfo{}, alertDefaults(AlertConfig{Crit: cmpField("v", ">", 0)}))
	out := &sink{}
	n.AddChild(out)
	n.Point(p(1, 1))
	n.DeleteGroup("host=a")
	n.Point(p(5, 0))
	if len(out.pts) != 1 || n.AlertsTriggered != 1 {
		t.Errorf("without topic: %d points, %d events", len(out.pts), n.AlertsTriggered)
	}
}

// TestAlertPreviousLevelByID: groups that render the same ID share its
// previous level.
func TestAlertPreviousLevelByID(t *testing.T) {
	n, h, _ := newTestAlert(t, AlertConfig{ID: "same", Info: cmpField("v", ">", 0), Crit: cmpField("v", ">", 5)})
	n.Point(mkPoint(1, mkTags("host=a"), mkFields("v", 1.0), "host"))
	n.Point(mkPoint(2, mkTags("host=b"), mkFields("v", 9.0), "host"))
	// Group b starts at INFO, triggered at 1s: its duration counts from there.
	if got := h.summary(); got != "INFO@1s(OK,0s) CRITICAL@2s(INFO,1s)" {
		t.Errorf("events %s", got)
	}
}

func TestAlertExpressionErrors(t *testing.T) {
	failing := evalFunc(func(int64, Tags, Fields) (stdlib.Value, error) { return stdlib.Missing, errors.New("boom") })
	n, h, _ := newTestAlert(t, AlertConfig{Crit: failing, Warn: cmpField("v", ">", 0)})
	n.Point(mkPoint(1, nil, mkFields("v", 1.0)))
	if got := h.summary(); got != "WARNING@1s(OK,0s)" || n.Errors != 1 {
		t.Errorf("events %s, %d errors", got, n.Errors)
	}
	for _, cfg := range []AlertConfig{{ID: "{{ .Name "}, {Message: "{{ end }}"}, {Details: "{{ json }"}} {
		if n := NewAlert(nil, NodeInfo{}, alertDefaults(cfg)); n.Err() == nil {
			t.Errorf("%+v: no error", cfg)
		} else {
			n.Point(mkPoint(1, nil, mkFields("v", 1.0)))
			if n.AlertsTriggered != 0 {
				t.Errorf("a misconfigured node sent events")
			}
		}
	}
	bad := NewAlert(nil, NodeInfo{}, alertDefaults(AlertConfig{Handlers: []AlertHandler{NewLogHandler(nil, LogHandlerConfig{Path: "rel.log"})}}))
	if bad.Err() == nil || !strings.Contains(bad.Err().Error(), "must be absolute") {
		t.Errorf("handler error not reported: %v", bad.Err())
	}
}

// TestAlertDoneFlushesHandlers: events queued by a handler are delivered
// when the node's input ends.
func TestAlertDoneFlushesHandlers(t *testing.T) {
	rec := newPostRecorder(t)
	task, _ := NewTask(TaskSpec{Name: "task", Type: StreamTask}, nil, nil, nil)
	n := NewAlert(task, NodeInfo{}, alertDefaults(AlertConfig{Crit: alwaysTrue, Handlers: []AlertHandler{NewPostHandler(task, PostHandlerConfig{URL: rec.srv.URL})}}))
	out := &sink{}
	n.AddChild(out)
	for i := 0; i < 20; i++ {
		n.Point(mkPoint(float64(i), nil, mkFields("v", 1.0)))
	}
	n.Done()
	if got := len(rec.got()); got != 20 {
		t.Errorf("%d posts after Done, want 20", got)
	}
	if len(out.lines) == 0 || out.lines[len(out.lines)-1] != "done" {
		t.Error("Done not passed on")
	}
}

func TestAlertLevelString(t *testing.T) {
	for l, want := range map[AlertLevel]string{AlertOK: "OK", AlertInfo: "INFO", AlertWarning: "WARNING", AlertCritical: "CRITICAL", 7: "unknown"} {
		if l.String() != want {
			t.Errorf("%d: %q", int(l), l.String())
		}
	}
}

// The value sequences of three of Kapacitor's alert integration tests, one
// point a second, with the events Kapacitor's tests expect of them: 8 state
// changes, 5 alerts plus a recovery with stateChangesOnly(2s), and 9 events
// before flapping detection drops the last ones.
func TestAlertUpstreamSequences(t *testing.T) {
	changes := []float64{97.1, 92.6, 95.6, 93.1, 92.6, 95.8, 92.7, 96.0, 93.4, 95.3, 92.4, 95.1}
	expired := []float64{97.1, 92.6, 95.6, 93.1, 92.6, 95.8, 92.7, 96.0, 93.4, 95.3, 98.4, 97.1}
	below := func(x float64) Lambda { return cmpField("v", "<", x) }
	for _, tc := range []struct {
		name   string
		values []float64
		cfg    AlertConfig
		want   string
	}{
		{"stateChangesOnly", changes, AlertConfig{Crit: below(93), StateChangesOnly: true},
			"CRITICAL@1s(OK,0s) OK@2s(CRITICAL,1s) CRITICAL@4s(OK,0s) OK@5s(CRITICAL,1s) " +
				"CRITICAL@6s(OK,0s) OK@7s(CRITICAL,1s) CRITICAL@10s(OK,0s) OK@11s(CRITICAL,1s)"},
		{"stateChangesOnly(2s)", expired, AlertConfig{Crit: below(97), StateChangesOnly: true, StateChangesOnlyDuration: 2 * time.Second},
			"CRITICAL@1s(OK,0s) CRITICAL@3s(CRITICAL,2s) CRITICAL@5s(CRITICAL,4s) CRITICAL@7s(CRITICAL,6s) " +
				"CRITICAL@9s(CRITICAL,8s) OK@10s(CRITICAL,9s)"},
		{"flapping", changes, AlertConfig{Info: below(95), Warn: below(94), Crit: below(93), Flapping: true, FlapLow: 0.25, FlapHigh: 0.5, History: 21},
			"CRITICAL@1s(OK,0s) OK@2s(CRITICAL,1s) WARNING@3s(OK,0s) CRITICAL@4s(WARNING,1s) OK@5s(CRITICAL,2s) " +
				"CRITICAL@6s(OK,0s) OK@7s(CRITICAL,1s) WARNING@8s(OK,0s) OK@9s(WARNING,1s)"},
	} {
		n, h, _ := newTestAlert(t, tc.cfg)
		for i, v := range tc.values {
			n.Point(mkPoint(float64(i), mkTags("host=serverA"), mkFields("v", v)))
		}
		if got := h.summary(); got != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}

// BenchmarkAlertOKPath measures points that stay OK: no event, no template,
// nothing emitted.
func BenchmarkAlertOKPath(b *testing.B) {
	n := NewAlert(nil, NodeInfo{}, alertDefaults(AlertConfig{Warn: cmpField("v", ">", 70), Crit: cmpField("v", ">", 90), Handlers: []AlertHandler{&captureHandler{}}}))
	var pts [4]Point
	for i := range pts {
		pts[i] = mkPoint(0, mkTags("host=server"+string(rune('a'+i))), mkFields("v", 10.0), "host")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i%4]
		p.Time = int64(i)
		n.Point(p)
	}
	if n.AlertsTriggered != 0 {
		b.Fatal("an OK point produced an event")
	}
}

// TestAlertWithoutHandlersRecords: a node without handlers still records its
// events, each with the previous level of its ID.
func TestAlertWithoutHandlersRecords(t *testing.T) {
	task, _ := NewTask(TaskSpec{Name: "task", Type: StreamTask}, nil, nil, nil)
	n := NewAlert(task, NodeInfo{}, alertDefaults(AlertConfig{Crit: alwaysTrue}))
	n.Point(mkPoint(1, nil, mkFields("v", 1.0)))
	n.Point(mkPoint(2, nil, mkFields("v", 1.0)))
	got := task.Alerts()
	if len(got) != 2 || !strings.Contains(string(got[0]), `"previousLevel":"OK"`) || !strings.Contains(string(got[1]), `"previousLevel":"CRITICAL"`) {
		t.Errorf("recorded %q", got)
	}
}
