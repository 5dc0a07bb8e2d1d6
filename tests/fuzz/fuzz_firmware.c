/* fuzz_firmware.c - libFuzzer harness for the image side of firmware.c:
 * fw_uimage_parse, fw_uimage_check, fw_header_probe, fw_crc32 (against a
 * bit-at-a-time CRC written here), and the name grammar: fw_name_parse,
 * fw_filename_parse, fw_version_parse, fw_model_parse, fw_version_cmp.
 * The input is used as an image as it is, and once more with magic, size
 * and both CRCs repaired so that the name parser behind them is reached on
 * every run. Lines of the input are versions for the order checks
 * (reflexive, antisymmetric, transitive). Each parser gets its own heap
 * buffer of exactly the bytes it may read. Test-only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware.h"

#include "fuzz.h"

/* CRC-32 (reflected 0xEDB88320) from the definition, one bit at a time. */
static uint32_t crc_ref(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ ((crc & 1u) ? 0xedb88320u : 0u);
	}
	return ~crc;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static int is_name_error(enum fw_check c)
{
	return c == FW_E_BAD_NAME || c == FW_E_NO_VERSION ||
	       c == FW_E_BAD_VERSION || c == FW_E_NAME_CUT;
}

/* A version from a parser: 1..8 parts, canonical text that parses back to
 * the same version and the same text. */
static void check_version(const struct fw_version *v)
{
	struct fw_version again;
	size_t tl;
	char *t;

	CHECK(v->nparts >= 1 && v->nparts <= FW_VER_PARTS);
	CHECK(v->pre >= FW_PRE_NONE && v->pre <= FW_PRE_RC);
	CHECK(v->pre != FW_PRE_NONE || v->pre_num == 0);
	CHECK(memchr(v->text, '\0', sizeof(v->text)) != NULL);
	for (unsigned i = 0; i < v->nparts; i++)
		CHECK(v->part[i] <= 999999999u); /* at most 9 digits */
	CHECK(fw_version_major(v) == v->part[0]);
	tl = strlen(v->text);
	t = (char *)dup_exact(v->text, tl);
	CHECK(fw_version_parse(t, tl, &again) == FW_OK);
	CHECK(fw_version_cmp(v, &again) == 0 && fw_version_cmp(&again, v) == 0);
	CHECK(strcmp(again.text, v->text) == 0);
	CHECK(again.nparts == v->nparts && again.pre == v->pre &&
	      again.pre_num == v->pre_num);
	free(t);
}

static void check_ident(const struct fw_ident *id)
{
	char m[FW_MODEL_LEN + 1];
	size_t ml = strnlen(id->model, sizeof(id->model));
	char *t;

	CHECK(ml >= 1 && ml <= FW_MODEL_LEN);
	for (size_t i = 0; i < ml; i++)
		CHECK((id->model[i] >= '0' && id->model[i] <= '9') ||
		      (id->model[i] >= 'A' && id->model[i] <= 'Z'));
	t = (char *)dup_exact(id->model, ml);
	CHECK(fw_model_parse(t, ml, m) == 0 && strcmp(m, id->model) == 0);
	free(t);
	check_version(&id->version);
	CHECK(fw_ident_same(id, id));
}

/* ---- images ------------------------------------------------------------ */

