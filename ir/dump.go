package ir

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tickc/tickc/stdlib"
)

// Dump returns p as deterministic text for stage goldens and debugging: the
// task header, the vars, then one block per node in p's order with its kind,
// edge types, position, parents and every property that differs from the
// zero value. Positions print as line:col.
func Dump(p *Program) string {
	var b strings.Builder
	fmt.Fprintf(&b, "program %s task %s type %s\n", p.File, p.Task, p.Type)
	for _, d := range p.DBRPs {
		fmt.Fprintf(&b, "dbrp %s\n", d)
	}
	for _, v := range p.Vars {
		fmt.Fprintf(&b, "var %s %s = %s @%s\n", v.Name, v.Type, varText(v), posText(v.Pos))
	}
	for _, n := range p.Nodes {
		dumpNode(&b, n, "")
	}
	return b.String()
}

// DumpNode returns one node as Dump prints it.
func DumpNode(n *Node) string {
	var b strings.Builder
	dumpNode(&b, n, "")
	return b.String()
}

func varText(v *Var) string {
	switch v.Type {
	case "lambda":
		if v.Lambda != nil {
			return "lambda: " + v.Lambda.Expr.String()
		}
		return "lambda"
	case "list":
		parts := make([]string, len(v.List))
		for i, s := range v.List {
			if s == "*" {
				parts[i] = s
			} else {
				parts[i] = quoteString(s)
			}
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case "star":
		return "*"
	}
	return formatValue(v.Value)
}

func posText(p Pos) string {
	if !p.IsValid() {
		return "-"
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Column)
}

func dumpNode(b *strings.Builder, n *Node, indent string) {
	fmt.Fprintf(b, "%s%s %s %s->%s @%s", indent, n.Name, nodeKindName(n), n.Wants, n.Provides, posText(n.Pos))
	if n.Ident != "" {
		fmt.Fprintf(b, " ident=%s", n.Ident)
	}
	if len(n.Parents) > 0 {
		names := make([]string, len(n.Parents))
		for i, p := range n.Parents {
			names[i] = p.Name
		}
		fmt.Fprintf(b, " parents=%s", strings.Join(names, ","))
	}
	if n.Quiet {
		b.WriteString(" quiet")
	}
	b.WriteByte('\n')
	if n.Props != nil {
		dumpProps(b, reflect.ValueOf(n.Props).Elem(), indent+"  ")
	}
	if len(n.PropPos) > 0 {
		keys := make([]string, 0, len(n.PropPos))
		for k := range n.PropPos {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "@" + posText(n.PropPos[k])
		}
		fmt.Fprintf(b, "%s  set %s\n", indent, strings.Join(parts, " "))
	}
}

// dumpProps prints the non-zero fields of a props struct, one per line. It
// walks the struct generically so that it never falls behind the props types;
// the IR itself never depends on reflection.
func dumpProps(b *strings.Builder, v reflect.Value, indent string) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := v.Field(i)
		if f.IsZero() {
			continue
		}
		name := lowerFirst(t.Field(i).Name)
		switch x := f.Interface().(type) {
		case []*Handler:
			for _, h := range x {
				fmt.Fprintf(b, "%shandler %s(%s) @%s\n", indent, h.Kind, valuesText(h.Args), posText(h.Pos))
				for _, c := range h.Props {
					fmt.Fprintf(b, "%s  .%s(%s) @%s\n", indent, c.Name, valuesText(c.Args), posText(c.Pos))
				}
			}
		case []Call:
			for _, c := range x {
				fmt.Fprintf(b, "%s%s .%s(%s) @%s\n", indent, name, c.Name, valuesText(c.Args), posText(c.Pos))
			}
		case []*Node:
			fmt.Fprintf(b, "%s%s:\n", indent, name)
			for _, s := range x {
				dumpNode(b, s, indent+"  ")
			}
		default:
			fmt.Fprintf(b, "%s%s %s\n", indent, name, propText(f))
		}
	}
}

// propText formats one property value.
func propText(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case string:
		return quoteString(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case time.Duration:
		return formatDuration(x)
	case stdlib.Value:
		return formatValue(x)
	case *Lambda:
		return lambdaText(x)
	case *Node:
		return x.Name
	case *TimeDimension:
		return fmt.Sprintf("time(%s, %s)", formatDuration(x.Length), formatDuration(x.Offset))
	case Fill:
		if x.Mode == "number" {
			return formatValue(x.Value)
		}
		return quoteString(x.Mode)
	case Dimensions:
		var parts []string
		if x.All {
			parts = append(parts, "*")
		}
		for _, t := range x.Tags {
			parts = append(parts, quoteString(t))
		}
		if x.Time != nil {
			parts = append(parts, propText(reflect.ValueOf(x.Time)))
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case Tag:
		return quoteString(x.Key) + "=" + quoteString(x.Value)
	case NamedValue:
		return quoteString(x.Name) + "=" + formatValue(x.Value)
	case Inhibitor:
		parts := []string{quoteString(x.Category)}
		for _, t := range x.EqualTags {
			parts = append(parts, quoteString(t))
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	if v.Kind() == reflect.Slice {
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = propText(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v.Interface())
}

func lambdaText(l *Lambda) string {
	if l == nil {
		return "nil"
	}
	s := "lambda: " + l.Expr.String()
	if l.Stateful {
		s += " (stateful)"
	}
	return s + " @" + posText(l.Pos)
}

func valuesText(vs []stdlib.Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = formatValue(v)
	}
	return strings.Join(parts, ", ")
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	// Leading acronyms lower as a whole: ID → id, URLs → urls, IDTag → idTag.
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	switch {
	case i == len(s) || s[i:] == "s":
		return strings.ToLower(s)
	case i > 1:
		i--
	}
	return strings.ToLower(s[:i]) + s[i:]
}

// quoteString writes s as a single-quoted TICKscript string.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}

// formatFloat writes f so that it reads back as a float literal.
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".NI") {
		s += ".0"
	}
	return s
}

// formatDuration writes d as a TICKscript duration literal when one unit
// expresses it exactly (10s, 5m, 1w), else in Go's notation.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute},
		{"s", time.Second}, {"ms", time.Millisecond}, {"u", time.Microsecond}}
	for _, u := range units {
		if d%u.unit == 0 {
			return strconv.FormatInt(int64(d/u.unit), 10) + u.suffix
		}
	}
	return d.String()
}
