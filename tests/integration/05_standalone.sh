#!/bin/bash
# 05_standalone.sh - process structure of the three launch modes.
#
# Standalone (--listen): four stalled clients hold four transfer processes at
# once; four real clients downloading at the same time all get the right
# bytes; with --max-children 1 a stalled transfer holds the only slot and the
# four clients still complete, queued, with never more than one transfer
# process; SIGTERM (idle, and with transfers running) exits with status 0 and
# leaves no transfer process behind.
# inetd family (fdzero, xinetd): after every transfer - good, refused, and
# one whose client stalled - no fwtftpd process of ours is left, and the
# process inetd started exits with status 0.
. "$(dirname "$0")/lib.sh"

start_all=$SECONDS
need tftp atftp curl busybox xinetd ss perl pgrep
need_binaries || {
	tap_done
	exit 1
}
setup_fixtures || {
	tap_done
	exit 1
}

# transfers_now: number of our transfer processes, the listener not counted.
transfers_now() {
	local p n=0
	for p in $(our_server_pids); do
		[ "$p" = "$SRV_PID" ] || n=$((n + 1))
	done
	echo $n
}

# wait_transfers N SECONDS: 0 once at least N transfer processes run.
wait_transfers() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(transfers_now)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# concurrent_fetch FIXTURE CLIENT...: starts one download per client at once,
# samples the number of transfer processes until all clients are done (into
# MAX_SEEN), then checks every download. Names are prefixed with PREFIX.
MAX_SEEN=0
concurrent_fetch() {
	local fx=$1 c i n pids=() alive
	shift
	MAX_SEEN=0
	for c in "$@"; do
		fetch "$c" 127.0.0.1 "$SRV_PORT" "$fx" "$T/cc.$c" >"$T/cc.$c.out" 2>&1 &
		pids+=($!)
	done
	# Bounded by the clients' own timeout plus a margin (0.05 s steps).
	for ((i = 0; i < (FETCH_TIMEOUT + 10) * 20; i++)); do
		alive=0
		for c in "${pids[@]}"; do
			proc_alive "$c" && alive=1
		done
		[ $alive -eq 0 ] && break
		n=$(transfers_now)
		[ "$n" -gt "$MAX_SEEN" ] && MAX_SEEN=$n
		sleep 0.05
	done
	for c in "${pids[@]}"; do
		wait "$c"
	done
	for c in "$@"; do
		FETCH_OUT=$(tail -n 3 "$T/clients.log" 2>/dev/null)
		check_same "$PREFIX $c $fx" "$ROOT/$fx" "$T/cc.$c"
		rm -f "$T/cc.$c"
	done
}

# ------------------------------------------------ standalone, concurrency
PREFIX="standalone concurrent:"
if start_standalone 127.0.0.1 -t 1 -R 2; then
	tap_ok "standalone server listens on 127.0.0.1:$SRV_PORT"
	for i in 1 2 3 4; do
		hold_transfer 127.0.0.1 "$SRV_PORT" big.bin 8 "$T/hold.$i"
		holds[i]=$HOLD_PID
	done
	if wait_transfers 4 3; then
		tap_ok "standalone: 4 stalled clients hold 4 transfer processes at once"
	else
		tap_fail "standalone: 4 stalled clients hold 4 transfer processes at once" \
			"only $(transfers_now) seen"$'\n'"$(server_diag)"
	fi
	sleep 0.3
	got=0
	for i in 1 2 3 4; do
		grep -qx 'DATA 1' "$T/hold.$i" 2>/dev/null && got=$((got + 1))
	done
	if [ $got -eq 4 ]; then
		tap_ok "standalone: each stalled client received DATA block 1"
	else
		tap_fail "standalone: each stalled client received DATA block 1" \
			"$got of 4"$'\n'"$(cat "$T"/hold.* "$T/hold.err" 2>/dev/null)"
	fi
	# -t 1 -R 2: about 3 s of retransmissions, then the transfers give up.
	if wait_no_servers 8 "$SRV_PID" &&
		[ "$(grep -c 'file="big.bin".*result=timeout' "$SRV_LOG")" -eq 4 ]; then
		tap_ok "standalone: stalled transfers end with result=timeout after -R 2"
	else
		tap_fail "standalone: stalled transfers end with result=timeout after -R 2" \
			"left: $LINGER"$'\n'"$(tail -n 6 "$SRV_LOG")"
	fi
	for i in 1 2 3 4; do
		stop_pid "${holds[i]}" >/dev/null
	done

	concurrent_fetch rollover.bin hpa atftp curl busybox
	tap_note "at most $MAX_SEEN transfer processes seen at once during 4 downloads"

	stop_server
	if [ "$STOP_STATUS" = 0 ]; then
		tap_ok "standalone: SIGTERM when idle, exit status 0"
	else
		tap_fail "standalone: SIGTERM when idle, exit status 0" \
			"status $STOP_STATUS"$'\n'"$(tail -n 3 "$SRV_LOG")"
	fi
