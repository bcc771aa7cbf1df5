package ir

import (
	"fmt"
	"time"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// Pos is a resolved source position (file, line, column, offset): the
// parser's one position model, shared so that the IR can be read without the
// parser. Its String method prints "file:line:col". The zero Pos means "no
// position"; nodes made by passes keep the position of a node they replace.
type Pos = parser.Position

// EdgeType is the kind of data that flows on a pipeline edge.
type EdgeType uint8

// The edge types of Kapacitor's pipeline. A NoEdge node takes no children.
const (
	NoEdge EdgeType = iota
	StreamEdge
	BatchEdge
)

// String returns the edge type as Kapacitor names it.
func (e EdgeType) String() string {
	switch e {
	case StreamEdge:
		return "stream"
	case BatchEdge:
		return "batch"
	}
	return "noedge"
}

// TaskType is the type of a task: it decides which source node is the root.
type TaskType uint8

// The task types.
const (
	StreamTask TaskType = iota + 1
	BatchTask
)

// String returns "stream" or "batch".
func (t TaskType) String() string {
	switch t {
	case StreamTask:
		return "stream"
	case BatchTask:
		return "batch"
	}
	return "invalid"
}

// DBRP is one database and retention policy pair a task reads from.
type DBRP struct {
	Database        string
	RetentionPolicy string
}

// String returns the pair as TICKscript writes it: "db"."rp".
func (d DBRP) String() string { return fmt.Sprintf("%q.%q", d.Database, d.RetentionPolicy) }

// Program is one lowered TICKscript task: the pipeline DAG with typed, resolved
// properties. It is the only input of the code generator.
type Program struct {
	File  string   // the script's file name, as given to the compiler; used in positions
	Task  string   // the task name
	Type  TaskType // stream or batch
	DBRPs []DBRP   // the task's database/retention-policy pairs, never empty after Lower

	// Nodes holds every node of the pipeline in a deterministic topological order
	// (parents before children): Kapacitor's own walk order, a depth-first sort
	// from the sources. Nodes[0] is the root (stream or batch).
	Nodes []*Node

	// Vars are the script's vars that are not nodes, in declaration order, with
	// the values they have after the define-time overrides.
	Vars []*Var
}

// Root returns the source node of the task (stream or batch), or nil for an empty program.
func (p *Program) Root() *Node {
	if len(p.Nodes) == 0 {
		return nil
	}
	return p.Nodes[0]
}

// Var is one var of the script that is not a pipeline node.
type Var struct {
	Name string
	Type string // float, int, string, bool, regex, duration, lambda, list or star
	Pos  Pos    // the var statement

	Value  stdlib.Value // for scalar types (float int string bool regex duration)
	Lambda *Lambda      // for type lambda
	List   []string     // for type list; "*" stands for a star element

	Description string // the comment lines above the var statement
}

// Node is one node of the pipeline DAG.
type Node struct {
	// ID is Kapacitor's node ID: the value of the pipeline's counter when the node
	// was last linked to a parent. It is the number in Name.
	ID int
	// Kind says which Props type the node holds.
	Kind Kind
	// Name is the node's name as Kapacitor shows it (in `kapacitor show`, stats and
	// logs): its description plus ID, e.g. "window2", "http_out5", "mean3".
	Name string
	// Ident is a readable base name for the generated code: the var the script stored
	// the node in, else the chain method's name ("from", "window", "mean"). It is
	// not unique; the code generator makes it so.
	Ident string
	// Pos is the position of the chain call (or source identifier) that made the node.
	Pos Pos

	Parents  []*Node // in the order they were linked (join/union: this node first)
	Children []*Node // in the order they were linked

	Wants    EdgeType // the edge type the node accepts
	Provides EdgeType // the edge type the node emits; NoEdge for terminal nodes

	Quiet bool // .quiet(): errors are counted but not logged

	// Props holds the node's typed properties: one pointer type per Kind
	// (*FromProps for KindFrom, …), never nil.
	Props Props

	// PropPos maps a property name to the position of its last call, for
	// diagnostics of later stages; nil when no property was set.
	PropPos map[string]Pos
}

// String returns the node's Kapacitor name.
func (n *Node) String() string { return n.Name }

// Lambda is a lambda expression used as a property or argument.
type Lambda struct {
	Expr     Expr // the checked expression, with define-time vars substituted
	Pos      Pos  // the position of the lambda: keyword
	Stateful bool // it calls a stateful function (sigma, count, spread, rand)
}

// Props is the typed property set of a node. Each Kind has its own struct;
// Props is implemented only by this package's *XProps types.
type Props interface {
	props()
}

// Dimensions is the argument list of a groupBy: tags, or every tag (*), plus for
// query nodes an optional time bucket.
type Dimensions struct {
	All  bool           // groupBy(*)
	Tags []string       // the tag names, in call order
	Time *TimeDimension // query only: time(length[, offset]); nil when absent
	// TimeAt is how many of the other arguments (* or tags) come before
	// time(): a query's GROUP BY keeps the call order.
	TimeAt int
}

// TimeDimension is the time(length, offset) argument of a query groupBy.
type TimeDimension struct {
	Length time.Duration
	Offset time.Duration
}

// Tag is a key and value pair given to a property such as tag(k, v) or header(k, v).
type Tag struct {
	Key, Value string
}

// NamedValue is a name and a typed default given to a property such as
// default's field(name, value) or sideload's tag(name, default).
type NamedValue struct {
	Name  string
	Value stdlib.Value
}

// Fill is the fill setting of a join or query.
type Fill struct {
	// Mode is "" (unset), "none", "null", "previous", "linear" or "number".
	Mode string
	// Value is the fill value when Mode is "number" (a float or int value).
	Value stdlib.Value
}

// StreamProps are the properties of the stream source (only quiet).
type StreamProps struct{}

// BatchProps are the properties of the batch source (only quiet).
type BatchProps struct{}

// FromProps are the properties of |from().
type FromProps struct {
	Database           string // "" matches every database
	RetentionPolicy    string // "" matches every retention policy
	Measurement        string // "" matches every measurement
	Where              []*Lambda
	GroupBy            Dimensions
	GroupByMeasurement bool
	Truncate           time.Duration
	Round              time.Duration
}

// QueryProps are the properties of |query(q).
type QueryProps struct {
	Query              string
	Period             time.Duration
	Every              time.Duration
	Cron               string
	Offset             time.Duration
	Align              bool
	AlignGroup         bool
	GroupBy            Dimensions
	GroupByMeasurement bool
	Fill               Fill
	Cluster            string
}

// QueryFluxProps are the properties of |queryFlux(q).
type QueryFluxProps struct {
	Query   string
	Period  time.Duration
	Every   time.Duration
	Cron    string
	Offset  time.Duration
	Align   bool
	Cluster string
	Org     string
	OrgID   string
}

// WhereProps are the properties of |where(λ).
type WhereProps struct {
	Lambda *Lambda
}

// EvalProps are the properties of |eval(λ…).
type EvalProps struct {
	Lambdas    []*Lambda
	As         []string // one name per lambda
	Tags       []string // results that become tags
	Keep       bool     // .keep() was called
	KeepFields []string // .keep(fields…); empty with Keep means keep every field
}

// WindowProps are the properties of |window().
type WindowProps struct {
	Period      time.Duration
	Every       time.Duration
	Align       bool
	FillPeriod  bool
	PeriodCount int64
	EveryCount  int64
}

// GroupByProps are the properties of |groupBy(dims…).
type GroupByProps struct {
	Dimensions    Dimensions
	ByMeasurement bool
	Exclude       []string
}

// LogProps are the properties of |log().
type LogProps struct {
	Level  string // upper case: DEBUG, INFO, WARN or ERROR
	Prefix string
}

// HTTPOutProps are the properties of |httpOut(endpoint).
type HTTPOutProps struct {
	Endpoint string
}

// HTTPPostProps are the properties of |httpPost([url]).
type HTTPPostProps struct {
	URLs            []string // at most one
	Endpoints       []string // configured endpoint names; at most one, never with a URL
	Headers         []Tag
	CaptureResponse bool
	Timeout         time.Duration
	CodeField       string
}

// InfluxDBOutProps are the properties of |influxDBOut().
type InfluxDBOutProps struct {
	Cluster          string
	Database         string
	RetentionPolicy  string
	Measurement      string
	WriteConsistency string
	Precision        string
	Buffer           int64
	FlushInterval    time.Duration
	Tags             []Tag
	Create           bool
}

// KapacitorLoopbackProps are the properties of |kapacitorLoopback().
type KapacitorLoopbackProps struct {
	Database        string
	RetentionPolicy string
	Measurement     string
	Tags            []Tag
}

// DerivativeProps are the properties of |derivative(field).
type DerivativeProps struct {
	Field       string
	As          string
	Unit        time.Duration
	NonNegative bool
}

// StatsProps are the properties of |stats(interval).
type StatsProps struct {
	Source   *Node // the node whose statistics are emitted
	Interval time.Duration
	Align    bool
}

// ShiftProps are the properties of |shift(d).
type ShiftProps struct {
	Shift time.Duration
}

// SampleProps are the properties of |sample(n | d): exactly one of N and Duration is set.
type SampleProps struct {
	N        int64
	Duration time.Duration
}

// JoinProps are the properties of |join(nodes…).
type JoinProps struct {
	As         []string
	On         []string
	Delimiter  string
	Tolerance  time.Duration
	Fill       Fill
	StreamName string
	DeleteAll  bool
}

// UnionProps are the properties of |union(nodes…).
type UnionProps struct {
	Rename string
}

// CombineProps are the properties of |combine(λ…).
type CombineProps struct {
	Lambdas   []*Lambda
	As        []string
	Delimiter string
	Tolerance time.Duration
	Max       int64
}

// FlattenProps are the properties of |flatten().
type FlattenProps struct {
	On                    []string
	Delimiter             string
	Tolerance             time.Duration
	DropOriginalFieldName bool
}

// DefaultProps are the properties of |default().
type DefaultProps struct {
	Fields []NamedValue
	Tags   []Tag
}

// DeleteProps are the properties of |delete().
type DeleteProps struct {
	Fields []string
	Tags   []string
}

// ChangeDetectProps are the properties of |changeDetect(fields…).
type ChangeDetectProps struct {
	Fields []string
}

// StateDurationProps are the properties of |stateDuration(λ).
type StateDurationProps struct {
	Lambda *Lambda
	As     string
	Unit   time.Duration
}

// StateCountProps are the properties of |stateCount(λ).
type StateCountProps struct {
	Lambda *Lambda
	As     string
}

// BarrierProps are the properties of |barrier().
type BarrierProps struct {
	Idle   time.Duration
	Period time.Duration
	Delete bool
}

// SideloadProps are the properties of |sideload().
type SideloadProps struct {
	Source string
	Order  []string
	Fields []NamedValue
	Tags   []NamedValue
}

// TrickleProps are the properties of |trickle() (only quiet).
type TrickleProps struct{}

// K8sAutoscaleProps are the properties of |k8sAutoscale().
type K8sAutoscaleProps struct {
	Cluster          string
	Namespace        string
	Kind             string
	ResourceName     string
	ResourceNameTag  string
	CurrentField     string
	Min              int64
	Max              int64
	Replicas         *Lambda
	IncreaseCooldown time.Duration
	DecreaseCooldown time.Duration
	NamespaceTag     string
	KindTag          string
	ResourceTag      string
}

// SwarmAutoscaleProps are the properties of |swarmAutoscale().
type SwarmAutoscaleProps struct {
	Cluster              string
	ServiceName          string
	ServiceNameTag       string
	OutputServiceNameTag string
	CurrentField         string
	Min                  int64
	Max                  int64
	Replicas             *Lambda
	IncreaseCooldown     time.Duration
	DecreaseCooldown     time.Duration
}

// EC2AutoscaleProps are the properties of |ec2Autoscale().
type EC2AutoscaleProps struct {
	Cluster            string
	GroupName          string
	GroupNameTag       string
	OutputGroupNameTag string
	CurrentField       string
	Min                int64
	Max                int64
	Replicas           *Lambda
	IncreaseCooldown   time.Duration
	DecreaseCooldown   time.Duration
}

// UDFProps are the properties of a @name() node. The options are recorded as
// called; they are checked against the UDF's declared options when its
// configuration is known.
type UDFProps struct {
	Name    string
	Options []Call
}

// NoOpProps are the properties of the implicit noop node.
type NoOpProps struct{}

// InfluxQLProps are the properties of an InfluxQL function node (count, mean,
// top, elapsed, holtWinters, …). Only the fields of the Method are meaningful.
type InfluxQLProps struct {
	Method        string // the chain method: "count", "percentile", "movingAverage", …
	Field         string
	As            string // default: Method
	UsePointTimes bool

	Percentile float64       // percentile
	N          int64         // top, bottom: number of points
	Extra      []string      // top, bottom: the extra fields and tags to keep
	Unit       time.Duration // elapsed
	Window     int64         // movingAverage
	H, M       int64         // holtWinters, holtWintersWithFit
	Interval   time.Duration // holtWinters, holtWintersWithFit
}

// FusedProps are the properties of a Fused node: the steps it runs in order on
// each point. Each step is a detached node (no parents or children) of kind
// From, Where or Eval that keeps its name, position and properties.
type FusedProps struct {
	Steps []*Node
}

// Call is one property call recorded as data: a UDF option or an alert handler
// property.
type Call struct {
	Name string
	Args []stdlib.Value
	Pos  Pos
}

// AlertProps are the properties of |alert().
type AlertProps struct {
	ID       string // text/template; default "{{ .Name }}:{{ .Group }}"
	Message  string // text/template; default "{{ .ID }} is {{ .Level }}"
	Details  string // html/template; default "{{ json . }}"
	Category string
	Topic    string

	Info, Warn, Crit                *Lambda // nil when unset
	InfoReset, WarnReset, CritReset *Lambda // nil when unset

	History int64 // default 21

	LevelTag      string
	LevelField    string
	MessageField  string
	DurationField string
	IDTag         string
	IDField       string

	All          bool
	NoRecoveries bool

	StateChangesOnly         bool
	StateChangesOnlyDuration time.Duration

	UseFlapping bool
	FlapLow     float64
	FlapHigh    float64

	Inhibitors []Inhibitor
	Handlers   []*Handler // in call order
}

// Inhibitor is one .inhibit(category, equalTags…) call.
type Inhibitor struct {
	Category  string
	EqualTags []string
}

// Handler is one alert handler call, such as .post(url).header('a','b'), as data:
// its kind, its constructor arguments and its property calls in order.
type Handler struct {
	Kind  string         // the handler method: "post", "tcp", "log", "email", "slack", …
	Pos   Pos            // the handler call
	Args  []stdlib.Value // the constructor's arguments
	Props []Call         // the handler's property calls, in order
}

// Last returns the last call of the handler property name.
func (h *Handler) Last(name string) (Call, bool) {
	for i := len(h.Props) - 1; i >= 0; i-- {
		if h.Props[i].Name == name {
			return h.Props[i], true
		}
	}
	return Call{}, false
}

// All returns every call of the handler property name, in order.
func (h *Handler) All(name string) []Call {
	var out []Call
	for _, c := range h.Props {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

func (*StreamProps) props()            {}
func (*BatchProps) props()             {}
func (*FromProps) props()              {}
func (*QueryProps) props()             {}
func (*QueryFluxProps) props()         {}
func (*WhereProps) props()             {}
func (*EvalProps) props()              {}
func (*WindowProps) props()            {}
func (*GroupByProps) props()           {}
func (*AlertProps) props()             {}
func (*LogProps) props()               {}
func (*HTTPOutProps) props()           {}
func (*HTTPPostProps) props()          {}
func (*InfluxDBOutProps) props()       {}
func (*KapacitorLoopbackProps) props() {}
func (*DerivativeProps) props()        {}
func (*StatsProps) props()             {}
func (*ShiftProps) props()             {}
func (*SampleProps) props()            {}
func (*JoinProps) props()              {}
func (*UnionProps) props()             {}
func (*CombineProps) props()           {}
func (*FlattenProps) props()           {}
func (*DefaultProps) props()           {}
func (*DeleteProps) props()            {}
func (*ChangeDetectProps) props()      {}
func (*StateDurationProps) props()     {}
func (*StateCountProps) props()        {}
func (*BarrierProps) props()           {}
func (*SideloadProps) props()          {}
func (*TrickleProps) props()           {}
func (*K8sAutoscaleProps) props()      {}
func (*SwarmAutoscaleProps) props()    {}
func (*EC2AutoscaleProps) props()      {}
func (*UDFProps) props()               {}
func (*NoOpProps) props()              {}
func (*InfluxQLProps) props()          {}
func (*FusedProps) props()             {}
