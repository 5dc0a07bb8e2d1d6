/* xfer.c - the block-send core. One struct per transfer; all I/O goes
 * through x->io so tests can drive it with fake time and lossy links.
 * Per DATA block in lockstep: one send, one receive (the receive carries the
 * timeout), plus a vDSO clock read; the file is read in chunks of at least
 * 64 KiB into the stream buffer. No allocation after xfer_init, no logging. */
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "tftp.h"
#include "xfer.h"

#define XFER_MIN_CHUNK 65536u

int xfer_init(struct xfer *x)
{
	size_t span = (size_t)x->blksize * x->window;

	x->cap = span + (x->blksize > XFER_MIN_CHUNK ? x->blksize : XFER_MIN_CHUNK);
	x->buf = malloc(x->cap);
	x->dg = calloc(x->window, sizeof(*x->dg));
	x->hdr = calloc(x->window, sizeof(*x->hdr));
	x->rawcap = x->netascii ? x->cap / 2 + 1 : 0;
	x->raw = x->netascii ? malloc(x->rawcap) : NULL;
	x->acked = x->last = x->base = x->file_off = 0;
	x->fill = 0;
	x->eof = 0;
	nva_init(&x->nva);
	x->result = XFER_OK;
	x->peer_code = 0;
	x->bytes = x->blocks = x->retrans = 0;
	if (x->buf == NULL || x->dg == NULL || x->hdr == NULL ||
	    (x->netascii && x->raw == NULL)) {
		xfer_free(x);
		x->result = XFER_NOMEM;
		return -1;
	}
	return 0;
}

void xfer_free(struct xfer *x)
{
	free(x->buf);
	free(x->dg);
	free(x->hdr);
	free(x->raw);
	x->buf = x->raw = NULL;
	x->dg = NULL;
	x->hdr = NULL;
}

const char *xfer_result_str(enum xfer_result r)
{
	switch (r) {
	case XFER_OK: return "ok";
	case XFER_TIMEOUT: return "timeout";
	case XFER_PEER_ERROR: return "peer-error";
	case XFER_OACK_REFUSED: return "oack-refused";
	case XFER_READ_ERROR: return "read-error";
	case XFER_NET_ERROR: return "net-error";
	case XFER_NOMEM: return "no-memory";
	}
	return "?";
}

/* Make stream bytes up to need_end available, dropping what lies before
 * keep_from (everything before the oldest unacknowledged block). */
static int stream_fill(struct xfer *x, uint64_t keep_from, uint64_t need_end)
{
	while (!x->eof && x->base + x->fill < need_end) {
		size_t room;
		ssize_t n;

		if (keep_from > x->base) {
			uint64_t d = keep_from - x->base;
			size_t drop = d < x->fill ? (size_t)d : x->fill;

			memmove(x->buf, x->buf + drop, x->fill - drop);
			x->base += drop;
			x->fill -= drop;
		}
		room = x->cap - x->fill;
		if (!x->netascii) {
			n = x->io->read(x->io->ctx, x->buf + x->fill, room, x->file_off);
			if (n < 0)
				return -1;
			if (n == 0)
				x->eof = 1;
			x->fill += (size_t)n;
			x->file_off += (uint64_t)n;
		} else {
			/* Each raw byte yields at most two, plus one owed byte:
			 * reading (room-1)/2 always fits, so nothing is left over. */
			size_t want = (room - 1) / 2, used;

			if (want > x->rawcap)
				want = x->rawcap;
			n = x->io->read(x->io->ctx, x->raw, want, x->file_off);
			if (n < 0)
				return -1;
			if (n == 0) {
				x->fill += nva_flush(&x->nva, x->buf + x->fill, room);
				x->eof = 1;
			} else {
				x->fill += nva_encode(&x->nva, x->raw, (size_t)n, &used,
						      x->buf + x->fill, room);
				x->file_off += (uint64_t)n;
			}
		}
	}
	return 0;
}

/* Block b (absolute, from 1): pointer and length; sets x->last at the end. */
static int get_block(struct xfer *x, uint64_t b, const uint8_t **p, size_t *len)
{
	uint64_t off = (b - 1) * x->blksize, end;

	if (stream_fill(x, x->acked * x->blksize, off + x->blksize) < 0)
		return -1;
	end = x->base + x->fill;
	*p = x->buf + (off - x->base);
	*len = end > off ? (size_t)(end - off < x->blksize ? end - off : x->blksize) : 0;
	if (*len < x->blksize)
		x->last = b;
	return 0;
}

/* What a received datagram means for the wait loop. */
enum ev { EV_IGNORE, EV_ACK, EV_ERROR };

static enum ev classify(struct xfer *x, const uint8_t *buf, ssize_t n, uint16_t *blk)
{
	struct tftp_pkt pkt;

	if (pkt_parse(buf, (size_t)n, &pkt) != PKT_OK)
		return EV_IGNORE;
	if (pkt.opcode == OP_ACK) {
		*blk = pkt.u.ack.block;
		return EV_ACK;
	}
	if (pkt.opcode == OP_ERROR) {
		x->peer_code = pkt.u.error.code;
		return EV_ERROR;
	}
	return EV_IGNORE;
}

/* Wait for something that matters before the deadline. Right after a send
 * (fresh) the wait is the full timeout without reading the clock; the clock
 * is read only after a datagram that did not matter. Returns 1 with *blk
 * for an ACK, 0 on timeout, -1 when the transfer must end (x->result set). */
