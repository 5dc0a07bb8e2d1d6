# lib.sh - shared helpers for the fwtftpd integration scripts (source it).
#
# Gives every script: TAP output, a private temp dir removed on exit, the
# served fixtures, free ports on 127.0.0.1 / ::1, start/stop of the server in
# its three launch modes (real xinetd, fd 0 hand-over through fdzero,
# standalone --listen) and wrappers for the real clients.
#
# Rules it keeps: all traffic goes to 127.0.0.1 or ::1 only; every wait and
# every client run is bounded (timeout / loop counts); everything it started
# is stopped by pid, never by name. A missing tool is a failure, not a skip.
# shellcheck shell=bash

set -u

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LIB_DIR/../.." && pwd)
FWTFTPD=${FWTFTPD:-$REPO/fwtftpd}
FDZERO=${FDZERO:-$REPO/build/tools/fdzero}
SCRIPT_NAME=$(basename "$0" .sh)

# Upper bound for one client run; 64 MiB at 512-byte blocks is the slowest.
FETCH_TIMEOUT=${FETCH_TIMEOUT:-120}

# ---------------------------------------------------------------- TAP

TAP_N=0
TAP_FAILED=0

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

# tap_fail NAME [DETAIL]: DETAIL may span lines; each becomes a "#" line.
tap_fail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
	if [ -n "${2:-}" ]; then
		printf '%s\n' "$2" | head -n 40 | sed 's/^/#   /'
	fi
}

tap_note() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# tap_check NAME CMD...: ok iff CMD succeeds; its output is the failure detail.
tap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$name"
	else
		tap_fail "$name" "command failed: $*"$'\n'"$out"
	fi
}

# check_same NAME EXPECTED GOT: byte comparison; missing files fail.
check_same() {
	local name=$1 exp=$2 got=$3 detail
	if [ ! -f "$got" ]; then
		tap_fail "$name" "no output file $got${FETCH_OUT:+$'\n'$FETCH_OUT}"
		return 1
	fi
	if cmp -s -- "$exp" "$got"; then
		tap_ok "$name"
		return 0
	fi
	detail="expected $(stat -c %s -- "$exp") bytes, got $(stat -c %s -- "$got")"
	detail+=$'\n'"$(cmp -- "$exp" "$got" 2>&1 | head -n 2)"
	[ -n "${FETCH_OUT:-}" ] && detail+=$'\n'"client said: $FETCH_OUT"
	tap_fail "$name" "$detail"
	return 1
}

# tap_done: prints the plan; the script's exit status says whether all passed.
tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# need TOOL...: 0 if all are on PATH, else one failure line per missing tool.
need() {
	local t rc=0
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			tap_fail "required tool $t is installed" "run: bash tests/deps.sh"
			rc=1
		fi
	done
	return $rc
}

# need_binaries: the server and fdzero must have been built.
need_binaries() {
	local rc=0
	if [ ! -x "$FWTFTPD" ]; then
		tap_fail "server binary $FWTFTPD exists" "run: make fwtftpd"
		rc=1
	fi
	if [ ! -x "$FDZERO" ]; then
		tap_fail "test tool $FDZERO exists" "run: make build/tools/fdzero"
		rc=1
	fi
	return $rc
}

# ---------------------------------------------------------------- temp dir

T=$(mktemp -d "${TMPDIR:-/tmp}/fwtftpd-$SCRIPT_NAME.XXXXXX") || exit 111
# mktemp makes it 0700; a served tree is normally world-readable, and the
# transfer runs as an unprivileged user.
chmod 0755 "$T"
ROOT=$T/root
mkdir -p "$ROOT"
SRV_PIDS=()   # everything started by start_* or start_logsink
SRV_PID=      # the most recent server: pid, port, its log
SRV_PORT=
SRV_LOG=
SRV_MODE=

lib_cleanup() {
	local p
	for p in "${SRV_PIDS[@]}"; do
		stop_pid "$p" >/dev/null 2>&1
	done
	# Transfer processes of our own root that outlived their parent.
	for p in $(our_server_pids); do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf -- "$T"
}
trap lib_cleanup EXIT
# Without these, a TERM from run.sh's timeout would skip the EXIT trap.
trap 'exit 143' TERM
trap 'exit 130' INT

# ---------------------------------------------------------------- processes

# proc_alive PID: running and not a zombie.
proc_alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# wait_gone PID SECONDS: 0 once PID has exited (or is a zombie).
wait_gone() {
	local pid=$1 i n=$(($2 * 10))
	for ((i = 0; i < n; i++)); do
		proc_alive "$pid" || return 0
		sleep 0.1
	done
	! proc_alive "$pid"
}

