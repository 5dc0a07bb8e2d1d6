/* test_acl.c - table-driven tests of the address rules, the never-served name
 * patterns and the transfer-mode switch in acl.c. Addresses are built with
 * inet_pton into exact-size heap sockaddrs (so a read past salen shows up
 * under valgrind). Expected decisions follow from the CIDR arithmetic and
 * the semantics documented in include/acl.h; the reasoning is on each row. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "acl.h"
#include "testutil.h"

/* A heap sockaddr of exactly the family's size for ip ("1.2.3.4" gives
 * sockaddr_in, anything with ':' sockaddr_in6). Caller frees. */
static struct sockaddr *mksa(const char *ip, socklen_t *len)
{
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 s6;

		memset(&s6, 0, sizeof s6);
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons(40000);
		if (inet_pton(AF_INET6, ip, &s6.sin6_addr) != 1)
			fail_msg("test bug: bad IPv6 literal %s", ip);
		*len = sizeof s6;
		return (struct sockaddr *)tu_heapdup(&s6, sizeof s6);
	} else {
		struct sockaddr_in s4;

		memset(&s4, 0, sizeof s4);
		s4.sin_family = AF_INET;
		s4.sin_port = htons(40000);
		if (inet_pton(AF_INET, ip, &s4.sin_addr) != 1)
			fail_msg("test bug: bad IPv4 literal %s", ip);
		*len = sizeof s4;
		return (struct sockaddr *)tu_heapdup(&s4, sizeof s4);
	}
}

/* Check one client: decision and deciding rule index. */
static void expect(const struct acl *a, const char *ip, int want, int want_idx)
{
	socklen_t len;
	struct sockaddr *sa = mksa(ip, &len);
	int idx = 12345;
	int got = acl_check(a, sa, len, &idx);

	free(sa);
	TU_EQ(ip, got, want);
	if (idx != want_idx)
		fail_msg("[%s] rule index: got %d, expected %d", ip, idx,
			 want_idx);
}

static void add_ok(struct acl *a, const char *spec, int allow)
{
	char err[128] = "";

	if (acl_add(a, spec, allow, err, sizeof err) != 0)
		fail_msg("[%s] acl_add failed: %s", spec, err);
}

/* ---- address rules -------------------------------------------------- */

/* No rules: everyone allowed, the default decides; non-IP and malformed
 * addresses are denied even then (fail closed). */
static void test_defaults(void **state)
{
	struct acl a;
	struct sockaddr_un un;
	struct sockaddr_in s4;
	int idx = 0;

	(void)state;
	acl_init(&a);
	expect(&a, "192.0.2.1", ACL_ALLOW, ACL_RULE_DEFAULT);
	expect(&a, "2001:db8::1", ACL_ALLOW, ACL_RULE_DEFAULT);
	expect(&a, "::ffff:192.0.2.1", ACL_ALLOW, ACL_RULE_DEFAULT);

	memset(&un, 0, sizeof un);
	un.sun_family = AF_UNIX;
	assert_int_equal(acl_check(&a, (struct sockaddr *)&un, sizeof un, &idx),
			 ACL_DENY);
	assert_int_equal(idx, ACL_RULE_DEFAULT);
	assert_int_equal(acl_check(&a, NULL, 0, &idx), ACL_DENY);
	assert_int_equal(acl_check(NULL, (struct sockaddr *)&un, sizeof un,
				   &idx), ACL_DENY);

	/* AF_INET with a salen too short for a sockaddr_in: denied. */
	memset(&s4, 0, sizeof s4);
	s4.sin_family = AF_INET;
	assert_int_equal(acl_check(&a, (struct sockaddr *)&s4,
				   sizeof s4 - 1, &idx), ACL_DENY);
	assert_int_equal(acl_check(&a, (struct sockaddr *)&s4, 1, &idx),
			 ACL_DENY);
	/* rule pointer is optional */
	assert_int_equal(acl_check(&a, (struct sockaddr *)&s4, sizeof s4, NULL),
			 ACL_ALLOW);
}

struct ccase {
	const char *ip;
	int want;
	int idx;
};

