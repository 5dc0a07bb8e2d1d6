/* test_options.c - table-driven tests of opt_number, opts_negotiate,
 * opts_build_oack and opt_bit_by_name. Bounds come from RFC 2348/2349/7440
 * and the project decisions (notes/common.md): blksize 8..65464 clamped to
 * max_blksize, below 8 refused with TE_OPTNEG; timeout 1..255 else ignored;
 * windowsize 1..65535 clamped to max_window, else ignored; malformed,
 * unknown, duplicate (first wins) and refused options ignored. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "packet.h"
#include "testutil.h"

/* ---- opt_number ---- */

struct ncase {
	const char *s;
	int ret;
	uint64_t val;
};

static const struct ncase ncases[] = {
	{ "0", 0, 0 },
	{ "1", 0, 1 },
	{ "512", 0, 512 },
	{ "65464", 0, 65464 },
	{ "007", 0, 7 },
	{ "0000000000000000000000000000000000000001", 0, 1 },
	{ "4294967296", 0, 4294967296ull },
	{ "18446744073709551614", 0, UINT64_MAX - 1 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "18446744073709551616", 0, UINT64_MAX },          /* saturates */
	{ "99999999999999999999999999999999", 0, UINT64_MAX }, /* saturates */
	{ "", -1, 0 },
	{ "+1", -1, 0 },
	{ "-1", -1, 0 },
	{ "-0", -1, 0 },
	{ " 1", -1, 0 },
	{ "1 ", -1, 0 },
	{ "\t1", -1, 0 },
	{ "1\n", -1, 0 },
	{ "0x10", -1, 0 },
	{ "1a", -1, 0 },
	{ "a1", -1, 0 },
	{ "1.5", -1, 0 },
	{ "1e3", -1, 0 },
	{ "\xd9\xa1", -1, 0 }, /* ARABIC-INDIC DIGIT ONE: not an ASCII digit */
};

static void test_opt_number(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ncases / sizeof ncases[0]; i++) {
		const struct ncase *c = &ncases[i];
		/* exact-size copy including the NUL: no read past it */
		char *h = (char *)tu_heapdup(c->s, strlen(c->s) + 1);
		uint64_t v = 0xdeadbeefu;
		int r = opt_number(h, &v);

		TU_EQ(c->s, r, c->ret);
		if (c->ret == 0)
			TU_EQ(c->s, v, c->val);
		free(h);
	}
}

/* ---- opts_negotiate ---- */

#define MAXOPT 8

struct ocase {
	const char *label;
	struct opt_limits lim;
	unsigned n;                  /* option pairs */
	const char *kv[2 * MAXOPT];  /* name, value (value may be NULL) */
	int ret;
	/* expected when ret == 0 */
	unsigned accepted, blksize, windowsize, timeout_s, ignored;
};

#define DEF { 65464, 64, 0 }
#define BLK OPT_BLKSIZE
#define TSZ OPT_TSIZE
#define TMO OPT_TIMEOUT
#define WIN OPT_WINDOWSIZE
/* accepted, blksize, windowsize, timeout_s, ignored */
#define R(acc, blk, win, tmo, ign) 0, acc, blk, win, tmo, ign
#define NEG TE_OPTNEG, 0, 0, 0, 0, 0

