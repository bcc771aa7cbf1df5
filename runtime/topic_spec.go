package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// This file reads topic handler specs: the files Kapacitor's
// `kapacitor define-topic-handler FILE` takes, found in the directory that
// [alert] topic-handlers-dir names. Each file is one handler of a named
// topic:
//
//	id: ops-pager
//	topic: ops
//	kind: post
//	match: level() >= WARNING AND "host" == 'db1'
//	options:
//	  url: http://pager.example.com/alerts
//
// The options are those of Kapacitor's handler of that kind, with its names;
// the handler itself is the one an alert node's .post(), .slack(), … makes.

// TopicHandlerSpec is one topic handler spec file.
type TopicHandlerSpec struct {
	ID      string         `json:"id"`
	Topic   string         `json:"topic"`
	Kind    string         `json:"kind"`
	Options map[string]any `json:"options"`
	Match   string         `json:"match"`

	file  string                      // the spec's file, for errors
	match *TopicMatch                 // nil without a match expression
	build func(t *Task) topicDelivery // makes the handler from the decoded options
}

// File returns the path of the file the spec was read from.
func (s *TopicHandlerSpec) File() string { return s.file }

// topicDelivery is a handler a topic hands events to: it queues them, has a
// configuration error or none, and flushes on Close.
type topicDelivery interface {
	AlertHandler
	Close() error
	Err() error
}

// Kapacitor's rules for handler and topic IDs.
var (
	validHandlerID = regexp.MustCompile(`^[-\._\p{L}0-9]+$`)
	validTopicID   = regexp.MustCompile(`^[-:\._\p{L}0-9]+$`)
)

// LoadTopicHandlerSpecs reads the spec files of dir: every *.yaml, *.yml
// and *.json file, in name order. Each error names its file; two specs with
// the same topic and ID are an error.
func LoadTopicHandlerSpecs(dir string) ([]*TopicHandlerSpec, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("topic-handlers-dir: %w", err)
	}
	var specs []*TopicHandlerSpec
	var errs []error
	seen := map[string]string{}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || ext != ".yaml" && ext != ".yml" && ext != ".json" {
			continue
		}
		file := filepath.Join(dir, e.Name())
		s, err := ReadTopicHandlerSpec(file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		key := s.Topic + "/" + s.ID
		if prev, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("%s: handler %q of topic %q is already defined in %s", file, s.ID, s.Topic, prev))
			continue
		}
		seen[key] = file
		specs = append(specs, s)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sort.SliceStable(specs, func(i, j int) bool {
		if specs[i].Topic != specs[j].Topic {
			return specs[i].Topic < specs[j].Topic
		}
		return specs[i].ID < specs[j].ID
	})
	return specs, nil
}

// ReadTopicHandlerSpec reads one spec file, YAML (.yaml, .yml) or JSON
// (.json), and checks it: the IDs, the kind, its options and the match
// expression. Errors start with the file's path.
func ReadTopicHandlerSpec(file string) (*TopicHandlerSpec, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	s, err := parseTopicHandlerSpec(data, strings.ToLower(filepath.Ext(file)) != ".json")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	s.file = file
	return s, nil
}

