package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/influxdata/line-protocol/v2/lineprotocol"

	"github.com/tickc/tickc/stdlib"
)

// ParsePrecision returns the number of nanoseconds in one unit of a write's
// precision parameter: n (or empty, or ns), u (or us), ms, s, m or h.
func ParsePrecision(p string) (int64, error) {
	switch p {
	case "", "n", "ns":
		return 1, nil
	case "u", "us", "µ", "µs":
		return 1e3, nil
	case "ms":
		return 1e6, nil
	case "s":
		return 1e9, nil
	case "m":
		return 60e9, nil
	case "h":
		return 3600e9, nil
	}
	return 0, fmt.Errorf("invalid precision %q (want n, u, ms, s, m or h)", p)
}

// The range of point times InfluxDB accepts: int64 without its two lowest
// values (kept as sentinels) and its highest.
const (
	minNanoTime = math.MinInt64 + 2
	maxNanoTime = math.MaxInt64 - 1
)

// LineError is the error of a line-protocol line that does not parse. Its
// message is InfluxDB's: unable to parse '<line>': <reason>.
type LineError struct {
	Line   int    // 1-based line number in the body
	Text   string // the line
	Reason string
}

// Error returns InfluxDB's wording for the failure.
func (e *LineError) Error() string {
	return fmt.Sprintf("unable to parse '%s': %s", e.Text, e.Reason)
}

// ParseLines parses a body of line protocol into points of database db and
// retention policy rp. Timestamps are in units of precision nanoseconds (see
// ParsePrecision); a point without timestamp gets now, truncated to the
// precision. Empty lines and comments are skipped. Every line is parsed:
// the error, if any, joins the LineErrors of all bad lines (one per line of
// its message) and the points are then those of the good lines.
func ParseLines(body []byte, db, rp string, precision, now int64) ([]Point, error) {
	if precision <= 0 {
		return nil, fmt.Errorf("invalid precision %d", precision)
	}
	var (
		points []Point
		errs   []error
	)
	lineNo := 0
	for len(body) > 0 {
		lineNo++
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		trimmed := bytes.TrimLeft(line, " \t\r")
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		p, reason := parseLine(line, precision, now)
		if reason != "" {
			errs = append(errs, &LineError{Line: lineNo, Text: string(bytes.TrimRight(line, "\r")), Reason: reason})
			continue
		}
		p.Database = db
		p.RetentionPolicy = rp
		points = append(points, p)
	}
	return points, errors.Join(errs...)
}

// ParseLine parses one line-protocol line (precision nanoseconds per unit,
// now for a missing timestamp).
func ParseLine(line []byte, precision, now int64) (Point, error) {
	if precision <= 0 {
		return Point{}, fmt.Errorf("invalid precision %d", precision)
	}
	p, reason := parseLine(line, precision, now)
	if reason != "" {
		return Point{}, &LineError{Line: 1, Text: string(bytes.TrimRight(line, "\r")), Reason: reason}
	}
	return p, nil
}

