package runtime

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

func TestTopicMatch(t *testing.T) {
	ev := &AlertEvent{
		ID: "db1", Level: AlertWarning, PreviousLevel: AlertOK, Name: "cpu", TaskName: "cpu_alert",
		Duration: 90 * time.Second, Tags: mkTags("host=db1", "dc=eu-west"),
	}
	for _, c := range []struct {
		expr string
		want bool
	}{
		{`level() == WARNING`, true},
		{`level() >= CRITICAL`, false},
		{`level() > OK AND level() < CRITICAL`, true},
		{`changed()`, true},
		{`changed() == TRUE`, true},
		{`!changed()`, false},
		{`"host" == 'db1'`, true},
		{`"host" == 'db2' OR "dc" =~ /^eu-/`, true},
		{`"dc" !~ /^eu-/`, false},
		{`name() == 'cpu' AND taskName() == 'cpu_alert'`, true},
		{`duration() > 1m`, true},
		{`duration() >= 2m`, false},
		{`duration() == 90s`, true},
		{`(level() == INFO OR level() == WARNING) AND "host" == 'db1'`, true},
		{`level() + 1 == CRITICAL`, true},
		{`'it\'s' == 'it' + '\'s'`, true},
		{`-level() < 0`, true},
	} {
		m, err := ParseTopicMatch(c.expr)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		got, err := m.Match(ev)
		if err != nil || got != c.want {
			t.Errorf("%s: %v, %v; want %v", c.expr, got, err, c.want)
		}
	}
	// Errors when the expression is compiled.
	for expr, want := range map[string]string{
		`level() == SEVERE`:      `col 12: unknown identifier "SEVERE"`,
		`strLength("host") > 1`:  `col 1: unknown function strLength()`,
		`level(1) == OK`:         `col 7: level takes no arguments`,
		`level() ==`:             `col 11: unexpected end of expression`,
		`"host" == 'db1`:         `col 11: unterminated ' literal`,
		`level() == OK)`:         `col 14: unexpected )`,
		`"host" =~ /(/`:          `invalid regex`,
		`level() == OK # remark`: `col 15: unexpected character '#'`,
	} {
		_, err := ParseTopicMatch(expr)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "invalid match expression: ") {
			t.Errorf("%s: error %v, want %q", expr, err, want)
		}
	}
	// Errors when it is evaluated: a missing tag, a non-boolean result, an
	// operator on the wrong types.
	for expr, want := range map[string]string{
		`"rack" == 'r1'`:     "no tag exists for rack",
		`level()`:            "match expression returned int, want a boolean",
		`level() == 'WARN'`:  "mismatched type",
		`changed() AND 'x'`:  "mismatched type to binary operator. got boolean AND string",
		`name() + 1 == 'x1'`: "mismatched type",
	} {
		m, err := ParseTopicMatch(expr)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if _, err := m.Match(ev); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", expr, err, want)
		}
	}
}

