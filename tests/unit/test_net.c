/* test_net.c - net.h: net_parse_addrport and net_format from tables (the
 * expected address bytes come from inet_pton of the address text, not from
 * the code under test), then real UDP sockets on 127.0.0.0/8 and ::1 only:
 * net_listen, net_recv_request (peer, local address with and without
 * pktinfo, dual-stack v4-mapped, truncation report, empty queue) and
 * net_xfer_socket (bound to the local address on a new port, connected to
 * the client, kernel filter on: an ACK arrives, a DATA does not, a
 * stranger's ACK does not). Every wait is a poll() with a timeout. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net.h"
#include "testutil.h"

#define WAIT_MS 2000        /* loopback delivery takes microseconds */
#define GRACE_MS 100        /* "nothing else arrives" window */

/* ---------- net_parse_addrport ---------- */

struct parse_case {
	const char *label;
	const char *spec;
	int ok;
	int family;        /* AF_INET / AF_INET6 */
	const char *addr;  /* address text for inet_pton */
	unsigned port;
	const char *canon; /* net_format of the result */
};

static const struct parse_case parse_cases[] = {
	{ "v4 loopback", "127.0.0.1:69", 1, AF_INET, "127.0.0.1", 69, "127.0.0.1:69" },
	{ "v4 any", "0.0.0.0:6969", 1, AF_INET, "0.0.0.0", 6969, "0.0.0.0:6969" },
	{ "v4 broadcast, top port", "255.255.255.255:65535", 1, AF_INET,
	  "255.255.255.255", 65535, "255.255.255.255:65535" },
	{ "v4 port 1", "10.1.2.3:1", 1, AF_INET, "10.1.2.3", 1, "10.1.2.3:1" },
	{ "v6 loopback", "[::1]:69", 1, AF_INET6, "::1", 69, "[::1]:69" },
	{ "v6 any port 1", "[::]:1", 1, AF_INET6, "::", 1, "[::]:1" },
	{ "v6 link-local", "[fe80::1]:69", 1, AF_INET6, "fe80::1", 69, "[fe80::1]:69" },
	{ "v6 full length", "[1111:2222:3333:4444:5555:6666:7777:8888]:65535", 1,
	  AF_INET6, "1111:2222:3333:4444:5555:6666:7777:8888", 65535,
	  "[1111:2222:3333:4444:5555:6666:7777:8888]:65535" },
	{ "v6 v4-mapped", "[::ffff:1.2.3.4]:69", 1, AF_INET6, "::ffff:1.2.3.4", 69,
	  "1.2.3.4:69" },
	{ "port only", "6969", 1, AF_INET6, "::", 6969, "[::]:6969" },
	{ "port only 1", "1", 1, AF_INET6, "::", 1, "[::]:1" },
	{ "port only 65535", "65535", 1, AF_INET6, "::", 65535, "[::]:65535" },

	{ "empty", "", 0, 0, NULL, 0, NULL },
	{ "colon only", ":", 0, 0, NULL, 0, NULL },
	{ "v4 without port", "1.2.3.4", 0, 0, NULL, 0, NULL },
	{ "v4 empty port", "1.2.3.4:", 0, 0, NULL, 0, NULL },
	{ "v4 port 0", "1.2.3.4:0", 0, 0, NULL, 0, NULL },
	{ "v4 port 65536", "1.2.3.4:65536", 0, 0, NULL, 0, NULL },
	{ "v4 port -1", "1.2.3.4:-1", 0, 0, NULL, 0, NULL },
	{ "v4 port +69", "1.2.3.4:+69", 0, 0, NULL, 0, NULL },
	{ "v4 port space", "1.2.3.4: 69", 0, 0, NULL, 0, NULL },
	{ "v4 port trailing space", "1.2.3.4:69 ", 0, 0, NULL, 0, NULL },
	{ "v4 port 6x", "1.2.3.4:6x", 0, 0, NULL, 0, NULL },
	{ "v4 port huge", "1.2.3.4:99999999999999999999", 0, 0, NULL, 0, NULL },
	{ "v4 two ports", "1.2.3.4:69:70", 0, 0, NULL, 0, NULL },
	{ "v4 bad octet", "300.1.1.1:69", 0, 0, NULL, 0, NULL },
	{ "v4 five parts", "1.2.3.4.5:69", 0, 0, NULL, 0, NULL },
	{ "v4 short form", "127.1:69", 0, 0, NULL, 0, NULL },
	{ "host name", "host:69", 0, 0, NULL, 0, NULL },
	{ "localhost", "localhost:69", 0, 0, NULL, 0, NULL },
	{ "no host", ":69", 0, 0, NULL, 0, NULL },
	{ "v6 no colon after ]", "[::1]69", 0, 0, NULL, 0, NULL },
	{ "v6 empty port", "[::1]:", 0, 0, NULL, 0, NULL },
	{ "v6 port 0", "[::1]:0", 0, 0, NULL, 0, NULL },
	{ "v6 port 65536", "[::1]:65536", 0, 0, NULL, 0, NULL },
	{ "v6 port 69x", "[::1]:69x", 0, 0, NULL, 0, NULL },
	{ "v6 empty brackets", "[]:69", 0, 0, NULL, 0, NULL },
	{ "v6 unclosed", "[::1:69", 0, 0, NULL, 0, NULL },
	{ "v6 double ]", "[::1]]:69", 0, 0, NULL, 0, NULL },
	{ "v6 double [", "[[::1]]:69", 0, 0, NULL, 0, NULL },
	{ "v6 unbracketed", "::1:69", 0, 0, NULL, 0, NULL },
	{ "v6 unbracketed no port", "::1", 0, 0, NULL, 0, NULL },
	{ "v4 in brackets", "[1.2.3.4]:69", 0, 0, NULL, 0, NULL },
	{ "v6 bad", "[::g]:69", 0, 0, NULL, 0, NULL },
	{ "port only 0", "0", 0, 0, NULL, 0, NULL },
	{ "port only 65536", "65536", 0, 0, NULL, 0, NULL },
	{ "port only -1", "-1", 0, 0, NULL, 0, NULL },
	{ "port only leading space", " 69", 0, 0, NULL, 0, NULL },
	{ "port only trailing newline", "69\n", 0, 0, NULL, 0, NULL },
};
#define N_PARSE (sizeof parse_cases / sizeof parse_cases[0])

