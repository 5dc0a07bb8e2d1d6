/* test_fwstate.c - the state directory of fwstate.c on a real temporary
 * directory: creation (modes, sizes, symlinks and FIFOs refused, a wrong
 * size repaired), client keys (IPv4, IPv6, IPv4-mapped, MAC), client record
 * round trips across separately opened descriptors, replacement of the
 * oldest record when a probe run is full, the verified-image index keyed by
 * dev/ino and invalidated by a change of size, mtime or ctime (real files,
 * utimensat, append), and several processes updating the same state at
 * once: each child opens the state itself (as each server handler does) and
 * hammers distinct and shared keys; every record read back must be whole
 * (its fields were written together) and each key's final value one that
 * was actually written last by someone.
 *
 * Two tests are white-box on purpose: to fill one probe run (and to make
 * concurrent inserts compete for the same free slots) they need keys that
 * hash to the same slot, so they recompute the FNV-1a slot that fwstate.c
 * documents ("FNV-1a: spreads keys over the slots"); test_oldest_replaced
 * checks that assumption through the public API (a run of FWS_PROBE such
 * keys is full: one more evicts exactly one). Everything else uses only
 * include/fwstate.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "firmware.h"
#include "fwstate.h"
#include "testutil.h"

static char base[64];   /* per-run temp dir */
static unsigned serial; /* fresh sub-directory per test */

static int setup_base(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/test_fwstate.XXXXXX");
	return mkdtemp(base) == NULL ? -1 : 0;
}

