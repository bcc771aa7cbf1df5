package agent

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

func TestFrames(t *testing.T) {
	var b bytes.Buffer
	msgs := []*Request{
		{Message: &Request_Info{Info: &InfoRequest{}}},
		{Message: &Request_Keepalive{Keepalive: &KeepaliveRequest{Time: 42}}},
		{Message: &Request_Point{Point: &Point{Name: strings.Repeat("m", 300), FieldsBool: map[string]bool{"ok": true}, ByName: true}}},
	}
	var buf []byte
	var err error
	for _, m := range msgs {
		if buf, err = WriteMessage(&b, m, buf); err != nil {
			t.Fatal(err)
		}
	}
	// An empty InfoRequest inside a Request is two bytes (field 1, length
	// 0) behind a one-byte length.
	if got := b.Bytes()[:3]; !bytes.Equal(got, []byte{2, 0x0a, 0}) {
		t.Errorf("first frame % x, want 02 0a 00", got)
	}
	r := bufio.NewReader(&b)
	for i, want := range msgs {
		got := &Request{}
		if buf, err = ReadMessage(r, got, buf); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("message %d: got %v, want %v", i, got, want)
		}
	}
	if _, err := ReadMessage(r, &Request{}, buf); err != io.EOF {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
}

func TestFrameErrors(t *testing.T) {
	cases := []struct {
		in   []byte
		want error
		text string
	}{
		{[]byte{5, 1, 2}, io.ErrUnexpectedEOF, ""},
		{[]byte{0x80}, io.ErrUnexpectedEOF, ""},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, ErrTooLarge, ""},
		{[]byte{2, 0xff, 0xff}, nil, "decoding a 2-byte message"},
	}
	for _, c := range cases {
		_, err := ReadMessage(bufio.NewReader(bytes.NewReader(c.in)), &Response{}, nil)
		switch {
		case err == nil:
			t.Errorf("% x: no error", c.in)
		case c.want != nil && !errors.Is(err, c.want):
			t.Errorf("% x: %v, want %v", c.in, err, c.want)
		case c.text != "" && !strings.Contains(err.Error(), c.text):
			t.Errorf("% x: %v, want %q", c.in, err, c.text)
		}
	}
}

// echo is a handler that sends every point back and fails on a point named
// "fail".
type echo struct{ a *Agent }

func (h *echo) Info() (*InfoResponse, error) { return &InfoResponse{Provides: EdgeType_BATCH}, nil }
func (h *echo) Init(*InitRequest) (*InitResponse, error) {
	return &InitResponse{Success: true}, nil
}
func (h *echo) Snapshot() (*SnapshotResponse, error) {
	return &SnapshotResponse{Snapshot: []byte("s")}, nil
}
func (h *echo) Restore(*RestoreRequest) (*RestoreResponse, error) {
	return &RestoreResponse{Success: true}, nil
}
func (h *echo) BeginBatch(*BeginBatch) error { return nil }
func (h *echo) EndBatch(*EndBatch) error     { return nil }
func (h *echo) Stop()                        {}
func (h *echo) Point(p *Point) error {
	if p.Name == "fail" {
		return errors.New("refused")
	}
	h.a.Responses <- &Response{Message: &Response_Point{Point: p}}
	return nil
}

func TestAgent(t *testing.T) {
	var in, out bytes.Buffer
	for _, m := range []*Request{
		{Message: &Request_Info{Info: &InfoRequest{}}},
		{Message: &Request_Keepalive{Keepalive: &KeepaliveRequest{Time: 7}}},
		{Message: &Request_Point{Point: &Point{Name: "ok"}}},
		{Message: &Request_Snapshot{Snapshot: &SnapshotRequest{}}},
		{Message: &Request_Point{Point: &Point{Name: "fail"}}},
		{Message: &Request_Point{Point: &Point{Name: "never read"}}},
	} {
		if _, err := WriteMessage(&in, m, nil); err != nil {
			t.Fatal(err)
		}
	}
	a := New(&in, &out)
	a.Handler = &echo{a: a}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.Wait(); err == nil || err.Error() != "refused" {
		t.Errorf("Wait: %v, want the handler's error", err)
	}
	var got []string
	r := bufio.NewReader(&out)
	for {
		resp := &Response{}
		if _, err := ReadMessage(r, resp, nil); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		got = append(got, prototextString(resp))
	}
	want := []string{"info:{provides:BATCH}", "keepalive:{time:7}", "point:{name:\"ok\"}", "snapshot:{snapshot:\"s\"}", "error:{error:\"refused\"}"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("responses:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
