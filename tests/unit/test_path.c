/* test_path.c - tests of path_clean (pure name rules) and path_open (opening
 * beneath the served root) against a scratch tree made under /tmp by the
 * group setup and removed by the group teardown. Expected results follow
 * include/path.h and notes/common.md: leading '/' stripped, "//" and "."
 * collapsed, "..", control bytes, empty and > 1023-byte names refused with
 * ERROR 2; symlinks must stay inside the root; only regular files open. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/openat2.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "path.h"
#include "tftp.h"
#include "testutil.h"

#define ANYERR (-1) /* any non-zero TFTP error code is right */

/* ---- path_clean ---- */

struct ccase {
	const char *label;
	const char *name;
	size_t len;
	int ret;
	const char *out; /* expected result when ret == 0 */
	size_t gen;      /* > 0: name is gen bytes made by make_long() */
};

#define N(s) .name = (s), .len = sizeof(s) - 1

static const struct ccase ccases[] = {
	{ "a", N("a"), 0, "a" },
	{ "/a", N("/a"), 0, "a" },
	{ "//a", N("//a"), 0, "a" },
	{ "///a/b", N("///a/b"), 0, "a/b" },
	{ "a//b", N("a//b"), 0, "a/b" },
	{ "./a", N("./a"), 0, "a" },
	{ "././a", N("././a"), 0, "a" },
	{ "a/./b", N("a/./b"), 0, "a/b" },
	{ "a/././/./b", N("a/././/./b"), 0, "a/b" },
	{ "/./a", N("/./a"), 0, "a" },
	{ "a/b/c", N("a/b/c"), 0, "a/b/c" },
	{ "..", N(".."), TE_ACCESS, NULL },
	{ "/..", N("/.."), TE_ACCESS, NULL },
	{ "../x", N("../x"), TE_ACCESS, NULL },
	{ "a/../b", N("a/../b"), TE_ACCESS, NULL },
	{ "sub/../../x", N("sub/../../x"), TE_ACCESS, NULL },
	{ "a/..", N("a/.."), TE_ACCESS, NULL },
	{ "a/../..", N("a/../.."), TE_ACCESS, NULL },
	{ "./..", N("./.."), TE_ACCESS, NULL },
	{ "...", N("..."), 0, "..." },
	{ "..a", N("..a"), 0, "..a" },
	{ "a..", N("a.."), 0, "a.." },
	{ ".a", N(".a"), 0, ".a" },
	{ "a/.b", N("a/.b"), 0, "a/.b" },
	{ "a/...", N("a/..."), 0, "a/..." },
	{ "backslash ..", N("\\..\\x"), 0, "\\..\\x" },
	{ "backslash ..\\", N("..\\"), 0, "..\\" },
	{ "empty", N(""), TE_ACCESS, NULL },
	{ "/", N("/"), TE_ACCESS, NULL },
	{ "///", N("///"), TE_ACCESS, NULL },
	{ ".", N("."), TE_ACCESS, NULL },
	{ "/./", N("/./"), TE_ACCESS, NULL },
	{ "control \\x01", N("a\x01" "b"), TE_ACCESS, NULL },
	{ "control \\x1f", N("\x1f"), TE_ACCESS, NULL },
	{ "newline", N("a\nb"), TE_ACCESS, NULL },
	{ "tab", N("a\tb"), TE_ACCESS, NULL },
	{ "DEL \\x7f", N("a\x7f"), TE_ACCESS, NULL },
	{ "embedded NUL within len", N("a\0b"), TE_ACCESS, NULL },
	{ "high bytes", N("\xe9t\xe9.bin"), 0, "\xe9t\xe9.bin" },
	{ "high bytes 0x80 0xff", N("d\x80/\xff"), 0, "d\x80/\xff" },
	{ "space and punctuation", N("a b-c_d~e,f+g=h@i"), 0, "a b-c_d~e,f+g=h@i" },
	{ "1023 bytes", .gen = 1023, .ret = 0 },
	{ "1024 bytes", .gen = 1024, .ret = TE_ACCESS },
	{ "5000 bytes", .gen = 5000, .ret = TE_ACCESS },
};

