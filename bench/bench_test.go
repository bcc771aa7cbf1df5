package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/tickc/tickc/bench/tasks/whereevalo0"
	"github.com/tickc/tickc/bench/tasks/whereevalopt"
	"github.com/tickc/tickc/bench/tasks/windowmeano0"
	"github.com/tickc/tickc/bench/tasks/windowmeanopt"
	tickrt "github.com/tickc/tickc/runtime"
)

const (
	hosts      = 1000          // distinct values of the host tag
	postLines  = 5000          // lines per HTTP write
	replayLen  = 100_000       // points per replay
	t0         = int64(1.7e18) // the time of the first point, Unix ns
	pointEvery = int64(time.Second)
)

// variant is one compiled form of a benchmark script.
type variant struct {
	name string
	spec func() tickrt.TaskSpec
}

var (
	whereEval  = []variant{{"O0", whereevalo0.Spec}, {"opt", whereevalopt.Spec}}
	windowMean = []variant{{"O0", windowmeano0.Spec}, {"opt", windowmeanopt.Spec}}
)

// appendLines appends the line protocol of points [from, from+n): point i
// is host i%hosts, one point per host per second from t0, with a value that
// varies by point.
func appendLines(buf []byte, from, n int) []byte {
	for i := from; i < from+n; i++ {
		buf = append(buf, "cpu,host=host"...)
		buf = strconv.AppendInt(buf, int64(i%hosts), 10)
		buf = append(buf, " value="...)
		buf = strconv.AppendFloat(buf, float64(i%997)+0.5, 'g', -1, 64)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, t0+int64(i/hosts)*pointEvery, 10)
		buf = append(buf, '\n')
	}
	return buf
}

// writeRecording writes a stream recording of the first n points.
func writeRecording(tb testing.TB, n int) string {
	tb.Helper()
	var buf, line []byte
	for i := range n {
		line = appendLines(line[:0], i, 1)
		buf = append(buf, "bench\nautogen\n"...)
		buf = append(buf, line...)
	}
	path := filepath.Join(tb.TempDir(), "points.srpl")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// replay runs a recording through a new program of spec.
func replay(spec tickrt.TaskSpec, path string, n int) (*tickrt.ReplayOutput, error) {
	p, err := tickrt.NewProgram([]tickrt.TaskSpec{spec}, nil, func() tickrt.Clock { return tickrt.NewReplayClock(t0) }, nil)
	if err != nil {
		return nil, err
	}
	return p.Replay(tickrt.ReplayOptions{
		Streams:   []string{path},
		ClockZero: t0,
		Duration:  int64(n/hosts+1) * pointEvery,
	})
}

// measure runs body b.N times and reports the throughput metrics for
// points points per iteration: ns/point and points/s over the timed part,
// allocs/point over all of the runs (the work a body does with the timer
// stopped must not allocate), and cpu-ns/point over the timed part. A body
// that prepares its input untimed does so between m.pause and m.resume, which
// also keep that work's CPU time out of cpu-ns/point.
func measure(b *testing.B, points int, body func(m *meter, i int)) {
	b.ReportAllocs()
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	m := &meter{b: b}
	m.cpu0 = cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body(m, i)
	}
	b.StopTimer()
	cpu := cpuTime() - m.cpu0 - m.paused
	goruntime.ReadMemStats(&after)
	total := float64(b.N) * float64(points)
	ns := float64(b.Elapsed().Nanoseconds())
	b.ReportMetric(ns/total, "ns/point")
	b.ReportMetric(total/(ns/1e9), "points/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/point")
	if m.cpu0 > 0 {
		// On a shared machine wall time includes waiting for a core; the
		// process's CPU time (all its threads: the garbage collector, the
		// HTTP server and client) does not.
		b.ReportMetric(float64(cpu)/total, "cpu-ns/point")
	}
}

// meter is what measure lends a body to keep untimed work out of the
// figures.
type meter struct {
	b            *testing.B
	cpu0, paused int64 // process CPU time at the start, and spent paused
	pausedAt     int64
}

