/* sandbox.c - seccomp filters, one commented table per stage, and
 * Landlock. Default action: kill the process. Only the native
 * architecture is admitted (foreign ABIs such as x32 or i386 calls match no
 * rule and are killed). libseccomp builds the BPF, so nothing here is tied
 * to one architecture's numbers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

/* Which descriptor an argument check admits. */
enum fdsel { ANY, SOCK, LOG, FILEFD, INDEX, CLIENTS };

enum argchk {
	NONE,
	FD0,          /* arg0 is the selected descriptor */
	NO_EXEC,      /* mmap/mprotect: arg2 has no PROT_EXEC */
	RCVTIMEO,     /* setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO) only */
	RDONLY,       /* openat: read-only, never creating or truncating */
	DIRFLAGS,     /* fcntl(fd, F_GETFL) and fcntl(fd, F_SETFD) only */
	SETSOCK_INIT, /* setsockopt on a fresh socket: filter and lock only */
};

struct rule {
	int nr;
	enum argchk chk;
	enum fdsel fd;
	const char *who;
};

#define R(name, chk, fd, who) { SCMP_SYS(name), chk, fd, who }

/* Standalone parent. It also covers what each child does before its own
 * drop, since a child inherits this filter and can only add to it. */
static const struct rule listener_tab[] = {
	R(poll, NONE, ANY, "listener: wait for a request or a signal"),
	R(ppoll, NONE, ANY, "listener: poll() on some libc versions"),
	R(recvmsg, NONE, ANY, "listener: read a request with its local address"),
	R(read, NONE, ANY, "listener: signalfd records"),
	R(getsockname, NONE, ANY, "listener: the socket's own address"),
	R(clone, NONE, ANY, "listener: fork() one child per request"),
	R(clone3, NONE, ANY, "listener: fork() on newer libc"),
	R(wait4, NONE, ANY, "listener: reap children"),
	R(set_robust_list, NONE, ANY, "child: libc's fork() registers its futex list"),
	R(kill, NONE, ANY, "listener: pass SIGTERM on to children"),
	R(rt_sigprocmask, NONE, ANY, "child: restore the signal mask"),
	R(nanosleep, NONE, ANY, "listener: bounded wait for children at exit"),
	R(clock_nanosleep, NONE, ANY, "listener: nanosleep() on newer libc"),
	R(socket, NONE, ANY, "child: the transfer socket"),
	R(bind, NONE, ANY, "child: bind it to the address the client used"),
	R(connect, NONE, ANY, "child: connect it to the client"),
	R(recvfrom, NONE, ANY, "child: discard what arrived before connect"),
	R(setsockopt, SETSOCK_INIT, ANY, "child: attach and lock the packet filter"),
	R(getsockopt, NONE, ANY, "child: the packet filter checks it has a UDP socket"),
	R(openat, NONE, ANY, "child: /dev/null, chroot's '/', state and firmware files"),
	R(chroot, NONE, ANY, "child: chroot into the served root"),
	R(chdir, NONE, ANY, "child: chdir(\"/\") after chroot"),
	R(setgroups, NONE, ANY, "child: drop supplementary groups"),
	R(setresgid, NONE, ANY, "child: drop the group"),
	R(setresuid, NONE, ANY, "child: drop the user"),
	R(setuid, NONE, ANY, "child: verify that setuid(0) now fails"),
	R(getresuid, NONE, ANY, "child: verify the ids"),
	R(getresgid, NONE, ANY, "child: verify the ids"),
	R(geteuid, NONE, ANY, "child: am I root?"),
	R(getpid, NONE, ANY, "child: pid for the log tag"),
	R(capget, NONE, ANY, "child: verify no capability is left"),
	R(capset, NONE, ANY, "child: clear capabilities"),
	R(prctl, NONE, ANY, "child: bounding set, no_new_privs"),
	R(setrlimit, NONE, ANY, "child: rlimits"),
	R(prlimit64, NONE, ANY, "child: setrlimit() is prlimit64 in libc"),
	R(dup3, NONE, ANY, "child: root fd after chroot"),
	R(landlock_create_ruleset, NONE, ANY, "child: Landlock"),
	R(landlock_add_rule, NONE, ANY, "child: Landlock"),
	R(landlock_restrict_self, NONE, ANY, "child: Landlock"),
	R(seccomp, NONE, ANY, "child: load its own filters"),
	R(flock, NONE, ANY, "child: lock the state files"),
	R(mkdir, NONE, ANY, "child: create the state directory"),
	R(mkdirat, NONE, ANY, "child: mkdir() on newer libc"),
	R(ftruncate, NONE, ANY, "child: size new state files"),
	R(pread64, NONE, ANY, "child: state records before the drop"),
	R(newfstatat, NONE, ANY, "child: fstat()"),
	R(fstat, NONE, ANY, "child: fstat() on older libc"),
	R(getdents64, NONE, ANY, "child: list the firmware directory"),
	R(sendto, NONE, ANY, "all: syslog line; child: ERROR datagram"),
	R(write, NONE, ANY, "all: log to stderr with --foreground"),
	R(close, NONE, ANY, "all: close descriptors"),
	R(brk, NONE, ANY, "all: malloc"),
	R(mmap, NO_EXEC, ANY, "all: malloc of large buffers, never executable"),
	R(munmap, NONE, ANY, "all: free"),
	R(clock_gettime, NONE, ANY, "all: clock when the vDSO is missing"),
	R(rt_sigreturn, NONE, ANY, "all: return from a signal handler"),
	R(restart_syscall, NONE, ANY, "all: restart after a stop signal"),
	R(exit_group, NONE, ANY, "all: exit"),
	R(exit, NONE, ANY, "all: exit"),
};

