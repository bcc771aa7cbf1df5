package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
)

// VictorOpsConfig is the [victorops] section, with Kapacitor's keys.
type VictorOpsConfig struct {
	Enabled    bool   `toml:"enabled"`
	APIKey     string `toml:"api-key"`
	RoutingKey string `toml:"routing-key"`
	URL        string `toml:"url"`
	Global     bool   `toml:"global"`
	JSONData   bool   `toml:"json-data"` // send the data as JSON rather than as a JSON string
}

// DefaultVictorOpsURL is Kapacitor's VictorOps REST endpoint.
const DefaultVictorOpsURL = "https://alert.victorops.com/integrations/generic/20131114/alert"

func init() {
	RegisterConfigSection(ConfigSection{Name: "victorops", New: func() any { return &VictorOpsConfig{URL: DefaultVictorOpsURL} }})
	registerGlobal(globalService{
		kind: "victorOps",
		settings: func(t *Task) (bool, bool) {
			return serviceSection[VictorOpsConfig](t, "victorops").Global, false
		},
		handler: func(t *Task) AlertHandler { return NewVictorOpsHandler(t, VictorOpsHandlerConfig{}) },
	})
}

// VictorOpsHandlerConfig configures a victorOps handler,
// .victorOps().routingKey(k).
type VictorOpsHandlerConfig struct {
	RoutingKey string // empty: the section's
}

// NewVictorOpsHandler returns a victorOps handler of task t: it posts to
// URL/api-key/routing-key, as Kapacitor's victorops service does.
func NewVictorOpsHandler(t *Task, cfg VictorOpsHandlerConfig) *ServiceHandler {
	c := serviceSection[VictorOpsConfig](t, "victorops")
	client := serviceClient(false)
	return newServiceHandler(t, "victorOps", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		msgType := ev.Level.String()
		if ev.Level == AlertOK {
			msgType = "RECOVERY"
		}
		post := map[string]any{
			"message_type":    msgType,
			"entity_id":       ev.ID,
			"state_message":   ev.Message,
			"timestamp":       TimeValue(ev.Time).Unix(),
			"monitoring_tool": "kapacitor",
		}
		if c.JSONData {
			post["data"] = ev.Data
		} else {
			b, err := json.Marshal(ev.Data)
			if err != nil {
				return permanent(err)
			}
			post["data"] = string(b)
		}
		body, err := encodeJSON(post)
		if err != nil {
			return permanent(err)
		}
		u, err := url.Parse(c.URL)
		if err != nil {
			return permanent(fmt.Errorf("invalid URL: %w", err))
		}
		u.Path = path.Join(u.Path, c.APIKey, firstNonEmpty(cfg.RoutingKey, c.RoutingKey))
		_, err = postJSON(ctx, client, u.String(), body, nil, true)
		return err
	})
}
