/* slowclient.c - a tiny raw TFTP read client for the sandbox and policy
 * tests: it can bind a chosen source address, stop in the middle of a
 * transfer (so the process serving it can be inspected while it is in its
 * transfer stage), and run many transfers at once.
 *
 *   slowclient [-6] -H HOST -p PORT [-b ADDR] [-m MODE] [-o NAME=VAL]...
 *              [-O FILE] [-e FILE] [-w MS] [-R N] [-T MS]
 *              [-P BLOCK -S MS [-s FILE] [-g FILE]] [-n N] NAME
 *
 * Standalone on purpose: no project code or header, so it checks the
 * server's wire behaviour independently. Lock-step transfers only (it never
 * asks for windowsize). Test tool only: numeric addresses, every wait bounded
 * by -w/-R and the whole run by -T; it never writes anything but -O and -s.
 * Exit codes: 0 done, 1 protocol violation or wrong data (FAIL ...), 2 the
 * server sent ERROR, 3 timeout, 100 usage, 111 system error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { SC_OK = 0, SC_FAIL = 1, SC_TFTPERR = 2, SC_TIMEOUT = 3, SC_USAGE = 100, SC_SYSTEM = 111 };

/* Transfer states; the numbers double as exit codes. */
enum { ST_RUN = -1, ST_OK = SC_OK, ST_FAIL = SC_FAIL, ST_ERR = SC_TFTPERR, ST_TIMEOUT = SC_TIMEOUT };

#define MAX_BURST 1000
#define RRQ_MAX 2048
#define DGRAM_MAX (65464 + 4 + 1)
#define EXPECT_MAX (256L * 1024 * 1024)

struct cfg {
	int v6;
	const char *host, *bind, *mode, *outfile, *expectfile, *status, *go;
	unsigned port, wait_ms, retries, max_ms, pause_ms, burst;
	unsigned long pause_at; /* 0: never pause */
	uint8_t rrq[RRQ_MAX];
	size_t rrqlen;
	int asked_opts;
	const uint8_t *expect; /* whole expected file, or NULL */
	size_t expectlen;
};

struct xfer {
	int fd;
	struct sockaddr_storage srv; /* the server's request address */
	socklen_t srvlen;
	unsigned tid;                /* the transfer port, 0 until known */
	uint8_t last[RRQ_MAX];       /* what to resend on a timeout */
	size_t lastlen;
	uint64_t deadline;
	unsigned tries;
	unsigned blksize;
	uint16_t next;               /* DATA block number wanted next */
	int got_oack;
	unsigned long blocks;
	uint64_t bytes, paused_ms;
	unsigned long dups, strays;
	int state, errcode;
	char msg[200];
	char oack[256];
	FILE *out;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The one number converter: decimal in [min, max] or exit 100. */
static unsigned long num(const char *s, unsigned long min, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (s == NULL || *s < '0' || *s > '9')
		goto bad;
	v = strtoul(s, &end, 10);
	if (errno == 0 && *end == '\0' && v >= min && v <= max)
		return v;
bad:
	fprintf(stderr, "slowclient: %s: want a number %lu..%lu\n", what, min, max);
	exit(SC_USAGE);
}

/* Bytes as text for one result line: printable non-space ASCII as is,
 * everything else (and '\') as \xHH. */
static void escape(const uint8_t *p, size_t n, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < outsz; i++) {
		if (p[i] > 0x20 && p[i] < 0x7f && p[i] != '\\')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", p[i]);
	}
	out[o] = '\0';
}

static int make_addr(int v6, const char *host, unsigned port, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, host, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*len = sizeof(*s4);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -1;
}

static unsigned port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static int same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

static void local_name(int fd, char *buf, size_t sz)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char a[INET6_ADDRSTRLEN] = "?";

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		snprintf(buf, sz, "?");
		return;
	}
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
		snprintf(buf, sz, "[%s]:%u", a, port_of(&ss));
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
		snprintf(buf, sz, "%s:%u", a, port_of(&ss));
	}
}

static void set_state(struct xfer *x, int st, const char *msg)
{
	if (x->state != ST_RUN)
		return;
	x->state = st;
	snprintf(x->msg, sizeof(x->msg), "%s", msg);
}

