package codegen

import (
	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

// This file maps the service alert handlers (everything but post, tcp and
// log) to their runtime constructors:
//
//	tickrt.NewSlackHandler(t, tickrt.SlackHandlerConfig{Channel: "#alerts"}),
//	tickrt.NewEmailHandler(t, tickrt.EmailHandlerConfig{To: []string{"oncall@example.com"}}),
//
// Each handler's properties become fields of its config, as Kapacitor's
// alert node builds its handler configs; the rest comes from the service's
// configuration section at run time.

// notifyHandler emits the constructor of a service handler, or reports a
// handler tickc does not implement.
func (g *generator) notifyHandler(h *ir.Handler) jen.Code {
	cfg := jen.Dict{}
	// fields holds what properties set, by field name, so that a property
	// called twice (or two aliases) sets its field once, the last call winning.
	fields := map[string]jen.Code{}
	str := func(c ir.Call, i int) string {
		if i < len(c.Args) && c.Args[i].Type() == stdlib.TypeString {
			return c.Args[i].Str()
		}
		return ""
	}
	strs := func(vs []stdlib.Value) []string {
		var out []string
		for _, v := range vs {
			if v.Type() == stdlib.TypeString {
				out = append(out, v.Str())
			}
		}
		return out
	}
	// props sets string fields from the last call of each property.
	props := func(names map[string]string) {
		for _, c := range h.Props {
			if f, ok := names[c.Name]; ok {
				fields[f] = jen.Lit(str(c, 0))
			}
		}
	}
	// scalars collects the (key, value) calls of a property as a map.
	scalars := func(prop, field string) {
		m := map[string]stdlib.Value{}
		for _, c := range h.All(prop) {
			if len(c.Args) == 2 {
				m[str(c, 0)] = c.Args[1]
			}
		}
		d := jen.Dict{}
		for k, v := range m {
			d[jen.Lit(k)] = scalarLit(v)
		}
		if len(d) > 0 {
			cfg[jen.Id(field)] = jen.Map(jen.String()).Any().Values(d)
		}
	}
	flag := func(prop, field string) {
		if _, ok := h.Last(prop); ok {
			cfg[jen.Id(field)] = jen.True()
		}
	}
	var ctor, typ string
	switch h.Kind {
	case "email":
		ctor, typ = "NewEmailHandler", "EmailHandlerConfig"
		to := strs(h.Args)
		for _, c := range h.All("to") {
			to = append(to, strs(c.Args)...)
		}
		setStrings(cfg, "To", to)
		var tmpls []string
		for _, c := range h.All("toTemplates") {
			tmpls = append(tmpls, strs(c.Args)...)
		}
		setStrings(cfg, "ToTemplates", tmpls)
	case "exec":
		ctor, typ = "NewExecHandler", "ExecHandlerConfig"
		cmd := strs(h.Args)
		if c, ok := h.Last("command"); ok {
			cmd = strs(c.Args)
		}
		if len(cmd) == 0 {
			g.errorf(h.Pos, "exec needs a program")
			return nil
		}
		cfg[jen.Id("Prog")] = jen.Lit(cmd[0])
		setStrings(cfg, "Args", cmd[1:])
	case "mqtt":
		ctor, typ = "NewMQTTHandler", "MQTTHandlerConfig"
		if len(h.Args) > 0 && h.Args[0].Type() == stdlib.TypeString {
			fields["Topic"] = jen.Lit(h.Args[0].Str())
		}
		props(map[string]string{"brokerName": "BrokerName", "topic": "Topic"})
		if c, ok := h.Last("qos"); ok && len(c.Args) == 1 && c.Args[0].Type() == stdlib.TypeInt {
			if q := c.Args[0].Int(); q < 0 || q > 2 {
				g.errorf(c.Pos, "mqtt qos must be 0, 1 or 2, got %d", q)
				return nil
			}
			setLit(cfg, "QoS", c.Args[0].Int())
		}
		if c, ok := h.Last("retained"); ok && len(c.Args) == 1 && c.Args[0].Type() == stdlib.TypeBool {
			setLit(cfg, "Retained", c.Args[0].Bool())
		}
	case "kafka":
		ctor, typ = "NewKafkaHandler", "KafkaHandlerConfig"
		props(map[string]string{"cluster": "Cluster", "kafkaTopic": "Topic", "partitionHashAlgorithm": "PartitionAlgorithm", "template": "Template"})
		flag("disablePartitionById", "DisablePartitionByID")
	case "slack":
		ctor, typ = "NewSlackHandler", "SlackHandlerConfig"
		props(map[string]string{"workspace": "Workspace", "channel": "Channel", "username": "Username", "iconEmoji": "IconEmoji"})
	case "pagerDuty2":
		ctor, typ = "NewPagerDuty2Handler", "PagerDuty2HandlerConfig"
		props(map[string]string{"routingKey": "RoutingKey", "serviceKey": "RoutingKey"})
		var links []jen.Code
		for _, c := range h.All("link") {
			d := jen.Dict{jen.Id("Href"): jen.Lit(str(c, 0))}
			if t := str(c, 1); t != "" {
				d[jen.Id("Text")] = jen.Lit(t)
			}
			links = append(links, jen.Values(d))
		}
		if len(links) > 0 {
			cfg[jen.Id("Links")] = jen.Index().Qual(rt, "PagerDuty2Link").Values(links...)
		}
	case "opsGenie2":
		ctor, typ = "NewOpsGenie2Handler", "OpsGenie2HandlerConfig"
		var teams, recipients []string
		for _, c := range h.All("teams") {
			teams = append(teams, strs(c.Args)...)
		}
		for _, c := range h.All("recipients") {
			recipients = append(recipients, strs(c.Args)...)
		}
		setStrings(cfg, "Teams", teams)
		setStrings(cfg, "Recipients", recipients)
		props(map[string]string{"recoveryAction": "RecoveryAction"})
	case "victorOps":
		ctor, typ = "NewVictorOpsHandler", "VictorOpsHandlerConfig"
		props(map[string]string{"routingKey": "RoutingKey"})
	case "telegram":
		ctor, typ = "NewTelegramHandler", "TelegramHandlerConfig"
		props(map[string]string{"chatId": "ChatID", "parseMode": "ParseMode"})
		flag("disableWebPagePreview", "DisableWebPagePreview")
		flag("disableNotification", "DisableNotification")
	case "pushover":
		ctor, typ = "NewPushoverHandler", "PushoverHandlerConfig"
		props(map[string]string{"userKey": "UserKey", "device": "Device", "title": "Title", "URL": "URL", "URLTitle": "URLTitle", "sound": "Sound"})
	case "teams":
		ctor, typ = "NewTeamsHandler", "TeamsHandlerConfig"
		props(map[string]string{"channelURL": "ChannelURL"})
	case "discord":
		ctor, typ = "NewDiscordHandler", "DiscordHandlerConfig"
		props(map[string]string{"workspace": "Workspace", "username": "Username", "avatarURL": "AvatarURL", "embedTitle": "EmbedTitle"})
	case "snmpTrap":
		ctor, typ = "NewSNMPTrapHandler", "SNMPTrapHandlerConfig"
		oid := ""
		if len(h.Args) > 0 && h.Args[0].Type() == stdlib.TypeString {
			oid = h.Args[0].Str()
		}
		if c, ok := h.Last("trapOid"); ok {
			oid = str(c, 0)
		}
		cfg[jen.Id("TrapOID")] = jen.Lit(oid)
		var data []jen.Code
		for _, c := range h.All("data") {
			data = append(data, jen.Values(jen.Dict{jen.Id("OID"): jen.Lit(str(c, 0)), jen.Id("Type"): jen.Lit(str(c, 1)), jen.Id("Value"): jen.Lit(str(c, 2))}))
		}
		if len(data) > 0 {
			cfg[jen.Id("Data")] = jen.Index().Qual(rt, "SNMPTrapData").Values(data...)
		}
	case "alerta":
		ctor, typ = "NewAlertaHandler", "AlertaHandlerConfig"
		props(map[string]string{"token": "Token", "resource": "Resource", "event": "Event", "environment": "Environment", "group": "Group", "value": "Value", "origin": "Origin"})
		var services, correlate []string
		for _, c := range h.All("services") {
			services = append(services, strs(c.Args)...)
		}
		for _, c := range h.All("correlated") {
			correlate = append(correlate, strs(c.Args)...)
		}
		setStrings(cfg, "Services", services)
		setStrings(cfg, "Correlate", correlate)
		scalars("attribute", "Attributes")
		if c, ok := h.Last("timeout"); ok && len(c.Args) == 1 && c.Args[0].Type() == stdlib.TypeDuration {
			setDur(cfg, "Timeout", c.Args[0].Duration())
		}
	case "sensu":
		ctor, typ = "NewSensuHandler", "SensuHandlerConfig"
		props(map[string]string{"source": "Source"})
		var handlers []string
		for _, c := range h.All("handlers") {
			handlers = append(handlers, strs(c.Args)...)
		}
		setStrings(cfg, "Handlers", handlers)
		scalars("metadata", "Metadata")
	case "bigPanda":
		ctor, typ = "NewBigPandaHandler", "BigPandaHandlerConfig"
		props(map[string]string{"appKey": "AppKey", "host": "Host", "primaryProperty": "PrimaryProperty", "secondaryProperty": "SecondaryProperty"})
		scalars("attribute", "Attributes")
	case "serviceNow":
		ctor, typ = "NewServiceNowHandler", "ServiceNowHandlerConfig"
		props(map[string]string{"URL": "URL", "source": "Source", "node": "Node", "type": "Type", "resource": "Resource", "metricName": "MetricName", "messageKey": "MessageKey"})
		scalars("additionalInfo", "AdditionalInfo")
	case "zenoss":
		ctor, typ = "NewZenossHandler", "ZenossHandlerConfig"
		props(map[string]string{
			"action": "Action", "method": "Method", "type": "Type", "collector": "Collector", "summary": "Summary", "device": "Device",
			"component": "Component", "eventClassKey": "EventClassKey", "eventClass": "EventClass", "message": "Message",
		})
		if c, ok := h.Last("tid"); ok && len(c.Args) == 1 && c.Args[0].Type() == stdlib.TypeInt {
			setLit(cfg, "TID", c.Args[0].Int())
		}
		scalars("customField", "CustomFields")
	case "talk":
		ctor, typ = "NewTalkHandler", "TalkHandlerConfig"
	default:
		g.errorf(h.Pos, "not supported: the %s alert handler (its service's API is retired; use its successor)", h.Kind)
		return nil
	}
	for f, c := range fields {
		cfg[jen.Id(f)] = c
	}
	return jen.Qual(rt, ctor).Call(jen.Id("t"), jen.Qual(rt, typ).Values(cfg))
}

// scalarLit writes a handler property's scalar as a typed Go constant
// (float64, int64, string, bool).
func scalarLit(v stdlib.Value) jen.Code {
	switch v.Type() {
	case stdlib.TypeFloat:
		return floatLit(v.Float())
	case stdlib.TypeInt:
		return jen.Lit(v.Int())
	case stdlib.TypeBool:
		return jen.Lit(v.Bool())
	case stdlib.TypeDuration:
		return jen.Int64().Call(durationCode(v.Duration()))
	}
	return jen.Lit(v.Str())
}
