/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The first-run mistakes, on real netdmad processes: a file at the socket
 * path (kept), a stale socket (replaced), [socket] group, a start without
 * the rights to the socket's directory, and what a client is told when no
 * daemon answers, when it may not connect, and when a provider is full.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "netdma.h"
#include "netdma_client.h"
#include "daemon_util.h"

#define PREFIX "netdma-firstrun"
#define EAL_ARGS "-l", "0-1", "--no-huge", "--no-shconf", "--iova-mode=va", "--no-pci", \
	"--file-prefix=" PREFIX, "--log-level=lib.eal:error"
#define TEST_GROUP "netdma-test"
#define NOBODY 65534

static const char *netdmad_bin;
static struct private_daemon pd;   /* its directory and file names; its own daemons */

static int
fr_init(void)
{
	/* others may look in: see nobody */
	return private_dir_make(&pd, "firstrun") < 0 || chmod(pd.dir, 0755) < 0 ? 1 : 0;
}

static int
fr_cleanup(void)
{
	return private_dir_remove(&pd);
}

#define log_has(what) file_has(pd.log, (what), true)

/* A socket at @p path with nothing behind it: what a killed daemon leaves. */
static int
stale_socket(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0), ret;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	ret = bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return ret;
}

/* netdmad [EAL] -- --config INI --socket @p path [@p opt @p val]; up, or -1. */
static pid_t
start_on(const char *path, const char *opt, const char *val)
{
	char *const argv[] = { (char *)netdmad_bin, EAL_ARGS, "--", "--config", pd.ini, "--socket",
			       (char *)path, (char *)opt, (char *)val, NULL };

	return daemon_wait_up(netdmad_spawn(argv, pd.log), path);
}

/* A regular file at the socket path: refused, named, kept as it was. */
static void
t_file_at_socket_path(void)
{
	char *const argv[] = { (char *)netdmad_bin, EAL_ARGS, "--", "--config", pd.ini, "--socket", pd.sock,
			       NULL };
	char buf[64] = "";
	int fd;

	CU_ASSERT_EQUAL_FATAL(write_file(pd.ini, "[log]\nlevel = notice\n"), 0);
	CU_ASSERT_EQUAL_FATAL(write_file(pd.sock, "keep me\n"), 0);
	CU_ASSERT_EQUAL(netdmad_run(argv, pd.log), 1);
	CU_ASSERT(log_has(pd.sock));
	CU_ASSERT(log_has("exists and is not a socket (a regular file): netdmad does not remove it"));
	CU_ASSERT(!file_has(pd.log, "ready on", false));
	fd = open(pd.sock, O_RDONLY);
	CU_ASSERT(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 8 && strcmp(buf, "keep me\n") == 0);
	if (fd >= 0)
		close(fd);
	unlink(pd.sock);
}

/* A socket left by a daemon that is gone: a client hears so; netdmad replaces it. */
static void
t_stale_socket(void)
{
	char none[128];
	pid_t pid;

	/* no socket at all */
	snprintf(none, sizeof(none), "%s/none.sock", pd.dir);
	CU_ASSERT_EQUAL(netdma_client_connect(none), -ENOENT);
	CU_ASSERT(strstr(netdma_client_last_error(), "no netdmad at") != NULL);
	CU_ASSERT(strstr(netdma_client_last_error(), "no socket there") != NULL);
	CU_ASSERT(strstr(netdma_client_last_error(), "systemctl start netdmad") != NULL);
	/* a socket, no daemon */
	CU_ASSERT_EQUAL_FATAL(stale_socket(pd.sock), 0);
	CU_ASSERT_EQUAL(netdma_client_connect(pd.sock), -ECONNREFUSED);
	CU_ASSERT(strstr(netdma_client_last_error(), "the daemon is gone") != NULL);
	CU_ASSERT(strstr(netdma_client_last_error(), "systemctl start netdmad") != NULL);

	CU_ASSERT_EQUAL_FATAL(write_file(pd.ini, "[engines]\ndmadev = none\n[log]\nlevel = notice\n"), 0);
	pid = start_on(pd.sock, NULL, NULL);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT(log_has("ready on"));
	CU_ASSERT_EQUAL(daemon_stop(pid), 0);
}

/* Run @p fn as nobody, with @p gid as its one supplementary group (or none). */
struct as_nobody {
	gid_t gid;
	bool member;
	const char *sock;
};