static void xsend(const struct cfg *c, struct xfer *x, const uint8_t *p, size_t n)
{
	struct sockaddr_storage to = x->srv;

	if (n > sizeof(x->last))
		n = sizeof(x->last);
	memmove(x->last, p, n);
	x->lastlen = n;
	if (x->tid != 0) {
		if (to.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&to)->sin6_port = htons((uint16_t)x->tid);
		else
			((struct sockaddr_in *)&to)->sin_port = htons((uint16_t)x->tid);
	}
	if (sendto(x->fd, x->last, x->lastlen, 0, (struct sockaddr *)&to, x->srvlen) < 0)
		set_state(x, ST_FAIL, "sendto failed");
	x->deadline = now_ms() + c->wait_ms;
}

static void send_ack(const struct cfg *c, struct xfer *x, uint16_t block)
{
	uint8_t ack[4] = { 0, 4, (uint8_t)(block >> 8), (uint8_t)block };

	xsend(c, x, ack, sizeof(ack));
}

/* Stop before ACKing block c->pause_at: report where we are, then wait
 * (bounded by -S) until the -g file appears. */
static void pause_here(const struct cfg *c, struct xfer *x)
{
	uint64_t t0 = now_ms();
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	char local[80];

	local_name(x->fd, local, sizeof(local));
	if (c->status != NULL) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", c->status);
		f = fopen(tmp, "w");
		if (f == NULL || fprintf(f, "PAUSED block=%lu tid=%u local=%s\n", x->blocks,
					 x->tid, local) < 0 || fclose(f) != 0 ||
		    rename(tmp, c->status) != 0) {
			set_state(x, ST_FAIL, "cannot write the status file");
			return;
		}
	}
	while (now_ms() - t0 < c->pause_ms) {
		if (c->go != NULL && access(c->go, F_OK) == 0)
			break;
		nanosleep(&tick, NULL);
	}
	x->paused_ms = now_ms() - t0;
}

/* OACK: "name\0value\0" pairs; only blksize changes how we receive. */
static void on_oack(const struct cfg *c, struct xfer *x, const uint8_t *p, size_t n)
{
	size_t i = 2, o = 0;

	if (!c->asked_opts || x->got_oack || x->blocks != 0) {
		set_state(x, ST_FAIL, "unexpected OACK");
		return;
	}
	x->got_oack = 1;
	while (i < n) {
		const uint8_t *name = p + i, *val, *z = memchr(p + i, 0, n - i);
		char en[64], ev[64];

		if (z == NULL)
			break;
		val = z + 1;
		i = (size_t)(val - p);
		z = i < n ? memchr(val, 0, n - i) : NULL;
		if (z == NULL) {
			set_state(x, ST_FAIL, "OACK pair without a value");
			return;
		}
		i = (size_t)(z - p) + 1;
		escape(name, (size_t)(val - 1 - name), en, sizeof(en));
		escape(val, (size_t)(z - val), ev, sizeof(ev));
		o += (size_t)snprintf(x->oack + o, o < sizeof(x->oack) ? sizeof(x->oack) - o : 0,
				      "%s%s=%s", o ? "," : "", en, ev);
		if (o >= sizeof(x->oack))
			o = sizeof(x->oack) - 1;
		if (strcmp(en, "blksize") == 0) {
			char *end;
			unsigned long v = strtoul(ev, &end, 10);

			if (*ev < '0' || *ev > '9' || *end != '\0' || v < 8 || v > 65464) {
				set_state(x, ST_FAIL, "OACK blksize out of range");
				return;
			}
			x->blksize = (unsigned)v;
		}
	}
	x->next = 1;
	x->tries = 0;
	send_ack(c, x, 0);
}

static void on_data(const struct cfg *c, struct xfer *x, const uint8_t *p, size_t n)
{
	uint16_t b = (uint16_t)(p[2] << 8 | p[3]);
	size_t len = n - 4;

	if (b == (uint16_t)(x->next - 1) && (x->blocks > 0)) {
		x->dups++;
		return;
	}
	if (b != x->next) {
		set_state(x, ST_FAIL, "DATA block out of order");
		return;
	}
	if (len > x->blksize) {
		set_state(x, ST_FAIL, "DATA longer than blksize");
		return;
	}
	if (c->expect != NULL &&
	    (x->bytes + len > c->expectlen || memcmp(c->expect + x->bytes, p + 4, len) != 0)) {
		set_state(x, ST_FAIL, "DATA differs from the expected file");
		return;
	}
	if (x->out != NULL && len > 0 && fwrite(p + 4, 1, len, x->out) != len) {
		set_state(x, ST_FAIL, "cannot write the output file");
		return;
	}
	x->blocks++;
	x->bytes += len;
	x->tries = 0;
	if (c->pause_at != 0 && x->blocks == c->pause_at) {
		pause_here(c, x);
		if (x->state != ST_RUN)
			return;
	}
	send_ack(c, x, b);
	x->next++;
	if (len < x->blksize) {
		if (c->expect != NULL && x->bytes != c->expectlen)
			set_state(x, ST_FAIL, "transfer shorter than the expected file");
		else
			set_state(x, ST_OK, "");
	}
}