static void check_parsed(const char *label, const struct endpoint *ep,
			 int family, const char *addr, unsigned port)
{
	TU_EQ(label, ep->ss.ss_family, family);
	if (family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&ep->ss;
		struct in_addr want;

		assert_int_equal(inet_pton(AF_INET, addr, &want), 1);
		TU_EQ(label, ep->len, sizeof(struct sockaddr_in));
		TU_MEMEQ(label, &s->sin_addr, 4, &want, 4);
		TU_EQ(label, ntohs(s->sin_port), port);
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&ep->ss;
		struct in6_addr want;

		assert_int_equal(inet_pton(AF_INET6, addr, &want), 1);
		TU_EQ(label, ep->len, sizeof(struct sockaddr_in6));
		TU_MEMEQ(label, &s->sin6_addr, 16, &want, 16);
		TU_EQ(label, ntohs(s->sin6_port), port);
		TU_EQ(label, s->sin6_scope_id, 0);
		TU_EQ(label, s->sin6_flowinfo, 0);
	}
}

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_PARSE; i++) {
		const struct parse_case *c = &parse_cases[i];
		/* exact-size copy: a read past the NUL is a heap overread */
		char *spec = (char *)tu_heapdup(c->spec, strlen(c->spec) + 1);
		struct endpoint ep;
		int r;

		memset(&ep, 0x5a, sizeof ep);
		r = net_parse_addrport(spec, &ep);
		TU_EQ(c->label, r, c->ok ? 0 : -1);
		if (c->ok)
			check_parsed(c->label, &ep, c->family, c->addr, c->port);
		free(spec);
	}
}

