package runtime

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// The alert conformance cases: each builds by hand the pipeline of the
// case's task.tick (with hand-written lambdas), runs the recorded input
// through it, and compares byte for byte the bodies the task records and
// its handlers' targets receive with alerts.jsonl, and the httpOut result
// with expected.json.

// cmpField is the predicate "field" OP x on a float or int field.
func cmpField(field, op string, x float64) Lambda {
	return evalFunc(func(_ int64, _ Tags, fields Fields) (stdlib.Value, error) {
		v := fields.Get(field)
		var f float64
		switch v.Type() {
		case stdlib.TypeFloat:
			f = v.Float()
		case stdlib.TypeInt:
			f = float64(v.Int())
		default:
			return stdlib.Missing, fmt.Errorf("no field or tag exists for %s", field)
		}
		switch op {
		case ">":
			return stdlib.Bool(f > x), nil
		case ">=":
			return stdlib.Bool(f >= x), nil
		case "<":
			return stdlib.Bool(f < x), nil
		}
		return stdlib.Missing, fmt.Errorf("bad op %s", op)
	})
}

// hostIs is "host" == 'serverA'.
var hostIsA = evalFunc(tagEquals("host", "serverA"))

// alertTargets are the handler targets of one case, standing behind the
// placeholders of its task.tick.
type alertTargets struct {
	t     *testing.T
	posts []*postRecorder
	tcps  []*tcpRecorder
	logs  []string
}

func (a *alertTargets) post(task *Task) AlertHandler {
	r := newPostRecorder(a.t)
	a.posts = append(a.posts, r)
	return NewPostHandler(task, PostHandlerConfig{URL: r.srv.URL})
}

func (a *alertTargets) tcp(task *Task) AlertHandler {
	r := newTCPRecorder(a.t)
	a.tcps = append(a.tcps, r)
	return NewTCPHandler(task, TCPHandlerConfig{Address: r.addr()})
}

func (a *alertTargets) log(task *Task, mode os.FileMode) AlertHandler {
	p := filepath.Join(a.t.TempDir(), "alerts.log")
	a.logs = append(a.logs, p)
	return NewLogHandler(task, LogHandlerConfig{Path: p, Mode: mode})
}

// alertCase builds a case's pipeline below the task's root; out is its
// httpOut node, or nil.
type alertCase struct {
	name  string
	build func(task *Task, at *alertTargets) (head chainNode, out *HTTPOut)
}

// countChain is from().where(host == 'serverA').groupBy('host') |window(10s,
// 10s) |count('value') |alert(cfg), the pipeline of several cases.
func countChain(task *Task, cfg AlertConfig) (chainNode, *Alert) {
	from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", Where: hostIsA, GroupBy: []string{"host"}})
	win := NewWindow(task, NodeInfo{Name: "window2"}, WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second})
	count := NewInfluxQL(task, NodeInfo{Name: "count3"}, InfluxQLConfig{Func: InfluxQLCount, Field: "value", BatchInput: true})
	alert := NewAlert(task, NodeInfo{Name: "alert4"}, cfg)
	from.AddChild(win)
	win.AddChild(count)
	count.AddChild(alert)
	return from, alert
}

// alertDefaults returns a config with Kapacitor's default templates.
func alertDefaults(cfg AlertConfig) AlertConfig {
	if cfg.ID == "" {
		cfg.ID = DefaultAlertID
	}
	if cfg.Message == "" {
		cfg.Message = DefaultAlertMessage
	}
	return cfg
}

