/* test_fwscan.c - tests of fwscan.c against real files: fixtures are made by
 * the real mkimage of Debian's u-boot-tools (/usr/bin/mkimage) and by the
 * independent builder build/tools/mkuimage, digests by the real sha256sum,
 * all in a fresh temporary directory per test. Covered: good image,
 * truncated, bad magic, bad header CRC, bad data CRC, name without version,
 * full 32-byte names, manifest match / mismatch / malformed, the file-name
 * fallback on and off, non-regular entries skipped (FIFO, directory,
 * symlink, hidden), files changed after the scan, selection by model, the
 * table's capacity. Expected values are derived here: data CRCs with a
 * bit-by-bit CRC-32 of the payload we wrote, digests by sha256sum.
 * Missing tools fail the test; nothing is skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "firmware.h"
#include "fwscan.h"
#include "testutil.h"

#define MKIMAGE "/usr/bin/mkimage"
#define SHA256SUM "/usr/bin/sha256sum"
#define TIMEOUT "/usr/bin/timeout"
#define PAYLOAD 5000u

/* Path of build/tools/mkuimage, found next to this binary. */
static char mkuimage_path[PATH_MAX];

struct fx {
	char root[64];
	char fw[128];  /* the scanned firmware directory */
	char src[128]; /* inputs (payloads, manifests), never scanned */
	int dfd;
	struct fw_scan *scan;
	struct fw_manifest *man;
	struct fwscan_opts opts;
};

static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ ((c & 1u) ? 0xedb88320u : 0u);
	}
	return ~c;
}

/* ---- process and file helpers -------------------------------------------- */

/* Run argv under timeout(1) (20 s), in cwd if given, stdout to out (or
 * /dev/null). Returns the exit status, or -1. */
static int run(const char *cwd, const char *out, const char *const *argv)
{
	char *args[40];
	size_t n = 0;
	int status;
	pid_t pid;

	args[n++] = (char *)"timeout";
	args[n++] = (char *)"20";
	for (size_t i = 0; argv[i] != NULL; i++) {
		if (n + 1 >= sizeof(args) / sizeof(args[0]))
			fail_msg("test bug: too many arguments");
		args[n++] = (char *)argv[i];
	}
	args[n] = NULL;
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(out ? out : "/dev/null",
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		if (cwd != NULL && chdir(cwd) != 0)
			_exit(126);
		/* Reproducible mkimage time stamps (compared to mkuimage). */
		setenv("SOURCE_DATE_EPOCH", "0", 1);
		execv(TIMEOUT, args);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail_msg("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_path(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	if (len > 0 && write(fd, data, len) != (ssize_t)len)
		fail_msg("write %s", path);
	close(fd);
}

/* Whole file into a malloc'd buffer (test fixtures are small). */
static uint8_t *read_path(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0)
		fail_msg("open %s: %s", path, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL ||
	    read(fd, buf, (size_t)st.st_size) != (ssize_t)st.st_size)
		fail_msg("read %s", path);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void path_in(char *out, size_t sz, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, sz, "%s/%s", dir, name) >= sz)
		fail_msg("test bug: path too long");
}

/* A payload of n pseudo-random bytes in src/<name>; returns its CRC32. */
static uint32_t payload(struct fx *f, const char *name, size_t n,
			uint32_t seed)
{
	char path[256];
	uint8_t *p = malloc(n ? n : 1);
	uint32_t crc;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)tu_rand(&seed);
	path_in(path, sizeof(path), f->src, name);
	write_path(path, p, n);
	crc = ref_crc32(p, n);
	free(p);
	return crc;
}

/* Real mkimage, as in the issue: firmware image of src/<data> named
 * image_name, written to fw/<out>. */
static void mkimage(struct fx *f, const char *image_name, const char *data,
		    const char *out)
{
	char din[256], dout[256];

	path_in(din, sizeof(din), f->src, data);
	path_in(dout, sizeof(dout), f->fw, out);
	const char *argv[] = { MKIMAGE, "-A", "mips", "-O", "linux", "-T",
			       "firmware", "-C", "none", "-n", image_name,
			       "-d", din, dout, NULL };
	TU_EQ(out, run(NULL, NULL, argv), 0);
}

