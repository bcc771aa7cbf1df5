// Package tasks holds the task compiled from cpu.tick.
package tasks

//go:generate tickc gen --package tasks -o cpu_gen.go cpu.tick
