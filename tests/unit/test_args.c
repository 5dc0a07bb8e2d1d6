/* test_args.c - args_parse (config.h): defaults; every numeric option at
 * and past each bound, in short, attached, long and --opt=value spelling,
 * with non-numbers and values that wrap at 2^32; -r names; --allow/--deny
 * and the other policy options; -s, --listen, --for/--for-mac; unknown
 * options, missing values and stray arguments; -f with files written to a
 * temporary directory; --help/--version/--sandbox-tables with stdout
 * captured to a file; and repeated calls (getopt state must not leak from
 * one call into the next). Expected values come from config.h, options.h,
 * acl.h and the command-line summary in the project notes. Every error
 * message is checked to be non-empty and NUL-terminated inside errsz with
 * a canary after it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "testutil.h"

#define ERRSZ 256
#define ERR_GUARD 32
#define MAX_ARGS 16

/* ---------- helpers ---------- */

struct ctx {
	struct fw_config cfg;
	unsigned char errmem[ERRSZ + ERR_GUARD];
	char tmpdir[64];
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);

	if (c == NULL)
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* argv = { "fwtftpd", a[0], ..., NULL } in a fresh array (getopt permutes
 * it); cfg starts dirty so that defaults must be set by args_parse. */
static int parse_v(struct ctx *c, const char *const *a)
{
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	char *err = (char *)c->errmem;

	argv[argc++] = (char *)"fwtftpd";
	for (; a[argc - 1] != NULL; argc++) {
		assert_true(argc <= MAX_ARGS);
		argv[argc] = (char *)a[argc - 1];
	}
	argv[argc] = NULL;
	memset(&c->cfg, 0xa5, sizeof c->cfg);
	memset(c->errmem, 0xee, sizeof c->errmem);
	return args_parse(argc, argv, &c->cfg, err, ERRSZ);
}

#define PARSE(c, ...) parse_v((c), (const char *const[]){ __VA_ARGS__, NULL })
#define PARSE0(c) parse_v((c), (const char *const[]){ NULL })

/* After a -1: a message, NUL-terminated inside ERRSZ, guard intact. */
static const char *errmsg(const char *label, struct ctx *c)
{
	const char *err = (const char *)c->errmem;

	if (memchr(c->errmem, 0, ERRSZ) == NULL)
		fail_msg("[%s] err not NUL-terminated inside errsz", label);
	for (size_t i = ERRSZ; i < sizeof c->errmem; i++)
		if (c->errmem[i] != 0xee)
			fail_msg("[%s] err written past errsz", label);
	if (err[0] == '\0')
		fail_msg("[%s] empty error message", label);
	return err;
}

static void expect_fail(const char *label, struct ctx *c, int r)
{
	if (r != -1)
		fail_msg("[%s] args_parse returned %d, expected -1", label, r);
	errmsg(label, c);
}

static void expect_ok(const char *label, struct ctx *c, int r)
{
	if (r != 0)
		fail_msg("[%s] args_parse returned %d (err \"%.200s\"), expected 0",
			 label, r, memchr(c->errmem, 0, ERRSZ) ? (char *)c->errmem : "?");
}

static void check_defaults(const char *label, const struct fw_config *cfg)
{
	TU_STREQ(label, cfg->root, "/srv/tftp");
	TU_STREQ(label, cfg->user, "nobody");
	TU_EQ(label, cfg->max_children, 256);
	TU_EQ(label, cfg->lim.max_blksize, 65464);
	TU_EQ(label, cfg->lim.max_window, 64);
	TU_EQ(label, cfg->lim.refused, 0);
	TU_EQ(label, cfg->timeout_s, 2);
	TU_EQ(label, cfg->retries, 5);
	TU_CHECK(label, cfg->listen == NULL);
	TU_EQ(label, cfg->foreground, 0);
	TU_EQ(label, cfg->verbose, 0);
	TU_CHECK(label, cfg->log_socket == NULL);
	TU_EQ(label, cfg->sandbox_debug, 0);
	TU_CHECK(label, cfg->config_file == NULL);
	TU_EQ(label, cfg->list_firmware, 0);
	TU_CHECK(label, cfg->list_for == NULL);
	TU_CHECK(label, cfg->list_for_mac == NULL);
	TU_EQ(label, cfg->acl.nrules, 0);
	TU_EQ(label, cfg->acl.nnames, 0);
	TU_EQ(label, cfg->acl.modes_off, 0);
	TU_EQ(label, cfg->fw.enabled, 1); /* fwpolicy.h: enabled by default */
}

