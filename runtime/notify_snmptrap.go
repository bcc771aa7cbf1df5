package runtime

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
)

// SNMPTrapConfig is the [snmptrap] section, with Kapacitor's keys.
type SNMPTrapConfig struct {
	Enabled   bool   `toml:"enabled"`
	Addr      string `toml:"addr"` // the trap receiver, host:port (UDP)
	Community string `toml:"community"`
	Retries   int    `toml:"retries"` // accepted for compatibility: a v2c trap is not acknowledged
}

func init() {
	RegisterConfigSection(ConfigSection{Name: "snmptrap", New: func() any {
		return &SNMPTrapConfig{Addr: "localhost:162", Community: "kapacitor", Retries: 1}
	}})
}

// SNMPTrapData is one .data(oid, type, value): type is c (Counter64), i
// (Integer32), n (Null), s (OctetString) or t (TimeTicks), and value is a
// text/template on the event.
type SNMPTrapData struct {
	OID   string
	Type  string
	Value string
}

// SNMPTrapHandlerConfig configures an snmpTrap handler, .snmpTrap(trapOid)
// and its .data() calls.
type SNMPTrapHandlerConfig struct {
	TrapOID string
	Data    []SNMPTrapData
}

// The varbinds every SNMPv2 trap starts with.
const (
	snmpSysUpTimeOID = "1.3.6.1.2.1.1.3.0"
	snmpTrapOIDOID   = "1.3.6.1.6.3.1.1.4.1.0"
)

// NewSNMPTrapHandler returns an snmpTrap handler of task t: it sends an
// SNMPv2c trap over UDP with sysUpTime 1000, the trap OID and the rendered
// data, as Kapacitor's snmptrap service does. An OID that is not numeric, a
// data type Kapacitor does not support or a value that does not parse is
// reported by Err.
func NewSNMPTrapHandler(t *Task, cfg SNMPTrapHandlerConfig) *ServiceHandler {
	trap, err := parseOID(cfg.TrapOID)
	if err != nil {
		return failedServiceHandler(t, "snmpTrap", fmt.Errorf("invalid trap Oid %q", cfg.TrapOID))
	}
	type datum struct {
		oid   []uint32
		typ   string
		value propTemplate
	}
	var data []datum
	for _, d := range cfg.Data {
		oid, err := parseOID(d.OID)
		if err != nil {
			return failedServiceHandler(t, "snmpTrap", fmt.Errorf("invalid data Oid %q", d.OID))
		}
		if err := snmpCheckType(d.Type); err != nil {
			return failedServiceHandler(t, "snmpTrap", err)
		}
		v, err := parseProp("value", d.Value)
		if err != nil {
			return failedServiceHandler(t, "snmpTrap", err)
		}
		data = append(data, datum{oid, d.Type, v})
	}
	c := serviceSection[SNMPTrapConfig](t, "snmptrap")
	return newServiceHandler(t, "snmpTrap", c.Addr, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		td := ev.templateData()
		binds := []snmpVarBind{
			{oid: mustOID(snmpSysUpTimeOID), value: snmpTLV(0x43, berUint(1000))},
			{oid: mustOID(snmpTrapOIDOID), value: snmpTLV(0x06, berOID(trap))},
		}
		for _, d := range data {
			s, err := d.value.render(td)
			if err != nil {
				return err
			}
			v, err := snmpValue(d.typ, s)
			if err != nil {
				return permanent(err)
			}
			binds = append(binds, snmpVarBind{oid: d.oid, value: v})
		}
		msg := snmpTrapMessage(c.Community, rand.Int32(), binds)
		var dl net.Dialer
		conn, err := dl.DialContext(ctx, "udp", c.Addr)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.Write(msg); err != nil {
			return fmt.Errorf("failed to send SNMP trap: %w", err)
		}
		return nil
	})
}

// snmpCheckType accepts the data types Kapacitor sends and reports the
// others with its words.
func snmpCheckType(typ string) error {
	switch typ {
	case "c", "i", "n", "s", "t":
		return nil
	case "a":
		return errors.New("Snmptrap Datatype 'IP address' not supported")
	case "d":
		return errors.New("Snmptrap Datatype 'Decimal string' not supported")
	case "o":
		return errors.New("Snmptrap Datatype 'Object ID' not supported")
	case "u":
		return errors.New("Snmptrap Datatype 'Unsigned integer' not supported")
	case "x":
		return errors.New("Snmptrap Datatype 'Hexadecimal string' not supported")
	}
	return fmt.Errorf("Snmptrap Datatype not known: %v", typ)
}

