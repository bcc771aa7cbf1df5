package ir

import (
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tickc/tickc/stdlib"
)

// This file is the declarative node table: for every chain method its
// argument signature, its edge rule and the properties of the node it makes,
// each with its own signature and a setter that fills the typed props. The
// lowering reads only this table; nothing is discovered by reflection.

// argType is the kind of value a parameter accepts.
type argType uint8

const (
	aNone     argType = iota
	aString           // 'text'
	aInt              // 10
	aFloat            // 1.5 (Kapacitor does not turn ints into floats for parameters)
	aBool             // TRUE
	aDuration         // 10s
	aLambda           // lambda: …
	aNode             // a pipeline node (join, union)
	aDim              // a tag name or * (groupBy)
	aQueryDim         // a tag name, * or time(d[, offset]) (query groupBy)
	aScalar           // a float, int, string or bool (default values, attributes)
	aRate             // an int or a duration (sample)
	aFill             // 'none', 'null', 'previous', 'linear' or a number (fill)
	aOption           // a UDF option value: bool, int, float, string or duration
)

var argTypeNames = [...]string{
	aNone:     "nothing",
	aString:   "string",
	aInt:      "int",
	aFloat:    "float",
	aBool:     "bool",
	aDuration: "duration",
	aLambda:   "lambda",
	aNode:     "node",
	aDim:      "string or *",
	aQueryDim: "string, * or time()",
	aScalar:   "float, int, string or bool",
	aRate:     "int or duration",
	aFill:     "string or number",
	aOption:   "bool, int, float, string or duration",
}

func (t argType) String() string { return argTypeNames[t] }

// signature is the parameter list of a method or property.
type signature struct {
	params   []argType // the fixed parameters
	optional int       // how many of the last params may be left out
	variadic argType   // aNone, or the type of any number of further arguments
}

func sig(params ...argType) signature { return signature{params: params} }

func opt(params ...argType) signature { return signature{params: params, optional: len(params)} }

func varargs(t argType, fixed ...argType) signature {
	return signature{params: fixed, variadic: t}
}

// edgeRule says how a node's wants and provides follow from its parent.
type edgeRule uint8

const (
	edgeSame          edgeRule = iota // wants and provides the parent's edge
	edgeStream                        // wants and provides a stream (from)
	edgeBatch                         // wants and provides a batch (query)
	edgeStreamToBatch                 // window: needs a stream parent, provides a batch
	edgeBatchToStream                 // trickle: needs a batch parent, provides a stream
	edgeToStream                      // any parent, provides a stream (combine, autoscale, aggregates)
	edgeToBatch                       // any parent, provides a batch (top, distinct, holtWinters)
	edgeToNone                        // any parent, provides nothing (influxDBOut, kapacitorLoopback)
)

// setter fills a node's props from the arguments of a call.
type setter func(l *lowerer, n *Node, a args)

// method is one chain method: |name(args).
type method struct {
	name string
	kind Kind
	sig  signature
	edge edgeRule
	init func(l *lowerer, n *Node, a args) // sets the props from the constructor arguments; nil for none
}

// property is one property method: .name(args).
type property struct {
	name string
	sig  signature
	set  setter
}

// handlerSpec is one alert handler: its constructor and its own properties.
type handlerSpec struct {
	name  string
	sig   signature
	props []property // the handler's properties; set records them as Calls
}

// sameName reports whether a TICKscript method name refers to the table name
// want. Kapacitor capitalizes the first letter of both before comparing, so
// .period() and .Period() are the same property.
func sameName(name, want string) bool {
	if name == want {
		return true
	}
	r1, n1 := utf8.DecodeRuneInString(name)
	r2, n2 := utf8.DecodeRuneInString(want)
	return unicode.ToUpper(r1) == unicode.ToUpper(r2) && name[n1:] == want[n2:]
}

// Typed setter builders: each returns a property whose setter writes one field
// of the props type P.

func prop[P Props](name string, s signature, set func(l *lowerer, p P, a args)) property {
	return property{name: name, sig: s, set: func(l *lowerer, n *Node, a args) { set(l, n.Props.(P), a) }}
}

func strProp[P Props](name string, f func(P) *string) property {
	return prop(name, sig(aString), func(_ *lowerer, p P, a args) { *f(p) = a.str(0) })
}

func intProp[P Props](name string, f func(P) *int64) property {
	return prop(name, sig(aInt), func(_ *lowerer, p P, a args) { *f(p) = a.int(0) })
}

func floatProp[P Props](name string, f func(P) *float64) property {
	return prop(name, sig(aFloat), func(_ *lowerer, p P, a args) { *f(p) = a.float(0) })
}

func durProp[P Props](name string, f func(P) *time.Duration) property {
	return prop(name, sig(aDuration), func(_ *lowerer, p P, a args) { *f(p) = a.dur(0) })
}

func boolProp[P Props](name string, f func(P) *bool) property {
	return prop(name, sig(aBool), func(_ *lowerer, p P, a args) { *f(p) = a.bool(0) })
}

func flagProp[P Props](name string, f func(P) *bool) property {
	return prop(name, sig(), func(_ *lowerer, p P, _ args) { *f(p) = true })
}

func lambdaProp[P Props](name string, f func(P) **Lambda) property {
	return prop(name, sig(aLambda), func(_ *lowerer, p P, a args) { *f(p) = a.lambda(0) })
}

func listProp[P Props](name string, f func(P) *[]string) property {
	return prop(name, varargs(aString), func(_ *lowerer, p P, a args) { *f(p) = a.strs(0) })
}

