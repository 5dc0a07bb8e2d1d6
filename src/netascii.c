/* netascii.c - Unix text to netascii and back (RFC 1350 / RFC 764).
 * Pure: no syscalls. The encoder may stop between the two bytes of a pair
 * when out is full; st carries the owed byte into the next call, which is
 * how a CR can end one DATA block and its LF start the next. */
#include "netascii.h"

void nva_init(struct nva_state *st)
{
	st->pending = -1;
}

size_t nva_encode(struct nva_state *st, const uint8_t *in, size_t inlen,
		  size_t *used, uint8_t *out, size_t cap)
{
	size_t i = 0, o = 0;

	if (st->pending >= 0 && o < cap) {
		out[o++] = (uint8_t)st->pending;
		st->pending = -1;
	}
	while (i < inlen && o < cap && st->pending < 0) {
		uint8_t c = in[i++];

		if (c == '\n' || c == '\r') {
			out[o++] = '\r';
			if (o < cap)
				out[o++] = c == '\n' ? '\n' : '\0';
			else
				st->pending = c == '\n' ? '\n' : '\0';
		} else {
			out[o++] = c;
		}
	}
	*used = i;
	return o;
}

size_t nva_flush(struct nva_state *st, uint8_t *out, size_t cap)
{
	if (st->pending < 0 || cap == 0)
		return 0;
	out[0] = (uint8_t)st->pending;
	st->pending = -1;
	return 1;
}

uint64_t nva_size(const uint8_t *in, size_t len)
{
	uint64_t n = len;

	for (size_t i = 0; i < len; i++)
		if (in[i] == '\n' || in[i] == '\r')
			n++;
	return n;
}

size_t nva_decode(int *cr_pending, const uint8_t *in, size_t inlen,
		  uint8_t *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < inlen && o < cap; i++) {
		uint8_t c = in[i];

		if (*cr_pending) {
			if (c == '\n' || c == '\0') {
				*cr_pending = 0;
				out[o++] = c == '\n' ? '\n' : '\r';
				continue;
			}
			if (o + 2 > cap)
				break; /* bare CR and c need two bytes: next call */
			*cr_pending = 0;
			out[o++] = '\r'; /* bare CR: keep it */
		}
		if (c == '\r')
			*cr_pending = 1;
		else
			out[o++] = c;
	}
	return o;
}
