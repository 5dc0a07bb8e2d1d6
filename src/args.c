/* args.c - command line to struct fw_config. Runs before anything is
 * opened; every number goes through one bounded converter. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "conffile.h"
#include "config.h"
#include "net.h"
#include "sandbox.h"
#include "tftp.h"

#ifndef FWTFTPD_VERSION
#define FWTFTPD_VERSION "0.1.0"
#endif

enum { O_LISTEN = 256, O_MAXCHILD, O_LOGSOCK, O_SBXDEBUG, O_ALLOW, O_DENY, O_DENYNAME, O_NOMODE,
       O_LISTFW, O_FOR, O_FORMAC, O_SBXTAB };

static const struct option longopts[] = {
	{ "secure", required_argument, NULL, 's' },
	{ "user", required_argument, NULL, 'u' },
	{ "config", required_argument, NULL, 'f' },
	{ "list-firmware", no_argument, NULL, O_LISTFW },
	{ "for", required_argument, NULL, O_FOR },
	{ "for-mac", required_argument, NULL, O_FORMAC },
	{ "allow", required_argument, NULL, O_ALLOW },
	{ "deny", required_argument, NULL, O_DENY },
	{ "deny-name", required_argument, NULL, O_DENYNAME },
	{ "disable-mode", required_argument, NULL, O_NOMODE },
	{ "sandbox-debug", no_argument, NULL, O_SBXDEBUG },
	{ "sandbox-tables", no_argument, NULL, O_SBXTAB },
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "max-children", required_argument, NULL, O_MAXCHILD },
	{ "max-blksize", required_argument, NULL, 'B' },
	{ "max-window", required_argument, NULL, 'W' },
	{ "timeout", required_argument, NULL, 't' },
	{ "retries", required_argument, NULL, 'R' },
	{ "refuse", required_argument, NULL, 'r' },
	{ "foreground", no_argument, NULL, 'L' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "log-socket", required_argument, NULL, O_LOGSOCK },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void args_usage(const char *prog)
{
	printf("Usage: %s [options]\n"
	       "TFTP read server for inetd/xinetd (fd 0 is the UDP socket) or standalone.\n\n"
	       "  -s, --secure DIR        served root (default /srv/tftp)\n"
	       "  -u, --user USER         run transfers as USER (default nobody)\n"
	       "  -f, --config FILE       configuration file (firmware remap, rules)\n"
	       "      --list-firmware     print the firmware table and exit (1: an image\n"
	       "                          is corrupt or unidentified)\n"
	       "      --for ADDRESS       with --list-firmware: what this client gets\n"
	       "      --for-mac MAC       with --list-firmware: what this MAC gets\n"
	       "      --listen ADDR:PORT  standalone: 127.0.0.1:69, [::1]:69 or PORT\n"
	       "      --max-children N    standalone: concurrent transfers (default 256)\n"
	       "  -B, --max-blksize N     largest blksize granted, 8-65464 (default 65464)\n"
	       "  -W, --max-window N      largest windowsize granted, 1-65535 (default 64)\n"
	       "  -t, --timeout SEC       retransmission timeout, 1-255 (default 2)\n"
	       "  -R, --retries N         timeouts before giving up, 1-100 (default 5)\n"
	       "      --allow CIDR        allow clients in CIDR (IPv4/IPv6, \"any\");\n"
	       "      --deny CIDR         deny them; rules in order, first match wins;\n"
	       "                          with rules, an unmatched client is denied\n"
	       "      --deny-name PATTERN never serve names matching PATTERN (fnmatch);\n"
	       "                          dotfiles are never served\n"
	       "      --disable-mode MODE refuse octet or netascii requests\n"
	       "  -r, --refuse OPTION     never negotiate OPTION (blksize, tsize,\n"
	       "                          timeout, windowsize); repeatable\n"
	       "  -L, --foreground        log to stderr instead of syslog\n"
	       "  -v, --verbose           also log each request as it arrives\n"
	       "      --log-socket PATH   syslog socket (default /dev/log)\n"
	       "      --sandbox-debug     log denied system calls instead of killing\n"
	       "                          (development only)\n"
	       "      --sandbox-tables    print the seccomp tables and exit\n"
	       "  -V, --version           print the version\n"
	       "  -h, --help              this text\n", prog);
}

static int num(const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;

	if (opt_number(s, &v) != 0 || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int args_parse(int argc, char **argv, struct fw_config *cfg, char *err,
	       size_t errsz)
{
	int c;

	config_defaults(cfg);

	optind = 0; /* 0, not 1: glibc then also forgets a half-read option group */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:u:f:B:W:t:R:r:LvVh", longopts, NULL)) != -1) {
		unsigned bit;

		switch (c) {
		case 's':
			cfg->root = optarg;
			break;
		case 'u':
			cfg->user = optarg;
			break;
		case 'f':
			cfg->config_file = optarg;
			break;
		case O_LISTFW:
			cfg->list_firmware = 1;
			break;
		case O_FOR:
			cfg->list_for = optarg;
			break;
		case O_FORMAC:
			cfg->list_for_mac = optarg;
			break;
		case O_ALLOW:
		case O_DENY:
			if (acl_add(&cfg->acl, optarg, c == O_ALLOW, err, errsz) != 0)
				return -1;
			break;
		case O_DENYNAME:
			if (acl_deny_name(&cfg->acl, optarg, err, errsz) != 0)
				return -1;
			break;
		case O_NOMODE:
			if (acl_mode_disable(&cfg->acl, optarg, err, errsz) != 0)
				return -1;
			break;
		case O_SBXTAB:
			sandbox_print_tables();
			return 1;
		case O_SBXDEBUG:
			cfg->sandbox_debug = 1;
			break;
		case O_LISTEN:
			cfg->listen = optarg;
			break;
		case O_MAXCHILD:
			if (num(optarg, 1, 4096, &cfg->max_children) != 0)
				return snprintf(err, errsz, "--max-children: 1-4096"), -1;
			break;
		case 'B':
			if (num(optarg, TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX, &cfg->lim.max_blksize) != 0)
				return snprintf(err, errsz, "--max-blksize: 8-65464"), -1;
			break;
		case 'W':
			if (num(optarg, 1, TFTP_WINDOW_MAX, &cfg->lim.max_window) != 0)
				return snprintf(err, errsz, "--max-window: 1-65535"), -1;
			break;
		case 't':
			if (num(optarg, TFTP_TIMEOUT_MIN, TFTP_TIMEOUT_MAX, &cfg->timeout_s) != 0)
				return snprintf(err, errsz, "--timeout: 1-255 seconds"), -1;
			break;
		case 'R':
			if (num(optarg, 1, 100, &cfg->retries) != 0)
				return snprintf(err, errsz, "--retries: 1-100"), -1;
			break;
		case 'r':
			bit = opt_bit_by_name(optarg);
			if (bit == 0)
				return snprintf(err, errsz, "--refuse: unknown option '%s'", optarg), -1;
			cfg->lim.refused |= bit;
			break;
		case 'L':
			cfg->foreground = 1;
			break;
		case 'v':
			cfg->verbose = 1;
			break;
		case O_LOGSOCK:
			cfg->log_socket = optarg;
			break;
		case 'V':
			printf("fwtftpd %s\n", FWTFTPD_VERSION);
			return 1;
		case 'h':
			args_usage(argv[0]);
			return 1;
		case ':':
			return snprintf(err, errsz, "option needs a value: %s", argv[optind - 1]), -1;
		default:
			return snprintf(err, errsz, "unknown option: %s", argv[optind - 1]), -1;
		}
	}
	if (optind < argc)
		return snprintf(err, errsz, "unexpected argument: %s", argv[optind]), -1;
	if (cfg->root[0] != '/')
		return snprintf(err, errsz, "-s needs an absolute path"), -1;
	if ((cfg->list_for || cfg->list_for_mac) && !cfg->list_firmware)
		return snprintf(err, errsz, "--for and --for-mac go with --list-firmware"), -1;
	if (cfg->list_for_mac != NULL) {
		uint8_t mac[6];

		if (fwp_parse_mac(cfg->list_for_mac, mac) != 0)
			return snprintf(err, errsz, "--for-mac: expected aa:bb:cc:dd:ee:ff"), -1;
	}
	if (cfg->list_for != NULL) {
		struct endpoint ep;
		char spec[80];

		snprintf(spec, sizeof(spec), strchr(cfg->list_for, ':') ? "[%s]:1" : "%s:1", cfg->list_for);
		if (net_parse_addrport(spec, &ep) != 0)
			return snprintf(err, errsz, "--for: expected an IPv4 or IPv6 address"), -1;
	}
	/* The file's rules come after the command line's. */
	if (cfg->config_file != NULL && conf_load(cfg->config_file, cfg, err, errsz) != 0)
		return -1;
	return 0;
}
