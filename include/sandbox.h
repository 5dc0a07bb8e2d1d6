/* sandbox.h - seccomp (libseccomp) stages and Landlock. */
#ifndef FWTFTPD_SANDBOX_H
#define FWTFTPD_SANDBOX_H

enum sbx_stage {
	SBX_LISTENER, /* standalone parent: receive, fork, reap (+ child set-up) */
	SBX_REQUEST,  /* child after the drop: parse, decide, open one file */
	SBX_TRANSFER, /* stacked once the file is open: the send core only */
};

/* The descriptors the argument checks admit. -1 where unused. */
struct sbx_fds {
	int sock;   /* transfer socket */
	int log;    /* syslog socket or 2 */
	int file;   /* served file (transfer stage) */
	int index;  /* verified-image cache (fwstate), -1 if none */
	int clients;/* per-client records (fwstate), -1 if none */
};

/* Debug switch (--sandbox-debug): a denied call is logged and fails with
 * ENOSYS instead of killing the process. Never the default. */
void sandbox_set_debug(int on);

/* Load the filter for stage with fds in its argument checks. Filters stack:
 * a later stage can only remove calls. Returns 0, or -1 after logging. */
int sandbox_enter(enum sbx_stage stage, const struct sbx_fds *fds);

/* Landlock (ABI >= 1): from now on only reading beneath rootfd is allowed.
 * Returns 1 when enforced, 0 when the kernel lacks Landlock (one log line),
 * -1 on failure (after logging). */
int sandbox_landlock(int rootfd);

/* Text of the stage's table, for --sandbox-table and docs. */
void sandbox_print_tables(void);

/* Test-only builds (-DFWTFTPD_TEST_HOOKS, never the installed binary): when
 * FWTFTPD_FORBIDDEN_AT names this stage, make a call the stage forbids. */
#ifdef FWTFTPD_TEST_HOOKS
void sandbox_test_hook(const char *stage);
#define SANDBOX_TEST_HOOK(stage) sandbox_test_hook(stage)
#else
#define SANDBOX_TEST_HOOK(stage) ((void)0)
#endif

#endif
