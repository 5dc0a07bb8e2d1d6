/* test_packet.c - table-driven tests of pkt_parse and the datagram builders.
 * Every datagram is parsed from a heap buffer of exactly its length, so a
 * read past the end shows up under valgrind/ASan, and every pointer the parser
 * returns is checked to lie inside the datagram with its NUL inside too.
 * Expected values come from RFC 1350/2347 framing and include/packet.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "testutil.h"

#define ST(x) (1u << (x))

/* Opcode prefixes, kept as separate literals so escapes never merge. */
#define RRQ "\0\1"
#define WRQ "\0\2"
#define DAT "\0\3"
#define ACK "\0\4"
#define ERR "\0\5"
#define OAK "\0\6"

struct pcase {
	const char *label;
	const uint8_t *buf; /* literal datagram ... */
	size_t len;
	size_t (*gen)(uint8_t **out); /* ... or a generator (malloc'd) */
	/* Accepted statuses. One bit, except where packet.h allows two
	 * readings (e.g. a 2-byte RRQ is "short" or "name without NUL"); every
	 * such row still requires a failure status. */
	unsigned want;
	/* Expected fields when the status is PKT_OK. */
	uint16_t opcode;
	const char *filename; /* NULL: checked by extra() instead */
	const char *mode;
	unsigned nopts, dropped;
	const char *const *opts; /* 2*nopts entries; a NULL value means "NULL" */
	uint16_t num;            /* DATA/ACK block, ERROR code */
	size_t dlen;             /* DATA payload length */
	const char *msg;         /* ERROR message */
	void (*extra)(const char *label, const struct tftp_pkt *p,
		      const uint8_t *buf, size_t len);
};

/* ---- generators for datagrams too large to spell as literals ---- */

static uint8_t *xmalloc(size_t n)
{
	uint8_t *p = malloc(n);

	if (p == NULL)
		fail_msg("malloc(%zu) failed", n);
	return p;
}

/* RRQ with a file name of namelen 'n' bytes and mode "octet". */
static size_t gen_rrq_name(uint8_t **out, size_t namelen)
{
	size_t len = 2 + namelen + 1 + 6;
	uint8_t *p = xmalloc(len);

	memcpy(p, RRQ, 2);
	memset(p + 2, 'n', namelen);
	memcpy(p + 2 + namelen, "\0octet", 7); /* includes the final NUL */
	*out = p;
	return len;
}

static size_t gen_name4000(uint8_t **out) { return gen_rrq_name(out, 4000); }
/* 2 + 65526 + 1 + 6 = 65535 bytes: the largest allowed datagram. */
static size_t gen_rrq65535(uint8_t **out) { return gen_rrq_name(out, 65526); }
/* One byte more than TFTP_REQ_MAX. */
static size_t gen_rrq65536(uint8_t **out) { return gen_rrq_name(out, 65527); }

/* RRQ "f" octet followed by npairs options "o<i>" = "<i>". */
static size_t gen_pairs(uint8_t **out, unsigned npairs)
{
	size_t cap = 16 + (size_t)npairs * 16, len;
	uint8_t *p = xmalloc(cap);
	unsigned i;

	memcpy(p, RRQ "f\0octet", 10);
	len = 10;
	for (i = 0; i < npairs; i++) {
		int n = snprintf((char *)p + len, cap - len, "o%u", i);

		len += (size_t)n + 1; /* keep snprintf's NUL */
		n = snprintf((char *)p + len, cap - len, "%u", i * 100);
		len += (size_t)n + 1;
	}
	*out = p;
	return len;
}

static size_t gen_pairs16(uint8_t **out) { return gen_pairs(out, TFTP_MAX_OPTS); }
static size_t gen_pairs20(uint8_t **out) { return gen_pairs(out, TFTP_MAX_OPTS + 4); }

static size_t gen_data(uint8_t **out, size_t payload, uint8_t hi, uint8_t lo)
{
	uint8_t *p = xmalloc(4 + payload);
	size_t i;

	p[0] = 0;
	p[1] = OP_DATA;
	p[2] = hi;
	p[3] = lo;
	for (i = 0; i < payload; i++)
		p[4 + i] = (uint8_t)(i * 7u + 1u); /* includes zero bytes */
	*out = p;
	return 4 + payload;
}

