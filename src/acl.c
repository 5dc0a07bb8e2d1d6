/* acl.c - client address rules, never-served name patterns and allowed
 * transfer modes (see acl.h for the semantics). Pure: no syscalls, no
 * allocation, no globals; must never open, stat or log anything. Decisions
 * fail closed: anything it cannot classify is denied. */
#include "acl.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "tftp.h"

static const struct {
	const char *name;
	unsigned bit;
} mode_table[] = {
	{ "octet", ACL_MODE_OCTET },
	{ "netascii", ACL_MODE_NETASCII },
};
#define NMODES (sizeof mode_table / sizeof mode_table[0])
#define ALL_MODES (ACL_MODE_OCTET | ACL_MODE_NETASCII)

static int fail(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Every error path goes through here, so err is always NUL-terminated. */
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Operator text is echoed in error messages, which end up on a terminal or
 * in syslog: keep printable ASCII only and bound the length. */
static void show(const char *s, char *out, size_t outsz)
{
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[i] = '\0';
}

static int ascii_caseeq(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return 0;
		if (x == '\0')
			return 1;
	}
}

/* Do the first prefix bits of addr equal those of net? */
static int prefix_match(const uint8_t *addr, const uint8_t *net,
			unsigned prefix)
{
	unsigned full = prefix / 8, rem = prefix % 8;
	uint8_t mask;

	if (memcmp(addr, net, full) != 0)
		return 0;
	if (rem == 0)
		return 1;
	mask = (uint8_t)(0xff00u >> rem);
	return (addr[full] & mask) == (net[full] & mask);
}

/* Are all bits of addr (nbytes long) beyond prefix zero? */
static int host_bits_clear(const uint8_t *addr, unsigned nbytes,
			   unsigned prefix)
{
	unsigned full = prefix / 8, rem = prefix % 8;

	if (rem != 0) {
		if (addr[full] & (uint8_t)(0xffu >> rem))
			return 0;
		full++;
	}
	for (unsigned i = full; i < nbytes; i++)
		if (addr[i] != 0)
			return 0;
	return 1;
}

static void mask_host_bits(uint8_t *addr, unsigned nbytes, unsigned prefix)
{
	unsigned full = prefix / 8, rem = prefix % 8;

	if (rem != 0) {
		addr[full] &= (uint8_t)(0xff00u >> rem);
		full++;
	}
	for (unsigned i = full; i < nbytes; i++)
		addr[i] = 0;
}

/* ::ffff:0:0/96, RFC 4291 section 2.5.5.2. */
static int is_v4mapped(const uint8_t *a16)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					 0xff, 0xff };

	return memcmp(a16, pfx, sizeof pfx) == 0;
}

void acl_init(struct acl *a)
{
	memset(a, 0, sizeof *a);
}

