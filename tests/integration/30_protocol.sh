#!/bin/bash
# 30_protocol.sh - wire-level protocol checks of fwtftpd, standalone
# (--listen 127.0.0.1:PORT -t 1 -R 3, log on stderr), driven by
# tests/tools/tftpprobe, a raw client that shares no code with the server and
# validates every datagram it gets (source port, block numbers, sizes, OACK
# contents, netascii, tsize).
#
# One TAP line per protocol rule from notes/common.md ("Protocol decisions").
# Expected values are derived here from the fixtures (sizes via stat, block
# counts by arithmetic), never pasted from a server run.
# Traffic: 127.0.0.1 only. Runtime: about 30 s, most of it in the timeout
# checks (-t 1 -R 3).
set -u

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proto_lib.sh"

need_binaries || { tap_done; exit; }
need_probe || { tap_done; exit; }
need timeout od cmp mkfifo stat || { tap_done; exit; }

RETRIES=3 # -R, used in the expectations below
SRV_ARGS=(-t 1 -R "$RETRIES")

# ---------------------------------------------------------------- fixtures
# Own small fixtures (lib.sh's setup_fixtures would generate 96 MiB we do not
# need); make_text from lib.sh gives the netascii fixture with CR/LF pairs
# that straddle block boundaries.
chmod 0755 "$ROOT"
head -c 1300 /dev/urandom >"$ROOT/known.bin"      # 512+512+276
head -c 100000 /dev/urandom >"$ROOT/window.bin"   # 196 blocks of 512
head -c $((33 * 1024 * 1024)) /dev/urandom >"$ROOT/roll33.bin"
make_text "$ROOT/text.txt" "$ROOT/text1024.txt"
# A netascii source spanning many windows: LF, CR LF and bare CR line ends.
awk 'BEGIN { for (i = 0; i < 20000; i++) {
	printf "line %d of the long text", i
	printf (i % 3 == 0 ? "\r\n" : (i % 3 == 1 ? "\n" : "\r")) } }' >"$ROOT/long.txt"
mkdir "$ROOT/sub"
head -c 10 /dev/urandom >"$ROOT/sub/inner.bin"
mkfifo "$ROOT/fifo"
# Files whose names the server must refuse: they exist, so a refusal is the
# name rule at work and not "file not found".
for n in $'ctl\x01.bin' $'del\x7f.bin' $'nl\n.bin'; do
	printf 'secret\n' >"$ROOT/$n"
