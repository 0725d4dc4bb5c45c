/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdmad: NetDMA as a shared, isolated service.  The main lcore serves the
 * control socket; polling lcores run the channels.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "netdmad.h"

RTE_LOG_REGISTER_DEFAULT(netdmad_logtype, INFO);

static sigset_t stop_signals;
static int reserve_fd = -1;   /* given up to answer a connection when out of fds */

/*
 * Take one connection off the listen queue.  Over [limits] connections, or
 * out of fds (EMFILE: the reserve fd makes room for one more), it is told
 * why and closed at once: a level-triggered listen socket left unaccepted
 * would spin the loop, and the client would hang.
 */
static void
accept_one(const struct netdmad_conf *c, int ep, int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	struct dclient *cl;
	int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0 && (errno == EMFILE || errno == ENFILE) && reserve_fd >= 0) {
		close(reserve_fd);
		cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd >= 0) {
			netdmad_stats.refused_emfile++;
			DLOG_LIMITED(&netdmad_global_log, "connections", WARNING,
				     "out of file descriptors: connection turned away\n");
			netdmad_refuse_connection(cfd, -EMFILE, "netdmad is out of file descriptors; "
						  "retry later");
		}
		reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return;
	}
	if (cfd < 0)
		return;
	if (netdmad_client_count() >= c->max_connections) {
		char why[NETDMA_REASON_MAX];

		netdmad_stats.refused_connections++;
		snprintf(why, sizeof(why), "netdmad serves %u connections, its limit ([limits] "
			 "connections); retry later", c->max_connections);
		DLOG_LIMITED(&netdmad_global_log, "connections", NOTICE, "%s\n", why);
		netdmad_refuse_connection(cfd, -EUSERS, why);
		return;
	}
	cl = netdmad_client_new(cfd);
	if (cl == NULL) {
		netdmad_refuse_connection(cfd, -ENOMEM, "netdmad is out of memory");
		return;
	}
	ev.data.ptr = cl;
	epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
}

static void
drop_client(int ep, struct dclient *cl)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, netdmad_client_fd(cl), NULL);
	netdmad_client_gone(cl);
}

/* Connections that never said HELLO hold an fd and a slot: close them. */
static void
expire_silent(const struct netdmad_conf *c, int ep)
{
	struct dclient *cl;
	char why[NETDMA_REASON_MAX];

	while ((cl = netdmad_client_overdue()) != NULL) {
		netdmad_stats.hello_timeouts++;
		snprintf(why, sizeof(why), "no HELLO within %u ms ([limits] hello_timeout_ms)",
			 c->hello_timeout_ms);
		netdmad_refuse_connection(dup(netdmad_client_fd(cl)), -ETIMEDOUT, why);
		drop_client(ep, cl);
	}
}

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int
serve(struct netdmad_conf *c, int lfd, int argc, char **argv)
{
	struct epoll_event ev, evs[32];
	uint64_t watchdog_us = netdmad_watchdog_us(), petted = 0, t;
	int ep, sfd, n, i;

	sfd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (sfd < 0 || ep < 0)
		return -errno;
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.ptr = &sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	DLOG(NOTICE, "ready on %s (pid %d)\n", c->socket_path, getpid());
	netdmad_notify("READY=1\nSTATUS=serving on %s\nMAINPID=%d", c->socket_path, getpid());

	for (;;) {
		n = epoll_wait(ep, evs, 32, 100);
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL) {
				accept_one(c, ep, lfd);
			} else if (evs[i].data.ptr == &sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					netdmad_notify("RELOADING=1");
					netdmad_reload(c, argc, argv);
					netdmad_notify("READY=1\nSTATUS=serving on %s", c->socket_path);
					continue;
				}
				DLOG(NOTICE, "signal %u: shutting down\n", si.ssi_signo);
				netdmad_notify("STOPPING=1\nSTATUS=draining clients");
				close(ep);
				close(sfd);
				if (reserve_fd >= 0)
					close(reserve_fd);
				return 0;
			} else {
				struct dclient *cl = evs[i].data.ptr;
				int ret = 0;

				if (evs[i].events & EPOLLIN)
					ret = netdmad_client_handle(cl);
				if (ret < 0 || (evs[i].events & (EPOLLHUP | EPOLLERR)) ||
				    ((evs[i].events & EPOLLRDHUP) && !(evs[i].events & EPOLLIN)))
					drop_client(ep, cl);
			}
		}
		expire_silent(c, ep);
		netdmad_reap();
		/* the loop wakes at least every 100 ms: pet at half the period */
		if (watchdog_us > 0 && (t = mono_us()) - petted >= watchdog_us / 2) {
			netdmad_notify("WATCHDOG=1");
			petted = t;
		}
	}
}

int
main(int argc, char **argv)
{
	struct netdmad_conf c;
	struct netdmad_eal_args ea;
	int lock_fd, lfd, ret;

	netdmad_config_defaults(&c);
	ret = netdmad_cmdline(argc, argv, &c, &ea);
	if (ret >= 0)
		return ret;   /* --help, --version, --check-config, or a mistake (said) */
	netdmad_reload_remember(&c);
	/* before EAL: a second daemon must not touch devices or sockets */
	lock_fd = netdmad_socket_lock(&c);
	if (lock_fd < 0)
		return 1;
	/* before EAL starts threads, so that every thread inherits the mask
	 * and SIGTERM/SIGINT reach the signalfd, not the default action */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	if (rte_eal_init(ea.argc, ea.argv) < 0) {
		fprintf(stderr, "netdmad: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		netdmad_explain_eal_failure(ea.argc, ea.argv);
		close(lock_fd);
		return 1;
	}
	netdmad_log_set_level(c.log_level);
	if (netdmad_log_open(&c) < 0) {
		rte_eal_cleanup();
		close(lock_fd);
		return 1;
	}
	if (netdmad_report_environment() < 0) {
		rte_eal_cleanup();
		close(lock_fd);
		return 1;
	}
	netdmad_limits_init(&c);
	netdmad_clients_init(&c);

	ret = 1;
	if (netdmad_engines_start(&c) < 0)
		goto out_lock;
	if (netdmad_pollers_start(&c) < 0)
		goto out_engines;
	netdmad_telemetry_init();
	lfd = netdmad_socket_open(&c);
	if (lfd < 0)
		goto out_pollers;
	ret = serve(&c, lfd, argc, argv) < 0 ? 1 : 0;
	close(lfd);
	unlink(c.socket_path);             /* stop accepting before draining */
	netdmad_clients_shutdown(c.drain_ms);
out_pollers:
	netdmad_pollers_stop();
out_engines:
	netdmad_engines_stop();
out_lock:
	rte_eal_cleanup();
	{
		char path[sizeof(c.socket_path) + 8];

		snprintf(path, sizeof(path), "%s.lock", c.socket_path);
		if (ret == 0)
			unlink(path);
		close(lock_fd);
	}
	DLOG(NOTICE, "exit %d\n", ret);
	return ret;
}
