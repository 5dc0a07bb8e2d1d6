/* neigh.h - a client's MAC address from the kernel neighbour table, read
 * before the sandbox closes (/proc is outside the chroot). */
#ifndef FWTFTPD_NEIGH_H
#define FWTFTPD_NEIGH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Find the IPv4 address (network order) in /proc/net/arp text of len bytes.
 * Complete entries only (flag 0x2). Returns 0 with mac set, or -1. Pure. */
int neigh_parse_arp(const char *buf, size_t len, uint32_t addr, uint8_t mac[6]);

/* Look the client up (IPv4, or IPv4-mapped IPv6). IPv6 neighbours are not
 * looked up (netlink would be needed): -1. Returns 0 with mac set, or -1. */
int neigh_lookup(const struct sockaddr *sa, socklen_t salen, uint8_t mac[6]);

#endif