static int remove_base(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

/* A path for a state dir that does not exist yet. */
static void fresh_dir(char *out, size_t sz)
{
	snprintf(out, sz, "%s/state%u", base, ++serial);
}

static void open_ok(const char *dir, struct fwstate *st)
{
	char err[256] = "";

	if (fws_open(dir, st, err, sizeof(err)) != 0)
		fail_msg("fws_open(%s): %s", dir, err);
	if (st->clients_fd < 0 || st->index_fd < 0)
		fail_msg("fws_open(%s) succeeded with a closed descriptor", dir);
}

static void key_v4(struct fws_key *k, const char *ip)
{
	struct sockaddr_in s4;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons(1234);
	if (inet_pton(AF_INET, ip, &s4.sin_addr) != 1)
		fail_msg("test bug: %s", ip);
	fws_key_make(k, (struct sockaddr *)&s4, sizeof(s4), NULL);
}

static void key_v6(struct fws_key *k, const char *ip)
{
	struct sockaddr_in6 s6;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(1234);
	if (inet_pton(AF_INET6, ip, &s6.sin6_addr) != 1)
		fail_msg("test bug: %s", ip);
	fws_key_make(k, (struct sockaddr *)&s6, sizeof(s6), NULL);
}

static void key_n(struct fws_key *k, uint32_t n) /* 10.0.0.0 + n */
{
	struct sockaddr_in s4;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_addr.s_addr = htonl(0x0a000000u + n);
	fws_key_make(k, (struct sockaddr *)&s4, sizeof(s4), NULL);
}

static void put_ok(const struct fwstate *st, const struct fws_key *k, const char *model,
		   uint32_t major, int64_t t)
{
	struct fws_client c;

	memset(&c, 0, sizeof(c));
	snprintf(c.model, sizeof(c.model), "%s", model);
	c.major = major;
	c.t_done = t;
	if (fws_client_put(st, k, &c) != 0)
		fail_msg("fws_client_put failed (%s %u %lld)", model, major, (long long)t);
}

/* 1 and the record, 0 absent; fails the test on -1. */
static int get(const struct fwstate *st, const struct fws_key *k, struct fws_client *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = fws_client_get(st, k, out);
	if (r < 0)
		fail_msg("fws_client_get failed");
	return r;
}

/* ---- fws_open ---------------------------------------------------------- */

static void test_open_creates(void **state)
{
	struct fwstate st, st2;
	struct stat d, c, x;
	char dir[128], path[320], err[256];

	(void)state;
	fresh_dir(dir, sizeof(dir));
	open_ok(dir, &st);
	if (stat(dir, &d) != 0 || !S_ISDIR(d.st_mode))
		fail_msg("%s not created", dir);
	TU_EQ("dir mode", d.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/clients.db", dir);
	if (stat(path, &c) != 0)
		fail_msg("%s missing", path);
	snprintf(path, sizeof(path), "%s/verified.idx", dir);
	if (stat(path, &x) != 0)
		fail_msg("%s missing", path);
	TU_CHECK("clients mode", S_ISREG(c.st_mode) && (c.st_mode & 07777) == 0600);
	TU_CHECK("index mode", S_ISREG(x.st_mode) && (x.st_mode & 07777) == 0600);
	/* Fixed-size files, within the RLIMIT_FSIZE the sandbox keeps. */
	TU_CHECK("clients sized", c.st_size > 0 && (uint64_t)c.st_size <= fws_max_file_size());
	TU_CHECK("index sized", x.st_size > 0 && (uint64_t)x.st_size <= fws_max_file_size());
	TU_CHECK("max is one of them", fws_max_file_size() == (uint64_t)c.st_size ||
					       fws_max_file_size() == (uint64_t)x.st_size);
	/* Fixed-size records, one per slot. */
	TU_EQ("clients: records per slot", (uint64_t)c.st_size % FWS_CLIENT_SLOTS, 0);
	TU_EQ("index: records per slot", (uint64_t)x.st_size % FWS_INDEX_SLOTS, 0);

	/* Opening again: the same files, nothing grows. */
	open_ok(dir, &st2);
	fws_close(&st2);
	TU_EQ("st2 closed", st2.clients_fd, -1);
	TU_EQ("st2 closed", st2.index_fd, -1);
	snprintf(path, sizeof(path), "%s/clients.db", dir);
	{
		struct stat c2;

		if (stat(path, &c2) != 0)
			fail_msg("%s vanished", path);
		TU_EQ("same inode", c2.st_ino, c.st_ino);
		TU_EQ("same size", c2.st_size, c.st_size);
	}
	fws_close(&st);

	/* A parent that does not exist: refused, with a message. */
	snprintf(path, sizeof(path), "%s/no/such/parent", base);
	err[0] = '\0';
	st.clients_fd = st.index_fd = 12345;
	TU_EQ("no parent", fws_open(path, &st, err, sizeof(err)), -1);
	TU_EQ("no parent", st.clients_fd, -1);
	TU_EQ("no parent", st.index_fd, -1);
	TU_CHECK("no parent message", err[0] != '\0');
}

/* Nothing in the state dir is followed or opened unless it is a plain
 * directory / regular file: the server opens it as root. */
static void test_open_refuses(void **state)
{
	struct fwstate st;
	struct stat s;
	char dir[128], path[320], target[192], err[256];
	int fd;

	(void)state;
	/* The state dir itself a symlink to a real directory. */
	fresh_dir(target, sizeof(target));
	if (mkdir(target, 0700) != 0)
		fail_msg("mkdir %s", target);
	fresh_dir(dir, sizeof(dir));
	if (symlink(target, dir) != 0)
		fail_msg("symlink %s", dir);
	TU_EQ("dir symlink", fws_open(dir, &st, err, sizeof(err)), -1);
	TU_EQ("dir symlink", st.clients_fd, -1);
	snprintf(path, sizeof(path), "%s/clients.db", target);
	TU_CHECK("nothing created through the link", lstat(path, &s) != 0 && errno == ENOENT);

	/* clients.db a symlink to a file elsewhere: refused, target untouched. */
	fresh_dir(dir, sizeof(dir));
	if (mkdir(dir, 0700) != 0)
		fail_msg("mkdir %s", dir);
	snprintf(target, sizeof(target), "%s/victim%u", base, serial);
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "keep", 4) != 4)
		fail_msg("cannot write %s", target);
	close(fd);
	snprintf(path, sizeof(path), "%s/clients.db", dir);
	if (symlink(target, path) != 0)
		fail_msg("symlink %s", path);
	TU_EQ("file symlink", fws_open(dir, &st, err, sizeof(err)), -1);
	TU_EQ("file symlink", st.clients_fd, -1);
	TU_EQ("file symlink", st.index_fd, -1);
	if (stat(target, &s) != 0)
		fail_msg("victim gone");
	TU_EQ("victim untouched", s.st_size, 4);

	/* verified.idx a FIFO: refused without blocking (alarm turns a hang
	 * into a failure). */
	fresh_dir(dir, sizeof(dir));
	if (mkdir(dir, 0700) != 0)
		fail_msg("mkdir %s", dir);
	snprintf(path, sizeof(path), "%s/verified.idx", dir);
	if (mkfifo(path, 0600) != 0)
		fail_msg("mkfifo %s", path);
	alarm(10);
	TU_EQ("fifo", fws_open(dir, &st, err, sizeof(err)), -1);
	alarm(0);
	TU_EQ("fifo", st.index_fd, -1);
	TU_EQ("fifo", st.clients_fd, -1);

	/* clients.db a directory. */
	fresh_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/clients.db", dir);
	if (mkdir(dir, 0700) != 0 || mkdir(path, 0700) != 0)
		fail_msg("mkdir %s", path);
	TU_EQ("directory", fws_open(dir, &st, err, sizeof(err)), -1);

	/* The state dir path is a regular file. */
	snprintf(path, sizeof(path), "%s/plainfile%u", base, ++serial);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	close(fd);
	TU_EQ("not a dir", fws_open(path, &st, err, sizeof(err)), -1);
}

/* Nobody else may be able to plant files for the server: a state dir
 * writable by group or others is refused, and so is a state file that is a
 * hard link to another file, or readable by others; nothing is truncated. */
