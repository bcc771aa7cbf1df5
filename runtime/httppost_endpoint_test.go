package runtime

import (
	"net/http"
	"strings"
	"testing"
)

// httppostConfig is an [[httppost]] section with two entries posting to
// base: one for alerts, one for rows.
func httppostConfig(base string) string {
	return `
[[httppost]]
  endpoint = "alerts"
  url = "` + base + `/alert/{{.ID}}"
  alert-template = "{{.Message}} at {{.Time.Unix}}: {{range .Data.Series}}{{.Name}}{{end}} {{jsonCompact .Data.Series}}"
  [httppost.headers]
    X-Endpoint = "e"
    X-Both = "endpoint"
  [httppost.basic-auth]
    username = "bob"
    password = "secret"

[[httppost]]
  endpoint = "rows"
  url = "` + base + `/rows/{{.Name}}"
  row-template = "{{.Name}} {{index .Tags \"host\"}}{{range .Values}} {{index . \"v\"}}{{end}}"
`
}

func TestHTTPPostSection(t *testing.T) {
	c, err := ParseConfig(httppostConfig("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	eps := *c.Section("httppost").(*HTTPPostEndpoints)
	if len(eps) != 2 || eps[0].Endpoint != "alerts" || eps[0].BasicAuth.Password != "secret" ||
		eps[0].Headers["X-Both"] != "endpoint" || eps[1].RowTemplate == "" {
		t.Fatalf("entries %+v", eps)
	}
	def := NewConfig().Section("httppost").(*HTTPPostEndpoints).Endpoints()
	if len(def) != 1 || def[0].Endpoint != "example" || def[0].URL != "http://example.com" {
		t.Errorf("default entries %+v", def)
	}
	for _, tc := range []struct{ text, want string }{
		{"[[httppost]]\nendpoint = \"a\"\nurl = \"http://x\"\nbogus = 1\n", "unknown configuration keys: httppost.bogus"},
		{"[[httppost]]\nendpoint = \"a\"\nurl = \"http://x\"\n[httppost.basic-auth]\nuser = \"u\"\n", "httppost.basic-auth.user"},
		{"[[httppost]]\nurl = \"http://x\"\n", "httppost: must specify endpoint name"},
		{"[[httppost]]\nendpoint = \"a\"\n", `httppost: endpoint "a": must specify url`},
		{"[[httppost]]\nendpoint = \"a\"\nurl = \"http://x/{{\"\n", `endpoint "a": invalid URL template syntax`},
		{"[[httppost]]\nendpoint = \"a\"\nurl = \"http://x\"\nrow-template = \"x\"\nrow-template-file = \"/t\"\n",
			"must specify only one of row-template and row-template-file"},
		{"[[httppost]]\nendpoint = \"a\"\nurl = \"http://x\"\nalert-template-file = \"rel.tmpl\"\n",
			"must use an absolute path for alert-template-file"},
		{"[[httppost]]\nendpoint = \"a\"\nurl = \"http://x\"\nalert-template = \"{{.Nope\"\n", `endpoint "a": failed to get alert-template`},
	} {
		if _, err := ParseConfig(tc.text); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestPostHandlerEndpoint(t *testing.T) {
	rec := newPostRecorder(t)
	task := notifyTask(t, httppostConfig(rec.srv.URL))
	h := NewPostHandler(task, PostHandlerConfig{Endpoint: "alerts", Headers: map[string]string{"X-Both": "script"}})
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	h.Handle(notifyEvent(t, AlertCritical))
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	got := rec.got()
	want := `cpu is CRITICAL at 60: cpu [{"name":"cpu","tags":{"host":"serverA"},"columns":["time","value"],"values":[["1970-01-01T00:01:00Z",95.5]]}]`
	if len(got) != 1 || string(got[0]) != want {
		t.Fatalf("bodies %q\nwant %q", got, want)
	}
	hd := rec.headers[0]
	user, pass, ok := (&http.Request{Header: hd}).BasicAuth()
	if !ok || user != "bob" || pass != "secret" {
		t.Errorf("Authorization %q", hd.Get("Authorization"))
	}
	if rec.paths[0] != "/alert/cpu-alert" || hd.Get("X-Endpoint") != "e" || hd.Get("X-Both") != "script" || hd.Get("Content-Type") != "" {
		t.Errorf("path %q headers %v", rec.paths[0], hd)
	}
}

func TestPostHandlerEndpointJSON(t *testing.T) {
	rec := newPostRecorder(t)
	task := notifyTask(t, "[[httppost]]\nendpoint = \"plain\"\nurl = \""+rec.srv.URL+"/p\"\n[httppost.headers]\nContent-Type = \"text/plain\"\n")
	h := NewPostHandler(task, PostHandlerConfig{Endpoint: "plain"})
	ev := notifyEvent(t, AlertWarning)
	h.Handle(ev)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	got := rec.got()
	if len(got) != 1 || string(got[0]) != string(ev.Body) {
		t.Fatalf("bodies %q, want %q", got, ev.Body)
	}
	// The JSON body's Content-Type is set over the endpoint's header.
	if ct := rec.headers[0].Values("Content-Type"); len(ct) != 1 || ct[0] != "application/json" || rec.headers[0].Get("Authorization") != "" {
		t.Errorf("headers %v", rec.headers[0])
	}
}

func TestHTTPPostNodeEndpoint(t *testing.T) {
	rec := newPostRecorder(t)
	task := notifyTask(t, httppostConfig(rec.srv.URL))
	n := NewHTTPPost(task, NodeInfo{Name: "httpPost1"}, HTTPPostConfig{Endpoint: "rows", Headers: map[string]string{"X-Key": "k"}, CodeField: "code"})
	if n.Err() != nil {
		t.Fatal(n.Err())
	}
	out := &sink{}
	n.AddChild(out)
	n.Point(mkPoint(1, mkTags("host=a"), mkFields("v", 1.5)))
	got := rec.got()
	if len(got) != 1 || string(got[0]) != "cpu a 1.5" {
		t.Fatalf("bodies %q", got)
	}
	if rec.paths[0] != "/rows/cpu" || rec.headers[0].Get("X-Key") != "k" || rec.headers[0].Get("Content-Type") != "" || rec.headers[0].Get("Authorization") != "" {
		t.Errorf("path %q headers %v", rec.paths[0], rec.headers[0])
	}
	out.check(t, `cpu "" 1s {host=a} {code=200i,v=1.5}`)
}

func TestHTTPPostUnknownEndpoint(t *testing.T) {
	task := notifyTask(t, httppostConfig("http://127.0.0.1:1"))
	n := NewHTTPPost(task, NodeInfo{Name: "httpPost1"}, HTTPPostConfig{Endpoint: "nope"})
	if err := n.Err(); err == nil || err.Error() != "httpPost: endpoint 'nope' does not exist" {
		t.Errorf("httpPost err = %v", err)
	}
	// Without [[httppost]], Kapacitor's default entry "example" exists.
	if n := NewHTTPPost(notifyTask(t, ""), NodeInfo{Name: "httpPost2"}, HTTPPostConfig{Endpoint: "example"}); n.Err() != nil || n.endpoint == nil {
		t.Errorf("default endpoint: err = %v", n.Err())
	}
	if n := NewHTTPPost(task, NodeInfo{Name: "httpPost3"}, HTTPPostConfig{Endpoint: "example"}); n.Err() == nil {
		t.Error("the default endpoint exists beside the file's entries")
	}
	h := NewPostHandler(task, PostHandlerConfig{Endpoint: "nope"})
	if err := h.Err(); err == nil || !strings.Contains(err.Error(), `endpoint "nope" does not exist in the [[httppost]] configuration`) {
		t.Errorf("post handler err = %v", err)
	}
	_ = h.Close()
	// With a URL too, Kapacitor's handler posts to the URL.
	h = NewPostHandler(task, PostHandlerConfig{Endpoint: "nope", URL: "http://127.0.0.1:1/x"})
	if err := h.Err(); err != nil {
		t.Errorf("post handler with url: err = %v", err)
	}
	_ = h.Close()
	a := NewAlert(task, NodeInfo{Name: "alert2"}, AlertConfig{
		ID: "x", Handlers: []AlertHandler{NewPostHandler(task, PostHandlerConfig{Endpoint: "missing"})},
	})
	if err := a.Err(); err == nil || !strings.Contains(err.Error(), `endpoint "missing" does not exist`) {
		t.Errorf("alert err = %v", err)
	}
}
