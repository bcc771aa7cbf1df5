package runtime

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// sideloadReloads holds the sideload nodes of serving tasks, which SIGHUP
// reloads, as Kapacitor's POST /sideload/reload does. One goroutine per
// process listens for the signal, started with the first node registered.
var sideloadReloads struct {
	once  sync.Once
	mu    sync.Mutex
	nodes map[*Sideload]struct{}
}

// watchSIGHUP registers s for reloading on SIGHUP when its task runs on the
// wall clock; a replayed task's sources stay as they were read.
func watchSIGHUP(s *Sideload) {
	if s.Task == nil {
		return
	}
	if _, replay := s.Task.Clock().(*ReplayClock); replay {
		return
	}
	r := &sideloadReloads
	r.mu.Lock()
	if r.nodes == nil {
		r.nodes = map[*Sideload]struct{}{}
	}
	r.nodes[s] = struct{}{}
	r.mu.Unlock()
	r.once.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP)
		go func() {
			for range ch {
				reloadSideloads()
			}
		}()
	})
}

// unwatchSIGHUP forgets s: its task has ended.
func unwatchSIGHUP(s *Sideload) {
	r := &sideloadReloads
	r.mu.Lock()
	delete(r.nodes, s)
	r.mu.Unlock()
}

// reloadSideloads reloads every registered node. A node whose source fails
// to load keeps its values and logs the error.
func reloadSideloads() {
	r := &sideloadReloads
	r.mu.Lock()
	nodes := make([]*Sideload, 0, len(r.nodes))
	for s := range r.nodes {
		nodes = append(nodes, s)
	}
	r.mu.Unlock()
	for _, s := range nodes {
		if err := s.Reload(); err != nil && s.Task != nil && s.Task.Log != nil && !s.Info.Quiet {
			// Logged, not counted: the error counter belongs to the task's
			// goroutine.
			s.Task.Log.Error("sideload reload: "+err.Error(), "node", s.Info.Name, "pos", s.Info.Pos)
		}
	}
}
