// Command moving_avg is a UDF written with tickc's Go agent: it emits, for
// every point of a stream, the average of the last size values of a field.
//
// Run it as a process UDF (the default: it speaks the protocol on its
// standard input and output) or as a socket UDF with -socket PATH.
package main

import (
	"errors"
	"flag"
	"fmt"
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

// handler averages one field over a window of points, per group.
type handler struct {
	agent *agent.Agent
	field string
	as    string
	size  int
	// windows holds the last values of each group.
	windows map[string]*window
}

func newHandler(a *agent.Agent) *handler {
	return &handler{agent: a, as: "avg", windows: map[string]*window{}}
}

// window is a ring of the last values and their running sum.
type window struct {
	values []float64
	next   int
	full   bool
	sum    float64
}

func (w *window) add(v float64) (avg float64, ok bool) {
	if w.full {
		w.sum -= w.values[w.next]
	}
	w.values[w.next] = v
	w.sum += v
	w.next++
	if w.next == len(w.values) {
		w.next, w.full = 0, true
	}
	return w.sum / float64(len(w.values)), w.full
}

func (h *handler) Info() (*agent.InfoResponse, error) {
	return &agent.InfoResponse{
		Wants:    agent.EdgeType_STREAM,
		Provides: agent.EdgeType_STREAM,
		Options: map[string]*agent.OptionInfo{
			"field": {ValueTypes: []agent.ValueType{agent.ValueType_STRING}},
			"size":  {ValueTypes: []agent.ValueType{agent.ValueType_INT}},
			"as":    {ValueTypes: []agent.ValueType{agent.ValueType_STRING}},
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
		case "as":
			h.as = o.Values[0].GetStringValue()
		}
	}
	var problems []string
	if h.field == "" {
		problems = append(problems, "field must be set")
	}
	if h.size <= 0 {
		problems = append(problems, "size must be positive")
	}
	if h.as == "" {
		problems = append(problems, "as must not be empty")
	}
	if len(problems) > 0 {
		return &agent.InitResponse{Success: false, Error: fmt.Sprint(problems)}, nil
	}
	return &agent.InitResponse{Success: true}, nil
}

// Snapshot and Restore keep no state across restarts: a restarted moving
// average starts over.
func (h *handler) Snapshot() (*agent.SnapshotResponse, error) {
	return &agent.SnapshotResponse{}, nil
}

func (h *handler) Restore(*agent.RestoreRequest) (*agent.RestoreResponse, error) {
	return &agent.RestoreResponse{Success: true}, nil
}

func (h *handler) BeginBatch(*agent.BeginBatch) error {
	return errors.New("moving_avg takes a stream, not batches")
}

func (h *handler) Point(p *agent.Point) error {
	v, ok := p.FieldsDouble[h.field]
	if !ok {
		i, isInt := p.FieldsInt[h.field]
		if !isInt {
			return nil // a point without the field is skipped
		}
		v = float64(i)
	}
	w := h.windows[p.Group]
	if w == nil {
		w = &window{values: make([]float64, h.size)}
		h.windows[p.Group] = w
	}
	avg, full := w.add(v)
	if !full {
		return nil
	}
	h.agent.Responses <- &agent.Response{Message: &agent.Response_Point{Point: &agent.Point{
		Time:            p.Time,
		Name:            p.Name,
		Database:        p.Database,
		RetentionPolicy: p.RetentionPolicy,
		Group:           p.Group,
		Dimensions:      p.Dimensions,
		ByName:          p.ByName,
		Tags:            p.Tags,
		FieldsDouble:    map[string]float64{h.as: avg},
	}}}
	return nil
}

func (h *handler) EndBatch(*agent.EndBatch) error {
	return errors.New("moving_avg takes a stream, not batches")
}

func (h *handler) Stop() {}
