package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ExecHandlerConfig configures an exec handler, .exec(prog, args…).
type ExecHandlerConfig struct {
	Prog string
	Args []string
}

// NewExecHandler returns an exec handler of task t: for each event it runs
// the program with the arguments and writes the event's body (the JSON of
// post, tcp and log) on its standard input, as Kapacitor's exec handler
// does. A failing run is logged with its output. An empty program is
// reported by Err.
func NewExecHandler(t *Task, cfg ExecHandlerConfig) *ServiceHandler {
	if cfg.Prog == "" {
		return failedServiceHandler(t, "exec", errors.New("a program must be specified"))
	}
	target := strings.Join(append([]string{cfg.Prog}, cfg.Args...), " ")
	return newServiceHandler(t, "exec", target, 0, func(ctx context.Context, ev *AlertEvent) error {
		cmd := exec.CommandContext(ctx, cfg.Prog, cfg.Args...)
		cmd.Stdin = bytes.NewReader(ev.Body)
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if err := cmd.Run(); err != nil {
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				err = permanent(err)
			}
			return fmt.Errorf("command %s failed: %w; output: %q", cfg.Prog, err, cutoff(out.String(), 1024))
		}
		return nil
	})
}