/* The builder with extra flags (NULL-terminated), output fw/<out>. */
static void mkuimage(struct fx *f, const char *out, ...)
{
	const char *argv[24];
	char dout[256];
	size_t n = 0;
	va_list ap;

	path_in(dout, sizeof(dout), f->fw, out);
	argv[n++] = mkuimage_path;
	argv[n++] = "-o";
	argv[n++] = dout;
	va_start(ap, out);
	for (const char *a = va_arg(ap, const char *); a != NULL;
	     a = va_arg(ap, const char *)) {
		if (n + 1 >= sizeof(argv) / sizeof(argv[0]))
			fail_msg("test bug: too many flags");
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;
	TU_EQ(out, run(NULL, NULL, argv), 0);
}

/* Copy fw/<from> to fw/<to>, keeping only its first keep bytes. */
static void copy_prefix(struct fx *f, const char *from, const char *to,
			size_t keep)
{
	char a[256], b[256];
	size_t len;
	uint8_t *buf;

	path_in(a, sizeof(a), f->fw, from);
	path_in(b, sizeof(b), f->fw, to);
	buf = read_path(a, &len);
	if (keep > len)
		fail_msg("test bug: keep > len");
	write_path(b, buf, keep);
	free(buf);
}

/* Flip one byte of fw/<name> in place (size unchanged). */
static void flip_byte(struct fx *f, const char *name, off_t off)
{
	char p[256];
	uint8_t c;
	int fd;

	path_in(p, sizeof(p), f->fw, name);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0 || pread(fd, &c, 1, off) != 1)
		fail_msg("flip %s", name);
	c ^= 0x5a;
	if (pwrite(fd, &c, 1, off) != 1)
		fail_msg("flip %s", name);
	close(fd);
}

/* sha256sum output for the given fw/ files, run inside fw/ as a sysadmin
 * would, appended after header (a group line). Parsed into f->man. */
static void manifest_from_sha256sum(struct fx *f, const char *header,
				    const char *const *files)
{
	const char *argv[16];
	char out[256];
	size_t n = 0, len;
	uint8_t *sums;
	char *text;
	struct fw_manifest_error e;

	argv[n++] = SHA256SUM;
	for (size_t i = 0; files[i] != NULL; i++)
		argv[n++] = files[i];
	argv[n] = NULL;
	path_in(out, sizeof(out), f->src, "sums");
	TU_EQ("sha256sum", run(f->fw, out, argv), 0);
	sums = read_path(out, &len);
	text = malloc(strlen(header) + len + 1);
	memcpy(text, header, strlen(header));
	memcpy(text + strlen(header), sums, len);
	if (fw_manifest_parse(text, strlen(header) + len, f->man, &e) != 0)
		fail_msg("manifest line %u: %s", e.line, e.msg);
	f->opts.manifest = f->man;
	free(text);
	free(sums);
}

static void scan(struct fx *f)
{
	TU_EQ("fwscan_dir", fwscan_dir(f->dfd, &f->opts, f->scan), 0);
}

static struct fw_image *img_named(struct fx *f, const char *name)
{
	for (unsigned i = 0; i < f->scan->n; i++)
		if (strcmp(f->scan->img[i].name, name) == 0)
			return &f->scan->img[i];
	fail_msg("%s not in the scan table", name);
	return NULL;
}

static int in_table(struct fx *f, const char *name)
{
	for (unsigned i = 0; i < f->scan->n; i++)
		if (strcmp(f->scan->img[i].name, name) == 0)
			return 1;
	return 0;
}

static void img_check_is(struct fx *f, const char *name, enum fw_check want)
{
	struct fw_image *e = img_named(f, name);

	if (e->check != want)
		fail_msg("[%s] check %s, expected %s", name,
			 fw_check_str(e->check), fw_check_str(want));
}

#define EXPECT(f, name, want) img_check_is((f), (name), (want))

static void expect_id(struct fx *f, const char *name, enum fw_source src,
		      const char *model, const char *version)
{
	struct fw_image *e = img_named(f, name);

	if (e->check != FW_OK)
		fail_msg("[%s] check %s, expected ok", name,
			 fw_check_str(e->check));
	TU_EQ(name, e->id.source, src);
	TU_STREQ(name, e->id.model, model);
	TU_STREQ(name, e->id.version.text, version);
}

/* ---- fixture -------------------------------------------------------------- */

static int rm_entry(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->root, "/tmp/fwscan-test-XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	path_in(f->fw, sizeof(f->fw), f->root, "fw");
	path_in(f->src, sizeof(f->src), f->root, "src");
	if (mkdir(f->fw, 0755) != 0 || mkdir(f->src, 0755) != 0)
		return -1;
	f->dfd = open(f->fw, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	f->scan = calloc(1, sizeof(*f->scan));
	f->man = calloc(1, sizeof(*f->man));
	if (f->dfd < 0 || f->scan == NULL || f->man == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->dfd);
	nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->scan);
	free(f->man);
	free(f);
	return 0;
}