// pause stops the timer and the CPU count.
func (m *meter) pause() {
	m.b.StopTimer()
	m.pausedAt = cpuTime()
}

// resume restarts them.
func (m *meter) resume() {
	m.paused += cpuTime() - m.pausedAt
	m.b.StartTimer()
}

// cpuTime returns the user and system CPU time of the process so far in
// nanoseconds, or 0 where it is not known.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// benchPipeline writes decoded points straight into the program: what is
// measured is the task's nodes, without decoding or transport.
func benchPipeline(b *testing.B, spec tickrt.TaskSpec) {
	p, err := tickrt.NewProgram([]tickrt.TaskSpec{spec}, nil, func() tickrt.Clock { return tickrt.NewReplayClock(t0) }, nil)
	if err != nil {
		b.Fatal(err)
	}
	pts, err := tickrt.ParseLines(appendLines(nil, 0, postLines), "bench", "autogen", 1, 0)
	if err != nil {
		b.Fatal(err)
	}
	// Each iteration moves the points on by the time they span, so that
	// windows keep closing as in a live stream.
	span := int64(postLines/hosts) * pointEvery
	measure(b, len(pts), func(*meter, int) {
		for j := range pts {
			pts[j].Time += span
		}
		if err := p.Write(pts); err != nil {
			b.Fatal(err)
		}
	})
}

// benchReplay replays a recording of replayLen points per iteration.
func benchReplay(b *testing.B, spec func() tickrt.TaskSpec) {
	path := writeRecording(b, replayLen)
	measure(b, replayLen, func(*meter, int) {
		if _, err := replay(spec(), path, replayLen); err != nil {
			b.Fatal(err)
		}
	})
}

// benchHTTP posts bodies of postLines lines to a serving program over
// loopback HTTP, one body per iteration.
func benchHTTP(b *testing.B, spec tickrt.TaskSpec) {
	p, err := tickrt.NewProgram([]tickrt.TaskSpec{spec}, nil, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Skipf("no loopback listener: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- tickrt.Serve(ctx, p, ln, nil, nil) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			b.Error(err)
		}
	}()
	url := "http://" + ln.Addr().String() + "/kapacitor/v1/write?db=bench&rp=autogen"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	var body []byte
	rd := bytes.NewReader(nil)
	measure(b, postLines, func(m *meter, i int) {
		m.pause()
		body = appendLines(body[:0], i*postLines, postLines)
		rd.Reset(body)
		m.resume()
		resp, err := client.Post(url, "text/plain", rd)
		if err != nil {
			b.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			b.Fatalf("write: %s: %s", resp.Status, msg)
		}
	})
}

func benchAll(b *testing.B, vs []variant) {
	for _, v := range vs {
		b.Run("pipeline/"+v.name, func(b *testing.B) { benchPipeline(b, v.spec()) })
	}
	for _, v := range vs {
		b.Run("replay/"+v.name, func(b *testing.B) { benchReplay(b, v.spec) })
	}
	for _, v := range vs {
		b.Run("http/"+v.name, func(b *testing.B) { benchHTTP(b, v.spec()) })
	}
}

// BenchmarkWhereEval is benchmark (a): where, eval, where on every point.
func BenchmarkWhereEval(b *testing.B) { benchAll(b, whereEval) }

// BenchmarkWindowMean is benchmark (b): the mean of each of 1,000 hosts
// over ten-second windows.
func BenchmarkWindowMean(b *testing.B) { benchAll(b, windowMean) }

// sinkSpec is a task whose only node below the stream passes points on to
// nothing: running it measures what getting points to a task's first node
// costs (decoding, routing, the hand-over to the task), without the nodes.
func sinkSpec() tickrt.TaskSpec {
	return tickrt.TaskSpec{
		Name:  "sink",
		Type:  tickrt.StreamTask,
		DBRPs: []tickrt.DBRP{{Database: "bench", RetentionPolicy: "autogen"}},
		Build: func(t *tickrt.Task) error {
			t.AddMeasurement("cpu")
			t.Stream().AddChild(tickrt.NewNoOpNode(t, tickrt.NodeInfo{Name: "noop1"}, tickrt.NoOpConfig{}))
			return nil
		},
	}
}

