package codegen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tickc/tickc/codegen/gobuild"
	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/ir/passes"
	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

func TestNotifyEmitter(t *testing.T) {
	call := func(name string, args ...stdlib.Value) ir.Call { return ir.Call{Name: name, Args: args} }
	p := alertProgram([]*ir.Handler{
		{Kind: "email", Args: []stdlib.Value{str("a@example.com")}, Props: []ir.Call{call("to", str("b@example.com")), call("toTemplates", str("{{ .Name }}@example.com"))}},
		{Kind: "exec", Args: []stdlib.Value{str("/bin/notify"), str("-v")}},
		{Kind: "slack", Props: []ir.Call{call("channel", str("#a")), call("channel", str("#b")), call("iconEmoji", str(":x:"))}},
		{Kind: "pagerDuty2", Props: []ir.Call{call("serviceKey", str("old")), call("routingKey", str("new")), call("link", str("http://h/{{ .ID }}"), str("t"))}},
		{Kind: "mqtt", Args: []stdlib.Value{str("alerts")}, Props: []ir.Call{call("qos", stdlib.Int(1)), call("retained", stdlib.Bool(true))}},
		{Kind: "kafka", Props: []ir.Call{call("cluster", str("c")), call("kafkaTopic", str("k")), call("disablePartitionById")}},
		{Kind: "snmpTrap", Args: []stdlib.Value{str("1.3.6.1.4.1.1")}, Props: []ir.Call{call("data", str("1.3.6.1.4.1.1.2"), str("s"), str("{{ .Message }}"))}},
		{Kind: "sensu", Props: []ir.Call{call("handlers", str("h1"), str("h2")), call("metadata", str("n"), stdlib.Int(3)), call("metadata", str("f"), stdlib.Float(1.5))}},
		{Kind: "zenoss", Props: []ir.Call{call("tid", stdlib.Int(7)), call("customField", str("k"), str("v"))}},
		{Kind: "talk"},
	}, "")
	src, err := Generate(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`tickrt.NewEmailHandler(t, tickrt.EmailHandlerConfig{`,
		`To:          []string{"a@example.com", "b@example.com"},`,
		`ToTemplates: []string{"{{ .Name }}@example.com"},`,
		`tickrt.NewExecHandler(t, tickrt.ExecHandlerConfig{`,
		`Args: []string{"-v"},`,
		`Prog: "/bin/notify",`,
		`tickrt.NewSlackHandler(t, tickrt.SlackHandlerConfig{`,
		`Channel:   "#b",`,
		`RoutingKey: "new",`,
		`Links: []tickrt.PagerDuty2Link{{`,
		`Text: "t",`,
		`tickrt.NewMQTTHandler(t, tickrt.MQTTHandlerConfig{`,
		`QoS:      1,`,
		`Topic:    "alerts",`,
		`DisablePartitionByID: true,`,
		`Data: []tickrt.SNMPTrapData{{`,
		`TrapOID: "1.3.6.1.4.1.1",`,
		`Handlers: []string{"h1", "h2"},`,
		`Metadata: map[string]any{`,
		`"n": int64(3),`,
		`"f": 1.5,`,
		`TID:          7,`,
		`tickrt.NewTalkHandler(t, tickrt.TalkHandlerConfig{}),`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated code lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("generated:\n%s", src)
	}
	bad := alertProgram([]*ir.Handler{{Kind: "mqtt", Args: []stdlib.Value{str("x")}, Props: []ir.Call{{Name: "qos", Args: []stdlib.Value{stdlib.Int(3)}, Pos: ir.Pos{Filename: "a.tick", Line: 2, Column: 5}}}}}, "")
	if _, err := Generate(bad, Options{}); err == nil || !strings.Contains(err.Error(), ":2:5: mqtt qos must be 0, 1 or 2, got 3") {
		t.Errorf("qos 3: err = %v", err)
	}
}

