package runtime

import (
	"testing"
	"time"
)

// kapacitorServices is the service part of a kapacitor.conf, with every key
// the service handlers read, written as Kapacitor's sample configuration
// writes them.
const kapacitorServices = `
[smtp]
  enabled = true
  host = "mail.example.com"
  port = 587
  username = "u"
  password = "p"
  no-verify = true
  global = true
  state-changes-only = true
  from = "k@example.com"
  to = ["a@example.com"]
  idle-timeout = "45s"

[[mqtt]]
  enabled = true
  name = "local"
  default = true
  url = "tcp://127.0.0.1:1883"
  client-id = "k"
  username = ""
  password = ""

[[kafka]]
  enabled = true
  id = "main"
  brokers = ["127.0.0.1:9092"]
  timeout = "5s"
  batch-size = 10
  batch-timeout = "2s"
  use-ssl = false

[[slack]]
  enabled = true
  default = true
  workspace = "w"
  url = "https://hooks.slack.com/services/x"
  channel = "#c"
  username = "kapacitor"
  icon-emoji = ":ghost:"
  global = false
  state-changes-only = false

[[discord]]
  enabled = false
  url = "https://discord.com/api/webhooks/x"
  timestamp = true
  avatar-url = ""
  embed-title = "t"

[pagerduty2]
  enabled = true
  url = "https://events.pagerduty.com/v2/enqueue"
  routing-key = "rk"
  global = false

[opsgenie2]
  enabled = true
  api-key = "k"
  teams = ["t"]
  recipients = ["r"]
  recovery_action = "close"
  details = true

[victorops]
  enabled = true
  api-key = "k"
  routing-key = "rk"
  json-data = true

[telegram]
  enabled = true
  token = "t"
  chat-id = "c"
  parse-mode = "Markdown"
  disable-web-page-preview = true
  disable-notification = false

[pushover]
  enabled = true
  token = "t"
  user-key = "u"

[teams]
  enabled = true
  channel-url = "https://outlook.office.com/webhook/x"

[snmptrap]
  enabled = true
  addr = "127.0.0.1:9162"
  community = "public"
  retries = 2

[alerta]
  enabled = true
  url = "http://alerta"
  token = "t"
  token-prefix = "Key"
  environment = "prod"
  origin = "kapacitor"
  timeout = "1h"

[sensu]
  enabled = true
  addr = "127.0.0.1:3030"
  source = "Kapacitor"
  handlers = ["default"]

[bigpanda]
  enabled = true
  app-key = "a"
  token = "t"
  url = "https://api.bigpanda.io/data/v2/alerts"
  auto-attributes = "tags"

[servicenow]
  enabled = true
  url = "https://x.service-now.com/api/global/em/jsonv2"
  source = "Kapacitor"
  username = "u"
  password = "p"

[zenoss]
  enabled = true
  url = "https://zenoss/zport/dmd/evconsole_router"
  collector = "Kapacitor"
  tid = 2
  [zenoss.severity-map]
    OK = "Clear"
    Info = 2
    Warning = "Warning"
    Critical = 5

[talk]
  enabled = true
  url = "https://jianliao.com/v2/services/webhook/x"
  author_name = "Kapacitor"
`

func TestNotifySectionsParse(t *testing.T) {
	tk := notifyTask(t, kapacitorServices)
	smtp := serviceSection[SMTPConfig](tk, "smtp")
	if smtp.Port != 587 || !smtp.NoVerify || smtp.IdleTimeout != 45*time.Second || smtp.To[0] != "a@example.com" {
		t.Errorf("smtp %+v", smtp)
	}
	if k, ok := kafkaCluster(tk, "main"); !ok || k.Timeout != 5*time.Second || k.BatchTimeout != 2*time.Second || k.BatchSize != 10 {
		t.Errorf("kafka %+v %v", k, ok)
	}
	if m, err := mqttBroker(tk, ""); err != nil || m.Name != "local" {
		t.Errorf("mqtt default broker %+v %v", m, err)
	}
	if s, err := slackWorkspace(tk, "w"); err != nil || s.IconEmoji != ":ghost:" {
		t.Errorf("slack %+v %v", s, err)
	}
	if a := serviceSection[AlertaConfig](tk, "alerta"); a.Timeout != time.Hour || a.TokenPrefix != "Key" {
		t.Errorf("alerta %+v", a)
	}
	z := serviceSection[ZenossConfig](tk, "zenoss")
	if z.SeverityMap.Info != int64(2) || z.SeverityMap.OK != "Clear" || z.TID != 2 || z.Action != "EventsRouter" {
		t.Errorf("zenoss %+v", z)
	}
	if o := serviceSection[OpsGenie2Config](tk, "opsgenie2"); o.RecoveryAction != "close" || !o.Details {
		t.Errorf("opsgenie2 %+v", o)
	}
	// [smtp] is global with state-changes-only: every alert node gets an
	// email handler and sends state changes only.
	cfg := WithGlobalHandlers(tk, AlertConfig{})
	if len(cfg.Handlers) != 1 || cfg.Handlers[0].(*ServiceHandler).Service() != "email" || !cfg.StateChangesOnly {
		t.Errorf("global services: %d handlers, stateChangesOnly %v", len(cfg.Handlers), cfg.StateChangesOnly)
	}
}

func TestNotifySectionDefaults(t *testing.T) {
	tk := notifyTask(t, "")
	if c := serviceSection[TelegramConfig](tk, "telegram"); c.URL != DefaultTelegramURL || c.Enabled {
		t.Errorf("telegram defaults %+v", c)
	}
	if c := serviceSection[SMTPConfig](nil, "smtp"); c.Host != "localhost" || c.Port != 25 {
		t.Errorf("smtp defaults without a task %+v", c)
	}
	if _, err := ParseConfig("[[kafka]]\nenabled = true\nid = 'x'\n"); err == nil {
		t.Error("an enabled kafka cluster without brokers accepted")
	}
}

func TestNotifyRetiredSections(t *testing.T) {
	if _, err := ParseConfig("[pagerduty]\nenabled = false\nservice-key = 'k'\n[opsgenie]\nrecovery_url = 'u'\n[hipchat]\nroom = 'r'\n"); err != nil {
		t.Errorf("disabled retired sections: %v", err)
	}
	_, err := ParseConfig("[pagerduty]\nenabled = true\n")
	if err == nil || err.Error() != "pagerduty: the pagerduty service is not supported (its API is retired); use [pagerduty2]" {
		t.Errorf("enabled pagerduty: %v", err)
	}
}
