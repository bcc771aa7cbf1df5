#!/bin/sh
# influxd.sh installs InfluxDB 1.8 (pure Go, built with the go command) into a
# cache directory and starts or stops throwaway servers on the loopback
# interface, for the InfluxDB integration tests and for trying tickc programs.
#
#   scripts/influxd.sh install          build influxd if needed; print its path
#   scripts/influxd.sh start [PORT]     start a server on 127.0.0.1:PORT (default 8086)
#                                       with a temporary data directory; print
#                                       the directory (it holds influxd.pid,
#                                       influxd.conf and influxd.log)
#   scripts/influxd.sh stop DIR         stop the server started in DIR and remove DIR
#   scripts/influxd.sh run CMD [ARG...] start a server on a free port, run CMD with
#                                       TICKC_INFLUXDB_URL set to its address, stop
#                                       the server when CMD ends; exits with CMD's
#                                       status. CMD runs without a server when
#                                       influxd is not installed (the tests then
#                                       skip) or when TICKC_INFLUXDB_URL is already
#                                       set.
#
# The binary goes to $TICKC_INFLUXD_CACHE (default: $XDG_CACHE_HOME/tickc/influxd,
# or ~/.cache/tickc/influxd). The first install takes about two minutes; later
# ones find the binary and return at once. The tests look for influxd in that
# directory, then on $PATH, or take $TICKC_INFLUXD.
set -eu

VERSION=v1.8.10
CACHE=${TICKC_INFLUXD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tickc/influxd}
BIN=$CACHE/bin/influxd

install_influxd() {
	if [ -x "$BIN" ]; then
		echo "$BIN"
		return
	fi
	mkdir -p "$CACHE/bin"
	echo "building influxd $VERSION into $CACHE/bin (this takes a while)" >&2
	GOBIN=$CACHE/bin GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
		go install "github.com/influxdata/influxdb/cmd/influxd@$VERSION"
	echo "$BIN"
}

start_influxd() {
	port=${1:-8086}
	install_influxd >/dev/null
	# Refuse a port that answers already, rather than mistake another server
	# for ours.
	if ! port_free "$port" || ! port_free $((port + 1)); then
		echo "port $port or $((port + 1)) on 127.0.0.1 is in use" >&2
		return 1
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/influxd.XXXXXX")
	# The backup/restore RPC service needs a port of its own: the next one.
	cat >"$dir/influxd.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$((port + 1))"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$port"
  log-enabled = false
[monitor]
  store-enabled = false
[subscriber]
  enabled = true
CONF
	"$BIN" -config "$dir/influxd.conf" >"$dir/influxd.log" 2>&1 &
	echo $! >"$dir/influxd.pid"
	i=0
	until curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$(cat "$dir/influxd.pid")" 2>/dev/null; then
			echo "influxd did not start; its log:" >&2
			cat "$dir/influxd.log" >&2
			stop_influxd "$dir"
			return 1
		fi
		sleep 0.1
	done
	echo "$dir"
}

# port_free reports whether nothing accepts connections on 127.0.0.1:PORT
# (curl's exit status 7: connection refused).
port_free() {
	rc=0
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" || rc=$?
	[ "$rc" -eq 7 ]
}

# run_with_influxd starts a server on a free port for the command it is given.
run_with_influxd() {
	if [ -n "${TICKC_INFLUXDB_URL:-}" ] || [ ! -x "$BIN" ]; then
		[ -x "$BIN" ] || echo "influxd is not installed: running without InfluxDB (scripts/influxd.sh install)" >&2
		"$@"
		return
	fi
	dir=
	for _ in 1 2 3 4 5; do
		# A port in 20000..59999 from the kernel's random source.
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
		if dir=$(start_influxd "$port"); then
			break
		fi
		dir=
	done
	if [ -z "$dir" ]; then
		echo "could not start influxd" >&2
		return 1
	fi
	trap 'stop_influxd "$dir"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	echo "influxd for the tests at http://127.0.0.1:$port (data in $dir)" >&2
	rc=0
	TICKC_INFLUXDB_URL=http://127.0.0.1:$port "$@" || rc=$?
	return $rc
}

stop_influxd() {
	dir=$1
	if [ -f "$dir/influxd.pid" ]; then
		pid=$(cat "$dir/influxd.pid")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			i=$((i + 1))
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	case $dir in
	*/influxd.*) rm -rf "$dir" ;;
	esac
}

case ${1:-} in
install) install_influxd ;;
start) start_influxd "${2:-}" ;;
run)
	shift
	[ $# -ge 1 ] || { echo "usage: $0 run CMD [ARG...]" >&2; exit 2; }
	run_with_influxd "$@"
	;;
stop)
	[ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
	stop_influxd "$2"
	;;
*)
	echo "usage: $0 install | start [PORT] | stop DIR | run CMD [ARG...]" >&2
	exit 2
	;;
esac
