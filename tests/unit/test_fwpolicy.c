/* test_fwpolicy.c - table-driven tests of the firmware selection policy in
 * fwpolicy.c: the defaults of fwp_init, every directive's good and bad
 * forms through fwp_directive, the request-name table (fwp_model_for),
 * fwp_parse_mac, and the decision fwp_target_major: CIDR (IPv4, IPv6,
 * IPv4-mapped) and MAC client rules, model-restricted rules, first match
 * in file order across both kinds, per-model default majors, the newest
 * major, and retry rotation inside / outside its window, wrapping through
 * the majors present. Pure module, so no files and no network: policies are
 * built from directive lines exactly as the config file would give them.
 * Expected values follow from the order documented in include/fwpolicy.h
 * ("rotation, else first matching client rule, else the model's default,
 * else the newest major") and the ACL semantics of include/acl.h; the
 * reasoning is on each row. */
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

#include "fwpolicy.h"
#include "testutil.h"

#define MAXW 10 /* words per directive line in these tables */

/* ---- helpers --------------------------------------------------------- */

/* Split a directive line on blanks, as conffile.c does, into argv (words
 * point into buf). Returns argc. */
static int split(const char *line, char *buf, size_t bufsz, char **argv)
{
	int argc = 0;

	if (strlen(line) >= bufsz)
		fail_msg("test bug: line too long: %s", line);
	strcpy(buf, line);
	for (char *p = strtok(buf, " \t"); p != NULL; p = strtok(NULL, " \t")) {
		if (argc == MAXW)
			fail_msg("test bug: too many words: %s", line);
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	return argc;
}

/* fwp_directive on one line; err gets the message. */
static int directive(struct fwpolicy *p, const char *line, unsigned lineno,
		     char *err, size_t errsz)
{
	char buf[512], *argv[MAXW + 1];
	int argc = split(line, buf, sizeof(buf), argv);

	if (argc == 0)
		fail_msg("test bug: empty directive");
	err[0] = '\0';
	return fwp_directive(p, argc, argv, lineno, err, errsz);
}

/* A fresh policy with lines applied, line numbers 1, 2, ... (NULL ends). */
static void build(struct fwpolicy *p, const char *const *lines, const char *label)
{
	char err[256];

	fwp_init(p);
	for (unsigned i = 0; lines[i] != NULL; i++) {
		int r = directive(p, lines[i], i + 1, err, sizeof(err));

		if (r != 1)
			fail_msg("[%s] directive \"%s\" returned %d: %s", label, lines[i], r, err);
	}
}

/* A sockaddr of exactly the family's size, on the heap (valgrind sees
 * reads past salen). Caller frees. */
static struct sockaddr *mksa(const char *ip, socklen_t *len)
{
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 s6;

		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons(40000);
		if (inet_pton(AF_INET6, ip, &s6.sin6_addr) != 1)
			fail_msg("test bug: bad IPv6 literal %s", ip);
		*len = sizeof(s6);
		return (struct sockaddr *)tu_heapdup(&s6, sizeof(s6));
	} else {
		struct sockaddr_in s4;

		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		s4.sin_port = htons(40000);
		if (inet_pton(AF_INET, ip, &s4.sin_addr) != 1)
			fail_msg("test bug: bad IPv4 literal %s", ip);
		*len = sizeof(s4);
		return (struct sockaddr *)tu_heapdup(&s4, sizeof(s4));
	}
}