/* Child after the drop, before the file is open: parse, decide, open. */
static const struct rule request_tab[] = {
	R(openat2, NONE, ANY, "path_open: RESOLVE_BENEATH lookup (flags live in a struct "
				"seccomp cannot read; Landlock and chroot keep it read-only)"),
	R(newfstatat, NONE, ANY, "path_open: is it a regular file?"),
	R(fstat, NONE, ANY, "path_open: fstat() on older libc"),
	R(close, NONE, ANY, "path_open: close the O_PATH probe"),
	R(pread64, NONE, ANY, "tsize of a netascii file; firmware headers"),
	R(sendto, FD0, SOCK, "session: ERROR datagram to the client"),
	R(sendto, FD0, LOG, "log: syslog line"),
	R(write, FD0, LOG, "log: stderr with --foreground"),
	R(seccomp, NONE, ANY, "session: stack the transfer filter"),
	R(getdents64, NONE, ANY, "remap: list the firmware directory"),
	R(openat, RDONLY, ANY, "remap: open firmware images and the manifest, read-only"),
	R(fcntl, DIRFLAGS, ANY, "remap: fdopendir() reads the flags, sets close-on-exec"),
	R(flock, FD0, INDEX, "remap: lock the verified-image cache"),
	R(pwrite64, FD0, INDEX, "remap: record a verified image"),
	R(brk, NONE, ANY, "xfer_init: malloc"),
	R(mmap, NO_EXEC, ANY, "xfer_init: malloc of the stream buffer, never executable"),
	R(munmap, NONE, ANY, "free"),
	R(clock_gettime, NONE, ANY, "clock when the vDSO is missing"),
	R(rt_sigreturn, NONE, ANY, "return from a signal handler"),
	R(restart_syscall, NONE, ANY, "restart after a stop signal"),
	R(exit_group, NONE, ANY, "exit"),
};

/* Once the file is open: the block-send core and the completion line. */
static const struct rule transfer_tab[] = {
	R(recvfrom, FD0, SOCK, "xfer: receive ACK/ERROR (recv)"),
	R(sendmmsg, FD0, SOCK, "xfer: a window of DATA in one call"),
	R(sendto, FD0, SOCK, "xfer: a single datagram"),
	R(setsockopt, RCVTIMEO, SOCK, "xfer: the receive timeout"),
	R(pread64, FD0, FILEFD, "xfer: read the file in chunks"),
	R(pread64, FD0, CLIENTS, "remap: read the client's rotation record"),
	R(flock, FD0, CLIENTS, "remap: lock the rotation records"),
	R(pwrite64, FD0, CLIENTS, "remap: remember the image this client got"),
	R(sendto, FD0, LOG, "log: completion line to syslog"),
	R(write, FD0, LOG, "log: completion line to stderr"),
	R(close, NONE, ANY, "session: close the file and socket at the end"),
	R(brk, NONE, ANY, "free"),
	R(munmap, NONE, ANY, "free of the stream buffer"),
	R(clock_gettime, NONE, ANY, "clock when the vDSO is missing"),
	R(rt_sigreturn, NONE, ANY, "return from a signal handler"),
	R(restart_syscall, NONE, ANY, "restart after a stop signal"),
	R(exit_group, NONE, ANY, "exit"),
};

