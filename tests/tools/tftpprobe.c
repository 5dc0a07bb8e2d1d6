/* tftpprobe.c - a scriptable raw TFTP client for the protocol tests.
 *
 * Standalone on purpose: it shares no code (and no header) with fwtftpd, so
 * that it checks the server's wire behaviour independently. It sends exactly
 * what it is told, validates every datagram it receives (source address and
 * port, opcode, block number, size, OACK contents, netascii encoding) and
 * prints one machine-readable result line. See usage() or --help.
 *
 * Test tool only: numeric addresses only (no DNS), every wait is bounded by
 * -w and the whole run by --max-time; it writes nowhere but -O.
 * Exit codes: 0 done (for send-hex: whatever the reply was), 1 the server
 * broke the protocol (line starts with FAIL), 2 the server answered with
 * ERROR, 3 timeout, 100 usage, 111 system error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum {
	PX_OK = 0,
	PX_VIOLATION = 1,
	PX_TFTPERR = 2,
	PX_TIMEOUT = 3,
	PX_USAGE = 100,
	PX_SYSTEM = 111,
};

/* Wire constants, restated here rather than taken from include/ (see top). */
enum { T_RRQ = 1, T_WRQ = 2, T_DATA = 3, T_ACK = 4, T_ERROR = 5, T_OACK = 6 };

#define DGRAM_MAX 65536u
#define OPTS_MAX 32u
#define QUEUE_MAX 64u
#define NOBLOCK UINT64_MAX     /* "flag not given" for block arguments */
#define JUNK_QUIET_MS 300u     /* how long to watch for a reaction to junk */

struct peer {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct dgram {
	uint8_t *buf;
	size_t len;
	struct peer from;
};

struct probe {
	/* global options */
	int family;
	const char *host;
	unsigned port;
	unsigned wait_ms;   /* idle wait for any one reply */
	unsigned max_ms;    /* bound on the whole command */
	int verbose;
	struct peer server;
	int sock;
	uint64_t t0;

	/* get options */
	const char *mode;
	const char *optname[OPTS_MAX];
	const char *optval[OPTS_MAX]; /* NULL: send the name without a value */
	unsigned nopts;
	const char *outfile;
	int decode;
	uint64_t drop_ack, dup_ack, drop_data, junk_at;
	int junk;
	int no_ack_after_oack;
	uint64_t stray_ack;    /* with no_ack_after_oack: ACK sent meanwhile */
	int refused_ok;        /* ICMP port unreachable ends a wait quietly */
	int refused;           /* ... and it happened */
	int error_after_oack;  /* -1: off, else the code to send */
	unsigned quiet_ms;
	unsigned linger_ms;
	int rollover_check;

	/* send-hex options */
	int abort_after;
	int show_time;
};

/* Per-transfer bookkeeping of the get command. */
struct xstate {
	struct peer tid;       /* server's transfer address, set by first reply */
	unsigned blksize;
	unsigned window;
	int netascii;
	uint64_t expected;     /* next absolute block number wanted */
	uint64_t ackpoint;     /* last block we acknowledged (or meant to) */
	uint64_t final;        /* absolute number of the short block, 0 unknown */
	int final_acked;
	int gap_acked;         /* ACK already sent for the current gap */
	int drop_ack_done, drop_data_done, dup_ack_done, junk_done;
	uint64_t bytes, dups, ooo, wraps, oacks;
	uint8_t *count;        /* receptions per absolute block, saturating */
	size_t countcap;
	FILE *out;
	int cr_pending;        /* netascii decoder state */
	uint64_t decoded;
	char oack[1024];       /* "name=value,..." as received, or "-" */
	int64_t tsize;         /* from the OACK, -1 if none */
	/* junk bookkeeping */
	int junk_sock;
	unsigned junk_effect, junk_replies;
	struct dgram queue[QUEUE_MAX];
	unsigned qhead, qlen;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void die_sys(const char *what)
{
	fprintf(stdout, "SYSERR %s: %s\n", what, strerror(errno));
	exit(PX_SYSTEM);
}

/* A FAIL line is the probe's verdict that the server broke the protocol. */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("FAIL ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	exit(PX_VIOLATION);
}

static void vlog(const struct probe *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vlog(const struct probe *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->verbose)
		return;
	fprintf(stderr, "[%6" PRIu64 "] ", now_ms() - p->t0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)((unsigned)b[0] << 8 | b[1]);
}

static void put16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* Bytes a shell script can print safely: anything but printable ASCII, and
 * '\', becomes \xHH. Spaces are escaped too unless keep_space, so that a
 * name=value field of a result line stays one whitespace-separated word. */
static void escape(const uint8_t *s, size_t n, char *out, size_t outsz, int keep_space)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < outsz; i++) {
		if (s[i] >= (keep_space ? 0x20 : 0x21) && s[i] < 0x7f && s[i] != '\\')
			out[o++] = (char)s[i];
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", s[i]);
	}
	out[o < outsz ? o : outsz - 1] = '\0';
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10u)
			return -1;
		v = v * 10u + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static unsigned arg_uint(const char *s, uint64_t max, const char *what)
{
	uint64_t v;

	if (parse_uint(s, max, &v) < 0) {
		fprintf(stderr, "tftpprobe: bad %s: %s\n", what, s);
		exit(PX_USAGE);
	}
	return (unsigned)v;
}

static uint64_t arg_block(const char *s, const char *what)
{
	uint64_t v;

	if (parse_uint(s, UINT64_MAX - 1, &v) < 0) {
		fprintf(stderr, "tftpprobe: bad %s: %s\n", what, s);
		exit(PX_USAGE);
	}
	return v;
}

/* Name/value pairs of an OACK (or the options of a request), each string
 * NUL-terminated inside the datagram. Returns the pair count, or -1 when a
 * string runs off the end, a name is empty or a value is missing. */
static int parse_pairs(const uint8_t *b, size_t n, size_t off,
		       const char **names, const char **vals, unsigned max)
{
	unsigned k = 0;

	while (off < n) {
		const uint8_t *nul = memchr(b + off, 0, n - off);
		if (!nul || nul == b + off)
			return -1;
		const char *name = (const char *)(b + off);
		off = (size_t)(nul - b) + 1;
		if (off >= n)
			return -1;
		nul = memchr(b + off, 0, n - off);
		if (!nul)
			return -1;
		if (k < max) {
			names[k] = name;
			vals[k] = (const char *)(b + off);
		}
		k++;
		off = (size_t)(nul - b) + 1;
	}
	return (int)k;
}

