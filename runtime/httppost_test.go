package runtime

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestHTTPPostPoint(t *testing.T) {
	rec := newPostRecorder(t)
	n := NewHTTPPost(nil, NodeInfo{Name: "httpPost1"}, HTTPPostConfig{
		URL: rec.srv.URL + "/{{ .Name }}/{{ index .Tags \"host\" }}", Headers: map[string]string{"X-Key": "k"}, CodeField: "code",
	})
	if n.Err() != nil {
		t.Fatal(n.Err())
	}
	out := &sink{}
	n.AddChild(out)
	n.Point(mkPoint(1, mkTags("host=a"), mkFields("v", 1.5, "s", "x")))
	got := rec.got()
	want := `{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","s","v"],"values":[["1970-01-01T00:00:01Z","x",1.5]]}]}` + "\n"
	if len(got) != 1 || string(got[0]) != want {
		t.Fatalf("bodies %q\nwant %q", got, want)
	}
	if rec.paths[0] != "/cpu/a" || rec.headers[0].Get("Content-Type") != "application/json" || rec.headers[0].Get("X-Key") != "k" {
		t.Errorf("path %q headers %v", rec.paths[0], rec.headers[0])
	}
	out.check(t, `cpu "" 1s {host=a} {code=200i,s="x",v=1.5}`)
}

func TestHTTPPostBatch(t *testing.T) {
	rec := newPostRecorder(t)
	rec.status = func(int) int { return http.StatusInternalServerError }
	n := NewHTTPPost(nil, NodeInfo{}, HTTPPostConfig{URL: rec.srv.URL, CodeField: "code", CaptureResponse: true})
	out := &sink{}
	n.AddChild(out)
	n.Batch(mkBatch(10, mkTags("host=a"), mkBP(1, mkTags("host=a", "x=1"), mkFields("v", 1.0)), mkBP(2, mkTags("host=a"), mkFields("v", 2.0))))
	want := `{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","v","x"],"values":[["1970-01-01T00:00:01Z",1,"1"],["1970-01-01T00:00:02Z",2,null]]}]}` + "\n"
	if got := rec.got(); len(got) != 1 || string(got[0]) != want {
		t.Fatalf("bodies %q\nwant %q", got, want)
	}
	out.check(t, `batch cpu "host=a" 10s {host=a} [1s {host=a,x=1} {code=500i,v=1}; 2s {host=a} {code=500i,v=2}]`)
	if n.Errors != 1 {
		t.Errorf("errors = %d", n.Errors)
	}
}

// TestHTTPPostUnreachable: a failed request gives code 0, an error, and the
// data still goes on; a silent server is given up after the timeout.
func TestHTTPPostUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	n := NewHTTPPost(nil, NodeInfo{}, HTTPPostConfig{URL: "http://" + addr, CodeField: "code"})
	out := &sink{}
	n.AddChild(out)
	n.Point(mkPoint(1, nil, mkFields("v", 1.0)))
	out.check(t, `cpu "" 1s {} {code=0i,v=1}`)
	if n.Errors != 1 {
		t.Errorf("errors = %d", n.Errors)
	}

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	n = NewHTTPPost(nil, NodeInfo{}, HTTPPostConfig{URL: "http://" + silent.Addr().String(), Timeout: 100 * time.Millisecond})
	start := time.Now()
	n.Point(mkPoint(1, nil, mkFields("v", 1.0)))
	if d := time.Since(start); d > 2*time.Second || n.Errors != 1 {
		t.Errorf("took %v, %d errors", d, n.Errors)
	}
}

func TestHTTPPostConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		url, want string
	}{{"", "must provide url"}, {"http://x/{{ .Name ", "error in url templating"}} {
		n := NewHTTPPost(nil, NodeInfo{}, HTTPPostConfig{URL: tc.url, CodeField: "code"})
		if n.Err() == nil || !strings.Contains(n.Err().Error(), tc.want) {
			t.Errorf("%q: err = %v", tc.url, n.Err())
		}
		out := &sink{}
		n.AddChild(out)
		n.Point(mkPoint(1, nil, mkFields("v", 1.0)))
		out.check(t, `cpu "" 1s {} {code=0i,v=1}`)
	}
}
