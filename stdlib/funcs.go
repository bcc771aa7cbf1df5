package stdlib

import (
	"fmt"
	"sort"
	"strings"
)

// Signature is one accepted list of argument types and the type it returns.
type Signature struct {
	Args []Type
	Ret  Type
}

// String returns the argument list as Kapacitor prints it: "(float,int)".
func (s Signature) String() string {
	parts := make([]string, len(s.Args))
	for i, t := range s.Args {
		parts[i] = t.String()
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// Impl is the Go implementation of a stateless function.
type Impl func(args ...Value) (Value, error)

// State is the state of one stateful function inside one expression instance.
// Two calls of the same function in one expression share one State.
type State interface {
	// Call checks the arguments against the function's signatures, updates
	// the state and returns the result.
	Call(args ...Value) (Value, error)
}

// Func is one entry of the function table: what the type checker, the constant
// folder and the code generator know about a builtin.
type Func struct {
	Name string      // the TICKscript name, e.g. "abs"
	Sigs []Signature // accepted argument types; the only contract, checked before every call

	// Pure is true when the result depends on the arguments only, so a call
	// with constant arguments may be folded: false for now, rand and the
	// stateful functions.
	Pure bool

	// Stateful is true for sigma, count, spread and rand: their state lives in
	// the expression instance (NewState), not in the call.
	Stateful bool

	// GoName is the exported identifier in package stdlib that generated code
	// uses: the function (stateless, of type Impl) or the state type
	// (stateful; *GoName has a Call method and its zero value is not ready:
	// use NewGoName, e.g. NewSpreadState).
	GoName string

	Impl     Impl         // stateless implementation; nil when Stateful
	NewState func() State // fresh state; nil unless Stateful
}

// Check checks args against f's signatures and returns Kapacitor's error when
// none matches. text holds the source text of each argument for the message
// (Kapacitor prints the argument expressions, not their values); when it is
// shorter than args the values' literals stand in.
func (f *Func) Check(text []string, args ...Value) error {
	if f.Match(args) {
		return nil
	}
	return newCallError(f.Name, f.Sigs, args, text)
}

// Match reports whether the types of args match one of f's signatures.
func (f *Func) Match(args []Value) bool {
	return matchSigs(f.Sigs, args)
}

func matchSigs(sigs []Signature, args []Value) bool {
	for _, s := range sigs {
		if len(s.Args) != len(args) {
			continue
		}
		ok := true
		for i, t := range s.Args {
			if args[i].typ != t {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// StaticType returns the result type of a call with arguments of the static
// types args, where TypeDynamic stands for "not known before run time", and
// whether any signature can match. The result is TypeDynamic when the matching
// signatures disagree on it (if with dynamic branches).
func (f *Func) StaticType(args []Type) (Type, bool) {
	ret, found := TypeDynamic, false
	for _, s := range f.Sigs {
		if len(s.Args) != len(args) {
			continue
		}
		ok := true
		for i, t := range s.Args {
			if args[i] != TypeDynamic && args[i] != t {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if !found {
			ret, found = s.Ret, true
		} else if ret != s.Ret {
			ret = TypeDynamic
		}
	}
	return ret, found
}

// ReturnsOnly returns the type every signature of f returns, or TypeDynamic
// when they differ.
func (f *Func) ReturnsOnly() Type {
	if len(f.Sigs) == 0 {
		return TypeDynamic
	}
	t := f.Sigs[0].Ret
	for _, s := range f.Sigs[1:] {
		if s.Ret != t {
			return TypeDynamic
		}
	}
	return t
}

// CallError is the error of a call whose arguments match no signature.
type CallError struct {
	Name string
	Sigs []Signature
	Args []Value
	Text []string // the source text of each argument; nil when unknown
}

func newCallError(name string, sigs []Signature, args []Value, text []string) *CallError {
	return &CallError{Name: name, Sigs: sigs, Args: append([]Value(nil), args...), Text: text}
}

func (e *CallError) argText(i int) string {
	if i < len(e.Text) {
		return e.Text[i]
	}
	return e.Args[i].Literal()
}

// Error returns Kapacitor's message: the missing arguments when there are
// some, else the arguments with their types and the accepted signatures.
func (e *CallError) Error() string {
	var missing []string
	for i, a := range e.Args {
		if a.IsMissing() {
			missing = append(missing, e.argText(i))
		}
	}
	switch {
	case len(missing) == 1:
		return fmt.Sprintf("Cannot call function %q argument %s is missing", e.Name, missing[0])
	case len(missing) > 1:
		return fmt.Sprintf("Cannot call function %q arguments %s are missing", e.Name, strings.Join(missing, ", "))
	}
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = e.argText(i) + ": " + a.typ.String()
	}
	sigs := make([]string, len(e.Sigs))
	for i, s := range e.Sigs {
		sigs[i] = s.String()
	}
	return fmt.Sprintf("Cannot call function %q with args (%s), available signatures are [%s].",
		e.Name, strings.Join(parts, ","), strings.Join(sigs, ", "))
}

// WithArgText returns err with the source text of the call's arguments filled
// in when err is a *CallError, so that its message shows the expressions as
// Kapacitor's does ("with args (\"x\": int)"); other errors are returned
// unchanged. Generated code wraps the error of a builtin call with it.
func WithArgText(err error, text ...string) error {
	if ce, ok := err.(*CallError); ok && ce.Text == nil {
		c := *ce
		c.Text = text
		return &c
	}
	return err
}

// callFailed wraps the error a function's implementation returned on
// well-typed arguments, as Kapacitor does: "error calling \"bool\": …".
// Run-time panics Kapacitor recovers from (slice bounds) are not wrapped.
func callFailed(name string, err error) error {
	if _, ok := err.(runtimeError); ok {
		return err
	}
	return fmt.Errorf("error calling %q: %s", name, err)
}

// ArgError wraps the error met while evaluating argument i (from 0) of a
// function call, as Kapacitor does: "Failed to handle 1 argument: …". The
// errors of Go run-time panics (ErrDivideByZero, slice bounds) are returned
// bare: Kapacitor recovers them at the top of the expression.
func ArgError(i int, err error) error {
	if _, ok := err.(runtimeError); ok {
		return err
	}
	return fmt.Errorf("Failed to handle %d argument: %v", i+1, err)
}

// runtimeError is an error with the text of a Go run-time panic that Kapacitor
// recovers and reports bare.
type runtimeError string

// Error returns the panic's text.
func (e runtimeError) Error() string { return string(e) }

// ErrUndefinedFunction is the error of calling a function that does not exist;
// Kapacitor reports it when the expression is evaluated, not when the task
// starts.
func ErrUndefinedFunction(name string) error {
	return fmt.Errorf("undefined function: %q", name)
}

var funcIndex map[string]*Func

func init() {
	funcIndex = make(map[string]*Func, len(funcTable))
	for _, f := range funcTable {
		funcIndex[f.Name] = f
	}
}

// Lookup returns the builtin function called name, or nil.
func Lookup(name string) *Func { return funcIndex[name] }

// Funcs returns every builtin function, sorted by name.
func Funcs() []*Func {
	out := append([]*Func(nil), funcTable...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
