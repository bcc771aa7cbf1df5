package runtime

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// TelegramConfig is the [telegram] section, with Kapacitor's keys.
type TelegramConfig struct {
	Enabled               bool   `toml:"enabled"`
	URL                   string `toml:"url"`   // the Bot API prefix; the token and /sendMessage follow it
	Token                 string `toml:"token"` // the bot's token
	ChatID                string `toml:"chat-id"`
	ParseMode             string `toml:"parse-mode"` // "Markdown" or "HTML"
	DisableWebPagePreview bool   `toml:"disable-web-page-preview"`
	DisableNotification   bool   `toml:"disable-notification"`
	Global                bool   `toml:"global"`
	StateChangesOnly      bool   `toml:"state-changes-only"`
}

// DefaultTelegramURL is Kapacitor's Telegram Bot API prefix.
const DefaultTelegramURL = "https://api.telegram.org/bot"

func init() {
	RegisterConfigSection(ConfigSection{Name: "telegram", New: func() any { return &TelegramConfig{URL: DefaultTelegramURL} }})
	registerGlobal(globalService{
		kind: "telegram",
		settings: func(t *Task) (bool, bool) {
			c := serviceSection[TelegramConfig](t, "telegram")
			return c.Global, c.StateChangesOnly
		},
		handler: func(t *Task) AlertHandler { return NewTelegramHandler(t, TelegramHandlerConfig{}) },
	})
}

// TelegramHandlerConfig configures a telegram handler, .telegram() and its
// properties; empty values take the section's.
type TelegramHandlerConfig struct {
	ChatID                string
	ParseMode             string
	DisableWebPagePreview bool
	DisableNotification   bool
}

// NewTelegramHandler returns a telegram handler of task t: it sends the
// message with the Bot API's sendMessage, as Kapacitor's telegram service
// does.
func NewTelegramHandler(t *Task, cfg TelegramHandlerConfig) *ServiceHandler {
	c := serviceSection[TelegramConfig](t, "telegram")
	client := serviceClient(false)
	return newServiceHandler(t, "telegram", c.URL, 0, func(ctx context.Context, ev *AlertEvent) error {
		if !c.Enabled {
			return errServiceDisabled
		}
		mode := firstNonEmpty(cfg.ParseMode, c.ParseMode)
		if m := strings.ToLower(mode); mode != "" && m != "markdown" && m != "html" {
			return permanent(fmt.Errorf("parseMode %s is not valid, please use 'Markdown' or 'HTML'", mode))
		}
		post := map[string]any{"chat_id": firstNonEmpty(cfg.ChatID, c.ChatID), "text": ev.Message}
		if mode != "" {
			post["parse_mode"] = mode
		}
		if cfg.DisableWebPagePreview || c.DisableWebPagePreview {
			post["disable_web_page_preview"] = true
		}
		if cfg.DisableNotification || c.DisableNotification {
			post["disable_notification"] = true
		}
		body, err := encodeJSON(post)
		if err != nil {
			return permanent(err)
		}
		u, err := url.Parse(c.URL)
		if err != nil {
			return permanent(fmt.Errorf("invalid URL: %w", err))
		}
		u.Path = path.Join(u.Path+c.Token, "sendMessage")
		_, err = postJSON(ctx, client, u.String(), body, nil, true)
		return err
	})
}
