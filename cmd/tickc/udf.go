package main

import (
	"errors"

	"github.com/tickc/tickc/ir"
	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
	"github.com/tickc/tickc/udf"
	"github.com/tickc/tickc/udf/agent"
)

// udfInfos asks each UDF that the script calls and the configuration file
// names for its info response, as Kapacitor does before it defines a task.
// A UDF the configuration does not name is left to be checked when the
// program starts.
func udfInfos(config string, script *parser.Script) (map[string]ir.UDFInfo, error) {
	functions, err := udf.LoadFunctions(config)
	if err != nil {
		return nil, err
	}
	infos := map[string]ir.UDFInfo{}
	var errs []error
	parser.Inspect(script, func(n parser.Node) bool {
		call, ok := n.(*parser.UDFCall)
		if !ok {
			return true
		}
		name := call.Name.Name
		fc, ok := functions[name]
		if _, done := infos[name]; done || !ok {
			return true
		}
		resp, err := udf.Info(name, fc)
		if err != nil {
			errs = append(errs, err)
			infos[name] = ir.UDFInfo{}
			return true
		}
		infos[name] = irInfo(resp)
		return true
	})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return infos, nil
}

// irInfo converts an info response into what the IR checks.
func irInfo(resp *agent.InfoResponse) ir.UDFInfo {
	edge := func(e agent.EdgeType) ir.EdgeType {
		if e == agent.EdgeType_BATCH {
			return ir.BatchEdge
		}
		return ir.StreamEdge
	}
	info := ir.UDFInfo{Wants: edge(resp.GetWants()), Provides: edge(resp.GetProvides()), Options: map[string][]stdlib.Type{}}
	for name, o := range resp.GetOptions() {
		types := make([]stdlib.Type, len(o.GetValueTypes()))
		for i, t := range o.GetValueTypes() {
			switch t {
			case agent.ValueType_BOOL:
				types[i] = stdlib.TypeBool
			case agent.ValueType_INT:
				types[i] = stdlib.TypeInt
			case agent.ValueType_DOUBLE:
				types[i] = stdlib.TypeFloat
			case agent.ValueType_STRING:
				types[i] = stdlib.TypeString
			case agent.ValueType_DURATION:
				types[i] = stdlib.TypeDuration
			}
		}
		info.Options[name] = types
	}
	return info
}

// checkUDFOptions checks the options of the UDF nodes whose info is known.
func checkUDFOptions(prog *ir.Program, infos map[string]ir.UDFInfo) error {
	var list parser.ErrorList
	for _, name := range ir.UDFNames(prog) {
		info, ok := infos[name]
		if !ok {
			continue
		}
		if err := ir.ApplyUDFInfo(prog, name, info); err != nil {
			var el parser.ErrorList
			if !errors.As(err, &el) {
				return err
			}
			list = append(list, el...)
		}
	}
	list.Sort()
	return list.Err()
}