/* Name of n bytes: 99-byte components joined by '/', never ending in '/'. */
static char *make_long(size_t n)
{
	char *p = malloc(n + 1);
	size_t i;

	if (p == NULL)
		fail_msg("malloc failed");
	for (i = 0; i < n; i++)
		p[i] = (i % 100 == 99 && i != n - 1) ? '/' : (char)('a' + i % 26);
	p[n] = '\0';
	return p;
}

static void test_clean_row(void **state)
{
	const struct ccase *c = *state;
	char *longname = c->gen ? make_long(c->gen) : NULL;
	const char *name = longname ? longname : c->name;
	size_t len = longname ? c->gen : c->len;
	/* exact length, no NUL: the name must be read by len only */
	uint8_t *h = tu_heapdup(name, len);
	char out[TFTP_NAME_MAX + 64];
	const char *why = NULL;
	int r;

	memset(out, 0x55, sizeof out);
	r = path_clean((const char *)h, len, out, sizeof out, &why);
	if (r != c->ret)
		fail_msg("[%s] returned %d, expected %d (why=%s)", c->label, r, c->ret,
			 why ? why : "(null)");
	if (r == 0)
		TU_STREQ(c->label, out, longname ? longname : c->out);
	else
		TU_CHECK(c->label, why != NULL && why[0] != '\0');
	free(h);
	free(longname);
}

/* outsz too small for the result: an error, and nothing past outsz. */
static void test_clean_small_out(void **state)
{
	static const struct { const char *name; size_t outsz; int ok; } t[] = {
		{ "abc", 4, 1 }, { "abc", 3, 0 }, { "abc", 1, 0 }, { "abc", 0, 0 },
		{ "/a/./b", 4, 1 }, { "/a/./b", 3, 0 },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char out[16];
		const char *why = NULL;
		int r;

		memset(out, 0x55, sizeof out);
		r = path_clean(t[i].name, strlen(t[i].name), out, t[i].outsz, &why);
		if (t[i].ok) {
			TU_EQ(t[i].name, r, 0);
			TU_EQ(t[i].name, strlen(out), t[i].outsz - 1);
		} else {
			TU_CHECK(t[i].name, r != 0);
		}
		for (j = t[i].outsz; j < sizeof out; j++)
			if (out[j] != 0x55)
				fail_msg("[%s outsz %zu] byte %zu written", t[i].name,
					 t[i].outsz, j);
	}
}

/* ---- path_open ---- */

struct tree {
	char base[64];       /* /tmp/fwtftpd-path-XXXXXX */
	char root[96];       /* base/root */
	int rootfd_path;     /* O_PATH|O_DIRECTORY */
	int rootfd_rd;       /* O_RDONLY|O_DIRECTORY */
	/* 0 when openat2(2) is unavailable here (kernel < 5.6, or valgrind
	 * 3.19, which does not know syscall 437). path.c then refuses every
	 * open by design, so each row must fail closed instead. */
	int have_openat2;
};

/* The scratch tree, shared by the path_open rows (test-only state). */
static struct tree T = { .rootfd_path = -1, .rootfd_rd = -1 };

static int put_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char p[256];
	int fd;
	size_t n = strlen(text);

	snprintf(p, sizeof p, "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, text, n) != (ssize_t)n || fchmod(fd, mode) != 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int put_link(const char *target, const char *name)
{
	char p[256];

	snprintf(p, sizeof p, "%s/%s", T.root, name);
	return symlink(target, p);
}

static int probe_openat2(void)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof how);
	how.flags = O_PATH | O_CLOEXEC;
	fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
	if (fd >= 0) {
		close((int)fd);
		return 1;
	}
	return errno != ENOSYS;
}