func tagProp[P Props](name string, f func(P) *[]Tag) property {
	return prop(name, sig(aString, aString), func(_ *lowerer, p P, a args) {
		*f(p) = setTag(*f(p), a.str(0), a.str(1))
	})
}

// setTag sets key to value in tags, as Kapacitor's map-backed tag properties do.
func setTag(tags []Tag, key, value string) []Tag {
	for i := range tags {
		if tags[i].Key == key {
			out := append([]Tag(nil), tags...)
			out[i].Value = value
			return out
		}
	}
	return append(tags, Tag{key, value})
}

// setNamed sets name to v in list, keeping the first position of a name.
func setNamed(list []NamedValue, name string, v stdlib.Value) []NamedValue {
	for i := range list {
		if list[i].Name == name {
			out := append([]NamedValue(nil), list...)
			out[i].Value = v
			return out
		}
	}
	return append(list, NamedValue{name, v})
}

// quietProp is the property every node has.
var quietProp = property{name: "quiet", sig: sig(), set: func(_ *lowerer, n *Node, _ args) { n.Quiet = true }}

// The chain method sets: which chain methods each kind of node offers.
var (
	// chainMethods are the methods of Kapacitor's chainnode, offered by every
	// node that provides an edge except the stream and batch sources.
	chainMethods = []string{
		"where", "httpOut", "httpPost", "influxDBOut", "kapacitorLoopback", "alert", "union", "join",
		"combine", "flatten", "eval", "groupBy", "window", "barrier", "sample", "derivative",
		"changeDetect", "shift", "log", "default", "delete", "k8sAutoscale", "swarmAutoscale",
		"ec2Autoscale", "stateDuration", "stateCount", "sideload", "trickle",
		"count", "distinct", "mean", "median", "mode", "spread", "sum", "first", "last", "min", "max",
		"percentile", "top", "bottom", "stddev", "elapsed", "difference", "movingAverage",
		"holtWinters", "holtWintersWithFit", "cumulativeSum",
		"stats", "deadman",
	}
	streamMethods   = []string{"from", "stats", "deadman"}
	batchMethods    = []string{"query", "queryFlux", "stats", "deadman"}
	terminalMethods = []string{"stats", "deadman"}
)

// chainMethodsOf returns the chain methods offered after a node of kind k.
func chainMethodsOf(k Kind) []string {
	switch k {
	case KindStream:
		return streamMethods
	case KindBatch:
		return batchMethods
	case KindInfluxDBOut, KindKapacitorLoopback:
		return terminalMethods
	case KindFrom:
		return append([]string{"from"}, chainMethods...)
	}
	return chainMethods
}

// influxQLMethod builds the table entry of an InfluxQL function.
func influxQLMethod(name string, s signature, edge edgeRule, init func(p *InfluxQLProps, a args)) method {
	return method{name: name, kind: KindInfluxQL, sig: s, edge: edge,
		init: func(_ *lowerer, n *Node, a args) {
			p := n.Props.(*InfluxQLProps)
			p.Method, p.As = name, influxQLDefaultAs(name)
			init(p, a)
		}}
}

// influxQLDefaultAs is the field an InfluxQL function writes without .as():
// its name, except that holtWintersWithFit writes "holtWinters" as Kapacitor's
// does.
func influxQLDefaultAs(method string) string {
	if method == "holtWintersWithFit" {
		return "holtWinters"
	}
	return method
}

func fieldArg(p *InfluxQLProps, a args) { p.Field = a.str(0) }

// methods is the table of chain methods, by name.
var methods = map[string]*method{}

func init() {
	for _, m := range methodList() {
		methods[m.name] = m
	}
}

