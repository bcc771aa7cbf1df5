package runtime

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tickc/tickc/stdlib"
)

// TestWriteBuffersReused posts writes one after another through the
// handler of a serving program whose task keeps every point it gets: the
// pooled body and point buffers are reused from write to write, and the
// points kept from earlier writes are unchanged.
func TestWriteBuffersReused(t *testing.T) {
	var kept []Point
	spec := TaskSpec{
		Name:  "keep",
		Type:  StreamTask,
		DBRPs: []DBRP{{"db", "rp"}},
		Build: func(t *Task) error {
			t.AddMeasurement("")
			t.Stream().AddChild(&pointSpy{f: func(p Point) { kept = append(kept, p) }})
			return nil
		},
	}
	p, err := NewProgram([]TaskSpec{spec}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	h := NewHandler(p, nil, nil)
	const writes, lines = 20, 300
	for w := range writes {
		var body bytes.Buffer
		for i := range lines {
			fmt.Fprintf(&body, "m%d,w=%d,i=%d v=%d.25,s=\"x%d\" %d\n", i%3, w, i, w*lines+i, w, w*lines+i)
		}
		req := httptest.NewRequest(http.MethodPost, "/write?db=db&rp=rp", &body)
		if w%2 == 1 { // gzipped, through a pooled reader
			var zb bytes.Buffer
			zw := gzip.NewWriter(&zb)
			zw.Write(body.Bytes())
			zw.Close()
			req = httptest.NewRequest(http.MethodPost, "/write?db=db&rp=rp", &zb)
			req.Header.Set("Content-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("write %d: %d %s", w, rec.Code, rec.Body)
		}
	}
	if len(kept) != writes*lines {
		t.Fatalf("%d points kept, want %d", len(kept), writes*lines)
	}
	for n, pt := range kept {
		w, i := n/lines, n%lines
		want := Point{Name: fmt.Sprintf("m%d", i%3), Database: "db", RetentionPolicy: "rp", Time: int64(n),
			Tags:   Tags{{"i", fmt.Sprint(i)}, {"w", fmt.Sprint(w)}},
			Fields: Fields{{"s", stdlib.String(fmt.Sprintf("x%d", w))}, {"v", stdlib.Float(float64(n) + 0.25)}}}
		if !samePoint(pt, want) {
			t.Fatalf("point %d is %+v, want %+v", n, pt, want)
		}
	}
}

// TestReadBody reads bodies whose declared length is right, too short, too
// long or unknown, through readers that return a few bytes at a time, into
// buffers that are too small or large enough.
func TestReadBody(t *testing.T) {
	body := strings.Repeat("cpu value=1 1\n", 1000)
	for _, declared := range []int64{-1, 0, 10, int64(len(body)), int64(len(body)) + 100} {
		for _, buf := range [][]byte{nil, make([]byte, 3, 16), make([]byte, 0, 2*len(body))} {
			got, err := readBody(iotest.HalfReader(strings.NewReader(body)), declared, -1, buf)
			if err != nil || string(got) != body {
				t.Errorf("declared %d, buffer of %d: %d bytes, %v", declared, cap(buf), len(got), err)
			}
		}
	}
	_, err := readBody(iotest.ErrReader(io.ErrUnexpectedEOF), 10, -1, nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read error: %v", err)
	}
}