static void test_open_refuses_foreign(void **state)
{
	struct fwstate st;
	struct stat s;
	char dir[128], path[320], victim[192], err[256];
	int fd;

	(void)state;
	fresh_dir(dir, sizeof(dir));
	if (mkdir(dir, 0700) != 0 || chmod(dir, 0770) != 0)
		fail_msg("mkdir %s", dir);
	TU_EQ("group-writable dir", fws_open(dir, &st, err, sizeof(err)), -1);
	TU_CHECK("message says why", strstr(err, "not writable by group or others") != NULL);
	chmod(dir, 0702);
	TU_EQ("other-writable dir", fws_open(dir, &st, err, sizeof(err)), -1);

	/* clients.db a hard link to a file outside: refused, victim untouched. */
	fresh_dir(dir, sizeof(dir));
	if (mkdir(dir, 0700) != 0)
		fail_msg("mkdir %s", dir);
	snprintf(victim, sizeof(victim), "%s/victim-link%u", base, serial);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "keep", 4) != 4)
		fail_msg("cannot write %s", victim);
	close(fd);
	snprintf(path, sizeof(path), "%s/clients.db", dir);
	if (link(victim, path) != 0)
		fail_msg("link %s", path);
	TU_EQ("hard link", fws_open(dir, &st, err, sizeof(err)), -1);
	TU_EQ("hard link", st.clients_fd, -1);
	if (stat(victim, &s) != 0)
		fail_msg("victim gone");
	TU_EQ("hard-linked victim not truncated", s.st_size, 4);

	/* A state file others may read or write. */
	fresh_dir(dir, sizeof(dir));
	if (mkdir(dir, 0700) != 0)
		fail_msg("mkdir %s", dir);
	snprintf(path, sizeof(path), "%s/verified.idx", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || fchmod(fd, 0666) != 0)
		fail_msg("cannot create %s", path);
	close(fd);
	TU_EQ("world-writable file", fws_open(dir, &st, err, sizeof(err)), -1);
	TU_EQ("world-writable file", st.index_fd, -1);
}

/* A state file of the wrong size (cut by a full disk, or garbage) is
 * brought back to its size, and its garbage is not taken as records. */
static void test_open_repairs_size(void **state)
{
	struct fwstate st;
	struct fws_key k;
	struct fws_client out;
	struct stat s0, s1;
	char dir[128], path[320], junk[100];
	int fd;

	(void)state;
	fresh_dir(dir, sizeof(dir));
	open_ok(dir, &st);
	fws_close(&st);
	snprintf(path, sizeof(path), "%s/clients.db", dir);
	if (stat(path, &s0) != 0)
		fail_msg("stat");
	memset(junk, 0xee, sizeof(junk));
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, junk, sizeof(junk)) != (ssize_t)sizeof(junk))
		fail_msg("rewrite %s", path);
	close(fd);
	open_ok(dir, &st);
	if (stat(path, &s1) != 0)
		fail_msg("stat");
	TU_EQ("resized", s1.st_size, s0.st_size);
	key_v4(&k, "192.0.2.1");
	TU_EQ("no record from garbage", get(&st, &k, &out), 0);
	put_ok(&st, &k, "320", 8, 100);
	TU_EQ("usable", get(&st, &k, &out), 1);
	fws_close(&st);
}

/* ---- keys ------------------------------------------------------------------ */

static void test_keys(void **state)
{
	struct fws_key a, b;
	uint8_t mac1[6] = { 0, 4, 0x13, 1, 2, 3 }, mac2[6] = { 0, 4, 0x13, 1, 2, 4 };
	struct sockaddr_in s4;

	(void)state;
	/* The same host over IPv4 and as IPv4-mapped IPv6 is one client. */
	key_v4(&a, "192.0.2.7");
	key_v6(&b, "::ffff:192.0.2.7");
	TU_MEMEQ("mapped", a.b, sizeof(a.b), b.b, sizeof(b.b));
	key_v4(&b, "192.0.2.8");
	TU_CHECK("other v4", memcmp(a.b, b.b, sizeof(a.b)) != 0);
	key_v6(&a, "2001:db8::7");
	key_v6(&b, "2001:db8::8");
	TU_CHECK("other v6", memcmp(a.b, b.b, sizeof(a.b)) != 0);
	/* ::c000:207 carries the same 4 bytes as 192.0.2.7 but is IPv6. */
	key_v4(&a, "192.0.2.7");
	key_v6(&b, "::192.0.2.7");
	TU_CHECK("v4 vs v4-compatible v6", memcmp(a.b, b.b, sizeof(a.b)) != 0);

	/* With a MAC, the MAC is the key: the address does not matter. */
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_addr.s_addr = htonl(0xc0000207u);
	fws_key_make(&a, (struct sockaddr *)&s4, sizeof(s4), mac1);
	s4.sin_addr.s_addr = htonl(0xc0000299u);
	fws_key_make(&b, (struct sockaddr *)&s4, sizeof(s4), mac1);
	TU_MEMEQ("mac key", a.b, sizeof(a.b), b.b, sizeof(b.b));
	fws_key_make(&b, (struct sockaddr *)&s4, sizeof(s4), mac2);
	TU_CHECK("other mac", memcmp(a.b, b.b, sizeof(a.b)) != 0);
	/* A MAC key is not the address key of the same host. */
	key_v4(&b, "192.0.2.7");
	TU_CHECK("mac vs address", memcmp(a.b, b.b, sizeof(a.b)) != 0);
}

/* ---- client records ---------------------------------------------------- */