static const struct ocase ocases[] = {
	{ "no options", DEF, 0, { 0 }, R(0, 512, 1, 0, 0) },

	/* blksize at and past its bounds */
	{ "blksize 0", DEF, 1, { "blksize", "0" }, NEG },
	{ "blksize 7", DEF, 1, { "blksize", "7" }, NEG },
	{ "blksize 8", DEF, 1, { "blksize", "8" }, R(BLK, 8, 1, 0, 0) },
	{ "blksize 00008", DEF, 1, { "blksize", "00008" }, R(BLK, 8, 1, 0, 0) },
	{ "blksize 512", DEF, 1, { "blksize", "512" }, R(BLK, 512, 1, 0, 0) },
	{ "blksize 1428", DEF, 1, { "blksize", "1428" }, R(BLK, 1428, 1, 0, 0) },
	{ "blksize 65464", DEF, 1, { "blksize", "65464" }, R(BLK, 65464, 1, 0, 0) },
	{ "blksize 65465 clamped", DEF, 1, { "blksize", "65465" }, R(BLK, 65464, 1, 0, 0) },
	{ "blksize 65536 clamped", DEF, 1, { "blksize", "65536" }, R(BLK, 65464, 1, 0, 0) },
	{ "blksize 2^32+512 clamped (no wrap)", DEF, 1, { "blksize", "4294967808" },
	  R(BLK, 65464, 1, 0, 0) },
	{ "blksize huge clamped", DEF, 1, { "blksize", "99999999999999999999999999" },
	  R(BLK, 65464, 1, 0, 0) },
	{ "max_blksize 1468: 1500 clamped", { 1468, 64, 0 }, 1, { "blksize", "1500" },
	  R(BLK, 1468, 1, 0, 0) },
	{ "max_blksize 1468: 1468", { 1468, 64, 0 }, 1, { "blksize", "1468" }, R(BLK, 1468, 1, 0, 0) },
	{ "max_blksize 1468: 1467", { 1468, 64, 0 }, 1, { "blksize", "1467" }, R(BLK, 1467, 1, 0, 0) },
	{ "max_blksize 1468: 65464 clamped", { 1468, 64, 0 }, 1, { "blksize", "65464" },
	  R(BLK, 1468, 1, 0, 0) },
	{ "max_blksize 1468: 8", { 1468, 64, 0 }, 1, { "blksize", "8" }, R(BLK, 8, 1, 0, 0) },
	{ "max_blksize 1468: 7", { 1468, 64, 0 }, 1, { "blksize", "7" }, NEG },
	{ "max_blksize 8: 9 clamped", { 8, 64, 0 }, 1, { "blksize", "9" }, R(BLK, 8, 1, 0, 0) },

	/* timeout: 1..255 accepted, otherwise ignored */
	{ "timeout 0 ignored", DEF, 1, { "timeout", "0" }, R(0, 512, 1, 0, 1) },
	{ "timeout 1", DEF, 1, { "timeout", "1" }, R(TMO, 512, 1, 1, 0) },
	{ "timeout 255", DEF, 1, { "timeout", "255" }, R(TMO, 512, 1, 255, 0) },
	{ "timeout 256 ignored", DEF, 1, { "timeout", "256" }, R(0, 512, 1, 0, 1) },
	{ "timeout 2^32+1 ignored (no wrap)", DEF, 1, { "timeout", "4294967297" },
	  R(0, 512, 1, 0, 1) },
	{ "timeout huge ignored", DEF, 1, { "timeout", "99999999999999999999999" },
	  R(0, 512, 1, 0, 1) },

	/* windowsize: 1..65535, clamped to max_window; 0 or > 65535 ignored */
	{ "windowsize 0 ignored", DEF, 1, { "windowsize", "0" }, R(0, 512, 1, 0, 1) },
	{ "windowsize 1", DEF, 1, { "windowsize", "1" }, R(WIN, 512, 1, 0, 0) },
	{ "windowsize 64", DEF, 1, { "windowsize", "64" }, R(WIN, 512, 64, 0, 0) },
	{ "windowsize 65 clamped", DEF, 1, { "windowsize", "65" }, R(WIN, 512, 64, 0, 0) },
	{ "windowsize 65535 clamped", DEF, 1, { "windowsize", "65535" }, R(WIN, 512, 64, 0, 0) },
	{ "windowsize 65536 ignored", DEF, 1, { "windowsize", "65536" }, R(0, 512, 1, 0, 1) },
	{ "windowsize 2^32+1 ignored (no wrap)", DEF, 1, { "windowsize", "4294967297" },
	  R(0, 512, 1, 0, 1) },
	{ "max_window 65535: 65535", { 65464, 65535, 0 }, 1, { "windowsize", "65535" },
	  R(WIN, 512, 65535, 0, 0) },
	{ "max_window 65535: 65536 ignored", { 65464, 65535, 0 }, 1, { "windowsize", "65536" },
	  R(0, 512, 1, 0, 1) },
	{ "max_window 1: 2 clamped", { 65464, 1, 0 }, 1, { "windowsize", "2" },
	  R(WIN, 512, 1, 0, 0) },

	/* tsize: any number accepted, the caller fills in the size */
	{ "tsize 0", DEF, 1, { "tsize", "0" }, R(TSZ, 512, 1, 0, 0) },
	{ "tsize 12345", DEF, 1, { "tsize", "12345" }, R(TSZ, 512, 1, 0, 0) },
	{ "tsize empty ignored", DEF, 1, { "tsize", "" }, R(0, 512, 1, 0, 1) },
	{ "tsize NULL ignored", DEF, 1, { "tsize", NULL }, R(0, 512, 1, 0, 1) },
	{ "tsize non-number ignored", DEF, 1, { "tsize", "abc" }, R(0, 512, 1, 0, 1) },

	/* malformed values: ignored, never TE_OPTNEG */
	{ "blksize NULL", DEF, 1, { "blksize", NULL }, R(0, 512, 1, 0, 1) },
	{ "blksize empty", DEF, 1, { "blksize", "" }, R(0, 512, 1, 0, 1) },
	{ "blksize abc", DEF, 1, { "blksize", "abc" }, R(0, 512, 1, 0, 1) },
	{ "blksize -512", DEF, 1, { "blksize", "-512" }, R(0, 512, 1, 0, 1) },
	{ "blksize -1", DEF, 1, { "blksize", "-1" }, R(0, 512, 1, 0, 1) },
	{ "blksize +512", DEF, 1, { "blksize", "+512" }, R(0, 512, 1, 0, 1) },
	{ "blksize ' 512'", DEF, 1, { "blksize", " 512" }, R(0, 512, 1, 0, 1) },
	{ "blksize '1024 '", DEF, 1, { "blksize", "1024 " }, R(0, 512, 1, 0, 1) },
	{ "blksize 0x400", DEF, 1, { "blksize", "0x400" }, R(0, 512, 1, 0, 1) },
	{ "timeout NULL", DEF, 1, { "timeout", NULL }, R(0, 512, 1, 0, 1) },
	{ "windowsize empty", DEF, 1, { "windowsize", "" }, R(0, 512, 1, 0, 1) },

	/* duplicates: the first occurrence wins, later ones are ignored */
	{ "dup blksize", DEF, 2, { "blksize", "1024", "blksize", "2048" },
	  R(BLK, 1024, 1, 0, 1) },
	{ "dup blksize other case", DEF, 2, { "blksize", "1024", "BLKSIZE", "2048" },
	  R(BLK, 1024, 1, 0, 1) },
	{ "dup blksize, later 7 ignored", DEF, 2, { "blksize", "1024", "blksize", "7" },
	  R(BLK, 1024, 1, 0, 1) },
	{ "dup timeout", DEF, 2, { "timeout", "3", "TimeOut", "9" }, R(TMO, 512, 1, 3, 1) },
	{ "dup windowsize", DEF, 2, { "windowsize", "4", "WindowSize", "8" },
	  R(WIN, 512, 4, 0, 1) },
	{ "dup tsize", DEF, 2, { "tsize", "0", "tsize", "0" }, R(TSZ, 512, 1, 0, 1) },
	{ "triple blksize", DEF, 3, { "blksize", "1024", "blksize", "2048", "blksize", "4096" },
	  R(BLK, 1024, 1, 0, 2) },

	/* names are case-insensitive */
	{ "BlkSize", DEF, 1, { "BlkSize", "1024" }, R(BLK, 1024, 1, 0, 0) },
	{ "BLKSIZE", DEF, 1, { "BLKSIZE", "1024" }, R(BLK, 1024, 1, 0, 0) },
	{ "TSIZE", DEF, 1, { "TSIZE", "0" }, R(TSZ, 512, 1, 0, 0) },
	{ "TimeOut", DEF, 1, { "TimeOut", "5" }, R(TMO, 512, 1, 5, 0) },
	{ "WINDOWSIZE", DEF, 1, { "WINDOWSIZE", "16" }, R(WIN, 512, 16, 0, 0) },
	{ "all four mixed case", DEF, 4,
	  { "bLkSiZe", "1428", "Tsize", "0", "tImEoUt", "3", "windowSIZE", "16" },
	  R(BLK | TSZ | TMO | WIN, 1428, 16, 3, 0) },

	/* unknown options are ignored */
	{ "unknown foo", DEF, 1, { "foo", "bar" }, R(0, 512, 1, 0, 1) },
	{ "unknown multicast", DEF, 1, { "multicast", "" }, R(0, 512, 1, 0, 1) },
	{ "prefix blk", DEF, 1, { "blk", "1024" }, R(0, 512, 1, 0, 1) },
	{ "suffix blksize2", DEF, 1, { "blksize2", "1024" }, R(0, 512, 1, 0, 1) },
	{ "trailing space 'blksize '", DEF, 1, { "blksize ", "1024" }, R(0, 512, 1, 0, 1) },
	{ "empty name", DEF, 1, { "", "1024" }, R(0, 512, 1, 0, 1) },
	{ "unknown then known", DEF, 3, { "foo", "1", "blksize", "1024", "rollover", "0" },
	  R(BLK, 1024, 1, 0, 2) },

	/* operator-refused options (-r) are ignored, whatever their value */
	{ "refused blksize", { 65464, 64, OPT_BLKSIZE }, 1, { "blksize", "1024" },
	  R(0, 512, 1, 0, 1) },
	{ "refused blksize 7: ignored, not TE_OPTNEG", { 65464, 64, OPT_BLKSIZE }, 1,
	  { "blksize", "7" }, R(0, 512, 1, 0, 1) },
	{ "refused tsize, blksize kept", { 65464, 64, OPT_TSIZE }, 2,
	  { "tsize", "0", "blksize", "1024" }, R(BLK, 1024, 1, 0, 1) },
	{ "refused windowsize", { 65464, 64, OPT_WINDOWSIZE }, 1, { "windowsize", "8" },
	  R(0, 512, 1, 0, 1) },
	{ "refused timeout", { 65464, 64, OPT_TIMEOUT }, 1, { "timeout", "5" },
	  R(0, 512, 1, 0, 1) },
	{ "all refused", { 65464, 64, BLK | TSZ | TMO | WIN }, 4,
	  { "blksize", "1428", "tsize", "0", "timeout", "3", "windowsize", "16" },
	  R(0, 512, 1, 0, 4) },

	/* everything together */
	{ "all four accepted", DEF, 4,
	  { "blksize", "1428", "tsize", "0", "timeout", "3", "windowsize", "16" },
	  R(BLK | TSZ | TMO | WIN, 1428, 16, 3, 0) },
	{ "mix of clamp, unknown, dup", DEF, 7,
	  { "blksize", "65465", "foo", "bar", "windowsize", "100", "tsize", "0",
	    "BLKSIZE", "8", "timeout", "7", "windowsize", "2" },
	  R(BLK | TSZ | TMO | WIN, 65464, 64, 7, 3) },
};