// BenchmarkIngest runs the three paths of the task benchmarks into a task
// without work (see sinkSpec): its figures are the share of (a) and (b)
// that is not the task's nodes.
func BenchmarkIngest(b *testing.B) {
	b.Run("pipeline", func(b *testing.B) { benchPipeline(b, sinkSpec()) })
	b.Run("replay", func(b *testing.B) { benchReplay(b, sinkSpec) })
	b.Run("http", func(b *testing.B) { benchHTTP(b, sinkSpec()) })
}

// BenchmarkDecode measures line-protocol decoding alone: a 5,000-line write
// body (lines) and a stream recording of 100,000 records read into points
// (recording).
func BenchmarkDecode(b *testing.B) {
	b.Run("lines", func(b *testing.B) {
		body := appendLines(nil, 0, postLines)
		measure(b, postLines, func(*meter, int) {
			if _, err := tickrt.ParseLines(body, "bench", "autogen", 1, 0); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("recording", func(b *testing.B) {
		data, err := os.ReadFile(writeRecording(b, replayLen))
		if err != nil {
			b.Fatal(err)
		}
		rd := bytes.NewReader(nil)
		measure(b, replayLen, func(*meter, int) {
			rd.Reset(data)
			if _, err := tickrt.ReadStreamRecording(rd, "points.srpl", 0); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// TestVariantsAgree replays the benchmark data through both compiled forms
// of each script: they must serve the same result, and the result must be
// the one the data implies.
func TestVariantsAgree(t *testing.T) {
	const n = 25 * hosts // 25 seconds of data: two full windows per host
	path := writeRecording(t, n)
	for _, vs := range [][]variant{whereEval, windowMean} {
		var bodies [][]byte
		for _, v := range vs {
			out, err := replay(v.spec(), path, n)
			if err != nil {
				t.Fatalf("%s: %v", v.name, err)
			}
			if len(out.Endpoints) != 1 {
				t.Fatalf("%s: %d endpoints, want 1", v.name, len(out.Endpoints))
			}
			bodies = append(bodies, out.Endpoints[0].Body)
		}
		if !bytes.Equal(bodies[0], bodies[1]) {
			t.Errorf("%s: -O0 serves\n%s\noptimized serves\n%s", vs[0].spec().Name, bodies[0], bodies[1])
		}
	}

	// The last point is n-1: host (n-1)%hosts, value (n-1)%997+0.5, scaled
	// to twice that plus one.
	out, err := replay(whereevalopt.Spec(), path, n)
	if err != nil {
		t.Fatal(err)
	}
	last := n - 1
	want := fmt.Sprintf(`"host":"host%d"`, last%hosts)
	scaled := strconv.FormatFloat((float64(last%997)+0.5)*2+1, 'g', -1, 64)
	if body := out.Endpoints[0].Body; !bytes.Contains(body, []byte(want)) || !bytes.Contains(body, []byte(scaled)) {
		t.Errorf("whereeval serves %s, want the last point's host %s and scaled value %s", body, want, scaled)
	}

	// The second window, [t0+10s, t0+20s), of host0 holds points
	// 10000, 11000, …, 19000.
	out, err = replay(windowmeanopt.Spec(), path, n)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for i := 10 * hosts; i < 20*hosts; i += hosts {
		sum += float64(i%997) + 0.5
	}
	mean := strconv.FormatFloat(sum/10, 'g', -1, 64)
	body := out.Endpoints[0].Body
	if !bytes.Contains(body, []byte(`"host":"host0"`)) || !bytes.Contains(body, []byte(mean)) {
		t.Errorf("windowmean serves %.300s…, want host0's mean %s", body, mean)
	}
}