static void test_client_roundtrip(void **state)
{
	struct fwstate st, st2;
	struct fws_key k1, k2, k3, km;
	struct fws_client out;
	uint8_t mac[6] = { 2, 0, 0x5e, 0, 0, 1 };
	struct sockaddr_in s4;
	char dir[128];

	(void)state;
	fresh_dir(dir, sizeof(dir));
	open_ok(dir, &st);
	key_v4(&k1, "192.0.2.1");
	key_v6(&k2, "2001:db8::1");
	key_v4(&k3, "192.0.2.3");
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	fws_key_make(&km, (struct sockaddr *)&s4, sizeof(s4), mac);

	TU_EQ("empty", get(&st, &k1, &out), 0);
	put_ok(&st, &k1, "320", 8, 1700000000);
	put_ok(&st, &k2, "D785", 10, -5);                 /* any int64 survives */
	put_ok(&st, &km, "12345678", 4000000000u, INT64_MAX); /* longest model */
	TU_EQ("k1", get(&st, &k1, &out), 1);
	TU_STREQ("k1", out.model, "320");
	TU_EQ("k1", out.major, 8);
	TU_EQ("k1", out.t_done, 1700000000);
	TU_EQ("k2", get(&st, &k2, &out), 1);
	TU_STREQ("k2", out.model, "D785");
	TU_EQ("k2", out.major, 10);
	TU_EQ("k2", out.t_done, -5);
	TU_EQ("mac", get(&st, &km, &out), 1);
	TU_STREQ("mac", out.model, "12345678");
	TU_EQ("mac", out.major, 4000000000u);
	TU_CHECK("mac", out.t_done == INT64_MAX);
	TU_EQ("k3 absent", get(&st, &k3, &out), 0);

	/* Another descriptor (another handler process) sees them, and an
	 * update through it replaces the record. */
	open_ok(dir, &st2);
	TU_EQ("st2 k1", get(&st2, &k1, &out), 1);
	TU_EQ("st2 k1", out.major, 8);
	put_ok(&st2, &k1, "320", 10, 1700000100);
	fws_close(&st2);
	TU_EQ("updated", get(&st, &k1, &out), 1);
	TU_EQ("updated", out.major, 10);
	TU_EQ("updated", out.t_done, 1700000100);
	fws_close(&st);

	/* And after everything was closed. */
	open_ok(dir, &st);
	TU_EQ("persisted", get(&st, &k2, &out), 1);
	TU_STREQ("persisted", out.model, "D785");
	fws_close(&st);

	/* Unavailable state: -1, never a made-up record. */
	st.clients_fd = st.index_fd = -1;
	TU_EQ("unavailable get", fws_client_get(&st, &k1, &out), -1);
	{
		struct fws_client in = { "320", 8, 1 };

		TU_EQ("unavailable put", fws_client_put(&st, &k1, &in), -1);
	}
}

/* ---- the oldest record goes when a probe run is full ------------------ */

