/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the netdmad end-to-end tests: the daemon's life, a verified copy. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netdma.h"
#include "netdma_client.h"
#include "daemon_util.h"

double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

pid_t
netdmad_spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int
netdmad_run(char *const argv[], const char *log)
{
	double deadline = now() + 60;
	pid_t pid = netdmad_spawn(argv, log);
	int st;

	if (pid < 0)
		return -1;
	while (now() < deadline) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

pid_t
daemon_wait_up(pid_t pid, const char *path)
{
	double deadline = now() + 20;

	while (pid > 0 && now() < deadline) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0), st;

		snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
			close(fd);
			return pid;
		}
		close(fd);
		if (waitpid(pid, &st, WNOHANG) == pid)
			return -1;
		usleep(20000);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return -1;
}

/* Start netdmad on @p path; wait until its socket accepts. */
pid_t
daemon_start(const char *netdmad_bin, const char *config, const char *path, const char *log)
{
	char *const argv[] = { (char *)netdmad_bin, "--", "--config", (char *)config, "--socket",
			       (char *)path, NULL };

	return daemon_wait_up(netdmad_spawn(argv, log), path);
}

/* SIGTERM and wait; @return the exit status, or -1 if it had to be killed. */
int
daemon_stop(pid_t pid)
{
	double deadline = now() + 15;
	int st;

	kill(pid, SIGTERM);
	while (now() < deadline) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/*
 * Copy @p size bytes through a fresh channel on @p provider, in chains of
 * 16 descriptors of @p desc bytes, and verify.  @return 0 or a failure code.
 */
int
copy_once(const char *provider, size_t size, uint32_t desc)
{
	uint32_t n = (uint32_t)(size / desc), i;
	uint8_t *src = netdma_mem_alloc(size, 64), *dst = netdma_mem_alloc(size, 64);
	struct netdma_descriptor *d = netdma_mem_alloc(sizeof(*d) * (n + 1), 64);
	volatile uint64_t *cw = netdma_mem_alloc(8, 64);
	struct netdma_chan_conf cc = { .completion_word = cw };
	struct netdma_chan *ch;
	int id = netdma_provider_find(provider), ret = 0;
	uint64_t want;
	double deadline;
	bool v2;

	if (src == NULL || dst == NULL || d == NULL || cw == NULL || id < 0)
		return 10;
	for (i = 0; i < size; i++)
		src[i] = (uint8_t)(i * 31 + (uintptr_t)&i + 1);
	if (netdma_chan_alloc((uint32_t)id, &cc, &ch) < 0)
		return 11;
	v2 = netdma_chan_version(ch) >= 0x200;
	for (i = 0; i < n; i++) {
		bool last = (i + 1) % 16 == 0 || i + 1 == n;

		d[i].transfer_size = desc;
		d[i].source_address = netdma_virt2iova(src + (size_t)i * desc);
		d[i].destination_address = netdma_virt2iova(dst + (size_t)i * desc);
		d[i].next_descriptor = !last || v2 ? netdma_virt2iova(&d[i + 1]) : 0;
		d[i].control_flags = last ? NETDMA_F_STATUS_UPDATE_ON_COMPLETION : 0;
	}
	for (i = 0; i < n && ret == 0; i += 16) {
		if (i > 0 && !v2)
			d[i - 1].next_descriptor = netdma_virt2iova(&d[i]);
		ret = i == 0 ? netdma_chan_start(ch, d, n < 16 ? n : 16) :
			netdma_chan_append(ch, &d[i], n - i < 16 ? n - i : 16);
	}
	if (ret < 0)
		return 12;
	want = netdma_completion_encode(netdma_virt2iova(&d[n - 1]), NETDMA_STATUS_IDLE);
	deadline = now() + 30;
	while (netdma_completion_read(cw) != want && now() < deadline)
		;
	if (netdma_completion_read(cw) != want)
		return 13;
	if (memcmp(src, dst, size) != 0)
		return 14;
	if (netdma_chan_free(ch) < 0)
		return 15;
	netdma_mem_free(src);
	netdma_mem_free(dst);
	netdma_mem_free(d);
	netdma_mem_free((void *)(uintptr_t)cw);
	return 0;
}

int
private_dir_make(struct private_daemon *d, const char *tag)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/netdmad-%.16s-XXXXXX", tag);
	d->pid = -1;
	if (mkdtemp(d->dir) == NULL)
		return -1;
	snprintf(d->sock, sizeof(d->sock), "%s/netdmad.sock", d->dir);
	snprintf(d->ini, sizeof(d->ini), "%s/netdmad.ini", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/netdmad.log", d->dir);
	return 0;
}

int
private_dir_remove(const struct private_daemon *d)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", d->dir);
	return system(cmd) == 0 ? 0 : 1;
}

int
private_daemon_start(struct private_daemon *d, const char *netdmad_bin, const char *tag,
		     const char *config)
{
	FILE *f;

	if (private_dir_make(d, tag) < 0)
		return -1;
	f = fopen(d->ini, "w");
	if (f == NULL)
		return -1;
	fputs(config, f);
	if (fclose(f) != 0)
		return -1;
	d->pid = daemon_start(netdmad_bin, d->ini, d->sock, d->log);
	return d->pid > 0 ? 0 : -1;
}

int
private_daemon_stop(struct private_daemon *d)
{
	char cmd[160];
	int ret = d->pid > 0 ? daemon_stop(d->pid) : -1;

	d->pid = -1;
	if (ret != 0) {
		fprintf(stderr, "netdmad exit %d; the end of its log:\n", ret);
		snprintf(cmd, sizeof(cmd), "tail -20 %s >&2", d->log);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log)\n");
	}
	return private_dir_remove(d) == 0 && ret == 0 ? 0 : 1;
}

int
in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}


/* Resident set of process @p pid in KiB (VmRSS of /proc/PID/status); -1 if unreadable. */
long
proc_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

char *
read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

bool
file_has(const char *path, const char *what, bool say)
{
	static char buf[16384];

	if (strstr(read_file(path, buf, sizeof(buf)), what) != NULL)
		return true;
	if (say)
		fprintf(stderr, "\n  wanted '%s' in %s:\n%s\n", what, path, buf);
	return false;
}
