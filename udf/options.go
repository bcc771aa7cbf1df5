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
			return fmt.Errorf("UDF @%s has no option %q: it takes no options", udfName, name)
		}
		return fmt.Errorf("UDF @%s has no option %q (its options: %s)", udfName, name, strings.Join(names, ", "))
	}
	want := oi.GetValueTypes()
	if len(values) != len(want) {
		return fmt.Errorf("option %s of UDF @%s takes %d %s (%s), got %d", name, udfName, len(want), plural(len(want), "value"), typeList(want), len(values))
	}
	for i, v := range values {
		got, ok := ValueType(v)
		if !ok {
			return fmt.Errorf("option %s of UDF @%s: argument %d is a %s, which no UDF option takes", name, udfName, i+1, v.Type())
		}
		if got != want[i] {
			return fmt.Errorf("option %s of UDF @%s: argument %d is a %s, want a %s", name, udfName, i+1, TypeName(got), TypeName(want[i]))
		}
	}
	return nil
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

func typeList(ts []agent.ValueType) string {
	if len(ts) == 0 {
		return "none"
	}
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = TypeName(t)
	}
	return strings.Join(s, ", ")
}

// TypeName is the TICKscript name of an option value type: bool, int,
// float, string or duration.
func TypeName(t agent.ValueType) string {
	switch t {
	case agent.ValueType_BOOL:
		return "bool"
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