static void build_rq(struct tftp_rq *rq, const struct ocase *c)
{
	unsigned i;

	memset(rq, 0, sizeof *rq);
	rq->filename = "f";
	rq->filename_len = 1;
	rq->mode = "octet";
	rq->nopts = c->n;
	for (i = 0; i < c->n; i++) {
		rq->opts[i].name = c->kv[2 * i];
		rq->opts[i].value = c->kv[2 * i + 1];
	}
}

static void test_negotiate_row(void **state)
{
	const struct ocase *c = *state;
	struct tftp_rq rq;
	struct tftp_opts o;
	const char *why = NULL;
	int r;

	build_rq(&rq, c);
	memset(&o, 0xa5, sizeof o);
	r = opts_negotiate(&rq, &c->lim, &o, &why);
	TU_EQ(c->label, r, c->ret);
	if (r != 0) {
		TU_CHECK(c->label, why != NULL && why[0] != '\0');
		return;
	}
	TU_EQ(c->label, o.accepted, c->accepted);
	TU_EQ(c->label, o.blksize, c->blksize);
	TU_EQ(c->label, o.windowsize, c->windowsize);
	TU_EQ(c->label, o.timeout_s, c->timeout_s);
	TU_EQ(c->label, o.ignored, c->ignored);
}

/* ---- opts_build_oack ---- */

