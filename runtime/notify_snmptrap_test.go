package runtime

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// berElem is one decoded BER element.
type berElem struct {
	tag      byte
	content  []byte
	children []berElem // of a constructed element
}

// berDecode decodes the BER elements of b; it fails on a truncated or
// indefinite length.
func berDecode(b []byte) ([]berElem, error) {
	var out []berElem
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, fmt.Errorf("truncated element")
		}
		tag, n := b[0], int(b[1])
		b = b[2:]
		if n&0x80 != 0 {
			k := n & 0x7f
			if k == 0 || k > 4 || len(b) < k {
				return nil, fmt.Errorf("bad length")
			}
			n = 0
			for _, c := range b[:k] {
				n = n<<8 | int(c)
			}
			b = b[k:]
		}
		if len(b) < n {
			return nil, fmt.Errorf("truncated content")
		}
		e := berElem{tag: tag, content: b[:n]}
		if tag&0x20 != 0 {
			kids, err := berDecode(e.content)
			if err != nil {
				return nil, err
			}
			e.children = kids
		}
		out = append(out, e)
		b = b[n:]
	}
	return out, nil
}

// berOIDString decodes an OID's content to its dotted form.
func berOIDString(c []byte) string {
	var subs []uint64
	var v uint64
	for _, x := range c {
		v = v<<7 | uint64(x&0x7f)
		if x&0x80 == 0 {
			subs = append(subs, v)
			v = 0
		}
	}
	first := subs[0]
	parts := []string{fmt.Sprint(min(first/40, 2)), fmt.Sprint(first - min(first/40, 2)*40)}
	for _, s := range subs[1:] {
		parts = append(parts, fmt.Sprint(s))
	}
	return strings.Join(parts, ".")
}

// berIntValue decodes a two's complement integer.
func berIntValue(c []byte) int64 {
	var v int64
	if len(c) > 0 && c[0]&0x80 != 0 {
		v = -1
	}
	for _, x := range c {
		v = v<<8 | int64(x)
	}
	return v
}

func TestNotifySNMPTrap(t *testing.T) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tk := notifyTask(t, "[snmptrap]\nenabled = true\naddr = '"+conn.LocalAddr().String()+"'\ncommunity = 'public'\n")
	h := NewSNMPTrapHandler(tk, SNMPTrapHandlerConfig{
		TrapOID: "1.3.6.1.4.1.1",
		Data: []SNMPTrapData{
			{OID: "1.3.6.1.4.1.1.2", Type: "s", Value: "{{ .Message }}"},
			{OID: "1.3.6.1.4.1.1.3", Type: "i", Value: "-200"},
			{OID: "1.3.6.1.4.1.1.4", Type: "c", Value: "4294967296"},
			{OID: "1.3.6.1.4.1.1.5", Type: "t", Value: "{{ .Duration.Seconds }}"},
			{OID: "1.3.6.1.4.1.1.6", Type: "n"},
			{OID: "1.3.6.1.4.1.300.7", Type: "s", Value: "{{ index .Tags \"host\" }}"},
		},
	})
	deliverOne(t, h, notifyEvent(t, AlertCritical))
	buf := make([]byte, 65536)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := conn.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	top, err := berDecode(buf[:n])
	if err != nil || len(top) != 1 || top[0].tag != 0x30 || len(top[0].children) != 3 {
		t.Fatalf("not one SNMP message: %v %+v", err, top)
	}
	msg := top[0].children
	if berIntValue(msg[0].content) != 1 || string(msg[1].content) != "public" || msg[2].tag != 0xA7 {
		t.Fatalf("version %d, community %q, pdu tag %#x; want 1 (v2c), public, 0xa7", berIntValue(msg[0].content), msg[1].content, msg[2].tag)
	}
	pdu := msg[2].children
	if len(pdu) != 4 || berIntValue(pdu[1].content) != 0 || berIntValue(pdu[2].content) != 0 {
		t.Fatalf("pdu %+v", pdu)
	}
	var got []string
	for _, vb := range pdu[3].children {
		oid, val := berOIDString(vb.children[0].content), vb.children[1]
		var s string
		switch val.tag {
		case 0x04:
			s = "s:" + string(val.content)
		case 0x02:
			s = fmt.Sprintf("i:%d", berIntValue(val.content))
		case 0x46:
			s = fmt.Sprintf("c:%d", berIntValue(val.content))
		case 0x43:
			s = fmt.Sprintf("t:%d", berIntValue(val.content))
		case 0x05:
			s = "n"
		case 0x06:
			s = "o:" + berOIDString(val.content)
		}
		got = append(got, oid+"="+s)
	}
	want := []string{
		"1.3.6.1.2.1.1.3.0=t:1000",
		"1.3.6.1.6.3.1.1.4.1.0=o:1.3.6.1.4.1.1",
		"1.3.6.1.4.1.1.2=s:cpu is CRITICAL",
		"1.3.6.1.4.1.1.3=i:-200",
		"1.3.6.1.4.1.1.4=c:4294967296",
		"1.3.6.1.4.1.1.5=t:10",
		"1.3.6.1.4.1.1.6=n",
		"1.3.6.1.4.1.300.7=s:serverA",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("varbinds\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

func TestSNMPTrapBadValueFails(t *testing.T) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tk := notifyTask(t, "[snmptrap]\nenabled = true\naddr = '"+conn.LocalAddr().String()+"'\n")
	h := NewSNMPTrapHandler(tk, SNMPTrapHandlerConfig{TrapOID: "1.3.6.1.4.1.1", Data: []SNMPTrapData{{OID: "1.3.6.1.4.1.1.3", Type: "i", Value: "{{ .Message }}"}}})
	h.Handle(notifyEvent(t, AlertCritical))
	h.Close()
	if h.Stats().Failed.Load() != 1 || h.Stats().Retries.Load() != 0 {
		t.Errorf("a value that is not an integer: failed %d, retries %d; want 1, 0", h.Stats().Failed.Load(), h.Stats().Retries.Load())
	}
}