static uint32_t fnv1a(const uint8_t *b, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

#define NCOLL (FWS_PROBE + 3)

/* Keys 10.0.0.0+n that all start their probe run at the same slot. */
static void colliding_keys(struct fws_key *out, unsigned n_want)
{
	static uint16_t count[FWS_CLIENT_SLOTS];
	unsigned slot = FWS_CLIENT_SLOTS, got = 0;
	uint32_t n;

	memset(count, 0, sizeof(count));
	for (n = 0; n < 2000000 && slot == FWS_CLIENT_SLOTS; n++) {
		struct fws_key k;
		unsigned s;

		key_n(&k, n);
		s = fnv1a(k.b, sizeof(k.b)) % FWS_CLIENT_SLOTS;
		if (++count[s] == n_want)
			slot = s;
	}
	if (slot == FWS_CLIENT_SLOTS)
		fail_msg("test bug: no %u colliding keys found", n_want);
	for (n = 0; got < n_want; n++) {
		key_n(&out[got], n);
		if (fnv1a(out[got].b, sizeof(out[got].b)) % FWS_CLIENT_SLOTS == slot)
			got++;
	}
}

static void test_oldest_replaced(void **state)
{
	struct fws_key k[NCOLL];
	struct fws_client out;
	struct fwstate st;
	int64_t t[NCOLL];
	int present[NCOLL];
	char dir[128];
	unsigned i, gone, ngone;

	(void)state;
	colliding_keys(k, NCOLL);
	fresh_dir(dir, sizeof(dir));
	open_ok(dir, &st);
	/* Fill the run, oldest record in the middle (index 5). */
	for (i = 0; i < FWS_PROBE; i++) {
		t[i] = 1000 + (int64_t)((i * 7) % FWS_PROBE) * 10;
		if (i == 5)
			t[i] = 1;
		put_ok(&st, &k[i], "320", i, t[i]);
	}
	for (i = 0; i < FWS_PROBE; i++) {
		TU_EQ("filled", get(&st, &k[i], &out), 1);
		TU_EQ("filled", out.major, i);
		TU_EQ("filled", out.t_done, t[i]);
	}
	/* Re-writing a present key is an update in place: nothing goes. */
	t[2] = 1500;
	put_ok(&st, &k[2], "360", 77, t[2]);
	for (i = 0; i < FWS_PROBE; i++)
		TU_EQ("update in place", get(&st, &k[i], &out), 1);
	TU_EQ("updated", (get(&st, &k[2], &out), out.major), 77);
	TU_STREQ("updated", out.model, "360");

	/* One more key for the full run: exactly the oldest (5) goes. This
	 * also checks the white-box assumption: if the slot function were
	 * not the one recomputed here, nothing would be evicted. */
	t[FWS_PROBE] = 2000;
	put_ok(&st, &k[FWS_PROBE], "320", 99, t[FWS_PROBE]);
	TU_EQ("newcomer", get(&st, &k[FWS_PROBE], &out), 1);
	TU_EQ("newcomer", out.major, 99);
	ngone = 0;
	gone = NCOLL;
	for (i = 0; i < FWS_PROBE; i++) {
		present[i] = get(&st, &k[i], &out);
		if (!present[i]) {
			ngone++;
			gone = i;
		} else if (out.t_done != t[i]) {
			fail_msg("key %u: record changed (t_done %lld, expected %lld)", i,
				 (long long)out.t_done, (long long)t[i]);
		}
	}
	if (ngone != 1)
		fail_msg("%u records replaced, expected exactly 1 (do the keys share a probe run?)", ngone);
	TU_EQ("oldest replaced", gone, 5);

	/* Next: the oldest of what is left. */
	{
		unsigned oldest = NCOLL;

		for (i = 0; i <= FWS_PROBE; i++)
			if (i != 5 && (oldest == NCOLL || t[i] < t[oldest]))
				oldest = i;
		t[FWS_PROBE + 1] = 3000;
		put_ok(&st, &k[FWS_PROBE + 1], "320", 98, t[FWS_PROBE + 1]);
		TU_EQ("second newcomer", get(&st, &k[FWS_PROBE + 1], &out), 1);
		TU_EQ("second oldest replaced", get(&st, &k[oldest], &out), 0);
		for (i = 0; i <= FWS_PROBE; i++)
			if (i != 5 && i != oldest)
				TU_EQ("others kept", get(&st, &k[i], &out), 1);
	}
	fws_close(&st);
}

/* Black-box: with ever newer records, the latest FWS_PROBE puts are
 * always present (an evicted record is the oldest of a full run, so
 * FWS_PROBE - 1 newer records must share its run), each put is readable
 * at once, and the table never reports more clients than it has slots. */
static void test_fill_keeps_newest(void **state)
{
	enum { N = 3 * FWS_CLIENT_SLOTS };
	struct fws_client out;
	struct fwstate st;
	char dir[128];
	unsigned present = 0;

	(void)state;
	fresh_dir(dir, sizeof(dir));
	open_ok(dir, &st);
	for (uint32_t n = 0; n < N; n++) {
		struct fws_key k;

		key_n(&k, n * 2654435761u % 16777216u); /* spread over 10/8 */
		put_ok(&st, &k, "320", n, 1000 + n);
		if (get(&st, &k, &out) != 1 || out.major != n)
			fail_msg("put %u not readable right after", n);
	}
	for (uint32_t n = 0; n < N; n++) {
		struct fws_key k;

		key_n(&k, n * 2654435761u % 16777216u);
		if (get(&st, &k, &out) == 1) {
			present++;
			if (out.major != n || out.t_done != 1000 + (int64_t)n)
				fail_msg("key %u holds another key's record", n);
		} else if (n >= N - FWS_PROBE) {
			fail_msg("one of the %u newest records (%u) was replaced", FWS_PROBE, n);
		}
	}
	TU_CHECK("not more than the slots", present <= FWS_CLIENT_SLOTS);
	TU_CHECK("most slots used", present >= FWS_CLIENT_SLOTS / 2);
	fws_close(&st);
}

/* ---- verified-image index ---------------------------------------------- */

static void stat_ok(const char *path, struct stat *s)
{
	if (stat(path, s) != 0)
		fail_msg("stat %s: %s", path, strerror(errno));
}

static void write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data))
		fail_msg("write %s", path);
	close(fd);
}

static int iget(const struct fwstate *st, const struct stat *s, struct fws_verified *v)
{
	int r;

	memset(v, 0xee, sizeof(*v));
	r = fws_index_get(st, s, v);
	if (r < 0)
		fail_msg("fws_index_get failed");
	return r;
}

static void iput(const struct fwstate *st, const struct stat *s, uint8_t check, uint8_t source)
{
	struct fws_verified v = { check, source };

	if (fws_index_put(st, s, &v) != 0)
		fail_msg("fws_index_put failed");
}

