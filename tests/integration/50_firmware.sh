#!/bin/bash
# 50_firmware.sh - firmware remap end to end: a simulated snom 3xx boot
# loader (tests/tools/snomboot: RRQ snom320.bin, octet, no options, 512-byte
# lockstep) fetches from the real server (--listen 127.0.0.1:PORT -s ROOT -L
# -f CONF, CONF with its own state-dir) and must receive exactly the image
# the policy picks: newest major by default, default-major, client rules by
# address, with a model restriction and by MAC (loopback has no neighbour
# entry, so a MAC rule cannot match there - checked explicitly; the real
# MAC case runs in two private network namespaces joined by a veth pair when
# the host allows it), exact-name-wins both ways, request names in any case
# and with leading '/', an extra "request NAME model M", retry rotation
# inside and outside its window, corrupt images (bad data CRC, bad header
# CRC, truncated) never sent and never making their major "present", the
# manifest (id=manifest, a wrong digest never served), the file-name
# fallback off and on, a directory of 40 images, --list-firmware (columns,
# exit status, --for, --for-mac, filling the verified-image cache), and
# that no request process died of a signal (a seccomp kill) anywhere.
#
# Fixtures: U-Boot images made here by the real mkimage from random payloads
# (never vendor firmware), so a byte comparison tells which image was sent;
# every expected value (file, version, major, source, rule line) comes from
# how the fixture was built or from the config line written here. The one
# log line per request is found by the client's own address and port.
# Traffic: 127.0.0.0/8, or 10.251.37.0/24 inside namespaces this script
# creates and deletes. Runtime: about 5 s (15 s while requests time out).
set -u

. "$(dirname "$0")/lib.sh"

SNOMBOOT=${SNOMBOOT:-$REPO/build/tools/snomboot}

need_binaries || { tap_done; exit; }
need timeout ss cmp stat mkimage sha256sum awk || { tap_done; exit; }
if [ ! -x "$SNOMBOOT" ]; then
	tap_fail "test tool $SNOMBOOT exists" "run: make build/tools/snomboot"
	tap_done
	exit
fi

# ---------------------------------------------------------------- fixtures
FWD=$ROOT/fw
PAY=$T/payload
mkdir -p "$FWD"

# mkimg IMAGE_NAME FILE [BYTES]: a real U-Boot image, random payload.
mkimg() {
	head -c "${3:-$((20000 + RANDOM % 5000))}" /dev/urandom >"$PAY" &&
		mkimage -A mips -O linux -T firmware -C none -n "$1" -d "$PAY" "$2" >/dev/null
}

# The base set: all intact. name -> "model version major".
declare -A META=(
	[p320-7.bin]="320 7.3.30 7"
	[p320-8a.bin]="320 8.7.3.25 8"
	[p320-8b.bin]="320 8.7.5.17 8"
	[p320-10.bin]="320 10.1.20.0 10"
	[p360-8.bin]="360 8.7.5.17 8"
	[p360-10.bin]="360 10.1.20.0 10"
	[pD785-10.bin]="D785 10.1.33.0 10"
)
fix_ok=1
for f in "${!META[@]}"; do
	read -r m v _ <<<"${META[$f]}"
	mkimg "snom$m-$v" "$FWD/$f" || fix_ok=0
done

