// Package ir holds tickc's intermediate representation: a TICKscript task as a
// typed pipeline DAG (Program, Node, one Props struct per node kind) with
// resolved property values and source positions.
//
// Lower builds a Program from a parsed script and reports every semantic error
// of the script (unknown methods and properties, argument types, missing or
// conflicting properties, edge type mismatches, lambda type errors). Verify
// checks the structural invariants that every pass must keep, and Dump prints a
// Program as deterministic text for stage goldens. The optimization passes live
// in ir/passes; the code generator reads only this package's types.
package ir