/* Sleep until the clock a file's ctime comes from has moved on. */
static void tick(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void test_index(void **state)
{
	struct fwstate st, st2;
	struct fws_verified v;
	struct stat s0, s1, s2, sb;
	struct timespec times[2];
	char dir[128], img[320], other[320], moved[320];
	int fd, tries;

	(void)state;
	fresh_dir(dir, sizeof(dir));
	open_ok(dir, &st);
	snprintf(img, sizeof(img), "%s/img%u.bin", base, serial);
	snprintf(other, sizeof(other), "%s/other%u.bin", base, serial);
	write_file(img, "image bytes");
	write_file(other, "image bytes");
	stat_ok(img, &s0);
	stat_ok(other, &sb);

	TU_EQ("not cached yet", iget(&st, &s0, &v), 0);
	iput(&st, &s0, FW_OK, FW_SRC_HEADER);
	TU_EQ("cached", iget(&st, &s0, &v), 1);
	TU_EQ("cached", v.check, FW_OK);
	TU_EQ("cached", v.source, FW_SRC_HEADER);
	/* Failures are cached too (never served until the file changes). */
	iput(&st, &sb, FW_E_BAD_DCRC, FW_SRC_HEADER);
	TU_EQ("bad cached", iget(&st, &sb, &v), 1);
	TU_EQ("bad cached", v.check, FW_E_BAD_DCRC);
	/* Same content, other inode: its own entry, not img's. */
	TU_EQ("img unaffected", iget(&st, &s0, &v), 1);
	TU_EQ("img unaffected", v.check, FW_OK);

	/* Visible through a second open (another handler). */
	open_ok(dir, &st2);
	TU_EQ("st2", iget(&st2, &s0, &v), 1);
	TU_EQ("st2", v.source, FW_SRC_HEADER);
	fws_close(&st2);

	/* mtime changed (utimensat): stale. */
	memset(times, 0, sizeof(times));
	times[0].tv_nsec = UTIME_OMIT;
	times[1] = s0.st_mtim;
	times[1].tv_sec += 10;
	if (utimensat(AT_FDCWD, img, times, 0) != 0)
		fail_msg("utimensat");
	stat_ok(img, &s1);
	TU_CHECK("mtime moved", s1.st_mtim.tv_sec == s0.st_mtim.tv_sec + 10);
	TU_EQ("mtime change invalidates", iget(&st, &s1, &v), 0);

	/* mtime set back to exactly what it was: ctime still tells. */
	for (tries = 0; tries < 200; tries++) {
		tick();
		times[1] = s0.st_mtim;
		if (utimensat(AT_FDCWD, img, times, 0) != 0)
			fail_msg("utimensat");
		stat_ok(img, &s2);
		if (s2.st_ctim.tv_sec != s0.st_ctim.tv_sec || s2.st_ctim.tv_nsec != s0.st_ctim.tv_nsec)
			break;
	}
	TU_CHECK("ctime moved", tries < 200);
	TU_CHECK("mtime restored", s2.st_mtim.tv_sec == s0.st_mtim.tv_sec &&
					   s2.st_mtim.tv_nsec == s0.st_mtim.tv_nsec);
	TU_EQ("same size", s2.st_size, s0.st_size);
	TU_EQ("ctime change invalidates", iget(&st, &s2, &v), 0);

	/* Re-verified: the entry for the same inode is replaced. */
	iput(&st, &s2, FW_OK, FW_SRC_MANIFEST);
	TU_EQ("re-put", iget(&st, &s2, &v), 1);
	TU_EQ("re-put", v.source, FW_SRC_MANIFEST);
	TU_EQ("old key stale", iget(&st, &s0, &v), 0);

	/* Appended to: size (and times) change. */
	fd = open(img, O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, "X", 1) != 1)
		fail_msg("append");
	close(fd);
	stat_ok(img, &s1);
	TU_EQ("grew", s1.st_size, s2.st_size + 1);
	TU_EQ("append invalidates", iget(&st, &s1, &v), 0);
	/* Size alone: a stat that differs only in size is not the entry. */
	s1 = s2;
	s1.st_size += 1;
	TU_EQ("size alone invalidates", iget(&st, &s1, &v), 0);
	s1 = s2;
	s1.st_ino += 1;
	TU_EQ("other inode", iget(&st, &s1, &v), 0);
	s1 = s2;
	s1.st_dev += 1;
	TU_EQ("other device", iget(&st, &s1, &v), 0);
	TU_EQ("unchanged stat still hits", iget(&st, &s2, &v), 1);

	/* A new file renamed over the old name is another inode. */
	snprintf(moved, sizeof(moved), "%s/new%u.bin", base, serial);
	write_file(moved, "image bytes");
	if (rename(moved, other) != 0)
		fail_msg("rename");
	stat_ok(other, &s1);
	TU_EQ("replaced file", iget(&st, &s1, &v), 0);
	fws_close(&st);

	st.clients_fd = st.index_fd = -1;
	TU_EQ("unavailable", fws_index_get(&st, &s2, &v), -1);
	{
		struct fws_verified in = { FW_OK, FW_SRC_HEADER };

		TU_EQ("unavailable put", fws_index_put(&st, &s2, &in), -1);
	}
}

/* ---- several processes at once ----------------------------------------- */

#define NPROC 6
#define ITER 3000
#define NOWN 4
#define NSHARED 4

/* A value that names its writer, key and sequence number in every field,
 * so a record mixed from two writes cannot look whole. */
static void encode(struct fws_client *c, unsigned proc, unsigned key, uint32_t seq)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->model, sizeof(c->model), "p%uk%u", proc, key);
	c->major = seq * 131u + proc * 7u + key;
	c->t_done = ((int64_t)proc << 48) | ((int64_t)key << 32) | seq;
}

/* 0 when c is a whole record written for key; sets *proc, *seq. */
static int decode(const struct fws_client *c, unsigned key, unsigned *proc, uint32_t *seq)
{
	struct fws_client want;
	unsigned p = (unsigned)(c->t_done >> 48);
	unsigned k = (unsigned)((c->t_done >> 32) & 0xffff);
	uint32_t s = (uint32_t)c->t_done;

	if (p >= NPROC + 1 || k != key)
		return -1;
	encode(&want, p, k, s);
	if (strcmp(want.model, c->model) != 0 || want.major != c->major)
		return -1;
	*proc = p;
	*seq = s;
	return 0;
}

