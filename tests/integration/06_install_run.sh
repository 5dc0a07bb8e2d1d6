#!/usr/bin/env bash
# 06_install_run.sh - the sysadmin's first minutes: `make install` honours
# DESTDIR and PREFIX with the right modes, and `make run` serves its demo
# root so that the printed tftp command fetches a file and snom320.bin.
source "$(dirname "$0")/lib.sh"

# ---- make install / uninstall
dest="$T/pkg"
if make -s -C "$REPO" install DESTDIR="$dest" PREFIX=/usr >"$T/install.out" 2>&1; then
	tap_ok "make install DESTDIR=... PREFIX=/usr"
else
	tap_fail "make install DESTDIR=... PREFIX=/usr" "$(cat "$T/install.out")"
fi
m=$(stat -c %a "$dest/usr/sbin/fwtftpd" 2>/dev/null)
[ "$m" = 755 ] && tap_ok "binary installed 0755 under DESTDIR/PREFIX/sbin" || tap_fail "binary installed 0755" "mode '$m'"
m=$(stat -c %a "$dest/usr/share/man/man8/fwtftpd.8" 2>/dev/null)
[ "$m" = 644 ] && tap_ok "man page installed 0644 under DESTDIR/PREFIX/share/man/man8" || tap_fail "man page installed 0644" "mode '$m'"
"$dest/usr/sbin/fwtftpd" --version | grep -q '^fwtftpd ' && tap_ok "installed binary runs" || tap_fail "installed binary runs"
make -s -C "$REPO" uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
[ ! -e "$dest/usr/sbin/fwtftpd" ] && [ ! -e "$dest/usr/share/man/man8/fwtftpd.8" ] &&
	tap_ok "make uninstall removes both" || tap_fail "make uninstall removes both"

# ---- make run
port=$(pick_port)
setsid env PORT="$port" make -s -C "$REPO" run >"$T/run.out" 2>&1 &
runpid=$!
stop_run() { kill -TERM -- "-$runpid" 2>/dev/null; wait "$runpid" 2>/dev/null; }
if wait_bound "$port" "$runpid" 60; then
	tap_ok "make run listens on 127.0.0.1:$port"
else
	tap_fail "make run listens on 127.0.0.1:$port" "$(cat "$T/run.out")"
fi
grep -q "tftp 127.0.0.1 $port" "$T/run.out" && tap_ok "make run prints the client command" ||
	tap_fail "make run prints the client command" "$(cat "$T/run.out")"
grep -q "snom320.bin" "$T/run.out" && tap_ok "make run prints the snom320.bin command" ||
	tap_fail "make run prints the snom320.bin command" "$(cat "$T/run.out")"
# Exactly as the issue puts it: tftp-hpa's default (netascii) mode.
(cd "$T" && timeout 20 tftp 127.0.0.1 "$port" -c get hello.txt hello.out)
check_same "make run: tftp -c get hello.txt" "$REPO/build/demo/hello.txt" "$T/hello.out"
(cd "$T" && timeout 20 tftp 127.0.0.1 "$port" -m binary -c get snom320.bin snom320.out)
check_same "make run: snom320.bin is the newest intact demo image (10.1.20.0)" \
	"$REPO/build/demo/firmware/snom320-10.1.20.0-SIP-r.bin" "$T/snom320.out"
cmp -s "$T/snom320.out" "$REPO/build/demo/firmware/snom320-10.1.33.0-SIP-r.bin" &&
	tap_fail "the damaged newer demo image is never served" || tap_ok "the damaged newer demo image is never served"
grep -q 'remap=snom320 version=10.1.20.0 major=10 by=newest id=header' "$T/run.out" &&
	tap_ok "make run log names the image and its identity source" ||
	tap_fail "make run log names the image and its identity source" "$(tail -n 5 "$T/run.out")"
stop_run
tap_done 2>/dev/null || exit $((TAP_FAILED > 0))
