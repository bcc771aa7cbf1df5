package runtime

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// Row is one series of a Result, Kapacitor's models.Row: a name, tags, column
// names and rows of values. Values hold time.Time (UTC), float64, int64,
// string, bool or nil, so that encoding/json writes them exactly as Kapacitor
// does: times as RFC3339Nano strings, numbers as Go writes float64 and int64.
type Row struct {
	Name    string            `json:"name,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	Columns []string          `json:"columns,omitempty"`
	Values  [][]any           `json:"values,omitempty"`
}

// Result is what an httpOut endpoint serves and what alert and httpPost
// bodies carry as data, Kapacitor's models.Result. A nil Series encodes as
// {"series":null}; a nil entry of Series encodes as null (an httpOut group
// that has seen only a barrier).
type Result struct {
	Series []*Row `json:"series"`
	Err    string `json:"error,omitempty"`
}

// JSON returns the result's encoding, byte for byte Kapacitor's. It fails
// only on values JSON cannot hold (NaN and infinite floats).
func (r Result) JSON() ([]byte, error) { return json.Marshal(r) }

// TimeValue converts Unix nanoseconds to the value a Row holds for a time.
func TimeValue(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// RowValue converts a field value to the value a Row holds for it: float64,
// int64, string, bool, time.Time, int64 nanoseconds for a duration (as
// time.Duration encodes), the pattern for a regex, nil when missing.
func RowValue(v stdlib.Value) any {
	switch v.Type() {
	case stdlib.TypeFloat:
		return v.Float()
	case stdlib.TypeInt:
		return v.Int()
	case stdlib.TypeString:
		return v.Str()
	case stdlib.TypeBool:
		return v.Bool()
	case stdlib.TypeDuration:
		return int64(v.Duration())
	case stdlib.TypeTime:
		return TimeValue(v.UnixNano())
	case stdlib.TypeRegex:
		if re := v.Regex(); re != nil {
			return re.String()
		}
	}
	return nil
}

// TagsMap returns ts as a map, nil when ts is empty.
func TagsMap(ts Tags) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

// PointRow turns a point into a row as Kapacitor's point ToRow does: the
// point's name and all its tags, columns "time" then the sorted field names,
// one row of values.
func PointRow(p Point) *Row {
	row := &Row{Name: p.Name, Tags: TagsMap(p.Tags)}
	row.Columns = make([]string, 1, len(p.Fields)+1)
	row.Columns[0] = "time"
	vals := make([]any, 1, len(p.Fields)+1)
	vals[0] = TimeValue(p.Time)
	// Fields are kept sorted by key, which is the column order.
	for _, f := range p.Fields {
		row.Columns = append(row.Columns, f.Key)
		vals = append(vals, RowValue(f.Value))
	}
	row.Values = [][]any{vals}
	return row
}

// BatchRow turns a batch into a row as Kapacitor's batch ToRow does: the
// batch's name and tags; columns "time" then, sorted, the first point's
// fields and those of its tags that are not batch tags; one row of values per
// point, null where a point lacks a column. A batch without points gives a
// row with only name and tags.
func BatchRow(b Batch) *Row {
	row := &Row{Name: b.Name, Tags: TagsMap(b.Tags)}
	if len(b.Points) == 0 {
		return row
	}
	first := b.Points[0]
	cols := make([]string, 0, len(first.Fields)+len(first.Tags))
	for _, f := range first.Fields {
		cols = append(cols, f.Key)
	}
	for _, t := range first.Tags {
		if _, ok := b.Tags.Get(t.Key); !ok {
			cols = append(cols, t.Key)
		}
	}
	sort.Strings(cols)
	row.Columns = append([]string{"time"}, cols...)
	row.Values = make([][]any, len(b.Points))
	for i, p := range b.Points {
		vals := make([]any, len(row.Columns))
		vals[0] = TimeValue(p.Time)
		for j, c := range cols {
			if v := p.Fields.Get(c); !v.IsMissing() {
				vals[j+1] = RowValue(v)
			} else if tv, ok := p.Tags.Get(c); ok {
				vals[j+1] = tv
			}
		}
		row.Values[i] = vals
	}
	return row
}

// PointResult returns the result holding p's row alone, the data of an
// alert event or an httpPost body for a point.
func PointResult(p Point) Result { return Result{Series: []*Row{PointRow(p)}} }

// BatchResult returns the result holding b's row alone.
func BatchResult(b Batch) Result { return Result{Series: []*Row{BatchRow(b)}} }