#define N(t) (sizeof(t) / sizeof((t)[0]))

static int sbx_debug;

static void on_sigsys(int sig, siginfo_t *si, void *uc);

void sandbox_set_debug(int on)
{
	struct sigaction sa;

	sbx_debug = on;
	if (!on)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "sandbox-debug: denied system call %d\n", si->si_syscall);

	(void)sig;
	/* Make the denied call fail with ENOSYS rather than return junk. */
#if defined(__x86_64__)
	((ucontext_t *)uc)->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
	((ucontext_t *)uc)->uc_mcontext.regs[0] = (unsigned long long)-ENOSYS;
#else
	(void)uc;
#endif
	if (n > 0 && write(2, msg, (size_t)n) < 0)
		return;
}

static int fd_of(const struct sbx_fds *f, enum fdsel s)
{
	if (f == NULL)
		return -1;
	switch (s) {
	case SOCK: return f->sock;
	case LOG: return f->log;
	case FILEFD: return f->file;
	case INDEX: return f->index;
	case CLIENTS: return f->clients;
	default: return -1;
	}
}

static int add_rule(scmp_filter_ctx ctx, const struct rule *r, const struct sbx_fds *f)
{
	struct scmp_arg_cmp a[3];
	unsigned n = 0;
	int rc;

	switch (r->chk) {
	case NONE:
		break;
	case FD0:
		/* The state files are optional: absent means no rule at all,
		 * never an unrestricted one. */
		if (f != NULL && (r->fd == INDEX || r->fd == CLIENTS) && fd_of(f, r->fd) < 0)
			return 0;
		if (fd_of(f, r->fd) < 0)
			break; /* not open yet: a later stage pins it */
		a[n++] = (struct scmp_arg_cmp){ 0, SCMP_CMP_EQ, (scmp_datum_t)fd_of(f, r->fd), 0 };
		break;
	case RDONLY:
		/* O_TMPFILE's own bit (libc's macro also holds O_DIRECTORY,
		 * which a read-only directory open needs). */
		a[n++] = (struct scmp_arg_cmp){ 2, SCMP_CMP_MASKED_EQ,
			O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | (__O_TMPFILE & ~O_DIRECTORY), 0 };
		break;
	case DIRFLAGS:
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 1, SCMP_A1(SCMP_CMP_EQ, F_SETFD)) != 0)
			return -1;
		a[n++] = (struct scmp_arg_cmp){ 1, SCMP_CMP_EQ, F_GETFL, 0 };
		break;
	case NO_EXEC:
		a[n++] = (struct scmp_arg_cmp){ 2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0 };
		break;
	case RCVTIMEO:
		if (fd_of(f, r->fd) >= 0)
			a[n++] = (struct scmp_arg_cmp){ 0, SCMP_CMP_EQ, (scmp_datum_t)fd_of(f, r->fd), 0 };
		a[n++] = (struct scmp_arg_cmp){ 1, SCMP_CMP_EQ, SOL_SOCKET, 0 };
		a[n++] = (struct scmp_arg_cmp){ 2, SCMP_CMP_EQ, SO_RCVTIMEO, 0 };
		break;
	case SETSOCK_INIT:
		/* SO_ATTACH_FILTER and SO_LOCK_FILTER (the latter then stops
		 * any later change of the filter). */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 2,
				     SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
				     SCMP_A2(SCMP_CMP_EQ, SO_ATTACH_FILTER)) != 0)
			return -1;
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 2,
					SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
					SCMP_A2(SCMP_CMP_EQ, SO_LOCK_FILTER));
	}
	rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, r->nr, n, a);
	return rc == -EEXIST ? 0 : rc;
}

