/* test_netascii.c - tests of the streaming netascii encoder (LF -> CR LF,
 * CR -> CR NUL, RFC 1350/764), its size function, flush and the decoder:
 * fixed cases, pairs split across output buffers, and random data encoded
 * in random chunks compared with the one-shot result and decoded back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "netascii.h"
#include "testutil.h"

struct ncase {
	const char *label;
	const uint8_t *in;
	size_t inlen;
	const uint8_t *out;
	size_t outlen;
};

#define IO(i, o) TU_LIT(i), TU_LIT(o)

/* Each expected output is the input with every LF written as CR LF and every
 * CR as CR NUL; all other bytes (NUL and high bytes too) unchanged. */
static const struct ncase ncases[] = {
	{ "empty", IO("", "") },
	{ "plain", IO("abc", "abc") },
	{ "LF", IO("\n", "\r\n") },
	{ "CR", IO("\r", "\r\0") },
	{ "CRLF in input", IO("\r\n", "\r\0" "\r\n") },
	{ "LFCR in input", IO("\n\r", "\r\n" "\r\0") },
	{ "LF LF", IO("\n\n", "\r\n\r\n") },
	{ "CR CR", IO("\r\r", "\r\0" "\r\0") },
	{ "mixed", IO("a\nb\rc", "a\r\nb\r\0c") },
	{ "text lines", IO("line1\nline2\n", "line1\r\nline2\r\n") },
	{ "trailing CR", IO("x\r", "x\r\0") },
	{ "NUL passes", IO("\0", "\0") },
	{ "CR NUL in input", IO("\r\0", "\r\0" "\0") },
	{ "high bytes pass", IO("\xe9\xff\x80", "\xe9\xff\x80") },
	{ "leading LF", IO("\nz", "\r\nz") },
};

/* Encode in one call with ample room. */
static size_t encode_all(const uint8_t *in, size_t inlen, uint8_t *out, size_t cap,
			 const char *label)
{
	struct nva_state st;
	size_t used = (size_t)-1, n, f;

	nva_init(&st);
	n = nva_encode(&st, in, inlen, &used, out, cap);
	TU_EQ(label, used, inlen);
	f = nva_flush(&st, out + n, cap - n);
	TU_EQ(label, f, 0); /* nothing owed when the buffer was big enough */
	return n;
}

/* Encode through an output buffer of cap bytes per call, feeding at most
 * inchunk input bytes per call, then flush. */
static size_t encode_chunked(const uint8_t *in, size_t inlen, size_t inchunk,
			     size_t cap, uint8_t *out, size_t outcap,
			     const char *label)
{
	struct nva_state st;
	size_t pos = 0, total = 0, iter = 0, f;

	nva_init(&st);
	while (pos < inlen) {
		size_t chunk = inlen - pos < inchunk ? inlen - pos : inchunk;
		size_t used = (size_t)-1, n;

		if (++iter > 4 * inlen + 16)
			fail_msg("[%s] encoder makes no progress", label);
		if (total + cap > outcap)
			fail_msg("[%s] output larger than 2x input", label);
		n = nva_encode(&st, in + pos, chunk, &used, out + total, cap);
		TU_CHECK(label, n <= cap);
		TU_CHECK(label, used <= chunk);
		total += n;
		pos += used;
	}
	f = nva_flush(&st, out + total, outcap - total);
	TU_CHECK(label, f <= 1);
	total += f;
	/* flushing twice gives nothing more */
	TU_EQ(label, nva_flush(&st, out + total, outcap - total), 0);
	return total;
}

static void test_encode_row(void **state)
{
	const struct ncase *c = *state;
	uint8_t out[64], dec[64];
	size_t n;
	int cr = 0;

	memset(out, 0xee, sizeof out);
	n = encode_all(c->in, c->inlen, out, sizeof out, c->label);
	TU_MEMEQ(c->label, out, n, c->out, c->outlen);
	TU_EQ(c->label, nva_size(c->in, c->inlen), c->outlen);

	/* one output byte per call: every CR pair straddles two calls */
	memset(out, 0xee, sizeof out);
	n = encode_chunked(c->in, c->inlen, c->inlen + 1, 1, out, sizeof out, c->label);
	TU_MEMEQ(c->label, out, n, c->out, c->outlen);

	/* one input byte per call */
	n = encode_chunked(c->in, c->inlen, 1, 8, out, sizeof out, c->label);
	TU_MEMEQ(c->label, out, n, c->out, c->outlen);

	/* and back */
	n = nva_decode(&cr, c->out, c->outlen, dec, sizeof dec);
	TU_MEMEQ(c->label, dec, n, c->in, c->inlen);
}