/* ---- tests ---------------------------------------------------------------- */

/* The exact mkimage command; the header identifies, the data CRC
 * verifies; the builder makes the byte-identical image. */
static void test_mkimage_good(void **state)
{
	struct fx *f = *state;
	uint32_t crc = payload(f, "payload", PAYLOAD, 11);
	struct fw_image *e;
	char a[256], b[256];
	uint8_t *x, *y;
	size_t xl, yl;
	int fd;

	mkimage(f, "snom320-8.7.3.25", "payload", "img.bin");
	scan(f);
	TU_EQ("n", f->scan->n, 1);
	TU_EQ("skipped", f->scan->skipped, 0);
	expect_id(f, "img.bin", FW_SRC_HEADER, "320", "8.7.3.25");
	e = img_named(f, "img.bin");
	TU_EQ("intact", e->hdr.intact, 1);
	TU_STREQ("format", e->hdr.format, "uimage");
	TU_EQ("has_digest", e->has_digest, 0);
	TU_EQ("data_off", e->hdr.data_off, 64);
	TU_EQ("data_len", e->hdr.data_len, PAYLOAD);
	TU_EQ("size", e->hdr.f.uimage.size, PAYLOAD);
	TU_EQ("dcrc", e->hdr.data_crc, crc);
	TU_EQ("key size", e->key.size, 64 + PAYLOAD);
	TU_EQ("arch mips", e->hdr.f.uimage.arch, 5);
	TU_EQ("os linux", e->hdr.f.uimage.os, 5);
	TU_EQ("type firmware", e->hdr.f.uimage.type, 5);
	TU_EQ("checked before verify", e->checked, 0);
	TU_EQ("verify_at", fwscan_verify_at(f->dfd, e), FW_OK);
	TU_EQ("checked", e->checked, 1);

	/* Through an fd the caller opened itself. */
	path_in(a, sizeof(a), f->fw, "img.bin");
	fd = open(a, O_RDONLY | O_CLOEXEC);
	e->checked = 0;
	TU_EQ("verify_fd", fwscan_verify_fd(fd, e), FW_OK);
	TU_EQ("checked", e->checked, 1);
	close(fd);

	/* Independent builder, same inputs: the same bytes (time 0 both). */
	path_in(b, sizeof(b), f->src, "payload");
	mkuimage(f, "built.bin", "-d", b, "-n", "snom320-8.7.3.25", NULL);
	path_in(b, sizeof(b), f->fw, "built.bin");
	x = read_path(a, &xl);
	y = read_path(b, &yl);
	TU_MEMEQ("builder = mkimage", y, yl, x, xl);
	free(x);
	free(y);
}

/* A file that starts like an image but is cut is never identified by a
 * weaker source, even when its name follows the vendor convention. */
static void test_truncated(void **state)
{
	struct fx *f = *state;

	payload(f, "payload", PAYLOAD, 12);
	mkimage(f, "snom320-8.7.3.25", "payload", "good.bin");
	copy_prefix(f, "good.bin", "snom320-8.7.3.21-SIP-r.bin",
		    64 + PAYLOAD - 1);
	copy_prefix(f, "good.bin", "snom320-8.7.3.22-SIP-r.bin", 40);
	copy_prefix(f, "good.bin", "snom320-8.7.3.23-SIP-r.bin", 64);
	copy_prefix(f, "good.bin", "snom320-8.7.3.24-SIP-r.bin", 0);
	mkuimage(f, "snom320-8.7.3.26-SIP-r.bin", "-c", "1", NULL);
	f->opts.allow_filename = 1;
	scan(f);
	TU_EQ("n", f->scan->n, 6);
	EXPECT(f, "good.bin", FW_OK);
	EXPECT(f, "snom320-8.7.3.21-SIP-r.bin", FW_E_TRUNCATED);
	EXPECT(f, "snom320-8.7.3.22-SIP-r.bin", FW_E_TRUNCATED);
	EXPECT(f, "snom320-8.7.3.23-SIP-r.bin", FW_E_TRUNCATED);
	EXPECT(f, "snom320-8.7.3.24-SIP-r.bin", FW_E_TRUNCATED);
	EXPECT(f, "snom320-8.7.3.26-SIP-r.bin", FW_E_TRUNCATED);
	/* Verifying a failed entry reports its failure, reads nothing. */
	TU_EQ("verify", fwscan_verify_at(f->dfd,
		img_named(f, "snom320-8.7.3.21-SIP-r.bin")), FW_E_TRUNCATED);
	TU_EQ("best", fwscan_best(f->scan, "320", 8, 0),
	      (int)(img_named(f, "good.bin") - f->scan->img));
}

