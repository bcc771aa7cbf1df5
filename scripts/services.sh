#!/bin/sh
# services.sh installs the servers the alert handler tests run against and
# starts or stops throwaway loopback instances of them for trying programs.
#
#   scripts/services.sh install              apt-get install mosquitto and python3-aiosmtpd
#   scripts/services.sh check                say which servers are there (exit 1 if one is missing)
#   scripts/services.sh start smtp PORT DIR  run an SMTP server on 127.0.0.1:PORT that saves
#                                            each message in the maildir DIR; print its pid
#   scripts/services.sh start mqtt PORT      run an MQTT broker on 127.0.0.1:PORT; print its pid
#   scripts/services.sh stop PID             stop a server started here
#
# The tests start their own servers on free ports and skip, saying what to
# install, when a server is missing. Kafka needs nothing: the tests use
# franz-go's in-process kfake cluster. The HTTP services, Sensu and SNMP traps
# are tested against listeners of the tests themselves.
set -eu

PACKAGES="mosquitto python3-aiosmtpd"
PYTHON=/usr/bin/python3
MOSQUITTO=/usr/sbin/mosquitto

usage() {
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

check() {
	missing=0
	if [ -x "$MOSQUITTO" ]; then echo "mqtt: $MOSQUITTO"; else echo "mqtt: missing (mosquitto)"; missing=1; fi
	if [ -x "$PYTHON" ] && "$PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
		echo "smtp: $PYTHON -m aiosmtpd"
	else
		echo "smtp: missing (python3-aiosmtpd)"
		missing=1
	fi
	return $missing
}

wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		if "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1" 2>/dev/null; then
			return 0
		fi
		i=$((i + 1))
		sleep 0.1
	done
	echo "nothing listens on 127.0.0.1:$1" >&2
	return 1
}

case "${1:-}" in
install)
	if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
	$SUDO apt-get install -y --no-install-recommends $PACKAGES
	check
	;;
check)
	check
	;;
start)
	[ $# -ge 3 ] || usage
	case "$2" in
	smtp)
		[ $# -eq 4 ] || usage
		"$PYTHON" -m aiosmtpd -n -l "127.0.0.1:$3" -c aiosmtpd.handlers.Mailbox "$4" >/dev/null 2>&1 &
		;;
	mqtt)
		"$MOSQUITTO" -p "$3" >/dev/null 2>&1 &
		;;
	*) usage ;;
	esac
	pid=$!
	wait_port "$3"
	echo "$pid"
	;;
stop)
	[ $# -eq 2 ] || usage
	kill "$2"
	;;
*)
	usage
	;;
esac
