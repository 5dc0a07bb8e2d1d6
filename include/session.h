/* session.h - one request from its first datagram to its completion line:
 * parse, decide, open, negotiate, transfer, log. Runs in the per-request
 * child; never forks, never listens. */
#ifndef FWTFTPD_SESSION_H
#define FWTFTPD_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "fwstate.h"
#include "net.h"

struct session {
	const struct fw_config *cfg;
	int sock;                /* connected transfer socket */
	int rootfd;              /* served root, O_DIRECTORY */
	struct endpoint peer;
	struct endpoint local;
	const uint8_t *req;      /* the first datagram */
	size_t reqlen;           /* its length as received (> cap: truncated) */
	/* Called once the file is open and the buffers allocated, right before
	 * the send core runs: stacks the transfer-stage sandbox. Non-zero ends
	 * the session with EXIT_SANDBOX. NULL in unit tests. */
	int (*enter_transfer)(struct session *s, int filefd);
	/* Firmware remap context, prepared before the drop. */
	struct fwstate state;    /* fds -1 when unavailable */
	int have_mac;
	uint8_t mac[6];          /* the client's MAC (neighbour table) */
};

/* Serve one request. Returns an exit code (EXIT_DONE, EXIT_XFER, ...). */
int session_serve(struct session *s);

#endif
