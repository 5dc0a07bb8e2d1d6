/* test_log.c - log_escape against a reference model built from log.h's
 * contract (printable ASCII except '\\' and '"' kept, everything else
 * \xHH; always NUL-terminated; truncated with "..."; returns strlen(out)),
 * at every output size from 0 to 20 in canary-guarded and exact-size heap
 * buffers; and log_open/log_msg/log_fd/log_reset_pid against a real AF_UNIX
 * datagram socket (and a pipe on fd 2) bound by the test. log.c keeps
 * file-scope state that log_open sets once, so every logging case runs in a
 * forked child with a fresh copy; children arm alarm() so none can hang,
 * and every wait in the parent is bounded by poll(). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"

#define GUARD 32            /* canary bytes on each side of the out buffer */
#define CANARY 0xa5
#define MAX_OUTSZ 20        /* every size 0..MAX_OUTSZ is tried */
#define RECV_WAIT_MS 3000   /* a local datagram takes microseconds */
#define CHILD_ALARM_S 20    /* a child that hangs is killed by SIGALRM */
#define IDENT "fwt-logtest"

/* ---------- log_escape: reference model ---------- */

static int is_kept(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\' && c != '"';
}

/* The full escape of in (out needs 4 * n + 1 bytes, lowercase hex), and
 * bound[k] = length of the escape of the first k bytes (n + 1 entries):
 * the only places where a truncated output may stop. Returns its length. */
static size_t ref_escape(const uint8_t *in, size_t n, char *out, size_t *bound)
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		bound[i] = o;
		if (is_kept(in[i])) {
			out[o++] = (char)in[i];
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hx[in[i] >> 4];
			out[o++] = hx[in[i] & 15];
		}
	}
	bound[n] = o;
	out[o] = '\0';
	return o;
}

/* got[0..len) equals ref[0..len), where the two hex digits of an escape
 * may be in either case (log.h does not fix the case). ref is the
 * reference escape, so every '\\' in it starts a 4-byte escape. */
static int esc_equal(const char *got, const char *ref, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (ref[i] == '\\' && i + 4 <= len) {
			if (got[i] != '\\' || got[i + 1] != 'x' ||
			    tolower((unsigned char)got[i + 2]) != ref[i + 2] ||
			    tolower((unsigned char)got[i + 3]) != ref[i + 3])
				return 0;
			i += 4;
		} else {
			if (got[i] != ref[i])
				return 0;
			i++;
		}
	}
	return 1;
}

struct esc_case {
	const char *label;
	const uint8_t *in;
	size_t len;
};

static const struct esc_case esc_cases[] = {
	{ "empty", TU_LIT("") },
	{ "one letter", TU_LIT("a") },
	{ "word", TU_LIT("abc") },
	{ "printable with space", TU_LIT("hello world.bin") },
	{ "path", TU_LIT("pxelinux.cfg/01-aa-bb-cc") },
	{ "backslash", TU_LIT("a\\b") },
	{ "double quote", TU_LIT("q\"q") },
	{ "single quote kept", TU_LIT("it's") },
	{ "tilde 0x7e kept", TU_LIT("~~") },
	{ "space 0x20 kept", TU_LIT(" ") },
	{ "0x1f", TU_LIT("\x1f") },
	{ "controls", TU_LIT("\x01\t\n\r\x1b") },
	{ "DEL", TU_LIT("\x7f") },
	{ "0x80 and 0xff", TU_LIT("\x80\xff") },
	{ "utf-8", TU_LIT("caf\xc3\xa9.bin") },
	{ "NUL inside", TU_LIT("a\0b") },
	{ "NUL only", TU_LIT("\0") },
	{ "three NULs", TU_LIT("\0\0\0") },
	{ "NUL at end", TU_LIT("ab\0") },
	{ "mixed", TU_LIT("x\\\"\x7f y\x01z") },
	{ "log injection", TU_LIT("a\" result=ok\nfwtftpd[1]: x") },
	{ "long printable", TU_LIT("abcdefghijklmnopqrstuvwxyz0123456789") },
	{ "long escapes", TU_LIT("\x01\x02\x03\x04\x05\x06\x07\x08\x09") },
	{ "alternating", TU_LIT("a\x01" "b\x02" "c\x03" "d\x04" "e\x05") },
};
#define N_ESC (sizeof esc_cases / sizeof esc_cases[0])

