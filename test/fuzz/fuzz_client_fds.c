/* SPDX-License-Identifier: BSD-3-Clause */
/* The fds a fuzzed client sends, and the fd census that catches leaks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netdma_proto_io.h"

#include "fuzz_client_fds.h"
#include "test_proc.h"

static int
sized(int fd, size_t size)
{
	if (fd >= 0 && size > 0 && ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
fz_fd_open(enum fz_fd kind, size_t size)
{
	int fd;

	switch (kind) {
	case FZ_FD_MEMFD_SEALED:
		fd = sized(memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING), size);
		/* the client's promise that the daemon's mapping stays backed */
		if (fd >= 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
			close(fd);
			return -1;
		}
		return fd;
	case FZ_FD_MEMFD:
		return sized(memfd_create("fuzz", MFD_CLOEXEC), size);
	case FZ_FD_FILE:
		return sized(open(P_tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600), size);
	case FZ_FD_EVENTFD:
		return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	case FZ_FD_DEVNULL:
		return open("/dev/null", O_RDWR | O_CLOEXEC);
	default:
		return -1;
	}
}

int
fz_send(int sock, const void *buf, size_t len, const int *fds, int n)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	union {
		char buf[CMSG_SPACE(FZ_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	/* one fd or none: the protocol's own sender, as the client library uses */
	if (n <= 1)
		return netdma_proto_send(sock, buf, len, n == 1 ? fds[0] : -1);
	if (n > FZ_MAX_FDS)
		return -EINVAL;
	memset(&ctl, 0, sizeof(ctl));
	m.msg_control = ctl.buf;
	m.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
	return sendmsg(sock, &m, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)len ? 0 : -errno;
}

int
fz_count_fds(void)
{
	int n = proc_fd_count(getpid());

	return n < 0 ? n : n - 1;   /* opendir's own */
}

void
fz_list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char path[300], target[PATH_MAX];
	ssize_t n;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		fprintf(stderr, "  fd %s -> %s\n", e->d_name, target);
	}
	closedir(d);
}
