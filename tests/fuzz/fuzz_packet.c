/* fuzz_packet.c - libFuzzer harness for the request path: pkt_parse, then
 * opts_negotiate and opts_build_oack on what it returns, path_clean and
 * log_escape on the file name, pkt_build_error on a message from the input.
 * Each checks what its header promises and aborts when it does not; the
 * input is copied into a heap buffer of exactly its size so ASan sees any
 * read past it. Test-only: never linked into the server. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "options.h"
#include "packet.h"
#include "path.h"
#include "tftp.h"

#include "fuzz.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* p points into buf[0..len) and its string's NUL lies inside too. */
static void check_str_inside(const char *p, const uint8_t *buf, size_t len)
{
	const uint8_t *u = (const uint8_t *)p;

	CHECK(p != NULL);
	CHECK(u >= buf && u < buf + len);
	CHECK(memchr(u, 0, len - (size_t)(u - buf)) != NULL);
}

static unsigned popcount4(unsigned v)
{
	return (v & 1u) + (v >> 1 & 1u) + (v >> 2 & 1u) + (v >> 3 & 1u);
}

static void check_rq(const struct tftp_pkt *p, const uint8_t *buf, size_t len)
{
	const struct tftp_rq *rq = &p->u.rq;
	const char *end; /* one past the NUL of the last string taken */

	if (p->opcode == OP_OACK) {
		end = (const char *)buf + 2;
	} else {
		CHECK(rq->filename == (const char *)buf + 2);
		check_str_inside(rq->filename, buf, len);
		CHECK(rq->filename_len == strlen(rq->filename));
		CHECK(rq->filename_len > 0);
		CHECK(rq->mode == rq->filename + rq->filename_len + 1);
		check_str_inside(rq->mode, buf, len);
		CHECK(rq->mode[0] != '\0');
		end = rq->mode + strlen(rq->mode) + 1;
	}
	CHECK(rq->nopts <= TFTP_MAX_OPTS);
	CHECK(rq->opts_dropped == 0 || rq->nopts == TFTP_MAX_OPTS);
	for (unsigned i = 0; i < rq->nopts; i++) {
		const struct tftp_optkv *kv = &rq->opts[i];

		/* Pairs follow each other without gaps, in datagram order. */
		CHECK(kv->name == end);
		check_str_inside(kv->name, buf, len);
		end = kv->name + strlen(kv->name) + 1;
		if (kv->value == NULL) {
			/* Only a last name that ends the datagram lacks a value. */
			CHECK(i == rq->nopts - 1 && rq->opts_dropped == 0);
			CHECK((const uint8_t *)end == buf + len);
		} else {
			CHECK(kv->value == end);
			check_str_inside(kv->value, buf, len);
			end = kv->value + strlen(kv->value) + 1;
		}
	}
	/* Everything after the last kept string is NUL padding. */
	if (rq->opts_dropped == 0)
		for (const uint8_t *q = (const uint8_t *)end; q < buf + len; q++)
			CHECK(*q == 0);
}

static void check_parse(const struct tftp_pkt *p, enum pkt_status st,
			const uint8_t *buf, size_t len)
{
	CHECK(st >= PKT_OK && st <= PKT_EMPTYMODE);
	CHECK(pkt_status_str(st) != NULL);
	if (len < 2) {
		CHECK(st == PKT_SHORT);
		return;
	}
	if (len > TFTP_REQ_MAX) {
		CHECK(st == PKT_LONG);
		return;
	}
	if (be16(buf) < OP_RRQ || be16(buf) > OP_OACK) {
		CHECK(st == PKT_BADOP);
		return;
	}
	if (st != PKT_OK)
		return;
	CHECK(p->opcode == be16(buf));
	switch (p->opcode) {
	case OP_RRQ:
	case OP_WRQ:
	case OP_OACK:
		check_rq(p, buf, len);
		break;
	case OP_DATA:
		CHECK(len >= 4);
		CHECK(p->u.data.block == be16(buf + 2));
		CHECK(p->u.data.data == buf + 4 && p->u.data.len == len - 4);
		break;
	case OP_ACK:
		CHECK(len == 4 && p->u.ack.block == be16(buf + 2));
		break;
	case OP_ERROR:
		CHECK(len >= 5 && p->u.error.code == be16(buf + 2));
		CHECK(p->u.error.msg == (const char *)buf + 4);
		check_str_inside(p->u.error.msg, buf, len);
		break;
	default:
		CHECK(0);
	}
}

/* ---- option negotiation ------------------------------------------------ */