static int
client_as_nobody(void *arg)
{
	const struct as_nobody *a = arg;
	int ret;

	if (setgroups(a->member ? 1 : 0, &a->gid) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
		return 30;
	ret = netdma_client_connect(a->sock);
	if (!a->member) {
		if (ret != -EACCES)
			return 31;
		if (strstr(netdma_client_last_error(), "permission denied on") == NULL ||
		    strstr(netdma_client_last_error(), "join group " TEST_GROUP) == NULL) {
			fprintf(stderr, "client error: %s\n", netdma_client_last_error());
			return 32;
		}
		return 0;
	}
	if (ret < 0)
		return 33;
	ret = copy_once("cpu", 1u << 20, 4096);
	netdma_client_disconnect();
	return ret;
}

/*
 * [socket] group: the socket and the directory netdmad made belong to it,
 * with [socket] mode; its members are clients, others are told to join.
 */
static void
t_socket_group(void)
{
	char run[96], path[128];
	struct as_nobody a;
	struct group *g;
	struct stat st;
	int st_a, st_b;
	bool made;
	pid_t pid;

	if (geteuid() != 0) {
		fprintf(stderr, "\n  skipped: not root (groupadd, and clients as another user)\n");
		return;
	}
	made = getgrnam(TEST_GROUP) == NULL;
	if (system("groupadd -f " TEST_GROUP) != 0 || (g = getgrnam(TEST_GROUP)) == NULL) {
		fprintf(stderr, "\n  skipped: groupadd " TEST_GROUP " failed\n");
		return;
	}
	a.gid = g->gr_gid;
	snprintf(run, sizeof(run), "%s/run", pd.dir);
	snprintf(path, sizeof(path), "%s/netdmad.sock", run);
	CU_ASSERT_EQUAL_FATAL(write_file(pd.ini, "[engines]\ndmadev = none\n[socket]\nmode = 0660\n"
					 "group = " TEST_GROUP "\n[log]\nlevel = notice\n"), 0);
	pid = start_on(path, NULL, NULL);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT(stat(path, &st) == 0 && st.st_gid == a.gid && (st.st_mode & 07777) == 0660);
	CU_ASSERT(stat(run, &st) == 0 && st.st_gid == a.gid && (st.st_mode & 07777) == 0750);
	a.sock = path;
	a.member = false;
	CU_ASSERT_EQUAL(st_a = in_child(client_as_nobody, &a), 0);
	a.member = true;
	CU_ASSERT_EQUAL(st_b = in_child(client_as_nobody, &a), 0);
	if (st_a != 0 || st_b != 0)
		fprintf(stderr, "\n  as nobody: %d (not a member), %d (a member)\n", st_a, st_b);
	CU_ASSERT_EQUAL(daemon_stop(pid), 0);
	rmdir(run);

	/* the same from the command line, over a config that names no group */
	CU_ASSERT_EQUAL_FATAL(write_file(pd.ini, "[engines]\ndmadev = none\n[log]\nlevel = notice\n"), 0);
	pid = start_on(pd.sock, "--socket-group", TEST_GROUP);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT(stat(pd.sock, &st) == 0 && st.st_gid == a.gid && (st.st_mode & 07777) == 0660);
	CU_ASSERT_EQUAL(daemon_stop(pid), 0);
	if (made && system("groupdel " TEST_GROUP) != 0)
		fprintf(stderr, "groupdel " TEST_GROUP " failed\n");
}

/* A start that may not write the socket's directory says what to do. */
static void
t_not_root(void)
{
	char locked[96], path[128];
	char *const argv[] = { (char *)netdmad_bin, EAL_ARGS, "--", "--config", pd.ini, "--socket", path,
			       NULL };
	pid_t pid;
	int st, fd;

	snprintf(locked, sizeof(locked), "%s/locked", pd.dir);
	snprintf(path, sizeof(path), "%s/netdmad.sock", locked);
	CU_ASSERT_EQUAL_FATAL(mkdir(locked, 0755), 0);
	if (geteuid() != 0)
		CU_ASSERT_EQUAL_FATAL(chmod(locked, 0555), 0);   /* we are the user who may not */
	CU_ASSERT_EQUAL_FATAL(write_file(pd.ini, "[log]\nlevel = notice\n"), 0);
	pid = fork();
	if (pid == 0) {
		fd = open(pd.log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	CU_ASSERT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 1);
	CU_ASSERT(log_has("cannot open lock file"));
	CU_ASSERT(log_has("Permission denied"));
	CU_ASSERT(log_has("run it as root"));
	CU_ASSERT(log_has("point [socket] path (or -- --socket PATH) at a directory you can write"));
	CU_ASSERT(access(path, F_OK) != 0);
	chmod(locked, 0755);
	rmdir(locked);
}

/* Holds one cpu channel until its pipe closes. */
struct holder {
	int ready[2], release[2];
};

static int
hold_channel(void *arg)
{
	struct holder *h = arg;
	volatile uint64_t *cw;
	struct netdma_chan *ch;
	char c = 1;
	int id;

	close(h->ready[0]);
	close(h->release[1]);
	if (netdma_client_connect(pd.sock) < 0)
		return 40;
	id = netdma_provider_find("cpu");
	cw = netdma_mem_alloc(8, 64);
	if (id < 0 || cw == NULL ||
	    netdma_chan_alloc((uint32_t)id, &(struct netdma_chan_conf){ .completion_word = cw }, &ch) < 0)
		return 41;
	if (write(h->ready[1], &c, 1) != 1)
		return 42;
	while (read(h->release[0], &c, 1) > 0)
		;
	return netdma_chan_free(ch) < 0 ? 43 : 0;
}

static int
alloc_on_full(void *arg)
{
	volatile uint64_t *cw;
	struct netdma_chan *ch;
	int id, ret;

	(void)arg;
	if (netdma_client_connect(pd.sock) < 0)
		return 50;
	id = netdma_provider_find("cpu");
	cw = netdma_mem_alloc(8, 64);
	if (id < 0 || cw == NULL)
		return 51;
	ret = netdma_chan_alloc((uint32_t)id, &(struct netdma_chan_conf){ .completion_word = cw }, &ch);
	if (ret != -ENOSPC)
		return 52;
	if (strstr(netdma_client_last_error(), "provider cpu: all 2 channels in use (this client "
		   "holds 0, quota 1); free one or raise [engines] cpu_channels") == NULL) {
		fprintf(stderr, "client error: %s\n", netdma_client_last_error());
		return 53;
	}
	return 0;
}

static int
copy_cpu(void *arg)
{
	int ret;

	(void)arg;
	if (netdma_client_connect(pd.sock) < 0)
		return 60;
	ret = copy_once("cpu", 1u << 20, 4096);
	netdma_client_disconnect();
	return ret;
}

/* Both channels of a provider held by two clients: the third hears which, and what to raise. */
static void
t_provider_full(void)
{
	struct holder h[2];
	pid_t pid, holders[2];
	char c;
	int i, st;

	CU_ASSERT_EQUAL_FATAL(write_file(pd.ini, "[engines]\ncpu_channels = 2\ndmadev = none\n"
					 "[quota]\nchannels = 4\nprovider_share = 50\n"
					 "[log]\nlevel = notice\n"), 0);
	pid = start_on(pd.sock, NULL, NULL);
	CU_ASSERT_FATAL(pid > 0);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_FATAL(pipe(h[i].ready) == 0 && pipe(h[i].release) == 0);
		holders[i] = fork();
		if (holders[i] == 0) {
			/* the earlier holders' pipe ends are theirs alone: their EOF must come */
			for (int j = 0; j < i; j++) {
				close(h[j].release[1]);
				close(h[j].ready[0]);
			}
			_exit(hold_channel(&h[i]));
		}
		close(h[i].ready[1]);
		close(h[i].release[0]);
		CU_ASSERT(read(h[i].ready[0], &c, 1) == 1);
	}
	CU_ASSERT_EQUAL(in_child(alloc_on_full, NULL), 0);
	for (i = 0; i < 2; i++) {
		close(h[i].release[1]);
		close(h[i].ready[0]);
		CU_ASSERT(waitpid(holders[i], &st, 0) == holders[i] && WIFEXITED(st) &&
			  WEXITSTATUS(st) == 0);
	}
	/* freed: a copy goes through, bytes and completion word checked */
	CU_ASSERT_EQUAL(in_child(copy_cpu, NULL), 0);
	CU_ASSERT_EQUAL(daemon_stop(pid), 0);
}

int
firstrun_suite_add(const char *bin)
{
	CU_pSuite s = CU_add_suite("netdmad first-run mistakes", fr_init, fr_cleanup);

	netdmad_bin = bin;
	if (s == NULL ||
	    !CU_add_test(s, "a regular file at the socket path is kept", t_file_at_socket_path) ||
	    !CU_add_test(s, "no daemon, a stale socket: told, then replaced", t_stale_socket) ||
	    !CU_add_test(s, "[socket] group and --socket-group", t_socket_group) ||
	    !CU_add_test(s, "no right to the socket's directory: what to do", t_not_root) ||
	    !CU_add_test(s, "a full provider: which, and what to raise", t_provider_full))
		return -1;
	return 0;
}
