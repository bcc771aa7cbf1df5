package codegen

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestTopicHandlersEndToEnd compiles a script whose alert publishes to the
// topic "ops" and replays data through it with a configuration whose
// topic-handlers-dir defines two handlers of that topic: a post handler with
// a match expression, which a local listener receives, and a log handler.
func TestTopicHandlersEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	var mu sync.Mutex
	var posts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, r.URL.Path+" "+string(body))
		mu.Unlock()
	}))
	defer srv.Close()

	const script = `stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |alert()
        .id('{{ index .Tags "host" }}')
        .message('{{ .ID }} is {{ .Level }}')
        .warn(lambda: "usage" > 70)
        .crit(lambda: "usage" > 90)
        .topic('ops')
`
	dir := t.TempDir()
	bin := buildScript(t, dir, "cpu_alert", script, "telegraf")

	handlers := filepath.Join(dir, "handlers")
	logFile := filepath.Join(dir, "audit.log")
	files := map[string]string{
		filepath.Join(handlers, "pager.yaml"): "id: pager\ntopic: ops\nkind: post\nmatch: level() >= WARNING AND \"host\" == 'db1'\noptions:\n  url: " + srv.URL + "/pager\n",
		filepath.Join(handlers, "audit.json"): `{"id": "audit", "topic": "ops", "kind": "log", "options": {"path": "` + logFile + `"}}`,
		filepath.Join(dir, "tickc.conf"):      "[alert]\ntopic-handlers-dir = '" + handlers + "'\n",
	}
	var srpl strings.Builder
	for i, p := range []string{"db1 usage=50", "db1 usage=75", "web1 usage=80", "db1 usage=95", "db1 usage=60"} {
		host, field, _ := strings.Cut(p, " ")
		fmt.Fprintf(&srpl, "telegraf\nautogen\ncpu,host=%s %s %d\n", host, field, int64(i)*1e9)
	}
	files[filepath.Join(dir, "in.srpl")] = srpl.String()
	if err := os.Mkdir(handlers, 0o755); err != nil {
		t.Fatal(err)
	}
	for p, text := range files {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(bin, "replay", "--config", filepath.Join(dir, "tickc.conf"), "--input", filepath.Join(dir, "in.srpl"),
		"--clock-zero", "1970-01-01T00:00:00Z", "--duration", "10s").CombinedOutput()
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}

	mu.Lock()
	got := append([]string(nil), posts...)
	mu.Unlock()
	if len(got) != 2 || !strings.HasPrefix(got[0], `/pager {"id":"db1","message":"db1 is WARNING","details":"{\u0026#34;Name\u0026#34;:\u0026#34;cpu\u0026#34;`) ||
		!strings.HasPrefix(got[1], `/pager {"id":"db1","message":"db1 is CRITICAL",`) {
		t.Errorf("the post handler got\n%s\nwant the WARNING and CRITICAL events of db1", strings.Join(got, "\n"))
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var messages []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		_, rest, _ := strings.Cut(line, `"message":"`)
		msg, _, _ := strings.Cut(rest, `"`)
		messages = append(messages, msg)
	}
	if want := "db1 is WARNING|web1 is WARNING|db1 is CRITICAL|db1 is OK"; strings.Join(messages, "|") != want {
		t.Errorf("the log handler got %s, want %s", strings.Join(messages, "|"), want)
	}

	// A spec file with an option its kind does not take stops the program
	// before it runs, naming the file.
	bad := filepath.Join(handlers, "bad.yaml")
	if err := os.WriteFile(bad, []byte("id: bad\ntopic: ops\nkind: post\noptions:\n  urll: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(bin, "replay", "--config", filepath.Join(dir, "tickc.conf"), "--input", filepath.Join(dir, "in.srpl"),
		"--clock-zero", "1970-01-01T00:00:00Z", "--duration", "10s").CombinedOutput()
	if err == nil || !strings.Contains(string(out), bad+": post options: unknown options: urll") {
		t.Errorf("a bad spec file: %v\n%s", err, out)
	}
}