/* A block of 512 whose last input byte is LF or CR: the CR ends this block
 * and the owed byte starts the next (or comes from nva_flush at EOF). */
static void test_straddle_block_end(void **state)
{
	static const struct { uint8_t last, owed; } t[] = { { '\n', '\n' }, { '\r', '\0' } };
	uint8_t in[512], out[600];
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct nva_state st;
		size_t used, n;

		memset(in, 'a', sizeof in);
		in[511] = t[i].last;

		/* end of input: flush yields the owed byte */
		nva_init(&st);
		n = nva_encode(&st, in, sizeof in, &used, out, 512);
		assert_int_equal(n, 512); /* blocks must be full */
		assert_int_equal(out[511], '\r');
		assert_int_equal(used, 512);
		memset(out, 0xee, sizeof out);
		assert_int_equal(nva_flush(&st, out, sizeof out), 1);
		assert_int_equal(out[0], t[i].owed);
		assert_int_equal(nva_flush(&st, out, sizeof out), 0);

		/* more input: the owed byte comes first in the next block */
		nva_init(&st);
		n = nva_encode(&st, in, sizeof in, &used, out, 512);
		assert_int_equal(n, 512);
		assert_int_equal(used, 512);
		memset(out, 0xee, sizeof out);
		n = nva_encode(&st, (const uint8_t *)"b\n", 2, &used, out, 512);
		assert_int_equal(used, 2);
		assert_int_equal(n, 4);
		assert_int_equal(out[0], t[i].owed);
		assert_memory_equal(out + 1, "b\r\n", 3);
		assert_int_equal(nva_flush(&st, out, sizeof out), 0);

		/* no more input but another encode call: owed byte written */
		nva_init(&st);
		n = nva_encode(&st, in, sizeof in, &used, out, 512);
		assert_int_equal(n, 512);
		n = nva_encode(&st, in, 0, &used, out, 512);
		assert_int_equal(used, 0);
		assert_int_equal(n, 1);
		assert_int_equal(out[0], t[i].owed);
		assert_int_equal(nva_flush(&st, out, sizeof out), 0);
	}
}

/* cap 0 writes nothing and consumes nothing; a pending byte stays owed. */
static void test_zero_cap(void **state)
{
	struct nva_state st;
	uint8_t out[4] = { 0xee, 0xee, 0xee, 0xee };
	size_t used = 99;

	(void)state;
	nva_init(&st);
	assert_int_equal(nva_encode(&st, (const uint8_t *)"\n", 1, &used, out, 0), 0);
	assert_int_equal(used, 0);
	assert_int_equal(out[0], 0xee);
	assert_int_equal(nva_encode(&st, (const uint8_t *)"\n", 1, &used, out, 1), 1);
	assert_int_equal(used, 1);
	assert_int_equal(out[0], '\r');
	assert_int_equal(nva_flush(&st, out, 0), 0); /* no room: still owed */
	assert_int_equal(nva_flush(&st, out, 1), 1);
	assert_int_equal(out[0], '\n');
}

static void test_flush_nothing(void **state)
{
	struct nva_state st;
	uint8_t out[2] = { 0xee, 0xee };

	(void)state;
	nva_init(&st);
	assert_int_equal(nva_flush(&st, out, sizeof out), 0);
	assert_int_equal(out[0], 0xee);
}