else
	tap_fail "standalone server listens on 127.0.0.1" "$(server_diag)"
fi

# ------------------------------------------------ --max-children 1
PREFIX="standalone --max-children 1:"
if start_standalone 127.0.0.1 --max-children 1 -t 1 -R 2; then
	: >"$T/hold.q"
	hold_transfer 127.0.0.1 "$SRV_PORT" big.bin 8 "$T/hold.q"
	hold_pid=$HOLD_PID
	if wait_transfers 1 3; then
		tap_ok "--max-children 1: a stalled client takes the only slot"
	else
		tap_fail "--max-children 1: a stalled client takes the only slot" "$(server_diag)"
	fi
	concurrent_fetch three.bin hpa atftp curl busybox
	if [ "$MAX_SEEN" -le 1 ]; then
		tap_ok "--max-children 1: never more than 1 transfer process (max seen $MAX_SEEN)"
	else
		tap_fail "--max-children 1: never more than 1 transfer process" "max seen $MAX_SEEN"
	fi
	# Queued, not refused: each client's ok line comes after the stalled
	# transfer's timeout line (all lines go to one O_APPEND log, in order).
	t_line=$(grep -n 'file="big.bin".*result=timeout' "$SRV_LOG" | head -n 1 | cut -d: -f1)
	first_ok=$(grep -n 'file="three.bin".*result=ok' "$SRV_LOG" | head -n 1 | cut -d: -f1)
	n_ok=$(grep -c 'file="three.bin".*result=ok' "$SRV_LOG")
	if [ -n "$t_line" ] && [ -n "$first_ok" ] && [ "$first_ok" -gt "$t_line" ] &&
		[ "$n_ok" -ge 4 ]; then
		tap_ok "--max-children 1: the 4 clients were served after the stalled transfer ended"
	else
		tap_fail "--max-children 1: the 4 clients were served after the stalled transfer ended" \
			"timeout line ${t_line:-none}, first ok line ${first_ok:-none}, $n_ok ok lines"$'\n'"$(tail -n 8 "$SRV_LOG")"
	fi
	stop_pid "$hold_pid" >/dev/null
	stop_server
	if [ "$STOP_STATUS" = 0 ]; then
		tap_ok "--max-children 1: SIGTERM, exit status 0"
	else
		tap_fail "--max-children 1: SIGTERM, exit status 0" "status $STOP_STATUS"
	fi
else
	tap_fail "standalone server with --max-children 1 listens" "$(server_diag)"
fi

