#!/usr/bin/env bash
# demo-firmware.sh ROOT: demo images for `make run` under ROOT/firmware.
# Payloads are random bytes made here and now, never vendor firmware; the
# headers come from the real mkimage (Debian's u-boot-tools).
set -euo pipefail
root=$1
fw="$root/firmware"
mkdir -p "$fw"
if ! command -v mkimage >/dev/null; then
	echo "demo-firmware.sh: mkimage not found (apt-get install u-boot-tools); no demo firmware" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make_img() { # NAME FILE
	head -c $((256 * 1024)) /dev/urandom > "$tmp/payload"
	mkimage -A mips -O linux -T firmware -C none -n "$1" -d "$tmp/payload" "$fw/$2" >/dev/null
}
make_img snom320-8.7.3.25 snom320-8.7.3.25-SIP-r.bin
make_img snom320-8.7.5.17 snom320-8.7.5.17-SIP-r.bin
make_img snom320-10.1.20.0 snom320-10.1.20.0-SIP-r.bin
make_img snom360-8.7.5.17 snom360-8.7.5.17-SIP-r.bin
# A damaged copy of a newer image: it is listed as bad-dcrc and never served.
make_img snom320-10.1.33.0 snom320-10.1.33.0-SIP-r.bin
printf 'X' | dd of="$fw/snom320-10.1.33.0-SIP-r.bin" bs=1 seek=4096 conv=notrunc 2>/dev/null
cat > "$root/../demo-firmware-hint" <<MSG
Firmware remap (a snom phone in recovery asks for snom320.bin):
    tftp 127.0.0.1 ${PORT:-6969} -m binary -c get snom320.bin /tmp/snom320.bin
    ./fwtftpd --list-firmware -s $root -f $(cd "$root/.." && pwd)/demo.conf --for 127.0.0.1
MSG