// parseLine decodes one non-empty line; it returns the reason of a failure.
func parseLine(line []byte, precision, now int64) (Point, string) {
	if !hasFieldSection(line) {
		return Point{}, "missing fields"
	}
	dec := lineprotocol.NewDecoderWithBytes(line)
	if !dec.Next() {
		return Point{}, "missing measurement"
	}
	name, err := dec.Measurement()
	if err != nil {
		return Point{}, reason(line, err)
	}
	p := Point{Name: string(name)}
	for {
		k, v, err := dec.NextTag()
		if err != nil {
			return Point{}, reason(line, err)
		}
		if k == nil {
			break
		}
		p.Tags = append(p.Tags, Tag{string(k), string(v)})
	}
	for {
		k, v, err := dec.NextField()
		if err != nil {
			return Point{}, reason(line, err)
		}
		if k == nil {
			break
		}
		var fv stdlib.Value
		switch v.Kind() {
		case lineprotocol.Float:
			fv = stdlib.Float(v.FloatV())
		case lineprotocol.Int:
			fv = stdlib.Int(v.IntV())
		case lineprotocol.String:
			fv = stdlib.String(v.StringV())
		case lineprotocol.Bool:
			fv = stdlib.Bool(v.BoolV())
		case lineprotocol.Uint:
			return Point{}, "invalid number" // unsigned fields are not line protocol for InfluxDB 1.x
		default:
			return Point{}, fmt.Sprintf("field %q has an unknown type", k)
		}
		p.Fields = append(p.Fields, Field{string(k), fv})
	}
	if len(p.Fields) == 0 {
		return Point{}, "missing fields"
	}
	ts, err := dec.TimeBytes()
	if err != nil {
		return Point{}, reason(line, err)
	}
	if ts == nil {
		p.Time = now - now%precision
		if now < 0 && now%precision != 0 {
			p.Time -= precision
		}
	} else {
		n, err := strconv.ParseInt(string(ts), 10, 64)
		if err != nil {
			return Point{}, err.Error()
		}
		if n > maxNanoTime/precision || n < minNanoTime/precision {
			return Point{}, fmt.Sprintf("time outside range %d - %d", minNanoTime, maxNanoTime)
		}
		p.Time = n * precision
	}
	for i := 1; i < len(p.Tags); i++ {
		for j := 0; j < i; j++ {
			if p.Tags[i].Key == p.Tags[j].Key {
				return Point{}, "duplicate tags"
			}
		}
	}
	p.Tags = dedupTags(p.Tags)
	p.Fields = dedupFields(p.Fields)
	return p, ""
}

// hasFieldSection reports whether the line has an unescaped space after its
// series key, i.e. anything where fields could be.
func hasFieldSection(line []byte) bool {
	line = bytes.TrimRight(bytes.TrimLeft(line, " \t"), " \t\r")
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case ' ':
			return true
		}
	}
	return false
}

// reason words a decoding failure as InfluxDB's parser does (Kapacitor
// parses writes with it), falling back to the decoder's own message.
func reason(line []byte, err error) string {
	var de *lineprotocol.DecodeError
	if !errors.As(err, &de) {
		return strings.TrimSpace(err.Error())
	}
	msg := de.Err.Error()
	at := byte(0)
	if i := de.Column - 1; i >= 0 && i < len(line) {
		at = line[i]
	}
	has := func(s string) bool { return strings.Contains(msg, s) }
	switch {
	case has("measurement name"):
		return "missing measurement"
	case has("empty tag name"), has("expected tag key"):
		return "missing tag key"
	case has("after tag key"):
		return "missing tag value"
	case has("found at start of field key"):
		if at == '=' {
			return "missing field key"
		}
		return "invalid field format"
	case has("want '=' after field key"), has("expected field key"), has("after field"):
		return "invalid field format"
	case has("expected field value"):
		return "missing field value"
	case has("unrecognized type"):
		switch {
		case at == ' ' || at == ',' || at == 0:
			return "missing field value"
		case at == 'N' || at == 'I': // NaN, Inf: InfluxDB reads a number
			return "invalid number"
		case at >= 'a' && at <= 'z' || at >= 'A' && at <= 'Z':
			return "invalid boolean"
		}
		return "invalid number"
	case has("cannot parse value"):
		if has("bool") {
			return "invalid boolean"
		}
		if has("out of range") {
			return "invalid float"
		}
		return "invalid number"
	case has("quote"), has("string termination"):
		return "unbalanced quotes"
	case has("invalid timestamp"):
		return "bad timestamp"
	case has("after timestamp"):
		return "point is invalid"
	}
	return msg
}

// dedupTags sorts tags by key; of repeated keys the last one wins (parseLine
// rejects repeated tag keys, as InfluxDB does, before it is called).
func dedupTags(ts Tags) Tags {
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Key < ts[j].Key })
	out := ts[:0]
	for i := range ts {
		if len(out) > 0 && out[len(out)-1].Key == ts[i].Key {
			out[len(out)-1] = ts[i]
			continue
		}
		out = append(out, ts[i])
	}
	return out
}

// dedupFields sorts fields by key; of repeated keys the last one wins.
func dedupFields(fs Fields) Fields {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Key < fs[j].Key })
	out := fs[:0]
	for i := range fs {
		if len(out) > 0 && out[len(out)-1].Key == fs[i].Key {
			out[len(out)-1] = fs[i]
			continue
		}
		out = append(out, fs[i])
	}
	return out
}
