/* sockio.h - the real I/O behind struct xfer_io: a connected UDP socket
 * and a file descriptor. */
#ifndef FWTFTPD_SOCKIO_H
#define FWTFTPD_SOCKIO_H

#include <sys/socket.h>
#include <sys/uio.h>

#include "xfer.h"

struct sockio {
	int sock;            /* connected to the client */
	int fd;              /* the served file */
	unsigned cur_timeout;/* SO_RCVTIMEO now set, ms (0 = none yet) */
	unsigned max;        /* datagrams per send call */
	struct mmsghdr *msgs;
	struct iovec *iov;
};

/* Allocate room for window datagrams per send and fill io. Returns 0 or -1. */
int sockio_init(struct sockio *s, int sock, int fd, unsigned window,
		struct xfer_io *io);
void sockio_free(struct sockio *s);

#endif
