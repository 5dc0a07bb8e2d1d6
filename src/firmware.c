/* firmware.c - what a firmware image is, from its own bytes or from a
 * listed digest: U-Boot legacy header, the snom name and version grammar,
 * version order, the SHA-256 manifest, the vendor file-name convention.
 * Pure: no syscalls, no allocation, no globals. Every parser checks the
 * length before it reads and never reads past it. Nothing here opens a file
 * or decides what to serve: fwscan.c and the caller do that. */
#include "firmware.h"

#include <stdio.h>
#include <string.h>

uint32_t fw_crc32(uint32_t crc, const void *buf, size_t len)
{
	/* Half-byte table: entry i is i run through four rounds of the
	 * reflected polynomial 0xEDB88320. 16 constants instead of 256 at
	 * about half the speed of a byte table, plenty for an image that is
	 * checked once per change of the file. */
	static const uint32_t t[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
		0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const uint8_t *p = buf;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ t[crc & 15u];
		crc = (crc >> 4) ^ t[crc & 15u];
	}
	return ~crc;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_alnum(char c) { return is_digit(c) || is_alpha(c); }
static char to_lower(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }
static char to_upper(char c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; }

/* Case-insensitive compare of n bytes against a lowercase word. */
static int eq_nocase(const char *s, const char *word, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (to_lower(s[i]) != word[i])
			return 0;
	return 1;
}

/* ---- U-Boot legacy header ------------------------------------------------ */

enum fw_check fw_uimage_parse(const uint8_t *buf, size_t len,
			      struct fw_uimage *out)
{
	static const uint8_t magic[4] = { 0x27, 0x05, 0x19, 0x56 };
	uint8_t tmp[FW_UIMAGE_HDR_LEN];
	size_t m = len < 4 ? len : 4;
	const uint8_t *nul;

	memset(out, 0, sizeof(*out));
	/* Magic before length: a short file that starts like a header is a
	 * cut image (never served), anything else simply has no header. */
	if (m > 0 && memcmp(buf, magic, m) != 0)
		return FW_E_BAD_MAGIC;
	if (len < FW_UIMAGE_HDR_LEN)
		return FW_E_TRUNCATED;

	out->hcrc = be32(buf + 4);
	out->time = be32(buf + 8);
	out->size = be32(buf + 12);
	out->load = be32(buf + 16);
	out->ep = be32(buf + 20);
	out->dcrc = be32(buf + 24);
	out->os = buf[28];
	out->arch = buf[29];
	out->type = buf[30];
	out->comp = buf[31];
	/* The name is the last field; mkimage strncpy()s it, so a 32-byte
	 * name has no NUL. Only the field's own 32 bytes are looked at. */
	nul = memchr(buf + 32, 0, FW_UIMAGE_NAME_LEN);
	out->name_len = nul ? (size_t)(nul - (buf + 32)) : FW_UIMAGE_NAME_LEN;
	out->name_full = nul == NULL;
	memcpy(out->name, buf + 32, out->name_len);
	out->name[out->name_len] = '\0';

	memcpy(tmp, buf, sizeof(tmp));
	memset(tmp + 4, 0, 4); /* the CRC was computed with its own field 0 */
	if (fw_crc32(0, tmp, sizeof(tmp)) != out->hcrc)
		return FW_E_BAD_HCRC;
	return FW_OK;
}

enum fw_check fw_uimage_check_size(const struct fw_uimage *h,
				   uint64_t file_size)
{
	if (file_size < FW_UIMAGE_HDR_LEN ||
	    file_size - FW_UIMAGE_HDR_LEN < h->size)
		return FW_E_TRUNCATED;
	return FW_OK;
}

enum fw_check fw_uimage_ident(const struct fw_uimage *h, struct fw_ident *out)
{
	enum fw_check c = fw_name_parse(h->name, h->name_len, h->name_full, out);

	if (c == FW_OK)
		out->source = FW_SRC_HEADER;
	return c;
}

enum fw_check fw_uimage_check(const uint8_t *img, size_t len,
			      struct fw_uimage *h, struct fw_ident *id)
{
	struct fw_uimage hl;
	struct fw_ident il;
	enum fw_check c;

	if (h == NULL)
		h = &hl;
	if (id == NULL)
		id = &il;
	memset(id, 0, sizeof(*id));
	c = fw_uimage_parse(img, len, h);
	if (c == FW_OK)
		c = fw_uimage_check_size(h, len);
	if (c == FW_OK &&
	    fw_crc32(0, img + FW_UIMAGE_HDR_LEN, h->size) != h->dcrc)
		c = FW_E_BAD_DCRC;
	if (c == FW_OK)
		c = fw_uimage_ident(h, id);
	return c;
}

/* ---- header probes ------------------------------------------------------- */

static enum fw_check probe_uimage(const uint8_t *buf, size_t len,
				  uint64_t file_size, struct fw_hdr *out,
				  struct fw_ident *id)
{
	struct fw_uimage *u = &out->f.uimage;
	enum fw_check c = fw_uimage_parse(buf, len, u);

	if (c == FW_E_BAD_MAGIC)
		return c;
	out->format = "uimage";
	if (c == FW_OK)
		c = fw_uimage_check_size(u, file_size);
	if (c != FW_OK)
		return c;
	out->intact = 1;
	out->data_off = FW_UIMAGE_HDR_LEN;
	out->data_len = u->size;
	out->data_crc = u->dcrc;
	return fw_uimage_ident(u, id);
}

/* Read-only, so not state: the formats fwtftpd knows, most common first. */
static const struct fw_probe probes[] = {
	{ "uimage", FW_UIMAGE_HDR_LEN, probe_uimage },
};

const struct fw_probe *fw_probe_table(size_t *n)
{
	*n = sizeof(probes) / sizeof(probes[0]);
	return probes;
}

enum fw_check fw_header_probe(const uint8_t *buf, size_t len,
			      uint64_t file_size, struct fw_hdr *out,
			      struct fw_ident *id)
{
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		enum fw_check c;

		memset(out, 0, sizeof(*out));
		memset(id, 0, sizeof(*id));
		c = probes[i].probe(buf, len < probes[i].need ? len :
				    probes[i].need, file_size, out, id);
		if (c == FW_E_BAD_MAGIC)
			continue;
		if (c != FW_OK)
			memset(id, 0, sizeof(*id));
		return c;
	}
	memset(out, 0, sizeof(*out));
	memset(id, 0, sizeof(*id));
	return FW_E_BAD_MAGIC;
}