struct bcase {
	const char *label;
	struct tftp_opts o;
	const uint8_t *want;
	size_t wantlen;
};

static const struct bcase bcases[] = {
	{ "all four, fixed order blksize tsize timeout windowsize",
	  { BLK | TSZ | TMO | WIN, 1428, 16, 3, 1234567, 0 },
	  TU_LIT("\0\6" "blksize\0" "1428\0" "tsize\0" "1234567\0" "timeout\0" "3\0"
		 "windowsize\0" "16\0") },
	{ "tsize 0 only", { TSZ, 512, 1, 0, 0, 0 }, TU_LIT("\0\6" "tsize\0" "0\0") },
	{ "tsize UINT64_MAX", { TSZ, 512, 1, 0, UINT64_MAX, 0 },
	  TU_LIT("\0\6" "tsize\0" "18446744073709551615\0") },
	{ "tsize 2^40", { TSZ, 512, 1, 0, 1099511627776ull, 0 },
	  TU_LIT("\0\6" "tsize\0" "1099511627776\0") },
	{ "blksize 65464 only", { BLK, 65464, 1, 0, 0, 0 }, TU_LIT("\0\6" "blksize\0" "65464\0") },
	{ "blksize 8 only", { BLK, 8, 1, 0, 0, 0 }, TU_LIT("\0\6" "blksize\0" "8\0") },
	{ "timeout 255 only", { TMO, 512, 1, 255, 0, 0 }, TU_LIT("\0\6" "timeout\0" "255\0") },
	{ "windowsize 65535 only", { WIN, 512, 65535, 0, 0, 0 },
	  TU_LIT("\0\6" "windowsize\0" "65535\0") },
	{ "only accepted bits emitted", { BLK | WIN, 1024, 4, 9, 777, 0 },
	  TU_LIT("\0\6" "blksize\0" "1024\0" "windowsize\0" "4\0") },
};

