package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// A checkpoint is the state of every task of a program at one moment,
// written to one file so that a restarted program continues where the
// previous one stopped. The file is:
//
//	magic     "tickc checkpoint\n"
//	format    CheckpointFormat, as a uvarint
//	body      written with a StateEncoder:
//	            the time it was taken (Int, Unix nanoseconds)
//	            the number of tasks, then for each task:
//	              name, fingerprint (String)
//	              its clock: whether it is a replay clock (Bool), its time (Int)
//	              the number of stateful nodes, then for each node:
//	                name (String), what its SaveState wrote (ByteSlice)
//	checksum  CRC-32 (Castagnoli) of everything before it, 4 bytes little endian
//
// A program restores a checkpoint only whole: the file must have the
// program's format, exactly the program's tasks with their fingerprints,
// and for each task exactly the nodes that implement Stateful, each of
// whose LoadState reads its bytes to the end without error.

// CheckpointFormat is the version of the checkpoint file layout and of the
// state encodings of the runtime's nodes. It changes whenever either does,
// so that a program never reads the checkpoint of an older runtime.
const CheckpointFormat = 1

// CheckpointFileName is the name of the checkpoint file in the data
// directory. A data directory holds the checkpoint of one program.
const CheckpointFileName = "tickc.checkpoint"

// checkpointMagic starts every checkpoint file.
const checkpointMagic = "tickc checkpoint\n"

// Restorer is a node with work to do once its task's checkpoint is
// restored, before any data or timer reaches it: a node whose state
// includes a pending timer re-arms it there, since LoadState only reads
// state. Restored runs after every node of every task has loaded.
type Restorer interface {
	Restored()
}

// CheckpointError is why a checkpoint file could not be restored. Its
// message names the file and the reason, and how to start anyway.
type CheckpointError struct {
	File string // the checkpoint file
	Err  error  // the reason
}

// Error returns "checkpoint FILE: REASON" with the way out.
func (e *CheckpointError) Error() string {
	return fmt.Sprintf("checkpoint %s: %v; delete the file or start with --ignore-checkpoint to start without its state", e.File, e.Err)
}

// Unwrap returns the reason.
func (e *CheckpointError) Unwrap() error { return e.Err }

// CheckpointStats describe the checkpoints a program saved.
type CheckpointStats struct {
	Saved    uint64        // checkpoints written
	Failures uint64        // checkpoints that could not be taken or written
	Last     time.Time     // when the last successful one was taken; zero before
	Duration time.Duration // how long the last successful one took, file written
	Size     int           // its size in bytes
}

// checkpointState is the program's record of its checkpoints.
type checkpointState struct {
	mu    sync.Mutex
	stats CheckpointStats
	save  sync.Mutex // one checkpoint at a time
}

// CheckpointStats returns what the program's checkpoints did so far. It is
// safe for concurrent use.
func (p *Program) CheckpointStats() CheckpointStats {
	p.ckpt.mu.Lock()
	defer p.ckpt.mu.Unlock()
	return p.ckpt.stats
}

// statefulNode is a node of a task that keeps state across restarts.
type statefulNode struct {
	name  string
	state Stateful
}

// nodeInput is a receiver that feeds one input of a node with several
// inputs (a join, a union) or watches a node (stats): a walk of the graph
// goes on from the node it belongs to.
type nodeInput interface{ inputOf() nodeBase }

func (in *joinInput) inputOf() nodeBase  { return in.j }
func (in *unionInput) inputOf() nodeBase { return in.u }
func (w statsWatch) inputOf() nodeBase   { return w.n }

// nodes walks the task's graph from its roots and returns every node in
// the order of the walk (parents before children where the graph allows).
func (t *Task) nodes() []nodeBase {
	seen := map[*Base]bool{}
	var order []nodeBase
	var queue []nodeBase
	visit := func(r any) {
		if in, ok := r.(nodeInput); ok {
			r = in.inputOf()
		}
		nb, ok := r.(nodeBase)
		if !ok {
			return
		}
		b := nb.nodeBase()
		if seen[b] {
			return
		}
		seen[b] = true
		order = append(order, nb)
		queue = append(queue, nb)
	}
	if t.stream != nil {
		visit(t.stream)
	}
	if t.batch != nil {
		visit(t.batch)
	}
	for _, q := range t.queries {
		visit(q)
	}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		for _, c := range r.nodeBase().Children {
			visit(c)
		}
	}
	return order
}

// statefulNodes returns the task's nodes that implement Stateful, in walk
// order. Their names must be unique: the checkpoint knows them by name.
func (t *Task) statefulNodes() ([]statefulNode, error) {
	var out []statefulNode
	names := map[string]bool{}
	for _, r := range t.nodes() {
		s, ok := r.(Stateful)
		if !ok {
			continue
		}
		name := r.nodeBase().Info.Name
		if name == "" {
			return nil, fmt.Errorf("task %s has a stateful node without a name", t.Name)
		}
		if names[name] {
			return nil, fmt.Errorf("task %s has two stateful nodes named %s", t.Name, name)
		}
		names[name] = true
		out = append(out, statefulNode{name, s})
	}
	return out, nil
}