/* No magic: no header, so the manifest or (if allowed) the name decide. */
static void test_bad_magic(void **state)
{
	struct fx *f = *state;
	const char *listed[] = { "listed.bin", NULL };

	mkuimage(f, "snom320-8.7.3.21-SIP-r.bin", "-M", NULL);
	mkuimage(f, "listed.bin", "-M", "-S", "3", NULL);
	scan(f);
	EXPECT(f, "snom320-8.7.3.21-SIP-r.bin", FW_E_UNIDENTIFIED);
	EXPECT(f, "listed.bin", FW_E_UNIDENTIFIED);
	TU_EQ("no header", img_named(f, "listed.bin")->hdr.intact, 0);
	TU_CHECK("no format", img_named(f, "listed.bin")->hdr.format == NULL);

	manifest_from_sha256sum(f, "model 320 version 8.7.3.22\n", listed);
	f->opts.allow_filename = 1;
	scan(f);
	expect_id(f, "snom320-8.7.3.21-SIP-r.bin", FW_SRC_FILENAME, "320",
		  "8.7.3.21");
	expect_id(f, "listed.bin", FW_SRC_MANIFEST, "320", "8.7.3.22");
	TU_EQ("verify", fwscan_verify_at(f->dfd, img_named(f, "listed.bin")),
	      FW_OK);
}

/* A damaged header is final: not the manifest, not the name. */
static void test_bad_hcrc(void **state)
{
	struct fx *f = *state;
	const char *listed[] = { "snom320-8.7.3.21-SIP-r.bin", NULL };

	mkuimage(f, "snom320-8.7.3.21-SIP-r.bin", "-H", NULL);
	manifest_from_sha256sum(f, "version 8.7.3.21\n", listed);
	f->opts.allow_filename = 1;
	scan(f);
	EXPECT(f, "snom320-8.7.3.21-SIP-r.bin", FW_E_BAD_HCRC);
	TU_EQ("source", img_named(f, "snom320-8.7.3.21-SIP-r.bin")->id.source,
	      FW_SRC_NONE);
	TU_EQ("best", fwscan_best(f->scan, "320", -1, 1), -1);
}

/* Selection reads headers only; the data CRC is found bad at verify. */
static void test_bad_dcrc(void **state)
{
	struct fx *f = *state;
	struct fw_image *e;

	mkuimage(f, "built.bin", "-D", "-n", "snom320-8.7.3.30", NULL);
	payload(f, "payload", PAYLOAD, 13);
	mkimage(f, "snom320-8.7.3.31", "payload", "flipped.bin");
	flip_byte(f, "flipped.bin", 64 + PAYLOAD / 2);
	scan(f);
	expect_id(f, "built.bin", FW_SRC_HEADER, "320", "8.7.3.30");
	expect_id(f, "flipped.bin", FW_SRC_HEADER, "320", "8.7.3.31");

	e = img_named(f, "flipped.bin");
	TU_EQ("best before", fwscan_best(f->scan, "320", 8, 0),
	      (int)(e - f->scan->img));
	TU_EQ("verify", fwscan_verify_at(f->dfd, e), FW_E_BAD_DCRC);
	TU_EQ("recorded", e->check, FW_E_BAD_DCRC);
	TU_EQ("checked", e->checked, 0);
	e = img_named(f, "built.bin");
	TU_EQ("best after", fwscan_best(f->scan, "320", 8, 0),
	      (int)(e - f->scan->img));
	TU_EQ("verify", fwscan_verify_at(f->dfd, e), FW_E_BAD_DCRC);
	TU_EQ("none left", fwscan_best(f->scan, "320", 8, 0), -1);
}

