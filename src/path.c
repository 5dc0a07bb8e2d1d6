/* path.c - requested name -> path beneath the served root.
 * path_clean is pure. path_open is the only code that opens served files:
 * openat2(RESOLVE_BENEATH) keeps every lookup, symlinks included, inside the
 * root, and an O_PATH probe refuses non-regular files before any real open,
 * so a FIFO never blocks and a device is never opened. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "path.h"
#include "tftp.h"

int path_clean(const char *name, size_t len, char *out, size_t outsz,
	       const char **why)
{
	size_t i = 0, o = 0;

	if (len > TFTP_NAME_MAX) {
		*why = "name too long";
		return TE_ACCESS;
	}
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)name[k];

		if (c < 0x20 || c == 0x7f) {
			*why = "control character in name";
			return TE_ACCESS;
		}
	}
	while (i < len) {
		size_t start, clen;

		/* Phones and PXE firmware send a leading '/'; "a//b" is "a/b". */
		while (i < len && name[i] == '/')
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && name[i] != '/')
			i++;
		clen = i - start;
		if (clen == 1 && name[start] == '.')
			continue;
		if (clen == 2 && name[start] == '.' && name[start + 1] == '.') {
			*why = "'..' in name";
			return TE_ACCESS;
		}
		if (o + (o > 0) + clen + 1 > outsz) {
			*why = "name too long";
			return TE_ACCESS;
		}
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, name + start, clen);
		o += clen;
	}
	if (o == 0) {
		*why = "empty name";
		return TE_ACCESS;
	}
	out[o] = '\0';
	return 0;
}

static int openat2_beneath(int rootfd, const char *rel, int flags)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)flags;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
}

static int errno_to_tftp(int e, const char **why)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		*why = "no such file";
		return TE_NOTFOUND;
	case EXDEV:
		*why = "path leads outside the root";
		return TE_ACCESS;
	case ELOOP:
		*why = "symlink loop or magic link";
		return TE_ACCESS;
	case EACCES:
	case EPERM:
		*why = "permission denied";
		return TE_ACCESS;
	case ENAMETOOLONG:
		*why = "name too long";
		return TE_ACCESS;
	case ENOSYS:
		/* No openat2 (kernel < 5.6): refuse rather than walk unsafely.
		 * Never TE_UNDEF here: it is 0, which means success. */
		*why = "openat2 unavailable (kernel older than 5.6)";
		return TE_ACCESS;
	default:
		*why = "cannot open";
		return TE_ACCESS;
	}
}

int path_open_dir(int rootfd, const char *rel)
{
	return openat2_beneath(rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int path_open(int rootfd, const char *rel, int *fd, struct stat *st,
	      const char **why)
{
	struct stat probe;
	int pfd, rfd;

	pfd = openat2_beneath(rootfd, rel, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return errno_to_tftp(errno, why);
	if (fstat(pfd, &probe) != 0) {
		close(pfd);
		*why = "cannot stat";
		return TE_ACCESS;
	}
	close(pfd);
	if (!S_ISREG(probe.st_mode)) {
		*why = S_ISDIR(probe.st_mode) ? "is a directory" : "not a regular file";
		return TE_ACCESS;
	}
	/* O_NONBLOCK: should the name be swapped for a FIFO in between, the
	 * open still cannot hang; the inode check below then refuses it. */
	rfd = openat2_beneath(rootfd, rel, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0)
		return errno_to_tftp(errno, why);
	if (fstat(rfd, st) != 0 || !S_ISREG(st->st_mode) ||
	    st->st_dev != probe.st_dev || st->st_ino != probe.st_ino) {
		close(rfd);
		*why = "file changed while opening";
		return TE_ACCESS;
	}
	*fd = rfd;
	return 0;
}
