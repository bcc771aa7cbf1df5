package codegen

import (
	"fmt"
	"os"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/stdlib"
)

// This file holds the emitters of the alert node, with its handlers, and of
// the httpPost node.

// defaultAlertHistory is the history length the runtime uses when the config
// leaves it out (tickrt.DefaultAlertHistory).
const defaultAlertHistory = 21

/*
	alert := tickrt.NewAlert(t, tickrt.NodeInfo{…}, tickrt.AlertConfig{
		ID:      "kapacitor/{{ .Name }}",
		Message: "{{ .ID }} is {{ .Level }}",
		Details: "{{ json . }}",
		Crit:    &alertCritLambda{},
		Handlers: []tickrt.AlertHandler{
			tickrt.NewPostHandler(t, tickrt.PostHandlerConfig{URL: "http://example.com/alert"}),
			tickrt.NewLogHandler(t, tickrt.LogHandlerConfig{Path: "/var/log/alerts.log", Mode: os.FileMode(0o644)}),
		},
	})

	if err := alert.Err(); err != nil {
		return err
	}
*/
func (g *generator) alert(n *ir.Node, p *ir.AlertProps) []jen.Code {
	cfg := jen.Dict{
		jen.Id("ID"):      jen.Lit(p.ID),
		jen.Id("Message"): jen.Lit(p.Message),
		jen.Id("Details"): jen.Lit(p.Details),
	}
	setLit(cfg, "Category", p.Category)
	setLit(cfg, "Topic", p.Topic)
	for _, l := range []struct {
		key    string
		lambda *ir.Lambda
	}{
		{"Info", p.Info}, {"Warn", p.Warn}, {"Crit", p.Crit},
		{"InfoReset", p.InfoReset}, {"WarnReset", p.WarnReset}, {"CritReset", p.CritReset},
	} {
		if l.lambda != nil {
			// One instance for every group, as Kapacitor evaluates alert levels.
			cfg[jen.Id(l.key)] = g.lambdaValue(g.lambdaType(l.lambda, n.Name+l.key))
		}
	}
	if h := max(p.History, 2); h != defaultAlertHistory {
		cfg[jen.Id("History")] = intLit(h)
	}
	setLit(cfg, "LevelTag", p.LevelTag)
	setLit(cfg, "LevelField", p.LevelField)
	setLit(cfg, "MessageField", p.MessageField)
	setLit(cfg, "DurationField", p.DurationField)
	setLit(cfg, "IDTag", p.IDTag)
	setLit(cfg, "IDField", p.IDField)
	setLit(cfg, "All", p.All)
	setLit(cfg, "NoRecoveries", p.NoRecoveries)
	setLit(cfg, "StateChangesOnly", p.StateChangesOnly)
	setDur(cfg, "StateChangesOnlyDuration", p.StateChangesOnlyDuration)
	setLit(cfg, "Flapping", p.UseFlapping)
	setLit(cfg, "FlapLow", p.FlapLow)
	setLit(cfg, "FlapHigh", p.FlapHigh)
	if len(p.Inhibitors) > 0 {
		var items []jen.Code
		for _, in := range p.Inhibitors {
			d := jen.Dict{jen.Id("Category"): jen.Lit(in.Category)}
			setStrings(d, "EqualTags", in.EqualTags)
			items = append(items, jen.Values(d))
		}
		cfg[jen.Id("Inhibitors")] = jen.Index().Qual(rt, "AlertInhibitor").Values(items...)
	}
	var handlers []jen.Code
	for _, h := range p.Handlers {
		if c := g.alertHandler(h); c != nil {
			handlers = append(handlers, c)
		}
	}
	if len(handlers) > 0 {
		cfg[jen.Id("Handlers")] = jen.Index().Qual(rt, "AlertHandler").ValuesFunc(func(gr *jen.Group) {
			for _, h := range handlers {
				gr.Line().Add(h)
			}
			gr.Line()
		})
	}
	return g.checked(g.construct(n, "NewAlert", "AlertConfig", cfg), n)
}

// checked appends to a construction the check of the node's configuration
// error, which fails the task as Kapacitor refuses to start it.
func (g *generator) checked(code []jen.Code, n *ir.Node) []jen.Code {
	v := g.vars[n]
	return append(code, jen.If(jen.Err().Op(":=").Id(v).Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())))
}

