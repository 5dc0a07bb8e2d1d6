/* launch.c - process structure: inetd's single request and the standalone
 * listener with its bounded set of children. The parent never parses a
 * request; it only receives it and hands it to a fresh child. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch.h"
#include "log.h"
#include "neigh.h"
#include "privdrop.h"
#include "sandbox.h"
#include "session.h"
#include "tftp.h"

/* Room for the largest datagram, so a longer one shows up as truncated. */
#define REQBUF (TFTP_REQ_MAX + 1)

/* Descriptors a child may hold after the drop: stdio, root, log, socket,
 * the served file, and a few opened before the drop by later stages. */
#define CHILD_NOFILE 16

static int enter_transfer(struct session *s, int filefd)
{
	struct sbx_fds fds = { s->sock, log_fd(), filefd, s->state.index_fd, s->state.clients_fd };

	return sandbox_enter(SBX_TRANSFER, &fds);
}

int launch_child(const struct fw_config *cfg, int rootfd, const uint8_t *req,
		 size_t reqlen, const struct endpoint *peer,
		 const struct endpoint *local)
{
	struct session s;
	struct stat fst;
	int sock, rc;

	/* With --foreground, stderr may be a file: the log must still fit. */
	struct privdrop pd = { cfg->uid, cfg->gid, cfg->root, CHILD_NOFILE,
			       cfg->foreground ? RLIM_INFINITY : 0 };
	struct sbx_fds fds = { -1, log_fd(), -1, -1, -1 };

	log_reset_pid();
	sock = net_xfer_socket(local, peer);
	if (sock < 0) {
		log_msg(LOG_ERR, "transfer socket (with its packet filter): %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	/* Firmware remap: the client's MAC (/proc is outside the chroot) and
	 * the state files, opened now because afterwards nothing may be. */
	memset(&s, 0, sizeof(s));
	s.state.index_fd = s.state.clients_fd = -1;
	/* Only where there is firmware to serve: a plain server never creates
	 * or opens the state directory. */
	if (cfg->fw.enabled && fstatat(rootfd, cfg->fw.dir, &fst, 0) == 0 && S_ISDIR(fst.st_mode)) {
		char err[200];

		if (fws_open(cfg->fw.state_dir, &s.state, err, sizeof(err)) != 0)
			log_msg(LOG_WARNING, "%s: images are verified on every request and "
				"rotate-on-retry is off", err);
		else
			pd.fsize = cfg->foreground ? RLIM_INFINITY : fws_max_file_size();
		if (cfg->fw.need_mac)
			s.have_mac = neigh_lookup((const struct sockaddr *)&peer->ss, peer->len, s.mac) == 0;
	}
	/* Everything this process will ever need is open: now give up root,
	 * then filter, and only then parse the request. */
	fds.sock = sock;
	fds.index = s.state.index_fd;
	fds.clients = s.state.clients_fd;
	if (privdrop_apply(&pd, &rootfd) != 0 || sandbox_landlock(rootfd) < 0 ||
	    sandbox_enter(SBX_REQUEST, &fds) != 0)
		return EXIT_SANDBOX;
	SANDBOX_TEST_HOOK("request");
	s.enter_transfer = enter_transfer;
	s.cfg = cfg;
	s.sock = sock;
	s.rootfd = rootfd;
	s.peer = *peer;
	s.local = *local;
	s.req = req;
	s.reqlen = reqlen;
	rc = session_serve(&s);
	close(sock);
	return rc;
}

/* stdin/stdout (and stderr unless we log there) become /dev/null: under
 * inetd they are the listening socket, which the child must not hold. */
static void detach_stdio(int keep_stderr)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	if (!keep_stderr)
		dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

int launch_inetd(const struct fw_config *cfg, int rootfd)
{
	static uint8_t req[REQBUF];
	struct endpoint peer, local;
	ssize_t n;
	pid_t pid;

	if (net_enable_pktinfo(0) != 0)
		log_msg(LOG_WARNING, "fd 0: no local address info (%s); replying from the socket's address",
			strerror(errno));
	n = net_recv_request(0, req, sizeof(req), &peer, &local);
	if (n < 0) {
		log_msg(LOG_ERR, "fd 0 is not a UDP socket with a request: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	if (pid > 0)
		return EXIT_DONE;
	detach_stdio(cfg->foreground);
	return launch_child(cfg, rootfd, req, (size_t)n, &peer, &local);
}

struct children {
	pid_t *pid;
	unsigned n, max;
};

static void reap(struct children *c)
{
	pid_t p;
	int st;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		/* A child killed by SIGSYS met the sandbox: say so. */
		if (WIFSIGNALED(st))
			log_msg(LOG_ERR, "transfer process %d killed by signal %d%s", (int)p,
				WTERMSIG(st), WTERMSIG(st) == SIGSYS ? " (SIGSYS: denied system call)" : "");
		for (unsigned i = 0; i < c->n; i++) {
			if (c->pid[i] == p) {
				c->pid[i] = c->pid[--c->n];
				break;
			}
		}
	}
}

/* SIGTERM to every child, then wait for them (bounded: 3 s, then SIGKILL). */
static void stop_children(struct children *c)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (unsigned i = 0; i < c->n; i++)
		kill(c->pid[i], SIGTERM);
	for (int t = 0; c->n > 0 && t < 300; t++) {
		reap(c);
		if (c->n > 0)
			nanosleep(&ts, NULL);
	}
	for (unsigned i = 0; i < c->n; i++)
		kill(c->pid[i], SIGKILL);
	while (c->n > 0 && waitpid(-1, NULL, 0) > 0)
		reap(c);
}

int launch_listener(const struct fw_config *cfg, int rootfd)
{
	static uint8_t req[REQBUF];
	struct endpoint ep, peer, local;
	struct children ch = { NULL, 0, cfg->max_children };
	sigset_t mask, old;
	int lsock, sfd;

	if (net_parse_addrport(cfg->listen, &ep) != 0) {
		log_msg(LOG_ERR, "--listen %s: expected ADDR:PORT, [V6ADDR]:PORT or PORT", cfg->listen);
		return EXIT_USAGE;
	}
	lsock = net_listen(&ep);
	if (lsock < 0) {
		log_msg(LOG_ERR, "--listen %s: %s", cfg->listen, strerror(errno));
		return EXIT_SYSTEM;
	}
	ch.pid = calloc(ch.max, sizeof(*ch.pid));
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (ch.pid == NULL || sigprocmask(SIG_BLOCK, &mask, &old) != 0 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		log_msg(LOG_ERR, "listener set-up: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	if (privdrop_listener() != 0 || sandbox_enter(SBX_LISTENER, NULL) != 0)
		return EXIT_SANDBOX;
	log_msg(LOG_INFO, "listening on %s, root %s, at most %u transfers",
		cfg->listen, cfg->root, ch.max);

	for (;;) {
		struct pollfd pfd[2] = { { sfd, POLLIN, 0 }, { lsock, POLLIN, 0 } };
		/* At the cap, requests wait in the socket buffer. */
		nfds_t nf = ch.n < ch.max ? 2 : 1;

		if (poll(pfd, nf, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			int stop = 0;

			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
					stop = 1;
			reap(&ch);
			if (stop)
				break;
		}
		if (nf == 2 && (pfd[1].revents & POLLIN)) {
			ssize_t n = net_recv_request(lsock, req, sizeof(req), &peer, &local);
			pid_t pid;

			if (n < 0)
				continue;
			pid = fork();
			if (pid < 0) {
				log_msg(LOG_ERR, "fork: %s", strerror(errno));
				continue;
			}
			if (pid == 0) {
				close(lsock);
				close(sfd);
				sigprocmask(SIG_SETMASK, &old, NULL);
				_exit(launch_child(cfg, rootfd, req, (size_t)n, &peer, &local));
			}
			ch.pid[ch.n++] = pid;
		}
	}
	close(lsock);
	stop_children(&ch);
	free(ch.pid);
	log_msg(LOG_INFO, "stopped");
	return EXIT_DONE;
}
