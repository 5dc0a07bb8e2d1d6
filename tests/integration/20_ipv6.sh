#!/bin/bash
# 20_ipv6.sh - the same downloads over ::1 in all three launch modes:
# standalone --listen "[::1]:PORT", fdzero -6 (a v6-only socket on fd 0) and
# real xinetd with "flags = IPv6". Clients: tftp-hpa (tftp -6), curl
# (tftp://[::1]:PORT/), atftp (plain and with blksize 8192 + windowsize 8)
# and busybox; fixtures: 1 byte, 1536 bytes, the 32 MiB + 1000 rollover file.
# Each download is compared byte for byte with the served file, and each
# server's request lines must name the client by its ::1 address.
. "$(dirname "$0")/lib.sh"

MODES=(standalone fdzero xinetd)
V6_CLIENTS=(hpa curl atftp atftp-b8192-w8 busybox)
V6_FIXTURES=(one.bin three.bin rollover.bin)
start_all=$SECONDS

need tftp atftp curl busybox xinetd ss perl
need_binaries || {
	tap_done
	exit 1
}
setup_fixtures || {
	tap_done
	exit 1
}

if ! ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/128'; then
	tap_fail "::1 is configured on lo" "$(ip -6 addr show dev lo 2>&1)"
	tap_done
	exit 1
fi

for mode in "${MODES[@]}"; do
	if ! start_mode "$mode" ::1; then
		tap_fail "$mode: server starts on [::1]" "$(server_diag)"
		continue
	fi
	for client in "${V6_CLIENTS[@]}"; do
		for fx in "${V6_FIXTURES[@]}"; do
			fetch_check "$mode [::1] $client $fx" "$client" ::1 "$SRV_PORT" \
				"$fx" "$ROOT/$fx" || tap_note "$(server_diag)"
		done
	done
	# Every transfer was logged with the v6 peer address (the log format
	# prints v6 peers as [addr]:port), none as an IPv4 one.
	n_v6=$(grep -c 'client=\[::1\]:[0-9]*.*result=ok' "$SRV_LOG" 2>/dev/null)
	n_v4=$(grep -c 'client=127\.' "$SRV_LOG" 2>/dev/null)
	want=$((${#V6_CLIENTS[@]} * ${#V6_FIXTURES[@]}))
	if [ "${n_v6:-0}" -ge "$want" ] && [ "${n_v4:-0}" -eq 0 ]; then
		tap_ok "$mode [::1]: $n_v6 request lines with client=[::1] and result=ok"
	else
		tap_fail "$mode [::1]: request lines name client=[::1]" \
			"want >= $want v6 ok lines, got ${n_v6:-0}; v4 lines ${n_v4:-0}"$'\n'"$(tail -n 5 "$SRV_LOG")"
	fi
	# The server bound ::1 only: IPv4 loopback on that port gets nothing.
	if ! ss -Hlun "sport = :$SRV_PORT" | grep -q '127\.0\.0\.1:'; then
		tap_ok "$mode [::1]: port $SRV_PORT is not bound on 127.0.0.1"
	else
		tap_fail "$mode [::1]: port $SRV_PORT is not bound on 127.0.0.1" \
			"$(ss -Hlun "sport = :$SRV_PORT")"
	fi
	stop_server
done

tap_note "20_ipv6 total: $((SECONDS - start_all)) s"
tap_done
