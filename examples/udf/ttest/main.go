// Command ttest is a UDF written with tickc's Go agent: for every batch it
// compares the values of a field with the previous size values of the same
// group using Welch's t-test, and emits a point with the two-sided p-value
// (field pvalue) and the t statistic (field t).
//
// It runs as a process UDF (the default) or, with -socket PATH, as a
// socket UDF.
package main

import (
	"encoding/json"

	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/tickc/tickc/udf/agent"
)

func main() {
	socket := flag.String("socket", "", "serve on the unix socket `PATH` instead of standard input and output")
	flag.Parse()
	if *socket == "" {
		a := agent.New(os.Stdin, os.Stdout)
		a.Handler = newHandler(a)
		if err := a.Start(); err != nil {
			log.Fatal(err)
		}
		if err := a.Wait(); err != nil {
			log.Fatal(err)
		}
		return
	}
	l, err := net.Listen("unix", *socket)
	if err != nil {
		log.Fatal(err)
	}
	s := agent.NewServer(l, func(a *agent.Agent) agent.Handler { return newHandler(a) })
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		s.Stop()
	}()
	if err := s.Serve(); err != nil {
		log.Fatal(err)
	}
}

// handler runs the t-test of one node.
type handler struct {
	agent *agent.Agent
	field string
	size  int
	alpha float64

	// History holds, per group, the last size values before the current
	// batch; it is the snapshot.
	History map[string][]float64
	current []float64
}

func newHandler(a *agent.Agent) *handler {
	return &handler{agent: a, alpha: 0.05, History: map[string][]float64{}}
}

func (h *handler) Info() (*agent.InfoResponse, error) {
	return &agent.InfoResponse{
		Wants:    agent.EdgeType_BATCH,
		Provides: agent.EdgeType_STREAM,
		Options: map[string]*agent.OptionInfo{
			"field": {ValueTypes: []agent.ValueType{agent.ValueType_STRING}},
			"size":  {ValueTypes: []agent.ValueType{agent.ValueType_INT}},
			"alpha": {ValueTypes: []agent.ValueType{agent.ValueType_DOUBLE}},
		},
	}, nil
}

func (h *handler) Init(r *agent.InitRequest) (*agent.InitResponse, error) {
	for _, o := range r.Options {
		switch o.Name {
		case "field":
			h.field = o.Values[0].GetStringValue()
		case "size":
			h.size = int(o.Values[0].GetIntValue())
		case "alpha":
			h.alpha = o.Values[0].GetDoubleValue()
		}
	}
	switch {
	case h.field == "":
		return &agent.InitResponse{Success: false, Error: "field must be set"}, nil
	case h.size < 2:
		return &agent.InitResponse{Success: false, Error: "size must be at least 2"}, nil
	case h.alpha <= 0 || h.alpha >= 1:
		return &agent.InitResponse{Success: false, Error: "alpha must be between 0 and 1"}, nil
	}
	return &agent.InitResponse{Success: true}, nil
}

func (h *handler) Snapshot() (*agent.SnapshotResponse, error) {
	data, err := json.Marshal(h.History)
	if err != nil {
		return nil, err
	}
	return &agent.SnapshotResponse{Snapshot: data}, nil
}

func (h *handler) Restore(r *agent.RestoreRequest) (*agent.RestoreResponse, error) {
	history := map[string][]float64{}
	if err := json.Unmarshal(r.Snapshot, &history); err != nil {
		return &agent.RestoreResponse{Success: false, Error: err.Error()}, nil
	}
	h.History = history
	return &agent.RestoreResponse{Success: true}, nil
}

func (h *handler) BeginBatch(*agent.BeginBatch) error {
	h.current = h.current[:0]
	return nil
}

func (h *handler) Point(p *agent.Point) error {
	if v, ok := p.FieldsDouble[h.field]; ok {
		h.current = append(h.current, v)
	} else if i, ok := p.FieldsInt[h.field]; ok {
		h.current = append(h.current, float64(i))
	}
	return nil
}

func (h *handler) EndBatch(end *agent.EndBatch) error {
	past := h.History[end.Group]
	if len(past) >= 2 && len(h.current) >= 2 {
		t, p := welch(h.current, past)
		h.agent.Responses <- &agent.Response{Message: &agent.Response_Point{Point: &agent.Point{
			Time:         end.Tmax,
			Name:         end.Name,
			Group:        end.Group,
			Tags:         end.Tags,
			FieldsDouble: map[string]float64{"pvalue": p, "t": t},
		}}}
	}
	past = append(past, h.current...)
	if over := len(past) - h.size; over > 0 {
		past = append(past[:0:0], past[over:]...)
	}
	h.History[end.Group] = past
	return nil
}

func (h *handler) Stop() {}