// writeSpec writes a spec file in dir.
func writeSpec(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTopicHandlerSpecErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"bad.yaml", "id: a\ntopic: ops\nkind: post\noptions: [1\n", "invalid YAML"},
		{"bad.json", `{"id": "a", "topic": "ops", "kind": "post",}`, "invalid handler spec"},
		{"field.yaml", "id: a\ntopic: ops\nkind: post\nactions: []\n", `unknown field "actions"`},
		{"kind.yaml", "id: a\ntopic: ops\nkind: pigeon\n", `unsupported handler kind "pigeon" (want one of alerta, bigpanda, discord, exec, kafka, log, mqtt, opsgenie2, pagerduty2, post, pushover, sensu, servicenow, slack, smtp, snmptrap, talk, tcp, teams, telegram, victorops, zenoss)`},
		{"retired.yaml", "id: a\ntopic: ops\nkind: hipchat\n", `handler kind "hipchat": the service's API is retired`},
		{"id.yaml", "id: a/b\ntopic: ops\nkind: post\n", `handler ID must contain only letters`},
		{"topic.yaml", "id: a\ntopic: ''\nkind: post\n", `handler topic must contain only letters`},
		{"nokind.yaml", "id: a\ntopic: ops\n", `handler kind must not be empty`},
		{"opts.yaml", "id: a\ntopic: ops\nkind: post\noptions:\n  url: http://x\n  urll: http://y\n  timeout: soon\n", "post options: timeout: want a duration (nanoseconds or a string such as \"10s\"), got a string\nunknown options: urll"},
		{"nested.yaml", "id: a\ntopic: ops\nkind: snmptrap\noptions:\n  trap-oid: 1.3.6.1.4.1.1\n  data-list:\n  - oid: 1.3.6.1.4.1.1.1\n    type: s\n    valu: x\n", "unknown options: data-list[0].valu"},
		{"qos.yaml", "id: a\ntopic: ops\nkind: mqtt\noptions:\n  qos: 3\n", "qos: invalid QoS 3"},
		{"match.yaml", "id: a\ntopic: ops\nkind: post\nmatch: level() = WARNING\n", "invalid match expression: col 9: unexpected character '='"},
	} {
		dir := t.TempDir()
		file := writeSpec(t, dir, c.name, c.text)
		_, err := LoadTopicHandlerSpecs(dir)
		if err == nil || !strings.HasPrefix(err.Error(), file+": ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v\nwant %s: …%s", c.name, err, file, c.want)
		}
	}
	dir := t.TempDir()
	writeSpec(t, dir, "a.yaml", "id: h\ntopic: ops\nkind: tcp\noptions: {address: '127.0.0.1:1'}\n")
	second := writeSpec(t, dir, "b.json", `{"id": "h", "topic": "ops", "kind": "log", "options": {"path": "/tmp/x"}}`)
	if _, err := LoadTopicHandlerSpecs(dir); err == nil || !strings.Contains(err.Error(), second+`: handler "h" of topic "ops" is already defined in `+filepath.Join(dir, "a.yaml")) {
		t.Errorf("duplicate: %v", err)
	}
	// The configuration names the file too.
	conf := writeSpec(t, t.TempDir(), "tickc.conf", "[alert]\ntopic-handlers-dir = '"+dir+"'\n")
	if _, err := LoadConfig(conf); err == nil || !strings.HasPrefix(err.Error(), conf+": alert: "+second+": ") {
		t.Errorf("config: %v", err)
	}
	if _, err := ParseConfig("[alert]\ntopic-handlers-dir = '" + filepath.Join(dir, "missing") + "'\n"); err == nil || !strings.Contains(err.Error(), "alert: topic-handlers-dir: open ") {
		t.Errorf("missing directory: %v", err)
	}
}

func TestTopicHandlerSpecOptions(t *testing.T) {
	// Every kind takes Kapacitor's option names; a handler made from them has
	// no configuration error.
	dir := t.TempDir()
	specs := map[string]string{
		"post":       `{"url": "http://127.0.0.1:1/x", "headers": {"A": "b"}, "capture-response": true, "timeout": 1000000000, "skip-ssl-verification": true}`,
		"tcp":        `{"address": "127.0.0.1:1"}`,
		"log":        `{"path": "` + filepath.Join(dir, "x.log") + `", "mode": 420}`,
		"exec":       `{"prog": "/bin/true", "args": ["a"]}`,
		"smtp":       `{"to": ["a@example.com"], "to-field": ["{{ .ID }}@example.com"]}`,
		"kafka":      `{"cluster": "k", "topic": "alerts", "template": "{{ .ID }}", "disablePartitionById": true, "partitionAlgorithm": "murmur2"}`,
		"mqtt":       `{"broker-name": "m", "topic": "alerts", "qos": "at-least-once", "retained": true}`,
		"slack":      `{"workspace": "w", "channel": "#a", "username": "u", "icon-emoji": ":x:"}`,
		"pagerduty2": `{"routing-key": "rk", "links": [{"href": "http://x/{{ .ID }}", "text": "t"}]}`,
		"opsgenie2":  `{"teams-list": ["t"], "recipients-list": ["r"], "recovery_action": "close"}`,
		"victorops":  `{"routing-key": "rk"}`,
		"telegram":   `{"chat-id": "1", "parse-mode": "Markdown", "disable-web-page-preview": true, "disable-notification": true}`,
		"pushover":   `{"user-key": "u", "device": "d", "title": "t", "url": "http://x", "url-title": "x", "sound": "s"}`,
		"teams":      `{"channel-url": "http://127.0.0.1:1/x"}`,
		"discord":    `{"workspace": "", "username": "u", "avatar-url": "http://x", "embed-title": "{{ .ID }}"}`,
		"snmptrap":   `{"trap-oid": "1.3.6.1.4.1.1", "data-list": [{"oid": "1.3.6.1.4.1.1.1", "type": "s", "value": "{{ .Message }}"}]}`,
		"alerta":     `{"token": "t", "token-prefix": "Key", "resource": "r", "event": "e", "environment": "env", "group": "g", "value": "v", "origin": "o", "service": ["s"], "correlate": ["c"], "attributes": {"a": 1}, "timeout": "1h"}`,
		"sensu":      `{"source": "s", "handlers": ["h"], "metadata": {"k": 1.5}}`,
		"bigpanda":   `{"app-key": "k", "url": "http://x", "host": "h", "primary-property": "p", "secondary-property": "s", "attributes": {"a": "b"}}`,
		"servicenow": `{"url": "http://x", "username": "u", "password": "p", "source": "s", "node": "n", "type": "t", "resource": "r", "metric_name": "m", "message_key": "k", "additional_info": {"a": 1}}`,
		"zenoss":     `{"action": "a", "method": "m", "type": "t", "tid": 2, "summary": "s", "device": "d", "component": "c", "evclasskey": "k", "evclass": "e", "collector": "c", "message": "m", "customField": {"a": 1}}`,
		"talk":       `{}`,
	}
	for kind, opts := range specs {
		writeSpec(t, dir, kind+".json", fmt.Sprintf(`{"id": "%s", "topic": "all", "kind": "%s", "options": %s}`, kind, kind, opts))
	}
	loaded, err := LoadTopicHandlerSpecs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != len(specs) || len(loaded) != len(topicHandlerKinds) {
		t.Fatalf("%d specs, want one of each of the %d kinds", len(loaded), len(topicHandlerKinds))
	}
	tk := notifyTask(t, "[[kafka]]\nid = 'k'\nbrokers = ['127.0.0.1:1']\n[[mqtt]]\nname = 'm'\nurl = 'tcp://127.0.0.1:1'\n[[slack]]\nworkspace = 'w'\n")
	for _, s := range loaded {
		h := s.build(tk)
		if err := h.Err(); err != nil {
			t.Errorf("%s: %v", s.Kind, err)
		}
		h.Close()
	}
}

