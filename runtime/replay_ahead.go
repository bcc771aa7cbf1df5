package runtime

import "fmt"

// readAhead decodes a stream recording's blocks on a goroutine of its own,
// one block ahead of the replay that delivers them: on a machine with more
// than one core, decoding the next block overlaps the tasks' work on the
// current one. Blocks come out in order, each with the error its decoding
// met, exactly as reading them in turn would give them, and the reader
// stops at the first error or at the end of the recording.
//
// Two block buffers go back and forth: the one being delivered and the one
// being decoded. The first block holds firstBlock points and each next one
// twice as many, up to recordBlock, so that a short recording costs little
// memory.
type readAhead struct {
	blocks chan aheadBlock // decoded blocks, in order
	free   chan []Point    // delivered blocks handed back for reuse
	quit   chan struct{}   // closed by stop
	done   chan struct{}   // closed when the goroutine has returned
}

// aheadBlock is one decoded block, or the error that ended the recording.
type aheadBlock struct {
	points []Point
	err    error
}

// startReadAhead starts decoding s's blocks. The reader owns s until stop
// returns.
func startReadAhead(s *streamReader) *readAhead {
	r := &readAhead{
		blocks: make(chan aheadBlock, 1),
		free:   make(chan []Point, 2),
		quit:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	go r.run(s)
	return r
}

func (r *readAhead) run(s *streamReader) {
	defer close(r.done)
	size, made := firstBlock, 0
	for {
		var buf []Point
		if made < 2 {
			made++ // the two buffers are made on demand
		} else {
			select {
			case buf = <-r.free:
			case <-r.quit:
				return
			}
		}
		if cap(buf) < size {
			buf = make([]Point, 0, size)
		}
		b := r.decode(s, buf)
		select {
		case r.blocks <- b:
		case <-r.quit:
			return
		}
		if b.err != nil || len(b.points) == 0 {
			return
		}
		size = min(2*size, recordBlock)
	}
}

// decode reads one block; a panic of the decoder becomes the block's error
// rather than ending the program from a goroutine nothing recovers.
func (r *readAhead) decode(s *streamReader, buf []Point) (b aheadBlock) {
	defer func() {
		if v := recover(); v != nil {
			b = aheadBlock{err: fmt.Errorf("%s: internal error while decoding: %v", s.name, v)}
		}
	}()
	pts, err := s.read(buf)
	return aheadBlock{points: pts, err: err}
}

// next hands back the delivered block prev (nil at first) and returns the
// next block; an empty block means the recording is over.
func (r *readAhead) next(prev []Point) ([]Point, error) {
	if cap(prev) > 0 {
		select {
		case r.free <- prev[:0]:
		default: // the reader is gone, or has its buffers
		}
	}
	select {
	case b := <-r.blocks:
		return b.points, b.err
	case <-r.done:
		// The reader returned after its last block, which was taken.
		select {
		case b := <-r.blocks:
			return b.points, b.err
		default:
			return nil, nil
		}
	}
}

// stop ends the reader and waits for it, after which its stream reader
// may be closed.
func (r *readAhead) stop() {
	close(r.quit)
	<-r.done
}
