package codegen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tickc/tickc/codegen/gobuild"
	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

// alertProgram is stream|from().measurement('cpu').groupBy('host')
// |alert().crit(lambda: "usage" > 50.0) with the given handlers and
// Kapacitor's default templates, then |httpPost(postURL) when postURL is set.
func alertProgram(handlers []*ir.Handler, postURL string) *ir.Program {
	b := newBuilder("cpu")
	from := b.node(b.prog.Nodes[0], ir.KindFrom, "", &ir.FromProps{Measurement: "cpu", GroupBy: ir.Dimensions{Tags: []string{"host"}}}, ir.StreamEdge, ir.StreamEdge)
	alert := b.node(from, ir.KindAlert, "", &ir.AlertProps{
		ID:       "{{ .Name }}:{{ .Group }}",
		Message:  "{{ .ID }} is {{ .Level }}",
		Details:  "",
		Crit:     lambda(ir.NewBinary(ir.Pos{}, stdlib.OpGt, ref("usage"), constExpr(stdlib.Float(50)))),
		History:  21,
		IDField:  "id",
		Handlers: handlers,
	}, ir.StreamEdge, ir.StreamEdge)
	if postURL != "" {
		b.node(alert, ir.KindHTTPPost, "", &ir.HTTPPostProps{URLs: []string{postURL}, CodeField: "code"}, ir.StreamEdge, ir.StreamEdge)
	}
	return b.prog
}

func str(s string) stdlib.Value { return stdlib.String(s) }

func TestAlertEmitter(t *testing.T) {
	p := alertProgram([]*ir.Handler{
		{Kind: "post", Args: []stdlib.Value{str("http://example.com/a")}, Props: []ir.Call{
			{Name: "header", Args: []stdlib.Value{str("X-Test"), str("yes")}},
			{Name: "timeout", Args: []stdlib.Value{stdlib.Duration(5 * time.Second)}},
			{Name: "captureResponse"},
		}},
		{Kind: "tcp", Args: []stdlib.Value{str("127.0.0.1:9000")}},
		{Kind: "log", Args: []stdlib.Value{str("/var/log/alerts.log")}, Props: []ir.Call{{Name: "mode", Args: []stdlib.Value{stdlib.Int(0o644)}}}},
	}, "http://example.com/data")
	a := p.Nodes[2].Props.(*ir.AlertProps)
	a.History = 1
	a.StateChangesOnly, a.StateChangesOnlyDuration = true, 5*time.Minute
	a.Inhibitors = []ir.Inhibitor{{Category: "db", EqualTags: []string{"host"}}}
	p.Nodes[3].Props.(*ir.HTTPPostProps).Headers = []ir.Tag{{Key: "X-Key", Value: "k"}}
	src, err := Generate(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`Crit:    &alert2CritLambda{},`,
		`Details: "",`,
		`History: 2,`,
		`StateChangesOnlyDuration: 5 * time.Minute,`,
		`Inhibitors: []tickrt.AlertInhibitor{{`,
		`tickrt.NewPostHandler(t, tickrt.PostHandlerConfig{`,
		`Headers:         map[string]string{"X-Test": "yes"},`,
		`Timeout:         5 * time.Second,`,
		`tickrt.NewTCPHandler(t, tickrt.TCPHandlerConfig{Address: "127.0.0.1:9000"}),`,
		`Mode: os.FileMode(0o644),`,
		"if err := alert.Err(); err != nil {\n\t\treturn err\n\t}",
		`tickrt.NewHTTPPost(t, tickrt.NodeInfo{`,
		`Headers:   map[string]string{"X-Key": "k"},`,
		"if err := httpPost.Err(); err != nil {",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}
}

