/* test_conffile.c - the configuration file parser (conffile.c): a complete
 * file with every directive and its effect on struct fw_config; lexical
 * rules (comments, blank lines, tabs, CRLF, a last line without newline,
 * the word limit, control characters); one bad line per error kind with
 * the exact "FILE:LINE: " prefix the header promises, at the right line
 * after good lines, blank lines and comments; and conf_load on real files
 * (missing, NUL byte, size limit, a directory). Inputs are exact-size heap
 * copies with a guard byte behind them: conf_parse gets "len bytes" and
 * must neither read nor write beyond them. Expectations come from
 * include/conffile.h, include/fwpolicy.h and include/acl.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "conffile.h"
#include "testutil.h"

#define GUARD 0x5a

static struct fw_config *fresh_cfg(void)
{
	struct fw_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		fail_msg("out of memory");
	acl_init(&cfg->acl);
	fwp_init(&cfg->fw);
	return cfg;
}

/* conf_parse on a copy of text with one guard byte after it. Only
 * test_input_bounds asserts the guard (so that one defect shows up as one
 * failure); the guard byte also keeps a write past len inside the
 * allocation for the other tests. guard_hit tells whether it changed. */
static int guard_hit;

static int parse(const char *label, const char *text, size_t len, struct fw_config *cfg,
		 char *err, size_t errsz)
{
	char *buf = malloc(len + 1);
	int r;

	(void)label;
	if (buf == NULL)
		fail_msg("out of memory");
	memcpy(buf, text, len);
	buf[len] = (char)GUARD;
	err[0] = '\0';
	r = conf_parse("t.conf", buf, len, cfg, err, errsz);
	guard_hit = (unsigned char)buf[len] != GUARD;
	free(buf);
	return r;
}

#define PARSE(label, lit, cfg, err) parse((label), (lit), sizeof(lit) - 1, (cfg), (err), sizeof(err))

/* ---- a complete, good file ------------------------------------------- */

static const char full_conf[] =
	"# fwtftpd configuration\n"
	"\n"
	"allow 10.0.0.0/8\n"                                  /* 3 */
	"deny any\n"                                          /* 4 */
	"deny-name *.key\n"                                   /* 5 */
	"disable-mode netascii\n"                             /* 6 */
	"refuse windowsize\n"                                 /* 7 */
	"   # indented comment\n"                             /* 8 */
	"firmware yes\n"                                      /* 9 */
	"firmware-dir\tfw/snom   # trailing comment\n"        /* 10 */
	"manifest fw/snom/SHA256SUMS\r\n"                     /* 11: CRLF */
	"filename-fallback yes\n"                             /* 12 */
	"exact-name-wins no\n"                                /* 13 */
	"rotate-on-retry 90\n"                                /* 14 */
	"state-dir /var/lib/fwtftpd-test\n"                   /* 15 */
	"request snomD785-r.bin model D785\n"                 /* 16 */
	"default-major 320 8\n"                               /* 17 */
	"\t\n"                                                /* 18 */
	"client 10.1.0.0/16 major 7\n"                        /* 19 */
	"client 00:04:13:aa:bb:cc model 360 major 8\n"        /* 20 */
	"  client   2001:db8::/32   major   10  \n"           /* 21 */
	"client ::ffff:192.0.2.0/120 major 9\n";             /* 22 */

