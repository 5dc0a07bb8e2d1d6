/* fwstate.c - the two state files. Opening happens before the privilege
 * drop; afterwards only pread/pwrite/flock on the open descriptors, which
 * the sandbox admits for exactly these two descriptors. Records are written
 * with one pwrite each, under flock, so a crash never leaves half a record
 * and concurrent handlers never interleave. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fwstate.h"

#define MAGIC_CLIENT 0x66774331u /* "fwC1" */
#define MAGIC_INDEX 0x66774931u  /* "fwI1" */

struct client_rec {
	uint32_t magic;
	uint8_t key[17];
	char model[FWS_MODEL_LEN + 1];
	uint8_t pad[2];
	uint32_t major;
	int64_t t_done;
	uint8_t spare[16];
};

struct index_rec {
	uint32_t magic;
	uint8_t check, source, pad[2];
	uint64_t dev, ino, size;
	int64_t mtime_s, ctime_s;
	int64_t mtime_ns, ctime_ns;
};

_Static_assert(sizeof(struct client_rec) == 64, "client record is 64 bytes");
_Static_assert(sizeof(struct index_rec) == 64, "index record is 64 bytes");

#define CLIENTS_SIZE ((uint64_t)FWS_CLIENT_SLOTS * sizeof(struct client_rec))
#define INDEX_SIZE ((uint64_t)FWS_INDEX_SLOTS * sizeof(struct index_rec))

uint64_t fws_max_file_size(void)
{
	return CLIENTS_SIZE > INDEX_SIZE ? CLIENTS_SIZE : INDEX_SIZE;
}

static int open_sized(int dfd, const char *name, uint64_t size)
{
	struct stat s;
	int fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	/* Ours alone: a regular file we own with one link. A hard link
	 * planted here must never be truncated or written through. */
	if (fstat(fd, &s) != 0 || !S_ISREG(s.st_mode) || s.st_uid != geteuid() ||
	    s.st_nlink != 1 || (s.st_mode & 077) != 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	if ((uint64_t)s.st_size != size && ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int fws_open(const char *dir, struct fwstate *st, char *err, size_t errsz)
{
	int dfd;

	st->clients_fd = st->index_fd = -1;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "state dir %s: %s", dir, strerror(errno));
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errsz, "state dir %s: %s", dir, strerror(errno));
		return -1;
	}
	struct stat ds;

	/* Nobody else may write there, or they could plant files for us. */
	if (fstat(dfd, &ds) != 0 || ds.st_uid != geteuid() || (ds.st_mode & 022) != 0) {
		snprintf(err, errsz, "state dir %s: must be owned by uid %u and not writable by "
			 "group or others", dir, (unsigned)geteuid());
		close(dfd);
		return -1;
	}
	st->clients_fd = open_sized(dfd, "clients.db", CLIENTS_SIZE);
	st->index_fd = open_sized(dfd, "verified.idx", INDEX_SIZE);
	close(dfd);
	if (st->clients_fd < 0 || st->index_fd < 0) {
		snprintf(err, errsz, "state files in %s: %s (each must be a 0600 file owned by "
			 "uid %u with one link)", dir, strerror(errno), (unsigned)geteuid());
		fws_close(st);
		return -1;
	}
	return 0;
}

void fws_close(struct fwstate *st)
{
	if (st->clients_fd >= 0)
		close(st->clients_fd);
	if (st->index_fd >= 0)
		close(st->index_fd);
	st->clients_fd = st->index_fd = -1;
}

void fws_key_make(struct fws_key *k, const struct sockaddr *sa, socklen_t salen,
		  const uint8_t *mac)
{
	memset(k, 0, sizeof(*k));
	if (mac != NULL) {
		k->b[0] = 0xff;
		memcpy(k->b + 1, mac, 6);
	} else if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(struct sockaddr_in)) {
		k->b[0] = 4;
		memcpy(k->b + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) { /* the same client as over IPv4 */
			k->b[0] = 4;
			memcpy(k->b + 1, &a->s6_addr[12], 4);
		} else {
			k->b[0] = 6;
			memcpy(k->b + 1, a, 16);
		}
	}
}