/* One line describing a received datagram, in the send-hex output format. */
static void describe(const uint8_t *b, size_t n, char *out, size_t outsz)
{
	char tmp[2048];
	const char *names[OPTS_MAX], *vals[OPTS_MAX];
	int k;
	size_t o;

	if (n < 2)
		goto malformed;
	switch (get16(b)) {
	case T_DATA:
		if (n < 4)
			goto malformed;
		snprintf(out, outsz, "DATA %u %zu", get16(b + 2), n - 4);
		return;
	case T_ACK:
		if (n != 4)
			goto malformed;
		snprintf(out, outsz, "ACK %u", get16(b + 2));
		return;
	case T_ERROR:
		/* The message must end in a NUL that lies inside the datagram. */
		if (n < 5 || b[n - 1] != 0 || memchr(b + 4, 0, n - 4) != b + n - 1)
			goto malformed;
		escape(b + 4, n - 5, tmp, sizeof tmp, 1);
		snprintf(out, outsz, "ERROR %u %s", get16(b + 2), tmp);
		return;
	case T_OACK:
		k = parse_pairs(b, n, 2, names, vals, OPTS_MAX);
		if (k <= 0 || k > (int)OPTS_MAX)
			goto malformed;
		o = (size_t)snprintf(out, outsz, "OACK");
		for (int i = 0; i < k && o < outsz; i++) {
			char en[512], ev[512];
			escape((const uint8_t *)names[i], strlen(names[i]), en, sizeof en, 0);
			escape((const uint8_t *)vals[i], strlen(vals[i]), ev, sizeof ev, 0);
			o += (size_t)snprintf(out + o, outsz - o, " %s=%s", en, ev);
		}
		return;
	case T_RRQ:
	case T_WRQ:
		snprintf(out, outsz, "%s %zu", get16(b) == T_RRQ ? "RRQ" : "WRQ", n);
		return;
	default:
		break;
	}
malformed:
	o = (size_t)snprintf(out, outsz, "MALFORMED ");
	for (size_t i = 0; i < n && i < 64 && o + 3 < outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%02x", b[i]);
	if (n == 0 && o < outsz)
		snprintf(out + o, outsz - o, "(empty)");
}

static int same_addr(const struct peer *a, const struct peer *b, int port_too)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss, *y = (const void *)&b->ss;
		return x->sin_addr.s_addr == y->sin_addr.s_addr &&
		       (!port_too || x->sin_port == y->sin_port);
	}
	const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;
	return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0 &&
	       (!port_too || x->sin6_port == y->sin6_port);
}

static unsigned port_of(const struct peer *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)&a->ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)(const void *)&a->ss)->sin6_port);
}

static void addr_str(const struct peer *a, char *out, size_t outsz)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (a->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)&a->ss)->sin_addr,
			  ip, sizeof ip);
		snprintf(out, outsz, "%s:%u", ip, port_of(a));
	} else {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)&a->ss)->sin6_addr,
			  ip, sizeof ip);
		snprintf(out, outsz, "[%s]:%u", ip, port_of(a));
	}
}

static void resolve(struct probe *p)
{
	memset(&p->server, 0, sizeof p->server);
	if (p->family == AF_INET6 || strchr(p->host, ':')) {
		struct sockaddr_in6 *s6 = (void *)&p->server.ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p->port);
		if (inet_pton(AF_INET6, p->host, &s6->sin6_addr) != 1)
			goto bad;
		p->server.len = sizeof *s6;
		p->family = AF_INET6;
	} else {
		struct sockaddr_in *s4 = (void *)&p->server.ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p->port);
		if (inet_pton(AF_INET, p->host, &s4->sin_addr) != 1)
			goto bad;
		p->server.len = sizeof *s4;
		p->family = AF_INET;
	}
	return;
bad:
	fprintf(stderr, "tftpprobe: -H needs a numeric %s address: %s\n",
		p->family == AF_INET6 ? "IPv6" : "IPv4", p->host);
	exit(PX_USAGE);
}

/* A socket bound to the source address the kernel would use towards the
 * server, so that "local=" names exactly what the server logs as client=. */