/* ---- names and versions -------------------------------------------------- */

static const struct {
	const char *word;
	size_t len;
	enum fw_pre pre;
} pre_words[] = {
	{ "alpha", 5, FW_PRE_ALPHA },
	{ "beta", 4, FW_PRE_BETA },
	{ "rc", 2, FW_PRE_RC },
};

/* Does s (after a '-') begin with a pre-release word? Returns its index
 * in pre_words or -1. */
static int pre_word_at(const char *s, size_t len)
{
	for (size_t w = 0; w < sizeof(pre_words) / sizeof(pre_words[0]); w++)
		if (len >= pre_words[w].len &&
		    eq_nocase(s, pre_words[w].word, pre_words[w].len))
			return (int)w;
	return -1;
}

/* Is s a non-empty proper prefix of a pre-release word ("be", "r")? Such a
 * suffix at the end of a full name field may be a cut "-beta". */
static int pre_word_prefix(const char *s, size_t len)
{
	for (size_t w = 0; w < sizeof(pre_words) / sizeof(pre_words[0]); w++)
		if (len > 0 && len < pre_words[w].len &&
		    eq_nocase(s, pre_words[w].word, len))
			return 1;
	return 0;
}

/* Up to FW_VER_DIGITS digits at s; returns how many (0: none), or -1 if
 * there are more (the value would not be exact). */
static int parse_num(const char *s, size_t len, uint32_t *val)
{
	size_t i = 0;

	*val = 0;
	while (i < len && is_digit(s[i])) {
		if (i == FW_VER_DIGITS)
			return -1;
		*val = *val * 10u + (uint32_t)(s[i] - '0');
		i++;
	}
	return (int)i;
}

/* Version at the start of s: numbers joined by '.', then an optional
 * "-alpha|-beta|-rc" with up to 9 digits. Sets *used to the bytes taken;
 * the caller decides what may follow. */
