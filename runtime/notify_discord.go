package runtime

import (
	"context"
	"time"
)

// DiscordConfig is one [[discord]] section, with Kapacitor's keys: several
// sections configure several workspaces.
type DiscordConfig struct {
	Enabled            bool   `toml:"enabled"`
	Default            bool   `toml:"default"`
	Workspace          string `toml:"workspace"`
	URL                string `toml:"url"`       // the channel's webhook URL
	Timestamp          bool   `toml:"timestamp"` // add the event time to the embed
	Username           string `toml:"username"`
	AvatarURL          string `toml:"avatar-url"`
	EmbedTitle         string `toml:"embed-title"`
	Global             bool   `toml:"global"`
	StateChangesOnly   bool   `toml:"state-changes-only"`
	SSLCA              string `toml:"ssl-ca"`   // PEM file of the CAs of the server's certificate
	SSLCert            string `toml:"ssl-cert"` // PEM file of the client certificate
	SSLKey             string `toml:"ssl-key"`  // PEM file of its key
	InsecureSkipVerify bool   `toml:"insecure-skip-verify"`
}

func init() {
	RegisterConfigSection(ConfigSection{
		Name: "discord",
		New:  func() any { return &[]DiscordConfig{} },
		Check: func(v any) error {
			return checkEach(*v.(*[]DiscordConfig), func(c DiscordConfig) string { return c.Workspace }, func(c DiscordConfig) error {
				_, err := c.tls().Config()
				return err
			})
		},
	})
	registerGlobal(globalService{
		kind: "discord",
		settings: func(t *Task) (bool, bool) {
			c, err := discordWorkspace(t, "")
			if err != nil {
				return false, false
			}
			return c.Global, c.StateChangesOnly
		},
		handler: func(t *Task) AlertHandler { return NewDiscordHandler(t, DiscordHandlerConfig{}) },
	})
}

// discordWorkspace returns the [[discord]] section of workspace; "" means
// the default one.
func discordWorkspace(t *Task, workspace string) (DiscordConfig, error) {
	return findWorkspace("discord", *serviceSection[[]DiscordConfig](t, "discord"), workspace,
		func(c DiscordConfig) (string, bool) { return c.Workspace, c.Default })
}

// DiscordHandlerConfig configures a discord handler, .discord() and its
// properties; empty values take the section's.
type DiscordHandlerConfig struct {
	Workspace  string
	Username   string
	AvatarURL  string
	EmbedTitle string // a text/template on the event
}

// discordEmbed is Kapacitor's Discord embed.
type discordEmbed struct {
	Color       int    `json:"color"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Timestamp   string `json:"timestamp"`
}

// NewDiscordHandler returns a discord handler of task t: it posts the
// message as one embed colored by level, as Kapacitor's discord service
// does. An embed title that does not parse is reported by Err.
func NewDiscordHandler(t *Task, cfg DiscordHandlerConfig) *ServiceHandler {
	title, err := parseProp("embedTitle", cfg.EmbedTitle)
	if err != nil {
		return failedServiceHandler(t, "discord", err)
	}
	c, _ := discordWorkspace(t, cfg.Workspace)
	tc, err := c.tls().Config()
	if err != nil {
		return failedServiceHandler(t, "discord", err)
	}
	client := serviceTLSClient(tc)
	return newServiceHandler(t, "discord", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		embedTitle, err := title.render(ev.templateData())
		if err != nil {
			return err
		}
		c, err := discordWorkspace(t, cfg.Workspace)
		if err != nil {
			return err
		}
		if !c.Enabled {
			return errServiceDisabled
		}
		color := 0x7A65F2
		switch ev.Level {
		case AlertCritical:
			color = 0xF95F53
		case AlertWarning:
			color = 0xF48D38
		}
		var ts string
		if c.Timestamp {
			ts = TimeValue(ev.Time).Format(time.RFC3339)
		}
		body, err := encodeJSON(map[string]any{
			"username":   firstNonEmpty(cfg.Username, c.Username),
			"avatar_url": firstNonEmpty(cfg.AvatarURL, c.AvatarURL),
			"embeds":     []discordEmbed{{Description: ev.Message, Color: color, Title: embedTitle, Timestamp: ts}},
		})
		if err != nil {
			return permanent(err)
		}
		_, err = postJSON(ctx, client, c.URL, body, nil, true)
		return err
	})
}

// tls returns the section's TLS keys.
func (c DiscordConfig) tls() ClientTLS {
	return ClientTLS{CA: c.SSLCA, Cert: c.SSLCert, Key: c.SSLKey, SkipVerify: c.InsecureSkipVerify}
}