/* ---------- defaults ---------- */

static void test_defaults(void **state)
{
	struct ctx *c = *state;

	expect_ok("no arguments", c, PARSE0(c));
	check_defaults("no arguments", &c->cfg);
	/* "--" alone ends the options and leaves nothing behind */
	expect_ok("--", c, PARSE(c, "--"));
	check_defaults("--", &c->cfg);
}

/* ---------- numeric options ---------- */

enum field { F_BLK, F_WIN, F_TIMEOUT, F_RETRIES, F_CHILDREN, NFIELDS };

static const struct {
	char shortopt;       /* 0: long only */
	const char *longopt;
	unsigned dflt;
} fields[NFIELDS] = {
	[F_BLK] = { 'B', "max-blksize", 65464 },
	[F_WIN] = { 'W', "max-window", 64 },
	[F_TIMEOUT] = { 't', "timeout", 2 },
	[F_RETRIES] = { 'R', "retries", 5 },
	[F_CHILDREN] = { 0, "max-children", 256 },
};

static unsigned get_field(const struct fw_config *cfg, enum field f)
{
	switch (f) {
	case F_BLK: return cfg->lim.max_blksize;
	case F_WIN: return cfg->lim.max_window;
	case F_TIMEOUT: return cfg->timeout_s;
	case F_RETRIES: return cfg->retries;
	default: return cfg->max_children;
	}
}

struct num_case {
	enum field f;
	const char *val;
	int ok;
};

static const struct num_case num_cases[] = {
	{ F_BLK, "7", 0 }, { F_BLK, "8", 1 }, { F_BLK, "512", 1 },
	{ F_BLK, "65464", 1 }, { F_BLK, "65465", 0 }, { F_BLK, "0", 0 },
	{ F_WIN, "0", 0 }, { F_WIN, "1", 1 }, { F_WIN, "65535", 1 },
	{ F_WIN, "65536", 0 },
	{ F_TIMEOUT, "0", 0 }, { F_TIMEOUT, "1", 1 }, { F_TIMEOUT, "255", 1 },
	{ F_TIMEOUT, "256", 0 },
	{ F_RETRIES, "0", 0 }, { F_RETRIES, "1", 1 }, { F_RETRIES, "100", 1 },
	{ F_RETRIES, "101", 0 },
	{ F_CHILDREN, "0", 0 }, { F_CHILDREN, "1", 1 }, { F_CHILDREN, "4096", 1 },
	{ F_CHILDREN, "4097", 0 },
};

/* Not numbers, or numbers that only fit after wrapping: refused for
 * every numeric option. 4294967304 = 2^32 + 8, 4294967297 = 2^32 + 1. */
static const char *const not_numbers[] = {
	"", "abc", "-1", "+5", " 5", "5 ", "5x", "0x10", "1e3", "5.0",
	"99999999999999999999999", "4294967304", "4294967297",
	"18446744073709551617",
};

/* One value in every spelling: -X V, -XV, --long V, --long=V. */
static void run_num(struct ctx *c, enum field f, const char *val, int ok)
{
	char shortsep[4], attached[64], longopt[48], longeq[96];
	const char *argvs[4][3];
	int n = 0;

	snprintf(longopt, sizeof longopt, "--%s", fields[f].longopt);
	snprintf(longeq, sizeof longeq, "--%s=%s", fields[f].longopt, val);
	argvs[n][0] = longopt, argvs[n][1] = val, argvs[n][2] = NULL, n++;
	argvs[n][0] = longeq, argvs[n][1] = NULL, n++;
	if (fields[f].shortopt) {
		snprintf(shortsep, sizeof shortsep, "-%c", fields[f].shortopt);
		snprintf(attached, sizeof attached, "-%c%s", fields[f].shortopt, val);
		argvs[n][0] = shortsep, argvs[n][1] = val, argvs[n][2] = NULL, n++;
		/* "-B" + "" would be "-B" alone: a missing value, not "" */
		if (val[0] != '\0')
			argvs[n][0] = attached, argvs[n][1] = NULL, n++;
	}
	for (int i = 0; i < n; i++) {
		char label[160];
		int r = parse_v(c, argvs[i]);

		snprintf(label, sizeof label, "%s%s%s", argvs[i][0],
			 argvs[i][1] ? " " : "", argvs[i][1] ? argvs[i][1] : "");
		if (!ok) {
			expect_fail(label, c, r);
			continue;
		}
		expect_ok(label, c, r);
		TU_EQ(label, get_field(&c->cfg, f), strtoul(val, NULL, 10));
		for (int g = 0; g < NFIELDS; g++)
			if (g != (int)f)
				TU_EQ(label, get_field(&c->cfg, (enum field)g),
				      fields[g].dflt);
	}
}

