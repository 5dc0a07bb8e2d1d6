/* test_xfer.c - drives the block-send core (xfer.c) through its I/O seam
 * with a simulated client, a fake millisecond clock and a fake file in
 * memory: lockstep and windowed transfers, block-number rollover, netascii
 * pairs split across blocks, loss, duplication, reordering, junk, client
 * errors, OACK negotiation, read errors and the core's per-block call budget.
 * Fully deterministic: no sockets, no real time, no file system.
 *
 * The simulated client acts like an RFC 1350/7440 receiver: it accepts the
 * next block in order, ACKs after `window` blocks or a short (final) block,
 * ACKs the last in-order block once when it sees a gap, and re-ACKs once when
 * a burst from the server brought only duplicates (RFC 1350 recovery from a
 * lost ACK). Delivery has zero latency: everything the core sends is handled
 * by the client inside io->send, and the client's answers wait in a queue
 * ordered by due time that io->recv pops. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "netascii.h"
#include "packet.h"
#include "tftp.h"
#include "xfer.h"

#include "testutil.h"

#define T_MS 1000u             /* retransmission timeout used by most rows */
#define R_DEF 3u               /* max_retries used by most rows */
#define ALL UINT64_MAX         /* "and every later one" in a drop range */
#define QDGRAM_MAX 1600u       /* largest datagram the client ever sends */
#define NO_OACK UINT32_MAX     /* .oack_sends: expect no OACK on the wire */
/* Far above any row's needs (the largest sends ~70000 datagrams): a core
 * that ping-pongs with the client without end fails instead of hanging. */
#define SIM_CALLS_MAX 1000000u

/* ------------------------------------------------------------------ */
/* Scenario description                                                */

struct range {
	uint64_t lo, hi; /* 1-based, inclusive; lo == 0: unused */
};

enum oack_reply {
	OR_ACK0 = 0, /* a normal client: ACK 0 */
	OR_ERR8,     /* ERROR 8: option negotiation refused */
	OR_ERR0,     /* ERROR 0: some other complaint */
	OR_SILENT,   /* never answers */
};

struct faults {
	struct range drop_data[3]; /* DATA datagrams lost (server -> client) */
	struct range drop_ack[3];  /* ACKs lost (client -> server) */
	uint64_t reorder_data;     /* DATA #n and #n+1 of one burst swapped */
	unsigned dup_acks;         /* extra copies of every ACK */
	unsigned dup_gap_ms;       /* spacing of those copies */
	int junk;                  /* ignorable datagrams with every ACK */
	unsigned junk_gap_ms;      /* 0: just before the ACK; else spread out */
	int stale_acks;            /* after each window ACK k, also ACK k-W */
	uint64_t err_after;        /* after accepting this block, send ERROR */
	uint16_t err_code;
	enum oack_reply oack_reply;
	unsigned stray_acks;       /* "ACK 5" datagrams during the OACK wait */
	unsigned stray_gap_ms;
	int read_fail;             /* reads at or past read_fail_off fail */
	uint64_t read_fail_off;
	size_t read_max;           /* short reads: at most this many bytes */
	unsigned recv_fail_at;     /* this io->recv call returns -2 */
	unsigned send_fail_at;     /* this io->send call returns -1 */
};

enum fkind {
	FK_BIN = 0, /* pseudo-random bytes */
	FK_TEXT,    /* text with LF, CR and CR LF at many offsets */
	FK_LF511,   /* LF at raw byte 511 and CR at raw byte 1022, then text */
	FK_LIT,     /* the literal in .lit */
};

/* Expectations for rows that do not complete: every count given by hand
 * (with its derivation in a comment), or derived from the readable prefix
 * for read errors. Rows that complete leave this zeroed and get
 * blocks = L/B + 1, bytes = L, DATA datagrams = blocks + retrans. */
struct partial {
	int set;
	int from_read_prefix; /* blocks = floor(translated prefix / B) */
	uint64_t blocks, data_sends, bytes;
	int skip_blocks;      /* x->blocks not asserted (see row comment) */
};

struct xcase {
	const char *name;
	enum fkind kind;
	size_t size;
	const char *lit;
	unsigned blksize, window, timeout_ms, max_retries;
	int netascii, oack;
	struct faults f;

	enum xfer_result result;
	uint16_t peer_code;
	uint64_t retrans;
	unsigned oack_sends;     /* 0: 1 with .oack, else 0; NO_OACK: none */
	struct partial part;
	unsigned send_calls;     /* 0: not checked */
	unsigned recv_calls;     /* 0: not checked */
	int read_budget;         /* at least 32 blocks per io->read call */
	int need_straddle;       /* some block must end with a CR */
	int want_wrap;           /* wire numbers 65535, 0, 1 must appear */
};

/* ------------------------------------------------------------------ */
/* The simulated world                                                 */

struct qitem {
	uint64_t due;
	size_t len;
	uint8_t b[QDGRAM_MAX];
};

struct rec {
	uint64_t t;       /* clock when the core sent it */
	size_t off, len;  /* whole datagram, in plog */
	uint16_t op, blk;
	unsigned call;    /* io->send call number */
	uint64_t seq;     /* DATA sequence number, 1-based */
	int dropped;
};

struct sim {
	const struct faults *f;
	const uint8_t *file;
	size_t flen;
	uint64_t now;

	struct rec *recs;
	size_t nrecs, recscap;
	uint8_t *plog;
	size_t plen, pcap;

	struct qitem *q;
	size_t qhead, qn, qcap;

	/* client */
	unsigned blksize, window;
	uint64_t expect;
	unsigned cnt;
	int gap_reported, done, errored, strays_sent;
	uint8_t *got;
	size_t glen, gcap;
	uint64_t data_seq, ack_seq;
	const uint8_t *oack;
	size_t oack_len;

	/* counters and contract violations seen by the seam */
	unsigned n_send, n_recv, n_read, n_now;
	unsigned max_burst, empty_sends, zero_timeouts, bad_dgrams;
	unsigned oversize_data, after_last, sent_after_error;
	int error_popped;
};

static void *xrealloc(void *p, size_t n)
{
	void *r = realloc(p, n);

	if (r == NULL)
		fail_msg("realloc(%zu) failed", n);
	return r;
}

static int in_ranges(const struct range *r, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		if (r[i].lo != 0 && v >= r[i].lo && v <= r[i].hi)
			return 1;
	return 0;
}

/* Queue a client datagram, keeping the queue ordered by due time (stable:
 * datagrams due at the same time leave in the order they were queued). */
