// Package agent is the UDF protocol and a library for writing UDFs in Go.
//
// udf.proto defines the messages Kapacitor and tickc programs exchange with
// user-defined functions; udf.pb.go is generated from it with protoc-gen-go
// (see the go:generate line). Each message travels as a frame: its length as
// an unsigned varint, then its protobuf bytes (WriteMessage, ReadMessage).
//
// A UDF implements Handler and runs an Agent over its standard input and
// output (a process UDF) or a Server over a unix socket (a socket UDF):
//
//	a := agent.New(os.Stdin, os.Stdout)
//	a.Handler = &myHandler{agent: a}
//	if err := a.Start(); err != nil { … }
//	if err := a.Wait(); err != nil { … }
//
// The handler sends its output points and batches on a.Responses.
package agent

//go:generate protoc --go_out=. --go_opt=paths=source_relative udf.proto
