package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// Stateful is a node, or a part of one, whose state survives a restart: a
// checkpoint calls SaveState on the task's goroutine, between two writes,
// and a restarted program calls LoadState on the freshly built node before
// any data reaches it.
//
// LoadState reads exactly what SaveState of the same build wrote; it
// reports malformed input through the decoder (or its own error) and never
// panics.
type Stateful interface {
	SaveState(e *StateEncoder)
	LoadState(d *StateDecoder) error
}

// StateEncoder appends a node's state to a byte slice in a compact binary
// form: unsigned and signed integers as varints, floats as their 8 IEEE
// bytes, strings and slices prefixed by their length. Its methods cannot
// fail.
type StateEncoder struct {
	buf []byte
}

// Bytes returns what was encoded so far.
func (e *StateEncoder) Bytes() []byte { return e.buf }

// Reset empties the encoder, keeping its buffer.
func (e *StateEncoder) Reset() { e.buf = e.buf[:0] }

// Uint appends an unsigned integer.
func (e *StateEncoder) Uint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

// Int appends a signed integer (times, counts that may be negative).
func (e *StateEncoder) Int(v int64) { e.buf = binary.AppendVarint(e.buf, v) }

// Len appends a length or a count.
func (e *StateEncoder) Len(n int) { e.Uint(uint64(n)) }

// Float appends a float64, bit for bit (NaN payloads included).
func (e *StateEncoder) Float(v float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}

// Bool appends a boolean.
func (e *StateEncoder) Bool(v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	e.buf = append(e.buf, b)
}

// String appends a string.
func (e *StateEncoder) String(s string) {
	e.Len(len(s))
	e.buf = append(e.buf, s...)
}

// ByteSlice appends a byte slice (a nested encoding, a UDF snapshot).
func (e *StateEncoder) ByteSlice(b []byte) {
	e.Len(len(b))
	e.buf = append(e.buf, b...)
}

// Value appends a lambda value with its type.
func (e *StateEncoder) Value(v stdlib.Value) {
	e.buf = append(e.buf, byte(v.Type()))
	switch v.Type() {
	case stdlib.TypeMissing:
	case stdlib.TypeFloat:
		e.Float(v.Float())
	case stdlib.TypeInt:
		e.Int(v.Int())
	case stdlib.TypeString:
		e.String(v.Str())
	case stdlib.TypeBool:
		e.Bool(v.Bool())
	case stdlib.TypeDuration:
		e.Int(int64(v.Duration()))
	case stdlib.TypeTime:
		e.Int(v.UnixNano())
	case stdlib.TypeRegex:
		pattern := ""
		if re := v.Regex(); re != nil {
			pattern = re.String()
		}
		e.String(pattern)
	}
}

// Group appends a group id.
func (e *StateEncoder) Group(g GroupID) { e.String(string(g)) }

// GroupSet appends a set of group ids: its size, then the ids in order, so
// that the same set gives the same bytes.
func (e *StateEncoder) GroupSet(set map[GroupID]bool) {
	ids := slices.Sorted(maps.Keys(set))
	e.Len(len(ids))
	for _, g := range ids {
		e.Group(g)
	}
}

// Tags appends a tag set.
func (e *StateEncoder) Tags(ts Tags) {
	e.Len(len(ts))
	for _, t := range ts {
		e.String(t.Key)
		e.String(t.Value)
	}
}

// Fields appends a field set.
func (e *StateEncoder) Fields(fs Fields) {
	e.Len(len(fs))
	for _, f := range fs {
		e.String(f.Key)
		e.Value(f.Value)
	}
}

// Dimensions appends a grouping.
func (e *StateEncoder) Dimensions(d Dimensions) {
	e.Bool(d.ByName)
	e.Len(len(d.TagNames))
	for _, k := range d.TagNames {
		e.String(k)
	}
}

// Point appends a stream point.
func (e *StateEncoder) Point(p Point) {
	e.String(p.Name)
	e.String(p.Database)
	e.String(p.RetentionPolicy)
	e.Int(p.Time)
	e.Group(p.Group)
	e.Dimensions(p.Dimensions)
	e.Tags(p.Tags)
	e.Fields(p.Fields)
}