static void test_decode_table(void **state)
{
	static const struct { const char *label; const uint8_t *in; size_t inlen;
			      const uint8_t *out; size_t outlen; } t[] = {
		{ "empty", IO("", "") },
		{ "CRLF", IO("\r\n", "\n") },
		{ "CR NUL", IO("\r\0", "\r") },
		{ "text", IO("a\r\nb\r\0c", "a\nb\rc") },
		{ "plain NUL", IO("\0x", "\0x") },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t out[16];
		int cr = 0;
		size_t n = nva_decode(&cr, t[i].in, t[i].inlen, out, sizeof out);

		TU_MEMEQ(t[i].label, out, n, t[i].out, t[i].outlen);
		/* split at every position: the CR state carries over */
		for (k = 0; k <= t[i].inlen; k++) {
			size_t m;

			cr = 0;
			m = nva_decode(&cr, t[i].in, k, out, sizeof out);
			m += nva_decode(&cr, t[i].in + k, t[i].inlen - k, out + m,
					sizeof out - m);
			TU_MEMEQ(t[i].label, out, m, t[i].out, t[i].outlen);
		}
	}
}

static void fill_random(uint8_t *p, size_t n, uint32_t *seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t r = tu_rand(seed) % 16;

		p[i] = r < 4 ? '\n' : r < 8 ? '\r' : r < 9 ? 0 : (uint8_t)tu_rand(seed);
	}
}

static void test_random_chunks(void **state)
{
	enum { N = 20000 };
	uint32_t seed = 0x9e3779b9u;
	uint8_t *in = malloc(N), *one = malloc(2 * N + 2), *many = malloc(2 * N + 2);
	uint8_t *dec = malloc(N);
	unsigned round;

	(void)state;
	assert_non_null(in);
	assert_non_null(one);
	assert_non_null(many);
	assert_non_null(dec);
	for (round = 0; round < 20; round++) {
		size_t len = round == 0 ? N : tu_rand(&seed) % N;
		size_t n1, pos = 0, total = 0, iter = 0, n;
		struct nva_state st;
		int cr = 0;

		fill_random(in, len, &seed);
		n1 = encode_all(in, len, one, 2 * N + 2, "random one-shot");
		assert_int_equal(nva_size(in, len), n1);

		/* random input chunk sizes and random output capacities */
		nva_init(&st);
		while (pos < len) {
			size_t chunk = tu_rand(&seed) % 700, cap = 1 + tu_rand(&seed) % 600;
			size_t used;

			if (chunk > len - pos)
				chunk = len - pos;
			if (cap > 2 * N + 2 - total)
				cap = 2 * N + 2 - total;
			assert_true(++iter < 10 * (size_t)N);
			n = nva_encode(&st, in + pos, chunk, &used, many + total, cap);
			assert_true(n <= cap);
			assert_true(used <= chunk);
			total += n;
			pos += used;
		}
		total += nva_flush(&st, many + total, 2 * N + 2 - total);
		TU_MEMEQ("random chunked vs one-shot", many, total, one, n1);

		/* decode in random chunks back to the original */
		pos = 0;
		n = 0;
		while (pos < n1) {
			size_t chunk = 1 + tu_rand(&seed) % 600;

			if (chunk > n1 - pos)
				chunk = n1 - pos;
			n += nva_decode(&cr, one + pos, chunk, dec + n, N - n);
			pos += chunk;
		}
		TU_MEMEQ("random decode", dec, n, in, len);
	}
	free(in);
	free(one);
	free(many);
	free(dec);
}

int main(void)
{
	const size_t nr = sizeof ncases / sizeof ncases[0];
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_straddle_block_end),
		cmocka_unit_test(test_zero_cap),
		cmocka_unit_test(test_flush_nothing),
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_random_chunks),
	};
	const size_t nf = sizeof fixed / sizeof fixed[0];
	struct CMUnitTest *tests = calloc(nr + nf, sizeof *tests);
	size_t i;
	int rc;

	if (tests == NULL)
		return 1;
	for (i = 0; i < nr; i++) {
		tests[i].name = ncases[i].label;
		tests[i].test_func = test_encode_row;
		tests[i].initial_state = (void *)&ncases[i];
	}
	memcpy(tests + nr, fixed, sizeof fixed);
	rc = _cmocka_run_group_tests("test_netascii", tests, nr + nf, NULL, NULL);
	free(tests);
	return rc;
}