/* Checks one call; returns NULL if every property holds, else the first
 * broken one. *is_fits_case tells whether the call reached the "whole
 * escape fits" check (reported apart, see test_escape_fits). */
static const char *esc_violation(const uint8_t *in, size_t n, size_t outsz,
				 int exact_heap, size_t *ret_out, char *shown,
				 size_t shownsz, int *is_fits_case)
{
	char *ref = malloc(4 * n + 1);
	size_t *bound = malloc((n + 1) * sizeof *bound);
	uint8_t *src = tu_heapdup(in, n);
	uint8_t *mem;
	char *out;
	size_t full, r, k;
	const char *why = NULL;

	assert_non_null(ref);
	assert_non_null(bound);
	full = ref_escape(in, n, ref, bound);
	*is_fits_case = 0;
	if (exact_heap) {
		/* every byte at or past out[outsz] is outside the block:
		 * valgrind reports a write there */
		mem = malloc(outsz ? outsz : 1);
		assert_non_null(mem);
		memset(mem, CANARY, outsz ? outsz : 1);
		out = (char *)mem;
	} else {
		mem = malloc(outsz + 2 * GUARD);
		assert_non_null(mem);
		memset(mem, CANARY, outsz + 2 * GUARD);
		out = (char *)mem + GUARD;
	}
	r = log_escape(src, n, out, outsz);
	*ret_out = r;
	snprintf(shown, shownsz, "(none)");

	if (!exact_heap) {
		for (size_t i = 0; i < GUARD; i++)
			if (mem[i] != CANARY || mem[GUARD + outsz + i] != CANARY) {
				why = "wrote outside [out, out+outsz)";
				goto done;
			}
	}
	if (outsz == 0) {
		if (r != 0)
			why = "outsz 0 must return 0";
		else if (!exact_heap && mem[GUARD] != CANARY)
			why = "outsz 0 wrote out[0]";
		goto done;
	}
	if (memchr(out, '\0', outsz) == NULL) {
		why = "no NUL inside out[0..outsz)";
		goto done;
	}
	snprintf(shown, shownsz, "%s", out);
	if (r != strlen(out)) {
		why = "return value != strlen(out)";
		goto done;
	}
	if (full + 1 <= outsz) {
		*is_fits_case = 1;
		if (r != full || !esc_equal(out, ref, full))
			why = "whole escape fits in outsz but output differs from it";
		goto done;
	}
	/* Truncated: out = P + T, P the escape of the first k input bytes
	 * (never half an escape), T "..." when outsz has room for it. */
	if (outsz >= 4) {
		if (r < 3 || memcmp(out + r - 3, "...", 3) != 0) {
			why = "truncated output does not end with \"...\"";
			goto done;
		}
		for (k = 0; k < n && bound[k] < r - 3; k++)
			;
		if (bound[k] != r - 3) {
			why = "truncated in the middle of an escape";
			goto done;
		}
		if (!esc_equal(out, ref, r - 3)) {
			why = "kept part is not a prefix of the escape";
			goto done;
		}
		/* as much as fits: the next unit plus "..." and NUL would not */
		if (k < n && bound[k + 1] + 4 <= outsz)
			why = "truncated earlier than needed";
	} else {
		/* under 4 bytes "..." itself may not fit: some boundary
		 * prefix, optionally followed by part of "..." */
		size_t p = 0;

		for (k = 0; k <= n && bound[k] <= r; k++)
			if (esc_equal(out, ref, bound[k]))
				p = bound[k];
		if (r - p > 3 || memcmp(out + p, "...", r - p) != 0)
			why = "tiny buffer: not a prefix of the escape (+ dots)";
	}
done:
	free(mem);
	free(src);
	free(ref);
	free(bound);
	return why;
}

/* Every case at every size 0..MAX_OUTSZ, and at exactly strlen+1 and a
 * roomy size; all properties except "fits" (test_escape_fits). */
