// Package passes holds the optimization passes over the IR, one per file,
// each a func(*ir.Program) error, and the ordered table that runs them.
//
// Run applies the passes of All in order; with optimizations off (-O0) it
// applies none of them. It can stop after a named pass and dump the IR there,
// and verify the program after every pass.
package passes