static void check_image(const uint8_t *img, size_t len)
{
	static const uint8_t magic[4] = { 0x27, 0x05, 0x19, 0x56 };
	struct fw_uimage h, h2;
	struct fw_ident id, pid;
	struct fw_hdr hdr;
	enum fw_check c, cc, pc;
	size_t m = len < 4 ? len : 4;
	size_t plen = len < FW_PROBE_READ ? len : FW_PROBE_READ;
	uint8_t *probe = dup_exact(img, plen);

	c = fw_uimage_parse(img, len, &h);
	CHECK(fw_check_str(c) != NULL);
	if (m > 0 && memcmp(img, magic, m) != 0) {
		CHECK(c == FW_E_BAD_MAGIC);
	} else if (len < FW_UIMAGE_HDR_LEN) {
		CHECK(c == FW_E_TRUNCATED);
	} else {
		uint8_t tmp[FW_UIMAGE_HDR_LEN];

		memcpy(tmp, img, sizeof(tmp));
		memset(tmp + 4, 0, 4);
		CHECK(c == (crc_ref(0, tmp, sizeof(tmp)) == be32(img + 4) ? FW_OK
									  : FW_E_BAD_HCRC));
		CHECK(h.hcrc == be32(img + 4) && h.time == be32(img + 8));
		CHECK(h.size == be32(img + 12) && h.load == be32(img + 16));
		CHECK(h.ep == be32(img + 20) && h.dcrc == be32(img + 24));
		CHECK(h.os == img[28] && h.arch == img[29] && h.type == img[30] &&
		      h.comp == img[31]);
		CHECK(h.name_len <= FW_UIMAGE_NAME_LEN && h.name[h.name_len] == '\0');
		CHECK(memchr(h.name, '\0', h.name_len) == NULL);
		CHECK(memcmp(h.name, img + 32, h.name_len) == 0);
		CHECK(h.name_full == (h.name_len == FW_UIMAGE_NAME_LEN));
	}

	cc = fw_uimage_check(img, len, &h2, &id);
	if (cc == FW_OK) {
		CHECK(c == FW_OK);
		CHECK(len - FW_UIMAGE_HDR_LEN >= h2.size);
		CHECK(crc_ref(0, img + FW_UIMAGE_HDR_LEN, h2.size) == h2.dcrc);
		CHECK(id.source == FW_SRC_HEADER);
		CHECK(fw_source_str(id.source) != NULL);
		check_ident(&id);
	} else {
		CHECK(c != FW_OK || cc == FW_E_TRUNCATED || cc == FW_E_BAD_DCRC ||
		      is_name_error(cc));
	}

	/* The probe sees at most its 64 bytes and the file size. */
	pc = fw_header_probe(probe, plen, len, &hdr, &pid);
	CHECK(fw_check_str(pc) != NULL);
	if (len == 0)
		CHECK(pc == FW_E_TRUNCATED);
	CHECK((pc == FW_E_BAD_MAGIC) == (c == FW_E_BAD_MAGIC));
	if (pc == FW_E_BAD_MAGIC) {
		CHECK(hdr.format == NULL && !hdr.intact);
	} else {
		CHECK(hdr.format != NULL && strcmp(hdr.format, "uimage") == 0);
	}
	if (pc == FW_OK) {
		CHECK(hdr.intact && hdr.data_off == FW_UIMAGE_HDR_LEN);
		CHECK(hdr.data_off + hdr.data_len <= len);
		CHECK(pid.source == FW_SRC_HEADER);
		check_ident(&pid);
	} else {
		/* A good header without identity, or a broken image. */
		CHECK(hdr.intact == is_name_error(pc));
	}
	/* The streaming path and the in-memory check agree. */
	if (cc == FW_OK) {
		CHECK(pc == FW_OK && fw_ident_same(&id, &pid));
		CHECK(hdr.data_crc == h2.dcrc && hdr.data_len == h2.size);
	}
	if (pc == FW_OK && crc_ref(0, img + FW_UIMAGE_HDR_LEN, hdr.data_len) == hdr.data_crc)
		CHECK(cc == FW_OK);
	/* A file longer than what was read changes only the size check. */
	if (len >= FW_UIMAGE_HDR_LEN) {
		enum fw_check pc2 = fw_header_probe(probe, plen, (uint64_t)len + 4096,
						    &hdr, &pid);

		CHECK(pc2 == pc || (pc == FW_E_TRUNCATED && (pc2 == FW_OK ||
							     is_name_error(pc2))));
	}
	free(probe);
}

/* The input with magic, size and CRCs made valid: only the name decides. */
static void check_repaired(const uint8_t *data, size_t size)
{
	struct fw_uimage h;
	struct fw_ident id, nid;
	uint8_t *img;
	uint32_t dsize;
	enum fw_check c, nc;

	if (size < FW_UIMAGE_HDR_LEN)
		return;
	img = dup_exact(data, size);
	put_be32(img, 0x27051956u);
	dsize = be32(img + 12);
	if (dsize > size - FW_UIMAGE_HDR_LEN)
		dsize = (uint32_t)((size - FW_UIMAGE_HDR_LEN) & 0xffffffffu);
	put_be32(img + 12, dsize);
	put_be32(img + 24, crc_ref(0, img + FW_UIMAGE_HDR_LEN, dsize));
	memset(img + 4, 0, 4);
	put_be32(img + 4, crc_ref(0, img, FW_UIMAGE_HDR_LEN));

	c = fw_uimage_check(img, size, &h, &id);
	CHECK(c == FW_OK || is_name_error(c));
	nc = fw_name_parse(h.name, h.name_len, h.name_full, &nid);
	CHECK(nc == c);
	if (c == FW_OK)
		CHECK(fw_ident_same(&id, &nid));
	check_image(img, size);
	free(img);
}