static size_t gen_data512(uint8_t **out) { return gen_data(out, 512, 0x12, 0x34); }
static size_t gen_data65535(uint8_t **out) { return gen_data(out, 65531, 0, 1); }

/* ---- extra checks for generated rows ---- */

static void check_name_n(const char *label, const struct tftp_pkt *p,
			 size_t n)
{
	size_t i;

	TU_EQ(label, p->u.rq.filename_len, n);
	TU_EQ(label, strlen(p->u.rq.filename), n);
	for (i = 0; i < n; i++)
		if (p->u.rq.filename[i] != 'n')
			fail_msg("[%s] filename byte %zu altered", label, i);
	TU_STREQ(label, p->u.rq.mode, "octet");
	TU_EQ(label, p->u.rq.nopts, 0);
	TU_EQ(label, p->u.rq.opts_dropped, 0);
}

static void extra_name4000(const char *label, const struct tftp_pkt *p,
			   const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	check_name_n(label, p, 4000);
}

static void extra_name65526(const char *label, const struct tftp_pkt *p,
			    const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	check_name_n(label, p, 65526);
}

static void extra_pairs(const char *label, const struct tftp_pkt *p)
{
	char name[16], value[16];
	unsigned i;

	TU_STREQ(label, p->u.rq.filename, "f");
	TU_STREQ(label, p->u.rq.mode, "octet");
	for (i = 0; i < p->u.rq.nopts; i++) {
		snprintf(name, sizeof name, "o%u", i);
		snprintf(value, sizeof value, "%u", i * 100);
		/* the kept pairs are the first ones, in datagram order */
		TU_STREQ(label, p->u.rq.opts[i].name, name);
		TU_STREQ(label, p->u.rq.opts[i].value, value);
	}
}

static void extra_pairs_any(const char *label, const struct tftp_pkt *p,
			    const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	extra_pairs(label, p);
}

static void extra_data(const char *label, const struct tftp_pkt *p,
		       const uint8_t *buf, size_t len)
{
	size_t i;

	(void)buf;
	(void)len;
	for (i = 0; i < p->u.data.len; i++)
		if (p->u.data.data[i] != (uint8_t)(i * 7u + 1u))
			fail_msg("[%s] payload byte %zu altered", label, i);
}

/* ---- the table ---- */

#define L(s) .buf = (const uint8_t *)(s), .len = sizeof(s) - 1
#define OPTS(...) .opts = (const char *const[]){ __VA_ARGS__ }

