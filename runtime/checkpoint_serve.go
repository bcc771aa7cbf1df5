package runtime

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// checkpointer saves a serving program's checkpoints: every interval, and
// once more at shutdown after the last accepted write.
type checkpointer struct {
	p        *Program
	file     string
	interval time.Duration
	log      *slog.Logger

	quit chan struct{}
	wg   sync.WaitGroup
}

// openCheckpoints prepares the checkpoints of p as cfg asks: none without a
// data directory or with [checkpoint] enabled = false (it returns nil).
// Otherwise it creates the data directory and, unless the configuration
// says to ignore it, restores the checkpoint found there. It runs before
// the program starts, so the state is back before any write is accepted.
func openCheckpoints(p *Program, cfg *Config, log *slog.Logger) (*checkpointer, error) {
	if cfg.DataDir == "" || !cfg.Checkpoint.Enabled {
		return nil, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data_dir: %w", err)
	}
	c := &checkpointer{
		p:        p,
		file:     filepath.Join(cfg.DataDir, CheckpointFileName),
		interval: cfg.Checkpoint.Interval,
		log:      log,
		quit:     make(chan struct{}),
	}
	if cfg.Checkpoint.Ignore {
		log.Warn("starting without the state of the checkpoint file, which the next checkpoint replaces", "file", c.file)
		return c, nil
	}
	start := time.Now()
	found, err := p.LoadCheckpoint(c.file)
	if err != nil {
		return nil, err
	}
	if found {
		log.Info("state restored from the checkpoint", "file", c.file, "duration", time.Since(start))
	} else {
		log.Info("no checkpoint yet: starting with empty state", "file", c.file)
	}
	return c, nil
}

// start begins the periodic checkpoints; a zero interval saves only at
// shutdown.
func (c *checkpointer) start() {
	if c == nil || c.interval <= 0 {
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		tick := time.NewTicker(c.interval)
		defer tick.Stop()
		for {
			select {
			case <-c.quit:
				return
			case <-tick.C:
				c.save()
			}
		}
	}()
}

// save takes one checkpoint and logs a failure; the program goes on.
func (c *checkpointer) save() error {
	size, err := c.p.SaveCheckpoint(c.file)
	if err != nil {
		c.log.Error("checkpoint failed", "error", err.Error())
		return err
	}
	c.log.Debug("checkpoint saved", "file", c.file, "bytes", size)
	return nil
}

// stop ends the periodic checkpoints and saves the final one. It is called
// once no write can arrive any more and before the tasks see the end of
// their input.
func (c *checkpointer) stop() error {
	if c == nil {
		return nil
	}
	close(c.quit)
	c.wg.Wait()
	if err := c.save(); err != nil {
		return err
	}
	// The tasks are stopped after this, on their goroutines, which the
	// program's Stop hands the work to: they see the mark.
	for _, t := range c.p.Tasks {
		t.suspended = true
	}
	c.log.Info("final checkpoint saved", "file", c.file)
	return nil
}
