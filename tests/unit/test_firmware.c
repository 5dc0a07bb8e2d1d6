/* test_firmware.c - tests of the pure identity layer in firmware.c: CRC-32,
 * the U-Boot legacy header (good, truncated, bad magic, bad header CRC, bad
 * data CRC, names without version, full 32-byte name fields), the header
 * probe table, the name,
 * file-name and version grammars, version order, and the manifest parser.
 * Headers are built here with an independent bit-by-bit CRC, and inputs are
 * exact-size heap copies so that any read past the end shows up under
 * valgrind. Expected values come from the U-Boot header layout, the CRC-32
 * catalogue check value, or the rules in include/firmware.h; the reasoning
 * is on each row. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware.h"
#include "testutil.h"

/* ---- independent reference ----------------------------------------------- */

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

static void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#define T_TIME 0x5f5e1000u
#define T_LOAD 0x80001000u
#define T_EP 0x80001040u
#define PLEN 300u

/* Header fields the builder writes, so the parser's output can be compared
 * field by field. */
static void fill_payload(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)tu_rand(&seed);
}

/* A 64-byte header + payload into an exact-size heap buffer. The name is
 * nlen bytes (<= 32), the rest of the field is pad (0 for mkimage's NUL
 * padding). Returns the buffer; *len gets its size. */
static uint8_t *build(const char *name, size_t nlen, uint8_t pad,
		      const uint8_t *payload, size_t plen, size_t *len)
{
	uint8_t *img = malloc(64 + plen);

	if (img == NULL)
		fail_msg("malloc");
	memset(img, 0, 64);
	be32_put(img, 0x27051956u);
	be32_put(img + 8, T_TIME);
	be32_put(img + 12, (uint32_t)plen);
	be32_put(img + 16, T_LOAD);
	be32_put(img + 20, T_EP);
	be32_put(img + 24, ref_crc32(payload, plen));
	img[28] = 5; /* Linux */
	img[29] = 5; /* MIPS */
	img[30] = 5; /* firmware */
	img[31] = 0; /* no compression */
	if (nlen > 32)
		fail_msg("test bug: name longer than 32");
	memcpy(img + 32, name, nlen);
	memset(img + 32 + nlen, pad, 32 - nlen);
	be32_put(img + 4, ref_crc32(img, 64));
	memcpy(img + 64, payload, plen);
	*len = 64 + plen;
	return img;
}

/* Recompute the header CRC after a deliberate edit of another field. */
static void rehcrc(uint8_t *img)
{
	memset(img + 4, 0, 4);
	be32_put(img + 4, ref_crc32(img, 64));
}

/* ---- CRC-32 -------------------------------------------------------------- */

static void test_crc32(void **state)
{
	uint8_t buf[300];
	uint32_t seed = 7;

	(void)state;
	/* The CRC-32 (ISO-HDLC, zlib) catalogue check value. */
	TU_EQ("check", fw_crc32(0, "123456789", 9), 0xcbf43926u);
	TU_EQ("empty", fw_crc32(0, "", 0), 0);
	for (size_t n = 0; n <= sizeof(buf); n++) {
		char label[32];

		buf[n % sizeof(buf)] = (uint8_t)tu_rand(&seed);
		snprintf(label, sizeof(label), "len %zu", n);
		TU_EQ(label, fw_crc32(0, buf, n), ref_crc32(buf, n));
	}
	/* Chained over any split equals one pass (as zlib's crc32()). */
	for (size_t cut = 0; cut <= 64; cut++) {
		uint32_t c = fw_crc32(0, buf, cut);

		c = fw_crc32(c, buf + cut, 64 - cut);
		TU_EQ("split", c, ref_crc32(buf, 64));
	}
}

/* ---- header -------------------------------------------------------------- */

static void test_uimage_good(void **state)
{
	uint8_t payload[PLEN];
	struct fw_uimage h;
	struct fw_ident id;
	size_t len;
	uint8_t *img, *hdr64;

	(void)state;
	fill_payload(payload, sizeof(payload), 1);
	img = build("snom320-8.7.3.25", 16, 0, payload, sizeof(payload), &len);
	TU_EQ("check", fw_uimage_check(img, len, &h, &id), FW_OK);
	{
		uint8_t zeroed[64];

		memcpy(zeroed, img, 64);
		memset(zeroed + 4, 0, 4);
		TU_EQ("hcrc", h.hcrc, ref_crc32(zeroed, 64));
	}
	TU_EQ("time", h.time, T_TIME);
	TU_EQ("size", h.size, PLEN);
	TU_EQ("load", h.load, T_LOAD);
	TU_EQ("ep", h.ep, T_EP);
	TU_EQ("dcrc", h.dcrc, ref_crc32(payload, PLEN));
	TU_EQ("os", h.os, 5);
	TU_EQ("arch", h.arch, 5);
	TU_EQ("type", h.type, 5);
	TU_EQ("comp", h.comp, 0);
	TU_STREQ("name", h.name, "snom320-8.7.3.25");
	TU_EQ("name_len", h.name_len, 16);
	TU_EQ("name_full", h.name_full, 0);
	TU_EQ("source", id.source, FW_SRC_HEADER);
	TU_STREQ("model", id.model, "320");
	TU_STREQ("version", id.version.text, "8.7.3.25");
	TU_EQ("nparts", id.version.nparts, 4);
	TU_EQ("p0", id.version.part[0], 8);
	TU_EQ("p3", id.version.part[3], 25);
	TU_EQ("major", fw_version_major(&id.version), 8);

	/* The header alone, in a buffer of exactly 64 bytes, parses. */
	hdr64 = tu_heapdup(img, 64);
	TU_EQ("hdr only", fw_uimage_parse(hdr64, 64, &h), FW_OK);
	TU_EQ("ident", fw_uimage_ident(&h, &id), FW_OK);
	TU_STREQ("model", id.model, "320");
	free(hdr64);

	/* Bytes after the data are allowed and not covered (documented). */
	{
		uint8_t *more = malloc(len + 10);

		memcpy(more, img, len);
		memset(more + len, 0xee, 10);
		TU_EQ("trailing", fw_uimage_check(more, len + 10, NULL, NULL),
		      FW_OK);
		free(more);
	}
	/* An empty payload is a legal image. */
	free(img);
	img = build("snom370-9.1", 11, 0, payload, 0, &len);
	TU_EQ("empty data", fw_uimage_check(img, len, NULL, &id), FW_OK);
	TU_STREQ("model", id.model, "370");
	free(img);
}