// alertHandler emits the constructor of one handler: post, tcp and log here,
// the service handlers in notify.go.
func (g *generator) alertHandler(h *ir.Handler) jen.Code {
	str := func(vs []stdlib.Value, i int) string {
		if i < len(vs) && vs[i].Type() == stdlib.TypeString {
			return vs[i].Str()
		}
		return ""
	}
	switch h.Kind {
	case "post":
		cfg := jen.Dict{}
		headers := map[string]string{}
		url, endpoint := str(h.Args, 0), ""
		for _, c := range h.Props {
			switch c.Name {
			case "header":
				headers[str(c.Args, 0)] = str(c.Args, 1)
			case "captureResponse":
				cfg[jen.Id("CaptureResponse")] = jen.True()
			case "skipSSLVerification":
				cfg[jen.Id("SkipSSLVerification")] = jen.True()
			case "timeout":
				if len(c.Args) == 1 && c.Args[0].Type() == stdlib.TypeDuration {
					setDur(cfg, "Timeout", c.Args[0].Duration())
				}
			case "endpoint":
				endpoint = str(c.Args, 0)
			}
		}
		if endpoint == "" && url == "" {
			g.errorf(h.Pos, "post needs a URL or an endpoint")
			return nil
		}
		setLit(cfg, "URL", url)
		setLit(cfg, "Endpoint", endpoint)
		if len(headers) > 0 {
			cfg[jen.Id("Headers")] = stringMapLit(headers)
		}
		return jen.Qual(rt, "NewPostHandler").Call(jen.Id("t"), jen.Qual(rt, "PostHandlerConfig").Values(cfg))
	case "tcp":
		addr := str(h.Args, 0)
		if c, ok := h.Last("address"); ok {
			addr = str(c.Args, 0)
		}
		return jen.Qual(rt, "NewTCPHandler").Call(jen.Id("t"), jen.Qual(rt, "TCPHandlerConfig").Values(jen.Dict{jen.Id("Address"): jen.Lit(addr)}))
	case "log":
		cfg := jen.Dict{}
		path := str(h.Args, 0)
		if c, ok := h.Last("filePath"); ok {
			path = str(c.Args, 0)
		}
		cfg[jen.Id("Path")] = jen.Lit(path)
		if c, ok := h.Last("mode"); ok && len(c.Args) == 1 && c.Args[0].Type() == stdlib.TypeInt && c.Args[0].Int() != 0 {
			cfg[jen.Id("Mode")] = fileModeLit(os.FileMode(c.Args[0].Int()))
		}
		return jen.Qual(rt, "NewLogHandler").Call(jen.Id("t"), jen.Qual(rt, "LogHandlerConfig").Values(cfg))
	}
	return g.notifyHandler(h)
}

// fileModeLit writes a file mode in octal: os.FileMode(0o644).
func fileModeLit(m os.FileMode) jen.Code {
	return jen.Qual("os", "FileMode").Call(jen.Op(fmt.Sprintf("0o%o", uint32(m))))
}

// stringMapLit writes a map[string]string literal; jennifer sorts its keys.
func stringMapLit(m map[string]string) jen.Code {
	d := jen.Dict{}
	for k, v := range m {
		d[jen.Lit(k)] = jen.Lit(v)
	}
	return jen.Map(jen.String()).String().Values(d)
}

/*
	httpPost := tickrt.NewHTTPPost(t, tickrt.NodeInfo{…}, tickrt.HTTPPostConfig{
		URL:       "http://example.com/data",
		Headers:   map[string]string{"X-Key": "secret"},
		CodeField: "code",
	})

	if err := httpPost.Err(); err != nil {
		return err
	}
*/
func (g *generator) httpPost(n *ir.Node, p *ir.HTTPPostProps) []jen.Code {
	cfg := jen.Dict{}
	switch {
	case len(p.URLs) == 1 && len(p.Endpoints) == 0:
		cfg[jen.Id("URL")] = jen.Lit(p.URLs[0])
	case len(p.URLs) == 0 && len(p.Endpoints) == 1:
		cfg[jen.Id("Endpoint")] = jen.Lit(p.Endpoints[0])
	default:
		g.errorf(n.Pos, "httpPost needs one URL or one endpoint, got %d URLs and %d endpoints", len(p.URLs), len(p.Endpoints))
		return nil
	}
	if len(p.Headers) > 0 {
		headers := map[string]string{}
		for _, h := range p.Headers {
			headers[h.Key] = h.Value
		}
		cfg[jen.Id("Headers")] = stringMapLit(headers)
	}
	setDur(cfg, "Timeout", time.Duration(p.Timeout))
	setLit(cfg, "CodeField", p.CodeField)
	setLit(cfg, "CaptureResponse", p.CaptureResponse)
	return g.checked(g.construct(n, "NewHTTPPost", "HTTPPostConfig", cfg), n)
}
