/* SPDX-License-Identifier: BSD-3-Clause */
/* netdmad: shared pieces of the daemon. */
#ifndef NETDMAD_H
#define NETDMAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include <rte_log.h>
#include <rte_spinlock.h>

#include "netdma.h"
#include "netdma_proto.h"

extern int netdmad_logtype;
#define DLOG(level, ...) rte_log(RTE_LOG_ ## level, netdmad_logtype, "netdmad: " __VA_ARGS__)

#define NETDMAD_MAX_ARGS 64
#define NETDMAD_MAX_POLLERS 64
#define NETDMAD_MAX_CLIENT_REGIONS 64   /* the most [quota] regions may allow */
#define NETDMAD_MAX_BURST 1024          /* the most [engines] burst may say */

#define NETDMAD_MAX_DEVICES 16          /* [dmadev NAME] sections */

/* One [dmadev NAME] section: that device's hardware parameters; 0: the defaults. */
struct netdmad_dev_conf {
	char name[64];                /* rte_dma device name (e.g. 0000:00:04.0, or wq0.0) */
	uint32_t ring_size;           /* descriptors per vchan */
	uint32_t burst;
	uint32_t max_transfer_size;
	uint32_t channels;            /* NetDMA channels over each vchan */
	uint32_t lcore;               /* the polling lcore of its vchans; UINT32_MAX: the first client's */
};

struct netdmad_conf {
	char config_path[256];
	char eal_args[1024];
	bool cpu;
	uint32_t cpu_channels;
	uint32_t cpu_nt_threshold;  /* bytes; 0 = the provider default; UINT32_MAX = never */
	uint32_t cpu_bytes_per_poll; /* bytes one channel copies per poll; 0 = the default */
	uint64_t dmadev_inflight_bytes; /* bytes one channel may have with a device at once */
	uint32_t dmadev_channels;     /* NetDMA channels over each dmadev vchan */
	uint32_t burst;               /* descriptors an engine fetches per poll; 0 = the default */
	uint8_t major, minor;
	char dmadev[512];             /* "all", "none" or a list */
	bool require_dmadev;
	unsigned int pollers[NETDMAD_MAX_POLLERS];
	unsigned int nb_pollers;
	uint32_t spin_polls, max_sleep_us;
	uint32_t park_after_us, park_timeout_ms;   /* 0: the library's defaults */
	uint32_t commands_per_pass;   /* per channel and poller pass */
	char socket_path[108];
	unsigned int socket_mode;
	char socket_group[64];        /* "": the daemon's own group */
	uint32_t socket_gid;          /* socket_group's, resolved when it was set */
	/* [quota]: what one client may hold */
	uint32_t quota_channels;
	uint32_t quota_provider_share; /* % of one provider's channels (at least one) */
	uint32_t quota_regions;
	uint64_t quota_region_bytes;
	/* [limits]: what all clients together may hold (doc/security.rst) */
	uint32_t max_connections;
	uint32_t hello_timeout_ms;
	uint32_t max_regions;         /* 0: what EAL's memseg lists leave free */
	uint64_t max_region_bytes;
	uint32_t log_burst;           /* log lines per client per log_interval_s */
	uint32_t log_interval_s;
	bool hugetlb_regions;         /* accept hugetlbfs memfds: trusted clients only */
	unsigned int drain_ms;
	uint32_t log_level;
	char log_file[256];           /* "": standard error (the journal under systemd) */
	struct netdmad_dev_conf devs[NETDMAD_MAX_DEVICES];
	unsigned int nb_devs;
};

/* The [dmadev NAME] section of device @p name, or NULL. */
const struct netdmad_dev_conf *netdmad_dev_conf(const struct netdmad_conf *c, const char *name);

/*
 * A log budget: at most conf.log_burst lines per log_interval_s, the rest
 * counted, so that no client can flood the log (doc/security.rst).
 */
struct netdmad_ratelimit {
	rte_spinlock_t lock;
	uint64_t window_start;        /* timer cycles */
	uint32_t lines;
	uint64_t suppressed;          /* in the current window */
};

/* Daemon-wide counters (telemetry /netdmad/stats). */
struct netdmad_stats {
	uint64_t connections;         /* accepted and served */
	uint64_t refused_connections; /* over [limits] connections */
	uint64_t refused_emfile;      /* the daemon was out of fds */
	uint64_t hello_timeouts;
	uint64_t suspends_deferred;   /* Suspends acknowledged by a later pass */
	uint64_t log_suppressed;
	uint32_t clients;             /* connected now */
	uint32_t regions;             /* mapped now, dead clients' included */
	uint64_t region_bytes;
	uint32_t max_regions;         /* the cap in force */
};
extern struct netdmad_stats netdmad_stats;

/* netdmad_limits.c */
void netdmad_limits_init(struct netdmad_conf *c);
/* @return true if a line may be logged now; @p who names the source of a "suppressed" line */
bool netdmad_log_allowed(struct netdmad_ratelimit *rl, const char *who);
extern struct netdmad_ratelimit netdmad_global_log;
#define DLOG_LIMITED(rl, who, level, ...) do { \
	if (netdmad_log_allowed((rl), (who))) \
		DLOG(level, __VA_ARGS__); \
	} while (0)
