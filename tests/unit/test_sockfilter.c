/* test_sockfilter.c - the transfer socket filter against real UDP sockets on
 * 127.0.0.1 and ::1 (and IPv4 through a dual-stack socket bound to
 * ::ffff:127.0.0.1). Each datagram under test is followed by a marker ACK;
 * the receiver collects datagrams until the marker has arrived (bounded
 * wait), then waits a short bounded time for stragglers, then checks with a
 * non-blocking recv that nothing else is queued. So "dropped" means "the
 * marker sent after it arrived and it did not". A control run over sockets
 * without the filter shows every one of these datagrams is delivered there,
 * so the drops are the filter's doing. Expected verdicts come from the
 * brief: ACK exactly 4 bytes and ERROR 5+ bytes pass, everything else not. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sockfilter.h"
#include "testutil.h"

#define MARKER "\0\4\xbe\xef"    /* ACK 48879: admitted, and unique */
#define MARKER_WAIT_MS 2000      /* the marker should take microseconds */
#define STRAGGLER_WAIT_MS 50     /* after the marker: reordering margin */
#define MAX_DGRAMS 8             /* more than this per case is a failure */

enum { SETUP_V4, SETUP_V6, SETUP_DUAL };

struct fcase {
	const char *label;
	const uint8_t *buf;
	size_t len;
	size_t (*gen)(uint8_t *out, size_t cap); /* for big datagrams */
	int admit;
};

static size_t gen_data512(uint8_t *out, size_t cap)
{
	assert_true(cap >= 516);
	memcpy(out, "\0\3\0\1", 4);
	memset(out + 4, 'd', 512);
	return 516;
}

static size_t gen_error_big(uint8_t *out, size_t cap)
{
	assert_true(cap >= 1400);
	memcpy(out, "\0\5\0\0", 4);
	memset(out + 4, 'e', 1395);
	out[1399] = '\0';
	return 1400;
}

static const struct fcase cases[] = {
	{ "ack 4 bytes", TU_LIT("\0\4\0\1"), NULL, 1 },
	{ "ack 4 bytes block 0", TU_LIT("\0\4\0\0"), NULL, 1 },
	{ "ack 4 bytes block 65535", TU_LIT("\0\4\xff\xff"), NULL, 1 },
	{ "ack 5 bytes", TU_LIT("\0\4\0\1\0"), NULL, 0 },
	{ "ack 3 bytes", TU_LIT("\0\4\0"), NULL, 0 },
	{ "ack 2 bytes", TU_LIT("\0\4"), NULL, 0 },
	{ "one byte", TU_LIT("\4"), NULL, 0 },
	{ "empty datagram", TU_LIT(""), NULL, 0 },
	{ "error 5 bytes", TU_LIT("\0\5\0\1\0"), NULL, 1 },
	{ "error with text", TU_LIT("\0\5\0\3" "disk full\0"), NULL, 1 },
	{ "error 8 (option refused)", TU_LIT("\0\5\0\10" "x\0"), NULL, 1 },
	/* the filter checks length and opcode only; the NUL is the parser's
	 * business (pkt_parse refuses this one) */
	{ "error 6 bytes no NUL", TU_LIT("\0\5\0\1AA"), NULL, 1 },
	{ "error 1400 bytes", NULL, 0, gen_error_big, 1 },
	{ "error 4 bytes", TU_LIT("\0\5\0\1"), NULL, 0 },
	{ "error 3 bytes", TU_LIT("\0\5\0"), NULL, 0 },
	{ "data 516 bytes", NULL, 0, gen_data512, 0 },
	{ "data 4 bytes (empty block)", TU_LIT("\0\3\0\1"), NULL, 0 },
	{ "data 5 bytes", TU_LIT("\0\3\0\1x"), NULL, 0 },
	{ "rrq", TU_LIT("\0\1" "a.bin\0" "octet\0"), NULL, 0 },
	{ "wrq", TU_LIT("\0\2" "a.bin\0" "octet\0"), NULL, 0 },
	{ "oack", TU_LIT("\0\6" "blksize\0" "1428\0"), NULL, 0 },
	{ "opcode 0 length 4", TU_LIT("\0\0\0\1"), NULL, 0 },
	{ "opcode 7 length 5", TU_LIT("\0\7\0\1\0"), NULL, 0 },
	/* byte order: these would be ACK/ERROR if read little-endian */
	{ "opcode 0x0400 length 4", TU_LIT("\4\0\0\1"), NULL, 0 },
	{ "opcode 0x0500 length 5", TU_LIT("\5\0\0\1\0"), NULL, 0 },
	{ "opcode 0x0104 length 4", TU_LIT("\1\4\0\1"), NULL, 0 },
	{ "opcode 0x0105 length 5", TU_LIT("\1\5\0\1\0"), NULL, 0 },
};
#define NCASES (sizeof cases / sizeof cases[0])