static void run_escape_sizes(int exact_heap)
{
	unsigned bad = 0, calls = 0;

	for (size_t c = 0; c < N_ESC; c++) {
		const struct esc_case *e = &esc_cases[c];
		size_t sizes[MAX_OUTSZ + 3], ns = 0;

		for (size_t s = 0; s <= MAX_OUTSZ; s++)
			sizes[ns++] = s;
		sizes[ns++] = 4 * e->len + 1;
		sizes[ns++] = 4 * e->len + 64;
		for (size_t i = 0; i < ns; i++) {
			char shown[512];
			size_t r;
			int fits;
			const char *why = esc_violation(e->in, e->len, sizes[i],
							exact_heap, &r, shown,
							sizeof shown, &fits);

			calls++;
			if (why != NULL && !fits) {
				bad++;
				print_message("[%s outsz=%zu%s] %s: got %zu \"%s\"\n",
					      e->label, sizes[i],
					      exact_heap ? " exact" : "", why,
					      r, shown);
			}
		}
	}
	print_message("log_escape %s: %u calls, %u violations\n",
		      exact_heap ? "exact-size heap" : "canary", calls, bad);
	if (bad != 0)
		fail_msg("%u of %u log_escape calls broke the contract", bad,
			 calls);
}

static void test_escape_canary(void **state)
{
	(void)state;
	run_escape_sizes(0);
}

static void test_escape_exact_heap(void **state)
{
	(void)state;
	run_escape_sizes(1);
}

/* When the whole escape fits (strlen + NUL <= outsz) nothing may be cut:
 * "truncates" only applies when it does not fit. Kept apart from the
 * other properties so a failure here names itself. */
static void test_escape_fits(void **state)
{
	unsigned bad = 0, calls = 0;

	(void)state;
	for (size_t c = 0; c < N_ESC; c++) {
		const struct esc_case *e = &esc_cases[c];

		for (size_t s = 0; s <= MAX_OUTSZ + 8; s++) {
			char shown[512];
			size_t r;
			int fits;
			const char *why = esc_violation(e->in, e->len, s, 0, &r,
							shown, sizeof shown,
							&fits);

			if (!fits)
				continue;
			calls++;
			if (why != NULL) {
				bad++;
				print_message("[%s outsz=%zu] %s: got %zu \"%s\"\n",
					      e->label, s, why, r, shown);
			}
		}
	}
	print_message("fits cases: %u calls, %u truncated although the whole "
		      "escape fitted\n", calls, bad);
	if (bad != 0)
		fail_msg("%u of %u calls cut an escape that fitted", bad, calls);
}

/* Hand-derived spot checks: the \xHH of each byte is its value in hex. */
static void test_escape_literals(void **state)
{
	static const struct {
		const char *label;
		const uint8_t *in;
		size_t len;
		const char *want;
	} t[] = {
		{ "backslash is 0x5c", TU_LIT("a\\b"), "a\\x5cb" },
		{ "quote is 0x22", TU_LIT("\""), "\\x22" },
		{ "NUL inside", TU_LIT("a\0b"), "a\\x00b" },
		{ "newline, tab", TU_LIT("\n\t"), "\\x0a\\x09" },
		{ "DEL, 0x80, 0xff", TU_LIT("\x7f\x80\xff"), "\\x7f\\x80\\xff" },
		{ "space and tilde kept", TU_LIT(" ~"), " ~" },
		{ "0x1f escaped, 0x20 kept", TU_LIT("\x1f "), "\\x1f " },
	};
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t r = log_escape(t[i].in, t[i].len, out, sizeof out);

		TU_EQ(t[i].label, r, strlen(t[i].want));
		TU_CHECK(t[i].label, strlen(out) == r);
		if (!esc_equal(out, t[i].want, strlen(t[i].want)))
			fail_msg("[%s] got \"%s\", expected \"%s\"", t[i].label,
				 out, t[i].want);
	}
}

/* All 256 byte values in one input, roomy buffer: each byte in place. */
static void test_escape_all_bytes(void **state)
{
	uint8_t in[256];
	char out[4 * 256 + 8], ref[4 * 256 + 1];
	size_t bound[257], r, full;

	(void)state;
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	full = ref_escape(in, sizeof in, ref, bound);
	TU_EQ("all bytes: kept 95 - 2, escaped 163", full, 93 + 163 * 4);
	r = log_escape(in, sizeof in, out, sizeof out);
	TU_EQ("all bytes", r, full);
	TU_CHECK("all bytes", esc_equal(out, ref, full));
	TU_EQ("all bytes NUL", (unsigned char)out[full], 0);
}

/* ---------- log_open / log_msg ---------- */

struct sink {
	char dir[64];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
};

