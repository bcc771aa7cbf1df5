package ir

// Kind is the type of a pipeline node; it decides which Props type the node holds.
type Kind uint8

// The node kinds: one per Kapacitor node type, plus Fused for the fusion pass.
const (
	KindInvalid           Kind = iota
	KindStream                 // *StreamProps
	KindBatch                  // *BatchProps
	KindFrom                   // *FromProps
	KindQuery                  // *QueryProps
	KindQueryFlux              // *QueryFluxProps
	KindWhere                  // *WhereProps
	KindEval                   // *EvalProps
	KindWindow                 // *WindowProps
	KindGroupBy                // *GroupByProps
	KindAlert                  // *AlertProps
	KindLog                    // *LogProps
	KindHTTPOut                // *HTTPOutProps
	KindHTTPPost               // *HTTPPostProps
	KindInfluxDBOut            // *InfluxDBOutProps
	KindKapacitorLoopback      // *KapacitorLoopbackProps
	KindDerivative             // *DerivativeProps
	KindStats                  // *StatsProps
	KindShift                  // *ShiftProps
	KindSample                 // *SampleProps
	KindJoin                   // *JoinProps
	KindUnion                  // *UnionProps
	KindCombine                // *CombineProps
	KindFlatten                // *FlattenProps
	KindDefault                // *DefaultProps
	KindDelete                 // *DeleteProps
	KindChangeDetect           // *ChangeDetectProps
	KindStateDuration          // *StateDurationProps
	KindStateCount             // *StateCountProps
	KindBarrier                // *BarrierProps
	KindSideload               // *SideloadProps
	KindTrickle                // *TrickleProps
	KindK8sAutoscale           // *K8sAutoscaleProps
	KindSwarmAutoscale         // *SwarmAutoscaleProps
	KindEC2Autoscale           // *EC2AutoscaleProps
	KindUDF                    // *UDFProps
	KindNoOp                   // *NoOpProps
	KindInfluxQL               // *InfluxQLProps
	KindFused                  // *FusedProps
	numKinds
)

// kindInfo is what the package knows about each kind: its TICKscript method
// name and Kapacitor's description (the prefix of node names).
var kindInfo = [numKinds]struct{ method, desc string }{
	KindInvalid:           {"invalid", "invalid"},
	KindStream:            {"stream", "stream"},
	KindBatch:             {"batch", "batch"},
	KindFrom:              {"from", "from"},
	KindQuery:             {"query", "query"},
	KindQueryFlux:         {"queryFlux", "queryFlux"},
	KindWhere:             {"where", "where"},
	KindEval:              {"eval", "eval"},
	KindWindow:            {"window", "window"},
	KindGroupBy:           {"groupBy", "groupby"},
	KindAlert:             {"alert", "alert"},
	KindLog:               {"log", "log"},
	KindHTTPOut:           {"httpOut", "http_out"},
	KindHTTPPost:          {"httpPost", "http_post"},
	KindInfluxDBOut:       {"influxDBOut", "influxdb_out"},
	KindKapacitorLoopback: {"kapacitorLoopback", "kapacitor_loopback"},
	KindDerivative:        {"derivative", "derivative"},
	KindStats:             {"stats", "stats"},
	KindShift:             {"shift", "shift"},
	KindSample:            {"sample", "sample"},
	KindJoin:              {"join", "join"},
	KindUnion:             {"union", "union"},
	KindCombine:           {"combine", "combine"},
	KindFlatten:           {"flatten", "flatten"},
	KindDefault:           {"default", "default"},
	KindDelete:            {"delete", "delete"},
	KindChangeDetect:      {"changeDetect", "changeDetect"},
	KindStateDuration:     {"stateDuration", "state_duration"},
	KindStateCount:        {"stateCount", "state_count"},
	KindBarrier:           {"barrier", "barrier"},
	KindSideload:          {"sideload", "sideload"},
	KindTrickle:           {"trickle", "trickle"},
	KindK8sAutoscale:      {"k8sAutoscale", "k8s_autoscale"},
	KindSwarmAutoscale:    {"swarmAutoscale", "swarm_autoscale"},
	KindEC2Autoscale:      {"ec2Autoscale", "ec2_autoscale"},
	KindUDF:               {"udf", "udf"},
	KindNoOp:              {"noop", "noop"},
	KindInfluxQL:          {"influxql", "influxql"},
	KindFused:             {"fused", "fused"},
}

// String returns the kind's TICKscript chain method name ("window", "httpOut");
// "udf" for UDF nodes, "influxql" for the InfluxQL function nodes and "fused"
// for nodes made by the fusion pass.
func (k Kind) String() string {
	if k < numKinds {
		return kindInfo[k].method
	}
	return "invalid"
}

// Desc returns Kapacitor's description of the kind, the prefix of its node
// names ("http_out", "groupby"). UDF and InfluxQL nodes are named after their
// UDF or function instead.
func (k Kind) Desc() string {
	if k < numKinds {
		return kindInfo[k].desc
	}
	return "invalid"
}