// snmpValue encodes a rendered value as its type's BER element.
func snmpValue(typ, s string) ([]byte, error) {
	switch typ {
	case "c":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, err
		}
		return snmpTLV(0x46, berUint(uint64(n))), nil
	case "i":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, err
		}
		return snmpTLV(0x02, berInt(int64(int32(n)))), nil
	case "n":
		return snmpTLV(0x05, nil), nil
	case "s":
		return snmpTLV(0x04, []byte(s)), nil
	case "t":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, err
		}
		return snmpTLV(0x43, berUint(uint64(uint32(n)))), nil
	}
	return nil, snmpCheckType(typ)
}

// snmpVarBind is one variable binding: an OID and its encoded value.
type snmpVarBind struct {
	oid   []uint32
	value []byte
}

// snmpTrapMessage encodes an SNMPv2c message holding an SNMPv2-Trap-PDU.
func snmpTrapMessage(community string, requestID int32, binds []snmpVarBind) []byte {
	var vbs []byte
	for _, b := range binds {
		vbs = append(vbs, snmpTLV(0x30, append(snmpTLV(0x06, berOID(b.oid)), b.value...))...)
	}
	pdu := snmpTLV(0x02, berInt(int64(requestID)))
	pdu = append(pdu, snmpTLV(0x02, berInt(0))...) // error-status
	pdu = append(pdu, snmpTLV(0x02, berInt(0))...) // error-index
	pdu = append(pdu, snmpTLV(0x30, vbs)...)
	msg := snmpTLV(0x02, berInt(1)) // version: 1 means v2c
	msg = append(msg, snmpTLV(0x04, []byte(community))...)
	msg = append(msg, snmpTLV(0xA7, pdu)...)
	return snmpTLV(0x30, msg)
}

// snmpTLV encodes one BER element with a definite length.
func snmpTLV(tag byte, content []byte) []byte {
	out := []byte{tag}
	n := len(content)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	default:
		var l []byte
		for v := n; v > 0; v >>= 8 {
			l = append([]byte{byte(v)}, l...)
		}
		out = append(append(out, 0x80|byte(len(l))), l...)
	}
	return append(out, content...)
}

// berInt encodes a signed integer in the fewest two's complement bytes.
func berInt(v int64) []byte {
	b := []byte{byte(v)}
	for (v > 127 || v < -128) && len(b) < 8 {
		v >>= 8
		b = append([]byte{byte(v)}, b...)
	}
	return b
}

// berUint encodes an unsigned integer, with a leading zero byte when its
// top bit is set.
func berUint(v uint64) []byte {
	b := []byte{byte(v)}
	for v >>= 8; v > 0; v >>= 8 {
		b = append([]byte{byte(v)}, b...)
	}
	if b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

// berOID encodes an object identifier's content.
func berOID(oid []uint32) []byte {
	subs := append([]uint32{oid[0]*40 + oid[1]}, oid[2:]...)
	var out []byte
	for _, sub := range subs {
		var enc []byte
		enc = append(enc, byte(sub&0x7f))
		for sub >>= 7; sub > 0; sub >>= 7 {
			enc = append([]byte{byte(sub&0x7f) | 0x80}, enc...)
		}
		out = append(out, enc...)
	}
	return out
}

// parseOID parses a dotted numeric OID (a leading dot is allowed) of at
// least two components, the first 0, 1 or 2.
func parseOID(s string) ([]uint32, error) {
	parts := strings.Split(strings.TrimPrefix(s, "."), ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("invalid OID %q", s)
	}
	oid := make([]uint32, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("invalid OID %q", s)
		}
		oid[i] = uint32(n)
	}
	if oid[0] > 2 || oid[0] < 2 && oid[1] >= 40 {
		return nil, fmt.Errorf("invalid OID %q", s)
	}
	return oid, nil
}

// mustOID parses an OID constant of this file.
func mustOID(s string) []uint32 {
	oid, err := parseOID(s)
	if err != nil {
		panic(err) // a constant of this file, never input
	}
	return oid
}
