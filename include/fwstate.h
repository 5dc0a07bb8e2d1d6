/* fwstate.h - the state directory: a cache of verified images (so a data
 * CRC or digest is checked once per change of a file, not per request) and
 * per-client records for retry rotation. Both are fixed-size files of
 * fixed-size records, opened before the privilege drop and then used only
 * through those descriptors, under flock(2), so several handler processes
 * can update them at once. */
#ifndef FWTFTPD_FWSTATE_H
#define FWTFTPD_FWSTATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define FWS_CLIENT_SLOTS 1024u
#define FWS_INDEX_SLOTS 1024u
#define FWS_PROBE 16u            /* slots tried from the hash position */
#define FWS_MODEL_LEN 8u

struct fwstate {
	int clients_fd;          /* -1 when unavailable */
	int index_fd;
};

/* Largest file the state may grow to: the RLIMIT_FSIZE a sandboxed
 * process keeps when state is in use. */
uint64_t fws_max_file_size(void);

/* Before the drop: create dir (0700) if missing, open or create
 * "clients.db" and "verified.idx" (0600, no symlinks followed) and size
 * them. On failure *st is left unavailable and err says why. Returns 0/-1. */
int fws_open(const char *dir, struct fwstate *st, char *err, size_t errsz);

void fws_close(struct fwstate *st);

/* A client's key: its MAC when known, else its address. */
struct fws_key {
	uint8_t b[17];
};

void fws_key_make(struct fws_key *k, const struct sockaddr *sa, socklen_t salen,
		  const uint8_t *mac);

struct fws_client {
	char model[FWS_MODEL_LEN + 1];
	uint32_t major;
	int64_t t_done;          /* wall-clock seconds of the last completed transfer */
};

/* Read the client's record. Returns 1 found, 0 not found, -1 error. */
int fws_client_get(const struct fwstate *st, const struct fws_key *k,
		   struct fws_client *out);

/* Write the client's record (one pwrite under an exclusive lock; when its
 * probe run is full, the oldest record there is replaced). Returns 0/-1. */
int fws_client_put(const struct fwstate *st, const struct fws_key *k,
		   const struct fws_client *in);

/* The verified-image cache, keyed by device and inode and valid only while
 * size, mtime and ctime are unchanged. */
struct fws_verified {
	uint8_t check;           /* enum fw_check of the full data check */
	uint8_t source;          /* enum fw_source that was verified */
};

/* Look up st's file. Returns 1 with *out set, 0 when not cached or stale,
 * -1 on error. */
int fws_index_get(const struct fwstate *st, const struct stat *fst,
		  struct fws_verified *out);

int fws_index_put(const struct fwstate *st, const struct stat *fst,
		  const struct fws_verified *in);

#endif
