/* netascii.h - streaming Unix-to-netascii translation (RFC 764 via RFC 1350):
 * LF becomes CR LF, CR becomes CR NUL. A pair may straddle two output
 * buffers (a CR ending one block and its LF starting the next); the state
 * carries it. Pure: no syscalls. */
#ifndef FWTFTPD_NETASCII_H
#define FWTFTPD_NETASCII_H

#include <stddef.h>
#include <stdint.h>

struct nva_state {
	int pending; /* byte still owed after a CR (0 or '\n'), or -1 */
};

void nva_init(struct nva_state *st);

/* Translate input into out (cap bytes). Sets *used to the input bytes
 * consumed and returns the bytes written. The owed byte of a pair split by a
 * full buffer is written first on the next call. */
size_t nva_encode(struct nva_state *st, const uint8_t *in, size_t inlen,
		  size_t *used, uint8_t *out, size_t cap);

/* Bytes still owed by st (0 or 1): the tail to flush at end of input. */
size_t nva_flush(struct nva_state *st, uint8_t *out, size_t cap);

/* Translated length of len input bytes (for tsize). */
uint64_t nva_size(const uint8_t *in, size_t len);

/* Inverse, for tests and clients: netascii to Unix. Returns bytes written. */
size_t nva_decode(int *cr_pending, const uint8_t *in, size_t inlen,
		  uint8_t *out, size_t cap);

#endif
