/* log.c - syslog (RFC 3164 over the local datagram socket) or stderr.
 * The syslog socket is connected once, before any sandbox, and then only
 * written to: no reconnects (which seccomp would forbid) and no allocation.
 * Holds the only file-scope state of the program, set once at start. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static struct {
	const char *ident;
	int to_stderr;
	int fd;
	int pid;
} lg = { "fwtftpd", 1, -1, 0 };

void log_open(const char *ident, int to_stderr, const char *sockpath)
{
	struct sockaddr_un sun;

	lg.ident = ident;
	lg.to_stderr = to_stderr;
	lg.pid = (int)getpid();
	tzset(); /* read the zone now: later the sandbox forbids opening files */
	if (to_stderr || lg.fd >= 0)
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
		 sockpath ? sockpath : "/dev/log");
	lg.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lg.fd < 0)
		return;
	if (connect(lg.fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(lg.fd);
		lg.fd = -1;
	}
}

void log_reset_pid(void)
{
	lg.pid = (int)getpid();
}

int log_fd(void)
{
	return lg.to_stderr ? 2 : lg.fd;
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[2048];
	int n, h;
	va_list ap;

	if (lg.to_stderr) {
		h = snprintf(line, sizeof(line), "%s[%d]: ", lg.ident, lg.pid);
	} else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		if (lg.fd < 0)
			return;
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		h = snprintf(line, sizeof(line), "<%d>%s %s[%d]: ",
			     LOG_DAEMON | (prio & LOG_PRIMASK), stamp, lg.ident, lg.pid);
	}
	if (h < 0 || (size_t)h >= sizeof(line))
		return;
	va_start(ap, fmt);
	n = vsnprintf(line + h, sizeof(line) - (size_t)h, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += h;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	if (lg.to_stderr) {
		line[n++] = '\n';
		if (write(2, line, (size_t)n) < 0)
			return;
	} else {
		/* Non-blocking: a stuck syslog daemon must not stall a transfer. */
		if (send(lg.fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			return;
	}
}

size_t log_escape(const void *in, size_t inlen, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = in;
	size_t o = 0, total = 0;

	if (outsz == 0)
		return 0;
	for (size_t i = 0; i < inlen; i++)
		total += (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && p[i] != '"') ? 1 : 4;
	for (size_t i = 0; i < inlen; i++) {
		unsigned char c = p[i];
		size_t need = (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') ? 1 : 4;

		/* Cut only what does not fit, and then leave room for "...". */
		if (total >= outsz && o + need + 4 > outsz) {
			if (o + 4 <= outsz) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 1) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}
