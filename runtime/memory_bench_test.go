package runtime

import (
	"bufio"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// memSink is a receiver that drops everything.
type memSink struct{}

func (memSink) Point(Point)            {}
func (memSink) Batch(Batch)            {}
func (memSink) Barrier(GroupID, int64) {}
func (memSink) DeleteGroup(GroupID)    {}
func (memSink) Done()                  {}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	goruntime.GC()
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.HeapAlloc
}

// rssBytes returns the resident set size of the process (Linux), or 0.
func rssBytes() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkWindowMemory reports what a window node's state costs: bytes per
// group (its first buffered point included) for 100,000 groups, bytes per
// further buffered float point, and the process's RSS with the 100,000
// groups held. Run it with -benchtime=1x; targets: ≤ 256 B/group and ≤ 24
// B per buffered point.
func BenchmarkWindowMemory(b *testing.B) {
	var perGroup, perPoint, rss float64
	for b.Loop() {
		perGroup, perPoint, rss = windowMemory(100_000, 1_000_000)
	}
	b.ReportMetric(perGroup, "B/group")
	b.ReportMetric(perPoint, "B/point")
	b.ReportMetric(rss/(1<<20), "RSS-MiB")
}

// TestWindowMemoryBounds holds a window to its memory targets, with fewer
// groups than the benchmark so that it runs in every test run: at most 256
// bytes per group and 24 per further buffered float point (the live heap
// after a collection, not a timing).
func TestWindowMemoryBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap with 50,000 groups")
	}
	perGroup, perPoint, _ := windowMemory(50_000, 500_000)
	t.Logf("%.1f B/group, %.1f B/buffered point", perGroup, perPoint)
	if perGroup > 256 {
		t.Errorf("a window keeps %.1f bytes per group, want at most 256", perGroup)
	}
	if perPoint > 24 {
		t.Errorf("a window keeps %.1f bytes per buffered float point, want at most 24", perPoint)
	}
}

// windowMemory feeds a one-hour window one point for each of groups
// groups, then extra further points spread over 10 of them, and returns the
// live heap per group and per further point, and the process's RSS with
// the groups held.
func windowMemory(groups, extra int) (perGroup, perPoint, rss float64) {
	dims := Dimensions{TagNames: []string{"host"}}
	tags := make([]Tags, groups)
	ids := make([]GroupID, groups)
	for i := range tags {
		tags[i] = Tags{}.With("host", "h"+strconv.Itoa(i))
		ids[i] = NewGroupID("cpu", tags[i], dims)
	}
	fields := Fields{}.With("value", stdlib.Float(1))
	task, err := NewTask(TaskSpec{Name: "mem", Type: StreamTask, Build: func(*Task) error { return nil }}, nil, NewReplayClock(0), nil)
	if err != nil {
		panic(err)
	}
	w := NewWindow(task, NodeInfo{Name: "window1"}, WindowConfig{Period: time.Hour, Every: time.Hour})
	w.AddChild(memSink{})
	before := heapInUse()
	for i := range groups {
		w.Point(Point{Name: "cpu", Database: "db", RetentionPolicy: "rp", Time: int64(i + 1), Group: ids[i], Dimensions: dims, Tags: tags[i], Fields: fields})
	}
	afterGroups := heapInUse()
	rss = float64(rssBytes())
	for i := range extra {
		g := i % 10
		w.Point(Point{Name: "cpu", Database: "db", RetentionPolicy: "rp", Time: int64(groups + i + 1), Group: ids[g], Dimensions: dims, Tags: tags[g], Fields: fields})
	}
	afterPoints := heapInUse()
	goruntime.KeepAlive(w)
	return float64(afterGroups-before) / float64(groups), float64(afterPoints-afterGroups) / float64(extra), rss
}

// BenchmarkTaskMemory reports what the groups of a whole task cost: the
// state of from() |window() |mean() |httpOut() per group for 100,000
// groups, each of which has emitted one window (so that every node holds
// the group), and the process's RSS then. Run it with -benchtime=1x.
func BenchmarkTaskMemory(b *testing.B) {
	const groups = 100_000
	tags := make([]Tags, groups)
	for i := range tags {
		tags[i] = Tags{}.With("host", "h"+strconv.Itoa(i))
	}
	fields := Fields{}.With("value", stdlib.Float(1))
	var perGroup, rss float64
	for b.Loop() {
		task, err := NewTask(TaskSpec{Name: "mem", Type: StreamTask, Build: func(*Task) error { return nil }}, nil, NewReplayClock(0), nil)
		if err != nil {
			b.Fatal(err)
		}
		from := NewFrom(task, NodeInfo{Name: "from1"}, FromConfig{Measurement: "cpu", GroupBy: []string{"host"}})
		w := NewWindow(task, NodeInfo{Name: "window2"}, WindowConfig{Period: 10 * time.Second, Every: 10 * time.Second})
		mean := NewInfluxQL(task, NodeInfo{Name: "mean3"}, InfluxQLConfig{Func: InfluxQLMean, Field: "value", BatchInput: true})
		out := NewHTTPOut(task, NodeInfo{Name: "http_out4"}, HTTPOutConfig{Endpoint: "out"})
		from.AddChild(w)
		w.AddChild(mean)
		mean.AddChild(out)
		before := heapInUse()
		// A point per group at 0s, then one at 10s, which closes the
		// group's first window and stays buffered.
		for _, sec := range []int64{0, 10} {
			for i := range groups {
				from.Point(Point{Name: "cpu", Database: "db", RetentionPolicy: "rp", Time: sec * int64(time.Second), Tags: tags[i], Fields: fields})
			}
		}
		after := heapInUse()
		rss = float64(rssBytes())
		if got := len(out.Result().Series); got != groups {
			b.Fatalf("httpOut holds %d groups, want %d", got, groups)
		}
		perGroup = float64(after-before) / groups
		goruntime.KeepAlive(from)
	}
	b.ReportMetric(perGroup, "B/group")
	b.ReportMetric(rss/(1<<20), "RSS-MiB")
}
