/* fdzero.c - a minimal inetd "wait"-mode emulator for the integration tests.
 *
 *   fdzero [-6] -a ADDR -p PORT -n MAXREQ -T SECONDS [-P PIDFILE]
 *          [-o PORTFILE] [-e ERRLOG] -- /path/prog args...
 *
 * Binds one UDP socket, waits until it is readable, forks, and in the child
 * puts the socket on fd 0 (fd 1 -> /dev/null, fd 2 -> ERRLOG or /dev/null)
 * and execs prog. The parent waits for that child to exit before it polls the
 * socket again, which is what inetd does for "wait = yes" dgram services: the
 * server reads the request itself, forks the transfer and its parent exits.
 *
 * Everything is bounded: at most MAXREQ launches and SECONDS of lifetime; a
 * child still running at the end of the lifetime is killed. SIGTERM/SIGINT
 * end it cleanly (exit 0) after terminating a running child.
 * -p 0 binds an ephemeral port; -o writes the bound port number to a file.
 * The pid file is written only after the socket is bound, so its presence
 * means the port is ready. One line per launch goes to stderr.
 *
 * Test tool only: it must never be installed or used to serve real clients.
 * Exit codes: 0 normal end, 100 usage, 111 system error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct opts {
	int v6;
	const char *addr;
	long port;
	long maxreq;
	long lifetime_s;
	const char *pidfile;
	const char *portfile;
	const char *errlog;
	char **argv; /* program and its arguments */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: fdzero [-6] -a ADDR -p PORT -n MAXREQ -T SECONDS "
		"[-P PIDFILE] [-o PORTFILE] [-e ERRLOG] -- prog args...\n");
}

/* Decimal in [min, max]; -1 on anything else. */
static int parse_num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->port = -1;
	o->maxreq = -1;
	o->lifetime_s = -1;
	while ((c = getopt(argc, argv, "+6a:p:n:T:P:o:e:")) != -1) {
		switch (c) {
		case '6':
			o->v6 = 1;
			break;
		case 'a':
			o->addr = optarg;
			break;
		case 'p':
			if (parse_num(optarg, 0, 65535, &o->port) != 0)
				return -1;
			break;
		case 'n':
			if (parse_num(optarg, 1, 1000000, &o->maxreq) != 0)
				return -1;
			break;
		case 'T':
			if (parse_num(optarg, 1, 86400, &o->lifetime_s) != 0)
				return -1;
			break;
		case 'P':
			o->pidfile = optarg;
			break;
		case 'o':
			o->portfile = optarg;
			break;
		case 'e':
			o->errlog = optarg;
			break;
		default:
			return -1;
		}
	}
	if (o->addr == NULL || o->port < 0 || o->maxreq < 0 ||
	    o->lifetime_s < 0 || optind >= argc)
		return -1;
	o->argv = argv + optind;
	return 0;
}

