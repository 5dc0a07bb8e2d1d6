/* firmware.h - who an image is: U-Boot legacy header, image-name and version
 * grammar, version order, the SHA-256 manifest, the vendor file-name
 * convention. Pure: no syscalls, no allocation, no globals. Every parser
 * takes a length and never reads past it. File access lives in fwscan.c. */
#ifndef FWTFTPD_FIRMWARE_H
#define FWTFTPD_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

/* U-Boot legacy image header (include/image.h in U-Boot; all big-endian). */
#define FW_UIMAGE_HDR_LEN 64u
#define FW_UIMAGE_MAGIC 0x27051956u
#define FW_UIMAGE_NAME_LEN 32u

#define FW_MODEL_LEN 8u        /* model: 1..8 letters/digits, e.g. 320, D785 */
#define FW_VER_PARTS 8u        /* at most 8 dot-separated numbers */
#define FW_VER_DIGITS 9u       /* each at most 9 digits: fits uint32_t */
#define FW_VERSION_TEXT 96u    /* canonical text incl. "-beta123456789" + NUL */
#define FW_FILE_NAME_MAX 255u  /* one directory entry (Linux NAME_MAX) */
#define FW_SHA256_LEN 32u
#define FW_MANIFEST_MAX 256u   /* entries in one manifest */
#define FW_MANIFEST_LINE_MAX 1024u

/* Which source decided the identity, in the order they are tried. */
enum fw_source {
	FW_SRC_NONE = 0,
	FW_SRC_HEADER,   /* embedded image header, header CRC checked */
	FW_SRC_MANIFEST, /* listed in the SHA-256 manifest by file name */
	FW_SRC_FILENAME, /* vendor file-name convention: unverified */
};

/* Result of a check. FW_OK is the only value under which an image may be
 * served; every other value means "never serve this file". */
enum fw_check {
	FW_OK = 0,
	FW_E_TRUNCATED,    /* shorter than the header, or than 64 + data size */
	FW_E_BAD_MAGIC,    /* first bytes are not the U-Boot magic */
	FW_E_BAD_HCRC,     /* header CRC32 mismatch */
	FW_E_BAD_DCRC,     /* data CRC32 mismatch */
	FW_E_BAD_NAME,     /* name is not snom<model>-<version>... */
	FW_E_NO_VERSION,   /* snom<model> with no version after it */
	FW_E_BAD_VERSION,  /* malformed version (empty part, too long, ...) */
	FW_E_NAME_CUT,     /* 32-byte name field without NUL ends inside the
			      version: it may have been cut by mkimage */
	FW_E_BAD_DIGEST,   /* SHA-256 differs from the manifest */
	FW_E_UNIDENTIFIED, /* no header, not in the manifest, no usable name */
	FW_E_CONFLICT,     /* header and manifest disagree on model/version */
	FW_E_CHANGED,      /* file changed since it was scanned: rescan */
	FW_E_IO,           /* a read or stat failed */
};

enum fw_pre {
	FW_PRE_NONE = 0, /* a release: sorts above any pre-release */
	FW_PRE_ALPHA,
	FW_PRE_BETA,
	FW_PRE_RC,
};

struct fw_version {
	uint32_t part[FW_VER_PARTS];
	unsigned nparts;           /* 1..FW_VER_PARTS */
	enum fw_pre pre;
	uint32_t pre_num;          /* "rc2" -> 2; 0 when absent */
	char text[FW_VERSION_TEXT];/* canonical: "8.7.5.17-beta2" */
};

struct fw_ident {
	enum fw_source source;
	char model[FW_MODEL_LEN + 1]; /* letters upper-cased: "320", "D785" */
	struct fw_version version;
};

/* The decoded 64-byte header. */
struct fw_uimage {
	uint32_t hcrc, time, size, load, ep, dcrc;
	uint8_t os, arch, type, comp;
	char name[FW_UIMAGE_NAME_LEN + 1]; /* bytes before the first NUL, + NUL */
	size_t name_len;
	int name_full;  /* all 32 bytes used, no NUL: the name may be cut */
};

/* CRC-32 as in zlib/IEEE 802.3 (reflected poly 0xEDB88320). Start with
 * crc = 0 and feed the result back in to continue over several buffers. */
uint32_t fw_crc32(uint32_t crc, const void *buf, size_t len);

/* Decode the header in the first len bytes of buf and check length, magic
 * and header CRC. The magic is compared before the length, so a file
 * shorter than 64 bytes that starts like the magic (or is empty) is
 * FW_E_TRUNCATED and anything else FW_E_BAD_MAGIC. Data is not checked. */
enum fw_check fw_uimage_parse(const uint8_t *buf, size_t len,
			      struct fw_uimage *out);

/* FW_OK if an image of file_size bytes holds the whole data the header
 * announces (64 + size; more is allowed and not covered by the CRC). */
enum fw_check fw_uimage_check_size(const struct fw_uimage *h,
				   uint64_t file_size);

/* Identity from the header's name field (fw_name_parse with the header's
 * name_full flag). out->source = FW_SRC_HEADER on FW_OK. */
enum fw_check fw_uimage_ident(const struct fw_uimage *h, struct fw_ident *out);

/* Whole check of an image held in memory: header, size, data CRC, name.
 * For tests and fuzzers; the server streams through fwscan instead. h and id
 * may be NULL. */
enum fw_check fw_uimage_check(const uint8_t *img, size_t len,
			      struct fw_uimage *h, struct fw_ident *id);