static void own_key(struct fws_key *k, unsigned proc, unsigned j)
{
	char ip[32];

	snprintf(ip, sizeof(ip), "198.51.100.%u", 1 + proc * NOWN + j);
	key_v4(k, ip);
}

static void shared_key(struct fws_key *k, unsigned j)
{
	char ip[32];

	snprintf(ip, sizeof(ip), "2001:db8::%x", 0x100 + j);
	key_v6(k, ip);
}

/* Shared keys are numbered after every process's own keys. */
#define SHARED_ID(j) (100u + (j))

/* The child: its own open of the state, start together, then a mix of
 * puts and gets. Exit 0 ok, 1 torn/wrong record, 2 API error. */
static int child(const char *dir, unsigned proc, int gate)
{
	struct fwstate st;
	struct fws_client c, got;
	uint32_t last_own[NOWN] = { 0 };
	char err[256], go;

	if (fws_open(dir, &st, err, sizeof(err)) != 0)
		return 2;
	if (read(gate, &go, 1) != 1)
		return 2;
	for (uint32_t seq = 1; seq <= ITER; seq++) {
		unsigned j = seq % NOWN, sj = (seq / 3) % NSHARED, p;
		uint32_t s;
		struct fws_key k;

		own_key(&k, proc, j);
		encode(&c, proc, j, seq);
		if (fws_client_put(&st, &k, &c) != 0)
			return 2;
		last_own[j] = seq;
		/* Read back another own key: exactly what this process wrote. */
		j = (seq + 1) % NOWN;
		own_key(&k, proc, j);
		if (last_own[j] != 0) {
			if (fws_client_get(&st, &k, &got) != 1)
				return 1;
			if (decode(&got, j, &p, &s) != 0 || p != proc || s != last_own[j])
				return 1;
		}
		/* Shared keys: write one, read another; whatever is there must
		 * be whole. */
		shared_key(&k, sj);
		encode(&c, proc, SHARED_ID(sj), seq);
		if (fws_client_put(&st, &k, &c) != 0)
			return 2;
		shared_key(&k, (sj + 1) % NSHARED);
		switch (fws_client_get(&st, &k, &got)) {
		case 1:
			if (decode(&got, SHARED_ID((sj + 1) % NSHARED), &p, &s) != 0)
				return 1;
			break;
		case 0:
			return 1; /* seeded by the parent: never absent */
		default:
			return 2;
		}
	}
	fws_close(&st);
	return 0;
}

/* The last seq a process writes to shared key j. */
static uint32_t last_shared_seq(unsigned j)
{
	uint32_t last = 0;

	for (uint32_t seq = 1; seq <= ITER; seq++)
		if ((seq / 3) % NSHARED == j)
			last = seq;
	return last;
}