/* Receiver rx (filtered or not) and peer tx on loopback, connected to each
 * other the way a transfer socket is connected to its client. The filter
 * goes on before bind(), the order sockfilter.h asks for. */
static void make_pair(int setup, int filtered, int *rx, int *tx)
{
	struct sockaddr_storage ra, ta;
	socklen_t rl, tl;
	int rfam = setup == SETUP_V4 ? AF_INET : AF_INET6;
	int tfam = setup == SETUP_V6 ? AF_INET6 : AF_INET;

	memset(&ra, 0, sizeof ra);
	memset(&ta, 0, sizeof ta);
	*rx = socket(rfam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	*tx = socket(tfam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(*rx >= 0 && *tx >= 0);
	if (filtered)
		assert_int_equal(sockfilter_attach(*rx), 0);

	if (setup == SETUP_V4) {
		struct sockaddr_in *r = (struct sockaddr_in *)&ra;

		r->sin_family = AF_INET;
		r->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		rl = sizeof *r;
	} else {
		struct sockaddr_in6 *r = (struct sockaddr_in6 *)&ra;
		const char *ip = setup == SETUP_V6 ? "::1" : "::ffff:127.0.0.1";

		if (setup == SETUP_DUAL) {
			int off = 0;

			assert_int_equal(setsockopt(*rx, IPPROTO_IPV6,
						    IPV6_V6ONLY, &off,
						    sizeof off), 0);
		}
		r->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, ip, &r->sin6_addr), 1);
		rl = sizeof *r;
	}
	if (tfam == AF_INET) {
		struct sockaddr_in *t = (struct sockaddr_in *)&ta;

		t->sin_family = AF_INET;
		t->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		tl = sizeof *t;
	} else {
		struct sockaddr_in6 *t = (struct sockaddr_in6 *)&ta;

		t->sin6_family = AF_INET6;
		t->sin6_addr = in6addr_loopback;
		tl = sizeof *t;
	}
	assert_int_equal(bind(*rx, (struct sockaddr *)&ra, rl), 0);
	assert_int_equal(bind(*tx, (struct sockaddr *)&ta, tl), 0);
	assert_int_equal(getsockname(*rx, (struct sockaddr *)&ra, &rl), 0);
	assert_int_equal(getsockname(*tx, (struct sockaddr *)&ta, &tl), 0);

	if (setup == SETUP_DUAL) {
		/* the dual-stack receiver sees its IPv4 peer as mapped */
		struct sockaddr_in *t = (struct sockaddr_in *)&ta;
		struct sockaddr_in6 m;

		memset(&m, 0, sizeof m);
		m.sin6_family = AF_INET6;
		m.sin6_port = t->sin_port;
		assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.1",
					   &m.sin6_addr), 1);
		assert_int_equal(connect(*rx, (struct sockaddr *)&m, sizeof m),
				 0);
		/* and the IPv4 peer sends to 127.0.0.1 at rx's port */
		struct sockaddr_in r4;

		memset(&r4, 0, sizeof r4);
		r4.sin_family = AF_INET;
		r4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		r4.sin_port = ((struct sockaddr_in6 *)&ra)->sin6_port;
		assert_int_equal(connect(*tx, (struct sockaddr *)&r4,
					 sizeof r4), 0);
	} else {
		assert_int_equal(connect(*rx, (struct sockaddr *)&ta, tl), 0);
		assert_int_equal(connect(*tx, (struct sockaddr *)&ra, rl), 0);
	}
}

struct got {
	size_t n;
	ssize_t len[MAX_DGRAMS];
	uint8_t buf[MAX_DGRAMS][2048];
};

static int is_marker(const struct got *g, size_t i)
{
	return g->len[i] == 4 && memcmp(g->buf[i], MARKER, 4) == 0;
}

/* Collect datagrams: until the marker (at most MARKER_WAIT_MS), then for
 * STRAGGLER_WAIT_MS more; finally the queue must be empty. */