# stop_pid PID: TERM, up to 5 s, then KILL. Prints the exit status when PID is
# a child of this shell (wait works), else nothing. Returns 0 if it is gone.
STOP_STATUS=
stop_pid() {
	local pid=$1 st
	STOP_STATUS=
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	if ! wait_gone "$pid" 5; then
		kill -KILL "$pid" 2>/dev/null
		wait_gone "$pid" 2
	fi
	if wait "$pid" 2>/dev/null; then st=0; else st=$?; fi
	STOP_STATUS=$st
	echo "$st"
	! proc_alive "$pid"
}

# our_server_pids: fwtftpd processes serving this script's root. Matching the
# unique root path keeps other people's servers on the same host out of it.
our_server_pids() {
	local p
	for p in $(pgrep -x fwtftpd 2>/dev/null); do
		if tr '\0' '\n' 2>/dev/null <"/proc/$p/cmdline" | grep -qxF -- "$ROOT"; then
			echo "$p"
		fi
	done
}

# wait_no_servers SECONDS [EXCEPT_PID]: 0 once no fwtftpd of ours is left
# (other than EXCEPT_PID, the standalone listener). Leaves the leftovers in
# LINGER for the failure message.
LINGER=
wait_no_servers() {
	local i n=$(($1 * 10)) except=${2:-} p
	for ((i = 0; i <= n; i++)); do
		LINGER=
		for p in $(our_server_pids); do
			[ "$p" = "$except" ] && continue
			LINGER+="$p: $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"$'\n'
		done
		[ -z "$LINGER" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- ports

# udp_bound PORT: something listens on that UDP port (any address).
udp_bound() {
	[ -n "$(ss -Hlun "sport = :$1" 2>/dev/null)" ]
}

# pick_port: an unused UDP port. There is a window between this check and
# the bind; start_* retry with another port if the bind loses the race.
pick_port() {
	local i p
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		udp_bound "$p" || {
			echo "$p"
			return 0
		}
	done
	return 1
}

# wait_bound PORT PID SECONDS: 0 once PORT is bound while PID still runs.
wait_bound() {
	local port=$1 pid=$2 i n=$(($3 * 10))
	for ((i = 0; i < n; i++)); do
		proc_alive "$pid" || return 1
		udp_bound "$port" && return 0
		sleep 0.1
	done
	return 1
}

is_v6() { [[ $1 == *:* ]]; }

# hostport ADDR PORT: 127.0.0.1:69 or [::1]:69
hostport() {
	if is_v6 "$1"; then echo "[$1]:$2"; else echo "$1:$2"; fi
}

# ---------------------------------------------------------------- fixtures

# File names in the served root, all derived here, nothing hard-coded:
#   empty.bin     0 bytes
#   one.bin       1 byte
#   three.bin     1536 bytes = 3 * 512: the client must get an empty 4th block
#   rollover.bin  32 MiB + 1000: 65536+ blocks of 512, block number wraps
#   big.bin       64 MiB: wraps twice at 512
#   text.txt      netascii source (see make_text)
#   text1024.txt  1023 bytes whose netascii form is exactly 1024 bytes
FIXTURES_BIN=(empty.bin one.bin three.bin rollover.bin big.bin)

# The netascii fixture. In the netascii form (LF -> CR LF, CR -> CR NUL):
# line 1 is 511 'a' + LF, so its CR is byte 511 and its LF byte 512 - the
# pair straddles blocks 1 and 2. Then 510 'b' + a bare CR: CR NUL straddles
# bytes 1023/1024. Then CRLF in the file, lone CRs, empty lines, a tab, and
# a last line without a newline.
make_text() {
	{
		printf '%0511d\n' 0 | tr 0 a
		printf '%0510d\r' 0 | tr 0 b
		printf 'after bare CR\n'
		printf 'dos line\r\n'
		printf '\n\n'
		printf 'tab\there, CR\rin the middle\n'
		printf 'ends with CR\r'
		printf '\r\n\r\r\n\n'
		local i
		for ((i = 0; i < 200; i++)); do
			printf 'line %d of the netascii fixture: 0123456789\n' "$i"
		done
		printf 'last line without newline'
	} >"$1"
	# 1022 'c' + LF: the netascii form is 1024 bytes, two full blocks.
	printf '%01022d\n' 0 | tr 0 c >"$2"
}

# netascii_size FILE: size after LF -> CR LF and CR -> CR NUL.
netascii_size() {
	local n extra
	n=$(stat -c %s -- "$1")
	extra=$(tr -cd '\r\n' <"$1" | wc -c)
	echo $((n + extra))
}

gen_fixtures() {
	local d=$1
	head -c 0 /dev/urandom >"$d/empty.bin" &&
		head -c 1 /dev/urandom >"$d/one.bin" &&
		head -c 1536 /dev/urandom >"$d/three.bin" &&
		head -c $((32 * 1024 * 1024 + 1000)) /dev/urandom >"$d/rollover.bin" &&
		head -c $((64 * 1024 * 1024)) /dev/urandom >"$d/big.bin" &&
		make_text "$d/text.txt" "$d/text1024.txt" &&
		touch "$d/.complete"
}

# setup_fixtures: fills $ROOT. Under run.sh, FWT_FIXTURES names a directory
# shared by all scripts of that run (generated once, under a lock); a script
# run alone generates its own copy in its temp dir. The root gets hard links,
# not symlinks: the server refuses links that resolve outside its root.
FIX=
setup_fixtures() {
	local f
	FIX=${FWT_FIXTURES:-$T/fixtures}
	mkdir -p "$FIX" && chmod 0755 "$FIX" || return 1
	(
		flock -w 120 9 || exit 1
		[ -f "$FIX/.complete" ] || gen_fixtures "$FIX"
	) 9>"$FIX/.lock" || {
		tap_fail "fixtures generated in $FIX"
		return 1
	}
	for f in "${FIXTURES_BIN[@]}" text.txt text1024.txt; do
		ln -f "$FIX/$f" "$ROOT/$f" 2>/dev/null || cp -f "$FIX/$f" "$ROOT/$f" || return 1
	done
	chmod 0644 "$ROOT"/*
	chmod 0755 "$ROOT"
}

# ---------------------------------------------------------------- log sink

# start_logsink: a unix datagram socket that appends every message to
# $T/syslog.log, for the server's --log-socket in xinetd mode (xinetd puts the
# socket on fds 0-2, so -L cannot be used there). Bounded lifetime.
LOGSOCK=
start_logsink() {
	local pid i
	LOGSOCK=$T/log.sock
	perl -MIO::Socket::UNIX -e '
		my ($path, $out) = @ARGV;
		unlink $path;
		my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $path)
			or die "logsink: $!\n";
		chmod 0666, $path;
		open my $fh, ">>", $out or die "logsink: $out: $!\n";
		$fh->autoflush(1);
		$SIG{TERM} = sub { exit 0 };
		alarm 1200;
		my $buf;
		while (defined $s->recv($buf, 8192)) { $buf =~ s/\n*$/\n/; print $fh $buf; }
	' "$LOGSOCK" "$T/syslog.log" 2>>"$T/logsink.err" &
	pid=$!
	SRV_PIDS+=("$pid")
	for ((i = 0; i < 50; i++)); do
		[ -S "$LOGSOCK" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- servers

# Each start_* sets SRV_PID, SRV_PORT, SRV_LOG (where the server's request
# lines end up) and SRV_MODE, and returns non-zero if the server did not come
# up; the caller turns that into a failure line.

# start_standalone ADDR [server args...]: fwtftpd --listen ADDR:PORT -L.
start_standalone() {
	SRV_WRAP=()
	start_listen_as standalone "$@"
}

# start_listen_as MODE ADDR [server args...]: start_standalone, named MODE,
# run through the command in the array SRV_WRAP (e.g. setpriv ...); an
# empty ADDR gives a port-only --listen (dual stack).
SRV_WRAP=()
start_listen_as() {
	local mode=$1 addr=$2 try port pid spec
	shift 2
	SRV_MODE=$mode
	SRV_LOG=$T/$mode.log
	for try in 1 2 3; do
		port=$(pick_port) || return 1
		spec=$port
		[ -z "$addr" ] || spec=$(hostport "$addr" "$port")
		"${SRV_WRAP[@]}" "$FWTFTPD" --listen "$spec" -s "$ROOT" -L "$@" \
			</dev/null >>"$SRV_LOG" 2>&1 &
		pid=$!
		if wait_bound "$port" "$pid" 5; then
			SRV_PID=$pid SRV_PORT=$port
			SRV_PIDS+=("$pid")
			return 0
		fi
		stop_pid "$pid" >/dev/null
	done
	return 1
}

# start_fdzero ADDR [server args...]: the socket handed over as fd 0. fdzero
# binds port 0 and reports the port, so there is no port race here.
start_fdzero() {
	local addr=$1 pid i v6=
	shift
	SRV_MODE=fdzero
	SRV_LOG=$T/fdzero-server.log
	is_v6 "$addr" && v6=-6
	rm -f "$T/fdzero.port" "$T/fdzero.pid"
	"$FDZERO" $v6 -a "$addr" -p 0 -o "$T/fdzero.port" -P "$T/fdzero.pid" \
		-e "$SRV_LOG" -n "${FDZ_MAXREQ:-10000}" -T "${FDZ_LIFETIME:-900}" \
		-- "$FWTFTPD" -s "$ROOT" -L "$@" </dev/null >/dev/null 2>>"$T/fdzero.log" &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		if [ -s "$T/fdzero.pid" ] && [ -s "$T/fdzero.port" ]; then
			SRV_PID=$pid SRV_PORT=$(cat "$T/fdzero.port")
			SRV_PIDS+=("$pid")
			return 0
		fi
		proc_alive "$pid" || break
		sleep 0.1
	done
	stop_pid "$pid" >/dev/null
	return 1
}

# start_xinetd ADDR [server args...]: the real xinetd with a private config.
# Logs of the server go to a private log sink (see start_logsink).
start_xinetd() {
	local addr=$1 try port pid conf flags= args
	shift
	SRV_MODE=xinetd
	if [ -z "$LOGSOCK" ]; then
		start_logsink || return 1
	fi
	SRV_LOG=$T/syslog.log
	is_v6 "$addr" && flags="flags = IPv6"
	args="-s $ROOT --log-socket $LOGSOCK $*"
	for try in 1 2 3; do
		port=$(pick_port) || return 1
		conf=$T/xinetd.conf
		cat >"$conf" <<-EOF
			defaults
			{
				log_type = FILE $T/xinetd.log
				log_on_success = PID EXIT
				log_on_failure = HOST
			}
			service fwtftpd-test
			{
				type = UNLISTED
				socket_type = dgram
				protocol = udp
				wait = yes
				user = root
				bind = $addr
				port = $port
				$flags
				server = $FWTFTPD
				server_args = $args
				instances = UNLIMITED
				per_source = UNLIMITED
				cps = 1000 1
			}
		EOF
		xinetd -dontfork -f "$conf" -pidfile "$T/xinetd.pid" \
			</dev/null >>"$T/xinetd.out" 2>&1 &
		pid=$!
		if wait_bound "$port" "$pid" 5; then
			SRV_PID=$pid SRV_PORT=$port
			SRV_PIDS+=("$pid")
			return 0
		fi
		stop_pid "$pid" >/dev/null
	done
	return 1
}

# start_mode MODE ADDR [server args...]: MODE is xinetd, fdzero or standalone.
start_mode() {
	local mode=$1
	shift
	case $mode in
	xinetd) start_xinetd "$@" ;;
	fdzero) start_fdzero "$@" ;;
	standalone) start_standalone "$@" ;;
	*) return 1 ;;
	esac
}

# stop_server: stops the most recent server; STOP_STATUS has its exit status.
stop_server() {
	local p keep=()
	stop_pid "$SRV_PID" >/dev/null
	for p in "${SRV_PIDS[@]}"; do
		[ "$p" = "$SRV_PID" ] || keep+=("$p")
	done
	SRV_PIDS=("${keep[@]}")
}

# server_diag: the last lines of every log, for failure details.
server_diag() {
	local f
	for f in "$T"/*.log "$T/xinetd.out"; do
		[ -s "$f" ] || continue
		echo "--- $(basename "$f")"
		tail -n 6 "$f"
	done
}

# ---------------------------------------------------------------- clients

# CLIENTS: the names fetch understands.
#   hpa, hpa-ascii             tftp-hpa, -m binary / -m ascii
#   atftp, atftp-ascii         atftp (netascii via its "mode" option)
#   atftp-b1428                atftp --option "blksize 1428"
#   atftp-b8192-w8             atftp blksize 8192 + windowsize 8 (RFC 7440)
#   curl, curl-b1468           curl, --tftp-blksize 1468
#   busybox, busybox-b1024     busybox tftp, -b 1024
CLIENTS=(hpa atftp atftp-b1428 atftp-b8192-w8 curl curl-b1468 busybox busybox-b1024)

# client_tool CLIENT: the program it needs.
client_tool() {
	case $1 in
	hpa*) echo tftp ;;
	atftp*) echo atftp ;;
	curl*) echo curl ;;
	busybox*) echo busybox ;;
	esac
}

# fetch CLIENT HOST PORT REMOTE LOCAL: one download, bounded by FETCH_TIMEOUT.
# LOCAL is removed first so a stale file never passes. The client's output
# goes to FETCH_OUT (and $T/clients.log); returns the client's exit status.
FETCH_OUT=
fetch() {
	local client=$1 host=$2 port=$3 remote=$4 local=$5 rc fam=-4 uhost=$2
	local cmd
	rm -f -- "$local"
	if is_v6 "$host"; then
		fam=-6
		uhost="[$host]"
	fi
	case $client in
	hpa) cmd=(tftp "$fam" -m binary "$host" "$port" -c get "$remote" "$local") ;;
	hpa-ascii) cmd=(tftp "$fam" -m ascii "$host" "$port" -c get "$remote" "$local") ;;
	atftp) cmd=(atftp --get -r "$remote" -l "$local" "$host" "$port") ;;
	atftp-ascii) cmd=(atftp --get -r "$remote" -l "$local" --option "mode netascii" "$host" "$port") ;;
	atftp-b1428) cmd=(atftp --get -r "$remote" -l "$local" --option "blksize 1428" "$host" "$port") ;;
	atftp-b8192-w8) cmd=(atftp --get -r "$remote" -l "$local" --option "blksize 8192"
		--option "windowsize 8" "$host" "$port") ;;
	curl) cmd=(curl -sS --max-time "$FETCH_TIMEOUT" "tftp://$uhost:$port/$remote" -o "$local") ;;
	curl-b1468) cmd=(curl -sS --max-time "$FETCH_TIMEOUT" --tftp-blksize 1468
		"tftp://$uhost:$port/$remote" -o "$local") ;;
	busybox) cmd=(busybox tftp -g -r "$remote" -l "$local" "$host" "$port") ;;
	busybox-b1024) cmd=(busybox tftp -g -b 1024 -r "$remote" -l "$local" "$host" "$port") ;;
	*)
		FETCH_OUT="unknown client $client"
		return 2
		;;
	esac
	FETCH_OUT=$(timeout -k 2 "$((FETCH_TIMEOUT + 5))" "${cmd[@]}" 2>&1 </dev/null)
	rc=$?
	{
		echo "\$ ${cmd[*]}"
		[ -n "$FETCH_OUT" ] && echo "$FETCH_OUT"
		echo "(exit $rc)"
	} >>"$T/clients.log"
	FETCH_OUT="exit $rc${FETCH_OUT:+: $(echo "$FETCH_OUT" | tail -n 3)}"
	return $rc
}

# fetch_check NAME CLIENT HOST PORT REMOTE EXPECTED: fetch into the temp dir
# and compare with EXPECTED byte for byte (one TAP line).
fetch_check() {
	local name=$1 client=$2 host=$3 port=$4 remote=$5 exp=$6
	local out=$T/got.$client.$(basename "$remote")
	fetch "$client" "$host" "$port" "$remote" "$out"
	check_same "$name" "$exp" "$out"
	local rc=$?
	rm -f -- "$out"
	return $rc
}

# ---------------------------------------------------------------- stalled peer

# hold_transfer HOST PORT FILE SECONDS OUT: a client that sends one RRQ and
# then never acknowledges anything, keeping one transfer process of the
# server busy until its retries run out. The socket stays open (unconnected,
# so the reply from the server's new port is received, not answered with an
# ICMP error). OUT gets "DATA n" for each data block seen. Sets HOLD_PID.
HOLD_PID=
hold_transfer() {
	perl -MIO::Socket::IP -e '
		my ($host, $port, $file, $secs, $out) = @ARGV;
		my $s = IO::Socket::IP->new(LocalHost => $host, LocalPort => 0,
			Proto => "udp") or die "hold: $!\n";
		open my $fh, ">", $out or die "hold: $out: $!\n";
		$fh->autoflush(1);
		my $to = IO::Socket::IP->new(PeerHost => $host, PeerPort => $port,
			Proto => "udp") or die "hold: $!\n";
		my $dst = $to->peername; close $to;
		send($s, pack("n", 1) . "$file\0octet\0", 0, $dst) or die "hold: send: $!\n";
		my $end = time + $secs;
		while ((my $left = $end - time) > 0) {
			my $rin = ""; vec($rin, fileno($s), 1) = 1;
			next unless select(my $r = $rin, undef, undef, $left);
			my $buf;
			defined $s->recv($buf, 70000) or last;
			my ($op, $blk) = unpack("nn", $buf);
			print $fh "DATA $blk\n" if $op == 3;
			print $fh "OP $op\n" if $op != 3;
		}
	' "$1" "$2" "$3" "$4" "$5" </dev/null 2>>"$T/hold.err" &
	HOLD_PID=$!
	SRV_PIDS+=("$HOLD_PID") # so that lib_cleanup stops it too
}