static void test_uimage_truncated(void **state)
{
	uint8_t payload[PLEN];
	struct fw_uimage h;
	size_t len;
	uint8_t *img;

	(void)state;
	fill_payload(payload, sizeof(payload), 2);
	img = build("snom320-8.7.3.25", 16, 0, payload, sizeof(payload), &len);
	/* Every prefix shorter than the header: the bytes present agree
	 * with the magic (or there are none), so the image is cut. */
	for (size_t n = 0; n < 64; n++) {
		uint8_t *p = tu_heapdup(img, n);
		char label[32];

		snprintf(label, sizeof(label), "hdr %zu", n);
		TU_EQ(label, fw_uimage_parse(p, n, &h), FW_E_TRUNCATED);
		free(p);
	}
	/* Every length between the header and the announced data end. */
	for (size_t n = 64; n < len; n++) {
		uint8_t *p = tu_heapdup(img, n);
		char label[32];

		snprintf(label, sizeof(label), "data %zu", n);
		TU_EQ(label, fw_uimage_check(p, n, NULL, NULL), FW_E_TRUNCATED);
		free(p);
	}
	TU_EQ("whole", fw_uimage_check(img, len, NULL, NULL), FW_OK);

	/* check_size on its own, at the boundaries and without overflow. */
	TU_EQ("parse", fw_uimage_parse(img, len, &h), FW_OK);
	TU_EQ("exact", fw_uimage_check_size(&h, 64 + PLEN), FW_OK);
	TU_EQ("one short", fw_uimage_check_size(&h, 64 + PLEN - 1),
	      FW_E_TRUNCATED);
	TU_EQ("no header", fw_uimage_check_size(&h, 10), FW_E_TRUNCATED);
	h.size = 0xffffffffu;
	TU_EQ("huge size", fw_uimage_check_size(&h, 64), FW_E_TRUNCATED);
	TU_EQ("huge ok", fw_uimage_check_size(&h, 64ull + 0xffffffffull),
	      FW_OK);
	free(img);
}

static void test_uimage_bad_magic(void **state)
{
	uint8_t payload[PLEN];
	struct fw_uimage h;
	size_t len;
	uint8_t *img;

	(void)state;
	fill_payload(payload, sizeof(payload), 3);
	img = build("snom320-8.7.3.25", 16, 0, payload, sizeof(payload), &len);
	/* Each magic byte changed, header CRC made to match again: the
	 * magic alone decides. */
	for (int b = 0; b < 4; b++) {
		img[b] ^= 0x40;
		rehcrc(img);
		TU_EQ("magic byte", fw_uimage_parse(img, len, &h),
		      FW_E_BAD_MAGIC);
		TU_EQ("check", fw_uimage_check(img, len, NULL, NULL),
		      FW_E_BAD_MAGIC);
		img[b] ^= 0x40;
		rehcrc(img);
	}
	TU_EQ("restored", fw_uimage_check(img, len, NULL, NULL), FW_OK);
	/* Short files that do not start like the magic have no header. */
	{
		uint8_t *p = tu_heapdup("ab", 2);

		TU_EQ("2 bytes", fw_uimage_parse(p, 2, &h), FW_E_BAD_MAGIC);
		free(p);
		p = tu_heapdup("\x27\x05\x19", 3);
		TU_EQ("magic prefix", fw_uimage_parse(p, 3, &h), FW_E_TRUNCATED);
		free(p);
		p = tu_heapdup("\x27\x05\x18", 3);
		TU_EQ("near prefix", fw_uimage_parse(p, 3, &h), FW_E_BAD_MAGIC);
		free(p);
	}
	/* Byte-swapped (little-endian) magic is not accepted. */
	be32_put(img, 0x56190527u);
	rehcrc(img);
	TU_EQ("swapped", fw_uimage_parse(img, len, &h), FW_E_BAD_MAGIC);
	free(img);
}

static void test_uimage_bad_hcrc(void **state)
{
	uint8_t payload[PLEN];
	struct fw_uimage h;
	size_t len;
	uint8_t *img;

	(void)state;
	fill_payload(payload, sizeof(payload), 4);
	img = build("snom320-8.7.3.25", 16, 0, payload, sizeof(payload), &len);
	/* CRC-32 detects every single-bit error: each flipped bit after the
	 * magic (hcrc field included) must fail the header CRC. */
	for (size_t byte = 4; byte < 64; byte++) {
		for (int bit = 0; bit < 8; bit++) {
			char label[32];

			img[byte] ^= (uint8_t)(1u << bit);
			snprintf(label, sizeof(label), "byte %zu bit %d", byte,
				 bit);
			TU_EQ(label, fw_uimage_parse(img, len, &h),
			      FW_E_BAD_HCRC);
			TU_EQ(label, fw_uimage_check(img, len, NULL, NULL),
			      FW_E_BAD_HCRC);
			img[byte] ^= (uint8_t)(1u << bit);
		}
	}
	TU_EQ("restored", fw_uimage_check(img, len, NULL, NULL), FW_OK);
	free(img);
}

static void test_uimage_bad_dcrc(void **state)
{
	uint8_t payload[PLEN];
	struct fw_uimage h;
	size_t len;
	uint8_t *img;

	(void)state;
	fill_payload(payload, sizeof(payload), 5);
	img = build("snom320-8.7.3.25", 16, 0, payload, sizeof(payload), &len);
	/* Any changed data byte: the header still parses, the data fails. */
	for (size_t i = 64; i < len; i++) {
		char label[32];

		img[i] ^= 0x01;
		snprintf(label, sizeof(label), "data byte %zu", i);
		TU_EQ(label, fw_uimage_parse(img, len, &h), FW_OK);
		TU_EQ(label, fw_uimage_check(img, len, NULL, NULL),
		      FW_E_BAD_DCRC);
		img[i] ^= 0x01;
	}
	/* A wrong dcrc field under a matching header CRC. */
	img[27] ^= 0x80;
	rehcrc(img);
	TU_EQ("dcrc field", fw_uimage_parse(img, len, &h), FW_OK);
	TU_EQ("dcrc field", fw_uimage_check(img, len, NULL, NULL),
	      FW_E_BAD_DCRC);
	free(img);
}

