/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: its directory, the lock that keeps a second daemon
 * off it, and the socket itself with [socket] mode and group.  What fails
 * here on a first run (not root, a file in the way) says what to do.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "netdmad.h"

/* @p path's directory into @p dir ("." when it has none). */
static void
dir_of(const char *path, char *dir, size_t size)
{
	char *slash;

	snprintf(dir, size, "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, size, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
}

/* Why @p what on @p path failed, and, when it is a permission, what to do. */
static void
explain(const struct netdmad_conf *c, const char *what, const char *path, int err)
{
	char dir[sizeof(c->socket_path)], owner[160] = "";
	struct stat st;

	DLOG(ERR, "cannot %s %s: %s\n", what, path, strerror(err));
	if (err != EACCES && err != EPERM && err != EROFS)
		return;
	dir_of(c->socket_path, dir, sizeof(dir));
	if (stat(dir, &st) == 0) {
		struct passwd *pw = getpwuid(st.st_uid);
		struct group *gr = getgrgid(st.st_gid);

		snprintf(owner, sizeof(owner), " (%s:%s, mode %04o)", pw != NULL ? pw->pw_name : "?",
			 gr != NULL ? gr->gr_name : "?", (unsigned int)st.st_mode & 07777);
	}
	DLOG(ERR, "netdmad runs as uid %u and cannot write %s%s: run it as root (systemctl start "
	     "netdmad) or as a user that may write there%s%s%s, or point [socket] path (or -- "
	     "--socket PATH) at a directory you can write, e.g. /tmp/netdmad.sock\n",
	     (unsigned int)geteuid(), dir, owner, c->socket_group[0] != '\0' ? " (a member of group " : "",
	     c->socket_group, c->socket_group[0] != '\0' ? ")" : "");
}

/* The directory mode that lets whom the socket's mode lets in reach it. */
static mode_t
dir_mode(unsigned int socket_mode)
{
	return 0700 | ((socket_mode & 0070) ? 0050 : 0) | ((socket_mode & 0007) ? 0005 : 0);
}

/* Create the socket's directory (e.g. /run/netdma) if it is missing, owned by [socket] group. */
static int
make_socket_dir(const struct netdmad_conf *c)
{
	char dir[sizeof(c->socket_path)];
	mode_t mode = dir_mode(c->socket_mode);

	dir_of(c->socket_path, dir, sizeof(dir));
	if (mkdir(dir, mode) < 0) {
		if (errno == EEXIST)
			return 0;   /* someone else's (systemd's RuntimeDirectory): left as it is */
		explain(c, "create the socket directory", dir, errno);
		return -errno;
	}
	/* mkdir's mode went through the umask */
	if ((c->socket_group[0] != '\0' && chown(dir, (uid_t)-1, (gid_t)c->socket_gid) < 0) ||
	    chmod(dir, mode) < 0) {
		int err = errno;

		explain(c, "give [socket] group and mode to", dir, err);
		rmdir(dir);
		return -err;
	}
	return 0;
}

/*
 * Something at the socket path: a stale socket (no daemon answers) is ours
 * to replace; anything else is someone's file, never deleted.
 */
static int
check_socket_path(const struct netdmad_conf *c)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (lstat(c->socket_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		DLOG(ERR, "%s exists and is not a socket (%s): netdmad does not remove it; move it "
		     "away or point [socket] path elsewhere\n", c->socket_path,
		     S_ISREG(st.st_mode) ? "a regular file" : S_ISDIR(st.st_mode) ? "a directory" :
		     S_ISLNK(st.st_mode) ? "a symbolic link" : "not a socket");
		return -EEXIST;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", c->socket_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	if (ret == 0) {
		DLOG(ERR, "a daemon without netdmad's lock answers on %s: stop it first\n",
		     c->socket_path);
		return -EADDRINUSE;
	}
	return 0;
}

int
netdmad_socket_lock(const struct netdmad_conf *c)
{
	char path[sizeof(c->socket_path) + 8];
	int fd, ret;

	ret = make_socket_dir(c);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s.lock", c->socket_path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		explain(c, "open lock file", path, -ret);
		return ret;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		DLOG(ERR, "another netdmad already serves %s\n", c->socket_path);
		close(fd);
		return -EADDRINUSE;
	}
	/* before EAL: a file in the way stops us with nothing started */
	ret = check_socket_path(c);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int
netdmad_socket_open(const struct netdmad_conf *c)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	mode_t old_mask;
	int fd, ret;

	ret = check_socket_path(c);
	if (ret < 0)
		return ret;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", c->socket_path);
	unlink(a.sun_path);   /* a stale socket: we hold the lock and nothing answered */
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* owner-only until its group and mode are set: no moment when anyone may connect */
	old_mask = umask(0177);
	ret = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old_mask);
	if (ret < 0) {
		ret = -errno;
		explain(c, "create socket", c->socket_path, -ret);
		close(fd);
		return ret;
	}
	if ((c->socket_group[0] != '\0' && chown(a.sun_path, (uid_t)-1, (gid_t)c->socket_gid) < 0) ||
	    chmod(a.sun_path, c->socket_mode) < 0 || listen(fd, 64) < 0) {
		ret = -errno;
		explain(c, "set up socket", c->socket_path, -ret);
		close(fd);
		unlink(a.sun_path);
		return ret;
	}
	return fd;
}