static void test_build_oack_row(void **state)
{
	const struct bcase *c = *state;
	uint8_t buf[256], *h;
	struct tftp_pkt pkt;
	size_t n, j, cap;

	memset(buf, 0xee, sizeof buf);
	n = opts_build_oack(&c->o, buf, sizeof buf);
	TU_MEMEQ(c->label, buf, n, c->want, c->wantlen);

	/* it parses back as an OACK with lowercase names */
	h = tu_heapdup(buf, n);
	TU_EQ(c->label, pkt_parse(h, n, &pkt), PKT_OK);
	TU_EQ(c->label, pkt.opcode, OP_OACK);
	for (j = 0; j < pkt.u.rq.nopts; j++) {
		const char *s;

		for (s = pkt.u.rq.opts[j].name; *s; s++)
			TU_CHECK(c->label, *s >= 'a' && *s <= 'z');
		TU_CHECK(c->label, pkt.u.rq.opts[j].value != NULL);
	}
	free(h);

	/* every cap below the exact length fails and writes nothing past cap;
	 * the exact length succeeds */
	for (cap = 0; cap <= c->wantlen; cap++) {
		memset(buf, 0xee, sizeof buf);
		n = opts_build_oack(&c->o, buf, cap);
		if (cap < c->wantlen)
			TU_EQ(c->label, n, 0);
		else
			TU_MEMEQ(c->label, buf, n, c->want, c->wantlen);
		for (j = cap; j < sizeof buf; j++)
			if (buf[j] != 0xee)
				fail_msg("[%s] cap %zu: byte %zu written", c->label, cap, j);
	}
}