/* One mixed list, checked against many clients. */
static void test_check_table(void **state)
{
	static const struct {
		const char *spec;
		int allow;
	} rules[] = {
		{ "10.1.2.0/24", 0 },      /* 0 */
		{ "10.0.0.0/8", 1 },       /* 1 */
		{ "192.168.1.7", 1 },      /* 2: host, /32 implied */
		{ "2001:db8:1::/48", 0 },  /* 3 */
		{ "2001:db8::/32", 1 },    /* 4 */
		{ "::1", 1 },              /* 5: host, /128 implied */
		{ "172.16.0.0/12", 1 },    /* 6: 172.16.0.0 - 172.31.255.255 */
		{ "192.168.2.128/25", 1 }, /* 7: .128 - .255 */
		{ "fe80::/10", 0 },        /* 8: fe80:: - febf:ffff:... */
	};
	static const struct ccase cases[] = {
		/* first match wins: 10.1.2.3 is in rules 0 and 1 */
		{ "10.1.2.3", ACL_DENY, 0 },
		{ "10.1.2.255", ACL_DENY, 0 },
		{ "10.1.3.0", ACL_ALLOW, 1 },
		{ "10.1.1.255", ACL_ALLOW, 1 },
		{ "10.255.255.255", ACL_ALLOW, 1 },
		{ "10.0.0.0", ACL_ALLOW, 1 },
		{ "11.0.0.0", ACL_DENY, ACL_RULE_DEFAULT },
		{ "9.255.255.255", ACL_DENY, ACL_RULE_DEFAULT },
		{ "192.168.1.7", ACL_ALLOW, 2 },
		{ "192.168.1.6", ACL_DENY, ACL_RULE_DEFAULT },
		{ "192.168.1.8", ACL_DENY, ACL_RULE_DEFAULT },
		{ "172.16.0.0", ACL_ALLOW, 6 },
		{ "172.31.255.255", ACL_ALLOW, 6 },
		{ "172.32.0.0", ACL_DENY, ACL_RULE_DEFAULT },
		{ "172.15.255.255", ACL_DENY, ACL_RULE_DEFAULT },
		{ "192.168.2.127", ACL_DENY, ACL_RULE_DEFAULT },
		{ "192.168.2.128", ACL_ALLOW, 7 },
		{ "192.168.2.255", ACL_ALLOW, 7 },
		{ "127.0.0.1", ACL_DENY, ACL_RULE_DEFAULT },
		/* IPv4-mapped clients meet the IPv4 rules */
		{ "::ffff:10.1.2.3", ACL_DENY, 0 },
		{ "::ffff:10.9.9.9", ACL_ALLOW, 1 },
		{ "::ffff:192.168.1.7", ACL_ALLOW, 2 },
		{ "::ffff:172.20.0.1", ACL_ALLOW, 6 },
		{ "::ffff:127.0.0.1", ACL_DENY, ACL_RULE_DEFAULT },
		/* ... but IPv4-compatible ::a.b.c.d (deprecated) is IPv6 */
		{ "::10.1.2.3", ACL_DENY, ACL_RULE_DEFAULT },
		/* IPv6 */
		{ "2001:db8:1::5", ACL_DENY, 3 },
		{ "2001:db8:1:ffff:ffff:ffff:ffff:ffff", ACL_DENY, 3 },
		{ "2001:db8:2::5", ACL_ALLOW, 4 },
		{ "2001:db8:ffff::", ACL_ALLOW, 4 },
		{ "2001:db9::", ACL_DENY, ACL_RULE_DEFAULT },
		{ "2001:db7:ffff::", ACL_DENY, ACL_RULE_DEFAULT },
		{ "::1", ACL_ALLOW, 5 },
		{ "::2", ACL_DENY, ACL_RULE_DEFAULT },
		{ "::", ACL_DENY, ACL_RULE_DEFAULT },
		{ "fe80::1", ACL_DENY, 8 },
		{ "febf:ffff::1", ACL_DENY, 8 },
		{ "fec0::1", ACL_DENY, ACL_RULE_DEFAULT },
	};
	struct acl a;

	(void)state;
	acl_init(&a);
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		add_ok(&a, rules[i].spec, rules[i].allow);
	assert_int_equal(a.nrules, sizeof rules / sizeof rules[0]);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect(&a, cases[i].ip, cases[i].want, cases[i].idx);
}

