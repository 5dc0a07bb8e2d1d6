/* snomboot.c - a simulated snom 3xx boot loader in TFTP recovery mode, for
 * tests: it asks for snomNNN.bin the way the phone's loader does - one RRQ,
 * mode octet, NO options (so 512-byte blocks, lockstep, no OACK) - writes
 * what it receives and says how it ended. Standalone: no project code, so
 * it cannot share a bug with the server it checks.
 *
 * Strict where the phone would be: the reply must come from the server's
 * address; the first reply fixes the transfer port (TID) and later packets
 * from other ports get ERROR 5 and are otherwise ignored (RFC 1350); an OACK
 * is a protocol violation (nothing was asked); a DATA block larger than 512
 * bytes too. A repeated previous block is ACKed again, like a real lockstep
 * client. Everything is bounded: -w per reply, -r resends, --max-time in all.
 * Traffic goes only where -H points (tests use loopback or a private
 * network namespace). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SEG 512u
#define EX_OK 0
#define EX_FAIL 1
#define EX_ERROR 2
#define EX_TIMEOUT 3
#define EX_USAGE 100
#define EX_SYS 111

struct opts {
	const char *host, *port, *bind, *file, *mode, *out;
	long wait_ms, retries, max_ms;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: snomboot -H HOST -p PORT [-b LOCAL_ADDR] [-f NAME] [-m MODE]\n"
		"                [-o FILE] [-w MS] [-r N] [--max-time MS]\n"
		"\n"
		"A snom 3xx boot loader in TFTP recovery: RRQ NAME (default snom320.bin)\n"
		"in mode MODE (default octet) with no options, 512-byte lockstep.\n"
		"  -H HOST        server address (numeric, IPv4 or IPv6)\n"
		"  -p PORT        server port\n"
		"  -b LOCAL_ADDR  bind the client socket to this address (e.g. 127.0.0.2)\n"
		"  -f NAME        file name to request, sent as given\n"
		"  -o FILE        write the received bytes to FILE\n"
		"  -w MS          wait for one reply (default 2000), then resend\n"
		"  -r N           resends before giving up (default 3)\n"
		"  --max-time MS  bound on the whole run (default 60000)\n"
		"Prints one line:\n"
		"  OK bytes=N blocks=N tid=PORT ms=N local=A:P    exit 0\n"
		"  ERROR <code> <message> local=A:P               exit 2 (server sent ERROR)\n"
		"  TIMEOUT bytes=N blocks=N local=A:P             exit 3\n"
		"  FAIL <reason> local=A:P                        exit 1 (protocol violation)\n"
		"local= is the client's own address and port ([A]:P for IPv6). The\n"
		"message is printed with non-printable bytes and '\\' as \\xHH.\n"
		"Exit 100: usage, 111: system error.\n");
}

static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "snomboot: bad number: %s\n", s);
		exit(EX_USAGE);
	}
	return v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->file = "snom320.bin";
	o->mode = "octet";
	o->wait_ms = 2000;
	o->retries = 3;
	o->max_ms = 60000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(EX_OK);
		}
		if (v == NULL) {
			usage(stderr);
			exit(EX_USAGE);
		}
		if (strcmp(a, "-H") == 0)
			o->host = v;
		else if (strcmp(a, "-p") == 0)
			o->port = v;
		else if (strcmp(a, "-b") == 0)
			o->bind = v;
		else if (strcmp(a, "-f") == 0)
			o->file = v;
		else if (strcmp(a, "-m") == 0)
			o->mode = v;
		else if (strcmp(a, "-o") == 0)
			o->out = v;
		else if (strcmp(a, "-w") == 0)
			o->wait_ms = number(v, 1, 600000);
		else if (strcmp(a, "-r") == 0)
			o->retries = number(v, 0, 100);
		else if (strcmp(a, "--max-time") == 0)
			o->max_ms = number(v, 1, 3600000);
		else {
			usage(stderr);
			exit(EX_USAGE);
		}
		i++;
	}
	if (o->host == NULL || o->port == NULL) {
		usage(stderr);
		exit(EX_USAGE);
	}
	number(o->port, 1, 65535);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int resolve(const char *host, const char *port, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static uint16_t port_of(const struct sockaddr_storage *ss)
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

/* The server's message, printable: bytes outside 0x21..0x7e except the
 * space as \xHH, up to the NUL or the end of the datagram. */