// parseTopicHandlerSpec decodes and checks a spec; isYAML says how it is
// written.
func parseTopicHandlerSpec(data []byte, isYAML bool) (*TopicHandlerSpec, error) {
	if isYAML {
		j, err := yaml.YAMLToJSON(data)
		if err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
		data = j
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var s TopicHandlerSpec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("invalid handler spec: %w", err)
	}
	switch {
	case !validTopicID.MatchString(s.Topic):
		return nil, fmt.Errorf("handler topic must contain only letters, numbers, '-', '.', ':' and '_': %q", s.Topic)
	case !validHandlerID.MatchString(s.ID):
		return nil, fmt.Errorf("handler ID must contain only letters, numbers, '-', '.' and '_': %q", s.ID)
	case s.Kind == "":
		return nil, errors.New("handler kind must not be empty")
	}
	kind, ok := topicHandlerKinds[s.Kind]
	if !ok {
		if retiredTopicKinds[s.Kind] {
			return nil, fmt.Errorf("handler kind %q: the service's API is retired and tickc does not implement it", s.Kind)
		}
		return nil, fmt.Errorf("unsupported handler kind %q (want one of %s)", s.Kind, strings.Join(topicKindNames(), ", "))
	}
	opts := &specOptions{m: s.Options, used: map[string]bool{}}
	s.build = kind(opts)
	if err := opts.finish(); err != nil {
		return nil, fmt.Errorf("%s options: %w", s.Kind, err)
	}
	if s.Match != "" {
		m, err := ParseTopicMatch(s.Match)
		if err != nil {
			return nil, err
		}
		s.match = m
	}
	return &s, nil
}

// retiredTopicKinds are Kapacitor's kinds of services whose APIs are gone.
var retiredTopicKinds = map[string]bool{"pagerduty": true, "opsgenie": true, "hipchat": true}