/* Over-long specs of each shape: refused, nothing overflows. */
static void test_parse_long(void **state)
{
	enum { L = 300 };
	char s[L + 16];

	(void)state;
	memset(s, '1', L);
	strcpy(s + L, ":69");
	TU_EQ("long v4 host", net_parse_addrport(s, &(struct endpoint){ 0 }), -1);

	s[0] = '[';
	memset(s + 1, 'a', L);
	strcpy(s + 1 + L, "]:69");
	TU_EQ("long v6 host", net_parse_addrport(s, &(struct endpoint){ 0 }), -1);

	memset(s, '1', L);
	s[L] = '\0';
	TU_EQ("long port only", net_parse_addrport(s, &(struct endpoint){ 0 }), -1);

	/* 46 characters: the longest textual IPv6 address, still accepted */
	{
		const char *big = "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:7";
		struct endpoint ep;

		TU_EQ("longest v6 text", net_parse_addrport(big, &ep), 0);
		check_parsed("longest v6 text", &ep, AF_INET6,
			     "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 7);
	}
}

/* ---------- net_format ---------- */

static void test_format_roundtrip(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_PARSE; i++) {
		const struct parse_case *c = &parse_cases[i];
		struct endpoint ep;
		char out[128];

		if (!c->ok)
			continue;
		assert_int_equal(net_parse_addrport(c->spec, &ep), 0);
		memset(out, 'Z', sizeof out);
		net_format(&ep, out, sizeof out);
		TU_STREQ(c->label, out, c->canon);
	}
}

static void set_v4(struct endpoint *ep, const char *ip, unsigned port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)&ep->ss;

	memset(ep, 0, sizeof *ep);
	s->sin_family = AF_INET;
	s->sin_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET, ip, &s->sin_addr), 1);
	ep->len = sizeof *s;
}

static void set_v6(struct endpoint *ep, const char *ip, unsigned port)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ep->ss;

	memset(ep, 0, sizeof *ep);
	s->sin6_family = AF_INET6;
	s->sin6_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET6, ip, &s->sin6_addr), 1);
	ep->len = sizeof *s;
}

static void test_format_cases(void **state)
{
	struct endpoint ep;
	char out[128];

	(void)state;
	set_v4(&ep, "192.0.2.33", 40000);
	net_format(&ep, out, sizeof out);
	TU_STREQ("v4", out, "192.0.2.33:40000");

	set_v4(&ep, "127.0.0.1", 0);
	net_format(&ep, out, sizeof out);
	TU_STREQ("v4 port 0", out, "127.0.0.1:0");

	set_v6(&ep, "2001:db8::5", 69);
	net_format(&ep, out, sizeof out);
	TU_STREQ("v6", out, "[2001:db8::5]:69");

	set_v6(&ep, "::ffff:10.1.2.3", 4000);
	net_format(&ep, out, sizeof out);
	TU_STREQ("v4-mapped shown as v4", out, "10.1.2.3:4000");

	/* ::a.b.c.d (deprecated v4-compatible) is not v4-mapped */
	set_v6(&ep, "::1.2.3.4", 5);
	net_format(&ep, out, sizeof out);
	TU_CHECK("v4-compatible stays v6", out[0] == '[');

	/* An unknown family: some NUL-terminated text that is no address. */
	memset(&ep, 0, sizeof ep);
	ep.ss.ss_family = AF_UNIX;
	ep.len = sizeof(struct sockaddr_un);
	memset(out, 'Z', sizeof out);
	net_format(&ep, out, sizeof out);
	TU_CHECK("unknown family: NUL-terminated", memchr(out, 0, sizeof out) != NULL);
	TU_EQ("unknown family: not parseable as an address",
	      net_parse_addrport(out, &(struct endpoint){ 0 }), -1);
	TU_CHECK("unknown family: not an address text",
		 strchr(out, '.') == NULL && strchr(out, '[') == NULL);
}

/* Small buffers: a NUL-terminated prefix, never a byte past sz. */
static void test_format_small(void **state)
{
	struct endpoint eps[4];
	enum { G = 16 };

	(void)state;
	set_v4(&eps[0], "255.255.255.255", 65535);
	set_v6(&eps[1], "1111:2222:3333:4444:5555:6666:7777:8888", 65535);
	set_v6(&eps[2], "::ffff:255.255.255.254", 65534);
	memset(&eps[3], 0, sizeof eps[3]);
	eps[3].ss.ss_family = AF_UNIX;
	for (size_t e = 0; e < 4; e++) {
		char full[128];

		net_format(&eps[e], full, sizeof full);
		for (size_t sz = 0; sz <= strlen(full) + 2; sz++) {
			unsigned char mem[128 + 2 * G];
			char *out = (char *)mem + G;
			char label[48];

			snprintf(label, sizeof label, "endpoint %zu sz %zu", e, sz);
			memset(mem, 0xa5, sizeof mem);
			net_format(&eps[e], out, sz);
			for (size_t i = 0; i < G; i++)
				TU_CHECK(label, mem[i] == 0xa5 && mem[G + sz + i] == 0xa5);
			if (sz == 0)
				continue;
			TU_CHECK(label, memchr(out, 0, sz) != NULL);
			TU_CHECK(label, strncmp(out, full, strlen(out)) == 0);
			TU_EQ(label, strlen(out), strlen(full) < sz ? strlen(full) : sz - 1);
		}
	}
}

