/* conffile.h - the configuration file (-f FILE). */
#ifndef FWTFTPD_CONFFILE_H
#define FWTFTPD_CONFFILE_H

#include <stddef.h>

struct fw_config;

/* Parse text (len bytes, not modified, need not be NUL-terminated) as the
 * file called name; lines are at most 4096 bytes. Directives: allow, deny, deny-name, disable-mode,
 * refuse (as the command-line options) and the firmware directives of
 * fwpolicy.h. Returns 0, or -1 with "name:line: message" in err. */
int conf_parse(const char *name, const char *text, size_t len, struct fw_config *cfg,
	       char *err, size_t errsz);

/* Read and parse FILE (at most 1 MiB). Returns 0 or -1 with err set. */
int conf_load(const char *file, struct fw_config *cfg, char *err, size_t errsz);

#endif
