package runtime

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
)

// A replay reads a stream recording in blocks of decoded records rather than
// whole, so that its memory does not grow with the recording: the file is
// read through a buffer, and each block of points is delivered before it
// is decoded into again (see readAhead).
const (
	// recordBlock is the number of records decoded at a time. The two
	// blocks a replay holds (see readAhead) are live data the garbage
	// collector scans in every cycle, so they are kept small: 512 points
	// (76 KB) replay faster than 4,096.
	recordBlock = 512
	// readChunk is the initial size of the reading buffer; it grows for a
	// line that does not fit.
	readChunk = 256 << 10
)

// streamReader reads the records of a stream recording (.srpl): a
// database line, a retention policy line and a line-protocol line each.
type streamReader struct {
	name    string
	r       io.Reader
	readErr func(error) error // words an I/O error
	now     int64             // the time of a point without timestamp
	lp      *lineParser

	buf        []byte
	start, end int // the unread bytes are buf[start:end]
	scanned    int // buf[start:scanned] holds no newline
	eof        bool
	lineNo     int    // lines read so far
	lineStart  int    // where the latest line starts in buf; it ends at start
	db, rp     string // the latest database and retention policy, interned
	// head is the latest record's database and retention policy lines as
	// read, line endings included, or empty when they were not two whole
	// lines with a database: a record that starts with the same bytes has
	// the same database and retention policy.
	head []byte
}

func newStreamReader(r io.Reader, name string, now int64, readErr func(error) error) *streamReader {
	return &streamReader{name: name, r: r, readErr: readErr, now: now, lp: getLineParser()}
}

// close returns the reader's parser to the pool.
func (s *streamReader) close() {
	if s.lp != nil {
		putLineParser(s.lp)
		s.lp = nil
	}
}

// line returns the next line without its line ending; the bytes are valid
// until the next call. ok is false at the end of the input.
func (s *streamReader) line() (line []byte, ok bool, err error) {
	for {
		if i := bytes.IndexByte(s.buf[s.scanned:s.end], '\n'); i >= 0 {
			s.lineStart = s.start
			line = s.buf[s.start : s.scanned+i]
			s.start = s.scanned + i + 1
			s.scanned = s.start
			s.lineNo++
			return trimCR(line), true, nil
		}
		s.scanned = s.end
		if s.eof {
			if s.start == s.end {
				return nil, false, nil
			}
			s.lineStart = s.start
			line = s.buf[s.start:s.end]
			s.start, s.scanned = s.end, s.end
			s.lineNo++
			return trimCR(line), true, nil
		}
		if err := s.fill(); err != nil {
			return nil, false, err
		}
	}
}

// trimCR returns line without a final carriage return.
func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// fill reads more input after the unread bytes, moving them to the front
// of the buffer and growing it when they fill it.
func (s *streamReader) fill() error {
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.scanned -= s.start
		s.start, s.end = 0, n
	}
	if s.end == len(s.buf) {
		s.buf = append(s.buf, make([]byte, max(readChunk, len(s.buf)))...)
		s.buf = s.buf[:cap(s.buf)]
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if errors.Is(err, io.EOF) {
		s.eof = true
		return nil
	}
	if err != nil {
		return s.readErr(err)
	}
	return nil
}

// read decodes up to cap(points) records into points[:0]. An empty result
// means the recording is over.
func (s *streamReader) read(points []Point) ([]Point, error) {
	points = points[:0]
	for len(points) < cap(points) {
		emptyDB, ok, err := s.header()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		line, ok, err := s.line()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s:%d: invalid replay file format, expected another line", s.name, s.lineNo)
		}
		if emptyDB {
			return nil, fmt.Errorf("%s:%d: invalid replay file format, empty database line", s.name, s.lineNo-2)
		}
		if n := len(points); s.lp.decodeFast(&points[:n+1][n], line, s.db, s.rp, 1, s.now) {
			points = points[:n+1]
			continue
		}
		p, reason := s.lp.parse(line, 1, s.now)
		if reason != "" {
			return nil, fmt.Errorf("%s:%d: %w", s.name, s.lineNo, &LineError{Line: 1, Text: string(bytes.TrimRight(line, "\r")), Reason: reason})
		}
		p.Database = s.db
		p.RetentionPolicy = s.rp
		points = append(points, p)
	}
	return points, nil
}

// header reads a record's database and retention policy lines into s.db
// and s.rp; ok is false at the end of the input, and emptyDB reports an
// empty database line. When the record starts with the very bytes of the
// previous one's two lines, they are passed over in one comparison.
func (s *streamReader) header() (emptyDB, ok bool, err error) {
	if h := s.head; len(h) > 0 && s.end-s.start >= len(h) && bytes.Equal(s.buf[s.start:s.start+len(h)], h) {
		s.start += len(h)
		s.scanned = s.start
		s.lineNo += 2
		return false, true, nil
	}
	db, ok, err := s.line()
	if err != nil || !ok {
		return false, false, err
	}
	emptyDB = len(db) == 0
	if string(db) != s.db {
		s.db = s.lp.intern(db)
	}
	s.head = append(s.head[:0], s.buf[s.lineStart:s.start]...)
	rp, ok, err := s.line()
	if err != nil {
		return false, false, err
	}
	if !ok {
		return false, false, fmt.Errorf("%s:%d: invalid replay file format, expected another line", s.name, s.lineNo)
	}
	if string(rp) != s.rp {
		s.rp = s.lp.intern(rp)
	}
	s.head = append(s.head, s.buf[s.lineStart:s.start]...)
	if emptyDB || s.head[len(s.head)-1] != '\n' {
		s.head = s.head[:0]
	}
	return emptyDB, true, nil
}

// openStreamRecording opens a stream recording file, gzipped or not (as
// Kapacitor stores them), for reading record by record. Its errors read as
// those of reading the whole file.
func openStreamRecording(name string, now int64) (*streamReader, io.Closer, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(f)
	var r io.Reader = br
	readErr := func(err error) error { return err } // *os.PathError names the file
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		r = zr
		readErr = func(err error) error {
			var pe *os.PathError
			if errors.As(err, &pe) {
				return err
			}
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return newStreamReader(r, name, now, readErr), f, nil
}

// checkStreamRecording reads a stream recording to its end and returns its
// first error.
func checkStreamRecording(name string, now int64) error {
	s, c, err := openStreamRecording(name, now)
	if err != nil {
		return err
	}
	defer c.Close()
	defer s.close()
	return s.readToEnd()
}

// readToEnd reads the rest of the recording, block by block, and returns
// its first error.
func (s *streamReader) readToEnd() error {
	block := make([]Point, 0, recordBlock)
	for {
		pts, err := s.read(block)
		if err != nil || len(pts) == 0 {
			return err
		}
	}
}
