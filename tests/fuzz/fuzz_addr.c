/* fuzz_addr.c - libFuzzer harness for the operator's address parsers:
 * net_parse_addrport (--listen, --for) with net_format, and fwp_parse_mac
 * (client rules, --for-mac). The input is one string in a heap buffer of
 * exactly its length + 1 (NUL-terminated, as from argv or a config word).
 * Checked: a parsed endpoint is IPv4 or IPv6 with the matching length and a
 * port of 1..65535; its printed form parses back to the same endpoint
 * (IPv4-mapped IPv6 is printed, and so comes back, as IPv4) and prints the
 * same again; net_format into a short buffer gives a NUL-terminated prefix;
 * a parsed MAC is the text's 17 characters with ':' or '-' separators.
 * Test-only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "fwpolicy.h"
#include "net.h"

#include "fuzz.h"

/* Family, 16 address bytes (IPv4 in the first 4; mapped IPv6 as IPv4) and
 * port of an endpoint. */
static void norm(const struct endpoint *ep, int *fam, uint8_t a[16], uint16_t *port)
{
	memset(a, 0, 16);
	if (ep->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ep->ss;

		*fam = AF_INET;
		memcpy(a, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ep->ss;

		CHECK(ep->ss.ss_family == AF_INET6);
		*port = ntohs(s6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			*fam = AF_INET;
			memcpy(a, &s6->sin6_addr.s6_addr[12], 4);
		} else {
			*fam = AF_INET6;
			memcpy(a, &s6->sin6_addr, 16);
		}
	}
}

static void check_endpoint(const char *s, uint8_t k)
{
	struct endpoint ep, ep2;
	char txt[128], txt2[128], *small;
	size_t sz = k % 48;
	int f1, f2;
	uint8_t a1[16], a2[16];
	uint16_t p1, p2;

	if (net_parse_addrport(s, &ep) != 0)
		return;
	if (ep.ss.ss_family == AF_INET)
		CHECK(ep.len == sizeof(struct sockaddr_in));
	else
		CHECK(ep.ss.ss_family == AF_INET6 && ep.len == sizeof(struct sockaddr_in6));
	norm(&ep, &f1, a1, &p1);
	CHECK(p1 >= 1);

	net_format(&ep, txt, sizeof(txt));
	CHECK(memchr(txt, '\0', sizeof(txt)) != NULL && txt[0] != '?');
	CHECK(net_parse_addrport(txt, &ep2) == 0);
	norm(&ep2, &f2, a2, &p2);
	CHECK(f1 == f2 && memcmp(a1, a2, 16) == 0 && p1 == p2);
	net_format(&ep2, txt2, sizeof(txt2));
	CHECK(strcmp(txt, txt2) == 0);

	small = malloc(sz);
	CHECK(small != NULL || sz == 0);
	if (sz > 0) {
		net_format(&ep, small, sz);
		CHECK(memchr(small, '\0', sz) != NULL);
		CHECK(strncmp(small, txt, strlen(small)) == 0);
		CHECK(strlen(small) == (strlen(txt) < sz ? strlen(txt) : sz - 1));
	}
	free(small);
}

static void check_mac(const char *s)
{
	uint8_t mac[6], again[6];
	char txt[18];

	if (fwp_parse_mac(s, mac) != 0)
		return;
	CHECK(strlen(s) == 17);
	snprintf(txt, sizeof(txt), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	for (size_t i = 0; i < 17; i++) {
		if (i % 3 == 2)
			CHECK(s[i] == ':' || s[i] == '-');
		else
			CHECK((s[i] | 0x20) == txt[i]);
	}
	CHECK(fwp_parse_mac(txt, again) == 0 && memcmp(mac, again, 6) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint8_t k = size > 0 ? data[size - 1] : 0;

	CHECK(s != NULL);
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	check_endpoint(s, k);
	check_mac(s);
	free(s);
	return 0;
}
