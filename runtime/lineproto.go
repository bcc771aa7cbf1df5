package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"

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
//
// Measurement names, tag keys and values and field keys are interned, and
// the points' Tags and Fields are carved out of shared blocks, so that a
// body costs few allocations however many lines it has.
func ParseLines(body []byte, db, rp string, precision, now int64) ([]Point, error) {
	if precision <= 0 {
		return nil, fmt.Errorf("invalid precision %d", precision)
	}
	points, err := parseLinesInto(nil, body, db, rp, precision, now)
	if len(points) == 0 {
		points = nil
	}
	return points, err
}

// parseLinesInto is ParseLines appending to points, which it grows to the
// body's number of lines at once.
func parseLinesInto(points []Point, body []byte, db, rp string, precision, now int64) ([]Point, error) {
	if n := bytes.Count(body, []byte{'\n'}) + 1; cap(points)-len(points) < n {
		points = slices.Grow(points, n)
	}
	lp := getLineParser()
	defer putLineParser(lp)
	return lp.parseLines(body, db, rp, precision, now, points, fastThenSlow)
}

// A lineMode says which decoders parseLines uses.
type lineMode int

const (
	fastThenSlow lineMode = iota // the fast decoder, and the slow one for the lines it declines
	slowOnly                     // the slow decoder: every line with lineprotocol's
	fastOnly                     // the fast decoder; a line it declines ends the body (for tests)
)

