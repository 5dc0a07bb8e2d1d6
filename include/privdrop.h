/* privdrop.h - give up root for good, fail closed (OpenSSH's order). */
#ifndef FWTFTPD_PRIVDROP_H
#define FWTFTPD_PRIVDROP_H

#include <sys/types.h>

struct privdrop {
	uid_t uid;          /* target user (-u), resolved at start-up */
	gid_t gid;
	const char *root;   /* chroot here when started as root */
	unsigned nofile;    /* RLIMIT_NOFILE after the drop */
	unsigned long fsize;/* RLIMIT_FSIZE after the drop (0: no file writes) */
};

/* Resolve USER to ids (before any chroot). Returns 0 or -1. */
int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid);

/* Drop everything: when root, setgroups, chroot(root) + chdir("/"),
 * clear the bounding and ambient capability sets, setresgid, setresuid;
 * then (always) verify ids, that setuid(0) fails and that no capability is
 * left, set rlimits and PR_SET_NO_NEW_PRIVS. *rootfd is reopened as "/"
 * inside the chroot. Returns 0, or -1 after logging which step failed. */
int privdrop_apply(const struct privdrop *p, int *rootfd);

/* Standalone listener: keep only the capabilities a child needs before its
 * own drop (SETUID, SETGID, SYS_CHROOT, SETPCAP) and KILL (to stop its
 * children, which run as another user, on SIGTERM) in the effective,
 * permitted and bounding sets. No-op when not root. Returns 0 or -1. */
int privdrop_listener(void);

#endif