/* ---- names ------------------------------------------------------------- */

static void check_names(const uint8_t *data, size_t size)
{
	char *s = (char *)dup_exact(data, size);
	struct fw_ident a, b, f;
	struct fw_version v;
	char model[FW_MODEL_LEN + 1];
	enum fw_check ca, cb, cf, cv;

	ca = fw_name_parse(s, size, 0, &a);
	cb = fw_name_parse(s, size, 1, &b);
	CHECK(fw_check_str(ca) != NULL);
	if (ca == FW_OK)
		check_ident(&a);
	else
		CHECK(is_name_error(ca));
	/* maybe_cut can only refuse more, never change an identity. */
	if (cb == FW_OK) {
		check_ident(&b);
		CHECK(ca == FW_OK && fw_ident_same(&a, &b));
	} else {
		CHECK(is_name_error(cb));
	}

	cf = fw_filename_parse(s, size, &f);
	if (cf == FW_OK) {
		CHECK(f.source == FW_SRC_FILENAME);
		check_ident(&f);
		/* A vendor file name is also a valid image name, same identity. */
		CHECK(ca == FW_OK && fw_ident_same(&a, &f));
		CHECK(size >= 4 && memchr(s, '\0', size) == NULL);
	}

	cv = fw_version_parse(s, size, &v);
	if (cv == FW_OK)
		check_version(&v);
	else
		CHECK(cv == FW_E_BAD_VERSION);

	if (fw_model_parse(s, size, model) == 0) {
		CHECK(size >= 1 && size <= FW_MODEL_LEN && strlen(model) == size);
		for (size_t i = 0; i < size; i++)
			CHECK(model[i] == (s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]));
	}
	free(s);
}

/* Versions from the input's lines: the order is a total preorder. */
static void check_order(const uint8_t *data, size_t size)
{
	struct fw_version v[4];
	unsigned n = 0;
	size_t pos = 0;

	while (pos <= size && n < 4) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t l = nl ? (size_t)(nl - (data + pos)) : size - pos;
		char *s = (char *)dup_exact(data + pos, l);

		if (fw_version_parse(s, l, &v[n]) == FW_OK)
			n++;
		free(s);
		pos += l + 1;
	}
	for (unsigned i = 0; i < n; i++) {
		CHECK(fw_version_cmp(&v[i], &v[i]) == 0);
		for (unsigned j = 0; j < n; j++) {
			int ij = sign(fw_version_cmp(&v[i], &v[j]));

			CHECK(ij == -sign(fw_version_cmp(&v[j], &v[i])));
			if (ij == 0)
				CHECK(fw_version_major(&v[i]) == fw_version_major(&v[j]));
			for (unsigned k = 0; k < n; k++) {
				int jk = sign(fw_version_cmp(&v[j], &v[k]));
				int ik = sign(fw_version_cmp(&v[i], &v[k]));

				if (ij <= 0 && jk <= 0)
					CHECK(ik <= 0);
				if (ij == 0 && jk == 0)
					CHECK(ik == 0);
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *img = dup_exact(data, size);
	size_t cut = size > 0 ? data[0] % (size + 1) : 0;

	/* fw_crc32 against the reference, whole and continued at a cut. */
	CHECK(fw_crc32(0, img, size) == crc_ref(0, img, size));
	CHECK(fw_crc32(fw_crc32(0, img, cut), img + cut, size - cut) ==
	      crc_ref(0, img, size));

	check_image(img, size);
	free(img);
	check_repaired(data, size);
	check_names(data, size);
	if (size > FW_UIMAGE_HDR_LEN)
		check_names(data + 32, FW_UIMAGE_NAME_LEN);
	check_order(data, size);
	return 0;
}
