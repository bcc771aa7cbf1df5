package runtime

import (
	"bytes"
	"math"
	"strconv"
	"unsafe"

	"github.com/tickc/tickc/stdlib"
)

// The fast decoder reads the common form of a line-protocol line in one
// pass without the general decoder:
//
//	measurement[,key=value...] key=value[,key=value...][ timestamp]
//
// where names, keys and tag values are printable ASCII without escapes,
// quotes, spaces, commas or equals signs (and a measurement does not start
// with '#'), field values are unquoted numbers or booleans, and single
// spaces separate the sections (a line may end in CRLF). Anything else —
// escapes, strings, non-ASCII, unusual spacing, an error of any kind — is
// declined, and the line goes to the general decoder (lineParser.parse),
// which decides and words the errors. So the fast decoder only needs to be
// right about what it accepts: it must give the very point the general
// decoder gives (FuzzParseLinesFastPath holds it to that).

// plainByte marks the bytes a name, key or tag value may hold on the fast
// path.
var plainByte = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		switch c {
		case ',', '=', '"', '\\':
		default:
			t[c] = true
		}
	}
	return t
}()

// scanPlain returns the length of the run of plain bytes at the start of b.
func scanPlain(b []byte) int {
	for i, c := range b {
		if !plainByte[c] {
			return i
		}
	}
	return len(b)
}

// maxRecent is how many tags and fields per line the decoder remembers
// from the line before (see lineParser.recent).
const maxRecent = 8

// recentStrings are the interned names and keys of the previous line by
// position: lines tend to repeat their measurement and keys, and comparing
// bytes with the string at the same position is cheaper than hashing them.
// (Tag values vary more; they go to lineParser.intern's table.)
type recentStrings struct {
	name      string
	tagKeys   [maxRecent]string
	fieldKeys [maxRecent]string
}

// internAt returns b as an interned string, reusing *slot when it holds the
// same bytes and remembering the result there otherwise.
func (lp *lineParser) internAt(slot *string, b []byte) string {
	if *slot == string(b) {
		return *slot
	}
	s := lp.intern(b)
	*slot = s
	return s
}

// internRecent is internAt for slot i of recent, or plain interning past
// the remembered positions.
func (lp *lineParser) internRecent(recent *[maxRecent]string, i int, b []byte) string {
	if i < maxRecent {
		return lp.internAt(&recent[i], b)
	}
	return lp.intern(b)
}