/* Names in the header's 32-byte field. full: the name is exactly 32 bytes
 * (or padded with a non-NUL byte), so the field has no NUL. */
static void test_uimage_names(void **state)
{
	static const struct {
		const char *name;
		uint8_t pad;
		enum fw_check want;
		const char *model, *version;
		const char *why;
	} t[] = {
		{ "snom320-8.7.3.25", 0, FW_OK, "320", "8.7.3.25", "plain" },
		{ "snom320", 0, FW_E_NO_VERSION, NULL, NULL, "no version" },
		{ "snom320-", 0, FW_E_NO_VERSION, NULL, NULL, "dash only" },
		{ "snom320-SIP-r", 0, FW_E_NO_VERSION, NULL, NULL,
		  "suffix, no version" },
		{ "", 0, FW_E_BAD_NAME, NULL, NULL, "empty field" },
		{ "Linux-2.6.32", 0, FW_E_BAD_NAME, NULL, NULL, "not snom" },
		{ "snom320-8.7\x01", 0, FW_E_BAD_NAME, NULL, NULL,
		  "control byte" },
		/* 32 bytes, no NUL, "-" after the version proves it whole. */
		{ "snom320-8.7.3.25-SIP-r-abcdefghi", 0, FW_OK, "320",
		  "8.7.3.25", "32 bytes, version complete" },
		/* 32 bytes ending inside the version: mkimage may have cut
		 * "...2000000" from a longer one. */
		{ "snom320-8.7.3.25.1000000.2000000", 0, FW_E_NAME_CUT, NULL,
		  NULL, "32 bytes, version at the end" },
		/* Ends in a pre-release tag: "beta" might be "beta12". */
		{ "snom320-8.7.3.25.100000.200-beta", 0, FW_E_NAME_CUT, NULL,
		  NULL, "32 bytes, tag at the end" },
		/* Ends in "-be": may be a cut "-beta" (a pre-release). */
		{ "snom320-8.7.3.25.100000.20000-be", 0, FW_E_NAME_CUT, NULL,
		  NULL, "32 bytes, cut tag word" },
		/* Ends in "-": anything may have followed. */
		{ "snom320-8.7.3.25.100000.2000000-", 0, FW_E_NAME_CUT, NULL,
		  NULL, "32 bytes, trailing dash" },
		/* Padded with '~' instead of NUL: '~' cannot follow a version. */
		{ "snom320-8.7.3.25", '~', FW_E_BAD_VERSION, NULL, NULL,
		  "no NUL, tilde padding" },
		/* Padded after a "-suffix": still a well-formed, whole name. */
		{ "snom320-8.7.3.25-x", '~', FW_OK, "320", "8.7.3.25",
		  "no NUL, suffix padding" },
	};
	uint8_t payload[16];

	(void)state;
	fill_payload(payload, sizeof(payload), 6);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t nlen = strlen(t[i].name), len;
		struct fw_uimage h;
		struct fw_ident id;
		uint8_t *img = build(t[i].name, nlen, t[i].pad, payload,
				     sizeof(payload), &len);
		int full = nlen == 32 || t[i].pad != 0;

		TU_EQ(t[i].why, fw_uimage_check(img, len, &h, &id), t[i].want);
		TU_EQ(t[i].why, h.name_full, full);
		TU_EQ(t[i].why, h.name_len, full ? 32 : nlen);
		TU_EQ(t[i].why, strlen(h.name), h.name_len);
		if (t[i].want == FW_OK) {
			TU_STREQ(t[i].why, id.model, t[i].model);
			TU_STREQ(t[i].why, id.version.text, t[i].version);
			TU_EQ(t[i].why, id.source, FW_SRC_HEADER);
		} else {
			TU_EQ(t[i].why, id.source, FW_SRC_NONE);
			TU_STREQ(t[i].why, id.model, "");
		}
		free(img);
	}
}

/* A header whose 32-byte name is followed directly by the end of the
 * buffer: the parser must take exactly 32 bytes, no more (valgrind
 * would report a read past the 64-byte allocation). */
static void test_uimage_name_no_nul_at_end(void **state)
{
	uint8_t payload[1] = { 0 };
	struct fw_uimage h;
	size_t len;
	uint8_t *img = build("snom821-8.7.3.25-SIP-abcdefghijk", 32, 0,
			     payload, 0, &len);
	uint8_t *hdr = tu_heapdup(img, 64);

	(void)state;
	TU_EQ("parse", fw_uimage_parse(hdr, 64, &h), FW_OK);
	TU_EQ("len", h.name_len, 32);
	TU_EQ("full", h.name_full, 1);
	TU_EQ("terminated", h.name[32], '\0');
	TU_MEMEQ("name", h.name, 32, "snom821-8.7.3.25-SIP-abcdefghijk", 32);
	free(hdr);
	free(img);
}

/* ---- header probe table ---------------------------------------------------- */

