/* launch.h - how a request reaches a child: inetd "wait" mode (fd 0) or
 * the standalone listener. */
#ifndef FWTFTPD_LAUNCH_H
#define FWTFTPD_LAUNCH_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "net.h"

/* inetd wait mode: read one request from fd 0, fork; the parent returns
 * EXIT_DONE at once so inetd listens again, the child serves. */
int launch_inetd(const struct fw_config *cfg, int rootfd);

/* Standalone: listen on cfg->listen, one child per request, at most
 * cfg->max_children at once; returns on SIGTERM/SIGINT. */
int launch_listener(const struct fw_config *cfg, int rootfd);

/* In a freshly forked child: open the transfer socket and serve. */
int launch_child(const struct fw_config *cfg, int rootfd, const uint8_t *req,
		 size_t reqlen, const struct endpoint *peer,
		 const struct endpoint *local);

#endif
