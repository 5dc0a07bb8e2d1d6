/* fwpolicy.h - which firmware image a snomNNN.bin request gets: the request
 * name table, per-client rules (CIDR or MAC, first match wins), per-model
 * default majors, retry rotation. Pure: no syscalls. */
#ifndef FWTFTPD_FWPOLICY_H
#define FWTFTPD_FWPOLICY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "acl.h"
#include "firmware.h"

#define FWP_MAX_REQ 32u
#define FWP_MAX_DEFAULT 32u
#define FWP_MAX_CLIENT 64u
#define FWP_PATH_MAX 256u
#define FWP_MAX_MAJORS 64u

struct fwp_request {
	char name[64];                 /* request name, compared case-insensitively */
	char model[FW_MODEL_LEN + 1];
};

struct fwp_default {
	char model[FW_MODEL_LEN + 1];
	uint32_t major;
};

enum fwp_kind { FWP_CIDR, FWP_MAC };

struct fwp_client {
	enum fwp_kind kind;
	uint8_t mac[6];
	int acl_idx;                   /* FWP_CIDR: index in client_acl */
	char model[FW_MODEL_LEN + 1];  /* "" = every model */
	uint32_t major;
	unsigned line;                 /* config line, for logs */
};

struct fwpolicy {
	int enabled;                   /* remap snomNNN.bin requests at all */
	char dir[FWP_PATH_MAX];        /* firmware directory beneath the root */
	char manifest[FWP_PATH_MAX];   /* manifest beneath the root */
	int filename_fallback;         /* trust vendor file names (unverified) */
	int exact_wins;                /* a file under the exact name wins */
	unsigned rotate_s;             /* retry rotation window, 0 = off */
	char state_dir[FWP_PATH_MAX];  /* absolute; verified-image index, clients */
	unsigned nreq, ndef, nclient;
	struct fwp_request req[FWP_MAX_REQ];
	struct fwp_default def[FWP_MAX_DEFAULT];
	struct fwp_client client[FWP_MAX_CLIENT];
	struct acl client_acl;         /* the CIDR rules of client[], in order */
	int need_mac;                  /* some rule names a MAC */
};

/* What the state file remembers of a client's last completed transfer. */
struct fwp_last {
	int valid;
	char model[FW_MODEL_LEN + 1];
	uint32_t major;
	int64_t t_done;                /* wall-clock seconds */
};

/* Defaults: enabled, dir "firmware", manifest "firmware/MANIFEST", no
 * file-name fallback, exact name wins, rotation off, state dir
 * /var/lib/fwtftpd, requests snom300/320/360/370.bin. */
void fwp_init(struct fwpolicy *p);

/* Apply one configuration directive (argv[0] is its keyword). Returns 1 if
 * applied, 0 if the keyword is not a firmware directive, -1 with err set. */
int fwp_directive(struct fwpolicy *p, int argc, char **argv, unsigned line,
		  char *err, size_t errsz);

/* Model for a cleaned request path, or NULL when it is no remap request. */
const char *fwp_model_for(const struct fwpolicy *p, const char *path);

/* "aa:bb:cc:dd:ee:ff" (or '-' separated) to 6 bytes. Returns 0 or -1. */
int fwp_parse_mac(const char *s, uint8_t mac[6]);

/* The major a client gets for model, given the majors present (sorted
 * ascending, n > 0). Order: a retry inside the rotation window (the next
 * major after the last one served, cycling), else the first matching client
 * rule, else the model's default, else the newest major. *how gets a short
 * fixed text ("rotation", "client-rule", "default", "newest") and *line the
 * rule's config line (0 if none). mac may be NULL. */
uint32_t fwp_target_major(const struct fwpolicy *p, const char *model,
			  const struct sockaddr *sa, socklen_t salen,
			  const uint8_t *mac, const struct fwp_last *last,
			  int64_t now, const uint32_t *majors, unsigned n,
			  const char **how, unsigned *line);

#endif
