package ir

import (
	"strings"
	"time"

	"github.com/tickc/tickc/parser"
)

// validate reports what Kapacitor rejects when it validates the pipeline or
// creates the node's runtime: required properties, mutually exclusive
// properties and invalid property values. Each error is placed at the property
// that causes it when there is one, else at the node.
func (l *lowerer) validate(n *Node) {
	at := func(props ...string) Pos {
		for _, p := range props {
			if pos, ok := n.PropPos[p]; ok {
				return pos
			}
		}
		return n.Pos
	}
	errorf := func(p Pos, format string, a ...any) { l.errs.Addf(p, format, a...) }

	switch p := n.Props.(type) {
	case *FromProps:
		l.checkDims(n, p.GroupBy, nil, at("groupBy"))
	case *GroupByProps:
		l.checkDims(n, p.Dimensions, p.Exclude, at("exclude"))
	case *QueryProps:
		if p.GroupBy.All && len(p.GroupBy.Tags) > 0 {
			errorf(at("groupBy"), "cannot group by both '*' and named dimensions")
		}
		l.checkFill(p.Fill, at("fill"), false)
		l.checkSchedule(p.Every, p.Cron, at("every", "cron"), n.Pos)
	case *QueryFluxProps:
		l.checkSchedule(p.Every, p.Cron, at("every", "cron"), n.Pos)
	case *EvalProps:
		if len(p.As) != len(p.Lambdas) {
			errorf(at("as"), "must specify same number of expressions and .as() names: got %d as names, and %d expressions", len(p.As), len(p.Lambdas))
		}
		for _, t := range p.Tags {
			if !contains(p.As, t) {
				errorf(at("tags"), "invalid tag name %q, name is not present in .as() names", t)
			}
		}
	case *WindowProps:
		switch {
		case p.PeriodCount != 0 && p.Period != 0:
			errorf(at("periodCount", "period"), "cannot specify both period and periodCount")
		case p.PeriodCount != 0 && p.Align:
			errorf(at("align"), "can only align windows based off time, not count")
		case p.PeriodCount != 0 && p.EveryCount <= 0:
			errorf(at("everyCount", "periodCount"), "everyCount must be greater than zero")
		case p.Period == 0 && p.PeriodCount == 0:
			errorf(n.Pos, "window node must have either a non zero period or non zero period count")
		case p.Period < 0 || p.Every < 0:
			errorf(at("period", "every"), "window period and every must not be negative")
		case p.PeriodCount < 0:
			errorf(at("periodCount"), "periodCount must be greater than zero")
		}
	case *LogProps:
		// Kapacitor upper-cases the level; a level other than DEBUG, INFO or
		// ERROR logs at INFO.
		p.Level = strings.ToUpper(p.Level)
	case *HTTPPostProps:
		switch {
		case len(p.URLs) >= 2:
			errorf(n.Pos, "httpPost expects 0 or 1 arguments, got %d", len(p.URLs))
		case len(p.Endpoints) > 1:
			errorf(at("endpoint"), "httpPost expects 0 or 1 endpoints, got %d", len(p.Endpoints))
		case len(p.URLs) == 0 && len(p.Endpoints) == 0:
			errorf(n.Pos, "must provide url or endpoint")
		case len(p.URLs) > 0 && len(p.Endpoints) > 0:
			errorf(at("endpoint"), "only one endpoint and url may be specified")
		}
		for _, h := range p.Headers {
			if strings.EqualFold(h.Key, "authenticate") {
				errorf(at("header"), "cannot set 'authenticate' header")
			}
		}
	case *KapacitorLoopbackProps:
		if p.Database == "" {
			errorf(n.Pos, "must specify a database")
		}
		if p.RetentionPolicy == "" {
			errorf(n.Pos, "must specify a retention policy")
		}
		// Points written into a dbrp the task reads would come back to it
		// forever.
		for _, d := range l.prog.DBRPs {
			if d.Database == p.Database && d.RetentionPolicy == p.RetentionPolicy {
				errorf(n.Pos, "loop detected on dbrp: %q.%q", d.Database, d.RetentionPolicy)
			}
		}
	case *JoinProps:
		l.checkPrefixes(n, "join", p.As, len(n.Parents), p.Delimiter, at("as"), "joined streams")
		l.checkFill(p.Fill, at("fill"), true)
	case *CombineProps:
		l.checkPrefixes(n, "combine", p.As, len(p.Lambdas), p.Delimiter, at("as"), "combine expressions")
		if p.Max <= 0 {
			errorf(at("max"), "combine max must be greater than zero")
		}
	case *BarrierProps:
		switch {
		case p.Idle != 0 && p.Period != 0:
			errorf(at("idle", "period"), "cannot specify both idle and period")
		case p.Period == 0 && p.Idle <= 0:
			errorf(at("idle"), "idle must be greater than zero")
		case p.Period <= 0 && p.Idle == 0:
			errorf(at("period"), "period must be greater than zero")
		}
	case *SampleProps:
		if p.N <= 0 && p.Duration <= 0 {
			errorf(n.Pos, "invalid sample rate: must be positive integer or duration")
		}
	case *StatsProps:
		if p.Interval <= 0 {
			errorf(n.Pos, "stats interval must be greater than zero")
		}
	case *K8sAutoscaleProps:
		if (p.ResourceName == "") == (p.ResourceNameTag == "") {
			errorf(at("resourceName", "resourceNameTag"), "must specify exactly one of resourceName or resourceNameTag")
		}
		switch p.Kind {
		case "deployments", "replicasets", "replicationcontrollers":
		default:
			errorf(at("kind"), "invalid kind, must be 'deployments', 'replicasets' or 'replicationcontrollers', got %s", p.Kind)
		}
		l.checkAutoscale(n, p.Min, p.Replicas, at("min"))
	case *SwarmAutoscaleProps:
		if (p.ServiceName == "") == (p.ServiceNameTag == "") {
			errorf(at("serviceName", "serviceNameTag"), "must specify exactly one of serviceName or serviceNameTag")
		}
		l.checkAutoscale(n, p.Min, p.Replicas, at("min"))
	case *EC2AutoscaleProps:
		if (p.GroupName == "") == (p.GroupNameTag == "") {
			errorf(at("groupName", "groupNameTag"), "must specify exactly one of groupName or groupNameTag")
		}
		l.checkAutoscale(n, p.Min, p.Replicas, at("min"))
	case *AlertProps:
		if p.UseFlapping && (p.FlapLow > 1 || p.FlapHigh > 1) {
			errorf(at("flapping"), "alert flap thresholds are percentages and should be between 0 and 1")
		}
		for _, h := range p.Handlers {
			l.checkHandler(h)
		}
	}
}