/* The same two rules in the other order give the other answer. */
static void test_first_match_wins(void **state)
{
	struct acl a;

	(void)state;
	acl_init(&a);
	add_ok(&a, "192.0.2.0/24", 1);
	add_ok(&a, "192.0.2.9", 0);
	expect(&a, "192.0.2.9", ACL_ALLOW, 0);

	acl_init(&a);
	add_ok(&a, "192.0.2.9", 0);
	add_ok(&a, "192.0.2.0/24", 1);
	expect(&a, "192.0.2.9", ACL_DENY, 0);
	expect(&a, "192.0.2.10", ACL_ALLOW, 1);

	acl_init(&a);
	add_ok(&a, "2001:db8::/32", 0);
	add_ok(&a, "2001:db8::1", 1);
	expect(&a, "2001:db8::1", ACL_DENY, 0);
	/* the same rule twice: the first one reports */
	acl_init(&a);
	add_ok(&a, "::1", 1);
	add_ok(&a, "::1", 0);
	expect(&a, "::1", ACL_ALLOW, 0);
}

/* "any" matches both families; ending a list with "allow any" turns it
 * into a deny list, and only-deny lists deny everyone else by default. */
static void test_any_and_default_deny(void **state)
{
	struct acl a;

	(void)state;
	acl_init(&a);
	add_ok(&a, "10.0.0.0/8", 0);
	add_ok(&a, "any", 1);
	expect(&a, "10.2.3.4", ACL_DENY, 0);
	expect(&a, "::ffff:10.2.3.4", ACL_DENY, 0);
	expect(&a, "11.2.3.4", ACL_ALLOW, 1);
	expect(&a, "::ffff:11.2.3.4", ACL_ALLOW, 1);
	expect(&a, "2001:db8::1", ACL_ALLOW, 1);

	acl_init(&a);
	add_ok(&a, "10.0.0.0/8", 0);
	expect(&a, "11.2.3.4", ACL_DENY, ACL_RULE_DEFAULT);
	expect(&a, "::1", ACL_DENY, ACL_RULE_DEFAULT);

	acl_init(&a);
	add_ok(&a, "any", 0);
	add_ok(&a, "127.0.0.1", 1); /* never reached */
	expect(&a, "127.0.0.1", ACL_DENY, 0);
	expect(&a, "::1", ACL_DENY, 0);

	/* allow is a boolean: any nonzero value allows */
	acl_init(&a);
	add_ok(&a, "any", 7);
	expect(&a, "192.0.2.1", ACL_ALLOW, 0);
	assert_int_equal(a.rules[0].allow, ACL_ALLOW);
}

/* Whole-family rules and the mapped-address boundary. */
static void test_families(void **state)
{
	struct acl a;
	char buf[64];

	(void)state;
	/* 0.0.0.0/0 is every IPv4 client (mapped ones too), no IPv6 one */
	acl_init(&a);
	add_ok(&a, "0.0.0.0/0", 1);
	expect(&a, "255.255.255.255", ACL_ALLOW, 0);
	expect(&a, "::ffff:1.2.3.4", ACL_ALLOW, 0);
	expect(&a, "::1", ACL_DENY, ACL_RULE_DEFAULT);

	/* ::/0 is every IPv6 client but not mapped IPv4 ones */
	acl_init(&a);
	add_ok(&a, "::/0", 0);
	add_ok(&a, "any", 1);
	expect(&a, "2001:db8::1", ACL_DENY, 0);
	expect(&a, "::", ACL_DENY, 0);
	expect(&a, "::ffff:1.2.3.4", ACL_ALLOW, 1);
	expect(&a, "1.2.3.4", ACL_ALLOW, 1);

	/* A rule written in mapped form is the IPv4 rule it denotes:
	 * ::ffff:10.0.0.0/104 is 10.0.0.0/(104-96). */
	acl_init(&a);
	add_ok(&a, "::ffff:10.0.0.0/104", 1);
	add_ok(&a, "::ffff:192.0.2.1", 0);
	add_ok(&a, "::ffff:0:0/96", 1);
	assert_int_equal(a.rules[0].family, AF_INET);
	assert_int_equal(a.rules[0].prefix, 8);
	acl_rule_format(&a, 0, buf, sizeof buf);
	assert_string_equal(buf, "allow 10.0.0.0/8");
	acl_rule_format(&a, 1, buf, sizeof buf);
	assert_string_equal(buf, "deny 192.0.2.1/32");
	acl_rule_format(&a, 2, buf, sizeof buf);
	assert_string_equal(buf, "allow 0.0.0.0/0");
	expect(&a, "10.200.0.1", ACL_ALLOW, 0);
	expect(&a, "::ffff:10.200.0.1", ACL_ALLOW, 0);
	expect(&a, "192.0.2.1", ACL_DENY, 1);
	expect(&a, "::ffff:192.0.2.1", ACL_DENY, 1);
	expect(&a, "198.51.100.1", ACL_ALLOW, 2);
	expect(&a, "2001:db8::1", ACL_DENY, ACL_RULE_DEFAULT);

	/* An IPv6 rule that covers the whole mapped space (::/80 contains
	 * ::ffff:0:0/96) stays IPv6 and so never matches IPv4 clients. */
	acl_init(&a);
	add_ok(&a, "::/80", 1);
	assert_int_equal(a.rules[0].family, AF_INET6);
	expect(&a, "::ffff:1.2.3.4", ACL_DENY, ACL_RULE_DEFAULT);
	expect(&a, "::fffe:0:1", ACL_ALLOW, 0);
}

