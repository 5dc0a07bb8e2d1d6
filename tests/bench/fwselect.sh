#!/bin/bash
# fwselect.sh - benchmark (not a test; make check does not run it): how long
# does the server take to pick and open the image for a snom320.bin request
# in a firmware directory of 50 real images of 4-8 MiB, with the chosen
# image's data CRC verified (cold: fresh state dir) and with the verified-
# image cache hit (warm)?
#
# Measured from the client: the time from sending the RRQ to the arrival of
# DATA 1 (then the transfer is aborted with ERROR 0), so the transfer
# itself is not in it. The same for a 100-byte plain file is the baseline
# (fork, sandbox, packet filter, request parsing). Each run starts a fresh
# server with a fresh state dir: its first snom320.bin is cold, then
# WARM_N warm requests and WARM_N baseline requests; RUNS runs; medians.
# Also timed: fwtftpd --list-firmware --for 127.0.0.1, which reads all 50
# images completely.
#
# The images are made here with the real mkimage from random payloads and
# are all in the page cache: "cold" is the CRC pass, not disk reads.
# Traffic: 127.0.0.1 only. Everything it starts is stopped by pid; the temp
# dir (about 300 MiB) is removed on exit.
#
# Usage: tests/bench/fwselect.sh [RUNS [WARM_N]]     (defaults 7, 20)
set -u

cd "$(dirname "$0")/../.." || exit 111
REPO=$PWD
FWTFTPD=${FWTFTPD:-$REPO/fwtftpd}
RUNS=${1:-7}
WARM_N=${2:-20}
NIMG=50

for t in mkimage perl timeout ss; do
	command -v "$t" >/dev/null || { echo "fwselect: $t not found" >&2; exit 111; }
done
[ -x "$FWTFTPD" ] || { echo "fwselect: build the server first (make)" >&2; exit 111; }

T=$(mktemp -d "${TMPDIR:-/tmp}/fwt-bench.XXXXXX") || exit 111
chmod 0755 "$T"
SRV=
cleanup() {
	if [ -n "$SRV" ]; then
		kill -TERM "$SRV" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$SRV" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$SRV" 2>/dev/null
	fi
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

ROOT=$T/root
FW=$ROOT/firmware
mkdir -p "$FW"
head -c 100 /dev/urandom >"$ROOT/plain.bin"

# ---------------------------------------------------------------- images
# 50 images, 4-8 MiB: models 320 and 360, majors 7, 8 and 10, distinct
# versions; the newest 320 image (the one chosen) is the last, 10.1.49.0.
echo "fwselect: making $NIMG images of 4-8 MiB with mkimage ..." >&2
head -c $((8 * 1024 * 1024)) /dev/urandom >"$T/blob"
t0=$(date +%s.%N)
total=0
for ((i = 0; i < NIMG; i++)); do
	size=$(((4 * 1024 * 1024) + (RANDOM * 32768 + RANDOM) % (4 * 1024 * 1024)))
	case $((i % 5)) in
	0) name=snom360-8.7.$i.0 ;;
	1) name=snom320-7.3.$i ;;
	2) name=snom320-8.7.5.$i ;;
	*) name=snom320-10.1.$i.0 ;;
	esac
	[ $i = $((NIMG - 1)) ] && name=snom320-10.1.$i.0
	# A unique first line, then the shared random bytes: distinct CRCs.
	{ printf 'image %d\n' "$i"; head -c "$size" "$T/blob"; } | head -c "$size" >"$T/payload"
	mkimage -A mips -O linux -T firmware -C none -n "$name" -d "$T/payload" \
		"$FW/$name-SIP-r.bin" >/dev/null || { echo "fwselect: mkimage failed" >&2; exit 111; }
	total=$((total + size))
	[ $i = $((NIMG - 1)) ] && CHOSEN=$FW/$name-SIP-r.bin
done
rm -f "$T/payload" "$T/blob"
chmod -R a+rX "$ROOT"
echo "fwselect: images made in $(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo '?') s" >&2
CHOSEN_MIB=$(awk -v b="$(stat -c %s "$CHOSEN")" 'BEGIN { printf "%.1f", b / 1048576 }')

# ---------------------------------------------------------------- client
# rtt PORT FILE N: N requests, one per line "ms" from RRQ to DATA 1; each
# transfer is then ended with ERROR 0.
rtt() {
	timeout 300 perl -MIO::Socket::INET -MSocket -MTime::HiRes=time -e '
		my ($port, $file, $n) = @ARGV;
		my $dst = sockaddr_in($port, inet_aton("127.0.0.1"));
		for (1 .. $n) {
			my $s = IO::Socket::INET->new(Proto => "udp", LocalAddr => "127.0.0.1")
				or die "socket: $!\n";
			my $t0 = time;
			send($s, pack("n", 1) . "$file\0octet\0", 0, $dst) or die "send: $!\n";
			my $rin = ""; vec($rin, fileno($s), 1) = 1;
			select(my $r = $rin, undef, undef, $ENV{RTT_WAIT} || 20) or die "no reply for $file\n";
			my $from = recv($s, my $buf, 70000, 0);
			my $dt = time - $t0;
			my ($op, $blk) = unpack("nn", $buf);
			die "reply to $file is opcode $op, not DATA: " . substr($buf, 4) . "\n" unless $op == 3;
			send($s, pack("nn", 5, 0) . "bench\0", 0, $from);
			printf "%.3f\n", $dt * 1000;
			select(undef, undef, undef, 0.01); # let that child finish
		}
	' "$@"
}

