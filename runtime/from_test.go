package runtime

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/tickc/tickc/stdlib"
)

// This file also holds the helpers the node tests share: a recording child,
// test lambdas and compact builders.

// sink is a child Receiver that writes down everything it receives, one
// line per message, so tests can compare exact output.
type sink struct {
	lines []string
	pts   []Point
	bts   []Batch
}

func (r *sink) Point(p Point) {
	r.pts = append(r.pts, p)
	r.lines = append(r.lines, showPoint(p))
}

func (r *sink) Batch(b Batch) {
	r.bts = append(r.bts, b)
	r.lines = append(r.lines, showBatch(b))
}

func (r *sink) Barrier(g GroupID, t int64) {
	r.lines = append(r.lines, fmt.Sprintf("barrier %q %v", g, time.Duration(t)))
}

func (r *sink) DeleteGroup(g GroupID) { r.lines = append(r.lines, fmt.Sprintf("delete %q", g)) }

func (r *sink) Done() { r.lines = append(r.lines, "done") }

// check compares the recorded lines with want.
func (r *sink) check(t *testing.T, want ...string) {
	t.Helper()
	if strings.Join(r.lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n\t%s\nwant:\n\t%s", strings.Join(r.lines, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// showPoint renders a point as `NAME GROUP TIME tags fields`, with the
// dimensions when set, times as durations since the epoch.
func showPoint(p Point) string {
	s := fmt.Sprintf("%s %q %v %s %s", p.Name, p.Group, time.Duration(p.Time), showTags(p.Tags), showFields(p.Fields))
	if p.Dimensions.ByName || len(p.Dimensions.TagNames) > 0 {
		s += fmt.Sprintf(" dims=%v", p.Dimensions.TagNames)
		if p.Dimensions.ByName {
			s += "+name"
		}
	}
	return s
}

// showBatch renders a batch as `batch NAME GROUP TMAX tags [points]`.
func showBatch(b Batch) string {
	var pts []string
	for _, bp := range b.Points {
		pts = append(pts, fmt.Sprintf("%v %s %s", time.Duration(bp.Time), showTags(bp.Tags), showFields(bp.Fields)))
	}
	s := fmt.Sprintf("batch %s %q %v %s [%s]", b.Name, b.Group, time.Duration(b.TMax), showTags(b.Tags), strings.Join(pts, "; "))
	if b.Dimensions.ByName {
		s += " byname"
	}
	return s
}

func showTags(ts Tags) string {
	var kv []string
	for _, t := range ts {
		kv = append(kv, t.Key+"="+t.Value)
	}
	return "{" + strings.Join(kv, ",") + "}"
}

func showFields(fs Fields) string {
	var kv []string
	for _, f := range fs {
		kv = append(kv, f.Key+"="+showValue(f.Value))
	}
	return "{" + strings.Join(kv, ",") + "}"
}

func showValue(v stdlib.Value) string {
	switch v.Type() {
	case stdlib.TypeFloat:
		return fmt.Sprint(v.Float())
	case stdlib.TypeInt:
		return fmt.Sprintf("%di", v.Int())
	case stdlib.TypeString:
		return fmt.Sprintf("%q", v.Str())
	case stdlib.TypeBool:
		return fmt.Sprint(v.Bool())
	default:
		return v.Type().String()
	}
}

// evalFunc is a Lambda made of a Go function.
type evalFunc func(t int64, tags Tags, fields Fields) (stdlib.Value, error)

func (f evalFunc) Eval(t int64, tags Tags, fields Fields) (stdlib.Value, error) {
	return f(t, tags, fields)
}

// factoryFor returns a LambdaFactory that always makes f (no state).
func factoryFor(f evalFunc) LambdaFactory { return func() Lambda { return f } }

// tagEquals is the predicate "tag" == 'value'.
func tagEquals(tag, value string) evalFunc {
	return func(_ int64, tags Tags, _ Fields) (stdlib.Value, error) {
		v, _ := tags.Get(tag)
		return stdlib.Bool(v == value), nil
	}
}

// fieldGreater is the predicate "field" > x; a missing or non-float field is an error.
func fieldGreater(field string, x float64) evalFunc {
	return func(_ int64, _ Tags, fields Fields) (stdlib.Value, error) {
		v := fields.Get(field)
		if v.Type() != stdlib.TypeFloat {
			return stdlib.Missing, fmt.Errorf("field %q is %s", field, v.Type())
		}
		return stdlib.Bool(v.Float() > x), nil
	}
}

// countLambda is a stateful lambda like count(): 1, 2, 3… per instance.
type countLambda struct{ n int64 }

func (c *countLambda) Eval(int64, Tags, Fields) (stdlib.Value, error) {
	c.n++
	return stdlib.Int(c.n), nil
}

func newCountLambda() Lambda { return &countLambda{} }

// sec is a time n seconds after the epoch, in nanoseconds.
func secs(n float64) int64 { return int64(n * float64(time.Second)) }

// tags builds Tags from "k=v" pairs.
func mkTags(kv ...string) Tags {
	var ts Tags
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		ts = ts.With(k, v)
	}
	return ts
}

// fields builds Fields from alternating names and values (float64, int,
// string or bool).
func mkFields(kv ...any) Fields {
	var fs Fields
	for i := 0; i+1 < len(kv); i += 2 {
		fs = fs.With(kv[i].(string), mkValue(kv[i+1]))
	}
	return fs
}

func mkValue(x any) stdlib.Value {
	switch x := x.(type) {
	case float64:
		return stdlib.Float(x)
	case int:
		return stdlib.Int(int64(x))
	case int64:
		return stdlib.Int(x)
	case string:
		return stdlib.String(x)
	case bool:
		return stdlib.Bool(x)
	}
	panic(fmt.Sprintf("unsupported test value %T", x))
}

// pt builds a point of measurement cpu in database db, retention policy rp,
// grouped by dims (sorted tag names).
func mkPoint(t float64, ts Tags, fs Fields, dims ...string) Point {
	sort.Strings(dims)
	p := Point{Name: "cpu", Database: "db", RetentionPolicy: "rp", Time: secs(t), Tags: ts, Fields: fs}
	if len(dims) > 0 {
		p.Dimensions = Dimensions{TagNames: dims}
	}
	p.Group = NewGroupID(p.Name, p.Tags, p.Dimensions)
	return p
}

// bt builds a batch of measurement cpu at tmax t with group tags gts (its
// dimensions) and points pts.
func mkBatch(t float64, gts Tags, pts ...BatchPoint) Batch {
	b := Batch{Name: "cpu", TMax: secs(t), Tags: gts, Points: pts}
	for _, tg := range gts {
		b.Dimensions.TagNames = append(b.Dimensions.TagNames, tg.Key)
	}
	b.Group = NewGroupID(b.Name, b.Tags, b.Dimensions)
	return b
}

func mkBP(t float64, ts Tags, fs Fields) BatchPoint {
	return BatchPoint{Time: secs(t), Tags: ts, Fields: fs}
}

func TestFrom(t *testing.T) {
	in := []Point{
		{Name: "cpu", Database: "db", RetentionPolicy: "rp", Time: secs(1.7), Tags: mkTags("host=a", "dc=x"), Fields: mkFields("v", 1.0)},
		{Name: "mem", Database: "db", RetentionPolicy: "rp", Time: secs(2), Tags: mkTags("host=a"), Fields: mkFields("v", 2.0)},
		{Name: "cpu", Database: "other", RetentionPolicy: "rp", Time: secs(3), Tags: mkTags("host=a"), Fields: mkFields("v", 3.0)},
		{Name: "cpu", Database: "db", RetentionPolicy: "autogen", Time: secs(4), Tags: mkTags("host=a"), Fields: mkFields("v", 4.0)},
		{Name: "cpu", Database: "db", RetentionPolicy: "rp", Time: secs(5.5), Tags: mkTags("host=b"), Fields: mkFields("v", 5.0)},
		{Name: "cpu", Database: "db", RetentionPolicy: "rp", Time: secs(6), Tags: mkTags("host=c"), Fields: mkFields("x", 6.0)},
	}
	tests := []struct {
		name string
		cfg  FromConfig
		want []string
	}{
		{"everything passes ungrouped", FromConfig{}, []string{
			`cpu "" 1.7s {dc=x,host=a} {v=1}`,
			`mem "" 2s {host=a} {v=2}`,
			`cpu "" 3s {host=a} {v=3}`,
			`cpu "" 4s {host=a} {v=4}`,
			`cpu "" 5.5s {host=b} {v=5}`,
			`cpu "" 6s {host=c} {x=6}`,
		}},
		{"database, retention policy and measurement filter", FromConfig{Database: "db", RetentionPolicy: "rp", Measurement: "cpu"}, []string{
			`cpu "" 1.7s {dc=x,host=a} {v=1}`,
			`cpu "" 5.5s {host=b} {v=5}`,
			`cpu "" 6s {host=c} {x=6}`,
		}},
		{"where drops false and failing points", FromConfig{Measurement: "cpu", Where: fieldGreater("v", 2)}, []string{
			`cpu "" 3s {host=a} {v=3}`,
			`cpu "" 4s {host=a} {v=4}`,
			`cpu "" 5.5s {host=b} {v=5}`,
		}},
		{"groupBy tags sets group and dimensions", FromConfig{Measurement: "cpu", Database: "db", GroupBy: []string{"host", "dc"}}, []string{
			`cpu "dc=x,host=a" 1.7s {dc=x,host=a} {v=1} dims=[dc host]`,
			`cpu "dc=,host=a" 4s {host=a} {v=4} dims=[dc host]`,
			`cpu "dc=,host=b" 5.5s {host=b} {v=5} dims=[dc host]`,
			`cpu "dc=,host=c" 6s {host=c} {x=6} dims=[dc host]`,
		}},
		{"groupBy star and measurement", FromConfig{Database: "db", RetentionPolicy: "rp", GroupByAll: true, GroupByMeasurement: true}, []string{
			"cpu \"cpu\\ndc=x,host=a\" 1.7s {dc=x,host=a} {v=1} dims=[dc host]+name",
			"mem \"mem\\nhost=a\" 2s {host=a} {v=2} dims=[host]+name",
			"cpu \"cpu\\nhost=b\" 5.5s {host=b} {v=5} dims=[host]+name",
			"cpu \"cpu\\nhost=c\" 6s {host=c} {x=6} dims=[host]+name",
		}},
		{"truncate then round", FromConfig{Database: "db", RetentionPolicy: "rp", Truncate: time.Second, Round: 2 * time.Second}, []string{
			`cpu "" 2s {dc=x,host=a} {v=1}`,
			`mem "" 2s {host=a} {v=2}`,
			`cpu "" 6s {host=b} {v=5}`,
			`cpu "" 6s {host=c} {x=6}`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := NewFrom(nil, NodeInfo{Name: "from1"}, tc.cfg)
			r := &sink{}
			n.AddChild(r)
			for _, p := range in {
				n.Point(p)
			}
			r.check(t, tc.want...)
		})
	}
}

func TestFromErrorsAndControl(t *testing.T) {
	n := NewFrom(nil, NodeInfo{Name: "from1"}, FromConfig{Where: fieldGreater("v", 0)})
	r := &sink{}
	n.AddChild(r)
	n.Point(mkPoint(1, nil, mkFields("x", 1.0)))
	n.Batch(mkBatch(1, nil))
	n.Barrier("host=a", secs(5))
	n.DeleteGroup("host=a")
	n.Done()
	r.check(t, `barrier "host=a" 5s`, `delete "host=a"`, "done")
	if n.Errors != 2 {
		t.Errorf("errors = %d, want 2", n.Errors)
	}
}

func TestTruncateTimeFollowsZeroTime(t *testing.T) {
	// 1971-01-01 is not a multiple of 7 days since Go's zero time
	// (0001-01-01, a Monday), so a week truncates to a Monday, not to a
	// multiple of 7 days since 1970.
	week := 7 * 24 * time.Hour
	ts := time.Date(1971, 1, 1, 12, 0, 0, 0, time.UTC).UnixNano()
	got := time.Unix(0, truncateTime(ts, week)).UTC()
	if want := time.Date(1970, 12, 28, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("truncateTime = %v, want %v", got, want)
	}
	if got := roundTime(secs(1.5), time.Second); got != secs(2) {
		t.Errorf("roundTime(1.5s, 1s) = %v, want 2s", time.Duration(got))
	}
	if got := truncateTime(secs(1.5), 0); got != secs(1.5) {
		t.Errorf("truncateTime with 0 changed the time to %v", time.Duration(got))
	}
}

// errEval is the error the failing test lambdas return.
var errEval = errors.New("evaluation failed")

func TestGroupIDCacheMatchesNewGroupID(t *testing.T) {
	var c groupIDCache
	ts := mkTags("host=a", "dc=x")
	for _, dims := range []Dimensions{
		{},
		{ByName: true},
		{TagNames: []string{"host"}},
		{TagNames: []string{"dc", "host"}, ByName: true},
		{TagNames: []string{"dc", "missing"}},
	} {
		for i := 0; i < 2; i++ { // the second round is served from the cache
			if got, want := c.get("cpu", ts, dims), NewGroupID("cpu", ts, dims); got != want {
				t.Errorf("dims %+v: got %q, want %q", dims, got, want)
			}
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { c.get("cpu", ts, Dimensions{TagNames: []string{"host"}}) }); allocs != 0 {
		t.Errorf("a cached group ID allocates %v times", allocs)
	}
}

// TestGroupIDCacheFixedMatchesNewGroupID holds the identity-keyed table of
// getFixed to NewGroupID: points whose values are the very same strings,
// equal copies of them, missing or empty, with and without the name in the
// grouping, over more groups than the table holds at first. One string is
// handed out per group, whichever way it was found.
func TestGroupIDCacheFixedMatchesNewGroupID(t *testing.T) {
	for _, names := range [][]string{{"host"}, {"dc", "host"}, {"dc", "host", "host"}} {
		c := newGroupIDCache(names)
		rng := rand.New(rand.NewPCG(1, uint64(len(names))))
		hosts := make([]string, 3000)
		for i := range hosts {
			hosts[i] = fmt.Sprintf("h%d", i)
		}
		dcs := []string{"x", "y", ""}
		measurements := []string{"cpu", "mem"}
		handed := map[GroupID]GroupID{}
		for i := range 40000 {
			n := 50 + i/10 // the number of hosts in use grows
			if n > len(hosts) {
				n = len(hosts)
			}
			host := hosts[rng.IntN(n)]
			if rng.IntN(8) == 0 {
				host = strings.Clone(host) // an equal value in another string
			}
			hostKey, dcKey := "host", "dc"
			if rng.IntN(8) == 0 { // keys in other strings
				hostKey, dcKey = strings.Clone(hostKey), strings.Clone(dcKey)
			}
			var tags Tags
			if rng.IntN(20) != 0 { // sometimes the tag is missing
				tags = tags.With(hostKey, host)
			}
			if dc := dcs[rng.IntN(len(dcs))]; dc != "" || rng.IntN(2) == 0 {
				tags = tags.With(dcKey, dc)
			}
			if rng.IntN(10) == 0 {
				tags = tags.With("zone", host) // a tag that is no dimension
			}
			name := measurements[rng.IntN(2)]
			byName := rng.IntN(3) == 0
			got := c.getFixed(name, tags, byName)
			want := NewGroupID(name, tags, Dimensions{ByName: byName, TagNames: names})
			if got != want {
				t.Fatalf("%v, point %d: got %q, want %q", names, i, got, want)
			}
			if first, ok := handed[want]; !ok {
				handed[want] = got
			} else if unsafe.StringData(string(first)) != unsafe.StringData(string(got)) {
				t.Fatalf("%v, point %d: group %q handed out in two strings", names, i, got)
			}
		}
	}
	var c groupIDCache // no names: only the measurement can group
	if got := c.getFixed("cpu", mkTags("host=a"), false); got != "" {
		t.Errorf("no dimensions: got %q", got)
	}
	if got, want := c.getFixed("cpu", mkTags("host=a"), true), NewGroupID("cpu", nil, Dimensions{ByName: true}); got != want {
		t.Errorf("by name: got %q, want %q", got, want)
	}
	c = newGroupIDCache([]string{"host"})
	ts := mkTags("host=a", "dc=x")
	if id := c.getFixed("cpu", ts, false); !slices.ContainsFunc(c.recent.entries, func(e recentID) bool { return e.id == id }) {
		t.Errorf("group %q is not in the table after its first point", id)
	}
	if allocs := testing.AllocsPerRun(100, func() { c.getFixed("cpu", ts, false) }); allocs != 0 {
		t.Errorf("a cached group ID allocates %v times", allocs)
	}
}

// TestFromGroupsLikeNewGroupID runs a grouping from over points with
// interned and copied tag values: each point's group is NewGroupID's.
func TestFromGroupsLikeNewGroupID(t *testing.T) {
	for _, cfg := range []FromConfig{
		{GroupBy: []string{"host"}},
		{GroupBy: []string{"host", "dc"}, GroupByMeasurement: true},
		{GroupByAll: true},
	} {
		n := NewFrom(nil, NodeInfo{Name: "from1"}, cfg)
		out := &sink{}
		n.AddChild(out)
		for i := range 500 {
			host := fmt.Sprintf("h%d", i%37)
			p := Point{Name: "cpu", Time: secs(float64(i)), Tags: mkTags("host="+host, "dc=x"), Fields: mkFields("value", 1.0)}
			n.Point(p)
		}
		for _, p := range out.pts {
			if want := NewGroupID(p.Name, p.Tags, p.Dimensions); p.Group != want {
				t.Fatalf("%+v: group %q, want %q", cfg, p.Group, want)
			}
		}
		if len(out.pts) != 500 {
			t.Errorf("%+v: %d points out, want 500", cfg, len(out.pts))
		}
	}
}

// TestSameAs checks the address-first comparison of from's selection: it
// is string equality whichever copy of a string comes.
func TestSameAs(t *testing.T) {
	c := newSameAs("cpu")
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"cpu", true},
		{strings.Clone("cpu"), true}, // remembered
		{strings.Clone("cpu"), true},
		{"mem", false},
		{strings.Clone("mem"), false},
		{"cp", false},
		{"", false},
		{"cpu", true},
	} {
		if got := c.is(tc.s); got != tc.want {
			t.Errorf("is(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
	empty := newSameAs("")
	if !empty.is("") || empty.is("x") {
		t.Error("the empty string compares wrongly")
	}
}
