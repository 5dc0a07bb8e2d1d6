/* config.h - run-time settings: defaults (conffile.c), the command line
 * (args.c) and the -f file fill it;
 * nothing else writes it after start-up. */
#ifndef FWTFTPD_CONFIG_H
#define FWTFTPD_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "acl.h"
#include "fwpolicy.h"
#include "options.h"

/* Exit codes (also in fwtftpd(8)). */
enum {
	EXIT_DONE = 0,     /* transfer completed, or nothing to do */
	EXIT_XFER = 1,     /* request refused or transfer failed */
	EXIT_USAGE = 100,  /* bad command line or configuration */
	EXIT_SYSTEM = 111, /* a system call needed to serve failed */
	EXIT_SANDBOX = 112,/* privilege drop or sandbox set-up failed */
};

struct fw_config {
	const char *root;        /* -s: served root */
	const char *listen;      /* --listen ADDR:PORT, NULL in inetd mode */
	unsigned max_children;   /* --max-children */
	struct opt_limits lim;   /* --max-blksize, --max-window, -r */
	unsigned timeout_s;      /* -t: retransmission timeout, seconds */
	unsigned retries;        /* -R: timeouts before giving up */
	int foreground;          /* -L: log to stderr */
	int verbose;             /* -v: log each request as it arrives */
	const char *log_socket;  /* --log-socket (default /dev/log) */
	const char *user;        /* -u: run transfers as this user */
	int sandbox_debug;       /* --sandbox-debug: log denied calls, don't kill */
	struct acl acl;          /* --allow/--deny, --deny-name, --disable-mode */
	const char *config_file; /* -f FILE */
	struct fwpolicy fw;      /* firmware remap policy (defaults + -f FILE) */
	int list_firmware;       /* --list-firmware: print the table, exit */
	const char *list_for;    /* --for ADDRESS */
	const char *list_for_mac;/* --for-mac MAC */
	uid_t uid;               /* resolved from user by main */
	gid_t gid;
};

/* Every setting at its default (what args_parse starts from). */
void config_defaults(struct fw_config *cfg);

/* Defaults, then the command line. Returns 0, 1 when --help or --version
 * was printed (nothing left to do), or -1 with a message in err. */
int args_parse(int argc, char **argv, struct fw_config *cfg, char *err,
	       size_t errsz);

void args_usage(const char *prog);

#endif