/* ---------- sockets ---------- */

static void sa_set(struct sockaddr_storage *ss, socklen_t *len, int fam,
		   const char *ip, uint16_t port)
{
	memset(ss, 0, sizeof *ss);
	if (fam == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		assert_int_equal(inet_pton(AF_INET, ip, &s->sin_addr), 1);
		*len = sizeof *s;
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		assert_int_equal(inet_pton(AF_INET6, ip, &s->sin6_addr), 1);
		*len = sizeof *s;
	}
}

static uint16_t sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* Family, address and port equal (scope and flow label not compared). */
static int sa_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family || sa_port(a) != sa_port(b))
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

static void sa_show(const struct sockaddr_storage *ss, char *buf, size_t sz)
{
	struct endpoint ep;

	memset(&ep, 0, sizeof ep);
	ep.ss = *ss;
	net_format(&ep, buf, sz);
	if (ss->ss_family == AF_INET6 && buf[0] != '[') {
		/* net_format shows mapped v6 as v4: mark it for messages */
		char t[96];

		snprintf(t, sizeof t, "v6-mapped %s", buf);
		snprintf(buf, sz, "%s", t);
	}
}

static void expect_sa(const char *label, const char *what,
		      const struct sockaddr_storage *got, int fam, const char *ip,
		      uint16_t port)
{
	struct sockaddr_storage want;
	socklen_t wl;
	char g[96], w[96];

	sa_set(&want, &wl, fam, ip, port);
	if (!sa_same(got, &want)) {
		sa_show(got, g, sizeof g);
		sa_show(&want, w, sizeof w);
		fail_msg("[%s] %s: got %s (family %d), expected %s (family %d)",
			 label, what, g, got->ss_family, w, fam);
	}
}