# median of the numbers on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s %s", lo, hi }'; }

start_server() { # CONF
	local port i
	for _ in 1 2 3; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		[ -n "$(ss -Hlun "sport = :$port")" ] && continue
		"$FWTFTPD" --listen "127.0.0.1:$port" -s "$ROOT" -L -f "$1" $SBX_OPT </dev/null >>"$T/server.log" 2>&1 &
		SRV=$!
		for ((i = 0; i < 50; i++)); do
			if [ -n "$(ss -Hlun "sport = :$port")" ]; then
				PORT=$port
				return 0
			fi
			sleep 0.1
		done
		kill -TERM "$SRV" 2>/dev/null
		wait "$SRV" 2>/dev/null
		SRV=
	done
	echo "fwselect: server did not start" >&2
	tail -n 5 "$T/server.log" >&2
	exit 111
}

stop_server() {
	kill -TERM "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	SRV=
}

# Does the sandboxed request process survive this directory at all?
SBX_OPT=
SBX_NOTE=
printf 'state-dir %s/probe\n' "$T" >"$T/probe.conf"
start_server "$T/probe.conf"
if ! RTT_WAIT=3 rtt "$PORT" snom320.bin 1 >/dev/null 2>&1; then
	stop_server
	if grep -q 'killed by signal 31' "$T/server.log"; then
		SBX_NOTE="the request process is killed by seccomp (SIGSYS) for this directory; figures are with --sandbox-debug (denied calls logged, not killed)"
		echo "fwselect: NOTE: $SBX_NOTE" >&2
		grep -m1 'killed by signal' "$T/server.log" >&2
		SBX_OPT=--sandbox-debug
	else
		echo "fwselect: no reply to snom320.bin:" >&2
		tail -n 5 "$T/server.log" >&2
		exit 1
	fi
else
	stop_server
fi
: >"$T/server.log"

for f in cold warm plain list; do : >"$T/$f"; done
for ((r = 1; r <= RUNS; r++)); do
	conf=$T/run$r.conf
	printf 'state-dir %s/state%d\n' "$T" "$r" >"$conf"
	start_server "$conf"
	# Page cache warm for everyone: read the chosen image once.
	cat "$CHOSEN" >/dev/null
	rtt "$PORT" snom320.bin 1 >>"$T/cold" || exit 1
	rtt "$PORT" snom320.bin "$WARM_N" >>"$T/warm" || exit 1
	rtt "$PORT" plain.bin "$WARM_N" >>"$T/plain" || exit 1
	stop_server
	# --list-firmware with a fresh state dir: every image read in full.
	printf 'state-dir %s/list%d\n' "$T" "$r" >"$conf"
	ls0=$(date +%s%N)
	timeout 300 "$FWTFTPD" --list-firmware -s "$ROOT" -f "$conf" --for 127.0.0.1 >"$T/list.out" 2>/dev/null
	lrc=$?
	echo "$((($(date +%s%N) - ls0) / 1000))" | awk '{ printf "%.3f\n", $1 / 1000 }' >>"$T/list"
	echo "fwselect: run $r/$RUNS done" >&2
done

# The log must show the expected choice and the cold/warm checks.
if ! grep -q "version=10.1.$((NIMG - 1)).0 major=10 by=newest id=header check=verified" "$T/server.log" ||
	! grep -q "version=10.1.$((NIMG - 1)).0 major=10 by=newest id=header check=cached" "$T/server.log"; then
	echo "fwselect: the server log does not show the expected verified/cached choice:" >&2
	grep -m3 'remap=' "$T/server.log" >&2
	exit 1
fi
ncold=$(grep -c 'check=verified' "$T/server.log")
nwarm=$(grep -c 'check=cached' "$T/server.log")

c=$(median <"$T/cold")
w=$(median <"$T/warm")
p=$(median <"$T/plain")
l=$(median <"$T/list")
echo
echo "fwselect: $NIMG images, $((total / 1048576)) MiB in total; chosen for snom320.bin: $(basename "$CHOSEN") ($CHOSEN_MIB MiB)"
echo "runs: $RUNS (fresh server and state dir each), $WARM_N warm and $WARM_N plain requests per run"
echo "server log: $ncold requests check=verified, $nwarm check=cached; --list-firmware exit status $lrc"
if [ -n "$SBX_NOTE" ]; then
	echo "NOTE: $SBX_NOTE"
	echo "      denied calls logged: $(grep -o 'denied system call [0-9]*' "$T/server.log" | sort | uniq -c | tr -s ' ' | paste -sd, -)"
fi
echo
# row LABEL MEDIAN FILE
row() {
	local lo hi
	read -r lo hi < <(minmax <"$3")
	printf '%-44s %10s %10s %10s %8s\n' "$1" "$2" "$lo" "$hi" "$(wc -l <"$3")"
}
printf '%-44s %10s %10s %10s %8s\n' "RRQ -> DATA 1" "median ms" "min ms" "max ms" "samples"
row "plain 100-byte file (baseline)" "$p" "$T/plain"
row "snom320.bin warm (cached)" "$w" "$T/warm"
row "snom320.bin cold (data CRC verified)" "$c" "$T/cold"
row "--list-firmware --for (all $NIMG read)" "$l" "$T/list"
echo
awk -v c="$c" -v w="$w" -v p="$p" 'BEGIN {
	printf "cold / warm: %.1fx   warm - baseline (scan of %d headers): %.2f ms   cold - warm (CRC of the chosen image): %.2f ms\n", c / w, '"$NIMG"', w - p, c - w
}'