/* Prefix lengths at and next to every byte boundary. */
static void test_prefix_edges(void **state)
{
	static const struct {
		const char *rule;
		const char *in, *out; /* just inside, just outside */
	} t[] = {
		{ "128.0.0.0/1", "255.255.255.255", "127.255.255.255" },
		{ "10.0.0.0/7", "11.255.255.255", "12.0.0.0" },
		{ "10.0.0.0/8", "10.255.255.255", "11.0.0.0" },
		{ "10.128.0.0/9", "10.255.0.0", "10.127.255.255" },
		{ "192.0.2.0/23", "192.0.3.255", "192.0.4.0" },
		{ "192.0.2.0/24", "192.0.2.255", "192.0.3.0" },
		{ "192.0.2.4/31", "192.0.2.5", "192.0.2.6" },
		{ "192.0.2.4/32", "192.0.2.4", "192.0.2.5" },
		{ "8000::/1", "ffff::", "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "2001:db8::/63", "2001:db8:0:1:ffff:ffff:ffff:ffff",
		  "2001:db8:0:2::" },
		{ "2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff",
		  "2001:db8:0:1::" },
		{ "2001:db8::8000:0:0:0/65", "2001:db8::ffff:0:0:0",
		  "2001:db8::7fff:ffff:ffff:ffff" },
		{ "2001:db8::2/127", "2001:db8::3", "2001:db8::4" },
		{ "2001:db8::2/128", "2001:db8::2", "2001:db8::3" },
	};
	struct acl a;

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		acl_init(&a);
		add_ok(&a, t[i].rule, 1);
		expect(&a, t[i].in, ACL_ALLOW, 0);
		expect(&a, t[i].out, ACL_DENY, ACL_RULE_DEFAULT);
	}
}

