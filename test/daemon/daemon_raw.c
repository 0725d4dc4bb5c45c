/* SPDX-License-Identifier: BSD-3-Clause */
/* The raw protocol, memfds and the daemon's /proc figures, for the hostile tests. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "netdma_proto_io.h"
#include "daemon_raw.h"

int
raw_connect(const char *sock)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	/* a daemon that never answers fails the test instead of hanging it */
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	if (fd >= 0 && (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

void
raw_hdr(void *msg, uint16_t type, size_t size)
{
	netdma_proto_hdr(msg, type, size, 7);
}

int
raw_call(int fd, const void *msg, size_t len, int send_fd, void *reply, size_t rlen, char *reason)
{
	union netdma_reply_any buf;
	ssize_t n;

	if (reason != NULL)
		reason[0] = '\0';
	if (netdma_proto_send(fd, msg, len, send_fd) < 0)
		return 2;
	n = recv(fd, &buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(buf.r) || buf.r.h.magic != NETDMA_PROTO_MAGIC)
		return 1;
	if (buf.r.result < 0 && reason != NULL && n >= (ssize_t)sizeof(buf.e))
		snprintf(reason, NETDMA_REASON_MAX, "%.*s", NETDMA_REASON_MAX - 1, buf.e.reason);
	if (reply != NULL)
		memcpy(reply, &buf, rlen < (size_t)n ? rlen : (size_t)n);
	return buf.r.result;
}

int
raw_hello(int fd)
{
	struct netdma_msg_hello h;

	raw_hdr(&h, NETDMA_MSG_HELLO, sizeof(h));
	h.min_version = h.max_version = NETDMA_PROTO_VERSION;
	return raw_call(fd, &h, sizeof(h), -1, NULL, 0, NULL);
}

int
raw_region(int fd, int mfd, uint64_t size, uint32_t kind, char *reason)
{
	struct netdma_msg_region_add m;
	struct netdma_reply_region_add r;
	int ret;

	raw_hdr(&m, NETDMA_MSG_REGION_ADD, sizeof(m));
	m.size = size;
	m.kind = kind;
	ret = raw_call(fd, &m, sizeof(m), mfd, &r, sizeof(r), reason);
	return ret < 0 ? ret : ret > 0 ? -EPROTO : (int)r.region_id;
}

static int
memfd_sized(uint64_t size, unsigned int flags)
{
	int fd = memfd_create("test", MFD_CLOEXEC | flags);

	if (fd >= 0 && ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
sealed_memfd(uint64_t size)
{
	int fd = memfd_sized(size, MFD_ALLOW_SEALING);

	if (fd >= 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
unsealed_memfd(uint64_t size)
{
	return memfd_sized(size, 0);
}

long
proc_cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* past "(comm)": state is field 3, utime 14, stime 15 */
	p = p != NULL ? strrchr(buf, ')') : NULL;
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				&ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

long
file_count_lines(const char *path, const char *needle)
{
	char line[1024];
	long n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

long long
telemetry_value(const char *prefix, const char *cmd, const char *within, const char *key)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[16384], pat[96], *p;
	long long v = -1;
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "/var/run/dpdk/%s/dpdk_telemetry.v2", prefix);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto out;
	if (recv(fd, buf, sizeof(buf), 0) <= 0 || send(fd, cmd, strlen(cmd), 0) < 0)
		goto out;   /* the first message is the server's greeting */
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		goto out;
	buf[n] = '\0';
	p = buf;
	if (within != NULL) {
		snprintf(pat, sizeof(pat), "\"%s\":", within);
		p = strstr(buf, pat);
	}
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = p != NULL ? strstr(p, pat) : NULL;
	if (p != NULL)
		v = strtoll(p + strlen(pat), NULL, 10);
out:
	if (fd >= 0)
		close(fd);
	return v;
}
