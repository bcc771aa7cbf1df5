// Package codegen turns an ir.Program into the Go source of a standalone
// program.
//
// Generate emits one file, package main by default: a main function that hands
// the task to tickrt.Main (the runtime, github.com/tickc/tickc/runtime, under
// the alias tickrt), a build function that constructs the task's nodes with
// readable names taken from the script and links them, one struct type per
// lambda expression, and one struct type per Fused node, whose Point method
// runs the fused from, where and eval steps inline. The code is built with
// jennifer, so it is gofmt'ed, and it is deterministic: the same program gives
// the same bytes. The generated program imports only the runtime, stdlib and
// the standard library.
//
// The build subpackage gobuild compiles generated programs.
package codegen