/* Bad specs: refused with a message naming the problem, table unchanged. */
static void test_bad_specs(void **state)
{
	static const struct {
		const char *spec;
		const char *msg; /* must appear in err */
	} t[] = {
		{ NULL, "empty address rule" },
		{ "", "empty address rule" },
		{ "10.0.0.0/33", "out of range (IPv4: 0..32)" },
		{ "::/129", "out of range (IPv6: 0..128)" },
		{ "::/999", "out of range" },
		{ "1.2.3.4/99999999999999999999999", "out of range" },
		{ "1.2.3.4/", "missing prefix length" },
		{ "::1/", "missing prefix length" },
		{ "1.2.3.4/-1", "not a number" },
		{ "1.2.3.4/+8", "not a number" },
		{ "1.2.3.4/ 8", "not a number" },
		{ "1.2.3.4/8 ", "not a number" },
		{ "1.2.3.4/8x", "not a number" },
		{ "1.2.3.4/0x8", "leading zero" }, /* first check to fail */
		{ "10.0.0.0/8/8", "not a number" },
		{ "1.2.3.4/08", "leading zero" },
		{ "1.2.3.4/00", "leading zero" },
		{ "/", "not an IPv4 or IPv6 address" },
		{ "/8", "not an IPv4 or IPv6 address" },
		{ "256.0.0.1", "not an IPv4 or IPv6 address" },
		{ "010.0.0.1", "not an IPv4 or IPv6 address" },
		{ "1.2.3", "not an IPv4 or IPv6 address" },
		{ "1.2.3.4.5", "not an IPv4 or IPv6 address" },
		{ " 1.2.3.4", "not an IPv4 or IPv6 address" },
		{ "1.2.3.4 ", "not an IPv4 or IPv6 address" },
		{ "localhost", "not an IPv4 or IPv6 address" },
		{ "ANY", "not an IPv4 or IPv6 address" },
		{ "any/0", "not an IPv4 or IPv6 address" },
		{ "fe80::1%eth0", "bad IPv6 address" },
		{ "[::1]", "bad IPv6 address" },
		{ "1::2::3", "bad IPv6 address" },
		{ "::ffff:1.2.3", "bad IPv6 address" },
		{ "10.1.2.3/8", "host bits set beyond /8 (network is 10.0.0.0/8)" },
		{ "192.168.1.7/24",
		  "host bits set beyond /24 (network is 192.168.1.0/24)" },
		{ "192.0.2.1/31",
		  "host bits set beyond /31 (network is 192.0.2.0/31)" },
		{ "1.0.0.0/0", "host bits set beyond /0 (network is 0.0.0.0/0)" },
		{ "2001:db8::1/32",
		  "host bits set beyond /32 (network is 2001:db8::/32)" },
		{ "2001:db8:4000::/33",
		  "host bits set beyond /33 (network is 2001:db8::/33)" },
		{ "::ffff:10.1.0.0/104",
		  "host bits set beyond /104 (network is ::ffff:10.0.0.0/104)" },
		{ "0123456789012345678901234567890123456789012345678901234567890123",
		  "too long (max 63 bytes)" },
		/* a control byte is shown as '?', never echoed raw */
		{ "1.2.3.4\n", "\"1.2.3.4?\": not an IPv4" },
		{ "1.2.3.4/8\x1b[2J", "\"1.2.3.4/8?[2J\": prefix length" },
	};
	struct acl a;
	char err[160];

	(void)state;
	acl_init(&a);
	add_ok(&a, "192.0.2.1", 1);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *label = t[i].spec ? t[i].spec : "(null)";

		memset(err, 'X', sizeof err);
		TU_EQ(label, acl_add(&a, t[i].spec, 1, err, sizeof err), -1);
		TU_CHECK(label, memchr(err, '\0', sizeof err) != NULL);
		if (strstr(err, t[i].msg) == NULL)
			fail_msg("[%s] err \"%s\" lacks \"%s\"", label, err,
				 t[i].msg);
		TU_CHECK(label, strchr(err, '\n') == NULL);
		TU_CHECK(label, strchr(err, '\x1b') == NULL);
		TU_EQ(label, a.nrules, 1);
	}
	/* the error buffer is optional, and a small one is truncated but
	 * NUL-terminated */
	assert_int_equal(acl_add(&a, "1.2.3.4/33", 1, NULL, 0), -1);
	memset(err, 'X', sizeof err);
	assert_int_equal(acl_add(&a, "1.2.3.4/33", 1, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(err[8], 'X');
	assert_int_equal(acl_add(NULL, "any", 1, err, sizeof err), -1);
	assert_int_equal(a.nrules, 1);
	expect(&a, "192.0.2.1", ACL_ALLOW, 0);
}

/* Good specs at the edges of the syntax. */
static void test_good_specs(void **state)
{
	static const struct {
		const char *spec, *shown;
	} t[] = {
		{ "0.0.0.0/0", "allow 0.0.0.0/0" },
		{ "255.255.255.255", "allow 255.255.255.255/32" },
		{ "192.0.2.0/24", "allow 192.0.2.0/24" },
		{ "::/0", "allow ::/0" },
		{ "::", "allow ::/128" },
		{ "0:0:0:0:0:0:0:1", "allow ::1/128" },
		{ "2001:DB8::/32", "allow 2001:db8::/32" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		  "allow ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128" },
		{ "any", "allow any" },
		/* 63 bytes: the longest accepted spec */
		{ "0000:0000:0000:0000:0000:0000:0000:0000/" "00000000000000000000000",
		  NULL },
	};
	struct acl a;
	char err[128], buf[80];

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		acl_init(&a);
		err[0] = '\0';
		if (t[i].shown == NULL) {
			/* length is fine, but the prefix has leading zeros:
			 * refused for that reason, not for its length */
			TU_EQ(t[i].spec, strlen(t[i].spec), ACL_SPEC_MAX - 1);
			TU_EQ(t[i].spec, acl_add(&a, t[i].spec, 1, err,
						 sizeof err), -1);
			TU_CHECK(t[i].spec, strstr(err, "leading zero") != NULL);
			continue;
		}
		TU_EQ(t[i].spec, acl_add(&a, t[i].spec, 1, err, sizeof err), 0);
		acl_rule_format(&a, 0, buf, sizeof buf);
		TU_STREQ(t[i].spec, buf, t[i].shown);
	}
	acl_init(&a);
	add_ok(&a, "::1", 0);
	acl_rule_format(&a, 0, buf, sizeof buf);
	assert_string_equal(buf, "deny ::1/128");
	acl_rule_format(&a, ACL_RULE_DEFAULT, buf, sizeof buf);
	assert_string_equal(buf, "default");
	acl_rule_format(&a, 1, buf, sizeof buf);
	assert_string_equal(buf, "?");
	acl_rule_format(&a, -7, buf, sizeof buf);
	assert_string_equal(buf, "?");
	acl_rule_format(&a, 0, buf, 5);
	assert_string_equal(buf, "deny");
}