static const struct pcase cases[] = {
	/* 0-3 byte datagrams */
	{ "0 bytes", L(""), .want = ST(PKT_SHORT) },
	{ "1 byte NUL", L("\0"), .want = ST(PKT_SHORT) },
	{ "1 byte 0x01", L("\1"), .want = ST(PKT_SHORT) },
	{ "2 bytes RRQ opcode only", L(RRQ), .want = ST(PKT_SHORT) | ST(PKT_NONUL) },
	{ "2 bytes ACK opcode only", L(ACK), .want = ST(PKT_SHORT) },
	{ "2 bytes DATA opcode only", L(DAT), .want = ST(PKT_SHORT) },
	{ "2 bytes ERROR opcode only", L(ERR), .want = ST(PKT_SHORT) },
	{ "3 bytes ACK", L(ACK "\0"), .want = ST(PKT_SHORT) },
	{ "3 bytes DATA", L(DAT "\1"), .want = ST(PKT_SHORT) },
	{ "3 bytes ERROR", L(ERR "\0"), .want = ST(PKT_SHORT) },
	{ "3 bytes RRQ name w/o NUL", L(RRQ "a"), .want = ST(PKT_SHORT) | ST(PKT_NONUL) },
	/* empty name and then nothing: either defect may be reported first */
	{ "3 bytes RRQ empty name, no mode", L(RRQ "\0"),
	  .want = ST(PKT_SHORT) | ST(PKT_NONUL) | ST(PKT_EMPTYNAME) },

	/* opcodes outside 1..6 */
	{ "opcode 0", L("\0\0"), .want = ST(PKT_BADOP) },
	{ "opcode 0 with RRQ body", L("\0\0" "f\0" "octet\0"), .want = ST(PKT_BADOP) },
	{ "opcode 7", L("\0\7"), .want = ST(PKT_BADOP) },
	{ "opcode 7 with RRQ body", L("\0\7" "f\0" "octet\0"), .want = ST(PKT_BADOP) },
	{ "opcode 0xffff", L("\xff\xff" "f\0" "octet\0"), .want = ST(PKT_BADOP) },
	{ "opcode 0x0100 (byte-swapped RRQ)", L("\1\0" "f\0" "octet\0"), .want = ST(PKT_BADOP) },

	/* missing NULs in requests */
	{ "RRQ name w/o NUL", L(RRQ "file"), .want = ST(PKT_NONUL) },
	{ "RRQ no mode after name NUL", L(RRQ "file\0"), .want = ST(PKT_NONUL) | ST(PKT_SHORT) },
	{ "RRQ mode w/o NUL", L(RRQ "file\0" "octet"), .want = ST(PKT_NONUL) },
	{ "RRQ option name w/o NUL", L(RRQ "file\0" "octet\0" "blksize"), .want = ST(PKT_NONUL) },
	{ "RRQ option value w/o NUL", L(RRQ "file\0" "octet\0" "blksize\0" "1024"), .want = ST(PKT_NONUL) },
	{ "RRQ 2nd option value w/o NUL",
	  L(RRQ "file\0" "octet\0" "blksize\0" "1024\0" "tsize\0" "0"), .want = ST(PKT_NONUL) },
	{ "WRQ mode w/o NUL", L(WRQ "file\0" "octet"), .want = ST(PKT_NONUL) },

	/* empty strings */
	{ "RRQ empty filename", L(RRQ "\0" "octet\0"), .want = ST(PKT_EMPTYNAME) },
	{ "RRQ empty mode", L(RRQ "file\0" "\0"), .want = ST(PKT_EMPTYMODE) },
	{ "RRQ empty name and mode", L(RRQ "\0" "\0"),
	  .want = ST(PKT_EMPTYNAME) | ST(PKT_EMPTYMODE) },
	{ "WRQ empty filename", L(WRQ "\0" "octet\0"), .want = ST(PKT_EMPTYNAME) },

	/* well-formed requests */
	{ "RRQ minimal", L(RRQ "a\0" "octet\0"), .want = ST(PKT_OK),
	  .opcode = OP_RRQ, .filename = "a", .mode = "octet" },
	{ "WRQ minimal (parsed; refused by policy)", L(WRQ "a\0" "octet\0"), .want = ST(PKT_OK),
	  .opcode = OP_WRQ, .filename = "a", .mode = "octet" },
	{ "RRQ mode case kept", L(RRQ "dir/x.bin\0" "NetAscii\0"), .want = ST(PKT_OK),
	  .opcode = OP_RRQ, .filename = "dir/x.bin", .mode = "NetAscii" },
	{ "RRQ mode mail (parsed; refused by policy)", L(RRQ "x\0" "mail\0"), .want = ST(PKT_OK),
	  .opcode = OP_RRQ, .filename = "x", .mode = "mail" },
	{ "RRQ high bytes and backslash in name", L(RRQ "\xe9t\xe9\\..\\x\0" "octet\0"),
	  .want = ST(PKT_OK), .opcode = OP_RRQ, .filename = "\xe9t\xe9\\..\\x", .mode = "octet" },
	{ "RRQ 4000-byte filename", .gen = gen_name4000, .want = ST(PKT_OK),
	  .opcode = OP_RRQ, .extra = extra_name4000 },
	{ "RRQ 65535-byte datagram", .gen = gen_rrq65535, .want = ST(PKT_OK),
	  .opcode = OP_RRQ, .extra = extra_name65526 },
	{ "RRQ 65536-byte datagram", .gen = gen_rrq65536, .want = ST(PKT_LONG) },
	{ "RRQ options mixed case kept verbatim",
	  L(RRQ "f\0" "octet\0" "BlkSize\0" "1024\0" "TSIZE\0" "0\0" "WindowSize\0" "8\0"),
	  .want = ST(PKT_OK), .opcode = OP_RRQ, .filename = "f", .mode = "octet",
	  .nopts = 3, OPTS("BlkSize", "1024", "TSIZE", "0", "WindowSize", "8") },
	{ "RRQ lone option name -> value NULL",
	  L(RRQ "f\0" "octet\0" "blksize\0"),
	  .want = ST(PKT_OK), .opcode = OP_RRQ, .filename = "f", .mode = "octet",
	  .nopts = 1, OPTS("blksize", NULL) },
	{ "RRQ three option strings -> last value NULL",
	  L(RRQ "f\0" "octet\0" "blksize\0" "1024\0" "tsize\0"),
	  .want = ST(PKT_OK), .opcode = OP_RRQ, .filename = "f", .mode = "octet",
	  .nopts = 2, OPTS("blksize", "1024", "tsize", NULL) },
	{ "RRQ empty option value before another option",
	  L(RRQ "f\0" "octet\0" "blksize\0" "\0" "tsize\0" "0\0"),
	  .want = ST(PKT_OK), .opcode = OP_RRQ, .filename = "f", .mode = "octet",
	  .nopts = 2, OPTS("blksize", "", "tsize", "0") },
	{ "RRQ NUL padding after mode", L(RRQ "f\0" "octet\0" "\0\0\0"),
	  .want = ST(PKT_OK), .opcode = OP_RRQ, .filename = "f", .mode = "octet" },
	{ "RRQ NUL padding after options",
	  L(RRQ "f\0" "octet\0" "blksize\0" "1024\0" "\0\0\0\0"),
	  .want = ST(PKT_OK), .opcode = OP_RRQ, .filename = "f", .mode = "octet",
	  .nopts = 1, OPTS("blksize", "1024") },
	{ "RRQ exactly TFTP_MAX_OPTS pairs", .gen = gen_pairs16, .want = ST(PKT_OK),
	  .opcode = OP_RRQ, .filename = "f", .mode = "octet",
	  .nopts = TFTP_MAX_OPTS, .dropped = 0, .extra = extra_pairs_any },
	{ "RRQ TFTP_MAX_OPTS+4 pairs", .gen = gen_pairs20, .want = ST(PKT_OK),
	  .opcode = OP_RRQ, .filename = "f", .mode = "octet",
	  .nopts = TFTP_MAX_OPTS, .dropped = 4, .extra = extra_pairs_any },

	/* ACK */
	{ "ACK block 0", L(ACK "\0\0"), .want = ST(PKT_OK), .opcode = OP_ACK, .num = 0 },
	{ "ACK block 0x1234 (big-endian)", L(ACK "\x12\x34"), .want = ST(PKT_OK),
	  .opcode = OP_ACK, .num = 0x1234 },
	{ "ACK block 65535", L(ACK "\xff\xff"), .want = ST(PKT_OK), .opcode = OP_ACK, .num = 65535 },
	{ "ACK 5 bytes", L(ACK "\0\1" "\0"), .want = ST(PKT_LONG) },
	{ "ACK 6 bytes", L(ACK "\0\1" "xy"), .want = ST(PKT_LONG) },

	/* DATA */
	{ "DATA empty payload", L(DAT "\0\1"), .want = ST(PKT_OK), .opcode = OP_DATA,
	  .num = 1, .dlen = 0 },
	{ "DATA 1 byte NUL payload", L(DAT "\xff\xff" "\0"), .want = ST(PKT_OK), .opcode = OP_DATA,
	  .num = 65535, .dlen = 1 },
	{ "DATA 512 bytes payload", .gen = gen_data512, .want = ST(PKT_OK), .opcode = OP_DATA,
	  .num = 0x1234, .dlen = 512, .extra = extra_data },
	{ "DATA 65535-byte datagram", .gen = gen_data65535, .want = ST(PKT_OK), .opcode = OP_DATA,
	  .num = 1, .dlen = 65531, .extra = extra_data },

	/* ERROR */
	{ "ERROR with message", L(ERR "\0\1" "File not found\0"), .want = ST(PKT_OK),
	  .opcode = OP_ERROR, .num = 1, .msg = "File not found" },
	{ "ERROR empty message", L(ERR "\0\x08" "\0"), .want = ST(PKT_OK),
	  .opcode = OP_ERROR, .num = 8, .msg = "" },
	{ "ERROR code 0xffff", L(ERR "\xff\xff" "x\0"), .want = ST(PKT_OK),
	  .opcode = OP_ERROR, .num = 0xffff, .msg = "x" },
	{ "ERROR no message, no NUL", L(ERR "\0\2"), .want = ST(PKT_NONUL) | ST(PKT_SHORT) },
	{ "ERROR message w/o NUL", L(ERR "\0\2" "abc"), .want = ST(PKT_NONUL) },

	/* OACK */
	{ "OACK one option", L(OAK "blksize\0" "1024\0"), .want = ST(PKT_OK),
	  .opcode = OP_OACK, .nopts = 1, OPTS("blksize", "1024") },
	{ "OACK three options", L(OAK "blksize\0" "1428\0" "tsize\0" "123\0" "windowsize\0" "4\0"),
	  .want = ST(PKT_OK), .opcode = OP_OACK, .nopts = 3,
	  OPTS("blksize", "1428", "tsize", "123", "windowsize", "4") },
	{ "OACK value w/o NUL", L(OAK "blksize\0" "1024"), .want = ST(PKT_NONUL) },
	{ "OACK name w/o NUL", L(OAK "blksize"), .want = ST(PKT_NONUL) },
};