static void test_names(void **state)
{
	struct fx *f = *state;
	const char *listed[] = { "noversion.bin", NULL };
	struct fw_image *e;

	payload(f, "payload", 100, 14);
	mkimage(f, "snom320", "payload", "noversion.bin");
	mkimage(f, "Linux-5.10", "payload", "linux.bin");
	/* 32 characters: mkimage writes them with no NUL. */
	mkimage(f, "snom320-8.7.3.25-SIP-r-abcdefghi", "payload", "n32.bin");
	/* 34 characters: mkimage cuts to 32, leaving "...2000000" where
	 * the real version is "...200000012". */
	mkimage(f, "snom320-8.7.3.25.1000000.200000012", "payload", "cut.bin");
	/* Builder: name field padded with '~', no NUL at all. */
	mkuimage(f, "tilde.bin", "-n", "snom320-8.7.3.25", "-N", NULL);
	mkuimage(f, "tilde-ok.bin", "-n", "snom320-8.7.3.25-x", "-N", NULL);
	scan(f);
	EXPECT(f, "noversion.bin", FW_E_NO_VERSION);
	EXPECT(f, "linux.bin", FW_E_BAD_NAME);
	expect_id(f, "n32.bin", FW_SRC_HEADER, "320", "8.7.3.25");
	TU_EQ("n32 full", img_named(f, "n32.bin")->hdr.f.uimage.name_full, 1);
	EXPECT(f, "cut.bin", FW_E_NAME_CUT);
	TU_STREQ("cut name", img_named(f, "cut.bin")->hdr.f.uimage.name,
		 "snom320-8.7.3.25.1000000.2000000");
	EXPECT(f, "tilde.bin", FW_E_BAD_VERSION);
	expect_id(f, "tilde-ok.bin", FW_SRC_HEADER, "320", "8.7.3.25");

	/* A good header without identity may be vouched for by the
	 * manifest; then both its data CRC and its digest are checked. */
	manifest_from_sha256sum(f, "model 320 version 8.7.3.20\n", listed);
	scan(f);
	expect_id(f, "noversion.bin", FW_SRC_MANIFEST, "320", "8.7.3.20");
	e = img_named(f, "noversion.bin");
	TU_EQ("intact", e->hdr.intact, 1);
	TU_EQ("has_digest", e->has_digest, 1);
	TU_EQ("verify", fwscan_verify_at(f->dfd, e), FW_OK);
	/* Corrupt a data byte: the CRC catches it (and the digest). */
	flip_byte(f, "noversion.bin", 70);
	scan(f);
	TU_EQ("verify", fwscan_verify_at(f->dfd, img_named(f, "noversion.bin")),
	      FW_E_BAD_DCRC);
}

/* Pasted sha256sum output: a match verifies, a changed file does not. */
static void test_manifest(void **state)
{
	struct fx *f = *state;
	const char *listed[] = { "a.bin", "b.bin", "hdr.bin", NULL };
	struct fw_manifest_error err;
	struct fw_image *e;

	mkuimage(f, "a.bin", "-M", "-S", "21", NULL);
	mkuimage(f, "b.bin", "-M", "-S", "22", NULL);
	mkuimage(f, "c.bin", "-M", "-S", "23", NULL);
	mkuimage(f, "hdr.bin", "-n", "snom320-8.7.3.24", NULL);
	manifest_from_sha256sum(f, "# release notes list\n"
				   "version 8.7.3.24 model 320\n", listed);
	TU_EQ("entries", f->man->n, 3);
	flip_byte(f, "b.bin", 100); /* after the list was made */
	scan(f);
	expect_id(f, "a.bin", FW_SRC_MANIFEST, "320", "8.7.3.24");
	expect_id(f, "b.bin", FW_SRC_MANIFEST, "320", "8.7.3.24");
	EXPECT(f, "c.bin", FW_E_UNIDENTIFIED);
	expect_id(f, "hdr.bin", FW_SRC_HEADER, "320", "8.7.3.24");
	TU_EQ("hdr listed too", img_named(f, "hdr.bin")->has_digest, 1);

	TU_EQ("a", fwscan_verify_at(f->dfd, img_named(f, "a.bin")), FW_OK);
	e = img_named(f, "b.bin");
	TU_EQ("b", fwscan_verify_at(f->dfd, e), FW_E_BAD_DIGEST);
	TU_EQ("b recorded", e->check, FW_E_BAD_DIGEST);
	TU_EQ("hdr", fwscan_verify_at(f->dfd, img_named(f, "hdr.bin")), FW_OK);

	/* Header and list disagree: neither wins. */
	manifest_from_sha256sum(f, "model 320 version 8.7.3.99\n", listed);
	scan(f);
	EXPECT(f, "hdr.bin", FW_E_CONFLICT);

	/* A malformed manifest is rejected whole (line 3 here); scanning
	 * without it leaves the headerless files unidentified. */
	{
		static const char bad[] =
			"model 320 version 8.7.3.24\n"
			"0123456789abcdef0123456789abcdef"
			"0123456789abcdef0123456789abcdef  a.bin\n"
			"0123456789abcdef  b.bin\n";

		TU_EQ("malformed", fw_manifest_parse(bad, sizeof(bad) - 1,
						     f->man, &err), -1);
		TU_EQ("line", err.line, 3);
		f->opts.manifest = NULL;
		scan(f);
		EXPECT(f, "a.bin", FW_E_UNIDENTIFIED);
		EXPECT(f, "b.bin", FW_E_UNIDENTIFIED);
	}
}

