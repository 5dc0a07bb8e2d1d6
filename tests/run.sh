#!/bin/bash
# run.sh - the test runner behind "make check".
#
# Runs every unit test binary build/tests/test_* (cmocka, TAP output) and
# then every tests/integration/*.sh script, in sorted order, each under
# timeout. Sourced helper libraries (lib.sh and any *_lib.sh) are not run.
# A tests/unit/test_*.c without its binary counts as a failure. Counts the TAP lines "ok" / "not ok" of all of them; a
# binary or script that exits non-zero (or is killed, or times out) without
# printing "not ok" counts as one failure under its own name, as does one
# that prints no result at all. A "# SKIP" result is not a pass: it counts
# as a failure, so a skipped check can never hide.
#
# Prints a readable log (also kept in build/test.log) whose last line is
# exactly "N passed, M failed"; exits 0 iff M == 0 and N > 0.
# The whole run is bounded: it stops starting suites when its 9.5-minute
# budget is spent, and every suite's timeout is clipped to what is left.
set -u

cd "$(dirname "$0")/.." || exit 111
REPO=$PWD

BUDGET=${FWT_BUDGET:-570}        # seconds for the whole run
UNIT_TIMEOUT=${FWT_UNIT_TIMEOUT:-60}
SCRIPT_TIMEOUT=${FWT_SCRIPT_TIMEOUT:-300}

mkdir -p build
LOG=$REPO/build/test.log
: >"$LOG"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fwtftpd-run.XXXXXX") || exit 111
chmod 0755 "$WORK"
# Fixtures (about 100 MiB of random data) are generated once per run and
# shared by all integration scripts; see lib.sh.
export FWT_FIXTURES=$WORK/fixtures
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

PASSED=0
FAILED=0
FAILED_NAMES=()
start=$SECONDS

say() { printf '%s\n' "$*" | tee -a "$LOG"; }

# remaining: seconds left of the budget (never below 0).
remaining() {
	local r=$((BUDGET - (SECONDS - start)))
	[ $r -lt 0 ] && r=0
	echo $r
}

# record SUITE OUTFILE STATUS: counts one suite's TAP results and prints them.
record() {
	local suite=$1 out=$2 st=$3 line nok=0 nfail=0 why=
	while IFS= read -r line; do
		case $line in
		"not ok"*)
			nfail=$((nfail + 1))
			FAILED_NAMES+=("$suite: ${line#not ok }")
			say "  $line"
			;;
		ok*)
			if [[ $line =~ \#[[:space:]]*[Ss][Kk][Ii][Pp] ]]; then
				nfail=$((nfail + 1))
				FAILED_NAMES+=("$suite: skipped: ${line#ok }")
				say "  $line   <- skipped, counted as failed"
			else
				nok=$((nok + 1))
				say "  $line"
			fi
			;;
		\#*) say "  $line" ;;
		esac
	done <"$out"

	if [ "$st" -ne 0 ]; then
		case $st in
		124 | 137) why="timed out" ;;
		*) [ "$st" -gt 128 ] && why="killed by signal $((st - 128))" ;;
		esac
		# A crash or time-out is a failure even after some "not ok"
		# lines; a plain non-zero exit is covered by its "not ok" lines.
		if [ $nfail -eq 0 ] || [ -n "$why" ]; then
			nfail=$((nfail + 1))
			FAILED_NAMES+=("$suite: exited with status $st${why:+ ($why)}")
			say "  not ok - $suite exited with status $st${why:+ ($why)}"
		fi
	elif [ $nok -eq 0 ] && [ $nfail -eq 0 ]; then
		nfail=1
		FAILED_NAMES+=("$suite: printed no test results")
		say "  not ok - $suite printed no test results"
	fi
	if [ $nfail -ne 0 ] || [ "$st" -ne 0 ]; then
		# Whatever else it printed (stderr, crash messages) helps.
		grep -v -E '^(ok|not ok|#)' "$out" | tail -n 15 | sed 's/^/  | /' | tee -a "$LOG"
	fi
	PASSED=$((PASSED + nok))
	FAILED=$((FAILED + nfail))
	say "  -- $suite: $nok passed, $nfail failed, status $st"
}

# Every suite runs on one CPU. A lockstep TFTP transfer is a ping-pong
# between client and server; on a small shared VM, waking the peer on the
# other CPU costs about 90 us a block, which made the client matrix take
# 60-120 s instead of 15 s and vary tenfold with the neighbours' load. One
# CPU changes the timing only, never what is checked. FWT_NO_PIN=1 turns it
# off.
PIN=()
if [ -z "${FWT_NO_PIN:-}" ] && command -v taskset >/dev/null; then
	cpu=$(taskset -pc $$ 2>/dev/null | sed 's/.*: //; s/[-,].*//')
	[ -n "$cpu" ] && PIN=(taskset -c "$cpu")
fi

# run_suite NAME TIMEOUT CMD...: runs one suite with stdout+stderr captured.
run_suite() {
	local name=$1 t=$2 out st t0
	shift 2
	out=$WORK/out.$(basename "$name")
	if [ "$t" -le 0 ]; then
		say "== $name: not run, the time budget of ${BUDGET}s is spent"
		FAILED=$((FAILED + 1))
		FAILED_NAMES+=("$name: not run (time budget spent)")
		return
	fi
	say "== $name"
	t0=$SECONDS
	# The outer 2>/dev/null only hides bash's own "Segmentation fault"
	# notice; the suite's output is all in $out and the status says it.
	{ timeout -k 10 "$t" "${PIN[@]}" "$@" >"$out" 2>&1 </dev/null; } 2>/dev/null
	st=$?
	record "$name" "$out" "$st"
	say "  -- $name took $((SECONDS - t0)) s"
}

clip() {
	local want=$1 left
	left=$(remaining)
	[ "$want" -gt "$left" ] && want=$left
	echo "$want"
}

# ---------------------------------------------------------------- unit tests
shopt -s nullglob
units=(build/tests/test_*)
if [ ${#units[@]} -eq 0 ]; then
	say "== unit tests: none found in build/tests (run make tests)"
	FAILED=$((FAILED + 1))
	FAILED_NAMES+=("unit tests: no binaries in build/tests")
fi
for c in tests/unit/test_*.c; do
	b=build/tests/$(basename "$c" .c)
	if [ ! -x "$b" ]; then
		say "== $b: not built from $c (run make tests)"
		FAILED=$((FAILED + 1))
		FAILED_NAMES+=("$b: not built")
	fi
done
for b in "${units[@]}"; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	run_suite "$b" "$(clip "$UNIT_TIMEOUT")" env CMOCKA_MESSAGE_OUTPUT=TAP "$b"
done

# ---------------------------------------------------------------- integration
scripts=()
while IFS= read -r s; do
	scripts+=("$s")
done < <(printf '%s\n' tests/integration/*.sh | grep -v -E '/([^/]*_)?lib\.sh$' | LC_ALL=C sort)
if [ ${#scripts[@]} -eq 0 ]; then
	say "== integration tests: none found"
	FAILED=$((FAILED + 1))
	FAILED_NAMES+=("integration tests: no scripts")
fi
for s in "${scripts[@]}"; do
	run_suite "$s" "$(clip "$SCRIPT_TIMEOUT")" bash "$s"
done

# ---------------------------------------------------------------- summary
say ""
say "== summary ($((SECONDS - start)) s)"
for n in "${FAILED_NAMES[@]}"; do
	say "  FAILED $n"
done
say "full log: $LOG"
say "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