static int open_sock(const struct probe *p)
{
	int fd = socket(p->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int sz = 4 << 20;
	struct peer me;

	if (fd < 0)
		die_sys("socket");
	if (connect(fd, (const struct sockaddr *)&p->server.ss, p->server.len) < 0)
		die_sys("connect");
	me.len = sizeof me.ss;
	if (getsockname(fd, (struct sockaddr *)&me.ss, &me.len) < 0)
		die_sys("getsockname");
	close(fd);
	fd = socket(p->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_sys("socket");
	if (me.ss.ss_family == AF_INET)
		((struct sockaddr_in *)(void *)&me.ss)->sin_port = 0;
	else
		((struct sockaddr_in6 *)(void *)&me.ss)->sin6_port = 0;
	if (bind(fd, (const struct sockaddr *)&me.ss, me.len) < 0)
		die_sys("bind");
	/* Windows of 64 x 64 KiB must not be dropped by our own receive queue,
	 * or a loss we did not ask for would look like a server fault. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz);
	return fd;
}

static void send_to(const struct probe *p, int fd, const struct peer *to,
		    const uint8_t *b, size_t n)
{
	if (p->verbose) {
		char d[256], a[80];
		describe(b, n, d, sizeof d);
		addr_str(to, a, sizeof a);
		vlog(p, "-> %s %s", a, d);
	}
	if (sendto(fd, b, n, 0, (const struct sockaddr *)&to->ss, to->len) != (ssize_t)n)
		die_sys("sendto");
}

static void send_ack(const struct probe *p, const struct peer *to, uint64_t abs)
{
	uint8_t b[4];

	put16(b, T_ACK);
	put16(b + 2, (unsigned)(abs & 0xffffu));
	send_to(p, p->sock, to, b, 4);
}

static void send_error(const struct probe *p, const struct peer *to,
		       unsigned code, const char *msg)
{
	uint8_t b[128];
	size_t n = strlen(msg);

	put16(b, T_ERROR);
	put16(b + 2, code);
	memcpy(b + 4, msg, n + 1);
	send_to(p, p->sock, to, b, n + 5);
}

/* Our own address as the server sees it (it logs it as client=). */
static void local_str(const struct probe *p, char *out, size_t outsz)
{
	struct peer me;

	me.len = sizeof me.ss;
	if (getsockname(p->sock, (struct sockaddr *)&me.ss, &me.len) < 0)
		die_sys("getsockname");
	addr_str(&me, out, outsz);
}

/* Wait up to ms for one datagram on fd. Returns its length (0 is a valid
 * empty datagram) or -1 on timeout. */
static ssize_t recv_wait(const struct probe *p, int fd, uint8_t *buf, size_t cap,
			 unsigned ms, struct peer *from)
{
	uint64_t end = now_ms() + ms;

	for (;;) {
		uint64_t t = now_ms();
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int r;

		if (t >= end && ms != 0)
			return -1;
		r = poll(&pf, 1, ms == 0 ? 0 : (int)(end - t));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_sys("poll");
		if (r == 0)
			return -1;
		from->len = sizeof from->ss;
		ssize_t n = recvfrom(fd, buf, cap, MSG_TRUNC, (struct sockaddr *)&from->ss,
				     &from->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && errno == ECONNREFUSED && p->refused_ok) {
			((struct probe *)(uintptr_t)p)->refused = 1;
			return -1;
		}
		if (n < 0 && errno == ECONNREFUSED) {
			/* ICMP port unreachable from an earlier send: report it. */
			fprintf(stdout, "SYSERR recvfrom: %s\n", strerror(errno));
			exit(PX_SYSTEM);
		}
		if (n < 0)
			die_sys("recvfrom");
		if ((size_t)n > cap)
			fail("datagram of %zd bytes is larger than any TFTP datagram", n);
		if (p->verbose) {
			char d[256], a[80];
			describe(buf, (size_t)n, d, sizeof d);
			addr_str(from, a, sizeof a);
			vlog(p, "<- %s %s", a, d);
		}
		return n;
	}
}

static size_t hex_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;
		if (*s == ' ' || *s == ':' || *s == '\n' || *s == '\t')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else {
			fprintf(stderr, "tftpprobe: bad hex digit '%c'\n", *s);
			exit(PX_USAGE);
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap) {
			fprintf(stderr, "tftpprobe: hex datagram longer than %zu bytes\n", cap);
			exit(PX_USAGE);
		}
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		fprintf(stderr, "tftpprobe: odd number of hex digits\n");
		exit(PX_USAGE);
	}
	return n;
}

/* ---- send-hex ---------------------------------------------------------- */

static int cmd_send_hex(struct probe *p, const char *hex)
{
	static uint8_t out[DGRAM_MAX], in[DGRAM_MAX];
	size_t n = hex_decode(hex, out, sizeof out);
	struct peer from;
	char d[4096];
	uint64_t t;
	ssize_t r;

	p->sock = open_sock(p);
	t = now_ms();
	send_to(p, p->sock, &p->server, out, n);
	r = recv_wait(p, p->sock, in, sizeof in, p->wait_ms, &from);
	t = now_ms() - t;
	if (r < 0) {
		puts("TIMEOUT");
	} else {
		if (!same_addr(&from, &p->server, 0))
			fail("reply from a foreign address");
		describe(in, (size_t)r, d, sizeof d);
		puts(d);
		if (p->abort_after && r >= 2 &&
		    (get16(in) == T_DATA || get16(in) == T_OACK))
			send_error(p, &from, 0, "tftpprobe abort");
	}
	if (p->show_time)
		printf("TIME ms=%" PRIu64 "\n", t);
	return PX_OK;
}

/* ---- get --------------------------------------------------------------- */

static uint8_t *count_at(struct xstate *x, uint64_t abs)
{
	if (abs >= x->countcap) {
		size_t cap = x->countcap ? x->countcap : 1024;
		while (cap <= abs)
			cap *= 2;
		uint8_t *c = realloc(x->count, cap);
		if (!c)
			die_sys("realloc");
		memset(c + x->countcap, 0, cap - x->countcap);
		x->count = c;
		x->countcap = cap;
	}
	return &x->count[abs];
}

static void count_rx(struct xstate *x, uint64_t abs)
{
	uint8_t *c = count_at(x, abs);

	if (*c)
		x->dups++;
	if (*c < UINT8_MAX)
		(*c)++;
}

/* Index of the option the client requested under this name (first one),
 * or -1. Names compare case-insensitively (RFC 2347). */
static int requested(const struct probe *p, const char *name)
{
	for (unsigned i = 0; i < p->nopts; i++)
		if (strcasecmp(p->optname[i], name) == 0)
			return (int)i;
	return -1;
}

/* The requested value of an option as a number, or max when it is not a
 * plain number (then only the protocol's own bound applies). */
static uint64_t req_value(const struct probe *p, int i, uint64_t max)
{
	uint64_t v;

	if (i < 0 || !p->optval[i] || parse_uint(p->optval[i], UINT64_MAX - 1, &v) < 0)
		return max;
	return v < max ? v : max;
}

/* Check an OACK against what we asked for, and take its values. */
static void take_oack(const struct probe *p, struct xstate *x, const uint8_t *b, size_t n)
{
	const char *names[OPTS_MAX], *vals[OPTS_MAX];
	int k = parse_pairs(b, n, 2, names, vals, OPTS_MAX);
	size_t o = 0;

	if (k <= 0)
		fail("malformed OACK (%zu bytes)", n);
	if (k > (int)OPTS_MAX)
		fail("OACK with %d options", k);
	if (p->nopts == 0)
		fail("OACK although no option was requested");
	for (int i = 0; i < k; i++) {
		int r = requested(p, names[i]);
		uint64_t v;
		char en[256], ev[256];

		escape((const uint8_t *)names[i], strlen(names[i]), en, sizeof en, 0);
		escape((const uint8_t *)vals[i], strlen(vals[i]), ev, sizeof ev, 0);
		for (int j = 0; j < i; j++)
			if (strcasecmp(names[j], names[i]) == 0)
				fail("OACK names %s twice", en);
		if (r < 0)
			fail("OACK carries %s=%s which was not requested", en, ev);
		if (parse_uint(vals[i], UINT64_MAX - 1, &v) < 0)
			fail("OACK value of %s is not a number: %s", en, ev);
		if (strcasecmp(names[i], "blksize") == 0) {
			/* RFC 2348: at most what was asked, within 8..65464. */
			if (v < 8 || v > req_value(p, r, 65464))
				fail("OACK blksize=%" PRIu64 " outside 8..%" PRIu64, v,
				     req_value(p, r, 65464));
			x->blksize = (unsigned)v;
		} else if (strcasecmp(names[i], "windowsize") == 0) {
			if (v < 1 || v > req_value(p, r, 65535))
				fail("OACK windowsize=%" PRIu64 " outside 1..%" PRIu64, v,
				     req_value(p, r, 65535));
			x->window = (unsigned)v;
		} else if (strcasecmp(names[i], "timeout") == 0) {
			/* RFC 2349: the server echoes the client's value. */
			if (v < 1 || v > 255 || v != req_value(p, r, UINT64_MAX))
				fail("OACK timeout=%" PRIu64 " is not the requested value", v);
		} else if (strcasecmp(names[i], "tsize") == 0) {
			if (v > INT64_MAX)
				fail("OACK tsize too large");
			x->tsize = (int64_t)v;
		} else {
			fail("OACK carries option %s that no RFC defines for reads", en);
		}
		o += (size_t)snprintf(x->oack + o, sizeof x->oack - o, "%s%s=%s",
				      o ? "," : "", en, ev);
		if (o >= sizeof x->oack)
			fail("OACK too long to report");
	}
}

static void build_rrq(const struct probe *p, const char *file, uint8_t *b, size_t *n)
{
	size_t o = 2;
	const char *parts[2 + 2 * OPTS_MAX];
	unsigned np = 0;

	put16(b, T_RRQ);
	parts[np++] = file;
	parts[np++] = p->mode;
	for (unsigned i = 0; i < p->nopts; i++) {
		parts[np++] = p->optname[i];
		if (p->optval[i])
			parts[np++] = p->optval[i];
	}
	for (unsigned i = 0; i < np; i++) {
		size_t l = strlen(parts[i]) + 1;
		if (o + l > DGRAM_MAX) {
			fprintf(stderr, "tftpprobe: request longer than %u bytes\n", DGRAM_MAX);
			exit(PX_USAGE);
		}
		memcpy(b + o, parts[i], l);
		o += l;
	}
	*n = o;
}

/* Strictly decode netascii (CR must be followed by LF or NUL) so that a bad
 * translation shows up as a FAIL, and write the decoded bytes if asked. */
static void netascii_take(const struct probe *p, struct xstate *x,
			  const uint8_t *d, size_t n, uint64_t abs)
{
	for (size_t i = 0; i < n; i++) {
		int c = -1;
		if (x->cr_pending) {
			if (d[i] == '\n')
				c = '\n';
			else if (d[i] == 0)
				c = '\r';
			else
				fail("bad netascii: CR followed by 0x%02x in block %" PRIu64,
				     d[i], abs);
			x->cr_pending = 0;
		} else if (d[i] == '\r') {
			x->cr_pending = 1;
		} else {
			c = d[i];
		}
		if (c >= 0) {
			x->decoded++;
			if (x->out && p->decode && fputc(c, x->out) == EOF)
				die_sys("write");
		}
	}
}

static void deliver(const struct probe *p, struct xstate *x, const uint8_t *d,
		    size_t n, uint64_t abs)
{
	x->bytes += n;
	if (x->netascii)
		netascii_take(p, x, d, n, abs);
	if (x->out && !(x->netascii && p->decode) && n &&
	    fwrite(d, 1, n, x->out) != n)
		die_sys("write");
}

static void send_junk(struct probe *p, struct xstate *x, uint64_t abs)
{
	static const uint8_t badop[] = { 0x00, 0x09, 0x00, 0x01 };
	static const uint8_t three[] = { 0x00, 0x04, 0x00 };
	static const uint8_t rrq[] = { 0x00, 0x01, 'x', 0, 'o', 'c', 't', 'e', 't', 0 };
	uint8_t ack5[5], data[8], ack4[4], future[4];
	unsigned wb = (unsigned)(abs & 0xffffu);

	/* Names the block just received, so a server that took the 5-byte ACK
	 * (or the ACK from a foreign port) as valid would move on early. */
	put16(ack5, T_ACK);
	put16(ack5 + 2, wb);
	ack5[4] = 0;
	put16(ack4, T_ACK);
	put16(ack4 + 2, wb);
	put16(data, T_DATA);
	put16(data + 2, wb);
	memcpy(data + 4, "junk", 4);
	/* A block the server cannot have sent yet: taking it would skip data. */
	put16(future, T_ACK);
	put16(future + 2, (unsigned)((x->ackpoint + x->window + 5) & 0xffffu));

	x->junk_sock = open_sock(p);
	for (int s = 0; s < 2; s++) {
		int fd = s == 0 ? p->sock : x->junk_sock;
		/* Last entry: from our own port the ACK for a future block, from
		 * the foreign port a well-formed ACK for the current one. */
		const struct { const uint8_t *b; size_t n; } list[] = {
			{ badop, sizeof badop }, { three, sizeof three },
			{ ack5, sizeof ack5 }, { data, sizeof data },
			{ rrq, sizeof rrq }, { s == 0 ? future : ack4, 4 },
		};
		for (unsigned i = 0; i < sizeof list / sizeof list[0]; i++)
			send_to(p, fd, &x->tid, list[i].b, list[i].n);
	}
}

static void queue_push(struct xstate *x, const uint8_t *b, size_t n, const struct peer *from)
{
	struct dgram *q;

	if (x->qlen >= QUEUE_MAX)
		fail("more than %u datagrams while watching the junk", QUEUE_MAX);
	q = &x->queue[(x->qhead + x->qlen) % QUEUE_MAX];
	q->buf = malloc(n ? n : 1);
	if (!q->buf)
		die_sys("malloc");
	memcpy(q->buf, b, n);
	q->len = n;
	q->from = *from;
	x->qlen++;
}

/* Absolute block number of a wire block number: the one nearest to the block
 * we expect (blocks roll over 65535 -> 0). */
static uint64_t abs_block(const struct xstate *x, unsigned wb)
{
	int16_t d = (int16_t)(uint16_t)(wb - (unsigned)(x->expected & 0xffffu));

	if (d < 0 && (uint64_t)(-(int)d) > x->expected)
		return 0;
	return (uint64_t)((int64_t)x->expected + d);
}

/* Watch both sockets for JUNK_QUIET_MS after the junk: anything the server
 * sends us is queued for the normal loop; DATA past the current window means
 * it accepted a junk ACK. Replies to the foreign socket are counted; DATA or
 * OACK there is a transfer that went to the wrong peer. */
static void watch_junk(struct probe *p, struct xstate *x)
{
	static uint8_t b[DGRAM_MAX];
	uint64_t end = now_ms() + JUNK_QUIET_MS;
	struct peer from;

	for (uint64_t t = now_ms(); t < end; t = now_ms()) {
		struct pollfd pf[2] = { { .fd = p->sock, .events = POLLIN },
					{ .fd = x->junk_sock, .events = POLLIN } };
		int r = poll(pf, 2, (int)(end - t));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_sys("poll");
		if (r == 0)
			break;
		if (pf[0].revents) {
			ssize_t n = recv_wait(p, p->sock, b, sizeof b, 1, &from);
			if (n >= 0) {
				if (n >= 4 && get16(b) == T_DATA &&
				    abs_block(x, get16(b + 2)) > x->ackpoint + x->window)
					x->junk_effect++;
				queue_push(x, b, (size_t)n, &from);
			}
		}
		if (pf[1].revents) {
			ssize_t n = recv_wait(p, x->junk_sock, b, sizeof b, 1, &from);
			if (n >= 0) {
				x->junk_replies++;
				if (n >= 2 && (get16(b) == T_DATA || get16(b) == T_OACK))
					x->junk_effect++;
			}
		}
	}
}

static void drain_junk(struct probe *p, struct xstate *x)
{
	static uint8_t b[DGRAM_MAX];
	struct peer from;

	if (x->junk_sock < 0)
		return;
	for (int i = 0; i < 64; i++) {
		struct pollfd pf = { .fd = x->junk_sock, .events = POLLIN };
		if (poll(&pf, 1, 0) <= 0)
			break;
		ssize_t n = recv_wait(p, x->junk_sock, b, sizeof b, 1, &from);
		if (n < 0)
			break;
		x->junk_replies++;
		if (n >= 2 && (get16(b) == T_DATA || get16(b) == T_OACK))
			x->junk_effect++;
	}
}

/* Next datagram from the transfer port: queued ones first. -1 on timeout. */
static ssize_t next_dgram(struct probe *p, struct xstate *x, uint8_t *b, size_t cap,
			  unsigned ms)
{
	struct peer from;
	ssize_t n;

	if (x->qlen) {
		struct dgram *q = &x->queue[x->qhead];
		memcpy(b, q->buf, q->len);
		n = (ssize_t)q->len;
		from = q->from;
		free(q->buf);
		x->qhead = (x->qhead + 1) % QUEUE_MAX;
		x->qlen--;
	} else {
		n = recv_wait(p, p->sock, b, cap, ms, &from);
		if (n < 0)
			return -1;
	}
	if (!same_addr(&from, &x->tid, 1)) {
		char a[80], t[80];
		addr_str(&from, a, sizeof a);
		addr_str(&x->tid, t, sizeof t);
		fail("datagram from %s, but the transfer port is %s", a, t);
	}
	return n;
}

static unsigned remaining(const struct probe *p, unsigned want)
{
	uint64_t used = now_ms() - p->t0;

	if (used >= p->max_ms)
		return 0;
	return (uint64_t)want < p->max_ms - used ? want : (unsigned)(p->max_ms - used);
}

static void first_resent(const struct xstate *x, char *out, size_t outsz,
			 uint64_t *resent_blocks)
{
	uint64_t first = 0;

	*resent_blocks = 0;
	for (size_t i = 1; i < x->countcap; i++)
		if (x->count[i] > 1) {
			if (!first)
				first = i;
			(*resent_blocks)++;
		}
	if (first)
		snprintf(out, outsz, "%" PRIu64, first);
	else
		snprintf(out, outsz, "-");
}

/* After OACK: never ACK it; count how often it comes until the server stops. */
/* After OACK: never ACK it; count how often it comes until the server stops
 * (-w MS without a datagram from it). With --stray-ack, an ACK for another
 * block goes to the transfer port every STRAY_MS meanwhile: it must neither
 * count as the ACK of the OACK nor postpone the server's timeouts. */
#define STRAY_MS 400u
static int oack_unanswered(struct probe *p, struct xstate *x, const uint8_t *first,
			   size_t firstlen)
{
	static uint8_t b[DGRAM_MAX];
	uint64_t t_first = now_ms(), t_last = t_first, last_rx = t_first;
	uint64_t next_stray = t_first + STRAY_MS;
	unsigned errors = 0, strays = 0;
	char lasterr[512] = "-";
	int stray = p->stray_ack != NOBLOCK;

	/* Once the server has given up, our stray ACKs hit a closed port. */
	p->refused_ok = stray;
	for (;;) {
		uint64_t now = now_ms();
		uint64_t w;
		ssize_t n;

		if (now - last_rx >= p->wait_ms)
			break;
		if (remaining(p, p->wait_ms) == 0)
			fail("server still sending after --max-time");
		w = last_rx + p->wait_ms - now;
		if (stray && !p->refused) {
			if (now >= next_stray) {
				send_ack(p, &x->tid, p->stray_ack);
				strays++;
				next_stray += STRAY_MS;
				continue;
			}
			if (next_stray - now < w)
				w = next_stray - now;
		}
		n = next_dgram(p, x, b, sizeof b, (unsigned)w);
		if (n < 0) {
			if (p->refused)
				break;
			continue;
		}
		last_rx = now_ms();
		if (n >= 2 && get16(b) == T_OACK) {
			if ((size_t)n != firstlen || memcmp(b, first, firstlen) != 0)
				fail("resent OACK differs from the first one");
			x->oacks++;
			t_last = now_ms();
		} else if (n >= 2 && get16(b) == T_ERROR) {
			char d[512], esc[512];
			errors++;
			describe(b, (size_t)n, d, sizeof d);
			escape((const uint8_t *)d, strlen(d), esc, sizeof esc, 0);
			snprintf(lasterr, sizeof lasterr, "%s", esc);
		} else {
			char d[512];
			describe(b, (size_t)n, d, sizeof d);
			fail("got %s while OACK is unacknowledged", d);
		}
	}
	char local[80];
	local_str(p, local, sizeof local);
	printf("OACKS count=%" PRIu64 " errors=%u last_error=%s span_ms=%" PRIu64
	       " oack=%s local=%s", x->oacks, errors, lasterr, t_last - t_first,
	       x->oack, local);
	if (stray)
		printf(" strays=%u port_closed=%d", strays, p->refused);
	putchar('\n');
	return PX_OK;
}

static int oack_refuse(struct probe *p, struct xstate *x)
{
	static uint8_t b[DGRAM_MAX];
	char d[512];
	ssize_t n;

	send_error(p, &x->tid, (unsigned)p->error_after_oack, "tftpprobe refuses");
	/* Whatever arrives, from any port, after our ERROR is a fault: the
	 * transfer is over. */
	struct peer from;
	n = recv_wait(p, p->sock, b, sizeof b, p->quiet_ms, &from);
	if (n >= 0) {
		describe(b, (size_t)n, d, sizeof d);
		fail("got %s within %u ms after ERROR %d", d, p->quiet_ms,
		     p->error_after_oack);
	}
	char local[80];
	local_str(p, local, sizeof local);
	printf("QUIET ms=%u oack=%s local=%s\n", p->quiet_ms, x->oack, local);
	return PX_OK;
}

static int cmd_get(struct probe *p, const char *file)
{
	static uint8_t req[DGRAM_MAX], b[DGRAM_MAX];
	struct xstate x;
	size_t reqlen;
	ssize_t n;
	uint64_t dupack_next_abs = 0;
	unsigned dupack_next = 0;

	memset(&x, 0, sizeof x);
	x.blksize = 512;
	x.window = 1;
	x.expected = 1;
	x.tsize = -1;
	x.junk_sock = -1;
	x.netascii = strcasecmp(p->mode, "netascii") == 0;
	snprintf(x.oack, sizeof x.oack, "-");
	if (p->outfile) {
		x.out = fopen(p->outfile, "wb");
		if (!x.out)
			die_sys(p->outfile);
	}

	p->sock = open_sock(p);
	build_rrq(p, file, req, &reqlen);
	send_to(p, p->sock, &p->server, req, reqlen);

	/* First reply: fixes the transfer port. */
	n = recv_wait(p, p->sock, b, sizeof b, remaining(p, p->wait_ms), &x.tid);
	if (n < 0) {
		puts("TIMEOUT no reply to the request");
		return PX_TIMEOUT;
	}
	if (!same_addr(&x.tid, &p->server, 0))
		fail("first reply from a foreign address");
	if (n < 2)
		fail("first reply of %zd bytes", n);
	switch (get16(b)) {
	case T_ERROR: {
		char d[4096];
		describe(b, (size_t)n, d, sizeof d);
		if (strncmp(d, "ERROR ", 6) != 0)
			fail("%s", d);
		puts(d);
		return PX_TFTPERR;
	}
	case T_OACK: {
		static uint8_t first[DGRAM_MAX];
		size_t firstlen = (size_t)n;
		take_oack(p, &x, b, (size_t)n);
		x.oacks = 1;
		memcpy(first, b, firstlen);
		if (p->no_ack_after_oack)
			return oack_unanswered(p, &x, first, firstlen);
		if (p->error_after_oack >= 0)
			return oack_refuse(p, &x);
		/* The OACK is block 0: ACK it unless told to drop that ACK. */
		if (p->drop_ack == 0) {
			x.drop_ack_done = 1;
			vlog(p, "dropping ACK 0");
		} else {
			send_ack(p, &x.tid, 0);
		}
		break;
	}
	case T_DATA:
		if (p->no_ack_after_oack || p->error_after_oack >= 0)
			fail("DATA instead of the OACK that was needed");
		/* Options not taken: RFC 1350 defaults. Process it below. */
		queue_push(&x, b, (size_t)n, &x.tid);
		break;
	default: {
		char d[512];
		describe(b, (size_t)n, d, sizeof d);
		fail("unexpected first reply %s", d);
	}
	}

	while (!(x.final && x.final_acked)) {
		unsigned w = remaining(p, p->wait_ms);
		uint64_t abs;
		size_t len;

		if (w == 0)
			fail("transfer not done after --max-time %u ms", p->max_ms);
		n = next_dgram(p, &x, b, sizeof b, w);
		if (n < 0) {
			printf("TIMEOUT after block %" PRIu64 " (%" PRIu64 " bytes)\n",
			       x.expected - 1, x.bytes);
			return PX_TIMEOUT;
		}
		if (n < 2)
			fail("datagram of %zd bytes during the transfer", n);
		if (get16(b) == T_OACK) {
			/* Only legal as a resend because our ACK 0 was dropped. */
			if (x.expected != 1 || x.oacks == 0)
				fail("OACK in the middle of the transfer");
			x.oacks++;
			if (x.drop_ack_done && p->drop_ack == 0 && x.oacks == 2)
				send_ack(p, &x.tid, 0);
			continue;
		}
		if (get16(b) == T_ERROR) {
			char d[4096];
			describe(b, (size_t)n, d, sizeof d);
			printf("%s after block %" PRIu64 "\n", d, x.expected - 1);
			return PX_TFTPERR;
		}
		if (get16(b) != T_DATA || n < 4) {
			char d[512];
			describe(b, (size_t)n, d, sizeof d);
			fail("got %s during the transfer", d);
		}
		len = (size_t)n - 4;
		abs = abs_block(&x, get16(b + 2));
		if (len > x.blksize)
			fail("DATA %u carries %zu bytes, blksize is %u", get16(b + 2), len,
			     x.blksize);
		if (abs == 0)
			fail("DATA 0 before any block");
		if (dupack_next_abs && abs == dupack_next_abs)
			dupack_next++;

		if (abs < x.expected) {
			/* A copy of a block we already have. */
			count_rx(&x, abs);
			if (abs == x.expected - 1 && abs == x.ackpoint) {
				/* Our ACK was lost (or dropped on purpose): say it again. */
				send_ack(p, &x.tid, abs);
				if (x.final && abs == x.final)
					x.final_acked = 1;
			}
			continue;
		}
		if (x.final)
			fail("DATA %" PRIu64 " after the final block %" PRIu64, abs, x.final);
		if (abs > x.expected) {
			if (x.window == 1)
				fail("DATA block %u, expected %u in lockstep",
				     get16(b + 2), (unsigned)(x.expected & 0xffffu));
			if (abs > x.ackpoint + x.window)
				fail("DATA %" PRIu64 " beyond the window %" PRIu64 "..%" PRIu64,
				     abs, x.ackpoint + 1, x.ackpoint + x.window);
			count_rx(&x, abs);
			x.ooo++;
			/* RFC 7440: acknowledge the last block received in order,
			 * once per gap, so the server resends from the next one. */
			if (!x.gap_acked) {
				x.gap_acked = 1;
				x.ackpoint = x.expected - 1;
				send_ack(p, &x.tid, x.ackpoint);
			}
			continue;
		}

		/* abs == expected */
		count_rx(&x, abs);
		if (p->drop_data == abs && !x.drop_data_done) {
			x.drop_data_done = 1;
			vlog(p, "dropping DATA %" PRIu64, abs);
			continue;
		}
		if (abs > 1 && (abs & 0xffffu) == 0)
			x.wraps++;
		deliver(p, &x, b + 4, len, abs);
		x.expected++;
		x.gap_acked = 0;
		if (len < x.blksize)
			x.final = abs;
		if (p->junk && abs == (p->junk_at == NOBLOCK ? 2 : p->junk_at)) {
			send_junk(p, &x, abs);
			watch_junk(p, &x);
			x.junk_done = 1;
		}
		if (x.final || abs - x.ackpoint >= x.window) {
			x.ackpoint = abs;
			if (p->drop_ack == abs && !x.drop_ack_done) {
				x.drop_ack_done = 1;
				vlog(p, "dropping ACK %" PRIu64, abs);
				continue;
			}
			send_ack(p, &x.tid, abs);
			if (p->dup_ack == abs) {
				send_ack(p, &x.tid, abs);
				dupack_next_abs = abs + 1;
				x.dup_ack_done = 1;
			}
			if (x.final)
				x.final_acked = 1;
		}
	}

	/* Linger: a correct server sends nothing more once it has the final ACK;
	 * a copy of the final block means our ACK got lost, so ACK again. */
	for (uint64_t end = now_ms() + p->linger_ms; now_ms() < end;) {
		n = next_dgram(p, &x, b, sizeof b, (unsigned)(end - now_ms()));
		if (n < 0)
			break;
		if (n >= 4 && get16(b) == T_DATA && abs_block(&x, get16(b + 2)) == x.final) {
			count_rx(&x, x.final);
			send_ack(p, &x.tid, x.final);
			continue;
		}
		char d[512];
		describe(b, (size_t)n, d, sizeof d);
		fail("got %s after the final ACK", d);
	}
	drain_junk(p, &x);

	if (x.netascii && x.cr_pending)
		fail("bad netascii: data ends with a bare CR");
	if (x.tsize >= 0 && (uint64_t)x.tsize != x.bytes)
		fail("OACK tsize=%" PRId64 " but %" PRIu64 " bytes arrived", x.tsize, x.bytes);
	/* A fault that was asked for but never happened would make the caller's
	 * check vacuous: refuse to report success. */
	if ((p->drop_ack != NOBLOCK && !x.drop_ack_done) ||
	    (p->dup_ack != NOBLOCK && !x.dup_ack_done) ||
	    (p->drop_data != NOBLOCK && !x.drop_data_done) || (p->junk && !x.junk_done)) {
		printf("NOTRUN a requested fault was never injected: the transfer had "
		       "%" PRIu64 " blocks in windows of %u (ACKs go at window ends)\n",
		       x.final, x.window);
		return PX_USAGE;
	}
	if (p->rollover_check && x.wraps == 0)
		fail("transfer ended at block %" PRIu64 " without rolling over", x.final);
	if (x.out && fclose(x.out) != 0)
		die_sys("close output");

	char fr[32], local[80];
	uint64_t resent;
	first_resent(&x, fr, sizeof fr, &resent);
	local_str(p, local, sizeof local);
	printf("OK bytes=%" PRIu64 " blocks=%" PRIu64 " oack=%s dups=%" PRIu64
	       " blksize=%u window=%u oacks=%" PRIu64 " first_resent=%s"
	       " resent_blocks=%" PRIu64 " ooo=%" PRIu64 " wraps=%" PRIu64
	       " tid=%u local=%s ms=%" PRIu64,
	       x.bytes, x.final, x.oack, x.dups, x.blksize, x.window, x.oacks, fr,
	       resent, x.ooo, x.wraps, port_of(&x.tid), local, now_ms() - p->t0);
	if (x.netascii)
		printf(" decoded=%" PRIu64, x.decoded);
	if (p->dup_ack != NOBLOCK)
		printf(" dupack_next=%u", dupack_next);
	if (p->junk)
		printf(" junk_effect=%u junk_replies=%u", x.junk_effect, x.junk_replies);
	putchar('\n');
	free(x.count);
	return PX_OK;
}

/* ---- free-port --------------------------------------------------------- */

static int cmd_free_port(struct probe *p)
{
	struct peer me;
	int fd = socket(p->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die_sys("socket");
	memset(&me, 0, sizeof me);
	if (p->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)&me.ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		me.len = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (void *)&me.ss;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		me.len = sizeof *s4;
	}
	if (bind(fd, (struct sockaddr *)&me.ss, me.len) < 0)
		die_sys("bind");
	me.len = sizeof me.ss;
	if (getsockname(fd, (struct sockaddr *)&me.ss, &me.len) < 0)
		die_sys("getsockname");
	printf("%u\n", port_of(&me));
	close(fd);
	return PX_OK;
}

static void usage(FILE *f)
{
	fputs(
"usage: tftpprobe [-6] -H HOST -p PORT [-w MS] [--max-time MS] [-v] COMMAND ...\n"
"\n"
"A raw TFTP client for protocol tests. HOST must be a numeric address.\n"
"\n"
"Commands:\n"
"  send-hex HEX   Send one datagram (hex digits; spaces and ':' ignored; \"\" is\n"
"                 an empty datagram) to HOST:PORT, wait up to -w MS for one\n"
"                 reply and print it as one line:\n"
"                   ERROR <code> <msg>  |  OACK name=value ...  |\n"
"                   DATA <block> <len>  |  ACK <block>  |  TIMEOUT  |\n"
"                   MALFORMED <hex>\n"
"                 (<msg>, names and values: non-printable bytes, spaces and\n"
"                 '\\' as \\xHH). Exit 0 whatever the reply.\n"
"    --abort      after a DATA or OACK reply, send ERROR 0 to its port so the\n"
"                 server ends that transfer at once\n"
"    --time       also print \"TIME ms=N\": milliseconds until the reply\n"
"  get FILE       Read FILE: RRQ, option negotiation, lockstep or RFC 7440\n"
"                 windows as negotiated; every datagram is validated (source\n"
"                 address and port stay the transfer port, opcode, block\n"
"                 numbers, DATA size <= blksize, OACK only for requested\n"
"                 options with legal values, tsize = bytes received,\n"
"                 strict netascii). On success prints one line:\n"
"                   OK bytes=N blocks=N oack=NAME=VAL,...|- dups=N blksize=N\n"
"                      window=N oacks=N first_resent=BLOCK|- resent_blocks=N\n"
"                      ooo=N wraps=N tid=PORT local=ADDR:PORT ms=N\n"
"                      [decoded=N] [dupack_next=N] [junk_effect=N junk_replies=N]\n"
"                 dups: DATA datagrams that arrived for a block already seen;\n"
"                 first_resent: lowest block seen more than once; ooo: blocks\n"
"                 that arrived ahead of a gap; wraps: block 65535 -> 0 passes.\n"
"                 A refused request prints \"ERROR <code> <msg>\" (exit 2).\n"
"    -m MODE      transfer mode (default octet; any string is sent as is)\n"
"    -o NAME=VAL  request an option (repeatable, sent in order); -o NAME sends\n"
"                 the name without a value (a malformed pair)\n"
"    -O FILE      write the received data to FILE (as received on the wire)\n"
"    --decode     with netascii, write the decoded (local) form to -O instead\n"
"    --linger MS  after the final ACK keep listening (default 200): a correct\n"
"                 server is silent, a resent final block is ACKed again\n"
"  Fault injection for get (block numbers are absolute, counting from 1\n"
"  across roll-overs; 0 is the OACK):\n"
"    --drop-ack N     do not send the ACK that acknowledges block N the first\n"
"                     time; ACK it when the block comes again\n"
"    --dup-ack N      send the ACK for block N twice and report how often DATA\n"
"                     N+1 arrived (dupack_next=, 1 when dup ACKs are ignored)\n"
"    --drop-data N    ignore the first arrival of DATA N; in a window the next\n"
"                     block then triggers one ACK N-1 (RFC 7440), i.e. an ACK\n"
"                     in the middle of the window\n"
"    --junk[=N]       when block N (default 2) arrives, before ACKing it, send\n"
"                     to the transfer port from our socket: opcode 9, a 3-byte\n"
"                     datagram, a 5-byte ACK N, DATA N, an RRQ, an ACK for a\n"
"                     block past the window; from a second socket the same\n"
"                     but a valid ACK N last. Watches 300 ms:\n"
"                     junk_effect counts DATA past the window (a junk ACK was\n"
"                     taken) and DATA/OACK sent to the second socket;\n"
"                     junk_replies counts replies to the second socket\n"
"    --no-ack-after-oack  never ACK the OACK; count OACKs until -w MS of\n"
"                     silence and print\n"
"                     \"OACKS count=N errors=N last_error=MSG span_ms=N oack=...\n"
"                     local=ADDR:PORT\"\n"
"    --stray-ack B    with --no-ack-after-oack: send ACK B (not 0) every 400 ms\n"
"                     while counting; adds \"strays=N port_closed=0|1\" (1: the\n"
"                     transfer port answered ICMP unreachable, i.e. it closed)\n"
"    --error-after-oack CODE  answer the OACK with ERROR CODE, then expect\n"
"                     silence for --quiet MS (default 3000): prints\n"
"                     \"QUIET ms=N oack=... local=ADDR:PORT\", or FAIL if\n"
"                     anything arrives\n"
"    --rollover-check FAIL unless the block number rolled over 65535 -> 0\n"
"  free-port      print a UDP port on the loopback address that was free a\n"
"                 moment ago\n"
"\n"
"Global options:\n"
"  -6             IPv6 (implied by a HOST containing ':')\n"
"  -H HOST        server address (numeric)\n"
"  -p PORT        server port\n"
"  -w MS          wait at most MS for any one reply (default 5000; send-hex 2000)\n"
"  --max-time MS  bound on the whole command (default 120000)\n"
"  -v             trace every datagram to stderr\n"
"\n"
"A fault flag whose block never comes (or, in a window, is not where an ACK\n"
"goes) prints \"NOTRUN ...\" and exits 100 instead of reporting success.\n"
"\n"
"Exit: 0 done, 1 protocol violation (FAIL ...), 2 server sent ERROR,\n"
"      3 timeout, 100 usage (or NOTRUN), 111 system error.\n", f);
}

enum {
	O_ABORT = 256, O_TIME, O_DECODE, O_LINGER, O_DROP_ACK, O_DUP_ACK, O_DROP_DATA,
	O_JUNK, O_NO_ACK_OACK, O_STRAY, O_ERR_OACK, O_QUIET, O_ROLLOVER, O_MAXTIME, O_HELP,
};

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "abort", no_argument, NULL, O_ABORT },
		{ "time", no_argument, NULL, O_TIME },
		{ "decode", no_argument, NULL, O_DECODE },
		{ "linger", required_argument, NULL, O_LINGER },
		{ "drop-ack", required_argument, NULL, O_DROP_ACK },
		{ "dup-ack", required_argument, NULL, O_DUP_ACK },
		{ "drop-data", required_argument, NULL, O_DROP_DATA },
		{ "junk", optional_argument, NULL, O_JUNK },
		{ "no-ack-after-oack", no_argument, NULL, O_NO_ACK_OACK },
		{ "stray-ack", required_argument, NULL, O_STRAY },
		{ "error-after-oack", required_argument, NULL, O_ERR_OACK },
		{ "quiet", required_argument, NULL, O_QUIET },
		{ "rollover-check", no_argument, NULL, O_ROLLOVER },
		{ "max-time", required_argument, NULL, O_MAXTIME },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct probe p;
	int c, wait_set = 0;

	memset(&p, 0, sizeof p);
	p.family = AF_INET;
	p.wait_ms = 5000;
	p.max_ms = 120000;
	p.mode = "octet";
	p.drop_ack = p.dup_ack = p.drop_data = p.junk_at = p.stray_ack = NOBLOCK;
	p.error_after_oack = -1;
	p.quiet_ms = 3000;
	p.linger_ms = 200;
	p.sock = -1;
	p.t0 = now_ms();

	/* GNU getopt permutes, so command options may follow the command. */
	while ((c = getopt_long(argc, argv, "6H:p:w:vm:o:O:h", lopts, NULL)) != -1) {
		switch (c) {
		case '6': p.family = AF_INET6; break;
		case 'H': p.host = optarg; break;
		case 'p': p.port = arg_uint(optarg, 65535, "port"); break;
		case 'w': p.wait_ms = arg_uint(optarg, 3600000, "-w"); wait_set = 1; break;
		case 'v': p.verbose = 1; break;
		case 'm': p.mode = optarg; break;
		case 'o': {
			char *eq = strchr(optarg, '=');
			if (p.nopts >= OPTS_MAX) {
				fprintf(stderr, "tftpprobe: at most %u -o\n", OPTS_MAX);
				return PX_USAGE;
			}
			if (eq)
				*eq = '\0';
			p.optname[p.nopts] = optarg;
			p.optval[p.nopts] = eq ? eq + 1 : NULL;
			p.nopts++;
			break;
		}
		case 'O': p.outfile = optarg; break;
		case O_ABORT: p.abort_after = 1; break;
		case O_TIME: p.show_time = 1; break;
		case O_DECODE: p.decode = 1; break;
		case O_LINGER: p.linger_ms = arg_uint(optarg, 600000, "--linger"); break;
		case O_DROP_ACK: p.drop_ack = arg_block(optarg, "--drop-ack"); break;
		case O_DUP_ACK: p.dup_ack = arg_block(optarg, "--dup-ack"); break;
		case O_DROP_DATA: p.drop_data = arg_block(optarg, "--drop-data"); break;
		case O_JUNK:
			p.junk = 1;
			if (optarg)
				p.junk_at = arg_block(optarg, "--junk");
			break;
		case O_NO_ACK_OACK: p.no_ack_after_oack = 1; break;
		case O_STRAY: p.stray_ack = arg_block(optarg, "--stray-ack"); break;
		case O_ERR_OACK:
			p.error_after_oack = (int)arg_uint(optarg, 65535, "--error-after-oack");
			break;
		case O_QUIET: p.quiet_ms = arg_uint(optarg, 600000, "--quiet"); break;
		case O_ROLLOVER: p.rollover_check = 1; break;
		case O_MAXTIME: p.max_ms = arg_uint(optarg, 3600000, "--max-time"); break;
		case 'h':
		case O_HELP: usage(stdout); return PX_OK;
		default: usage(stderr); return PX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return PX_USAGE;
	}
	const char *cmd = argv[optind];
	int nargs = argc - optind - 1;

	if (strcmp(cmd, "free-port") == 0 && nargs == 0)
		return cmd_free_port(&p);
	if (!p.host || p.port == 0) {
		fprintf(stderr, "tftpprobe: -H HOST and -p PORT are required\n");
		return PX_USAGE;
	}
	resolve(&p);
	if (strcmp(cmd, "send-hex") == 0 && nargs == 1) {
		if (!wait_set)
			p.wait_ms = 2000;
		return cmd_send_hex(&p, argv[optind + 1]);
	}
	if (strcmp(cmd, "get") == 0 && nargs == 1) {
		if (p.stray_ack != NOBLOCK && !p.no_ack_after_oack) {
			fprintf(stderr, "tftpprobe: --stray-ack needs --no-ack-after-oack\n");
			return PX_USAGE;
		}
		if (p.no_ack_after_oack && p.error_after_oack >= 0) {
			fprintf(stderr, "tftpprobe: --no-ack-after-oack and "
					"--error-after-oack exclude each other\n");
			return PX_USAGE;
		}
		return cmd_get(&p, argv[optind + 1]);
	}
	usage(stderr);
	return PX_USAGE;
}
