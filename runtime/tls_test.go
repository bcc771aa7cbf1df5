package runtime

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// testPKI is a CA made for one test, with a server certificate for
// 127.0.0.1 and localhost and a client certificate, all in PEM files.
type testPKI struct {
	CA, ServerCert, ServerKey, ClientCert, ClientKey string // file paths
	pool                                             *x509.CertPool
}

// newTestPKI makes a CA and the two certificates it signs in a temporary
// directory.
func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	now := time.Now()
	caKey := newKey()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tickc test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPKI{CA: write("ca.pem", "CERTIFICATE", caDER), pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)
	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage, certFile, keyFile string) (string, string) {
		key := newKey()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return write(certFile, "CERTIFICATE", der), write(keyFile, "PRIVATE KEY", keyDER)
	}
	p.ServerCert, p.ServerKey = leaf(2, "tickc test server", x509.ExtKeyUsageServerAuth, "server.pem", "server-key.pem")
	p.ClientCert, p.ClientKey = leaf(3, "tickc test client", x509.ExtKeyUsageClientAuth, "client.pem", "client-key.pem")
	return p
}

// serverConfig is the TLS configuration of a server that presents the
// server certificate and requires a client certificate signed by the CA.
func (p *testPKI) serverConfig(t *testing.T) *tls.Config {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(p.ServerCert, p.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: p.pool, ClientAuth: tls.RequireAndVerifyClientCert}
}

// clientConfig is the TLS configuration of a test client with the client
// certificate.
func (p *testPKI) clientConfig(t *testing.T) *tls.Config {
	t.Helper()
	tc, err := ClientTLS{CA: p.CA, Cert: p.ClientCert, Key: p.ClientKey}.Config()
	if err != nil {
		t.Fatal(err)
	}
	return tc
}

// tlsKeys is the TOML of the TLS keys of a section.
func (p *testPKI) tlsKeys(ca, client bool) string {
	var b strings.Builder
	if ca {
		fmt.Fprintf(&b, "ssl-ca = '%s'\n", p.CA)
	}
	if client {
		fmt.Fprintf(&b, "ssl-cert = '%s'\nssl-key = '%s'\n", p.ClientCert, p.ClientKey)
	}
	return b.String()
}