static int setup_tree(void **state)
{
	char p[256];

	(void)state;
	snprintf(T.base, sizeof T.base, "/tmp/fwtftpd-path-XXXXXX");
	if (mkdtemp(T.base) == NULL)
		return -1;
	snprintf(T.root, sizeof T.root, "%s/root", T.base);
	snprintf(p, sizeof p, "%s/sub", T.root);
	if (mkdir(T.root, 0755) != 0 || mkdir(p, 0755) != 0)
		return -1;
	if (put_file(T.base, "outside.txt", "outside\n", 0644) ||
	    put_file(T.root, "f.txt", "hello\n", 0644) ||
	    put_file(T.root, "empty", "", 0644) ||
	    put_file(T.root, "secret", "s3cret\n", 0) ||
	    put_file(T.root, "sub/g.txt", "world\n", 0644) ||
	    put_file(T.root, "\xe9t\xe9", "accent\n", 0644) ||
	    put_file(T.root, "\\..\\x", "backslash\n", 0644))
		return -1;
	snprintf(p, sizeof p, "%s/fifo", T.root);
	if (mkfifo(p, 0644) != 0)
		return -1;
	snprintf(p, sizeof p, "%s/f.txt", T.root);
	if (put_link("f.txt", "lnk") || put_link("lnk", "lnk2") ||
	    put_link("sub/g.txt", "sublnk") || put_link("../f.txt", "sub/uplnk") ||
	    put_link("sub", "dirlnk") || put_link(".", "self") ||
	    put_link("fifo", "fifolnk") ||
	    put_link("/etc/passwd", "etcpw") || put_link("../outside.txt", "out") ||
	    put_link("..", "outdir") || put_link("sub/../../outside.txt", "deepout") ||
	    put_link(p, "abslnk") || put_link("/", "rootabs") ||
	    put_link("/proc", "proc") ||
	    put_link("../../../../../../../../../..", "up") ||
	    put_link("/dev/null", "devnull") || put_link("nonexistent", "dangling") ||
	    put_link("loop", "loop"))
		return -1;
	T.have_openat2 = probe_openat2();
	if (!T.have_openat2)
		print_message("NOTE: openat2 unavailable here: every path_open must "
			      "fail closed; success rows are checked as refusals\n");
	T.rootfd_path = open(T.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	T.rootfd_rd = open(T.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (T.rootfd_path < 0 || T.rootfd_rd < 0)
		return -1;
	return 0;
}

static int rm_entry(const char *path)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;
	char p[512];

	if (lstat(path, &sb) != 0)
		return 0;
	if (!S_ISDIR(sb.st_mode))
		return unlink(path);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", path, e->d_name);
		rm_entry(p);
	}
	closedir(d);
	return rmdir(path);
}