/* FNV-1a: spreads keys over the slots; not a security boundary (a
 * client can only evict records in its own probe run). */
static uint32_t hash(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static int lock(int fd, int how)
{
	int r;

	do
		r = flock(fd, how);
	while (r != 0 && errno == EINTR);
	return r;
}

static int read_run(int fd, void *recs, size_t recsz, unsigned slots, unsigned first)
{
	/* The probe run may wrap: read it in up to two pieces. */
	unsigned n1 = slots - first < FWS_PROBE ? slots - first : FWS_PROBE;

	if (pread(fd, recs, n1 * recsz, (off_t)first * (off_t)recsz) != (ssize_t)(n1 * recsz))
		return -1;
	if (n1 < FWS_PROBE &&
	    pread(fd, (char *)recs + n1 * recsz, (FWS_PROBE - n1) * recsz, 0) !=
		    (ssize_t)((FWS_PROBE - n1) * recsz))
		return -1;
	return 0;
}

int fws_client_get(const struct fwstate *st, const struct fws_key *k,
		   struct fws_client *out)
{
	struct client_rec r[FWS_PROBE];
	unsigned first = hash(k->b, sizeof(k->b)) % FWS_CLIENT_SLOTS;
	int rc = 0;

	if (st->clients_fd < 0 || lock(st->clients_fd, LOCK_SH) != 0)
		return -1;
	if (read_run(st->clients_fd, r, sizeof(r[0]), FWS_CLIENT_SLOTS, first) != 0)
		rc = -1;
	for (unsigned i = 0; rc == 0 && i < FWS_PROBE; i++) {
		if (r[i].magic == MAGIC_CLIENT && memcmp(r[i].key, k->b, sizeof(k->b)) == 0) {
			memcpy(out->model, r[i].model, sizeof(out->model));
			out->model[FWS_MODEL_LEN] = '\0';
			out->major = r[i].major;
			out->t_done = r[i].t_done;
			rc = 1;
		}
	}
	lock(st->clients_fd, LOCK_UN);
	return rc;
}

int fws_client_put(const struct fwstate *st, const struct fws_key *k,
		   const struct fws_client *in)
{
	struct client_rec r[FWS_PROBE], rec;
	unsigned first = hash(k->b, sizeof(k->b)) % FWS_CLIENT_SLOTS, pick = FWS_PROBE;
	int rc = 0;

	if (st->clients_fd < 0 || lock(st->clients_fd, LOCK_EX) != 0)
		return -1;
	if (read_run(st->clients_fd, r, sizeof(r[0]), FWS_CLIENT_SLOTS, first) != 0)
		rc = -1;
	/* Our own record, else a free slot, else the oldest one. */
	for (unsigned i = 0; rc == 0 && i < FWS_PROBE && pick == FWS_PROBE; i++)
		if (r[i].magic == MAGIC_CLIENT && memcmp(r[i].key, k->b, sizeof(k->b)) == 0)
			pick = i;
	for (unsigned i = 0; rc == 0 && i < FWS_PROBE && pick == FWS_PROBE; i++)
		if (r[i].magic != MAGIC_CLIENT)
			pick = i;
	if (rc == 0 && pick == FWS_PROBE) {
		pick = 0;
		for (unsigned i = 1; i < FWS_PROBE; i++)
			if (r[i].t_done < r[pick].t_done)
				pick = i;
	}
	if (rc == 0) {
		memset(&rec, 0, sizeof(rec));
		rec.magic = MAGIC_CLIENT;
		memcpy(rec.key, k->b, sizeof(rec.key));
		snprintf(rec.model, sizeof(rec.model), "%s", in->model);
		rec.major = in->major;
		rec.t_done = in->t_done;
		off_t off = (off_t)((first + pick) % FWS_CLIENT_SLOTS) * (off_t)sizeof(rec);

		if (pwrite(st->clients_fd, &rec, sizeof(rec), off) != (ssize_t)sizeof(rec))
			rc = -1;
	}
	lock(st->clients_fd, LOCK_UN);
	return rc;
}

static int same_file(const struct index_rec *r, const struct stat *s)
{
	return r->magic == MAGIC_INDEX && r->dev == (uint64_t)s->st_dev &&
	       r->ino == (uint64_t)s->st_ino && r->size == (uint64_t)s->st_size &&
	       r->mtime_s == (int64_t)s->st_mtim.tv_sec && r->mtime_ns == s->st_mtim.tv_nsec &&
	       r->ctime_s == (int64_t)s->st_ctim.tv_sec && r->ctime_ns == s->st_ctim.tv_nsec;
}

static unsigned index_slot(const struct stat *s)
{
	uint64_t key[2] = { (uint64_t)s->st_dev, (uint64_t)s->st_ino };

	return hash(key, sizeof(key)) % FWS_INDEX_SLOTS;
}

int fws_index_get(const struct fwstate *st, const struct stat *fst,
		  struct fws_verified *out)
{
	struct index_rec r[FWS_PROBE];
	int rc = 0;

	if (st->index_fd < 0 || lock(st->index_fd, LOCK_SH) != 0)
		return -1;
	if (read_run(st->index_fd, r, sizeof(r[0]), FWS_INDEX_SLOTS, index_slot(fst)) != 0)
		rc = -1;
	for (unsigned i = 0; rc == 0 && i < FWS_PROBE; i++) {
		if (same_file(&r[i], fst)) {
			out->check = r[i].check;
			out->source = r[i].source;
			rc = 1;
		}
	}
	lock(st->index_fd, LOCK_UN);
	return rc;
}

int fws_index_put(const struct fwstate *st, const struct stat *fst,
		  const struct fws_verified *in)
{
	struct index_rec r[FWS_PROBE], rec;
	unsigned first = index_slot(fst), pick = FWS_PROBE;
	int rc = 0;

	if (st->index_fd < 0 || lock(st->index_fd, LOCK_EX) != 0)
		return -1;
	if (read_run(st->index_fd, r, sizeof(r[0]), FWS_INDEX_SLOTS, first) != 0)
		rc = -1;
	/* The same inode (maybe stale), else a free slot, else the first. */
	for (unsigned i = 0; rc == 0 && i < FWS_PROBE && pick == FWS_PROBE; i++)
		if (r[i].magic == MAGIC_INDEX && r[i].dev == (uint64_t)fst->st_dev &&
		    r[i].ino == (uint64_t)fst->st_ino)
			pick = i;
	for (unsigned i = 0; rc == 0 && i < FWS_PROBE && pick == FWS_PROBE; i++)
		if (r[i].magic != MAGIC_INDEX)
			pick = i;
	if (pick == FWS_PROBE)
		pick = 0;
	if (rc == 0) {
		memset(&rec, 0, sizeof(rec));
		rec.magic = MAGIC_INDEX;
		rec.check = in->check;
		rec.source = in->source;
		rec.dev = (uint64_t)fst->st_dev;
		rec.ino = (uint64_t)fst->st_ino;
		rec.size = (uint64_t)fst->st_size;
		rec.mtime_s = (int64_t)fst->st_mtim.tv_sec;
		rec.mtime_ns = fst->st_mtim.tv_nsec;
		rec.ctime_s = (int64_t)fst->st_ctim.tv_sec;
		rec.ctime_ns = fst->st_ctim.tv_nsec;
		off_t off = (off_t)((first + pick) % FWS_INDEX_SLOTS) * (off_t)sizeof(rec);

		if (pwrite(st->index_fd, &rec, sizeof(rec), off) != (ssize_t)sizeof(rec))
			rc = -1;
	}
	lock(st->index_fd, LOCK_UN);
	return rc;
}