# Corrupt images, newer than every intact one of their model.
FWBAD=$ROOT/fwbad
mkdir -p "$FWBAD"
cp "$FWD/p320-10.bin" "$FWD/p320-8b.bin" "$FWBAD/"
mkimg snom320-10.1.33.0 "$FWBAD/c320-dcrc.bin" 30000 || fix_ok=0
# One payload byte inverted: header intact, data CRC wrong.
flip_byte() { # FILE OFFSET
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the octal escape
	printf "\\$(printf %03o $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
flip_byte "$FWBAD/c320-dcrc.bin" 20000
mkimg snom320-10.2.0.0 "$FWBAD/c320-hcrc.bin" || fix_ok=0
# One byte of the name field changed ('2' -> '3'): header CRC wrong.
printf '3' | dd of="$FWBAD/c320-hcrc.bin" bs=1 seek=$((32 + 11)) conv=notrunc 2>/dev/null
mkimg snom320-10.3.0.0 "$FWBAD/c320-trunc.bin" 30000 || fix_ok=0
truncate -s $((64 + 30000 - 100)) "$FWBAD/c320-trunc.bin"

# Major 10 only corrupt, an intact major 8.
FWNONE=$ROOT/fwnone
mkdir -p "$FWNONE"
cp "$FWBAD/c320-dcrc.bin" "$FWBAD/c320-trunc.bin" "$FWD/p320-8b.bin" "$FWNONE/"
# Major 10 only damaged in the header.
FWHDR=$ROOT/fwhdr
mkdir -p "$FWHDR"
cp "$FWBAD/c320-hcrc.bin" "$FWBAD/c320-trunc.bin" "$FWD/p320-8b.bin" "$FWHDR/"

# Manifest: header-less images (random bytes) known only by the list.
FWMAN=$ROOT/fwman
mkdir -p "$FWMAN"
head -c 23456 /dev/urandom >"$FWMAN/m320-9.bin"
head -c 23457 /dev/urandom >"$FWMAN/m320-9x.bin"
head -c 100 /dev/urandom >"$T/other"
cp "$FWD/p320-8b.bin" "$FWMAN/"
{
	echo "# written by 50_firmware.sh"
	echo "model 320 version 9.1.0"
	echo "$(sha256sum <"$FWMAN/m320-9.bin" | cut -d' ' -f1)  m320-9.bin"
	echo "model 320 version 9.2.0"
	# the digest of other bytes: this file must never be served
	echo "$(sha256sum <"$T/other" | cut -d' ' -f1)  m320-9x.bin"
} >"$FWMAN/MANIFEST"
FWMAN2=$ROOT/fwman2
mkdir -p "$FWMAN2"
cp "$FWMAN/m320-9x.bin" "$FWD/p320-8b.bin" "$FWMAN2/"
grep -v 'm320-9.bin$' "$FWMAN/MANIFEST" | grep -v 'version 9.1.0' >"$FWMAN2/MANIFEST"

# File-name fallback: header-less, unlisted, vendor-style name.
FWFB=$ROOT/fwfb
FBNAME=snom320-12.0.1-SIP-r.bin
mkdir -p "$FWFB"
head -c 22222 /dev/urandom >"$FWFB/$FBNAME"
cp "$FWD/p320-10.bin" "$FWFB/"

# A site that keeps old versions: 40 images in one directory (fwscan keeps
# up to 256), the newest of them 10.1.40.0.
FWMANY=$ROOT/fwmany
mkdir -p "$FWMANY"
for ((i = 1; i < 40; i++)); do
	mkimg "snom320-8.7.$i" "$FWMANY/old$i.bin" 700 || fix_ok=0
done
mkimg snom320-10.1.40.0 "$FWMANY/new.bin" 900 || fix_ok=0

chmod -R a+rX "$ROOT"
if [ "$fix_ok" = 1 ] && [ -s "$FWD/p320-10.bin" ]; then
	tap_ok "fixtures made with mkimage"
else
	tap_fail "fixtures made with mkimage"
	tap_done
	exit
fi

# ---------------------------------------------------------------- helpers
NCONF=0
CONF=
HOST=127.0.0.1 # where serve() listens and boot() sends
# serve LINE...: a fresh server whose config is "state-dir <new dir>" and
# then the given lines (so config line N is the (N-1)th argument).
serve() {
	[ -n "$SRV_PID" ] && stop_server
	SRV_PID=
	NCONF=$((NCONF + 1))
	CONF=$T/fw$NCONF.conf
	STATE=$T/state$NCONF
	{
		echo "state-dir $STATE"
		printf '%s\n' "$@"
	} >"$CONF"
	if ! start_standalone "$HOST" -f "$CONF"; then
		tap_fail "server starts with config: $*" "$(server_diag)"
		SRV_PID=
		return 1
	fi
}

# lineof TEXT: the config line number of the line that is exactly TEXT.
lineof() { grep -nxF -- "$1" "$CONF" | head -n 1 | cut -d: -f1; }

# boot SRC NAME: one snomboot run from source address SRC. Sets OUT (its
# line without local=), RC, GOT (received file), LINE (the server's log
# line for exactly this request, waited for up to 5 s).
GOT=$T/got
OUT='' RC='' LINE=''
boot() {
	local src=$1 name=$2 raw me i
	rm -f "$GOT"
	raw=$(timeout -k 2 30 "$SNOMBOOT" -H "$HOST" -p "$SRV_PORT" -b "$src" -f "$name" \
		-o "$GOT" -w 2000 -r 2 --max-time 25000 2>&1)
	RC=$?
	OUT=${raw% local=*}
	me=${raw##* local=}
	LINE=
	[ "$me" != "$raw" ] || return 0
	for ((i = 0; i < 50; i++)); do
		LINE=$(grep -aF -- "client=$me " "$SRV_LOG" 2>/dev/null | tail -n 1)
		[ -n "$LINE" ] && return 0
		sleep 0.1
	done
}

# fields WANT...: every WANT (a substring) is in LINE; missing ones in MISS.
MISS=
fields() {
	local w
	MISS=
	for w in "$@"; do
		[[ $LINE == *"$w"* ]] || MISS+="log line lacks: $w"$'\n'
	done
}

# gets TAPNAME SRC NAME EXPECTED_FILE [LOG_SUBSTRING...]: the loader
# receives exactly EXPECTED_FILE and the log line has every substring.
gets() {
	local tn=$1 src=$2 name=$3 exp=$4 err=
	shift 4
	boot "$src" "$name"
	[ "$RC" = 0 ] || err+="snomboot: exit $RC: $OUT"$'\n'
	if [ ! -f "$GOT" ] || ! cmp -s "$exp" "$GOT"; then
		err+="received data is not $exp"
		local f
		for f in "$FWD"/* "$FWBAD"/* "$FWMAN"/* "$FWFB"/* "$ROOT"/snom320.bin; do
			[ -f "$f" ] && [ -f "$GOT" ] && cmp -s "$f" "$GOT" && err+=" (it is $f)"
		done
		err+=$'\n'
	fi
	if [ -z "$LINE" ]; then
		err+="no log line for this request; the server log ends:"$'\n'"$(tail -n 3 "$SRV_LOG")"$'\n'
	else
		fields " result=ok" "$@"
		err+=$MISS
	fi
	if [ -z "$err" ]; then tap_ok "$tn"; else tap_fail "$tn" "$err${LINE:+log: $LINE}"; fi
}

# refused TAPNAME SRC NAME CODE MESSAGE [LOG_SUBSTRING...]: ERROR CODE with
# exactly MESSAGE, no data, a refused log line.
refused() {
	local tn=$1 src=$2 name=$3 code=$4 msg=$5 err=
	shift 5
	boot "$src" "$name"
	[ "$RC" = 2 ] && [ "$OUT" = "ERROR $code $msg" ] ||
		err+="wanted 'ERROR $code $msg', snomboot: exit $RC: $OUT"$'\n'
	[ ! -s "$GOT" ] || err+="data was received ($(stat -c %s "$GOT") bytes)"$'\n'
	if [ -z "$LINE" ]; then
		err+="no log line for this request"$'\n'
	else
		fields " result=refused code=$code " "$@"
		err+=$MISS
	fi
	if [ -z "$err" ]; then tap_ok "$tn"; else tap_fail "$tn" "$err${LINE:+log: $LINE}"; fi
}

# rf FILE DIR HOW [CHECK]: the log fields of a remap that served DIR/FILE,
# one per line (version and major from how FILE was built; for mapfile).
rf() {
	local f=$1 dir=$2 how=$3 check=${4:-} m v maj
	read -r m v maj <<<"${META[$f]}"
	printf '%s\n' "path=\"$dir/$f\"" "remap=snom$m version=$v major=$maj by=$how " "id=header"
	[ -n "$check" ] && echo "check=$check"
}

# ---------------------------------------------------------------- newest, default, rules
if serve "firmware-dir fw"; then
	mapfile -t F < <(rf p320-10.bin fw newest verified)
	gets "no rules: newest major (10.1.20.0); log names image, id=header, check=verified" \
		127.0.0.1 snom320.bin "$FWD/p320-10.bin" "${F[@]}" 'file="snom320.bin"'
	mapfile -t F < <(rf p320-10.bin fw newest cached)
	gets "second fetch: same image, check=cached (verified once per change)" \
		127.0.0.1 snom320.bin "$FWD/p320-10.bin" "${F[@]}"
	mapfile -t F < <(rf p360-10.bin fw newest)
	gets "snom360.bin: newest 360 image, never a 320 one" 127.0.0.1 snom360.bin "$FWD/p360-10.bin" "${F[@]}"
	refused "snom300.bin with no 300 image: ERROR 1 naming the model" 127.0.0.1 snom300.bin 1 \
		"no valid image for snom300" "remap=snom300"
	# Request names: any case, leading '/'.
	mapfile -t F < <(rf p320-10.bin fw newest)
	gets "SNOM320.BIN (upper case) is the same request" 127.0.0.1 SNOM320.BIN "$FWD/p320-10.bin" "${F[@]}"
	gets "/snom320.bin (leading '/')" 127.0.0.1 /snom320.bin "$FWD/p320-10.bin" "${F[@]}"
	gets "//Snom320.Bin (two '/', mixed case)" 127.0.0.1 //Snom320.Bin "$FWD/p320-10.bin" "${F[@]}"
	# Not a request name unless configured: a plain lookup, which fails.
	refused "snomD785-r.bin without 'request': plain file lookup, ERROR 1" 127.0.0.1 snomD785-r.bin 1 \
		"File not found"
	stop_server
fi

if serve "firmware-dir fw" "default-major 320 7"; then
	mapfile -t F < <(rf p320-7.bin fw default)
	gets "default-major 320 7: 320 gets 7.3.30 (by=default)" 127.0.0.1 snom320.bin "$FWD/p320-7.bin" "${F[@]}"
	mapfile -t F < <(rf p360-10.bin fw newest)
	gets "default-major 320 7: 360 still gets its newest" 127.0.0.1 snom360.bin "$FWD/p360-10.bin" "${F[@]}"
	stop_server
fi

if serve "firmware-dir fw" "client 127.0.0.2 major 7"; then
	ln=$(lineof "client 127.0.0.2 major 7")
	mapfile -t F < <(rf p320-7.bin fw "client-rule:line$ln")
	gets "client 127.0.0.2 major 7: 127.0.0.2 gets 7.3.30 (by=client-rule:line$ln)" \
		127.0.0.2 snom320.bin "$FWD/p320-7.bin" "${F[@]}"
	mapfile -t F < <(rf p320-10.bin fw newest)
	gets "client 127.0.0.2 major 7: 127.0.0.1 gets the newest" 127.0.0.1 snom320.bin "$FWD/p320-10.bin" "${F[@]}"
	stop_server
fi

if serve "firmware-dir fw" "client 127.0.0.2 model 360 major 8" "client 127.0.0.0/8 major 7"; then
	l1=$(lineof "client 127.0.0.2 model 360 major 8")
	l2=$(lineof "client 127.0.0.0/8 major 7")
	mapfile -t F < <(rf p360-8.bin fw "client-rule:line$l1")
	gets "model-restricted rule: 360 from 127.0.0.2 gets 8 (line $l1)" 127.0.0.2 snom360.bin \
		"$FWD/p360-8.bin" "${F[@]}"
	mapfile -t F < <(rf p320-7.bin fw "client-rule:line$l2")
	gets "model-restricted rule skipped for 320: next rule (line $l2) gives 7" 127.0.0.2 snom320.bin \
		"$FWD/p320-7.bin" "${F[@]}"
	# 360 from 127.0.0.3: first rule is for .2 only; the /8 rule says 7, and
	# there is no 360 image of major 7.
	refused "360 from 127.0.0.3: the /8 rule's major 7 has no 360 image: ERROR 1 naming it" \
		127.0.0.3 snom360.bin 1 "no valid image for snom360 major 7" "major=7 by=client-rule"
	stop_server
fi

# IPv6: a client rule for ::1, the server on [::1]:PORT.
HOST=::1
if serve "firmware-dir fw" "client ::1 major 8"; then
	ln=$(lineof "client ::1 major 8")
	mapfile -t F < <(rf p320-8b.bin fw "client-rule:line$ln")
	gets "IPv6: client ::1 major 8 gives ::1 the newest 8 (8.7.5.17)" ::1 snom320.bin "$FWD/p320-8b.bin" \
		"${F[@]}" "client=[::1]:"
	stop_server
fi
HOST=127.0.0.1

# No usable state dir: still served (verified on every request), no
# rotation - the server says so in its log.
if serve "firmware-dir fw" "rotate-on-retry 60" "state-dir /proc/fwtftpd-no-such-dir"; then
	mapfile -t F < <(rf p320-10.bin fw newest verified)
	gets "state dir unusable: served, check=verified" 127.0.0.1 snom320.bin "$FWD/p320-10.bin" "${F[@]}"
	gets "state dir unusable: a retry is verified again and not rotated" 127.0.0.1 snom320.bin \
		"$FWD/p320-10.bin" "${F[@]}"
	if grep -aq "state dir /proc/fwtftpd-no-such-dir: .*rotate-on-retry is off" "$SRV_LOG"; then
		tap_ok "state dir unusable: the log says verification is per request and rotation off"
	else
		tap_fail "state dir unusable: the log says verification is per request and rotation off" \
			"$(tail -n 4 "$SRV_LOG")"
	fi
	stop_server
fi

# ---------------------------------------------------------------- MAC rules on loopback
# The kernel keeps no neighbour entry for loopback, so the server cannot
# know a loopback client's MAC: a MAC rule never matches there, the next
# rule or the default decides. (--list-firmware --for-mac shows what the
# rule would give.)
MAC=02:00:5e:10:00:02
if grep -qE "^127\.0\.0\.1 " /proc/net/arp; then
	tap_fail "precondition: no neighbour entry for 127.0.0.1" "$(cat /proc/net/arp)"
fi
if serve "firmware-dir fw" "client $MAC major 7" "default-major 320 8"; then
	mapfile -t F < <(rf p320-8b.bin fw default)
	gets "MAC rule over loopback: MAC unknown, rule skipped, default 8 (8.7.5.17)" \
		127.0.0.1 snom320.bin "$FWD/p320-8b.bin" "${F[@]}"
	lst=$(timeout 30 "$FWTFTPD" --list-firmware -s "$ROOT" -f "$CONF" --for-mac "$MAC" 2>/dev/null)
	ln=$(lineof "client $MAC major 7")
	if grep -qE "^  snom320\.bin +-> fw/p320-7\.bin \(version 7\.3\.30, major 7 by client-rule," <<<"$lst"; then
		tap_ok "--list-firmware --for-mac $MAC: the MAC rule's choice (fw/p320-7.bin)"
	else
		tap_fail "--list-firmware --for-mac $MAC: the MAC rule's choice (fw/p320-7.bin)" "$lst"
	fi
	stop_server
fi

# ---------------------------------------------------------------- exact name, extra request name
printf 'a real file called snom320.bin\n' >"$ROOT/snom320.bin"
head -c 3000 /dev/urandom >>"$ROOT/snom320.bin"
chmod 0644 "$ROOT/snom320.bin"
if serve "firmware-dir fw"; then
	boot 127.0.0.1 snom320.bin
	if [ "$RC" = 0 ] && cmp -s "$ROOT/snom320.bin" "$GOT" && [[ $LINE == *' path="snom320.bin" '* ]] &&
		[[ $LINE != *remap=* ]]; then
		tap_ok "exact-name-wins (default): the real snom320.bin is served, no remap"
	else
		tap_fail "exact-name-wins (default): the real snom320.bin is served, no remap" "exit $RC: $OUT"$'\n'"log: $LINE"
	fi
	mapfile -t F < <(rf p320-10.bin fw newest)
	# Path names are case-sensitive: SNOM320.BIN is no file, so the remap.
	gets "exact-name-wins: SNOM320.BIN has no exact file, remapped" 127.0.0.1 SNOM320.BIN \
		"$FWD/p320-10.bin" "${F[@]}"
	stop_server
fi
if serve "firmware-dir fw" "exact-name-wins no"; then
	mapfile -t F < <(rf p320-10.bin fw newest)
	gets "exact-name-wins no: the remap wins over the real snom320.bin" 127.0.0.1 snom320.bin \
		"$FWD/p320-10.bin" "${F[@]}"
	stop_server
fi
rm -f "$ROOT/snom320.bin"

if serve "firmware-dir fw" "request snomD785-r.bin model D785"; then
	mapfile -t F < <(rf pD785-10.bin fw newest)
	gets "request snomD785-r.bin model D785: the D785 image" 127.0.0.1 snomD785-r.bin \
		"$FWD/pD785-10.bin" "${F[@]}"
	gets "request names compare case-insensitively: SNOMd785-R.BIN" 127.0.0.1 SNOMd785-R.BIN \
		"$FWD/pD785-10.bin" "${F[@]}"
	stop_server
fi

# ---------------------------------------------------------------- rotation
# 320 majors present: 7, 8, 10. A retry within the window gets the next
# major after the one served last, wrapping: 10 -> 7 -> 8 -> 10.
if serve "firmware-dir fw" "rotate-on-retry 60"; then
	mapfile -t F < <(rf p320-10.bin fw newest)
	gets "rotation: first fetch, newest major 10" 127.0.0.1 snom320.bin "$FWD/p320-10.bin" "${F[@]}"
	mapfile -t F < <(rf p320-7.bin fw rotation)
	gets "rotation: retry within 60 s, next major wraps to 7" 127.0.0.1 snom320.bin "$FWD/p320-7.bin" "${F[@]}"
	mapfile -t F < <(rf p320-8b.bin fw rotation)
	gets "rotation: next retry, newest image of major 8 (8.7.5.17)" 127.0.0.1 snom320.bin \
		"$FWD/p320-8b.bin" "${F[@]}"
	mapfile -t F < <(rf p320-10.bin fw rotation)
	gets "rotation: next retry, back to 10" 127.0.0.1 snom320.bin "$FWD/p320-10.bin" "${F[@]}"
	mapfile -t F < <(rf p320-10.bin fw newest)
	gets "rotation: another client (127.0.0.2) is not rotated" 127.0.0.2 snom320.bin \
		"$FWD/p320-10.bin" "${F[@]}"
	mapfile -t F < <(rf p360-10.bin fw newest)
	gets "rotation: another model from the same client is not rotated" 127.0.0.1 snom360.bin \
		"$FWD/p360-10.bin" "${F[@]}"
	mapfile -t F < <(rf p320-10.bin fw newest)
	gets "rotation: 320 after a 360 transfer is no retry (newest)" 127.0.0.1 snom320.bin \
		"$FWD/p320-10.bin" "${F[@]}"
	stop_server
fi
# A 2 s window: an immediate retry rotates, one 3 s later does not.
if serve "firmware-dir fw" "rotate-on-retry 2"; then
	mapfile -t F < <(rf p320-10.bin fw newest)
	gets "rotate-on-retry 2: first fetch, newest" 127.0.0.1 snom320.bin "$FWD/p320-10.bin" "${F[@]}"
	mapfile -t F < <(rf p320-7.bin fw rotation)
	gets "rotate-on-retry 2: immediate retry rotates" 127.0.0.1 snom320.bin "$FWD/p320-7.bin" "${F[@]}"
	sleep 3
	mapfile -t F < <(rf p320-10.bin fw newest)
	gets "rotate-on-retry 2: retry after 3 s is outside the window, newest again" 127.0.0.1 snom320.bin \
		"$FWD/p320-10.bin" "${F[@]}"
	stop_server
fi
if serve "firmware-dir fw" "rotate-on-retry 0"; then
	mapfile -t F < <(rf p320-10.bin fw newest)
	gets "rotate-on-retry 0: first fetch" 127.0.0.1 snom320.bin "$FWD/p320-10.bin" "${F[@]}"
	gets "rotate-on-retry 0: a retry is not rotated" 127.0.0.1 snom320.bin "$FWD/p320-10.bin" "${F[@]}"
	stop_server
fi

# ---------------------------------------------------------------- corrupt images
if serve "firmware-dir fwbad"; then
	mapfile -t F < <(rf p320-10.bin fwbad newest verified)
	gets "corrupt 10.1.33.0 (data CRC), 10.2.0.0 (header CRC), 10.3.0.0 (truncated): 10.1.20.0 is sent" \
		127.0.0.1 snom320.bin "$FWBAD/p320-10.bin" "${F[@]}"
	if grep -aqF "image fwbad/c320-dcrc.bin: bad-dcrc, never served" "$SRV_LOG"; then
		tap_ok "the data-CRC failure is logged"
	else
		tap_fail "the data-CRC failure is logged" "$(tail -n 5 "$SRV_LOG")"
	fi
	mapfile -t F < <(rf p320-10.bin fwbad newest cached)
	gets "corrupt images: second fetch (failure cached), still 10.1.20.0" 127.0.0.1 snom320.bin \
		"$FWBAD/p320-10.bin" "${F[@]}"
	stop_server
fi
if serve "firmware-dir fwnone" "default-major 320 10"; then
	refused "no intact image of major 10: ERROR 1 'no valid image for snom320 major 10'" \
		127.0.0.1 snom320.bin 1 "no valid image for snom320 major 10" "remap=snom320 major=10 by=default"
	stop_server
fi
# Whether a major is "present" must not depend on which byte of its only
# image is damaged: damaged in the header (found by the scan) ...
if serve "firmware-dir fwhdr"; then
	mapfile -t F < <(rf p320-8b.bin fwhdr newest verified)
	gets "only damaged-header/truncated images of major 10: the newest intact major (8) is sent" \
		127.0.0.1 snom320.bin "$FWHDR/p320-8b.bin" "${F[@]}"
	stop_server
fi
# ... or in the data (found only when verified).
if serve "firmware-dir fwnone"; then
	mapfile -t F < <(rf p320-8b.bin fwnone newest verified)
	gets "only a bad-data-CRC image of major 10: the newest intact major (8) is sent" \
		127.0.0.1 snom320.bin "$FWNONE/p320-8b.bin" "${F[@]}"
	stop_server
fi

# ---------------------------------------------------------------- manifest
if serve "firmware-dir fwman" "manifest fwman/MANIFEST"; then
	gets "manifest: header-less image listed with its sha256 is served (id=manifest)" \
		127.0.0.1 snom320.bin "$FWMAN/m320-9.bin" 'path="fwman/m320-9.bin"' \
		"remap=snom320 version=9.1.0 major=9 by=newest id=manifest check=verified"
	if grep -aqF "image fwman/m320-9x.bin: bad-digest, never served" "$SRV_LOG"; then
		tap_ok "manifest: the newer image with a wrong digest is never served (logged bad-digest)"
	else
		tap_fail "manifest: the newer image with a wrong digest is never served (logged bad-digest)" \
			"$(tail -n 5 "$SRV_LOG")"
	fi
	stop_server
fi
if serve "firmware-dir fwman2" "manifest fwman2/MANIFEST" "default-major 320 9"; then
	refused "manifest: only a wrong-digest image of major 9: ERROR 1" 127.0.0.1 snom320.bin 1 \
		"no valid image for snom320 major 9"
	stop_server
fi

# ---------------------------------------------------------------- file-name fallback
if serve "firmware-dir fwfb"; then
	mapfile -t F < <(rf p320-10.bin fwfb newest)
	gets "filename fallback off (default): $FBNAME is no image, newest is 10" 127.0.0.1 snom320.bin \
		"$FWFB/p320-10.bin" "${F[@]}"
	stop_server
fi
if serve "firmware-dir fwfb" "default-major 320 12"; then
	refused "filename fallback off: major 12 known only by file name: ERROR 1" 127.0.0.1 snom320.bin 1 \
		"no valid image for snom320 major 12"
	stop_server
fi
if serve "firmware-dir fwfb" "filename-fallback yes"; then
	gets "filename-fallback yes: $FBNAME served, logged check=unverified" 127.0.0.1 snom320.bin \
		"$FWFB/$FBNAME" "path=\"fwfb/$FBNAME\"" "remap=snom320 version=12.0.1 major=12 by=newest" \
		"check=unverified"
	stop_server
fi

# ---------------------------------------------------------------- a larger directory
if serve "firmware-dir fwmany"; then
	gets "a firmware directory of 40 images: the newest (10.1.40.0) is served" 127.0.0.1 snom320.bin \
		"$FWMANY/new.bin" 'path="fwmany/new.bin"' "remap=snom320 version=10.1.40.0 major=10 by=newest"
	stop_server
fi

# ---------------------------------------------------------------- --list-firmware
# list_fw CONF_LINES...: runs --list-firmware with a config of these lines
# (and a fresh state dir); LST is stdout, LRC the exit status.
LST='' LRC=''
list_fw() {
	local extra=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		extra+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	NCONF=$((NCONF + 1))
	CONF=$T/fw$NCONF.conf
	{
		echo "state-dir $T/state$NCONF"
		printf '%s\n' "${extra[@]}"
	} >"$CONF"
	LST=$(timeout 30 "$FWTFTPD" --list-firmware -s "$ROOT" -f "$CONF" "$@" 2>"$T/list.err")
	LRC=$?
}

# row FILE: the table row of FILE as "MODEL VERSION MAJOR SOURCE CHECK".
row() { awk -v f="$1" '$1 == f { print $2, $3, $4, $5, $6 }' <<<"$LST"; }

list_fw "firmware-dir fw"
err=
[ "$LRC" = 0 ] || err+="exit $LRC, wanted 0"$'\n'
hdr=$(grep -E '^FILE ' <<<"$LST" | tr -s ' ')
[ "$hdr" = "FILE MODEL VERSION MAJOR SOURCE CHECK" ] || err+="header line: '$hdr'"$'\n'
for f in "${!META[@]}"; do
	read -r m v maj <<<"${META[$f]}"
	got=$(row "$f")
	[ "$got" = "$m $v $maj header ok" ] || err+="$f: '$got', wanted '$m $v $maj header ok'"$'\n'
done
if [ -z "$err" ]; then
	tap_ok "--list-firmware, all intact: exit 0, one row per image (model, version, major, header, ok)"
else
	tap_fail "--list-firmware, all intact" "$err$LST"
fi

list_fw "firmware-dir fwbad"
err=
[ "$LRC" = 1 ] || err+="exit $LRC, wanted 1"$'\n'
[ "$(row c320-dcrc.bin)" = "320 10.1.33.0 10 header bad-dcrc" ] || err+="c320-dcrc.bin: '$(row c320-dcrc.bin)'"$'\n'
[ "$(row c320-hcrc.bin)" = "- - - - bad-hcrc" ] || err+="c320-hcrc.bin: '$(row c320-hcrc.bin)'"$'\n'
[ "$(row c320-trunc.bin)" = "- - - - truncated" ] || err+="c320-trunc.bin: '$(row c320-trunc.bin)'"$'\n'
[ "$(row p320-10.bin)" = "320 10.1.20.0 10 header ok" ] || err+="p320-10.bin: '$(row p320-10.bin)'"$'\n'
if [ -z "$err" ]; then
	tap_ok "--list-firmware with corrupt images: exit 1; bad-dcrc, bad-hcrc, truncated listed"
else
	tap_fail "--list-firmware with corrupt images" "$err$LST"
fi

list_fw "firmware-dir fwman" "manifest fwman/MANIFEST"
err=
[ "$LRC" = 1 ] || err+="exit $LRC, wanted 1 (a wrong digest)"$'\n'
[ "$(row m320-9.bin)" = "320 9.1.0 9 manifest ok" ] || err+="m320-9.bin: '$(row m320-9.bin)'"$'\n'
[ "$(row m320-9x.bin)" = "320 9.2.0 9 manifest bad-digest" ] || err+="m320-9x.bin: '$(row m320-9x.bin)'"$'\n'
[ -z "$(row MANIFEST)" ] || err+="the manifest itself is listed as a file"$'\n'
if [ -z "$err" ]; then
	tap_ok "--list-firmware with a manifest: manifest ok / bad-digest rows, manifest not an image"
else
	tap_fail "--list-firmware with a manifest" "$err$LST"
fi

list_fw "firmware-dir fw" "client 127.0.0.2 major 7" -- --for 127.0.0.2
ln=$(lineof "client 127.0.0.2 major 7")
if [ "$LRC" = 0 ] && grep -q '^requests from 127.0.0.2:' <<<"$LST" &&
	grep -qE '^  snom320\.bin +-> fw/p320-7\.bin \(version 7\.3\.30, major 7 by client-rule, header, (verified|cached)\)$' <<<"$LST" &&
	grep -qE '^  snom360\.bin +-> ERROR "no valid image for snom360 major 7"' <<<"$LST"; then
	tap_ok "--list-firmware --for 127.0.0.2: the rule's choice per request name"
else
	tap_fail "--list-firmware --for 127.0.0.2: the rule's choice per request name" "exit $LRC"$'\n'"$LST"
fi
list_fw "firmware-dir fw" "client 127.0.0.2 major 7" -- --for 127.0.0.1
if grep -qE '^  snom320\.bin +-> fw/p320-10\.bin \(version 10\.1\.20\.0, major 10 by newest, header, ' <<<"$LST"; then
	tap_ok "--list-firmware --for 127.0.0.1: newest (the rule is for .2)"
else
	tap_fail "--list-firmware --for 127.0.0.1: newest (the rule is for .2)" "$LST"
fi

# --list-firmware reads every image and fills the verified-image cache of
# the configured state dir: a server with that config then has it cached.
list_fw "firmware-dir fw"
LCONF=$CONF
if [ "$LRC" = 0 ]; then
	[ -n "$SRV_PID" ] && stop_server
	SRV_PID=
	if start_standalone 127.0.0.1 -f "$LCONF"; then
		mapfile -t F < <(rf p320-10.bin fw newest cached)
		gets "after --list-firmware the server's first fetch is check=cached" 127.0.0.1 snom320.bin \
			"$FWD/p320-10.bin" "${F[@]}"
		stop_server
	else
		tap_fail "server starts with the --list-firmware config" "$(server_diag)"
	fi
else
	tap_fail "--list-firmware (for the cache check) exits 0" "$LST"
fi

# ---------------------------------------------------------------- MAC rule with a real neighbour entry
# Two namespaces joined by a veth pair: the server in one (10.251.37.1),
# the loader in the other (10.251.37.2, a chosen MAC). The loader's ARP
# request gives the server's kernel a real neighbour entry, which the
# server reads before its sandbox closes. Needs root and netns support;
# if the namespaces cannot be made, this part does not run (no result).
NS_S=fwt50s$$
NS_C=fwt50c$$
VETH_S=fwt50a$$
VETH_C=fwt50b$$
NS_MADE=
NS_PID=
ns_cleanup() {
	if [ -n "$NS_PID" ]; then
		stop_pid "$NS_PID" >/dev/null 2>&1
		NS_PID=
	fi
	if [ -n "$NS_MADE" ]; then
		timeout 10 ip netns del "$NS_S" 2>/dev/null
		timeout 10 ip netns del "$NS_C" 2>/dev/null
		NS_MADE=
	fi
}
trap 'ns_cleanup; lib_cleanup' EXIT

ns_setup() {
	command -v ip >/dev/null || return 1
	[ "$(id -u)" = 0 ] || return 1
	timeout 10 ip netns add "$NS_S" || return 1
	NS_MADE=1
	timeout 10 ip netns add "$NS_C" &&
		timeout 10 ip link add "$VETH_S" type veth peer name "$VETH_C" &&
		timeout 10 ip link set "$VETH_S" netns "$NS_S" &&
		timeout 10 ip link set "$VETH_C" netns "$NS_C" &&
		timeout 10 ip -n "$NS_S" addr add 10.251.37.1/24 dev "$VETH_S" &&
		timeout 10 ip -n "$NS_C" addr add 10.251.37.2/24 dev "$VETH_C" &&
		timeout 10 ip -n "$NS_C" link set "$VETH_C" address "$MAC" &&
		timeout 10 ip -n "$NS_S" link set lo up &&
		timeout 10 ip -n "$NS_S" link set "$VETH_S" up &&
		timeout 10 ip -n "$NS_C" link set "$VETH_C" up
}

# ns_boot: the loader in the client namespace; sets OUT, RC, GOT, LINE.
ns_boot() {
	local raw me i
	rm -f "$GOT"
	raw=$(timeout -k 2 30 ip netns exec "$NS_C" "$SNOMBOOT" -H 10.251.37.1 -p 6969 -b 10.251.37.2 \
		-f snom320.bin -o "$GOT" -w 2000 -r 2 --max-time 25000 2>&1)
	RC=$?
	OUT=${raw% local=*}
	me=${raw##* local=}
	LINE=
	[ "$me" != "$raw" ] || return 0
	for ((i = 0; i < 50; i++)); do
		LINE=$(grep -aF -- "client=$me " "$T/netns.log" 2>/dev/null | tail -n 1)
		[ -n "$LINE" ] && return 0
		sleep 0.1
	done
}

ns_check() { # TAPNAME EXPECTED_FILE LOG_SUBSTRING...
	local tn=$1 exp=$2 err=
	shift 2
	ns_boot
	[ "$RC" = 0 ] || err+="snomboot: exit $RC: $OUT"$'\n'
	cmp -s "$exp" "$GOT" 2>/dev/null || err+="received data is not $exp"$'\n'
	fields " result=ok" "$@"
	[ -n "$LINE" ] || MISS="no log line"$'\n'
	err+=$MISS
	if [ -z "$err" ]; then tap_ok "$tn"; else tap_fail "$tn" "$err${LINE:+log: $LINE}"$'\n'"$(tail -n 3 "$T/netns.log")"; fi
}

if ns_setup 2>"$T/netns-setup.err"; then
	NCONF=$((NCONF + 1))
	CONF=$T/fw$NCONF.conf
	{
		echo "state-dir $T/state$NCONF"
		echo "firmware-dir fw"
		echo "client $MAC major 7"
		echo "client 10.251.37.0/24 major 8"
	} >"$CONF"
	lmac=$(lineof "client $MAC major 7")
	lnet=$(lineof "client 10.251.37.0/24 major 8")
	ip netns exec "$NS_S" "$FWTFTPD" --listen 10.251.37.1:6969 -s "$ROOT" -L -f "$CONF" \
		</dev/null >>"$T/netns.log" 2>&1 &
	NS_PID=$!
	SRV_PIDS+=("$NS_PID")
	up=
	for ((i = 0; i < 50; i++)); do
		proc_alive "$NS_PID" || break
		if [ -n "$(timeout 5 ip netns exec "$NS_S" ss -Hlun 'sport = :6969' 2>/dev/null)" ]; then
			up=1
			break
		fi
		sleep 0.1
	done
	if [ -n "$up" ]; then
		mapfile -t F < <(rf p320-7.bin fw "client-rule:line$lmac")
		ns_check "netns, real neighbour entry: the MAC rule (line $lmac) wins over the later CIDR rule" \
			"$FWD/p320-7.bin" "${F[@]}"
		if timeout 5 ip netns exec "$NS_S" cat /proc/net/arp | grep -qiE "^10\.251\.37\.2 .* $MAC "; then
			tap_ok "netns: the server side has a neighbour entry 10.251.37.2 -> $MAC"
		else
			tap_fail "netns: the server side has a neighbour entry 10.251.37.2 -> $MAC" \
				"$(timeout 5 ip netns exec "$NS_S" cat /proc/net/arp)"
		fi
		# Another MAC on the same address: forget both sides' entries so
		# the next ARP exchange teaches the server the new one.
		timeout 10 ip -n "$NS_C" link set "$VETH_C" address 02:00:5e:10:00:03 &&
			timeout 10 ip -n "$NS_C" neigh flush dev "$VETH_C" &&
			timeout 10 ip -n "$NS_S" neigh flush dev "$VETH_S"
		mapfile -t F < <(rf p320-8b.bin fw "client-rule:line$lnet")
		ns_check "netns: another MAC, the MAC rule is skipped, the CIDR rule (line $lnet) decides" \
			"$FWD/p320-8b.bin" "${F[@]}"
	else
		tap_fail "server starts inside the network namespace" "$(tail -n 5 "$T/netns.log")"
	fi
	ns_cleanup
else
	tap_note "MAC rule with a real neighbour entry not run: network namespaces unavailable" \
		"$(head -n 3 "$T/netns-setup.err")"
	ns_cleanup
fi

# No request process of any server above died of a signal (a sandbox kill
# shows up as "killed by signal 31").
if grep -aq 'killed by signal' "$T"/*.log 2>/dev/null; then
	tap_fail "no request process was killed by a signal in any case above" \
		"$(grep -ah 'killed by signal' "$T"/*.log | sort | uniq -c | head -n 5)"
else
	tap_ok "no request process was killed by a signal in any case above"
fi

tap_done