// topicKindNames returns the supported kinds, sorted.
func topicKindNames() []string {
	names := make([]string, 0, len(topicHandlerKinds))
	for k := range topicHandlerKinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// topicHandlerKinds decode the options of each kind, with the names of
// Kapacitor's handler configs, and return how to make the handler.
var topicHandlerKinds map[string]func(o *specOptions) func(t *Task) topicDelivery

func init() {
	topicHandlerKinds = map[string]func(o *specOptions) func(t *Task) topicDelivery{
		"post": func(o *specOptions) func(t *Task) topicDelivery {
			c := PostHandlerConfig{
				URL: o.str("url"), Endpoint: o.str("endpoint"), Headers: o.strMap("headers"),
				CaptureResponse: o.boolean("capture-response"), Timeout: o.duration("timeout"),
				SkipSSLVerification: o.boolean("skip-ssl-verification"),
			}
			return func(t *Task) topicDelivery { return NewPostHandler(t, c) }
		},
		"tcp": func(o *specOptions) func(t *Task) topicDelivery {
			c := TCPHandlerConfig{Address: o.str("address")}
			return func(t *Task) topicDelivery { return NewTCPHandler(t, c) }
		},
		"log": func(o *specOptions) func(t *Task) topicDelivery {
			c := LogHandlerConfig{Path: o.str("path"), Mode: os.FileMode(o.integer("mode"))}
			return func(t *Task) topicDelivery { return NewLogHandler(t, c) }
		},
		"exec": func(o *specOptions) func(t *Task) topicDelivery {
			c := ExecHandlerConfig{Prog: o.str("prog"), Args: o.strs("args")}
			return func(t *Task) topicDelivery { return NewExecHandler(t, c) }
		},
		"smtp": func(o *specOptions) func(t *Task) topicDelivery {
			c := EmailHandlerConfig{To: o.strs("to"), ToTemplates: o.strs("to-field")}
			return func(t *Task) topicDelivery { return NewEmailHandler(t, c) }
		},
		"mqtt": func(o *specOptions) func(t *Task) topicDelivery {
			c := MQTTHandlerConfig{BrokerName: o.str("broker-name"), Topic: o.str("topic"), QoS: o.qos("qos"), Retained: o.boolean("retained")}
			return func(t *Task) topicDelivery { return NewMQTTHandler(t, c) }
		},
		"kafka": func(o *specOptions) func(t *Task) topicDelivery {
			c := KafkaHandlerConfig{
				Cluster: o.str("cluster"), Topic: o.str("topic"), Template: o.str("template"),
				DisablePartitionByID: o.boolean("disablePartitionById"), PartitionAlgorithm: o.str("partitionAlgorithm"),
			}
			return func(t *Task) topicDelivery { return NewKafkaHandler(t, c) }
		},
		"slack": func(o *specOptions) func(t *Task) topicDelivery {
			c := SlackHandlerConfig{Workspace: o.str("workspace"), Channel: o.str("channel"), Username: o.str("username"), IconEmoji: o.str("icon-emoji")}
			return func(t *Task) topicDelivery { return NewSlackHandler(t, c) }
		},
		"pagerduty2": func(o *specOptions) func(t *Task) topicDelivery {
			c := PagerDuty2HandlerConfig{RoutingKey: o.str("routing-key")}
			for _, l := range o.objects("links") {
				c.Links = append(c.Links, PagerDuty2Link{Href: l.str("href"), Text: l.str("text")})
			}
			return func(t *Task) topicDelivery { return NewPagerDuty2Handler(t, c) }
		},
		"opsgenie2": func(o *specOptions) func(t *Task) topicDelivery {
			c := OpsGenie2HandlerConfig{Teams: o.strs("teams-list"), Recipients: o.strs("recipients-list"), RecoveryAction: o.str("recovery_action")}
			return func(t *Task) topicDelivery { return NewOpsGenie2Handler(t, c) }
		},
		"victorops": func(o *specOptions) func(t *Task) topicDelivery {
			c := VictorOpsHandlerConfig{RoutingKey: o.str("routing-key")}
			return func(t *Task) topicDelivery { return NewVictorOpsHandler(t, c) }
		},
		"telegram": func(o *specOptions) func(t *Task) topicDelivery {
			c := TelegramHandlerConfig{
				ChatID: o.str("chat-id"), ParseMode: o.str("parse-mode"),
				DisableWebPagePreview: o.boolean("disable-web-page-preview"), DisableNotification: o.boolean("disable-notification"),
			}
			return func(t *Task) topicDelivery { return NewTelegramHandler(t, c) }
		},
		"pushover": func(o *specOptions) func(t *Task) topicDelivery {
			c := PushoverHandlerConfig{
				UserKey: o.str("user-key"), Device: o.str("device"), Title: o.str("title"),
				URL: o.str("url"), URLTitle: o.str("url-title"), Sound: o.str("sound"),
			}
			return func(t *Task) topicDelivery { return NewPushoverHandler(t, c) }
		},
		"teams": func(o *specOptions) func(t *Task) topicDelivery {
			c := TeamsHandlerConfig{ChannelURL: o.str("channel-url")}
			return func(t *Task) topicDelivery { return NewTeamsHandler(t, c) }
		},
		"discord": func(o *specOptions) func(t *Task) topicDelivery {
			c := DiscordHandlerConfig{Workspace: o.str("workspace"), Username: o.str("username"), AvatarURL: o.str("avatar-url"), EmbedTitle: o.str("embed-title")}
			return func(t *Task) topicDelivery { return NewDiscordHandler(t, c) }
		},
		"snmptrap": func(o *specOptions) func(t *Task) topicDelivery {
			c := SNMPTrapHandlerConfig{TrapOID: o.str("trap-oid")}
			for _, d := range o.objects("data-list") {
				c.Data = append(c.Data, SNMPTrapData{OID: d.str("oid"), Type: d.str("type"), Value: d.str("value")})
			}
			return func(t *Task) topicDelivery { return NewSNMPTrapHandler(t, c) }
		},
		"alerta": func(o *specOptions) func(t *Task) topicDelivery {
			c := AlertaHandlerConfig{
				Token: o.str("token"), TokenPrefix: o.str("token-prefix"), Resource: o.str("resource"), Event: o.str("event"),
				Environment: o.str("environment"), Group: o.str("group"), Value: o.str("value"), Origin: o.str("origin"),
				Services: o.strs("service"), Correlate: o.strs("correlate"), Attributes: o.anyMap("attributes"), Timeout: o.duration("timeout"),
			}
			return func(t *Task) topicDelivery { return NewAlertaHandler(t, c) }
		},
		"sensu": func(o *specOptions) func(t *Task) topicDelivery {
			c := SensuHandlerConfig{Source: o.str("source"), Handlers: o.strs("handlers"), Metadata: o.anyMap("metadata")}
			return func(t *Task) topicDelivery { return NewSensuHandler(t, c) }
		},
		"bigpanda": func(o *specOptions) func(t *Task) topicDelivery {
			c := BigPandaHandlerConfig{
				AppKey: o.str("app-key"), URL: o.str("url"), Host: o.str("host"), PrimaryProperty: o.str("primary-property"),
				SecondaryProperty: o.str("secondary-property"), Attributes: o.anyMap("attributes"),
			}
			return func(t *Task) topicDelivery { return NewBigPandaHandler(t, c) }
		},
		"servicenow": func(o *specOptions) func(t *Task) topicDelivery {
			// The URL, username and password of a handler are read and, as in
			// Kapacitor, the section's are used. The documentation's names of
			// the fields (metric_name, message_key) and those Kapacitor's
			// decoder matches (metricname, messagekey) are both accepted.
			_, _, _ = o.str("url"), o.str("username"), o.str("password")
			c := ServiceNowHandlerConfig{
				Source: o.str("source"), Node: o.str("node"), Type: o.str("type"), Resource: o.str("resource"),
				MetricName: firstNonEmpty(o.str("metric_name"), o.str("metricname")), MessageKey: firstNonEmpty(o.str("message_key"), o.str("messagekey")),
				AdditionalInfo: o.anyMap("additional_info"),
			}
			return func(t *Task) topicDelivery { return NewServiceNowHandler(t, c) }
		},
		"zenoss": func(o *specOptions) func(t *Task) topicDelivery {
			// As for servicenow: evclasskey and evclass, or eventclasskey and
			// eventclass.
			c := ZenossHandlerConfig{
				Action: o.str("action"), Method: o.str("method"), Type: o.str("type"), TID: o.integer("tid"),
				Summary: o.str("summary"), Device: o.str("device"), Component: o.str("component"),
				EventClassKey: firstNonEmpty(o.str("evclasskey"), o.str("eventclasskey")), EventClass: firstNonEmpty(o.str("evclass"), o.str("eventclass")),
				Collector: o.str("collector"),
				Message:   o.str("message"), CustomFields: o.anyMap("customField"),
			}
			return func(t *Task) topicDelivery { return NewZenossHandler(t, c) }
		},
		"talk": func(o *specOptions) func(t *Task) topicDelivery {
			return func(t *Task) topicDelivery { return NewTalkHandler(t, TalkHandlerConfig{}) }
		},
	}
}

// specOptions reads the options of a spec. Keys match case-insensitively,
// as Kapacitor's decoder matches them; a value of the wrong type and a key
// that no option reads are errors (finish reports them).
type specOptions struct {
	prefix   string // the path of nested options, for errors: "links[0]."
	m        map[string]any
	used     map[string]bool
	errs     *[]error
	children []*specOptions // the maps objects read
}

// get returns the value of key and marks it read.
func (o *specOptions) get(key string) (any, bool) {
	if v, ok := o.m[key]; ok {
		o.used[key] = true
		return v, true
	}
	for k, v := range o.m {
		if strings.EqualFold(k, key) {
			o.used[k] = true
			return v, true
		}
	}
	return nil, false
}

func (o *specOptions) fail(key string, format string, args ...any) {
	if o.errs == nil {
		o.errs = new([]error)
	}
	*o.errs = append(*o.errs, fmt.Errorf("%s%s: %s", o.prefix, key, fmt.Sprintf(format, args...)))
}

func (o *specOptions) str(key string) string {
	v, ok := o.get(key)
	if !ok || v == nil {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	o.fail(key, "want a string, got %s", jsonKind(v))
	return ""
}

func (o *specOptions) strs(key string) []string {
	v, ok := o.get(key)
	if !ok || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		o.fail(key, "want a list of strings, got %s", jsonKind(v))
		return nil
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			o.fail(fmt.Sprintf("%s[%d]", key, i), "want a string, got %s", jsonKind(e))
			continue
		}
		out = append(out, s)
	}
	return out
}

