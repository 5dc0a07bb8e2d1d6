/* fwlist.c - fwtftpd --list-firmware: runs as the operator, outside any
 * sandbox, never serves anything. Reads every image completely, so it is
 * also how an operator refreshes the verified-image cache after putting new
 * firmware in place. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwlist.h"
#include "fwscan.h"
#include "fwstate.h"
#include "log.h"
#include "path.h"
#include "remap.h"

static struct fw_manifest *read_manifest(const struct fwpolicy *p, int rootfd, int *bad)
{
	struct fw_manifest_error e = { 0, NULL };
	struct fw_manifest *m;
	struct stat st;
	const char *why;
	char *text;
	int fd;

	*bad = 0;
	if (path_open(rootfd, p->manifest, &fd, &st, &why) != 0)
		return NULL;
	text = malloc((size_t)st.st_size + 1);
	m = malloc(sizeof(*m));
	if (text == NULL || m == NULL || pread(fd, text, (size_t)st.st_size, 0) != st.st_size ||
	    fw_manifest_parse(text, (size_t)st.st_size, m, &e) != 0) {
		printf("manifest %s:%u: %s (manifest ignored)\n", p->manifest, e.line,
		       e.msg ? e.msg : "cannot read");
		*bad = 1;
		free(m);
		m = NULL;
	}
	free(text);
	close(fd);
	return m;
}

static void print_choices(const struct fw_config *cfg, int rootfd, const struct fwstate *st)
{
	struct endpoint peer;
	struct fwstate no_rotation = { -1, st->index_fd };
	uint8_t mac[6];
	const uint8_t *macp = NULL;
	char label[80];

	memset(&peer, 0, sizeof(peer));
	if (cfg->list_for != NULL) {
		char spec[80];

		/* Reuse the --listen parser: an address needs a port there. */
		snprintf(spec, sizeof(spec), strchr(cfg->list_for, ':') ? "[%s]:1" : "%s:1",
			 cfg->list_for);
		net_parse_addrport(spec, &peer);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&peer.ss;

		sin->sin_family = AF_INET; /* 0.0.0.0: matches only "any" rules */
		peer.len = sizeof(*sin);
	}
	if (cfg->list_for_mac != NULL && fwp_parse_mac(cfg->list_for_mac, mac) == 0)
		macp = mac;
	snprintf(label, sizeof(label), "%s%s%s", cfg->list_for ? cfg->list_for : "",
		 cfg->list_for && macp ? " " : "", macp ? cfg->list_for_mac : "");
	printf("\nrequests from %s:\n", label);
	for (unsigned i = 0; i < cfg->fw.nreq; i++) {
		struct remap_result res;
		struct stat fst;
		char msg[80], why[200];
		int fd;

		if (remap_open(&cfg->fw, &no_rotation, rootfd, cfg->fw.req[i].model, &peer, macp,
			       &fd, &fst, &res, msg, sizeof(msg), why, sizeof(why)) == 0) {
			printf("  %-16s -> %s (version %s, major %u by %s, %s, %s)\n",
			       cfg->fw.req[i].name, res.path, res.version, res.major, res.how,
			       res.source, res.check);
			close(fd);
		} else {
			printf("  %-16s -> ERROR \"%s\" (%s)\n", cfg->fw.req[i].name, msg, why);
		}
	}
}

int fwlist_run(const struct fw_config *cfg, int rootfd)
{
	struct fwscan_opts opts = { NULL, cfg->fw.filename_fallback };
	struct fw_manifest *mf;
	struct fw_scan *sc = malloc(sizeof(struct fw_scan));
	struct fwstate st = { -1, -1 };
	char err[200];
	const char *mname;
	int dirfd, bad = 0, mbad;

	if (sc == NULL)
		return EXIT_SYSTEM;
	dirfd = path_open_dir(rootfd, cfg->fw.dir);
	if (dirfd < 0) {
		fprintf(stderr, "fwtftpd: firmware directory %s/%s: %s\n", cfg->root, cfg->fw.dir,
			strerror(errno));
		free(sc);
		return EXIT_USAGE;
	}
	if (fws_open(cfg->fw.state_dir, &st, err, sizeof(err)) != 0)
		printf("note: %s; the verified-image cache is not updated\n", err);
	mf = read_manifest(&cfg->fw, rootfd, &mbad);
	opts.manifest = mf;
	bad |= mbad;
	if (fwscan_dir(dirfd, &opts, sc) != 0) {
		fprintf(stderr, "fwtftpd: %s: %s\n", cfg->fw.dir, strerror(errno));
		return EXIT_SYSTEM;
	}
	/* The manifest may live in the firmware directory: it is no image. */
	mname = strncmp(cfg->fw.manifest, cfg->fw.dir, strlen(cfg->fw.dir)) == 0 &&
		cfg->fw.manifest[strlen(cfg->fw.dir)] == '/' ?
		cfg->fw.manifest + strlen(cfg->fw.dir) + 1 : NULL;

	printf("firmware in %s/%s (manifest %s%s, file-name fallback %s)\n", cfg->root,
	       cfg->fw.dir, cfg->fw.manifest, opts.manifest ? "" : ": none",
	       cfg->fw.filename_fallback ? "on" : "off");
	printf("%-36s %-6s %-16s %-5s %-9s %s\n", "FILE", "MODEL", "VERSION", "MAJOR", "SOURCE", "CHECK");
	for (unsigned i = 0; i < sc->n; i++) {
		struct fw_image *im = &sc->img[i];
		enum fw_check c = im->check;

		if (mname != NULL && strcmp(im->name, mname) == 0)
			continue;
		if (c == FW_OK) {
			int fd = -1;
			struct stat fst;

			c = fwscan_verify_at(dirfd, im);
			/* Record the result so servers need not read the file again. */
			if (st.index_fd >= 0 && (fd = openat(dirfd, im->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0 &&
			    fstat(fd, &fst) == 0) {
				struct fws_verified v = { (uint8_t)c, (uint8_t)im->id.source };

				(void)fws_index_put(&st, &fst, &v);
			}
			if (fd >= 0)
				close(fd);
		}
		if (c != FW_OK)
			bad = 1;
		if (im->id.source != FW_SRC_NONE)
			printf("%-36s %-6s %-16s %-5u %-9s %s\n", im->name, im->id.model,
			       im->id.version.text, fw_version_major(&im->id.version),
			       fw_source_str(im->id.source),
			       c == FW_OK && im->id.source == FW_SRC_FILENAME ? "unverified" : fw_check_str(c));
		else
			printf("%-36s %-6s %-16s %-5s %-9s %s\n", im->name, "-", "-", "-", "-", fw_check_str(c));
	}
	if (sc->dropped)
		printf("%u more files not examined (at most %u per directory)\n", sc->dropped, FWSCAN_MAX);
	if (cfg->list_for != NULL || cfg->list_for_mac != NULL)
		print_choices(cfg, rootfd, &st);
	fws_close(&st);
	close(dirfd);
	free(mf);
	free(sc);
	return bad ? 1 : 0;
}
