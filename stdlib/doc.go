// Package stdlib holds TICKscript's value model and its lambda builtins: the
// operators, the 83 functions with their signatures, and the state of the
// stateful ones. Its function table is both the specification and the registry:
// the type checker, the constant folder and the code generator all read it, and
// generated programs call the implementations directly.
//
// The semantics are Kapacitor's (tick/stateful), error texts included:
//
//   - Each operator is a function on two Values (Add, Eq, RegexMatch, …; Neg and
//     Not for the unary ones) following Kapacitor's type matrix. AND and OR
//     short-circuit in the caller, after CheckLogical has checked both operand
//     types.
//   - References resolve with ResolveRef: field first, then tag; an absent
//     name is MissingRef(name), which only isPresent accepts.
//   - Lookup returns a function's table entry (Func): its signatures, purity and
//     the exported Go identifier of its implementation (Abs, ToString, …) or,
//     for sigma, count, spread and rand, of its state type (SigmaState, …).
//     Implementations check their arguments against the signatures before
//     every call, as Kapacitor does; WithArgText puts the source text of the
//     arguments into the error.
//   - Result and Predicate check the value of a whole expression for a node
//     that wants a value (eval) or a condition (where, alert levels).
//
// Time functions read a time in the local zone (time.Local) at each call, as
// Kapacitor reads "time" in the server's zone.
package stdlib