static void sink_open(struct sink *s)
{
	struct sockaddr_un sun;

	snprintf(s->dir, sizeof s->dir, "/tmp/fwt-logtest.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof s->path, "%s/log", s->dir);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s->fd >= 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, s->path, strlen(s->path) + 1);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sun, sizeof sun), 0);
}

static void sink_close(struct sink *s)
{
	close(s->fd);
	unlink(s->path);
	rmdir(s->dir);
}

/* One datagram within RECV_WAIT_MS; returns its full length (MSG_TRUNC),
 * or -1 on timeout. buf is NUL-terminated. */
static ssize_t recv_wait(int fd, char *buf, size_t cap)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, RECV_WAIT_MS) != 1)
		return -1;
	n = recv(fd, buf, cap - 1, MSG_TRUNC | MSG_DONTWAIT);
	if (n >= 0)
		buf[(size_t)n < cap - 1 ? (size_t)n : cap - 1] = '\0';
	return n;
}

/* Nothing else queued within a short grace period. */
static int queue_empty(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 100) == 0;
}

static int child_status(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		fail_msg("child killed by signal %d", WTERMSIG(st));
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* "<PRI>" + anything without a newline + "IDENT[pid]: " + message, with
 * at most one trailing newline. Returns a pointer to the message part,
 * or NULL with why set. */
static const char *check_syslog_line(const char *dg, size_t n, int pri,
				     pid_t pid, const char **why)
{
	char head[32], tag[64];
	const char *t;

	snprintf(head, sizeof head, "<%d>", pri);
	snprintf(tag, sizeof tag, IDENT "[%d]: ", (int)pid);
	if (n < strlen(head) || strncmp(dg, head, strlen(head)) != 0)
		return *why = "does not start with <PRI>", NULL;
	t = strstr(dg, tag);
	if (t == NULL)
		return *why = "no \"ident[pid]: \" tag", NULL;
	if (memchr(dg, '\n', (size_t)(t - dg)) != NULL)
		return *why = "newline before the tag", NULL;
	return t + strlen(tag);
}

struct prio_case {
	const char *label;
	int prio;
	int pri; /* LOG_DAEMON | severity, as log.h promises LOG_DAEMON */
};

static const struct prio_case prio_cases[] = {
	{ "emerg", LOG_EMERG, LOG_DAEMON | LOG_EMERG },
	{ "err", LOG_ERR, LOG_DAEMON | LOG_ERR },
	{ "warning", LOG_WARNING, LOG_DAEMON | LOG_WARNING },
	{ "info", LOG_INFO, LOG_DAEMON | LOG_INFO },
	{ "debug", LOG_DEBUG, LOG_DAEMON | LOG_DEBUG },
	/* the channel is LOG_DAEMON whatever facility bits the caller adds */
	{ "local0|notice", LOG_LOCAL0 | LOG_NOTICE, LOG_DAEMON | LOG_NOTICE },
};

static void test_msg_syslog(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof prio_cases / sizeof prio_cases[0]; i++) {
		const struct prio_case *c = &prio_cases[i];
		struct sink s;
		char dg[4096], want[128];
		const char *why = NULL, *msg;
		ssize_t n;
		pid_t pid;

		sink_open(&s);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			alarm(CHILD_ALARM_S);
			log_open(IDENT, 0, s.path);
			/* the fd in use is the connected socket */
			if (log_fd() < 0 || log_fd() == 2)
				_exit(3);
			log_msg(c->prio, "case %s n=%d s=%s", c->label, 42, "x y");
			_exit(0);
		}
		TU_EQ(c->label, child_status(pid), 0);
		n = recv_wait(s.fd, dg, sizeof dg);
		if (n < 0)
			fail_msg("[%s] no datagram within %d ms", c->label,
				 RECV_WAIT_MS);
		snprintf(want, sizeof want, "case %s n=42 s=x y", c->label);
		msg = check_syslog_line(dg, (size_t)n, c->pri, pid, &why);
		if (msg == NULL)
			fail_msg("[%s] %s: \"%s\"", c->label, why, dg);
		if (strcmp(msg, want) != 0 &&
		    !(strncmp(msg, want, strlen(want)) == 0 &&
		      strcmp(msg + strlen(want), "\n") == 0))
			fail_msg("[%s] message part \"%s\", expected \"%s\"",
				 c->label, msg, want);
		TU_CHECK(c->label, queue_empty(s.fd));
		sink_close(&s);
	}
}

/* A message far longer than any line buffer: one datagram, cut (a prefix
 * of the message), no crash (the stack protector would abort). */