/* Exactly ACL_MAX_RULES rules fit; one more is refused. */
static void test_capacity(void **state)
{
	struct acl a;
	char spec[32], err[128];

	(void)state;
	acl_init(&a);
	for (unsigned i = 0; i < ACL_MAX_RULES; i++) {
		snprintf(spec, sizeof spec, "10.%u.0.0/16", i);
		TU_EQ(spec, acl_add(&a, spec, (int)(i % 2), err, sizeof err), 0);
	}
	assert_int_equal(a.nrules, ACL_MAX_RULES);
	err[0] = '\0';
	assert_int_equal(acl_add(&a, "any", 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "too many address rules (max 64)"));
	assert_int_equal(a.nrules, ACL_MAX_RULES);
	/* the last rule still works, and the refused "any" is not there */
	expect(&a, "10.63.1.1", ACL_ALLOW, 63);
	expect(&a, "10.62.1.1", ACL_DENY, 62);
	expect(&a, "10.64.1.1", ACL_DENY, ACL_RULE_DEFAULT);
}

/* ---- name patterns -------------------------------------------------- */

struct ncase {
	const char *path;
	int want;
	int idx;
};

static void expect_name(const struct acl *a, const struct ncase *c)
{
	int idx = 12345;
	int got = acl_name_check(a, c->path, &idx);

	TU_EQ(c->path, got, c->want);
	if (idx != c->idx)
		fail_msg("[%s] index: got %d, expected %d", c->path, idx,
			 c->idx);
}

/* The built-in rule: no path component may start with '.'. */
static void test_dotfiles(void **state)
{
	static const struct ncase t[] = {
		{ "a/.b/c", ACL_DENY, ACL_NAME_DOTFILE },
		{ ".x", ACL_DENY, ACL_NAME_DOTFILE },
		{ "a/b.", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "a.b", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "a/b.c/d", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "x./y..z", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "a/.", ACL_DENY, ACL_NAME_DOTFILE },
		{ ".", ACL_DENY, ACL_NAME_DOTFILE },
		{ "..", ACL_DENY, ACL_NAME_DOTFILE },
		{ "a/..b", ACL_DENY, ACL_NAME_DOTFILE },
		{ "b/c/.git/config", ACL_DENY, ACL_NAME_DOTFILE },
		{ "b/c/d/.htpasswd", ACL_DENY, ACL_NAME_DOTFILE },
		{ "/.x", ACL_DENY, ACL_NAME_DOTFILE },
		{ "a//.x", ACL_DENY, ACL_NAME_DOTFILE },
		{ "/a.bin", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "a\\.b", ACL_ALLOW, ACL_RULE_DEFAULT }, /* '\' is a byte */
		{ "", ACL_DENY, ACL_NAME_INVALID },
		{ "///", ACL_DENY, ACL_NAME_INVALID },
	};
	struct acl a;
	char *big;
	int idx = 0;

	(void)state;
	acl_init(&a);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		expect_name(&a, &t[i]);
	assert_int_equal(acl_name_check(&a, NULL, &idx), ACL_DENY);
	assert_int_equal(idx, ACL_NAME_INVALID);
	assert_int_equal(acl_name_check(NULL, "a", &idx), ACL_DENY);
	assert_int_equal(acl_name_check(&a, "a", NULL), ACL_ALLOW);

	/* TFTP_NAME_MAX (1023) bytes is served, 1024 is not */
	big = malloc(1025);
	assert_non_null(big);
	memset(big, 'a', 1024);
	big[1024] = '\0';
	assert_int_equal(acl_name_check(&a, big, &idx), ACL_DENY);
	assert_int_equal(idx, ACL_NAME_INVALID);
	big[1023] = '\0';
	assert_int_equal(acl_name_check(&a, big, &idx), ACL_ALLOW);
	/* a 1023-byte single component must also go through the patterns */
	add_ok(&a, "127.0.0.1", 1); /* address rules do not affect names */
	assert_int_equal(acl_deny_name(&a, "a*a", NULL, 0), 0);
	assert_int_equal(acl_name_check(&a, big, &idx), ACL_DENY);
	assert_int_equal(idx, 0);
	free(big);
}

