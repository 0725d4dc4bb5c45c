/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdmad: NetDMA as a shared, isolated service.  The main lcore serves the
 * control socket; polling lcores run the channels.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "netdmad.h"

RTE_LOG_REGISTER_DEFAULT(netdmad_logtype, INFO);

#define DEFAULT_CONFIG "/etc/netdma/netdmad.ini"

static void
usage(const char *prog)
{
	printf("Usage: %s [--config FILE] [options] [-- EAL options]\n"
	       "\n"
	       "Serves NetDMA channels to client processes over a Unix socket.\n"
	       "\n"
	       "  -c, --config FILE      INI configuration (default %s if it exists;\n"
	       "                         built-in defaults otherwise: software engine plus\n"
	       "                         dma_skeleton, no hugepages)\n"
	       "  -s, --socket PATH      control socket (default %s)\n"
	       "  -m, --socket-mode MODE socket permissions, octal (default 0660)\n"
	       "  -p, --pollers LIST     polling lcores, e.g. 1 or 1-3 (default 1)\n"
	       "  -v, --version X.Y      NetDMA version of the providers: 1.1 or 2.0\n"
	       "  -l, --log-level LEVEL  emerg..debug (default info)\n"
	       "  -h, --help             this text\n"
	       "\n"
	       "Options after -- replace the configured EAL arguments.\n"
	       "SIGTERM/SIGINT: stop accepting, tell clients, let in-flight work finish\n"
	       "([shutdown] drain_ms), free everything, remove the socket, exit 0.\n",
	       prog, DEFAULT_CONFIG, NETDMA_DEFAULT_SOCKET);
}

/* Split @p s on blanks into @p argv after argv[0]; @return argc. */
static int
split_args(char *s, char **argv, int max)
{
	int n = 1;
	char *save, *tok;

	for (tok = strtok_r(s, " \t", &save); tok != NULL && n < max - 1; tok = strtok_r(NULL, " \t", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	return n;
}

static int
parse_cmdline(int argc, char **argv, struct netdmad_conf *c, int *eal_from)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "pollers", required_argument, NULL, 'p' },
		{ "version", required_argument, NULL, 'v' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL;
	int ch, n, i;

	/* the config file first: flags override it whatever their order */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc)
			config = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			config = argv[i] + 9;
	if (config == NULL && access(DEFAULT_CONFIG, R_OK) == 0)
		config = DEFAULT_CONFIG;
	if (config != NULL && netdmad_config_load(c, config) < 0)
		return -EINVAL;

	while ((ch = getopt_long(argc, argv, "c:s:m:p:v:l:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c':
			break;
		case 's':
			if (strlen(optarg) >= sizeof(c->socket_path)) {
				fprintf(stderr, "netdmad: socket path too long\n");
				return -EINVAL;
			}
			snprintf(c->socket_path, sizeof(c->socket_path), "%s", optarg);
			break;
		case 'm':
			c->socket_mode = (unsigned int)strtoul(optarg, NULL, 8) & 0777;
			break;
		case 'p':
			n = netdmad_parse_lcores(optarg, c->pollers, NETDMAD_MAX_POLLERS);
			if (n <= 0) {
				fprintf(stderr, "netdmad: bad --pollers '%s'\n", optarg);
				return -EINVAL;
			}
			c->nb_pollers = (unsigned int)n;
			break;
		case 'v':
			if (strcmp(optarg, "1.1") && strcmp(optarg, "2.0") && strcmp(optarg, "1.0")) {
				fprintf(stderr, "netdmad: --version must be 1.0, 1.1 or 2.0\n");
				return -EINVAL;
			}
			c->major = (uint8_t)(optarg[0] - '0');
			c->minor = (uint8_t)(optarg[2] - '0');
			break;
		case 'l':
			n = netdmad_log_level(optarg);
			if (n < 0) {
				fprintf(stderr, "netdmad: bad --log-level '%s'\n", optarg);
				return -EINVAL;
			}
			c->log_level = (uint32_t)n;
			break;
		case 'h':
			return 1;
		default:
			return -EINVAL;
		}
	}
	*eal_from = optind < argc ? optind : argc;
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0) {
		fprintf(stderr, "netdmad: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* Create the socket's directory (e.g. /run/netdma) if it is missing. */
static int
make_socket_dir(const char *socket_path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *slash;

	snprintf(dir, sizeof(dir), "%s", socket_path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "netdmad: cannot create %s: %s\n", dir, strerror(errno));
		return -errno;
	}
	return 0;
}

/* A second daemon on the same socket refuses to start. */
static int
take_lock(const char *socket_path)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	int fd;

	if (make_socket_dir(socket_path) < 0)
		return -EACCES;
	snprintf(path, sizeof(path), "%s.lock", socket_path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		DLOG(ERR, "cannot open lock file %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		DLOG(ERR, "another netdmad already serves %s\n", socket_path);
		close(fd);
		return -EADDRINUSE;
	}
	return fd;
}

static int
open_socket(const struct netdmad_conf *c)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", c->socket_path);
	unlink(a.sun_path);   /* stale: we hold the lock */
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(a.sun_path, c->socket_mode) < 0 ||
	    listen(fd, 64) < 0) {
		DLOG(ERR, "cannot listen on %s: %s\n", c->socket_path, strerror(errno));
		close(fd);
		return -errno;
	}
	return fd;
}

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

static int
serve(const struct netdmad_conf *c, int lfd)
{
	struct epoll_event ev, evs[32];
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

	for (;;) {
		n = epoll_wait(ep, evs, 32, 100);
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL) {
				accept_one(c, ep, lfd);
			} else if (evs[i].data.ptr == &sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == sizeof(si))
					DLOG(NOTICE, "signal %u: shutting down\n", si.ssi_signo);
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
	}
}

int
main(int argc, char **argv)
{
	struct netdmad_conf c;
	char *eal_argv[NETDMAD_MAX_ARGS], eal_buf[sizeof(c.eal_args)];
	int eal_argc, eal_from = argc, lock_fd, lfd, ret, i;

	netdmad_config_defaults(&c);
	ret = parse_cmdline(argc, argv, &c, &eal_from);
	if (ret != 0) {
		usage(argv[0]);
		return ret > 0 ? 0 : 2;
	}
	eal_argv[0] = argv[0];
	if (eal_from < argc) {
		for (eal_argc = 1, i = eal_from; i < argc && eal_argc < NETDMAD_MAX_ARGS - 1; i++)
			eal_argv[eal_argc++] = argv[i];
		eal_argv[eal_argc] = NULL;
	} else {
		snprintf(eal_buf, sizeof(eal_buf), "%s", c.eal_args);
		eal_argc = split_args(eal_buf, eal_argv, NETDMAD_MAX_ARGS);
	}
	/* before EAL: a second daemon must not touch devices or sockets */
	lock_fd = take_lock(c.socket_path);
	if (lock_fd < 0)
		return 1;
	/* before EAL starts threads, so that every thread inherits the mask
	 * and SIGTERM/SIGINT reach the signalfd, not the default action */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "netdmad: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		netdmad_explain_eal_failure(eal_argc, eal_argv);
		close(lock_fd);
		return 1;
	}
	rte_log_set_level(netdmad_logtype, c.log_level);
	rte_log_set_level_pattern("lib.netdma", c.log_level);
	rte_log_set_level_pattern("pmd.netdma*", c.log_level);
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
	lfd = open_socket(&c);
	if (lfd < 0)
		goto out_pollers;
	ret = serve(&c, lfd) < 0 ? 1 : 0;
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
