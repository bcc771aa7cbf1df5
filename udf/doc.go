// Package udf connects a tickc program (or the compiler) to user-defined
// functions: it holds the [udf.functions.NAME] configuration, starts a UDF
// process or dials its unix socket (Open), asks a UDF what it is (Info) and
// checks a node's options against its answer (CheckOption).
//
// The wire format and the Go library for writing UDFs are in package agent.
package udf