// parseLines parses body line by line, appending the good lines' points to
// points. In fastOnly mode it stops at the first line the fast decoder
// declines and reports false; otherwise ok is true.
func (lp *lineParser) parseLines(body []byte, db, rp string, precision, now int64, points []Point, mode lineMode) ([]Point, error) {
	var errs []error
	lineNo := 0
	for len(body) > 0 {
		lineNo++
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		if mode != slowOnly {
			// The point is decoded in place, into the slice's next slot.
			if len(points) == cap(points) {
				points = slices.Grow(points, 1)
			}
			if n := len(points); lp.decodeFast(&points[:n+1][n], line, db, rp, precision, now) {
				points = points[:n+1]
				continue
			}
		}
		trimmed := bytes.TrimLeft(line, " \t\r")
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		if mode == fastOnly {
			return points, errDeclined
		}
		p, reason := lp.parse(line, precision, now)
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

// errDeclined is what parseLines in fastOnly mode reports for a line the
// fast decoder leaves to the slow one.
var errDeclined = errors.New("declined by the fast decoder")

// parseEachLine is ParseLines with the slow decoder only.
func (lp *lineParser) parseEachLine(body []byte, db, rp string, precision, now int64, points []Point) ([]Point, error) {
	points, err := lp.parseLines(body, db, rp, precision, now, points, slowOnly)
	if len(points) == 0 {
		points = nil
	}
	return points, err
}

// parseBody is ParseLines with the fast decoder only: it reports false when
// the fast decoder declines a line (which the slow one then words).
func (lp *lineParser) parseBody(body []byte, db, rp string, precision, now int64, points []Point) ([]Point, bool) {
	points, err := lp.parseLines(body, db, rp, precision, now, points, fastOnly)
	return points, err == nil
}

// ParseLine parses one line-protocol line (precision nanoseconds per unit,
// now for a missing timestamp).
func ParseLine(line []byte, precision, now int64) (Point, error) {
	if precision <= 0 {
		return Point{}, fmt.Errorf("invalid precision %d", precision)
	}
	lp := getLineParser()
	defer putLineParser(lp)
	p, reason := lp.parse(line, precision, now)
	if reason != "" {
		return Point{}, &LineError{Line: 1, Text: string(bytes.TrimRight(line, "\r")), Reason: reason}
	}
	return p, nil
}

// lineParser is the reusable state of line-protocol decoding: an interning
// table for the strings that repeat from line to line and the blocks the
// points' tag and field slices are cut from. A block is only ever appended
// to; the slices handed out have their capacity capped at their length, so
// that appending to them copies (Tags and Fields are copy-on-write anyway),
// and a new block is started when one is full. Parsers are kept for reuse
// (see idleParsers): strings are immutable, so interned ones may be shared
// by all goroutines.
type lineParser struct {
	strs   map[string]string
	cache  [2 << cacheBits]string // recently interned strings, by hashBytes
	recent recentStrings          // the previous line's strings, for the fast decoder
	tags   []Tag                  // the current tag block; its free space is past len
	fields []Field                // the current field block
	// tagSets are the fast decoder's recent tag sections (see
	// tagSetTable), made at the first line with tags.
	tagSets *tagSetTable
}

const (
	// maxInterned bounds the interning table; past it the table starts over,
	// so that a stream of ever-new tag values cannot grow it without end.
	maxInterned = 1 << 16
	// blockLen is the least number of tags or fields per block (see
	// appendInBlock). A retained point
	// keeps its whole block alive (a few kilobytes at worst, when the other
	// points of the block are gone), so blocks stay small; 64 already makes
	// the blocks' allocations a small fraction of one per point.
	blockLen = 64
)

// idleParsers keeps the parsers not in use, up to maxIdleParsers. Unlike
// a sync.Pool it does not drop them at every garbage collection: a parser's
// worth is its interning tables, which a new parser would fill again string
// by string.
var idleParsers struct {
	sync.Mutex
	list []*lineParser
}

// maxIdleParsers bounds the parsers kept idle (and the strings they keep).
const maxIdleParsers = 8

func getLineParser() *lineParser {
	idleParsers.Lock()
	defer idleParsers.Unlock()
	if n := len(idleParsers.list); n > 0 {
		lp := idleParsers.list[n-1]
		idleParsers.list = idleParsers.list[:n-1]
		return lp
	}
	return &lineParser{strs: make(map[string]string)}
}

func putLineParser(lp *lineParser) {
	idleParsers.Lock()
	defer idleParsers.Unlock()
	if len(idleParsers.list) < maxIdleParsers {
		idleParsers.list = append(idleParsers.list, lp)
	}
}

// intern returns b as a string, the same string for the same bytes. A
// small table answers the strings seen lately (a write's tag values cycle
// through a few thousand at most) before the map is asked: two strings per
// hash of the bytes, the latest first.
func (lp *lineParser) intern(b []byte) string {
	i := hashBytes(b) * 2
	if s := lp.cache[i]; s == string(b) {
		return s
	}
	if s := lp.cache[i+1]; s == string(b) {
		return s
	}
	s, ok := lp.strs[string(b)]
	if !ok {
		s = string(b)
		if len(lp.strs) >= maxInterned {
			clear(lp.strs)
		}
		lp.strs[s] = s
	}
	lp.cache[i+1] = lp.cache[i]
	lp.cache[i] = s
	return s
}

// cacheBits sizes lineParser.cache: 1<<cacheBits hashes, two strings each.
const cacheBits = 11

// hashBytes hashes b to a pair of lineParser.cache, from its length and
// its first and last eight bytes.
func hashBytes(b []byte) uint64 {
	var h uint64
	switch n := len(b); {
	case n >= 8:
		h = binary.LittleEndian.Uint64(b) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(b[n-8:]), 29)
	case n >= 4:
		h = uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<32
	default:
		for _, c := range b {
			h = h<<8 | uint64(c)
		}
	}
	h = (h ^ uint64(len(b))) * 0x9e3779b97f4a7c15
	return h >> (64 - cacheBits)
}

// parse decodes one non-empty line; it returns the reason of a failure.
// The point's Tags and Fields are sorted by key, as points are everywhere.
func (lp *lineParser) parse(line []byte, precision, now int64) (Point, string) {
	if !hasFieldSection(line) {
		return Point{}, "missing fields"
	}
	dec := lineprotocol.NewDecoderWithBytes(line)
	if !dec.Next() {
		return Point{}, "missing measurement"
	}
	return lp.parseEntry(dec, line, precision, now)
}

// parseEntry decodes the entry dec is at; line is its text, for the wording
// of failures.
func (lp *lineParser) parseEntry(dec *lineprotocol.Decoder, line []byte, precision, now int64) (Point, string) {
	name, err := dec.Measurement()
	if err != nil {
		return Point{}, reason(line, err)
	}
	p := Point{Name: lp.intern(name)}
	// The point's tags are appended to the free space of the block; a
	// failed line leaves what it appended there to be overwritten.
	tagStart := len(lp.tags)
	for {
		k, v, err := dec.NextTag()
		if err != nil {
			lp.tags = lp.tags[:tagStart]
			return Point{}, reason(line, err)
		}
		if k == nil {
			break
		}
		tagStart = lp.appendTag(tagStart, Tag{lp.intern(k), lp.intern(v)})
	}
	tags := lp.tags[tagStart:len(lp.tags):len(lp.tags)]
	lp.tags = lp.tags[:tagStart] // handed out below once the line is good
	fieldStart := len(lp.fields)
	for {
		k, v, err := dec.NextField()
		if err != nil {
			lp.fields = lp.fields[:fieldStart]
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
			lp.fields = lp.fields[:fieldStart]
			return Point{}, "invalid number" // unsigned fields are not line protocol for InfluxDB 1.x
		default:
			lp.fields = lp.fields[:fieldStart]
			return Point{}, fmt.Sprintf("field %q has an unknown type", k)
		}
		lp.fields, fieldStart = appendInBlock(lp.fields, fieldStart, Field{lp.intern(k), fv})
	}
	fields := lp.fields[fieldStart:len(lp.fields):len(lp.fields)]
	lp.fields = lp.fields[:fieldStart]
	if len(fields) == 0 {
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
		n, ok := parseTimestamp(ts)
		if !ok {
			// The long way, for what the fast path leaves: leading zeros
			// past 19 digits, and the wording of errors.
			var err error
			if n, err = strconv.ParseInt(string(ts), 10, 64); err != nil {
				return Point{}, err.Error()
			}
		}
		if n > maxNanoTime/precision || n < minNanoTime/precision {
			return Point{}, fmt.Sprintf("time outside range %d - %d", minNanoTime, maxNanoTime)
		}
		p.Time = n * precision
	}
	for i := 1; i < len(tags); i++ {
		for j := 0; j < i; j++ {
			if tags[i].Key == tags[j].Key {
				return Point{}, "duplicate tags"
			}
		}
	}
	// The line is good: its tags and fields leave the free space.
	lp.tags = lp.tags[:tagStart+len(tags)]
	lp.fields = lp.fields[:fieldStart+len(fields)]
	if len(tags) > 0 {
		p.Tags = dedupTags(tags)
	}
	p.Fields = dedupFields(fields)
	return p, ""
}

// appendInBlock appends v to the slice being built in block from start on.
// When the block is full, the slice moves to a new block and start with
// it: blockLen elements, or more for a huge slice, and as many more as the
// allocation's size class holds anyway (71 tags or 73 fields in 2,304 and
// 4,096 bytes).
func appendInBlock[T any](block []T, start int, v T) ([]T, int) {
	if len(block) < cap(block) {
		return append(block, v), start
	}
	n := len(block) - start
	// slices.Grow rounds the capacity up to what the allocation holds.
	nb := slices.Grow([]T(nil), max(blockLen, 2*(n+1)))[:n]
	copy(nb, block[start:])
	return append(nb, v), 0
}

// parseTimestamp parses a decimal int64 without allocating; ok is false when
// strconv.ParseInt would fail.
func parseTimestamp(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64 // at most 19 digits: below 1e19, no overflow
	for len(b) >= 8 {
		v, ok := eightDigits(binary.LittleEndian.Uint64(b))
		if !ok {
			return 0, false
		}
		n = n*1e8 + v
		b = b[8:]
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// eightDigits returns the number eight ASCII decimal digits write, given
// as a little-endian word (the first digit in the lowest byte); ok is false
// when a byte is not a digit. The digits are combined in pairs, then in
// fours, then into one (SWAR), rather than one by one.
func eightDigits(v uint64) (uint64, bool) {
	const (
		high   = 0xF0F0F0F0F0F0F0F0
		zeros  = 0x3030303030303030 // '0' in every byte
		sixes  = 0x0606060606060606 // takes a byte past '9' out of 0x30..0x39
		lowest = 0x000000FF000000FF
	)
	if v&high != zeros || (v+sixes)&high != zeros {
		return 0, false
	}
	v -= zeros
	v = v*10 + v>>8 // every other byte: ten times a digit plus the next
	v = ((v&lowest)*(100+1000000<<32) + (v>>16&lowest)*(1+10000<<32)) >> 32
	return v, true
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
	if tagsSorted(ts) {
		return ts // the common case, written without moving an entry
	}
	for i := 1; i < len(ts); i++ { // stable insertion sort: lines have few tags
		for j := i; j > 0 && ts[j].Key < ts[j-1].Key; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
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
	if fieldsSorted(fs) {
		return fs // the common case, written without moving an entry
	}
	for i := 1; i < len(fs); i++ { // stable insertion sort: lines have few fields
		for j := i; j > 0 && fs[j].Key < fs[j-1].Key; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
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

// fieldsSorted reports whether the keys of fs are in increasing order.
func fieldsSorted(fs Fields) bool {
	for i := 1; i < len(fs); i++ {
		if fs[i].Key <= fs[i-1].Key {
			return false
		}
	}
	return true
}