static void test_full_file(void **state)
{
	struct fw_config *cfg = fresh_cfg();
	char err[256];

	(void)state;
	if (PARSE("full", full_conf, cfg, err) != 0)
		fail_msg("full config refused: %s", err);
	TU_EQ("acl rules", cfg->acl.nrules, 2);
	TU_EQ("acl names", cfg->acl.nnames, 1);
	TU_STREQ("acl name", cfg->acl.names[0], "*.key");
	TU_EQ("modes off", cfg->acl.modes_off, ACL_MODE_NETASCII);
	TU_EQ("refused", cfg->lim.refused, opt_bit_by_name("windowsize"));
	TU_EQ("enabled", cfg->fw.enabled, 1);
	TU_STREQ("dir", cfg->fw.dir, "fw/snom");
	TU_STREQ("manifest", cfg->fw.manifest, "fw/snom/SHA256SUMS");
	TU_EQ("fallback", cfg->fw.filename_fallback, 1);
	TU_EQ("exact", cfg->fw.exact_wins, 0);
	TU_EQ("rotate", cfg->fw.rotate_s, 90);
	TU_STREQ("state", cfg->fw.state_dir, "/var/lib/fwtftpd-test");
	TU_EQ("nreq", cfg->fw.nreq, 5);
	TU_STREQ("req", cfg->fw.req[4].name, "snomD785-r.bin");
	TU_STREQ("req", cfg->fw.req[4].model, "D785");
	TU_EQ("ndef", cfg->fw.ndef, 1);
	TU_EQ("def", cfg->fw.def[0].major, 8);
	TU_EQ("nclient", cfg->fw.nclient, 4);
	/* Rules remember the file's own line numbers, blank lines and
	 * comments included: the log names them. */
	TU_EQ("client line", cfg->fw.client[0].line, 19);
	TU_EQ("client line", cfg->fw.client[1].line, 20);
	TU_EQ("client line", cfg->fw.client[2].line, 21);
	TU_EQ("client line", cfg->fw.client[3].line, 22);
	TU_EQ("client kind", cfg->fw.client[1].kind, FWP_MAC);
	TU_STREQ("client model", cfg->fw.client[1].model, "360");
	TU_EQ("client major", cfg->fw.client[2].major, 10);
	TU_EQ("client major", cfg->fw.client[3].major, 9);
	TU_EQ("need_mac", cfg->fw.need_mac, 1);
	free(cfg);
}