static int wait_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static int udp_bound(int fam, const char *ip)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sa_set(&ss, &len, fam, ip, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	return fd;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

enum lmode {
	L_NET_LISTEN,  /* net_listen(ep) */
	L_PLAIN,       /* socket + bind, no pktinfo (inetd fd 0 without it) */
	L_PLAIN_PKTINFO/* socket + bind + net_enable_pktinfo (inetd fd 0) */
};

struct rx_case {
	const char *label;
	enum lmode mode;
	int lfam;             /* listener */
	const char *lip;
	int dual;             /* L_PLAIN*: V6ONLY off */
	int cfam;             /* client */
	const char *cip;
	const char *dst;      /* what the client sends to */
	int wfam;             /* expected local (port 0) and peer family */
	const char *wlocal;
	const char *wpeer;    /* client's address as the server sees it */
	const char *wxfer;    /* transfer socket address if not wlocal */
	const char *xdst;     /* client sends to the transfer port here if
				 not at dst */
};

static const struct rx_case rx_cases[] = {
	{ "v4 loopback", L_NET_LISTEN, AF_INET, "127.0.0.1", 0,
	  AF_INET, "127.0.0.1", "127.0.0.1", AF_INET, "127.0.0.1", "127.0.0.1",
	  NULL, NULL },
	{ "v6 loopback", L_NET_LISTEN, AF_INET6, "::1", 0,
	  AF_INET6, "::1", "::1", AF_INET6, "::1", "::1", NULL, NULL },
	{ "v4 any, to 127.0.0.1", L_NET_LISTEN, AF_INET, "0.0.0.0", 0,
	  AF_INET, "127.0.0.1", "127.0.0.1", AF_INET, "127.0.0.1", "127.0.0.1", NULL, NULL },
	{ "v4 any, to 127.0.0.2", L_NET_LISTEN, AF_INET, "0.0.0.0", 0,
	  AF_INET, "127.0.0.1", "127.0.0.2", AF_INET, "127.0.0.2", "127.0.0.1", NULL, NULL },
	{ "v6 any, to ::1", L_NET_LISTEN, AF_INET6, "::", 0,
	  AF_INET6, "::1", "::1", AF_INET6, "::1", "::1", NULL, NULL },
	{ "dual-stack, v4 client to 127.0.0.1", L_NET_LISTEN, AF_INET6, "::", 0,
	  AF_INET, "127.0.0.1", "127.0.0.1", AF_INET6, "::ffff:127.0.0.1",
	  "::ffff:127.0.0.1", NULL, NULL },
	{ "dual-stack, v4 client to 127.0.0.3", L_NET_LISTEN, AF_INET6, "::", 0,
	  AF_INET, "127.0.0.1", "127.0.0.3", AF_INET6, "::ffff:127.0.0.3",
	  "::ffff:127.0.0.1", NULL, NULL },
	{ "no pktinfo, bound 127.0.0.1", L_PLAIN, AF_INET, "127.0.0.1", 0,
	  AF_INET, "127.0.0.1", "127.0.0.1", AF_INET, "127.0.0.1", "127.0.0.1", NULL, NULL },
	/* without pktinfo local is the wildcard: the transfer socket then
	 * gets the kernel's route source on connect, not what the client
	 * addressed (the reason pktinfo exists) */
	{ "no pktinfo, v4 any: own address", L_PLAIN, AF_INET, "0.0.0.0", 0,
	  AF_INET, "127.0.0.1", "127.0.0.2", AF_INET, "0.0.0.0", "127.0.0.1",
	  "127.0.0.1", "127.0.0.1" },
	{ "fd0 + pktinfo, v4 any, to 127.0.0.2", L_PLAIN_PKTINFO, AF_INET, "0.0.0.0", 0,
	  AF_INET, "127.0.0.1", "127.0.0.2", AF_INET, "127.0.0.2", "127.0.0.1", NULL, NULL },
	{ "fd0 + pktinfo, v6 any, to ::1", L_PLAIN_PKTINFO, AF_INET6, "::", 0,
	  AF_INET6, "::1", "::1", AF_INET6, "::1", "::1", NULL, NULL },
	{ "fd0 + pktinfo, dual-stack, v4 client", L_PLAIN_PKTINFO, AF_INET6, "::", 1,
	  AF_INET, "127.0.0.1", "127.0.0.2", AF_INET6, "::ffff:127.0.0.2",
	  "::ffff:127.0.0.1", NULL, NULL },
};
#define N_RX (sizeof rx_cases / sizeof rx_cases[0])

static int make_listener(const struct rx_case *c, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (c->mode == L_NET_LISTEN) {
		struct endpoint ep;

		memset(&ep, 0, sizeof ep);
		sa_set(&ep.ss, &ep.len, c->lfam, c->lip, 0);
		fd = net_listen(&ep);
		if (fd < 0)
			fail_msg("[%s] net_listen: %s", c->label, strerror(errno));
	} else {
		int off = 0;

		fd = socket(c->lfam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		if (c->dual)
			assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
						    &off, sizeof off), 0);
		sa_set(&ss, &len, c->lfam, c->lip, 0);
		assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
		if (c->mode == L_PLAIN_PKTINFO)
			TU_EQ(c->label, net_enable_pktinfo(fd), 0);
	}
	len = sizeof ss;
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	TU_EQ(c->label, ss.ss_family, c->lfam);
	*port = sa_port(&ss);
	TU_CHECK(c->label, *port != 0);
	return fd;
}

static void send_to(int fd, int fam, const char *ip, uint16_t port,
		    const void *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len;

	sa_set(&ss, &len, fam, ip, port);
	assert_int_equal(sendto(fd, buf, n, 0, (struct sockaddr *)&ss, len),
			 (ssize_t)n);
}

/* A transfer socket from what net_recv_request reported: right local
 * address on a fresh port, connected to the client, filtered. */
