/* neigh.c - MAC address of an IPv4 client from /proc/net/arp. The parser
 * is pure and bounded; the lookup runs before the privilege drop. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "neigh.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff" exactly 17 bytes at p. */
static int parse_mac17(const char *p, size_t n, uint8_t mac[6])
{
	if (n != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		int h = hexval(p[3 * i]), l = hexval(p[3 * i + 1]);

		if (h < 0 || l < 0 || (i < 5 && p[3 * i + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(h << 4 | l);
	}
	return 0;
}

int neigh_parse_arp(const char *buf, size_t len, uint32_t addr, uint8_t mac[6])
{
	size_t pos = 0;
	int first = 1;

	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		const char *f[6];
		size_t fl[6];
		unsigned nf = 0;
		size_t i = 0;

		pos += ll + 1;
		if (first) { /* header line */
			first = 0;
			continue;
		}
		while (i < ll && nf < 6) {
			while (i < ll && line[i] == ' ')
				i++;
			if (i >= ll)
				break;
			f[nf] = line + i;
			while (i < ll && line[i] != ' ')
				i++;
			fl[nf] = (size_t)(line + i - f[nf]);
			nf++;
		}
		if (nf < 4) /* IP, HW type, Flags, HW address */
			continue;
		char ip[16], flags[8];
		struct in_addr a;

		if (fl[0] >= sizeof(ip) || fl[2] >= sizeof(flags))
			continue;
		memcpy(ip, f[0], fl[0]);
		ip[fl[0]] = '\0';
		memcpy(flags, f[2], fl[2]);
		flags[fl[2]] = '\0';
		if (inet_pton(AF_INET, ip, &a) != 1 || a.s_addr != addr)
			continue;
		if (!(strtoul(flags, NULL, 16) & 0x2)) /* ATF_COM: resolved */
			continue;
		if (parse_mac17(f[3], fl[3], mac) == 0)
			return 0;
	}
	return -1;
}

int neigh_lookup(const struct sockaddr *sa, socklen_t salen, uint8_t mac[6])
{
	char buf[65536];
	uint32_t addr;
	ssize_t n;
	size_t len = 0;
	int fd;

	if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(struct sockaddr_in)) {
		addr = ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
	} else if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(struct sockaddr_in6) &&
		   IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)sa)->sin6_addr)) {
		memcpy(&addr, &((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr[12], 4);
	} else {
		return -1;
	}
	fd = open("/proc/net/arp", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	return neigh_parse_arp(buf, len, addr, mac);
}