/* Whole path: datagram -> pkt_parse -> opts_negotiate -> OACK bytes. */
static void test_parse_negotiate_oack(void **state)
{
	static const uint8_t dg[] = "\0\1" "f\0" "octet\0" "BLKSIZE\0" "100000\0"
		"tsize\0" "0\0" "timeout\0" "0\0" "foo\0" "bar\0"
		"WindowSize\0" "100\0";
	static const uint8_t want[] = "\0\6" "blksize\0" "65464\0" "tsize\0" "42\0"
		"windowsize\0" "64\0";
	const struct opt_limits lim = { 65464, 64, 0 };
	uint8_t *h = tu_heapdup(dg, sizeof dg - 1), out[128];
	struct tftp_pkt pkt;
	struct tftp_opts o;
	const char *why = NULL;
	size_t n;

	(void)state;
	assert_int_equal(pkt_parse(h, sizeof dg - 1, &pkt), PKT_OK);
	assert_int_equal(pkt.u.rq.nopts, 5);
	assert_int_equal(opts_negotiate(&pkt.u.rq, &lim, &o, &why), 0);
	assert_int_equal(o.accepted, OPT_BLKSIZE | OPT_TSIZE | OPT_WINDOWSIZE);
	assert_int_equal(o.blksize, 65464);
	assert_int_equal(o.windowsize, 64);
	assert_int_equal(o.timeout_s, 0);
	assert_int_equal(o.ignored, 2); /* timeout 0, foo */
	o.tsize = 42;
	n = opts_build_oack(&o, out, sizeof out);
	TU_MEMEQ("parse-negotiate-oack", out, n, want, sizeof want - 1);
	free(h);
}

/* ---- opt_bit_by_name ---- */

static void test_opt_bit_by_name(void **state)
{
	static const struct { const char *name; unsigned bit; } t[] = {
		{ "blksize", OPT_BLKSIZE }, { "BLKSIZE", OPT_BLKSIZE },
		{ "BlkSize", OPT_BLKSIZE }, { "tsize", OPT_TSIZE },
		{ "TSize", OPT_TSIZE }, { "timeout", OPT_TIMEOUT },
		{ "TIMEOUT", OPT_TIMEOUT }, { "windowsize", OPT_WINDOWSIZE },
		{ "WindowSize", OPT_WINDOWSIZE },
		{ "", 0 }, { "blk", 0 }, { "blksizex", 0 }, { "blksize ", 0 },
		{ "size", 0 }, { "window", 0 }, { "multicast", 0 }, { "foo", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *h = (char *)tu_heapdup(t[i].name, strlen(t[i].name) + 1);

		TU_EQ(t[i].name, opt_bit_by_name(h), t[i].bit);
		free(h);
	}
}

int main(void)
{
	const size_t no = sizeof ocases / sizeof ocases[0];
	const size_t nb = sizeof bcases / sizeof bcases[0];
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_opt_number),
		cmocka_unit_test(test_parse_negotiate_oack),
		cmocka_unit_test(test_opt_bit_by_name),
	};
	const size_t nf = sizeof fixed / sizeof fixed[0];
	struct CMUnitTest *tests = calloc(no + nb + nf, sizeof *tests);
	size_t i;
	int rc;

	if (tests == NULL)
		return 1;
	for (i = 0; i < no; i++) {
		tests[i].name = ocases[i].label;
		tests[i].test_func = test_negotiate_row;
		tests[i].initial_state = (void *)&ocases[i];
	}
	for (i = 0; i < nb; i++) {
		tests[no + i].name = bcases[i].label;
		tests[no + i].test_func = test_build_oack_row;
		tests[no + i].initial_state = (void *)&bcases[i];
	}
	memcpy(tests + no + nb, fixed, sizeof fixed);
	rc = _cmocka_run_group_tests("test_options", tests, no + nb + nf, NULL, NULL);
	free(tests);
	return rc;
}