static int teardown_tree(void **state)
{
	(void)state;
	if (T.rootfd_path >= 0)
		close(T.rootfd_path);
	if (T.rootfd_rd >= 0)
		close(T.rootfd_rd);
	/* only ever below the mkdtemp directory we made */
	if (strncmp(T.base, "/tmp/fwtftpd-path-", 18) == 0)
		return rm_entry(T.base);
	return 0;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		fail_msg("opendir /proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)) != NULL)
		n++;
	closedir(d);
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct ocase {
	const char *label;
	const char *rel;
	int ret;             /* 0, a TE_* code, or ANYERR */
	const char *content; /* when ret == 0 */
};

static const struct ocase ocases[] = {
	{ "regular file", "f.txt", 0, "hello\n" },
	{ "empty regular file", "empty", 0, "" },
	{ "file in subdir", "sub/g.txt", 0, "world\n" },
	{ "high-byte name", "\xe9t\xe9", 0, "accent\n" },
	{ "backslash name is literal", "\\..\\x", 0, "backslash\n" },
	{ "missing", "missing", TE_NOTFOUND, NULL },
	{ "missing in subdir", "sub/missing", TE_NOTFOUND, NULL },
	{ "missing dir component", "nodir/x", TE_NOTFOUND, NULL },
	{ "etc/passwd relative (not in root)", "etc/passwd", TE_NOTFOUND, NULL },
	{ "proc-like name without link", "dev/fd/0", TE_NOTFOUND, NULL },
	{ "file used as directory", "f.txt/x", ANYERR, NULL },
	{ "directory", "sub", TE_ACCESS, NULL },
	{ "FIFO", "fifo", TE_ACCESS, NULL },
	{ "symlink to FIFO", "fifolnk", TE_ACCESS, NULL },
	{ "symlink -> file", "lnk", 0, "hello\n" },
	{ "symlink -> symlink -> file", "lnk2", 0, "hello\n" },
	{ "symlink -> sub/file", "sublnk", 0, "world\n" },
	{ "symlink in sub -> ../file (inside)", "sub/uplnk", 0, "hello\n" },
	{ "symlink . then file", "self/f.txt", 0, "hello\n" },
	{ "symlink -> directory", "dirlnk", TE_ACCESS, NULL },
	{ "symlink -> /etc/passwd", "etcpw", TE_ACCESS, NULL },
	{ "symlink -> ../outside", "out", TE_ACCESS, NULL },
	{ "symlink .. then outside file", "outdir/outside.txt", TE_ACCESS, NULL },
	{ "symlink sub/../../outside", "deepout", TE_ACCESS, NULL },
	{ "absolute symlink to a file inside", "abslnk", TE_ACCESS, NULL },
	{ "absolute symlink / then etc/passwd", "rootabs/etc/passwd", TE_ACCESS, NULL },
	{ "symlink /proc then self/root/etc/passwd", "proc/self/root/etc/passwd",
	  TE_ACCESS, NULL },
	{ "relative escape then proc/self/root", "up/proc/self/root/etc/passwd",
	  TE_ACCESS, NULL },
	{ "relative escape then etc/passwd", "up/etc/passwd", TE_ACCESS, NULL },
	{ "symlink -> /dev/null", "devnull", TE_ACCESS, NULL },
	{ "dangling symlink", "dangling", TE_NOTFOUND, NULL },
	{ "symlink loop", "loop", ANYERR, NULL },
	/* not produced by path_clean, but path_open must still fail closed */
	{ "raw .. escape (defence in depth)", "../outside.txt", ANYERR, NULL },
	{ "raw absolute (defence in depth)", "/etc/passwd", ANYERR, NULL },
};

/* path_open with a watchdog: a FIFO or device opened for reading would
 * block; SIGALRM's default action then ends the test binary loudly. */
static int open_guarded(int rootfd, const char *rel, int *fd, struct stat *st,
			const char **why, const char *label)
{
	double t0 = now_s();
	int r;

	alarm(10);
	r = path_open(rootfd, rel, fd, st, why);
	alarm(0);
	if (now_s() - t0 > 2.0)
		fail_msg("[%s] path_open took %.1f s (blocked?)", label, now_s() - t0);
	return r;
}

static void expect_open(const char *label, int rootfd, const char *rel, int want,
			const char *content)
{
	struct stat st, st2;
	const char *why = NULL;
	int fd = -1, before = count_fds(), r;

	if (!T.have_openat2)
		want = ANYERR; /* fail closed without openat2 */
	memset(&st, 0, sizeof st);
	r = open_guarded(rootfd, rel, &fd, &st, &why, label);
	if (want == ANYERR ? r == 0 : r != want) {
		if (r == 0 && fd >= 0)
			close(fd);
		fail_msg("[%s] path_open(\"%s\") = %d, expected %s%d (why=%s)", label, rel,
			 r, want == ANYERR ? "non-zero, not " : "", want == ANYERR ? 0 : want,
			 why ? why : "(null)");
	}
	if (r != 0) {
		TU_CHECK(label, why != NULL && why[0] != '\0');
		TU_EQ(label, count_fds(), before); /* no descriptor leaked */
		return;
	}
	{
		char buf[64];
		size_t n = strlen(content);
		ssize_t got;

		TU_CHECK(label, fd >= 0);
		TU_CHECK(label, S_ISREG(st.st_mode));
		TU_EQ(label, st.st_size, n);
		TU_CHECK(label, fstat(fd, &st2) == 0);
		TU_CHECK(label, st2.st_ino == st.st_ino && st2.st_dev == st.st_dev);
		TU_EQ(label, fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
		got = read(fd, buf, sizeof buf);
		TU_EQ(label, got, n);
		TU_CHECK(label, memcmp(buf, content, n) == 0);
		TU_CHECK(label, write(fd, "x", 1) < 0); /* read-only */
		close(fd);
		TU_EQ(label, count_fds(), before);
	}
}

static void test_open_row(void **state)
{
	const struct ocase *c = *state;

	expect_open(c->label, T.rootfd_rd, c->rel, c->ret, c->content);
	expect_open(c->label, T.rootfd_path, c->rel, c->ret, c->content);
}

/* path_open(rel) must be refused without the object at watch (relative to
 * the root) ever being opened for reading: inotify reports IN_OPEN for a
 * real open, but not for an O_PATH lookup, so any event here means a FIFO,
 * device or directory was opened. */
static void expect_refused_unopened(const char *label, const char *watch,
				    const char *rel)
{
	char p[256], ev[4096];
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ssize_t n;

	snprintf(p, sizeof p, "%s/%s", T.root, watch);
	if (in < 0 || inotify_add_watch(in, p, IN_OPEN | IN_ACCESS) < 0)
		fail_msg("[%s] inotify: %s", label, strerror(errno));
	expect_open(label, T.rootfd_rd, rel, TE_ACCESS, NULL);
	expect_open(label, T.rootfd_path, rel, TE_ACCESS, NULL);
	n = read(in, ev, sizeof ev);
	close(in);
	if (n > 0)
		fail_msg("[%s] \"%s\" was opened (inotify IN_OPEN) before being refused",
			 label, watch);
}

/* Device node: creating one needs CAP_MKNOD, so as non-root this is skipped
 * (the only skip in this file). */
static void test_open_device(void **state)
{
	char p[256];

	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	snprintf(p, sizeof p, "%s/null", T.root);
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) != 0)
		fail_msg("mknod as root failed: %s", strerror(errno));
	if (put_link("null", "nulllnk") != 0)
		fail_msg("symlink: %s", strerror(errno));
	expect_refused_unopened("char device", "null", "null");
	expect_refused_unopened("symlink -> char device", "null", "nulllnk");
	unlink(p);
}

/* FIFO with nobody writing: returns at once (checked by time and alarm),
 * and is never opened. */
static void test_open_fifo_no_block(void **state)
{
	double t0 = now_s();

	(void)state;
	expect_refused_unopened("FIFO", "fifo", "fifo");
	expect_refused_unopened("symlink -> FIFO", "fifo", "fifolnk");
	assert_true(now_s() - t0 < 2.0);
}

/* A directory is refused without being opened either. */
static void test_open_dir_unopened(void **state)
{
	(void)state;
	expect_refused_unopened("directory", "sub", "sub");
	expect_refused_unopened("symlink -> directory", "sub", "dirlnk");
}

/* Mode 000 file: readable exactly when this process could open it itself
 * (root with CAP_DAC_OVERRIDE can). When root, also check as an
 * unprivileged uid in a child, where it must be refused. */
static void test_open_unreadable(void **state)
{
	char p[256];
	int probe, expect;
	pid_t pid;
	int status;

	(void)state;
	snprintf(p, sizeof p, "%s/secret", T.root);
	probe = open(p, O_RDONLY | O_CLOEXEC);
	expect = probe >= 0 ? 0 : TE_ACCESS;
	if (probe >= 0)
		close(probe);
	expect_open(probe >= 0 ? "mode 000, privileged" : "mode 000, unprivileged",
		    T.rootfd_rd, "secret", expect, "s3cret\n");
	if (geteuid() != 0)
		return;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct stat st;
		const char *why;
		int fd, r1, r2;

		if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
		    setresuid(65534, 65534, 65534) != 0)
			_exit(99);
		alarm(10);
		r1 = path_open(T.rootfd_rd, "secret", &fd, &st, &why);
		r2 = path_open(T.rootfd_rd, "f.txt", &fd, &st, &why);
		_exit(((r1 & 15) << 4) | (r2 & 15));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 99)
		fail_msg("could not drop to uid 65534 in child");
	if (T.have_openat2) {
		/* secret -> TE_ACCESS, f.txt -> 0 */
		assert_int_equal(WEXITSTATUS(status) >> 4, TE_ACCESS);
		assert_int_equal(WEXITSTATUS(status) & 15, 0);
	} else {
		assert_int_not_equal(WEXITSTATUS(status) >> 4, 0);
		assert_int_not_equal(WEXITSTATUS(status) & 15, 0);
	}
}