static int parse_spec(const char *spec, struct acl_rule *r, char *err,
		      size_t errsz)
{
	char buf[ACL_SPEC_MAX], shown[ACL_SPEC_MAX], net[INET6_ADDRSTRLEN];
	char *slash;
	const char *pfx = NULL;
	unsigned maxpfx, nbytes;
	uint64_t v;
	size_t len;

	if (spec == NULL || spec[0] == '\0')
		return fail(err, errsz, "empty address rule");
	len = strnlen(spec, ACL_SPEC_MAX);
	if (len >= ACL_SPEC_MAX)
		return fail(err, errsz, "address rule too long (max %u bytes)",
			    ACL_SPEC_MAX - 1);
	memcpy(buf, spec, len + 1);
	show(spec, shown, sizeof shown);

	memset(r, 0, sizeof *r);
	if (strcmp(buf, "any") == 0) {
		r->family = AF_UNSPEC;
		return 0;
	}

	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		pfx = slash + 1;
	}
	/* A ':' can only be IPv6; inet_pton is strict (no leading zeros in
	 * IPv4 octets, no zone ids, no brackets, no spaces). */
	if (strchr(buf, ':') != NULL) {
		if (inet_pton(AF_INET6, buf, r->addr) != 1)
			return fail(err, errsz, "\"%s\": bad IPv6 address",
				    shown);
		r->family = AF_INET6;
		maxpfx = 128;
		nbytes = 16;
	} else {
		if (inet_pton(AF_INET, buf, r->addr) != 1)
			return fail(err, errsz,
				    "\"%s\": not an IPv4 or IPv6 address "
				    "(or \"any\")", shown);
		r->family = AF_INET;
		maxpfx = 32;
		nbytes = 4;
	}

	if (pfx == NULL) {
		r->prefix = (uint8_t)maxpfx;
	} else {
		if (pfx[0] == '\0')
			return fail(err, errsz,
				    "\"%s\": missing prefix length after '/'",
				    shown);
		/* "/08" looks octal to some readers: one spelling only. */
		if (pfx[0] == '0' && pfx[1] != '\0')
			return fail(err, errsz,
				    "\"%s\": leading zero in prefix length",
				    shown);
		if (opt_number(pfx, &v) != 0)
			return fail(err, errsz,
				    "\"%s\": prefix length is not a number",
				    shown);
		if (v > maxpfx)
			return fail(err, errsz,
				    "\"%s\": prefix length out of range "
				    "(IPv%c: 0..%u)", shown,
				    maxpfx == 32 ? '4' : '6', maxpfx);
		r->prefix = (uint8_t)v;
	}

	if (!host_bits_clear(r->addr, nbytes, r->prefix)) {
		uint8_t n[16];

		memcpy(n, r->addr, sizeof n);
		mask_host_bits(n, nbytes, r->prefix);
		if (inet_ntop(r->family, n, net, sizeof net) == NULL)
			net[0] = '\0';
		return fail(err, errsz,
			    "\"%s\": host bits set beyond /%u (network is %s/%u)",
			    shown, (unsigned)r->prefix, net,
			    (unsigned)r->prefix);
	}

	/* Mapped clients are matched as IPv4 (see acl_check), so a rule
	 * written in mapped form must become the IPv4 rule it means. */
	if (r->family == AF_INET6 && r->prefix >= 96 && is_v4mapped(r->addr)) {
		memmove(r->addr, r->addr + 12, 4);
		memset(r->addr + 4, 0, 12);
		r->family = AF_INET;
		r->prefix = (uint8_t)(r->prefix - 96);
	}
	return 0;
}

int acl_add(struct acl *a, const char *spec, int allow, char *err,
	    size_t errsz)
{
	struct acl_rule r;

	if (a == NULL)
		return fail(err, errsz, "no acl");
	if (a->nrules >= ACL_MAX_RULES)
		return fail(err, errsz, "too many address rules (max %u)",
			    ACL_MAX_RULES);
	if (parse_spec(spec, &r, err, errsz) != 0)
		return -1;
	r.allow = allow ? ACL_ALLOW : ACL_DENY;
	a->rules[a->nrules++] = r;
	return 0;
}