static void check_xfer(const struct rx_case *c, const struct endpoint *local,
		       const struct endpoint *peer, int client, uint16_t lport)
{
	struct sockaddr_storage me, them, cl, from;
	socklen_t ml = sizeof me, tl = sizeof them, cll = sizeof cl, fl;
	uint8_t b[64];
	int x = net_xfer_socket(local, peer), stranger;
	uint16_t xport;
	const char *dst;
	ssize_t n;

	if (x < 0)
		fail_msg("[%s] net_xfer_socket: %s", c->label, strerror(errno));
	assert_int_equal(getsockname(x, (struct sockaddr *)&me, &ml), 0);
	assert_int_equal(getpeername(x, (struct sockaddr *)&them, &tl), 0);
	xport = sa_port(&me);
	TU_CHECK(c->label, xport != 0 && xport != lport);
	expect_sa(c->label, "transfer socket address", &me, c->wfam,
		  c->wxfer ? c->wxfer : c->wlocal, xport);
	expect_sa(c->label, "transfer socket peer", &them, c->wfam, c->wpeer,
		  sa_port(&peer->ss));

	/* The client (unconnected) writes to the transfer port at the address
	 * it first used: a DATA, which the filter drops, then an ACK. */
	dst = c->xdst ? c->xdst : c->dst;
	send_to(client, c->cfam, dst, xport, "\0\3\0\1" "data", 8);
	send_to(client, c->cfam, dst, xport, "\0\4\0\1", 4);
	if (!wait_in(x, WAIT_MS))
		fail_msg("[%s] the ACK did not reach the transfer socket", c->label);
	n = recv(x, b, sizeof b, MSG_DONTWAIT);
	TU_EQ(c->label, n, 4);
	TU_MEMEQ(c->label, b, (size_t)n, "\0\4\0\1", 4);
	if (wait_in(x, GRACE_MS))
		fail_msg("[%s] the DATA datagram got through the filter", c->label);

	/* connected: an ACK from another port of the same host is not ours */
	stranger = udp_bound(c->cfam, c->cip);
	send_to(stranger, c->cfam, dst, xport, "\0\4\0\2", 4);
	if (wait_in(x, GRACE_MS))
		fail_msg("[%s] a stranger's ACK reached the transfer socket", c->label);
	close(stranger);

	/* and replies go from the transfer port to the client */
	assert_int_equal(send(x, "\0\3\0\1" "ok", 6, 0), 6);
	TU_CHECK(c->label, wait_in(client, WAIT_MS));
	fl = sizeof from;
	n = recvfrom(client, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	TU_EQ(c->label, n, 6);
	expect_sa(c->label, "reply source", &from, c->cfam, dst, xport);
	assert_int_equal(getsockname(client, (struct sockaddr *)&cl, &cll), 0);
	close(x);
}

static void test_recv_and_xfer(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_RX; i++) {
		const struct rx_case *c = &rx_cases[i];
		struct sockaddr_storage cs;
		socklen_t cl = sizeof cs;
		struct endpoint peer, local;
		uint8_t buf[600];
		uint16_t lport;
		int l, cli, fds = count_fds();
		ssize_t n;

		l = make_listener(c, &lport);
		cli = udp_bound(c->cfam, c->cip);
		assert_int_equal(getsockname(cli, (struct sockaddr *)&cs, &cl), 0);
		send_to(cli, c->cfam, c->dst, lport, "\0\1" "a.bin\0" "octet\0", 14);
		if (!wait_in(l, WAIT_MS))
			fail_msg("[%s] request not delivered", c->label);
		memset(&peer, 0x5a, sizeof peer);
		memset(&local, 0x5a, sizeof local);
		n = net_recv_request(l, buf, sizeof buf, &peer, &local);
		TU_EQ(c->label, n, 14);
		TU_MEMEQ(c->label, buf, 14, "\0\1" "a.bin\0" "octet\0", 14);
		TU_EQ(c->label, peer.len, c->wfam == AF_INET ?
		      sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		TU_EQ(c->label, local.len, peer.len);
		expect_sa(c->label, "peer", &peer.ss, c->wfam, c->wpeer, sa_port(&cs));
		expect_sa(c->label, "local", &local.ss, c->wfam, c->wlocal, 0);
		check_xfer(c, &local, &peer, cli, lport);
		close(cli);
		close(l);
		TU_EQ(c->label, count_fds(), fds);
	}
}

/* A datagram larger than cap: the full length is reported (> cap), cap
 * bytes are stored, nothing beyond. A zero-length datagram returns 0. */
static void test_recv_truncated(void **state)
{
	static const struct rx_case *pick[2] = { &rx_cases[0], &rx_cases[1] };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		const struct rx_case *c = pick[i];
		uint8_t big[1000], buf[100 + 32];
		struct endpoint peer, local;
		uint16_t lport;
		int l = make_listener(c, &lport), cli = udp_bound(c->cfam, c->cip);
		ssize_t n;

		for (size_t k = 0; k < sizeof big; k++)
			big[k] = (uint8_t)(k * 7 + 1);
		send_to(cli, c->cfam, c->dst, lport, big, sizeof big);
		TU_CHECK(c->label, wait_in(l, WAIT_MS));
		memset(buf, 0xa5, sizeof buf);
		n = net_recv_request(l, buf, 100, &peer, &local);
		TU_EQ(c->label, n, sizeof big);
		TU_MEMEQ(c->label, buf, 100, big, 100);
		for (size_t k = 100; k < sizeof buf; k++)
			TU_EQ(c->label, buf[k], 0xa5);
		expect_sa(c->label, "local (truncated)", &local.ss, c->wfam, c->wlocal, 0);

		send_to(cli, c->cfam, c->dst, lport, "", 0);
		TU_CHECK(c->label, wait_in(l, WAIT_MS));
		TU_EQ(c->label, net_recv_request(l, buf, 100, &peer, &local), 0);
		expect_sa(c->label, "local (empty)", &local.ss, c->wfam, c->wlocal, 0);
		close(cli);
		close(l);
	}
}

