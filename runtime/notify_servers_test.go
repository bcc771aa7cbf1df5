package runtime

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The servers the service handlers are tested against. Each test skips when
// its server is not installed (scripts/services.sh install installs them).
const (
	smtpServerPython = "/usr/bin/python3" // with Debian's python3-aiosmtpd
	mosquittoBinary  = "/usr/sbin/mosquitto"
)

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServer runs a server process until the test ends and waits until it
// accepts connections on port.
func startServer(t *testing.T, port int, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("%s did not listen on %s: %s", name, addr, out.String())
}

// startSMTP starts an aiosmtpd server that saves messages in a maildir and
// returns its port and the maildir.
func startSMTP(t *testing.T) (int, string) {
	t.Helper()
	if err := exec.Command(smtpServerPython, "-c", "import aiosmtpd").Run(); err != nil {
		t.Skip("no SMTP server: install python3-aiosmtpd (scripts/services.sh install)")
	}
	port := freePort(t)
	dir := filepath.Join(t.TempDir(), "maildir")
	startServer(t, port, smtpServerPython, "-m", "aiosmtpd", "-n", "-l", fmt.Sprintf("127.0.0.1:%d", port), "-c", "aiosmtpd.handlers.Mailbox", dir)
	return port, dir
}

// readMails returns the messages of a maildir, waiting up to 5s for n.
func readMails(t *testing.T, dir string, n int) []*mail.Message {
	t.Helper()
	var files []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(dir, "new", "*"))
		if len(files) >= n {
			break
		}
	}
	if len(files) != n {
		t.Fatalf("%d messages arrived, want %d", len(files), n)
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

// mailBody decodes a message's quoted-printable body.
func mailBody(t *testing.T, m *mail.Message) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNotifyEmail(t *testing.T) {
	port, dir := startSMTP(t)
	tk := notifyTask(t, fmt.Sprintf("[smtp]\nenabled = true\nhost = '127.0.0.1'\nport = %d\nfrom = 'kapacitor@example.com'\n", port))
	ev := notifyEvent(t, AlertCritical)
	ev.Details = "<b>cpu</b> is at 95.5% — a long line of details that quoted-printable has to wrap because it is longer than seventy-six characters"
	deliverOne(t, NewEmailHandler(tk, EmailHandlerConfig{To: []string{"oncall@example.com"}, ToTemplates: []string{`{{ index .Tags "host" }}@example.com`}}), ev)
	m := readMails(t, dir, 1)[0]
	for k, want := range map[string]string{
		"Subject":      "cpu is CRITICAL",
		"From":         "kapacitor@example.com",
		"To":           "oncall@example.com, serverA@example.com",
		"Content-Type": "text/html; charset=UTF-8",
		"X-Rcptto":     "oncall@example.com, serverA@example.com", // the envelope, as aiosmtpd saw it
	} {
		if got := m.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	// The maildir ends the saved message with a newline.
	if got := strings.TrimSuffix(mailBody(t, m), "\n"); got != ev.Details {
		t.Errorf("body %q, want the details %q", got, ev.Details)
	}
}

func TestNotifyEmailSectionRecipients(t *testing.T) {
	port, dir := startSMTP(t)
	tk := notifyTask(t, fmt.Sprintf("[smtp]\nenabled = true\nhost = '127.0.0.1'\nport = %d\nfrom = 'k@example.com'\nto = ['ops@example.com']\n", port))
	deliverOne(t, NewEmailHandler(tk, EmailHandlerConfig{}), notifyEvent(t, AlertWarning))
	if got := readMails(t, dir, 1)[0].Header.Get("To"); got != "ops@example.com" {
		t.Errorf("To %q, want the section's ops@example.com", got)
	}
	none := NewEmailHandler(notifyTask(t, fmt.Sprintf("[smtp]\nenabled = true\nport = %d\n", port)), EmailHandlerConfig{})
	none.Handle(notifyEvent(t, AlertWarning))
	none.Close()
	if none.Stats().Failed.Load() != 1 {
		t.Errorf("an email without recipients: failed %d, want 1", none.Stats().Failed.Load())
	}
}

func TestNotifyMQTT(t *testing.T) {
	if _, err := os.Stat(mosquittoBinary); err != nil {
		t.Skip("no MQTT broker: install mosquitto (scripts/services.sh install)")
	}
	port := freePort(t)
	startServer(t, port, mosquittoBinary, "-p", fmt.Sprint(port))
	url := fmt.Sprintf("tcp://127.0.0.1:%d", port)

	type msg struct {
		topic, payload string
		qos            byte
	}
	got := make(chan msg, 4)
	sub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID("tickc-test-sub"))
	if tok := sub.Connect(); tok.WaitTimeout(5*time.Second) && tok.Error() != nil || !sub.IsConnected() {
		t.Fatalf("subscriber: %v", tok.Error())
	}
	defer sub.Disconnect(100)
	tok := sub.Subscribe("alerts/#", 1, func(_ mqtt.Client, m mqtt.Message) {
		got <- msg{m.Topic(), string(m.Payload()), m.Qos()}
	})
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}

	tk := notifyTask(t, "[[mqtt]]\nenabled = true\nname = 'local'\nurl = '"+url+"'\nclient-id = 'tickc-test-pub'\n")
	deliverOne(t, NewMQTTHandler(tk, MQTTHandlerConfig{BrokerName: "local", Topic: "alerts/{{ .Name }}/{{ .Level }}", QoS: 1}), notifyEvent(t, AlertCritical))
	select {
	case m := <-got:
		if m.topic != "alerts/cpu/CRITICAL" || m.payload != "cpu is CRITICAL" || m.qos != 1 {
			t.Errorf("got %+v, want topic alerts/cpu/CRITICAL, the message, qos 1", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message arrived")
	}
}

func TestNotifyKafka(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "alerts"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	tk := notifyTask(t, "[[kafka]]\nenabled = true\nid = 'local'\nbrokers = ['"+strings.Join(brokers, "','")+"']\n")

	h := NewKafkaHandler(tk, KafkaHandlerConfig{Cluster: "local", Topic: "alerts"})
	if h.Err() != nil {
		t.Fatal(h.Err())
	}
	evs := []*AlertEvent{notifyEvent(t, AlertWarning), notifyEvent(t, AlertCritical)}
	evs[1].ID = "other-alert"
	for _, ev := range evs {
		h.Handle(ev)
	}
	h.Close()
	if n := h.Stats().Delivered.Load(); n != 2 {
		t.Fatalf("delivered %d, want 2", n)
	}
	tmpl := NewKafkaHandler(tk, KafkaHandlerConfig{Cluster: "local", Topic: "alerts", Template: "{{ .ID }} {{ .Level }}"})
	deliverOne(t, tmpl, notifyEvent(t, AlertOK))

	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("alerts"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for len(recs) < 3 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
	}
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	want := map[string]string{"cpu-alert": "", "other-alert": string(evs[1].Body)}
	for _, r := range recs {
		key := string(r.Key)
		if p := int32(crc32.ChecksumIEEE(r.Key) % 3); r.Partition != p {
			t.Errorf("%s in partition %d, want crc32 partition %d", key, r.Partition, p)
		}
		switch {
		case key == "other-alert" && string(r.Value) != want[key]:
			t.Errorf("value %s, want the event body", r.Value)
		case key == "cpu-alert" && string(r.Value) != string(evs[0].Body) && string(r.Value) != "cpu-alert OK":
			t.Errorf("value %q, want the event body or the template's output", r.Value)
		}
	}
}

func TestKafkaPartitioners(t *testing.T) {
	// The murmur2 vectors of the Kafka Java client's tests (UtilsTest).
	for in, want := range map[string]int32{
		"21": -973932308, "foobar": -790332482, "a-little-bit-long-string": -985981536,
		"a-little-bit-longer-string": -1486304829, "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971, "abc": 479470107,
	} {
		if got := int32(murmur2([]byte(in))); got != want {
			t.Errorf("murmur2(%q) = %d, want %d", in, got, want)
		}
	}
	if _, err := kafkaHash("md5"); err == nil {
		t.Error("md5 accepted as a partition algorithm")
	}
}
