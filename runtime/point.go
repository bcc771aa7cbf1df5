package runtime

import (
	"sort"
	"strings"

	"github.com/tickc/tickc/stdlib"
)

// Tag is one tag of a point: a key and its string value.
type Tag struct {
	Key, Value string
}

// Tags is a point's tag set, sorted by key with unique keys.
//
// Tags, Fields and Batch.Points are copy-on-write: a node never writes into a
// slice it received (siblings and buffers may share it); it builds a new slice
// to change one.
type Tags []Tag

// Get returns the value of tag key and whether it is present.
func (ts Tags) Get(key string) (string, bool) {
	for i := range ts {
		if ts[i].Key == key {
			return ts[i].Value, true
		}
	}
	return "", false
}

// With returns a copy of ts with key set to value, keeping the sort order.
func (ts Tags) With(key, value string) Tags {
	i := sort.Search(len(ts), func(i int) bool { return ts[i].Key >= key })
	out := make(Tags, 0, len(ts)+1)
	out = append(out, ts[:i]...)
	out = append(out, Tag{key, value})
	if i < len(ts) && ts[i].Key == key {
		i++
	}
	return append(out, ts[i:]...)
}

// Without returns ts without key; it returns ts itself when key is absent.
func (ts Tags) Without(key string) Tags {
	for i := range ts {
		if ts[i].Key == key {
			out := make(Tags, 0, len(ts)-1)
			out = append(out, ts[:i]...)
			return append(out, ts[i+1:]...)
		}
	}
	return ts
}

// Field is one field of a point: a key and its typed value (float, int, string or bool).
type Field struct {
	Key   string
	Value stdlib.Value
}

// Fields is a point's field set, sorted by key with unique keys.
// Like Tags it is copy-on-write.
type Fields []Field

// Get returns the value of field key, or stdlib.Missing.
func (fs Fields) Get(key string) stdlib.Value {
	for i := range fs {
		if fs[i].Key == key {
			return fs[i].Value
		}
	}
	return stdlib.Missing
}

// With returns a copy of fs with key set to v, keeping the sort order.
func (fs Fields) With(key string, v stdlib.Value) Fields {
	i := sort.Search(len(fs), func(i int) bool { return fs[i].Key >= key })
	out := make(Fields, 0, len(fs)+1)
	out = append(out, fs[:i]...)
	out = append(out, Field{key, v})
	if i < len(fs) && fs[i].Key == key {
		i++
	}
	return append(out, fs[i:]...)
}

// Without returns fs without key; it returns fs itself when key is absent.
func (fs Fields) Without(key string) Fields {
	for i := range fs {
		if fs[i].Key == key {
			out := make(Fields, 0, len(fs)-1)
			out = append(out, fs[:i]...)
			return append(out, fs[i+1:]...)
		}
	}
	return fs
}

// Dimensions says how data is grouped: by the values of TagNames (sorted), and
// by measurement name too when ByName is set.
type Dimensions struct {
	ByName   bool
	TagNames []string
}

// GroupID identifies a group: "k1=v1,k2=v2" over the sorted dimension tags,
// prefixed by "name\n" when grouping by measurement. The empty GroupID is the
// single group of ungrouped data.
type GroupID string

// NewGroupID computes the group of data with the given name and tags under dims,
// exactly as Kapacitor's models.ToGroupID does. A dimension tag the data lacks
// contributes "k=".
func NewGroupID(name string, tags Tags, dims Dimensions) GroupID {
	if len(dims.TagNames) == 0 {
		if dims.ByName {
			return GroupID(name + "\n")
		}
		return ""
	}
	var b strings.Builder
	if dims.ByName {
		b.WriteString(name)
		b.WriteByte('\n')
	}
	for i, k := range dims.TagNames {
		if i > 0 {
			b.WriteByte(',')
		}
		v, _ := tags.Get(k)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return GroupID(b.String())
}

// Point is one data point flowing through a stream edge. Points travel by
// value; Tags and Fields are copy-on-write.
type Point struct {
	Name            string
	Database        string
	RetentionPolicy string
	Time            int64 // nanoseconds since the Unix epoch, UTC
	Group           GroupID
	Dimensions      Dimensions
	Tags            Tags
	Fields          Fields
}

// BatchPoint is one point inside a Batch.
type BatchPoint struct {
	Time   int64
	Fields Fields
	Tags   Tags
}

// Batch is a group's set of points for one time window or query run, flowing
// through a batch edge. Points is copy-on-write.
type Batch struct {
	Name       string
	TMax       int64 // the batch's time: the window's end or the query's stop
	Group      GroupID
	Dimensions Dimensions
	Tags       Tags // the group's tags (the dimension tags' values)
	Points     []BatchPoint
}
