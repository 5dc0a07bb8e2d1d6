/* net.h - sockets: the first request with its local address, the per
 * transfer socket, the standalone listener. */
#ifndef FWTFTPD_NET_H
#define FWTFTPD_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct endpoint {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Ask the kernel for the destination address of each datagram (IP_PKTINFO or
 * IPV6_RECVPKTINFO, both on a dual-stack socket). Returns 0 or -1. */
int net_enable_pktinfo(int sock);

/* Receive one request. *local gets the address the client addressed (port 0)
 * or, without pktinfo, the socket's own address. Returns the datagram length
 * (> cap means truncated), or -1 with errno set. */
ssize_t net_recv_request(int sock, uint8_t *buf, size_t cap,
			 struct endpoint *peer, struct endpoint *local);

/* A new UDP socket bound to local on an ephemeral port and connected to peer,
 * with the kernel packet filter attached and locked (sockfilter.h).
 * Returns the fd or -1 with errno set. */
int net_xfer_socket(const struct endpoint *local, const struct endpoint *peer);

/* Parse "A.B.C.D:PORT", "[V6]:PORT" or "PORT" (all IPv6 and IPv4 addresses).
 * Returns 0 or -1. Pure. */
int net_parse_addrport(const char *spec, struct endpoint *ep);

/* Bind a listening socket for --listen with pktinfo enabled; -1 on error. */
int net_listen(const struct endpoint *ep);

/* "1.2.3.4:69" or "[::1]:69"; v4-mapped v6 shown as v4. Pure. */
void net_format(const struct endpoint *ep, char *buf, size_t sz);

#endif