static void test_filename_fallback(void **state)
{
	struct fx *f = *state;
	const char *name = "snom320-8.7.3.20-SIP-r.bin";
	struct fw_image *e;

	payload(f, "x", 300, 31);
	{
		char src[256], dst[256];
		size_t len;
		uint8_t *buf;

		path_in(src, sizeof(src), f->src, "x");
		buf = read_path(src, &len);
		path_in(dst, sizeof(dst), f->fw, name);
		write_path(dst, buf, len);
		path_in(dst, sizeof(dst), f->fw, "fw.bin");
		write_path(dst, buf, len);
		free(buf);
	}
	f->opts.allow_filename = 0;
	scan(f);
	EXPECT(f, name, FW_E_UNIDENTIFIED);
	EXPECT(f, "fw.bin", FW_E_UNIDENTIFIED);
	TU_EQ("off: nothing to serve", fwscan_best(f->scan, "320", -1, 1), -1);

	f->opts.allow_filename = 1;
	scan(f);
	expect_id(f, name, FW_SRC_FILENAME, "320", "8.7.3.20");
	TU_CHECK("label", strstr(fw_source_str(img_named(f, name)->id.source),
				 "unverified") != NULL);
	EXPECT(f, "fw.bin", FW_E_UNIDENTIFIED);
	e = img_named(f, name);
	/* Nothing to check, so the check passes; the label stays. */
	TU_EQ("verify", fwscan_verify_at(f->dfd, e), FW_OK);
	TU_EQ("checked", e->checked, 1);
	TU_EQ("best", fwscan_best(f->scan, "320", 8, 0),
	      (int)(e - f->scan->img));
}

/* FIFO, directory, symlink and hidden file are never taken (and the FIFO
 * never blocks the scan: main() has an alarm as a backstop). */
static void test_non_regular(void **state)
{
	struct fx *f = *state;
	char p[256];

	mkuimage(f, "snom320-9.9.9.1-SIP-r.bin", "-n", "snom320-9.9.9.1", NULL);
	path_in(p, sizeof(p), f->fw, "snom320-9.9.9.2-SIP-r.bin");
	TU_EQ("mkfifo", mkfifo(p, 0644), 0);
	path_in(p, sizeof(p), f->fw, "snom320-9.9.9.3-SIP-r.bin");
	TU_EQ("mkdir", mkdir(p, 0755), 0);
	path_in(p, sizeof(p), f->fw, "snom320-9.9.9.4-SIP-r.bin");
	TU_EQ("symlink", symlink("snom320-9.9.9.1-SIP-r.bin", p), 0);
	copy_prefix(f, "snom320-9.9.9.1-SIP-r.bin",
		    ".snom320-9.9.9.5-SIP-r.bin.part", 64 + 1000);
	f->opts.allow_filename = 1;
	scan(f);
	TU_EQ("n", f->scan->n, 1);
	TU_EQ("skipped", f->scan->skipped, 4);
	TU_EQ("dropped", f->scan->dropped, 0);
	expect_id(f, "snom320-9.9.9.1-SIP-r.bin", FW_SRC_HEADER, "320",
		  "9.9.9.1");
	TU_CHECK("fifo", !in_table(f, "snom320-9.9.9.2-SIP-r.bin"));
	TU_CHECK("dir", !in_table(f, "snom320-9.9.9.3-SIP-r.bin"));
	TU_CHECK("link", !in_table(f, "snom320-9.9.9.4-SIP-r.bin"));
	TU_CHECK("hidden", !in_table(f, ".snom320-9.9.9.5-SIP-r.bin.part"));

	/* The verified file replaced by a FIFO: refused, without blocking. */
	path_in(p, sizeof(p), f->fw, "snom320-9.9.9.1-SIP-r.bin");
	TU_EQ("unlink", unlink(p), 0);
	TU_EQ("mkfifo", mkfifo(p, 0644), 0);
	TU_EQ("verify", fwscan_verify_at(f->dfd,
		img_named(f, "snom320-9.9.9.1-SIP-r.bin")), FW_E_CHANGED);
}