// topicReceiver is an HTTP listener that records the bodies posted to it.
type topicReceiver struct {
	mu     sync.Mutex
	bodies []string
	srv    *httptest.Server
}

func newTopicReceiver(t *testing.T) *topicReceiver {
	r := &topicReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, req.URL.Path+" "+req.Header.Get("X-Team")+" "+string(b))
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func TestTopicHandlersReceiveTheTopicsEvents(t *testing.T) {
	rec := newTopicReceiver(t)
	dir := t.TempDir()
	logFile := filepath.Join(t.TempDir(), "audit.log")
	writeSpec(t, dir, "pager.yaml", `id: pager
topic: ops
kind: post
match: level() >= WARNING AND "host" == 'db1'
options:
  url: `+rec.srv.URL+`/pager
  headers:
    X-Team: ops
`)
	writeSpec(t, dir, "audit.json", `{"id": "audit", "topic": "ops", "kind": "log", "options": {"path": "`+logFile+`"}}`)
	writeSpec(t, dir, "other.yaml", "id: elsewhere\ntopic: other\nkind: post\noptions:\n  url: "+rec.srv.URL+"/other\n")
	cfg, err := ParseConfig("[alert]\ntopic-handlers-dir = '" + dir + "'\n")
	if err != nil {
		t.Fatal(err)
	}
	task, err := NewTask(TaskSpec{Name: "cpu_alert", Type: StreamTask}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := NewAlert(task, NodeInfo{Name: "alert2"}, alertDefaults(AlertConfig{
		ID: `{{ index .Tags "host" }}`, Message: `{{ .ID }} is {{ .Level }}`, Topic: "ops",
		Warn: cmpField("v", ">", 70), Crit: cmpField("v", ">", 90),
	}))
	if n.Err() != nil {
		t.Fatal(n.Err())
	}
	if n.anon {
		t.Error("a node whose only handler is its topic's publisher has an anonymous topic")
	}
	for i, p := range []struct {
		host string
		v    float64
	}{{"db1", 50}, {"db1", 75}, {"web1", 80}, {"db1", 95}, {"db1", 60}, {"web1", 20}} {
		n.Point(mkPoint(float64(i), mkTags("host="+p.host), mkFields("v", p.v), "host"))
	}
	n.Done()

	// The post handler got the WARNING and CRITICAL events of db1 only, as
	// the alert node's own post handler would send them.
	rec.mu.Lock()
	got := rec.bodies
	rec.mu.Unlock()
	if len(got) != 2 || !strings.HasPrefix(got[0], `/pager ops {"id":"db1","message":"db1 is WARNING",`) ||
		!strings.HasPrefix(got[1], `/pager ops {"id":"db1","message":"db1 is CRITICAL",`) || !strings.Contains(got[1], `"previousLevel":"WARNING"`) {
		t.Errorf("posted:\n%s\nwant the WARNING and CRITICAL events of db1", strings.Join(got, "\n"))
	}
	// The log handler, without a match, got all five events.
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var levels []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		i := strings.Index(line, `"message":"`)
		j := strings.Index(line, `","details"`)
		if i < 0 || j < i {
			t.Fatalf("log line %s", line)
		}
		levels = append(levels, line[i+len(`"message":"`):j])
	}
	if want := "db1 is WARNING,web1 is WARNING,db1 is CRITICAL,db1 is OK,web1 is OK"; strings.Join(levels, ",") != want {
		t.Errorf("logged %s, want %s", strings.Join(levels, ","), want)
	}

	// Kapacitor's read endpoints.
	api := NewHandler(nil, cfg, nil)
	get := func(url string) (int, string) {
		w := httptest.NewRecorder()
		api.ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
		return w.Code, w.Body.String()
	}
	for _, c := range []struct {
		url  string
		code int
		want string
	}{
		{"/kapacitor/v1/alerts/topics", 200, `{
    "link": {
        "rel": "self",
        "href": "/kapacitor/v1/alerts/topics"
    },
    "topics": [
        {
            "link": {
                "rel": "self",
                "href": "/kapacitor/v1/alerts/topics/ops"
            },
            "id": "ops",
            "level": "OK",
            "collected": 5,
            "events-link": {
                "rel": "events",
                "href": "/kapacitor/v1/alerts/topics/ops/events"
            },
            "handlers-link": {
                "rel": "handlers",
                "href": "/kapacitor/v1/alerts/topics/ops/handlers"
            }
        },
        {
            "link": {
                "rel": "self",
                "href": "/kapacitor/v1/alerts/topics/other"
            },
            "id": "other",
            "level": "OK",
            "collected": 0,
            "events-link": {
                "rel": "events",
                "href": "/kapacitor/v1/alerts/topics/other/events"
            },
            "handlers-link": {
                "rel": "handlers",
                "href": "/kapacitor/v1/alerts/topics/other/handlers"
            }
        }
    ]
}`},
		{"/kapacitor/v1/alerts/topics?pattern=o*s&min-level=ok", 200, `"id": "ops"`},
		{"/kapacitor/v1/alerts/topics?min-level=WARNING", 200, `"topics": []`},
		{"/kapacitor/v1/alerts/topics/ops/events/db1", 200, `{
    "link": {
        "rel": "self",
        "href": "/kapacitor/v1/alerts/topics/ops/events/db1"
    },
    "id": "db1",
    "state": {
        "message": "db1 is OK",
        "details": "",
        "time": "1970-01-01T00:00:04Z",
        "duration": "3s",
        "level": "OK"
    }
}`},
		{"/kapacitor/v1/alerts/topics/ops/events", 200, `"href": "/kapacitor/v1/alerts/topics/ops/events/web1"`},
		{"/kapacitor/v1/alerts/topics/ops/handlers", 200, `{
    "link": {
        "rel": "self",
        "href": "/kapacitor/v1/alerts/topics/ops/handlers"
    },
    "topic": "ops",
    "handlers": [
        {
            "link": {
                "rel": "self",
                "href": "/kapacitor/v1/alerts/topics/ops/handlers/audit"
            },
            "id": "audit",
            "kind": "log",
            "options": {
                "path": "` + logFile + `"
            },
            "match": ""
        },
        {
            "link": {
                "rel": "self",
                "href": "/kapacitor/v1/alerts/topics/ops/handlers/pager"
            },
            "id": "pager",
            "kind": "post",
            "options": {
                "headers": {
                    "X-Team": "ops"
                },
                "url": "` + rec.srv.URL + `/pager"
            },
            "match": "level() \u003e= WARNING AND \"host\" == 'db1'"
        }
    ]
}`},
		{"/kapacitor/v1/alerts/topics/ops/handlers/pager", 200, `"kind": "post"`},
		{"/kapacitor/v1/alerts/topics/nope", 404, `"error": "unknown topic: \"nope\""`},
		{"/kapacitor/v1/alerts/topics/ops/events/nope", 404, `"error": "unknown event \"nope\" in topic \"ops\""`},
		{"/kapacitor/v1/alerts/topics/ops/handlers/nope", 404, `"error": "unknown handler: \"nope\""`},
		{"/kapacitor/v1/alerts/topics?min-level=SEVERE", 400, `unknown alert level 'SEVERE'`},
	} {
		code, body := get(c.url)
		if code != c.code || (!strings.Contains(body, c.want) && body != c.want) {
			t.Errorf("GET %s: %d\n%s\nwant %d with\n%s", c.url, code, body, c.code, c.want)
		}
	}
	// The events list holds both alert IDs, and web1's WARNING is gone: its
	// last event is OK.
	if _, body := get("/kapacitor/v1/alerts/topics/ops/events?min-level=warning"); !strings.Contains(body, `"events": []`) {
		t.Errorf("events at WARNING or above: %s", body)
	}
}