static void test_numeric_bounds(void **state)
{
	struct ctx *c = *state;

	for (size_t i = 0; i < sizeof num_cases / sizeof num_cases[0]; i++)
		run_num(c, num_cases[i].f, num_cases[i].val, num_cases[i].ok);
}

static void test_numeric_garbage(void **state)
{
	struct ctx *c = *state;

	for (int f = 0; f < NFIELDS; f++)
		for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++)
			run_num(c, (enum field)f, not_numbers[i], 0);
}

/* All at once, last occurrence of a repeated option wins. */
static void test_numeric_combined(void **state)
{
	struct ctx *c = *state;

	expect_ok("combined", c, PARSE(c, "-B", "1428", "-W", "8", "-t", "3", "-R",
				       "7", "--max-children", "10", "-B", "9000"));
	TU_EQ("combined blksize (last wins)", c->cfg.lim.max_blksize, 9000);
	TU_EQ("combined window", c->cfg.lim.max_window, 8);
	TU_EQ("combined timeout", c->cfg.timeout_s, 3);
	TU_EQ("combined retries", c->cfg.retries, 7);
	TU_EQ("combined children", c->cfg.max_children, 10);
}

/* ---------- -r / --refuse ---------- */

static void test_refuse(void **state)
{
	static const struct {
		const char *name;
		unsigned bit;
	} good[] = {
		{ "blksize", OPT_BLKSIZE }, { "BLKSIZE", OPT_BLKSIZE },
		{ "BlkSize", OPT_BLKSIZE }, { "tsize", OPT_TSIZE },
		{ "TSIZE", OPT_TSIZE }, { "timeout", OPT_TIMEOUT },
		{ "TimeOut", OPT_TIMEOUT }, { "windowsize", OPT_WINDOWSIZE },
		{ "WINDOWSIZE", OPT_WINDOWSIZE },
	};
	static const char *const bad[] = {
		"foo", "", "blksize2", "blk", "window", "blksize ", " tsize",
		"tsize,timeout", "multicast", "size",
	};
	struct ctx *c = *state;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		expect_ok(good[i].name, c, PARSE(c, "-r", good[i].name));
		TU_EQ(good[i].name, c->cfg.lim.refused, good[i].bit);
		expect_ok(good[i].name, c, PARSE(c, "--refuse", good[i].name));
		TU_EQ(good[i].name, c->cfg.lim.refused, good[i].bit);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		expect_fail(bad[i], c, PARSE(c, "-r", bad[i]));
		expect_fail(bad[i], c, PARSE(c, "--refuse", bad[i]));
	}
	expect_ok("-r repeated", c, PARSE(c, "-r", "blksize", "-rtsize",
					   "--refuse=windowsize", "-r", "BLKSIZE"));
	TU_EQ("-r repeated", c->cfg.lim.refused,
	      OPT_BLKSIZE | OPT_TSIZE | OPT_WINDOWSIZE);
	expect_ok("-r all four", c, PARSE(c, "-r", "blksize", "-r", "tsize", "-r",
					   "timeout", "-r", "windowsize"));
	TU_EQ("-r all four", c->cfg.lim.refused,
	      OPT_BLKSIZE | OPT_TSIZE | OPT_TIMEOUT | OPT_WINDOWSIZE);
}

/* ---------- policy options ---------- */

static void expect_rule(const char *label, const struct acl_rule *r, int allow,
			int fam, const char *addr, unsigned prefix)
{
	uint8_t want[16] = { 0 };

	TU_EQ(label, r->allow, allow);
	TU_EQ(label, r->family, fam);
	if (fam == AF_UNSPEC)
		return;
	TU_EQ(label, r->prefix, prefix);
	assert_int_equal(inet_pton(fam, addr, want), 1);
	TU_MEMEQ(label, r->addr, fam == AF_INET ? 4u : 16u, want,
		 fam == AF_INET ? 4u : 16u);
}