static void mac_of(const char *s, uint8_t mac[6])
{
	unsigned v[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		fail_msg("test bug: bad MAC literal %s", s);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
}

/* ---- fwp_init ---------------------------------------------------------- */

/* The defaults spelled out in the comment on fwp_init. */
static void test_init_defaults(void **state)
{
	static const char *const names[] = { "snom300.bin", "snom320.bin", "snom360.bin", "snom370.bin" };
	static const char *const models[] = { "300", "320", "360", "370" };
	struct fwpolicy *p = calloc(1, sizeof(*p));

	(void)state;
	memset(p, 0xa5, sizeof(*p)); /* fwp_init must not rely on zeroed memory */
	fwp_init(p);
	TU_EQ("init", p->enabled, 1);
	TU_EQ("init", p->exact_wins, 1);
	TU_EQ("init", p->filename_fallback, 0);
	TU_EQ("init", p->rotate_s, 0);
	TU_STREQ("init", p->dir, "firmware");
	TU_STREQ("init", p->manifest, "firmware/MANIFEST");
	TU_STREQ("init", p->state_dir, "/var/lib/fwtftpd");
	TU_EQ("init", p->nclient, 0);
	TU_EQ("init", p->ndef, 0);
	TU_EQ("init", p->need_mac, 0);
	TU_EQ("init", p->nreq, 4);
	for (unsigned i = 0; i < 4; i++) {
		TU_STREQ(names[i], p->req[i].name, names[i]);
		TU_STREQ(names[i], p->req[i].model, models[i]);
	}
	free(p);
}

/* ---- fwp_parse_mac ------------------------------------------------------ */

struct mac_case {
	const char *in;
	int ok;
	uint8_t want[6];
};

static const struct mac_case mac_cases[] = {
	{ "00:11:22:33:44:55", 1, { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 } },
	{ "aa:bb:cc:dd:ee:ff", 1, { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
	{ "AA:BB:CC:DD:EE:FF", 1, { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
	{ "00-04-13-2a-Bc-9F", 1, { 0x00, 0x04, 0x13, 0x2a, 0xbc, 0x9f } }, /* '-' form */
	{ "ff:ff:ff:ff:ff:ff", 1, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	{ "", 0, { 0 } },
	{ "00:11:22:33:44", 0, { 0 } },              /* five bytes */
	{ "00:11:22:33:44:", 0, { 0 } },             /* separator, then nothing */
	{ "00:11:22:33:44:55:", 0, { 0 } },          /* trailing separator */
	{ "00:11:22:33:44:55:66", 0, { 0 } },        /* seven bytes */
	{ "0:11:22:33:44:55", 0, { 0 } },            /* one digit */
	{ "000:11:22:33:44:55", 0, { 0 } },          /* three digits */
	{ "00:11:22:33:44:5", 0, { 0 } },            /* last byte cut */
	{ "00:11:22:33:44:5g", 0, { 0 } },           /* not hex */
	{ "00:11:22:33:44:55 ", 0, { 0 } },          /* trailing blank */
	{ " 00:11:22:33:44:55", 0, { 0 } },          /* leading blank */
	{ "001122334455", 0, { 0 } },                /* no separators */
	{ "00.11.22.33.44.55", 0, { 0 } },           /* dots */
	{ "00::11:22:33:44:55", 0, { 0 } },          /* empty field */
	{ "0x:11:22:33:44:55", 0, { 0 } },
	{ "10.0.0.1", 0, { 0 } },                    /* an address is no MAC */
	{ "fe80::1", 0, { 0 } },
};

static void test_parse_mac(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mac_cases) / sizeof(mac_cases[0]); i++) {
		const struct mac_case *c = &mac_cases[i];
		/* exact-size copy incl. NUL: no read past the terminator */
		char *s = (char *)tu_heapdup(c->in, strlen(c->in) + 1);
		uint8_t mac[6] = { 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a };
		int r = fwp_parse_mac(s, mac);

		free(s);
		if (c->ok) {
			TU_EQ(c->in, r, 0);
			TU_MEMEQ(c->in, mac, 6, c->want, 6);
		} else {
			TU_EQ(c->in, r, -1);
		}
	}
}

/* ---- directives: good forms and their effect ------------------------ */

static void test_directives_good(void **state)
{
	struct fwpolicy *p = calloc(1, sizeof(*p));
	char err[256];

	(void)state;
	fwp_init(p);
	TU_EQ("firmware no", directive(p, "firmware no", 1, err, sizeof(err)), 1);
	TU_EQ("firmware no", p->enabled, 0);
	TU_EQ("firmware yes", directive(p, "firmware yes", 2, err, sizeof(err)), 1);
	TU_EQ("firmware yes", p->enabled, 1);
	TU_EQ("firmware off", directive(p, "firmware off", 3, err, sizeof(err)), 1);
	TU_EQ("firmware off", p->enabled, 0);
	TU_EQ("firmware on", directive(p, "firmware on", 4, err, sizeof(err)), 1);
	TU_EQ("firmware on", p->enabled, 1);

	TU_EQ("firmware-dir", directive(p, "firmware-dir images/snom", 5, err, sizeof(err)), 1);
	TU_STREQ("firmware-dir", p->dir, "images/snom");
	/* "beneath the served root": a leading '/' means the root itself */
	TU_EQ("firmware-dir /fw", directive(p, "firmware-dir /fw", 6, err, sizeof(err)), 1);
	TU_STREQ("firmware-dir /fw", p->dir, "fw");
	TU_EQ("manifest", directive(p, "manifest lists/SHA256SUMS", 7, err, sizeof(err)), 1);
	TU_STREQ("manifest", p->manifest, "lists/SHA256SUMS");

	TU_EQ("filename-fallback yes", directive(p, "filename-fallback yes", 8, err, sizeof(err)), 1);
	TU_EQ("filename-fallback yes", p->filename_fallback, 1);
	TU_EQ("filename-fallback no", directive(p, "filename-fallback no", 9, err, sizeof(err)), 1);
	TU_EQ("filename-fallback no", p->filename_fallback, 0);
	TU_EQ("exact-name-wins no", directive(p, "exact-name-wins no", 10, err, sizeof(err)), 1);
	TU_EQ("exact-name-wins no", p->exact_wins, 0);
	TU_EQ("exact-name-wins yes", directive(p, "exact-name-wins yes", 11, err, sizeof(err)), 1);
	TU_EQ("exact-name-wins yes", p->exact_wins, 1);

	TU_EQ("rotate 60", directive(p, "rotate-on-retry 60", 12, err, sizeof(err)), 1);
	TU_EQ("rotate 60", p->rotate_s, 60);
	TU_EQ("rotate max", directive(p, "rotate-on-retry 86400", 13, err, sizeof(err)), 1);
	TU_EQ("rotate max", p->rotate_s, 86400);
	TU_EQ("rotate 0", directive(p, "rotate-on-retry 0", 14, err, sizeof(err)), 1);
	TU_EQ("rotate 0", p->rotate_s, 0);

	TU_EQ("state-dir", directive(p, "state-dir /run/fwtftpd/state", 15, err, sizeof(err)), 1);
	TU_STREQ("state-dir", p->state_dir, "/run/fwtftpd/state");

	TU_EQ("request", directive(p, "request snomD785-r.bin model d785", 16, err, sizeof(err)), 1);
	TU_EQ("request", p->nreq, 5);
	TU_STREQ("request", p->req[4].name, "snomD785-r.bin");
	TU_STREQ("request", p->req[4].model, "D785"); /* upper-cased as fw_model_parse */

	TU_EQ("default-major", directive(p, "default-major 320 8", 17, err, sizeof(err)), 1);
	TU_EQ("default-major", p->ndef, 1);
	TU_STREQ("default-major", p->def[0].model, "320");
	TU_EQ("default-major", p->def[0].major, 8);
	TU_EQ("default-major 0", directive(p, "default-major d785 0", 18, err, sizeof(err)), 1);
	TU_STREQ("default-major 0", p->def[1].model, "D785");
	TU_EQ("default-major 0", p->def[1].major, 0);

	TU_EQ("client v4", directive(p, "client 10.0.0.0/8 major 7", 19, err, sizeof(err)), 1);
	TU_EQ("client v4", p->nclient, 1);
	TU_EQ("client v4", p->client[0].kind, FWP_CIDR);
	TU_EQ("client v4", p->client[0].major, 7);
	TU_EQ("client v4", p->client[0].line, 19);
	TU_STREQ("client v4", p->client[0].model, "");
	TU_EQ("client v4", p->need_mac, 0);
	TU_EQ("client v6", directive(p, "client 2001:db8::/32 model 360 major 8", 20, err, sizeof(err)), 1);
	TU_EQ("client v6", p->client[1].kind, FWP_CIDR);
	TU_STREQ("client v6", p->client[1].model, "360");
	TU_EQ("client v6", p->client[1].major, 8);
	TU_EQ("client mac", directive(p, "client 00:04:13:AA:bb:01 model D785 major 10", 21, err, sizeof(err)), 1);
	TU_EQ("client mac", p->client[2].kind, FWP_MAC);
	TU_MEMEQ("client mac", p->client[2].mac, 6, "\x00\x04\x13\xaa\xbb\x01", 6);
	TU_STREQ("client mac", p->client[2].model, "D785");
	TU_EQ("client mac", p->client[2].line, 21);
	TU_EQ("client mac", p->need_mac, 1);
	TU_EQ("client any", directive(p, "client any major 9", 22, err, sizeof(err)), 1);
	TU_EQ("client any", p->nclient, 4);

	/* Not a firmware directive: 0, for the caller to try others. */
	TU_EQ("allow", directive(p, "allow any", 23, err, sizeof(err)), 0);
	TU_EQ("unknown", directive(p, "frobnicate 1", 24, err, sizeof(err)), 0);
	TU_EQ("case", directive(p, "Firmware yes", 25, err, sizeof(err)), 0);
	free(p);
}

/* ---- directives: bad forms ---------------------------------------------- */

/* Every one must return -1 with a message and leave the tables as they
 * were (counts unchanged). */
static const char *const bad_directives[] = {
	/* firmware yes|no */
	"firmware", "firmware maybe", "firmware yes no", "firmware 1",
	/* firmware-dir / manifest: beneath the root, no '..' */
	"firmware-dir", "firmware-dir ../fw", "firmware-dir fw/../../etc", "firmware-dir ..",
	"firmware-dir /", "firmware-dir a b",
	"manifest", "manifest ../MANIFEST", "manifest fw/../../x", "manifest /", "manifest a b",
	/* yes/no switches */
	"filename-fallback", "filename-fallback sometimes", "filename-fallback yes yes",
	"exact-name-wins", "exact-name-wins 2", "exact-name-wins no no",
	/* rotate-on-retry SECONDS, 0-86400 */
	"rotate-on-retry", "rotate-on-retry -1", "rotate-on-retry 86401", "rotate-on-retry 60s",
	"rotate-on-retry x", "rotate-on-retry 1 2", "rotate-on-retry 99999999999999999999999",
	/* state-dir /ABSOLUTE */
	"state-dir", "state-dir var/lib/fwtftpd", "state-dir ./state", "state-dir /a /b",
	/* request NAME model MODEL */
	"request", "request x.bin", "request x.bin model", "request x.bin modell 320",
	"request x.bin model 320 extra", "request a/b.bin model 320", "request x.bin model 3.2",
	"request x.bin model 123456789", "request x.bin model abc",
	"request snom320.bin model 320",   /* already there by default */
	"request SNOM360.BIN model 360",   /* names compare case-insensitively */
	/* default-major MODEL N */
	"default-major", "default-major 320", "default-major 320 x", "default-major 320 8 9",
	"default-major 32.0 8", "default-major 320 -1", "default-major 320 1000001",
	"default-major 320 8.7",
	/* client <CIDR|MAC> [model M] major N */
	"client", "client 10.0.0.0/8", "client 10.0.0.0/8 major", "client 10.0.0.0/8 major x",
	"client 10.0.0.0/8 majr 7", "client 10.0.0.0/8 major 7 extra",
	"client 10.0.0.0/33 major 7", "client 10.1.2.3/8 major 7", "client 300.0.0.1 major 7",
	"client 2001:db8::/129 major 7", "client 00:11:22:33:44:5z major 7",
	"client 00:11:22:33:44 major 7", "client host.example major 7",
	"client 10.0.0.0/8 model 3!0 major 7", "client 10.0.0.0/8 model major 7",
	"client 10.0.0.0/8 model 320 major", "client 10.0.0.0/8 model 320 major 7 8",
	"client 10.0.0.0/8 major 7 model 320", "client 10.0.0.0/8 mode 320 major 7",
	"client 10.0.0.0/8 major 1000001",
};

static void test_directives_bad(void **state)
{
	struct fwpolicy *p = calloc(1, sizeof(*p)), *ref = calloc(1, sizeof(*ref));
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_directives) / sizeof(bad_directives[0]); i++) {
		const char *d = bad_directives[i];
		int r;

		fwp_init(p);
		fwp_init(ref);
		r = directive(p, d, 7, err, sizeof(err));
		TU_EQ(d, r, -1);
		if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)
			fail_msg("[%s] no error message", d);
		TU_EQ(d, p->nreq, ref->nreq);
		TU_EQ(d, p->ndef, ref->ndef);
		TU_EQ(d, p->nclient, ref->nclient);
		TU_EQ(d, p->need_mac, ref->need_mac);
		TU_EQ(d, p->rotate_s, ref->rotate_s);
		TU_EQ(d, p->enabled, ref->enabled);
		TU_STREQ(d, p->dir, ref->dir);
		TU_STREQ(d, p->manifest, ref->manifest);
		TU_STREQ(d, p->state_dir, ref->state_dir);
	}
	free(p);
	free(ref);
}

/* Over-long values and small error buffers. */
static void test_directives_lengths(void **state)
{
	struct fwpolicy *p = calloc(1, sizeof(*p));
	char line[700], err[256], tiny[6];
	char longname[80];

	(void)state;
	/* A state dir that does not fit FWP_PATH_MAX (with its NUL). */
	fwp_init(p);
	memset(line, 0, sizeof(line));
	strcpy(line, "state-dir /");
	memset(line + strlen(line), 's', FWP_PATH_MAX - 1);
	TU_EQ("state-dir 256", directive(p, line, 1, err, sizeof(err)), -1);
	TU_STREQ("state-dir 256", p->state_dir, "/var/lib/fwtftpd");
	/* The longest that fits: 255 bytes. */
	line[strlen("state-dir ") + FWP_PATH_MAX - 1] = '\0';
	TU_EQ("state-dir 255", directive(p, line, 1, err, sizeof(err)), 1);
	TU_EQ("state-dir 255", strlen(p->state_dir), FWP_PATH_MAX - 1);

	/* firmware-dir beyond FWP_PATH_MAX */
	memset(line, 0, sizeof(line));
	strcpy(line, "firmware-dir ");
	memset(line + strlen(line), 'd', FWP_PATH_MAX);
	TU_EQ("firmware-dir long", directive(p, line, 1, err, sizeof(err)), -1);
	TU_STREQ("firmware-dir long", p->dir, "firmware");

	/* A request name must be under 64 bytes. */
	memset(longname, 'n', 64);
	longname[64] = '\0';
	snprintf(line, sizeof(line), "request %s model 320", longname);
	TU_EQ("request 64", directive(p, line, 1, err, sizeof(err)), -1);
	longname[63] = '\0';
	snprintf(line, sizeof(line), "request %s model 320", longname);
	TU_EQ("request 63", directive(p, line, 1, err, sizeof(err)), 1);
	TU_EQ("request 63", p->nreq, 5);

	/* A tiny error buffer is filled and terminated, never overrun. */
	memset(tiny, 'X', sizeof(tiny));
	TU_EQ("tiny err", directive(p, "firmware maybe", 1, tiny, sizeof(tiny) - 1), -1);
	TU_EQ("tiny err", tiny[sizeof(tiny) - 2], '\0');
	TU_EQ("tiny err", tiny[sizeof(tiny) - 1], 'X');
	free(p);
}

/* Table limits: FWP_MAX_CLIENT rules, FWP_MAX_REQ names (4 built in),
 * FWP_MAX_DEFAULT defaults; one more is an error, never a silent drop. */
static void test_directives_capacity(void **state)
{
	struct fwpolicy *p = calloc(1, sizeof(*p));
	char line[128], err[256];

	(void)state;
	fwp_init(p);
	for (unsigned i = 0; i < FWP_MAX_CLIENT; i++) {
		if (i % 2)
			snprintf(line, sizeof(line), "client 10.%u.0.0/16 major %u", i, i);
		else
			snprintf(line, sizeof(line), "client 02:00:00:00:00:%02x major %u", i, i);
		if (directive(p, line, i + 1, err, sizeof(err)) != 1)
			fail_msg("[client %u] refused: %s", i, err);
	}
	TU_EQ("clients full", p->nclient, FWP_MAX_CLIENT);
	TU_EQ("client one more", directive(p, "client 192.168.0.0/16 major 1", 99, err, sizeof(err)), -1);
	TU_EQ("client one more", directive(p, "client 02:00:00:00:01:00 major 1", 99, err, sizeof(err)), -1);
	TU_EQ("clients full", p->nclient, FWP_MAX_CLIENT);

	for (unsigned i = p->nreq; i < FWP_MAX_REQ; i++) {
		snprintf(line, sizeof(line), "request extra%u.bin model %u", i, 100 + i);
		if (directive(p, line, i + 1, err, sizeof(err)) != 1)
			fail_msg("[request %u] refused: %s", i, err);
	}
	TU_EQ("requests full", p->nreq, FWP_MAX_REQ);
	TU_EQ("request one more", directive(p, "request last.bin model 999", 99, err, sizeof(err)), -1);
	TU_EQ("requests full", p->nreq, FWP_MAX_REQ);

	for (unsigned i = 0; i < FWP_MAX_DEFAULT; i++) {
		snprintf(line, sizeof(line), "default-major %u %u", 100 + i, i);
		if (directive(p, line, i + 1, err, sizeof(err)) != 1)
			fail_msg("[default %u] refused: %s", i, err);
	}
	TU_EQ("defaults full", p->ndef, FWP_MAX_DEFAULT);
	TU_EQ("default one more", directive(p, "default-major 999 1", 99, err, sizeof(err)), -1);
	TU_EQ("defaults full", p->ndef, FWP_MAX_DEFAULT);

	/* The last client rule of each kind still decides. */
	{
		uint32_t majors[] = { 1, 2, 62, 63 };
		const char *how = NULL;
		unsigned ln = 0;
		socklen_t len;
		struct sockaddr *sa = mksa("10.63.1.1", &len);
		uint8_t mac[6] = { 2, 0, 0, 0, 0, 62 };
		struct fwp_last none;

		memset(&none, 0, sizeof(none));
		TU_EQ("last cidr", fwp_target_major(p, "320", sa, len, NULL, &none, 0, majors, 4, &how, &ln), 63);
		TU_STREQ("last cidr", how, "client-rule");
		TU_EQ("last cidr", ln, 64);
		free(sa);
		sa = mksa("192.0.2.1", &len);
		TU_EQ("last mac", fwp_target_major(p, "320", sa, len, mac, &none, 0, majors, 4, &how, &ln), 62);
		TU_EQ("last mac", ln, 63);
		free(sa);
	}
	free(p);
}

/* ---- fwp_model_for --------------------------------------------------- */

struct model_case {
	const char *path;
	const char *want; /* NULL: not a remap request */
};

static const struct model_case model_cases[] = {
	{ "snom300.bin", "300" },
	{ "snom320.bin", "320" },
	{ "snom360.bin", "360" },
	{ "snom370.bin", "370" },
	{ "SNOM320.BIN", "320" },         /* compared case-insensitively */
	{ "Snom370.Bin", "370" },
	{ "snomD785-r.bin", "D785" },     /* added by the request directive below */
	{ "SNOMd785-R.BIN", "D785" },
	{ "snom320.bin.gz", NULL },
	{ "snom320.bi", NULL },
	{ "xsnom320.bin", NULL },
	{ "snom321.bin", NULL },
	{ "snom3xx.bin", NULL },
	{ "firmware/snom320.bin", NULL }, /* the names are file names, not paths */
	{ "snom320-8.7.3.25-SIP-r.bin", NULL },
	{ "", NULL },
};

static void test_model_for(void **state)
{
	static const char *const conf[] = { "request snomD785-r.bin model D785", NULL };
	struct fwpolicy *p = calloc(1, sizeof(*p));

	(void)state;
	build(p, conf, "model_for");
	for (size_t i = 0; i < sizeof(model_cases) / sizeof(model_cases[0]); i++) {
		const struct model_case *c = &model_cases[i];
		const char *got = fwp_model_for(p, c->path);

		if (c->want == NULL) {
			if (got != NULL)
				fail_msg("[%s] got model %s, expected no remap", c->path, got);
		} else {
			TU_STREQ(c->path, got, c->want);
		}
	}
	/* "firmware no": nothing is a remap request any more. */
	TU_EQ("firmware no", directive(p, "firmware no", 2, (char[64]){ 0 }, 64), 1);
	for (size_t i = 0; i < sizeof(model_cases) / sizeof(model_cases[0]); i++)
		if (fwp_model_for(p, model_cases[i].path) != NULL)
			fail_msg("[%s] remapped although firmware is off", model_cases[i].path);
	free(p);
}

/* ---- fwp_target_major ------------------------------------------------ */

#define NOW 1700000000

struct last_spec {
	int valid;
	const char *model;
	uint32_t major;
	int64_t ago; /* t_done = NOW - ago */
};

struct tm_case {
	const char *label;
	const char *conf[6];    /* directive lines, numbered from 1; NULL ends */
	const char *model;      /* as fwp_model_for gives it */
	const char *ip;
	const char *mac;        /* NULL: the MAC is not known */
	struct last_spec last;
	uint32_t majors[6];     /* present, ascending */
	unsigned n;
	uint32_t want;
	const char *how;
	unsigned line;
};

#define M7_8_10 { 7, 8, 10 }, 3
#define NOLAST { 0, NULL, 0, 0 }
#define MACA "00:11:22:33:44:55"
#define MACB "00:11:22:33:44:66"

static const struct tm_case tm_cases[] = {
	/* -- newest major and per-model defaults -- */
	{ "no rules: newest", { NULL }, "320", "10.0.0.5", NULL, NOLAST, M7_8_10, 10, "newest", 0 },
	{ "no rules, one major", { NULL }, "320", "10.0.0.5", NULL, NOLAST, { 8 }, 1, 8, "newest", 0 },
	{ "newest over v6", { NULL }, "320", "2001:db8::5", NULL, NOLAST, M7_8_10, 10, "newest", 0 },
	{ "default for the model", { "default-major 320 8", NULL }, "320", "10.0.0.5", NULL, NOLAST,
	  M7_8_10, 8, "default", 0 },
	{ "default of another model ignored", { "default-major 360 7", NULL }, "320", "10.0.0.5", NULL,
	  NOLAST, M7_8_10, 10, "newest", 0 },
	{ "per-model defaults: 360", { "default-major 320 8", "default-major 360 7", NULL }, "360",
	  "10.0.0.5", NULL, NOLAST, M7_8_10, 7, "default", 0 },
	{ "per-model defaults: 320", { "default-major 320 8", "default-major 360 7", NULL }, "320",
	  "10.0.0.5", NULL, NOLAST, M7_8_10, 8, "default", 0 },
	{ "per-model defaults: 370 has none", { "default-major 320 8", "default-major 360 7", NULL },
	  "370", "10.0.0.5", NULL, NOLAST, M7_8_10, 10, "newest", 0 },
	/* The operator named the major: it is the target even with no image
	 * of it (remap then refuses with a message naming that major rather
	 * than sending a phone an image it will reject). */
	{ "default naming an absent major", { "default-major 320 9", NULL }, "320", "10.0.0.5", NULL,
	  NOLAST, M7_8_10, 9, "default", 0 },
	{ "default model in lower case", { "default-major d785 10", NULL }, "D785", "10.0.0.5", NULL,
	  NOLAST, { 9, 10, 11 }, 3, 10, "default", 0 },

	/* -- CIDR rules -- */
	{ "v4 host rule matches", { "client 10.1.2.3 major 7", NULL }, "320", "10.1.2.3", NULL, NOLAST,
	  M7_8_10, 7, "client-rule", 1 },
	{ "v4 host rule, other host", { "client 10.1.2.3 major 7", NULL }, "320", "10.1.2.4", NULL,
	  NOLAST, M7_8_10, 10, "newest", 0 },
	{ "v4 /16 inside", { "client 10.1.0.0/16 major 8", NULL }, "320", "10.1.200.7", NULL, NOLAST,
	  M7_8_10, 8, "client-rule", 1 },
	{ "v4 /16 outside", { "client 10.1.0.0/16 major 8", NULL }, "320", "10.2.0.1", NULL, NOLAST,
	  M7_8_10, 10, "newest", 0 },
	{ "v4 /16 last address", { "client 10.1.0.0/16 major 8", NULL }, "320", "10.1.255.255", NULL,
	  NOLAST, M7_8_10, 8, "client-rule", 1 },
	{ "v6 /48 inside", { "client 2001:db8:1::/48 major 7", NULL }, "320", "2001:db8:1:ffff::42",
	  NULL, NOLAST, M7_8_10, 7, "client-rule", 1 },
	{ "v6 /48 outside", { "client 2001:db8:1::/48 major 7", NULL }, "320", "2001:db8:2::1", NULL,
	  NOLAST, M7_8_10, 10, "newest", 0 },
	{ "v6 host rule", { "client 2001:db8::7 major 8", NULL }, "320", "2001:db8::7", NULL, NOLAST,
	  M7_8_10, 8, "client-rule", 1 },
	{ "v6 rule vs v4 client", { "client 2001:db8::/32 major 7", NULL }, "320", "10.0.0.1", NULL,
	  NOLAST, M7_8_10, 10, "newest", 0 },
	{ "v4 rule vs v6 client", { "client 10.0.0.0/8 major 7", NULL }, "320", "2001:db8::1", NULL,
	  NOLAST, M7_8_10, 10, "newest", 0 },
	/* acl.h: an IPv4-mapped client is the IPv4 client it is */
	{ "v4 rule vs v4-mapped client", { "client 192.0.2.0/24 major 7", NULL }, "320",
	  "::ffff:192.0.2.9", NULL, NOLAST, M7_8_10, 7, "client-rule", 1 },
	{ "any", { "client any major 8", NULL }, "320", "198.51.100.1", NULL, NOLAST, M7_8_10, 8,
	  "client-rule", 1 },
	{ "any, v6 client", { "client any major 8", NULL }, "320", "2001:db8::1", NULL, NOLAST,
	  M7_8_10, 8, "client-rule", 1 },
	{ "rule beats default", { "default-major 320 8", "client 10.0.0.0/8 major 7", NULL }, "320",
	  "10.9.9.9", NULL, NOLAST, M7_8_10, 7, "client-rule", 2 },
	{ "default when no rule matches", { "default-major 320 8", "client 10.0.0.0/8 major 7", NULL },
	  "320", "192.168.1.1", NULL, NOLAST, M7_8_10, 8, "default", 0 },
	{ "first CIDR wins, not the most specific",
	  { "client 10.0.0.0/8 major 7", "client 10.1.0.0/16 major 8", NULL }, "320", "10.1.1.1", NULL,
	  NOLAST, M7_8_10, 7, "client-rule", 1 },
	{ "second CIDR when the first misses",
	  { "client 10.2.0.0/16 major 7", "client 10.1.0.0/16 major 8", NULL }, "320", "10.1.1.1",
	  NULL, NOLAST, M7_8_10, 8, "client-rule", 2 },
	/* A rule's major need not be present: the operator said so. */
	{ "rule naming an absent major", { "client 10.0.0.0/8 major 9", NULL }, "320", "10.1.1.1", NULL,
	  NOLAST, M7_8_10, 9, "client-rule", 1 },

	/* -- MAC rules -- */
	{ "MAC rule matches", { "client " MACA " major 7", NULL }, "320", "10.0.0.1", MACA, NOLAST,
	  M7_8_10, 7, "client-rule", 1 },
	{ "MAC rule, MAC unknown", { "client " MACA " major 7", NULL }, "320", "10.0.0.1", NULL, NOLAST,
	  M7_8_10, 10, "newest", 0 },
	{ "MAC rule, other MAC", { "client " MACA " major 7", NULL }, "320", "10.0.0.1", MACB, NOLAST,
	  M7_8_10, 10, "newest", 0 },
	{ "MAC rule written with '-' and capitals", { "client 00-1A-2B-3C-4D-5E major 8", NULL }, "320",
	  "10.0.0.1", "00:1a:2b:3c:4d:5e", NOLAST, M7_8_10, 8, "client-rule", 1 },
	{ "MAC rule over v6", { "client " MACA " major 7", NULL }, "320", "2001:db8::1", MACA, NOLAST,
	  M7_8_10, 7, "client-rule", 1 },

	/* -- first match wins across CIDR and MAC rules, in file order -- */
	{ "MAC first", { "client " MACA " major 7", "client 10.0.0.0/8 major 8", NULL }, "320",
	  "10.1.1.1", MACA, NOLAST, M7_8_10, 7, "client-rule", 1 },
	{ "CIDR first", { "client 10.0.0.0/8 major 8", "client " MACA " major 7", NULL }, "320",
	  "10.1.1.1", MACA, NOLAST, M7_8_10, 8, "client-rule", 1 },
	{ "CIDR first misses, MAC second", { "client 10.0.0.0/8 major 8", "client " MACA " major 7", NULL },
	  "320", "192.168.0.1", MACA, NOLAST, M7_8_10, 7, "client-rule", 2 },
	{ "MAC first misses, CIDR second", { "client " MACB " major 7", "client 10.0.0.0/8 major 8", NULL },
	  "320", "10.1.1.1", MACA, NOLAST, M7_8_10, 8, "client-rule", 2 },
	{ "third rule", { "client 192.168.0.0/16 major 9", "client " MACB " major 8",
			  "client 10.0.0.0/8 major 7", NULL },
	  "320", "10.0.0.1", MACA, NOLAST, M7_8_10, 7, "client-rule", 3 },

	/* -- model-restricted rules -- */
	{ "model rule, other model", { "client 10.0.0.0/8 model 360 major 7", NULL }, "320", "10.1.1.1",
	  NULL, NOLAST, M7_8_10, 10, "newest", 0 },
	{ "model rule, its model", { "client 10.0.0.0/8 model 360 major 7", NULL }, "360", "10.1.1.1",
	  NULL, NOLAST, M7_8_10, 7, "client-rule", 1 },
	{ "model rule skipped, next rule",
	  { "client 10.0.0.0/8 model 360 major 7", "client 10.0.0.0/8 major 8", NULL }, "320", "10.1.1.1",
	  NULL, NOLAST, M7_8_10, 8, "client-rule", 2 },
	{ "model rule first for its model",
	  { "client 10.0.0.0/8 model 360 major 7", "client 10.0.0.0/8 major 8", NULL }, "360", "10.1.1.1",
	  NULL, NOLAST, M7_8_10, 7, "client-rule", 1 },
	{ "model rule skipped, default",
	  { "client 10.0.0.0/8 model 360 major 7", "default-major 320 8", NULL }, "320", "10.1.1.1",
	  NULL, NOLAST, M7_8_10, 8, "default", 0 },
	{ "MAC+model rule, its model", { "client " MACA " model D785 major 10", NULL }, "D785", "10.0.0.1",
	  MACA, NOLAST, { 9, 10, 11 }, 3, 10, "client-rule", 1 },
	{ "MAC+model rule, other model", { "client " MACA " model D785 major 10", NULL }, "320",
	  "10.0.0.1", MACA, NOLAST, M7_8_10, 10, "newest", 0 },
	{ "model given in lower case", { "client " MACA " model d785 major 9", NULL }, "D785",
	  "10.0.0.1", MACA, NOLAST, { 9, 10, 11 }, 3, 9, "client-rule", 1 },

	/* -- rotation: next major after the last one served, wrapping -- */
	{ "rotate 10 -> 7 (wrap)", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 10, 5 }, M7_8_10, 7, "rotation", 0 },
	{ "rotate 7 -> 8", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 7, 5 }, M7_8_10, 8, "rotation", 0 },
	{ "rotate 8 -> 10", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 8, 5 }, M7_8_10, 10, "rotation", 0 },
	{ "rotate from absent 9 -> 10", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 9, 5 }, M7_8_10, 10, "rotation", 0 },
	{ "rotate from absent 11 -> 7", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 11, 5 }, M7_8_10, 7, "rotation", 0 },
	{ "rotate from absent 3 -> 7", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 3, 5 }, M7_8_10, 7, "rotation", 0 },
	{ "rotate, one major only", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 10, 5 }, { 10 }, 1, 10, "rotation", 0 },
	{ "rotate just now", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 8, 0 }, M7_8_10, 10, "rotation", 0 },
	{ "rotate near the window's end", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 8, 59 }, M7_8_10, 10, "rotation", 0 },
	{ "outside the window", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 8, 61 }, M7_8_10, 10, "newest", 0 },
	{ "long outside the window", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 10, 100000 }, M7_8_10, 10, "newest", 0 },
	{ "outside the window, default", { "rotate-on-retry 60", "default-major 320 8", NULL }, "320",
	  "10.0.0.1", NULL, { 1, "320", 8, 61 }, M7_8_10, 8, "default", 0 },
	/* A record stamped in the future (clock stepped back) is no retry. */
	{ "record from the future", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 8, -30 }, M7_8_10, 10, "newest", 0 },
	{ "other model not rotated", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "360", 10, 5 }, M7_8_10, 10, "newest", 0 },
	{ "other model not rotated, 360", { "rotate-on-retry 60", NULL }, "360", "10.0.0.1", NULL,
	  { 1, "320", 8, 5 }, M7_8_10, 10, "newest", 0 },
	{ "rotation off by default", { NULL }, "320", "10.0.0.1", NULL, { 1, "320", 10, 5 }, M7_8_10, 10,
	  "newest", 0 },
	{ "rotate-on-retry 0 is off", { "rotate-on-retry 60", "rotate-on-retry 0", NULL }, "320",
	  "10.0.0.1", NULL, { 1, "320", 10, 5 }, M7_8_10, 10, "newest", 0 },
	{ "no valid record", { "rotate-on-retry 60", NULL }, "320", "10.0.0.1", NULL,
	  { 0, "320", 10, 5 }, M7_8_10, 10, "newest", 0 },
	/* Rotation comes first: a rule's major is where it starts, not where
	 * a phone that refused it must stay. */
	{ "rotation beats a client rule", { "rotate-on-retry 60", "client 10.0.0.0/8 major 7", NULL },
	  "320", "10.0.0.1", NULL, { 1, "320", 7, 5 }, M7_8_10, 8, "rotation", 0 },
	{ "outside the window, client rule", { "rotate-on-retry 60", "client 10.0.0.0/8 major 7", NULL },
	  "320", "10.0.0.1", NULL, { 1, "320", 7, 61 }, M7_8_10, 7, "client-rule", 2 },
	{ "tiny window, inside", { "rotate-on-retry 1", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 10, 0 }, M7_8_10, 7, "rotation", 0 },
	{ "tiny window, outside", { "rotate-on-retry 1", NULL }, "320", "10.0.0.1", NULL,
	  { 1, "320", 10, 2 }, M7_8_10, 10, "newest", 0 },
};

