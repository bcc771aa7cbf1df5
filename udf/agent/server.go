package agent

import (
	"errors"
	"net"
	"sync"
)

// Server serves a UDF over a unix socket: every connection (one per task
// node using the UDF) gets its own Agent and Handler.
type Server struct {
	listener   net.Listener
	newHandler func(a *Agent) Handler

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// NewServer returns a server accepting connections on l; newHandler makes
// the handler of each connection's agent.
func NewServer(l net.Listener, newHandler func(a *Agent) Handler) *Server {
	return &Server{listener: l, newHandler: newHandler, conns: map[net.Conn]struct{}{}}
}

// Serve accepts connections until Stop and returns nil after Stop, or the
// listener's error.
func (s *Server) Serve() error {
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return nil
		}
		s.conns[conn] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveConn(conn)
	}
}

func (s *Server) serveConn(conn net.Conn) {
	defer s.wg.Done()
	defer func() {
		conn.Close()
		s.mu.Lock()
		delete(s.conns, conn)
		s.mu.Unlock()
	}()
	a := New(conn, conn)
	a.Handler = s.newHandler(a)
	if err := a.Start(); err != nil {
		return
	}
	// A failed connection ends only that connection.
	_ = a.Wait()
}

// Stop closes the listener and every connection, and waits for their agents.
func (s *Server) Stop() {
	s.mu.Lock()
	s.closed = true
	s.listener.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}
