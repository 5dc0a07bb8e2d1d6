#!/bin/bash
# compare.sh - a benchmark, not a test: fwtftpd beside tftpd-hpa, atftpd and
# dnsmasq, each standalone on 127.0.0.1 serving the same files to the same
# clients. Prints one table and writes it to build/bench-compare.txt.
#
#   bash tests/bench/compare.sh [--runs N] [--budget SEC] [--cpu same|split|none]
#                               [--no-install]
#
# Runs as root (the servers drop to nobody; strace attaches to them).
# It must never: be run by `make check`, assert anything about speed, send a
# datagram anywhere but 127.0.0.1, stop a process or service it did not
# start, or leave a server running (every one is stopped by pid on exit,
# Ctrl-C included). See tests/bench/README.md for what each number means.
set -u
export LC_ALL=C

# starttime PID: field 22 of /proc/PID/stat, which tells a process from a
# later one that got the same pid; empty for a zombie, which has ended. The
# name (field 2) may hold spaces.
starttime() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	set -- $st
	[ "$1" = Z ] || echo "${20}"
}

# Two layers. The outer one runs the measuring script under a hard time
# bound (timeout sends it TERM, then KILL; --foreground keeps Ctrl-C
# working) and afterwards stops every process the inner one recorded in
# the registry and that still runs, however the inner one ended. The inner
# one stops them itself too; the soft --budget normally ends it early.
if [ -z "${FWT_BENCH_INNER:-}" ]; then
	reg=$(mktemp /tmp/fwt-bench-pids.XXXXXX) || exit 1
	# A trap, not an ignore: the inner script must get Ctrl-C itself.
	trap ':' INT TERM
	FWT_BENCH_INNER=$reg timeout --foreground -k 20 "${FWT_BENCH_LIMIT:-600}" \
		"$BASH" "$0" "$@"
	rc=$?
	while read -r p st; do
		[ -n "$st" ] && [ "$(starttime "$p")" = "$st" ] || continue
		echo "compare.sh: stopping leftover pid $p" >&2
		kill -TERM "$p" 2>/dev/null
		for ((i = 0; i < 30; i++)); do
			[ "$(starttime "$p")" = "$st" ] || break
			sleep 0.1
		done
		[ "$(starttime "$p")" = "$st" ] && kill -KILL "$p" 2>/dev/null
	done <"$reg"
	rm -f "$reg"
	exit "$rc"
fi
REGISTRY=$FWT_BENCH_INNER

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FWT=${FWTFTPD:-$REPO/fwtftpd}
OUTFILE=$REPO/build/bench-compare.txt

RUNS=5
BUDGET=500        # seconds of measuring; later passes are skipped past it
INSTALL=1
# Where the server and the client run. In lockstep every block is one round
# trip between them, and on a small VM a wake-up on the other CPU costs far
# more than the work per block (see README.md): unpinned, the times follow
# the scheduler's placement, not the server. "same" (default) puts both on
# one CPU, so the wall time is their CPU work; "split" puts them on two.
CPU_MODE=same
CLIENT_TIMEOUT=60 # one 64 MiB fetch; lockstep 512 takes a few seconds
STRACE_TIMEOUT=180
BIG_BYTES=$((64 * 1048576))
SMALL_BYTES=1048576
# 64 MiB is an exact multiple of 512: 131072 full blocks and the empty one
# that ends the transfer.
BLOCKS_512=$((BIG_BYTES / 512 + 1))

usage() {
	echo "usage: bash tests/bench/compare.sh [--runs N] [--budget SEC] [--cpu same|split|none] [--no-install]" >&2
	exit 100
}
while [ $# -gt 0 ]; do
	case $1 in
	--runs) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]?$ ]] || usage; RUNS=$2; shift 2 ;;
	--budget) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]{0,3}$ ]] || usage; BUDGET=$2; shift 2 ;;
	--cpu) [ $# -ge 2 ] && [[ $2 =~ ^(same|split|none)$ ]] || usage; CPU_MODE=$2; shift 2 ;;
	--no-install) INSTALL=0; shift ;;
	*) usage ;;
	esac
done

