/* options.h - RFC 2347 option negotiation (blksize, tsize, timeout,
 * windowsize) from one table. Pure: no syscalls. */
#ifndef FWTFTPD_OPTIONS_H
#define FWTFTPD_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

enum opt_bit {
	OPT_BLKSIZE = 1u << 0,
	OPT_TSIZE = 1u << 1,
	OPT_TIMEOUT = 1u << 2,
	OPT_WINDOWSIZE = 1u << 3,
};

struct opt_limits {
	unsigned max_blksize; /* 8..65464, larger requests are clamped to it */
	unsigned max_window;  /* 1..65535, larger requests are clamped to it */
	unsigned refused;     /* OPT_* bits the operator refuses (-r) */
};

struct tftp_opts {
	unsigned accepted;  /* OPT_* bits that go into the OACK */
	unsigned blksize;   /* TFTP_SEGSIZE unless negotiated */
	unsigned windowsize;/* 1 unless negotiated */
	unsigned timeout_s; /* 0 unless negotiated */
	uint64_t tsize;     /* filled by the caller once the file is open */
	unsigned ignored;   /* how many option pairs were ignored (unknown,
			       malformed, duplicate, refused) */
};

/* Bounded decimal conversion: digits only, no sign, no spaces. Returns 0 and
 * sets *out (saturated at UINT64_MAX) on success, -1 when s is not a number. */
int opt_number(const char *s, uint64_t *out);

/* Negotiate the options of a parsed RRQ against the limits. Returns 0, or
 * TE_OPTNEG with *why set (blksize below 8). Never fails for unknown,
 * duplicate or malformed options: those are ignored (see README). */
int opts_negotiate(const struct tftp_rq *rq, const struct opt_limits *lim,
		   struct tftp_opts *out, const char **why);

/* Build the OACK for the accepted options. Returns its length, 0 if it does
 * not fit in cap. */
size_t opts_build_oack(const struct tftp_opts *o, uint8_t *buf, size_t cap);

/* Parse an option name for -r (case-insensitive); returns its OPT_* bit or 0. */
unsigned opt_bit_by_name(const char *name);

#endif