/* Invariants of any PKT_OK result, independent of the table. */
static void check_ok_invariants(const char *label, const struct tftp_pkt *p,
				const uint8_t *buf, size_t len)
{
	unsigned i;

	TU_CHECK(label, p->opcode >= OP_RRQ && p->opcode <= OP_OACK);
	TU_CHECK(label, len <= TFTP_REQ_MAX);
	switch (p->opcode) {
	case OP_RRQ:
	case OP_WRQ:
		TU_CHECK(label, tu_str_inside(p->u.rq.filename, buf, len));
		TU_CHECK(label, tu_str_inside(p->u.rq.mode, buf, len));
		TU_EQ(label, p->u.rq.filename_len, strlen(p->u.rq.filename));
		TU_CHECK(label, p->u.rq.filename_len > 0);
		TU_CHECK(label, p->u.rq.mode[0] != '\0');
		/* fall through - the options */
	case OP_OACK:
		TU_CHECK(label, p->u.rq.nopts <= TFTP_MAX_OPTS);
		for (i = 0; i < p->u.rq.nopts && i < TFTP_MAX_OPTS; i++) {
			TU_CHECK(label, tu_str_inside(p->u.rq.opts[i].name, buf, len));
			TU_CHECK(label, p->u.rq.opts[i].value == NULL ||
					tu_str_inside(p->u.rq.opts[i].value, buf, len));
		}
		break;
	case OP_DATA:
		TU_CHECK(label, len >= 4);
		TU_CHECK(label, p->u.data.data == buf + 4);
		TU_EQ(label, p->u.data.len, len - 4);
		break;
	case OP_ACK:
		TU_EQ(label, len, 4);
		break;
	case OP_ERROR:
		TU_CHECK(label, len >= 5);
		TU_CHECK(label, tu_str_inside(p->u.error.msg, buf, len));
		break;
	default:
		break;
	}
}

