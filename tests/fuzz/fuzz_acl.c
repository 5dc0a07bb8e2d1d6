/* fuzz_acl.c - libFuzzer harness for the parsers of acl.c: acl_add (the
 * address spec), acl_deny_name (name patterns), acl_mode_disable, and the
 * decisions built on them. The input is split at '\n': each line is a spec,
 * a pattern and a mode at once, each in a NUL-terminated heap buffer of
 * exactly its length + 1; error buffers are exactly as large as a byte
 * derived from the line says. Checked: errors are NUL-terminated inside
 * errsz; a stored rule is a network (host bits clear, prefix in range)
 * that prints with acl_rule_format and parses back to the same rule,
 * matches its own network address and every address inside it, and
 * nothing outside; the first matching rule of a list decides; a stored
 * pattern is the spec minus leading '/', and "*" refuses every path;
 * dotfile, empty and over-long paths are refused whatever the rules; a
 * mode can be switched off, but never both. Test-only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "acl.h"
#include "path.h"
#include "tftp.h"

#include "fuzz.h"

static char *cstr_exact(const char *p, size_t n)
{
	char *b = malloc(n + 1);

	CHECK(b != NULL);
	memcpy(b, p, n);
	b[n] = '\0';
	return b;
}

/* A sockaddr for family fam and address bytes a (4 or 16). */
static socklen_t make_sa(struct sockaddr_storage *ss, int fam, const uint8_t *a)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, a, 4);
		return sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a, 16);
		return sizeof(*in6);
	}
}

/* ::ffff:0:0/96 */
static int is_mapped(const uint8_t *a16)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a16, pfx, sizeof(pfx)) == 0;
}

static int decide(const struct acl *a, int fam, const uint8_t *addr, int *rule)
{
	struct sockaddr_storage ss;
	socklen_t sl = make_sa(&ss, fam, addr);

	return acl_check(a, (const struct sockaddr *)&ss, sl, rule);
}

