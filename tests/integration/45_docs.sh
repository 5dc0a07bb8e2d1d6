#!/usr/bin/env bash
# 45_docs.sh - the documents match the binary: every system call in the
# seccomp tables is named in SECURITY.md, every option of --help is in the
# man page and the README, and the README shows the two set-up commands.
source "$(dirname "$0")/lib.sh"

tables=$("$FWTFTPD" --sandbox-tables) || tap_fail "fwtftpd --sandbox-tables runs"
calls=$(printf '%s\n' "$tables" | awk '/^  /{print $1}' | sort -u)
n=$(printf '%s\n' "$calls" | grep -c .)
[ "$n" -ge 40 ] && tap_ok "seccomp tables list $n system calls" || tap_fail "seccomp tables list $n system calls (expected >= 40)"
missing=""
for c in $calls; do
	grep -q "\`$c\`" "$REPO/SECURITY.md" || missing="$missing $c"
done
[ -z "$missing" ] && tap_ok "SECURITY.md names every system call in the tables" ||
	tap_fail "SECURITY.md names every system call in the tables" "missing:$missing"

opts=$("$FWTFTPD" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
for doc in man/fwtftpd.8 README.md; do
	missing=""
	for o in $opts; do
		# roff escapes '-' as '\-'
		esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
		grep -q -- "$o" "$REPO/$doc" || grep -q -- "$esc" "$REPO/$doc" || missing="$missing $o"
	done
	[ -z "$missing" ] && tap_ok "$doc documents every option of --help" ||
		tap_fail "$doc documents every option of --help" "missing:$missing"
done
grep -q 'make run' "$REPO/README.md" && grep -q 'make check' "$REPO/README.md" &&
	tap_ok "README shows make run and make check" || tap_fail "README shows make run and make check"
grep -q 'make check' "$REPO/.ci/run" && tap_ok ".ci/run runs make check" || tap_fail ".ci/run runs make check"
man --warnings -l "$REPO/man/fwtftpd.8" >/dev/null 2>"$T/manwarn" || true
[ ! -s "$T/manwarn" ] && tap_ok "man page renders without warnings" || tap_fail "man page renders without warnings" "$(cat "$T/manwarn")"
tap_done 2>/dev/null || exit $((TAP_FAILED > 0))