// BatchPoint appends one point of a batch.
func (e *StateEncoder) BatchPoint(p BatchPoint) {
	e.Int(p.Time)
	e.Tags(p.Tags)
	e.Fields(p.Fields)
}

// Batch appends a batch with its points.
func (e *StateEncoder) Batch(b Batch) {
	e.String(b.Name)
	e.Int(b.TMax)
	e.Group(b.Group)
	e.Dimensions(b.Dimensions)
	e.Tags(b.Tags)
	e.Len(len(b.Points))
	for _, p := range b.Points {
		e.BatchPoint(p)
	}
}

// errStateTruncated is the decoder's error for input that ends early.
var errStateTruncated = errors.New("state ends early")

// StateDecoder reads what a StateEncoder wrote. The first malformed or
// missing datum makes Err non-nil; from then on every method returns a zero
// value, so a LoadState can read all its fields and check Err once.
type StateDecoder struct {
	data []byte
	err  error
}

// NewStateDecoder returns a decoder over data.
func NewStateDecoder(data []byte) *StateDecoder { return &StateDecoder{data: data} }

// Err returns the first error met, or nil.
func (d *StateDecoder) Err() error { return d.err }

// Fail records err (when none was recorded yet); LoadState methods use it
// for state that decodes but makes no sense, such as an unknown kind.
func (d *StateDecoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Finish returns Err, or an error when input is left over: a node that
// reads less than it wrote is out of step with its encoder.
func (d *StateDecoder) Finish() error {
	if d.err == nil && len(d.data) > 0 {
		d.err = fmt.Errorf("state has %d unread bytes", len(d.data))
	}
	return d.err
}

// Uint reads an unsigned integer.
func (d *StateDecoder) Uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data)
	if n <= 0 {
		d.Fail(errStateTruncated)
		return 0
	}
	d.data = d.data[n:]
	return v
}

// Int reads a signed integer.
func (d *StateDecoder) Int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.data)
	if n <= 0 {
		d.Fail(errStateTruncated)
		return 0
	}
	d.data = d.data[n:]
	return v
}

// Len reads a length or count. Every counted item takes at least one byte,
// so a length larger than the input left is malformed: it is refused
// before anything is allocated for it.
func (d *StateDecoder) Len() int {
	v := d.Uint()
	if d.err == nil && v > uint64(len(d.data)) {
		d.Fail(fmt.Errorf("state length %d exceeds the %d bytes left", v, len(d.data)))
		return 0
	}
	return int(v)
}

// Float reads a float64.
func (d *StateDecoder) Float() float64 {
	if d.err != nil {
		return 0
	}
	if len(d.data) < 8 {
		d.Fail(errStateTruncated)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.data))
	d.data = d.data[8:]
	return v
}

// Bool reads a boolean.
func (d *StateDecoder) Bool() bool {
	if d.err != nil {
		return false
	}
	if len(d.data) < 1 {
		d.Fail(errStateTruncated)
		return false
	}
	b := d.data[0]
	d.data = d.data[1:]
	if b > 1 {
		d.Fail(fmt.Errorf("state has %d for a boolean", b))
		return false
	}
	return b == 1
}

// String reads a string.
func (d *StateDecoder) String() string {
	return string(d.ByteSlice())
}

// ByteSlice reads a byte slice; the result aliases the decoder's input.
func (d *StateDecoder) ByteSlice() []byte {
	n := d.Len()
	if d.err != nil {
		return nil
	}
	b := d.data[:n:n]
	d.data = d.data[n:]
	return b
}