static void test_allow_deny(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "10.0.0.1/8", "300.0.0.0/8", "nonsense",
		"10.0.0.0/", "10.0.0.0/08", "::1/129", "2001:db8::/x",
		"10.0.0.0/8/8",
	};
	struct ctx *c = *state;

	expect_ok("allow/deny order", c, PARSE(c, "--allow", "10.0.0.0/8", "--deny",
					       "::1", "--allow=192.168.1.7",
					       "--deny", "any"));
	TU_EQ("rules", c->cfg.acl.nrules, 4);
	expect_rule("rule 0", &c->cfg.acl.rules[0], ACL_ALLOW, AF_INET, "10.0.0.0", 8);
	expect_rule("rule 1", &c->cfg.acl.rules[1], ACL_DENY, AF_INET6, "::1", 128);
	expect_rule("rule 2", &c->cfg.acl.rules[2], ACL_ALLOW, AF_INET,
		    "192.168.1.7", 32);
	expect_rule("rule 3", &c->cfg.acl.rules[3], ACL_DENY, AF_UNSPEC, NULL, 0);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char label[64];
		const char *err;

		snprintf(label, sizeof label, "--allow %s", bad[i]);
		expect_fail(label, c, PARSE(c, "--allow", bad[i]));
		err = errmsg(label, c);
		if (strstr(err, bad[i]) == NULL)
			fail_msg("[%s] message \"%s\" does not name the rule", label, err);
		snprintf(label, sizeof label, "--deny %s", bad[i]);
		expect_fail(label, c, PARSE(c, "--allow", "any", "--deny", bad[i]));
		err = errmsg(label, c);
		if (strstr(err, bad[i]) == NULL)
			fail_msg("[%s] message \"%s\" does not name the rule", label, err);
	}
	expect_fail("--allow empty", c, PARSE(c, "--allow", ""));
}

static void test_names_and_modes(void **state)
{
	struct ctx *c = *state;

	expect_ok("deny-name", c, PARSE(c, "--deny-name", "*.key", "--deny-name",
					"private"));
	TU_EQ("deny-name", c->cfg.acl.nnames, 2);
	TU_STREQ("deny-name 0", c->cfg.acl.names[0], "*.key");
	TU_STREQ("deny-name 1", c->cfg.acl.names[1], "private");
	expect_fail("deny-name empty", c, PARSE(c, "--deny-name", ""));
	expect_fail("deny-name trailing /", c, PARSE(c, "--deny-name", "dir/"));

	expect_ok("disable netascii", c, PARSE(c, "--disable-mode", "netascii"));
	TU_EQ("disable netascii", c->cfg.acl.modes_off, ACL_MODE_NETASCII);
	expect_ok("disable OCTET", c, PARSE(c, "--disable-mode", "OCTET"));
	TU_EQ("disable OCTET", c->cfg.acl.modes_off, ACL_MODE_OCTET);
	expect_fail("disable mail", c, PARSE(c, "--disable-mode", "mail"));
	expect_fail("disable both", c, PARSE(c, "--disable-mode", "octet",
					     "--disable-mode", "netascii"));
}

/* ---------- other options ---------- */

