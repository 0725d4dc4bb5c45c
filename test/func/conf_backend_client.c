/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon backend: each suite starts its own netdmad-step (the test
 * build, with the suite's NetDMA version) and reaches the provider through
 * libnetdma_client.  Its engines move only when the test steps them, two
 * descriptors a step ([engines] burst = 2 in netdmad-step.ini), and the
 * DPCs run on the test's thread after the step that raised them: the same
 * steps as in-process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "netdma_client.h"
#include "netdma_client_test.h"

const char *conf_netdmad, *conf_config;
static char dir[64], sock[96];

/*
 * netdmad-step polls the engine once and signals the DPC that raised before
 * it answers; run that DPC here, as in-process it runs in the poll.
 */
void
conf_poll(struct netdma_chan *ch)
{
	static bool told;
	int ret = netdma_client_chan_step(ch);

	if (ret == -ENOTSUP && !told) {
		fprintf(stderr, "the daemon does not step engines: run netdmad-step\n");
		told = true;
	}
	netdma_client_chan_dispatch(ch);
}

unsigned int
conf_self_lcore(void)
{
	return 0;
}

uint64_t
conf_home_mask(void)
{
	return 0;   /* any polling lcore of the daemon */
}

int
conf_worker_lcore(void)
{
	return -1;
}

static bool
socket_up(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool up;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	up = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return up;
}

int
backend_create(struct backend *b, uint32_t burst)
{
	char version[8], log[128];
	double deadline = conf_now() + 20;
	pid_t pid;
	int id;

	UNUSED(burst);   /* CONF_BURST is [engines] burst of netdmad-step.ini */
	snprintf(dir, sizeof(dir), "/tmp/netdma-conf-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -errno;
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	snprintf(log, sizeof(log), "%s/netdmad.log", dir);
	snprintf(version, sizeof(version), "%u.%u", b->major, b->minor);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(conf_netdmad, conf_netdmad, "--", "--config", conf_config, "--socket", sock,
		      "--netdma-version", version, NULL);
		_exit(127);
	}
	b->daemon = pid;
	/* DPCs in conf_poll(), never on a thread of their own */
	netdma_client_set_intr_thread(false);
	while (!socket_up(sock)) {
		if (conf_now() > deadline || waitpid(pid, NULL, WNOHANG) == pid)
			return -ECONNREFUSED;
		usleep(20000);
	}
	if (netdma_client_connect(sock) < 0)
		return -ECONNREFUSED;
	id = netdma_provider_find(b->kind == BE_CPU ? "cpu" : "dma_skeleton");
	if (id < 0)
		return id;
	b->id = (uint32_t)id;
	return 0;
}

int
backend_destroy(struct backend *b)
{
	double deadline = conf_now() + 15;
	char cmd[96];
	int st = 0;

	netdma_client_disconnect();
	if (b->daemon > 0) {
		kill(b->daemon, SIGTERM);
		while (waitpid(b->daemon, &st, WNOHANG) != b->daemon) {
			if (conf_now() > deadline) {
				kill(b->daemon, SIGKILL);
				waitpid(b->daemon, &st, 0);
				break;
			}
			usleep(10000);
		}
		b->daemon = 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return -EIO;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;   /* a clean SIGTERM exit */
}