done
# Outside the root: a server that resolved "../x" would serve it.
printf 'outside\n' >"$T/x"
ln -s "$T/x" "$ROOT/outlink"
FFNAME=$'f\xffe.bin'
head -c 700 /dev/urandom >"$ROOT/$FFNAME"
chmod 0644 "$ROOT"/*.bin "$ROOT"/*.txt "$ROOT/sub/inner.bin" "$ROOT/$FFNAME" "$T/x"

size_of() { stat -c %s -- "$1"; }
KNOWN_SIZE=$(size_of "$ROOT/known.bin")
WIN_SIZE=$(size_of "$ROOT/window.bin")
ROLL_SIZE=$(size_of "$ROOT/roll33.bin")
# blocks SIZE BLKSIZE: DATA blocks of a transfer (the last one is short,
# possibly empty).
blocks() { echo $(($1 / $2 + 1)); }

# ---------------------------------------------------------------- servers
start_server() {
	if ! start_standalone 127.0.0.1 "$@"; then
		tap_fail "fwtftpd --listen 127.0.0.1 $* starts" "$(server_diag)"
		return 1
	fi
}
start_server "${SRV_ARGS[@]}" || { tap_done; exit; }
P=$SRV_PORT MAIN_PID=$SRV_PID
start_server "${SRV_ARGS[@]}" -B 1024 || { tap_done; exit; }
PB=$SRV_PORT PB_PID=$SRV_PID
start_server "${SRV_ARGS[@]}" -r blksize || { tap_done; exit; }
PR=$SRV_PORT PR_PID=$SRV_PID
tap_note "servers on 127.0.0.1 ports $P (main), $PB (-B 1024), $PR (-r blksize); log $SRV_LOG"

GOT=$T/got

# ---------------------------------------------------------------- requests
reply_check "WRQ -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 2 known.bin octet)"

# Each wrong opcode is sent in a shape that would be valid for it.
reply_check "opcode 0 first -> ERROR 4" "$P" 'ERROR 4 *' "$(req_hex 0 known.bin octet)"
reply_check "opcode 3 (DATA) first -> ERROR 4" "$P" 'ERROR 4 *' "0003000168656c6c6f"
reply_check "opcode 4 (ACK) first -> ERROR 4" "$P" 'ERROR 4 *' "00040001"
reply_check "opcode 5 (ERROR) first -> ERROR 4" "$P" 'ERROR 4 *' "$(req_hex 5)0000$(printf 'x\0' | hex_of)"
reply_check "opcode 6 (OACK) first -> ERROR 4" "$P" 'ERROR 4 *' "$(req_hex 6 blksize 512)"
reply_check "opcode 7 first -> ERROR 4" "$P" 'ERROR 4 *' "$(req_hex 7 known.bin octet)"

# Too short. notes/common.md: 0-3 bytes -> ERROR 4, the empty datagram
# included (a UDP datagram of 0 bytes is delivered as such).
reply_check "0-byte datagram -> ERROR 4" "$P" 'ERROR 4 *' ""
reply_check "1-byte datagram -> ERROR 4" "$P" 'ERROR 4 *' "00"
reply_check "2-byte datagram (bare RRQ opcode) -> ERROR 4" "$P" 'ERROR 4 *' "0001"
reply_check "3-byte datagram -> ERROR 4" "$P" 'ERROR 4 *' "000100"

reply_check "RRQ name without NUL -> ERROR 4" "$P" 'ERROR 4 *' \
	"0001$(printf 'known.bin' | hex_of)"
reply_check "RRQ mode without NUL -> ERROR 4" "$P" 'ERROR 4 *' \
	"0001$(printf 'known.bin\0octet' | hex_of)"
reply_check "RRQ option value without NUL -> ERROR 4" "$P" 'ERROR 4 *' \
	"$(req_hex 1 known.bin octet blksize)$(printf 1024 | hex_of)"

reply_check "mode mail -> ERROR 4" "$P" 'ERROR 4 *' "$(req_hex 1 known.bin mail)"
reply_check "unknown mode 'binary' -> ERROR 4" "$P" 'ERROR 4 *' "$(req_hex 1 known.bin binary)"

chk_begin
probe "$P" get known.bin -m OcTeT -O "$GOT"
chk_rc 0
chk_out "bytes=$KNOWN_SIZE" "blocks=$(blocks "$KNOWN_SIZE" 512)" oack=-
chk_same "$ROOT/known.bin" "$GOT"
verdict "mode OcTeT (mixed case) transfers the file"

reply_check "missing file -> ERROR 1" "$P" 'ERROR 1 *' "$(req_hex 1 no-such-file octet)"
reply_check "leading slashes stripped: //known.bin is served" "$P" 'DATA 1 512' \
	"$(req_hex 1 //known.bin octet)"

# ---------------------------------------------------------------- names
# notes/common.md lists the empty name with the path rules (ERROR 2); the
# 3-byte datagram above is the "too short" case, this one is a full RRQ.
reply_check "empty file name in a complete RRQ -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 1 '' octet)"
reply_check "name ../x -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 1 ../x octet)"
reply_check "name sub/../../x -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 1 sub/../../x octet)"
reply_check "name with 0x01 -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 1 $'ctl\x01.bin' octet)"
reply_check "name with 0x7f -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 1 $'del\x7f.bin' octet)"
reply_check "name with LF -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 1 $'nl\n.bin' octet)"
LONG4000=$(printf '%04000d' 0 | tr 0 a)
reply_check "4000-byte name -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 1 "$LONG4000" octet)"
# The limit itself (1023 bytes): a 1023-byte name passes the name rule and is
# simply not there; one byte more is refused.
LONG1023=$(printf '%01023d' 0 | tr 0 a | sed 's/a\{200\}/&\//g')
LONG1023=${LONG1023:0:1023}
reply_check "1023-byte name is not refused as too long (-> ERROR 1)" "$P" 'ERROR 1 *' \
	"$(req_hex 1 "$LONG1023" octet)"
reply_check "1024-byte name -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 1 "${LONG1023}a" octet)"
reply_check "directory -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 1 sub octet)"
reply_check "symlink out of the root -> ERROR 2" "$P" 'ERROR 2 *' "$(req_hex 1 outlink octet)"

chk_begin
probe "$P" send-hex "$(req_hex 1 fifo octet)" --time --abort -w 5000
chk_rc 0
chk_line 'ERROR 2 *'
ms=$(sed -n 's/^TIME ms=//p' <<<"$PROBE_OUT")
if [ -z "$ms" ] || [ "$ms" -ge 2000 ]; then
	chk_err "reply after ${ms:-?} ms, wanted under 2000"
fi
verdict "FIFO -> ERROR 2 promptly (${ms:-?} ms)"

# ---------------------------------------------------------------- options
chk_begin
probe "$P" get known.bin -o blksize=7
chk_rc 2
chk_line 'ERROR 8 *'
verdict "blksize 7 -> ERROR 8"

chk_begin
probe "$P" get known.bin -o blksize=8 -O "$GOT"
chk_rc 0
chk_out oack=blksize=8 blksize=8 "blocks=$(blocks "$KNOWN_SIZE" 8)" dups=0
chk_same "$ROOT/known.bin" "$GOT"
verdict "blksize 8 transfer works"

chk_begin
probe "$P" get window.bin -o blksize=70000 -O "$GOT"
chk_rc 0
chk_out oack=blksize=65464 blksize=65464 "blocks=$(blocks "$WIN_SIZE" 65464)"
chk_same "$ROOT/window.bin" "$GOT"
verdict "blksize 70000 -> OACK blksize=65464, transfer works"

chk_begin
probe "$PB" get window.bin -o blksize=4096 -O "$GOT"
chk_rc 0
chk_out oack=blksize=1024 blksize=1024 "blocks=$(blocks "$WIN_SIZE" 1024)"
chk_same "$ROOT/window.bin" "$GOT"
verdict "-B 1024: blksize 4096 clamped to 1024"

chk_begin
probe "$P" get known.bin -o tsize=0
chk_rc 0
chk_out "oack=tsize=$KNOWN_SIZE" "bytes=$KNOWN_SIZE"
verdict "tsize 0 -> OACK tsize=<exact size> ($KNOWN_SIZE)"

TEXT_NA=$(netascii_size "$ROOT/text.txt")
chk_begin
probe "$P" get text.txt -m netascii -o tsize=0 --decode -O "$GOT"
chk_rc 0
chk_out "oack=tsize=$TEXT_NA" "bytes=$TEXT_NA" "decoded=$(size_of "$ROOT/text.txt")"
chk_same "$ROOT/text.txt" "$GOT"
verdict "netascii tsize = translated size ($TEXT_NA) = bytes received"

for v in 0 256; do
	chk_begin
	probe "$P" get known.bin -o timeout="$v" -O "$GOT"
	chk_rc 0
	chk_out oack=- "bytes=$KNOWN_SIZE"
	verdict "timeout $v ignored (no OACK)"
done
chk_begin
probe "$P" get known.bin -o timeout=5
chk_rc 0
chk_out oack=timeout=5 "bytes=$KNOWN_SIZE"
verdict "timeout 5 echoed"

chk_begin
probe "$P" get window.bin -o windowsize=100 -O "$GOT"
chk_rc 0
chk_out oack=windowsize=64 window=64 dups=0 ooo=0
chk_same "$ROOT/window.bin" "$GOT"
verdict "windowsize 100 -> 64 (default -W), transfer works"

# Windows whose data span exceeds the server's 64 KiB read chunk: every
# block of every window must carry its own data (compared byte for byte).
for bw in "8192 16" "65464 64"; do
	read -r bs ws <<<"$bw"
	chk_begin
	probe "$P" get roll33.bin -o blksize="$bs" -o windowsize="$ws" -O "$GOT"
	chk_rc 0
	chk_out "oack=blksize=$bs,windowsize=$ws" "bytes=$ROLL_SIZE" dups=0
	chk_same "$ROOT/roll33.bin" "$GOT"
	verdict "blksize $bs windowsize $ws, 33 MiB: data identical"
done
rm -f "$GOT"

LONG_NA=$(netascii_size "$ROOT/long.txt")
chk_begin
probe "$P" get long.txt -m netascii -o tsize=0 -o windowsize=64 --decode -O "$GOT"
chk_rc 0
chk_out "bytes=$LONG_NA" "decoded=$(size_of "$ROOT/long.txt")" window=64
chk_same "$ROOT/long.txt" "$GOT"
verdict "netascii windowsize 64: valid netascii, tsize exact, decodes to the file"

chk_begin
probe "$P" get known.bin -o windowsize=0
chk_rc 0
chk_out oack=- window=1
verdict "windowsize 0 ignored"

# The later value is the smaller one, so the probe's own "not above what was
# asked" check cannot hide a server that took it.
chk_begin
probe "$P" get window.bin -o blksize=1024 -o blksize=600 -O "$GOT"
chk_rc 0
chk_out oack=blksize=1024 blksize=1024 "blocks=$(blocks "$WIN_SIZE" 1024)"
chk_same "$ROOT/window.bin" "$GOT"
verdict "duplicate blksize: first one wins"

chk_begin
probe "$P" get window.bin -o BLKSIZE=1024 -O "$GOT"
chk_rc 0
chk_out oack=blksize=1024 blksize=1024
chk_same "$ROOT/window.bin" "$GOT"
verdict "option name BLKSIZE (upper case) works, OACK names it blksize"

# Malformed option values are ignored, not refused (notes/common.md).
reply_check "blksize without a value (datagram ends) ignored -> DATA 1" "$P" 'DATA 1 512' \
	"$(req_hex 1 window.bin octet blksize)"
reply_check "blksize with an empty value ignored -> DATA 1" "$P" 'DATA 1 512' \
	"$(req_hex 1 window.bin octet blksize '')"
reply_check "blksize with a non-number value ignored -> DATA 1" "$P" 'DATA 1 512' \
	"$(req_hex 1 window.bin octet blksize +1024)"
reply_check "windowsize 65536 ignored -> DATA 1" "$P" 'DATA 1 512' \
	"$(req_hex 1 window.bin octet windowsize 65536)"
reply_check "unknown option only -> no OACK, DATA 1 directly" "$P" 'DATA 1 512' \
	"$(req_hex 1 window.bin octet frobnicate 1)"

chk_begin
probe "$PR" get window.bin -o blksize=1024 -O "$GOT"
chk_rc 0
chk_out oack=- blksize=512
chk_same "$ROOT/window.bin" "$GOT"
verdict "-r blksize: blksize not negotiated (no OACK)"

chk_begin
probe "$PR" get window.bin -o blksize=1024 -o tsize=0
chk_rc 0
chk_out "oack=tsize=$WIN_SIZE" blksize=512
verdict "-r blksize: OACK keeps tsize but leaves blksize out"

# ---------------------------------------------------------------- after OACK
chk_begin
probe "$P" get known.bin -o blksize=1024 --error-after-oack 8 --quiet 3000
chk_rc 0
chk_out oack=blksize=1024
chk_line 'QUIET *'
chk_log result=oack-refused 'file="known.bin"'
verdict "client ERROR 8 after OACK: server silent 3 s, log result=oack-refused"

# Each timeout is 1 s, so after the last OACK there is 1 s until the server
# gives up; 2.5 s of silence ends the count.
chk_begin
probe "$P" get known.bin -o blksize=1024 --no-ack-after-oack -w 2500
chk_rc 0
chk_out "count=$((RETRIES + 1))" oack=blksize=1024
span=$(pfield span_ms)
if [ -n "$span" ] && [ "$span" -lt $((RETRIES * 1000 - 300)) ]; then
	chk_err "OACKs resent faster than -t 1 allows: span $span ms"
fi
chk_log result=timeout
verdict "no ACK of the OACK: 1 + $RETRIES OACKs (-R $RETRIES), then stop, log result=timeout"

# ACKs for a block other than 0 while the OACK waits must be ignored without
# postponing its resends (they are sent every 400 ms, under the 1 s timeout).
chk_begin
probe "$P" get known.bin -o blksize=1024 --no-ack-after-oack --stray-ack 1 -w 2500 \
	--max-time 20000
chk_rc 0
chk_out "count=$((RETRIES + 1))" oack=blksize=1024
chk_log result=timeout
verdict "stray ACK 1 during the OACK wait: still 1 + $RETRIES OACKs, then timeout"

# ---------------------------------------------------------------- loss, dups
chk_begin
probe "$P" get window.bin --dup-ack 2 -O "$GOT"
chk_rc 0
chk_out dupack_next=1 dups=0
chk_same "$ROOT/window.bin" "$GOT"
chk_log result=ok retrans=0
verdict "duplicate ACK 2 does not make DATA 3 come twice (retrans=0)"

chk_begin
probe "$P" get known.bin -o blksize=1024 --drop-ack 0 -O "$GOT"
chk_rc 0
chk_out oacks=2 dups=0 oack=blksize=1024
chk_same "$ROOT/known.bin" "$GOT"
chk_log result=ok retrans=1
verdict "lost ACK of the OACK: OACK resent once, then the transfer (retrans=1)"

chk_begin
probe "$P" get window.bin --drop-ack 2 -O "$GOT"
chk_rc 0
chk_out dups=1 first_resent=2 resent_blocks=1
chk_same "$ROOT/window.bin" "$GOT"
chk_log result=ok retrans=1
verdict "dropped ACK 2: DATA 2 resent exactly once (retrans=1)"

# DATA 4 of the first window is ignored, so block 5 makes the probe send
# ACK 3 - an ACK in the middle of the window 1..8. The server must go on from
# block 4: blocks 1-3 never come again, only 4..8 may (the rest of the window
# it had already sent), and its retrans count equals the copies we saw.
chk_begin
probe "$P" get window.bin -o windowsize=8 --drop-data 4 -O "$GOT"
chk_rc 0
chk_out oack=windowsize=8 first_resent=4
rb=$(pfield resent_blocks)
dups=$(pfield dups)
if [ -z "$rb" ] || [ "$rb" -gt 5 ]; then
	chk_err "resent_blocks=${rb:-?}: blocks after 8 came twice"
fi
chk_same "$ROOT/window.bin" "$GOT"
chk_log result=ok "retrans=${dups:-?}"
verdict "windowsize 8, ACK 3 mid-window: resend starts at block 4"

# Junk: baseline retrans is 0 on loopback, so junk must leave it at 0.
for w in 1 8; do
	chk_begin
	wopt=()
	[ "$w" -gt 1 ] && wopt=(-o windowsize="$w")
	probe "$P" get window.bin "${wopt[@]}" --junk=3 -O "$GOT"
	chk_rc 0
	chk_out junk_effect=0 dups=0 "window=$w"
	chk_same "$ROOT/window.bin" "$GOT"
	chk_log result=ok retrans=0 "bytes=$WIN_SIZE"
	verdict "junk datagrams during a transfer (window $w) change nothing"
done

chk_begin
probe "$P" get roll33.bin --rollover-check -O "$GOT"
chk_rc 0
chk_out wraps=1 "blocks=$(blocks "$ROLL_SIZE" 512)" "bytes=$ROLL_SIZE" dups=0
chk_same "$ROOT/roll33.bin" "$GOT"
chk_log result=ok "blocks=$(blocks "$ROLL_SIZE" 512)"
verdict "33 MiB at blksize 512: block number wraps 65535 -> 0"
rm -f "$GOT"

# ---------------------------------------------------------------- log line
chk_begin
probe "$P" get known.bin -o blksize=600 -o windowsize=2 -O "$GOT"
chk_rc 0
chk_same "$ROOT/known.bin" "$GOT"
port=$(probe_port)
chk_log "client=$PROBE_HOST:$port" 'file="known.bin"' mode=octet blksize=600 window=2 \
	"bytes=$KNOWN_SIZE" "blocks=$(blocks "$KNOWN_SIZE" 600)" retrans=0 result=ok tsize=-
verdict "log line: client, file, mode, blksize, window, bytes, blocks, retrans, result"

chk_begin
probe "$P" get "$FFNAME" -O "$GOT"
chk_rc 0
chk_same "$ROOT/$FFNAME" "$GOT"
chk_log 'file="f\xffe.bin"'
if [ -n "$LOG_LINE" ] && printf '%s' "$LOG_LINE" | LC_ALL=C grep -q $'\xff'; then
	chk_err "raw byte 0xff in the log line"
fi
verdict "file name with byte 0xff is served and logged as f\\xffe.bin"

# ---------------------------------------------------------------- the end
# Every transfer above has ended (the timeout ones too: -t 1 -R 3), so within
# a few seconds only the three listeners may be left.
chk_begin
for pid in "$MAIN_PID" "$PB_PID" "$PR_PID"; do
	proc_alive "$pid" || chk_err "listener $pid exited: $(server_diag)"
done
for ((i = 0; i < 50; i++)); do
	left=$(our_server_pids | grep -vxF -e "$MAIN_PID" -e "$PB_PID" -e "$PR_PID" | tr '\n' ' ')
	[ -z "$left" ] && break
	sleep 0.1
done
[ -z "$left" ] || chk_err "transfer processes still running after 5 s: $left"
verdict "listeners still running, no transfer process left behind"

tap_done
