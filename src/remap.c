/* remap.c - a snomNNN.bin request becomes the newest valid image of the
 * major version the policy picks. Identification reads headers only; the
 * chosen image's data CRC or digest is verified on the descriptor that will
 * be served, once per change of the file (the verified-image cache), and
 * an image that fails is never served: the next best one is tried. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "fwscan.h"
#include "log.h"
#include "path.h"
#include "remap.h"
#include "tftp.h"

#define MANIFEST_MAX_BYTES (1u << 20)

/* Read and parse the manifest; NULL when absent or broken (logged). */
static struct fw_manifest *load_manifest(const struct fwpolicy *p, int rootfd)
{
	struct fw_manifest_error e = { 0, NULL };
	struct fw_manifest *m = NULL;
	struct stat st;
	const char *why;
	char *text = NULL;
	ssize_t n = 0;
	int fd;

	if (path_open(rootfd, p->manifest, &fd, &st, &why) != 0)
		return NULL; /* no manifest: only headers identify images */
	if (st.st_size > (off_t)MANIFEST_MAX_BYTES) {
		log_msg(LOG_WARNING, "manifest %s: larger than %u bytes, ignored", p->manifest,
			MANIFEST_MAX_BYTES);
		close(fd);
		return NULL;
	}
	text = malloc((size_t)st.st_size + 1);
	m = malloc(sizeof(*m));
	if (text != NULL && m != NULL)
		n = pread(fd, text, (size_t)st.st_size, 0);
	close(fd);
	if (text == NULL || m == NULL || n != st.st_size ||
	    fw_manifest_parse(text, (size_t)n, m, &e) != 0) {
		/* A half-understood manifest is not trusted at all. */
		if (e.msg != NULL)
			log_msg(LOG_WARNING, "manifest %s:%u: %s; manifest ignored", p->manifest,
				e.line, e.msg);
		free(text);
		free(m);
		return NULL;
	}
	free(text);
	return m;
}

static unsigned majors_of(const struct fw_scan *sc, const char *model, uint32_t *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sc->n; i++) {
		const struct fw_image *im = &sc->img[i];
		uint32_t m;
		unsigned k;

		if (im->check != FW_OK || strcasecmp(im->id.model, model) != 0)
			continue;
		m = fw_version_major(&im->id.version);
		for (k = 0; k < n && out[k] != m; k++)
			;
		if (k < n || n == FWP_MAX_MAJORS)
			continue;
		/* insertion keeps them ascending */
		for (k = n; k > 0 && out[k - 1] > m; k--)
			out[k] = out[k - 1];
		out[k] = m;
		n++;
	}
	return n;
}

/* Images the verified-image cache already knows to be bad (unchanged since
 * they failed) do not count, so they cannot make their major "present". */
static void premark_known_bad(struct fw_scan *sc, const struct fwstate *state)
{
	if (state->index_fd < 0)
		return;
	for (unsigned i = 0; i < sc->n; i++) {
		struct fw_image *im = &sc->img[i];
		struct fws_verified v;
		struct stat st;

		if (im->check != FW_OK)
			continue;
		memset(&st, 0, sizeof(st));
		st.st_dev = (dev_t)im->key.dev;
		st.st_ino = (ino_t)im->key.ino;
		st.st_size = (off_t)im->key.size;
		st.st_mtim.tv_sec = (time_t)im->key.mtime_sec;
		st.st_mtim.tv_nsec = im->key.mtime_nsec;
		st.st_ctim.tv_sec = (time_t)im->key.ctime_sec;
		st.st_ctim.tv_nsec = im->key.ctime_nsec;
		if (fws_index_get(state, &st, &v) == 1 && v.source == (uint8_t)im->id.source &&
		    v.check != FW_OK)
			im->check = (enum fw_check)v.check;
	}
}