static void test_concurrent(void **state)
{
	pid_t pids[NPROC];
	int gate[2], status[NPROC], done = 0;
	struct fwstate st;
	struct fws_client c, got;
	char dir[128];
	struct timespec t0, now;

	(void)state;
	fresh_dir(dir, sizeof(dir));
	open_ok(dir, &st);
	/* Seed every key once (proc id NPROC = the parent): afterwards each
	 * put finds its own record, so no run overflows and nothing is
	 * evicted - checked here before the race starts. */
	for (unsigned p = 0; p < NPROC; p++)
		for (unsigned j = 0; j < NOWN; j++) {
			struct fws_key k;

			own_key(&k, p, j);
			encode(&c, NPROC, j, 0);
			if (fws_client_put(&st, &k, &c) != 0)
				fail_msg("seed put");
		}
	for (unsigned j = 0; j < NSHARED; j++) {
		struct fws_key k;

		shared_key(&k, j);
		encode(&c, NPROC, SHARED_ID(j), 0);
		if (fws_client_put(&st, &k, &c) != 0)
			fail_msg("seed put");
	}
	for (unsigned p = 0; p < NPROC; p++)
		for (unsigned j = 0; j < NOWN; j++) {
			struct fws_key k;

			own_key(&k, p, j);
			if (get(&st, &k, &got) != 1)
				fail_msg("test bug: seeded keys do not all fit");
		}
	fws_close(&st);

	if (pipe(gate) != 0)
		fail_msg("pipe");
	for (unsigned p = 0; p < NPROC; p++) {
		pids[p] = fork();
		if (pids[p] < 0)
			fail_msg("fork");
		if (pids[p] == 0) {
			close(gate[1]);
			_exit(child(dir, p, gate[0]));
		}
		status[p] = -1;
	}
	close(gate[0]);
	/* Open the gate for all at once. */
	{
		char go[NPROC];

		memset(go, 'g', sizeof(go));
		if (write(gate[1], go, sizeof(go)) != (ssize_t)sizeof(go))
			fail_msg("gate");
	}
	close(gate[1]);
	/* Bounded wait: 60 s, then the stragglers are killed (by pid). */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < NPROC) {
		for (unsigned p = 0; p < NPROC; p++) {
			int wst;

			if (status[p] != -1)
				continue;
			if (waitpid(pids[p], &wst, WNOHANG) == pids[p]) {
				status[p] = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
				done++;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (done < NPROC && now.tv_sec - t0.tv_sec > 60) {
			for (unsigned p = 0; p < NPROC; p++)
				if (status[p] == -1) {
					kill(pids[p], SIGKILL);
					waitpid(pids[p], NULL, 0);
					status[p] = 999;
				}
			fail_msg("children did not finish within 60 s");
		}
		if (done < NPROC) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	for (unsigned p = 0; p < NPROC; p++)
		if (status[p] != 0)
			fail_msg("child %u exited %d (1: a record read back was torn or wrong, 2: API error)",
				 p, status[p]);

	/* Final state: own keys hold their process's last write; shared keys
	 * the last write of one of the processes. */
	open_ok(dir, &st);
	for (unsigned p = 0; p < NPROC; p++)
		for (unsigned j = 0; j < NOWN; j++) {
			struct fws_key k;
			uint32_t last = 0, s;
			unsigned wp;

			for (uint32_t seq = 1; seq <= ITER; seq++)
				if (seq % NOWN == j)
					last = seq;
			own_key(&k, p, j);
			if (get(&st, &k, &got) != 1 || decode(&got, j, &wp, &s) != 0)
				fail_msg("own key %u/%u missing or torn", p, j);
			if (wp != p || s != last)
				fail_msg("own key %u/%u: seq %u by %u, expected %u by %u", p, j, s, wp, last, p);
		}
	for (unsigned j = 0; j < NSHARED; j++) {
		struct fws_key k;
		uint32_t s;
		unsigned wp;

		shared_key(&k, j);
		if (get(&st, &k, &got) != 1 || decode(&got, SHARED_ID(j), &wp, &s) != 0)
			fail_msg("shared key %u missing or torn", j);
		if (wp >= NPROC || s != last_shared_seq(j))
			fail_msg("shared key %u: seq %u by %u is no process's last write (%u)", j, s, wp,
				 last_shared_seq(j));
	}
	fws_close(&st);
}

/* New clients arriving at once: processes inserting different keys into
 * the same probe run (all colliding, FWS_PROBE - 4 of them, so the run
 * never overflows) must each get a slot of their own - two handlers that
 * both picked the same free slot would lose one client. Several rounds on
 * fresh state, every process released by one gate. */
#define INS_PROC 6
#define INS_KEYS 2
#define INS_ROUNDS 40

static void test_concurrent_insert(void **state)
{
	struct fws_key k[INS_PROC * INS_KEYS];
	struct fws_client got;

	(void)state;
	colliding_keys(k, INS_PROC * INS_KEYS);
	for (unsigned round = 0; round < INS_ROUNDS; round++) {
		struct fwstate st;
		pid_t pids[INS_PROC];
		int gate[2], bad = 0;
		char dir[128], go[INS_PROC];

		fresh_dir(dir, sizeof(dir));
		open_ok(dir, &st);
		fws_close(&st);
		if (pipe(gate) != 0)
			fail_msg("pipe");
		for (unsigned p = 0; p < INS_PROC; p++) {
			pids[p] = fork();
			if (pids[p] < 0)
				fail_msg("fork");
			if (pids[p] == 0) {
				struct fwstate cst;
				struct fws_client c;
				char err[256], g;
				int rc = 0;

				close(gate[1]);
				alarm(30);
				if (fws_open(dir, &cst, err, sizeof(err)) != 0 || read(gate[0], &g, 1) != 1)
					_exit(2);
				for (unsigned j = 0; j < INS_KEYS; j++) {
					encode(&c, p, j, round + 1);
					if (fws_client_put(&cst, &k[p * INS_KEYS + j], &c) != 0)
						rc = 2;
				}
				_exit(rc);
			}
		}
		close(gate[0]);
		memset(go, 'g', sizeof(go));
		if (write(gate[1], go, sizeof(go)) != (ssize_t)sizeof(go))
			fail_msg("gate");
		close(gate[1]);
		for (unsigned p = 0; p < INS_PROC; p++) {
			int wst;

			/* children end themselves within alarm(30) */
			if (waitpid(pids[p], &wst, 0) != pids[p] || !WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
				bad = 1;
		}
		if (bad)
			fail_msg("round %u: a child failed", round);
		open_ok(dir, &st);
		for (unsigned p = 0; p < INS_PROC; p++)
			for (unsigned j = 0; j < INS_KEYS; j++) {
				unsigned wp;
				uint32_t seq;

				if (get(&st, &k[p * INS_KEYS + j], &got) != 1)
					fail_msg("round %u: key %u/%u lost (two inserts took one slot)", round, p, j);
				if (decode(&got, j, &wp, &seq) != 0 || wp != p || seq != round + 1)
					fail_msg("round %u: key %u/%u holds another record", round, p, j);
			}
		fws_close(&st);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_creates),
		cmocka_unit_test(test_open_refuses),
		cmocka_unit_test(test_open_refuses_foreign),
		cmocka_unit_test(test_open_repairs_size),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_client_roundtrip),
		cmocka_unit_test(test_oldest_replaced),
		cmocka_unit_test(test_fill_keeps_newest),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_concurrent_insert),
	};

	return cmocka_run_group_tests(tests, setup_base, remove_base);
}