// checkDims reports the groupBy dimension errors of Kapacitor's validateDimensions.
func (l *lowerer) checkDims(n *Node, d Dimensions, exclude []string, excludeAt Pos) {
	at := n.Pos
	if p, ok := n.PropPos["groupBy"]; ok {
		at = p
	}
	for _, t := range d.Tags {
		if t == "" {
			l.errs.Addf(at, "dimensions cannot be the empty string")
		}
	}
	if d.All && len(d.Tags) > 0 {
		l.errs.Addf(at, "cannot group by both '*' and named dimensions")
	}
	if !d.All && len(exclude) > 0 {
		l.errs.Addf(excludeAt, "exclude requires '*'")
	}
}

// checkFill reports a fill other than Kapacitor's; join takes only none,
// null and numbers.
func (l *lowerer) checkFill(f Fill, at Pos, join bool) {
	switch f.Mode {
	case "", "none", "null", "number":
	case "previous", "linear":
		if join {
			l.errs.Addf(at, "unexpected fill option %s: join fills with 'none', 'null' or a number", f.Mode)
		}
	default:
		l.errs.Addf(at, "unexpected fill option %s", f.Mode)
	}
}

// checkSchedule reports a query schedule Kapacitor refuses to start.
func (l *lowerer) checkSchedule(every time.Duration, cron string, at, node Pos) {
	switch {
	case every != 0 && cron != "":
		l.errs.Addf(at, "must not set both 'every' and 'cron' properties")
	case every < 0:
		l.errs.Addf(at, "'every' duration must be non-negative")
	case every == 0 && cron == "":
		l.errs.Addf(node, "must define one of 'every' or 'cron'")
	}
}

