package ir

// Lambdas returns every lambda of n's props, in property order: where, eval
// and combine expressions, alert levels, state and autoscale expressions, and
// those of a fused node's steps. The lambdas are shared with the props, so a
// pass may rewrite their Expr in place.
func (n *Node) Lambdas() []*Lambda {
	var out []*Lambda
	add := func(ls ...*Lambda) {
		for _, l := range ls {
			if l != nil {
				out = append(out, l)
			}
		}
	}
	switch p := n.Props.(type) {
	case *FromProps:
		add(p.Where...)
	case *WhereProps:
		add(p.Lambda)
	case *EvalProps:
		add(p.Lambdas...)
	case *CombineProps:
		add(p.Lambdas...)
	case *AlertProps:
		add(p.Info, p.Warn, p.Crit, p.InfoReset, p.WarnReset, p.CritReset)
	case *StateDurationProps:
		add(p.Lambda)
	case *StateCountProps:
		add(p.Lambda)
	case *K8sAutoscaleProps:
		add(p.Replicas)
	case *SwarmAutoscaleProps:
		add(p.Replicas)
	case *EC2AutoscaleProps:
		add(p.Replicas)
	case *FusedProps:
		for _, s := range p.Steps {
			add(s.Lambdas()...)
		}
	}
	return out
}

// Sinks are the kinds whose nodes act outside the pipeline: they serve,
// send, write or log data, run an external process or scale a resource. A
// node is live when it is a sink or feeds one.
var Sinks = map[Kind]bool{
	KindHTTPOut:           true,
	KindHTTPPost:          true,
	KindInfluxDBOut:       true,
	KindKapacitorLoopback: true,
	KindAlert:             true,
	KindLog:               true,
	KindUDF:               true,
	KindK8sAutoscale:      true,
	KindSwarmAutoscale:    true,
	KindEC2Autoscale:      true,
}
