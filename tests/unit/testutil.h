/* testutil.h - small helpers shared by the table-driven unit tests: datagrams
 * from string literals with embedded NULs, exact-size heap copies (so that
 * ASan/valgrind see any read past the end), and per-case assertions that name
 * the failing table row. Test code only; include after <cmocka.h>. */
#ifndef FWTFTPD_TESTUTIL_H
#define FWTFTPD_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string literal as (bytes, length) without its terminating NUL, so that
 * "\0\1" "a\0" "octet\0" is exactly the 10-byte datagram it spells.
 * Beware octal/hex escapes swallowing following digits: write "\0" "1024",
 * never "\01024". */
#define TU_LIT(s) ((const uint8_t *)(s)), (sizeof(s) - 1)

/* Fail the current test, naming the table row and the broken expectation. */
#define TU_CHECK(label, cond) do { \
	if (!(cond)) \
		fail_msg("[%s] check failed: %s", (label), #cond); \
} while (0)

#define TU_EQ(label, got, want) do { \
	unsigned long long tu_g_ = (unsigned long long)(got); \
	unsigned long long tu_w_ = (unsigned long long)(want); \
	if (tu_g_ != tu_w_) \
		fail_msg("[%s] %s: got %llu, expected %llu", (label), #got, \
			 tu_g_, tu_w_); \
} while (0)

#define TU_STREQ(label, got, want) do { \
	const char *tu_g_ = (got); \
	const char *tu_w_ = (want); \
	if (tu_g_ == NULL || strcmp(tu_g_, tu_w_) != 0) \
		fail_msg("[%s] %s: got \"%s\", expected \"%s\"", (label), #got, \
			 tu_g_ ? tu_g_ : "(null)", tu_w_); \
} while (0)

#define TU_MEMEQ(label, got, gotlen, want, wantlen) do { \
	size_t tu_gl_ = (gotlen), tu_wl_ = (wantlen); \
	if (tu_gl_ != tu_wl_ || memcmp((got), (want), tu_wl_) != 0) { \
		tu_hexdump("got ", (const uint8_t *)(got), tu_gl_); \
		tu_hexdump("want", (const uint8_t *)(want), tu_wl_); \
		fail_msg("[%s] %s differs from expected bytes", (label), #got); \
	} \
} while (0)

static inline void tu_hexdump(const char *tag, const uint8_t *p, size_t n)
{
	size_t i, shown = n < 64 ? n : 64;

	print_message("%s (%zu bytes):", tag, n);
	for (i = 0; i < shown; i++)
		print_message(" %02x", p[i]);
	print_message("%s\n", shown < n ? " ..." : "");
}

/* Exact-size heap copy: any read at or past p[n] is a heap overread that
 * valgrind and ASan report. malloc(0) may return NULL; use a 0-byte
 * allocation anyway when possible so that even buf[0] is out of bounds. */
static inline uint8_t *tu_heapdup(const void *src, size_t n)
{
	uint8_t *p = malloc(n);

	if (p == NULL && n == 0)
		p = malloc(1); /* still never read through: len is 0 */
	if (p == NULL)
		fail_msg("malloc(%zu) failed", n);
	if (n > 0)
		memcpy(p, src, n);
	return p;
}

/* True when s points into [buf, buf+len) and its NUL lies inside too. */
static inline int tu_str_inside(const void *s, const uint8_t *buf, size_t len)
{
	const uint8_t *p = s;

	if (p == NULL || p < buf || p >= buf + len)
		return 0;
	return memchr(p, 0, (size_t)(buf + len - p)) != NULL;
}

/* Small deterministic PRNG (xorshift32) so random tests repeat exactly. */
static inline uint32_t tu_rand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

#endif
