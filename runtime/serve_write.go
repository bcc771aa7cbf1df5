package runtime

import (
	"compress/gzip"
	"io"
	"sync"
)

// writeBuffers are the buffers of one write request, pooled so that a
// steady stream of writes reuses them: the body's bytes and the decoded
// points. Neither outlives the request: decoded points hold no bytes of the
// body (their strings are copies), and Program.Write hands the tasks the
// points by value and returns once they have been processed, so no task
// keeps the slice (the Tags and Fields the points share are left alone:
// they are cut from blocks that are never reused).
type writeBuffers struct {
	body   []byte
	points []Point
}

// Buffers larger than these are left to the garbage collector instead of
// being pooled, so that one huge write does not stay in memory.
const (
	maxPooledBody   = 4 << 20
	maxPooledPoints = 32 << 10
)

var writeBufferPool = sync.Pool{New: func() any { return new(writeBuffers) }}

func getWriteBuffers() *writeBuffers { return writeBufferPool.Get().(*writeBuffers) }

// release returns the buffers to the pool. The points are cleared first,
// so that the pool does not keep their tags and fields alive.
func (wb *writeBuffers) release() {
	if cap(wb.body) > maxPooledBody {
		wb.body = nil
	}
	clear(wb.points)
	wb.points = wb.points[:0]
	if cap(wb.points) > maxPooledPoints {
		wb.points = nil
	}
	writeBufferPool.Put(wb)
}

// parse is ParseLines into the pooled point slice.
func (wb *writeBuffers) parse(body []byte, db, rp string, precision, now int64) ([]Point, error) {
	points, err := parseLinesInto(wb.points[:0], body, db, rp, precision, now)
	wb.points = points
	return points, err
}

// readBody reads a request body into buf (its length is ignored), which
// it grows at once to the declared length when that is known and within
// max (if max >= 0), so that a large write is not copied again and again
// as the buffer grows.
func readBody(r io.Reader, declared, max int64, buf []byte) ([]byte, error) {
	buf = buf[:0]
	if declared > 0 && (max < 0 || declared <= max) && declared <= 1<<30 && int64(cap(buf)) <= declared {
		// One byte more than declared, so that the read that finds the
		// end of the body does not grow the buffer.
		buf = make([]byte, 0, declared+1)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

var gzipReaders sync.Pool // of *gzip.Reader

// getGzipReader returns a gzip reader of r, a pooled one when there is one.
func getGzipReader(r io.Reader) (*gzip.Reader, error) {
	if zr, ok := gzipReaders.Get().(*gzip.Reader); ok {
		if err := zr.Reset(r); err != nil {
			return nil, err
		}
		return zr, nil
	}
	return gzip.NewReader(r)
}

// putGzipReader closes zr and returns it to the pool.
func putGzipReader(zr *gzip.Reader) {
	_ = zr.Close()
	gzipReaders.Put(zr)
}