static enum fw_check parse_version(const char *s, size_t len,
				   struct fw_version *v, size_t *used)
{
	size_t i = 0, off = 0;
	int n, pre_digits = 0;

	memset(v, 0, sizeof(*v));
	for (;;) {
		uint32_t val;

		n = parse_num(s + i, len - i, &val);
		if (n <= 0 || v->nparts == FW_VER_PARTS)
			return FW_E_BAD_VERSION;
		v->part[v->nparts++] = val;
		i += (size_t)n;
		if (i < len && s[i] == '.') {
			i++;
			continue;
		}
		break;
	}
	if (i + 1 < len && s[i] == '-') {
		int w = pre_word_at(s + i + 1, len - i - 1);

		/* A word that starts like a pre-release tag must be exactly
		 * one: "-betax" could otherwise pass as a release. */
		if (w >= 0) {
			size_t k = i + 1 + pre_words[w].len;

			n = parse_num(s + k, len - k, &v->pre_num);
			if (n < 0)
				return FW_E_BAD_VERSION;
			k += (size_t)n;
			if (k < len && s[k] != '-')
				return FW_E_BAD_VERSION;
			v->pre = pre_words[w].pre;
			pre_digits = n > 0;
			i = k;
		}
	}
	*used = i;

	/* Canonical text; the grammar bounds it well below FW_VERSION_TEXT. */
	for (unsigned p = 0; p < v->nparts; p++) {
		n = snprintf(v->text + off, sizeof(v->text) - off, "%s%u",
			     p ? "." : "", (unsigned)v->part[p]);
		if (n < 0 || (size_t)n >= sizeof(v->text) - off)
			return FW_E_BAD_VERSION;
		off += (size_t)n;
	}
	if (v->pre != FW_PRE_NONE) {
		const char *word = pre_words[v->pre - FW_PRE_ALPHA].word;

		if (pre_digits)
			n = snprintf(v->text + off, sizeof(v->text) - off,
				     "-%s%u", word, (unsigned)v->pre_num);
		else
			n = snprintf(v->text + off, sizeof(v->text) - off,
				     "-%s", word);
		if (n < 0 || (size_t)n >= sizeof(v->text) - off)
			return FW_E_BAD_VERSION;
	}
	return FW_OK;
}

/* Printable ASCII only (space allowed in a free suffix, not elsewhere by
 * the grammar): control bytes and high bytes mean "not a name". */
static int printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f)
			return 0;
	}
	return 1;
}

static int model_copy(const char *s, size_t len, char out[FW_MODEL_LEN + 1])
{
	int digit = 0;

	if (len == 0 || len > FW_MODEL_LEN)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!is_alnum(s[i]))
			return -1;
		digit |= is_digit(s[i]);
		out[i] = to_upper(s[i]);
	}
	out[len] = '\0';
	/* "snomONE-1.0" is more likely a typo than a model. */
	return digit ? 0 : -1;
}

/* "snom" <model> "-" <version>; *pos gets the offset after the version. */
static enum fw_check parse_head(const char *s, size_t len,
				struct fw_ident *out, size_t *pos)
{
	size_t i = 4, used;
	enum fw_check c;

	if (len < 4 || !eq_nocase(s, "snom", 4))
		return FW_E_BAD_NAME;
	while (i < len && is_alnum(s[i]))
		i++;
	if (model_copy(s + 4, i - 4, out->model) != 0)
		return FW_E_BAD_NAME;
	if (i == len)
		return FW_E_NO_VERSION;
	if (s[i] != '-')
		return FW_E_BAD_NAME;
	i++;
	if (i == len || !is_digit(s[i]))
		return FW_E_NO_VERSION;
	c = parse_version(s + i, len - i, &out->version, &used);
	if (c != FW_OK)
		return c;
	*pos = i + used;
	return FW_OK;
}

