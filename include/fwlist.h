/* fwlist.h - the operator's view: fwtftpd --list-firmware. */
#ifndef FWTFTPD_FWLIST_H
#define FWTFTPD_FWLIST_H

#include "config.h"

/* Print the firmware table (every image fully verified, the verified-image
 * cache refreshed when the state directory is writable) and, with
 * cfg->list_for / cfg->list_for_mac, which file each request name would
 * get. Returns 0, or 1 when an image is corrupt or unidentified, or
 * EXIT_USAGE / EXIT_SYSTEM. */
int fwlist_run(const struct fw_config *cfg, int rootfd);

#endif