func TestClientTLSConfigErrors(t *testing.T) {
	p := newTestPKI(t)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	for _, c := range []struct {
		name string
		keys ClientTLS
		want string
	}{
		{"missing CA", ClientTLS{CA: missing}, "ssl-ca: open " + missing + ": no such file or directory"},
		{"CA not PEM", ClientTLS{CA: notPEM}, "ssl-ca: " + notPEM + " holds no PEM certificate"},
		{"cert without key", ClientTLS{Cert: p.ClientCert}, "ssl-cert is set without ssl-key"},
		{"key without cert", ClientTLS{Key: p.ClientKey}, "ssl-key is set without ssl-cert"},
		{"missing cert", ClientTLS{Cert: missing, Key: p.ClientKey}, "ssl-cert: open " + missing},
		{"missing key", ClientTLS{Cert: p.ClientCert, Key: missing}, "ssl-key: open " + missing},
		{"cert not PEM", ClientTLS{Cert: notPEM, Key: p.ClientKey}, "ssl-cert " + notPEM + ", ssl-key " + p.ClientKey + ": tls: failed to find any PEM data in certificate input"},
		{"key of another cert", ClientTLS{Cert: p.ClientCert, Key: p.ServerKey}, "private key does not match public key"},
	} {
		_, err := c.keys.Config()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if tc, err := (ClientTLS{}).Config(); tc != nil || err != nil {
		t.Errorf("no keys: %v, %v; want nil, nil", tc, err)
	}
	tc, err := ClientTLS{CA: p.CA, Cert: p.ClientCert, Key: p.ClientKey, SkipVerify: true}.Config()
	if err != nil || tc.RootCAs == nil || len(tc.Certificates) != 1 || !tc.InsecureSkipVerify {
		t.Errorf("all keys: %+v, %v", tc, err)
	}
}

func TestServiceTLSFilesCheckedAtConfigLoad(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "ca.pem")
	for _, c := range []struct{ text, want string }{
		{"[[mqtt]]\nname = 'local'\nurl = 'ssl://127.0.0.1:8883'\nssl-ca = '" + missing + "'\n", `mqtt: "local": ssl-ca: open ` + missing},
		{"[[slack]]\nworkspace = 'ops'\nssl-ca = '" + missing + "'\n", `slack: "ops": ssl-ca: open ` + missing},
		{"[[discord]]\nssl-cert = '" + missing + "'\n", `discord: entry 1: ssl-cert is set without ssl-key`},
		{"[[kafka]]\nid = 'k'\nbrokers = ['127.0.0.1:9092']\nuse-ssl = true\nssl-ca = '" + missing + "'\n", `kafka: cluster "k": ssl-ca: open ` + missing},
	} {
		file := filepath.Join(t.TempDir(), "tickc.conf")
		if err := os.WriteFile(file, []byte(c.text), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadConfig(file)
		if err == nil || !strings.Contains(err.Error(), file+": "+c.want) {
			t.Errorf("%s: error %v, want %q", c.text, err, file+": "+c.want)
		}
	}
	// Kapacitor reads the ssl keys of a Kafka cluster only with use-ssl.
	if _, err := ParseConfig("[[kafka]]\nid = 'k'\nbrokers = ['127.0.0.1:9092']\nssl-ca = '" + missing + "'\n"); err != nil {
		t.Errorf("kafka without use-ssl: %v", err)
	}
}

func TestNotifyHTTPSWithCA(t *testing.T) {
	p := newTestPKI(t)
	type request struct{ client, body string }
	got := make(chan request, 8)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var cn string
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			cn = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		got <- request{cn, string(b)}
	}))
	srv.TLS = p.serverConfig(t)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below
	srv.StartTLS()
	defer srv.Close()

	services := []struct {
		name    string
		section string
		handler func(tk *Task) *ServiceHandler
		want    string
	}{
		{"slack", "[[slack]]\nenabled = true\nurl = '%s'\n%s", func(tk *Task) *ServiceHandler { return NewSlackHandler(tk, SlackHandlerConfig{}) }, `"text":"cpu is CRITICAL"`},
		{"discord", "[[discord]]\nenabled = true\nurl = '%s'\n%s", func(tk *Task) *ServiceHandler { return NewDiscordHandler(tk, DiscordHandlerConfig{}) }, `"description":"cpu is CRITICAL"`},
	}
	for _, s := range services {
		// With the CA and the client certificate the receiver is reached
		// and sees the client's certificate.
		tk := notifyTask(t, fmt.Sprintf(s.section, srv.URL, p.tlsKeys(true, true)))
		deliverOne(t, s.handler(tk), notifyEvent(t, AlertCritical))
		select {
		case r := <-got:
			if r.client != "tickc test client" || !strings.Contains(r.body, s.want) {
				t.Errorf("%s: client certificate %q, body %s; want tickc test client and %s", s.name, r.client, r.body, s.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: nothing arrived", s.name)
		}
		// Without the CA the server's certificate is refused; without the
		// client certificate the server refuses the handshake.
		for what, keys := range map[string]string{"no ssl-ca": p.tlsKeys(false, true), "no client certificate": p.tlsKeys(true, false)} {
			h := s.handler(notifyTask(t, fmt.Sprintf(s.section, srv.URL, keys)))
			h.queue.attempts = 1
			h.Handle(notifyEvent(t, AlertCritical))
			h.Close()
			if h.Stats().Delivered.Load() != 0 || h.Stats().Failed.Load() != 1 {
				t.Errorf("%s with %s: delivered %d, failed %d; want the delivery refused", s.name, what, h.Stats().Delivered.Load(), h.Stats().Failed.Load())
			}
		}
		select {
		case r := <-got:
			t.Errorf("%s: a request arrived without TLS keys: %+v", s.name, r)
		default:
		}
	}
}

func TestNotifyMQTTOverTLS(t *testing.T) {
	if _, err := os.Stat(mosquittoBinary); err != nil {
		t.Skip("no MQTT broker: install mosquitto (scripts/services.sh install)")
	}
	p := newTestPKI(t)
	port := freePort(t)
	conf := filepath.Join(t.TempDir(), "mosquitto.conf")
	// user root: a broker started as root would otherwise switch to the
	// mosquitto user, which cannot read the test's files.
	text := fmt.Sprintf("user root\nlistener %d 127.0.0.1\nallow_anonymous true\ncafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate true\n",
		port, p.CA, p.ServerCert, p.ServerKey)
	if os.Geteuid() != 0 {
		text = strings.TrimPrefix(text, "user root\n")
	}
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	startServer(t, port, mosquittoBinary, "-c", conf)
	url := fmt.Sprintf("ssl://127.0.0.1:%d", port)

	got := make(chan string, 4)
	sub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID("tickc-tls-sub").SetTLSConfig(p.clientConfig(t)))
	if tok := sub.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscriber: %v", tok.Error())
	}
	defer sub.Disconnect(100)
	if tok := sub.Subscribe("alerts/#", 1, func(_ mqtt.Client, m mqtt.Message) { got <- m.Topic() + " " + string(m.Payload()) }); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}

	section := "[[mqtt]]\nenabled = true\nname = 'tls'\nurl = '" + url + "'\nclient-id = 'tickc-tls-pub'\n"
	tk := notifyTask(t, section+p.tlsKeys(true, true))
	deliverOne(t, NewMQTTHandler(tk, MQTTHandlerConfig{Topic: "alerts/{{ .Level }}", QoS: 1}), notifyEvent(t, AlertWarning))
	select {
	case m := <-got:
		if m != "alerts/WARNING cpu is WARNING" {
			t.Errorf("got %q, want alerts/WARNING cpu is WARNING", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message arrived over TLS")
	}
	// The broker requires a client certificate.
	h := NewMQTTHandler(notifyTask(t, section+p.tlsKeys(true, false)), MQTTHandlerConfig{Topic: "alerts/x"})
	h.queue.attempts = 1
	h.Handle(notifyEvent(t, AlertWarning))
	h.Close()
	if h.Stats().Failed.Load() != 1 {
		t.Errorf("without a client certificate: delivered %d, failed %d; want refused", h.Stats().Delivered.Load(), h.Stats().Failed.Load())
	}
}

func TestNotifyKafkaOverTLS(t *testing.T) {
	p := newTestPKI(t)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "alerts"), kfake.TLS(p.serverConfig(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	section := "[[kafka]]\nenabled = true\nid = 'tls'\ntimeout = '1s'\nuse-ssl = true\nbrokers = ['" + strings.Join(brokers, "','") + "']\n"
	tk := notifyTask(t, section+p.tlsKeys(true, true))
	deliverOne(t, NewKafkaHandler(tk, KafkaHandlerConfig{Cluster: "tls", Topic: "alerts"}), notifyEvent(t, AlertCritical))

	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DialTLSConfig(p.clientConfig(t)),
		kgo.ConsumeTopics("alerts"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var recs []*kgo.Record
	for len(recs) < 1 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
	}
	if len(recs) != 1 || string(recs[0].Key) != "cpu-alert" {
		t.Fatalf("records %v, want the alert's", recs)
	}
	// Without the CA the broker's certificate is refused.
	h := NewKafkaHandler(notifyTask(t, section+p.tlsKeys(false, true)), KafkaHandlerConfig{Cluster: "tls", Topic: "alerts"})
	h.queue.attempts = 1
	h.Handle(notifyEvent(t, AlertCritical))
	h.Close()
	if h.Stats().Failed.Load() != 1 {
		t.Errorf("without ssl-ca: delivered %d, failed %d; want refused", h.Stats().Delivered.Load(), h.Stats().Failed.Load())
	}
}
