#!/bin/bash
# run.sh - builds the libFuzzer harnesses tests/fuzz/fuzz_*.c with ASan and
# UBSan against the src/*.c files each one needs, and runs each for SECONDS
# (default 10) on a copy of its seed corpus. Prints TAP, one line per target:
#   ok N - fuzz NAME: X runs, no crash
#   not ok N - fuzz NAME: ...   (crash file, reproducer, start of the report)
#
#   bash tests/fuzz/run.sh [SECONDS]
#
# Everything it writes is under build/fuzz/: binaries, fuzz_NAME.log, the
# growing corpus corpus-NAME (a fresh copy of tests/fuzz/corpus/NAME each
# run; tests/ is never written) and crash files in crashes/NAME/. A crash
# replays with: build/fuzz/fuzz_NAME build/fuzz/crashes/NAME/crash-...
# clang without its libFuzzer runtime is a failure that names the package
# to install, never a skip. Exit: 0 all passed, 1 a failure, 100 usage.
set -u

cd "$(dirname "$0")/../.." || exit 111

SECS=${1:-10}
if ! [[ $SECS =~ ^[1-9][0-9]{0,4}$ ]]; then
	echo "usage: bash tests/fuzz/run.sh [SECONDS]   (1-99999, default 10)" >&2
	exit 100
fi

CC=clang
# shellcheck disable=SC2054 # the commas belong to -fsanitize
CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-std=c11 -D_GNU_SOURCE -Iinclude -Itests/fuzz)
OUT=build/fuzz
# Targets in the order they run. For each: the src/*.c files it links, the
# libraries it needs (none so far: no harness reaches nettle, libcap or
# libseccomp code), and the longest input (long enough for each parser's
# own length limit: 1023-byte names, 1024-byte manifest lines, 4096-byte
# configuration lines).
TARGETS=(packet netascii firmware manifest conffile arp acl addr)
declare -A SRCS=(
	[packet]="src/packet.c src/options.c src/path.c src/log.c"
	[netascii]="src/netascii.c"
	[firmware]="src/firmware.c"
	[manifest]="src/firmware.c"
	[conffile]="src/conffile.c src/acl.c src/fwpolicy.c src/options.c src/firmware.c"
	[arp]="src/neigh.c"
	[acl]="src/acl.c src/options.c src/path.c"
	[addr]="src/net.c src/sockfilter.c src/fwpolicy.c src/acl.c src/options.c src/firmware.c"
)
declare -A LIBS=()
declare -A MAXLEN=([packet]=2048 [manifest]=4096 [conffile]=9000)

# Sanitizer reports with stacks, so the first lines say where it broke.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}

mkdir -p "$OUT" || exit 111
N=0
FAILED=0

say_ok() {
	N=$((N + 1))
	echo "ok $N - $1"
}
# say_fail TEXT [DETAIL]: DETAIL lines become "#" lines.
say_fail() {
	N=$((N + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $N - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'
}

# Debian names the runtime after clang's major version (libclang-rt-14-dev
# on Debian 12); without clang, ask apt which version "clang" pulls in.
runtime_pkg() {
	local v
	v=$("$CC" -dumpversion 2>/dev/null | cut -d. -f1)
	if [ -z "$v" ]; then
		v=$(apt-cache depends clang 2>/dev/null |
			sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
	fi
	echo "libclang-rt-${v:-14}-dev"
}

# ---------------------------------------------------------------- runtime
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "1..1"
	say_fail "clang is installed (needed to build the fuzz targets)" \
		"install as root: apt-get install -y clang $(runtime_pkg)"
	exit 1
fi
probe_src=$OUT/probe.c
cat >"$probe_src" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
EOF
if ! probe_err=$("$CC" "${CFLAGS[@]}" -o "$OUT/probe" "$probe_src" 2>&1); then
	rt="$("$CC" -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-$(uname -m).a"
	detail="$rt: $([ -e "$rt" ] && echo present || echo missing)"
	detail+=$'\n'"install as root: apt-get install -y $(runtime_pkg)"
	detail+=$'\n'"$(printf '%s\n' "$probe_err" | head -n 5)"
	echo "1..1"
	say_fail "clang's libFuzzer runtime is installed (-fsanitize=fuzzer links)" "$detail"
	exit 1
fi
rm -f "$OUT/probe" "$probe_src"

echo "1..${#TARGETS[@]}"

# first_report LOG: the start of the crash report (sanitizer or our
# "invariant failed" line, then the stack), else the log's tail.
first_report() {
	local log=$1 at
	local pat='==[0-9]+==ERROR|invariant failed|runtime error:|ALARM: working on'
	pat+='|out-of-memory|deadly signal|libFuzzer: '
	at=$(grep -n -m 1 -E "$pat" "$log" | cut -d: -f1)
	if [ -n "$at" ]; then
		sed -n "${at},$((at + 24))p" "$log"
	else
		tail -n 20 "$log"
	fi
}

for t in "${TARGETS[@]}"; do
	src=tests/fuzz/fuzz_$t.c
	bin=$OUT/fuzz_$t
	log=$OUT/fuzz_$t.log
	corpus=$OUT/corpus-$t
	crashes=$OUT/crashes/$t
	seeds=tests/fuzz/corpus/$t

	# shellcheck disable=SC2086 # SRCS/LIBS are word lists
	if ! berr=$("$CC" "${CFLAGS[@]}" -o "$bin" "$src" ${SRCS[$t]} ${LIBS[$t]:-} 2>&1); then
		say_fail "fuzz $t: build failed" "$(printf '%s\n' "$berr" | head -n 20)"
		continue
	fi
	if ! compgen -G "$seeds/*" >/dev/null; then
		say_fail "fuzz $t: no seed corpus in $seeds"
		continue
	fi
	rm -rf -- "$corpus"
	mkdir -p "$corpus" "$crashes" || exit 111
	cp -- "$seeds"/* "$corpus"/ || exit 111

	# libFuzzer keeps to -max_total_time; the outer timeout only catches a
	# hang of libFuzzer itself.
	timeout -k 5 $((SECS + 60)) "$bin" -max_total_time="$SECS" -rss_limit_mb=1024 \
		-timeout=5 -max_len="${MAXLEN[$t]:-4096}" -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1 </dev/null
	st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	if [ "$st" -eq 0 ] && [ -n "$runs" ] && [ "$runs" -gt 0 ]; then
		say_ok "fuzz $t: $runs runs, no crash"
		continue
	fi
	crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	why="exit status $st"
	[ "$st" -eq 124 ] || [ "$st" -eq 137 ] && why="libFuzzer itself did not stop (timeout)"
	[ "$st" -eq 0 ] && why="no runs recorded"
	detail="log: $log"
	[ -n "$crash" ] && detail="reproduce: $bin $crash"$'\n'"$detail"
	say_fail "fuzz $t: ${crash:+crash in $crash, }$why${runs:+ after $runs runs}" \
		"$detail"$'\n'"$(first_report "$log")"
done

[ "$FAILED" -eq 0 ]