static void test_other_options(void **state)
{
	struct ctx *c = *state;

	expect_ok("-s", c, PARSE(c, "-s", "/var/tftp"));
	TU_STREQ("-s", c->cfg.root, "/var/tftp");
	expect_ok("--secure=", c, PARSE(c, "--secure=/"));
	TU_STREQ("--secure=", c->cfg.root, "/");
	expect_fail("-s relative", c, PARSE(c, "-s", "srv/tftp"));
	expect_fail("-s dot", c, PARSE(c, "-s", "./tftp"));
	expect_fail("-s empty", c, PARSE(c, "-s", ""));
	expect_fail("--secure relative", c, PARSE(c, "--secure", "tftp"));

	expect_ok("-u", c, PARSE(c, "-u", "tftp"));
	TU_STREQ("-u", c->cfg.user, "tftp");
	expect_ok("--user", c, PARSE(c, "--user", "daemon"));
	TU_STREQ("--user", c->cfg.user, "daemon");

	expect_ok("-L -v", c, PARSE(c, "-L", "-v"));
	TU_EQ("-L", c->cfg.foreground, 1);
	TU_EQ("-v", c->cfg.verbose, 1);
	expect_ok("-Lv grouped", c, PARSE(c, "-Lv"));
	TU_EQ("-Lv", c->cfg.foreground, 1);
	TU_EQ("-Lv", c->cfg.verbose, 1);
	expect_ok("long", c, PARSE(c, "--foreground", "--verbose", "--sandbox-debug"));
	TU_EQ("--foreground", c->cfg.foreground, 1);
	TU_EQ("--verbose", c->cfg.verbose, 1);
	TU_EQ("--sandbox-debug", c->cfg.sandbox_debug, 1);

	expect_ok("--log-socket", c, PARSE(c, "--log-socket", "/run/log.sock"));
	TU_STREQ("--log-socket", c->cfg.log_socket, "/run/log.sock");
	expect_ok("--listen v4", c, PARSE(c, "--listen", "127.0.0.1:6969"));
	TU_STREQ("--listen v4", c->cfg.listen, "127.0.0.1:6969");
	expect_ok("--listen v6", c, PARSE(c, "--listen=[::1]:6969"));
	TU_STREQ("--listen v6", c->cfg.listen, "[::1]:6969");

	/* options after a value that looks like an option still parse */
	expect_ok("value then option", c, PARSE(c, "-u", "-v", "-L"));
	TU_STREQ("value then option: -u takes -v", c->cfg.user, "-v");
	TU_EQ("value then option", c->cfg.verbose, 0);
	TU_EQ("value then option", c->cfg.foreground, 1);
}

static void test_list_firmware(void **state)
{
	static const char *const bad_mac[] = {
		"aa:bb:cc:dd:ee", "zz:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff:00", "",
		"aabbccddeeff", "aa:bb:cc:dd:ee:f",
	};
	static const char *const bad_for[] = { "notanip", "", "300.1.1.1", "10.0.0.1:69",
					       "::g", "host.example" };
	struct ctx *c = *state;

	expect_ok("--list-firmware", c, PARSE(c, "--list-firmware"));
	TU_EQ("--list-firmware", c->cfg.list_firmware, 1);
	expect_ok("--for v4", c, PARSE(c, "--list-firmware", "--for", "10.0.0.1"));
	TU_STREQ("--for v4", c->cfg.list_for, "10.0.0.1");
	expect_ok("--for v6", c, PARSE(c, "--for", "2001:db8::1", "--list-firmware"));
	TU_STREQ("--for v6", c->cfg.list_for, "2001:db8::1");
	expect_ok("--for-mac", c, PARSE(c, "--list-firmware", "--for-mac",
					"aa:bb:cc:dd:ee:ff"));
	TU_STREQ("--for-mac", c->cfg.list_for_mac, "aa:bb:cc:dd:ee:ff");
	expect_ok("--for-mac dashes", c, PARSE(c, "--list-firmware", "--for-mac",
					       "AA-BB-CC-DD-EE-FF"));

	expect_fail("--for alone", c, PARSE(c, "--for", "10.0.0.1"));
	expect_fail("--for-mac alone", c, PARSE(c, "--for-mac", "aa:bb:cc:dd:ee:ff"));
	for (size_t i = 0; i < sizeof bad_mac / sizeof bad_mac[0]; i++)
		expect_fail(bad_mac[i], c, PARSE(c, "--list-firmware", "--for-mac",
						 bad_mac[i]));
	for (size_t i = 0; i < sizeof bad_for / sizeof bad_for[0]; i++)
		expect_fail(bad_for[i], c, PARSE(c, "--list-firmware", "--for",
						 bad_for[i]));
}

/* ---------- malformed command lines ---------- */

static void test_bad_command_lines(void **state)
{
	static const struct {
		const char *label;
		const char *a[4];
	} bad[] = {
		{ "unknown short", { "-x" } },
		{ "unknown short in a group", { "-Lx" } },
		{ "unknown long", { "--bogus" } },
		{ "unknown long with value", { "--bogus=1" } },
		{ "ambiguous abbreviation", { "--fo" } },
		{ "no-value option given one", { "--verbose=1" } },
		{ "missing value -B", { "-B" } },
		{ "missing value --max-blksize", { "--max-blksize" } },
		{ "missing value -s", { "-s" } },
		{ "missing value -r", { "-r" } },
		{ "missing value -f", { "-f" } },
		{ "missing value --allow", { "--allow" } },
		{ "missing value --listen", { "-L", "--listen" } },
		{ "missing value --for", { "--list-firmware", "--for" } },
		{ "stray argument", { "foo" } },
		{ "stray argument after option", { "-L", "foo" } },
		{ "stray argument before option", { "foo", "-L" } },
		{ "argument after --", { "--", "foo" } },
		{ "lone dash", { "-" } },
		{ "stray after a valued option", { "-B", "512", "1024" } },
	};
	struct ctx *c = *state;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_fail(bad[i].label, c, parse_v(c, bad[i].a));
}