// Value reads a lambda value.
func (d *StateDecoder) Value() stdlib.Value {
	if d.err != nil {
		return stdlib.Missing
	}
	if len(d.data) < 1 {
		d.Fail(errStateTruncated)
		return stdlib.Missing
	}
	typ := stdlib.Type(d.data[0])
	d.data = d.data[1:]
	switch typ {
	case stdlib.TypeMissing:
		return stdlib.Missing
	case stdlib.TypeFloat:
		return stdlib.Float(d.Float())
	case stdlib.TypeInt:
		return stdlib.Int(d.Int())
	case stdlib.TypeString:
		return stdlib.String(d.String())
	case stdlib.TypeBool:
		return stdlib.Bool(d.Bool())
	case stdlib.TypeDuration:
		return stdlib.Duration(time.Duration(d.Int()))
	case stdlib.TypeTime:
		return stdlib.Time(d.Int())
	case stdlib.TypeRegex:
		pattern := d.String()
		if d.err != nil {
			return stdlib.Missing
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			d.Fail(fmt.Errorf("state has a bad regex: %w", err))
			return stdlib.Missing
		}
		return stdlib.Regex(re)
	}
	d.Fail(fmt.Errorf("state has unknown value type %d", typ))
	return stdlib.Missing
}

// Group reads a group id.
func (d *StateDecoder) Group() GroupID { return GroupID(d.String()) }

// GroupSet reads what StateEncoder.GroupSet wrote.
func (d *StateDecoder) GroupSet() map[GroupID]bool {
	set := map[GroupID]bool{}
	for range d.Len() {
		set[d.Group()] = true
	}
	return set
}

// Tags reads a tag set; an empty set reads as nil.
func (d *StateDecoder) Tags() Tags {
	n := d.Len()
	if n == 0 || d.err != nil {
		return nil
	}
	ts := make(Tags, n)
	for i := range ts {
		ts[i] = Tag{Key: d.String(), Value: d.String()}
	}
	return ts
}

// Fields reads a field set; an empty set reads as nil.
func (d *StateDecoder) Fields() Fields {
	n := d.Len()
	if n == 0 || d.err != nil {
		return nil
	}
	fs := make(Fields, n)
	for i := range fs {
		fs[i] = Field{Key: d.String(), Value: d.Value()}
	}
	return fs
}

// Dimensions reads a grouping.
func (d *StateDecoder) Dimensions() Dimensions {
	dims := Dimensions{ByName: d.Bool()}
	n := d.Len()
	if n == 0 || d.err != nil {
		return dims
	}
	dims.TagNames = make([]string, n)
	for i := range dims.TagNames {
		dims.TagNames[i] = d.String()
	}
	return dims
}

// Point reads a stream point.
func (d *StateDecoder) Point() Point {
	return Point{
		Name:            d.String(),
		Database:        d.String(),
		RetentionPolicy: d.String(),
		Time:            d.Int(),
		Group:           d.Group(),
		Dimensions:      d.Dimensions(),
		Tags:            d.Tags(),
		Fields:          d.Fields(),
	}
}

// BatchPoint reads one point of a batch.
func (d *StateDecoder) BatchPoint() BatchPoint {
	return BatchPoint{Time: d.Int(), Tags: d.Tags(), Fields: d.Fields()}
}

// Batch reads a batch with its points.
func (d *StateDecoder) Batch() Batch {
	b := Batch{
		Name:       d.String(),
		TMax:       d.Int(),
		Group:      d.Group(),
		Dimensions: d.Dimensions(),
		Tags:       d.Tags(),
	}
	n := d.Len()
	if n == 0 || d.err != nil {
		return b
	}
	b.Points = make([]BatchPoint, n)
	for i := range b.Points {
		b.Points[i] = d.BatchPoint()
	}
	return b
}

// saveGroups writes a per-group state map: its size, then each group in
// group id order (so equal states give equal bytes) followed by what save
// writes for its state.
func saveGroups[S any](e *StateEncoder, groups map[GroupID]S, save func(S)) {
	ids := sortedGroups(groups)
	e.Len(len(ids))
	for _, id := range ids {
		e.Group(id)
		save(groups[id])
	}
}

// loadGroups reads what saveGroups wrote, each group's state with load; a
// group saved twice is malformed. On error the partial map is dropped.
func loadGroups[S any](d *StateDecoder, load func() S) (map[GroupID]S, error) {
	groups := make(map[GroupID]S)
	for range d.Len() {
		id := d.Group()
		s := load()
		if d.Err() != nil {
			break
		}
		if _, dup := groups[id]; dup {
			d.Fail(fmt.Errorf("group %q is saved twice", id))
			break
		}
		groups[id] = s
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return groups, nil
}