static void test_probe_table(void **state)
{
	size_t n, len;
	const struct fw_probe *t = fw_probe_table(&n);
	uint8_t payload[PLEN];
	struct fw_hdr h;
	struct fw_ident id;
	uint8_t *img;

	(void)state;
	/* Today one format; every entry fits the bytes a scan reads. */
	TU_EQ("entries", n, 1);
	TU_STREQ("format", t[0].format, "uimage");
	for (size_t i = 0; i < n; i++)
		TU_CHECK(t[i].format, t[i].need > 0 &&
			 t[i].need <= FW_PROBE_READ && t[i].probe != NULL);

	fill_payload(payload, sizeof(payload), 8);
	img = build("snom320-8.7.3.25", 16, 0, payload, sizeof(payload), &len);

	/* Good: identity, and the data range the verifier must check. */
	TU_EQ("good", fw_header_probe(img, FW_PROBE_READ, len, &h, &id), FW_OK);
	TU_STREQ("format", h.format, "uimage");
	TU_EQ("intact", h.intact, 1);
	TU_EQ("data_off", h.data_off, 64);
	TU_EQ("data_len", h.data_len, PLEN);
	TU_EQ("data_crc", h.data_crc, ref_crc32(payload, PLEN));
	TU_EQ("source", id.source, FW_SRC_HEADER);
	TU_STREQ("model", id.model, "320");

	/* The file is shorter than the header says: broken, not intact. */
	TU_EQ("short file", fw_header_probe(img, FW_PROBE_READ, len - 1, &h,
					    &id), FW_E_TRUNCATED);
	TU_EQ("intact", h.intact, 0);
	TU_EQ("no id", id.source, FW_SRC_NONE);

	/* Broken header CRC: recognised (format set) but not intact. */
	img[40] ^= 1;
	TU_EQ("hcrc", fw_header_probe(img, FW_PROBE_READ, len, &h, &id),
	      FW_E_BAD_HCRC);
	TU_STREQ("format", h.format, "uimage");
	TU_EQ("intact", h.intact, 0);
	img[40] ^= 1;

	/* No magic: no probe recognises it. */
	img[0] = 'X';
	TU_EQ("magic", fw_header_probe(img, FW_PROBE_READ, len, &h, &id),
	      FW_E_BAD_MAGIC);
	TU_CHECK("format", h.format == NULL);
	TU_EQ("intact", h.intact, 0);
	free(img);

	/* A good header whose name has no version: intact, no identity. */
	img = build("snom320", 7, 0, payload, sizeof(payload), &len);
	TU_EQ("no version", fw_header_probe(img, FW_PROBE_READ, len, &h, &id),
	      FW_E_NO_VERSION);
	TU_EQ("intact", h.intact, 1);
	TU_EQ("no id", id.source, FW_SRC_NONE);
	free(img);

	/* Empty file. */
	TU_EQ("empty", fw_header_probe((const uint8_t *)"", 0, 0, &h, &id),
	      FW_E_TRUNCATED);
}

/* ---- name, file name, version, model grammars ----------------------------- */