int acl_check(const struct acl *a, const struct sockaddr *sa, socklen_t salen,
	      int *rule)
{
	uint8_t addr[16];
	sa_family_t fam;
	unsigned n;

	if (rule != NULL)
		*rule = ACL_RULE_DEFAULT;
	if (a == NULL || sa == NULL || salen < (socklen_t)sizeof fam)
		return ACL_DENY;
	memcpy(&fam, &sa->sa_family, sizeof fam);
	/* Copy out instead of casting: sa may be any sockaddr buffer, and we
	 * read no further than salen says the caller filled. */
	if (fam == AF_INET) {
		struct sockaddr_in in;

		if (salen < (socklen_t)sizeof in)
			return ACL_DENY;
		memcpy(&in, sa, sizeof in);
		memcpy(addr, &in.sin_addr, 4);
	} else if (fam == AF_INET6) {
		struct sockaddr_in6 in6;

		if (salen < (socklen_t)sizeof in6)
			return ACL_DENY;
		memcpy(&in6, sa, sizeof in6);
		memcpy(addr, &in6.sin6_addr, 16);
		/* A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d;
		 * they are IPv4 clients and must meet the IPv4 rules. */
		if (is_v4mapped(addr)) {
			memmove(addr, addr + 12, 4);
			fam = AF_INET;
		}
	} else {
		return ACL_DENY;
	}

	n = a->nrules < ACL_MAX_RULES ? a->nrules : ACL_MAX_RULES;
	for (unsigned i = 0; i < n; i++) {
		const struct acl_rule *r = &a->rules[i];

		if (r->family != AF_UNSPEC &&
		    (r->family != fam || !prefix_match(addr, r->addr, r->prefix)))
			continue;
		if (rule != NULL)
			*rule = (int)i;
		return r->allow ? ACL_ALLOW : ACL_DENY;
	}
	/* No rules: an unconfigured server serves everyone (documented).
	 * Rules but no match: the operator drew a boundary, stay inside. */
	return n == 0 ? ACL_ALLOW : ACL_DENY;
}

void acl_rule_format(const struct acl *a, int idx, char *buf, size_t sz)
{
	char net[INET6_ADDRSTRLEN];
	const struct acl_rule *r;

	if (buf == NULL || sz == 0)
		return;
	if (idx == ACL_RULE_DEFAULT) {
		snprintf(buf, sz, "default");
		return;
	}
	if (a == NULL || idx < 0 || (unsigned)idx >= a->nrules ||
	    (unsigned)idx >= ACL_MAX_RULES) {
		snprintf(buf, sz, "?");
		return;
	}
	r = &a->rules[idx];
	if (r->family == AF_UNSPEC) {
		snprintf(buf, sz, "%s any", r->allow ? "allow" : "deny");
		return;
	}
	if (inet_ntop(r->family, r->addr, net, sizeof net) == NULL) {
		snprintf(buf, sz, "?");
		return;
	}
	snprintf(buf, sz, "%s %s/%u", r->allow ? "allow" : "deny", net,
		 (unsigned)r->prefix);
}

int acl_deny_name(struct acl *a, const char *pattern, char *err,
		  size_t errsz)
{
	char shown[ACL_NAME_PAT_MAX];
	size_t len;

	if (a == NULL || pattern == NULL)
		return fail(err, errsz, "no name pattern");
	if (a->nnames >= ACL_MAX_NAMES)
		return fail(err, errsz, "too many name patterns (max %u)",
			    ACL_MAX_NAMES);
	/* Requested paths are relative to the root with leading '/' already
	 * stripped, so a leading '/' here would make a pattern that never
	 * matches; drop it instead. */
	while (*pattern == '/')
		pattern++;
	if (*pattern == '\0')
		return fail(err, errsz, "empty name pattern");
	len = strnlen(pattern, ACL_NAME_PAT_MAX);
	if (len >= ACL_NAME_PAT_MAX)
		return fail(err, errsz, "name pattern too long (max %u bytes)",
			    ACL_NAME_PAT_MAX - 1);
	show(pattern, shown, sizeof shown);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pattern[i];

		if (c < 0x20 || c == 0x7f)
			return fail(err, errsz,
				    "\"%s\": control byte in name pattern",
				    shown);
	}
	/* Cleaned paths never end in '/' nor contain "//": such a pattern
	 * could never match, which would silently protect nothing. */
	if (pattern[len - 1] == '/')
		return fail(err, errsz,
			    "\"%s\": name pattern ends in '/' (drop it to "
			    "refuse the directory and everything beneath)",
			    shown);
	if (strstr(pattern, "//") != NULL)
		return fail(err, errsz, "\"%s\": \"//\" in name pattern",
			    shown);
	memcpy(a->names[a->nnames], pattern, len + 1);
	a->nnames++;
	return 0;
}