/* Any change after the scan (content, time stamps, file swapped, file
 * gone) makes verify refuse until a rescan. */
static void test_changed(void **state)
{
	struct fx *f = *state;
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	char p[256];
	int fd;

	mkuimage(f, "a.bin", "-n", "snom320-8.7.3.25", NULL);
	mkuimage(f, "b.bin", "-n", "snom320-8.7.3.26", "-S", "2", NULL);
	scan(f);
	/* Time stamps only: the same bytes, still refused. */
	TU_EQ("utimens", utimensat(f->dfd, "a.bin", ts, 0), 0);
	TU_EQ("mtime", fwscan_verify_at(f->dfd, img_named(f, "a.bin")),
	      FW_E_CHANGED);
	scan(f);
	TU_EQ("rescanned", fwscan_verify_at(f->dfd, img_named(f, "a.bin")),
	      FW_OK);
	/* The fd of another file (say, swapped in before the open). */
	path_in(p, sizeof(p), f->fw, "b.bin");
	fd = open(p, O_RDONLY | O_CLOEXEC);
	TU_EQ("other fd", fwscan_verify_fd(fd, img_named(f, "a.bin")),
	      FW_E_CHANGED);
	TU_EQ("recorded", img_named(f, "a.bin")->check, FW_E_CHANGED);
	close(fd);
	/* Gone. */
	path_in(p, sizeof(p), f->fw, "b.bin");
	TU_EQ("unlink", unlink(p), 0);
	TU_EQ("gone", fwscan_verify_at(f->dfd, img_named(f, "b.bin")),
	      FW_E_CHANGED);
}

/* Selection: never another model, the right major, verifiable sources
 * before the unverified file name, pre-releases only on request. */
static void test_best(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *model;
		long major;
		int pre;
		const char *want; /* NULL: nothing */
	} t[] = {
		{ "320", 8, 0, "h-8.7.3.30.bin" },  /* 8.7.3.40 is unverified */
		{ "320", 8, 1, "h-8.7.5.1-beta.bin" },
		{ "320", -1, 0, "h-9.1.bin" },
		{ "320", 9, 0, "h-9.1.bin" },
		{ "320", 7, 0, NULL },
		{ "300", 8, 0, NULL },               /* 300 has only 10.0 */
		{ "300", 10, 0, "h300-10.0.bin" },
		{ "300", -1, 1, "h300-10.0.bin" },
		{ "D785", -1, 1, "m-d785.bin" },     /* listed as "d785" */
		{ "d785", -1, 1, "m-d785.bin" },
		{ "999", -1, 1, NULL },
		{ "not-a-model", -1, 1, NULL },
		{ "360", -1, 1, "snom360-8.7.3.40-SIP-r.bin" }, /* only one */
	};
	const char *listed[] = { "m-d785.bin", NULL };

	mkuimage(f, "h-8.7.3.25.bin", "-n", "snom320-8.7.3.25", NULL);
	mkuimage(f, "h-8.7.3.30.bin", "-n", "snom320-8.7.3.30", NULL);
	mkuimage(f, "h-9.1.bin", "-n", "snom320-9.1", NULL);
	mkuimage(f, "h300-10.0.bin", "-n", "snom300-10.0", NULL);
	mkuimage(f, "h-8.7.5.1-beta.bin", "-n", "snom320-8.7.5.1-beta", NULL);
	mkuimage(f, "snom320-8.7.3.40-SIP-r.bin", "-M", NULL);
	mkuimage(f, "snom360-8.7.3.40-SIP-r.bin", "-M", "-S", "5", NULL);
	mkuimage(f, "m-d785.bin", "-M", "-S", "6", NULL);
	manifest_from_sha256sum(f, "model d785 version 10.1.33.33\n", listed);
	f->opts.allow_filename = 1;
	scan(f);
	TU_EQ("n", f->scan->n, 8);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = fwscan_best(f->scan, t[i].model, t[i].major, t[i].pre);
		char label[64];

		snprintf(label, sizeof(label), "%s major %ld pre %d",
			 t[i].model, t[i].major, t[i].pre);
		if (t[i].want == NULL) {
			TU_EQ(label, got, -1);
			continue;
		}
		TU_CHECK(label, got >= 0);
		TU_STREQ(label, f->scan->img[got].name, t[i].want);
	}
	/* Equal versions: header before manifest, then the smaller name. */
	mkuimage(f, "m-dup.bin", "-n", "snom320-9.1", "-S", "9", NULL);
	scan(f);
	TU_STREQ("tie", f->scan->img[fwscan_best(f->scan, "320", 9, 0)].name,
		 "h-9.1.bin");
}

