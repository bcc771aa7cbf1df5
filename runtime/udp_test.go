package runtime

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestUDPIngest(t *testing.T) {
	spec := TaskSpec{Name: "cpu", Type: StreamTask, DBRPs: []DBRP{{"telegraf", "autogen"}}, Build: func(t *Task) error {
		from := NewFrom(t, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu"})
		t.AddMeasurement("cpu")
		t.Stream().AddChild(from)
		from.AddChild(NewHTTPOut(t, NodeInfo{Name: "http_out2"}, HTTPOutConfig{Endpoint: "out"}))
		return nil
	}}
	p, err := NewProgram([]TaskSpec{spec}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	u, err := ListenUDP(ctx, &wg, p, UDPConfig{Enabled: true, BindAddress: "127.0.0.1:0", Database: "telegraf"}, "autogen", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); wg.Wait() }()

	conn, err := net.Dial("udp", u.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Two datagrams as an InfluxDB subscription sends them; a bad line is
	// counted and the good ones of its datagram still go through.
	for _, d := range []string{
		"cpu,host=a value=1 1000000000\ncpu,host=a value=2 2000000000\n",
		"mem,host=a value=3 3000000000\ncpu,host=a value=4 4000000000\nnot line protocol\n",
	} {
		if _, err := conn.Write([]byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "the UDP points", func() bool { return u.Stats().Points.Load() == 4 })
	if got := u.Stats().ParseErrors.Load(); got != 1 {
		t.Errorf("parse errors = %d, want 1", got)
	}
	body, _ := p.Tasks[0].HTTPOut("out").JSON()
	if !strings.Contains(string(body), `"values":[["1970-01-01T00:00:04Z",4]]`) {
		t.Errorf("httpOut = %s, want the last cpu point", body)
	}
}

func TestUDPConfig(t *testing.T) {
	cfg, err := ParseConfig(`
[[udp]]
  enabled = true
  bind-address = "127.0.0.1:0"
  database = "db"
  retention-policy = "rp"
  read-buffer = 65536
[[udp]]
  enabled = false
`)
	if err != nil {
		t.Fatal(err)
	}
	cs := *cfg.Section("udp").(*UDPConfigs)
	if len(cs) != 2 || cs[0].Database != "db" || cs[0].RetentionPolicy != "rp" || cs[0].ReadBuffer != 65536 || cs[0].Buffer != DefaultUDPBuffer {
		t.Errorf("udp sections = %+v", cs)
	}
	p, err := NewProgram([]TaskSpec{{Name: "t"}}, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	us, err := startUDP(ctx, &wg, p, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 1 {
		t.Errorf("%d listeners, want 1 (the enabled section)", len(us))
	}
	cancel()
	wg.Wait()
}
