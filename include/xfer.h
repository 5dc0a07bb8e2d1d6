/* xfer.h - the block-send core: one struct per transfer, driven through a
 * small I/O seam so tests can supply fake time, loss, duplication and
 * reordering. Per block in lockstep it costs one receive and one send; the
 * file is read in large chunks into a buffer allocated once per transfer. */
#ifndef FWTFTPD_XFER_H
#define FWTFTPD_XFER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netascii.h"

/* One outgoing datagram: hdr and data are sent together as one datagram. */
struct xfer_dgram {
	const void *hdr;
	size_t hdrlen;
	const void *data;
	size_t len;
};

struct xfer_io {
	void *ctx;
	/* Wait up to timeout_ms for one datagram from the peer. Returns its
	 * length (which may exceed cap: then only cap bytes were stored), -1 on
	 * timeout, -2 on a fatal socket error (errno set). */
	ssize_t (*recv)(void *ctx, uint8_t *buf, size_t cap, unsigned timeout_ms);
	/* Send n datagrams in order. Returns 0, or -1 on a fatal error. */
	int (*send)(void *ctx, const struct xfer_dgram *d, unsigned n);
	/* pread semantics on the served file: bytes read, 0 at EOF, -1 error. */
	ssize_t (*read)(void *ctx, void *buf, size_t n, uint64_t off);
	/* Monotonic milliseconds. */
	uint64_t (*now_ms)(void *ctx);
};

enum xfer_result {
	XFER_OK = 0,
	XFER_TIMEOUT,      /* retries exhausted */
	XFER_PEER_ERROR,   /* the client sent ERROR */
	XFER_OACK_REFUSED, /* the client answered the OACK with ERROR 8 */
	XFER_READ_ERROR,   /* the file could not be read */
	XFER_NET_ERROR,    /* send/recv failed (e.g. ICMP port unreachable) */
	XFER_NOMEM,
};

struct xfer {
	/* set by the caller before xfer_init */
	const struct xfer_io *io;
	unsigned blksize;     /* 8..65464 */
	unsigned window;      /* 1..65535 */
	unsigned timeout_ms;  /* retransmission timeout */
	unsigned max_retries; /* timeouts in a row before giving up */
	int netascii;         /* translate the file to netascii */
	const uint8_t *oack;  /* OACK to send first, or NULL */
	size_t oack_len;

	/* state, owned by the core */
	uint64_t acked;       /* highest block acknowledged (absolute) */
	uint64_t last;        /* absolute number of the final block, 0 = unknown */
	uint8_t *buf;         /* stream buffer: bytes [base, base+fill) */
	size_t cap;
	uint64_t base;
	size_t fill;
	uint64_t file_off;    /* next file offset to read */
	int eof;
	uint8_t *raw;         /* netascii: raw file bytes before translation */
	size_t rawcap;
	struct nva_state nva;
	struct xfer_dgram *dg;/* one per window slot */
	uint8_t (*hdr)[4];

	/* results */
	enum xfer_result result;
	uint16_t peer_code;   /* code of a client ERROR */
	uint64_t bytes;       /* payload bytes acknowledged */
	uint64_t blocks;      /* DATA datagrams sent, first copies */
	uint64_t retrans;     /* DATA/OACK datagrams sent again */
};

/* Allocate the transfer's buffers (the only allocation of a transfer).
 * Returns 0 or -1 (x->result = XFER_NOMEM). */
int xfer_init(struct xfer *x);

/* Run the transfer to its end; returns and stores x->result. */
enum xfer_result xfer_run(struct xfer *x);

void xfer_free(struct xfer *x);

const char *xfer_result_str(enum xfer_result r);

#endif
