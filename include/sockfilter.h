/* sockfilter.h - a classic BPF socket filter for the per-transfer UDP socket:
 * the kernel drops every datagram a read server's transfer can never use. */
#ifndef FWTFTPD_SOCKFILTER_H
#define FWTFTPD_SOCKFILTER_H

/* Attach the transfer filter to the UDP socket fd (AF_INET or AF_INET6,
 * including dual-stack sockets) and lock it (SO_LOCK_FILTER), so neither this
 * process nor anything that later gains control of it can detach or replace
 * it. Admitted: ACK datagrams of exactly 4 bytes, ERROR datagrams of at least
 * 5 bytes; everything else (DATA, RRQ/WRQ, OACK, short or long ACKs, short
 * ERRORs, empty datagrams) is dropped in the kernel and never reaches
 * recv(). Datagrams already queued before the call are not filtered: attach
 * before bind()/connect(). Must run before the seccomp policy is loaded.
 * Returns 0, or -1 with errno set: EINVAL if fd is not a UDP socket, or the
 * error of getsockopt/setsockopt (EPERM if a filter is already locked). On
 * failure the socket must not be used for the transfer (fail closed). */
int sockfilter_attach(int fd);

#endif