static int64_t wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int remap_open(const struct fwpolicy *p, const struct fwstate *state,
	       int rootfd, const char *model, const struct endpoint *peer,
	       const uint8_t *mac, int *fd, struct stat *st,
	       struct remap_result *res, char *msg, size_t msgsz, char *why,
	       size_t whysz)
{
	struct fwscan_opts opts = { NULL, p->filename_fallback };
	struct fw_scan *sc = malloc(sizeof(*sc));
	struct fw_manifest *mf = NULL;
	struct fwp_last last = { 0 };
	struct fws_key key;
	uint32_t majors[FWP_MAX_MAJORS];
	unsigned nmaj;
	int dirfd = -1, code = TE_NOTFOUND;

	memset(res, 0, sizeof(*res));
	snprintf(res->model, sizeof(res->model), "%s", model);
	snprintf(msg, msgsz, "no valid image for snom%s", model);
	if (sc == NULL) {
		snprintf(why, whysz, "out of memory");
		return TE_NOTFOUND;
	}
	dirfd = path_open_dir(rootfd, p->dir);
	if (dirfd < 0) {
		snprintf(why, whysz, "firmware directory %s: %s", p->dir, strerror(errno));
		goto out;
	}
	mf = load_manifest(p, rootfd);
	opts.manifest = mf;
	if (fwscan_dir(dirfd, &opts, sc) != 0) {
		snprintf(why, whysz, "firmware directory %s: %s", p->dir, strerror(errno));
		goto out;
	}
	if (sc->dropped)
		log_msg(LOG_WARNING, "firmware directory %s: %u files beyond the first %u ignored",
			p->dir, sc->dropped, FWSCAN_MAX);
	premark_known_bad(sc, state);
	fws_key_make(&key, (const struct sockaddr *)&peer->ss, peer->len, mac);
	if (p->rotate_s > 0 && state->clients_fd >= 0) {
		struct fws_client rec;

		if (fws_client_get(state, &key, &rec) == 1) {
			last.valid = 1;
			snprintf(last.model, sizeof(last.model), "%s", rec.model);
			last.major = rec.major;
			last.t_done = rec.t_done;
		}
	}
decide:
	/* Only majors with an image not yet found bad count as present. */
	nmaj = majors_of(sc, model, majors);
	if (nmaj == 0) {
		snprintf(why, whysz, "no identified, intact image of model %s in %s", model, p->dir);
		goto out;
	}
	res->major = fwp_target_major(p, model, (const struct sockaddr *)&peer->ss, peer->len,
				      mac, &last, wall_now(), majors, nmaj, &res->how,
				      &res->rule_line);
	snprintf(msg, msgsz, "no valid image for snom%s major %u", model, res->major);

	for (;;) {
		/* Releases first; a pre-release only when the major has none. */
		int idx = fwscan_best(sc, model, res->major, 0);
		struct fw_image *im;
		struct fw_filekey k;
		struct fws_verified v;
		const char *perr;
		int r;

		if (idx < 0)
			idx = fwscan_best(sc, model, res->major, 1);
		if (idx < 0) {
			/* Every image of an automatically chosen major failed its
			 * check: choose again among the majors still intact. A
			 * major the operator pinned (rule, default) stays. */
			if (strcmp(res->how, "newest") == 0 || strcmp(res->how, "rotation") == 0)
				goto decide;
			snprintf(why, whysz, "no intact image of model %s with major %u (%s)", model,
				 res->major, res->how);
			goto out;
		}
		im = &sc->img[idx];
		snprintf(res->path, sizeof(res->path), "%s/%s", p->dir, im->name);
		r = path_open(rootfd, res->path, fd, st, &perr);
		if (r != 0) {
			log_msg(LOG_WARNING, "image %s: %s", res->path, perr);
			im->check = FW_E_IO;
			continue;
		}
		fwscan_key(st, &k);
		if (!fwscan_key_eq(&k, &im->key)) {
			log_msg(LOG_WARNING, "image %s changed while it was being chosen", res->path);
			im->check = FW_E_CHANGED;
			close(*fd);
			continue;
		}
		if (state->index_fd >= 0 && fws_index_get(state, st, &v) == 1 &&
		    v.source == (uint8_t)im->id.source) {
			if (v.check == FW_OK) {
				res->check = "cached";
			} else {
				log_msg(LOG_WARNING, "image %s: %s (known since it last changed), skipped",
					res->path, fw_check_str((enum fw_check)v.check));
				im->check = (enum fw_check)v.check;
				close(*fd);
				continue;
			}
		} else {
			enum fw_check c = fwscan_verify_fd(*fd, im);

			v.check = (uint8_t)c;
			v.source = (uint8_t)im->id.source;
			if (state->index_fd >= 0)
				(void)fws_index_put(state, st, &v);
			if (c != FW_OK) {
				log_msg(LOG_WARNING, "image %s: %s, never served", res->path, fw_check_str(c));
				close(*fd);
				continue;
			}
			res->check = "verified";
		}
		if (im->id.source == FW_SRC_FILENAME)
			res->check = "unverified";
		res->source = fw_source_str(im->id.source);
		snprintf(res->version, sizeof(res->version), "%s", im->id.version.text);
		code = 0;
		break;
	}
out:
	if (dirfd >= 0)
		close(dirfd);
	free(mf);
	free(sc);
	return code;
}

void remap_done(const struct fwpolicy *p, const struct fwstate *state,
		const struct endpoint *peer, const uint8_t *mac,
		const struct remap_result *res)
{
	struct fws_key key;
	struct fws_client rec;

	if (p->rotate_s == 0 || state->clients_fd < 0)
		return;
	fws_key_make(&key, (const struct sockaddr *)&peer->ss, peer->len, mac);
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.model, sizeof(rec.model), "%s", res->model);
	rec.major = res->major;
	rec.t_done = wall_now();
	if (fws_client_put(state, &key, &rec) != 0)
		log_msg(LOG_WARNING, "state: could not record the transfer for rotation");
}
