package runtime

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve runs p as a server on ln until ctx is cancelled: it restores the
// checkpoint of the data directory (see openCheckpoints), starts the
// tasks, the live queries of batch tasks and the [[udp]] listeners, answers
// the HTTP API (see Handler), saves checkpoints periodically, and on
// cancellation stops accepting requests, lets the requests in flight
// finish (up to the configured shutdown timeout), saves a final
// checkpoint, passes Done through the tasks and returns. It returns nil
// after a clean shutdown; a checkpoint that cannot be restored is an error
// before anything starts.
func Serve(ctx context.Context, p *Program, ln net.Listener, cfg *Config, log *slog.Logger) error {
	if cfg == nil {
		cfg = NewConfig()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, t := range p.Tasks {
		t.discardAlerts = true
	}
	ckpt, err := openCheckpoints(p, cfg, log)
	if err != nil {
		return err
	}
	p.Start()
	stopLive, err := startLive(p, cfg, log)
	if err != nil {
		p.Stop()
		return err
	}
	ckpt.start()
	srv := &http.Server{
		Handler:           NewHandler(p, cfg, log),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	if cfg.HTTP.HTTPSEnabled {
		key := cfg.HTTP.HTTPSPrivateKey
		if key == "" {
			key = cfg.HTTP.HTTPSCertificate // Kapacitor's default: one PEM file with both
		}
		go func() { errc <- srv.ServeTLS(ln, cfg.HTTP.HTTPSCertificate, key) }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	log.Info("listening", "addr", ln.Addr().String(), "tasks", names(p.Tasks))

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case serveErr = <-errc:
	}
	timeout := cfg.HTTP.ShutdownTimeout
	if timeout <= 0 {
		timeout = DefaultShutdownTimeout
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("requests still in flight at shutdown", "err", err)
		_ = srv.Close()
	}
	stopLive()
	ckptErr := ckpt.stop() // after the last accepted write, before the end of input
	p.Stop()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	if ckptErr != nil {
		return ckptErr
	}
	log.Info("stopped")
	return nil
}
