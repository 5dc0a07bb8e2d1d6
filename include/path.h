/* path.h - turn a requested name into a relative path beneath the served
 * root, and open it safely. path_clean is pure; path_open makes syscalls. */
#ifndef FWTFTPD_PATH_H
#define FWTFTPD_PATH_H

#include <stddef.h>
#include <sys/stat.h>

/* Validate and normalise a requested name into out (outsz bytes): leading
 * '/' stripped, "//" and "." components collapsed. Rejects empty names,
 * control bytes (< 0x20, 0x7f), ".." components, names longer than
 * TFTP_NAME_MAX. '\' is an ordinary byte. Returns 0, or a TFTP error code
 * (TE_ACCESS or TE_NOTFOUND) with *why set. */
int path_clean(const char *name, size_t len, char *out, size_t outsz,
	       const char **why);

/* Open rel (from path_clean) beneath rootfd read-only. Symlinks may not
 * resolve outside the root, magic links are refused, and anything but a
 * regular file is refused without ever opening it for reading (so a FIFO or
 * device never blocks or has side effects). Returns 0 with *fd and *st set, or
 * a TFTP error code with *why set. */
int path_open(int rootfd, const char *rel, int *fd, struct stat *st,
	      const char **why);

/* Open the directory rel beneath rootfd (same resolution rules), read-only.
 * Returns the fd, or -1 with errno set. */
int path_open_dir(int rootfd, const char *rel);

#endif
