/* fwscan.h - the I/O half of firmware identity: list the regular files of
 * the firmware directory, identify each from its first 64 bytes (or the
 * manifest, or its name), and verify a chosen file's data CRC32 / SHA-256
 * by streaming it through a bounded buffer. Never writes, never follows a
 * symlink, never opens anything but a regular file, keeps no global state:
 * the table lives in a caller-owned struct fw_scan. */
#ifndef FWTFTPD_FWSCAN_H
#define FWTFTPD_FWSCAN_H

#include <stdint.h>
#include <sys/stat.h>

#include "firmware.h"

#define FWSCAN_MAX 256u /* images kept per scan */

/* What the file was when it was scanned: the key of a verified-once cache.
 * ctime is kept beside mtime because the owner can set mtime back
 * (touch -d) but nobody can set ctime. */
struct fw_filekey {
	uint64_t dev, ino, size;
	int64_t mtime_sec, ctime_sec;
	long mtime_nsec, ctime_nsec;
};

struct fw_image {
	char name[FW_FILE_NAME_MAX + 1]; /* entry in the firmware directory */
	struct fw_filekey key;
	enum fw_check check;  /* FW_OK: identified and not (yet) found bad */
	struct fw_ident id;   /* meaningful when check == FW_OK */
	struct fw_hdr hdr;    /* hdr.intact: a header passed its own checks
				 (its data CRC is checked by verify) */
	int has_digest;       /* listed in the manifest: sha256 is expected */
	uint8_t sha256[FW_SHA256_LEN];
	int checked;          /* fwscan_verify_* passed for the file at key */
};

/* About 150 KiB: allocate once (static storage or heap), not per request. */
struct fw_scan {
	unsigned n;       /* entries in img[], sorted by name */
	unsigned skipped; /* not a regular file (directory, FIFO, symlink,
			     device), or a hidden ".name" */
	unsigned dropped; /* names not examined because img[] was full: the
			     caller should log this as a configuration error */
	struct fw_image img[FWSCAN_MAX];
};

struct fwscan_opts {
	const struct fw_manifest *manifest; /* NULL: no manifest */
	int allow_filename; /* use the unverified vendor file-name convention */
};

/* Scan the directory dirfd (not consumed, position not used). Reads only
 * the first 64 bytes of each regular file. Returns 0, or -1 with errno set
 * when the directory itself cannot be read (s is then empty). */
int fwscan_dir(int dirfd, const struct fwscan_opts *o, struct fw_scan *s);

/* Identify one open regular file called name: fills *img (key from fstat,
 * header, identity) and returns img->check. The order is the header probes
 * (fw_header_probe on the first FW_PROBE_READ bytes), the manifest, the
 * file name. A file a probe recognised but found cut or damaged is never
 * identified by a later source. */
enum fw_check fwscan_identify(int fd, const char *name,
			      const struct fwscan_opts *o, struct fw_image *img);

/* Verify an identified image through fd, which must be the same file
 * (dev/ino/size/mtime/ctime as scanned): the header's data CRC32 and, if
 * the manifest lists it, the SHA-256 of the whole file, in one streaming
 * pass. Verify the very fd that will be served, so a file swapped in
 * between cannot slip through. Sets img->check on failure and
 * img->checked on success; returns img->check. */
enum fw_check fwscan_verify_fd(int fd, struct fw_image *img);

/* The same, opening img->name beneath dirfd (regular files only). */
enum fw_check fwscan_verify_at(int dirfd, struct fw_image *img);

/* Fill a key from a stat; compare two keys (1: same file, same content
 * as far as the kernel tells). */
void fwscan_key(const struct stat *st, struct fw_filekey *k);
int fwscan_key_eq(const struct fw_filekey *a, const struct fw_filekey *b);

/* The best image for a model (any case, as fw_model_parse): check ==
 * FW_OK, same model, same major if major >= 0, pre-releases only if
 * allow_pre. Order: verifiable sources (header, manifest) before the
 * unverified file name, then highest version, then header before
 * manifest, then the smaller name. Returns the index in s->img, or -1.
 * Pure. After a failed verify, call it again: the failed image is out. */
int fwscan_best(const struct fw_scan *s, const char *model, long major,
		int allow_pre);

#endif