func TestAlertEmitterRejects(t *testing.T) {
	pos := ir.Pos{Filename: "test.tick", Line: 9, Column: 4}
	for _, tc := range []struct {
		h    *ir.Handler
		want string
	}{
		{&ir.Handler{Kind: "hipChat", Pos: pos}, "test.tick:9:4: not supported: the hipChat alert handler"},
		{&ir.Handler{Kind: "post", Pos: pos}, "test.tick:9:4: post needs a URL or an endpoint"},
	} {
		_, err := Generate(alertProgram([]*ir.Handler{tc.h}, ""), Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.h.Kind, err, tc.want)
		}
	}
	p := alertProgram(nil, "")
	b := &builder{prog: p, id: len(p.Nodes)}
	b.node(p.Nodes[2], ir.KindHTTPPost, "", &ir.HTTPPostProps{}, ir.StreamEdge, ir.StreamEdge)
	if _, err := Generate(p, Options{}); err == nil || !strings.Contains(err.Error(), "httpPost needs one URL or one endpoint, got 0 URLs and 0 endpoints") {
		t.Errorf("httpPost without url: err = %v", err)
	}
}

// TestPostEndpointEmitted checks that .post().endpoint(name) and
// |httpPost().endpoint(name) pass the name of the [[httppost]] entry.
func TestPostEndpointEmitted(t *testing.T) {
	p := alertProgram([]*ir.Handler{{Kind: "post", Props: []ir.Call{{Name: "endpoint", Args: []stdlib.Value{str("alerts")}}}}}, "")
	b := &builder{prog: p, id: len(p.Nodes)}
	b.node(p.Nodes[2], ir.KindHTTPPost, "", &ir.HTTPPostProps{Endpoints: []string{"rows"}}, ir.StreamEdge, ir.StreamEdge)
	src, err := Generate(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`tickrt.NewPostHandler(t, tickrt.PostHandlerConfig{Endpoint: "alerts"}),`,
		`tickrt.HTTPPostConfig{Endpoint: "rows"})`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}
}

// TestAlertProgramDelivers builds a program whose alert posts to a local
// server and whose httpPost node posts there too, replays points through
// it, and checks what the server received and what the replay printed.
func TestAlertProgramDelivers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	var mu sync.Mutex
	got := map[string][]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got[r.URL.Path] = append(got[r.URL.Path], string(body))
		mu.Unlock()
	}))
	defer srv.Close()
	p := alertProgram([]*ir.Handler{{Kind: "post", Args: []stdlib.Value{str(srv.URL + "/alert")}}}, srv.URL+"/data")
	src, err := Generate(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "alert")
	if err := gobuild.Build(context.Background(), []gobuild.Program{{Name: "alert", Source: src, Output: bin}}, gobuild.Options{CacheDir: testCache()}); err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(dir, "in.srpl")
	srpl := "db\nrp\ncpu,host=a usage=60 31536000000000000\n" +
		"db\nrp\ncpu,host=a usage=10 31536001000000000\n" +
		"db\nrp\ncpu,host=a usage=20 31536002000000000\n"
	if err := os.WriteFile(input, []byte(srpl), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "replay", "--input", input, "--clock-zero", "1971-01-01T00:00:00Z", "--duration", "5s").Output()
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	crit := `{"id":"cpu:host=a","message":"cpu:host=a is CRITICAL","details":"","time":"1971-01-01T00:00:00Z","duration":0,"level":"CRITICAL",` +
		`"data":{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","usage"],"values":[["1971-01-01T00:00:00Z",60]]}]},"previousLevel":"OK","recoverable":true}` + "\n"
	mu.Lock()
	defer mu.Unlock()
	if a := got["/alert"]; len(a) != 2 || a[0] != crit || !strings.Contains(a[1], `"level":"OK"`) {
		t.Errorf("alert posts %q", a)
	}
	data := `{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","id","usage"],"values":[["1971-01-01T00:00:00Z","cpu:host=a",60]]}]}` + "\n"
	if d := got["/data"]; len(d) != 2 || d[0] != data {
		t.Errorf("httpPost posts %q", d)
	}
	if !strings.Contains(string(out), `"alerts":[{"id":"cpu:host=a"`) {
		t.Errorf("replay output %s", out)
	}
}