// decodeFast decodes line into *dst, a point of database db and retention
// policy rp, if the line has the common form (see above); it returns false,
// leaving *dst as it was, when it leaves the line to the general decoder.
func (lp *lineParser) decodeFast(dst *Point, line []byte, db, rp string, precision, now int64) bool {
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1] // the end of a CRLF line
	}
	n := scanPlain(line)
	if n == 0 || n == len(line) || line[0] == '#' {
		return false
	}
	name := lp.internAt(&lp.recent.name, line[:n])
	rest := line[n:]

	// Tags: those of a recent line with the same tag section, or decoded
	// into the free space of the tag block, where a declined line leaves
	// them to be overwritten.
	var (
		tags   Tags
		cached bool   // tags come from the tag-set table
		secKey uint64 // the section's key in the table, for cacheTags
	)
	tagStart := len(lp.tags)
	if rest[0] == ',' {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return false
		}
		if lp.tagSets == nil {
			lp.tagSets = new(tagSetTable)
		}
		tags, secKey, cached = lp.tagSets.lookup(rest[:sp])
		if cached {
			rest = rest[sp:]
		}
	}
	for ntags := 0; !cached && rest[0] == ','; ntags++ {
		rest = rest[1:]
		k := scanPlain(rest)
		if k == 0 || k == len(rest) || rest[k] != '=' {
			lp.tags = lp.tags[:tagStart]
			return false
		}
		key := rest[:k]
		rest = rest[k+1:]
		v := scanPlain(rest)
		if v == 0 || v == len(rest) {
			lp.tags = lp.tags[:tagStart]
			return false
		}
		tagStart = lp.appendTag(tagStart, Tag{lp.internRecent(&lp.recent.tagKeys, ntags, key), lp.intern(rest[:v])})
		rest = rest[v:]
	}
	if !cached {
		tags = lp.tags[tagStart:len(lp.tags):len(lp.tags)]
		lp.tags = lp.tags[:tagStart]
	}
	if rest[0] != ' ' {
		return false
	}
	rest = rest[1:]

	// Fields.
	fieldStart := len(lp.fields)
	for nfields := 0; ; nfields++ {
		k := scanPlain(rest)
		if k == 0 || k == len(rest) || rest[k] != '=' {
			lp.fields = lp.fields[:fieldStart]
			return false
		}
		key := rest[:k]
		rest = rest[k+1:]
		v := 0
		for v < len(rest) && rest[v] != ',' && rest[v] != ' ' {
			v++
		}
		val, ok := parseFastValue(rest[:v])
		if !ok {
			lp.fields = lp.fields[:fieldStart]
			return false
		}
		lp.fields, fieldStart = appendInBlock(lp.fields, fieldStart, Field{lp.internRecent(&lp.recent.fieldKeys, nfields, key), val})
		rest = rest[v:]
		if len(rest) == 0 || rest[0] == ' ' {
			break
		}
		rest = rest[1:] // the comma
	}
	fields := lp.fields[fieldStart:len(lp.fields):len(lp.fields)]
	lp.fields = lp.fields[:fieldStart]

	// The timestamp, if any: digits with an optional minus sign, to the end.
	var at int64
	if len(rest) == 0 {
		at = now - now%precision
		if now < 0 && now%precision != 0 {
			at -= precision
		}
	} else {
		ts := rest[1:]
		if len(ts) == 0 || ts[0] == '+' {
			return false
		}
		t, ok := parseTimestamp(ts)
		if !ok || t > maxNanoTime/precision || t < minNanoTime/precision {
			return false
		}
		at = t * precision
	}
	if !cached && len(tags) > 0 {
		for i := 1; i < len(tags); i++ {
			for j := 0; j < i; j++ {
				if tags[i].Key == tags[j].Key {
					return false
				}
			}
		}
		// The line is good: its tags leave the free space, sorted, and
		// the table learns them.
		lp.tags = lp.tags[:tagStart+len(tags)]
		tags = lp.cacheTags(secKey, tagStart, len(tags))
	} else if len(tags) == 0 {
		tags = nil
	}
	lp.fields = lp.fields[:fieldStart+len(fields)]
	// Field by field: assigning a whole Point would copy it with a bulk
	// write barrier while the garbage collector runs.
	dst.Name, dst.Database, dst.RetentionPolicy, dst.Time = name, db, rp, at
	dst.Group, dst.Dimensions = "", Dimensions{}
	dst.Tags, dst.Fields = tags, dedupFields(fields)
	return true
}

// parseFastValue decodes an unquoted field value of the fast path: a float
// written as digits with an optional sign and fraction, an integer with the
// i suffix, or a boolean. ok is false for anything else, which the general
// decoder then reads or refuses.
func parseFastValue(b []byte) (stdlib.Value, bool) {
	if len(b) == 0 {
		return stdlib.Value{}, false
	}
	switch b[0] {
	case 't', 'T':
		switch string(b) {
		case "t", "T", "true", "True", "TRUE":
			return stdlib.Bool(true), true
		}
		return stdlib.Value{}, false
	case 'f', 'F':
		switch string(b) {
		case "f", "F", "false", "False", "FALSE":
			return stdlib.Bool(false), true
		}
		return stdlib.Value{}, false
	}
	if b[len(b)-1] == 'i' {
		n, ok := parseTimestamp(b[:len(b)-1]) // the same syntax: an optional sign and decimal digits
		if !ok || b[0] == '+' {
			return stdlib.Value{}, false
		}
		return stdlib.Int(n), true
	}
	f, ok := parseFastFloat(b)
	if !ok {
		return stdlib.Value{}, false
	}
	return stdlib.Float(f), true
}

// pow10 are the powers of ten that float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFastFloat parses -?[0-9]+(\.[0-9]+)? to the float64
// strconv.ParseFloat gives, bit for bit; ok is false for any other syntax
// and for values out of range. When the digits, read as an integer, fit in
// 53 bits and there are at most 22 of them after the point, the result is
// that integer divided by a power of ten: both are exact in float64 and the
// division is correctly rounded, as ParseFloat's result is. Other numbers
// are left to ParseFloat itself.
func parseFastFloat(b []byte) (float64, bool) {
	s := b
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	var mant uint64
	digits, frac := 0, -1 // frac: digits after the point, -1 without a point
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			if digits < 19 {
				mant = mant*10 + uint64(c-'0')
			}
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0 && i > 0 && i < len(s)-1:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	if frac < 0 {
		frac = 0
	}
	if digits <= 19 && mant <= 1<<53 && frac < len(pow10) {
		f := float64(mant) / pow10[frac]
		if neg {
			f = -f
		}
		return f, true
	}
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
