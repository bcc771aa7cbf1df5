package runtime

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// recordingOf writes n stream records, point i at time i with value i; the
// record at bad (if in range) is malformed.
func recordingOf(n, bad int) []byte {
	var b bytes.Buffer
	for i := range n {
		if i == bad {
			b.WriteString("db\nrp\ncpu value= 1\n")
			continue
		}
		fmt.Fprintf(&b, "db\nrp\ncpu,host=h%d value=%d %d\n", i%7, i, i)
	}
	return b.Bytes()
}

// readAll reads a recording block by block through a readAhead, as a
// replay does, and returns the points' values in order and the error.
func readAll(t *testing.T, rec []byte) ([]int64, error) {
	t.Helper()
	s := newStreamReader(bytes.NewReader(rec), "r.srpl", 0, func(err error) error { return err })
	defer s.close()
	r := startReadAhead(s)
	defer r.stop()
	var got []int64
	var block []Point
	for {
		pts, err := r.next(block)
		if err != nil {
			return got, err
		}
		if len(pts) == 0 {
			return got, nil
		}
		for _, p := range pts {
			got = append(got, int64(p.Fields.Get("value").Float()))
		}
		block = pts
	}
}

func TestReadAheadDeliversEveryBlockInOrder(t *testing.T) {
	n := 3*recordBlock + 17 // blocks of 64, 128, … recordBlock, and a short last one
	got, err := readAll(t, recordingOf(n, -1))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d points, want %d", len(got), n)
	}
	for i, v := range got {
		if v != int64(i) {
			t.Fatalf("point %d has value %d", i, v)
		}
	}
}

func TestReadAheadStopsAtTheFirstError(t *testing.T) {
	const n, bad = 2 * recordBlock, recordBlock + 5
	got, err := readAll(t, recordingOf(n, bad))
	if err == nil || !strings.Contains(err.Error(), "r.srpl:") {
		t.Fatalf("error %v, want the bad record's", err)
	}
	// The bad record's whole block is refused; the blocks before it, of
	// 64, 128, … records, came through.
	want := 0
	for size := firstBlock; want+size <= bad; size = min(2*size, recordBlock) {
		want += size
	}
	if len(got) != want {
		t.Errorf("%d points before the error, want %d", len(got), want)
	}
	// The same recording read in turn, without reading ahead, ends with the
	// same error.
	if err2 := checkStreamRecordingFrom(recordingOf(n, bad)); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("reading in turn: %v, reading ahead: %v", err2, err)
	}
}

// checkStreamRecordingFrom reads a recording's blocks in turn and returns
// the first error.
func checkStreamRecordingFrom(rec []byte) error {
	s := newStreamReader(bytes.NewReader(rec), "r.srpl", 0, func(err error) error { return err })
	defer s.close()
	return s.readToEnd()
}

func TestReadAheadStopsEarly(t *testing.T) {
	s := newStreamReader(bytes.NewReader(recordingOf(10*recordBlock, -1)), "r.srpl", 0, func(err error) error { return err })
	defer s.close()
	r := startReadAhead(s)
	if _, err := r.next(nil); err != nil {
		t.Fatal(err)
	}
	r.stop() // returns only once the goroutine has
	select {
	case <-r.done:
	default:
		t.Fatal("the reader is still running after stop")
	}
}