static void test_msg_syslog_long(void **state)
{
	enum { LONG = 10000 };
	struct sink s;
	static char dg[2 * LONG];
	const char *why = NULL, *msg;
	size_t ml;
	ssize_t n;
	pid_t pid;

	(void)state;
	sink_open(&s);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static char big[LONG + 1];

		alarm(CHILD_ALARM_S);
		memset(big, 'A', LONG);
		memcpy(big + LONG - 3, "END", 3);
		log_open(IDENT, 0, s.path);
		log_msg(LOG_INFO, "%s", big);
		_exit(0);
	}
	TU_EQ("long", child_status(pid), 0);
	n = recv_wait(s.fd, dg, sizeof dg);
	if (n < 0)
		fail_msg("long message: nothing received (dropped, not cut)");
	TU_CHECK("long: not truncated by our recv", (size_t)n < sizeof dg - 1);
	msg = check_syslog_line(dg, (size_t)n, LOG_DAEMON | LOG_INFO, pid, &why);
	if (msg == NULL)
		fail_msg("long: %s", why);
	ml = strlen(msg);
	if (ml > 0 && msg[ml - 1] == '\n')
		ml--;
	TU_CHECK("long: some of the message kept", ml > 0);
	TU_CHECK("long: cut", ml < LONG);
	TU_EQ("long: only the message's bytes", strspn(msg, "A"), ml);
	TU_CHECK("long: no other datagram", queue_empty(s.fd));
	print_message("10000-byte message arrived as a %zd-byte datagram\n", n);
	sink_close(&s);
}

/* Every message length 0..LMAX through one child, in lock step (the
 * datagram queue is short): a message is either whole or a prefix, whole
 * while short, and a longer message never yields a shorter line. */
static void test_msg_syslog_lengths(void **state)
{
	enum { LMAX = 4200, WHOLE_UPTO = 1000 };
	struct sink s;
	int go[2];
	pid_t pid;
	size_t prev = 0;
	unsigned cut = 0;
	static char dg[LMAX + 512];

	(void)state;
	sink_open(&s);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static char m[LMAX + 1];
		char b;

		alarm(CHILD_ALARM_S * 3);
		close(go[1]);
		log_open(IDENT, 0, s.path);
		for (size_t l = 0; l <= LMAX; l++) {
			memset(m, 'a' + (int)(l % 26), l);
			m[l] = '\0';
			log_msg(LOG_NOTICE, "%s", m);
			if (read(go[0], &b, 1) != 1)
				_exit(4);
		}
		_exit(0);
	}
	close(go[0]);
	for (size_t l = 0; l <= LMAX; l++) {
		const char *why = NULL, *msg;
		ssize_t n = recv_wait(s.fd, dg, sizeof dg);
		size_t ml;
		char lbl[32];

		snprintf(lbl, sizeof lbl, "length %zu", l);
		if (n < 0) {
			kill(pid, SIGKILL);
			child_status(pid);
			fail_msg("[%s] no datagram", lbl);
		}
		msg = check_syslog_line(dg, (size_t)n, LOG_DAEMON | LOG_NOTICE,
					pid, &why);
		if (msg == NULL)
			fail_msg("[%s] %s", lbl, why);
		ml = strlen(msg);
		if (ml > 0 && msg[ml - 1] == '\n')
			ml--;
		TU_CHECK(lbl, ml <= l);
		for (size_t j = 0; j < ml; j++)
			if (msg[j] != 'a' + (int)(l % 26))
				fail_msg("[%s] byte %zu is not the message's", lbl, j);
		if (l <= WHOLE_UPTO)
			TU_EQ(lbl, ml, l);
		TU_CHECK(lbl, ml >= prev);
		if (ml < l)
			cut++;
		prev = ml;
		assert_int_equal(write(go[1], "g", 1), 1);
	}
	close(go[1]);
	TU_EQ("lengths child", child_status(pid), 0);
	print_message("lengths 0..%d: %u cut, longest kept message %zu\n", LMAX,
		      cut, prev);
	TU_CHECK("some lengths were cut", cut > 0);
	sink_close(&s);
}