static int wait_ack(struct xfer *x, uint64_t deadline, int fresh, uint16_t *blk)
{
	uint8_t rbuf[1024];
	unsigned wait_ms = x->timeout_ms;

	if (!fresh) {
		uint64_t now = x->io->now_ms(x->io->ctx);

		if (now >= deadline)
			return 0;
		wait_ms = (unsigned)(deadline - now);
	}
	for (;;) {
		ssize_t n = x->io->recv(x->io->ctx, rbuf, sizeof(rbuf), wait_ms);
		uint64_t now;

		if (n == -1)
			return 0;
		if (n < 0) {
			x->result = XFER_NET_ERROR;
			return -1;
		}
		if ((size_t)n > sizeof(rbuf))
			n = sizeof(rbuf);
		switch (classify(x, rbuf, n, blk)) {
		case EV_ACK:
			return 1;
		case EV_ERROR:
			x->result = XFER_PEER_ERROR;
			return -1;
		case EV_IGNORE:
			break; /* junk, DATA, a stray request: keep waiting */
		}
		now = x->io->now_ms(x->io->ctx);
		if (now >= deadline)
			return 0;
		wait_ms = (unsigned)(deadline - now);
	}
}

static int negotiate(struct xfer *x)
{
	struct xfer_dgram d = { x->oack, x->oack_len, NULL, 0 };
	unsigned tries = 0;

	if (x->io->send(x->io->ctx, &d, 1) != 0)
		return x->result = XFER_NET_ERROR, -1;
	uint64_t deadline = x->io->now_ms(x->io->ctx) + x->timeout_ms;
	int fresh = 1;

	for (;;) {
		uint16_t blk;
		int r = wait_ack(x, deadline, fresh, &blk);

		fresh = 0;

		if (r < 0) {
			if (x->result == XFER_PEER_ERROR && x->peer_code == TE_OPTNEG)
				x->result = XFER_OACK_REFUSED;
			return -1;
		}
		if (r > 0 && blk == 0)
			return 0;
		if (r == 0) {
			if (++tries > x->max_retries)
				return x->result = XFER_TIMEOUT, -1;
			x->retrans++;
			if (x->io->send(x->io->ctx, &d, 1) != 0)
				return x->result = XFER_NET_ERROR, -1;
			deadline = x->io->now_ms(x->io->ctx) + x->timeout_ms;
			fresh = 1;
		}
		/* An ACK for another block before ACK 0 is ignored, and the
		 * deadline stands: stray ACKs cannot keep us waiting. */
	}
}

static void account(struct xfer *x)
{
	uint64_t acked_bytes = x->acked * x->blksize;

	if (x->eof && acked_bytes > x->base + x->fill)
		acked_bytes = x->base + x->fill;
	x->bytes = acked_bytes;
}

enum xfer_result xfer_run(struct xfer *x)
{
	uint64_t next = 1, sent_hi = 0;
	unsigned tries = 0;

	x->result = XFER_OK;
	if (x->oack != NULL && negotiate(x) < 0)
		return x->result;
	for (;;) {
		uint64_t b, hi = x->acked + x->window;
		unsigned n = 0;
		uint16_t blk;
		int r;

		/* Fill for the whole window first: a refill moves the buffer,
		 * which would invalidate pointers already taken for this window. */
		if (stream_fill(x, x->acked * x->blksize, hi * x->blksize) < 0) {
			x->result = XFER_READ_ERROR;
			goto out;
		}
		for (b = next; b <= hi && (x->last == 0 || b <= x->last); b++, n++) {
			const uint8_t *p;
			size_t len;

			if (get_block(x, b, &p, &len) < 0) {
				x->result = XFER_READ_ERROR;
				goto out;
			}
			pkt_data_header(x->hdr[n], (uint16_t)b); /* wraps 65535 -> 0 */
			x->dg[n] = (struct xfer_dgram){ x->hdr[n], 4, p, len };
			if (b > sent_hi)
				x->blocks++;
			else
				x->retrans++;
		}
		if (x->io->send(x->io->ctx, x->dg, n) != 0) {
			x->result = XFER_NET_ERROR;
			goto out;
		}
		if (b - 1 > sent_hi)
			sent_hi = b - 1;
		uint64_t deadline = x->io->now_ms(x->io->ctx) + x->timeout_ms;
		int fresh = 1;

		for (;;) {
			uint16_t delta;

			r = wait_ack(x, deadline, fresh, &blk);
			fresh = 0;
			if (r < 0)
				goto out;
			if (r == 0) {
				if (++tries > x->max_retries) {
					x->result = XFER_TIMEOUT;
					goto out;
				}
				next = x->acked + 1;
				break;
			}
			/* Map the 16-bit number onto the blocks in flight; a
			 * duplicate or stale ACK changes nothing and, above all,
			 * sends nothing (Sorcerer's Apprentice, RFC 1123). */
			delta = (uint16_t)(blk - (uint16_t)x->acked);
			if (delta == 0 || x->acked + delta > sent_hi)
				continue;
			x->acked += delta;
			tries = 0;
			if (x->last != 0 && x->acked == x->last) {
				x->result = XFER_OK;
				goto out;
			}
			/* An ACK short of the window's end: resend from the next
			 * block (RFC 7440). */
			next = x->acked + 1;
			break;
		}
	}
out:
	account(x);
	return x->result;
}