func methodList() []*method {
	ms := []method{
		{name: "from", kind: KindFrom, sig: sig(), edge: edgeStream},
		{name: "query", kind: KindQuery, sig: sig(aString), edge: edgeBatch,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*QueryProps).Query = a.str(0) }},
		{name: "queryFlux", kind: KindQueryFlux, sig: sig(aString), edge: edgeBatch,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*QueryFluxProps).Query = a.str(0) }},
		{name: "where", kind: KindWhere, sig: sig(aLambda), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*WhereProps).Lambda = a.lambda(0) }},
		{name: "eval", kind: KindEval, sig: varargs(aLambda), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*EvalProps).Lambdas = a.lambdas(0) }},
		{name: "window", kind: KindWindow, sig: sig(), edge: edgeStreamToBatch},
		{name: "groupBy", kind: KindGroupBy, sig: varargs(aDim), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*GroupByProps).Dimensions = a.dims(0) }},
		{name: "alert", kind: KindAlert, sig: sig(), edge: edgeSame},
		{name: "log", kind: KindLog, sig: sig(), edge: edgeSame},
		{name: "httpOut", kind: KindHTTPOut, sig: sig(aString), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*HTTPOutProps).Endpoint = a.str(0) }},
		{name: "httpPost", kind: KindHTTPPost, sig: varargs(aString), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*HTTPPostProps).URLs = a.strs(0) }},
		{name: "influxDBOut", kind: KindInfluxDBOut, sig: sig(), edge: edgeToNone},
		{name: "kapacitorLoopback", kind: KindKapacitorLoopback, sig: sig(), edge: edgeToNone},
		{name: "derivative", kind: KindDerivative, sig: sig(aString), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) {
				p := n.Props.(*DerivativeProps)
				p.Field, p.As = a.str(0), a.str(0)
			}},
		{name: "stats", kind: KindStats, sig: sig(aDuration), edge: edgeStream,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*StatsProps).Interval = a.dur(0) }},
		{name: "shift", kind: KindShift, sig: sig(aDuration), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*ShiftProps).Shift = a.dur(0) }},
		{name: "sample", kind: KindSample, sig: sig(aRate), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) {
				p := n.Props.(*SampleProps)
				if v := a[0].val; v.Type() == stdlib.TypeInt {
					p.N = v.Int()
				} else {
					p.Duration = v.Duration()
				}
			}},
		{name: "join", kind: KindJoin, sig: varargs(aNode), edge: edgeSame},
		{name: "union", kind: KindUnion, sig: varargs(aNode), edge: edgeSame},
		{name: "combine", kind: KindCombine, sig: varargs(aLambda), edge: edgeToStream,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*CombineProps).Lambdas = a.lambdas(0) }},
		{name: "flatten", kind: KindFlatten, sig: sig(), edge: edgeSame},
		{name: "default", kind: KindDefault, sig: sig(), edge: edgeSame},
		{name: "delete", kind: KindDelete, sig: sig(), edge: edgeSame},
		{name: "changeDetect", kind: KindChangeDetect, sig: varargs(aString), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*ChangeDetectProps).Fields = a.strs(0) }},
		{name: "stateDuration", kind: KindStateDuration, sig: sig(aLambda), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*StateDurationProps).Lambda = a.lambda(0) }},
		{name: "stateCount", kind: KindStateCount, sig: sig(aLambda), edge: edgeSame,
			init: func(_ *lowerer, n *Node, a args) { n.Props.(*StateCountProps).Lambda = a.lambda(0) }},
		{name: "barrier", kind: KindBarrier, sig: sig(), edge: edgeSame},
		{name: "sideload", kind: KindSideload, sig: sig(), edge: edgeSame},
		{name: "trickle", kind: KindTrickle, sig: sig(), edge: edgeBatchToStream},
		{name: "k8sAutoscale", kind: KindK8sAutoscale, sig: sig(), edge: edgeToStream},
		{name: "swarmAutoscale", kind: KindSwarmAutoscale, sig: sig(), edge: edgeToStream},
		{name: "ec2Autoscale", kind: KindEC2Autoscale, sig: sig(), edge: edgeToStream},
		// deadman is a macro (stats|derivative|alert); the lowering expands it.
		{name: "deadman", kind: KindAlert, sig: varargs(aLambda, aFloat, aDuration), edge: edgeSame},

		influxQLMethod("count", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("distinct", sig(aString), edgeToBatch, fieldArg),
		influxQLMethod("mean", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("median", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("mode", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("spread", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("sum", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("first", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("last", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("min", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("max", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("percentile", sig(aString, aFloat), edgeToStream, func(p *InfluxQLProps, a args) {
			p.Field, p.Percentile = a.str(0), a.float(1)
		}),
		influxQLMethod("top", varargs(aString, aInt, aString), edgeToBatch, func(p *InfluxQLProps, a args) {
			p.N, p.Field, p.Extra = a.int(0), a.str(1), a.strs(2)
		}),
		influxQLMethod("bottom", varargs(aString, aInt, aString), edgeToBatch, func(p *InfluxQLProps, a args) {
			p.N, p.Field, p.Extra = a.int(0), a.str(1), a.strs(2)
		}),
		influxQLMethod("stddev", sig(aString), edgeToStream, fieldArg),
		influxQLMethod("elapsed", sig(aString, aDuration), edgeSame, func(p *InfluxQLProps, a args) {
			p.Field, p.Unit = a.str(0), a.dur(1)
		}),
		influxQLMethod("difference", sig(aString), edgeSame, fieldArg),
		influxQLMethod("movingAverage", sig(aString, aInt), edgeSame, func(p *InfluxQLProps, a args) {
			p.Field, p.Window = a.str(0), a.int(1)
		}),
		influxQLMethod("holtWinters", sig(aString, aInt, aInt, aDuration), edgeToBatch, holtWintersArgs),
		influxQLMethod("holtWintersWithFit", sig(aString, aInt, aInt, aDuration), edgeToBatch, holtWintersArgs),
		influxQLMethod("cumulativeSum", sig(aString), edgeSame, fieldArg),
	}
	out := make([]*method, len(ms))
	for i := range ms {
		out[i] = &ms[i]
	}
	return out
}

func holtWintersArgs(p *InfluxQLProps, a args) {
	p.Field, p.H, p.M, p.Interval = a.str(0), a.int(1), a.int(2), a.dur(3)
}

// newProps returns the props of a new node of kind k, with Kapacitor's defaults.
func newProps(k Kind) Props {
	switch k {
	case KindStream:
		return &StreamProps{}
	case KindBatch:
		return &BatchProps{}
	case KindFrom:
		return &FromProps{}
	case KindQuery:
		return &QueryProps{}
	case KindQueryFlux:
		return &QueryFluxProps{}
	case KindWhere:
		return &WhereProps{}
	case KindEval:
		return &EvalProps{}
	case KindWindow:
		return &WindowProps{}
	case KindGroupBy:
		return &GroupByProps{}
	case KindAlert:
		return &AlertProps{
			ID:      "{{ .Name }}:{{ .Group }}",
			Message: "{{ .ID }} is {{ .Level }}",
			Details: "{{ json . }}",
			History: 21,
		}
	case KindLog:
		return &LogProps{Level: "INFO"}
	case KindHTTPOut:
		return &HTTPOutProps{}
	case KindHTTPPost:
		return &HTTPPostProps{}
	case KindInfluxDBOut:
		return &InfluxDBOutProps{Buffer: 1000, FlushInterval: 10 * time.Second}
	case KindKapacitorLoopback:
		return &KapacitorLoopbackProps{}
	case KindDerivative:
		return &DerivativeProps{Unit: time.Second}
	case KindStats:
		return &StatsProps{}
	case KindShift:
		return &ShiftProps{}
	case KindSample:
		return &SampleProps{}
	case KindJoin:
		return &JoinProps{Delimiter: "."}
	case KindUnion:
		return &UnionProps{}
	case KindCombine:
		return &CombineProps{Delimiter: ".", Max: 1_000_000}
	case KindFlatten:
		return &FlattenProps{Delimiter: "."}
	case KindDefault:
		return &DefaultProps{}
	case KindDelete:
		return &DeleteProps{}
	case KindChangeDetect:
		return &ChangeDetectProps{}
	case KindStateDuration:
		return &StateDurationProps{As: "state_duration", Unit: time.Second}
	case KindStateCount:
		return &StateCountProps{As: "state_count"}
	case KindBarrier:
		return &BarrierProps{}
	case KindSideload:
		return &SideloadProps{}
	case KindTrickle:
		return &TrickleProps{}
	case KindK8sAutoscale:
		return &K8sAutoscaleProps{Min: 1, Kind: "deployments", NamespaceTag: "namespace", KindTag: "kind", ResourceTag: "resource"}
	case KindSwarmAutoscale:
		return &SwarmAutoscaleProps{Min: 1}
	case KindEC2Autoscale:
		return &EC2AutoscaleProps{Min: 1}
	case KindUDF:
		return &UDFProps{}
	case KindNoOp:
		return &NoOpProps{}
	case KindInfluxQL:
		return &InfluxQLProps{}
	case KindFused:
		return &FusedProps{}
	}
	return nil
}

// NewProps returns the props of a new node of kind k, holding Kapacitor's
// defaults (alert history 21, log level INFO, join delimiter ".", …); nil for
// an invalid kind. Passes and tests use it to build nodes.
func NewProps(k Kind) Props { return newProps(k) }

// propSets holds the properties of each kind of node, by Kind.String().
var propSets = map[string][]property{
	"stream": nil,
	"batch":  nil,
	"from": {
		strProp("database", func(p *FromProps) *string { return &p.Database }),
		strProp("retentionPolicy", func(p *FromProps) *string { return &p.RetentionPolicy }),
		strProp("measurement", func(p *FromProps) *string { return &p.Measurement }),
		prop("where", sig(aLambda), func(_ *lowerer, p *FromProps, a args) { p.Where = append(p.Where, a.lambda(0)) }),
		prop("groupBy", varargs(aDim), func(_ *lowerer, p *FromProps, a args) { p.GroupBy = a.dims(0) }),
		flagProp("groupByMeasurement", func(p *FromProps) *bool { return &p.GroupByMeasurement }),
		durProp("truncate", func(p *FromProps) *time.Duration { return &p.Truncate }),
		durProp("round", func(p *FromProps) *time.Duration { return &p.Round }),
	},
	"query": {
		strProp("queryStr", func(p *QueryProps) *string { return &p.Query }),
		durProp("period", func(p *QueryProps) *time.Duration { return &p.Period }),
		durProp("every", func(p *QueryProps) *time.Duration { return &p.Every }),
		strProp("cron", func(p *QueryProps) *string { return &p.Cron }),
		durProp("offset", func(p *QueryProps) *time.Duration { return &p.Offset }),
		flagProp("align", func(p *QueryProps) *bool { return &p.Align }),
		flagProp("alignGroup", func(p *QueryProps) *bool { return &p.AlignGroup }),
		prop("groupBy", varargs(aQueryDim), func(l *lowerer, p *QueryProps, a args) {
			p.GroupBy = a.dims(0)
			seen := false
			for _, v := range a {
				if v.kind == vTimeDim {
					if seen {
						l.errorf(v.pos, "groupBy cannot have more than one time dimension")
					}
					seen = true
				}
			}
		}),
		flagProp("groupByMeasurement", func(p *QueryProps) *bool { return &p.GroupByMeasurement }),
		prop("fill", sig(aFill), func(_ *lowerer, p *QueryProps, a args) { p.Fill = a.fill(0) }),
		strProp("cluster", func(p *QueryProps) *string { return &p.Cluster }),
	},
	"queryFlux": {
		strProp("queryStr", func(p *QueryFluxProps) *string { return &p.Query }),
		durProp("period", func(p *QueryFluxProps) *time.Duration { return &p.Period }),
		durProp("every", func(p *QueryFluxProps) *time.Duration { return &p.Every }),
		strProp("cron", func(p *QueryFluxProps) *string { return &p.Cron }),
		durProp("offset", func(p *QueryFluxProps) *time.Duration { return &p.Offset }),
		flagProp("align", func(p *QueryFluxProps) *bool { return &p.Align }),
		strProp("cluster", func(p *QueryFluxProps) *string { return &p.Cluster }),
		strProp("org", func(p *QueryFluxProps) *string { return &p.Org }),
		strProp("orgID", func(p *QueryFluxProps) *string { return &p.OrgID }),
	},
	"where": {
		lambdaProp("lambda", func(p *WhereProps) **Lambda { return &p.Lambda }),
	},
	"eval": {
		listProp("as", func(p *EvalProps) *[]string { return &p.As }),
		listProp("tags", func(p *EvalProps) *[]string { return &p.Tags }),
		prop("keep", varargs(aString), func(_ *lowerer, p *EvalProps, a args) { p.Keep, p.KeepFields = true, a.strs(0) }),
	},
	"window": {
		durProp("period", func(p *WindowProps) *time.Duration { return &p.Period }),
		durProp("every", func(p *WindowProps) *time.Duration { return &p.Every }),
		flagProp("align", func(p *WindowProps) *bool { return &p.Align }),
		flagProp("fillPeriod", func(p *WindowProps) *bool { return &p.FillPeriod }),
		intProp("periodCount", func(p *WindowProps) *int64 { return &p.PeriodCount }),
		intProp("everyCount", func(p *WindowProps) *int64 { return &p.EveryCount }),
	},
	"groupBy": {
		flagProp("byMeasurement", func(p *GroupByProps) *bool { return &p.ByMeasurement }),
		listProp("exclude", func(p *GroupByProps) *[]string { return &p.Exclude }),
	},
	"alert": alertProps,
	"log": {
		prop("level", sig(aString), func(_ *lowerer, p *LogProps, a args) { p.Level = a.str(0) }),
		strProp("prefix", func(p *LogProps) *string { return &p.Prefix }),
	},
	"httpOut": {
		strProp("endpoint", func(p *HTTPOutProps) *string { return &p.Endpoint }),
	},
	"httpPost": {
		prop("endpoint", sig(aString), func(_ *lowerer, p *HTTPPostProps, a args) { p.Endpoints = append(p.Endpoints, a.str(0)) }),
		tagProp("header", func(p *HTTPPostProps) *[]Tag { return &p.Headers }),
		flagProp("captureResponse", func(p *HTTPPostProps) *bool { return &p.CaptureResponse }),
		durProp("timeout", func(p *HTTPPostProps) *time.Duration { return &p.Timeout }),
		strProp("codeField", func(p *HTTPPostProps) *string { return &p.CodeField }),
	},
	"influxDBOut": {
		strProp("cluster", func(p *InfluxDBOutProps) *string { return &p.Cluster }),
		strProp("database", func(p *InfluxDBOutProps) *string { return &p.Database }),
		strProp("retentionPolicy", func(p *InfluxDBOutProps) *string { return &p.RetentionPolicy }),
		strProp("measurement", func(p *InfluxDBOutProps) *string { return &p.Measurement }),
		strProp("writeConsistency", func(p *InfluxDBOutProps) *string { return &p.WriteConsistency }),
		strProp("precision", func(p *InfluxDBOutProps) *string { return &p.Precision }),
		intProp("buffer", func(p *InfluxDBOutProps) *int64 { return &p.Buffer }),
		durProp("flushInterval", func(p *InfluxDBOutProps) *time.Duration { return &p.FlushInterval }),
		tagProp("tag", func(p *InfluxDBOutProps) *[]Tag { return &p.Tags }),
		flagProp("create", func(p *InfluxDBOutProps) *bool { return &p.Create }),
	},
	"kapacitorLoopback": {
		strProp("database", func(p *KapacitorLoopbackProps) *string { return &p.Database }),
		strProp("retentionPolicy", func(p *KapacitorLoopbackProps) *string { return &p.RetentionPolicy }),
		strProp("measurement", func(p *KapacitorLoopbackProps) *string { return &p.Measurement }),
		tagProp("tag", func(p *KapacitorLoopbackProps) *[]Tag { return &p.Tags }),
	},
	"derivative": {
		strProp("field", func(p *DerivativeProps) *string { return &p.Field }),
		strProp("as", func(p *DerivativeProps) *string { return &p.As }),
		durProp("unit", func(p *DerivativeProps) *time.Duration { return &p.Unit }),
		flagProp("nonNegative", func(p *DerivativeProps) *bool { return &p.NonNegative }),
	},
	"stats": {
		durProp("interval", func(p *StatsProps) *time.Duration { return &p.Interval }),
		flagProp("align", func(p *StatsProps) *bool { return &p.Align }),
	},
	"shift": {
		durProp("shift", func(p *ShiftProps) *time.Duration { return &p.Shift }),
	},
	"sample": {
		intProp("n", func(p *SampleProps) *int64 { return &p.N }),
		durProp("duration", func(p *SampleProps) *time.Duration { return &p.Duration }),
	},
	"join": {
		listProp("as", func(p *JoinProps) *[]string { return &p.As }),
		listProp("on", func(p *JoinProps) *[]string { return &p.On }),
		strProp("delimiter", func(p *JoinProps) *string { return &p.Delimiter }),
		durProp("tolerance", func(p *JoinProps) *time.Duration { return &p.Tolerance }),
		prop("fill", sig(aFill), func(_ *lowerer, p *JoinProps, a args) { p.Fill = a.fill(0) }),
		strProp("streamName", func(p *JoinProps) *string { return &p.StreamName }),
		boolProp("deleteAll", func(p *JoinProps) *bool { return &p.DeleteAll }),
	},
	"union": {
		strProp("rename", func(p *UnionProps) *string { return &p.Rename }),
	},
	"combine": {
		listProp("as", func(p *CombineProps) *[]string { return &p.As }),
		strProp("delimiter", func(p *CombineProps) *string { return &p.Delimiter }),
		durProp("tolerance", func(p *CombineProps) *time.Duration { return &p.Tolerance }),
		intProp("max", func(p *CombineProps) *int64 { return &p.Max }),
	},
	"flatten": {
		listProp("on", func(p *FlattenProps) *[]string { return &p.On }),
		strProp("delimiter", func(p *FlattenProps) *string { return &p.Delimiter }),
		durProp("tolerance", func(p *FlattenProps) *time.Duration { return &p.Tolerance }),
		prop("dropOriginalFieldName", opt(aBool), func(_ *lowerer, p *FlattenProps, a args) {
			p.DropOriginalFieldName = len(a) == 0 || a.bool(0)
		}),
	},
	"default": {
		prop("field", sig(aString, aScalar), func(_ *lowerer, p *DefaultProps, a args) {
			p.Fields = setNamed(p.Fields, a.str(0), a[1].val)
		}),
		tagProp("tag", func(p *DefaultProps) *[]Tag { return &p.Tags }),
	},
	"delete": {
		prop("field", sig(aString), func(_ *lowerer, p *DeleteProps, a args) { p.Fields = append(p.Fields, a.str(0)) }),
		prop("tag", sig(aString), func(_ *lowerer, p *DeleteProps, a args) { p.Tags = append(p.Tags, a.str(0)) }),
	},
	"changeDetect": nil,
	"stateDuration": {
		lambdaProp("lambda", func(p *StateDurationProps) **Lambda { return &p.Lambda }),
		strProp("as", func(p *StateDurationProps) *string { return &p.As }),
		durProp("unit", func(p *StateDurationProps) *time.Duration { return &p.Unit }),
	},
	"stateCount": {
		lambdaProp("lambda", func(p *StateCountProps) **Lambda { return &p.Lambda }),
		strProp("as", func(p *StateCountProps) *string { return &p.As }),
	},
	"barrier": {
		durProp("idle", func(p *BarrierProps) *time.Duration { return &p.Idle }),
		durProp("period", func(p *BarrierProps) *time.Duration { return &p.Period }),
		boolProp("delete", func(p *BarrierProps) *bool { return &p.Delete }),
	},
	"sideload": {
		strProp("source", func(p *SideloadProps) *string { return &p.Source }),
		listProp("order", func(p *SideloadProps) *[]string { return &p.Order }),
		prop("field", sig(aString, aScalar), func(_ *lowerer, p *SideloadProps, a args) {
			p.Fields = setNamed(p.Fields, a.str(0), a[1].val)
		}),
		prop("tag", sig(aString, aString), func(_ *lowerer, p *SideloadProps, a args) {
			p.Tags = setNamed(p.Tags, a.str(0), a[1].val)
		}),
	},
	"trickle": nil,
	"k8sAutoscale": {
		strProp("cluster", func(p *K8sAutoscaleProps) *string { return &p.Cluster }),
		strProp("namespace", func(p *K8sAutoscaleProps) *string { return &p.Namespace }),
		strProp("kind", func(p *K8sAutoscaleProps) *string { return &p.Kind }),
		strProp("resourceName", func(p *K8sAutoscaleProps) *string { return &p.ResourceName }),
		strProp("resourceNameTag", func(p *K8sAutoscaleProps) *string { return &p.ResourceNameTag }),
		strProp("currentField", func(p *K8sAutoscaleProps) *string { return &p.CurrentField }),
		intProp("min", func(p *K8sAutoscaleProps) *int64 { return &p.Min }),
		intProp("max", func(p *K8sAutoscaleProps) *int64 { return &p.Max }),
		lambdaProp("replicas", func(p *K8sAutoscaleProps) **Lambda { return &p.Replicas }),
		durProp("increaseCooldown", func(p *K8sAutoscaleProps) *time.Duration { return &p.IncreaseCooldown }),
		durProp("decreaseCooldown", func(p *K8sAutoscaleProps) *time.Duration { return &p.DecreaseCooldown }),
		strProp("namespaceTag", func(p *K8sAutoscaleProps) *string { return &p.NamespaceTag }),
		strProp("kindTag", func(p *K8sAutoscaleProps) *string { return &p.KindTag }),
		strProp("resourceTag", func(p *K8sAutoscaleProps) *string { return &p.ResourceTag }),
	},
	"swarmAutoscale": {
		strProp("cluster", func(p *SwarmAutoscaleProps) *string { return &p.Cluster }),
		strProp("serviceName", func(p *SwarmAutoscaleProps) *string { return &p.ServiceName }),
		strProp("serviceNameTag", func(p *SwarmAutoscaleProps) *string { return &p.ServiceNameTag }),
		strProp("outputServiceNameTag", func(p *SwarmAutoscaleProps) *string { return &p.OutputServiceNameTag }),
		strProp("currentField", func(p *SwarmAutoscaleProps) *string { return &p.CurrentField }),
		intProp("min", func(p *SwarmAutoscaleProps) *int64 { return &p.Min }),
		intProp("max", func(p *SwarmAutoscaleProps) *int64 { return &p.Max }),
		lambdaProp("replicas", func(p *SwarmAutoscaleProps) **Lambda { return &p.Replicas }),
		durProp("increaseCooldown", func(p *SwarmAutoscaleProps) *time.Duration { return &p.IncreaseCooldown }),
		durProp("decreaseCooldown", func(p *SwarmAutoscaleProps) *time.Duration { return &p.DecreaseCooldown }),
	},
	"ec2Autoscale": {
		strProp("cluster", func(p *EC2AutoscaleProps) *string { return &p.Cluster }),
		strProp("groupName", func(p *EC2AutoscaleProps) *string { return &p.GroupName }),
		strProp("groupNameTag", func(p *EC2AutoscaleProps) *string { return &p.GroupNameTag }),
		strProp("outputGroupNameTag", func(p *EC2AutoscaleProps) *string { return &p.OutputGroupNameTag }),
		strProp("currentField", func(p *EC2AutoscaleProps) *string { return &p.CurrentField }),
		intProp("min", func(p *EC2AutoscaleProps) *int64 { return &p.Min }),
		intProp("max", func(p *EC2AutoscaleProps) *int64 { return &p.Max }),
		lambdaProp("replicas", func(p *EC2AutoscaleProps) **Lambda { return &p.Replicas }),
		durProp("increaseCooldown", func(p *EC2AutoscaleProps) *time.Duration { return &p.IncreaseCooldown }),
		durProp("decreaseCooldown", func(p *EC2AutoscaleProps) *time.Duration { return &p.DecreaseCooldown }),
	},
	"influxql": {
		strProp("field", func(p *InfluxQLProps) *string { return &p.Field }),
		strProp("as", func(p *InfluxQLProps) *string { return &p.As }),
		flagProp("usePointTimes", func(p *InfluxQLProps) *bool { return &p.UsePointTimes }),
	},
	"udf":  nil,
	"noop": nil,
}

// alertProps are the alert node's own properties (the handlers are in handlers).
var alertProps = []property{
	strProp("id", func(p *AlertProps) *string { return &p.ID }),
	strProp("message", func(p *AlertProps) *string { return &p.Message }),
	strProp("details", func(p *AlertProps) *string { return &p.Details }),
	strProp("category", func(p *AlertProps) *string { return &p.Category }),
	strProp("topic", func(p *AlertProps) *string { return &p.Topic }),
	lambdaProp("info", func(p *AlertProps) **Lambda { return &p.Info }),
	lambdaProp("warn", func(p *AlertProps) **Lambda { return &p.Warn }),
	lambdaProp("crit", func(p *AlertProps) **Lambda { return &p.Crit }),
	lambdaProp("infoReset", func(p *AlertProps) **Lambda { return &p.InfoReset }),
	lambdaProp("warnReset", func(p *AlertProps) **Lambda { return &p.WarnReset }),
	lambdaProp("critReset", func(p *AlertProps) **Lambda { return &p.CritReset }),
	intProp("history", func(p *AlertProps) *int64 { return &p.History }),
	strProp("levelTag", func(p *AlertProps) *string { return &p.LevelTag }),
	strProp("levelField", func(p *AlertProps) *string { return &p.LevelField }),
	strProp("messageField", func(p *AlertProps) *string { return &p.MessageField }),
	strProp("durationField", func(p *AlertProps) *string { return &p.DurationField }),
	strProp("idTag", func(p *AlertProps) *string { return &p.IDTag }),
	strProp("idField", func(p *AlertProps) *string { return &p.IDField }),
	flagProp("all", func(p *AlertProps) *bool { return &p.All }),
	flagProp("noRecoveries", func(p *AlertProps) *bool { return &p.NoRecoveries }),
	prop("stateChangesOnly", varargs(aDuration), func(_ *lowerer, p *AlertProps, a args) {
		p.StateChangesOnly = true
		if len(a) > 0 {
			p.StateChangesOnlyDuration = a.dur(0)
		}
	}),
	prop("flapping", sig(aFloat, aFloat), func(_ *lowerer, p *AlertProps, a args) {
		p.UseFlapping, p.FlapLow, p.FlapHigh = true, a.float(0), a.float(1)
	}),
	floatProp("flapLow", func(p *AlertProps) *float64 { return &p.FlapLow }),
	floatProp("flapHigh", func(p *AlertProps) *float64 { return &p.FlapHigh }),
	durProp("stateChangesOnlyDuration", func(p *AlertProps) *time.Duration { return &p.StateChangesOnlyDuration }),
	prop("inhibit", varargs(aString, aString), func(_ *lowerer, p *AlertProps, a args) {
		p.Inhibitors = append(p.Inhibitors, Inhibitor{Category: a.str(0), EqualTags: a.strs(1)})
	}),
}

// hprop is a handler property: its calls are recorded as data on the handler.
func hprop(name string, s signature) property { return property{name: name, sig: s} }

// handlers is the table of alert handlers (Kapacitor's 25), by method name.
var handlers = map[string]*handlerSpec{}

func init() {
	for i := range handlerList {
		handlers[handlerList[i].name] = &handlerList[i]
	}
}

var handlerList = []handlerSpec{
	{name: "post", sig: varargs(aString), props: []property{
		hprop("URL", sig(aString)), hprop("endpoint", sig(aString)), hprop("header", sig(aString, aString)), hprop("captureResponse", sig()),
		hprop("timeout", sig(aDuration)), hprop("skipSSLVerification", sig()),
	}},
	{name: "tcp", sig: sig(aString), props: []property{hprop("address", sig(aString))}},
	{name: "email", sig: varargs(aString), props: []property{
		hprop("to", varargs(aString)), hprop("toTemplates", varargs(aString)),
	}},
	{name: "exec", sig: varargs(aString, aString), props: []property{hprop("command", varargs(aString))}},
	{name: "log", sig: sig(aString), props: []property{hprop("filePath", sig(aString)), hprop("mode", sig(aInt))}},
	{name: "victorOps", sig: sig(), props: []property{hprop("routingKey", sig(aString))}},
	{name: "pagerDuty", sig: sig(), props: []property{hprop("serviceKey", sig(aString))}},
	{name: "pagerDuty2", sig: sig(), props: []property{
		hprop("routingKey", sig(aString)), hprop("serviceKey", sig(aString)), hprop("link", varargs(aString, aString)),
	}},
	{name: "pushover", sig: sig(), props: []property{
		hprop("userKey", sig(aString)), hprop("device", sig(aString)), hprop("title", sig(aString)),
		hprop("URL", sig(aString)), hprop("URLTitle", sig(aString)), hprop("sound", sig(aString)),
	}},
	{name: "sensu", sig: sig(), props: []property{
		hprop("source", sig(aString)), hprop("handlers", varargs(aString)), hprop("metadata", sig(aString, aScalar)),
	}},
	{name: "slack", sig: sig(), props: []property{
		hprop("workspace", sig(aString)), hprop("channel", sig(aString)), hprop("username", sig(aString)),
		hprop("iconEmoji", sig(aString)),
	}},
	{name: "discord", sig: sig(), props: []property{
		hprop("workspace", sig(aString)), hprop("username", sig(aString)), hprop("avatarURL", sig(aString)),
		hprop("embedTitle", sig(aString)),
	}},
	{name: "bigPanda", sig: sig(), props: []property{
		hprop("appKey", sig(aString)), hprop("host", sig(aString)), hprop("primaryProperty", sig(aString)),
		hprop("secondaryProperty", sig(aString)), hprop("attribute", sig(aString, aScalar)),
	}},
	{name: "telegram", sig: sig(), props: []property{
		hprop("chatId", sig(aString)), hprop("parseMode", sig(aString)),
		hprop("disableWebPagePreview", sig()), hprop("disableNotification", sig()),
	}},
	{name: "hipChat", sig: sig(), props: []property{hprop("room", sig(aString)), hprop("token", sig(aString))}},
	{name: "alerta", sig: sig(), props: []property{
		hprop("token", sig(aString)), hprop("resource", sig(aString)), hprop("event", sig(aString)),
		hprop("environment", sig(aString)), hprop("group", sig(aString)), hprop("value", sig(aString)),
		hprop("origin", sig(aString)), hprop("timeout", sig(aDuration)), hprop("services", varargs(aString)),
		hprop("correlated", varargs(aString)), hprop("attribute", sig(aString, aScalar)),
	}},
	{name: "opsGenie", sig: sig(), props: []property{hprop("teams", varargs(aString)), hprop("recipients", varargs(aString))}},
	{name: "opsGenie2", sig: sig(), props: []property{
		hprop("teams", varargs(aString)), hprop("recipients", varargs(aString)),
		hprop("recoveryAction", sig(aString)), hprop("details", sig()),
	}},
	{name: "talk", sig: sig()},
	{name: "mqtt", sig: sig(aString), props: []property{
		hprop("brokerName", sig(aString)), hprop("topic", sig(aString)), hprop("qos", sig(aInt)),
		hprop("retained", sig(aBool)),
	}},
	{name: "snmpTrap", sig: sig(aString), props: []property{
		hprop("trapOid", sig(aString)), hprop("data", sig(aString, aString, aString)),
	}},
	{name: "kafka", sig: sig(), props: []property{
		hprop("cluster", sig(aString)), hprop("kafkaTopic", sig(aString)), hprop("partitionHashAlgorithm", sig(aString)),
		hprop("disablePartitionById", sig()), hprop("template", sig(aString)),
	}},
	{name: "teams", sig: sig(), props: []property{hprop("channelURL", sig(aString))}},
	{name: "serviceNow", sig: sig(), props: []property{
		hprop("URL", sig(aString)), hprop("username", sig(aString)), hprop("password", sig(aString)),
		hprop("source", sig(aString)), hprop("node", sig(aString)), hprop("type", sig(aString)),
		hprop("resource", sig(aString)), hprop("metricName", sig(aString)), hprop("messageKey", sig(aString)),
		hprop("additionalInfo", sig(aString, aScalar)),
	}},
	{name: "zenoss", sig: sig(), props: []property{
		hprop("URL", sig(aString)), hprop("username", sig(aString)), hprop("password", sig(aString)),
		hprop("action", sig(aString)), hprop("method", sig(aString)), hprop("type", sig(aString)),
		hprop("tid", sig(aInt)), hprop("collector", sig(aString)), hprop("summary", sig(aString)),
		hprop("device", sig(aString)), hprop("component", sig(aString)), hprop("eventClassKey", sig(aString)),
		hprop("eventClass", sig(aString)), hprop("message", sig(aString)), hprop("customField", sig(aString, aScalar)),
	}},
}

// findProperty returns the property name in list, or nil.
func findProperty(list []property, name string) *property {
	for i := range list {
		if sameName(name, list[i].name) {
			return &list[i]
		}
	}
	return nil
}

// findMethod returns the chain method name offered after a node of kind k, or nil.
func findMethod(k Kind, name string) *method {
	for _, m := range chainMethodsOf(k) {
		if sameName(name, m) {
			return methods[m]
		}
	}
	return nil
}

// findHandler returns the alert handler name, or nil.
func findHandler(name string) *handlerSpec {
	for i := range handlerList {
		if sameName(name, handlerList[i].name) {
			return &handlerList[i]
		}
	}
	return nil
}