static void check_fields(const struct pcase *c, const struct tftp_pkt *p,
			   const uint8_t *buf, size_t len)
{
	unsigned i;

	TU_EQ(c->label, p->opcode, c->opcode);
	switch (c->opcode) {
	case OP_RRQ:
	case OP_WRQ:
		if (c->filename != NULL) {
			TU_STREQ(c->label, p->u.rq.filename, c->filename);
			TU_EQ(c->label, p->u.rq.filename_len, strlen(c->filename));
			TU_STREQ(c->label, p->u.rq.mode, c->mode);
		}
		/* fall through */
	case OP_OACK:
		TU_EQ(c->label, p->u.rq.nopts, c->nopts);
		TU_EQ(c->label, p->u.rq.opts_dropped, c->dropped);
		for (i = 0; c->opts != NULL && i < c->nopts; i++) {
			TU_STREQ(c->label, p->u.rq.opts[i].name, c->opts[2 * i]);
			if (c->opts[2 * i + 1] == NULL)
				TU_CHECK(c->label, p->u.rq.opts[i].value == NULL);
			else
				TU_STREQ(c->label, p->u.rq.opts[i].value, c->opts[2 * i + 1]);
		}
		break;
	case OP_DATA:
		TU_EQ(c->label, p->u.data.block, c->num);
		TU_EQ(c->label, p->u.data.len, c->dlen);
		break;
	case OP_ACK:
		TU_EQ(c->label, p->u.ack.block, c->num);
		break;
	case OP_ERROR:
		TU_EQ(c->label, p->u.error.code, c->num);
		TU_STREQ(c->label, p->u.error.msg, c->msg);
		break;
	default:
		fail_msg("[%s] bad table row", c->label);
	}
	if (c->extra != NULL)
		c->extra(c->label, p, buf, len);
}

