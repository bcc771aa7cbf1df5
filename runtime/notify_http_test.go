package runtime

import (
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// notifyData is the data of notifyEvent as Kapacitor encodes models.Result.
const notifyData = `{"series":[{"name":"cpu","tags":{"host":"serverA"},"columns":["time","value"],"values":[["1970-01-01T00:01:00Z",95.5]]}]}`

// notifyEvent is a critical event of an ungrouped cpu alert at one minute
// past the epoch.
func notifyEvent(t *testing.T, level AlertLevel) *AlertEvent {
	t.Helper()
	ev := &AlertEvent{
		ID: "cpu-alert", Message: "cpu is " + level.String(), Details: "details", Time: int64(time.Minute),
		Duration: 10 * time.Second, Level: level, Recoverable: true,
		Name: "cpu", TaskName: "task",
		Tags:   Tags{{Key: "host", Value: "serverA"}},
		Fields: Fields{{Key: "value", Value: stdlib.Float(95.5)}},
		Data: Result{Series: []*Row{{
			Name: "cpu", Tags: map[string]string{"host": "serverA"}, Columns: []string{"time", "value"},
			Values: [][]any{{TimeValue(int64(time.Minute)), 95.5}},
		}}},
	}
	body, err := ev.encodeBody()
	if err != nil {
		t.Fatal(err)
	}
	ev.Body = body
	return ev
}

// notifyTask returns a task whose configuration is the TOML text.
func notifyTask(t *testing.T, text string) *Task {
	t.Helper()
	cfg, err := ParseConfig(text)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, text)
	}
	return &Task{Name: "task", Config: cfg, Handlers: true}
}