static void test_name_patterns(void **state)
{
	static const char *pats[] = {
		"*.key",            /* 0: any component */
		"private",          /* 1: a directory anywhere, and beneath */
		"cfg/*.d",          /* 2: anchored, '*' stays in a component */
		"/boot/secret?.bin",/* 3: leading '/' dropped */
		"[0-9]*.tmp",       /* 4: bracket */
		"lit\\*eral",       /* 5: escaped '*' is literal */
		"[!a-z]x",          /* 6: negated bracket */
	};
	static const struct ncase t[] = {
		{ "x.key", ACL_DENY, 0 },
		{ "a/b/x.key", ACL_DENY, 0 },
		{ "x.key/y", ACL_DENY, 0 },
		{ "x.key.bak", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "xkey", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "private", ACL_DENY, 1 },
		{ "private/a.bin", ACL_DENY, 1 },
		{ "a/private/b", ACL_DENY, 1 },
		{ "a/private", ACL_DENY, 1 },
		{ "privateer/a", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "Private/a", ACL_ALLOW, ACL_RULE_DEFAULT }, /* case matters */
		{ "cfg/x.d", ACL_DENY, 2 },
		{ "cfg/.d", ACL_DENY, ACL_NAME_DOTFILE }, /* dotfile rule first */
		{ "cfg/x.d/y", ACL_DENY, 2 },
		{ "cfg/x.d/y/z", ACL_DENY, 2 },
		{ "cfg/x.dd", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "a/cfg/x.d", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "cfg/a/x.d", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "cfg", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "boot/secret1.bin", ACL_DENY, 3 },
		{ "/boot/secret1.bin", ACL_DENY, 3 },
		{ "boot/secret12.bin", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "boot/secret.bin", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "x/boot/secret1.bin", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "9abc.tmp", ACL_DENY, 4 },
		{ "a/1.tmp", ACL_DENY, 4 },
		{ "abc.tmp", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "lit*eral", ACL_DENY, 5 },
		{ "litXeral", ACL_ALLOW, ACL_RULE_DEFAULT },
		{ "1x", ACL_DENY, 6 },
		{ "ax", ACL_ALLOW, ACL_RULE_DEFAULT },
		/* first matching pattern is reported */
		{ "private/k.key", ACL_DENY, 0 },
		{ "firmware/v1.bin", ACL_ALLOW, ACL_RULE_DEFAULT },
	};
	struct acl a;
	char err[128];

	(void)state;
	acl_init(&a);
	for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
		err[0] = '\0';
		if (acl_deny_name(&a, pats[i], err, sizeof err) != 0)
			fail_msg("[%s] refused: %s", pats[i], err);
	}
	assert_string_equal(a.names[3], "boot/secret?.bin");
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		expect_name(&a, &t[i]);
}

