/* conffile.c - the configuration file (-f FILE): one directive per line,
 * words separated by blanks, '#' starts a comment. Read once at start-up,
 * before anything is opened for a client; every error names file and line
 * and stops the server from starting (a half-read policy is never used). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conffile.h"
#include "tftp.h"

#define CONF_MAX_BYTES (1u << 20)
#define CONF_MAX_WORDS 8
#define CONF_LINE_MAX 4096u

void config_defaults(struct fw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	acl_init(&cfg->acl);
	fwp_init(&cfg->fw);
	cfg->root = "/srv/tftp";
	cfg->user = "nobody";
	cfg->max_children = 256;
	cfg->lim.max_blksize = TFTP_BLKSIZE_MAX;
	cfg->lim.max_window = 64;
	cfg->timeout_s = 2;
	cfg->retries = 5;
}

/* Directives shared with the command line. Returns 1 applied, 0 unknown,
 * -1 error. */
static int policy_directive(struct fw_config *cfg, int argc, char **argv,
			    char *err, size_t errsz)
{
	const char *k = argv[0];
	unsigned bit;

	if (strcmp(k, "allow") == 0 || strcmp(k, "deny") == 0) {
		if (argc != 2)
			return snprintf(err, errsz, "usage: %s CIDR|any", k), -1;
		return acl_add(&cfg->acl, argv[1], k[0] == 'a', err, errsz) == 0 ? 1 : -1;
	}
	if (strcmp(k, "deny-name") == 0) {
		if (argc != 2)
			return snprintf(err, errsz, "usage: deny-name PATTERN"), -1;
		return acl_deny_name(&cfg->acl, argv[1], err, errsz) == 0 ? 1 : -1;
	}
	if (strcmp(k, "disable-mode") == 0) {
		if (argc != 2)
			return snprintf(err, errsz, "usage: disable-mode octet|netascii"), -1;
		return acl_mode_disable(&cfg->acl, argv[1], err, errsz) == 0 ? 1 : -1;
	}
	if (strcmp(k, "refuse") == 0) {
		if (argc != 2 || (bit = opt_bit_by_name(argv[1])) == 0)
			return snprintf(err, errsz, "usage: refuse blksize|tsize|timeout|windowsize"), -1;
		cfg->lim.refused |= bit;
		return 1;
	}
	return 0;
}

int conf_parse(const char *name, const char *text, size_t len, struct fw_config *cfg,
	       char *err, size_t errsz)
{
	unsigned line = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *src = text + pos, *nl = memchr(src, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - src) : len - pos;
		char *argv[CONF_MAX_WORDS + 1], msg[200], l[CONF_LINE_MAX + 1];
		int argc = 0, r;

		pos += ll + 1;
		line++;
		/* Work on a copy: the last line may have no newline to cut at. */
		if (ll > CONF_LINE_MAX)
			return snprintf(err, errsz, "%s:%u: line longer than %u bytes", name, line,
					CONF_LINE_MAX), -1;
		memcpy(l, src, ll);
		l[ll] = '\0';
		for (size_t i = 0; i < ll; i++) {
			unsigned char c = (unsigned char)l[i];

			if (c == '#') {
				l[i] = '\0';
				break;
			}
			if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
				return snprintf(err, errsz, "%s:%u: control character in line", name, line), -1;
		}
		for (char *p = l; *p;) {
			while (*p == ' ' || *p == '\t' || *p == '\r')
				*p++ = '\0';
			if (*p == '\0')
				break;
			if (argc == CONF_MAX_WORDS)
				return snprintf(err, errsz, "%s:%u: too many words", name, line), -1;
			argv[argc++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
		}
		if (argc == 0)
			continue;
		argv[argc] = NULL;
		r = policy_directive(cfg, argc, argv, msg, sizeof(msg));
		if (r == 0)
			r = fwp_directive(&cfg->fw, argc, argv, line, msg, sizeof(msg));
		if (r == 0)
			return snprintf(err, errsz, "%s:%u: unknown directive '%s'", name, line, argv[0]), -1;
		if (r < 0)
			return snprintf(err, errsz, "%s:%u: %s", name, line, msg), -1;
	}
	return 0;
}

int conf_load(const char *file, struct fw_config *cfg, char *err, size_t errsz)
{
	/* One byte more than the limit, to tell "exactly 1 MiB" from "more". */
	static char text[CONF_MAX_BYTES + 1];
	size_t len = 0;
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return snprintf(err, errsz, "%s: %s", file, strerror(errno)), -1;
	while (len < sizeof(text) && (n = read(fd, text + len, sizeof(text) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len < sizeof(text) && n < 0)
		return snprintf(err, errsz, "%s: %s", file, strerror(errno)), -1;
	if (len > CONF_MAX_BYTES)
		return snprintf(err, errsz, "%s: larger than %u bytes", file, CONF_MAX_BYTES), -1;
	if (memchr(text, '\0', len) != NULL)
		return snprintf(err, errsz, "%s: contains a NUL byte (not a text file?)", file), -1;
	return conf_parse(file, text, len, cfg, err, errsz);
}