/* No syslog socket: messages are dropped quietly, log_fd() is -1. */
static void test_msg_no_socket(void **state)
{
	char dir[] = "/tmp/fwt-logtest.XXXXXX", path[128];
	int p[2];
	pid_t pid;
	char b[64];
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/missing", dir);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(CHILD_ALARM_S);
		close(p[0]);
		dup2(p[1], 2); /* nothing may leak to stderr either */
		log_open(IDENT, 0, path);
		if (log_fd() != -1)
			_exit(3);
		log_msg(LOG_ERR, "dropped %d", 1);
		_exit(0);
	}
	close(p[1]);
	TU_EQ("no socket: child", child_status(pid), 0);
	n = read(p[0], b, sizeof b);
	TU_EQ("no socket: nothing on stderr", n, 0);
	close(p[0]);
	rmdir(dir);
}

/* to_stderr: "ident[pid]: message\n" on fd 2, log_fd() == 2. */
static void test_msg_stderr(void **state)
{
	int p[2];
	pid_t pid;
	enum { BIG = 6000 };
	char b[2 * BIG], want[128];
	size_t got = 0;
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static char big[BIG];

		alarm(CHILD_ALARM_S);
		close(p[0]);
		dup2(p[1], 2);
		log_open(IDENT, 1, NULL);
		if (log_fd() != 2)
			_exit(3);
		log_msg(LOG_INFO, "x=%d file=\"%s\"", 5, "a.bin");
		memset(big, 'B', sizeof big - 1);
		log_msg(LOG_INFO, "%s", big);
		_exit(0);
	}
	close(p[1]);
	TU_EQ("stderr: child", child_status(pid), 0);
	while (got < sizeof b - 1 && (n = read(p[0], b + got, sizeof b - 1 - got)) > 0)
		got += (size_t)n;
	b[got] = '\0';
	close(p[0]);
	snprintf(want, sizeof want, IDENT "[%d]: x=5 file=\"a.bin\"\n", (int)pid);
	TU_CHECK("stderr: first line", strncmp(b, want, strlen(want)) == 0);
	{
		const char *l2 = b + strlen(want);
		char tag[64];
		size_t nb;

		snprintf(tag, sizeof tag, IDENT "[%d]: ", (int)pid);
		TU_CHECK("stderr: second tag", strncmp(l2, tag, strlen(tag)) == 0);
		l2 += strlen(tag);
		nb = strspn(l2, "B");
		TU_CHECK("stderr: long line cut", nb > 0 && nb < BIG - 1);
		TU_STREQ("stderr: long line ends in newline", l2 + nb, "\n");
	}
}

/* log_reset_pid after fork: the tag carries the new process's pid. */
static void test_reset_pid(void **state)
{
	struct sink s;
	int p[2];
	pid_t pid, gpid = 0;
	char dg[1024];
	const char *why = NULL, *msg;
	ssize_t n;

	(void)state;
	sink_open(&s);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pid_t g;
		int st;

		alarm(CHILD_ALARM_S);
		close(p[0]);
		log_open(IDENT, 0, s.path);
		g = fork();
		if (g < 0)
			_exit(5);
		if (g == 0) {
			log_reset_pid();
			log_msg(LOG_INFO, "from grandchild");
			_exit(0);
		}
		if (write(p[1], &g, sizeof g) != (ssize_t)sizeof g)
			_exit(6);
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(7);
		_exit(0);
	}
	close(p[1]);
	TU_EQ("reset pid: child", child_status(pid), 0);
	assert_int_equal(read(p[0], &gpid, sizeof gpid), (ssize_t)sizeof gpid);
	close(p[0]);
	n = recv_wait(s.fd, dg, sizeof dg);
	assert_true(n > 0);
	msg = check_syslog_line(dg, (size_t)n, LOG_DAEMON | LOG_INFO, gpid, &why);
	if (msg == NULL)
		fail_msg("reset pid: %s in \"%s\" (grandchild %d)", why, dg, (int)gpid);
	TU_CHECK("reset pid: message", strncmp(msg, "from grandchild", 15) == 0);
	sink_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_literals),
		cmocka_unit_test(test_escape_all_bytes),
		cmocka_unit_test(test_escape_canary),
		cmocka_unit_test(test_escape_exact_heap),
		cmocka_unit_test(test_escape_fits),
		cmocka_unit_test(test_msg_syslog),
		cmocka_unit_test(test_msg_syslog_long),
		cmocka_unit_test(test_msg_syslog_lengths),
		cmocka_unit_test(test_msg_no_socket),
		cmocka_unit_test(test_msg_stderr),
		cmocka_unit_test(test_reset_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
