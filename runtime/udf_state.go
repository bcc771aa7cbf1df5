package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/tickc/tickc/udf"
	"github.com/tickc/tickc/udf/agent"
)

// A UDF's state lives in its process: a checkpoint asks the UDF for a
// snapshot through the protocol, as Kapacitor does, and a restored node
// gives it back with a restore request. Besides the snapshot the node
// keeps what the UDF sent before answering the snapshot request but the
// task has not taken yet, and the output batch being received: the UDF
// has processed that data, so it is part of the state.

// udfSnapshots numbers a session's snapshot requests and their answers.
// The UDF answers requests in order, so the answer to a checkpoint's
// request is the one whose number is that request's, whatever periodic
// requests went before it.
type udfSnapshots struct {
	order sync.Mutex // held while a request is numbered and written
	sent  uint64     // requests written; under order

	// Under the session's mu.
	answered uint64
	want     uint64                 // the number of the request waited for
	waiter   chan udfSnapshotAnswer // nil when no request waits
}

// udfSnapshotAnswer is a snapshot and the data responses that came before
// it and wait to be delivered.
type udfSnapshotAnswer struct {
	snapshot []byte
	queued   []*agent.Response
}

// snapshotArrived records a snapshot the UDF sent and hands it to the
// checkpoint waiting for it. The reader calls it.
func (s *udfSession) snapshotArrived(snap []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snapshot = snap
	s.snaps.answered++
	if s.snaps.waiter != nil && s.snaps.answered == s.snaps.want {
		s.snaps.waiter <- udfSnapshotAnswer{snapshot: snap, queued: slices.Clone(s.queue)}
		s.snaps.waiter = nil
	}
}

var udfSnapshotRequest = &agent.Request{Message: &agent.Request_Snapshot{Snapshot: &agent.SnapshotRequest{}}}

// trySnapshot writes a periodic snapshot request unless the connection or
// a checkpoint's request is busy; it reports whether it was written.
func (s *udfSession) trySnapshot() (bool, error) {
	if !s.snaps.order.TryLock() {
		return false, nil
	}
	defer s.snaps.order.Unlock()
	sent, err := s.conn.TrySend(udfSnapshotRequest)
	if sent {
		s.snaps.sent++
	}
	return sent, err
}

// requestSnapshot asks the UDF for a snapshot after the data already
// sent and waits for the answer. As for every request, the watchdog kills
// a UDF that answers nothing, not even keepalives, for its timeout.
func (s *udfSession) requestSnapshot() (udfSnapshotAnswer, error) {
	answer := make(chan udfSnapshotAnswer, 1)
	s.snaps.order.Lock()
	s.snaps.sent++
	s.mu.Lock()
	s.snaps.want, s.snaps.waiter = s.snaps.sent, answer
	s.mu.Unlock()
	err := s.conn.Send(udfSnapshotRequest)
	s.snaps.order.Unlock()
	if err != nil {
		return udfSnapshotAnswer{}, s.writeFailed(err)
	}
	select {
	case a := <-answer:
		return a, nil
	case <-s.readDone:
	}
	select {
	case a := <-answer:
		return a, nil
	default:
	}
	if err := s.firstErr(); err != nil {
		return udfSnapshotAnswer{}, err
	}
	return udfSnapshotAnswer{}, errors.New("ended its output without answering the snapshot request")
}

// restore sends a restore request with snap and checks the answer.
func (s *udfSession) restore(snap []byte) error {
	resp, err := s.request(&agent.Request{Message: &agent.Request_Restore{Restore: &agent.RestoreRequest{Snapshot: snap}}})
	if err != nil {
		return err
	}
	r, ok := resp.Message.(*agent.Response_Restore)
	if !ok {
		return fmt.Errorf("answered the restore request with %s", udf.ResponseName(resp))
	}
	if !r.Restore.GetSuccess() {
		return fmt.Errorf("could not restore its snapshot: %s", r.Restore.GetError())
	}
	return nil
}

// SaveState asks the running UDF for a snapshot and appends it, with the
// data the UDF sent before it that the task has not taken yet and the
// output batch being received. A UDF that fails to answer fails as it
// would at any request (the node stops, or restarts when so configured);
// the checkpoint then keeps the last snapshot the node had.
func (n *UDF) SaveState(e *StateEncoder) {
	snap := n.snapshot
	var queued [][]byte
	if s := n.sess; s != nil {
		a, err := s.requestSnapshot()
		if err != nil {
			n.failed(s, fmt.Errorf("no snapshot for a checkpoint: %w", err))
			snap = n.snapshot
		} else {
			snap = a.snapshot
			for _, r := range a.queued {
				b, err := proto.MarshalOptions{Deterministic: true}.Marshal(r)
				if err != nil {
					n.Error(fmt.Errorf("UDF %s: a response left out of the checkpoint: %w", n.name(), err))
					continue
				}
				queued = append(queued, b)
			}
		}
	}
	e.Bool(snap != nil)
	if snap != nil {
		e.ByteSlice(snap)
	}
	e.Len(len(queued))
	for _, b := range queued {
		e.ByteSlice(b)
	}
	e.Bool(n.batch != nil)
	if n.batch != nil {
		e.Batch(*n.batch)
	}
}

// LoadState restores the UDF's snapshot into its running process with a
// restore request, and keeps it for a restart of the process; the data the
// UDF had sent is delivered at the node's next delivery. A UDF that fails
// to restore its snapshot stops the node and its task with the UDF's
// error.
func (n *UDF) LoadState(d *StateDecoder) error {
	var snap []byte
	if d.Bool() {
		snap = bytes.Clone(d.ByteSlice())
		if snap == nil {
			snap = []byte{}
		}
	}
	var queued []*agent.Response
	for c := d.Len(); c > 0 && d.Err() == nil; c-- {
		b := d.ByteSlice()
		if d.Err() != nil {
			break
		}
		r := &agent.Response{}
		if err := proto.Unmarshal(b, r); err != nil {
			d.Fail(fmt.Errorf("UDF state has a malformed response: %w", err))
			break
		}
		switch r.Message.(type) {
		case *agent.Response_Begin, *agent.Response_Point, *agent.Response_End:
		default:
			d.Fail(fmt.Errorf("UDF state has %s among its data", udf.ResponseName(r)))
		}
		queued = append(queued, r)
	}
	var batch *Batch
	if d.Bool() {
		b := d.Batch()
		batch = &b
		if d.Err() == nil && !n.cfg.ProvidesBatch {
			d.Fail(fmt.Errorf("UDF state has an output batch, but the UDF provides a stream edge"))
		}
	}
	if d.Err() != nil {
		return d.Err()
	}
	s := n.sess
	if s == nil {
		if n.err != nil {
			return n.err
		}
		return fmt.Errorf("%s: UDF %s is not running", n.Info.Name, n.name())
	}
	if snap != nil {
		if err := s.restore(snap); err != nil {
			s.close()
			n.sess = nil
			n.logFailure(err)
			n.err = fmt.Errorf("%s: UDF %s: %w", n.Info.Name, n.name(), err)
			if n.Task != nil {
				n.Task.Fail(n.err)
			}
			return n.err
		}
		n.snapshot = snap
	}
	n.batch = batch
	s.mu.Lock()
	s.queue = append(queued, s.queue...)
	s.mu.Unlock()
	return nil
}
