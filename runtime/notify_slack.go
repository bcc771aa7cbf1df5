package runtime

import (
	"bytes"
	"context"
	"encoding/json"
)

// SlackConfig is one [[slack]] section, with Kapacitor's keys: several
// sections configure several workspaces.
type SlackConfig struct {
	Enabled            bool   `toml:"enabled"`
	Default            bool   `toml:"default"`   // the workspace of a handler that names none
	Workspace          string `toml:"workspace"` // the name handlers give to .workspace()
	URL                string `toml:"url"`       // the incoming webhook (or chat.postMessage) URL
	Token              string `toml:"token"`     // sent as a Bearer token when set
	Channel            string `toml:"channel"`
	Username           string `toml:"username"`
	IconEmoji          string `toml:"icon-emoji"`
	Global             bool   `toml:"global"`
	StateChangesOnly   bool   `toml:"state-changes-only"`
	SSLCA              string `toml:"ssl-ca"`   // PEM file of the CAs of the server's certificate
	SSLCert            string `toml:"ssl-cert"` // PEM file of the client certificate
	SSLKey             string `toml:"ssl-key"`  // PEM file of its key
	InsecureSkipVerify bool   `toml:"insecure-skip-verify"`
}

// DefaultSlackUsername is Kapacitor's default Slack user name.
const DefaultSlackUsername = "kapacitor"

func init() {
	RegisterConfigSection(ConfigSection{
		Name: "slack",
		New:  func() any { return &[]SlackConfig{} },
		Check: func(v any) error {
			return checkEach(*v.(*[]SlackConfig), func(c SlackConfig) string { return c.Workspace }, func(c SlackConfig) error {
				_, err := c.tls().Config()
				return err
			})
		},
	})
	registerGlobal(globalService{
		kind: "slack",
		settings: func(t *Task) (bool, bool) {
			c, err := slackWorkspace(t, "")
			if err != nil {
				return false, false
			}
			return c.Global, c.StateChangesOnly
		},
		handler: func(t *Task) AlertHandler { return NewSlackHandler(t, SlackHandlerConfig{}) },
	})
}

// slackWorkspace returns the [[slack]] section of workspace; "" means the
// default one (the only one, or the one with default = true).
func slackWorkspace(t *Task, workspace string) (SlackConfig, error) {
	c, err := findWorkspace("slack", *serviceSection[[]SlackConfig](t, "slack"), workspace,
		func(c SlackConfig) (string, bool) { return c.Workspace, c.Default })
	if err == nil && c.Username == "" {
		c.Username = DefaultSlackUsername
	}
	return c, err
}

// SlackHandlerConfig configures a slack handler, .slack() and its
// properties; empty values take the section's.
type SlackHandlerConfig struct {
	Workspace string
	Channel   string
	Username  string
	IconEmoji string
}

// slackAttachment is Kapacitor's Slack attachment.
type slackAttachment struct {
	Fallback string   `json:"fallback"`
	Color    string   `json:"color"`
	Text     string   `json:"text"`
	MrkdwnIn []string `json:"mrkdwn_in"`
}

// NewSlackHandler returns a slack handler of task t: it posts the message as
// one attachment colored by level, as Kapacitor's slack service does.
func NewSlackHandler(t *Task, cfg SlackHandlerConfig) *ServiceHandler {
	c, _ := slackWorkspace(t, cfg.Workspace)
	tc, err := c.tls().Config()
	if err != nil {
		return failedServiceHandler(t, "slack", err)
	}
	client := serviceTLSClient(tc)
	return newServiceHandler(t, "slack", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		c, err := slackWorkspace(t, cfg.Workspace)
		if err != nil {
			return err
		}
		if !c.Enabled {
			return errServiceDisabled
		}
		body, err := slackBody(c, cfg, ev)
		if err != nil {
			return permanent(err)
		}
		var headers map[string]string
		if c.Token != "" {
			headers = map[string]string{"Authorization": "Bearer " + c.Token}
		}
		_, err = postJSON(ctx, client, c.URL, body, headers, true)
		return err
	})
}

func slackBody(c SlackConfig, cfg SlackHandlerConfig, ev *AlertEvent) ([]byte, error) {
	color := "good"
	switch ev.Level {
	case AlertWarning:
		color = "warning"
	case AlertCritical:
		color = "danger"
	}
	post := map[string]any{
		"channel":     firstNonEmpty(cfg.Channel, c.Channel),
		"text":        "",
		"attachments": []slackAttachment{{Fallback: ev.Message, Color: color, Text: ev.Message, MrkdwnIn: []string{"text"}}},
		"username":    firstNonEmpty(cfg.Username, c.Username),
		"icon_emoji":  firstNonEmpty(cfg.IconEmoji, c.IconEmoji),
	}
	return encodeJSON(post)
}

// firstNonEmpty returns the first of ss that is not empty.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// encodeJSON encodes v as Kapacitor's services do, with a json.Encoder
// (HTML-escaped, with a trailing newline).
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// tls returns the section's TLS keys.
func (c SlackConfig) tls() ClientTLS {
	return ClientTLS{CA: c.SSLCA, Cert: c.SSLCert, Key: c.SSLKey, SkipVerify: c.InsecureSkipVerify}
}
