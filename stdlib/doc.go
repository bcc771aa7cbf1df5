// Package stdlib holds TICKscript's value model and its lambda builtins: the
// operators, the 83 functions with their signatures, and the state of the
// stateful ones. Its function table is both the specification and the registry:
// the type checker, the constant folder and the code generator all read it, and
// generated programs call the implementations directly.
package stdlib