/* One datagram arrived on x's socket. */
static void on_readable(const struct cfg *c, struct xfer *x, uint8_t *buf)
{
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t r = recvfrom(x->fd, buf, DGRAM_MAX, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	size_t n;

	if (r < 0)
		return;
	n = (size_t)r;
	if (!same_host(&from, &x->srv) || (x->tid != 0 && port_of(&from) != x->tid)) {
		x->strays++;
		return;
	}
	if (n < 4) {
		set_state(x, ST_FAIL, "datagram shorter than 4 bytes");
		return;
	}
	if (x->tid == 0)
		x->tid = port_of(&from);
	switch (buf[0] << 8 | buf[1]) {
	case 3:
		if (n > DGRAM_MAX - 1) {
			set_state(x, ST_FAIL, "DATA too long");
			return;
		}
		on_data(c, x, buf, n);
		return;
	case 5: {
		char m[160];
		size_t ml = n > 4 ? strnlen((char *)buf + 4, n - 4) : 0;

		x->errcode = buf[2] << 8 | buf[3];
		escape(buf + 4, ml, m, sizeof(m));
		set_state(x, ST_ERR, m);
		return;
	}
	case 6:
		on_oack(c, x, buf, n);
		return;
	default:
		set_state(x, ST_FAIL, "unexpected opcode");
	}
}

static int open_xfer(const struct cfg *c, struct xfer *x)
{
	struct sockaddr_storage b;
	socklen_t bl;

	memset(x, 0, sizeof(*x));
	x->state = ST_RUN;
	x->blksize = 512;
	x->next = 1;
	x->fd = -1;
	if (make_addr(c->v6, c->host, c->port, &x->srv, &x->srvlen) != 0) {
		fprintf(stderr, "slowclient: bad -H address %s\n", c->host);
		return SC_USAGE;
	}
	x->fd = socket(x->srv.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		perror("slowclient: socket");
		return SC_SYSTEM;
	}
	if (c->bind != NULL) {
		if (make_addr(c->v6, c->bind, 0, &b, &bl) != 0) {
			fprintf(stderr, "slowclient: bad -b address %s\n", c->bind);
			return SC_USAGE;
		}
		if (bind(x->fd, (struct sockaddr *)&b, bl) != 0) {
			perror("slowclient: bind");
			return SC_SYSTEM;
		}
	}
	return 0;
}

/* Drive every transfer until each has ended or -T has passed. */
static void run(const struct cfg *c, struct xfer *xs, unsigned n, uint8_t *buf)
{
	struct pollfd *pf = calloc(n, sizeof(*pf));
	uint64_t end = now_ms() + c->max_ms;

	if (pf == NULL) {
		perror("slowclient");
		exit(SC_SYSTEM);
	}
	for (unsigned i = 0; i < n; i++)
		xsend(c, &xs[i], c->rrq, c->rrqlen);
	for (;;) {
		uint64_t t = now_ms(), soonest = end;
		unsigned live = 0;
		int r;

		for (unsigned i = 0; i < n; i++) {
			struct xfer *x = &xs[i];

			pf[i].fd = x->state == ST_RUN ? x->fd : -1;
			pf[i].events = POLLIN;
			pf[i].revents = 0;
			if (x->state != ST_RUN)
				continue;
			if (t >= end) {
				set_state(x, ST_TIMEOUT, "--max-time reached");
				continue;
			}
			if (t >= x->deadline) {
				if (x->tries >= c->retries) {
					set_state(x, ST_TIMEOUT, "no reply");
					continue;
				}
				x->tries++;
				xsend(c, x, x->last, x->lastlen);
			}
			if (x->state == ST_RUN) {
				live++;
				if (x->deadline < soonest)
					soonest = x->deadline;
			}
		}
		if (live == 0)
			break;
		r = poll(pf, n, (int)(soonest > t ? soonest - t : 0));
		if (r < 0 && errno != EINTR) {
			perror("slowclient: poll");
			exit(SC_SYSTEM);
		}
		for (unsigned i = 0; r > 0 && i < n; i++)
			if (pf[i].revents & POLLIN)
				on_readable(c, &xs[i], buf);
	}
	free(pf);
}

static const uint8_t *load(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *p;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size > EXPECT_MAX) {
		fprintf(stderr, "slowclient: cannot use -e %s\n", path);
		exit(SC_USAGE);
	}
	p = malloc((size_t)st.st_size + 1);
	if (p == NULL)
		exit(SC_SYSTEM);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, p + got, (size_t)st.st_size - got);

		if (r <= 0)
			exit(SC_SYSTEM);
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return p;
}

