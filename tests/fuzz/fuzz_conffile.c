/* fuzz_conffile.c - libFuzzer harness for conf_parse, and through it the
 * directive parsers of acl.c and fwpolicy.c. The input is the file text in
 * a heap buffer of exactly its size; the error buffer is exactly as large
 * as the first input byte says (0..255), so a message that overruns it is
 * caught. The configuration starts as args.c leaves it before reading -f.
 * Checked: an error is NUL-terminated inside errsz and (when it fits)
 * names the file and an existing line; the resulting configuration stays
 * inside every table bound and every rule the header promises (relative
 * firmware paths without "..", an absolute state dir, patterns without
 * control bytes, a mode left on). Test-only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "conffile.h"
#include "config.h"
#include "fwpolicy.h"
#include "options.h"
#include "tftp.h"

#include "fuzz.h"

#define CONF_NAME "fuzz.conf"

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

static void check_str_field(const char *s, size_t sz)
{
	CHECK(memchr(s, '\0', sz) != NULL);
	CHECK(!has_ctl(s));
}

static void check_acl(const struct acl *a)
{
	CHECK(a->nrules <= ACL_MAX_RULES && a->nnames <= ACL_MAX_NAMES);
	for (unsigned i = 0; i < a->nrules; i++) {
		const struct acl_rule *r = &a->rules[i];

		CHECK(r->allow == ACL_ALLOW || r->allow == ACL_DENY);
		if (r->family == AF_INET)
			CHECK(r->prefix <= 32);
		else if (r->family == AF_INET6)
			CHECK(r->prefix <= 128);
		else
			CHECK(r->family == AF_UNSPEC);
	}
	for (unsigned i = 0; i < a->nnames; i++) {
		const char *p = a->names[i];
		size_t l;

		check_str_field(p, ACL_NAME_PAT_MAX);
		l = strlen(p);
		CHECK(l > 0 && p[0] != '/' && p[l - 1] != '/');
		CHECK(strstr(p, "//") == NULL);
	}
	CHECK((a->modes_off & ~(unsigned)(ACL_MODE_OCTET | ACL_MODE_NETASCII)) == 0);
	CHECK(a->modes_off != (ACL_MODE_OCTET | ACL_MODE_NETASCII));
	CHECK(acl_mode_check(a, "octet") == ACL_ALLOW ||
	      acl_mode_check(a, "netascii") == ACL_ALLOW);
}

static void check_model(const char *m, int may_be_empty)
{
	size_t l = strnlen(m, FW_MODEL_LEN + 1);

	CHECK(l <= FW_MODEL_LEN);
	CHECK(l > 0 || may_be_empty);
	for (size_t i = 0; i < l; i++)
		CHECK((m[i] >= '0' && m[i] <= '9') || (m[i] >= 'A' && m[i] <= 'Z'));
}

static void check_relpath(const char *p)
{
	check_str_field(p, FWP_PATH_MAX);
	CHECK(p[0] != '\0' && p[0] != '/');
	CHECK(strstr(p, "..") == NULL);
}

/* ok: the whole file was accepted, so no directive stopped half-way and
 * the cross-references between tables must hold too. */
static void check_fw(const struct fwpolicy *p, int ok)
{
	CHECK(p->nreq <= FWP_MAX_REQ && p->ndef <= FWP_MAX_DEFAULT &&
	      p->nclient <= FWP_MAX_CLIENT);
	CHECK(p->enabled == 0 || p->enabled == 1);
	CHECK(p->filename_fallback == 0 || p->filename_fallback == 1);
	CHECK(p->exact_wins == 0 || p->exact_wins == 1);
	CHECK(p->rotate_s <= 86400);
	check_relpath(p->dir);
	check_relpath(p->manifest);
	CHECK(memchr(p->state_dir, '\0', FWP_PATH_MAX) != NULL && p->state_dir[0] == '/');
	for (unsigned i = 0; i < p->nreq; i++) {
		CHECK(memchr(p->req[i].name, '\0', sizeof(p->req[i].name)) != NULL);
		CHECK(p->req[i].name[0] != '\0' && strchr(p->req[i].name, '/') == NULL);
		check_model(p->req[i].model, 0);
		for (unsigned k = 0; k < i; k++)
			CHECK(strcasecmp(p->req[i].name, p->req[k].name) != 0);
	}
	for (unsigned i = 0; i < p->ndef; i++) {
		check_model(p->def[i].model, 0);
		CHECK(p->def[i].major <= 1000000);
		for (unsigned k = 0; k < i; k++)
			CHECK(strcmp(p->def[i].model, p->def[k].model) != 0);
	}
	check_acl(&p->client_acl);
	if (ok)
		CHECK(p->client_acl.nrules <= p->nclient);
	for (unsigned i = 0; i < p->nclient; i++) {
		const struct fwp_client *c = &p->client[i];

		CHECK(c->kind == FWP_CIDR || c->kind == FWP_MAC);
		if (c->kind == FWP_CIDR)
			CHECK(c->acl_idx >= 0 && (unsigned)c->acl_idx < p->client_acl.nrules);
		else
			CHECK(p->need_mac);
		if (ok && c->kind == FWP_CIDR && i > 0 && p->client[i - 1].kind == FWP_CIDR)
			CHECK(c->acl_idx == p->client[i - 1].acl_idx + 1);
		check_model(c->model, 1);
		CHECK(c->major <= 1000000);
		CHECK(c->line >= 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_config *cfg = malloc(sizeof(*cfg));
	size_t errsz = size > 0 ? data[0] : 0;
	char *text = malloc(size), *err = malloc(errsz);
	size_t lines = 0;
	int r;

	CHECK(cfg != NULL && (text != NULL || size == 0) && (err != NULL || errsz == 0));
	if (size > 0)
		memcpy(text, data, size);
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	lines += size > 0 && text[size - 1] != '\n';

	config_defaults(cfg);
	r = conf_parse(CONF_NAME, text, size, cfg, err, errsz);
	CHECK(r == 0 || r == -1);
	if (r != 0 && errsz > 0) {
		char big[512];
		unsigned ln = 0;
		struct fw_config *c2 = malloc(sizeof(*c2));

		CHECK(memchr(err, '\0', errsz) != NULL);
		/* Parse again with room enough to read the whole message: the
		 * same error, "name:line: text", on a line that exists. */
		CHECK(c2 != NULL);
		config_defaults(c2);
		CHECK(conf_parse(CONF_NAME, text, size, c2, big, sizeof(big)) == -1);
		CHECK(strncmp(big, err, errsz - 1) == 0);
		CHECK(strncmp(big, CONF_NAME ":", sizeof(CONF_NAME)) == 0);
		CHECK(sscanf(big + sizeof(CONF_NAME), "%u:", &ln) == 1);
		CHECK(ln >= 1 && ln <= lines);
		free(c2);
	}
	/* Whether or not it failed, nothing went out of bounds. */
	check_acl(&cfg->acl);
	check_fw(&cfg->fw, r == 0);
	CHECK((cfg->lim.refused & ~(unsigned)(OPT_BLKSIZE | OPT_TSIZE | OPT_TIMEOUT |
					      OPT_WINDOWSIZE)) == 0);
	free(err);
	free(text);
	free(cfg);
	return 0;
}
