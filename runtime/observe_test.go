package runtime

import (
	"strings"
	"testing"
)

func TestServeHealthAndReady(t *testing.T) {
	st := startServe(t, NewConfig())
	if code, _, body := st.do("GET", "/healthz", nil); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, _, body := st.do("GET", "/readyz", nil); code != 200 || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	if code, _, _ := st.do("POST", "/healthz", nil); code != 404 {
		t.Errorf("POST /healthz: %d, want 404", code)
	}
	if code, _, _ := st.do("GET", "/kapacitor/v1/ping", nil); code != 204 {
		t.Errorf("ping: %d, want 204", code)
	}
}

func TestReadyzBeforeStart(t *testing.T) {
	spec := TaskSpec{Name: "t", Type: StreamTask, DBRPs: []DBRP{{"db", "rp"}}, Build: func(t *Task) error {
		t.AddMeasurement("")
		t.Stream().AddChild(NewHTTPOut(t, NodeInfo{Name: "http_out1"}, HTTPOutConfig{Endpoint: "out"}))
		return nil
	}}
	p, err := NewProgram([]TaskSpec{spec}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Ready() {
		t.Error("a program not started is ready")
	}
	p.Start()
	if !p.Ready() {
		t.Error("a started program is not ready")
	}
	p.Stop()
	if p.Ready() {
		t.Error("a stopped program is ready")
	}
}

func TestServeMetricsCountsNodes(t *testing.T) {
	st := startServe(t, NewConfig())
	if code, _, body := st.do("POST", "/write?db=dbname&rp=rpname", []byte("cpu v=1 1\ncpu v=2 2\nmem v=3 3\n")); code != 204 {
		t.Fatalf("write: %d %s", code, body)
	}
	code, hdr, body := st.do("GET", "/metrics", nil)
	if code != 200 {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{
		`tickc_node_points_in_total{node="http_out1",task="task1"} 3`,
		`tickc_node_points_out_total{node="http_out1",task="task1"} 3`,
		`tickc_node_errors_total{node="http_out1",task="task1"} 0`,
		`tickc_task_points_received_total{task="task1"} 3`,
		"tickc_ready 1",
		"# TYPE tickc_node_points_in_total counter",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}

func TestServeDebugPipeline(t *testing.T) {
	st := startServe(t, NewConfig())
	st.do("POST", "/write?db=dbname&rp=rpname", []byte("cpu v=1 1\ncpu v=2 2\n"))
	code, hdr, body := st.do("GET", "/debug/pipeline", nil)
	if code != 200 || hdr.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("/debug/pipeline: %d %s", code, hdr.Get("Content-Type"))
	}
	for _, want := range []string{"<svg ", `id="task1.http_out1"`, ">in 2  out 2<", "</svg>"} {
		if !strings.Contains(body, want) {
			t.Errorf("SVG lacks %q:\n%s", want, body)
		}
	}
}

func TestRenderPipelineSVGLayers(t *testing.T) {
	// stream -> from -> (window -> count, log); count and log are in layers 3 and 2.
	g := PipelineGraph{Name: "cpu", Nodes: []PipelineNode{
		{Name: "stream0", Children: []int{1}},
		{Name: "from1", Children: []int{2, 4}},
		{Name: "window2", Children: []int{3}},
		{Name: "count3"},
		{Name: "log4", Lines: []string{"a <line>"}},
	}}
	svg := string(RenderPipelineSVG([]PipelineGraph{g}))
	if strings.Count(svg, "<line ") != 4 {
		t.Errorf("want 4 edges:\n%s", svg)
	}
	if strings.Count(svg, "<rect ") != 5 {
		t.Errorf("want 5 boxes:\n%s", svg)
	}
	if !strings.Contains(svg, "a &lt;line&gt;") {
		t.Errorf("text not escaped:\n%s", svg)
	}
	// Layers go down: stream0 at the top, count3 (layer 3) below log4 (layer 2).
	yOf := func(name string) string {
		i := strings.Index(svg, `id="cpu.`+name+`"`)
		rest := svg[i:]
		j := strings.Index(rest, ` y="`)
		rest = rest[j+4:]
		return rest[:strings.IndexByte(rest, '"')]
	}
	ys := map[string]string{}
	for _, n := range []string{"stream0", "from1", "window2", "count3", "log4"} {
		ys[n] = yOf(n)
	}
	if ys["window2"] != ys["log4"] {
		t.Errorf("window2 and log4 are both in layer 2: y %s and %s", ys["window2"], ys["log4"])
	}
	if !(atoi(ys["stream0"]) < atoi(ys["from1"]) && atoi(ys["from1"]) < atoi(ys["window2"]) && atoi(ys["window2"]) < atoi(ys["count3"])) {
		t.Errorf("layers not ordered downwards: %v", ys)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