static int bind_socket(const struct opts *o, long *bound_port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (o->v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET6, o->addr, &s6->sin6_addr) != 1) {
			fprintf(stderr, "fdzero: bad IPv6 address %s\n", o->addr);
			return -1;
		}
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET, o->addr, &s4->sin_addr) != 1) {
			fprintf(stderr, "fdzero: bad IPv4 address %s\n", o->addr);
			return -1;
		}
		len = sizeof(*s4);
	}
	/* No SOCK_CLOEXEC: the socket must survive exec as fd 0. */
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("fdzero: socket");
		return -1;
	}
	/* Like inetd, which sets v6only when a v6 service is configured, so a
	 * v6 test never silently passes over v4. */
	if (o->v6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) {
		perror("fdzero: IPV6_V6ONLY");
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
		perror("fdzero: bind");
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		perror("fdzero: getsockname");
		close(fd);
		return -1;
	}
	*bound_port = ntohs(ss.ss_family == AF_INET6
				    ? ((struct sockaddr_in6 *)&ss)->sin6_port
				    : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Write "value\n" to path through a temporary file and rename, so a reader
 * polling for the file never sees it half written. */
static int write_file_atomic(const char *path, long value)
{
	char tmp[PATH_MAX];
	FILE *f;
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "%ld\n", value);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ms_left(long long deadline)
{
	long long left = deadline - now_ms();

	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* Child side: never returns. */
static void launch(int sock, int sigfd, const sigset_t *oldmask,
		   const struct opts *o)
{
	int devnull, errfd;

	/* The signal mask survives exec: give the server a normal one. */
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	close(sigfd);
	devnull = open("/dev/null", O_RDWR);
	if (devnull < 0)
		_exit(127);
	errfd = devnull;
	if (o->errlog != NULL) {
		errfd = open(o->errlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (errfd < 0)
			_exit(127);
	}
	if (dup2(sock, 0) < 0 || dup2(devnull, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	if (sock > 2)
		close(sock);
	if (devnull > 2)
		close(devnull);
	if (errfd > 2 && errfd != devnull)
		close(errfd);
	execv(o->argv[0], o->argv);
	dprintf(2, "fdzero: exec %s: %s\n", o->argv[0], strerror(errno));
	_exit(127);
}

/* Reads one pending signal. Returns its number, 0 if none, -1 on error. */
static int read_signal(int sigfd)
{
	struct signalfd_siginfo si;
	ssize_t n = read(sigfd, &si, sizeof(si));

	if (n == (ssize_t)sizeof(si))
		return (int)si.ssi_signo;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;
}

static void report(long nr, pid_t pid, int status)
{
	if (WIFEXITED(status))
		fprintf(stderr, "fdzero: launch %ld pid %ld exit=%d\n", nr,
			(long)pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "fdzero: launch %ld pid %ld signal=%d\n", nr,
			(long)pid, WTERMSIG(status));
}

/* Waits for the launched child until the deadline. Returns 1 if a SIGTERM or
 * SIGINT asked us to stop, 0 otherwise; the child is reaped either way. */
static int wait_child(pid_t pid, long nr, int sigfd, long long deadline)
{
	int status, stop = 0;

	for (;;) {
		struct pollfd p = { .fd = sigfd, .events = POLLIN };
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid) {
			report(nr, pid, status);
			return stop;
		}
		if (r < 0 && errno != EINTR) {
			perror("fdzero: waitpid");
			return 1;
		}
		if (stop || ms_left(deadline) == 0) {
			/* Out of time or told to stop: the child goes too. */
			fprintf(stderr, "fdzero: launch %ld pid %ld still "
					"running, killing it\n",
				nr, (long)pid);
			kill(pid, stop ? SIGTERM : SIGKILL);
			/* SIGTERM gets 2 s, then SIGKILL; bounded either way. */
			for (int i = 0; i < 20; i++) {
				if (waitpid(pid, &status, WNOHANG) == pid) {
					report(nr, pid, status);
					return 1;
				}
				poll(NULL, 0, 100);
			}
			kill(pid, SIGKILL);
			if (waitpid(pid, &status, 0) == pid)
				report(nr, pid, status);
			return 1;
		}
		if (poll(&p, 1, ms_left(deadline)) > 0) {
			int sig = read_signal(sigfd);

			if (sig == SIGTERM || sig == SIGINT)
				stop = 1;
			else if (sig < 0)
				return 1;
		}
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	sigset_t mask, oldmask;
	long port = 0, launched = 0;
	long long deadline;
	int sock, sigfd;

	if (parse_opts(argc, argv, &o) != 0) {
		usage();
		return 100;
	}
	deadline = now_ms() + o.lifetime_s * 1000;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, &oldmask) != 0) {
		perror("fdzero: sigprocmask");
		return 111;
	}
	sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigfd < 0) {
		perror("fdzero: signalfd");
		return 111;
	}
	sock = bind_socket(&o, &port);
	if (sock < 0)
		return 111;
	if (o.portfile != NULL && write_file_atomic(o.portfile, port) != 0) {
		perror("fdzero: port file");
		return 111;
	}
	if (o.pidfile != NULL &&
	    write_file_atomic(o.pidfile, (long)getpid()) != 0) {
		perror("fdzero: pid file");
		return 111;
	}
	fprintf(stderr, "fdzero: pid %ld listening on %s port %ld\n",
		(long)getpid(), o.addr, port);

	while (launched < o.maxreq) {
		struct pollfd p[2] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		int left = ms_left(deadline), n, sig;
		pid_t pid;

		if (left == 0) {
			fprintf(stderr, "fdzero: lifetime over\n");
			break;
		}
		n = poll(p, 2, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("fdzero: poll");
			return 111;
		}
		if (p[1].revents & POLLIN) {
			sig = read_signal(sigfd);
			if (sig == SIGTERM || sig == SIGINT) {
				fprintf(stderr, "fdzero: signal %d, exiting\n",
					sig);
				break;
			}
			continue; /* a stray SIGCHLD */
		}
		if (!(p[0].revents & POLLIN))
			continue;
		launched++;
		pid = fork();
		if (pid < 0) {
			perror("fdzero: fork");
			return 111;
		}
		if (pid == 0)
			launch(sock, sigfd, &oldmask, &o);
		if (wait_child(pid, launched, sigfd, deadline) != 0)
			break;
	}
	fprintf(stderr, "fdzero: done after %ld launches\n", launched);
	close(sock);
	if (o.pidfile != NULL)
		unlink(o.pidfile);
	return 0;
}