# ------------------------------------------------ SIGTERM with transfers running
if start_standalone 127.0.0.1 -t 2 -R 5; then
	lpid=$SRV_PID
	hold_transfer 127.0.0.1 "$SRV_PORT" big.bin 20 "$T/hold.t1"
	h1=$HOLD_PID
	hold_transfer 127.0.0.1 "$SRV_PORT" rollover.bin 20 "$T/hold.t2"
	h2=$HOLD_PID
	wait_transfers 2 3
	kids=$(pgrep -P "$lpid" | tr '\n' ' ')
	nkids=$(echo $kids | wc -w)
	if [ "$nkids" -eq 2 ]; then
		tap_ok "standalone: 2 stalled transfers are children of the listener ($kids)"
	else
		tap_fail "standalone: 2 stalled transfers are children of the listener" \
			"pgrep -P $lpid: '$kids'"
	fi
	kill -TERM "$lpid"
	if wait_gone "$lpid" 6; then
		left=
		for k in $kids; do
			proc_alive "$k" && left+="$k "
		done
		if [ -z "$left" ] && wait_no_servers 0; then
			tap_ok "standalone: SIGTERM with transfers running leaves no child processes"
		else
			tap_fail "standalone: SIGTERM with transfers running leaves no child processes" \
				"still running: $left"$'\n'"$LINGER"
		fi
		if wait "$lpid"; then st=0; else st=$?; fi
		if [ "$st" -eq 0 ]; then
			tap_ok "standalone: SIGTERM with transfers running, exit status 0"
		else
			tap_fail "standalone: SIGTERM with transfers running, exit status 0" \
				"status $st"$'\n'"$(tail -n 4 "$SRV_LOG")"
		fi
	else
		tap_fail "standalone: SIGTERM with transfers running ends the listener within 6 s" \
			"$(server_diag)"
		stop_pid "$lpid" >/dev/null
	fi
	SRV_PIDS=()
	stop_pid "$h1" >/dev/null
	stop_pid "$h2" >/dev/null
else
	tap_fail "standalone server for the SIGTERM test listens" "$(server_diag)"
fi

# ------------------------------------------------ inetd family: nothing lingers
for mode in fdzero xinetd; do
	if ! start_mode "$mode" 127.0.0.1 -t 1 -R 2; then
		tap_fail "$mode: server starts" "$(server_diag)"
		continue
	fi
	for step in "hpa one.bin" "curl rollover.bin" "atftp-b8192-w8 big.bin" \
		"busybox three.bin" "hpa-ascii text.txt"; do
		set -- $step
		fetch_check "$mode $1 $2" "$1" 127.0.0.1 "$SRV_PORT" "$2" "$ROOT/$2"
		if wait_no_servers 3; then
			tap_ok "$mode: no fwtftpd process left after $1 $2"
		else
			tap_fail "$mode: no fwtftpd process left after $1 $2" "$LINGER"
		fi
	done

	# A refused request (missing file): the client sees ERROR 1.
	fetch hpa 127.0.0.1 "$SRV_PORT" no-such-file "$T/missing.out"
	if [[ $FETCH_OUT == *"Error code 1"* ]]; then
		tap_ok "$mode: missing file gives the client ERROR 1"
	else
		tap_fail "$mode: missing file gives the client ERROR 1" "$FETCH_OUT"
	fi
	if wait_no_servers 3; then
		tap_ok "$mode: no fwtftpd process left after a refused request"
	else
		tap_fail "$mode: no fwtftpd process left after a refused request" "$LINGER"
	fi

	# A client that stops answering: gone once -t 1 -R 2 are used up.
	hold_transfer 127.0.0.1 "$SRV_PORT" big.bin 10 "$T/hold.$mode"
	h=$HOLD_PID
	if wait_transfers 1 3; then
		if wait_no_servers 8; then
			tap_ok "$mode: no fwtftpd process left after a stalled client's retries"
		else
			tap_fail "$mode: no fwtftpd process left after a stalled client's retries" "$LINGER"
		fi
	else
		tap_fail "$mode: a stalled client gets a transfer process" "$(server_diag)"
	fi
	stop_pid "$h" >/dev/null

	# What inetd started exits 0: it forks the transfer and leaves.
	case $mode in
	fdzero) statuses=$(grep -o 'exit=[0-9]*\|signal=[0-9]*' "$T/fdzero.log") ;;
	xinetd) statuses=$(grep -o 'EXIT: fwtftpd-test status=[0-9]*' "$T/xinetd.log" | sed 's/.*status=/exit=/') ;;
	esac
	n_all=$(echo "$statuses" | grep -c .)
	n_zero=$(echo "$statuses" | grep -c '^exit=0$')
	if [ "$n_all" -ge 7 ] && [ "$n_all" -eq "$n_zero" ]; then
		tap_ok "$mode: all $n_all launched processes exited with status 0"
	else
		tap_fail "$mode: all launched processes exited with status 0" \
			"$n_zero of $n_all (want at least 7): $(echo $statuses)"
	fi
	stop_server
	# Fresh logs for the next mode.
	rm -f "$T/fdzero.log" "$T/xinetd.log"
done

tap_note "05_standalone total: $((SECONDS - start_all)) s"
tap_done