static void test_bad_patterns(void **state)
{
	static const struct {
		const char *pat, *msg;
	} t[] = {
		{ NULL, "no name pattern" },
		{ "", "empty name pattern" },
		{ "/", "empty name pattern" },
		{ "///", "empty name pattern" },
		{ "a/", "ends in '/'" },
		{ "/a/b/", "ends in '/'" },
		{ "a//b", "\"//\" in name pattern" },
		{ "a\tb", "\"a?b\": control byte" },
		{ "a\x7f", "control byte" },
	};
	struct acl a;
	char err[160], *big;

	(void)state;
	acl_init(&a);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *label = t[i].pat ? t[i].pat : "(null)";

		err[0] = '\0';
		TU_EQ(label, acl_deny_name(&a, t[i].pat, err, sizeof err), -1);
		if (strstr(err, t[i].msg) == NULL)
			fail_msg("[%s] err \"%s\" lacks \"%s\"", label, err,
				 t[i].msg);
		TU_EQ(label, a.nnames, 0);
	}
	/* 255 bytes fit, 256 do not */
	big = malloc(ACL_NAME_PAT_MAX + 1);
	assert_non_null(big);
	memset(big, 'p', ACL_NAME_PAT_MAX);
	big[ACL_NAME_PAT_MAX] = '\0';
	assert_int_equal(acl_deny_name(&a, big, err, sizeof err), -1);
	assert_non_null(strstr(err, "too long (max 255 bytes)"));
	big[ACL_NAME_PAT_MAX - 1] = '\0';
	assert_int_equal(acl_deny_name(&a, big, err, sizeof err), 0);
	free(big);
	assert_int_equal(acl_deny_name(NULL, "x", err, sizeof err), -1);

	/* capacity: ACL_MAX_NAMES in total, then refused */
	for (unsigned i = 1; i < ACL_MAX_NAMES; i++) {
		char p[16];

		snprintf(p, sizeof p, "n%u", i);
		TU_EQ(p, acl_deny_name(&a, p, err, sizeof err), 0);
	}
	assert_int_equal(a.nnames, ACL_MAX_NAMES);
	assert_int_equal(acl_deny_name(&a, "one-more", err, sizeof err), -1);
	assert_non_null(strstr(err, "too many name patterns (max 32)"));
	assert_int_equal(a.nnames, ACL_MAX_NAMES);
	{
		int idx;

		assert_int_equal(acl_name_check(&a, "d/n31", &idx), ACL_DENY);
		assert_int_equal(idx, 31);
		assert_int_equal(acl_name_check(&a, "one-more", &idx),
				 ACL_ALLOW);
	}
}

/* ---- modes ---------------------------------------------------------- */

static void test_modes(void **state)
{
	struct acl a;
	char err[128];

	(void)state;
	acl_init(&a);
	assert_int_equal(acl_mode_check(&a, "octet"), ACL_ALLOW);
	assert_int_equal(acl_mode_check(&a, "OCTET"), ACL_ALLOW);
	assert_int_equal(acl_mode_check(&a, "netascii"), ACL_ALLOW);
	assert_int_equal(acl_mode_check(&a, "NetAscii"), ACL_ALLOW);
	assert_int_equal(acl_mode_check(&a, "mail"), ACL_DENY);
	assert_int_equal(acl_mode_check(&a, ""), ACL_DENY);
	assert_int_equal(acl_mode_check(&a, "octet "), ACL_DENY);
	assert_int_equal(acl_mode_check(&a, "octe"), ACL_DENY);
	assert_int_equal(acl_mode_check(&a, "octets"), ACL_DENY);
	assert_int_equal(acl_mode_check(&a, NULL), ACL_DENY);
	assert_int_equal(acl_mode_check(NULL, "octet"), ACL_DENY);

	assert_int_equal(acl_mode_disable(&a, "NETASCII", err, sizeof err), 0);
	assert_int_equal(acl_mode_check(&a, "netascii"), ACL_DENY);
	assert_int_equal(acl_mode_check(&a, "octet"), ACL_ALLOW);
	/* again: harmless */
	assert_int_equal(acl_mode_disable(&a, "netascii", err, sizeof err), 0);
	/* the last mode cannot go */
	err[0] = '\0';
	assert_int_equal(acl_mode_disable(&a, "octet", err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot disable every transfer mode"));
	assert_int_equal(acl_mode_check(&a, "octet"), ACL_ALLOW);

	err[0] = '\0';
	assert_int_equal(acl_mode_disable(&a, "mail", err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown transfer mode \"mail\""));
	assert_int_equal(acl_mode_disable(&a, NULL, err, sizeof err), -1);
	assert_int_equal(acl_mode_disable(NULL, "octet", err, sizeof err), -1);

	/* octet alone can be disabled too (netascii-only server) */
	acl_init(&a);
	assert_int_equal(acl_mode_disable(&a, "octet", err, sizeof err), 0);
	assert_int_equal(acl_mode_check(&a, "octet"), ACL_DENY);
	assert_int_equal(acl_mode_check(&a, "netascii"), ACL_ALLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_first_match_wins),
		cmocka_unit_test(test_any_and_default_deny),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_prefix_edges),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_good_specs),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_dotfiles),
		cmocka_unit_test(test_name_patterns),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