/* Files with nothing in them are fine and change nothing. */
static void test_empty_files(void **state)
{
	static const struct { const char *label, *text; } cases[] = {
		{ "empty", "" },
		{ "newline", "\n" },
		{ "blank lines", "\n\n   \n\t\n" },
		{ "comments", "# a\n   # b\n#\n" },
		{ "CRLF blank", "\r\n\r\n" },
		{ "comment without newline", "# last" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fw_config *cfg = fresh_cfg(), *ref = fresh_cfg();

		if (parse(cases[i].label, cases[i].text, strlen(cases[i].text), cfg, err, sizeof(err)) != 0)
			fail_msg("[%s] refused: %s", cases[i].label, err);
		if (memcmp(cfg, ref, sizeof(*cfg)) != 0)
			fail_msg("[%s] changed the configuration", cases[i].label);
		free(cfg);
		free(ref);
	}
}

/* No directive takes more than 6 words; a line of many more is refused
 * by the lexer ("too many words", CONF_MAX_WORDS in src/conffile.c). */
static void test_word_limit(void **state)
{
	struct fw_config *cfg = fresh_cfg();
	char err[256];

	(void)state;
	/* 6 words: the longest directive */
	if (PARSE("six", "client 10.0.0.0/8 model 320 major 7\n", cfg, err) != 0)
		fail_msg("6 words refused: %s", err);
	/* 8 words: refused (by the lexer or the directive), on line 1 */
	TU_EQ("eight", PARSE("eight", "client 10.0.0.0/8 model 320 major 7 a b\n", cfg, err), -1);
	if (strncmp(err, "t.conf:1: ", 10) != 0)
		fail_msg("[eight] unexpected message: %s", err);
	TU_EQ("nine", PARSE("nine", "client 10.0.0.0/8 model 320 major 7 a b c\n", cfg, err), -1);
	TU_STREQ("nine", err, "t.conf:1: too many words");
	TU_EQ("many", PARSE("many", "# x\nallow a b c d e f g h i j k l m n o p q r s t u v w x y z\n", cfg,
			   err), -1);
	TU_STREQ("many", err, "t.conf:2: too many words");
	free(cfg);
}

/* ---- one bad line per error kind ---------------------------------------
 * Each file has good lines, blank lines and comments before the bad line,
 * so the line number is a real count. want_line is the bad line; want_sub,
 * when set, must appear in the message after the "t.conf:N: " prefix. */
struct bad_case {
	const char *label;
	const char *text;
	unsigned want_line;
	const char *want_sub;
};

#define PRE "# policy\nallow any\n\n" /* lines 1-3 */

static const struct bad_case bad_cases[] = {
	{ "unknown directive", PRE "frobnicate yes\n", 4, "unknown directive 'frobnicate'" },
	{ "directive in capitals", PRE "Firmware yes\n", 4, "unknown directive 'Firmware'" },
	{ "unknown after comment", PRE "# x\n\n  # y\nstate_dir /x\n", 7, "unknown directive 'state_dir'" },
	{ "bad CIDR in client", PRE "client 10.0.0.0/33 major 7\n", 4, NULL },
	{ "host bits in client CIDR", PRE "client 10.1.2.3/8 major 7\n", 4, NULL },
	{ "bad v6 CIDR in client", PRE "client 2001:db8::/129 major 7\n", 4, NULL },
	{ "bad MAC in client", PRE "client 00:11:22:33:44:5z major 7\n", 4, NULL },
	{ "short MAC in client", PRE "client 00:11:22:33:44 major 7\n", 4, NULL },
	{ "bad CIDR in allow", PRE "allow 10.0.0.0/99\n", 4, NULL },
	{ "bad major in client", PRE "client 10.0.0.0/8 major seven\n", 4, NULL },
	{ "negative major", PRE "client 10.0.0.0/8 major -7\n", 4, NULL },
	{ "huge major", PRE "client 10.0.0.0/8 major 99999999999\n", 4, NULL },
	{ "bad major in default", PRE "default-major 320 x\n", 4, NULL },
	{ "bad model in default", PRE "default-major 3-20 8\n", 4, NULL },
	{ "bad model in client", PRE "client 10.0.0.0/8 model 3.2 major 7\n", 4, NULL },
	{ "too many words", PRE "allow 1 2 3 4 5 6 7 8\n", 4, "too many words" },
	{ "control character", PRE "firmware\x01 yes\n", 4, "control character" },
	{ "escape character", PRE "state-dir /var/\x1b[31m\n", 4, "control character" },
	{ "DEL", PRE "firmware-dir fw\x7f\n", 4, "control character" },
	{ "vertical tab", PRE "firmware\x0byes\n", 4, "control character" },
	{ "form feed", PRE "firmware yes\x0c\n", 4, "control character" },
	{ "NUL byte", PRE "firmware yes\0\n", 4, "control character" },
	{ "request NAME model M, words missing", PRE "request snomD785-r.bin D785\n", 4, NULL },
	{ "request NAME model M, no model", PRE "request snomD785-r.bin model\n", 4, NULL },
	{ "request with a path", PRE "request fw/snom320.bin model 320\n", 4, NULL },
	{ "duplicate request name", PRE "request snomD785-r.bin model D785\nrequest SNOMd785-R.bin model D785\n",
	  5, NULL },
	{ "request repeats a built-in name", PRE "request snom300.bin model 300\n", 4, NULL },
	{ "state-dir not absolute", PRE "state-dir var/lib/fwtftpd\n", 4, NULL },
	{ "state-dir relative ./", PRE "state-dir ./state\n", 4, NULL },
	{ "state-dir missing", PRE "state-dir\n", 4, NULL },
	{ "firmware-dir with ..", PRE "firmware-dir ../etc\n", 4, NULL },
	{ "firmware-dir with .. inside", PRE "firmware-dir fw/../../etc\n", 4, NULL },
	{ "firmware-dir absolute ..", PRE "firmware-dir /../etc\n", 4, NULL },
	{ "manifest with ..", PRE "manifest ../SHA256SUMS\n", 4, NULL },
	{ "rotate-on-retry too big", PRE "rotate-on-retry 86401\n", 4, NULL },
	{ "rotate-on-retry unit", PRE "rotate-on-retry 60s\n", 4, NULL },
	{ "yes/no word", PRE "filename-fallback maybe\n", 4, NULL },
	{ "exact-name-wins missing", PRE "exact-name-wins\n", 4, NULL },
	{ "refuse unknown option", PRE "refuse blocksize\n", 4, NULL },
	{ "disable-mode mail", PRE "disable-mode mail\n", 4, NULL },
	{ "deny-name without pattern", PRE "deny-name\n", 4, NULL },
	{ "deny-name two patterns", PRE "deny-name a b\n", 4, NULL },
	{ "allow without CIDR", PRE "allow\n", 4, NULL },
	{ "deny with two CIDRs", PRE "deny 10.0.0.0/8 192.168.0.0/16\n", 4, NULL },
	{ "refuse without option", PRE "refuse\n", 4, NULL },
	{ "disable-mode without mode", PRE "disable-mode\n", 4, NULL },
	{ "firmware without value", PRE "firmware\n", 4, NULL },
	{ "default-major without major", PRE "default-major 320\n", 4, NULL },
	{ "bad line after CRLF lines", "allow any\r\n\r\n# c\r\nclient 10.0.0.0/8 major x\r\n", 4, NULL },
	{ "bad last line without newline", PRE "firmware perhaps", 4, NULL },
	{ "only the first error", PRE "frobnicate\nfirmware maybe\n", 4, "unknown directive 'frobnicate'" },
};

static void test_bad_lines(void **state)
{
	char err[300];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct fw_config *cfg = fresh_cfg();
		char prefix[32];
		size_t len = strlen(c->text);
		int r;

		/* The NUL-byte row holds a NUL inside: count to the last '\n'. */
		if (strcmp(c->label, "NUL byte") == 0)
			len = sizeof(PRE "firmware yes\0\n") - 1;
		r = parse(c->label, c->text, len, cfg, err, sizeof(err));
		TU_EQ(c->label, r, -1);
		snprintf(prefix, sizeof(prefix), "t.conf:%u: ", c->want_line);
		if (strncmp(err, prefix, strlen(prefix)) != 0)
			fail_msg("[%s] message \"%s\" does not start with \"%s\"", c->label, err, prefix);
		if (strlen(err) <= strlen(prefix))
			fail_msg("[%s] message \"%s\" says nothing after the prefix", c->label, err);
		if (c->want_sub != NULL && strstr(err + strlen(prefix), c->want_sub) == NULL)
			fail_msg("[%s] message \"%s\" lacks \"%s\"", c->label, err, c->want_sub);
		free(cfg);
	}
}