/* Match a '/'-free pattern against each component of path. Returns 0 on a
 * match, FNM_NOMATCH, or fnmatch's error value. */
static int match_component(const char *pat, const char *path)
{
	char comp[TFTP_NAME_MAX + 1];

	while (*path != '\0') {
		const char *end = strchr(path, '/');
		size_t n = end != NULL ? (size_t)(end - path) : strlen(path);
		int m;

		if (n > 0) {
			/* path is at most TFTP_NAME_MAX bytes (checked by the
			 * caller), so n always fits. */
			memcpy(comp, path, n);
			comp[n] = '\0';
			m = fnmatch(pat, comp, 0);
			if (m != FNM_NOMATCH)
				return m;
		}
		if (end == NULL)
			break;
		path = end + 1;
	}
	return FNM_NOMATCH;
}

int acl_name_check(const struct acl *a, const char *path, int *idx)
{
	size_t len;
	unsigned n;

	if (idx != NULL)
		*idx = ACL_NAME_INVALID;
	if (a == NULL || path == NULL)
		return ACL_DENY;
	while (*path == '/')
		path++;
	len = strnlen(path, TFTP_NAME_MAX + 1);
	if (len == 0 || len > TFTP_NAME_MAX)
		return ACL_DENY;

	/* Dotfiles (.ssh, .git, .htpasswd, editor backups) are never served,
	 * nor anything beneath a dot-directory. "." and ".." are caught too,
	 * though path_clean removes them before we get here. */
	for (const char *p = path;;) {
		const char *end;

		if (*p == '.') {
			if (idx != NULL)
				*idx = ACL_NAME_DOTFILE;
			return ACL_DENY;
		}
		end = strchr(p, '/');
		if (end == NULL)
			break;
		p = end + 1;
	}

	n = a->nnames < ACL_MAX_NAMES ? a->nnames : ACL_MAX_NAMES;
	for (unsigned i = 0; i < n; i++) {
		const char *pat = a->names[i];
		int m;

		/* FNM_LEADING_DIR: a pattern matching a directory also
		 * refuses everything beneath it. */
		if (strchr(pat, '/') != NULL)
			m = fnmatch(pat, path, FNM_PATHNAME | FNM_LEADING_DIR);
		else
			m = match_component(pat, path);
		/* 0 is a match; any other value but FNM_NOMATCH is an error
		 * inside fnmatch: refuse rather than guess. */
		if (m != FNM_NOMATCH) {
			if (idx != NULL)
				*idx = (int)i;
			return ACL_DENY;
		}
	}
	if (idx != NULL)
		*idx = ACL_RULE_DEFAULT;
	return ACL_ALLOW;
}

static unsigned mode_bit(const char *mode)
{
	if (mode == NULL)
		return 0;
	for (size_t i = 0; i < NMODES; i++)
		if (ascii_caseeq(mode, mode_table[i].name))
			return mode_table[i].bit;
	return 0;
}

int acl_mode_disable(struct acl *a, const char *mode, char *err,
		     size_t errsz)
{
	char shown[32];
	unsigned bit;

	if (a == NULL)
		return fail(err, errsz, "no acl");
	bit = mode_bit(mode);
	if (bit == 0) {
		show(mode != NULL ? mode : "", shown, sizeof shown);
		return fail(err, errsz,
			    "unknown transfer mode \"%s\" (octet or netascii)",
			    shown);
	}
	if (((a->modes_off | bit) & ALL_MODES) == ALL_MODES)
		return fail(err, errsz,
			    "cannot disable every transfer mode");
	a->modes_off |= bit;
	return 0;
}

int acl_mode_check(const struct acl *a, const char *mode)
{
	unsigned bit = mode_bit(mode);

	if (a == NULL || bit == 0 || (a->modes_off & bit) != 0)
		return ACL_DENY;
	return ACL_ALLOW;
}
