package runtime

import (
	"context"
	"net/url"
	"strconv"
)

// PushoverConfig is the [pushover] section, with Kapacitor's keys.
type PushoverConfig struct {
	Enabled bool   `toml:"enabled"`
	Token   string `toml:"token"`    // the application's API token
	UserKey string `toml:"user-key"` // the user or group key
	URL     string `toml:"url"`
}

// DefaultPushoverURL is the Pushover messages API.
const DefaultPushoverURL = "https://api.pushover.net/1/messages.json"

func init() {
	RegisterConfigSection(ConfigSection{Name: "pushover", New: func() any { return &PushoverConfig{URL: DefaultPushoverURL} }})
}

// PushoverHandlerConfig configures a pushover handler, .pushover() and its
// properties; empty values are not sent (the user key takes the section's).
type PushoverHandlerConfig struct {
	UserKey  string
	Device   string
	Title    string
	URL      string
	URLTitle string
	Sound    string
}

// NewPushoverHandler returns a pushover handler of task t: it posts a form
// with the message and a priority from the level (OK -2, INFO -1, WARNING 0,
// CRITICAL 1: the level minus two), as Kapacitor's pushover service does.
func NewPushoverHandler(t *Task, cfg PushoverHandlerConfig) *ServiceHandler {
	c := serviceSection[PushoverConfig](t, "pushover")
	client := serviceClient(false)
	headers := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	return newServiceHandler(t, "pushover", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		v := url.Values{}
		v.Set("token", c.Token)
		v.Set("user", firstNonEmpty(cfg.UserKey, c.UserKey))
		v.Set("message", ev.Message)
		v.Set("priority", strconv.Itoa(int(ev.Level)-2))
		for _, kv := range [][2]string{{"device", cfg.Device}, {"title", cfg.Title}, {"url", cfg.URL}, {"url_title", cfg.URLTitle}, {"sound", cfg.Sound}} {
			if kv[1] != "" {
				v.Set(kv[0], kv[1])
			}
		}
		_, err := postJSON(ctx, client, c.URL, []byte(v.Encode()), headers, true)
		return err
	})
}