/* A tiny errsz: the message is cut, NUL-terminated, nothing past errsz. */
static void test_small_errsz(void **state)
{
	struct ctx *c = *state;
	static const char *const a[][3] = {
		{ "--allow", "10.0.0.0/99", NULL },
		{ "--bogus-option-with-a-long-name", NULL, NULL },
		{ "-B", "7", NULL },
		{ "stray-argument-with-a-long-name", NULL, NULL },
	};

	(void)c;
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
		for (size_t sz = 1; sz <= 9; sz++) {
			struct fw_config *cfg = calloc(1, sizeof *cfg);
			unsigned char mem[16 + 32];
			char *argv[4] = { (char *)"fwtftpd", (char *)a[i][0],
					  (char *)a[i][1], NULL };
			int argc = a[i][1] ? 3 : 2;

			assert_non_null(cfg);
			memset(mem, 0xee, sizeof mem);
			TU_EQ(a[i][0], args_parse(argc, argv, cfg, (char *)mem, sz), -1);
			TU_CHECK(a[i][0], memchr(mem, 0, sz) != NULL);
			for (size_t k = sz; k < sizeof mem; k++)
				TU_EQ(a[i][0], mem[k], 0xee);
			free(cfg);
		}
}

/* ---------- -f FILE ---------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_config_file(void **state)
{
	struct ctx *c = *state;
	char good[128], bad2[128], bad3[128], missing[128], want[160];
	const char *err;

	snprintf(c->tmpdir, sizeof c->tmpdir, "/tmp/fwt-args.XXXXXX");
	assert_non_null(mkdtemp(c->tmpdir));
	snprintf(good, sizeof good, "%s/good.conf", c->tmpdir);
	snprintf(bad2, sizeof bad2, "%s/bad2.conf", c->tmpdir);
	snprintf(bad3, sizeof bad3, "%s/bad3.conf", c->tmpdir);
	snprintf(missing, sizeof missing, "%s/missing.conf", c->tmpdir);
	write_file(good, "# policy\nallow 10.0.0.0/8\n\ndeny any\nrefuse tsize\n"
			 "deny-name *.key\n");
	write_file(bad2, "allow any\nbogus-directive x\n");
	write_file(bad3, "# x\n\nallow 10.0.0.0/99\n");

	expect_ok("-f good", c, PARSE(c, "-f", good));
	TU_STREQ("-f good", c->cfg.config_file, good);
	TU_EQ("-f good rules", c->cfg.acl.nrules, 2);
	expect_rule("-f good rule 0", &c->cfg.acl.rules[0], ACL_ALLOW, AF_INET,
		    "10.0.0.0", 8);
	expect_rule("-f good rule 1", &c->cfg.acl.rules[1], ACL_DENY, AF_UNSPEC, NULL, 0);
	TU_EQ("-f good refuse", c->cfg.lim.refused, OPT_TSIZE);
	TU_EQ("-f good names", c->cfg.acl.nnames, 1);

	/* the file's rules come after the command line's (README, man page),
	 * wherever -f stands */
	expect_ok("--config order", c, PARSE(c, "--config", good, "--allow",
					     "192.168.0.0/16", "-r", "blksize"));
	TU_EQ("--config order rules", c->cfg.acl.nrules, 3);
	expect_rule("--config order rule 0", &c->cfg.acl.rules[0], ACL_ALLOW, AF_INET,
		    "192.168.0.0", 16);
	expect_rule("--config order rule 1", &c->cfg.acl.rules[1], ACL_ALLOW, AF_INET,
		    "10.0.0.0", 8);
	TU_EQ("--config order refuse", c->cfg.lim.refused, OPT_TSIZE | OPT_BLKSIZE);

	expect_fail("-f bad line 2", c, PARSE(c, "-f", bad2));
	err = errmsg("-f bad line 2", c);
	snprintf(want, sizeof want, "%s:2:", bad2);
	if (strstr(err, want) == NULL)
		fail_msg("[-f bad line 2] \"%s\" lacks \"%s\"", err, want);

	expect_fail("last -f wins, bad line 3", c, PARSE(c, "-L", "--config=x", "-f", bad3));
	err = errmsg("-f bad line 3", c);
	snprintf(want, sizeof want, "%s:3:", bad3);
	if (strstr(err, want) == NULL)
		fail_msg("[-f bad line 3] \"%s\" lacks \"%s\"", err, want);

	expect_fail("-f missing", c, PARSE(c, "-f", missing));
	err = errmsg("-f missing", c);
	if (strstr(err, missing) == NULL)
		fail_msg("[-f missing] \"%s\" does not name the file", err);

	/* a bad command line is reported before the file is read */
	expect_fail("bad option and -f", c, PARSE(c, "-f", good, "-B", "7"));

	unlink(good);
	unlink(bad2);
	unlink(bad3);
	assert_int_equal(rmdir(c->tmpdir), 0);
}