/* A long unknown keyword is reported without overrunning err. */
static void test_error_buffer(void **state)
{
	struct fw_config *cfg = fresh_cfg();
	char text[600], err[40];

	(void)state;
	memset(text, 'k', sizeof(text) - 2);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	memset(err, 'X', sizeof(err));
	TU_EQ("long keyword", parse("long keyword", text, strlen(text), cfg, err, sizeof(err) - 8), -1);
	TU_EQ("long keyword", err[sizeof(err) - 9], '\0');
	TU_EQ("long keyword", err[sizeof(err) - 8], 'X');
	TU_EQ("long keyword", strncmp(err, "t.conf:1: ", 10), 0);
	free(cfg);
}

/* conffile.h: conf_parse gets "text (len bytes, modified in place)".
 * A last line without '\n' must be cut at len, not by writing a NUL into
 * the byte after the buffer (conf_load's static buffer happens to have a
 * spare byte; any other caller's need not). */
static void test_input_bounds(void **state)
{
	static const struct { const char *label, *text; int rc; } cases[] = {
		{ "directive, no newline", "firmware no", 0 },
		{ "comment, no newline", "# only a comment", 0 },
		{ "two lines, no newline", "allow any\nrotate-on-retry 7", 0 },
		{ "bad last line, no newline", "allow any\nfirmware perhaps", -1 },
		{ "with newline", "firmware no\n", 0 },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fw_config *cfg = fresh_cfg();
		int r = parse(cases[i].label, cases[i].text, strlen(cases[i].text), cfg, err,
			      sizeof(err));

		free(cfg);
		TU_EQ(cases[i].label, r, cases[i].rc);
		if (guard_hit)
			fail_msg("[%s] conf_parse wrote the byte after its %zu-byte input", cases[i].label,
				 strlen(cases[i].text));
	}
}