static void collect(const char *label, int rx, struct got *g)
{
	int seen_marker = 0;

	g->n = 0;
	for (;;) {
		struct pollfd p = { .fd = rx, .events = POLLIN };
		int r = poll(&p, 1, seen_marker ? STRAGGLER_WAIT_MS
						: MARKER_WAIT_MS);
		ssize_t k;

		if (r < 0 && errno == EINTR)
			continue;
		TU_CHECK(label, r >= 0);
		if (r == 0)
			break;
		TU_CHECK(label, g->n < MAX_DGRAMS);
		k = recv(rx, g->buf[g->n], sizeof g->buf[0], MSG_DONTWAIT);
		if (k < 0 && errno == EAGAIN)
			continue; /* woken without data; poll again */
		TU_CHECK(label, k >= 0);
		g->len[g->n] = k;
		if (is_marker(g, g->n))
			seen_marker = 1;
		g->n++;
	}
	if (!seen_marker)
		fail_msg("[%s] marker did not arrive within %d ms", label,
			 MARKER_WAIT_MS);
	/* the non-blocking check the brief asks for: nothing left */
	{
		uint8_t b[16];
		ssize_t k = recv(rx, b, sizeof b, MSG_DONTWAIT);

		TU_EQ(label, k, -1);
		TU_CHECK(label, errno == EAGAIN || errno == EWOULDBLOCK);
	}
}

/* Send every case through one pair and check each verdict. */
static void run_cases(int setup, int filtered)
{
	int rx, tx;
	static uint8_t big[2048];
	struct got *g = malloc(sizeof *g);

	assert_non_null(g);
	make_pair(setup, filtered, &rx, &tx);
	for (size_t i = 0; i < NCASES; i++) {
		const struct fcase *c = &cases[i];
		const uint8_t *buf = c->buf;
		size_t len = c->len;
		int want = filtered ? c->admit : 1;
		char label[96];

		snprintf(label, sizeof label, "%s/%s/%s",
			 setup == SETUP_V4 ? "v4" : setup == SETUP_V6 ? "v6"
								 : "dual",
			 filtered ? "filtered" : "control", c->label);
		if (c->gen != NULL) {
			len = c->gen(big, sizeof big);
			buf = big;
		}
		TU_EQ(label, send(tx, buf, len, 0), len);
		TU_EQ(label, send(tx, MARKER, 4, 0), 4);
		collect(label, rx, g);
		TU_EQ(label, g->n, want ? 2 : 1);
		if (want) {
			/* the case and the marker, in either order */
			size_t d = is_marker(g, 0) ? 1 : 0;

			TU_CHECK(label, is_marker(g, 1 - d));
			TU_MEMEQ(label, g->buf[d], (size_t)g->len[d], buf, len);
		}
	}
	close(rx);
	close(tx);
	free(g);
}

static void test_filter_v4(void **state)
{
	(void)state;
	run_cases(SETUP_V4, 1);
}

static void test_filter_v6(void **state)
{
	(void)state;
	run_cases(SETUP_V6, 1);
}

/* IPv4 client on a dual-stack AF_INET6 transfer socket. */
static void test_filter_dualstack(void **state)
{
	(void)state;
	run_cases(SETUP_DUAL, 1);
}

/* Control: without the filter every case arrives, so the harness can see
 * each of these datagrams, including the empty one. */
static void test_control_unfiltered(void **state)
{
	(void)state;
	run_cases(SETUP_V4, 0);
	run_cases(SETUP_V6, 0);
	run_cases(SETUP_DUAL, 0);
}

/* SO_LOCK_FILTER: the filter can be neither removed nor replaced nor
 * unlocked, and keeps working after the attempts. */
