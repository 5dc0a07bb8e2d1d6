/* fuzz_arp.c - libFuzzer harness for neigh_parse_arp, the /proc/net/arp
 * reader. The input is the table text in a heap buffer of exactly its size.
 * It is searched for an address taken from the input's first four bytes
 * and for the address in the first field of each line (so that matches
 * happen). Checked: a MAC is only reported when a line after the header
 * has that address as its first field, a hexadecimal flags field with bit
 * 0x2 set, and exactly that MAC as its fourth field. Test-only. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "neigh.h"

#include "fuzz.h"

/* Up to 6 space-separated fields of line s[0..n). */
static unsigned fields(const char *s, size_t n, const char *f[6], size_t fl[6])
{
	unsigned nf = 0;
	size_t i = 0;

	while (nf < 6) {
		while (i < n && s[i] == ' ')
			i++;
		if (i >= n)
			break;
		f[nf] = s + i;
		while (i < n && s[i] != ' ')
			i++;
		fl[nf] = (size_t)(s + i - f[nf]);
		nf++;
	}
	return nf;
}

static int hexnum_has_com(const char *s, size_t n)
{
	/* strtoul(..., 16) semantics the kernel's "0x2" needs: optional 0x,
	 * hex digits; an unparsable field counts as 0. */
	char tmp[8];

	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return (strtoul(tmp, NULL, 16) & 0x2) != 0;
}

/* Is there a data line for addr whose flags say "complete" and whose
 * hardware address field is exactly the text of mac? */
static int line_supports(const char *buf, size_t len, uint32_t addr,
			 const uint8_t mac[6])
{
	char ip[INET_ADDRSTRLEN], mtxt[18];
	size_t pos = 0;
	int first = 1;

	CHECK(inet_ntop(AF_INET, &addr, ip, sizeof(ip)) != NULL);
	snprintf(mtxt, sizeof(mtxt), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		const char *f[6];
		size_t fl[6];
		unsigned nf;

		pos += ll + 1;
		if (first) {
			first = 0;
			continue;
		}
		nf = fields(line, ll, f, fl);
		/* The address field is read as a C string: /proc never has
		 * NULs, and the parser ignores anything after one. */
		if (nf >= 4 && fl[0] < 16 && strnlen(f[0], fl[0]) == strlen(ip) &&
		    memcmp(f[0], ip, strlen(ip)) == 0 &&
		    hexnum_has_com(f[2], fl[2]) && fl[3] == 17 &&
		    strncasecmp(f[3], mtxt, 17) == 0)
			return 1;
	}
	return 0;
}

static void probe(const char *buf, size_t len, uint32_t addr)
{
	uint8_t mac[6];

	if (neigh_parse_arp(buf, len, addr, mac) == 0)
		CHECK(line_supports(buf, len, addr, mac));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size);
	uint32_t addr = 0;
	size_t pos = 0;
	unsigned tries = 0;

	CHECK(buf != NULL || size == 0);
	if (size > 0)
		memcpy(buf, data, size);
	if (size >= 4)
		memcpy(&addr, data, 4);
	probe(buf, size, addr);

	/* The first field of each line as the address looked for. */
	while (pos < size && tries < 16) {
		const char *line = buf + pos, *nl = memchr(line, '\n', size - pos);
		size_t ll = nl ? (size_t)(nl - line) : size - pos;
		char ip[16];
		size_t k = 0;
		struct in_addr a;

		pos += ll + 1;
		while (k < ll && k < sizeof(ip) - 1 && line[k] != ' ') {
			ip[k] = line[k];
			k++;
		}
		ip[k] = '\0';
		if (inet_pton(AF_INET, ip, &a) == 1) {
			probe(buf, size, a.s_addr);
			tries++;
		}
	}
	free(buf);
	return 0;
}