int sandbox_enter(enum sbx_stage stage, const struct sbx_fds *fds)
{
	const struct rule *tab;
	size_t n;
	scmp_filter_ctx ctx;
	int rc;

	switch (stage) {
	case SBX_LISTENER: tab = listener_tab; n = N(listener_tab); break;
	case SBX_REQUEST: tab = request_tab; n = N(request_tab); break;
	default: tab = transfer_tab; n = N(transfer_tab); break;
	}
	ctx = seccomp_init(sbx_debug ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL) {
		log_msg(LOG_ERR, "seccomp: cannot create a filter");
		return -1;
	}
	/* no_new_privs is set and verified by privdrop; the listener sets it
	 * here. A foreign architecture is killed, never allowed. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, stage == SBX_LISTENER);
	rc |= seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_rule(ctx, &tab[i], fds);
	/* Stacked filters all apply: a call passes only if every one admits
	 * it. So each stage also admits what the later stages need, with the
	 * descriptor checks it can already make; the last stage then narrows. */
	for (size_t i = 0; rc == 0 && stage == SBX_LISTENER && i < N(request_tab); i++)
		rc = add_rule(ctx, &request_tab[i], NULL);
	for (size_t i = 0; rc == 0 && stage != SBX_TRANSFER && i < N(transfer_tab); i++)
		rc = add_rule(ctx, &transfer_tab[i], stage == SBX_LISTENER ? NULL : fds);
	if (sbx_debug && rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigreturn), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		log_msg(LOG_ERR, "seccomp: cannot load the %s filter: %s",
			stage == SBX_LISTENER ? "listener" : stage == SBX_REQUEST ? "request" : "transfer",
			strerror(-rc));
		return -1;
	}
	return 0;
}

int sandbox_landlock(int rootfd)
{
	struct landlock_ruleset_attr attr;
	struct landlock_path_beneath_attr pb;
	long abi;
	int rs;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		log_msg(LOG_NOTICE, "landlock: not available in this kernel (%s); seccomp and chroot remain",
			strerror(errno));
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	/* Handle every file right the kernel knows of, allow only reading. */
	attr.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
		LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
		LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
		LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
		LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
		LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0) {
		log_msg(LOG_ERR, "landlock: create ruleset: %s", strerror(errno));
		return -1;
	}
	pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	pb.parent_fd = rootfd;
	if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0 ||
	    syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
		log_msg(LOG_ERR, "landlock: %s", strerror(errno));
		close(rs);
		return -1;
	}
	close(rs);
	return 1;
}

static const char *check_text(const struct rule *r)
{
	static const char *const fdname[] = { "", "fd=socket", "fd=log", "fd=file",
					      "fd=index", "fd=clients" };

	switch (r->chk) {
	case FD0: return fdname[r->fd];
	case NO_EXEC: return "no PROT_EXEC";
	case RCVTIMEO: return "fd=socket, SO_RCVTIMEO only";
	case SETSOCK_INIT: return "SO_ATTACH_FILTER, SO_LOCK_FILTER only";
	case RDONLY: return "read-only, no O_CREAT/O_TRUNC";
	case DIRFLAGS: return "F_GETFL, F_SETFD only";
	default: return "";
	}
}

static void print_tab(const char *title, const struct rule *t, size_t n)
{
	printf("%s\n", title);
	for (size_t i = 0; i < n; i++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, t[i].nr);

		printf("  %-24s %-36s %s\n", name ? name : "?", check_text(&t[i]), t[i].who);
		free(name);
	}
}

void sandbox_print_tables(void)
{
	print_tab("listener stage (standalone parent)", listener_tab, N(listener_tab));
	print_tab("request stage", request_tab, N(request_tab));
	print_tab("transfer stage", transfer_tab, N(transfer_tab));
}

#ifdef FWTFTPD_TEST_HOOKS
#include <fcntl.h>

void sandbox_test_hook(const char *stage)
{
	const char *at = getenv("FWTFTPD_FORBIDDEN_AT");

	if (at == NULL || strcmp(at, stage) != 0)
		return;
	log_msg(LOG_NOTICE, "test hook: forbidden call in the %s stage", stage);
	if (strcmp(stage, "request") == 0)
		(void)socket(AF_INET, SOCK_DGRAM, 0); /* no new sockets after the drop */
	else
		(void)open("/", O_RDONLY);            /* no opening once the file is open */
	log_msg(LOG_ERR, "test hook: forbidden call was NOT stopped in the %s stage", stage);
}
#endif