static void print_msg(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && p[i] != 0; i++) {
		if ((p[i] >= 0x21 && p[i] <= 0x7e && p[i] != '\\') || p[i] == ' ')
			putchar(p[i]);
		else
			printf("\\x%02X", p[i]);
	}
}

/* "ADDR:PORT" or "[ADDR]:PORT" of our socket, so a test can find the
 * server's log line for exactly this request. */
static void local_name(int s, char *out, size_t sz)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char a[INET6_ADDRSTRLEN];

	snprintf(out, sz, "?");
	if (getsockname(s, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
		snprintf(out, sz, "[%s]:%u", a, port_of(&ss));
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
		snprintf(out, sz, "%s:%u", a, port_of(&ss));
	}
}

static void send_error(int s, const struct sockaddr_storage *to, socklen_t tolen,
		       uint16_t code, const char *msg)
{
	uint8_t b[128];
	size_t n = strlen(msg);

	b[0] = 0;
	b[1] = 5;
	b[2] = (uint8_t)(code >> 8);
	b[3] = (uint8_t)code;
	memcpy(b + 4, msg, n + 1);
	(void)sendto(s, b, n + 5, 0, (const struct sockaddr *)to, tolen);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sockaddr_storage srv, peer, local, xfer;
	socklen_t srvlen, llen, xlen = 0;
	uint8_t pkt[SEG + 4 + 64], last[600];
	size_t lastlen;
	uint16_t expect = 1, tid = 0;
	int s, outfd = -1, have_tid = 0;
	long t0, deadline, resends = 0;
	unsigned long long bytes = 0, blocks = 0;
	char me[INET6_ADDRSTRLEN + 10];

	parse_args(argc, argv, &o);
	if (resolve(o.host, o.port, &srv, &srvlen) != 0) {
		fprintf(stderr, "snomboot: -H %s: not a numeric address\n", o.host);
		return EX_USAGE;
	}
	s = socket(srv.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		perror("snomboot: socket");
		return EX_SYS;
	}
	if (o.bind != NULL) {
		if (resolve(o.bind, "0", &local, &llen) != 0 || local.ss_family != srv.ss_family) {
			fprintf(stderr, "snomboot: -b %s: not a numeric address of the server's family\n",
				o.bind);
			return EX_USAGE;
		}
		if (bind(s, (struct sockaddr *)&local, llen) != 0) {
			fprintf(stderr, "snomboot: bind %s: %s\n", o.bind, strerror(errno));
			return EX_SYS;
		}
	}
	if (o.out != NULL) {
		outfd = open(o.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (outfd < 0) {
			fprintf(stderr, "snomboot: %s: %s\n", o.out, strerror(errno));
			return EX_SYS;
		}
	}

	/* RRQ: opcode 1, name, NUL, mode, NUL - and nothing else. */
	if (strlen(o.file) + strlen(o.mode) + 4 > sizeof(last)) {
		fprintf(stderr, "snomboot: name too long\n");
		return EX_USAGE;
	}
	last[0] = 0;
	last[1] = 1;
	lastlen = 2;
	memcpy(last + lastlen, o.file, strlen(o.file) + 1);
	lastlen += strlen(o.file) + 1;
	memcpy(last + lastlen, o.mode, strlen(o.mode) + 1);
	lastlen += strlen(o.mode) + 1;

	t0 = now_ms();
	deadline = t0 + o.max_ms;
	if (sendto(s, last, lastlen, 0, (struct sockaddr *)&srv, srvlen) < 0) {
		perror("snomboot: sendto");
		return EX_SYS;
	}
	local_name(s, me, sizeof(me));
	for (;;) {
		struct pollfd pfd = { s, POLLIN, 0 };
		long left = deadline - now_ms(), wait = o.wait_ms < left ? o.wait_ms : left;
		socklen_t plen = sizeof(peer);
		ssize_t n;
		uint16_t op, blk;
		int r;

		if (left <= 0) {
			printf("TIMEOUT bytes=%llu blocks=%llu max-time local=%s\n", bytes, blocks, me);
			return EX_TIMEOUT;
		}
		r = poll(&pfd, 1, (int)wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("snomboot: poll");
			return EX_SYS;
		}
		if (r == 0) {
			/* The loader resends its last packet: the RRQ, or the ACK. */
			if (resends++ >= o.retries) {
				printf("TIMEOUT bytes=%llu blocks=%llu local=%s\n", bytes, blocks, me);
				return EX_TIMEOUT;
			}
			if (!have_tid)
				(void)sendto(s, last, lastlen, 0, (struct sockaddr *)&srv, srvlen);
			else
				(void)sendto(s, last, lastlen, 0, (struct sockaddr *)&xfer, xlen);
			continue;
		}
		n = recvfrom(s, pkt, sizeof(pkt), 0, (struct sockaddr *)&peer, &plen);
		if (n < 0)
			continue;
		if (!same_host(&peer, &srv))
			continue; /* not from the server at all */
		if (have_tid && port_of(&peer) != tid) {
			send_error(s, &peer, plen, 5, "Unknown transfer ID");
			continue;
		}
		if (n < 4) {
			printf("FAIL datagram of %zd bytes local=%s\n", n, me);
			return EX_FAIL;
		}
		op = (uint16_t)(pkt[0] << 8 | pkt[1]);
		blk = (uint16_t)(pkt[2] << 8 | pkt[3]);
		if (op == 5) {
			printf("ERROR %u ", blk);
			print_msg(pkt + 4, (size_t)n - 4);
			printf(" local=%s\n", me);
			return EX_ERROR;
		}
		if (op == 6) {
			printf("FAIL OACK although no option was requested local=%s\n", me);
			return EX_FAIL;
		}
		if (op != 3) {
			printf("FAIL unexpected opcode %u local=%s\n", op, me);
			return EX_FAIL;
		}
		if ((size_t)n - 4 > SEG) {
			printf("FAIL DATA %u of %zd bytes (more than %u) local=%s\n", blk, n - 4, SEG, me);
			return EX_FAIL;
		}
		if (!have_tid) {
			/* From here on the server's transfer port is where ACKs go. */
			have_tid = 1;
			tid = port_of(&peer);
			xfer = peer;
			xlen = plen;
		}
		if (blk == (uint16_t)(expect - 1) && blocks > 0) {
			/* Our ACK was lost: acknowledge the repeated block again. */
			(void)sendto(s, last, lastlen, 0, (struct sockaddr *)&xfer, xlen);
			continue;
		}
		if (blk != expect)
			continue; /* stray block: the lockstep loader waits */
		if (outfd >= 0 && n > 4 && write(outfd, pkt + 4, (size_t)n - 4) != n - 4) {
			perror("snomboot: write");
			return EX_SYS;
		}
		bytes += (unsigned long long)(n - 4);
		blocks++;
		resends = 0;
		last[0] = 0;
		last[1] = 4;
		last[2] = (uint8_t)(blk >> 8);
		last[3] = (uint8_t)blk;
		lastlen = 4;
		(void)sendto(s, last, lastlen, 0, (struct sockaddr *)&xfer, xlen);
		expect++;
		if ((size_t)n - 4 < SEG) {
			if (outfd >= 0 && close(outfd) != 0) {
				perror("snomboot: close");
				return EX_SYS;
			}
			printf("OK bytes=%llu blocks=%llu tid=%u ms=%ld local=%s\n", bytes, blocks, tid,
			       now_ms() - t0, me);
			return EX_OK;
		}
	}
}