enum fw_check fw_name_parse(const char *s, size_t len, int maybe_cut,
			    struct fw_ident *out)
{
	const char *nul = memchr(s, '\0', len);
	enum fw_check c;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	if (nul != NULL) {
		len = (size_t)(nul - s);
		maybe_cut = 0;
	}
	if (!printable(s, len))
		return FW_E_BAD_NAME;
	c = parse_head(s, len, out, &i);
	if (c != FW_OK)
		goto fail;
	/* A full field cut by mkimage looks like a shorter, valid version:
	 * accept only when a '-' after the version proves it complete. */
	if (i == len) {
		c = maybe_cut ? FW_E_NAME_CUT : FW_OK;
		goto done;
	}
	if (s[i] != '-') {
		c = FW_E_BAD_VERSION;
		goto fail;
	}
	i++;
	if (i == len)
		c = maybe_cut ? FW_E_NAME_CUT : FW_E_BAD_NAME;
	else if (maybe_cut && pre_word_prefix(s + i, len - i))
		c = FW_E_NAME_CUT;
	else
		c = FW_OK;
done:
	if (c == FW_OK)
		return c;
fail:
	memset(out, 0, sizeof(*out));
	return c;
}

enum fw_check fw_filename_parse(const char *s, size_t len,
				struct fw_ident *out)
{
	enum fw_check c;
	size_t i = 0, start;

	memset(out, 0, sizeof(*out));
	if (memchr(s, '\0', len) != NULL || !printable(s, len))
		return FW_E_BAD_NAME;
	c = parse_head(s, len, out, &i);
	if (c == FW_OK) {
		if (len - i < 5 || !eq_nocase(s + i, "-sip-", 5)) {
			c = FW_E_BAD_NAME;
		} else {
			i += 5;
			start = i;
			while (i < len && is_alnum(s[i]))
				i++;
			if (i == start || i - start > 16 || len - i != 4 ||
			    !eq_nocase(s + i, ".bin", 4))
				c = FW_E_BAD_NAME;
		}
	}
	if (c != FW_OK) {
		memset(out, 0, sizeof(*out));
		return c;
	}
	out->source = FW_SRC_FILENAME;
	return FW_OK;
}

enum fw_check fw_version_parse(const char *s, size_t len,
			       struct fw_version *out)
{
	size_t used = 0;
	enum fw_check c;

	if (len == 0 || memchr(s, '\0', len) != NULL) {
		memset(out, 0, sizeof(*out));
		return FW_E_BAD_VERSION;
	}
	c = parse_version(s, len, out, &used);
	if (c == FW_OK && used != len)
		c = FW_E_BAD_VERSION;
	if (c != FW_OK)
		memset(out, 0, sizeof(*out));
	return c;
}