func (o *specOptions) boolean(key string) bool {
	v, ok := o.get(key)
	if !ok || v == nil {
		return false
	}
	switch v := v.(type) {
	case bool:
		return v
	case string:
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	o.fail(key, "want a boolean, got %s", jsonKind(v))
	return false
}

func (o *specOptions) integer(key string) int64 {
	v, ok := o.get(key)
	if !ok || v == nil {
		return 0
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
		if f, err := n.Float64(); err == nil && f == float64(int64(f)) {
			return int64(f)
		}
	}
	o.fail(key, "want an integer, got %s", jsonKind(v))
	return 0
}

// duration reads a duration: an integer of nanoseconds, as Kapacitor
// decodes it, or a Go duration string such as "10s".
func (o *specOptions) duration(key string) time.Duration {
	v, ok := o.get(key)
	if !ok || v == nil {
		return 0
	}
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return time.Duration(i)
		}
	case string:
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	o.fail(key, "want a duration (nanoseconds or a string such as \"10s\"), got %s", jsonKind(v))
	return 0
}

// qos reads an MQTT QoS: 0, 1, 2 or Kapacitor's names of them.
func (o *specOptions) qos(key string) byte {
	v, ok := o.get(key)
	if !ok || v == nil {
		return 0
	}
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil && i >= 0 && i <= 2 {
			return byte(i)
		}
	case string:
		switch v {
		case "at-most-once":
			return 0
		case "at-least-once":
			return 1
		case "exactly-once", "exactly-one":
			return 2
		}
	}
	o.fail(key, "invalid QoS %v: want 0, 1, 2, at-most-once, at-least-once or exactly-once", v)
	return 0
}

