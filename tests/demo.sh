#!/usr/bin/env bash
# make run: build a demo root under build/demo and serve it on
# 127.0.0.1:6969 in the foreground until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
root="$top/build/demo"
port=${PORT:-6969}

rm -rf "$root" "$top/build/demo-state" "$top/build/demo-firmware-hint"
mkdir -p "$root/pxelinux.cfg" "$top/build/demo-state"
# Demo policy: state beside the root, a retry within 2 minutes rotates to
# the other major (see README, "Recovering a snom phone").
cat > "$top/build/demo.conf" <<CONF
state-dir $top/build/demo-state
rotate-on-retry 120
CONF
printf 'Hello from fwtftpd.\nThis file is served from %s.\n' "$root" > "$root/hello.txt"
head -c 1048576 /dev/urandom > "$root/random-1M.bin"
printf 'DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz\n' > "$root/pxelinux.cfg/default"
if [ -f tests/demo-firmware.sh ]; then
	bash tests/demo-firmware.sh "$root"
fi
chmod -R a+rX "$root"

user_opt=()
if [ "$(id -u)" = 0 ]; then
	user_opt=(-u nobody)
fi
cat <<MSG
fwtftpd demo: serving $root on 127.0.0.1:$port (Ctrl-C stops it).
Try, in another terminal:
    tftp 127.0.0.1 $port -m binary -c get hello.txt /tmp/hello.txt && cat /tmp/hello.txt
    curl -s tftp://127.0.0.1:$port/random-1M.bin -o /tmp/random-1M.bin && cmp /tmp/random-1M.bin $root/random-1M.bin
MSG
if [ -f "$top/build/demo-firmware-hint" ]; then
	cat "$top/build/demo-firmware-hint"
fi
exec ./fwtftpd --listen "127.0.0.1:$port" -s "$root" -f "$top/build/demo.conf" "${user_opt[@]}" --foreground
