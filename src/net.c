/* net.c - sockets around a transfer: read the first request together with
 * the local address it was sent to, open the per-transfer socket from that
 * address (so replies leave from the address the client used on a
 * multi-homed host), and bind the standalone listener. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "sockfilter.h"

int net_enable_pktinfo(int sock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int on = 1;

	if (getsockname(sock, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return setsockopt(sock, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	if (ss.ss_family != AF_INET6)
		return -1;
	if (setsockopt(sock, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) != 0)
		return -1;
	/* A dual-stack socket delivers IPv4 requests with IP_PKTINFO. */
	(void)setsockopt(sock, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	return 0;
}

ssize_t net_recv_request(int sock, uint8_t *buf, size_t cap,
			 struct endpoint *peer, struct endpoint *local)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			 CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, cap };
	struct msghdr mh;
	struct cmsghdr *c;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &peer->ss;
	mh.msg_namelen = sizeof(peer->ss);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	do
		n = recvmsg(sock, &mh, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	peer->len = mh.msg_namelen;

	local->len = sizeof(local->ss);
	if (getsockname(sock, (struct sockaddr *)&local->ss, &local->len) != 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			if (local->ss.ss_family == AF_INET) {
				struct sockaddr_in *sin = (struct sockaddr_in *)&local->ss;

				/* ipi_spec_dst is the address to reply from; ipi_addr
				 * may be a broadcast address. */
				sin->sin_addr = pi.ipi_spec_dst;
			} else {
				struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&local->ss;

				memset(&s6->sin6_addr, 0, sizeof(s6->sin6_addr));
				s6->sin6_addr.s6_addr[10] = 0xff;
				s6->sin6_addr.s6_addr[11] = 0xff;
				memcpy(&s6->sin6_addr.s6_addr[12], &pi.ipi_spec_dst, 4);
				s6->sin6_scope_id = 0;
			}
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
			   local->ss.ss_family == AF_INET6) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&local->ss;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			s6->sin6_addr = pi.ipi6_addr;
			s6->sin6_scope_id = IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr) ? pi.ipi6_ifindex : 0;
		}
	}
	/* Without pktinfo the socket's own address is the best guess. */
	if (local->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&local->ss)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&local->ss)->sin6_port = 0;
	return n;
}

int net_xfer_socket(const struct endpoint *local, const struct endpoint *peer)
{
	int fd = socket(local->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	char junk[1];

	if (fd < 0)
		return -1;
	/* The kernel filter goes on before the port exists, and whatever any
	 * host slipped in between bind and connect is discarded: the client
	 * has had nothing from us yet, so nothing queued can be its. */
	if (sockfilter_attach(fd) != 0 ||
	    bind(fd, (const struct sockaddr *)&local->ss, local->len) != 0 ||
	    connect(fd, (const struct sockaddr *)&peer->ss, peer->len) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	for (int i = 0; i < 256; i++)
		if (recv(fd, junk, sizeof(junk), MSG_DONTWAIT | MSG_TRUNC) < 0)
			break;
	return fd;
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int net_parse_addrport(const char *spec, struct endpoint *ep)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon;
	uint16_t port;
	size_t hl;

	memset(ep, 0, sizeof(*ep));
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		hl = (size_t)(close - spec - 1);
		if (hl == 0 || hl >= sizeof(host))
			return -1;
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		if (parse_port(close + 2, &port) != 0)
			return -1;
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ep->ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
		ep->len = sizeof(*s6);
		return 0;
	}
	colon = strrchr(spec, ':');
	if (colon == NULL) {
		/* Only a port: every address, v6 and v4. */
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ep->ss;

		if (parse_port(spec, &port) != 0)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = in6addr_any;
		ep->len = sizeof(*s6);
		return 0;
	}
	hl = (size_t)(colon - spec);
	if (hl == 0 || hl >= sizeof(host) || memchr(spec, ':', hl) != NULL)
		return -1;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (parse_port(colon + 1, &port) != 0)
		return -1;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ep->ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -1;
	ep->len = sizeof(*sin);
	return 0;
}

int net_listen(const struct endpoint *ep)
{
	int fd = socket(ep->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int off = 0;

	if (fd < 0)
		return -1;
	if (ep->ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, (const struct sockaddr *)&ep->ss, ep->len) != 0 ||
	    net_enable_pktinfo(fd) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

void net_format(const struct endpoint *ep, char *buf, size_t sz)
{
	char a[INET6_ADDRSTRLEN];

	if (ep->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ep->ss;

		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, sz, "%s:%u", a, ntohs(sin->sin_port));
	} else if (ep->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ep->ss;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], a, sizeof(a));
			snprintf(buf, sz, "%s:%u", a, ntohs(s6->sin6_port));
		} else {
			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			snprintf(buf, sz, "[%s]:%u", a, ntohs(s6->sin6_port));
		}
	} else {
		snprintf(buf, sz, "?");
	}
}
