#!/bin/bash
# 41_policy.sh - the operator's policy: client address rules (--allow/--deny,
# IPv4 and IPv6, first match wins, unmatched clients denied once there are
# rules, IPv4-mapped clients of a dual-stack socket treated as IPv4), bad rule
# specs refused at start-up, --deny-name, --disable-mode and -r OPTION.
#
# Clients come from chosen source addresses (127.0.0.2, 127.0.0.3, ::1):
# tests/tools/slowclient binds its socket with -b. Each case has its own
# standalone server, either on 127.0.0.1:PORT or dual-stack (--listen PORT,
# i.e. [::]:PORT). A denial must be ERROR 2 with the same message whether the
# file exists or not, and be logged with the rule that decided; every
# "allowed" case is a full transfer compared byte for byte, so a test cannot
# pass because everything is refused. Rule texts expected in the log follow
# the format documented in include/acl.h ("deny 10.0.0.0/8", "default").
# Runs as root or not. Traffic: 127.0.0.0/8 and ::1 only. Runtime: ~5 s.
set -u

. "$(dirname "$0")/lib.sh"

SLOW=${SLOWCLIENT:-$REPO/build/tools/slowclient}

need_binaries || { tap_done; exit; }
need timeout ss cmp stat || { tap_done; exit; }
if [ ! -x "$SLOW" ]; then
	tap_fail "test tool $SLOW exists" "run: make build/tools/slowclient"
	tap_done
	exit
fi

# ---------------------------------------------------------------- fixtures
chmod 0755 "$ROOT"
head -c 3000 /dev/urandom >"$ROOT/file.bin"       # 6 blocks of 512
mkdir -p "$ROOT/a/b"
head -c 600 /dev/urandom >"$ROOT/a/b/x.key"
cp "$ROOT/a/b/x.key" "$ROOT/a/b/x.keys"             # does not match '*.key'
printf 'line one\nline two\n' >"$ROOT/text.txt"
chmod 0644 "$ROOT/file.bin" "$ROOT/a/b/x.key" "$ROOT/a/b/x.keys" "$ROOT/text.txt"
FILE_SIZE=$(stat -c %s "$ROOT/file.bin")
MISSING=no-such-file.bin
[ ! -e "$ROOT/$MISSING" ] || exit 111

# ---------------------------------------------------------------- helpers
# start_dual [server args...]: --listen PORT, the dual-stack [::]:PORT.
start_dual() {
	SRV_WRAP=()
	start_listen_as dual "" "$@"
}

# server KIND [args...]: KIND v4 (127.0.0.1:PORT) or dual; one TAP failure
# line if it does not come up.
server() {
	local kind=$1
	shift
	if [ "$kind" = dual ]; then start_dual "$@"; else start_standalone 127.0.0.1 "$@"; fi ||
		{
			tap_fail "server ($kind $*) starts" "$(server_diag)"
			return 1
		}
}

# req SRC NAME [slowclient args...]: request NAME from source address SRC
# (to ::1 for an IPv6 source, else 127.0.0.1). Sets OUT, RC, CPORT (our
# port) and GOT (the received file).
OUT='' RC='' CPORT='' GOT=$T/got
req() {
	local src=$1 name=$2 dst=127.0.0.1
	shift 2
	[[ $src == *:* ]] && dst=::1
	rm -f "$GOT"
	OUT=$(timeout -k 2 30 "$SLOW" -H "$dst" -p "$SRV_PORT" -b "$src" -w 1000 -R 2 \
		-O "$GOT" "$@" "$name" 2>>"$T/slow.err" </dev/null)
	RC=$?
	CPORT=
	[[ $OUT =~ \ local=[^\ ]*:([0-9]+) ]] && CPORT=${BASH_REMATCH[1]}
	printf '$ slowclient -b %s -p %s %s %s\n%s\n(exit %s)\n' "$src" "$SRV_PORT" "$*" "$name" \
		"$OUT" "$RC" >>"$T/slow.log"
}

# logline SRC: the server's line for client SRC:CPORT (the log shows IPv6
# clients as [ADDR]:PORT and IPv4-mapped ones as plain IPv4), within 5 s.
LINE=
logline() {
	local c i
	if [[ $1 == *:* ]]; then c="client=[$1]:$CPORT "; else c="client=$1:$CPORT "; fi
	LINE=
	[ -n "$CPORT" ] || return 1
	for ((i = 0; i < 50; i++)); do
		LINE=$(grep -aF -- "$c" "$SRV_LOG" 2>/dev/null | tail -n 1)
		[ -n "$LINE" ] && return 0
		sleep 0.1
	done
	return 1
}

