package udf

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tickc/tickc/stdlib"
	"github.com/tickc/tickc/udf/agent"
)

// CheckOption checks one option call of a UDF node, .name(values…), against
// the UDF's info response: the option must exist and its values match the
// declared types exactly, in count and type (there is no int-float
// coercion). The error names the UDF but not the position.
func CheckOption(udfName string, info *agent.InfoResponse, name string, values []stdlib.Value) error {
	oi, ok := info.GetOptions()[name]
	if !ok {
		names := make([]string, 0, len(info.GetOptions()))
		for n := range info.GetOptions() {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) == 0 {
			return fmt.Errorf("no option %q on UDF @%s: it takes no options", name, udfName)
		}
		return fmt.Errorf("no option %q on UDF @%s (its options: %s)", name, udfName, strings.Join(names, ", "))
	}
	want := oi.GetValueTypes()
	if len(values) != len(want) {
		return fmt.Errorf("unexpected number of args to %s, got %d expected %d", name, len(values), len(want))
	}
	for i, v := range values {
		got, ok := ValueType(v)
		if !ok || got != want[i] {
			return fmt.Errorf("invalid value type for arg %d of option %s: got %s expected %s", i+1, name, v.Type(), TypeName(want[i]))
		}
	}
	return nil
}

// TypeName is the TICKscript name of an option value type: boolean, int,
// float, string or duration.
func TypeName(t agent.ValueType) string {
	switch t {
	case agent.ValueType_BOOL:
		return "boolean"
	case agent.ValueType_INT:
		return "int"
	case agent.ValueType_DOUBLE:
		return "float"
	case agent.ValueType_STRING:
		return "string"
	case agent.ValueType_DURATION:
		return "duration"
	}
	return fmt.Sprintf("type %d", int32(t))
}

// ValueType is the option value type of a TICKscript value; false for a
// value no option can hold (a regex, a time, a missing value).
func ValueType(v stdlib.Value) (agent.ValueType, bool) {
	switch v.Type() {
	case stdlib.TypeBool:
		return agent.ValueType_BOOL, true
	case stdlib.TypeInt:
		return agent.ValueType_INT, true
	case stdlib.TypeFloat:
		return agent.ValueType_DOUBLE, true
	case stdlib.TypeString:
		return agent.ValueType_STRING, true
	case stdlib.TypeDuration:
		return agent.ValueType_DURATION, true
	}
	return 0, false
}

// Option converts one option call into its protocol message; values must
// have passed CheckOption.
func Option(name string, values []stdlib.Value) *agent.Option {
	o := &agent.Option{Name: name, Values: make([]*agent.OptionValue, len(values))}
	for i, v := range values {
		ov := &agent.OptionValue{}
		switch v.Type() {
		case stdlib.TypeBool:
			ov.Type, ov.Value = agent.ValueType_BOOL, &agent.OptionValue_BoolValue{BoolValue: v.Bool()}
		case stdlib.TypeInt:
			ov.Type, ov.Value = agent.ValueType_INT, &agent.OptionValue_IntValue{IntValue: v.Int()}
		case stdlib.TypeFloat:
			ov.Type, ov.Value = agent.ValueType_DOUBLE, &agent.OptionValue_DoubleValue{DoubleValue: v.Float()}
		case stdlib.TypeString:
			ov.Type, ov.Value = agent.ValueType_STRING, &agent.OptionValue_StringValue{StringValue: v.Str()}
		case stdlib.TypeDuration:
			ov.Type, ov.Value = agent.ValueType_DURATION, &agent.OptionValue_DurationValue{DurationValue: int64(v.Duration())}
		}
		o.Values[i] = ov
	}
	return o
}