static void q_push(struct sim *s, uint64_t due, const uint8_t *b, size_t len)
{
	size_t pos;

	if (len > QDGRAM_MAX)
		fail_msg("test bug: queued datagram of %zu bytes", len);
	if (s->qhead == s->qn)
		s->qhead = s->qn = 0;
	if (s->qn == s->qcap) {
		s->qcap = s->qcap ? s->qcap * 2 : 64;
		s->q = xrealloc(s->q, s->qcap * sizeof(*s->q));
	}
	pos = s->qn;
	while (pos > s->qhead && s->q[pos - 1].due > due)
		pos--;
	memmove(&s->q[pos + 1], &s->q[pos], (s->qn - pos) * sizeof(*s->q));
	s->q[pos].due = due;
	s->q[pos].len = len;
	if (len > 0)
		memcpy(s->q[pos].b, b, len);
	s->qn++;
}

static void push_ack(struct sim *s, uint64_t due, uint16_t blk)
{
	uint8_t b[4] = { 0, OP_ACK, (uint8_t)(blk >> 8), (uint8_t)blk };

	q_push(s, due, b, sizeof(b));
}

static void push_error(struct sim *s, uint16_t code)
{
	uint8_t b[64];
	size_t n = pkt_build_error(b, sizeof(b), code, "client gives up");

	assert_true(n >= 5);
	q_push(s, s->now, b, n);
}

/* Datagrams a server must ignore while waiting for an ACK. Block numbers in
 * the ACK-shaped ones lie far beyond any window, so that a core that wrongly
 * accepted them would visibly skip blocks. */
static void push_junk(struct sim *s)
{
	uint16_t far = (uint16_t)(s->expect - 1 + 1000);
	uint8_t big[1500];
	const uint8_t data[] = { 0, OP_DATA, 0, 1, 'a', 'b', 'c' };
	const uint8_t rrq[] = "\0\1file\0octet";           /* + its NUL */
	const uint8_t wrq[] = "\0\2file\0octet";
	const uint8_t oack[] = "\0\6blksize\0" "512";
	const uint8_t three[] = { 0, OP_ACK, 0 };
	const uint8_t badop[] = { 0, 9, 0, 1 };
	uint8_t ack5[5] = { 0, OP_ACK, (uint8_t)(far >> 8), (uint8_t)far, 'x' };
	unsigned k = 0;
	uint64_t gap = s->f->junk_gap_ms;

	memset(big, 'j', sizeof(big));
	big[0] = 0;
	big[1] = OP_ACK;
	big[2] = (uint8_t)(far >> 8);
	big[3] = (uint8_t)far;
#define JUNK(p, n) q_push(s, s->now + gap * ++k, (p), (n))
	JUNK(data, sizeof(data));
	JUNK(rrq, sizeof(rrq));
	JUNK(wrq, sizeof(wrq));
	JUNK(oack, sizeof(oack));
	JUNK(three, sizeof(three));
	JUNK(badop, sizeof(badop));
	JUNK(ack5, sizeof(ack5));
	JUNK(big, sizeof(big)); /* longer than the core's receive buffer */
	JUNK(NULL, 0);
	{
		uint8_t farack[4] = { 0, OP_ACK, (uint8_t)(far >> 8), (uint8_t)far };

		JUNK(farack, sizeof(farack));
	}
#undef JUNK
}

/* The client acknowledges absolute block abs (wire number abs mod 65536). */
static void client_ack(struct sim *s, uint64_t abs, int window_ack)
{
	const struct faults *f = s->f;

	for (unsigned c = 0; c <= f->dup_acks; c++) {
		if (c == 0 && f->junk)
			push_junk(s);
		s->ack_seq++;
		if (in_ranges(f->drop_ack, 3, s->ack_seq))
			continue;
		push_ack(s, s->now + (uint64_t)c * f->dup_gap_ms, (uint16_t)abs);
	}
	if (window_ack && f->stale_acks && abs >= s->window)
		push_ack(s, s->now, (uint16_t)(abs - s->window));
}

static void client_oack(struct sim *s, const struct rec *r)
{
	const struct faults *f = s->f;

	if (s->oack == NULL || r->len != s->oack_len ||
	    memcmp(s->plog + r->off, s->oack, s->oack_len) != 0) {
		s->bad_dgrams++;
		return;
	}
	if (s->errored || s->expect != 1)
		return;
	if (f->stray_acks && !s->strays_sent) {
		s->strays_sent = 1;
		for (unsigned k = 1; k <= f->stray_acks; k++)
			push_ack(s, s->now + (uint64_t)k * f->stray_gap_ms, 5);
	}
	switch (f->oack_reply) {
	case OR_ACK0:
		client_ack(s, 0, 0);
		break;
	case OR_ERR8:
		push_error(s, TE_OPTNEG);
		s->errored = 1;
		break;
	case OR_ERR0:
		push_error(s, TE_UNDEF);
		s->errored = 1;
		break;
	case OR_SILENT:
		break;
	}
}

/* One DATA datagram reaches the client. Sets *fresh for an in-order block,
 * *dup for an old one. */
static void client_data(struct sim *s, const struct rec *r, int *fresh, int *dup)
{
	const uint8_t *p = s->plog + r->off + 4;
	size_t len = r->len - 4;
	uint16_t delta;

	if (s->errored)
		return;
	delta = (uint16_t)(r->blk - (uint16_t)s->expect);
	if (delta == 0) {
		if (s->done) {
			s->after_last++; /* a block after the final one */
			return;
		}
		if (len > s->blksize) {
			s->oversize_data++;
			return;
		}
		if (s->glen + len > s->gcap) {
			s->gcap = (s->glen + len) * 2 + 64;
			s->got = xrealloc(s->got, s->gcap);
		}
		if (len > 0)
			memcpy(s->got + s->glen, p, len);
		s->glen += len;
		s->expect++;
		s->cnt++;
		s->gap_reported = 0;
		*fresh = 1;
		if (s->f->err_after != 0 && s->expect - 1 == s->f->err_after) {
			push_error(s, s->f->err_code);
			s->errored = 1;
			return;
		}
		if (len < s->blksize) {
			s->done = 1;
			s->cnt = 0;
			client_ack(s, s->expect - 1, 1);
		} else if (s->cnt == s->window) {
			s->cnt = 0;
			client_ack(s, s->expect - 1, 1);
		}
	} else if (delta < 0x8000) {
		/* A gap: some block before this one was lost or overtaken. */
		if (!s->gap_reported && !s->done) {
			s->gap_reported = 1;
			s->cnt = 0;
			client_ack(s, s->expect - 1, 0);
		}
	} else {
		*dup = 1;
	}
}