// saveState returns the task's part of a checkpoint. It runs on the task's
// goroutine, between two pieces of work.
func (t *Task) saveState() (savedTask, error) {
	nodes, err := t.statefulNodes()
	if err != nil {
		return savedTask{}, err
	}
	st := savedTask{name: t.Name, fingerprint: t.Fingerprint}
	if rc, ok := t.clock.(*ReplayClock); ok {
		st.replay, st.now = true, rc.Now()
	}
	st.nodes = make([]savedNode, len(nodes))
	for i, n := range nodes {
		var e StateEncoder
		n.state.SaveState(&e)
		st.nodes[i] = savedNode{name: n.name, state: e.Bytes()}
	}
	return st, nil
}

// Checkpoint returns the state of every task, taken between two writes:
// no write is in progress while it is taken, and each task saves its nodes
// on its own goroutine between two pieces of work, so the state is the one
// after the last accepted write.
func (p *Program) Checkpoint() ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	saved := make([]savedTask, len(p.Tasks))
	for i, t := range p.Tasks {
		var err error
		t.onLoop(func() { saved[i], err = t.saveState() })
		if err != nil {
			return nil, err
		}
	}
	return encodeCheckpoint(time.Now().UnixNano(), saved), nil
}

// encodeCheckpoint frames the saved tasks as a checkpoint file taken at
// the given time.
func encodeCheckpoint(taken int64, saved []savedTask) []byte {
	var e StateEncoder
	e.buf = append(e.buf, checkpointMagic...)
	e.Uint(CheckpointFormat)
	e.Int(taken)
	e.Len(len(saved))
	for _, st := range saved {
		e.String(st.name)
		e.String(st.fingerprint)
		e.Bool(st.replay)
		e.Int(st.now)
		e.Len(len(st.nodes))
		for _, n := range st.nodes {
			e.String(n.name)
			e.ByteSlice(n.state)
		}
	}
	return binary.LittleEndian.AppendUint32(e.buf, crc32.Checksum(e.buf, castagnoli))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// SaveCheckpoint takes a checkpoint (see Checkpoint) and writes it to file
// atomically: to a temporary file in the same directory, synced, renamed
// over file, and the directory synced, so that file holds either the
// previous checkpoint or this one, whole, even if the machine stops. It
// returns the file's size. The program's CheckpointStats count it.
func (p *Program) SaveCheckpoint(file string) (int, error) {
	p.ckpt.save.Lock()
	defer p.ckpt.save.Unlock()
	start := time.Now()
	data, err := p.Checkpoint()
	if err == nil {
		err = writeFileAtomic(file, data)
	}
	p.ckpt.mu.Lock()
	defer p.ckpt.mu.Unlock()
	if err != nil {
		p.ckpt.stats.Failures++
		return 0, fmt.Errorf("checkpoint %s: %w", file, err)
	}
	p.ckpt.stats.Saved++
	p.ckpt.stats.Last = start
	p.ckpt.stats.Duration = time.Since(start)
	p.ckpt.stats.Size = len(data)
	return len(data), nil
}

// writeFileAtomic replaces file with data so that a crash leaves either
// the old content or the new one.
func writeFileAtomic(file string, data []byte) (err error) {
	dir := filepath.Dir(file)
	f, err := os.CreateTemp(dir, "."+filepath.Base(file)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err = os.Rename(tmp, file); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// LoadCheckpoint restores the checkpoint in file (see RestoreCheckpoint).
// A missing file is a first start: it returns false and no error. Any
// other failure is a *CheckpointError; the program must then not be
// started, since some of its nodes may hold restored state.
func (p *Program) LoadCheckpoint(file string) (bool, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, &CheckpointError{File: file, Err: err}
	}
	if err := p.RestoreCheckpoint(data); err != nil {
		return false, &CheckpointError{File: file, Err: err}
	}
	return true, nil
}

// savedTask is one task of a decoded checkpoint.
type savedTask struct {
	name, fingerprint string
	replay            bool
	now               int64
	nodes             []savedNode
}

type savedNode struct {
	name  string
	state []byte
}

// decodeCheckpoint checks the frame of a checkpoint and decodes its body.
func decodeCheckpoint(data []byte) ([]savedTask, error) {
	if !bytes.HasPrefix(data, []byte(checkpointMagic)) {
		return nil, errors.New("not a tickc checkpoint file")
	}
	body := data[len(checkpointMagic):]
	format, n := binary.Uvarint(body)
	if n <= 0 {
		return nil, errors.New("the file is truncated")
	}
	if format != CheckpointFormat {
		return nil, fmt.Errorf("the file has checkpoint format %d, this program reads format %d", format, CheckpointFormat)
	}
	if len(data) < len(checkpointMagic)+n+4 {
		return nil, errors.New("the file is truncated")
	}
	sum := binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(data[:len(data)-4], castagnoli) != sum {
		return nil, errors.New("the file is corrupt: its checksum does not match")
	}
	d := NewStateDecoder(body[n : len(body)-4])
	d.Int() // when it was taken
	tasks := make([]savedTask, d.Len())
	for i := range tasks {
		st := &tasks[i]
		st.name, st.fingerprint = d.String(), d.String()
		st.replay, st.now = d.Bool(), d.Int()
		st.nodes = make([]savedNode, d.Len())
		for j := range st.nodes {
			st.nodes[j] = savedNode{name: d.String(), state: d.ByteSlice()}
		}
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("the file is malformed: %w", err)
	}
	return tasks, nil
}

// RestoreCheckpoint gives the program's nodes the state of a checkpoint
// that Checkpoint returned. It must be called before Start. It refuses,
// with the reason, a checkpoint of another format, of other tasks, of a
// task whose fingerprint differs (another build of its script) or whose
// stateful nodes differ, and a node whose LoadState fails or leaves bytes
// unread. The tasks are checked first, so a refusal for those reasons
// leaves every node as built; a LoadState failure may leave earlier nodes
// restored, and the program must then be discarded. Once every node has
// loaded, the nodes that implement Restorer are called.
func (p *Program) RestoreCheckpoint(data []byte) error {
	p.mu.RLock()
	running := p.running || p.stopped
	p.mu.RUnlock()
	if running {
		return errors.New("a checkpoint is restored before the program starts")
	}
	saved, err := decodeCheckpoint(data)
	if err != nil {
		return err
	}
	if err := p.checkTasks(saved); err != nil {
		return err
	}
	nodes := make([][]statefulNode, len(p.Tasks))
	for i, t := range p.Tasks {
		st := saved[p.savedIndex(saved, t.Name)]
		if st.fingerprint != t.Fingerprint {
			return fmt.Errorf("task %s was built from another script or another tickc (fingerprint %s, this program has %s)",
				t.Name, orNone(st.fingerprint), orNone(t.Fingerprint))
		}
		if nodes[i], err = t.statefulNodes(); err != nil {
			return err
		}
		if err := checkNodes(t.Name, st.nodes, nodes[i]); err != nil {
			return err
		}
	}
	for i, t := range p.Tasks {
		st := saved[p.savedIndex(saved, t.Name)]
		for j, n := range nodes[i] {
			d := NewStateDecoder(st.nodes[j].state)
			err := n.state.LoadState(d)
			if err == nil {
				err = d.Finish()
			}
			if err != nil {
				return fmt.Errorf("task %s node %s: cannot restore its state: %w", t.Name, n.name, err)
			}
		}
		if rc, ok := t.clock.(*ReplayClock); ok && st.replay {
			rc.Advance(st.now)
		}
	}
	for i := range p.Tasks {
		for _, n := range nodes[i] {
			if r, ok := n.state.(Restorer); ok {
				r.Restored()
			}
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// checkTasks checks that saved holds exactly the program's tasks.
func (p *Program) checkTasks(saved []savedTask) error {
	var have, want []string
	for _, st := range saved {
		have = append(have, st.name)
	}
	for _, t := range p.Tasks {
		want = append(want, t.Name)
	}
	sort.Strings(have)
	sort.Strings(want)
	if strings.Join(have, "\x00") != strings.Join(want, "\x00") {
		return fmt.Errorf("the file holds tasks %s, this program runs %s", listNames(have), listNames(want))
	}
	return nil
}

func (p *Program) savedIndex(saved []savedTask, name string) int {
	for i := range saved {
		if saved[i].name == name {
			return i
		}
	}
	return -1
}

func listNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// checkNodes checks that the saved nodes of a task are its stateful nodes,
// in the same order.
func checkNodes(task string, saved []savedNode, nodes []statefulNode) error {
	known := map[string]bool{}
	for _, n := range nodes {
		known[n.name] = true
	}
	inFile := map[string]bool{}
	for _, s := range saved {
		if !known[s.name] {
			return fmt.Errorf("task %s has no stateful node %s, which the file holds", task, s.name)
		}
		inFile[s.name] = true
	}
	for _, n := range nodes {
		if !inFile[n.name] {
			return fmt.Errorf("task %s node %s has no state in the file", task, n.name)
		}
	}
	if len(saved) != len(nodes) {
		return fmt.Errorf("task %s: the file holds a node twice", task)
	}
	for i := range nodes {
		if saved[i].name != nodes[i].name {
			return fmt.Errorf("task %s: the file holds its nodes in another order", task)
		}
	}
	return nil
}