/* Kernel without openat2 (simulated: a seccomp filter makes it fail with
 * ENOSYS in a child): path_open must fail closed, i.e. return a non-zero
 * TFTP error code. Returning 0 would tell the caller that *fd and *st were
 * set when they were not. */
static void test_open_no_openat2(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		struct stat st;
		const char *why = NULL;
		int fd = -1, r;

		if (ctx == NULL || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) != 0 ||
		    seccomp_load(ctx) != 0)
			_exit(99);
		alarm(10);
		r = path_open(T.rootfd_rd, "f.txt", &fd, &st, &why);
		if (r == 0)
			_exit(fd >= 0 ? 2 : 1); /* 1: "success" with no fd set */
		_exit(why != NULL ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	switch (WEXITSTATUS(status)) {
	case 0:
		break;
	case 99:
		fail_msg("could not install the seccomp filter in the child");
		break;
	case 1:
		fail_msg("openat2 -> ENOSYS: path_open returned 0 (success) without "
			 "setting *fd: fails open");
		break;
	case 2:
		fail_msg("openat2 -> ENOSYS: path_open returned 0 with an fd");
		break;
	default:
		fail_msg("openat2 -> ENOSYS: error returned without *why");
	}
}

int main(void)
{
	const size_t nc = sizeof ccases / sizeof ccases[0];
	const size_t no = sizeof ocases / sizeof ocases[0];
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_clean_small_out),
		cmocka_unit_test(test_open_fifo_no_block),
		cmocka_unit_test(test_open_device),
		cmocka_unit_test(test_open_dir_unopened),
		cmocka_unit_test(test_open_unreadable),
		cmocka_unit_test(test_open_no_openat2),
	};
	const size_t nf = sizeof fixed / sizeof fixed[0];
	struct CMUnitTest *tests = calloc(nc + no + nf, sizeof *tests);
	size_t i;
	int rc;

	if (tests == NULL)
		return 1;
	for (i = 0; i < nc; i++) {
		tests[i].name = ccases[i].label;
		tests[i].test_func = test_clean_row;
		tests[i].initial_state = (void *)&ccases[i];
	}
	for (i = 0; i < no; i++) {
		tests[nc + i].name = ocases[i].label;
		tests[nc + i].test_func = test_open_row;
		tests[nc + i].initial_state = (void *)&ocases[i];
	}
	memcpy(tests + nc + no, fixed, sizeof fixed);
	rc = _cmocka_run_group_tests("test_path", tests, nc + no + nf, setup_tree,
				     teardown_tree);
	free(tests);
	return rc;
}