static int add_str(struct cfg *c, const char *s, size_t n)
{
	if (c->rrqlen + n + 1 > sizeof(c->rrq))
		return -1;
	memcpy(c->rrq + c->rrqlen, s, n);
	c->rrqlen += n;
	c->rrq[c->rrqlen++] = 0;
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: slowclient [-6] -H HOST -p PORT [-b ADDR] [-m MODE] [-o NAME=VAL]...\n"
	      "                  [-O FILE] [-e FILE] [-w MS] [-R N] [-T MS]\n"
	      "                  [-P BLOCK -S MS [-s FILE] [-g FILE]] [-n N] NAME\n"
	      "Reads NAME over TFTP in lock-step and prints one line:\n"
	      "  OK bytes=N blocks=N oack=NAME=VAL,...|- tid=PORT local=ADDR:PORT dups=N\n"
	      "     strays=N paused_ms=N ms=N\n"
	      "  ERROR <code> <msg> local=ADDR:PORT (exit 2; <msg> escaped, no spaces)\n"
	      "  TIMEOUT <why> local=... (exit 3)\n"
	      "  FAIL <why> local=... (exit 1)\n"
	      "  -b ADDR   bind the client socket to ADDR (source address of the request)\n"
	      "  -m MODE   transfer mode (default octet)\n"
	      "  -o N=V    request option N with value V (repeatable; never windowsize)\n"
	      "  -O FILE   write the data to FILE\n"
	      "  -e FILE   the data must equal FILE's content (else FAIL)\n"
	      "  -w MS     resend the last datagram after MS without a reply (default 1000)\n"
	      "  -R N      resends before giving up (default 5)\n"
	      "  -T MS     bound on the whole run (default 60000)\n"
	      "  -P BLOCK  after DATA number BLOCK (counted from 1) arrives, wait before ACKing\n"
	      "            it: write \"PAUSED block=N tid=PORT local=ADDR:PORT\" to the -s file,\n"
	      "            then wait until the -g file exists, at most -S MS\n"
	      "  -n N      burst: N transfers at once, each from its own socket (1..1000);\n"
	      "            prints \"BURST n=N ok=N errors=N timeouts=N fails=N ms=N\n"
	      "            [first_error=...] [first_fail=...]\", exit 0 only if all are OK\n"
	      "Exit: 0 done, 1 FAIL, 2 ERROR, 3 timeout, 100 usage, 111 system error.\n", f);
}