// TestPowerAlertExample runs the example power_alert.tick end to end: its
// alert mails a real SMTP server (aiosmtpd) and its httpPost posts the alert
// rows to a local server; influxDBOut, with no InfluxDB configured, only
// records its points.
func TestPowerAlertExample(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("..", "..", "shared", "examples", "power_alert.tick"))
	if err != nil {
		t.Skip("the shared examples are not here: ", err)
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import aiosmtpd").Run(); err != nil {
		t.Skip("no SMTP server: install python3-aiosmtpd (scripts/services.sh install)")
	}
	smtpPort, maildir := startMailbox(t, python)

	var mu sync.Mutex
	var posts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, r.URL.Path+" "+string(body))
		mu.Unlock()
	}))
	defer srv.Close()
	// The webhook of the example is a fixed local port; point it at ours.
	src := strings.Replace(string(script), "http://127.0.0.1:8080", srv.URL, 1)

	dir := t.TempDir()
	bin := buildScript(t, dir, "power_alert", src, "house_data")
	cfg := filepath.Join(dir, "kapacitor.conf")
	// Teams is a global service: the alert, which does not call it, posts
	// to it too.
	conf := fmt.Sprintf("[smtp]\nenabled = true\nhost = '127.0.0.1'\nport = %d\nfrom = 'kapacitor@example.com'\n"+
		"[teams]\nenabled = true\nglobal = true\nchannel-url = '%s/teams'\n", smtpPort, srv.URL)
	input := filepath.Join(dir, "in.srpl")
	srpl := "house_data\nautogen\nhouse,metric=ljz deviation=18.4 31536000000000000\n" +
		"house_data\nautogen\nhouse,metric=other deviation=50 31536001000000000\n" +
		"house_data\nautogen\nhouse,metric=ljz deviation=27.96666666666667 31536012000000000\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, []byte(srpl), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, err := exec.Command(bin, "replay", "--config", cfg, "--input", input, "--clock-zero", "1971-01-01T00:00:00Z", "--duration", "20s").CombinedOutput()
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	t.Logf("replay took %v", time.Since(start))

	row := func(ts string, dur int64, v string) string {
		return `/api/test {"series":[{"name":"house","tags":{"alertID":"Power_Consumption_Rule:nil","level":"CRITICAL","metric":"ljz"},` +
			`"columns":["time","duration","message","value"],"values":[["` + ts + `",` + fmt.Sprint(dur) + `,"Alert: power consumption",` + v + `]]}]}` + "\n"
	}
	want := []string{row("1971-01-01T00:00:00Z", 0, "18.4"), row("1971-01-01T00:00:12Z", int64(12*time.Second), "27.96666666666667")}
	mu.Lock()
	var rows, teams []string
	for _, p := range posts {
		if strings.HasPrefix(p, "/teams ") {
			teams = append(teams, p)
		} else {
			rows = append(rows, p)
		}
	}
	mu.Unlock()
	if strings.Join(rows, "") != strings.Join(want, "") {
		t.Errorf("httpPost bodies\n got: %q\nwant: %q", rows, want)
	}
	card := `/teams {"@type":"MessageCard","@context":"http://schema.org/extensions","title":"CRITICAL: [Power_Consumption_Rule:nil]",` +
		`"text":"Alert: power consumption","summary":"CRITICAL: [Power_Consumption_Rule:nil] - Alert: power consumption...","themeColor":"CC4A31"}`
	if len(teams) != 2 || teams[0] != card || teams[1] != card {
		t.Errorf("global teams posts %q, want two of %q", teams, card)
	}

	mails := waitMails(t, maildir, 2)
	for _, m := range mails {
		body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
		if s := m.Header.Get("Subject"); s != "Alert: power consumption" {
			t.Errorf("subject %q", s)
		}
		if to := m.Header.Get("To"); to != "oncall@example.com, ops@example.com" {
			t.Errorf("to %q", to)
		}
		if b := strings.TrimSuffix(string(body), "\n"); b != "The error of power consumption is greater than the threshold(6Wh)" {
			t.Errorf("body %q", b)
		}
	}
	if !strings.Contains(string(out), `"influxDBOut"`) {
		t.Errorf("the replay recorded no influxDBOut points:\n%s", out)
	}
}

// startMailbox runs aiosmtpd on a free loopback port, saving messages in a
// maildir, until the test ends.
func startMailbox(t *testing.T, python string) (int, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := filepath.Join(t.TempDir(), "maildir")
	cmd := exec.Command(python, "-m", "aiosmtpd", "-n", "-l", fmt.Sprintf("127.0.0.1:%d", port), "-c", "aiosmtpd.handlers.Mailbox", dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return port, dir
		}
	}
	t.Fatalf("aiosmtpd did not start: %s", out.String())
	return 0, ""
}

// waitMails returns the n messages of a maildir, waiting up to 5s.
func waitMails(t *testing.T, dir string, n int) []*mail.Message {
	t.Helper()
	var files []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if files, _ = filepath.Glob(filepath.Join(dir, "new", "*")); len(files) >= n {
			break
		}
	}
	if len(files) != n {
		t.Fatalf("%d mails arrived, want %d", len(files), n)
	}
	var msgs []*mail.Message
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// buildScript compiles the script src, with the optimizing passes, into a
// program in dir named after task, reading from db.autogen, and returns the
// binary's path.
func buildScript(t *testing.T, dir, task, src, db string) string {
	t.Helper()
	parsed, err := parser.ParseFile(task+".tick", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := ir.Lower(parsed, ir.LowerOptions{Task: task, DBRPs: []ir.DBRP{{Database: db, RetentionPolicy: "autogen"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := passes.Run(prog, passes.Options{Verify: true}); err != nil {
		t.Fatal(err)
	}
	code, err := Generate(prog, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, task)
	if err := gobuild.Build(context.Background(), []gobuild.Program{{Name: task, Source: code, Output: bin}}, gobuild.Options{CacheDir: testCache()}); err != nil {
		t.Fatal(err)
	}
	return bin
}