/* Checks on a rule that acl_add just stored alone in a fresh acl. */
static void check_rule(const struct acl *a, uint8_t flip)
{
	const struct acl_rule *r = &a->rules[0];
	unsigned nbytes = r->family == AF_INET ? 4 : 16, bit;
	char txt[128], *spec, err[96];
	struct acl b;
	uint8_t addr[16];
	int rule, want = r->allow ? ACL_ALLOW : ACL_DENY;

	CHECK(a->nrules == 1);
	acl_rule_format(a, 0, txt, sizeof(txt));
	CHECK(memchr(txt, '\0', sizeof(txt)) != NULL);

	/* Printed form parses back to the same rule. */
	spec = strchr(txt, ' ');
	CHECK(spec != NULL);
	spec++;
	acl_init(&b);
	CHECK(acl_add(&b, spec, r->allow, err, sizeof(err)) == 0);
	CHECK(b.nrules == 1 && memcmp(&b.rules[0], r, sizeof(*r)) == 0);

	if (r->family == AF_UNSPEC) {
		uint8_t z[16] = { 0 };

		CHECK(decide(a, AF_INET, z, &rule) == want && rule == 0);
		CHECK(decide(a, AF_INET6, z, &rule) == want && rule == 0);
		return;
	}
	CHECK(r->family == AF_INET || r->family == AF_INET6);
	CHECK(r->prefix <= nbytes * 8);
	/* Host bits clear. */
	for (unsigned i = r->prefix; i < nbytes * 8; i++)
		CHECK(!(r->addr[i / 8] & (0x80u >> (i % 8))));
	/* Mapped addresses are stored as IPv4. */
	if (r->family == AF_INET6)
		CHECK(r->prefix < 96 || !is_mapped(r->addr));

	/* Its own network address matches, so does one with a host bit set,
	 * unless that made it IPv4-mapped: such a client is IPv4 and never
	 * meets an IPv6 rule. */
	memcpy(addr, r->addr, nbytes);
	CHECK(decide(a, r->family, addr, &rule) == want && rule == 0);
	if (r->prefix < nbytes * 8) {
		bit = r->prefix + flip % (nbytes * 8 - r->prefix);
		addr[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
		if (r->family == AF_INET6 && is_mapped(addr))
			CHECK(decide(a, r->family, addr, &rule) == ACL_DENY &&
			      rule == ACL_RULE_DEFAULT);
		else
			CHECK(decide(a, r->family, addr, &rule) == want && rule == 0);
		addr[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
	}
	/* A network bit flipped: no match, and with a rule configured the
	 * default is deny. */
	if (r->prefix > 0) {
		bit = flip % r->prefix;
		addr[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
		CHECK(decide(a, r->family, addr, &rule) == ACL_DENY &&
		      rule == ACL_RULE_DEFAULT);
	}
	/* An IPv4 rule also judges the IPv4-mapped form of its address. */
	if (r->family == AF_INET) {
		uint8_t m[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		memcpy(m + 12, r->addr, 4);
		CHECK(decide(a, AF_INET6, m, &rule) == want && rule == 0);
	}
}

static void check_errsz(int r, const char *err, size_t errsz)
{
	if (r != 0 && errsz > 0)
		CHECK(memchr(err, '\0', errsz) != NULL);
}

static void one_line(const char *line, size_t n, uint8_t k, struct acl *names)
{
	char *s = cstr_exact(line, n);
	size_t errsz = k % 80;
	char *err = malloc(errsz);
	struct acl *a = malloc(sizeof(*a));
	int r;

	CHECK(a != NULL && (err != NULL || errsz == 0));

	/* Address spec. */
	acl_init(a);
	r = acl_add(a, s, k & 1, err, errsz);
	check_errsz(r, err, errsz);
	if (r == 0)
		check_rule(a, k);
	else
		CHECK(a->nrules == 0);

	/* Name pattern, into a fresh acl and into the shared one. */
	acl_init(a);
	r = acl_deny_name(a, s, err, errsz);
	check_errsz(r, err, errsz);
	if (r == 0) {
		const char *p = s;

		while (*p == '/')
			p++;
		CHECK(a->nnames == 1 && strcmp(a->names[0], p) == 0);
	} else {
		CHECK(a->nnames == 0);
	}
	if (names->nnames < ACL_MAX_NAMES) {
		unsigned before = names->nnames;

		r = acl_deny_name(names, s, err, errsz);
		CHECK(names->nnames == before + (r == 0));
	}

	/* Path decisions: the line as a requested name. */
	{
		char clean[TFTP_NAME_MAX + 1];
		const char *why;

		if (path_clean(line, n, clean, sizeof(clean), &why) == 0) {
			struct acl *star = a;
			int idx, dot = 0;

			for (const char *c = clean;; c++) {
				if (*c == '.' && (c == clean || c[-1] == '/'))
					dot = 1;
				if (*c == '\0')
					break;
			}
			r = acl_name_check(names, clean, &idx);
			CHECK(r == ACL_ALLOW || r == ACL_DENY);
			if (dot)
				CHECK(r == ACL_DENY && idx == ACL_NAME_DOTFILE);
			else if (r == ACL_DENY)
				CHECK(idx >= 0 && (unsigned)idx < names->nnames);
			else
				CHECK(idx == ACL_RULE_DEFAULT);
			acl_init(star);
			CHECK(acl_deny_name(star, "*", NULL, 0) == 0);
			CHECK(acl_name_check(star, clean, &idx) == ACL_DENY);
			acl_init(star);
			CHECK(acl_name_check(star, clean, NULL) == (dot ? ACL_DENY : ACL_ALLOW));
		}
	}

	/* The raw line as a path too (not cleaned: any length, "..", "//"). */
	{
		const char *q = s;
		size_t ql;
		int idx;

		while (*q == '/')
			q++;
		ql = strlen(q);
		r = acl_name_check(names, s, &idx);
		CHECK(r == ACL_ALLOW || r == ACL_DENY);
		if (ql == 0 || ql > TFTP_NAME_MAX)
			CHECK(r == ACL_DENY && idx == ACL_NAME_INVALID);
		else if (q[0] == '.' || strstr(q, "/.") != NULL)
			CHECK(r == ACL_DENY && idx == ACL_NAME_DOTFILE);
		else if (r == ACL_ALLOW)
			CHECK(idx == ACL_RULE_DEFAULT);
	}

	/* Transfer mode. */
	acl_init(a);
	r = acl_mode_disable(a, s, err, errsz);
	check_errsz(r, err, errsz);
	if (r == 0) {
		CHECK(acl_mode_check(a, s) == ACL_DENY);
		CHECK(acl_mode_check(a, "octet") == ACL_ALLOW ||
		      acl_mode_check(a, "netascii") == ACL_ALLOW);
		CHECK(acl_mode_disable(a, acl_mode_check(a, "octet") == ACL_ALLOW ?
					   "octet" : "netascii", NULL, 0) == -1);
	} else {
		CHECK(acl_mode_check(a, s) == ACL_DENY);
	}
	free(a);
	free(err);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acl *names = malloc(sizeof(*names)), *many = malloc(sizeof(*many));
	size_t pos = 0;
	unsigned nlines = 0;

	CHECK(names != NULL && many != NULL);
	acl_init(names);
	acl_init(many);
	while (pos <= size && nlines < 64) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t l = nl ? (size_t)(nl - (data + pos)) : size - pos;
		uint8_t k = (uint8_t)(l * 31u + nlines);
		char *s;

		/* Error buffer size and other choices from the line's bytes. */
		for (size_t i = 0; i < l; i++)
			k = (uint8_t)(k * 33u + data[pos + i]);
		one_line((const char *)data + pos, l, k, names);
		/* All lines as rules of one acl: the table bound holds. */
		s = cstr_exact((const char *)data + pos, l);
		if (acl_add(many, s, (int)(nlines & 1), NULL, 0) == 0)
			CHECK(many->nrules <= ACL_MAX_RULES);
		free(s);
		nlines++;
		if (nl == NULL)
			break;
		pos += l + 1;
	}
	/* First match wins over the whole list: the deciding rule matches and
	 * no earlier rule does (checked by re-deciding with that rule alone
	 * and with the rules before it). */
	if (many->nrules > 0 && size >= 16) {
		uint8_t addr[16];
		int fam = data[0] & 1 ? AF_INET6 : AF_INET, rule;
		int d;

		memcpy(addr, data, 16);
		d = decide(many, fam, addr, &rule);
		CHECK(d == ACL_ALLOW || d == ACL_DENY);
		if (rule >= 0) {
			struct acl *sub = malloc(sizeof(*sub));
			int r2, d2;

			CHECK(sub != NULL && (unsigned)rule < many->nrules);
			CHECK(d == (many->rules[rule].allow ? ACL_ALLOW : ACL_DENY));
			/* The rules before it alone: none matches. */
			acl_init(sub);
			memcpy(sub->rules, many->rules, sizeof(sub->rules[0]) * (size_t)rule);
			sub->nrules = (unsigned)rule;
			d2 = decide(sub, fam, addr, &r2);
			CHECK(r2 == ACL_RULE_DEFAULT);
			CHECK(d2 == (rule == 0 ? ACL_ALLOW : ACL_DENY)); /* no rules: allow */
			/* Plus the deciding rule: it decides. */
			sub->rules[rule] = many->rules[rule];
			sub->nrules = (unsigned)rule + 1;
			CHECK(decide(sub, fam, addr, &r2) == d && r2 == rule);
			free(sub);
		} else {
			CHECK(rule == ACL_RULE_DEFAULT && d == ACL_DENY);
		}
	}
	free(many);
	free(names);
	return 0;
}