int fw_model_parse(const char *s, size_t len, char out[FW_MODEL_LEN + 1])
{
	if (model_copy(s, len, out) != 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static int pre_rank(enum fw_pre p)
{
	return p == FW_PRE_NONE ? 4 : (int)p;
}

int fw_version_cmp(const struct fw_version *a, const struct fw_version *b)
{
	unsigned n = a->nparts < b->nparts ? a->nparts : b->nparts;

	if (n > FW_VER_PARTS)
		n = FW_VER_PARTS;
	for (unsigned i = 0; i < n; i++)
		if (a->part[i] != b->part[i])
			return a->part[i] < b->part[i] ? -1 : 1;
	if (a->nparts != b->nparts)
		return a->nparts < b->nparts ? -1 : 1;
	if (pre_rank(a->pre) != pre_rank(b->pre))
		return pre_rank(a->pre) < pre_rank(b->pre) ? -1 : 1;
	if (a->pre_num != b->pre_num)
		return a->pre_num < b->pre_num ? -1 : 1;
	return 0;
}

uint32_t fw_version_major(const struct fw_version *v)
{
	return v->nparts > 0 ? v->part[0] : 0;
}

int fw_ident_same(const struct fw_ident *a, const struct fw_ident *b)
{
	return strcmp(a->model, b->model) == 0 &&
	       fw_version_cmp(&a->version, &b->version) == 0;
}

/* ---- manifest ------------------------------------------------------------ */

struct mf_group {
	int open;      /* a group line has been seen */
	int has_model;
	char model[FW_MODEL_LEN + 1];
	struct fw_version version;
};

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	c = to_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 64 hex digits at s (len >= 64 checked by the caller). */
static int parse_hex64(const char *s, uint8_t out[FW_SHA256_LEN])
{
	for (size_t i = 0; i < FW_SHA256_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static size_t hex_run(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && hexval(s[i]) >= 0)
		i++;
	return i;
}

/* A plain entry of the firmware directory, as fwscan will see it. */
static const char *check_file_name(const char *s, size_t len)
{
	if (len == 0)
		return "empty file name";
	if (len > FW_FILE_NAME_MAX)
		return "file name too long";
	if (memchr(s, '/', len) != NULL)
		return "file name must not contain '/'";
	if (!printable(s, len))
		return "control character in file name";
	if (s[0] == '.')
		return "hidden file names are never scanned";
	return NULL;
}

/* "model M version V" / "version V model M" / "version V". */
static const char *parse_group(const char *s, size_t len, struct mf_group *g)
{
	int seen_model = 0, seen_version = 0;
	size_t i = 0;

	memset(g, 0, sizeof(*g));
	for (;;) {
		size_t ks, kl, vs, vl;

		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			break;
		ks = i;
		while (i < len && !is_blank(s[i]))
			i++;
		kl = i - ks;
		while (i < len && is_blank(s[i]))
			i++;
		vs = i;
		while (i < len && !is_blank(s[i]))
			i++;
		vl = i - vs;
		if (kl == 5 && memcmp(s + ks, "model", 5) == 0) {
			if (seen_model++)
				return "model given twice";
			if (vl == 0)
				return "model without a value";
			if (fw_model_parse(s + vs, vl, g->model) != 0)
				return "bad model (1-8 letters/digits)";
			g->has_model = 1;
		} else if (kl == 7 && memcmp(s + ks, "version", 7) == 0) {
			if (seen_version++)
				return "version given twice";
			if (vl == 0)
				return "version without a value";
			if (fw_version_parse(s + vs, vl, &g->version) != FW_OK)
				return "bad version";
		} else {
			return "unknown word in group line (model, version)";
		}
	}
	if (!seen_version)
		return "group line needs a version";
	g->open = 1;
	return NULL;
}

static const char *add_entry(struct fw_manifest *m, const struct mf_group *g,
			     const uint8_t digest[FW_SHA256_LEN],
			     const char *name, size_t nlen, unsigned line)
{
	struct fw_manifest_entry *e;
	struct fw_ident byname;
	const char *why;

	if (!g->open)
		return "entry before any 'model'/'version' line";
	why = check_file_name(name, nlen);
	if (why != NULL)
		return why;
	if (fw_manifest_find(m, name, nlen) != NULL)
		return "file listed twice";
	if (m->n == FW_MANIFEST_MAX)
		return "too many entries";
	/* A vendor list pasted under the wrong group line is the likely
	 * mistake: where the listed name follows the vendor convention it
	 * must agree with the group. */
	if (fw_filename_parse(name, nlen, &byname) == FW_OK) {
		if (g->has_model && strcmp(byname.model, g->model) != 0)
			return "file name names another model than its group";
		if (fw_version_cmp(&byname.version, &g->version) != 0)
			return "file name names another version than its group";
	} else if (!g->has_model) {
		return "group has no model and the file name does not follow "
		       "snom<model>-<version>-SIP-<x>.bin";
	}
	e = &m->e[m->n];
	memset(e, 0, sizeof(*e));
	memcpy(e->sha256, digest, FW_SHA256_LEN);
	memcpy(e->name, name, nlen);
	e->name[nlen] = '\0';
	e->id.source = FW_SRC_MANIFEST;
	memcpy(e->id.model, g->has_model ? g->model : byname.model,
	       sizeof(e->id.model));
	e->id.version = g->version;
	e->line = line;
	m->n++;
	return NULL;
}

/* One non-blank, non-comment line (s starts at its first non-blank). */
static const char *parse_line(const char *s, size_t len, struct mf_group *g,
			      struct fw_manifest *m, unsigned line)
{
	uint8_t digest[FW_SHA256_LEN];
	size_t h;

	if ((len >= 6 && memcmp(s, "model", 5) == 0 && is_blank(s[5])) ||
	    (len >= 8 && memcmp(s, "version", 7) == 0 && is_blank(s[7])) ||
	    (len == 5 && memcmp(s, "model", 5) == 0) ||
	    (len == 7 && memcmp(s, "version", 7) == 0)) {
		struct mf_group ng;
		const char *why = parse_group(s, len, &ng);

		if (why == NULL)
			*g = ng;
		return why;
	}
	if (len >= 8 && memcmp(s, "SHA256 (", 8) == 0) {
		/* sha256sum --tag: SHA256 (<name>) = <64 hex> */
		const size_t tail = 4 + 2 * FW_SHA256_LEN; /* ") = " + hex */

		if (len < 8 + tail || memcmp(s + len - tail, ") = ", 4) != 0 ||
		    hex_run(s + len - 2 * FW_SHA256_LEN, 2 * FW_SHA256_LEN) !=
			    2 * FW_SHA256_LEN)
			return "tag line is not 'SHA256 (<name>) = <64 hex>'";
		parse_hex64(s + len - 2 * FW_SHA256_LEN, digest);
		return add_entry(m, g, digest, s + 8, len - 8 - tail, line);
	}
	if (s[0] == '\\')
		return "escaped file names ('\\' lines) are not supported";
	h = hex_run(s, len);
	if (h == 0)
		return "unrecognised line";
	if (h != 2 * FW_SHA256_LEN)
		return "digest is not 64 hex digits";
	/* sha256sum: digest, one space, then ' ' (text) or '*' (binary). */
	if (len < h + 2 || s[h] != ' ' || (s[h + 1] != ' ' && s[h + 1] != '*'))
		return "expected \"  \" or \" *\" between digest and file name";
	parse_hex64(s, digest);
	return add_entry(m, g, digest, s + h + 2, len - h - 2, line);
}

int fw_manifest_parse(const char *buf, size_t len, struct fw_manifest *m,
		      struct fw_manifest_error *err)
{
	struct mf_group g;
	size_t off = 0;
	unsigned line = 0;

	memset(&g, 0, sizeof(g));
	m->n = 0;
	err->line = 0;
	err->msg = NULL;
	while (off < len) {
		const char *s = buf + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t l = nl ? (size_t)(nl - s) : len - off;
		const char *why = NULL;
		size_t j = 0;

		off += l + (nl != NULL);
		line++;
		if (l > 0 && s[l - 1] == '\r') /* lists saved on Windows */
			l--;
		if (l > FW_MANIFEST_LINE_MAX)
			why = "line too long";
		else if (memchr(s, '\0', l) != NULL)
			why = "NUL byte in line";
		if (why == NULL) {
			while (j < l && is_blank(s[j]))
				j++;
			if (j == l || s[j] == '#')
				continue;
			why = parse_line(s + j, l - j, &g, m, line);
		}
		if (why != NULL) {
			err->line = line;
			err->msg = why;
			return -1;
		}
	}
	return 0;
}

const struct fw_manifest_entry *fw_manifest_find(const struct fw_manifest *m,
						 const char *name, size_t len)
{
	if (len > FW_FILE_NAME_MAX)
		return NULL;
	for (unsigned i = 0; i < m->n && i < FW_MANIFEST_MAX; i++)
		if (strlen(m->e[i].name) == len &&
		    memcmp(m->e[i].name, name, len) == 0)
			return &m->e[i];
	return NULL;
}

/* ---- texts --------------------------------------------------------------- */

const char *fw_source_str(enum fw_source s)
{
	switch (s) {
	case FW_SRC_NONE: return "none";
	case FW_SRC_HEADER: return "header";
	case FW_SRC_MANIFEST: return "manifest";
	case FW_SRC_FILENAME: return "filename-unverified";
	}
	return "unknown";
}

const char *fw_check_str(enum fw_check c)
{
	switch (c) {
	case FW_OK: return "ok";
	case FW_E_TRUNCATED: return "truncated";
	case FW_E_BAD_MAGIC: return "bad-magic";
	case FW_E_BAD_HCRC: return "bad-hcrc";
	case FW_E_BAD_DCRC: return "bad-dcrc";
	case FW_E_BAD_NAME: return "bad-name";
	case FW_E_NO_VERSION: return "no-version";
	case FW_E_BAD_VERSION: return "bad-version";
	case FW_E_NAME_CUT: return "name-cut";
	case FW_E_BAD_DIGEST: return "bad-digest";
	case FW_E_UNIDENTIFIED: return "unidentified";
	case FW_E_CONFLICT: return "conflict";
	case FW_E_CHANGED: return "changed";
	case FW_E_IO: return "io-error";
	}
	return "unknown";
}
