# proto_lib.sh - helpers for the wire-level protocol scripts, on top of
# lib.sh (source lib.sh first): running tests/tools/tftpprobe, building
# request datagrams as hex, reading fields of its result line and of the
# server's log line for one client port, and collecting several checks into
# one TAP line.
#
# Everything stays bounded: each probe run is under `timeout`, each log wait
# is a counted loop. Traffic goes to 127.0.0.1 only.
# shellcheck shell=bash

PROBE=${TFTPPROBE:-$REPO/build/tools/tftpprobe}
PROBE_TIMEOUT=${PROBE_TIMEOUT:-90}
PROBE_HOST=127.0.0.1

# need_probe: the probe must have been built (a missing tool is a failure).
need_probe() {
	if [ ! -x "$PROBE" ]; then
		tap_fail "test tool $PROBE exists" "run: make build/tools/tftpprobe"
		return 1
	fi
}

# probe PORT ARGS...: one tftpprobe run against $PROBE_HOST:PORT. Its result
# line(s) go to PROBE_OUT, its exit status to PROBE_RC, both also to
# $T/probe.log for the post-mortem.
PROBE_OUT=
PROBE_RC=
probe() {
	local port=$1
	shift
	PROBE_OUT=$(timeout -k 2 "$PROBE_TIMEOUT" "$PROBE" -H "$PROBE_HOST" -p "$port" "$@" \
		2>>"$T/probe.err" </dev/null)
	PROBE_RC=$?
	{
		printf '$ tftpprobe -p %s%s\n' "$port" "$(printf ' %q' "$@" | cut -c1-300)"
		printf '%s\n(exit %s)\n' "$PROBE_OUT" "$PROBE_RC"
	} >>"$T/probe.log"
}

# hex_of: stdin as lowercase hex digits, nothing else.
hex_of() {
	od -An -tx1 -v | tr -d ' \n'
}

# req_hex OPCODE [STRING...]: a 2-byte opcode followed by each STRING and its
# NUL - an RRQ/WRQ when OPCODE is 1/2 and the strings are name, mode, options.
req_hex() {
	local op=$1
	shift
	printf '%04x' "$op"
	if [ $# -gt 0 ]; then
		printf '%s\0' "$@" | hex_of
	fi
}

# pfield KEY: the value of KEY=... in PROBE_OUT (empty if absent).
pfield() {
	local re=" $1=([^ ]*)"
	if [[ " $PROBE_OUT" =~ $re ]]; then
		printf '%s\n' "${BASH_REMATCH[1]}"
	fi
}

# probe_port: our client port from the local= field of the last run.
probe_port() {
	local l
	l=$(pfield local)
	printf '%s\n' "${l##*:}"
}

# log_line PORT: the server's request line for client 127.0.0.1:PORT (the
# last one, if several), waiting up to 5 s because the line is written when
# the transfer process ends, which can be just after the client finished.
LOG_LINE=
log_line() {
	local i
	LOG_LINE=
	[ -n "$1" ] || return 1
	for ((i = 0; i < 50; i++)); do
		LOG_LINE=$(grep -a -F -- "client=$PROBE_HOST:$1 " "$SRV_LOG" 2>/dev/null | tail -n 1)
		[ -n "$LOG_LINE" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------- one TAP line
# A check collects failures with chk_* and ends with verdict NAME.
CHK_ERR=
chk_begin() {
	CHK_ERR=
}

chk_err() {
	CHK_ERR+="$*"$'\n'
}

verdict() {
	if [ -z "$CHK_ERR" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "${CHK_ERR%$'\n'}"
	fi
}

# chk_rc WANT: the last probe exited with WANT.
chk_rc() {
	[ "$PROBE_RC" = "$1" ] ||
		chk_err "tftpprobe exit $PROBE_RC, wanted $1; it said: $PROBE_OUT"
}

# chk_out KEY=VALUE...: each pair appears exactly in the probe's result line.
chk_out() {
	local kv missing=
	for kv in "$@"; do
		[[ " $PROBE_OUT " == *" $kv "* ]] || missing+=" $kv"
	done
	[ -z "$missing" ] || chk_err "wanted$missing; probe said: $PROBE_OUT"
}

# chk_line GLOB: the probe's first line matches the glob.
chk_line() {
	local first=${PROBE_OUT%%$'\n'*}
	# shellcheck disable=SC2053
	[[ $first == $1 ]] || chk_err "wanted a reply like '$1', got: $first"
}

# chk_same EXPECTED GOT: byte-identical files.
chk_same() {
	if [ ! -f "$2" ]; then
		chk_err "no output file $2"
	elif ! cmp -s -- "$1" "$2"; then
		chk_err "data differs: $(cmp -- "$1" "$2" 2>&1 | head -n 1)" \
			"($(stat -c %s -- "$1") vs $(stat -c %s -- "$2") bytes)"
	fi
}

# chk_log KEY=VALUE...: the server's line for the last probe's client port
# holds each pair as a whole word.
chk_log() {
	local kv port
	port=$(probe_port)
	if ! log_line "$port"; then
		chk_err "no log line for client=$PROBE_HOST:$port in $SRV_LOG"
		return
	fi
	local missing=
	for kv in "$@"; do
		[[ " $LOG_LINE " == *" $kv "* ]] || missing+=" $kv"
	done
	[ -z "$missing" ] || chk_err "log line lacks$missing: $LOG_LINE"
}

# lfield KEY: the value of KEY= in LOG_LINE (quotes kept).
lfield() {
	local re=" $1=([^ ]*)"
	if [[ " $LOG_LINE" =~ $re ]]; then
		printf '%s\n' "${BASH_REMATCH[1]}"
	fi
}

# reply_check NAME PORT GLOB HEX [probe args...]: send one datagram; one TAP
# line, ok iff the reply line matches GLOB. DATA/OACK replies are answered
# with ERROR 0 (--abort) so the transfer process ends at once.
reply_check() {
	local name=$1 port=$2 glob=$3 hex=$4
	shift 4
	chk_begin
	probe "$port" send-hex "$hex" --abort "$@"
	chk_rc 0
	chk_line "$glob"
	[ -z "$CHK_ERR" ] || chk_err "datagram sent: $(printf '%s' "$hex" | cut -c1-120)"
	verdict "$name"
}