/* Nothing queued on a non-blocking socket: -1 with errno EAGAIN. */
static void test_recv_empty_queue(void **state)
{
	uint16_t lport;
	int l = make_listener(&rx_cases[0], &lport);
	struct endpoint peer, local;
	uint8_t buf[16];

	(void)state;
	assert_int_equal(fcntl(l, F_SETFL, fcntl(l, F_GETFL) | O_NONBLOCK), 0);
	errno = 0;
	TU_EQ("empty queue", net_recv_request(l, buf, sizeof buf, &peer, &local), -1);
	TU_CHECK("empty queue errno", errno == EAGAIN || errno == EWOULDBLOCK);
	close(l);
}

/* Failures return -1 with errno set and leak no descriptor. */
static void test_socket_errors(void **state)
{
	struct endpoint ep, peer;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fds, busy, fd;

	(void)state;
	fds = count_fds();
	busy = udp_bound(AF_INET, "127.0.0.1");
	assert_int_equal(getsockname(busy, (struct sockaddr *)&ss, &len), 0);
	memset(&ep, 0, sizeof ep);
	ep.ss = ss;
	ep.len = len;
	errno = 0;
	fd = net_listen(&ep);
	TU_EQ("listen on a port in use", fd, -1);
	TU_EQ("listen on a port in use: errno", errno, EADDRINUSE);

	/* not an address of this host (TEST-NET-3): bind fails */
	set_v4(&ep, "203.0.113.7", 0);
	errno = 0;
	TU_EQ("listen on a foreign address", net_listen(&ep), -1);
	TU_CHECK("listen on a foreign address: errno", errno != 0);

	memset(&ep, 0, sizeof ep);
	ep.ss.ss_family = AF_UNIX;
	ep.len = sizeof(struct sockaddr_un);
	TU_EQ("listen AF_UNIX", net_listen(&ep), -1);

	set_v4(&ep, "203.0.113.7", 0);
	set_v4(&peer, "127.0.0.1", 9);
	errno = 0;
	TU_EQ("xfer from a foreign address", net_xfer_socket(&ep, &peer), -1);
	TU_EQ("xfer from a foreign address: errno", errno, EADDRNOTAVAIL);
	close(busy);
	TU_EQ("no descriptor leaked", count_fds(), fds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_format_cases),
		cmocka_unit_test(test_format_small),
		cmocka_unit_test(test_recv_and_xfer),
		cmocka_unit_test(test_recv_truncated),
		cmocka_unit_test(test_recv_empty_queue),
		cmocka_unit_test(test_socket_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