var streamAlertCases = []alertCase{
	{"TestStream_Alert", func(task *Task, at *alertTargets) (chainNode, *HTTPOut) {
		head, alert := countChain(task, alertDefaults(AlertConfig{
			ID: `kapacitor/{{ .Name }}/{{ index .Tags "host" }}`, Details: "details",
			IDField: "id", IDTag: "id", LevelField: "level", MessageField: "msg", LevelTag: "level",
			Info: cmpField("count", ">", 6), Warn: cmpField("count", ">", 7), Crit: cmpField("count", ">", 8),
			Handlers: []AlertHandler{at.post(task)},
		}))
		out := NewHTTPOut(task, NodeInfo{Name: "httpOut5"}, HTTPOutConfig{Endpoint: "TestStream_Alert"})
		alert.AddChild(out)
		return head, out
	}},
	{"TestStream_AlertComplexWhere", func(task *Task, at *alertTargets) (chainNode, *HTTPOut) {
		sigma := stdlib.NewSigmaState()
		where := evalFunc(func(_ int64, tags Tags, fields Fields) (stdlib.Value, error) {
			if h, _ := tags.Get("host"); h != "serverA" {
				return stdlib.Bool(false), nil
			}
			s, err := sigma.Call(fields.Get("value"))
			if err != nil {
				return stdlib.Missing, err
			}
			return stdlib.Bool(s.Float() > 2), nil
		})
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", Where: where})
		from.AddChild(NewAlert(task, NodeInfo{Name: "alert2"}, alertDefaults(AlertConfig{
			Crit:     evalFunc(func(int64, Tags, Fields) (stdlib.Value, error) { return stdlib.Bool(true), nil }),
			Handlers: []AlertHandler{at.post(task)},
		})))
		return from, nil
	}},
	{"TestStream_AlertDuration", func(task *Task, at *alertTargets) (chainNode, *HTTPOut) {
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", Where: hostIsA, GroupBy: []string{"host"}})
		alert := NewAlert(task, NodeInfo{Name: "alert2"}, alertDefaults(AlertConfig{
			ID: `kapacitor/{{ .Name }}/{{ index .Tags "host" }}`, Details: "details", DurationField: "duration",
			Warn: cmpField("value", ">", 7), Crit: cmpField("value", ">", 8), StateChangesOnly: true,
			Handlers: []AlertHandler{at.post(task)},
		}))
		out := NewHTTPOut(task, NodeInfo{Name: "httpOut3"}, HTTPOutConfig{Endpoint: "TestStream_AlertDuration"})
		from.AddChild(alert)
		alert.AddChild(out)
		return from, out
	}},
	{"TestStream_AlertLog", func(task *Task, at *alertTargets) (chainNode, *HTTPOut) {
		head, _ := countChain(task, alertDefaults(AlertConfig{
			ID:   `kapacitor.{{ .Name }}.{{ index .Tags "host" }}`,
			Info: cmpField("count", ">", 6), Warn: cmpField("count", ">", 7), Crit: cmpField("count", ">", 8),
			Handlers: []AlertHandler{at.log(task, 0), at.log(task, 0o644)},
		}))
		return head, nil
	}},
	{"TestStream_AlertSigma", func(task *Task, at *alertTargets) (chainNode, *HTTPOut) {
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", Where: hostIsA})
		eval := NewEval(task, NodeInfo{Name: "eval2"}, EvalConfig{
			Lambdas: []LambdaFactory{func() Lambda {
				sigma := stdlib.NewSigmaState()
				return evalFunc(func(_ int64, _ Tags, fields Fields) (stdlib.Value, error) { return sigma.Call(fields.Get("value")) })
			}},
			As:   []string{"sigma"},
			Keep: true,
		})
		alert := NewAlert(task, NodeInfo{Name: "alert3"}, alertDefaults(AlertConfig{
			Details: "{{ .Message }}",
			Info:    cmpField("sigma", ">", 2), Warn: cmpField("sigma", ">", 3), Crit: cmpField("sigma", ">", 3.5),
			Handlers: []AlertHandler{at.post(task)},
		}))
		from.AddChild(eval)
		eval.AddChild(alert)
		return from, nil
	}},
	{"TestStream_AlertTCP", func(task *Task, at *alertTargets) (chainNode, *HTTPOut) {
		head, _ := countChain(task, alertDefaults(AlertConfig{
			ID:   `kapacitor.{{ .Name }}.{{ index .Tags "host" }}`,
			Info: cmpField("count", ">", 6), Warn: cmpField("count", ">", 7), Crit: cmpField("count", ">", 8),
			Handlers: []AlertHandler{at.tcp(task)},
		}))
		return head, nil
	}},
	{"TestStream_Alert_NoRecoveries", func(task *Task, at *alertTargets) (chainNode, *HTTPOut) {
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
		alert := NewAlert(task, NodeInfo{Name: "alert2"}, alertDefaults(AlertConfig{
			ID:   `kapacitor/{{ .Name }}/{{ index .Tags "host" }}`,
			Info: cmpField("value", ">=", 6), Warn: cmpField("value", ">=", 7), Crit: cmpField("value", ">=", 8),
			NoRecoveries: true,
			Handlers:     []AlertHandler{at.post(task)},
		}))
		out := NewHTTPOut(task, NodeInfo{Name: "httpOut3"}, HTTPOutConfig{Endpoint: "TestStream_Alert_NoRecoveries"})
		from.AddChild(alert)
		alert.AddChild(out)
		return from, out
	}},
	{"TestStream_Alert_WithReset_0", withReset(10, 20, 30)},
	{"TestStream_Alert_WithReset_1", withReset(30, 50, 70)},
}

