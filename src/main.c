/* main.c - wiring only: arguments, log channel, served root, launch mode. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "launch.h"
#include "fwlist.h"
#include "log.h"
#include "privdrop.h"
#include "sandbox.h"

int main(int argc, char **argv)
{
	struct fw_config cfg;
	char err[256];
	int rootfd, r;

	r = args_parse(argc, argv, &cfg, err, sizeof(err));
	if (r != 0) {
		if (r > 0)
			return EXIT_DONE;
		fprintf(stderr, "fwtftpd: %s (try --help)\n", err);
		return EXIT_USAGE;
	}
	log_open("fwtftpd", cfg.foreground, cfg.log_socket);
	sandbox_set_debug(cfg.sandbox_debug);
	rootfd = open(cfg.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		log_msg(LOG_ERR, "served root %s: %s", cfg.root, strerror(errno));
		return EXIT_USAGE;
	}
	if (cfg.list_firmware) {
		log_open("fwtftpd", 1, NULL);
		return fwlist_run(&cfg, rootfd);
	}
	if (privdrop_lookup(cfg.user, &cfg.uid, &cfg.gid) != 0) {
		log_msg(LOG_ERR, "-u %s: no such user", cfg.user);
		return EXIT_USAGE;
	}
	if (geteuid() == 0 && cfg.uid == 0) {
		log_msg(LOG_ERR, "-u %s: refusing to serve as root", cfg.user);
		return EXIT_USAGE;
	}
	if (cfg.listen != NULL)
		return launch_listener(&cfg, rootfd);
	return launch_inetd(&cfg, rootfd);
}
