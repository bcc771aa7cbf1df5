// Package ir holds tickc's intermediate representation: a TICKscript task as a
// typed pipeline DAG (Program, Node, one Props struct per node kind) with
// resolved property values and source positions, and the expression IR of its
// lambdas (Expr).
//
// Lower builds a Program from a parsed script. It reads the declarative node
// table (table.go: every chain method with its argument signature and edge
// rule, every property and alert handler with theirs) and reports every
// semantic error of the script with its position: unknown methods and
// properties with a suggestion, properties used as chain methods and back,
// argument counts and types, missing or conflicting properties, edge type
// mismatches and lambda type errors. Nodes are named and ordered as Kapacitor
// names and walks them ("window2", parents first).
//
// Verify checks the structural invariants that every pass keeps, Dump prints a
// Program as deterministic text for stage goldens, and ApplyUDFInfo completes
// the UDF nodes once their configuration is known. The optimization passes
// live in ir/passes; the code generator reads only this package's types.
package ir
