/* log.h - two channels: syslog (LOG_DAEMON) through a datagram socket
 * connected once, before any sandbox, or stderr with --foreground. */
#ifndef FWTFTPD_LOG_H
#define FWTFTPD_LOG_H

#include <stddef.h>
#include <syslog.h>

/* Connect the log channel. to_stderr: write to fd 2 instead of syslog.
 * sockpath: syslog socket, NULL for /dev/log. Never fails: without a
 * syslog socket, messages are dropped (as syslog(3) does). */
void log_open(const char *ident, int to_stderr, const char *sockpath);

/* Re-read the pid after fork, for the "ident[pid]" tag. */
void log_reset_pid(void);

/* The fd in use (-1 if none), so later stages keep it open. */
int log_fd(void);

void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Escape bytes for a log line: printable ASCII except '\\' and '"' is kept,
 * everything else becomes \xHH. Always NUL-terminates; truncates with "...".
 * Returns the length written. Pure. */
size_t log_escape(const void *in, size_t inlen, char *out, size_t outsz);

#endif
