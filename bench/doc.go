// Package bench measures the speed of compiled tasks.
//
// The scripts under testdata are compiled by tickc into the packages under
// tasks, once with the optimizing passes and once without (-O0); go
// generate rewrites them and TestGeneratedUpToDate fails when they are not
// what the compiler produces now. The benchmarks run each compiled task
// three ways:
//
//   - pipeline: decoded points written to the program, so that only the
//     task's nodes are measured;
//   - replay: a stream recording replayed through a new program, as the
//     generated binary's replay command does;
//   - http: line-protocol bodies of 5,000 lines posted to a serving
//     program over loopback HTTP.
//
// Every benchmark reports points/s, ns/point and allocs/point with
// b.ReportMetric; the -O0 and optimized variants of a task run in the same
// invocation so that the gain of the optimizations reads as a ratio.
package bench

//go:generate go run ../cmd/tickc gen --package whereevalopt -o tasks/whereevalopt/task.go testdata/whereeval.tick
//go:generate go run ../cmd/tickc gen -O0 --package whereevalo0 -o tasks/whereevalo0/task.go testdata/whereeval.tick
//go:generate go run ../cmd/tickc gen --package windowmeanopt -o tasks/windowmeanopt/task.go testdata/windowmean.tick
//go:generate go run ../cmd/tickc gen -O0 --package windowmeano0 -o tasks/windowmeano0/task.go testdata/windowmean.tick