static void test_name_parse(void **state)
{
	static const struct {
		const char *s;
		size_t len; /* 0: strlen(s); else bytes incl. embedded NULs */
		int cut;
		enum fw_check want;
		const char *model, *version;
	} t[] = {
		{ "snom320-8.7.3.25", 0, 0, FW_OK, "320", "8.7.3.25" },
		{ "snomD785-10.1.33.33", 0, 0, FW_OK, "D785", "10.1.33.33" },
		{ "snomd785-10.1.33.33", 0, 0, FW_OK, "D785", "10.1.33.33" },
		{ "SNOM320-8.7", 0, 0, FW_OK, "320", "8.7" },
		{ "snom320-8", 0, 0, FW_OK, "320", "8" },
		{ "snom320-08.007", 0, 0, FW_OK, "320", "8.7" },
		{ "snom320-8.7.5.17-beta", 0, 0, FW_OK, "320", "8.7.5.17-beta" },
		{ "snom320-8.7.5.17-BETA2", 0, 0, FW_OK, "320", "8.7.5.17-beta2" },
		{ "snom320-8.7.5.17-rc1-SIP", 0, 0, FW_OK, "320", "8.7.5.17-rc1" },
		{ "snom320-8.7.5.17-alpha", 0, 0, FW_OK, "320", "8.7.5.17-alpha" },
		{ "snom320-8.7.3.25-SIP-r", 0, 0, FW_OK, "320", "8.7.3.25" },
		{ "snom320-8.7.3.25-r", 0, 0, FW_OK, "320", "8.7.3.25" },
		{ "snom320-1.2.3.4.5.6.7.8", 0, 0, FW_OK, "320", "1.2.3.4.5.6.7.8" },
		{ "snom320-999999999.0", 0, 0, FW_OK, "320", "999999999.0" },
		{ "snom12345678-1.0", 0, 0, FW_OK, "12345678", "1.0" },
		/* A cut-capable field that nevertheless had a NUL early. */
		{ "snom320-8.7\0garbage", 19, 1, FW_OK, "320", "8.7" },
		{ "snom320-8.7", 0, 1, FW_E_NAME_CUT, NULL, NULL },
		{ "snom320-8.7-", 0, 0, FW_E_BAD_NAME, NULL, NULL },
		{ "snom320-1.2.3.4.5.6.7.8.9", 0, 0, FW_E_BAD_VERSION, NULL, NULL },
		{ "snom320-1234567890.1", 0, 0, FW_E_BAD_VERSION, NULL, NULL },
		{ "snom320-8..7", 0, 0, FW_E_BAD_VERSION, NULL, NULL },
		{ "snom320-8.7.", 0, 0, FW_E_BAD_VERSION, NULL, NULL },
		{ "snom320-8.7x", 0, 0, FW_E_BAD_VERSION, NULL, NULL },
		{ "snom320-8.7_1", 0, 0, FW_E_BAD_VERSION, NULL, NULL },
		{ "snom320-8.7-betax", 0, 0, FW_E_BAD_VERSION, NULL, NULL },
		{ "snom320-8.7-rc1234567890", 0, 0, FW_E_BAD_VERSION, NULL, NULL },
		{ "snom320-8.7-beta2x", 0, 0, FW_E_BAD_VERSION, NULL, NULL },
		{ "snom320-.8", 0, 0, FW_E_NO_VERSION, NULL, NULL },
		{ "snom320", 0, 0, FW_E_NO_VERSION, NULL, NULL },
		{ "snom320-", 0, 0, FW_E_NO_VERSION, NULL, NULL },
		{ "snom123456789-1.0", 0, 0, FW_E_BAD_NAME, NULL, NULL },
		{ "snomABC-1.0", 0, 0, FW_E_BAD_NAME, NULL, NULL },
		{ "snom-1.0", 0, 0, FW_E_BAD_NAME, NULL, NULL },
		{ "snom320_8.7", 0, 0, FW_E_BAD_NAME, NULL, NULL },
		{ "snom 320-8.7", 0, 0, FW_E_BAD_NAME, NULL, NULL },
		{ "snom320-8.7\xff", 0, 0, FW_E_BAD_NAME, NULL, NULL },
		{ "snox320-8.7", 0, 0, FW_E_BAD_NAME, NULL, NULL },
		{ "sno", 0, 0, FW_E_BAD_NAME, NULL, NULL },
		{ "", 0, 0, FW_E_BAD_NAME, NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		/* Literal length including embedded NULs, minus the final. */
		size_t n = t[i].len ? t[i].len : strlen(t[i].s);
		struct fw_ident id;
		uint8_t *p = tu_heapdup(t[i].s, n);

		TU_EQ(t[i].s, fw_name_parse((const char *)p, n, t[i].cut, &id),
		      t[i].want);
		if (t[i].want == FW_OK) {
			TU_STREQ(t[i].s, id.model, t[i].model);
			TU_STREQ(t[i].s, id.version.text, t[i].version);
			TU_EQ(t[i].s, id.source, FW_SRC_NONE);
		}
		free(p);
	}
}

static void test_filename_parse(void **state)
{
	static const struct {
		const char *s;
		enum fw_check want;
		const char *model, *version;
	} t[] = {
		{ "snom320-8.7.3.25-SIP-r.bin", FW_OK, "320", "8.7.3.25" },
		{ "snom360-8.4.35-SIP-f.bin", FW_OK, "360", "8.4.35" },
		{ "snomD785-10.1.33.33-SIP-r.bin", FW_OK, "D785", "10.1.33.33" },
		{ "SNOM320-8.7.3.25-sip-R.BIN", FW_OK, "320", "8.7.3.25" },
		{ "snom320-8.7.5.17-beta-SIP-r.bin", FW_OK, "320",
		  "8.7.5.17-beta" },
		{ "snom320-8.7.3.25-SIP-abcdefghijklmnop.bin", FW_OK, "320",
		  "8.7.3.25" },
		{ "snom320-8.7.3.25-SIP-abcdefghijklmnopq.bin", FW_E_BAD_NAME, NULL, NULL },
		{ "snom320-8.7.3.25-SIP-.bin", FW_E_BAD_NAME, NULL, NULL },
		{ "snom320-8.7.3.25-SIP-r.bin.part", FW_E_BAD_NAME, NULL, NULL },
		{ "snom320-8.7.3.25-SIP-r.img", FW_E_BAD_NAME, NULL, NULL },
		{ "snom320-8.7.3.25-SIP-r", FW_E_BAD_NAME, NULL, NULL },
		{ "snom320-8.7.3.25-r.bin", FW_E_BAD_NAME, NULL, NULL },
		{ "snom320-8.7.3.25.bin", FW_E_BAD_VERSION, NULL, NULL },
		{ "snom320.bin", FW_E_BAD_NAME, NULL, NULL },
		{ "snom320-SIP-r.bin", FW_E_NO_VERSION, NULL, NULL },
		{ "firmware.bin", FW_E_BAD_NAME, NULL, NULL },
		{ "snom320-8.7.3.25-SIP-r\n.bin", FW_E_BAD_NAME, NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = strlen(t[i].s);
		uint8_t *p = tu_heapdup(t[i].s, n);
		struct fw_ident id;

		TU_EQ(t[i].s, fw_filename_parse((const char *)p, n, &id),
		      t[i].want);
		if (t[i].want == FW_OK) {
			TU_STREQ(t[i].s, id.model, t[i].model);
			TU_STREQ(t[i].s, id.version.text, t[i].version);
			TU_EQ(t[i].s, id.source, FW_SRC_FILENAME);
		} else {
			TU_EQ(t[i].s, id.source, FW_SRC_NONE);
		}
		free(p);
	}
	/* An embedded NUL is never part of a directory entry. */
	{
		struct fw_ident id;

		TU_EQ("nul", fw_filename_parse("snom320-8.7-SIP-r.bin\0", 22,
					       &id), FW_E_BAD_NAME);
		TU_EQ("nul", fw_filename_parse("snom320-8.7-SIP-r.bin\0", 21,
					       &id), FW_OK);
	}
}

static struct fw_version ver(const char *s)
{
	struct fw_version v;

	if (fw_version_parse(s, strlen(s), &v) != FW_OK)
		fail_msg("test bug: %s does not parse", s);
	return v;
}

static int sign(int x) { return (x > 0) - (x < 0); }

static void test_version_order(void **state)
{
	/* Ascending, by the rules in firmware.h: numbers compare as numbers
	 * (9 < 10, 3 < 25), a prefix is lower (8.7 < 8.7.0), pre-releases
	 * sort below their release, alpha < beta < rc, then the number. */
	static const char *asc[] = {
		"1", "1.0", "1.0.0", "7.1.9", "7.1.30", "8", "8.7",
		"8.7.0", "8.7.3.3", "8.7.3.25", "8.7.5.17-alpha",
		"8.7.5.17-beta", "8.7.5.17-beta2", "8.7.5.17-beta10",
		"8.7.5.17-rc1", "8.7.5.17", "8.7.5.17.1", "8.10", "9.99",
		"10.0", "999999999",
	};
	/* Pairs that must compare equal. */
	static const char *same[][2] = {
		{ "08.7", "8.7" },
		{ "8.7-beta", "8.7-BETA0" },
		{ "8.7.000", "8.7.0" },
	};
	size_t n = sizeof(asc) / sizeof(asc[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			struct fw_version a = ver(asc[i]), b = ver(asc[j]);
			int want = i < j ? -1 : i > j ? 1 : 0;

			if (sign(fw_version_cmp(&a, &b)) != want)
				fail_msg("cmp(%s, %s) = %d, expected %d",
					 asc[i], asc[j], fw_version_cmp(&a, &b),
					 want);
		}
	}
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		struct fw_version a = ver(same[i][0]), b = ver(same[i][1]);

		TU_EQ(same[i][0], fw_version_cmp(&a, &b), 0);
	}
	/* Canonical text: leading zeros dropped, tag lower-case. */
	TU_STREQ("text", ver("08.007").text, "8.7");
	TU_STREQ("text", ver("8.7-RC3").text, "8.7-rc3");
	TU_STREQ("text", ver("8.7-Beta").text, "8.7-beta");
	{
		struct fw_version v = ver("999999999.999999999.999999999."
					  "999999999.999999999.999999999."
					  "999999999.999999999-alpha999999999");

		TU_EQ("longest", strlen(v.text), 94);
		TU_EQ("pre", v.pre, FW_PRE_ALPHA);
		TU_EQ("pre_num", v.pre_num, 999999999u);
	}
	{
		struct fw_version v;

		TU_EQ("empty", fw_version_parse("", 0, &v), FW_E_BAD_VERSION);
		TU_EQ("suffix", fw_version_parse("8.7-SIP", 7, &v),
		      FW_E_BAD_VERSION);
		TU_EQ("space", fw_version_parse("8.7 ", 4, &v),
		      FW_E_BAD_VERSION);
		TU_EQ("letters", fw_version_parse("v8.7", 4, &v),
		      FW_E_BAD_VERSION);
		TU_EQ("nul", fw_version_parse("8.7\0", 4, &v),
		      FW_E_BAD_VERSION);
		TU_EQ("len", fw_version_parse("8.7.3.25", 3, &v), FW_OK);
		TU_STREQ("len text", v.text, "8.7");
	}
}

static void test_model_parse(void **state)
{
	char m[FW_MODEL_LEN + 1];

	(void)state;
	TU_EQ("320", fw_model_parse("320", 3, m), 0);
	TU_STREQ("320", m, "320");
	TU_EQ("d785", fw_model_parse("d785", 4, m), 0);
	TU_STREQ("d785", m, "D785");
	TU_EQ("len", fw_model_parse("3201", 3, m), 0);
	TU_STREQ("len", m, "320");
	TU_EQ("8 chars", fw_model_parse("12345678", 8, m), 0);
	TU_EQ("9 chars", fw_model_parse("123456789", 9, m), -1);
	TU_STREQ("cleared", m, "");
	TU_EQ("empty", fw_model_parse("", 0, m), -1);
	TU_EQ("letters", fw_model_parse("ABC", 3, m), -1);
	TU_EQ("dash", fw_model_parse("3-2", 3, m), -1);
	TU_EQ("nul", fw_model_parse("32\0", 3, m), -1);
}

static void test_ident_same(void **state)
{
	struct fw_ident a, b;

	(void)state;
	TU_EQ("a", fw_name_parse("snom320-8.7.3.25", 16, 0, &a), FW_OK);
	TU_EQ("b", fw_filename_parse("SNOM320-08.7.3.25-SIP-r.bin", 27, &b),
	      FW_OK);
	TU_EQ("same", fw_ident_same(&a, &b), 1);
	TU_EQ("c", fw_name_parse("snom300-8.7.3.25", 16, 0, &b), FW_OK);
	TU_EQ("model differs", fw_ident_same(&a, &b), 0);
	TU_EQ("d", fw_name_parse("snom320-8.7.3.25.0", 18, 0, &b), FW_OK);
	TU_EQ("version differs", fw_ident_same(&a, &b), 0);
}

/* ---- manifest ------------------------------------------------------------ */

static void hexstr(const uint8_t *d, int upper, char out[65])
{
	for (size_t i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, upper ? "%02X" : "%02x", d[i]);
}

static void digest(uint8_t d[32], uint8_t seed)
{
	for (size_t i = 0; i < 32; i++)
		d[i] = (uint8_t)(seed + 37 * i);
}

/* Parse text from an exact-size heap copy without a terminating NUL. */
static int mparse(const char *text, size_t len, struct fw_manifest *m,
		  struct fw_manifest_error *e)
{
	uint8_t *p = tu_heapdup(text, len);
	int r = fw_manifest_parse((const char *)p, len, m, e);

	free(p);
	return r;
}

static void test_manifest_good(void **state)
{
	struct fw_manifest *m = calloc(1, sizeof(*m));
	struct fw_manifest_error e;
	uint8_t d[4][32];
	char h[4][65], text[2048];
	const struct fw_manifest_entry *f;
	int n;

	(void)state;
	for (int i = 0; i < 4; i++)
		digest(d[i], (uint8_t)(i * 50 + 1));
	hexstr(d[0], 0, h[0]);
	hexstr(d[1], 0, h[1]);
	hexstr(d[2], 1, h[2]); /* upper-case hex is accepted */
	hexstr(d[3], 0, h[3]);
	n = snprintf(text, sizeof(text),
		     "# snom 8.7.3.25, pasted from the vendor list\r\n" /* 1 */
		     "\n"                                                /* 2 */
		     "model 320 version 8.7.3.25\n"                      /* 3 */
		     "%s  snom320-8.7.3.25-SIP-r.bin\n"                  /* 4 */
		     "%s *renamed image.bin\n"                           /* 5 */
		     "   \t# indented comment\n"                         /* 6 */
		     "\t version 8.7.3.26\r\n"                          /* 7 */
		     "SHA256 (snom300-8.7.3.26-SIP-f.bin) = %s\n"        /* 8 */
		     "%s  snomd785-8.7.3.26-SIP-r.bin",                  /* 9 */
		     h[0], h[1], h[2], h[3]);
	TU_EQ("parse", mparse(text, (size_t)n, m, &e), 0);
	TU_EQ("line", e.line, 0);
	TU_CHECK("msg", e.msg == NULL);
	TU_EQ("n", m->n, 4);

	f = fw_manifest_find(m, "snom320-8.7.3.25-SIP-r.bin", 26);
	TU_CHECK("find 1", f != NULL && f == &m->e[0]);
	TU_MEMEQ("d0", f->sha256, 32, d[0], 32);
	TU_STREQ("m0", f->id.model, "320");
	TU_STREQ("v0", f->id.version.text, "8.7.3.25");
	TU_EQ("s0", f->id.source, FW_SRC_MANIFEST);
	TU_EQ("l0", f->line, 4);

	f = fw_manifest_find(m, "renamed image.bin", 17);
	TU_CHECK("find 2", f != NULL);
	TU_MEMEQ("d1", f->sha256, 32, d[1], 32);
	TU_STREQ("m1", f->id.model, "320"); /* from the group line */
	TU_EQ("l1", f->line, 5);

	f = fw_manifest_find(m, "snom300-8.7.3.26-SIP-f.bin", 26);
	TU_CHECK("find 3", f != NULL);
	TU_MEMEQ("d2", f->sha256, 32, d[2], 32);
	TU_STREQ("m2", f->id.model, "300"); /* group has no model: name */
	TU_STREQ("v2", f->id.version.text, "8.7.3.26");
	TU_EQ("l2", f->line, 8);

	f = fw_manifest_find(m, "snomd785-8.7.3.26-SIP-r.bin", 27);
	TU_CHECK("find 4", f != NULL);
	TU_MEMEQ("d3", f->sha256, 32, d[3], 32);
	TU_STREQ("m3", f->id.model, "D785");
	TU_EQ("l3", f->line, 9);

	/* Lookups are exact: no prefix, no case folding, no path. */
	TU_CHECK("prefix", fw_manifest_find(m, "snom320-8.7.3.25-SIP-r.bin", 25)
			   == NULL);
	TU_CHECK("case", fw_manifest_find(m, "SNOM320-8.7.3.25-SIP-r.bin", 26)
			 == NULL);
	TU_CHECK("absent", fw_manifest_find(m, "x.bin", 5) == NULL);

	/* Empty and comment-only manifests are valid and empty. */
	TU_EQ("empty", mparse("", 0, m, &e), 0);
	TU_EQ("empty n", m->n, 0);
	TU_EQ("comments", mparse("# a\n\n  # b\n", 11, m, &e), 0);
	TU_EQ("comments n", m->n, 0);
	free(m);
}

/* sha256sum's binary-mode marker and the group keys in either order. */
static void test_manifest_forms(void **state)
{
	struct fw_manifest *m = calloc(1, sizeof(*m));
	struct fw_manifest_error e;
	uint8_t d[32];
	char h[65], text[512];
	int n;

	(void)state;
	digest(d, 9);
	hexstr(d, 0, h);
	n = snprintf(text, sizeof(text),
		     "version 8.7.3.25-beta model 320\n%s *fw.bin\n", h);
	TU_EQ("parse", mparse(text, (size_t)n, m, &e), 0);
	TU_EQ("n", m->n, 1);
	TU_STREQ("name", m->e[0].name, "fw.bin");
	TU_STREQ("version", m->e[0].id.version.text, "8.7.3.25-beta");
	TU_EQ("pre", m->e[0].id.version.pre, FW_PRE_BETA);
	free(m);
}

static void test_manifest_bad_digest(void **state)
{
	struct fw_manifest *m = calloc(1, sizeof(*m));
	struct fw_manifest_error e;
	uint8_t d[32];
	char h[65], text[512], b63[70], b65[70], bx[70];
	const char *variants[4];
	int n;

	(void)state;
	digest(d, 3);
	hexstr(d, 0, h);
	/* 63 digits, 65 digits, a non-hex digit among 64, an empty digest. */
	snprintf(b63, sizeof(b63), "%.63s", h);
	snprintf(b65, sizeof(b65), "%sa", h);
	snprintf(bx, sizeof(bx), "%.30sg%s", h, h + 31);
	variants[0] = b63;
	variants[1] = b65;
	variants[2] = bx;
	variants[3] = "";
	for (int i = 0; i < 4; i++) {
		n = snprintf(text, sizeof(text),
			     "model 320 version 8.7.3.25\n"
			     "%s  snom320-8.7.3.25-SIP-r.bin\n", variants[i]);
		TU_EQ(variants[i], mparse(text, (size_t)n, m, &e), -1);
		TU_EQ(variants[i], e.line, 2);
		/* Without any digest the line starts with the name (leading
		 * blanks are skipped) and is not an entry at all. */
		TU_CHECK(variants[i], e.msg != NULL &&
			 strstr(e.msg, i < 3 ? "64 hex" : "unrecognised"));
	}
	/* The same in tag form. */
	n = snprintf(text, sizeof(text),
		     "version 8.7.3.25\nSHA256 (snom320-8.7.3.25-SIP-r.bin) = "
		     "%.63s\n", h);
	TU_EQ("tag 63", mparse(text, (size_t)n, m, &e), -1);
	TU_EQ("tag 63", e.line, 2);
	TU_CHECK("tag 63", strstr(e.msg, "tag line") != NULL);
	free(m);
}

static void test_manifest_malformed(void **state)
{
	/* Each row: lines before the bad one, the bad line, with "%s" where
	 * a valid 64-digit digest goes. The expected line number is the
	 * count of lines in "before" plus one; the error text must name the
	 * cause, so a row cannot pass by failing for another reason. */
	static const struct {
		const char *before, *bad, *why;
		const char *cause; /* part of the error text */
	} t[] = {
		{ "# first\n", "%s  a.bin", "entry before any group line",
		  "before any" },
		{ "", "model 320", "group without version",
		  "needs a version" },
		{ "", "model 320 version", "version without value",
		  "version without" },
		{ "", "version 8.7 colour red", "unknown key",
		  "unknown word" },
		{ "", "model 320 model 321 version 1.2", "model twice",
		  "model given twice" },
		{ "", "version 1.2 version 1.3", "version twice",
		  "version given twice" },
		{ "", "model 3-20 version 1.2", "bad model",
		  "bad model" },
		{ "", "model 320 version 8..7", "bad version",
		  "bad version" },
		{ "", "model 320 version 8.7-SIP", "suffix in version",
		  "bad version" },
		{ "", "modelo 320", "unknown directive",
		  "unrecognised" },
		{ "", "hello", "unrecognised line",
		  "unrecognised" },
		{ "model 320 version 1.2\n", "%s a.bin", "single space",
		  "between digest" },
		{ "model 320 version 1.2\n", "%s\ta.bin", "tab separator",
		  "between digest" },
		{ "model 320 version 1.2\n", "%s  ", "empty name",
		  "empty file name" },
		{ "model 320 version 1.2\n", "%s  dir/a.bin", "slash",
		  "'/'" },
		{ "model 320 version 1.2\n", "%s  .a.bin", "hidden",
		  "hidden" },
		{ "model 320 version 1.2\n", "%s  a\x01.bin", "control byte",
		  "control character" },
		{ "model 320 version 1.2\n", "\\%s  a\\\\b.bin", "escaped",
		  "escaped" },
		{ "model 320 version 1.2\n", "SHA256 (a.bin) %s", "tag no =",
		  "tag line" },
		{ "model 320 version 1.2\n", "SHA256 (a.bin) = %s trailing",
		  "tag trailing",
		  "tag line" },
		{ "model 320 version 1.2\n", "SHA1 (a.bin) = %s", "not sha256",
		  "unrecognised" },
		{ "model 320 version 1.2\n%s  a.bin\n", "%s  a.bin",
		  "listed twice",
		  "listed twice" },
		{ "model 320 version 8.7.3.25\n",
		  "%s  snom300-8.7.3.25-SIP-r.bin", "model differs from name",
		  "another model" },
		{ "model 320 version 8.7.3.25\n",
		  "%s  snom320-8.7.3.24-SIP-r.bin",
		  "version differs from name",
		  "another version" },
		{ "version 8.7.3.25\n", "%s  firmware.bin",
		  "no model anywhere",
		  "no model" },
		{ "# a\r\n\r\nversion 8.7.3.25\r\n"
		  "%s  snom320-8.7.3.25-SIP-r.bin\r\n",
		  "%s  snom320-8.7.3.25-SIP-r.bin.old", "after CRLF lines",
		  "no model" },
	};
	struct fw_manifest *m = calloc(1, sizeof(*m));
	struct fw_manifest_error e;
	uint8_t d[32];
	char h[65];

	(void)state;
	digest(d, 77);
	hexstr(d, 0, h);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char before[512], bad[512], text[1100];
		unsigned want = 1;
		int n;

		/* The row's strings are formats by design (digest in %s). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(before, sizeof(before), t[i].before, h);
		snprintf(bad, sizeof(bad), t[i].bad, h);
#pragma GCC diagnostic pop
		for (const char *c = before; *c; c++)
			want += *c == '\n';
		n = snprintf(text, sizeof(text), "%s%s\n", before, bad);
		TU_EQ(t[i].why, mparse(text, (size_t)n, m, &e), -1);
		TU_EQ(t[i].why, e.line, want);
		TU_CHECK(t[i].why, e.msg != NULL && e.msg[0] != '\0');
		TU_CHECK(t[i].why, strstr(e.msg, t[i].cause) != NULL);
	}

	/* A file name of 256 bytes (one more than NAME_MAX). */
	{
		char text[1100];
		int n = snprintf(text, sizeof(text), "model 320 version 1.2\n"
				 "%s  %0256d\n", h, 0);

		TU_EQ("long name", mparse(text, (size_t)n, m, &e), -1);
		TU_EQ("long name", e.line, 2);
		n = snprintf(text, sizeof(text), "model 320 version 1.2\n"
			     "%s  %0255d\n", h, 0);
		TU_EQ("255 name", mparse(text, (size_t)n, m, &e), 0);
	}
	/* A NUL byte inside a line. */
	{
		char text[200];
		int n = snprintf(text, sizeof(text),
				 "model 320 version 1.2\n%s  a", h);

		text[n++] = '\0';
		memcpy(text + n, "b.bin\n", 6);
		n += 6;
		TU_EQ("nul", mparse(text, (size_t)n, m, &e), -1);
		TU_EQ("nul", e.line, 2);
	}
	/* A line longer than FW_MANIFEST_LINE_MAX, even a comment. */
	{
		char *text = malloc(FW_MANIFEST_LINE_MAX + 10);

		memcpy(text, "# ok\n#", 6);
		memset(text + 6, 'x', FW_MANIFEST_LINE_MAX);
		TU_EQ("long line", mparse(text, FW_MANIFEST_LINE_MAX + 6, m, &e),
		      -1);
		TU_EQ("long line", e.line, 2);
		/* Exactly FW_MANIFEST_LINE_MAX is fine. */
		TU_EQ("max line", mparse(text, FW_MANIFEST_LINE_MAX + 5, m, &e),
		      0);
		free(text);
	}
	free(m);
}

/* FW_MANIFEST_MAX entries fit; one more is an error on its line. */
static void test_manifest_capacity(void **state)
{
	size_t cap = 40 + (FW_MANIFEST_MAX + 1) * 90;
	char *text = malloc(cap);
	struct fw_manifest *m = calloc(1, sizeof(*m));
	struct fw_manifest_error e;
	uint8_t d[32];
	char h[65];
	size_t off;

	(void)state;
	digest(d, 5);
	hexstr(d, 0, h);
	off = (size_t)snprintf(text, cap, "model 320 version 1.2\n");
	for (unsigned i = 0; i < FW_MANIFEST_MAX; i++)
		off += (size_t)snprintf(text + off, cap - off, "%s  f%u.bin\n",
					h, i);
	TU_EQ("full", mparse(text, off, m, &e), 0);
	TU_EQ("full n", m->n, FW_MANIFEST_MAX);
	off += (size_t)snprintf(text + off, cap - off, "%s  extra.bin\n", h);
	TU_EQ("over", mparse(text, off, m, &e), -1);
	TU_EQ("over line", e.line, FW_MANIFEST_MAX + 2);
	free(text);
	free(m);
}

/* ---- texts --------------------------------------------------------------- */

static void test_strings(void **state)
{
	(void)state;
	for (int a = FW_OK; a <= FW_E_IO; a++) {
		const char *sa = fw_check_str((enum fw_check)a);

		TU_CHECK("check str", sa != NULL && strcmp(sa, "unknown") != 0);
		for (int b = FW_OK; b < a; b++)
			TU_CHECK(sa, strcmp(sa, fw_check_str((enum fw_check)b))
				 != 0);
	}
	TU_STREQ("ok", fw_check_str(FW_OK), "ok");
	TU_STREQ("hcrc", fw_check_str(FW_E_BAD_HCRC), "bad-hcrc");
	TU_STREQ("out of range", fw_check_str((enum fw_check)999), "unknown");
	TU_STREQ("header", fw_source_str(FW_SRC_HEADER), "header");
	TU_STREQ("manifest", fw_source_str(FW_SRC_MANIFEST), "manifest");
	TU_CHECK("filename is labelled unverified",
		 strstr(fw_source_str(FW_SRC_FILENAME), "unverified") != NULL);
	TU_STREQ("none", fw_source_str(FW_SRC_NONE), "none");
	TU_STREQ("src range", fw_source_str((enum fw_source)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_uimage_good),
		cmocka_unit_test(test_uimage_truncated),
		cmocka_unit_test(test_uimage_bad_magic),
		cmocka_unit_test(test_uimage_bad_hcrc),
		cmocka_unit_test(test_uimage_bad_dcrc),
		cmocka_unit_test(test_uimage_names),
		cmocka_unit_test(test_uimage_name_no_nul_at_end),
		cmocka_unit_test(test_probe_table),
		cmocka_unit_test(test_name_parse),
		cmocka_unit_test(test_filename_parse),
		cmocka_unit_test(test_version_order),
		cmocka_unit_test(test_model_parse),
		cmocka_unit_test(test_ident_same),
		cmocka_unit_test(test_manifest_good),
		cmocka_unit_test(test_manifest_forms),
		cmocka_unit_test(test_manifest_bad_digest),
		cmocka_unit_test(test_manifest_malformed),
		cmocka_unit_test(test_manifest_capacity),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