static size_t case_bytes(const struct pcase *c, uint8_t **owned,
			 const uint8_t **bytes)
{
	*owned = NULL;
	if (c->gen != NULL) {
		size_t n = c->gen(owned);
		*bytes = *owned;
		return n;
	}
	*bytes = c->buf;
	return c->len;
}

static const char *status_name(enum pkt_status st)
{
	static const char *const names[] = {
		"PKT_OK", "PKT_SHORT", "PKT_BADOP", "PKT_NONUL", "PKT_LONG",
		"PKT_EMPTYNAME", "PKT_EMPTYMODE",
	};

	return (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "?";
}

/* One table row; run as its own cmocka test so every row is reported. */
static void test_parse_row(void **state)
{
	const struct pcase *c = *state;
	const uint8_t *bytes;
	uint8_t *owned, *h;
	struct tftp_pkt pkt;
	enum pkt_status st;
	size_t len = case_bytes(c, &owned, &bytes);

	h = tu_heapdup(bytes, len);
	free(owned);
	/* garbage in every field: the parser must set what it returns */
	memset(&pkt, 0xa5, sizeof pkt);
	st = pkt_parse(h, len, &pkt);
	if ((ST(st) & c->want) == 0) {
		free(h);
		fail_msg("[%s] status %s (%d), not an accepted one (mask %#x)",
			 c->label, status_name(st), (int)st, c->want);
	}
	if (st == PKT_OK) {
		check_ok_invariants(c->label, &pkt, h, len);
		check_fields(c, &pkt, h, len);
	}
	free(h);
}

/* Every proper prefix of every table datagram, each from an exact-size heap
 * buffer: the parser must never read past the end, whatever the cut. */
static void test_parse_prefixes(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct pcase *c = &cases[i];
		const uint8_t *bytes;
		uint8_t *owned;
		size_t len = case_bytes(c, &owned, &bytes);

		for (k = 0; len <= 5000 && k < len; k++) {
			uint8_t *h = tu_heapdup(bytes, k);
			struct tftp_pkt pkt;
			enum pkt_status st;

			memset(&pkt, 0xa5, sizeof pkt);
			st = pkt_parse(h, k, &pkt);
			TU_CHECK(c->label, st <= PKT_EMPTYMODE);
			/* nothing but perhaps an option-less OACK fits in < 4 */
			if (k < 4 && (k < 2 || bytes[1] != OP_OACK))
				TU_CHECK(c->label, st != PKT_OK);
			if (st == PKT_OK)
				check_ok_invariants(c->label, &pkt, h, k);
			free(h);
		}
		free(owned);
	}
}

