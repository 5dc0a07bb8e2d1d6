/* session.c - one request, start to end: parse fully, decide, only then
 * open the file, negotiate, run the send core and write the one completion
 * line. Every refusal sends a fixed short ERROR; the detail is logged. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "log.h"
#include "netascii.h"
#include "options.h"
#include "packet.h"
#include "path.h"
#include "remap.h"
#include "sandbox.h"
#include "session.h"
#include "sockio.h"
#include "tftp.h"
#include "xfer.h"

/* Memory of a window: blksize * windowsize is held for retransmission. */
#define SESSION_MAX_SPAN (16u * 1024 * 1024)

struct outcome {
	char client[64];
	char file[4 * 96 + 8];
	const char *path;
	const char *mode;
	unsigned blksize, window;
	int tsize_set;
	uint64_t tsize;
	const struct xfer *x;
	uint64_t t0;
	const struct remap_result *fw; /* set when a remap chose the image */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void log_done(const struct outcome *o, const char *result, int code,
		     const char *why)
{
	char path[4 * 96 + 8], tsize[24], extra[160] = "", fw[200] = "", rule[24] = "";
	const struct xfer *x = o->x;

	log_escape(o->path ? o->path : "-", o->path ? strlen(o->path) : 1, path, sizeof(path));
	if (o->tsize_set)
		snprintf(tsize, sizeof(tsize), "%llu", (unsigned long long)o->tsize);
	else
		snprintf(tsize, sizeof(tsize), "-");
	if (code >= 0)
		snprintf(extra, sizeof(extra), " code=%d error=\"%s\"", code, why ? why : "");
	else if (x != NULL && x->result == XFER_PEER_ERROR)
		snprintf(extra, sizeof(extra), " code=%u", x->peer_code);
	if (o->fw != NULL)
		snprintf(rule, sizeof(rule), ":line%u", o->fw->rule_line);
	if (o->fw != NULL && o->fw->how == NULL)
		snprintf(fw, sizeof(fw), " remap=snom%s", o->fw->model);
	else if (o->fw != NULL && o->fw->source == NULL)
		snprintf(fw, sizeof(fw), " remap=snom%s major=%u by=%s", o->fw->model,
			 o->fw->major, o->fw->how);
	else if (o->fw != NULL)
		snprintf(fw, sizeof(fw), " remap=snom%s version=%s major=%u by=%s%s id=%s check=%s",
			 o->fw->model, o->fw->version, o->fw->major, o->fw->how,
			 o->fw->rule_line ? rule : "", o->fw->source, o->fw->check);
	log_msg(code >= 0 ? LOG_NOTICE : LOG_INFO,
		"client=%s file=\"%s\" path=\"%s\" mode=%s blksize=%u window=%u "
		"tsize=%s bytes=%llu blocks=%llu retrans=%llu ms=%llu result=%s%s%s",
		o->client, o->file, path, o->mode ? o->mode : "-", o->blksize,
		o->window, tsize,
		(unsigned long long)(x ? x->bytes : 0),
		(unsigned long long)(x ? x->blocks : 0),
		(unsigned long long)(x ? x->retrans : 0),
		(unsigned long long)(now_ms() - o->t0), result, extra, fw);
}

/* ERROR to the client with msg (a fixed text unless a caller names what is
 * missing), detail to the log. */
static int refuse_msg(struct session *s, struct outcome *o, int code, const char *msg,
		      const char *why)
{
	uint8_t buf[128];
	size_t n = pkt_build_error(buf, sizeof(buf), (uint16_t)code, msg);

	if (send(s->sock, buf, n, 0) < 0)
		log_msg(LOG_INFO, "could not send ERROR to %s", o->client);
	log_done(o, "refused", code, why);
	return EXIT_XFER;
}

static int refuse(struct session *s, struct outcome *o, int code, const char *why)
{
	return refuse_msg(s, o, code, pkt_error_text((uint16_t)code), why);
}

/* Netascii tsize is the exact translated size: the file is read once. */
static int netascii_size(int fd, uint64_t *out)
{
	uint8_t buf[65536];
	uint64_t off = 0, n = 0;
	ssize_t r;

	while ((r = pread(fd, buf, sizeof(buf), (off_t)off)) > 0) {
		n += nva_size(buf, (size_t)r);
		off += (uint64_t)r;
	}
	if (r < 0)
		return -1;
	*out = n;
	return 0;
}

int session_serve(struct session *s)
{
	char path[TFTP_NAME_MAX + 1];
	uint8_t oack[256];
	struct outcome o;
	struct tftp_pkt pkt;
	struct tftp_opts opts;
	struct xfer x;
	struct xfer_io io;
	struct sockio sio;
	struct stat st;
	enum pkt_status ps;
	const char *why = NULL;
	size_t oack_len = 0;
	char rulebuf[96], whybuf[200], fwmsg[80];
	struct remap_result fw;
	const char *model;
	int code = 0, fd = -1, netascii, rule;

	memset(&o, 0, sizeof(o));
	o.t0 = now_ms();
	o.blksize = TFTP_SEGSIZE;
	o.window = 1;
	net_format(&s->peer, o.client, sizeof(o.client));
	strcpy(o.file, "-");

	if (s->reqlen > TFTP_REQ_MAX)
		return refuse(s, &o, TE_BADOP, "request datagram too long");
	ps = pkt_parse(s->req, s->reqlen, &pkt);
	/* An empty name is a bad name like "/" (ERROR 2), not a bad packet. */
	if (ps == PKT_EMPTYNAME)
		return refuse(s, &o, TE_ACCESS, "empty name");
	if (ps != PKT_OK)
		return refuse(s, &o, TE_BADOP, pkt_status_str(ps));
	if (pkt.opcode != OP_RRQ && pkt.opcode != OP_WRQ)
		return refuse(s, &o, TE_BADOP, "not a request");
	log_escape(pkt.u.rq.filename, pkt.u.rq.filename_len, o.file, sizeof(o.file));
	if (s->cfg->verbose)
		log_msg(LOG_INFO, "request from %s for \"%s\"", o.client, o.file);
	if (pkt.opcode == OP_WRQ)
		return refuse(s, &o, TE_ACCESS, "write request (this server only reads)");
	if (strcasecmp(pkt.u.rq.mode, "octet") == 0)
		o.mode = "octet";
	else if (strcasecmp(pkt.u.rq.mode, "netascii") == 0)
		o.mode = "netascii";
	else
		return refuse(s, &o, TE_BADOP, "unsupported mode");
	netascii = o.mode[0] == 'n';

	/* Policy before any lookup: a denied client learns nothing about
	 * whether the file exists. */
	if (acl_check(&s->cfg->acl, (const struct sockaddr *)&s->peer.ss, s->peer.len, &rule) != ACL_ALLOW) {
		acl_rule_format(&s->cfg->acl, rule, rulebuf, sizeof(rulebuf));
		snprintf(whybuf, sizeof(whybuf), "client denied by rule: %s", rulebuf);
		return refuse(s, &o, TE_ACCESS, whybuf);
	}
	if (acl_mode_check(&s->cfg->acl, o.mode) != ACL_ALLOW)
		return refuse(s, &o, TE_ACCESS, "mode disabled by the operator");
	code = path_clean(pkt.u.rq.filename, pkt.u.rq.filename_len, path, sizeof(path), &why);
	if (code != 0)
		return refuse(s, &o, code, why);
	o.path = path;
	if (acl_name_check(&s->cfg->acl, path, &rule) != ACL_ALLOW) {
		snprintf(whybuf, sizeof(whybuf), "name never served (%s)",
			 rule == ACL_NAME_DOTFILE ? "dotfile" : "deny-name pattern");
		return refuse(s, &o, TE_ACCESS, whybuf);
	}
	code = opts_negotiate(&pkt.u.rq, &s->cfg->lim, &opts, &why);
	if (code != 0)
		return refuse(s, &o, code, why);
	if ((size_t)opts.blksize * opts.windowsize > SESSION_MAX_SPAN)
		opts.windowsize = SESSION_MAX_SPAN / opts.blksize;
	o.blksize = opts.blksize;
	o.window = opts.windowsize;

	model = fwp_model_for(&s->cfg->fw, path);
	if (model != NULL && s->cfg->fw.exact_wins)
		code = path_open(s->rootfd, path, &fd, &st, &why);
	if (model != NULL && (!s->cfg->fw.exact_wins || code != 0)) {
		/* A phone in recovery: the right image, not a file of that name. */
		code = remap_open(&s->cfg->fw, &s->state, s->rootfd, model, &s->peer,
				  s->have_mac ? s->mac : NULL, &fd, &st, &fw, fwmsg,
				  sizeof(fwmsg), whybuf, sizeof(whybuf));
		o.fw = &fw;
		if (code != 0)
			return refuse_msg(s, &o, code, fwmsg, whybuf);
		o.path = fw.path;
	} else if (model == NULL) {
		code = path_open(s->rootfd, path, &fd, &st, &why);
	}
	if (code != 0)
		return refuse(s, &o, code, why);
	if (opts.accepted & OPT_TSIZE) {
		if (!netascii)
			opts.tsize = (uint64_t)st.st_size;
		else if (netascii_size(fd, &opts.tsize) != 0) {
			close(fd);
			return refuse(s, &o, TE_ACCESS, "read error");
		}
		o.tsize_set = 1;
		o.tsize = opts.tsize;
	}
	if (opts.accepted) {
		oack_len = opts_build_oack(&opts, oack, sizeof(oack));
		if (oack_len == 0) {
			close(fd);
			return refuse(s, &o, TE_UNDEF, "OACK does not fit");
		}
	}

	memset(&x, 0, sizeof(x));
	x.io = &io;
	x.blksize = opts.blksize;
	x.window = opts.windowsize;
	x.timeout_ms = 1000u * (opts.timeout_s ? opts.timeout_s : s->cfg->timeout_s);
	x.max_retries = s->cfg->retries;
	x.netascii = netascii;
	x.oack = oack_len ? oack : NULL;
	x.oack_len = oack_len;
	if (sockio_init(&sio, s->sock, fd, x.window, &io) != 0 || xfer_init(&x) != 0) {
		sockio_free(&sio);
		close(fd);
		return refuse(s, &o, TE_UNDEF, "out of memory");
	}
	if (s->enter_transfer != NULL && s->enter_transfer(s, fd) != 0) {
		xfer_free(&x);
		sockio_free(&sio);
		close(fd);
		refuse(s, &o, TE_UNDEF, "sandbox set-up failed");
		return EXIT_SANDBOX;
	}
	SANDBOX_TEST_HOOK("transfer");
	xfer_run(&x);
	o.x = &x;
	if (o.fw != NULL && x.result == XFER_OK)
		remap_done(&s->cfg->fw, &s->state, &s->peer, s->have_mac ? s->mac : NULL, &fw);
	log_done(&o, xfer_result_str(x.result), -1, NULL);
	xfer_free(&x);
	sockio_free(&sio);
	close(fd);
	return x.result == XFER_OK ? EXIT_DONE : EXIT_XFER;
}
