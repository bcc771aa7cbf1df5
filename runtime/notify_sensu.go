package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
)

// SensuConfig is the [sensu] section, with Kapacitor's keys.
type SensuConfig struct {
	Enabled  bool     `toml:"enabled"`
	Addr     string   `toml:"addr"` // the Sensu client socket, host:port
	Source   string   `toml:"source"`
	Handlers []string `toml:"handlers"`
}

// DefaultSensuSource is Kapacitor's default Sensu source.
const DefaultSensuSource = "Kapacitor"

func init() {
	RegisterConfigSection(ConfigSection{Name: "sensu", New: func() any { return &SensuConfig{Source: DefaultSensuSource} }})
}

// SensuHandlerConfig configures a sensu handler; empty values take the
// section's.
type SensuHandlerConfig struct {
	Source   string // a text/template on the event
	Handlers []string
	Metadata map[string]any // extra keys of the check result
}

// sensuName is what Sensu accepts as a check name (the alert ID).
var sensuName = regexp.MustCompile(`^[\w\.-]+$`)

// NewSensuHandler returns a sensu handler of task t: it writes a check
// result as JSON to the Sensu client socket and expects "ok", as Kapacitor's
// sensu service does. A source that does not parse is reported by Err.
func NewSensuHandler(t *Task, cfg SensuHandlerConfig) *ServiceHandler {
	source, err := parseProp("source", cfg.Source)
	if err != nil {
		return failedServiceHandler(t, "sensu", err)
	}
	c := serviceSection[SensuConfig](t, "sensu")
	return newServiceHandler(t, "sensu", c.Addr, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		if !sensuName.MatchString(ev.ID) {
			return permanent(fmt.Errorf("invalid name %q for sensu alert. Must match %v", ev.ID, sensuName))
		}
		src, err := source.render(ev.templateData())
		if err != nil {
			return err
		}
		status := 0
		switch ev.Level {
		case AlertWarning:
			status = 1
		case AlertCritical:
			status = 2
		}
		handlers := cfg.Handlers
		if len(handlers) == 0 {
			handlers = c.Handlers
		}
		post := map[string]any{
			"name": ev.ID, "source": firstNonEmpty(src, c.Source), "output": ev.Message, "status": status, "handlers": handlers,
		}
		for k, v := range cfg.Metadata {
			if _, ok := post[k]; !ok {
				post[k] = v
			}
		}
		body, err := encodeJSON(post)
		if err != nil {
			return permanent(err)
		}
		return sensuSend(ctx, c.Addr, body)
	})
}

func sensuSend(ctx context.Context, addr string, body []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := conn.Write(body); err != nil {
		return err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	resp, err := io.ReadAll(io.LimitReader(conn, 1<<16))
	if err != nil {
		return err
	}
	if string(resp) != "ok" {
		return errors.New("sensu socket error: " + string(resp))
	}
	return nil
}