/* ---------- --help, --version ---------- */

/* Run args_parse with stdout sent to a temporary file; returns its
 * result and the captured text (malloc'd). */
static int parse_captured(struct ctx *c, const char *const *a, char **out)
{
	char path[] = "/tmp/fwt-args-out.XXXXXX";
	int fd = mkstemp(path), saved, r;
	off_t len;

	assert_true(fd >= 0);
	unlink(path);
	fflush(stdout);
	saved = dup(1);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 1), 1);
	r = parse_v(c, a);
	fflush(stdout);
	assert_int_equal(dup2(saved, 1), 1);
	close(saved);
	len = lseek(fd, 0, SEEK_END);
	assert_true(len >= 0 && len < 1 << 20);
	*out = calloc(1, (size_t)len + 1);
	assert_non_null(*out);
	assert_int_equal(pread(fd, *out, (size_t)len, 0), len);
	close(fd);
	return r;
}

static void test_help_version(void **state)
{
	/* the command line of the project notes: each must be documented */
	static const char *const documented[] = {
		"-s", "--listen", "--max-children", "--max-blksize", "--max-window",
		"--timeout", "--retries", "--refuse", "--foreground", "--verbose",
		"--log-socket", "--version", "--help", "--allow", "--deny",
		"--config", "--list-firmware",
	};
	struct ctx *c = *state;
	char *out;

	TU_EQ("-V", parse_captured(c, (const char *const[]){ "-V", NULL }, &out), 1);
	TU_CHECK("-V names the program", strstr(out, "fwtftpd") != NULL);
	free(out);
	TU_EQ("--version", parse_captured(c, (const char *const[]){ "--version", NULL },
					  &out), 1);
	TU_CHECK("--version output", strstr(out, "fwtftpd") != NULL);
	free(out);

	TU_EQ("-h", parse_captured(c, (const char *const[]){ "-h", NULL }, &out), 1);
	TU_CHECK("-h output", strlen(out) > 0);
	free(out);
	TU_EQ("--help", parse_captured(c, (const char *const[]){ "--help", NULL }, &out), 1);
	for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++)
		if (strstr(out, documented[i]) == NULL)
			fail_msg("--help does not mention %s", documented[i]);
	free(out);

	TU_EQ("--sandbox-tables", parse_captured(c, (const char *const[]){
		"--sandbox-tables", NULL }, &out), 1);
	TU_CHECK("--sandbox-tables output", strlen(out) > 0);
	free(out);

	/* --help wins over options that follow it */
	TU_EQ("--help then junk", parse_captured(c, (const char *const[]){
		"--help", "-B", "7", NULL }, &out), 1);
	free(out);
}

/* ---------- repeated calls ---------- */

/* A first call (any outcome) and then a second one, whose result must be
 * what it would be alone: nothing of the first may carry over. getopt
 * keeps its position inside a group of short options ("-Lxv") between
 * calls; args_parse has to reset that too. All pairs are run and every
 * broken one is listed before the test fails. */
struct pair_case {
	const char *label;
	const char *first[8];
	int r1;
	const char *second[4];
	int fg, verbose;          /* expected after the second call */
	unsigned timeout, window;
};

