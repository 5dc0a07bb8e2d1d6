/* privdrop.c - the privilege drop. Runs before any untrusted byte is
 * parsed; every step is checked, and a failure stops the process: it never
 * serves with privileges it meant to give up (tftpd-hpa's EPERM-as-success
 * is the anti-pattern). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"

int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

#define FAIL(step) do { log_msg(LOG_ERR, "privilege drop: %s: %s", step, strerror(errno)); return -1; } while (0)

static int caps_empty(void)
{
	cap_t now = cap_get_proc(), none = cap_init();
	int empty = now && none && cap_compare(now, none) == 0;

	cap_free(now);
	cap_free(none);
	return empty;
}

static int clear_caps(void)
{
	cap_t none = cap_init();
	int r = none ? cap_set_proc(none) : -1;

	cap_free(none);
	return r;
}

static int set_limit(int res, rlim_t v)
{
	struct rlimit rl = { v, v };

	return setrlimit(res, &rl);
}

int privdrop_apply(const struct privdrop *p, int *rootfd)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (geteuid() == 0) {
		if (setgroups(0, NULL) != 0)
			FAIL("setgroups");
		if (chroot(p->root) != 0 || chdir("/") != 0)
			FAIL("chroot");
		int nfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (nfd < 0)
			FAIL("open root");
		if (dup3(nfd, *rootfd, O_CLOEXEC) < 0)
			FAIL("dup root");
		close(nfd);
		/* Bounding and ambient sets need CAP_SETPCAP, so before setuid. */
		for (cap_value_t c = 0; c < cap_max_bits(); c++)
			if (cap_drop_bound(c) != 0)
				FAIL("clear bounding set");
		if (cap_reset_ambient() != 0)
			FAIL("clear ambient set");
		if (setresgid(p->gid, p->gid, p->gid) != 0)
			FAIL("setresgid");
		if (setresuid(p->uid, p->uid, p->uid) != 0)
			FAIL("setresuid");
	} else if (!caps_empty() && clear_caps() != 0) {
		/* Not root, but file capabilities gave us some: drop them. */
		FAIL("clear capabilities");
	}

	/* Verify, do not trust: every id, no way back to 0, nothing left. */
	if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0)
		FAIL("getresuid");
	if (r != e || e != s || rg != eg || eg != sg) {
		errno = EPERM;
		FAIL("ids differ after drop");
	}
	if (e != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		errno = EPERM;
		FAIL("setuid(0) still succeeds");
	}
	if (e == 0 && geteuid() == 0) {
		errno = EPERM;
		FAIL("still root (is -u root?)");
	}
	if (!caps_empty()) {
		errno = EPERM;
		FAIL("capabilities left");
	}
	if (set_limit(RLIMIT_NPROC, 0) != 0 || set_limit(RLIMIT_CORE, 0) != 0 ||
	    set_limit(RLIMIT_FSIZE, p->fsize) != 0 ||
	    set_limit(RLIMIT_NOFILE, p->nofile) != 0)
		FAIL("setrlimit");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		FAIL("no_new_privs");
	return 0;
}

int privdrop_listener(void)
{
	/* KILL: on SIGTERM the listener must stop its children, which by then
	 * run as another user. The rest: what a child needs before its drop. */
	static const cap_value_t keep[] = { CAP_SETUID, CAP_SETGID, CAP_SYS_CHROOT, CAP_SETPCAP,
					    CAP_KILL };
	const int nkeep = (int)(sizeof(keep) / sizeof(keep[0]));
	cap_t c;
	int r;

	if (geteuid() != 0)
		return 0;
	for (cap_value_t v = 0; v < cap_max_bits(); v++) {
		int kept = 0;

		for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
			kept |= keep[i] == v;
		if (!kept && cap_drop_bound(v) != 0)
			FAIL("listener bounding set");
	}
	c = cap_init();
	if (c == NULL)
		FAIL("cap_init");
	r = cap_set_flag(c, CAP_EFFECTIVE, nkeep, keep, CAP_SET) |
	    cap_set_flag(c, CAP_PERMITTED, nkeep, keep, CAP_SET) | cap_set_proc(c);
	cap_free(c);
	if (r != 0)
		FAIL("listener capabilities");
	return 0;
}