func (o *specOptions) anyMap(key string) map[string]any {
	v, ok := o.get(key)
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		o.fail(key, "want a map, got %s", jsonKind(v))
		return nil
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = plainJSON(e)
	}
	return out
}

func (o *specOptions) strMap(key string) map[string]string {
	m := o.anyMap(key)
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		s, ok := e.(string)
		if !ok {
			o.fail(key+"."+k, "want a string, got %s", jsonKind(e))
			continue
		}
		out[k] = s
	}
	return out
}

// objects reads a list of maps, each read with its own specOptions whose
// errors and unknown keys are reported with the others.
func (o *specOptions) objects(key string) []*specOptions {
	v, ok := o.get(key)
	if !ok || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		o.fail(key, "want a list of maps, got %s", jsonKind(v))
		return nil
	}
	if o.errs == nil {
		o.errs = new([]error)
	}
	var out []*specOptions
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			o.fail(fmt.Sprintf("%s[%d]", key, i), "want a map, got %s", jsonKind(e))
			continue
		}
		out = append(out, &specOptions{prefix: fmt.Sprintf("%s%s[%d].", o.prefix, key, i), m: m, used: map[string]bool{}, errs: o.errs})
	}
	o.children = append(o.children, out...)
	return out
}

// finish returns the errors of the options read and of the keys none read.
func (o *specOptions) finish() error {
	var unknown []string
	for _, c := range append([]*specOptions{o}, o.children...) {
		for k := range c.m {
			if !c.used[k] {
				unknown = append(unknown, c.prefix+k)
			}
		}
	}
	var errs []error
	if o.errs != nil {
		errs = *o.errs
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		errs = append(errs, fmt.Errorf("unknown options: %s", strings.Join(unknown, ", ")))
	}
	return errors.Join(errs...)
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}

// plainJSON turns the json.Numbers of a decoded value into int64 or float64,
// as the handlers' free-form maps (attributes, metadata, …) expect them.
func plainJSON(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = plainJSON(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = plainJSON(e)
		}
		return out
	}
	return v
}
