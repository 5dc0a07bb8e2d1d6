/* fwpolicy.c - firmware selection rules and their configuration
 * directives. Pure: no syscalls; the caller supplies the client's address,
 * MAC, last transfer and the clock. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fwpolicy.h"
#include "options.h"

void fwp_init(struct fwpolicy *p)
{
	static const char *const models[] = { "300", "320", "360", "370" };

	memset(p, 0, sizeof(*p));
	p->enabled = 1;
	p->exact_wins = 1;
	snprintf(p->dir, sizeof(p->dir), "firmware");
	snprintf(p->manifest, sizeof(p->manifest), "firmware/MANIFEST");
	snprintf(p->state_dir, sizeof(p->state_dir), "/var/lib/fwtftpd");
	acl_init(&p->client_acl);
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		snprintf(p->req[i].name, sizeof(p->req[i].name), "snom%s.bin", models[i]);
		snprintf(p->req[i].model, sizeof(p->req[i].model), "%s", models[i]);
		p->nreq++;
	}
}

int fwp_parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++, s++) {
			char c = *s;

			if (c >= '0' && c <= '9')
				v = v * 16 + (unsigned)(c - '0');
			else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				v = v * 16 + (unsigned)((c | 0x20) - 'a' + 10);
			else
				return -1;
		}
		mac[i] = (uint8_t)v;
		if (i < 5 && *s != ':' && *s != '-')
			return -1;
		if (i < 5)
			s++;
	}
	return *s == '\0' ? 0 : -1;
}

static int get_major(const char *s, uint32_t *out)
{
	uint64_t v;

	if (opt_number(s, &v) != 0 || v > 1000000)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int yes_no(const char *s, int *out)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "on") == 0)
		return *out = 1, 0;
	if (strcmp(s, "no") == 0 || strcmp(s, "off") == 0)
		return *out = 0, 0;
	return -1;
}

/* A path beneath the served root: relative, no "..", no control bytes. */
static int rel_path(const char *s, char *out, size_t sz)
{
	size_t n = strlen(s);

	while (*s == '/')
		s++, n--;
	if (n == 0 || n >= sz || strstr(s, "..") != NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	memcpy(out, s, n + 1);
	return 0;
}

#define ERR(...) do { snprintf(err, errsz, __VA_ARGS__); return -1; } while (0)

static int client_rule(struct fwpolicy *p, int argc, char **argv, unsigned line,
		       char *err, size_t errsz)
{
	struct fwp_client *c;
	int i = 2;

	/* client <CIDR|MAC> [model M] major N */
	if (argc != 4 && argc != 6)
		ERR("usage: client <CIDR|MAC> [model MODEL] major N");
	if (p->nclient >= FWP_MAX_CLIENT)
		ERR("too many client rules (at most %u)", FWP_MAX_CLIENT);
	c = &p->client[p->nclient];
	memset(c, 0, sizeof(*c));
	c->line = line;
	if (fwp_parse_mac(argv[1], c->mac) == 0) {
		c->kind = FWP_MAC;
		p->need_mac = 1;
	} else {
		char aerr[128];

		c->kind = FWP_CIDR;
		c->acl_idx = (int)p->client_acl.nrules;
		if (acl_add(&p->client_acl, argv[1], 1, aerr, sizeof(aerr)) != 0)
			ERR("client %s: neither a MAC address nor %s", argv[1], aerr);
	}
	if (argc == 6) {
		if (strcmp(argv[i], "model") != 0 ||
		    fw_model_parse(argv[i + 1], strlen(argv[i + 1]), c->model) != 0)
			ERR("client: expected 'model MODEL' (e.g. model 320)");
		i += 2;
	}
	if (strcmp(argv[i], "major") != 0 || get_major(argv[i + 1], &c->major) != 0)
		ERR("client: expected 'major N'");
	p->nclient++;
	return 1;
}

int fwp_directive(struct fwpolicy *p, int argc, char **argv, unsigned line,
		  char *err, size_t errsz)
{
	const char *k = argv[0];
	uint64_t v;

	if (strcmp(k, "client") == 0)
		return client_rule(p, argc, argv, line, err, errsz);
	if (strcmp(k, "firmware") == 0) {
		if (argc != 2 || yes_no(argv[1], &p->enabled) != 0)
			ERR("usage: firmware yes|no");
	} else if (strcmp(k, "firmware-dir") == 0) {
		if (argc != 2 || rel_path(argv[1], p->dir, sizeof(p->dir)) != 0)
			ERR("usage: firmware-dir DIR (beneath the served root, no '..')");
	} else if (strcmp(k, "manifest") == 0) {
		if (argc != 2 || rel_path(argv[1], p->manifest, sizeof(p->manifest)) != 0)
			ERR("usage: manifest FILE (beneath the served root, no '..')");
	} else if (strcmp(k, "filename-fallback") == 0) {
		if (argc != 2 || yes_no(argv[1], &p->filename_fallback) != 0)
			ERR("usage: filename-fallback yes|no");
	} else if (strcmp(k, "exact-name-wins") == 0) {
		if (argc != 2 || yes_no(argv[1], &p->exact_wins) != 0)
			ERR("usage: exact-name-wins yes|no");
	} else if (strcmp(k, "rotate-on-retry") == 0) {
		if (argc != 2 || opt_number(argv[1], &v) != 0 || v > 86400)
			ERR("usage: rotate-on-retry SECONDS (0-86400, 0 = off)");
		p->rotate_s = (unsigned)v;
	} else if (strcmp(k, "state-dir") == 0) {
		if (argc != 2 || argv[1][0] != '/' || strlen(argv[1]) >= sizeof(p->state_dir))
			ERR("usage: state-dir /ABSOLUTE/DIR");
		snprintf(p->state_dir, sizeof(p->state_dir), "%s", argv[1]);
	} else if (strcmp(k, "request") == 0) {
		struct fwp_request *r;

		/* request NAME model MODEL */
		if (argc != 4 || strcmp(argv[2], "model") != 0)
			ERR("usage: request NAME model MODEL");
		if (strlen(argv[1]) >= sizeof(r->name) || strchr(argv[1], '/') != NULL)
			ERR("request: NAME must be a plain file name under 64 bytes");
		for (unsigned i = 0; i < p->nreq; i++)
			if (strcasecmp(p->req[i].name, argv[1]) == 0)
				ERR("request %s: already defined", argv[1]);
		if (p->nreq >= FWP_MAX_REQ)
			ERR("too many request names (at most %u)", FWP_MAX_REQ);
		r = &p->req[p->nreq];
		if (fw_model_parse(argv[3], strlen(argv[3]), r->model) != 0)
			ERR("request: bad model '%s'", argv[3]);
		snprintf(r->name, sizeof(r->name), "%s", argv[1]);
		p->nreq++;
	} else if (strcmp(k, "default-major") == 0) {
		struct fwp_default *d;

		/* default-major MODEL N */
		if (argc != 3)
			ERR("usage: default-major MODEL N");
		if (p->ndef >= FWP_MAX_DEFAULT)
			ERR("too many default-major lines (at most %u)", FWP_MAX_DEFAULT);
		d = &p->def[p->ndef];
		if (fw_model_parse(argv[1], strlen(argv[1]), d->model) != 0 ||
		    get_major(argv[2], &d->major) != 0)
			ERR("default-major: expected MODEL N, e.g. default-major 320 8");
		for (unsigned i = 0; i < p->ndef; i++)
			if (strcasecmp(p->def[i].model, d->model) == 0)
				ERR("default-major %s: already defined", d->model);
		p->ndef++;
	} else {
		return 0;
	}
	return 1;
}

const char *fwp_model_for(const struct fwpolicy *p, const char *path)
{
	if (!p->enabled)
		return NULL;
	for (unsigned i = 0; i < p->nreq; i++)
		if (strcasecmp(p->req[i].name, path) == 0)
			return p->req[i].model;
	return NULL;
}

static int has_major(const uint32_t *majors, unsigned n, uint32_t m)
{
	for (unsigned i = 0; i < n; i++)
		if (majors[i] == m)
			return 1;
	return 0;
}

uint32_t fwp_target_major(const struct fwpolicy *p, const char *model,
			  const struct sockaddr *sa, socklen_t salen,
			  const uint8_t *mac, const struct fwp_last *last,
			  int64_t now, const uint32_t *majors, unsigned n,
			  const char **how, unsigned *line)
{
	int cidr_first = -1;

	*line = 0;
	/* The phone said "Wrong Image - Aborted" and the user retried: move
	 * on to the next major present, wrapping around. */
	if (p->rotate_s > 0 && last != NULL && last->valid &&
	    strcasecmp(last->model, model) == 0 && now >= last->t_done &&
	    now - last->t_done <= (int64_t)p->rotate_s) {
		for (unsigned i = 0; i < n; i++) {
			if (majors[i] > last->major) {
				*how = "rotation";
				return majors[i];
			}
		}
		*how = "rotation";
		return majors[0];
	}
	/* First matching client rule, CIDR and MAC rules in file order. The
	 * ACL holds only the CIDR rules, so ask it rule by rule's model. */
	for (unsigned i = 0; i < p->nclient; i++) {
		const struct fwp_client *c = &p->client[i];
		int match = 0;

		if (c->model[0] != '\0' && strcasecmp(c->model, model) != 0)
			continue;
		if (c->kind == FWP_MAC) {
			match = mac != NULL && memcmp(mac, c->mac, 6) == 0;
		} else {
			struct acl one;

			acl_init(&one);
			one.nrules = 1;
			one.rules[0] = p->client_acl.rules[c->acl_idx];
			one.rules[0].allow = ACL_ALLOW;
			match = acl_check(&one, sa, salen, &cidr_first) == ACL_ALLOW &&
				cidr_first == 0;
		}
		if (match) {
			*how = "client-rule";
			*line = c->line;
			return c->major;
		}
	}
	for (unsigned i = 0; i < p->ndef; i++) {
		if (strcasecmp(p->def[i].model, model) == 0 && has_major(majors, n, p->def[i].major)) {
			*how = "default";
			return p->def[i].major;
		}
		if (strcasecmp(p->def[i].model, model) == 0) {
			/* The default names a major with no image: say so. */
			*how = "default";
			return p->def[i].major;
		}
	}
	*how = "newest";
	return majors[n - 1];
}
