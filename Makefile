# tickc — build, demo, tests and benchmarks.
GO ?= go
BIN := bin/tickc

.PHONY: all build demo test vet unit conformance conformance-update bench bench-tasks fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/tickc

# demo compiles the built-in example task and replays the built-in data through it.
demo: build
	$(BIN) check examples/cpu.tick
	$(BIN) build -o bin/cpu examples/cpu.tick
	bin/cpu replay --input examples/cpu.srpl --clock-zero 2024-01-01T00:00:00Z --duration 1m

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^testdata/')); \
	if [ -n "$$out" ]; then echo "not gofmt'ed:"; echo "$$out"; exit 1; fi

conformance:
	scripts/conformance.sh

conformance-update:
	scripts/conformance.sh -update

# unit runs the Go tests with one InfluxDB server for all of them (their
# $TICKC_INFLUXDB_URL) when influxd is installed; see docs/influxdb.md.
unit:
	scripts/influxd.sh run $(GO) test ./...

# test is what CI runs: static checks, the conformance regression check, then the unit tests.
test: vet conformance unit

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# bench-tasks runs only the compiled-task benchmarks of docs/performance.md,
# on one core (GOMAXPROCS=1, the issue's targets) and on two.
bench-tasks:
	$(GO) test -run '^$$' -bench . -benchtime 3s -count 3 -cpu 1,2 ./bench

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 10m ./parser

clean:
	rm -rf bin