/* ---- header probes ------------------------------------------------------- */

/* Bytes a scan reads from the start of each file: the largest probe need. */
#define FW_PROBE_READ 64u

/* What a header probe learnt about an image, independent of its format. */
struct fw_hdr {
	const char *format; /* probe that recognised the file, NULL if none */
	int intact;         /* magic, header CRC and length all good */
	uint64_t data_off;  /* data_len bytes at data_off must have */
	uint64_t data_len;  /* the CRC-32 data_crc */
	uint32_t data_crc;
	union {
		struct fw_uimage uimage; /* format "uimage" */
	} f;
};

/* One vendor header format = one entry. probe returns FW_E_BAD_MAGIC when
 * the bytes are not in its format (the next entry is tried); any other
 * result is final for the file. It must check len itself. */
struct fw_probe {
	const char *format;
	size_t need; /* header bytes it reads from offset 0, <= FW_PROBE_READ */
	enum fw_check (*probe)(const uint8_t *buf, size_t len,
			       uint64_t file_size, struct fw_hdr *out,
			       struct fw_ident *id);
};

/* The probe table, in the order it is tried; *n gets its length. */
const struct fw_probe *fw_probe_table(size_t *n);

/* Run the probes on the first len bytes of a file of file_size bytes.
 *   FW_OK           intact header with an identity (id->source HEADER)
 *   FW_E_BAD_MAGIC  no probe recognised it: the file has no header
 *   name errors (FW_E_NO_VERSION, FW_E_BAD_NAME, FW_E_BAD_VERSION,
 *   FW_E_NAME_CUT) with out->intact set: a good header without identity
 *   anything else   (out->intact == 0) a broken image, never to be served.
 * An empty file is FW_E_TRUNCATED. The data CRC is not checked here. */
enum fw_check fw_header_probe(const uint8_t *buf, size_t len,
			      uint64_t file_size, struct fw_hdr *out,
			      struct fw_ident *id);

/* Parse an image name "snom<model>-<version>[-<pre>][-<anything>]" of len
 * bytes (a NUL ends it early). maybe_cut: the name filled a fixed field, so
 * a version running to its end is refused as FW_E_NAME_CUT. On FW_OK, out
 * holds model and version (source is left FW_SRC_NONE for the caller). */
enum fw_check fw_name_parse(const char *s, size_t len, int maybe_cut,
			    struct fw_ident *out);

/* The vendor file-name convention "snom<model>-<version>[-<pre>]-SIP-<x>.bin"
 * (x: 1..16 letters/digits; "snom", "SIP", ".bin" in any case). On FW_OK
 * out->source = FW_SRC_FILENAME. */
enum fw_check fw_filename_parse(const char *s, size_t len,
				struct fw_ident *out);

/* A whole string that is only a version ("8.7.3.25", "8.7.5.17-beta"). */
enum fw_check fw_version_parse(const char *s, size_t len,
			       struct fw_version *out);

/* A whole string that is only a model; out gets it with letters
 * upper-cased. Returns 0, or -1 if it is not 1..8 letters/digits with at
 * least one digit. */
int fw_model_parse(const char *s, size_t len, char out[FW_MODEL_LEN + 1]);

/* Numeric order: parts compared as numbers left to right; a version that
 * is a prefix of the other is lower (8.7 < 8.7.0); then release > rc > beta >
 * alpha, then the pre-release number. Returns <0, 0 or >0. */
int fw_version_cmp(const struct fw_version *a, const struct fw_version *b);

/* The major version (first number), as the snom boot loader checks it. */
uint32_t fw_version_major(const struct fw_version *v);

/* Same model and same version. */
int fw_ident_same(const struct fw_ident *a, const struct fw_ident *b);

/* ---- manifest ---------------------------------------------------------- */

struct fw_manifest_entry {
	uint8_t sha256[FW_SHA256_LEN];
	char name[FW_FILE_NAME_MAX + 1]; /* file name in the firmware directory */
	struct fw_ident id;              /* source = FW_SRC_MANIFEST */
	unsigned line;                   /* where it was listed, for logs */
};

/* About 150 KiB: allocate once, not on a small stack. */
struct fw_manifest {
	unsigned n;
	struct fw_manifest_entry e[FW_MANIFEST_MAX];
};

struct fw_manifest_error {
	unsigned line; /* 1-based line of the first error, 0 if none */
	const char *msg;/* fixed text, never NULL after a failed parse */
};

/* Parse a manifest from len bytes (need not be NUL-terminated). Format (see
 * the README / firmware-design.md):
 *   # comment                        blank lines are ignored
 *   model 320 version 8.7.3.25       starts a group (keys in any order;
 *   version 8.7.3.25                 without model, each name gives it)
 *   <64 hex>  <file name>            sha256sum output, text or '*' binary
 *   SHA256 (<file name>) = <64 hex>  sha256sum --tag output
 * Stops at the first error: returns -1 with err set (the caller should then
 * reject the whole manifest), else 0. m->n counts the entries. */
int fw_manifest_parse(const char *buf, size_t len, struct fw_manifest *m,
		      struct fw_manifest_error *err);

/* The entry listing this exact file name, or NULL. */
const struct fw_manifest_entry *fw_manifest_find(const struct fw_manifest *m,
						 const char *name, size_t len);

/* Fixed short texts for logs ("header", "bad-hcrc", ...); never NULL. */
const char *fw_source_str(enum fw_source s);
const char *fw_check_str(enum fw_check c);

#endif
