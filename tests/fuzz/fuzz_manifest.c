/* fuzz_manifest.c - libFuzzer harness for fw_manifest_parse and
 * fw_manifest_find. The input is the manifest text, in a heap buffer of
 * exactly its size (no NUL after it). Checked: an error names a line that
 * exists and a fixed message; on success every entry has a plain, unique
 * file name that fw_manifest_find returns, a valid identity, and was
 * really written on the line it records (its name and its digest in hex
 * are on that line); a prefix of a valid manifest cut at a line end parses
 * to the first entries of the whole. Test-only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware.h"

#include "fuzz.h"

static size_t count_lines(const char *s, size_t n)
{
	size_t lines = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			lines++;
	return lines + (n > 0 && s[n - 1] != '\n');
}

/* Start and length of 1-based line ln. */
static int line_at(const char *s, size_t n, unsigned ln, const char **ls, size_t *ll)
{
	size_t pos = 0;

	for (unsigned k = 1; pos <= n; k++) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t l = nl ? (size_t)(nl - (s + pos)) : n - pos;

		if (k == ln) {
			*ls = s + pos;
			*ll = l;
			return 0;
		}
		if (nl == NULL)
			break;
		pos += l + 1;
	}
	return -1;
}

static int find_nocase(const char *hay, size_t hl, const char *needle, size_t nl)
{
	for (size_t i = 0; i + nl <= hl; i++) {
		size_t k = 0;

		while (k < nl && (hay[i + k] | 0x20) == (needle[k] | 0x20))
			k++;
		if (k == nl)
			return 1;
	}
	return 0;
}

static int find_exact(const char *hay, size_t hl, const char *needle, size_t nl)
{
	for (size_t i = 0; i + nl <= hl; i++)
		if (memcmp(hay + i, needle, nl) == 0)
			return 1;
	return 0;
}

static void check_entry(const struct fw_manifest *m, unsigned i, const char *text,
			size_t len, unsigned prev_line)
{
	const struct fw_manifest_entry *e = &m->e[i];
	size_t nl = strnlen(e->name, sizeof(e->name));
	char hex[2 * FW_SHA256_LEN + 1], *name;
	const char *ls;
	size_t ll;

	CHECK(nl >= 1 && nl <= FW_FILE_NAME_MAX);
	CHECK(memchr(e->name, '/', nl) == NULL && e->name[0] != '.');
	for (size_t k = 0; k < nl; k++)
		CHECK((unsigned char)e->name[k] >= 0x20 && (unsigned char)e->name[k] < 0x7f);
	name = (char *)dup_exact(e->name, nl);
	CHECK(fw_manifest_find(m, name, nl) == e); /* and so names are unique */
	free(name);
	CHECK(e->id.source == FW_SRC_MANIFEST);
	{
		char mdl[FW_MODEL_LEN + 1];
		size_t ml = strnlen(e->id.model, sizeof(e->id.model));
		char *t = (char *)dup_exact(e->id.model, ml);

		CHECK(fw_model_parse(t, ml, mdl) == 0 && strcmp(mdl, e->id.model) == 0);
		free(t);
	}
	CHECK(e->id.version.nparts >= 1 && e->id.version.nparts <= FW_VER_PARTS);
	{
		struct fw_version v;
		size_t tl = strnlen(e->id.version.text, sizeof(e->id.version.text));
		char *t = (char *)dup_exact(e->id.version.text, tl);

		CHECK(tl < sizeof(e->id.version.text));
		CHECK(fw_version_parse(t, tl, &v) == FW_OK);
		CHECK(fw_version_cmp(&v, &e->id.version) == 0);
		free(t);
	}
	/* Entries come in line order, each from its own line. */
	CHECK(e->line > prev_line);
	CHECK(line_at(text, len, e->line, &ls, &ll) == 0);
	CHECK(find_exact(ls, ll, e->name, nl));
	for (size_t k = 0; k < FW_SHA256_LEN; k++)
		snprintf(hex + 2 * k, 3, "%02x", e->sha256[k]);
	CHECK(find_nocase(ls, ll, hex, 2 * FW_SHA256_LEN));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fw_manifest m, m2; /* ~150 KiB each: not on the stack */
	struct fw_manifest_error err, err2;
	char *text = (char *)dup_exact(data, size);
	size_t lines = count_lines(text, size);
	int r = fw_manifest_parse(text, size, &m, &err);

	CHECK(r == 0 || r == -1);
	CHECK(m.n <= FW_MANIFEST_MAX);
	if (r != 0) {
		CHECK(err.msg != NULL && err.msg[0] != '\0');
		CHECK(err.line >= 1 && err.line <= lines);
		free(text);
		return 0;
	}
	CHECK(err.line == 0);
	for (unsigned i = 0; i < m.n; i++)
		check_entry(&m, i, text, size, i ? m.e[i - 1].line : 0);
	{
		char *none = (char *)dup_exact("", 0);

		CHECK(fw_manifest_find(&m, none, 0) == NULL);
		free(none);
	}

	/* A valid manifest cut after some line is valid with the same first
	 * entries: the parser holds no state across lines but the group. */
	if (size > 0) {
		size_t cut = data[0] % size, end;
		const char *nl = memchr(text + cut, '\n', size - cut);
		char *pre;

		end = nl ? (size_t)(nl - text) + 1 : size;
		pre = (char *)dup_exact(text, end);
		CHECK(fw_manifest_parse(pre, end, &m2, &err2) == 0);
		CHECK(m2.n <= m.n);
		for (unsigned i = 0; i < m2.n; i++) {
			CHECK(strcmp(m2.e[i].name, m.e[i].name) == 0);
			CHECK(memcmp(m2.e[i].sha256, m.e[i].sha256, FW_SHA256_LEN) == 0);
			CHECK(fw_ident_same(&m2.e[i].id, &m.e[i].id));
			CHECK(m2.e[i].line == m.e[i].line);
		}
		if (end == size)
			CHECK(m2.n == m.n);
		free(pre);
	}
	free(text);
	return 0;
}