// deliverOne hands ev to h, closes it and checks that it was delivered.
func deliverOne(t *testing.T, h *ServiceHandler, ev *AlertEvent) {
	t.Helper()
	if err := h.Err(); err != nil {
		t.Fatalf("handler error: %v", err)
	}
	h.Handle(ev)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if s := h.Stats(); s.Delivered.Load() != 1 {
		t.Fatalf("delivered %d, failed %d, dropped %d; want 1 delivered", s.Delivered.Load(), s.Failed.Load(), s.Dropped.Load())
	}
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestNotifyHTTPServices(t *testing.T) {
	rec := newPostRecorder(t)
	u := rec.srv.URL
	cases := []struct {
		name    string
		config  string
		handler func(*Task) *ServiceHandler
		level   AlertLevel
		path    string
		headers map[string]string
		body    string
	}{
		{
			name:    "slack",
			config:  "[[slack]]\nenabled = true\nurl = '" + u + "/slack'\nchannel = '#alerts'\ntoken = 'tok'\n",
			handler: func(tk *Task) *ServiceHandler { return NewSlackHandler(tk, SlackHandlerConfig{IconEmoji: ":fire:"}) },
			level:   AlertCritical, path: "/slack",
			headers: map[string]string{"Authorization": "Bearer tok", "Content-Type": "application/json"},
			body:    `{"attachments":[{"fallback":"cpu is CRITICAL","color":"danger","text":"cpu is CRITICAL","mrkdwn_in":["text"]}],"channel":"#alerts","icon_emoji":":fire:","text":"","username":"kapacitor"}` + "\n",
		},
		{
			name:   "slack workspace",
			config: "[[slack]]\nenabled = true\ndefault = true\nworkspace = 'a'\nurl = '" + u + "/a'\n[[slack]]\nenabled = true\nworkspace = 'b'\nurl = '" + u + "/b'\nusername = 'bee'\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewSlackHandler(tk, SlackHandlerConfig{Workspace: "b", Channel: "#b"})
			},
			level: AlertWarning, path: "/b",
			body: `{"attachments":[{"fallback":"cpu is WARNING","color":"warning","text":"cpu is WARNING","mrkdwn_in":["text"]}],"channel":"#b","icon_emoji":"","text":"","username":"bee"}` + "\n",
		},
		{
			name:   "teams",
			config: "[teams]\nenabled = true\nchannel-url = 'http://unused.invalid/'\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewTeamsHandler(tk, TeamsHandlerConfig{ChannelURL: u + "/teams"})
			},
			level: AlertCritical, path: "/teams",
			body: `{"@type":"MessageCard","@context":"http://schema.org/extensions","title":"CRITICAL: [cpu-alert]","text":"cpu is CRITICAL","summary":"CRITICAL: [cpu-alert] - cpu is CRITICAL...","themeColor":"CC4A31"}`,
		},
		{
			name:   "discord",
			config: "[[discord]]\nenabled = true\nurl = '" + u + "/discord'\ntimestamp = true\nusername = 'bot'\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewDiscordHandler(tk, DiscordHandlerConfig{EmbedTitle: "{{ .Name }} alert"})
			},
			level: AlertCritical, path: "/discord",
			body: `{"avatar_url":"","embeds":[{"color":16342867,"title":"cpu alert","description":"cpu is CRITICAL","timestamp":"1970-01-01T00:01:00Z"}],"username":"bot"}` + "\n",
		},
		{
			name:   "telegram",
			config: "[telegram]\nenabled = true\nurl = '" + u + "/bot'\ntoken = 'TOKEN'\nchat-id = '123'\ndisable-notification = true\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewTelegramHandler(tk, TelegramHandlerConfig{ParseMode: "HTML"})
			},
			level: AlertCritical, path: "/botTOKEN/sendMessage",
			body: `{"chat_id":"123","disable_notification":true,"parse_mode":"HTML","text":"cpu is CRITICAL"}` + "\n",
		},
		{
			name:    "victorOps",
			config:  "[victorops]\nenabled = true\nurl = '" + u + "/vo'\napi-key = 'KEY'\nrouting-key = 'rk'\n",
			handler: func(tk *Task) *ServiceHandler { return NewVictorOpsHandler(tk, VictorOpsHandlerConfig{}) },
			level:   AlertOK, path: "/vo/KEY/rk",
			body: `{"data":` + jsonString(notifyData) + `,"entity_id":"cpu-alert","message_type":"RECOVERY","monitoring_tool":"kapacitor","state_message":"cpu is OK","timestamp":60}` + "\n",
		},
		{
			name:   "victorOps json-data",
			config: "[victorops]\nenabled = true\nurl = '" + u + "/vo'\napi-key = 'KEY'\njson-data = true\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewVictorOpsHandler(tk, VictorOpsHandlerConfig{RoutingKey: "team"})
			},
			level: AlertWarning, path: "/vo/KEY/team",
			body: `{"data":` + notifyData + `,"entity_id":"cpu-alert","message_type":"WARNING","monitoring_tool":"kapacitor","state_message":"cpu is WARNING","timestamp":60}` + "\n",
		},
		{
			name:   "pagerDuty2",
			config: "[pagerduty2]\nenabled = true\nurl = '" + u + "/pd'\nrouting-key = 'rk'\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewPagerDuty2Handler(tk, PagerDuty2HandlerConfig{Links: []PagerDuty2Link{{Href: "http://x/{{ .ID }}"}, {Href: "http://y", Text: "{{ .Level }}"}}})
			},
			level: AlertCritical, path: "/pd",
			headers: map[string]string{"Accept": "application/vnd.pagerduty+json;version=2"},
			body: `{"routing_key":"rk","event_action":"trigger","dedup_key":"cpu-alert","payload":{"summary":"cpu is CRITICAL","source":"serverA","severity":"critical","timestamp":"1970-01-01T00:01:00.000000000Z","class":"task","component":"","group":"","custom_details":{"result":` + notifyData + `}},"images":null,` +
				`"links":[{"href":"http://x/cpu-alert","text":"http://x/cpu-alert"},{"href":"http://y","text":"CRITICAL"}],"client":"kapacitor","client_url":"http://localhost:9092/kapacitor/v1"}` + "\n",
		},
		{
			name:   "opsGenie2",
			config: "[opsgenie2]\nenabled = true\nurl = '" + u + "/og'\napi-key = 'KEY'\nteams = ['ops']\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewOpsGenie2Handler(tk, OpsGenie2HandlerConfig{Recipients: []string{"bob"}})
			},
			level: AlertCritical, path: "/og",
			headers: map[string]string{"Authorization": "GenieKey KEY"},
			body: `{"alias":"Y3B1LWFsZXJ0","description":` + jsonString(notifyData) + `,"details":{"Kapacitor Task Name":"cpu","Level":"CRITICAL","Monitoring Tool":"Kapacitor","host":"serverA"},` +
				`"entity":"cpu-alert","message":"cpu is CRITICAL","note":"","priority":"P1","responders":[{"name":"ops","type":"team"},{"type":"user","username":"bob"}]}` + "\n",
		},
		{
			name:   "opsGenie2 recovery",
			config: "[opsgenie2]\nenabled = true\nurl = '" + u + "/og'\napi-key = 'KEY'\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewOpsGenie2Handler(tk, OpsGenie2HandlerConfig{RecoveryAction: "close"})
			},
			level: AlertOK, path: "/og/Y3B1LWFsZXJ0/close",
			body: `{"note":"cpu is OK"}` + "\n",
		},
		{
			name:    "pushover",
			config:  "[pushover]\nenabled = true\nurl = '" + u + "/po'\ntoken = 'TOK'\nuser-key = 'USR'\n",
			handler: func(tk *Task) *ServiceHandler { return NewPushoverHandler(tk, PushoverHandlerConfig{Sound: "siren"}) },
			level:   AlertCritical, path: "/po",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body:    "message=cpu+is+CRITICAL&priority=1&sound=siren&token=TOK&user=USR",
		},
		{
			name:    "talk",
			config:  "[talk]\nenabled = true\nurl = '" + u + "/talk'\nauthor_name = 'kapacitor'\n",
			handler: func(tk *Task) *ServiceHandler { return NewTalkHandler(tk, TalkHandlerConfig{}) },
			level:   AlertCritical, path: "/talk",
			body: `{"authorName":"kapacitor","text":"cpu is CRITICAL","title":"cpu-alert"}` + "\n",
		},
		{
			name:   "alerta",
			config: "[alerta]\nenabled = true\nurl = '" + u + "/api'\ntoken = 'T'\nenvironment = 'prod'\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewAlertaHandler(tk, AlertaHandlerConfig{Attributes: map[string]any{"n": int64(3)}})
			},
			level: AlertCritical, path: "/api/alert",
			headers: map[string]string{"Authorization": "Bearer T"},
			body: `{"attributes":{"n":3},"correlate":["cpu"],"environment":"prod","event":"cpu-alert","group":"nil","origin":"","rawData":` + notifyData +
				`,"resource":"cpu","service":["cpu"],"severity":"critical","tags":["host=serverA"],"text":"cpu is CRITICAL","timeout":86400,"value":""}` + "\n",
		},
		{
			name:   "bigPanda",
			config: "[bigpanda]\nenabled = true\nurl = '" + u + "/bp'\ntoken = 'T'\napp-key = 'APP'\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewBigPandaHandler(tk, BigPandaHandlerConfig{Host: `{{ index .Tags "host" }}`})
			},
			level: AlertCritical, path: "/bp",
			headers: map[string]string{"Authorization": "Bearer T"},
			body:    `{"app_key":"APP","check":"cpu-alert","description":"cpu is CRITICAL","details":"details","host":"serverA","status":"critical","task":"task:cpu","timestamp":60,"value":"95.5"}`,
		},
		{
			name:   "serviceNow",
			config: "[servicenow]\nenabled = true\nurl = '" + u + "/sn'\nsource = 'kap'\nusername = 'u'\npassword = 'p'\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewServiceNowHandler(tk, ServiceNowHandlerConfig{Node: `{{ index .Tags "host" }}`, AdditionalInfo: map[string]any{"env": "prod"}})
			},
			level: AlertCritical, path: "/sn",
			headers: map[string]string{"Authorization": "Basic dTpw"},
			body:    `{"records":[{"source":"kap","node":"serverA","message_key":"cpu-alert","severity":"1","description":"cpu is CRITICAL","additional_info":"{\"env\":\"prod\"}"}]}`,
		},
		{
			name:   "zenoss",
			config: "[zenoss]\nenabled = true\nurl = '" + u + "/z'\n",
			handler: func(tk *Task) *ServiceHandler {
				return NewZenossHandler(tk, ZenossHandlerConfig{Device: `{{ index .Tags "host" }}`, CustomFields: map[string]any{"j": `{"a":1}`}})
			},
			level: AlertCritical, path: "/z",
			body: `{"action":"EventsRouter","method":"add_event","data":[{"collector":"Kapacitor","component":"","device":"serverA","evclass":"","evclasskey":"","j":{"a":1},"severity":"Critical","summary":"cpu is CRITICAL"}],"type":"rpc","tid":1}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(rec.got())
			deliverOne(t, c.handler(notifyTask(t, c.config)), notifyEvent(t, c.level))
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.bodies) != before+1 {
				t.Fatalf("%d requests, want 1", len(rec.bodies)-before)
			}
			if got := string(rec.bodies[before]); got != c.body {
				t.Errorf("body\n got: %s\nwant: %s", got, c.body)
			}
			if got := rec.paths[before]; got != c.path {
				t.Errorf("path %q, want %q", got, c.path)
			}
			for k, v := range c.headers {
				if got := rec.headers[before].Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestNotifyDisabledServiceFails(t *testing.T) {
	rec := newPostRecorder(t)
	tk := notifyTask(t, "[talk]\nurl = '"+rec.srv.URL+"'\n")
	h := NewTalkHandler(tk, TalkHandlerConfig{})
	h.Handle(notifyEvent(t, AlertCritical))
	h.Close()
	if h.Stats().Failed.Load() != 1 || len(rec.got()) != 0 {
		t.Fatalf("failed %d, requests %d; want 1 failure and no request", h.Stats().Failed.Load(), len(rec.got()))
	}
}

func TestNotifyConfigErrors(t *testing.T) {
	tk := notifyTask(t, "")
	for name, h := range map[string]*ServiceHandler{
		"discord template": NewDiscordHandler(tk, DiscordHandlerConfig{EmbedTitle: "{{ .Name "}),
		"kafka cluster":    NewKafkaHandler(tk, KafkaHandlerConfig{Cluster: "nope", Topic: "x"}),
		"mqtt broker":      NewMQTTHandler(tk, MQTTHandlerConfig{Topic: "x"}),
		"snmp oid":         NewSNMPTrapHandler(tk, SNMPTrapHandlerConfig{TrapOID: "1.x"}),
		"snmp type":        NewSNMPTrapHandler(tk, SNMPTrapHandlerConfig{TrapOID: "1.3.6.1", Data: []SNMPTrapData{{OID: "1.3.6.1.2", Type: "a"}}}),
		"exec program":     NewExecHandler(tk, ExecHandlerConfig{}),
		"email template":   NewEmailHandler(tk, EmailHandlerConfig{ToTemplates: []string{"{{"}}),
	} {
		if h.Err() == nil {
			t.Errorf("%s: no error", name)
		}
		h.Handle(notifyEvent(t, AlertCritical)) // must not panic nor deliver
		h.Close()
	}
	if _, err := ParseConfig("[smtp]\nhostt = 'x'\n"); err == nil || !strings.Contains(err.Error(), "smtp.hostt") {
		t.Errorf("unknown smtp key: %v", err)
	}
}

func TestNotifySensu(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- string(b)
		io.WriteString(c, "ok")
	}()
	tk := notifyTask(t, "[sensu]\nenabled = true\naddr = '"+ln.Addr().String()+"'\n")
	deliverOne(t, NewSensuHandler(tk, SensuHandlerConfig{Handlers: []string{"mail"}, Metadata: map[string]any{"zone": "eu"}}), notifyEvent(t, AlertWarning))
	want := `{"handlers":["mail"],"name":"cpu-alert","output":"cpu is WARNING","source":"Kapacitor","status":1,"zone":"eu"}` + "\n"
	if b := <-got; b != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestNotifyExec(t *testing.T) {
	out := filepath.Join(t.TempDir(), "event.json")
	h := NewExecHandler(nil, ExecHandlerConfig{Prog: "/bin/sh", Args: []string{"-c", "cat > " + out}})
	ev := notifyEvent(t, AlertCritical)
	deliverOne(t, h, ev)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(ev.Body) {
		t.Errorf("stdin got %s, want %s", b, ev.Body)
	}
	fail := NewExecHandler(nil, ExecHandlerConfig{Prog: "/bin/sh", Args: []string{"-c", "exit 3"}})
	fail.Handle(ev)
	fail.Close()
	if fail.Stats().Failed.Load() != 1 || fail.Stats().Retries.Load() != 0 {
		t.Errorf("a failing program: failed %d retries %d, want 1 and 0", fail.Stats().Failed.Load(), fail.Stats().Retries.Load())
	}
}

func TestNotifyGlobalHandlers(t *testing.T) {
	rec := newPostRecorder(t)
	tk := notifyTask(t, "[talk]\nenabled = true\n[teams]\nenabled = true\nglobal = true\nstate-changes-only = true\nchannel-url = '"+rec.srv.URL+"/teams'\n"+
		"[[slack]]\nenabled = true\nglobal = true\nurl = '"+rec.srv.URL+"/slack'\n")
	explicit := NewSlackHandler(tk, SlackHandlerConfig{Channel: "#x"})
	cfg := WithGlobalHandlers(tk, AlertConfig{Handlers: []AlertHandler{explicit}})
	if !cfg.StateChangesOnly {
		t.Error("teams state-changes-only did not make the node send state changes only")
	}
	var kinds []string
	for _, h := range cfg.Handlers {
		kinds = append(kinds, h.(*ServiceHandler).Service())
	}
	if got := strings.Join(kinds, ","); got != "slack,teams" {
		t.Errorf("handlers %s, want slack,teams (slack is explicit, so not added again)", got)
	}
	none := WithGlobalHandlers(notifyTask(t, ""), AlertConfig{})
	if len(none.Handlers) != 0 || none.StateChangesOnly {
		t.Errorf("no global service: %d handlers, stateChangesOnly %v", len(none.Handlers), none.StateChangesOnly)
	}
}
