package runtime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"path"
)

// OpsGenie2Config is the [opsgenie2] section, with Kapacitor's keys.
type OpsGenie2Config struct {
	Enabled        bool     `toml:"enabled"`
	APIKey         string   `toml:"api-key"`
	Teams          []string `toml:"teams"`
	Recipients     []string `toml:"recipients"`
	URL            string   `toml:"url"`
	RecoveryAction string   `toml:"recovery_action"` // "notes" or "close": what an OK event does
	Global         bool     `toml:"global"`
	Details        bool     `toml:"details"` // send the event's details as the description
}

// OpsGenie defaults, Kapacitor's.
const (
	DefaultOpsGenie2URL            = "https://api.opsgenie.com/v2/alerts"
	DefaultOpsGenie2RecoveryAction = "notes"
)

func init() {
	RegisterConfigSection(ConfigSection{Name: "opsgenie2", New: func() any {
		return &OpsGenie2Config{URL: DefaultOpsGenie2URL, RecoveryAction: DefaultOpsGenie2RecoveryAction}
	}})
	registerGlobal(globalService{
		kind: "opsGenie2",
		settings: func(t *Task) (bool, bool) {
			return serviceSection[OpsGenie2Config](t, "opsgenie2").Global, false
		},
		handler: func(t *Task) AlertHandler { return NewOpsGenie2Handler(t, OpsGenie2HandlerConfig{}) },
	})
}

// OpsGenie2HandlerConfig configures an opsGenie2 handler; empty values take
// the section's.
type OpsGenie2HandlerConfig struct {
	Teams          []string
	Recipients     []string
	RecoveryAction string // "notes" or "close"
}

// NewOpsGenie2Handler returns an opsGenie2 handler of task t: it creates an
// alert aliased by the base64 of the alert ID, and on OK adds a note to it
// or closes it, as Kapacitor's opsgenie2 service does.
func NewOpsGenie2Handler(t *Task, cfg OpsGenie2HandlerConfig) *ServiceHandler {
	c := serviceSection[OpsGenie2Config](t, "opsgenie2")
	client := serviceClient(false)
	return newServiceHandler(t, "opsGenie2", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		target, post, err := opsGenie2Request(c, cfg, ev)
		if err != nil {
			return permanent(err)
		}
		body, err := encodeJSON(post)
		if err != nil {
			return permanent(err)
		}
		_, err = postJSON(ctx, client, target, body, map[string]string{"Authorization": "GenieKey " + c.APIKey}, true)
		return err
	})
}

func opsGenie2Request(c *OpsGenie2Config, cfg OpsGenie2HandlerConfig, ev *AlertEvent) (string, map[string]any, error) {
	alias := base64.URLEncoding.EncodeToString([]byte(ev.ID))
	post := map[string]any{}
	if ev.Level == AlertOK {
		u, err := url.Parse(c.URL)
		if err != nil {
			return "", nil, err
		}
		valid := map[string]bool{"close": true, "notes": true}
		action := cfg.RecoveryAction
		if !valid[action] {
			action = c.RecoveryAction
			if !valid[action] {
				action = DefaultOpsGenie2RecoveryAction
			}
		}
		u.Path = path.Join(u.Path, alias, action)
		u.RawQuery = "identifierType=alias"
		post["note"] = ev.Message
		return u.String(), post, nil
	}
	priority := map[AlertLevel]string{AlertInfo: "P5", AlertWarning: "P3", AlertCritical: "P1"}[ev.Level]
	post["entity"] = ev.ID
	post["alias"] = alias
	post["message"] = ev.Message
	post["note"] = ""
	post["priority"] = priority
	if c.Details && ev.Details != "" {
		post["description"] = ev.Details
	} else {
		b, err := json.Marshal(ev.Data)
		if err != nil {
			return "", nil, err
		}
		post["description"] = string(b)
	}
	details := map[string]string{"Monitoring Tool": "Kapacitor", "Level": ev.Level.String()}
	if len(ev.Data.Series) > 0 && ev.Data.Series[0] != nil {
		row := ev.Data.Series[0]
		for k, v := range row.Tags {
			details[k] = v
		}
		details["Kapacitor Task Name"] = row.Name
	}
	post["details"] = details
	teams, recipients := cfg.Teams, cfg.Recipients
	if len(teams) == 0 {
		teams = c.Teams
	}
	if len(recipients) == 0 {
		recipients = c.Recipients
	}
	var responders []map[string]string
	for _, tm := range teams {
		responders = append(responders, map[string]string{"name": tm, "type": "team"})
	}
	for _, r := range recipients {
		responders = append(responders, map[string]string{"username": r, "type": "user"})
	}
	if len(responders) > 0 {
		post["responders"] = responders
	}
	return c.URL, post, nil
}
