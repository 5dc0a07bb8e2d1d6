/* fuzz_netascii.c - libFuzzer harness for netascii.c: the streaming
 * encoder fed through output buffers of varying sizes (so CR LF and CR NUL
 * pairs straddle calls), nva_size, and the decoder fed in varying input
 * pieces. Properties: the encoded length equals nva_size; every CR is
 * followed by LF or NUL; decode(encode(x)) == x whatever the cuts; the
 * decoder never writes more than cap on arbitrary input. The first two
 * input bytes seed the cut sizes, the rest is the text. Every buffer is
 * heap-allocated at exactly its size. Test-only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netascii.h"

#include "fuzz.h"

static uint8_t *xmalloc(size_t n)
{
	uint8_t *b = malloc(n);

	CHECK(b != NULL || n == 0);
	return b;
}

/* Small deterministic generator for the cut sizes (xorshift32). */
static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Encode in[0..n) with output pieces of 1..maxcap bytes, each in its own
 * exact heap buffer, into enc (room for 2n). Returns the encoded length. */
static size_t encode_pieces(const uint8_t *in, size_t n, uint8_t *enc,
			    uint32_t *seed, size_t maxcap)
{
	struct nva_state st;
	size_t pos = 0, o = 0, used, w;
	unsigned guard = 0;

	nva_init(&st);
	/* A zero-sized buffer takes nothing and writes nothing. */
	w = nva_encode(&st, in, n, &used, NULL, 0);
	CHECK(w == 0 && used == 0);
	while (pos < n || st.pending >= 0) {
		size_t cap = 1 + next(seed) % maxcap;
		uint8_t *out = xmalloc(cap);

		CHECK(++guard <= 2 * n + 2); /* every call makes progress */
		if (pos < n) {
			w = nva_encode(&st, in + pos, n - pos, &used, out, cap);
			CHECK(used <= n - pos);
			CHECK(w >= 1 && w <= cap); /* cap >= 1: at least one byte */
			pos += used;
		} else {
			w = nva_flush(&st, out, cap);
			CHECK(w == 1);
		}
		CHECK(st.pending == -1 || st.pending == '\n' || st.pending == '\0');
		CHECK(o + w <= 2 * n);
		memcpy(enc + o, out, w);
		o += w;
		free(out);
	}
	CHECK(nva_flush(&st, enc, 0) == 0);
	return o;
}

/* Decode in[0..n) in input pieces of 1..maxpiece bytes. Each call gets an
 * exact buffer of piece + 1 bytes: enough for the piece plus a bare CR
 * left over from the previous piece, so every call consumes its piece. */
static size_t decode_pieces(const uint8_t *in, size_t n, uint8_t *dec,
			    size_t deccap, uint32_t *seed, size_t maxpiece,
			    int *cr)
{
	size_t pos = 0, o = 0;

	*cr = 0;
	while (pos < n) {
		size_t piece = 1 + next(seed) % maxpiece, w;
		uint8_t *out;

		if (piece > n - pos)
			piece = n - pos;
		out = xmalloc(piece + 1);
		w = nva_decode(cr, in + pos, piece, out, piece + 1);
		CHECK(w <= piece + 1);
		CHECK(*cr == 0 || *cr == 1);
		CHECK(o + w <= deccap);
		memcpy(dec + o, out, w);
		o += w;
		pos += piece;
		free(out);
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seed;
	size_t n, elen, dlen, maxcap;
	uint8_t *in, *enc, *dec, *small;
	int cr;

	if (size < 2)
		return 0;
	seed = 0x9e3779b9u ^ (uint32_t)(data[0] << 8 | data[1]);
	maxcap = 1 + data[0] % 64; /* often tiny: many straddled pairs */
	n = size - 2;
	in = xmalloc(n);
	if (n > 0)
		memcpy(in, data + 2, n);

	enc = xmalloc(2 * n + 1);
	elen = encode_pieces(in, n, enc, &seed, maxcap);
	CHECK(elen == nva_size(in, n));
	/* Well-formed netascii: CR only as CR LF or CR NUL; every LF after a
	 * CR; nothing but CR/LF changed. */
	for (size_t i = 0; i < elen; i++) {
		if (enc[i] == '\r') {
			CHECK(i + 1 < elen && (enc[i + 1] == '\n' || enc[i + 1] == '\0'));
			i++;
		} else {
			CHECK(enc[i] != '\n');
		}
	}

	/* Round trip, cut at other places than the encoder's. */
	dec = xmalloc(n + 1);
	dlen = decode_pieces(enc, elen, dec, n + 1, &seed, 1 + data[1] % 64, &cr);
	CHECK(cr == 0);
	CHECK(dlen == n && (n == 0 || memcmp(dec, in, n) == 0));
	free(dec);

	/* Arbitrary bytes into the decoder: never more than cap, whatever
	 * the cap, and no more than one output byte per input byte plus a
	 * CR carried in. */
	for (size_t cap = 0; cap <= 3 && cap <= n + 1; cap++) {
		small = xmalloc(cap);
		cr = data[0] & 1;
		dlen = nva_decode(&cr, in, n, small, cap);
		CHECK(dlen <= cap);
		free(small);
	}
	dec = xmalloc(n + 1);
	cr = data[0] & 1;
	dlen = nva_decode(&cr, in, n, dec, n + 1);
	CHECK(dlen <= n + 1);
	free(dec);

	free(enc);
	free(in);
	return 0;
}
