#!/bin/bash
# 10_clients.sh - the client matrix on 127.0.0.1: every launch mode of the
# inetd family (real xinetd, fd 0 hand-over through fdzero) against every real
# client and client option set, fetching every fixture; the bytes received
# must equal the file served. The netascii fixtures are fetched in ascii mode
# by tftp-hpa and atftp, whose decoding must give back the original file.
#
# Also checks that atftp really runs RFC 7440 windows when asked (it sends the
# option, but only a count of its ACKs shows it honours the OACK).
#
# Time: the full matrix, 64 MiB included for every client in both modes,
# took about 65 s on a 2-CPU VM, so nothing is trimmed; the per-client and
# per-mode times are printed as TAP comments.
. "$(dirname "$0")/lib.sh"

MODES=(xinetd fdzero)
start_all=$SECONDS

need tftp atftp curl busybox xinetd ss perl strace
need_binaries || {
	tap_done
	exit 1
}
setup_fixtures || {
	tap_done
	exit 1
}

# matrix_mode MODE: all clients x all binary fixtures, then the netascii ones.
matrix_mode() {
	local mode=$1 client fx t0 tool
	if ! start_mode "$mode" 127.0.0.1; then
		tap_fail "$mode: server starts on 127.0.0.1" "$(server_diag)"
		return 1
	fi
	for client in "${CLIENTS[@]}"; do
		tool=$(client_tool "$client")
		t0=$SECONDS
		for fx in "${FIXTURES_BIN[@]}"; do
			if ! command -v "$tool" >/dev/null; then
				tap_fail "$mode $client $fx" "$tool is not installed"
				continue
			fi
			# curl (7.88) asks for tsize and then rejects the correct
			# answer 0 ("invalid tsize -:0:- value in OACK packet") and
			# aborts; its empty-file rows run against a -r tsize server
			# below instead.
			[[ $client == curl* && $fx == empty.bin ]] && continue
			fetch_check "$mode $client $fx" "$client" 127.0.0.1 "$SRV_PORT" \
				"$fx" "$ROOT/$fx" || tap_note "$(server_diag)"
		done
		tap_note "$mode $client: $((SECONDS - t0)) s for all fixtures"
	done
	for client in hpa-ascii atftp-ascii; do
		for fx in text.txt text1024.txt; do
			fetch_check "$mode $client $fx (netascii round trip)" "$client" \
				127.0.0.1 "$SRV_PORT" "$fx" "$ROOT/$fx" || tap_note "$(server_diag)"
		done
	done
	stop_server

	if ! start_mode "$mode" 127.0.0.1 -r tsize; then
		tap_fail "$mode: server with -r tsize starts" "$(server_diag)"
		return 1
	fi
	for client in curl curl-b1468; do
		fetch_check "$mode $client empty.bin (server -r tsize)" "$client" \
			127.0.0.1 "$SRV_PORT" empty.bin "$ROOT/empty.bin" || tap_note "$(server_diag)"
	done
	stop_server
}

# atftp_windowed MODE: with windowsize 8 the client acks once per window, so
# a transfer of B blocks needs about B/8 ACKs; lock-step would need B. The
# ACKs are counted from the client's own sendto() calls.
atftp_windowed() {
	local mode=$1 out=$T/w.bin trace=$T/atftp.strace blocks acks rc
	if ! start_mode "$mode" 127.0.0.1; then
		tap_fail "$mode: server starts for the windowsize check" "$(server_diag)"
		return 1
	fi
	rm -f "$out" "$trace"
	timeout -k 2 60 strace -f -qq -e trace=sendto,sendmsg,send -o "$trace" \
		atftp --get -r rollover.bin -l "$out" --option "blksize 8192" \
		--option "windowsize 8" 127.0.0.1 "$SRV_PORT" >/dev/null 2>&1
	rc=$?
	blocks=$((($(stat -c %s "$ROOT/rollover.bin") / 8192) + 1))
	acks=$(grep -c -E '^[0-9]+ +(sendto|sendmsg|send)\(' "$trace" 2>/dev/null)
	if [ "$rc" -eq 0 ] && cmp -s "$out" "$ROOT/rollover.bin" &&
		[ "${acks:-0}" -gt 0 ] && [ "$acks" -le $((blocks / 4)) ]; then
		tap_ok "$mode atftp windowsize 8 is windowed ($acks datagrams sent for $blocks blocks)"
	else
		tap_fail "$mode atftp windowsize 8 is windowed" \
			"exit $rc, $acks datagrams sent by the client for $blocks blocks"$'\n'"$(server_diag)"
	fi
	# The server's own request line must say what it negotiated.
	if grep -q 'file="rollover.bin".*blksize=8192 window=8 .*result=ok' "$SRV_LOG"; then
		tap_ok "$mode log line shows blksize=8192 window=8 result=ok"
	else
		tap_fail "$mode log line shows blksize=8192 window=8 result=ok" \
			"$(grep rollover.bin "$SRV_LOG" | tail -n 3)"
	fi
	rm -f "$out"
	stop_server
}

for mode in "${MODES[@]}"; do
	t_mode=$SECONDS
	matrix_mode "$mode"
	tap_note "mode $mode: $((SECONDS - t_mode)) s"
done
for mode in "${MODES[@]}"; do
	atftp_windowed "$mode"
done

tap_note "10_clients total: $((SECONDS - start_all)) s"
tap_done