/* More entries than the table holds: the rest are counted, never taken;
 * the table is sorted by name. */
static void test_capacity(void **state)
{
	struct fx *f = *state;

	for (unsigned i = 0; i < FWSCAN_MAX + 3; i++) {
		char p[256], n[32];

		snprintf(n, sizeof(n), "f%03u.bin", i);
		path_in(p, sizeof(p), f->fw, n);
		write_path(p, "x", 1);
	}
	scan(f);
	TU_EQ("n", f->scan->n, FWSCAN_MAX);
	TU_EQ("dropped", f->scan->dropped, 3);
	for (unsigned i = 1; i < f->scan->n; i++)
		TU_CHECK("sorted", strcmp(f->scan->img[i - 1].name,
					  f->scan->img[i].name) < 0);
	for (unsigned i = 0; i < f->scan->n; i++)
		TU_EQ(f->scan->img[i].name, f->scan->img[i].check,
		      FW_E_UNIDENTIFIED);
}

/* Images larger than the 16 KiB streaming buffer, with the data range
 * ending in the middle of a buffer and trailing bytes after it. */
static void test_large(void **state)
{
	struct fx *f = *state;
	const char *listed[] = { "big.bin", NULL };
	char p[256];
	int fd;

	payload(f, "big", 3 * 16384 + 1234, 41);
	mkimage(f, "snom370-8.7.3.25", "big", "big.bin");
	path_in(p, sizeof(p), f->fw, "big.bin");
	fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	TU_EQ("append", write(fd, "trailer", 7), 7);
	close(fd);
	manifest_from_sha256sum(f, "model 370 version 8.7.3.25\n", listed);
	scan(f);
	expect_id(f, "big.bin", FW_SRC_HEADER, "370", "8.7.3.25");
	TU_EQ("verify", fwscan_verify_at(f->dfd, img_named(f, "big.bin")),
	      FW_OK);
	/* The trailer is outside the CRC but inside the digest. */
	flip_byte(f, "big.bin", 64 + 3 * 16384 + 1234 + 3);
	scan(f);
	TU_EQ("trailer", fwscan_verify_at(f->dfd, img_named(f, "big.bin")),
	      FW_E_BAD_DIGEST);
}

static void test_bad_dirfd(void **state)
{
	struct fx *f = *state;
	char p[256];
	int fd;

	path_in(p, sizeof(p), f->src, "plain");
	write_path(p, "x", 1);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	errno = 0;
	TU_EQ("file as dir", fwscan_dir(fd, &f->opts, f->scan), -1);
	TU_EQ("errno", errno, ENOTDIR);
	TU_EQ("empty", f->scan->n, 0);
	close(fd);
	TU_EQ("closed fd", fwscan_dir(-1, &f->opts, f->scan), -1);
}

/* Locate build/tools/mkuimage from build/tests/test_fwscan. */
static void find_builder(void)
{
	const char *env = getenv("FWTFTPD_MKUIMAGE");
	char self[PATH_MAX - 32]; /* leaves room for "/tools/mkuimage" */
	ssize_t n;
	char *slash;

	if (env != NULL) {
		snprintf(mkuimage_path, sizeof(mkuimage_path), "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "test_fwscan: cannot read /proc/self/exe\n");
		exit(1);
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash != NULL)
		*slash = '\0'; /* build/tests */
	slash = strrchr(self, '/');
	if (slash != NULL)
		*slash = '\0'; /* build */
	if ((size_t)snprintf(mkuimage_path, sizeof(mkuimage_path),
			     "%s/tools/mkuimage", self) >= sizeof(mkuimage_path)) {
		fprintf(stderr, "test_fwscan: path too long\n");
		exit(1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mkimage_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_magic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_hcrc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_dcrc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filename_fallback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_non_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_best, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_dirfd, setup, teardown),
	};

	/* Backstop: a scan that blocked (on a FIFO, say) ends the run. */
	alarm(120);
	find_builder();
	/* Missing tools are a failure, never a skip. */
	if (access(MKIMAGE, X_OK) != 0 || access(SHA256SUM, X_OK) != 0 ||
	    access(TIMEOUT, X_OK) != 0 || access(mkuimage_path, X_OK) != 0) {
		fprintf(stderr, "test_fwscan: need %s, %s, %s and %s "
				"(u-boot-tools, coreutils, make "
				"build/tools/mkuimage)\n",
			MKIMAGE, SHA256SUM, TIMEOUT, mkuimage_path);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