/* snprintf @p fmt into @p why (NETDMA_REASON_MAX bytes); @return @p err */
int netdmad_refuse(char *why, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* netdmad_config.c: one table of keys drives parsing, validation and printing */
int netdmad_config_defaults(struct netdmad_conf *c);
/*
 * Read @p path over @p c: every section and key must be known and every
 * value valid; each mistake is logged naming the file, section, key, value
 * and what is allowed.  @return 0, -EINVAL (mistakes), or -errno (unreadable).
 */
int netdmad_config_load(struct netdmad_conf *c, const char *path);
/*
 * Set [@p section] @p key from a command-line option @p option: the same
 * rule as in a file.  @return 0 or -EINVAL (logged).
 */
int netdmad_config_set(struct netdmad_conf *c, const char *section, const char *key,
		       const char *value, const char *option);
/* Write @p c as an INI file netdmad accepts back: every key, defaults included. */
void netdmad_config_print(const struct netdmad_conf *c, FILE *out);
int netdmad_parse_lcores(const char *s, unsigned int *out, unsigned int max);
int netdmad_log_level(const char *s);
/*
 * netdmad_config_scan.c: the lines of @p path that rte_cfgfile would drop,
 * cut or fail on, each logged.  @return their count, or -errno if unreadable.
 */
int netdmad_config_scan(const char *path);

/* netdmad_log.c: where rte_log lines go ([log] file, or stderr/the journal) */
/* (Re)open the log: the first call gives rte_log its stream; later ones reopen under it. */
int netdmad_log_open(const struct netdmad_conf *c);
void netdmad_log_set_level(uint32_t level);

/* netdmad_notify.c: systemd's Type=notify (no-ops outside systemd) */
void netdmad_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The watchdog period systemd asks for (WatchdogSec), in us; 0: none. */
uint64_t netdmad_watchdog_us(void);

/* netdmad_reload.c: SIGHUP.  Remember the configuration as read, before start-up. */
void netdmad_reload_remember(const struct netdmad_conf *c);
int netdmad_reload(struct netdmad_conf *c, int argc, char **argv);

/* netdmad_words.c: EAL arguments in one string */
/*
 * Split @p s into words as a shell would without expanding anything: blanks
 * separate, '...' keeps everything, "..." keeps all but \" and \\, a
 * backslash outside quotes keeps the next character.  The words go to
 * @p buf (at least strlen(s) + 1 bytes), pointed to by @p words, NULL after
 * the last one.  @return the count, or -EINVAL / -E2BIG with @p why set.
 */
int netdmad_split_words(const char *s, char *buf, char **words, unsigned int max, const char **why);
/* @p w quoted (if it must be) so that netdmad_split_words() gives it back; -ENOSPC if too long. */
int netdmad_quote_word(const char *w, char *out, size_t size);

/* netdmad_socket.c */
/* Before EAL: the socket's directory, the lock (@return its fd), nothing in the way. */
int netdmad_socket_lock(const struct netdmad_conf *c);
/* The listening socket with [socket] mode and group; @return its fd or -errno (logged). */
int netdmad_socket_open(const struct netdmad_conf *c);

/* netdmad_cmdline.c */
/* EAL's arguments: those before --, or [eal] args split. */
struct netdmad_eal_args {
	int argc;
	char *argv[NETDMAD_MAX_ARGS];
	char buf[1024];
};
/*
 * netdmad [EAL options] -- [netdmad options]: fill @p c (config file, then
 * options) and @p ea.  @return -1 to go on and start, else the exit status
 * (0 after --help, --version or a clean --check-config).
 */
int netdmad_cmdline(int argc, char **argv, struct netdmad_conf *c, struct netdmad_eal_args *ea);
/* Apply the options after -- over @p c (the config file's values).  @return 0 or -EINVAL (said). */
int netdmad_cmdline_overrides(int argc, char **argv, struct netdmad_conf *c);

/* netdmad_engines.c */
int netdmad_engines_start(const struct netdmad_conf *c);
void netdmad_engines_stop(void);
/* Log what the engines need of the machine; -ENOTSUP where netdmad cannot run (IOVA as PA). */
int netdmad_report_environment(void);
/* rte_eal_init() failed with these arguments: say what the machine lacks (stderr). */
void netdmad_explain_eal_failure(int argc, char **argv);
int netdmad_dma_map(void *va, uint64_t len, bool map);

/* netdmad_client.c: sessions and channels; netdmad_region.c: their memory */
struct dclient;
struct dchan;
int netdmad_clients_init(const struct netdmad_conf *c);
struct dclient *netdmad_client_new(int fd);
/* Turn a connection away: a BYE with @p err and @p reason, then close. */
void netdmad_refuse_connection(int fd, int err, const char *reason);
/* A client that has not said HELLO within [limits] hello_timeout_ms, or NULL. */
struct dclient *netdmad_client_overdue(void);
/* @return 0, or -errno when the client must be dropped */
int netdmad_client_handle(struct dclient *cl);
void netdmad_client_gone(struct dclient *cl);
int netdmad_client_fd(const struct dclient *cl);
/* free what dead clients left once no engine can write into it */
unsigned int netdmad_reap(void);
void netdmad_clients_shutdown(unsigned int drain_ms);
unsigned int netdmad_client_count(void);

/* netdmad_poll.c: command rings and engines on the polling lcores */
void netdmad_poll_attach(struct dchan *dc);
void netdmad_poll_detach(struct dchan *dc);
/*
 * A channel of a client that left, off every poll set, still holding work:
 * see that its engine gets polled until it lets go (netdmad's pollers poll
 * every engine anyway; netdmad-step polls it here, from the caller).
 */
void netdmad_poll_orphan(struct dchan *dc);
int netdmad_pollers_start(const struct netdmad_conf *c);
void netdmad_pollers_stop(void);
int netdmad_poll_lcore(unsigned int lcore);
int netdmad_dchan_run_commands(struct dchan *dc);

/* netdmad_telemetry.c */
int netdmad_telemetry_init(void);

#endif
