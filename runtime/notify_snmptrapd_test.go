package runtime

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// snmptrapdBinary is Net-SNMP's trap receiver (Debian's snmptrapd package).
const snmptrapdBinary = "/usr/sbin/snmptrapd"

// snmptrapd is a running snmptrapd whose standard output the test reads:
// every trap is printed as a "TRAP <community>" line, one line per varbind
// and an "END" line.
type snmptrapd struct {
	addr  string
	lines chan string
}

// freeUDPPort returns a loopback UDP port that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startSnmptrapd starts snmptrapd in the foreground on a free loopback UDP
// port, accepting every community, and stops it when the test ends.
func startSnmptrapd(t *testing.T) *snmptrapd {
	t.Helper()
	if _, err := os.Stat(snmptrapdBinary); err != nil {
		t.Skip("no SNMP trap receiver: install snmptrapd (apt-get install snmptrapd)")
	}
	conf := filepath.Join(t.TempDir(), "snmptrapd.conf")
	// %P is the community of a v2c trap; %V sets the separator of the
	// varbinds that %v prints, here one per line.
	text := "disableAuthorization yes\nformat2 TRAP %P\\n%V\\n%v\\nEND\\n\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freeUDPPort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// -C: only this configuration file; -m "" and -M: no MIBs, numeric OIDs
	// (-On); -Lo: log traps to standard output; -n: numeric addresses.
	cmd := exec.Command(snmptrapdBinary, "-f", "-Lo", "-C", "-c", conf, "-m", "", "-M", t.TempDir(), "-On", "-n", "udp:"+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start snmptrapd: %v", err)
	}
	d := &snmptrapd{addr: addr, lines: make(chan string, 256)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(d.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		wg.Wait()
		_ = cmd.Wait()
	})
	// snmptrapd prints its version once it listens.
	var seen []string
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-d.lines:
			if !ok {
				t.Fatalf("snmptrapd exited: %s", strings.Join(seen, "\n"))
			}
			if strings.HasPrefix(l, "NET-SNMP version") {
				return d
			}
			seen = append(seen, l)
		case <-timeout:
			t.Fatalf("snmptrapd did not start: %s", strings.Join(seen, "\n"))
		}
	}
}

// trap reads the next trap snmptrapd prints: its header line and varbinds.
func (d *snmptrapd) trap(t *testing.T) (string, []string) {
	t.Helper()
	var header string
	var binds []string
	timeout := time.After(5 * time.Second)
	for {
		select {
		case l, ok := <-d.lines:
			switch {
			case !ok:
				t.Fatalf("snmptrapd exited; read %q %q", header, binds)
			case strings.HasPrefix(l, "TRAP "):
				header, binds = l, nil
			case l == "END" && header != "":
				return header, binds
			case header != "" && l != "":
				binds = append(binds, l)
			}
		case <-timeout:
			t.Fatalf("no trap arrived at snmptrapd; read %q %q", header, binds)
		}
	}
}

func TestNotifySNMPTrapToSnmptrapd(t *testing.T) {
	d := startSnmptrapd(t)
	tk := notifyTask(t, "[snmptrap]\nenabled = true\naddr = '"+d.addr+"'\ncommunity = 'tickc-test'\n")
	h := NewSNMPTrapHandler(tk, SNMPTrapHandlerConfig{
		TrapOID: "1.3.6.1.4.1.35220.1",
		Data: []SNMPTrapData{
			{OID: "1.3.6.1.4.1.35220.1.1", Type: "s", Value: "{{ .Message }}"},
			{OID: "1.3.6.1.4.1.35220.1.2", Type: "i", Value: "-200"},
			{OID: "1.3.6.1.4.1.35220.1.3", Type: "c", Value: "4294967296"},
			{OID: "1.3.6.1.4.1.35220.1.4", Type: "t", Value: "{{ .Duration.Seconds }}"},
			{OID: "1.3.6.1.4.1.35220.1.5", Type: "n"},
			{OID: "1.3.6.1.4.1.35220.1.6", Type: "s", Value: `{{ index .Tags "host" }} {{ .Level }}`},
		},
	})
	if h.Err() != nil {
		t.Fatal(h.Err())
	}
	warn := notifyEvent(t, AlertWarning)
	h.Handle(notifyEvent(t, AlertCritical))
	h.Handle(warn)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if n := h.Stats().Delivered.Load(); n != 2 {
		t.Fatalf("delivered %d traps, want 2", n)
	}
	wants := [][]string{{
		`.1.3.6.1.2.1.1.3.0 = Timeticks: (1000) 0:00:10.00`,
		`.1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.35220.1`,
		`.1.3.6.1.4.1.35220.1.1 = STRING: "cpu is CRITICAL"`,
		`.1.3.6.1.4.1.35220.1.2 = INTEGER: -200`,
		`.1.3.6.1.4.1.35220.1.3 = Counter64: 4294967296`,
		`.1.3.6.1.4.1.35220.1.4 = Timeticks: (10) 0:00:00.10`,
		`.1.3.6.1.4.1.35220.1.5 = NULL`,
		`.1.3.6.1.4.1.35220.1.6 = STRING: "serverA CRITICAL"`,
	}, {
		`.1.3.6.1.2.1.1.3.0 = Timeticks: (1000) 0:00:10.00`,
		`.1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.35220.1`,
		`.1.3.6.1.4.1.35220.1.1 = STRING: "cpu is WARNING"`,
		`.1.3.6.1.4.1.35220.1.2 = INTEGER: -200`,
		`.1.3.6.1.4.1.35220.1.3 = Counter64: 4294967296`,
		`.1.3.6.1.4.1.35220.1.4 = Timeticks: (10) 0:00:00.10`,
		`.1.3.6.1.4.1.35220.1.5 = NULL`,
		`.1.3.6.1.4.1.35220.1.6 = STRING: "serverA WARNING"`,
	}}
	for i, want := range wants {
		header, binds := d.trap(t)
		if !strings.Contains(header, "community tickc-test") || !strings.Contains(header, "SNMP v2c") {
			t.Errorf("trap %d: header %q, want an SNMP v2c trap of community tickc-test", i, header)
		}
		if strings.Join(binds, "\n") != strings.Join(want, "\n") {
			t.Errorf("trap %d: varbinds\n got: %s\nwant: %s", i, strings.Join(binds, "\n      "), strings.Join(want, "\n      "))
		}
	}
}

func TestSNMPTrapUnsupportedTypes(t *testing.T) {
	// Kapacitor's snmptrap service sends c, i, n, s and t and refuses the
	// other types of the net-snmp snmptrap command with these words.
	tk := notifyTask(t, "[snmptrap]\nenabled = true\n")
	for typ, want := range map[string]string{
		"a": "Snmptrap Datatype 'IP address' not supported",
		"d": "Snmptrap Datatype 'Decimal string' not supported",
		"u": "Snmptrap Datatype 'Unsigned integer' not supported",
		"x": "Snmptrap Datatype 'Hexadecimal string' not supported",
		"o": "Snmptrap Datatype 'Object ID' not supported",
		"z": "Snmptrap Datatype not known: z",
	} {
		h := NewSNMPTrapHandler(tk, SNMPTrapHandlerConfig{TrapOID: "1.3.6.1.4.1.1", Data: []SNMPTrapData{{OID: "1.3.6.1.4.1.1.1", Type: typ, Value: "1"}}})
		if h.Err() == nil || !strings.HasSuffix(h.Err().Error(), want) {
			t.Errorf("type %s: error %v, want %q", typ, h.Err(), want)
		}
	}
}