static const struct pair_case pairs[] = {
	{ "full good, then nothing", { "-B", "8", "-W", "2", "-t", "9", "-L", "-v" }, 0,
	  { NULL }, 0, 0, 2, 64 },
	{ "grouped -Lv, then nothing", { "-Lv" }, 0, { NULL }, 0, 0, 2, 64 },
	{ "missing value, then -W 3", { "-L", "-B" }, -1, { "-W", "3" }, 0, 0, 2, 3 },
	{ "stray, then -v", { "x", "y" }, -1, { "-v" }, 0, 1, 2, 64 },
	{ "bad number, then nothing", { "-B", "7", "-L" }, -1, { NULL }, 0, 0, 2, 64 },
	{ "unknown long, then nothing", { "-L", "--bogus", "-v" }, -1, { NULL }, 0, 0, 2, 64 },
	{ "--verbose=1, then nothing", { "-L", "--verbose=1" }, -1, { NULL }, 0, 0, 2, 64 },
	{ "-Lxv, then nothing", { "-Lxv" }, -1, { NULL }, 0, 0, 2, 64 },
	{ "-Lxv, then -t 4", { "-Lxv" }, -1, { "-t", "4" }, 0, 0, 4, 64 },
	{ "-xL, then -W 5", { "-xL" }, -1, { "-W", "5" }, 0, 0, 2, 5 },
	{ "-hL, then nothing", { "-hL" }, 1, { NULL }, 0, 0, 2, 64 },
	{ "-Vv, then -t 4", { "-Vv" }, 1, { "-t", "4" }, 0, 0, 4, 64 },
	{ "-vhL, then -W 7", { "-vhL" }, 1, { "-W", "7" }, 0, 0, 2, 7 },
	{ "--help, then -L", { "--help", "-v" }, 1, { "-L" }, 1, 0, 2, 64 },
};

struct pair_result {
	int r1, r2, fg, verbose;
	unsigned timeout, window;
	char err[128];
};

/* Each pair runs in a forked child (a leaked getopt position can make
 * getopt read past argv and crash); the child reports through a pipe. */
static int run_pair(struct ctx *c, const struct pair_case *p,
		    struct pair_result *res, int *sig)
{
	int fd[2], st;
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(fd), 0);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pair_result r;
		int devnull = open("/dev/null", O_WRONLY);

		/* cmocka's handlers would report a crash as a test failure
		 * from inside the child: let the parent see the signal */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		alarm(10);
		close(fd[0]);
		if (devnull < 0 || dup2(devnull, 1) != 1)
			_exit(2);
		memset(&r, 0, sizeof r);
		r.r1 = parse_v(c, p->first);
		r.r2 = parse_v(c, p->second);
		r.fg = c->cfg.foreground;
		r.verbose = c->cfg.verbose;
		r.timeout = c->cfg.timeout_s;
		r.window = c->cfg.lim.max_window;
		if (r.r2 != 0)
			snprintf(r.err, sizeof r.err, "%.120s", (char *)c->errmem);
		_exit(write(fd[1], &r, sizeof r) == (ssize_t)sizeof r ? 0 : 3);
	}
	close(fd[1]);
	n = read(fd[0], res, sizeof *res);
	close(fd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	*sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	return n == (ssize_t)sizeof *res && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_repeated_calls(void **state)
{
	struct ctx *c = *state;
	unsigned bad = 0;

	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		const struct pair_case *p = &pairs[i];
		struct pair_result r;
		int sig;

		if (!run_pair(c, p, &r, &sig)) {
			bad++;
			print_message("[%s] child died (signal %d)\n", p->label, sig);
			continue;
		}
		if (r.r1 != p->r1 || r.r2 != 0 || r.fg != p->fg ||
		    r.verbose != p->verbose || r.timeout != p->timeout ||
		    r.window != p->window) {
			bad++;
			if (r.r2 != 0)
				print_message("[%s] first %d (want %d), second %d "
					      "(want 0) err \"%s\"\n", p->label,
					      r.r1, p->r1, r.r2, r.err);
			else
				print_message("[%s] first %d (want %d), second 0: "
					      "foreground %d verbose %d timeout %u "
					      "window %u, want %d %d %u %u\n",
					      p->label, r.r1, p->r1, r.fg, r.verbose,
					      r.timeout, r.window, p->fg, p->verbose,
					      p->timeout, p->window);
		}
	}
	print_message("repeated calls: %zu pairs, %u broken\n",
		      sizeof pairs / sizeof pairs[0], bad);
	if (bad != 0)
		fail_msg("%u pairs: state of one args_parse call leaked into the next",
			 bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numeric_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numeric_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numeric_combined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_deny, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_firmware, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_command_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_errsz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_calls, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
