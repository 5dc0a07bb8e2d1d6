/* test_neigh.c - neigh_parse_arp on /proc/net/arp-format text from a table
 * (lines laid out the way the kernel prints them: IP, HW type, Flags, HW
 * address, Mask, Device), every input in an exact-size heap copy so that a
 * read past len is a heap overread under valgrind; a sweep that cuts the
 * text at every length; and neigh_lookup for addresses it must refuse, plus
 * a cross-check against the live table when it has a complete entry. */
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

#include "neigh.h"
#include "testutil.h"

#define HDR "IP address       HW type     Flags       HW address            Mask     Device\n"
/* One entry: fields separated by runs of spaces, in the kernel's order. */
#define ENT(ip, flags, mac, dev) \
	ip "         0x1         " flags "         " mac "     *        " dev "\n"

struct arp_case {
	const char *label;
	const char *text;
	size_t len;
	const char *addr;
	int ok;
	const char *mac; /* when ok */
};

#define T(s) s, (sizeof(s) - 1)

static const struct arp_case arp_cases[] = {
	{ "exact match", T(HDR ENT("10.0.0.1", "0x2", "aa:bb:cc:dd:ee:ff", "eth0")),
	  "10.0.0.1", 1, "aa:bb:cc:dd:ee:ff" },
	{ "middle of several",
	  T(HDR ENT("10.0.0.3", "0x2", "02:00:00:00:00:03", "eth0")
	    ENT("10.0.0.4", "0x2", "02:00:00:00:00:04", "eth1")
	    ENT("10.0.0.5", "0x2", "02:00:00:00:00:05", "eth0")),
	  "10.0.0.4", 1, "02:00:00:00:00:04" },
	{ "not present", T(HDR ENT("10.0.0.3", "0x2", "02:00:00:00:00:03", "eth0")),
	  "10.0.0.4", 0, NULL },
	{ "10.0.0.1 vs only 10.0.0.10",
	  T(HDR ENT("10.0.0.10", "0x2", "02:00:00:00:00:10", "eth0")), "10.0.0.1", 0, NULL },
	{ "10.0.0.10 listed before 10.0.0.1",
	  T(HDR ENT("10.0.0.10", "0x2", "02:00:00:00:00:10", "eth0")
	    ENT("10.0.0.1", "0x2", "02:00:00:00:00:01", "eth0")),
	  "10.0.0.1", 1, "02:00:00:00:00:01" },
	{ "10.0.0.1 listed before 10.0.0.10",
	  T(HDR ENT("10.0.0.1", "0x2", "02:00:00:00:00:01", "eth0")
	    ENT("10.0.0.10", "0x2", "02:00:00:00:00:10", "eth0")),
	  "10.0.0.10", 1, "02:00:00:00:00:10" },
	{ "110.0.0.1 is not 10.0.0.1",
	  T(HDR ENT("110.0.0.1", "0x2", "02:00:00:00:00:01", "eth0")), "10.0.0.1", 0, NULL },
	{ "trailing junk after the address",
	  T(HDR "10.0.0.1x        0x1         0x2         02:00:00:00:00:01     *        eth0\n"),
	  "10.0.0.1", 0, NULL },
	{ "incomplete (flags 0x0)",
	  T(HDR ENT("10.0.0.1", "0x0", "00:00:00:00:00:00", "eth0")), "10.0.0.1", 0, NULL },
	{ "incomplete with a MAC shown",
	  T(HDR ENT("10.0.0.1", "0x0", "02:00:00:00:00:01", "eth0")), "10.0.0.1", 0, NULL },
	{ "permanent only (0x4, no 0x2)",
	  T(HDR ENT("10.0.0.1", "0x4", "02:00:00:00:00:01", "eth0")), "10.0.0.1", 0, NULL },
	{ "complete + permanent (0x6)",
	  T(HDR ENT("10.0.0.1", "0x6", "02:00:00:00:00:01", "eth0")),
	  "10.0.0.1", 1, "02:00:00:00:00:01" },
	{ "incomplete entry, others complete",
	  T(HDR ENT("10.0.0.2", "0x2", "02:00:00:00:00:02", "eth0")
	    ENT("10.0.0.1", "0x0", "00:00:00:00:00:00", "eth0")
	    ENT("10.0.0.3", "0x2", "02:00:00:00:00:03", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC 5 octets", T(HDR ENT("10.0.0.1", "0x2", "02:00:00:00:01", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC short last octet", T(HDR ENT("10.0.0.1", "0x2", "02:00:00:00:00:1", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC short first octet", T(HDR ENT("10.0.0.1", "0x2", "2:00:00:00:00:01", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC non-hex", T(HDR ENT("10.0.0.1", "0x2", "02:00:00:00:00:0g", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC dashes", T(HDR ENT("10.0.0.1", "0x2", "02-00-00-00-00-01", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC 7 octets", T(HDR ENT("10.0.0.1", "0x2", "02:00:00:00:00:01:02", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC extra digit", T(HDR ENT("10.0.0.1", "0x2", "02:00:00:00:00:012", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC no separators", T(HDR ENT("10.0.0.1", "0x2", "020000000001", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC misplaced colon", T(HDR ENT("10.0.0.1", "0x2", "020:00:00:00:00:1", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC 17 colons", T(HDR ENT("10.0.0.1", "0x2", ":::::::::::::::::", "eth0")),
	  "10.0.0.1", 0, NULL },
	{ "MAC field missing",
	  T(HDR "10.0.0.1         0x1         0x2\n"), "10.0.0.1", 0, NULL },
	{ "extra spaces everywhere",
	  T(HDR "   10.0.0.1     0x1    0x2      02:00:00:00:00:01   *   eth0   \n"),
	  "10.0.0.1", 1, "02:00:00:00:00:01" },
	{ "single spaces",
	  T(HDR "10.0.0.1 0x1 0x2 02:00:00:00:00:01 * eth0\n"),
	  "10.0.0.1", 1, "02:00:00:00:00:01" },
	{ "no trailing newline",
	  T(HDR "10.0.0.1         0x1         0x2         02:00:00:00:00:01     *        eth0"),
	  "10.0.0.1", 1, "02:00:00:00:00:01" },
	{ "empty", T(""), "10.0.0.1", 0, NULL },
	{ "header only", T(HDR), "10.0.0.1", 0, NULL },
	{ "header without newline", T("IP address HW type Flags HW address Mask Device"),
	  "10.0.0.1", 0, NULL },
	{ "first line is taken as the header",
	  T(ENT("10.0.0.1", "0x2", "02:00:00:00:00:01", "eth0")), "10.0.0.1", 0, NULL },
	{ "first line is the header even if it is an entry",
	  T(ENT("10.0.0.9", "0x2", "02:00:00:00:00:09", "eth0")
	    ENT("10.0.0.1", "0x2", "02:00:00:00:00:01", "eth0")),
	  "10.0.0.1", 1, "02:00:00:00:00:01" },
	{ "blank lines",
	  T(HDR "\n\n   \n" ENT("10.0.0.1", "0x2", "02:00:00:00:00:01", "eth0") "\n"),
	  "10.0.0.1", 1, "02:00:00:00:00:01" },
	{ "newlines only", T("\n\n\n"), "10.0.0.1", 0, NULL },
	{ "lowest and highest address",
	  T(HDR ENT("0.0.0.0", "0x2", "02:00:00:00:00:00", "eth0")
	    ENT("255.255.255.255", "0x2", "ff:ff:ff:ff:ff:ff", "eth0")),
	  "255.255.255.255", 1, "ff:ff:ff:ff:ff:ff" },
	{ "octets with leading zeros are another text",
	  T(HDR ENT("010.000.000.001", "0x2", "02:00:00:00:00:01", "eth0")),
	  "10.0.0.1", 0, NULL },
};
#define N_ARP (sizeof arp_cases / sizeof arp_cases[0])

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void mac_of(const char *s, uint8_t mac[6])
{
	unsigned v[6];

	assert_int_equal(sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2],
				&v[3], &v[4], &v[5]), 6);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
}

/* Parse an exact-size heap copy of text[0..len). */
static int parse_copy(const char *text, size_t len, uint32_t addr, uint8_t mac[6])
{
	uint8_t *copy = tu_heapdup(text, len);
	int r = neigh_parse_arp((const char *)copy, len, addr, mac);

	free(copy);
	return r;
}

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ARP; i++) {
		const struct arp_case *c = &arp_cases[i];
		uint8_t mac[6], want[6];
		int r;

		memset(mac, 0x77, sizeof mac);
		r = parse_copy(c->text, c->len, ip4(c->addr), mac);
		TU_EQ(c->label, r, c->ok ? 0 : -1);
		if (c->ok) {
			mac_of(c->mac, want);
			TU_MEMEQ(c->label, mac, 6, want, 6);
		}
	}
}

/* Lines far longer than the kernel's ~80 columns, before and around the
 * entry that matches. */
static void test_parse_long_lines(void **state)
{
	enum { BIG = 5000 };
	static char text[8 * BIG];
	uint8_t mac[6], want[6];
	size_t o = 0;

	(void)state;
	mac_of("02:00:00:00:00:01", want);

	/* a long header, a line that is one long word, a long IP field, a
	 * line of many fields, then the entry with a long device name */
	o += (size_t)snprintf(text + o, sizeof text - o, "IP address%*s\n", BIG, "x");
	assert_true(o + BIG + 1 < sizeof text);
	memset(text + o, 'w', BIG);
	o += BIG;
	text[o++] = '\n';
	assert_true(o + BIG + 1 < sizeof text);
	memset(text + o, '1', BIG);
	o += BIG;
	o += (size_t)snprintf(text + o, sizeof text - o,
			      " 0x1 0x2 02:00:00:00:00:09 * eth0\n");
	for (int i = 0; i < 600; i++)
		o += (size_t)snprintf(text + o, sizeof text - o, "f%d ", i);
	assert_true(o + 64 < sizeof text);
	text[o++] = '\n';
	o += (size_t)snprintf(text + o, sizeof text - o,
			      "10.0.0.1 0x1 0x2 02:00:00:00:00:01 * ");
	assert_true(o + BIG + 1 < sizeof text);
	memset(text + o, 'd', BIG);
	o += BIG;
	text[o++] = '\n';
	assert_true(o < sizeof text);

	memset(mac, 0, sizeof mac);
	TU_EQ("long lines", parse_copy(text, o, ip4("10.0.0.1"), mac), 0);
	TU_MEMEQ("long lines", mac, 6, want, 6);
	TU_EQ("long lines, absent", parse_copy(text, o, ip4("10.0.0.2"), mac), -1);

	/* a 5000-space run between the fields of the entry */
	o = 0;
	o += (size_t)snprintf(text + o, sizeof text - o, HDR "10.0.0.1");
	assert_true(o + BIG + 64 < sizeof text);
	memset(text + o, ' ', BIG);
	o += BIG;
	o += (size_t)snprintf(text + o, sizeof text - o,
			      "0x1 0x2 02:00:00:00:00:01 * eth0\n");
	TU_EQ("long run of spaces", parse_copy(text, o, ip4("10.0.0.1"), mac), 0);
	TU_MEMEQ("long run of spaces", mac, 6, want, 6);
}

/* Cut the text at every length. Before the end of an entry's MAC field
 * the entry cannot be found; once its line is complete it must be; in
 * between, a find must give the right MAC. The look-alike 10.0.0.10 line
 * never matches 10.0.0.1, even cut right after "10.0.0.1". */
static void test_parse_truncated(void **state)
{
	static const char text[] = HDR
		ENT("10.0.0.10", "0x2", "02:00:00:00:00:10", "eth0")
		ENT("10.0.0.1", "0x2", "02:00:00:00:00:01", "eth0")
		ENT("10.0.0.2", "0x2", "02:00:00:00:00:02", "eth0");
	static const struct {
		const char *ip, *mac;
	} want[] = {
		{ "10.0.0.1", "02:00:00:00:00:01" },
		{ "10.0.0.2", "02:00:00:00:00:02" },
		{ "10.0.0.10", "02:00:00:00:00:10" },
	};
	size_t full = sizeof text - 1;
	unsigned found_mid = 0;

	(void)state;
	for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
		char key[64];
		const char *line, *macp, *eol;
		size_t mac_end, line_end;
		uint8_t wm[6];

		/* where this entry's MAC and line end in the text */
		snprintf(key, sizeof key, "\n%s ", want[w].ip);
		line = strstr(text, key);
		assert_non_null(line);
		line++;
		macp = strstr(line, want[w].mac);
		eol = strchr(line, '\n');
		assert_true(macp != NULL && eol != NULL && macp < eol);
		mac_end = (size_t)(macp - text) + 17;
		line_end = (size_t)(eol - text);
		mac_of(want[w].mac, wm);

		for (size_t len = 0; len <= full; len++) {
			uint8_t mac[6];
			char label[64];
			int r;

			snprintf(label, sizeof label, "%s cut at %zu", want[w].ip, len);
			r = parse_copy(text, len, ip4(want[w].ip), mac);
			if (len < mac_end)
				TU_EQ(label, r, -1);
			else if (len >= line_end)
				TU_EQ(label, r, 0);
			if (r == 0) {
				TU_MEMEQ(label, mac, 6, wm, 6);
				if (len < line_end)
					found_mid++;
			}
		}
	}
	print_message("truncation sweep: %zu lengths x 3 addresses, %u finds "
		      "on a line cut after its MAC\n", full + 1, found_mid);
}

/* ---------- neigh_lookup ---------- */

static void test_lookup_refused(void **state)
{
	static const char *v6[] = { "::1", "2001:db8::1", "fe80::1", "::", "::127.0.0.1" };
	struct sockaddr_in sin;
	struct sockaddr_in6 s6;
	struct sockaddr_un sun;
	uint8_t mac[6];

	(void)state;
	for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
		memset(&s6, 0, sizeof s6);
		s6.sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, v6[i], &s6.sin6_addr), 1);
		TU_EQ(v6[i], neigh_lookup((struct sockaddr *)&s6, sizeof s6, mac), -1);
	}

	/* loopback never has an ARP entry, in either spelling */
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	TU_EQ("127.0.0.1", neigh_lookup((struct sockaddr *)&sin, sizeof sin, mac), -1);
	memset(&s6, 0, sizeof s6);
	s6.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6.sin6_addr), 1);
	TU_EQ("::ffff:127.0.0.1", neigh_lookup((struct sockaddr *)&s6, sizeof s6, mac), -1);

	/* short address lengths and other families */
	TU_EQ("short sockaddr_in", neigh_lookup((struct sockaddr *)&sin, 4, mac), -1);
	TU_EQ("short sockaddr_in6",
	      neigh_lookup((struct sockaddr *)&s6, sizeof s6 - 1, mac), -1);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	TU_EQ("AF_UNIX", neigh_lookup((struct sockaddr *)&sun, sizeof sun, mac), -1);
}