func TestTopicHandlerConfigErrorFailsTheNode(t *testing.T) {
	dir := t.TempDir()
	file := writeSpec(t, dir, "kafka.yaml", "id: k\ntopic: ops\nkind: kafka\noptions:\n  cluster: nowhere\n  topic: alerts\n")
	cfg, err := ParseConfig("[alert]\ntopic-handlers-dir = '" + dir + "'\n")
	if err != nil {
		t.Fatal(err)
	}
	task, err := NewTask(TaskSpec{Name: "t", Type: StreamTask}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := NewAlert(task, NodeInfo{Name: "alert1"}, alertDefaults(AlertConfig{Topic: "ops", Crit: alwaysTrue}))
	want := file + `: topic "ops" handler "k": kafka handler: unknown cluster "nowhere"`
	if n.Err() == nil || !strings.Contains(n.Err().Error(), want) {
		t.Errorf("error %v, want %q", n.Err(), want)
	}
	n.Done()
}

func TestTopicHandlersOfSeveralNodes(t *testing.T) {
	// Two tasks publish to one topic: its handlers are made once, get the
	// events of both, and are closed (flushed) when the last node ends.
	rec := newTopicReceiver(t)
	dir := t.TempDir()
	writeSpec(t, dir, "all.yaml", "id: all\ntopic: shared\nkind: post\nmatch: changed()\noptions:\n  url: "+rec.srv.URL+"/all\n")
	cfg, err := ParseConfig("[alert]\ntopic-handlers-dir = '" + dir + "'\n")
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*Alert
	for _, name := range []string{"a", "b"} {
		task, err := NewTask(TaskSpec{Name: name, Type: StreamTask}, cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := NewAlert(task, NodeInfo{Name: "alert1"}, alertDefaults(AlertConfig{ID: "{{ .TaskName }}", Topic: "shared", Crit: cmpField("v", ">", 1)}))
		if n.Err() != nil {
			t.Fatal(n.Err())
		}
		nodes = append(nodes, n)
	}
	hub := cfg.Section("alert").(*AlertServiceConfig).topics
	if tp := hub.topics["shared"]; tp.refs != 2 || len(tp.handlers) != 1 {
		t.Fatalf("refs %d, handlers %d; want 2 nodes sharing 1 handler", tp.refs, len(tp.handlers))
	}
	for i, v := range []float64{2, 2, 0} {
		nodes[0].Point(mkPoint(float64(i), nil, mkFields("v", v)))
		nodes[1].Point(mkPoint(float64(i), nil, mkFields("v", v+1)))
	}
	nodes[0].Done()
	if tp := hub.topics["shared"]; tp.refs != 1 || len(tp.handlers) != 1 {
		t.Fatalf("after one node ended: refs %d, handlers %d", tp.refs, len(tp.handlers))
	}
	nodes[1].Done()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	// a: CRITICAL (changed), CRITICAL (not), OK (changed); b: CRITICAL
	// (changed) twice unchanged … b's third point is 1, not above 1: OK.
	var ids []string
	for _, b := range rec.bodies {
		i := strings.Index(b, `"id":"`)
		ids = append(ids, b[i+6:i+7]+":"+levelOf(b))
	}
	if got, want := strings.Join(sortedCopy(ids), " "), "a:CRITICAL a:OK b:CRITICAL b:OK"; got != want {
		t.Errorf("delivered %s, want %s", got, want)
	}
	if hub.topics["shared"].collected != 6 {
		t.Errorf("collected %d, want 6", hub.topics["shared"].collected)
	}
}

// levelOf returns the "level" of an event body.
func levelOf(body string) string {
	i := strings.Index(body, `"level":"`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`"level":"`):]
	return rest[:strings.IndexByte(rest, '"')]
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

var _ = stdlib.Bool
