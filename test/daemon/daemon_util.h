/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the netdmad end-to-end tests (daemon_util.c). */
#ifndef NETDMA_DAEMON_UTIL_H
#define NETDMA_DAEMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "test_proc.h"

double now(void);
/* Run argv[0] with @p argv, stdout and stderr to @p log; @return its pid. */
pid_t netdmad_spawn(char *const argv[], const char *log);
/* The same, waited for (60 s at most); @return its exit status, or -1. */
int netdmad_run(char *const argv[], const char *log);
/* Wait until netdmad @p pid accepts on @p path; @return @p pid, or -1 (then it is gone). */
pid_t daemon_wait_up(pid_t pid, const char *path);
/* Start netdmad on @p config with socket @p path; wait until it accepts. */
pid_t daemon_start(const char *netdmad_bin, const char *config, const char *path, const char *log);
/* SIGTERM and wait; @return the exit status, or -1 if it had to be killed. */
int daemon_stop(pid_t pid);
/* A verified copy through a fresh channel; @return 0 or a failure code. */
int copy_once(const char *provider, size_t size, uint32_t desc);
/* Run @p fn in a child process; @return its exit status or -1. */
int in_child(int (*fn)(void *), void *arg);

/* Write @p text as the whole of @p path; @return 0 or -1. */
int write_file(const char *path, const char *text);
/* The start of @p path (@p size - 1 bytes at most), NUL-terminated; "" if unreadable. */
char *read_file(const char *path, char *buf, size_t size);
/* Does @p path hold @p what?  With @p say, shows what it holds when it does not. */
bool file_has(const char *path, const char *what, bool say);

/* Resident set of process @p pid in KiB (VmRSS of /proc/PID/status); -1 if unreadable. */
long proc_rss_kib(pid_t pid);

/* A netdmad of a suite's own, in a fresh temporary directory. */
struct private_daemon {
	char dir[64];
	char sock[96];          /* its control socket */
	char ini[96];           /* its configuration */
	char log[96];           /* its stdout and stderr */
	pid_t pid;
};
/* Make @p d's directory (/tmp/netdmad-TAG-XXXXXX) and name its files; start nothing.  @return 0 or -1. */
int private_dir_make(struct private_daemon *d, const char *tag);
/* Remove @p d's directory and all in it.  @return 0, or 1 (a CUnit suite cleanup's result). */
int private_dir_remove(const struct private_daemon *d);
/*
 * Make the directory (/tmp/netdmad-TAG-XXXXXX), write @p config as the
 * daemon's whole configuration and start netdmad on it.  @return 0 or -1.
 */
int private_daemon_start(struct private_daemon *d, const char *netdmad_bin, const char *tag,
			 const char *config);
/*
 * SIGTERM it and wait; on a failure, show the end of its log; remove the
 * directory.  @return 0 if it exited 0 and all went away, else 1 (a CUnit
 * suite cleanup's result).
 */
int private_daemon_stop(struct private_daemon *d);

/* daemon_cli.c: netdmad's command line and config validation */
int cli_suite_add(const char *netdmad_bin);
/* daemon_firstrun.c: the first-run mistakes (socket path, group, rights, errors) */
int firstrun_suite_add(const char *netdmad_bin);
/* daemon_ops.c: notify, SIGHUP and logs, as under systemd */
int ops_suite_add(const char *netdmad_bin);
/* daemon_park.c: the parking suite, on a daemon of its own */
int park_suite_add(const char *netdmad_bin);
/* daemon_hostile.c: hostile clients, on a daemon of their own */
int hostile_suite_add(const char *netdmad_bin);
/* daemon_starve.c: no client starves another of its poller */
int starve_suite_add(const char *netdmad_bin);
/* daemon_telemetry.c: 200 channels and 21 providers, read through dpdk-telemetry.py */
int telemetry_suite_add(const char *netdmad_bin);

#endif