/* Random short datagrams over a TFTP-ish alphabet (many NULs, opcode bytes). */
static void test_parse_random(void **state)
{
	static const uint8_t alpha[] = { 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 'a', 'B', 0xff };
	uint32_t seed = 0x2545f491u;
	unsigned iter, nok = 0;
	uint8_t tmp[48];

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		size_t len = tu_rand(&seed) % sizeof tmp, j;
		struct tftp_pkt pkt;
		enum pkt_status st;
		uint8_t *h;

		for (j = 0; j < len; j++)
			tmp[j] = alpha[tu_rand(&seed) % sizeof alpha];
		if (len > 0)
			tmp[0] = 0; /* mostly valid opcodes */
		if (len > 1)
			tmp[1] = (uint8_t)(tu_rand(&seed) % 8);
		h = tu_heapdup(tmp, len);
		memset(&pkt, 0xa5, sizeof pkt);
		st = pkt_parse(h, len, &pkt);
		TU_CHECK("random", st <= PKT_EMPTYMODE);
		if (len < 2)
			TU_EQ("random", st, PKT_SHORT);
		else if (tmp[1] == 0 || tmp[1] == 7)
			TU_EQ("random", st, PKT_BADOP);
		if (st == PKT_OK) {
			nok++;
			TU_EQ("random", pkt.opcode, tmp[1]);
			check_ok_invariants("random", &pkt, h, len);
		}
		free(h);
	}
	/* make sure the generator reached the success paths at all */
	assert_true(nok > 100);
}

/* ---- builders ---- */

static void test_build_error_small_cap(void **state)
{
	uint8_t buf[16];
	size_t cap;

	(void)state;
	for (cap = 0; cap < 5; cap++) {
		memset(buf, 0xee, sizeof buf);
		assert_int_equal(pkt_build_error(buf, cap, TE_NOTFOUND, "File not found"), 0);
		/* nothing written past cap */
		for (size_t j = cap; j < sizeof buf; j++)
			assert_int_equal(buf[j], 0xee);
	}
}

struct ecase {
	const char *label;
	size_t cap;
	uint16_t code;
	const char *msg;
	const uint8_t *want;
	size_t wantlen;
};

static const struct ecase ecases[] = {
	{ "cap 5: empty message", 5, 1, "File not found", TU_LIT(ERR "\0\1" "\0") },
	{ "cap 8: 3 message bytes", 8, 1, "File not found", TU_LIT(ERR "\0\1" "Fil\0") },
	{ "cap 18: one byte short", 18, 1, "File not found", TU_LIT(ERR "\0\1" "File not foun\0") },
	{ "cap 19: exact fit", 19, 1, "File not found", TU_LIT(ERR "\0\1" "File not found\0") },
	{ "cap 512: roomy", 512, 1, "File not found", TU_LIT(ERR "\0\1" "File not found\0") },
	{ "empty message", 512, 8, "", TU_LIT(ERR "\0\x08" "\0") },
	{ "code big-endian", 512, 0x0102, "x", TU_LIT(ERR "\1\2" "x\0") },
	{ "code 65535", 512, 0xffff, "y", TU_LIT(ERR "\xff\xff" "y\0") },
};

static void test_build_error_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ecases / sizeof ecases[0]; i++) {
		const struct ecase *e = &ecases[i];
		uint8_t buf[600];
		struct tftp_pkt pkt;
		size_t n, j;
		uint8_t *h;

		memset(buf, 0xee, sizeof buf);
		n = pkt_build_error(buf, e->cap, e->code, e->msg);
		TU_MEMEQ(e->label, buf, n, e->want, e->wantlen);
		for (j = e->cap; j < sizeof buf; j++)
			if (buf[j] != 0xee)
				fail_msg("[%s] wrote byte %zu past cap", e->label, j);
		h = tu_heapdup(buf, n);
		TU_EQ(e->label, pkt_parse(h, n, &pkt), PKT_OK);
		TU_EQ(e->label, pkt.opcode, OP_ERROR);
		TU_EQ(e->label, pkt.u.error.code, e->code);
		TU_EQ(e->label, strlen(pkt.u.error.msg), n - 5);
		TU_CHECK(e->label, strncmp(pkt.u.error.msg, e->msg, n - 5) == 0);
		free(h);
	}
}

/* Every cap from 5 to past the full size: length min(cap, full), parses back
 * to the message prefix that fits. */