static void test_locked(void **state)
{
	static const struct sock_filter accept_all[] = {
		BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
	};
	struct sock_fprog prog = {
		.len = 1,
		.filter = (struct sock_filter *)accept_all,
	};
	int fams[] = { SETUP_V4, SETUP_V6 };

	(void)state;
	for (size_t f = 0; f < 2; f++) {
		const char *label = f == 0 ? "v4" : "v6";
		int rx, tx, dummy = 0, locked = 0, zero = 0;
		socklen_t ll = sizeof locked;
		struct got *g = malloc(sizeof *g);

		assert_non_null(g);
		/* control: on an unfiltered socket detaching says ENOENT (no
		 * filter), so the EPERM below comes from the lock */
		make_pair(fams[f], 0, &rx, &tx);
		errno = 0;
		TU_EQ(label, setsockopt(rx, SOL_SOCKET, SO_DETACH_FILTER,
					&dummy, sizeof dummy), -1);
		TU_EQ(label, errno, ENOENT);
		close(rx);
		close(tx);

		make_pair(fams[f], 1, &rx, &tx);
		TU_EQ(label, getsockopt(rx, SOL_SOCKET, SO_LOCK_FILTER,
					&locked, &ll), 0);
		TU_EQ(label, locked, 1);

		errno = 0;
		TU_EQ(label, setsockopt(rx, SOL_SOCKET, SO_DETACH_FILTER,
					&dummy, sizeof dummy), -1);
		TU_EQ(label, errno, EPERM);
		errno = 0;
		TU_EQ(label, setsockopt(rx, SOL_SOCKET, SO_ATTACH_FILTER,
					&prog, sizeof prog), -1);
		TU_EQ(label, errno, EPERM);
		errno = 0;
		TU_EQ(label, setsockopt(rx, SOL_SOCKET, SO_LOCK_FILTER, &zero,
					sizeof zero), -1);
		TU_EQ(label, errno, EPERM);
		errno = 0;
		TU_EQ(label, sockfilter_attach(rx), -1);
		TU_EQ(label, errno, EPERM);

		/* still filtering: DATA dropped, ACK admitted */
		TU_EQ(label, send(tx, "\0\3\0\1x", 5, 0), 5);
		TU_EQ(label, send(tx, MARKER, 4, 0), 4);
		collect(label, rx, g);
		TU_EQ(label, g->n, 1);
		TU_CHECK(label, is_marker(g, 0));
		close(rx);
		close(tx);
		free(g);
	}
}

/* Attaching after connect() works as well (only the queue before the
 * attach is unfiltered). */
static void test_attach_after_connect(void **state)
{
	int rx, tx;
	struct got *g = malloc(sizeof *g);

	(void)state;
	assert_non_null(g);
	make_pair(SETUP_V4, 0, &rx, &tx);
	assert_int_equal(sockfilter_attach(rx), 0);
	assert_int_equal(send(tx, "\0\1" "x\0" "octet\0", 10, 0), 10);
	assert_int_equal(send(tx, MARKER, 4, 0), 4);
	collect("after connect", rx, g);
	assert_int_equal(g->n, 1);
	assert_true(is_marker(g, 0));
	close(rx);
	close(tx);
	free(g);
}

/* Anything but a UDP/IP socket is refused, nothing is attached. */
static void test_wrong_fds(void **state)
{
	int p[2], s, one_dgram[2];

	(void)state;
	errno = 0;
	assert_int_equal(sockfilter_attach(-1), -1);
	assert_int_equal(errno, EBADF);

	assert_int_equal(pipe(p), 0);
	errno = 0;
	assert_int_equal(sockfilter_attach(p[0]), -1);
	assert_int_equal(errno, ENOTSOCK);
	close(p[0]);
	close(p[1]);

	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	errno = 0;
	assert_int_equal(sockfilter_attach(s), -1);
	assert_int_equal(errno, EINVAL);
	close(s);

	s = socket(AF_INET6, SOCK_STREAM, 0);
	assert_true(s >= 0);
	errno = 0;
	assert_int_equal(sockfilter_attach(s), -1);
	assert_int_equal(errno, EINVAL);
	close(s);

	/* UDP-Lite: SOCK_DGRAM over IP too, but not IPPROTO_UDP. Kernels
	 * may drop UDP-Lite; then this check cannot run, and says so. */
	s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	if (s >= 0) {
		errno = 0;
		assert_int_equal(sockfilter_attach(s), -1);
		assert_int_equal(errno, EINVAL);
		close(s);
	} else {
		print_message("UDP-Lite unavailable (%s): protocol check "
			      "NOT exercised\n", strerror(errno));
	}

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, one_dgram), 0);
	errno = 0;
	assert_int_equal(sockfilter_attach(one_dgram[0]), -1);
	assert_int_equal(errno, EINVAL);
	/* nothing was attached: a DATA datagram still arrives there */
	assert_int_equal(send(one_dgram[1], "\0\3\0\1x", 5, 0), 5);
	{
		char b[8];

		assert_int_equal(recv(one_dgram[0], b, sizeof b, MSG_DONTWAIT),
				 5);
	}
	close(one_dgram[0]);
	close(one_dgram[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_unfiltered),
		cmocka_unit_test(test_filter_v4),
		cmocka_unit_test(test_filter_v6),
		cmocka_unit_test(test_filter_dualstack),
		cmocka_unit_test(test_locked),
		cmocka_unit_test(test_attach_after_connect),
		cmocka_unit_test(test_wrong_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
