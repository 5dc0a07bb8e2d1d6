#!/usr/bin/env bash
# 60_fuzz.sh - make check's fuzzing step: every parser's libFuzzer target
# (tests/fuzz/fuzz_*.c) is built with ASan/UBSan and run for 8 seconds
# from its seed corpus; the TAP lines of tests/fuzz/run.sh are passed on.
# clang and its libFuzzer runtime are installed with apt-get when missing
# and we are root; otherwise their absence is a failure naming the command
# (never a skip). The whole run is bounded by timeout. Writes only under
# build/fuzz/.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO" || exit 111

FUZZ_SECONDS=8
RUN_TIMEOUT=240     # 8 targets x 8 s plus the builds: about 85 s
APT_TIMEOUT=120     # each of apt-get update and install; normally deps.sh did it

fail() {
	echo "not ok 1 - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'
	exit 1
}

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# The runtime package is named after clang's major version (Debian 12:
# clang 14, libclang-rt-14-dev); before clang is there, apt knows it.
rt_pkg() {
	local v
	v=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
	[ -z "$v" ] && v=$(apt-cache depends clang 2>/dev/null |
		sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
	echo "libclang-rt-${v:-14}-dev"
}

apt_install() {
	local out
	export DEBIAN_FRONTEND=noninteractive
	out=$({ timeout "$APT_TIMEOUT" apt-get update -q &&
		timeout "$APT_TIMEOUT" apt-get install -y -q --no-install-recommends "$@"; } 2>&1) ||
		fail "apt-get installs $*" "$(printf '%s\n' "$out" | tail -n 15)"
}

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
if [ ${#missing[@]} -eq 0 ]; then
	installed "$(rt_pkg)" || missing+=("$(rt_pkg)")
fi
if [ ${#missing[@]} -ne 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		want=("${missing[@]}")
		[ "${missing[0]}" = clang ] && want+=("$(rt_pkg)")
		fail "clang and its libFuzzer runtime are installed" \
			"run as root: apt-get install -y --no-install-recommends ${want[*]}"
	fi
	apt_install "${missing[@]}"
	# With clang in place its runtime's name is certain; add it if needed.
	installed "$(rt_pkg)" || apt_install "$(rt_pkg)"
	if ! command -v clang >/dev/null 2>&1 || ! installed "$(rt_pkg)"; then
		fail "clang and $(rt_pkg) are installed after apt-get"
	fi
fi

timeout -k 10 "$RUN_TIMEOUT" bash tests/fuzz/run.sh "$FUZZ_SECONDS"
st=$?
if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
	echo "not ok - tests/fuzz/run.sh finished within ${RUN_TIMEOUT}s"
fi
exit "$st"
