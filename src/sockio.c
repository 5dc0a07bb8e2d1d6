/* sockio.c - the production side of the xfer I/O seam. A window goes out
 * with one sendmmsg; a DATA datagram is its header and data in one iovec
 * pair, never copied; the receive timeout lives in SO_RCVTIMEO and is only
 * changed when it differs, so the steady state costs one recv per ACK. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sockio.h"

static ssize_t sio_recv(void *ctx, uint8_t *buf, size_t cap, unsigned timeout_ms)
{
	struct sockio *s = ctx;
	ssize_t n;

	if (timeout_ms != s->cur_timeout) {
		struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

		if (setsockopt(s->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
			return -2;
		s->cur_timeout = timeout_ms;
	}
	do
		n = recv(s->sock, buf, cap, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	return (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : -2;
}

static int sio_send(void *ctx, const struct xfer_dgram *d, unsigned n)
{
	struct sockio *s = ctx;
	unsigned done = 0;

	if (n > s->max)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		s->iov[2 * i] = (struct iovec){ (void *)d[i].hdr, d[i].hdrlen };
		s->iov[2 * i + 1] = (struct iovec){ (void *)d[i].data, d[i].len };
		memset(&s->msgs[i], 0, sizeof(s->msgs[i]));
		s->msgs[i].msg_hdr.msg_iov = &s->iov[2 * i];
		s->msgs[i].msg_hdr.msg_iovlen = d[i].len ? 2 : 1;
	}
	while (done < n) {
		int r = sendmmsg(s->sock, s->msgs + done, n - done, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (unsigned)r;
	}
	return 0;
}

static ssize_t sio_read(void *ctx, void *buf, size_t n, uint64_t off)
{
	struct sockio *s = ctx;
	ssize_t r;

	do
		r = pread(s->fd, buf, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	return r;
}

static uint64_t sio_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call */
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int sockio_init(struct sockio *s, int sock, int fd, unsigned window,
		struct xfer_io *io)
{
	s->sock = sock;
	s->fd = fd;
	s->cur_timeout = 0;
	s->max = window;
	s->msgs = calloc(window, sizeof(*s->msgs));
	s->iov = calloc(2 * (size_t)window, sizeof(*s->iov));
	if (s->msgs == NULL || s->iov == NULL) {
		sockio_free(s);
		return -1;
	}
	io->ctx = s;
	io->recv = sio_recv;
	io->send = sio_send;
	io->read = sio_read;
	io->now_ms = sio_now;
	return 0;
}

void sockio_free(struct sockio *s)
{
	free(s->msgs);
	free(s->iov);
	s->msgs = NULL;
	s->iov = NULL;
}