/* If the live table has a complete entry, neigh_lookup finds the same MAC
 * (read here independently with sscanf), as IPv4 and as v4-mapped IPv6. */
static void test_lookup_live(void **state)
{
	FILE *f = fopen("/proc/net/arp", "r");
	char line[512], ip[64], flags[32], macs[64];
	int found = 0;

	(void)state;
	if (f == NULL) {
		print_message("/proc/net/arp unreadable: live lookup NOT exercised\n");
		return;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	while (!found && fgets(line, sizeof line, f) != NULL) {
		unsigned long fl;

		if (sscanf(line, "%63s %*s %31s %63s", ip, flags, macs) != 3)
			continue;
		fl = strtoul(flags, NULL, 16);
		if ((fl & 0x2) && strlen(macs) == 17)
			found = 1;
	}
	fclose(f);
	if (!found) {
		print_message("no complete ARP entry: live lookup NOT exercised\n");
		return;
	}
	{
		struct sockaddr_in sin;
		struct sockaddr_in6 s6;
		uint8_t mac[6], want[6];

		mac_of(macs, want);
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = ip4(ip);
		memset(mac, 0, sizeof mac);
		TU_EQ(ip, neigh_lookup((struct sockaddr *)&sin, sizeof sin, mac), 0);
		TU_MEMEQ(ip, mac, 6, want, 6);

		memset(&s6, 0, sizeof s6);
		s6.sin6_family = AF_INET6;
		s6.sin6_addr.s6_addr[10] = 0xff;
		s6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&s6.sin6_addr.s6_addr[12], &sin.sin_addr, 4);
		memset(mac, 0, sizeof mac);
		TU_EQ("mapped", neigh_lookup((struct sockaddr *)&s6, sizeof s6, mac), 0);
		TU_MEMEQ("mapped", mac, 6, want, 6);
		print_message("live entry %s %s found by neigh_lookup\n", ip, macs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_long_lines),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_lookup_refused),
		cmocka_unit_test(test_lookup_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
