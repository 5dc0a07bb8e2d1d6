/* acl.h - who may fetch what: client address rules (IPv4/IPv6 CIDR, first
 * match wins), file name patterns that are never served, and the transfer
 * modes the operator allows. Pure: no syscalls, no allocation, no globals;
 * everything lives in one fixed-size struct acl filled at start-up. */
#ifndef FWTFTPD_ACL_H
#define FWTFTPD_ACL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ACL_MAX_RULES 64u     /* address rules per acl */
#define ACL_SPEC_MAX 64u      /* longest address spec, bytes with NUL */
#define ACL_MAX_NAMES 32u     /* deny_name patterns per acl */
#define ACL_NAME_PAT_MAX 256u /* longest pattern, bytes with NUL */

enum { ACL_DENY = 0, ACL_ALLOW = 1 };

/* Rule indexes reported by acl_check / acl_name_check besides 0..n-1. */
enum {
	ACL_RULE_DEFAULT = -1, /* no rule matched: the default decided */
	ACL_NAME_DOTFILE = -2, /* a path component starts with '.' */
	ACL_NAME_INVALID = -3, /* NULL, empty or over-long path */
};

/* Transfer modes, as bits of acl.modes_off. */
enum { ACL_MODE_OCTET = 1u << 0, ACL_MODE_NETASCII = 1u << 1 };

struct acl_rule {
	uint8_t family;   /* AF_INET, AF_INET6, or AF_UNSPEC for "any" */
	uint8_t prefix;   /* 0..32 (AF_INET), 0..128 (AF_INET6) */
	uint8_t allow;    /* ACL_ALLOW or ACL_DENY */
	uint8_t addr[16]; /* network address, host bits zero; IPv4 in [0..3] */
};

/* An all-zero struct acl (or acl_init) means: no address rules (every client
 * allowed), no name patterns (only the dotfile rule applies), both modes on. */
struct acl {
	unsigned nrules;
	struct acl_rule rules[ACL_MAX_RULES];
	unsigned nnames;
	char names[ACL_MAX_NAMES][ACL_NAME_PAT_MAX];
	unsigned modes_off; /* ACL_MODE_* bits the operator disabled */
};

/* Reset *a to the defaults described above. */
void acl_init(struct acl *a);

/* Append an address rule. spec is "A.B.C.D", "A.B.C.D/N" (N 0..32), an IPv6
 * address with optional "/N" (N 0..128), or "any" (every client of either
 * family). N is plain decimal without sign or leading zero ("/08" is
 * refused). Host bits set beyond the prefix ("10.1.2.3/8") are refused, not
 * masked: the operator meant something else, so the rule is ambiguous. An
 * IPv6 rule inside ::ffff:0:0/96 with N >= 96 is stored as the IPv4 rule it
 * denotes. allow: nonzero allows, zero denies. Returns 0, or -1 with a
 * message in err (errsz bytes, always NUL-terminated when errsz > 0) for a
 * bad spec or a full table (ACL_MAX_RULES). */
int acl_add(struct acl *a, const char *spec, int allow, char *err,
	    size_t errsz);

/* Decide for a client address sa (salen bytes). Rules are tried in the order
 * added; the first match decides. An IPv4-mapped IPv6 address
 * (::ffff:A.B.C.D, from a dual-stack socket) is treated as the IPv4 client it
 * is: it matches IPv4 rules and "any", never IPv6 rules. When no rule
 * matches: ACL_ALLOW if no rules are configured at all, ACL_DENY otherwise
 * (fail closed; end the list with "allow any" to make it a deny list). A
 * NULL, short or non-IP address is denied. *rule (may be NULL) gets the
 * index of the deciding rule, or ACL_RULE_DEFAULT. Returns ACL_ALLOW or
 * ACL_DENY. */
int acl_check(const struct acl *a, const struct sockaddr *sa, socklen_t salen,
	      int *rule);

/* Format rule idx as "allow 10.0.0.0/8" / "deny any" into buf (sz bytes)
 * for logs; "default" for ACL_RULE_DEFAULT, "?" for anything else. */
void acl_rule_format(const struct acl *a, int idx, char *buf, size_t sz);

/* Append a name pattern that is never served (fnmatch(3) syntax: * ? [..]
 * and '\' escapes). A pattern without '/' is matched against every
 * component of the path, so "*.key" refuses "a/b/x.key" and "private"
 * refuses everything beneath a directory of that name. A pattern with '/' is
 * matched against the whole relative path, '*' not crossing '/', and also
 * refuses everything beneath what it matches ("cfg/x*" refuses "cfg/x1/y",
 * not "a/cfg/x1"); a leading '/' is dropped (paths are relative to the root).
 * Refused: empty, control bytes, trailing '/', "//", too long
 * (ACL_NAME_PAT_MAX), table full (ACL_MAX_NAMES). Returns 0, or -1 with a
 * message in err. */
int acl_deny_name(struct acl *a, const char *pattern, char *err,
		  size_t errsz);

/* Decide for a relative path as produced by path_clean ("a/b.bin"). Always
 * refused, whatever the patterns: a component starting with '.' (".x",
 * "a/.b/c"; "a/b." is fine), and NULL/empty/over-long paths. Then the
 * patterns, in order. *idx (may be NULL) gets the matching pattern's index,
 * ACL_NAME_DOTFILE, ACL_NAME_INVALID, or ACL_RULE_DEFAULT when allowed.
 * Returns ACL_ALLOW or ACL_DENY. */
int acl_name_check(const struct acl *a, const char *path, int *idx);

/* Disable a transfer mode ("octet" or "netascii", ASCII case-insensitive).
 * Refuses unknown modes and disabling the last enabled one. Returns 0, or -1
 * with a message in err. */
int acl_mode_disable(struct acl *a, const char *mode, char *err,
		     size_t errsz);

/* ACL_ALLOW if mode ("octet"/"netascii", ASCII case-insensitive) is known and
 * enabled; ACL_DENY for disabled, unknown ("mail") or NULL modes. */
int acl_mode_check(const struct acl *a, const char *mode);

#endif
