package ir

import (
	"fmt"
	"time"

	"github.com/tickc/tickc/parser"
	"github.com/tickc/tickc/stdlib"
)

// valKind is the kind of a value met while lowering the top level of a script.
type valKind uint8

const (
	vInvalid valKind = iota // the result of an expression that already reported an error
	vScalar                 // float, int, string, bool, duration or regex: see val
	vLambda                 // a lambda expression
	vList                   // a list: string, star or scalar elements
	vStar                   // *
	vNode                   // a pipeline node (and maybe its current alert handler)
	vRef                    // a "reference", which is only meaningful inside a lambda
	vTimeDim                // time(length[, offset])
)

// value is a TICKscript value at definition time: what a var holds or a call
// receives.
type value struct {
	kind    valKind
	val     stdlib.Value // vScalar
	lambda  *Lambda      // vLambda
	list    []value      // vList
	node    *Node        // vNode
	handler *Handler     // vNode of an alert: the handler whose properties come first; nil if none
	ref     string       // vRef
	tdim    TimeDimension
	pos     parser.Pos // where the value was written
}

// typeName returns the value's type as TICKscript names it.
func (v value) typeName() string {
	switch v.kind {
	case vScalar:
		return v.val.Type().String()
	case vLambda:
		return "lambda"
	case vList:
		return "list"
	case vStar:
		return "star"
	case vNode:
		return "node"
	case vRef:
		return "reference"
	case vTimeDim:
		return "time dimension"
	}
	return "invalid"
}

// varType returns the name of the value's type in var declarations and
// define-time vars ("float", "lambda", …), or "" for values a define-time var
// cannot replace (nodes).
func (v value) varType() string {
	switch v.kind {
	case vScalar:
		switch v.val.Type() {
		case stdlib.TypeBool:
			return "bool"
		default:
			return v.val.Type().String()
		}
	case vLambda:
		return "lambda"
	case vList:
		return "list"
	case vStar:
		return "star"
	}
	return ""
}

// accepts reports whether v can be passed for a parameter of type t.
func (v value) accepts(t argType) bool {
	if v.kind == vInvalid {
		return true // already reported
	}
	st := v.val.Type()
	scalar := v.kind == vScalar
	switch t {
	case aString:
		return scalar && st == stdlib.TypeString
	case aInt:
		return scalar && st == stdlib.TypeInt
	case aFloat:
		return scalar && st == stdlib.TypeFloat
	case aBool:
		return scalar && st == stdlib.TypeBool
	case aDuration:
		return scalar && st == stdlib.TypeDuration
	case aLambda:
		return v.kind == vLambda
	case aNode:
		return v.kind == vNode
	case aDim:
		return v.kind == vStar || scalar && st == stdlib.TypeString
	case aQueryDim:
		return v.kind == vStar || v.kind == vTimeDim || scalar && st == stdlib.TypeString
	case aScalar:
		return scalar && (st == stdlib.TypeFloat || st == stdlib.TypeInt || st == stdlib.TypeString || st == stdlib.TypeBool)
	case aRate:
		return scalar && (st == stdlib.TypeInt || st == stdlib.TypeDuration)
	case aOption:
		return scalar && st != stdlib.TypeRegex && st != stdlib.TypeMissing
	case aFill:
		return scalar && (st == stdlib.TypeFloat || st == stdlib.TypeInt || st == stdlib.TypeString)
	}
	return false
}

// args are the checked arguments of a call. The accessors assume the
// signature check passed; an invalid argument reads as the zero value.
type args []value

func (a args) str(i int) string { return a[i].val.Str() }

func (a args) int(i int) int64 { return a[i].val.Int() }

func (a args) float(i int) float64 { return a[i].val.Float() }

func (a args) bool(i int) bool { return a[i].val.Bool() }

func (a args) dur(i int) time.Duration { return a[i].val.Duration() }

func (a args) lambda(i int) *Lambda { return a[i].lambda }

// strs returns the string arguments from i on.
func (a args) strs(i int) []string {
	var out []string
	for _, v := range a[i:] {
		out = append(out, v.val.Str())
	}
	return out
}

// lambdas returns the lambda arguments from i on.
func (a args) lambdas(i int) []*Lambda {
	var out []*Lambda
	for _, v := range a[i:] {
		if v.lambda != nil {
			out = append(out, v.lambda)
		}
	}
	return out
}

// dims returns the groupBy dimensions from i on.
func (a args) dims(i int) Dimensions {
	var d Dimensions
	others := 0
	for _, v := range a[i:] {
		switch v.kind {
		case vStar:
			d.All = true
			others++
		case vTimeDim:
			td := v.tdim
			d.Time, d.TimeAt = &td, others
		case vScalar:
			others++
			d.Tags = append(d.Tags, v.val.Str())
		}
	}
	return d
}

// fill returns a fill argument.
func (a args) fill(i int) Fill {
	v := a[i].val
	switch v.Type() {
	case stdlib.TypeString:
		return Fill{Mode: v.Str()}
	case stdlib.TypeInt, stdlib.TypeFloat:
		return Fill{Mode: "number", Value: v}
	}
	return Fill{}
}

// formatValue prints a scalar value as TICKscript writes it.
func formatValue(v stdlib.Value) string {
	switch v.Type() {
	case stdlib.TypeString:
		return quoteString(v.Str())
	case stdlib.TypeInt:
		return fmt.Sprint(v.Int())
	case stdlib.TypeFloat:
		return formatFloat(v.Float())
	case stdlib.TypeBool:
		if v.Bool() {
			return "TRUE"
		}
		return "FALSE"
	case stdlib.TypeDuration:
		return formatDuration(v.Duration())
	case stdlib.TypeRegex:
		if re := v.Regex(); re != nil {
			return "/" + re.String() + "/"
		}
		return "//"
	case stdlib.TypeTime:
		return time.Unix(0, v.UnixNano()).UTC().Format(time.RFC3339Nano)
	}
	return "missing"
}