/* Index of the first option called name (case-insensitive), or -1. */
static int first_opt(const struct tftp_rq *rq, const char *name)
{
	for (unsigned i = 0; i < rq->nopts; i++)
		if (strcasecmp(rq->opts[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* What the README's rules say the first occurrence of an option gives:
 * -1 ignored, 1 accepted with *v, 2 blksize below 8 (ERROR 8). */
static int rule_for(const struct tftp_rq *rq, const struct opt_limits *lim,
		    const char *name, unsigned bit, uint64_t *v)
{
	int i = first_opt(rq, name);

	if (i < 0 || (lim->refused & bit) || opt_number(rq->opts[i].value, v) != 0)
		return -1;
	switch (bit) {
	case OPT_BLKSIZE:
		if (*v < TFTP_BLKSIZE_MIN)
			return 2;
		if (*v > TFTP_BLKSIZE_MAX)
			*v = TFTP_BLKSIZE_MAX;
		if (*v > lim->max_blksize)
			*v = lim->max_blksize;
		return 1;
	case OPT_TSIZE:
		return 1;
	case OPT_TIMEOUT:
		return *v >= TFTP_TIMEOUT_MIN && *v <= TFTP_TIMEOUT_MAX ? 1 : -1;
	case OPT_WINDOWSIZE:
		if (*v < 1 || *v > TFTP_WINDOW_MAX)
			return -1;
		if (*v > lim->max_window)
			*v = lim->max_window;
		return 1;
	}
	return -1;
}

static const struct {
	const char *name;
	unsigned bit;
} known[] = {
	{ "blksize", OPT_BLKSIZE },
	{ "tsize", OPT_TSIZE },
	{ "timeout", OPT_TIMEOUT },
	{ "windowsize", OPT_WINDOWSIZE },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

static uint64_t field_of(const struct tftp_opts *o, unsigned bit)
{
	switch (bit) {
	case OPT_BLKSIZE: return o->blksize;
	case OPT_TSIZE: return o->tsize;
	case OPT_TIMEOUT: return o->timeout_s;
	default: return o->windowsize;
	}
}

/* The OACK for o parses back as an OACK with exactly the accepted options,
 * lowercase names and the negotiated values; every smaller buffer is
 * refused without a byte written past it. */
static void check_oack(const struct tftp_opts *o, const uint8_t *data, size_t size)
{
	uint8_t big[512], *b;
	size_t n, n2, cap;
	struct tftp_pkt p;
	unsigned seen = 0;

	n = opts_build_oack(o, big, sizeof(big));
	CHECK(n >= 2 && n <= sizeof(big));
	b = dup_exact(big, n);
	n2 = opts_build_oack(o, b, n); /* exactly enough room */
	CHECK(n2 == n && memcmp(b, big, n) == 0);
	CHECK(pkt_parse(b, n, &p) == PKT_OK);
	CHECK(p.opcode == OP_OACK);
	CHECK(p.u.rq.nopts == popcount4(o->accepted) && p.u.rq.opts_dropped == 0);
	for (unsigned i = 0; i < p.u.rq.nopts; i++) {
		const struct tftp_optkv *kv = &p.u.rq.opts[i];
		uint64_t v;
		size_t k;

		for (k = 0; k < NKNOWN; k++)
			if (strcmp(kv->name, known[k].name) == 0)
				break;
		CHECK(k < NKNOWN); /* lowercase table name */
		CHECK(o->accepted & known[k].bit);
		CHECK(!(seen & known[k].bit));
		seen |= known[k].bit;
		CHECK(opt_number(kv->value, &v) == 0);
		CHECK(v == field_of(o, known[k].bit));
	}
	CHECK(seen == o->accepted);
	free(b);

	cap = size > 0 ? data[0] % n : 0; /* some size in 0..n-1 */
	b = dup_exact(big, cap);
	CHECK(opts_build_oack(o, b, cap) == 0 || (cap >= 2 && o->accepted == 0));
	free(b);
}

static void check_negotiate(const struct tftp_rq *rq, const struct opt_limits *lim,
			    uint64_t tsize, const uint8_t *data, size_t size)
{
	struct tftp_opts o;
	const char *why = NULL;
	int r = opts_negotiate(rq, lim, &o, &why);
	int neg8 = 0;

	/* Reference: each known option, first occurrence only. */
	for (size_t k = 0; k < NKNOWN; k++) {
		uint64_t v = 0;
		int want = rule_for(rq, lim, known[k].name, known[k].bit, &v);

		if (want == 2)
			neg8 = 1;
		if (r != 0)
			continue;
		if (want == 1) {
			CHECK(o.accepted & known[k].bit);
			if (known[k].bit != OPT_TSIZE)
				CHECK(field_of(&o, known[k].bit) == v);
		} else {
			CHECK(!(o.accepted & known[k].bit));
		}
	}
	if (r != 0) {
		CHECK(r == TE_OPTNEG && why != NULL && neg8);
		return;
	}
	CHECK(!neg8);
	CHECK((o.accepted & ~15u) == 0 && (o.accepted & lim->refused) == 0);
	CHECK(popcount4(o.accepted) + o.ignored == rq->nopts + rq->opts_dropped);
	if (o.accepted & OPT_BLKSIZE)
		CHECK(o.blksize >= TFTP_BLKSIZE_MIN && o.blksize <= TFTP_BLKSIZE_MAX &&
		      o.blksize <= lim->max_blksize);
	else
		CHECK(o.blksize == TFTP_SEGSIZE);
	if (o.accepted & OPT_WINDOWSIZE)
		CHECK(o.windowsize >= 1 && o.windowsize <= lim->max_window);
	else
		CHECK(o.windowsize == 1);
	if (o.accepted & OPT_TIMEOUT)
		CHECK(o.timeout_s >= TFTP_TIMEOUT_MIN && o.timeout_s <= TFTP_TIMEOUT_MAX);
	else
		CHECK(o.timeout_s == 0);
	CHECK(o.tsize == 0);
	o.tsize = tsize;
	check_oack(&o, data, size);
}

/* ---- path_clean -------------------------------------------------------- */

/* The README's rules, written out plainly: expected result in exp (at
 * least len + 1 bytes); returns 0 or -1 for "refused". */
static int ref_clean(const char *name, size_t len, size_t outsz, char *exp)
{
	size_t i = 0, o = 0;

	if (len > TFTP_NAME_MAX)
		return -1;
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)name[k] < 0x20 || (unsigned char)name[k] == 0x7f)
			return -1;
	while (i < len) {
		size_t s;

		while (i < len && name[i] == '/')
			i++;
		s = i;
		while (i < len && name[i] != '/')
			i++;
		if (i == s || (i - s == 1 && name[s] == '.'))
			continue;
		if (i - s == 2 && name[s] == '.' && name[s + 1] == '.')
			return -1;
		if (o > 0)
			exp[o++] = '/';
		memcpy(exp + o, name + s, i - s);
		o += i - s;
	}
	exp[o] = '\0';
	if (o == 0 || o + 1 > outsz)
		return -1;
	return 0;
}

static void check_clean(const char *name, size_t len, size_t outsz)
{
	char *out = malloc(outsz); /* exactly outsz: a write past it is caught */
	char *exp = malloc(len + 1);
	const char *why = NULL;
	int r, want;

	CHECK(exp != NULL && (out != NULL || outsz == 0));
	r = path_clean(name, len, out, outsz, &why);
	want = ref_clean(name, len, outsz, exp);
	if (r != 0) {
		CHECK(r == TE_ACCESS || r == TE_NOTFOUND);
		CHECK(why != NULL);
		CHECK(want != 0);
	} else {
		const char *c = out;
		size_t olen;

		CHECK(memchr(out, 0, outsz) != NULL); /* NUL inside outsz */
		olen = strlen(out);
		CHECK(olen > 0 && olen <= TFTP_NAME_MAX);
		CHECK(out[0] != '/' && out[olen - 1] != '/');
		CHECK(strstr(out, "//") == NULL);
		for (size_t k = 0; k < olen; k++)
			CHECK((unsigned char)out[k] >= 0x20 && (unsigned char)out[k] != 0x7f);
		for (;;) { /* no "." or ".." component */
			const char *e = strchr(c, '/');
			size_t cl = e ? (size_t)(e - c) : strlen(c);

			CHECK(!(cl == 1 && c[0] == '.'));
			CHECK(!(cl == 2 && c[0] == '.' && c[1] == '.'));
			if (e == NULL)
				break;
			c = e + 1;
		}
		CHECK(want == 0 && strcmp(out, exp) == 0);
	}
	free(exp);
	free(out);
}

/* ---- log_escape -------------------------------------------------------- */

static size_t esc_need(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\' && c != '"' ? 1 : 4;
}

static int hexdig(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undo the escaping of out[0..n); returns the byte count, -1 if malformed. */
static long unescape(const char *out, size_t n, unsigned char *dst)
{
	size_t i = 0, d = 0;

	while (i < n) {
		if (out[i] == '\\') {
			int h, l;

			if (i + 4 > n || out[i + 1] != 'x')
				return -1;
			h = hexdig(out[i + 2]);
			l = hexdig(out[i + 3]);
			if (h < 0 || l < 0)
				return -1;
			dst[d++] = (unsigned char)(h << 4 | l);
			i += 4;
		} else {
			dst[d++] = (unsigned char)out[i++];
		}
	}
	return (long)d;
}

static void check_escape(const unsigned char *in, size_t inlen, size_t outsz)
{
	char *out = malloc(outsz);
	unsigned char *back = malloc(inlen + 1);
	size_t total = 0, r, keep;
	long d;

	CHECK((out != NULL || outsz == 0) && back != NULL);
	for (size_t i = 0; i < inlen; i++)
		total += esc_need(in[i]);
	r = log_escape(in, inlen, out, outsz);
	if (outsz == 0) {
		CHECK(r == 0);
		goto done;
	}
	CHECK(r < outsz && out[r] == '\0' && strlen(out) == r);
	for (size_t i = 0; i < r; i++)
		CHECK(out[i] >= 0x20 && out[i] < 0x7f && out[i] != '"');
	keep = r;
	if (total >= outsz) { /* cut: "..." when there is room for it */
		if (outsz >= 4) {
			CHECK(r >= 3 && memcmp(out + r - 3, "...", 3) == 0);
			keep = r - 3;
		}
	}
	d = unescape(out, keep, back);
	CHECK(d >= 0 && (size_t)d <= inlen);
	CHECK(memcmp(back, in, (size_t)d) == 0);
	if (total < outsz) {
		CHECK((size_t)d == inlen && r == total);
	} else if (outsz >= 4) {
		/* Only what does not fit is cut: the next byte would not. */
		CHECK((size_t)d < inlen);
		CHECK(keep + esc_need(in[d]) + 4 > outsz);
	}
done:
	free(back);
	free(out);
}

/* ---- pkt_build_error --------------------------------------------------- */

static void check_error_build(const char *msg, uint16_t code, size_t cap)
{
	uint8_t *b = malloc(cap);
	size_t n, want;
	struct tftp_pkt p;

	CHECK(b != NULL || cap == 0);
	n = pkt_build_error(b, cap, code, msg);
	if (cap < 5) {
		CHECK(n == 0);
		free(b);
		return;
	}
	want = strlen(msg);
	if (want > cap - 5)
		want = cap - 5;
	CHECK(n == want + 5);
	CHECK(pkt_parse(b, n, &p) == PKT_OK);
	CHECK(p.opcode == OP_ERROR && p.u.error.code == code);
	CHECK(strlen(p.u.error.msg) == want && memcmp(p.u.error.msg, msg, want) == 0);
	CHECK(pkt_error_text(code) != NULL);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = dup_exact(data, size);
	uint8_t t0 = size > 0 ? data[size - 1] : 0;
	uint8_t t1 = size > 1 ? data[size - 2] : 0;
	uint8_t t2 = size > 2 ? data[size - 3] : 0;
	struct tftp_pkt p;
	enum pkt_status st;
	char *msg;

	st = pkt_parse(buf, size, &p);
	check_parse(&p, st, buf, size);

	if (st == PKT_OK && (p.opcode == OP_RRQ || p.opcode == OP_WRQ ||
			     p.opcode == OP_OACK)) {
		const struct opt_limits lims[3] = {
			{ TFTP_BLKSIZE_MAX, 64, 0 }, /* the defaults */
			{ TFTP_SEGSIZE, 1, OPT_TSIZE | OPT_TIMEOUT },
			/* limits from the input's tail */
			{ TFTP_BLKSIZE_MIN + (unsigned)(t0 << 8 | t1) % 65457u,
			  1u + (unsigned)(t1 << 8 | t2), t2 & 15u },
		};
		uint64_t tsize = t0 & 1 ? UINT64_MAX : (uint64_t)size * 977u;

		for (size_t i = 0; i < 3; i++)
			check_negotiate(&p.u.rq, &lims[i], tsize, data, size);
	}
	if (st == PKT_OK && (p.opcode == OP_RRQ || p.opcode == OP_WRQ)) {
		const struct tftp_rq *rq = &p.u.rq;

		check_clean(rq->filename, rq->filename_len, TFTP_NAME_MAX + 1);
		check_clean(rq->filename, rq->filename_len, t0);
		check_escape((const unsigned char *)rq->filename, rq->filename_len,
			     4 * rq->filename_len + 1);
		check_escape((const unsigned char *)rq->filename, rq->filename_len, t0);
	}
	/* The raw bytes as a name too: NULs and any length reach path_clean. */
	check_clean((const char *)buf, size, TFTP_NAME_MAX + 1);
	check_escape(buf, size, (size_t)t1 * 4);

	msg = malloc(size + 1);
	CHECK(msg != NULL);
	memcpy(msg, data, size);
	msg[size] = '\0';
	check_error_build(msg, (uint16_t)(t0 << 8 | t2), (size_t)t1 + 2);
	check_error_build(msg, t0, 65535);
	free(msg);
	free(buf);
	return 0;
}