// checkPrefixes reports the .as() errors of join and combine.
func (l *lowerer) checkPrefixes(n *Node, what string, names []string, want int, delim string, at Pos, of string) {
	if len(names) == 0 {
		l.errs.Addf(n.Pos, "a call to %s.as() is required to specify the output stream prefixes", what)
		return
	}
	if len(names) != want {
		l.errs.Addf(at, "number of prefixes specified by %s.as() must match the number of %s", what, of)
		return
	}
	seen := map[string]bool{}
	for _, name := range names {
		switch {
		case name == "":
			l.errs.Addf(at, "must provide a prefix name for the %s node, see .as() property method", what)
		case delim != "" && strings.Contains(name, delim):
			l.errs.Addf(at, "cannot use name %s as field prefix, it contains the delimiter %q", name, delim)
		case seen[name]:
			l.errs.Addf(at, "cannot use the same prefix name see .as() property method")
		}
		seen[name] = true
	}
}

// checkAutoscale reports the errors shared by the autoscale nodes.
func (l *lowerer) checkAutoscale(n *Node, min int64, replicas *Lambda, minAt Pos) {
	if min < 1 {
		l.errs.Addf(minAt, "min must be >= 1, got %d", min)
	}
	if replicas == nil {
		l.errs.Addf(n.Pos, "must provide a replicas lambda expression")
	}
}

// checkHandler reports invalid alert handler settings.
func (l *lowerer) checkHandler(h *Handler) {
	switch h.Kind {
	case "post":
		// Kapacitor keeps the first url and ignores the others.
		_, hasEndpoint := h.Last("endpoint")
		_, hasURL := h.Last("URL")
		if len(h.Args) == 0 && !hasEndpoint && !hasURL {
			l.errs.Addf(h.Pos, "invalid post: either a url or an endpoint must be given")
		}
		for _, c := range h.All("header") {
			if strings.EqualFold(c.Args[0].Str(), "authenticate") {
				l.errs.Addf(c.Pos, "invalid post: cannot set 'authenticate' header")
			}
		}
	case "snmpTrap":
		oid := ""
		if len(h.Args) > 0 {
			oid = h.Args[0].Str()
		}
		if c, ok := h.Last("trapOid"); ok {
			oid = c.Args[0].Str()
		}
		if oid == "" {
			l.errs.Addf(h.Pos, "invalid SNMP trap %q: you must supply a trap Oid", oid)
		}
		for _, c := range h.All("data") {
			switch c.Args[1].Str() {
			case "c", "i", "n", "s", "t":
			default:
				l.errs.Addf(c.Pos, "invalid SNMP trap %q: unsupported data type %q for data entry %q", oid, c.Args[1].Str(), c.Args[0].Str())
			}
		}
	case "mqtt":
		if c, ok := h.Last("qos"); ok {
			if q := c.Args[0].Int(); q < 0 || q > 2 {
				l.errs.Addf(c.Pos, "invalid mqtt qos %d: must be 0, 1 or 2", q)
			}
		}
	case "kafka":
		if c, ok := h.Last("partitionHashAlgorithm"); ok {
			switch c.Args[0].Str() {
			case "crc32", "murmur2", "fnv-1a":
			default:
				l.errs.Addf(c.Pos, "invalid kafka partition hash algorithm %q: must be 'crc32', 'murmur2' or 'fnv-1a'", c.Args[0].Str())
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns "; did you mean "x"?" for the candidate closest to name by
// edit distance, or "" when none is close.
func suggest(name string, candidates []string) string {
	best, bestD := "", len(name)/2+2
	for _, c := range candidates {
		d := parser.EditDistance(strings.ToLower(name), strings.ToLower(c))
		if d < bestD || d == bestD && best != "" && c < best {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > 2 && bestD > len(name)/3 {
		return ""
	}
	return "; did you mean \"" + best + "\"?"
}