int main(int argc, char **argv)
{
	static struct cfg c;
	static uint8_t buf[DGRAM_MAX];
	struct xfer *xs;
	uint64_t t0;
	int opt;

	c.mode = "octet";
	c.wait_ms = 1000;
	c.retries = 5;
	c.max_ms = 60000;
	c.burst = 1;
	c.rrq[0] = 0;
	c.rrq[1] = 1;
	c.rrqlen = 2;
	/* Options are collected first: the RRQ is name, mode, then options. */
	const char *optv[32];
	unsigned nopt = 0;

	while ((opt = getopt(argc, argv, "6H:p:b:m:o:O:e:w:R:T:P:S:s:g:n:h")) != -1) {
		switch (opt) {
		case '6': c.v6 = 1; break;
		case 'H': c.host = optarg; break;
		case 'p': c.port = (unsigned)num(optarg, 1, 65535, "-p"); break;
		case 'b': c.bind = optarg; break;
		case 'm': c.mode = optarg; break;
		case 'o':
			if (nopt >= sizeof(optv) / sizeof(optv[0]) || strchr(optarg, '=') == NULL) {
				fprintf(stderr, "slowclient: -o NAME=VAL (at most 32)\n");
				return SC_USAGE;
			}
			optv[nopt++] = optarg;
			break;
		case 'O': c.outfile = optarg; break;
		case 'e': c.expectfile = optarg; break;
		case 'w': c.wait_ms = (unsigned)num(optarg, 1, 600000, "-w"); break;
		case 'R': c.retries = (unsigned)num(optarg, 0, 100, "-R"); break;
		case 'T': c.max_ms = (unsigned)num(optarg, 1, 3600000, "-T"); break;
		case 'P': c.pause_at = num(optarg, 1, 1000000000, "-P"); break;
		case 'S': c.pause_ms = (unsigned)num(optarg, 0, 600000, "-S"); break;
		case 's': c.status = optarg; break;
		case 'g': c.go = optarg; break;
		case 'n': c.burst = (unsigned)num(optarg, 1, MAX_BURST, "-n"); break;
		case 'h': usage(stdout); return SC_OK;
		default: usage(stderr); return SC_USAGE;
		}
	}
	if (c.host == NULL || c.port == 0 || optind + 1 != argc ||
	    (c.burst > 1 && (c.pause_at != 0 || c.outfile != NULL))) {
		usage(stderr);
		return SC_USAGE;
	}
	if (strchr(c.host, ':') != NULL)
		c.v6 = 1;
	if (add_str(&c, argv[optind], strlen(argv[optind])) != 0 ||
	    add_str(&c, c.mode, strlen(c.mode)) != 0) {
		fprintf(stderr, "slowclient: request too long\n");
		return SC_USAGE;
	}
	for (unsigned i = 0; i < nopt; i++) {
		const char *eq = strchr(optv[i], '=');

		if (add_str(&c, optv[i], (size_t)(eq - optv[i])) != 0 ||
		    add_str(&c, eq + 1, strlen(eq + 1)) != 0) {
			fprintf(stderr, "slowclient: request too long\n");
			return SC_USAGE;
		}
	}
	c.asked_opts = nopt > 0;
	if (c.expectfile != NULL)
		c.expect = load(c.expectfile, &c.expectlen);

	xs = calloc(c.burst, sizeof(*xs));
	if (xs == NULL)
		return SC_SYSTEM;
	for (unsigned i = 0; i < c.burst; i++) {
		int rc = open_xfer(&c, &xs[i]);

		if (rc != 0)
			return rc;
	}
	if (c.outfile != NULL) {
		xs[0].out = fopen(c.outfile, "wb");
		if (xs[0].out == NULL) {
			perror("slowclient: -O");
			return SC_SYSTEM;
		}
	}
	t0 = now_ms();
	run(&c, xs, c.burst, buf);

	if (c.burst > 1) {
		unsigned cnt[4] = { 0, 0, 0, 0 };
		int fe = -1, ff = -1;

		for (unsigned i = 0; i < c.burst; i++) {
			cnt[xs[i].state]++;
			if (xs[i].state == ST_ERR && fe < 0)
				fe = (int)i;
			if (xs[i].state != ST_OK && xs[i].state != ST_ERR && ff < 0)
				ff = (int)i;
		}
		printf("BURST n=%u ok=%u errors=%u timeouts=%u fails=%u ms=%llu", c.burst,
		       cnt[ST_OK], cnt[ST_ERR], cnt[ST_TIMEOUT], cnt[ST_FAIL],
		       (unsigned long long)(now_ms() - t0));
		if (fe >= 0)
			printf(" first_error=%d:%s", xs[fe].errcode, xs[fe].msg);
		if (ff >= 0)
			printf(" first_fail=%s", xs[ff].msg);
		printf("\n");
		return cnt[ST_OK] == c.burst ? SC_OK : SC_FAIL;
	}

	struct xfer *x = &xs[0];
	char local[80];

	local_name(x->fd, local, sizeof(local));
	if (x->out != NULL && fclose(x->out) != 0 && x->state == ST_OK)
		set_state(x, ST_FAIL, "cannot write the output file");
	switch (x->state) {
	case ST_OK:
		printf("OK bytes=%llu blocks=%lu oack=%s tid=%u local=%s dups=%lu strays=%lu "
		       "paused_ms=%llu ms=%llu\n",
		       (unsigned long long)x->bytes, x->blocks, x->got_oack ? x->oack : "-",
		       x->tid, local, x->dups, x->strays, (unsigned long long)x->paused_ms,
		       (unsigned long long)(now_ms() - t0));
		break;
	case ST_ERR:
		printf("ERROR %d %s local=%s\n", x->errcode, x->msg, local);
		break;
	case ST_TIMEOUT:
		printf("TIMEOUT %s after block %lu local=%s\n", x->msg, x->blocks, local);
		break;
	default:
		printf("FAIL %s after block %lu local=%s\n", x->msg, x->blocks, local);
		break;
	}
	return x->state;
}