# allowed TAPNAME SRC [NAME [EXPECTED]]: a full transfer, byte-identical.
allowed() {
	local tn=$1 src=$2 name=${3:-file.bin} exp=${4:-$ROOT/file.bin} err=
	req "$src" "$name"
	[ "$RC" = 0 ] || err+="client: exit $RC: $OUT"$'\n'
	cmp -s "$exp" "$GOT" 2>/dev/null || err+="received data differs from $exp"$'\n'
	if ! logline "$src"; then
		err+="no log line for $src:$CPORT"$'\n'
	elif [[ $LINE != *" result=ok"* ]]; then
		err+="log: $LINE"$'\n'
	fi
	if [ -z "$err" ]; then tap_ok "$tn"; else tap_fail "$tn" "$err$(server_diag)"; fi
}

# denied TAPNAME SRC WHY [NAME [slowclient args]]: ERROR 2 and a refused log
# line whose text contains WHY. Leaves the ERROR line (code and message) in
# DENIED.
DENIED=
denied() {
	local tn=$1 src=$2 why=$3 name=${4:-file.bin} err=
	shift 3
	[ $# -gt 0 ] && shift
	req "$src" "$name" "$@"
	DENIED=${OUT% local=*}
	[ "$RC" = 2 ] && [[ $OUT == "ERROR 2 "* ]] || err+="wanted ERROR 2, client: exit $RC: $OUT"$'\n'
	[ ! -s "$GOT" ] || err+="data was received ($(stat -c %s "$GOT") bytes)"$'\n'
	if ! logline "$src"; then
		err+="no log line for $src:$CPORT"$'\n'
	elif [[ $LINE != *" result=refused code=2 "* ]] || [[ $LINE != *"$why"* ]]; then
		err+="log line lacks 'result=refused code=2' or '$why': $LINE"$'\n'
	fi
	if [ -z "$err" ]; then tap_ok "$tn"; else tap_fail "$tn" "$err$(server_diag)"; fi
}

# ---------------------------------------------------------------- IPv4 rules
if server v4 --deny 127.0.0.2 --allow 127.0.0.0/8; then
	denied "--deny 127.0.0.2 --allow 127.0.0.0/8: 127.0.0.2 denied by the first rule" \
		127.0.0.2 'client denied by rule: deny 127.0.0.2/32"'
	allowed "--deny 127.0.0.2 --allow 127.0.0.0/8: 127.0.0.3 allowed by the second rule" 127.0.0.3
	stop_server
fi

if server v4 --allow 127.0.0.2; then
	allowed "--allow 127.0.0.2 alone: 127.0.0.2 allowed" 127.0.0.2
	denied "--allow 127.0.0.2 alone: 127.0.0.3 denied by default" \
		127.0.0.3 'client denied by rule: default"'
	stop_server
fi

# First match wins, in the other order too.
if server v4 --allow 127.0.0.0/8 --deny 127.0.0.2; then
	allowed "--allow 127.0.0.0/8 --deny 127.0.0.2: 127.0.0.2 allowed (first match wins)" 127.0.0.2
	stop_server
fi

# ---------------------------------------------------------------- IPv6 / dual stack
if server dual --deny ::1 --allow any; then
	denied "dual-stack --deny ::1 --allow any: ::1 denied" ::1 'client denied by rule: deny ::1/128"'
	allowed "dual-stack --deny ::1 --allow any: 127.0.0.1 allowed" 127.0.0.1
	stop_server
fi

# An IPv4 client on a dual-stack socket arrives as ::ffff:127.0.0.2: it must
# meet the IPv4 rules, be logged as IPv4, and never match an IPv6 rule.
if server dual --deny 127.0.0.2 --allow 127.0.0.0/8; then
	denied "dual-stack, v4 rules: mapped 127.0.0.2 matches --deny 127.0.0.2 (logged as IPv4)" \
		127.0.0.2 'client denied by rule: deny 127.0.0.2/32"'
	allowed "dual-stack, v4 rules: mapped 127.0.0.3 matches --allow 127.0.0.0/8" 127.0.0.3
	denied "dual-stack, v4 rules only: ::1 matches none, denied by default" ::1 'client denied by rule: default"'
	stop_server
fi
if server dual --deny ::/0 --allow any; then
	allowed "dual-stack --deny ::/0 --allow any: mapped 127.0.0.2 does not match the IPv6 rule" 127.0.0.2
	denied "dual-stack --deny ::/0 --allow any: ::1 denied" ::1 'client denied by rule: deny ::/0"'
	stop_server
fi
# acl.h: an IPv6 rule inside ::ffff:0:0/96 with N >= 96 is the IPv4 rule.
if server dual --deny ::ffff:127.0.0.2 --allow any; then
	denied "dual-stack --deny ::ffff:127.0.0.2: mapped 127.0.0.2 denied as IPv4 rule" \
		127.0.0.2 'client denied by rule: deny 127.0.0.2/32"'
	allowed "dual-stack --deny ::ffff:127.0.0.2: 127.0.0.3 allowed" 127.0.0.3
	stop_server
fi

# ---------------------------------------------------------------- no existence leak
if server v4 --deny 127.0.0.2 --allow any; then
	denied "denied client, existing file: ERROR 2" 127.0.0.2 'client denied by rule: deny 127.0.0.2/32"' file.bin
	d_exist=$DENIED
	denied "denied client, missing file: ERROR 2" 127.0.0.2 'client denied by rule: deny 127.0.0.2/32"' "$MISSING"
	d_missing=$DENIED
	if [ -n "$d_exist" ] && [ "$d_exist" = "$d_missing" ]; then
		tap_ok "denied client: identical ERROR for existing and missing file ($d_exist)"
	else
		tap_fail "denied client: identical ERROR for existing and missing file" \
			"existing: '$d_exist'"$'\n'"missing:  '$d_missing'"
	fi
	# Control: for an allowed client the two do differ, so the equality
	# above is the policy at work.
	req 127.0.0.3 "$MISSING"
	if [ "$RC" = 2 ] && [[ $OUT == "ERROR 1 "* ]]; then
		tap_ok "allowed client, missing file: ERROR 1 (so the denial hides a real difference)"
	else
		tap_fail "allowed client, missing file: ERROR 1" "exit $RC: $OUT"
	fi
	stop_server
fi

# ---------------------------------------------------------------- bad specs
# bad_spec ARGS...: start-up refused with exit 100 and a message that quotes
# the offending value (the last argument).
bad_spec() {
	local port rc msg val=${*: -1}
	port=$(pick_port) || return 1
	msg=$(timeout -k 2 10 "$FWTFTPD" --listen "127.0.0.1:$port" -s "$ROOT" -L "$@" </dev/null 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 100 ] && [[ $msg == *"\"$val\""* ]]; then
		tap_ok "$* refused at start-up: exit 100, '$(printf '%s' "$msg" | head -n 1)'"
	else
		tap_fail "$* refused at start-up with exit 100 and a message naming \"$val\"" \
			"exit $rc, said: $msg"
	fi
}
bad_spec --allow 10.0.0.0/33
bad_spec --allow 1.2.3.4/08
bad_spec --deny junk
bad_spec --allow 10.1.2.3/8
bad_spec --deny ::1/129
bad_spec --allow 127.0.0.1 --deny 300.1.2.3

# ---------------------------------------------------------------- names, modes
if server v4 --deny-name '*.key'; then
	denied "--deny-name '*.key': a/b/x.key refused" 127.0.0.1 'deny-name pattern' a/b/x.key
	allowed "--deny-name '*.key': a/b/x.keys (no match) served" 127.0.0.1 a/b/x.keys "$ROOT/a/b/x.keys"
	stop_server
fi

if server v4 --disable-mode netascii; then
	denied "--disable-mode netascii: a netascii request gets ERROR 2" 127.0.0.1 'mode' text.txt -m netascii
	allowed "--disable-mode netascii: octet still served" 127.0.0.1 text.txt "$ROOT/text.txt"
	stop_server
fi

# ---------------------------------------------------------------- -r OPTION
# -r blksize: a requested blksize is left out of the OACK (tsize is still
# negotiated), and the transfer runs at 512. The control server grants it.
# oack_check TAPNAME BLOCKS ABSENT_NAME|- PAIR...: the OACK holds each PAIR
# and no option named ABSENT_NAME (in any order).
oack_check() {
	local tn=$1 want_blocks=$2 absent=$3 err='' oack='' kv
	shift 3
	req 127.0.0.1 file.bin -o blksize=1024 -o tsize=0
	[ "$RC" = 0 ] || err+="client: exit $RC: $OUT"$'\n'
	cmp -s "$ROOT/file.bin" "$GOT" 2>/dev/null || err+="received data differs"$'\n'
	[[ " $OUT " == *" blocks=$want_blocks "* ]] || err+="wanted blocks=$want_blocks: $OUT"$'\n'
	[[ $OUT =~ \ oack=([^\ ]*) ]] && oack=",${BASH_REMATCH[1]},"
	for kv in "$@"; do
		[[ $oack == *",$kv,"* ]] || err+="OACK lacks $kv: $OUT"$'\n'
	done
	if [ "$absent" != - ] && [[ $oack == *",$absent="* ]]; then
		err+="OACK has $absent: $OUT"$'\n'
	fi
	if [ -z "$err" ]; then tap_ok "$tn"; else tap_fail "$tn" "$err"; fi
}
if server v4 -r blksize; then
	oack_check "-r blksize: no blksize in the OACK (tsize=$FILE_SIZE is), blocks of 512" \
		"$((FILE_SIZE / 512 + 1))" blksize "tsize=$FILE_SIZE"
	stop_server
fi
if server v4; then
	oack_check "control (no -r): OACK grants blksize=1024 and tsize=$FILE_SIZE" \
		"$((FILE_SIZE / 1024 + 1))" - blksize=1024 "tsize=$FILE_SIZE"
	stop_server
fi

tap_done
