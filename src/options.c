/* options.c - RFC 2347 negotiation of blksize (2348), tsize and timeout
 * (2349) and windowsize (7440), driven by one table. Pure: no syscalls.
 * Choices where the RFCs leave room (also in the README):
 *  - names compare case-insensitively; the OACK uses lowercase names;
 *  - an option without value, with an empty or non-decimal value, a
 *    duplicate (the first occurrence decides, even when it was invalid),
 *    an unknown or a refused option is ignored, never an error: the client then simply uses the default;
 *  - blksize below 8 is an error (ERROR 8); above the limit it is clamped;
 *  - windowsize above the limit is clamped; 0 or above 65535 is ignored;
 *  - timeout outside 1..255 is ignored. */
#include <stdio.h>
#include <strings.h>

#include "options.h"
#include "tftp.h"

enum over { CLAMP, IGNORE };

struct opt_def {
	const char *name;
	unsigned bit;
	uint64_t min, max;   /* RFC range */
	enum over below, above;
};

static const struct opt_def opt_table[] = {
	{ "blksize", OPT_BLKSIZE, TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX, IGNORE, CLAMP },
	{ "tsize", OPT_TSIZE, 0, UINT64_MAX, IGNORE, IGNORE },
	{ "timeout", OPT_TIMEOUT, TFTP_TIMEOUT_MIN, TFTP_TIMEOUT_MAX, IGNORE, IGNORE },
	{ "windowsize", OPT_WINDOWSIZE, 1, TFTP_WINDOW_MAX, IGNORE, IGNORE },
};

#define NOPTS (sizeof(opt_table) / sizeof(opt_table[0]))

int opt_number(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX; /* saturate: still a valid, huge number */
		else
			v = v * 10 + d;
	}
	*out = v;
	return 0;
}

unsigned opt_bit_by_name(const char *name)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strcasecmp(name, opt_table[i].name) == 0)
			return opt_table[i].bit;
	return 0;
}

int opts_negotiate(const struct tftp_rq *rq, const struct opt_limits *lim,
		   struct tftp_opts *out, const char **why)
{
	unsigned seen = 0;

	out->accepted = 0;
	out->blksize = TFTP_SEGSIZE;
	out->windowsize = 1;
	out->timeout_s = 0;
	out->tsize = 0;
	out->ignored = rq->opts_dropped;

	for (unsigned i = 0; i < rq->nopts; i++) {
		const struct tftp_optkv *kv = &rq->opts[i];
		const struct opt_def *d = NULL;
		uint64_t v;

		for (size_t k = 0; k < NOPTS; k++)
			if (strcasecmp(kv->name, opt_table[k].name) == 0)
				d = &opt_table[k];
		/* The first occurrence of a name decides, valid or not. */
		if (d == NULL || (seen & d->bit)) {
			out->ignored++;
			continue;
		}
		seen |= d->bit;
		if ((lim->refused & d->bit) || opt_number(kv->value, &v) != 0) {
			out->ignored++;
			continue;
		}
		if (d->bit == OPT_BLKSIZE && v < d->min) {
			*why = "blksize below 8";
			return TE_OPTNEG;
		}
		if (v < d->min || (v > d->max && d->above == IGNORE)) {
			out->ignored++;
			continue;
		}
		if (v > d->max)
			v = d->max;
		switch (d->bit) {
		case OPT_BLKSIZE:
			out->blksize = v > lim->max_blksize ? lim->max_blksize : (unsigned)v;
			break;
		case OPT_WINDOWSIZE:
			out->windowsize = v > lim->max_window ? lim->max_window : (unsigned)v;
			break;
		case OPT_TIMEOUT:
			out->timeout_s = (unsigned)v;
			break;
		case OPT_TSIZE:
			break; /* the size is the caller's to fill in */
		}
		out->accepted |= d->bit;
	}
	return 0;
}

size_t opts_build_oack(const struct tftp_opts *o, uint8_t *buf, size_t cap)
{
	size_t pos = 2;

	if (cap < 2)
		return 0;
	buf[0] = 0;
	buf[1] = OP_OACK;
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt_def *d = &opt_table[i];
		unsigned long long v;
		int n;

		if (!(o->accepted & d->bit))
			continue;
		switch (d->bit) {
		case OPT_BLKSIZE: v = o->blksize; break;
		case OPT_WINDOWSIZE: v = o->windowsize; break;
		case OPT_TIMEOUT: v = o->timeout_s; break;
		default: v = o->tsize; break;
		}
		n = snprintf((char *)buf + pos, cap - pos, "%s%c%llu", d->name, 0, v);
		if (n < 0 || (size_t)n + 1 > cap - pos)
			return 0;
		pos += (size_t)n + 1; /* keep the value's NUL */
	}
	return pos;
}