say() { printf 'compare.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root: the servers start as root and drop to nobody"
[ -x "$FWT" ] || die "$FWT not found: run make first"
command -v curl >/dev/null || die "curl is needed (the common client)"
HAVE_ATFTP=0
command -v atftp >/dev/null && HAVE_ATFTP=1
HAVE_STRACE=0
command -v strace >/dev/null && HAVE_STRACE=1

# cpu_list: the CPUs this script may use, one per line ("0-1,4" expanded).
cpu_list() {
	local part a b parts
	IFS=, read -r -a parts <<<"$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status)"
	for part in "${parts[@]}"; do
		a=${part%-*} b=${part#*-}
		for ((; a <= b; a++)); do echo "$a"; done
	done
}
SRV_PIN=()
CLI_PIN=()
CPU_DESC="not pinned"
if [ "$CPU_MODE" != none ]; then
	command -v taskset >/dev/null || die "taskset is needed for --cpu $CPU_MODE (or use --cpu none)"
	mapfile -t CPUS < <(cpu_list)
	[ ${#CPUS[@]} -ge 1 ] || die "cannot read the allowed CPUs"
	last=${CPUS[${#CPUS[@]} - 1]}
	if [ "$CPU_MODE" = split ] && [ ${#CPUS[@]} -ge 2 ]; then
		SRV_PIN=(taskset -c "${CPUS[0]}")
		CLI_PIN=(taskset -c "$last")
		CPU_DESC="server on CPU ${CPUS[0]}, client on CPU $last"
	else
		[ "$CPU_MODE" = split ] && say "one CPU only: --cpu split becomes same"
		CPU_MODE=same
		SRV_PIN=(taskset -c "$last")
		CLI_PIN=(taskset -c "$last")
		CPU_DESC="server and client both on CPU $last"
	fi
fi

SERVERS=(fwtftpd tftpd-hpa atftpd dnsmasq)
CLIENTS=(curl-512 curl-1468)
[ $HAVE_ATFTP -eq 1 ] && CLIENTS+=(atftp-w16)

declare -A BIN PID PORT KIND VER NOTE WIN TIMES PEAK MEMHOW SYSC SYSTOP STRACE_US
# KIND: "fork" = a listener forks one process per transfer (the child moves
# the bytes); "single" = one process (threads or an event loop) does all.
KIND=([fwtftpd]=fork [tftpd-hpa]=fork [atftpd]=single [dnsmasq]=single)
declare -A PKG=([tftpd-hpa]=tftpd-hpa [atftpd]=atftpd [dnsmasq]=dnsmasq)
declare -A EXE=([tftpd-hpa]=in.tftpd [atftpd]=atftpd [dnsmasq]=dnsmasq)
# Run-time libraries of the two servers that may have to be unpacked.
declare -A LIBS=([tftpd-hpa]="libwrap0" [atftpd]="libwrap0 libpcre2-8-0")

T=$(mktemp -d /tmp/fwt-bench.XXXXXX) || die "mktemp failed"
# The servers open files as nobody (atftpd and dnsmasq by full path).
chmod 0755 "$T"
ROOT=$T/root
LOG=$T/bench.log
: >"$LOG"
START=$SECONDS
OWN_POLICY=0
POLICY=/usr/sbin/policy-rc.d
CHILD=
STRACE_PID=

# now_us: microseconds into NOW, without a subshell.
now_us() {
	local t=$EPOCHREALTIME
	NOW=${t/[.,]/}
}
over_budget() { [ $((SECONDS - START)) -ge "$BUDGET" ]; }

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st:1:1}" != Z ]
}

# kids PID: the direct children of PID.
kids() {
	local f="/proc/$1/task/$1/children"
	if [ -r "$f" ]; then
		cat "$f" 2>/dev/null
	else
		ps -o pid= --ppid "$1" 2>/dev/null
	fi
}

# stop_pid PID: TERM, up to 3 s, then KILL; reaps it if it is our child.
stop_pid() {
	local p=$1 i
	alive "$p" || { wait "$p" 2>/dev/null; return 0; }
	kill -TERM "$p" 2>/dev/null
	for ((i = 0; i < 30; i++)); do
		alive "$p" || break
		sleep 0.1
	done
	alive "$p" && kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

# stop_server NAME: the server and any transfer process it still has.
stop_server() {
	local s=$1 p k
	p=${PID[$s]:-}
	[ -n "$p" ] || return 0
	k=$(kids "$p")
	stop_pid "$p"
	for p in $k; do
		stop_pid "$p"
	done
	PID[$s]=
}

cleanup() {
	local s
	# Ignored, not reset: Ctrl-C reaches us twice (from the terminal and
	# through the outer timeout), and the second must not cut this short.
	trap - EXIT
	trap '' INT TERM
	[ -n "$CHILD" ] && stop_pid "$CHILD"
	[ -n "$STRACE_PID" ] && stop_pid "$STRACE_PID"
	for s in "${SERVERS[@]}"; do
		stop_server "$s"
	done
	[ "$OWN_POLICY" -eq 1 ] && rm -f "$POLICY"
	if [ -n "${FWT_BENCH_KEEP:-}" ]; then
		say "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT
trap 'say terminated; exit 143' TERM

# detach OUTFILE CMD...: starts CMD (stdout and stderr to OUTFILE) so that
# it is not a child of this shell, records it in the registry and sets
# DPID. Long-lived processes (servers, strace) are started this way: bash
# waits for a child with waitpid(-1), and a server as its child could keep
# such a wait, when a signal interrupted it, blocked for ever.
detach() {
	local out=$1 st
	shift
	DPID=
	rm -f "$T/detach.pid"
	("$@" </dev/null >>"$out" 2>&1 &
		echo $! >"$T/detach.pid")
	read -r DPID <"$T/detach.pid" 2>/dev/null || return 1
	st=$(starttime "$DPID") && echo "$DPID $st" >>"$REGISTRY"
	return 0
}

# bg_wait OUT CMD...: runs CMD in the background, its output appended to
# OUT, and waits for it, so that a signal reaches our trap at once instead
# of after CMD ends. Sets RC. The redirection is on CMD, not on a function
# call: a trap that runs during the wait would write into it.
bg_wait() {
	local out=$1
	shift
	"$@" </dev/null >>"$out" 2>&1 &
	CHILD=$!
	wait "$CHILD"
	RC=$?
	CHILD=
}

# ------------------------------------------------------------ the servers
pkg_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# service_pids: pids of daemons (parent: init) named like one of the
# compared servers; a server someone runs from a shell is never listed.
service_pids() {
	local d c pp
	for d in /proc/[0-9]*; do
		c=$(cat "$d/comm" 2>/dev/null) || continue
		case $c in
		in.tftpd | atftpd | dnsmasq)
			pp=$(awk '/^PPid:/ { print $2 }' "$d/status" 2>/dev/null)
			[ "$pp" = 1 ] && echo "${d#/proc/}" ;;
		esac
	done
}

# find_servers: BIN[] for every server binary already present.
find_servers() {
	local s b
	BIN[fwtftpd]=$FWT
	for s in tftpd-hpa atftpd dnsmasq; do
		[ -n "${BIN[$s]:-}" ] && continue
		b=$(command -v "${EXE[$s]}" 2>/dev/null) || b=
		[ -z "$b" ] && [ -x "/usr/sbin/${EXE[$s]}" ] && b=/usr/sbin/${EXE[$s]}
		[ -n "$b" ] && BIN[$s]=$b && VER[$s]=$(dpkg-query -W -f='${Version}' "${PKG[$s]}" 2>/dev/null)
	done
}

# get_servers: installs what is missing. tftpd-hpa and atftpd conflict as
# packages (apt would remove one to install the other), so the second of
# them is unpacked into the temp directory instead and run from there; its
# maintainer scripts never run.
get_servers() {
	local s other install=() unpack=() before p units_before=() u
	find_servers
	for s in tftpd-hpa atftpd dnsmasq; do
		[ -n "${BIN[$s]:-}" ] && continue
		case $s in
		tftpd-hpa) other=atftpd ;;
		atftpd) other=tftpd-hpa ;;
		*) other= ;;
		esac
		if [ -n "$other" ] && { pkg_installed "${PKG[$other]}" ||
			[[ " ${install[*]} " == *" ${PKG[$other]} "* ]]; }; then
			unpack+=("$s")
			for p in ${LIBS[$s]}; do
				pkg_installed "$p" || [[ " ${install[*]} " == *" $p "* ]] || install+=("$p")
			done
		else
			install+=("${PKG[$s]}")
		fi
	done
	[ ${#install[@]} -eq 0 ] && [ ${#unpack[@]} -eq 0 ] && return 0
	if [ "$INSTALL" -eq 0 ]; then
		say "not installing (--no-install): ${install[*]} ${unpack[*]}"
		return 0
	fi
	say "installing: ${install[*]:-none}; unpacking: ${unpack[*]:-none}"
	if [ ${#install[@]} -gt 0 ]; then
		# A policy-rc.d that exits 101 keeps invoke-rc.d from starting the
		# packages' services; one already there is left as it is.
		if [ ! -e "$POLICY" ]; then
			printf '#!/bin/sh\n# temporary, from fwtftpd tests/bench/compare.sh\nexit 101\n' \
				>"$POLICY" && chmod 0755 "$POLICY" && OWN_POLICY=1
		fi
		before=" $(service_pids | tr '\n' ' ') "
		if [ -d /run/systemd/system ]; then
			for u in tftpd-hpa atftpd dnsmasq; do
				systemctl is-active --quiet "$u" 2>/dev/null && units_before+=("$u")
			done
		fi
		export DEBIAN_FRONTEND=noninteractive
		if ! { timeout 120 apt-get update -q &&
			timeout 240 apt-get install -y -q --no-install-recommends "${install[@]}"; } \
			>>"$LOG" 2>&1; then
			say "apt-get failed (see below); going on with what is there"
			tail -n 5 "$LOG" >&2
		fi
		[ "$OWN_POLICY" -eq 1 ] && rm -f "$POLICY" && OWN_POLICY=0
		# Anything of these names that appeared during the install was
		# started by it: stop it. Nothing that ran before is touched.
		if [ -d /run/systemd/system ]; then
			for u in tftpd-hpa atftpd dnsmasq; do
				[[ " ${units_before[*]} " == *" $u "* ]] && continue
				systemctl is-active --quiet "$u" 2>/dev/null &&
					say "stopping service $u (the install started it)" &&
					timeout 30 systemctl stop "$u"
			done
		fi
		for p in $(service_pids); do
			[[ "$before" == *" $p "* ]] && continue
			say "stopping pid $p ($(cat "/proc/$p/comm" 2>/dev/null)), started by the install"
			stop_pid "$p"
		done
	fi
	for s in "${unpack[@]}"; do
		mkdir -p "$T/deb/$s"
		if (cd "$T/deb" && timeout 120 apt-get download -q "${PKG[$s]}") >>"$LOG" 2>&1 &&
			dpkg-deb -x "$T/deb/${PKG[$s]}"_*.deb "$T/deb/$s" 2>>"$LOG" &&
			[ -x "$T/deb/$s/usr/sbin/${EXE[$s]}" ]; then
			BIN[$s]=$T/deb/$s/usr/sbin/${EXE[$s]}
			VER[$s]="$(dpkg-deb -f "$T/deb/${PKG[$s]}"_*.deb Version) (unpacked)"
		else
			say "could not unpack ${PKG[$s]}"
		fi
	done
	find_servers
}

pick_port() {
	local p i
	for ((i = 0; i < 50; i++)); do
		p=$((20000 + (${SRANDOM:-$RANDOM} % 40000)))
		if command -v ss >/dev/null; then
			[ -z "$(ss -Hlun "sport = :$p" 2>/dev/null)" ] && { echo "$p"; return 0; }
		else
			echo "$p"
			return 0
		fi
	done
	return 1
}

# server_cmd NAME PORT: the command line, into CMD.
server_cmd() {
	local s=$1 port=$2
	case $s in
	fwtftpd)
		# Standalone, forks one child per transfer, drops to nobody.
		CMD=("${BIN[$s]}" --listen "127.0.0.1:$port" -s "$ROOT" -L) ;;
	tftpd-hpa)
		# -L: standalone in the foreground; -s: chroot to the root.
		CMD=("${BIN[$s]}" -L -a "127.0.0.1:$port" -s "$ROOT" -u nobody) ;;
	atftpd)
		CMD=("${BIN[$s]}" --daemon --no-fork --port "$port" --bind-address 127.0.0.1
			--user nobody --group nogroup --logfile "$T/atftpd.log" "$ROOT") ;;
	dnsmasq)
		# port=0: no DNS; no config file, resolv.conf, hosts or pid file of
		# the system's own dnsmasq is read or written. The TFTP port cannot
		# be chosen: start_server gives it 69.
		CMD=("${BIN[$s]}" --keep-in-foreground --conf-file=/dev/null --port=0
			--no-resolv --no-hosts --pid-file= --enable-tftp "--tftp-root=$ROOT"
			--listen-address=127.0.0.1 --bind-interfaces
			--user=nobody --group=nogroup --log-facility=- ) ;;
	esac
}

# client_cmd CLIENT PORT FILE OUT: the client command line, into CMD.
client_cmd() {
	local c=$1 port=$2 f=$3 out=$4
	case $c in
	curl-512) CMD=(curl -sS -o "$out" "tftp://127.0.0.1:$port/$f") ;;
	curl-1468) CMD=(curl -sS --tftp-blksize 1468 -o "$out" "tftp://127.0.0.1:$port/$f") ;;
	atftp-w16) CMD=(atftp --option "blksize 1468" --option "windowsize 16"
		--get -r "$f" -l "$out" 127.0.0.1 "$port") ;;
	esac
	CMD=("${CLI_PIN[@]}" "${CMD[@]}")
}

# fetch SERVER CLIENT FILE [TIMEOUT]: one download, checked byte for byte
# afterwards. Sets US (wall microseconds). Returns 1 if it failed.
fetch() {
	local s=$1 c=$2 f=$3 to=${4:-$CLIENT_TIMEOUT} out=$T/out.bin t0 t1 NOW
	rm -f "$out"
	client_cmd "$c" "${PORT[$s]}" "$f" "$out"
	now_us
	t0=$NOW
	bg_wait "$T/client.log" timeout -k 2 "$to" "${CMD[@]}"
	now_us
	t1=$NOW
	US=$((t1 - t0))
	[ "$RC" -eq 0 ] && cmp -s "$out" "$ROOT/$f" || {
		echo "fetch $s $c $f: rc=$RC, not identical" >>"$LOG"
		rm -f "$out"
		return 1
	}
	rm -f "$out"
	return 0
}

# start_server NAME: on a free port; ready once the 1 MiB file arrives
# intact.
start_server() {
	local s=$1 try port i
	for try in 1 2 3; do
		if [ "$s" = dnsmasq ]; then
			# dnsmasq has no option for its TFTP port: it is always 69.
			[ "$try" -eq 1 ] || break
			port=69
			if command -v ss >/dev/null && [ -n "$(ss -Hlun 'sport = :69' 2>/dev/null)" ]; then
				NOTE[$s]="UDP port 69 is taken on this host"
				return 1
			fi
		else
			port=$(pick_port) || return 1
		fi
		server_cmd "$s" "$port"
		# taskset execs the server: $! is the server's own pid, and its
		# children and threads inherit the CPU.
		CMD=("${SRV_PIN[@]}" "${CMD[@]}")
		echo "start $s: ${CMD[*]}" >>"$LOG"
		detach "$T/$s.log" "${CMD[@]}" || return 1
		PID[$s]=$DPID PORT[$s]=$port
		for ((i = 0; i < 20; i++)); do
			alive "${PID[$s]}" || break
			fetch "$s" curl-512 small.bin 5 && return 0
			sleep 0.25
		done
		stop_server "$s"
	done
	NOTE[$s]=${NOTE[$s]:-"did not start: $(tail -n 2 "$T/$s.log" 2>/dev/null | tr '\n' ' ')"}
	return 1
}

# probe_window NAME: does the server grant windowsize (RFC 7440)? The
# atftp trace shows the OACK; no windowsize in it means lockstep.
probe_window() {
	local s=$1 out=$T/probe.bin
	WIN[$s]=no
	[ $HAVE_ATFTP -eq 1 ] || return 0
	rm -f "$out" "$T/probe.trace"
	bg_wait "$T/probe.trace" timeout -k 2 10 atftp --trace --option "blksize 1468" \
		--option "windowsize 16" --get -r small.bin -l "$out" 127.0.0.1 "${PORT[$s]}"
	if [ "$RC" -eq 0 ] && cmp -s "$out" "$ROOT/small.bin" &&
		grep -i 'OACK' "$T/probe.trace" | grep -qi 'windowsize'; then
		WIN[$s]=yes
	fi
	rm -f "$out"
}

# ------------------------------------------------------------- the passes
# Round-robin: each run fetches once per client from every server, starting
# from a different server each time, so noise hits all of them alike.
timed_pass() {
	local r c i j n=${#UP[@]} s
	for ((r = 1; r <= RUNS; r++)); do
		for c in "${CLIENTS[@]}"; do
			for ((j = 0; j < n; j++)); do
				over_budget && { say "budget reached: timed runs stop at run $r"; return 0; }
				i=$(((j + r - 1) % n))
				s=${UP[$i]}
				[ "$c" = atftp-w16 ] && [ "${WIN[$s]}" != yes ] && continue
				if fetch "$s" "$c" big.bin; then
					TIMES[$s|$c]+=" $US"
				else
					TIMES[$s|$c]+=" fail"
				fi
			done
		done
		say "run $r/$RUNS done ($((SECONDS - START)) s)"
	done
}

# status_kb PID FIELD: a VmXXX value in KiB, empty if the process is gone.
status_kb() {
	local k v rest
	while read -r k v rest; do
		[ "$k" = "$2:" ] && { echo "$v"; return 0; }
	done 2>/dev/null <"/proc/$1/status"
	return 0
}

# mem_pass: peak resident memory of the process that moves the bytes, one
# 64 MiB fetch per server and client (not timed).
#  fork servers: the transfer child is found as it appears under the
#   listener and its VmHWM sampled every 20 ms until it exits (the highest
#   sample; VmHWM never decreases, so only growth in the last 20 ms of the
#   child's life could be missed).
#  single-process servers: VmHWM is reset to the current RSS through
#   /proc/PID/clear_refs (5) before the fetch and read after it: the peak
#   of the whole daemon during this one transfer.
mem_pass() {
	local s c try
	for c in "${CLIENTS[@]}"; do
		for s in "${UP[@]}"; do
			over_budget && { say "budget reached: memory pass stops"; return 0; }
			[ "$c" = atftp-w16 ] && [ "${WIN[$s]}" != yes ] && continue
			# A short transfer can end before the sampler first looks at
			# it (the sampler shares the machine): then measure again.
			for try in 1 2 3; do
				mem_one "$s" "$c" && break
			done
		done
	done
}

# mem_one SERVER CLIENT: one measured fetch into PEAK[SERVER|CLIENT]
# ("?" if the fetch failed or no sample was taken); 1 if it should be
# tried again.
mem_one() {
	local s=$1 c=$2 lp=${PID[$1]} before k child='' peak='' v i cpid out=$T/out.bin ok
	rm -f "$out"
	client_cmd "$c" "${PORT[$s]}" big.bin "$out"
	if [ "${KIND[$s]}" = single ]; then
		echo 5 2>/dev/null >"/proc/$lp/clear_refs" || { PEAK[$s|$c]="n/a"; return 0; }
		bg_wait "$T/client.log" timeout -k 2 "$CLIENT_TIMEOUT" "${CMD[@]}"
		ok=$RC
		peak=$(status_kb "$lp" VmHWM)
		MEMHOW[$s]="whole process, VmHWM reset before the fetch"
	else
		before=" $(kids "$lp" | tr '\n' ' ') "
		timeout -k 2 "$CLIENT_TIMEOUT" "${CMD[@]}" </dev/null >>"$T/client.log" 2>&1 &
		CHILD=$!
		cpid=$CHILD
		for ((i = 0; i < 250; i++)); do
			for k in $(kids "$lp"); do
				[[ "$before" == *" $k "* ]] || { child=$k; break; }
			done
			[ -n "$child" ] && break
			sleep 0.02
		done
		for ((i = 0; i < CLIENT_TIMEOUT * 50; i++)); do
			[ -n "$child" ] || break
			v=$(status_kb "$child" VmHWM)
			[ -n "$v" ] || break
			[ -z "$peak" ] || [ "$v" -gt "$peak" ] && peak=$v
			sleep 0.02
		done
		wait "$cpid"
		ok=$?
		CHILD=
		MEMHOW[$s]="transfer child, VmHWM sampled every 20 ms"
	fi
	echo "memory $s $c: child=$child peak=$peak rc=$ok" >>"$LOG"
	PEAK[$s|$c]="?"
	if [ "$ok" -eq 0 ] && cmp -s "$out" "$ROOT/big.bin"; then
		rm -f "$out"
		[ -n "$peak" ] || return 1
		PEAK[$s|$c]=$peak
		return 0
	fi
	rm -f "$out"
	return 0
}

# strace_pass: strace -f -c attached to each server for one 64 MiB fetch at
# blksize 512; every system call of the server (listener and transfer
# process or threads) during that window, divided by the DATA blocks.
strace_pass() {
	local s out err i total top
	[ $HAVE_STRACE -eq 1 ] || return 0
	for s in "${UP[@]}"; do
		over_budget && { say "budget reached: strace pass stops"; return 0; }
		out=$T/strace.$s
		err=$T/strace.$s.err
		detach "$err" strace -f -c -o "$out" -p "${PID[$s]}" || continue
		STRACE_PID=$DPID
		for ((i = 0; i < 100; i++)); do
			grep -q attached "$err" 2>/dev/null && break
			alive "$STRACE_PID" || break
			sleep 0.05
		done
		sleep 0.2
		if ! grep -q attached "$err" 2>/dev/null; then
			SYSC[$s]="n/a"
			SYSTOP[$s]="strace could not attach: $(head -n 1 "$err")"
			stop_pid "$STRACE_PID"
			STRACE_PID=
			continue
		fi
		if fetch "$s" curl-512 big.bin "$STRACE_TIMEOUT"; then
			STRACE_US[$s]=$US
		else
			STRACE_US[$s]=fail
		fi
		# SIGINT: strace detaches and writes its summary.
		kill -INT "$STRACE_PID" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			alive "$STRACE_PID" || break
			sleep 0.1
		done
		stop_pid "$STRACE_PID"
		STRACE_PID=
		# Summary lines: % time, seconds, usecs/call, calls, [errors], name.
		total=$(awk '$NF == "total" && $1 ~ /^[0-9.]+$/ { print $4 }' "$out")
		top=$(awk -v b="$BLOCKS_512" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" {
			print $4, $NF }' "$out" | sort -k1,1nr | head -n 4 |
			awk -v b="$BLOCKS_512" '{ printf "%s%s %.3f", (NR > 1 ? ", " : ""), $2, $1 / b }')
		if [ -n "$total" ] && [ "${STRACE_US[$s]}" != fail ]; then
			SYSC[$s]=$(awk -v t="$total" -v b="$BLOCKS_512" 'BEGIN { printf "%.2f", t / b }')
			SYSTOP[$s]=$top
		else
			SYSC[$s]="?"
			SYSTOP[$s]="no summary (see log)"
		fi
	done
}

# ------------------------------------------------------------- the report
# stats "LIST": median, min and max in seconds, and the count of good runs.
stats() {
	tr ' ' '\n' <<<"$1" | grep -E '^[0-9]+$' | sort -n | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "- - - 0"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.3f %.3f %.3f %d\n", m / 1e6, v[1] / 1e6, v[NR] / 1e6, NR
		}'
}

report() {
	local c s med lo hi n fails ratio rate ref peak
	printf 'fwtftpd benchmark: one 64 MiB file over 127.0.0.1, median of %s runs per cell, servers interleaved\n' "$RUNS"
	printf 'host: %s, %s CPUs, %s; run %s\n' "$(uname -r)" "$(nproc)" \
		"$(awk '/MemTotal/ { printf "%d MiB RAM", $2 / 1024 }' /proc/meminfo)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
	for s in "${SERVERS[@]}"; do
		printf '  %-10s %s%s\n' "$s" "${VER[$s]:-?}" "${NOTE[$s]:+  -- ${NOTE[$s]}}"
	done
	printf 'clients: curl %s (curl-512: default blocks, curl-1468: --tftp-blksize 1468)' \
		"$(curl --version | awk 'NR == 1 { print $2 }')"
	[ $HAVE_ATFTP -eq 1 ] && printf ', atftp (atftp-w16: blksize 1468, windowsize 16)'
	printf '\nCPU placement: %s\n\n' "$CPU_DESC"
	printf '%-10s %-10s %9s %17s %8s %10s %9s  %s\n' client server "median s" "min..max s" "MiB/s" "x fwtftpd" "peak KiB" "runs"
	for c in "${CLIENTS[@]}"; do
		read -r ref _ _ _ <<<"$(stats "${TIMES[fwtftpd|$c]:-}")"
		for s in "${SERVERS[@]}"; do
			if [ -z "${PID[$s]:-}" ] && [ -z "${TIMES[$s|$c]:-}" ]; then
				printf '%-10s %-10s %s\n' "$c" "$s" "not run (${NOTE[$s]:-server missing})"
				continue
			fi
			if [ "$c" = atftp-w16 ] && [ "${WIN[$s]:-no}" != yes ]; then
				printf '%-10s %-10s %s\n' "$c" "$s" "not run: no windowsize in its OACK (lockstep only)"
				continue
			fi
			read -r med lo hi n <<<"$(stats "${TIMES[$s|$c]:-}")"
			fails=$(grep -o fail <<<"${TIMES[$s|$c]:-}" | wc -l)
			if [ "$med" = - ]; then
				printf '%-10s %-10s %s\n' "$c" "$s" "no successful run ($fails failed)"
				continue
			fi
			rate=$(awk -v m="$med" 'BEGIN { printf "%.1f", 64 / m }')
			ratio=-
			[ "$ref" != - ] && [ -n "$ref" ] && ratio=$(awk -v m="$med" -v r="$ref" 'BEGIN { printf "%.2f", m / r }')
			peak=${PEAK[$s|$c]:-n/a}
			printf '%-10s %-10s %9s %17s %8s %10s %9s  %s%s\n' "$c" "$s" "$med" "$lo..$hi" "$rate" \
				"$ratio" "$peak" "$n" "$([ "$fails" -gt 0 ] && echo " ($fails failed)")"
		done
	done
	printf '\nx fwtftpd = median time / fwtftpd median time (above 1.00: slower than fwtftpd).\n'
	printf 'peak KiB = VmHWM of the process moving the bytes, one separate fetch:\n'
	for s in "${SERVERS[@]}"; do
		[ -n "${MEMHOW[$s]:-}" ] && printf '  %-10s %s\n' "$s" "${MEMHOW[$s]}"
	done
	if [ $HAVE_STRACE -eq 1 ]; then
		printf '\nsystem calls per DATA block: strace -f -c attached to the server for one 64 MiB\n'
		printf 'fetch with curl-512, all calls of the server divided by %s blocks\n' "$BLOCKS_512"
		printf '%-10s %9s  %s\n' server "calls/blk" "most frequent calls (per block)"
		for s in "${SERVERS[@]}"; do
			[ -n "${SYSC[$s]:-}" ] || continue
			printf '%-10s %9s  %s\n' "$s" "${SYSC[$s]}" "${SYSTOP[$s]}"
		done
	fi
}

# ------------------------------------------------------------------ main
get_servers
mkdir -p "$ROOT"
head -c "$BIG_BYTES" /dev/urandom >"$ROOT/big.bin" || die "cannot write $ROOT"
head -c "$SMALL_BYTES" /dev/urandom >"$ROOT/small.bin"
chmod 0755 "$ROOT"
chmod 0644 "$ROOT/big.bin" "$ROOT/small.bin"
VER[fwtftpd]=$("$FWT" -V 2>&1 | head -n 1)
# Which build was measured: the commit, and whether the tree differs from it.
rev=$(git -C "$REPO" describe --always --dirty 2>/dev/null) && VER[fwtftpd]+=" (git $rev)"

UP=()
for s in "${SERVERS[@]}"; do
	if [ -z "${BIN[$s]:-}" ]; then
		NOTE[$s]="not installed"
		continue
	fi
	if start_server "$s"; then
		probe_window "$s"
		UP+=("$s")
		say "$s on 127.0.0.1:${PORT[$s]} (pid ${PID[$s]}, windowsize: ${WIN[$s]})"
	else
		say "$s: ${NOTE[$s]}"
	fi
done
[[ " ${UP[*]} " == *" fwtftpd "* ]] || die "fwtftpd did not start (see $T/fwtftpd.log)"

timed_pass
mem_pass
strace_pass

mkdir -p "$(dirname "$OUTFILE")"
report | tee "$OUTFILE"
say "table written to $OUTFILE ($((SECONDS - START)) s)"