// withReset builds the WithReset cases: levels above 40, 60 and 80 that
// reset below the given thresholds.
func withReset(info, warn, crit float64) func(*Task, *alertTargets) (chainNode, *HTTPOut) {
	return func(task *Task, at *alertTargets) (chainNode, *HTTPOut) {
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", Where: hostIsA, GroupBy: []string{"host"}})
		alert := NewAlert(task, NodeInfo{Name: "alert2"}, alertDefaults(AlertConfig{
			ID: `kapacitor/{{ .Name }}/{{ index .Tags "host" }}`, Details: "details",
			IDField: "id", IDTag: "id", LevelField: "level", LevelTag: "level",
			Info: cmpField("value", ">", 40), InfoReset: cmpField("value", "<", info),
			Warn: cmpField("value", ">", 60), WarnReset: cmpField("value", "<", warn),
			Crit: cmpField("value", ">", 80), CritReset: cmpField("value", "<", crit),
			Handlers: []AlertHandler{at.post(task)},
		}))
		out := NewHTTPOut(task, NodeInfo{Name: "httpOut3"}, HTTPOutConfig{Endpoint: "out"})
		from.AddChild(alert)
		alert.AddChild(out)
		return from, out
	}
}

func TestStreamAlertConformance(t *testing.T) {
	for _, c := range streamAlertCases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "shared", "conformance", "cases", "stream", c.name)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("conformance case not available: %v", err)
			}
			task, err := NewTask(TaskSpec{Name: "testStreamer", Type: StreamTask}, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			at := &alertTargets{t: t}
			head, out := c.build(task, at)
			for _, p := range readSrpl(t, filepath.Join(dir, "input.srpl")) {
				head.Point(p)
			}
			head.Done()
			checkAlertCase(t, dir, task, at, out)
		})
	}
}

// checkAlertCase compares what the task recorded and what the targets got
// with alerts.jsonl, and out's result with expected.json.
func checkAlertCase(t *testing.T, dir string, task *Task, at *alertTargets, out *HTTPOut) {
	t.Helper()
	if want, err := os.ReadFile(filepath.Join(dir, "alerts.jsonl")); err == nil {
		if got := bytes.Join(task.Alerts(), nil); !bytes.Equal(got, want) {
			t.Errorf("recorded alerts:\n%s\nwant:\n%s", got, want)
		}
		for _, r := range at.posts {
			if got := bytes.Join(r.got(), nil); !bytes.Equal(got, want) {
				t.Errorf("posted:\n%s\nwant:\n%s", got, want)
			}
		}
		for _, r := range at.tcps {
			wantTCP := strings.ReplaceAll(string(want), "\n", "\n\n")
			deadline := time.Now().Add(2 * time.Second)
			for len(r.got()) < strings.Count(string(want), "\n") && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if got := bytes.Join(r.got(), nil); string(got) != wantTCP {
				t.Errorf("tcp got:\n%q\nwant:\n%q", got, wantTCP)
			}
		}
		for _, p := range at.logs {
			got, err := os.ReadFile(p)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("log %s (%v):\n%s\nwant:\n%s", filepath.Base(p), err, got, want)
			}
		}
	}
	if out == nil {
		return
	}
	want, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := out.JSON()
	if want = bytes.TrimSpace(want); string(want) == `{"series":[]}` {
		want = []byte(`{"series":null}`)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("httpOut:\n%s\nwant:\n%s", got, want)
	}
}

func TestBatchAlertConformance(t *testing.T) {
	crit := func(x float64) Lambda { return cmpField("mean", ">", x) }
	for name, cfg := range map[string]AlertConfig{
		"TestBatch_AlertAll_00":     {All: true, Crit: crit(92)},
		"TestBatch_AlertAll_01":     {All: true, Crit: crit(90), LevelField: "level"},
		"TestBatch_AlertDuration":   {Crit: crit(95), DurationField: "duration"},
		"TestBatch_AlertLevelField": {Crit: crit(95), LevelField: "level", IDField: "id"},
		"TestBatch_AlertMessage":    {Crit: crit(95), MessageField: "msg"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "shared", "conformance", "cases", "batch", name)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("conformance case not available: %v", err)
			}
			task, err := NewTask(TaskSpec{Name: "testBatcher", Type: BatchTask}, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			alert := NewAlert(task, NodeInfo{Name: "alert2"}, alertDefaults(cfg))
			out := NewHTTPOut(task, NodeInfo{Name: "httpOut3"}, HTTPOutConfig{Endpoint: "TestBatch_SimpleMR"})
			alert.AddChild(out)
			for _, b := range readBrpl(t, filepath.Join(dir, "input.0.brpl")) {
				alert.Batch(b)
			}
			alert.Done()
			checkAlertCase(t, dir, task, &alertTargets{t: t}, out)
		})
	}
}