static void test_build_error_all_caps(void **state)
{
	const char *msg = "Access violation: a fairly long message";
	size_t full = 4 + strlen(msg) + 1, cap;

	(void)state;
	for (cap = 5; cap <= full + 3; cap++) {
		uint8_t buf[64];
		struct tftp_pkt pkt;
		size_t n = pkt_build_error(buf, cap, TE_ACCESS, msg);
		uint8_t *h;

		assert_int_equal(n, cap < full ? cap : full);
		h = tu_heapdup(buf, n);
		assert_int_equal(pkt_parse(h, n, &pkt), PKT_OK);
		assert_int_equal(pkt.u.error.code, TE_ACCESS);
		assert_int_equal(strlen(pkt.u.error.msg), n - 5);
		assert_memory_equal(pkt.u.error.msg, msg, n - 5);
		free(h);
	}
}

static void test_data_header(void **state)
{
	static const struct { uint16_t blk; uint8_t want[4]; } t[] = {
		{ 0, { 0, 3, 0x00, 0x00 } },
		{ 1, { 0, 3, 0x00, 0x01 } },
		{ 256, { 0, 3, 0x01, 0x00 } },
		{ 0x1234, { 0, 3, 0x12, 0x34 } },
		{ 65535, { 0, 3, 0xff, 0xff } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t hdr[4], *h;
		struct tftp_pkt pkt;

		memset(hdr, 0xee, sizeof hdr);
		pkt_data_header(hdr, t[i].blk);
		assert_memory_equal(hdr, t[i].want, 4);
		/* a bare header is a valid empty DATA datagram */
		h = tu_heapdup(hdr, 4);
		assert_int_equal(pkt_parse(h, 4, &pkt), PKT_OK);
		assert_int_equal(pkt.opcode, OP_DATA);
		assert_int_equal(pkt.u.data.block, t[i].blk);
		assert_int_equal(pkt.u.data.len, 0);
		free(h);
	}
}

static void test_status_and_error_text(void **state)
{
	const char *s[PKT_EMPTYMODE + 1];
	unsigned i, j;

	(void)state;
	for (i = 0; i <= PKT_EMPTYMODE; i++) {
		s[i] = pkt_status_str((enum pkt_status)i);
		assert_non_null(s[i]);
		assert_true(s[i][0] != '\0');
		for (j = 0; j < i; j++)
			if (strcmp(s[i], s[j]) == 0)
				fail_msg("status %u and %u share text \"%s\"", i, j, s[i]);
	}
	for (i = 0; i <= TE_OPTNEG; i++) {
		const char *t = pkt_error_text((uint16_t)i);

		assert_non_null(t);
		/* short enough for any ERROR datagram with the RFC 1350 block */
		assert_true(strlen(t) < 100);
		if (i != TE_UNDEF)
			assert_true(t[0] != '\0');
	}
	assert_string_not_equal(pkt_error_text(TE_NOTFOUND), pkt_error_text(TE_ACCESS));
	assert_string_not_equal(pkt_error_text(TE_ACCESS), pkt_error_text(TE_BADOP));
	/* any 16-bit code yields some text (never NULL for pkt_build_error) */
	assert_non_null(pkt_error_text(9));
	assert_non_null(pkt_error_text(0xffff));
}

int main(void)
{
	const size_t nrows = sizeof cases / sizeof cases[0];
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_parse_prefixes),
		cmocka_unit_test(test_parse_random),
		cmocka_unit_test(test_build_error_small_cap),
		cmocka_unit_test(test_build_error_table),
		cmocka_unit_test(test_build_error_all_caps),
		cmocka_unit_test(test_data_header),
		cmocka_unit_test(test_status_and_error_text),
	};

	const size_t nfixed = sizeof fixed / sizeof fixed[0];
	struct CMUnitTest *tests = calloc(nrows + nfixed, sizeof *tests);
	size_t i;
	int rc;

	if (tests == NULL || nrows < 30)
		return 1;
	for (i = 0; i < nrows; i++) {
		tests[i].name = cases[i].label;
		tests[i].test_func = test_parse_row;
		tests[i].initial_state = (void *)&cases[i];
	}
	memcpy(tests + nrows, fixed, sizeof fixed);
	rc = _cmocka_run_group_tests("test_packet", tests, nrows + nfixed,
				     NULL, NULL);
	free(tests);
	return rc;
}