/* ---- the seam ---- */

static ssize_t sim_recv(void *ctx, uint8_t *buf, size_t cap, unsigned timeout_ms)
{
	struct sim *s = ctx;

	if (++s->n_recv > SIM_CALLS_MAX)
		fail_msg("runaway: more than %u io->recv calls", SIM_CALLS_MAX);
	if (timeout_ms == 0)
		s->zero_timeouts++;
	if (s->f->recv_fail_at == s->n_recv) {
		errno = ECONNREFUSED;
		return -2;
	}
	if (s->qhead < s->qn && s->q[s->qhead].due <= s->now + timeout_ms) {
		const struct qitem *it = &s->q[s->qhead++];

		if (it->due > s->now)
			s->now = it->due;
		if (it->len > 0)
			memcpy(buf, it->b, it->len < cap ? it->len : cap);
		if (it->len >= 4 && it->b[0] == 0 && it->b[1] == OP_ERROR)
			s->error_popped = 1;
		return (ssize_t)it->len;
	}
	s->now += timeout_ms;
	return -1;
}

static int sim_send(void *ctx, const struct xfer_dgram *d, unsigned n)
{
	struct sim *s = ctx;
	size_t first = s->nrecs;
	size_t order[64 + 1];
	int fresh = 0, dup = 0, gapped_before;
	unsigned i;

	if (++s->n_send > SIM_CALLS_MAX)
		fail_msg("runaway: more than %u io->send calls", SIM_CALLS_MAX);
	if (n == 0)
		s->empty_sends++;
	if (n > s->max_burst)
		s->max_burst = n;
	if (s->error_popped)
		s->sent_after_error++;
	if (s->f->send_fail_at == s->n_send)
		return -1;
	if (n > 64)
		fail_msg("burst of %u datagrams: larger than any window in this test", n);

	for (i = 0; i < n; i++) {
		size_t len = d[i].hdrlen + d[i].len;
		struct rec *r;

		if (s->plen + len > s->pcap) {
			s->pcap = (s->plen + len) * 2 + 4096;
			s->plog = xrealloc(s->plog, s->pcap);
		}
		if (d[i].hdrlen > 0)
			memcpy(s->plog + s->plen, d[i].hdr, d[i].hdrlen);
		if (d[i].len > 0)
			memcpy(s->plog + s->plen + d[i].hdrlen, d[i].data, d[i].len);
		if (s->nrecs == s->recscap) {
			s->recscap = s->recscap ? s->recscap * 2 : 1024;
			s->recs = xrealloc(s->recs, s->recscap * sizeof(*s->recs));
		}
		r = &s->recs[s->nrecs++];
		memset(r, 0, sizeof(*r));
		r->t = s->now;
		r->off = s->plen;
		r->len = len;
		r->call = s->n_send;
		if (len >= 2)
			r->op = (uint16_t)(s->plog[s->plen] << 8 | s->plog[s->plen + 1]);
		if (len >= 4)
			r->blk = (uint16_t)(s->plog[s->plen + 2] << 8 | s->plog[s->plen + 3]);
		if (r->op == OP_DATA) {
			if (d[i].hdrlen != 4 || len > 4 + TFTP_BLKSIZE_MAX)
				s->bad_dgrams++;
			r->seq = ++s->data_seq;
			r->dropped = in_ranges(s->f->drop_data, 3, r->seq);
		}
		s->plen += len;
		order[i] = first + i;
	}
	for (i = 0; i + 1 < n; i++) {
		if (s->f->reorder_data != 0 && s->recs[order[i]].seq == s->f->reorder_data) {
			size_t t = order[i];

			order[i] = order[i + 1];
			order[i + 1] = t;
			break;
		}
	}
	gapped_before = s->gap_reported;
	for (i = 0; i < n; i++) {
		const struct rec *r = &s->recs[order[i]];

		if (r->dropped)
			continue;
		if (r->op == OP_OACK)
			client_oack(s, r);
		else if (r->op == OP_DATA && r->len >= 4)
			client_data(s, r, &fresh, &dup);
		else
			s->bad_dgrams++;
	}
	/* A burst of nothing but duplicates means our ACK was lost: say again
	 * where we are, once. */
	if (dup && !fresh && !s->errored && (s->gap_reported == gapped_before))
		client_ack(s, s->expect - 1, 0);
	return 0;
}

static ssize_t sim_read(void *ctx, void *buf, size_t n, uint64_t off)
{
	struct sim *s = ctx;
	const struct faults *f = s->f;

	if (++s->n_read > SIM_CALLS_MAX)
		fail_msg("runaway: more than %u io->read calls", SIM_CALLS_MAX);
	if (f->read_fail && off >= f->read_fail_off) {
		errno = EIO;
		return -1;
	}
	if (off >= s->flen)
		return 0;
	if (n > s->flen - off)
		n = s->flen - (size_t)off;
	/* Like a disk with a bad sector: a read reaching it stops short. */
	if (f->read_fail && off + n > f->read_fail_off)
		n = (size_t)(f->read_fail_off - off);
	if (f->read_max != 0 && n > f->read_max)
		n = f->read_max;
	memcpy(buf, s->file + off, n);
	return (ssize_t)n;
}

static uint64_t sim_now(void *ctx)
{
	struct sim *s = ctx;

	if (++s->n_now > 4 * SIM_CALLS_MAX)
		fail_msg("runaway: more than %u io->now_ms calls", 4 * SIM_CALLS_MAX);
	return s->now;
}

