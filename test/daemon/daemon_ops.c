/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdmad as a service, on real processes: systemd's notify protocol
 * (READY, RELOADING, STOPPING, the watchdog) spoken to a datagram socket
 * of the test's own as NOTIFY_SOCKET; SIGHUP reopening [log] file after a
 * rotation, applying a new [log] level, naming what waits for a restart,
 * and keeping the running configuration when the file has a mistake.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "netdma_client.h"
#include "daemon_util.h"

#define CONFIG_HEAD \
	"[eal]\nargs = -l 0-1 --no-huge --no-shconf --iova-mode=va --no-pci " \
	"--file-prefix=netdma-ops --log-level=lib.eal:error\n" \
	"[engines]\ndmadev = none\n[pollers]\nlcores = 1\n"

static const char *netdmad_bin;

static int
connect_and_copy(void *sock)
{
	if (netdma_client_connect(sock) < 0)
		return 20;
	return copy_once("cpu", 1u << 20, 4096);
}

/* A datagram socket standing for systemd's notify socket at @p path. */
static int
notify_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Wait up to @p ms for a notify message holding @p what; @return true if one came. */
static bool
notified(int fd, const char *what, int ms)
{
	double deadline = now() + ms / 1000.0;
	char msg[512];
	ssize_t n;

	while (now() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			continue;
		msg[n] = '\0';
		if (strstr(msg, what) != NULL)
			return true;
	}
	return false;
}

/* Type=notify: READY once it accepts, RELOADING and READY around SIGHUP, the watchdog, STOPPING. */
static void
t_notify(void)
{
	struct private_daemon d;
	char path[64];
	int fd;

#ifndef NETDMAD_HAVE_LIBSYSTEMD
	fprintf(stderr, "netdmad built without libsystemd (apt-get install libsystemd-dev): "
		"notify not tested\n");
	return;
#endif
	snprintf(path, sizeof(path), "/tmp/netdma-notify-%d", getpid());
	fd = notify_socket(path);
	CU_ASSERT_FATAL(fd >= 0);
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "400000", 1);
	CU_ASSERT_EQUAL(private_daemon_start(&d, netdmad_bin, "notify", CONFIG_HEAD), 0);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	CU_ASSERT(notified(fd, "READY=1", 5000));
	CU_ASSERT(notified(fd, "WATCHDOG=1", 2000));
	kill(d.pid, SIGHUP);
	CU_ASSERT(notified(fd, "RELOADING=1", 5000));
	CU_ASSERT(notified(fd, "READY=1", 5000));
	CU_ASSERT_EQUAL(in_child(connect_and_copy, d.sock), 0);
	kill(d.pid, SIGTERM);
	CU_ASSERT(notified(fd, "STOPPING=1", 5000));
	CU_ASSERT_EQUAL(private_daemon_stop(&d), 0);
	close(fd);
	unlink(path);
}

/* Replace the first line of @p path starting with @p from by @p to (sed-like, whole line). */
static int
edit(const char *path, const char *from, const char *to)
{
	char text[4096], out[4096], *at;

	read_file(path, text, sizeof(text));
	at = strstr(text, from);
	if (at == NULL)
		return -1;
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - text), text, to, at + strcspn(at, "\n"));
	return write_file(path, out);
}

/*
 * SIGHUP: the rotated log is let go and a new one opened; [log] level
 * applies at once; a changed socket mode is named as waiting for a
 * restart; a file with a mistake changes nothing and the daemon serves on;
 * a log file that cannot be opened leaves the log where it was; without
 * [log] file the log goes back to standard error.
 */
static void
t_sighup(void)
{
	struct private_daemon d;
	char config[1024], logf[96], rotated[112];

	snprintf(logf, sizeof(logf), "/tmp/netdma-ops-%d.log", getpid());
	snprintf(rotated, sizeof(rotated), "%s.1", logf);
	unlink(logf);
	unlink(rotated);
	snprintf(config, sizeof(config), CONFIG_HEAD "[socket]\nmode = 0660\n[log]\nlevel = info\n"
		 "file = %s\n", logf);
	CU_ASSERT_EQUAL_FATAL(private_daemon_start(&d, netdmad_bin, "sighup", config), 0);
	CU_ASSERT(file_has(logf, "ready on", true));

	/* logrotate: move the file away, then SIGHUP */
	CU_ASSERT_EQUAL(rename(logf, rotated), 0);
	CU_ASSERT_EQUAL(edit(d.ini, "level = info", "level = debug"), 0);
	CU_ASSERT_EQUAL(edit(d.ini, "mode = 0660", "mode = 0600"), 0);
	kill(d.pid, SIGHUP);
	usleep(500000);
	CU_ASSERT(file_has(rotated, "socket.mode = 0600 waits for a restart", true));
	CU_ASSERT(file_has(logf, "SIGHUP: reloaded, log file reopened, log level debug", true));
	CU_ASSERT_FALSE(file_has(rotated, "log level debug", false));
	/* only what the file changed: not the values start-up resolved (regions = auto) */
	CU_ASSERT_FALSE(file_has(rotated, "limits.regions", false));
	CU_ASSERT_EQUAL(in_child(connect_and_copy, d.sock), 0);
	usleep(200000);
	/* at debug, a channel's allocation is logged */
	CU_ASSERT(file_has(logf, ": channel ", true));
	CU_ASSERT_FALSE(file_has(rotated, ": channel ", false));

	/* a mistake: nothing reloaded, the level stays debug, the daemon serves on */
	CU_ASSERT_EQUAL(edit(d.ini, "level = debug", "level = loud"), 0);
	kill(d.pid, SIGHUP);
	usleep(500000);
	CU_ASSERT(file_has(logf, "has mistakes (above): nothing reloaded", true));
	CU_ASSERT(file_has(logf, "kept the running config, log file reopened, log level debug", true));
	CU_ASSERT_EQUAL(in_child(connect_and_copy, d.sock), 0);

	/* a [log] file that cannot be opened: said, and the log stays where it was */
	CU_ASSERT_EQUAL(edit(d.ini, "level = loud", "level = debug"), 0);
	CU_ASSERT_EQUAL(edit(d.ini, "file = ", "file = /nonexistent-netdma/x.log"), 0);
	kill(d.pid, SIGHUP);
	usleep(500000);
	CU_ASSERT(file_has(logf, "cannot open [log] file /nonexistent-netdma/x.log", true));

	/* no [log] file any more: back to standard error, the daemon serves on */
	CU_ASSERT_EQUAL(edit(d.ini, "file = ", ";"), 0);
	kill(d.pid, SIGHUP);
	usleep(500000);
	CU_ASSERT(file_has(d.log, "SIGHUP: reloaded, log level debug", true));
	CU_ASSERT_EQUAL(in_child(connect_and_copy, d.sock), 0);
	CU_ASSERT_EQUAL(private_daemon_stop(&d), 0);
	unlink(logf);
	unlink(rotated);
}

int
ops_suite_add(const char *bin)
{
	CU_pSuite s = CU_add_suite("netdmad as a service: notify, SIGHUP, logs", NULL, NULL);

	netdmad_bin = bin;
	if (s == NULL ||
	    !CU_add_test(s, "systemd notify: ready, reloading, watchdog, stopping", t_notify) ||
	    !CU_add_test(s, "SIGHUP: log reopened, level applied, restart-only keys named, "
			 "a bad file kept out", t_sighup))
		return -1;
	return 0;
}
