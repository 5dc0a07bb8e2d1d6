/* fwscan.c - find and identify the images in the firmware directory, and
 * verify the one chosen by streaming it. Syscalls used: openat, fstatat,
 * fstat, pread, getdents (through readdir), close. Never writes, never
 * follows a symlink, never opens a FIFO/device/directory entry for reading
 * (fstatat decides before openat), reads at most 64 bytes per file while
 * scanning, and keeps no state outside the caller's structs. */
#include "fwscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A signal storm must not keep a read spinning forever. */
#define EINTR_MAX 64
/* Streaming buffer: bounded, on the stack, independent of image size. */
#define VERIFY_BUF 16384u

#define OPEN_FLAGS (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

void fwscan_key(const struct stat *st, struct fw_filekey *k)
{
	memset(k, 0, sizeof(*k));
	k->dev = (uint64_t)st->st_dev;
	k->ino = (uint64_t)st->st_ino;
	k->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	k->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	k->mtime_nsec = st->st_mtim.tv_nsec;
	k->ctime_sec = (int64_t)st->st_ctim.tv_sec;
	k->ctime_nsec = st->st_ctim.tv_nsec;
}

int fwscan_key_eq(const struct fw_filekey *a, const struct fw_filekey *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

/* pread until n bytes or end of file. Returns bytes read or -1. */
static ssize_t read_at(int fd, uint8_t *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	int intr = 0;

	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR && ++intr < EINTR_MAX)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static enum fw_check set(struct fw_image *img, enum fw_check c)
{
	img->check = c;
	if (c != FW_OK)
		img->checked = 0;
	return c;
}

enum fw_check fwscan_identify(int fd, const char *name,
			      const struct fwscan_opts *o, struct fw_image *img)
{
	const struct fw_manifest_entry *me = NULL;
	uint8_t hdr[FW_PROBE_READ];
	size_t nl = strlen(name);
	enum fw_check hc;
	struct stat st;
	ssize_t n;

	memset(img, 0, sizeof(*img));
	if (nl > FW_FILE_NAME_MAX)
		return set(img, FW_E_BAD_NAME);
	memcpy(img->name, name, nl + 1);
	if (fstat(fd, &st) != 0)
		return set(img, FW_E_IO);
	fwscan_key(&st, &img->key);
	if (!S_ISREG(st.st_mode))
		return set(img, FW_E_IO);
	n = read_at(fd, hdr, sizeof(hdr), 0);
	if (n < 0)
		return set(img, FW_E_IO);
	if (o != NULL && o->manifest != NULL)
		me = fw_manifest_find(o->manifest, name, nl);

	/* 1. The header probes. */
	hc = fw_header_probe(hdr, (size_t)n, img->key.size, &img->hdr, &img->id);
	if (hc == FW_OK) {
		/* Listed as well: the list must agree, and its digest is
		 * checked too when the file is verified. */
		if (me != NULL) {
			if (!fw_ident_same(&img->id, &me->id)) {
				memset(&img->id, 0, sizeof(img->id));
				return set(img, FW_E_CONFLICT);
			}
			img->has_digest = 1;
			memcpy(img->sha256, me->sha256, FW_SHA256_LEN);
		}
		return set(img, FW_OK);
	}
	/* A recognised but cut or damaged header: a broken image, which no
	 * weaker source may vouch for. */
	if (hc != FW_E_BAD_MAGIC && !img->hdr.intact)
		return set(img, hc);

	/* 2. The manifest, by exact file name; the digest decides later. */
	if (me != NULL) {
		img->id = me->id;
		img->has_digest = 1;
		memcpy(img->sha256, me->sha256, FW_SHA256_LEN);
		return set(img, FW_OK);
	}

	/* 3. The vendor's naming convention, only when the operator asked. */
	if (o != NULL && o->allow_filename &&
	    fw_filename_parse(name, nl, &img->id) == FW_OK)
		return set(img, FW_OK);

	memset(&img->id, 0, sizeof(img->id));
	return set(img, img->hdr.intact ? hc : FW_E_UNIDENTIFIED);
}

/* One pass over the file: SHA-256 of all of it (if listed), CRC32 of the
 * header's data range (if it has a header). A probe's data range lies
 * inside the file: the probe checked data_off + data_len <= size. */
static enum fw_check stream_check(int fd, const struct fw_image *img)
{
	uint8_t buf[VERIFY_BUF];
	uint8_t digest[FW_SHA256_LEN];
	struct sha256_ctx sha;
	int crc_wanted = img->hdr.intact;
	uint64_t dlo = crc_wanted ? img->hdr.data_off : 0;
	uint64_t dhi = crc_wanted ? dlo + img->hdr.data_len : 0;
	uint64_t off = img->has_digest ? 0 : dlo;
	uint64_t end = img->has_digest ? img->key.size : dhi;
	uint32_t crc = 0;

	sha256_init(&sha);
	while (off < end) {
		size_t want = end - off < sizeof(buf) ? (size_t)(end - off)
						       : sizeof(buf);
		ssize_t r = read_at(fd, buf, want, off);

		if (r < 0)
			return FW_E_IO;
		if ((size_t)r < want) /* shrank while we read it */
			return FW_E_CHANGED;
		if (img->has_digest)
			sha256_update(&sha, want, buf);
		if (crc_wanted && off < dhi && off + want > dlo) {
			uint64_t lo = off > dlo ? off : dlo;
			uint64_t hi = off + want < dhi ? off + want : dhi;

			crc = fw_crc32(crc, buf + (lo - off), (size_t)(hi - lo));
		}
		off += want;
	}
	if (crc_wanted && crc != img->hdr.data_crc)
		return FW_E_BAD_DCRC;
	if (img->has_digest) {
		sha256_digest(&sha, sizeof(digest), digest);
		if (memcmp(digest, img->sha256, sizeof(digest)) != 0)
			return FW_E_BAD_DIGEST;
	}
	return FW_OK;
}

enum fw_check fwscan_verify_fd(int fd, struct fw_image *img)
{
	struct fw_filekey k;
	struct stat st;
	enum fw_check c;

	if (img->check != FW_OK)
		return img->check;
	if (fstat(fd, &st) != 0)
		return set(img, FW_E_IO);
	fwscan_key(&st, &k);
	if (!S_ISREG(st.st_mode) || !fwscan_key_eq(&k, &img->key))
		return set(img, FW_E_CHANGED);
	c = stream_check(fd, img);
	if (c != FW_OK)
		return set(img, c);
	/* Rewritten in place during the pass: what we hashed may be a mix. */
	if (fstat(fd, &st) != 0)
		return set(img, FW_E_IO);
	fwscan_key(&st, &k);
	if (!fwscan_key_eq(&k, &img->key))
		return set(img, FW_E_CHANGED);
	img->checked = 1;
	return FW_OK;
}

enum fw_check fwscan_verify_at(int dirfd, struct fw_image *img)
{
	struct fw_filekey k;
	struct stat st;
	enum fw_check c;
	int fd;

	if (img->check != FW_OK)
		return img->check;
	if (fstatat(dirfd, img->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return set(img, errno == ENOENT ? FW_E_CHANGED : FW_E_IO);
	fwscan_key(&st, &k);
	if (!S_ISREG(st.st_mode) || !fwscan_key_eq(&k, &img->key))
		return set(img, FW_E_CHANGED);
	fd = openat(dirfd, img->name, OPEN_FLAGS);
	if (fd < 0)
		return set(img, FW_E_IO);
	c = fwscan_verify_fd(fd, img);
	close(fd);
	return c;
}

/* Insertion sort by name. Not qsort(): glibc's asks the kernel for the
 * memory size (sysinfo) on larger arrays, which the request-stage sandbox
 * does not admit. At most FWSCAN_MAX entries, done once per request. */
static void sort_by_name(struct fw_image *img, unsigned n)
{
	struct fw_image tmp;

	for (unsigned i = 1; i < n; i++) {
		unsigned j = i;

		if (strcmp(img[i - 1].name, img[i].name) <= 0)
			continue;
		tmp = img[i];
		while (j > 0 && strcmp(img[j - 1].name, tmp.name) > 0) {
			img[j] = img[j - 1];
			j--;
		}
		img[j] = tmp;
	}
}

int fwscan_dir(int dirfd, const struct fwscan_opts *o, struct fw_scan *s)
{
	struct dirent *de;
	DIR *dp;
	int d, saved;

	memset(s, 0, sizeof(*s));
	/* fdopendir owns its fd: give it a fresh one, keep the caller's. */
	d = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return -1;
	dp = fdopendir(d);
	if (dp == NULL) {
		saved = errno;
		close(d);
		errno = saved;
		return -1;
	}
	for (;;) {
		struct fw_image *img;
		struct stat st;
		const char *nm;
		int fd;

		errno = 0;
		de = readdir(dp);
		if (de == NULL)
			break;
		nm = de->d_name;
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
			continue;
		/* Hidden names are how rsync, curl and editors write files
		 * in progress: never take a half-written image. */
		if (nm[0] == '.' || strlen(nm) > FW_FILE_NAME_MAX) {
			s->skipped++;
			continue;
		}
		if (s->n == FWSCAN_MAX) {
			s->dropped++;
			continue;
		}
		/* Decide from the entry itself before opening: opening a
		 * device can have side effects, a FIFO can block. */
		if (fstatat(dirfd, nm, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode)) {
			s->skipped++;
			continue;
		}
		img = &s->img[s->n++];
		fd = openat(dirfd, nm, OPEN_FLAGS);
		if (fd < 0) {
			/* Kept, so the log can say why it is never served. */
			memset(img, 0, sizeof(*img));
			memcpy(img->name, nm, strlen(nm) + 1);
			fwscan_key(&st, &img->key);
			set(img, FW_E_IO);
			continue;
		}
		fwscan_identify(fd, nm, o, img);
		close(fd);
		/* Replaced between fstatat and openat. */
		if (img->key.dev != (uint64_t)st.st_dev ||
		    img->key.ino != (uint64_t)st.st_ino)
			set(img, FW_E_CHANGED);
	}
	saved = errno;
	closedir(dp);
	if (saved != 0) {
		memset(s, 0, sizeof(*s));
		errno = saved;
		return -1;
	}
	sort_by_name(s->img, s->n);
	return 0;
}

static int source_trust(enum fw_source src)
{
	return src == FW_SRC_FILENAME ? 0 : 1;
}

static int source_rank(enum fw_source src)
{
	return src == FW_SRC_HEADER ? 2 : src == FW_SRC_MANIFEST ? 1 : 0;
}

/* > 0 when a is the better choice. */
static int better(const struct fw_image *a, const struct fw_image *b)
{
	int c;

	if (source_trust(a->id.source) != source_trust(b->id.source))
		return source_trust(a->id.source) - source_trust(b->id.source);
	c = fw_version_cmp(&a->id.version, &b->id.version);
	if (c != 0)
		return c;
	if (source_rank(a->id.source) != source_rank(b->id.source))
		return source_rank(a->id.source) - source_rank(b->id.source);
	return -strcmp(a->name, b->name);
}

int fwscan_best(const struct fw_scan *s, const char *model, long major,
		int allow_pre)
{
	char want[FW_MODEL_LEN + 1];
	int best = -1;

	if (model == NULL || fw_model_parse(model, strlen(model), want) != 0)
		return -1;
	for (unsigned i = 0; i < s->n && i < FWSCAN_MAX; i++) {
		const struct fw_image *img = &s->img[i];

		if (img->check != FW_OK || img->id.source == FW_SRC_NONE ||
		    strcmp(img->id.model, want) != 0)
			continue;
		if (major >= 0 &&
		    (long)fw_version_major(&img->id.version) != major)
			continue;
		if (!allow_pre && img->id.version.pre != FW_PRE_NONE)
			continue;
		if (best < 0 || better(img, &s->img[best]) > 0)
			best = (int)i;
	}
	return best;
}