/* ---- conf_load ------------------------------------------------------ */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_conffile.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		fail_msg("cannot write %s", path);
	close(fd);
}

/* A file of exactly size bytes: comment lines, then newline padding. */
static void write_sized(const char *path, size_t size)
{
	char *buf = malloc(size);

	if (buf == NULL)
		fail_msg("out of memory");
	memset(buf, '\n', size);
	memcpy(buf, "# padding\nrotate-on-retry 5\n", 28);
	write_file(path, buf, size);
	free(buf);
}

static void test_load(void **state)
{
	static const char good[] = "state-dir /srv/state\nclient 10.0.0.0/8 major 7\n";
	static const char bad[] = "\n\nclient 10.0.0.0/8 major x\n";
	static const char nul[] = "allow any\n\0firmware no\n";
	struct fw_config *cfg = fresh_cfg();
	char path[128], err[512], want[200];

	(void)state;
	snprintf(path, sizeof(path), "%s/good.conf", tmpdir);
	write_file(path, good, sizeof(good) - 1);
	if (conf_load(path, cfg, err, sizeof(err)) != 0)
		fail_msg("good file refused: %s", err);
	TU_STREQ("load", cfg->fw.state_dir, "/srv/state");
	TU_EQ("load", cfg->fw.nclient, 1);

	/* Errors carry the file name as given. */
	cfg = (free(cfg), fresh_cfg());
	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	write_file(path, bad, sizeof(bad) - 1);
	TU_EQ("bad", conf_load(path, cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: ", path);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("[bad] \"%s\" does not start with \"%s\"", err, want);

	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	TU_EQ("missing", conf_load(path, cfg, err, sizeof(err)), -1);
	if (strncmp(err, path, strlen(path)) != 0)
		fail_msg("[missing] \"%s\" does not name the file", err);

	snprintf(path, sizeof(path), "%s/nul.conf", tmpdir);
	write_file(path, nul, sizeof(nul) - 1);
	TU_EQ("nul", conf_load(path, cfg, err, sizeof(err)), -1);
	if (strncmp(err, path, strlen(path)) != 0)
		fail_msg("[nul] \"%s\" does not name the file", err);

	/* A directory is no configuration file. */
	TU_EQ("directory", conf_load(tmpdir, cfg, err, sizeof(err)), -1);
	free(cfg);
}

/* conffile.h: "at most 1 MiB". */
static void test_load_limit(void **state)
{
	struct fw_config *cfg = fresh_cfg();
	char path[128], err[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/big.conf", tmpdir);
	write_sized(path, 1024 * 1024 + 1);
	TU_EQ("1 MiB + 1", conf_load(path, cfg, err, sizeof(err)), -1);
	write_sized(path, 1024 * 1024 - 1);
	if (conf_load(path, cfg, err, sizeof(err)) != 0)
		fail_msg("[1 MiB - 1] refused: %s", err);
	TU_EQ("1 MiB - 1", cfg->fw.rotate_s, 5);
	cfg = (free(cfg), fresh_cfg());
	write_sized(path, 1024 * 1024);
	if (conf_load(path, cfg, err, sizeof(err)) != 0)
		fail_msg("[exactly 1 MiB] refused although the limit is 'at most 1 MiB': %s", err);
	TU_EQ("1 MiB", cfg->fw.rotate_s, 5);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_empty_files),
		cmocka_unit_test(test_word_limit),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_input_bounds),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_limit),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
