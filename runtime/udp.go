package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// UDPConfig is one [[udp]] section: a UDP listener that takes line protocol,
// as InfluxDB's UDP subscriptions send it, and writes the points into the
// program for a fixed database and retention policy. It takes Kapacitor's
// keys.
type UDPConfig struct {
	Enabled         bool   `toml:"enabled"`
	BindAddress     string `toml:"bind-address"`     // host:port
	Database        string `toml:"database"`         // the database of every point
	RetentionPolicy string `toml:"retention-policy"` // empty: the configuration's default-retention-policy
	ReadBuffer      int    `toml:"read-buffer"`      // the socket's receive buffer in bytes; 0 keeps the system's
	Buffer          int    `toml:"buffer"`           // datagrams queued for the tasks; 0 means 1000
}

// DefaultUDPBuffer is the number of datagrams a [[udp]] listener queues.
const DefaultUDPBuffer = 1000

// UDPConfigs is the value of the udp configuration section.
type UDPConfigs []UDPConfig

func init() {
	RegisterConfigSection(ConfigSection{
		Name:  "udp",
		New:   func() any { return &UDPConfigs{} },
		Check: func(v any) error { return v.(*UDPConfigs).check() },
	})
}

func (cs *UDPConfigs) check() error {
	var errs []error
	for i := range *cs {
		c := &(*cs)[i]
		if c.Buffer <= 0 {
			c.Buffer = DefaultUDPBuffer
		}
		if !c.Enabled {
			continue
		}
		if c.BindAddress == "" {
			errs = append(errs, fmt.Errorf("[[udp]] %d: bind-address is required", i+1))
		}
		if c.Database == "" {
			errs = append(errs, fmt.Errorf("[[udp]] %d: database is required", i+1))
		}
		if c.ReadBuffer < 0 {
			errs = append(errs, fmt.Errorf("[[udp]] %d: read-buffer must not be negative", i+1))
		}
	}
	return errors.Join(errs...)
}

// UDPStats are the counters of a UDP listener; safe for concurrent use.
type UDPStats struct {
	Datagrams     atomic.Uint64 // datagrams received
	Points        atomic.Uint64 // points written into the program
	ParseErrors   atomic.Uint64 // lines that did not parse
	DroppedFull   atomic.Uint64 // datagrams dropped because the queue was full
	WriteFailures atomic.Uint64 // batches the program refused (shutting down, task failure)
}

// UDPListener is a running [[udp]] listener.
type UDPListener struct {
	cfg   UDPConfig
	rp    string
	conn  net.PacketConn
	prog  *Program
	log   *slog.Logger
	queue chan []byte
	stats UDPStats
	once  sync.Once
}

// Addr returns the address the listener is bound to.
func (u *UDPListener) Addr() net.Addr { return u.conn.LocalAddr() }

// Stats returns the listener's counters.
func (u *UDPListener) Stats() *UDPStats { return &u.stats }

// Close stops reading; the datagrams already queued are still written.
func (u *UDPListener) Close() { u.once.Do(func() { u.conn.Close() }) }

// ListenUDP binds the listener of cfg and starts reading on it; the points
// go to p.Write. It stops when ctx ends or Close is called; wg counts its
// goroutines.
func ListenUDP(ctx context.Context, wg *sync.WaitGroup, p *Program, cfg UDPConfig, defaultRP string, log *slog.Logger) (*UDPListener, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	conn, err := net.ListenPacket("udp", cfg.BindAddress)
	if err != nil {
		return nil, fmt.Errorf("[[udp]] %s: %w", cfg.BindAddress, err)
	}
	if cfg.ReadBuffer > 0 {
		if uc, ok := conn.(*net.UDPConn); ok {
			if err := uc.SetReadBuffer(cfg.ReadBuffer); err != nil {
				log.Warn("udp: cannot set the read buffer", "addr", cfg.BindAddress, "err", err.Error())
			}
		}
	}
	buffer := cfg.Buffer
	if buffer <= 0 {
		buffer = DefaultUDPBuffer
	}
	u := &UDPListener{cfg: cfg, rp: cfg.RetentionPolicy, conn: conn, prog: p, queue: make(chan []byte, buffer),
		log: log.With("udp", conn.LocalAddr().String(), "database", cfg.Database)}
	if u.rp == "" {
		u.rp = defaultRP
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		u.Close()
	}()
	go func() {
		defer wg.Done()
		u.read()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		u.write()
	}()
	return u, nil
}

// read takes datagrams until the socket is closed.
func (u *UDPListener) read() {
	defer close(u.queue)
	buf := make([]byte, 64*1024)
	for {
		n, _, err := u.conn.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			u.log.Error("udp: read failed", "err", err.Error())
			continue
		}
		u.stats.Datagrams.Add(1)
		d := make([]byte, n)
		copy(d, buf[:n])
		select {
		case u.queue <- d:
		default:
			if c := u.stats.DroppedFull.Add(1); c == 1 || c%1000 == 0 {
				u.log.Error("udp: datagram dropped: the queue is full", "dropped_total", c)
			}
		}
	}
}

// write parses the queued datagrams and writes their points.
func (u *UDPListener) write() {
	for d := range u.queue {
		points, err := ParseLines(d, u.cfg.Database, u.rp, 1, time.Now().UnixNano())
		if err != nil {
			u.stats.ParseErrors.Add(1)
			u.log.Error("udp: bad line protocol", "err", err.Error())
		}
		if len(points) == 0 {
			continue
		}
		if err := u.prog.Write(points); err != nil {
			u.stats.WriteFailures.Add(1)
			u.log.Error("udp: write failed", "points", len(points), "err", err.Error())
			continue
		}
		u.stats.Points.Add(uint64(len(points)))
	}
}

// startUDP starts the enabled [[udp]] listeners of cfg.
func startUDP(ctx context.Context, wg *sync.WaitGroup, p *Program, cfg *Config, log *slog.Logger) ([]*UDPListener, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cs, _ := cfg.Section("udp").(*UDPConfigs)
	if cs == nil {
		return nil, nil
	}
	var out []*UDPListener
	for _, c := range *cs {
		if !c.Enabled {
			continue
		}
		u, err := ListenUDP(ctx, wg, p, c, cfg.DefaultRetentionPolicy, log)
		if err != nil {
			for _, o := range out {
				o.Close()
			}
			return nil, err
		}
		log.Info("listening for line protocol over UDP", "addr", u.Addr().String(), "database", c.Database, "retention_policy", u.rp)
		out = append(out, u)
	}
	return out, nil
}