static void test_target_major(void **state)
{
	struct fwpolicy *p = calloc(1, sizeof(*p));

	(void)state;
	for (size_t i = 0; i < sizeof(tm_cases) / sizeof(tm_cases[0]); i++) {
		const struct tm_case *c = &tm_cases[i];
		struct fwp_last last;
		uint8_t mac[6];
		const char *how = NULL;
		unsigned line = 12345;
		socklen_t len;
		struct sockaddr *sa;
		uint32_t *majors, got;

		build(p, c->conf, c->label);
		memset(&last, 0, sizeof(last));
		last.valid = c->last.valid;
		if (c->last.model != NULL)
			snprintf(last.model, sizeof(last.model), "%s", c->last.model);
		last.major = c->last.major;
		last.t_done = NOW - c->last.ago;
		if (c->mac != NULL)
			mac_of(c->mac, mac);
		sa = mksa(c->ip, &len);
		majors = (uint32_t *)tu_heapdup(c->majors, c->n * sizeof(uint32_t));
		got = fwp_target_major(p, c->model, sa, len, c->mac ? mac : NULL, &last, NOW, majors,
				       c->n, &how, &line);
		free(sa);
		free(majors);
		TU_EQ(c->label, got, c->want);
		TU_STREQ(c->label, how, c->how);
		TU_EQ(c->label, line, c->line);
	}
	free(p);
}

/* need_mac tells the launcher to look the MAC up: only MAC rules set it. */
static void test_need_mac(void **state)
{
	static const char *const cidr_only[] = { "client 10.0.0.0/8 major 7", "client ::1 major 8", NULL };
	static const char *const with_mac[] = { "client 10.0.0.0/8 major 7", "client " MACA " major 8", NULL };
	struct fwpolicy *p = calloc(1, sizeof(*p));

	(void)state;
	build(p, cidr_only, "cidr only");
	TU_EQ("cidr only", p->need_mac, 0);
	build(p, with_mac, "with mac");
	TU_EQ("with mac", p->need_mac, 1);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_parse_mac),
		cmocka_unit_test(test_directives_good),
		cmocka_unit_test(test_directives_bad),
		cmocka_unit_test(test_directives_lengths),
		cmocka_unit_test(test_directives_capacity),
		cmocka_unit_test(test_model_for),
		cmocka_unit_test(test_target_major),
		cmocka_unit_test(test_need_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
