/* remap.h - serve the right firmware image for a snomNNN.bin request.
 * Runs inside the request-stage sandbox: it reads the firmware directory
 * and manifest beneath the root and writes only through the state
 * descriptors opened before the drop. */
#ifndef FWTFTPD_REMAP_H
#define FWTFTPD_REMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "firmware.h"
#include "fwpolicy.h"
#include "fwstate.h"
#include "net.h"

struct remap_result {
	char path[FWP_PATH_MAX + FW_FILE_NAME_MAX + 2]; /* served, beneath the root */
	char model[FW_MODEL_LEN + 1];
	uint32_t major;
	const char *how;      /* rotation, client-rule, default, newest */
	unsigned rule_line;   /* config line of the client rule, or 0 */
	const char *source;   /* header, manifest, filename */
	const char *check;    /* verified, cached, unverified */
	char version[FW_VERSION_TEXT];
};

/* Choose, open and verify the image for model. Returns 0 with *fd and *st
 * for the image (the very descriptor that was verified), or a TFTP error
 * code with msg (client-facing, names what is missing) and why (log). */
int remap_open(const struct fwpolicy *p, const struct fwstate *state,
	       int rootfd, const char *model, const struct endpoint *peer,
	       const uint8_t *mac, int *fd, struct stat *st,
	       struct remap_result *res, char *msg, size_t msgsz, char *why,
	       size_t whysz);

/* After a completed transfer: remember model and major for rotation. */
void remap_done(const struct fwpolicy *p, const struct fwstate *state,
		const struct endpoint *peer, const uint8_t *mac,
		const struct remap_result *res);

#endif