static void sim_free(struct sim *s)
{
	free(s->recs);
	free(s->plog);
	free(s->q);
	free(s->got);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

static uint8_t *make_file(const struct xcase *c, size_t *len)
{
	uint32_t seed = 0x9e3779b9u ^ (uint32_t)c->size;
	uint8_t *p;
	size_t n = c->kind == FK_LIT ? strlen(c->lit) : c->size;
	size_t i = 0;

	p = malloc(n ? n : 1);
	assert_non_null(p);
	if (c->kind == FK_LIT) {
		memcpy(p, c->lit, n);
	} else if (c->kind == FK_BIN) {
		for (i = 0; i < n; i++)
			p[i] = (uint8_t)(tu_rand(&seed) >> 11);
	} else {
		if (c->kind == FK_LF511) {
			/* raw 0..510 'x', 511 LF: CR is byte 511 of block 1, its LF
			 * byte 0 of block 2. Raw 1022 CR: one byte of shift, so
			 * CR is byte 1023 = the last of block 2, NUL opens block 3. */
			for (; i < n && i < 1023; i++)
				p[i] = i == 511 ? '\n' : i == 1022 ? '\r' : 'x';
		}
		for (; i < n; i++) {
			uint32_t r = tu_rand(&seed) % 16;

			p[i] = r == 0 ? '\n' : r == 1 ? '\r' : (uint8_t)('a' + r);
		}
	}
	*len = n;
	return p;
}

/* What the client must end up with: the file, or its netascii form made by
 * one nva_encode call over the whole file. */
static uint8_t *make_ref(const struct xcase *c, const uint8_t *file, size_t flen,
			 size_t *rlen)
{
	struct nva_state st;
	size_t used = 0, n;
	uint8_t *r;

	if (!c->netascii) {
		*rlen = flen;
		return tu_heapdup(file, flen);
	}
	r = malloc(2 * flen + 1);
	assert_non_null(r);
	nva_init(&st);
	n = nva_encode(&st, file, flen, &used, r, 2 * flen + 1);
	assert_int_equal(used, flen);
	n += nva_flush(&st, r + n, 2 * flen + 1 - n);
	assert_int_equal(n, nva_size(file, flen));
	*rlen = n;
	return r;
}

/* ------------------------------------------------------------------ */
/* The runner                                                          */

static void check_records(const struct xcase *c, const struct sim *s,
			  const uint8_t *ref, size_t rlen, uint64_t *ndata,
			  uint64_t *noack, int *wrap_seen)
{
	uint64_t prev = 0, lastblk = rlen / c->blksize + 1;
	uint16_t w1 = 0, w2 = 0;
	size_t i;

	*ndata = *noack = 0;
	*wrap_seen = 0;
	for (i = 0; i < s->nrecs; i++) {
		const struct rec *r = &s->recs[i];
		uint64_t abs, off;
		size_t want;

		if (r->op == OP_OACK) {
			(*noack)++;
			if (*ndata != 0)
				fail_msg("[%s] OACK sent again after DATA began", c->name);
			continue;
		}
		if (r->op != OP_DATA)
			fail_msg("[%s] datagram %zu has opcode %u", c->name, i, r->op);
		(*ndata)++;
		/* Unwrap the 16-bit number next to the previous one; windows
		 * are far smaller than 32768 so this is unambiguous. */
		abs = prev + (uint64_t)(int64_t)(int16_t)(uint16_t)(r->blk - (uint16_t)prev);
		if (abs == 0 || abs > lastblk)
			fail_msg("[%s] DATA %zu: wire block %u is outside 1..%llu",
				 c->name, i, r->blk, (unsigned long long)lastblk);
		off = (abs - 1) * c->blksize;
		want = rlen - off < c->blksize ? rlen - (size_t)off : c->blksize;
		if (r->len - 4 != want)
			fail_msg("[%s] DATA block %llu: %zu payload bytes, expected %zu",
				 c->name, (unsigned long long)abs, r->len - 4, want);
		if (memcmp(s->plog + r->off + 4, ref + off, want) != 0) {
			/* Say where the bytes sent really come from: helps to
			 * tell a stale pointer from a translation error. */
			const uint8_t *m = want < 8 ? NULL :
				memmem(ref, rlen, s->plog + r->off + 4, want);

			fail_msg("[%s] DATA block %llu (send call %u, %s): payload "
				 "differs from the file at offset %llu; it equals "
				 "the file at offset %lld", c->name,
				 (unsigned long long)abs, r->call,
				 abs <= prev ? "a resend" : "first copy",
				 (unsigned long long)off,
				 m ? (long long)(m - ref) : -1LL);
		}
		/* three DATA datagrams in a row numbered 65535, 0, 1 */
		if (*ndata >= 3 && w1 == 65535 && w2 == 0 && r->blk == 1)
			*wrap_seen = 1;
		w1 = w2;
		w2 = r->blk;
		prev = abs;
	}
}

/* In lockstep every resend is the work of a timeout: it must come exactly
 * timeout_ms after the previous copy, never earlier (a duplicate ACK or junk
 * must not trigger it) and never later (junk must not postpone it). */
static void check_lockstep_timing(const struct xcase *c, const struct sim *s)
{
	for (size_t i = 1; i < s->nrecs; i++) {
		const struct rec *a = &s->recs[i - 1], *b = &s->recs[i];

		if (a->op == b->op && a->blk == b->blk && b->t - a->t != c->timeout_ms)
			fail_msg("[%s] %s %u sent again %llu ms after the previous "
				 "copy, expected exactly %u", c->name,
				 b->op == OP_OACK ? "OACK" : "DATA block", b->blk,
				 (unsigned long long)(b->t - a->t), c->timeout_ms);
	}
}

static void run_case(void **state)
{
	const struct xcase *c = *state;
	struct sim s;
	struct xfer x;
	struct xfer_io io = { .recv = sim_recv, .send = sim_send, .read = sim_read,
			      .now_ms = sim_now };
	uint8_t oack[64];
	int oack_len;
	size_t flen, rlen;
	uint8_t *file, *ref;
	uint64_t ndata, noack, exp_oack, exp_blocks, exp_data, exp_bytes;
	int wrap_seen, intact;
	enum xfer_result res;

	file = make_file(c, &flen);
	ref = make_ref(c, file, flen, &rlen);

	memset(&s, 0, sizeof(s));
	s.f = &c->f;
	s.file = file;
	s.flen = flen;
	s.now = 5000; /* not 0, so that a core confusing 0 with "unset" shows */
	s.blksize = c->blksize;
	s.window = c->window;
	s.expect = 1;
	io.ctx = &s;

	memset(&x, 0, sizeof(x));
	x.io = &io;
	x.blksize = c->blksize;
	x.window = c->window;
	x.timeout_ms = c->timeout_ms;
	x.max_retries = c->max_retries;
	x.netascii = c->netascii;
	if (c->oack) {
		oack_len = snprintf((char *)oack + 2, sizeof(oack) - 2,
				    "blksize%c%u%cwindowsize%c%u", 0, c->blksize, 0,
				    0, c->window);
		assert_true(oack_len > 0 && (size_t)oack_len + 3 <= sizeof(oack));
		oack[0] = 0;
		oack[1] = OP_OACK;
		x.oack = oack;
		x.oack_len = (size_t)oack_len + 3; /* with the final NUL */
		s.oack = oack;
		s.oack_len = x.oack_len;
	}
	assert_int_equal(xfer_init(&x), 0);
	res = xfer_run(&x);

	/* outcome */
	if (res != c->result || x.result != c->result)
		fail_msg("[%s] result %s (stored %s), expected %s", c->name,
			 xfer_result_str(res), xfer_result_str(x.result),
			 xfer_result_str(c->result));
	if (c->result == XFER_PEER_ERROR || c->result == XFER_OACK_REFUSED)
		TU_EQ(c->name, x.peer_code, c->peer_code);

	/* every datagram on the wire */
	check_records(c, &s, ref, rlen, &ndata, &noack, &wrap_seen);
	if (c->window == 1)
		check_lockstep_timing(c, &s);
	exp_oack = c->oack_sends == NO_OACK ? 0 : c->oack_sends ? c->oack_sends :
		   c->oack ? 1u : 0u;
	TU_EQ(c->name, noack, exp_oack);

	if (c->part.set) {
		if (c->part.from_read_prefix) {
			size_t pre = c->f.read_fail_off < flen ? (size_t)c->f.read_fail_off : flen;
			uint64_t tl = c->netascii ? nva_size(file, pre) : pre;

			exp_blocks = exp_data = tl / c->blksize;
			exp_bytes = exp_blocks * c->blksize;
		} else {
			exp_blocks = c->part.blocks;
			exp_data = c->part.data_sends;
			exp_bytes = c->part.bytes;
		}
		intact = 0;
	} else {
		exp_blocks = rlen / c->blksize + 1;
		/* retrans counts OACK resends too */
		exp_data = exp_blocks + c->retrans - (exp_oack > 1 ? exp_oack - 1 : 0);
		exp_bytes = rlen;
		intact = c->result == XFER_OK;
	}
	TU_EQ(c->name, ndata, exp_data);
	if (!c->part.skip_blocks)
		TU_EQ(c->name, x.blocks, exp_blocks);
	TU_EQ(c->name, x.retrans, c->retrans);
	TU_EQ(c->name, x.bytes, exp_bytes);

	/* what the client holds */
	if (s.glen > rlen || memcmp(s.got, ref, s.glen) != 0)
		fail_msg("[%s] the client's data is not a prefix of the file", c->name);
	if (intact) {
		uint8_t *back;
		int cr = 0;
		size_t bl;

		TU_CHECK(c->name, s.done);
		TU_MEMEQ(c->name, s.got, s.glen, ref, rlen);
		if (c->netascii) {
			back = malloc(s.glen + 1);
			assert_non_null(back);
			bl = nva_decode(&cr, s.got, s.glen, back, s.glen + 1);
			TU_EQ(c->name, cr, 0);
			TU_MEMEQ(c->name, back, bl, file, flen);
			free(back);
		}
	} else {
		TU_CHECK(c->name, !s.done);
	}

	/* contract checks made by the seam */
	TU_EQ(c->name, s.empty_sends, 0);
	TU_EQ(c->name, s.zero_timeouts, 0);
	TU_EQ(c->name, s.bad_dgrams, 0);
	TU_EQ(c->name, s.oversize_data, 0);
	TU_EQ(c->name, s.after_last, 0);
	TU_EQ(c->name, s.sent_after_error, 0);
	TU_CHECK(c->name, s.max_burst <= c->window);
	if (c->result == XFER_TIMEOUT) {
		/* giving up happens when the last wait expires, not before */
		assert_true(s.nrecs > 0);
		TU_EQ(c->name, s.now - s.recs[s.nrecs - 1].t, c->timeout_ms);
		if (c->window == 1) {
			/* lockstep: the final 1 + max_retries datagrams are the
			 * same block (or OACK), and the one before is not */
			size_t k = 1, last = s.nrecs - 1;

			while (k < s.nrecs && s.recs[last - k].op == s.recs[last].op &&
			       s.recs[last - k].blk == s.recs[last].blk)
				k++;
			TU_EQ(c->name, k, c->max_retries + 1u);
		}
	}

	/* premises and extras */
	if (c->need_straddle) {
		int found = 0;

		for (size_t k = c->blksize; k <= rlen; k += c->blksize)
			if (ref[k - 1] == '\r')
				found = 1;
		if (!found)
			fail_msg("[%s] test bug: no CR ends a block", c->name);
	}
	if (c->want_wrap)
		TU_CHECK(c->name, wrap_seen);
	if (c->send_calls)
		TU_EQ(c->name, s.n_send, c->send_calls);
	if (c->recv_calls)
		TU_EQ(c->name, s.n_recv, c->recv_calls);
	if (c->read_budget) {
		if ((uint64_t)s.n_read * 32 > x.blocks)
			fail_msg("[%s] %u io->read calls for %llu blocks", c->name,
				 s.n_read, (unsigned long long)x.blocks);
		print_message("[%s] blocks=%llu send=%u recv=%u read=%u now_ms=%u\n",
			      c->name, (unsigned long long)x.blocks, s.n_send,
			      s.n_recv, s.n_read, s.n_now);
	}

	xfer_free(&x);
	sim_free(&s);
	free(ref);
	free(file);
}

/* ------------------------------------------------------------------ */
/* The table. Sizes are chosen relative to the core's refill points where
 * that matters: files of 100 KB and more need several io->read chunks, so
 * windows straddle refills.                                           */

#define LOCK(b) .blksize = (b), .window = 1, .timeout_ms = T_MS, .max_retries = R_DEF
#define WIN(b, w) .blksize = (b), .window = (w), .timeout_ms = T_MS, .max_retries = R_DEF

static const struct xcase cases[] = {
	/* ---- sizes, lockstep ---- */
	{ .name = "empty file: one 0-byte DATA", LOCK(512), .size = 0 },
	{ .name = "1 byte", LOCK(512), .size = 1 },
	{ .name = "511 bytes", LOCK(512), .size = 511 },
	{ .name = "exactly 512: full block then empty block", LOCK(512), .size = 512 },
	{ .name = "513 bytes", LOCK(512), .size = 513 },
	{ .name = "1024 bytes: two full + empty", LOCK(512), .size = 1024 },
	{ .name = "blksize 8, 100 bytes", LOCK(8), .size = 100 },
	{ .name = "blksize 8, 96 bytes (multiple)", LOCK(8), .size = 96 },
	{ .name = "blksize 8, empty file", LOCK(8), .size = 0 },
	{ .name = "blksize 65464, 3 blocks + 10 bytes", LOCK(65464), .size = 3 * 65464 + 10 },
	{ .name = "blksize 65464, exactly 2 blocks", LOCK(65464), .size = 2 * 65464 },
	{ .name = "blksize 1000, 300 KB over several refills", LOCK(1000), .size = 300000 },
	{ .name = "lockstep 300 blocks + 77", LOCK(512), .size = 300 * 512 + 77 },

	/* ---- rollover: 70000 blocks of 8 bytes, wire 65535 -> 0 -> 1 ---- */
	{ .name = "rollover, lockstep blksize 8", LOCK(8), .size = 69999 * 8 + 5,
	  .want_wrap = 1 },
	/* Window 64; DATA #65530 (block 65530, inside window 65473..65536) is
	 * lost: the client ACKs 65529, the core resends 65530..65593, of
	 * which 65530..65536 were sent before: 7 retransmissions. Each window
	 * ACK is followed by a stale ACK of the previous window. */
	{ .name = "rollover, window 64 blksize 8, loss at the wrap, stale ACKs",
	  WIN(8, 64), .size = 69999 * 8 + 5, .want_wrap = 1,
	  .f = { .drop_data = { { 65530, 65530 } }, .stale_acks = 1 }, .retrans = 7 },
	{ .name = "rollover, window 4 blksize 8, exact multiple", WIN(8, 4),
	  .size = 70000 * 8, .want_wrap = 1 },

	/* ---- windows ---- */
	{ .name = "window 1, exact multiple", WIN(512, 1), .size = 4 * 512 },
	{ .name = "window 4, exact multiple (241 blocks)", WIN(512, 4), .size = 4 * 512 * 60 },
	{ .name = "window 4, non-multiple", WIN(512, 4), .size = 200000 },
	{ .name = "window 4, 240 blocks (last window is the empty block)",
	  WIN(512, 4), .size = 239 * 512 + 1 },
	{ .name = "window 64, exact multiple", WIN(512, 64), .size = 64 * 512 * 4 },
	{ .name = "window 64, non-multiple", WIN(512, 64), .size = 200001 },
	{ .name = "window 64, smaller than one window", WIN(512, 64), .size = 3000 },
	{ .name = "window 64, empty file", WIN(512, 64), .size = 0 },
	{ .name = "window 3, 300000 bytes", WIN(512, 3), .size = 300000 },
	{ .name = "window 4, blksize 1000, 200 KB", WIN(1000, 4), .size = 200000 },
	{ .name = "window 8, blksize 8", WIN(8, 8), .size = 1000 },
	{ .name = "window 4, blksize 65464", WIN(65464, 4), .size = 10 * 65464 + 5 },

	/* ---- Sorcerer's Apprentice (RFC 1123 4.2.3.1) ---- */
	{ .name = "lockstep, every ACK 4 times: no resend", LOCK(512), .size = 50 * 512 + 3,
	  .f = { .dup_acks = 3 } },
	{ .name = "window 4, every ACK 3 times: no resend", WIN(512, 4), .size = 200000,
	  .f = { .dup_acks = 2 } },
	/* DATA #3 lost; ACK 2 arrives again 300 and 600 ms later: those copies
	 * must neither resend block 3 nor postpone the timeout (timing check). */
	{ .name = "lockstep, lost DATA plus late duplicate ACKs: one resend at T",
	  LOCK(512), .size = 5000,
	  .f = { .drop_data = { { 3, 3 } }, .dup_acks = 2, .dup_gap_ms = 300 }, .retrans = 1 },
	{ .name = "OACK, ACK 0 three times: ignored in the data phase", LOCK(512), .oack = 1,
	  .size = 3000, .f = { .dup_acks = 2 } },

	/* ---- loss, lockstep ---- */
	{ .name = "lockstep, DATA #3 lost: one resend", LOCK(512), .size = 5000,
	  .f = { .drop_data = { { 3, 3 } } }, .retrans = 1 },
	{ .name = "lockstep, ACK #3 lost: one resend", LOCK(512), .size = 5000,
	  .f = { .drop_ack = { { 3, 3 } } }, .retrans = 1 },
	{ .name = "lockstep, last DATA lost", LOCK(512), .size = 5000,
	  .f = { .drop_data = { { 10, 10 } } }, .retrans = 1 },
	{ .name = "lockstep, last ACK lost", LOCK(512), .size = 5000,
	  .f = { .drop_ack = { { 10, 10 } } }, .retrans = 1 },
	{ .name = "lockstep, block 3 lost twice: two resends", LOCK(512), .size = 5000,
	  .f = { .drop_data = { { 3, 4 } } }, .retrans = 2 },
	/* R = 1: one timeout per loss is allowed; progress resets the count.
	 * DATA #3 = block 3, #4 its resend, #6 = block 5. */
	{ .name = "retry count resets after progress (R=1)", .blksize = 512, .window = 1,
	  .timeout_ms = T_MS, .max_retries = 1, .size = 5000,
	  .f = { .drop_data = { { 3, 3 }, { 6, 6 } } }, .retrans = 2 },
	{ .name = "timeout 250 ms is the one used", .blksize = 512, .window = 1,
	  .timeout_ms = 250, .max_retries = R_DEF, .size = 5000,
	  .f = { .drop_data = { { 2, 2 } }, .drop_ack = { { 5, 5 } } }, .retrans = 2 },

	/* ---- retries exhausted ---- */
	/* Every ACK from #3 lost: block 3 goes out 1 + R = 4 times. */
	{ .name = "lockstep, client silent after block 3: TIMEOUT", LOCK(512), .size = 5000,
	  .f = { .drop_ack = { { 3, ALL } } }, .result = XFER_TIMEOUT, .retrans = 3,
	  .part = { .set = 1, .blocks = 3, .data_sends = 6, .bytes = 2 * 512 } },
	{ .name = "R=0: block 1 sent once, then TIMEOUT", .blksize = 512, .window = 1,
	  .timeout_ms = T_MS, .max_retries = 0, .size = 5000,
	  .f = { .drop_data = { { 1, ALL } } }, .result = XFER_TIMEOUT,
	  .part = { .set = 1, .blocks = 1, .data_sends = 1, .bytes = 0 } },
	/* Window 5..8 lost on every try: 1 + R(2) sends of each: 8 resends. */
	{ .name = "window 4, R=2, all DATA from #5 lost: TIMEOUT", .blksize = 512,
	  .window = 4, .timeout_ms = T_MS, .max_retries = 2, .size = 20 * 512,
	  .f = { .drop_data = { { 5, ALL } } }, .result = XFER_TIMEOUT, .retrans = 8,
	  .part = { .set = 1, .blocks = 8, .data_sends = 16, .bytes = 4 * 512 } },

	/* ---- loss and reordering in a window (RFC 7440) ---- */
	/* DATA #2 lost: client keeps 1, sees 3: ACK 1 (gap). Core resends
	 * 2..5, of which 2,3,4 were sent before: 3 resends. */
	{ .name = "window 4, gap at block 2: ACK 1, resend 2..5", WIN(512, 4),
	  .size = 300 * 512 + 77, .f = { .drop_data = { { 2, 2 } } }, .retrans = 3 },
	/* Window 9..16, DATA #11 lost: ACK 10, resend 11..18: 11..16 = 6. */
	{ .name = "window 8, gap at block 11: resend 11..18", WIN(512, 8),
	  .size = 200000, .f = { .drop_data = { { 11, 11 } } }, .retrans = 6 },
	/* Last block of window 1 lost: the client sees no gap, the core times
	 * out and resends the whole window 1..4: 4 resends. */
	{ .name = "window 4, last block of a window lost: timeout, 4 resends",
	  WIN(512, 4), .size = 20000, .f = { .drop_data = { { 4, 4 } } }, .retrans = 4 },
	/* ACK 4 lost: timeout, 1..4 again (all duplicates), client re-ACKs 4. */
	{ .name = "window 4, window ACK lost: timeout, 4 resends", WIN(512, 4),
	  .size = 20000, .f = { .drop_ack = { { 1, 1 } } }, .retrans = 4 },
	/* 2 and 3 swapped: client keeps 1, sees 3 (gap: ACK 1), keeps 2, sees
	 * 4 (gap: ACK 2). ACK 1 -> resend 2..5 (2,3,4 again = 3; client keeps
	 * 3,4,5). ACK 2 -> resend 3..6 (3,4,5 again = 3; client keeps 6, its
	 * fourth block since the gap: ACK 6). Total 6 resends. */
	{ .name = "window 4, DATA 2 and 3 swapped", WIN(512, 4), .size = 200000,
	  .f = { .reorder_data = 2 }, .retrans = 6 },
	{ .name = "window 4, stale ACK of the previous window after each ACK",
	  WIN(512, 4), .size = 200000, .f = { .stale_acks = 1 } },
	{ .name = "lockstep, stale ACK k-1 after each ACK k", LOCK(512), .size = 20000,
	  .f = { .stale_acks = 1 } },

	/* ---- junk interleaved ---- */
	{ .name = "lockstep, junk before every ACK", LOCK(512), .size = 30 * 512 + 9,
	  .f = { .junk = 1 } },
	{ .name = "window 4, junk before every ACK", WIN(512, 4), .size = 200000,
	  .f = { .junk = 1 } },
	/* Junk keeps arriving every 150 ms while block 3 is lost: the resend
	 * must still come exactly T after the first copy (timing check). */
	{ .name = "lockstep, junk every 150 ms during a loss: one resend at T",
	  LOCK(512), .size = 5000,
	  .f = { .junk = 1, .junk_gap_ms = 150, .drop_data = { { 3, 3 } } }, .retrans = 1 },
	{ .name = "OACK, junk before ACK 0 and every ACK", LOCK(512), .oack = 1,
	  .size = 5000, .f = { .junk = 1 } },

	/* ---- OACK (RFC 2347) ---- */
	{ .name = "OACK, ACK 0, then data", LOCK(512), .oack = 1, .size = 5000 },
	{ .name = "OACK with window 4, ACK 0, then data", WIN(512, 4), .oack = 1,
	  .size = 20000 },
	{ .name = "OACK, ACK 0 lost once: OACK resent once", LOCK(512), .oack = 1,
	  .size = 5000, .f = { .drop_ack = { { 1, 1 } } }, .retrans = 1, .oack_sends = 2 },
	{ .name = "OACK answered with ERROR 8: OACK_REFUSED, nothing more sent",
	  LOCK(512), .oack = 1, .size = 5000, .f = { .oack_reply = OR_ERR8 },
	  .result = XFER_OACK_REFUSED, .peer_code = TE_OPTNEG,
	  .part = { .set = 1 } },
	{ .name = "OACK answered with ERROR 0: PEER_ERROR", LOCK(512), .oack = 1,
	  .size = 5000, .f = { .oack_reply = OR_ERR0 },
	  .result = XFER_PEER_ERROR, .peer_code = TE_UNDEF, .part = { .set = 1 } },
	{ .name = "OACK never answered: 1+R OACKs, TIMEOUT", LOCK(512), .oack = 1,
	  .size = 5000, .f = { .oack_reply = OR_SILENT }, .result = XFER_TIMEOUT,
	  .retrans = R_DEF, .oack_sends = R_DEF + 1, .part = { .set = 1 } },
	/* A stray ACK 5 every 600 ms (20 of them) while the OACK is unanswered:
	 * like junk, it must not postpone the OACK retransmission, so the OACK
	 * goes out at 0, T, 2T, 3T and the core gives up at 4T. */
	{ .name = "OACK unanswered, stray ACKs every 600 ms: OACK every T",
	  LOCK(512), .oack = 1, .size = 5000,
	  .f = { .oack_reply = OR_SILENT, .stray_acks = 20, .stray_gap_ms = 600 },
	  .result = XFER_TIMEOUT, .retrans = R_DEF, .oack_sends = R_DEF + 1,
	  .part = { .set = 1 } },

	/* ---- client ERROR mid-transfer ---- */
	/* ERROR instead of ACK 5: blocks 1..5 sent, 1..4 acknowledged. */
	{ .name = "lockstep, client ERROR 3 after block 5", LOCK(512), .size = 20000,
	  .f = { .err_after = 5, .err_code = TE_DISKFULL }, .result = XFER_PEER_ERROR,
	  .peer_code = TE_DISKFULL,
	  .part = { .set = 1, .blocks = 5, .data_sends = 5, .bytes = 4 * 512 } },
	/* ERROR while window 5..8 is in flight: 8 sent, 4 acknowledged. */
	{ .name = "window 4, client ERROR 0 after block 6", WIN(512, 4), .size = 20000,
	  .f = { .err_after = 6, .err_code = TE_UNDEF }, .result = XFER_PEER_ERROR,
	  .peer_code = TE_UNDEF,
	  .part = { .set = 1, .blocks = 8, .data_sends = 8, .bytes = 4 * 512 } },
	{ .name = "lockstep, client ERROR after the 1st block", LOCK(512), .size = 20000,
	  .f = { .err_after = 1, .err_code = TE_ACCESS }, .result = XFER_PEER_ERROR,
	  .peer_code = TE_ACCESS,
	  .part = { .set = 1, .blocks = 1, .data_sends = 1, .bytes = 0 } },

	/* ---- file read problems ---- */
	{ .name = "read error at offset 0: nothing sent", LOCK(512), .size = 5000,
	  .f = { .read_fail = 1, .read_fail_off = 0 }, .result = XFER_READ_ERROR,
	  .part = { .set = 1, .from_read_prefix = 1 } },
	/* Bytes below 100000 are readable: every block inside them goes out
	 * (195 of them), block 196 cannot be built. */
	{ .name = "read error at offset 100000 (3rd chunk)", LOCK(512), .size = 200000,
	  .f = { .read_fail = 1, .read_fail_off = 100000 }, .result = XFER_READ_ERROR,
	  .part = { .set = 1, .from_read_prefix = 1 } },
	{ .name = "netascii, read error at raw offset 5000", LOCK(512), .netascii = 1,
	  .kind = FK_TEXT, .size = 20000, .f = { .read_fail = 1, .read_fail_off = 5000 },
	  .result = XFER_READ_ERROR, .part = { .set = 1, .from_read_prefix = 1 } },
	{ .name = "short reads (<= 1000 bytes), lockstep", LOCK(512), .size = 50000,
	  .f = { .read_max = 1000 } },
	{ .name = "short reads (<= 1000 bytes), window 4", WIN(512, 4), .size = 200000,
	  .f = { .read_max = 1000 } },
	{ .name = "short reads (<= 7 bytes), blksize 8", LOCK(8), .size = 2000,
	  .f = { .read_max = 7 } },
	{ .name = "netascii, short reads (<= 100 bytes)", LOCK(512), .netascii = 1,
	  .kind = FK_TEXT, .size = 30000, .f = { .read_max = 100 } },

	/* ---- netascii ---- */
	{ .name = "netascii, blksize 8, pairs across blocks", LOCK(8), .netascii = 1,
	  .kind = FK_TEXT, .size = 3000, .need_straddle = 1 },
	{ .name = "netascii, blksize 512, LF/CR at the last byte of a block",
	  LOCK(512), .netascii = 1, .kind = FK_LF511, .size = 5000, .need_straddle = 1 },
	{ .name = "netascii, blksize 512, 200 KB over refills", LOCK(512), .netascii = 1,
	  .kind = FK_TEXT, .size = 200000, .need_straddle = 1 },
	{ .name = "netascii, window 4, blksize 512", WIN(512, 4), .netascii = 1,
	  .kind = FK_LF511, .size = 200000, .need_straddle = 1 },
	{ .name = "netascii, window 64, blksize 8", WIN(8, 64), .netascii = 1,
	  .kind = FK_TEXT, .size = 20000, .need_straddle = 1 },
	{ .name = "netascii, window 4, gap at block 2", WIN(512, 4), .netascii = 1,
	  .kind = FK_TEXT, .size = 100000, .f = { .drop_data = { { 2, 2 } } },
	  .retrans = 3 },
	{ .name = "netascii, empty file", LOCK(512), .netascii = 1, .kind = FK_LIT, .lit = "" },
	{ .name = "netascii, a lone LF", LOCK(512), .netascii = 1, .kind = FK_LIT, .lit = "\n" },
	/* 6 letters + CR -> 8 bytes "abcdef\r\0": one full block, then empty. */
	{ .name = "netascii, CR NUL fills the block exactly", LOCK(8), .netascii = 1,
	  .kind = FK_LIT, .lit = "abcdef\r" },
	/* 7 letters + CR -> CR ends block 1, the owed NUL is all of block 2. */
	{ .name = "netascii, final CR's NUL owed to the last block", LOCK(8),
	  .netascii = 1, .kind = FK_LIT, .lit = "abcdefg\r", .need_straddle = 1 },
	{ .name = "netascii, CR LF LF CR", LOCK(8), .netascii = 1, .kind = FK_LIT,
	  .lit = "abcdefg\n\n\r\n\r\rxyz\n" },

	/* ---- network errors ---- */
	{ .name = "recv fails (-2) on the 3rd call: NET_ERROR", LOCK(512), .size = 5000,
	  .f = { .recv_fail_at = 3 }, .result = XFER_NET_ERROR,
	  .part = { .set = 1, .blocks = 3, .data_sends = 3, .bytes = 2 * 512 } },
	/* The failed call delivered nothing; whether x->blocks counts the
	 * block it carried is not specified, so blocks is not asserted. */
	{ .name = "send fails on the 2nd call: NET_ERROR", LOCK(512), .size = 5000,
	  .f = { .send_fail_at = 2 }, .result = XFER_NET_ERROR,
	  .part = { .set = 1, .blocks = 1, .data_sends = 1, .bytes = 512,
		    .skip_blocks = 1 } },
	{ .name = "send of the OACK fails: NET_ERROR", LOCK(512), .oack = 1, .size = 5000,
	  .f = { .send_fail_at = 1 }, .result = XFER_NET_ERROR, .oack_sends = NO_OACK,
	  .part = { .set = 1 } },

	/* ---- call budget ---- */
	/* 999 full blocks + 100 bytes = 1000 blocks. Lockstep without loss:
	 * one io->send and one io->recv per block, i.e. exactly 1000 each. */
	{ .name = "budget: lockstep 1000 blocks = 1000 sends, 1000 recvs",
	  LOCK(512), .size = 999 * 512 + 100, .send_calls = 1000, .recv_calls = 1000,
	  .read_budget = 1 },
	/* With an OACK: one more send (the OACK) and one more recv (ACK 0). */
	{ .name = "budget: OACK + lockstep 1000 blocks = 1001 sends, 1001 recvs",
	  LOCK(512), .oack = 1, .size = 999 * 512 + 100, .send_calls = 1001,
	  .recv_calls = 1001, .read_budget = 1 },
	/* Window 8: one send call per window of 8 (125 windows), one recv for
	 * its ACK. */
	{ .name = "budget: window 8, 1000 blocks = 125 sends, 125 recvs",
	  WIN(512, 8), .size = 999 * 512 + 100, .send_calls = 125, .recv_calls = 125,
	  .read_budget = 1 },
	/* Window 64: 1000 = 15 * 64 + 40: 16 windows. */
	{ .name = "budget: window 64, 1000 blocks = 16 sends, 16 recvs",
	  WIN(512, 64), .size = 999 * 512 + 100, .send_calls = 16, .recv_calls = 16,
	  .read_budget = 1 },
	{ .name = "budget: netascii lockstep, reads in chunks", LOCK(512), .netascii = 1,
	  .kind = FK_TEXT, .size = 900 * 512, .read_budget = 1 },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

int main(void)
{
	struct CMUnitTest tests[NCASES];

	for (size_t i = 0; i < NCASES; i++) {
		tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(run_case,
									(void *)&cases[i]);
		tests[i].name = cases[i].name;
	}
	return cmocka_run_group_tests_name("xfer", tests, NULL, NULL);
}
