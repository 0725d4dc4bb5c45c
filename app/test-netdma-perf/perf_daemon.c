/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon cases, run from the parent process (which never starts EAL):
 * a netdmad on a configuration written from the case, netdma-perf-client
 * against it, the figures read back from the client's output; for
 * NETDMA_CLIENT_IDLE, the daemon's memory and CPU read from /proc while
 * its channels sit idle.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "perf.h"

struct daemon {
	char dir[64];
	char socket[128];
	char log[128];
	pid_t pid;
};

static bool
executable(const char *path)
{
	return access(path, X_OK) == 0;
}

/* Beside our own binary: the build tree (app/netdmad/) or an install (bindir). */
int
perf_tools_find(struct perf_tools *t, const char *netdmad_override)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -errno;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash != NULL)
		*slash = '\0';
	snprintf(t->client, sizeof(t->client), "%s/netdma-perf-client", self);
	if (netdmad_override != NULL)
		snprintf(t->netdmad, sizeof(t->netdmad), "%s", netdmad_override);
	else {
		snprintf(t->netdmad, sizeof(t->netdmad), "%s/../netdmad/netdmad", self);
		if (!executable(t->netdmad))
			snprintf(t->netdmad, sizeof(t->netdmad), "%s/netdmad", self);
	}
	if (!executable(t->client) || !executable(t->netdmad)) {
		fprintf(stderr, "test-netdma-perf: client cases need %s and %s (or --netdmad PATH)\n",
			t->client, t->netdmad);
		return -ENOENT;
	}
	return 0;
}

/* netdmad's configuration for this case: its pollers, its engines, a private socket. */
static int
write_config(const struct perf_case *c, const struct daemon *d, const char *path)
{
	FILE *f = fopen(path, "w");
	char pollers[128] = "", dmadevs[256] = "";
	uint64_t seen = 0;
	bool cpu = false;
	unsigned int i;
	uint32_t chans = c->type == PERF_NETDMA_CLIENT_IDLE ? c->channels : c->nb_workers;

	if (f == NULL)
		return -errno;
	for (i = 0; i < c->nb_workers; i++) {
		const struct perf_worker_conf *w = &c->workers[i];
		size_t len;

		if (!(seen & (1ull << w->lcore))) {
			len = strlen(pollers);
			snprintf(pollers + len, sizeof(pollers) - len, "%s%u", len ? "," : "", w->lcore);
			seen |= 1ull << w->lcore;
		}
		if (strcmp(w->dev, "cpu") == 0) {
			cpu = true;
		} else if (strstr(dmadevs, w->dev) == NULL) {
			len = strlen(dmadevs);
			snprintf(dmadevs + len, sizeof(dmadevs) - len, "%s%s", len ? "," : "", w->dev);
		}
	}
	fprintf(f, "; written by test-netdma-perf for case %u\n"
		"[eal]\nargs = %s\n"
		"[engines]\ncpu = %s\ncpu_channels = %u\nversion = 2.0\ndmadev = %s\nrequire_dmadev = %s\n"
		"[pollers]\nlcores = %s\n"
		"[socket]\npath = %s\nmode = 0600\n"
		/* one client, the benchmark: everything the daemon has is its share */
		"[quota]\nchannels = %u\nprovider_share = 100\nregions = 64\nregion_bytes = %llu\n"
		"[limits]\nregion_bytes = %llu\n"
		"[shutdown]\ndrain_ms = 2000\n"
		"[log]\nlevel = warning\n",
		c->id, c->eal_args, cpu ? "on" : "off", chans < 4 ? 4 : chans,
		dmadevs[0] ? dmadevs : "none", dmadevs[0] ? "yes" : "no", pollers, d->socket,
		chans + 1, (unsigned long long)c->mem_size_mb * 2 * (1ull << 20) + (256ull << 20),
		(unsigned long long)c->mem_size_mb * 2 * (1ull << 20) + (256ull << 20));
	return fclose(f) == 0 ? 0 : -errno;
}

static void
show_log(const struct daemon *d)
{
	char line[512];
	FILE *f = fopen(d->log, "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		fprintf(stderr, "  netdmad: %s", line);
	fclose(f);
}

static void
daemon_stop(struct daemon *d)
{
	char path[160];
	int st = 0;

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "test-netdma-perf: netdmad did not exit cleanly (status 0x%x)\n", st);
			show_log(d);
		}
	}
	snprintf(path, sizeof(path), "%s/netdmad.ini", d->dir);
	unlink(path);
	unlink(d->log);
	snprintf(path, sizeof(path), "%s.lock", d->socket);
	unlink(path);
	unlink(d->socket);
	rmdir(d->dir);
}

static int
daemon_start(const struct perf_case *c, const struct perf_tools *t, struct daemon *d)
{
	char ini[160];
	int i, fd, ret;

	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/netdma-perf.XXXXXX");
	if (mkdtemp(d->dir) == NULL)
		return -errno;
	snprintf(d->socket, sizeof(d->socket), "%s/netdmad.sock", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/netdmad.log", d->dir);
	snprintf(ini, sizeof(ini), "%s/netdmad.ini", d->dir);
	ret = write_config(c, d, ini);
	if (ret < 0)
		goto fail;
	fflush(stdout);
	d->pid = fork();
	if (d->pid < 0) {
		ret = -errno;
		goto fail;
	}
	if (d->pid == 0) {
		fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execl(t->netdmad, "netdmad", "--", "--config", ini, (char *)NULL);
		_exit(127);
	}
	/* up when the socket exists; up to 20 s (EAL start on a loaded machine) */
	for (i = 0; i < 2000; i++) {
		int st;

		if (access(d->socket, F_OK) == 0)
			return 0;
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			break;
		}
		usleep(10000);
	}
	fprintf(stderr, "test-netdma-perf: case %u: netdmad did not come up\n", c->id);
	show_log(d);
	ret = -ECHILD;
fail:
	daemon_stop(d);
	return ret;
}

/* Run the client with its stdout (and, for the idle probe, stdin) on pipes. */
static pid_t
client_spawn(const struct perf_tools *t, char *const argv[], FILE **out, FILE **in)
{
	int o[2], i[2];
	pid_t pid;

	if (pipe(o) < 0)
		return -errno;
	if (pipe(i) < 0) {
		close(o[0]);
		close(o[1]);
		return -errno;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(o[1], STDOUT_FILENO);
		dup2(i[0], STDIN_FILENO);
		close(o[0]);
		close(o[1]);
		close(i[0]);
		close(i[1]);
		execv(t->client, argv);
		_exit(127);
	}
	close(o[1]);
	close(i[0]);
	*out = fdopen(o[0], "r");
	*in = fdopen(i[1], "w");
	return pid;
}

static int
client_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

/*
 * The "result" lines of one client process, its worker i being the case's
 * worker @p first + i.  @return how many were read.
 */
static unsigned int
read_results(FILE *out, const struct perf_case *c, unsigned int first, unsigned int n,
	     struct perf_result *res)
{
	char line[512];
	unsigned int got = 0;

	while (fgets(line, sizeof(line), out) != NULL) {
		struct perf_result *r;
		unsigned int w, verified;
		int err;

		if (strncmp(line, "result ", 7) != 0 || sscanf(line, "result worker=%u", &w) != 1 ||
		    w >= n)
			continue;
		r = &res[first + w];
		if (sscanf(line, "result worker=%*u ops=%" SCNu64 " secs=%lf nr_buf=%u p50=%lf p99=%lf "
			   "p999=%lf verified=%u error=%d", &r->ops, &r->secs, &r->nr_buf, &r->p50_us,
			   &r->p99_us, &r->p999_us, &verified, &err) == 8) {
			r->verified = verified != 0;
			r->has_lat = true;
			r->error = err;
			r->lcore = c->workers[first + w].lcore;
			snprintf(r->dev, sizeof(r->dev), "%s", c->workers[first + w].dev);
			got++;
		}
	}
	return got;
}

int
perf_run_client_scenario(const struct perf_case *c, uint32_t bs, bool smoke,
			 const struct perf_tools *t, struct perf_result *res)
{
	char buf_s[16], mem_s[16], chain_s[16], secs_s[32], workers_s[16], stride_s[32], off_s[32];
	uint32_t stride, data_off;
	char lcores[PERF_MAX_WORKERS][128];
	char *argv[32];
	unsigned int i, got = 0, procs = c->client_processes ? c->nb_workers : 1;
	uint32_t mem_mb = smoke && c->mem_size_mb > 8 ? 8 : c->mem_size_mb;
	FILE *out[PERF_MAX_WORKERS], *in;
	pid_t pids[PERF_MAX_WORKERS];
	struct daemon d;
	int ret, argc, lcores_arg, err = 0;

	if (c->src_numa >= 0 || c->dst_numa >= 0)
		fprintf(stderr, "test-netdma-perf: case %u: src/dst_numa_node do not apply: a client's "
			"memfd pages land where its threads first touch them (client_cpus=)\n", c->id);
	ret = daemon_start(c, t, &d);
	if (ret < 0)
		return ret;
	/* one process with every worker, or (client_processes) one process per worker */
	for (i = 0; i < procs; i++) {
		unsigned int w, from = procs > 1 ? i : 0, to = procs > 1 ? i + 1 : c->nb_workers;

		lcores[i][0] = '\0';
		for (w = from; w < to; w++) {
			size_t len = strlen(lcores[i]);

			snprintf(lcores[i] + len, sizeof(lcores[i]) - len, "%s%u", w > from ? "," : "",
				 c->workers[w].lcore);
		}
	}
	snprintf(buf_s, sizeof(buf_s), "%u", bs);
	snprintf(mem_s, sizeof(mem_s), "%u", mem_mb / procs > 0 ? mem_mb / procs : 1);
	snprintf(chain_s, sizeof(chain_s), "%u", c->chain);
	snprintf(secs_s, sizeof(secs_s), "%.3f", smoke ? 0.05 : c->test_seconds);
	snprintf(workers_s, sizeof(workers_s), "%u", procs > 1 ? 1 : c->nb_workers);
	argc = 0;
	argv[argc++] = (char *)(uintptr_t)"netdma-perf-client";
	argv[argc++] = (char *)(uintptr_t)"--socket";
	argv[argc++] = d.socket;
	argv[argc++] = (char *)(uintptr_t)"--provider";
	argv[argc++] = (char *)(uintptr_t)c->workers[0].dev;
	argv[argc++] = (char *)(uintptr_t)"--buf-size";
	argv[argc++] = buf_s;
	argv[argc++] = (char *)(uintptr_t)"--mem-mb";
	argv[argc++] = mem_s;
	argv[argc++] = (char *)(uintptr_t)"--chain";
	argv[argc++] = chain_s;
	argv[argc++] = (char *)(uintptr_t)"--seconds";
	argv[argc++] = secs_s;
	argv[argc++] = (char *)(uintptr_t)"--workers";
	argv[argc++] = workers_s;
	argv[argc++] = (char *)(uintptr_t)"--lcores";
	lcores_arg = argc;
	argv[argc++] = lcores[0];
	if (c->client_cpus[0] != '\0') {
		argv[argc++] = (char *)(uintptr_t)"--cpus";
		argv[argc++] = (char *)(uintptr_t)c->client_cpus;
	}
	if (c->cache_flush)
		argv[argc++] = (char *)(uintptr_t)"--cache-flush";
	/* no mempool there: the mbufs' geometry, computed here (perf_bufs.h) */
	if (!c->contiguous && perf_mbuf_geometry(bs, &stride, &data_off) == 0) {
		snprintf(stride_s, sizeof(stride_s), "--stride=%u", stride);
		snprintf(off_s, sizeof(off_s), "--data-offset=%u", data_off);
		argv[argc++] = stride_s;
		argv[argc++] = off_s;
	}
	argv[argc] = NULL;

	for (i = 0; i < procs; i++) {
		argv[lcores_arg] = lcores[i];
		pids[i] = client_spawn(t, argv, &out[i], &in);
		if (pids[i] < 0) {
			err = (int)pids[i];
			break;
		}
		fclose(in);
	}
	procs = i;   /* the ones that run */
	for (i = 0; i < procs; i++) {
		got += read_results(out[i], c, procs > 1 ? i : 0, procs > 1 ? 1 : c->nb_workers, res);
		fclose(out[i]);
	}
	for (i = 0; i < procs; i++) {
		ret = client_wait(pids[i]);
		if (ret < 0 && err == 0)
			err = ret;
	}
	daemon_stop(&d);
	if (err == 0 && got != c->nb_workers)
		err = -EIO;
	return err;
}

/* ns the thread (or process) @p path ran, from its schedstat. */
static uint64_t
run_ns(const char *path)
{
	unsigned long long ns = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

/* The first CPU thread @p tid may run on: a polling lcore is pinned to one. */
static int
thread_cpu(pid_t tid)
{
	cpu_set_t set;
	int i;

	if (sched_getaffinity(tid, sizeof(set), &set) < 0)
		return -1;
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			return i;
	return -1;
}

/*
 * CPU time so far of the daemon's threads whose name starts with @p prefix
 * (EAL names its polling lcores lcore-worker-N), or of all of them.
 */
static uint64_t
threads_ns(pid_t pid, const char *prefix, int *cpu)
{
	char dir[64], path[400], comm[64];
	struct dirent *e;
	uint64_t sum = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	dp = opendir(dir);
	if (dp == NULL)
		return 0;
	while ((e = readdir(dp)) != NULL) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    (prefix == NULL || strncmp(comm, prefix, strlen(prefix)) == 0)) {
			snprintf(path, sizeof(path), "%s/%s/schedstat", dir, e->d_name);
			sum += run_ns(path);
			if (cpu != NULL)
				*cpu = thread_cpu((pid_t)atoi(e->d_name));
		}
		fclose(f);
	}
	closedir(dp);
	return sum;
}

static double
status_kib(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	double v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			v = atof(line + klen + 1);
	fclose(f);
	return v;
}

static double
mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct sleeper {
	int efd;
	int cpu;
	volatile int woke;
};

static void *
sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	struct pollfd p = { .fd = s->efd, .events = POLLIN };
	uint64_t v;

	if (s->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(s->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	while (poll(&p, 1, -1) >= 0) {
		if (read(s->efd, &v, sizeof(v)) != sizeof(v))
			continue;
		if (v > 1)
			break;   /* told to go */
		__atomic_store_n(&s->woke, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/*
 * The platform's own floor for the first request: a thread blocked on an
 * eventfd on the poller's CPU, woken after the same quiet spell, the time
 * until it runs.  Median of three.  A parked poller cannot wake faster.
 */
static double
wake_floor_us(int cpu, int waker_cpu, unsigned int quiet_ms)
{
	struct sleeper s = { .cpu = cpu };
	double v[3], t;
	uint64_t one = 1, bye = 2;
	cpu_set_t saved, set;
	pthread_t tid;
	int i;

	/* wake it from where the client ran, as the client's doorbell does */
	sched_getaffinity(0, sizeof(saved), &saved);
	if (waker_cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(waker_cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}

	s.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s.efd < 0 || pthread_create(&tid, NULL, sleeper_main, &s) != 0)
		return 0;
	for (i = 0; i < 3; i++) {
		usleep(quiet_ms * 1000u);
		s.woke = 0;
		t = mono();
		if (write(s.efd, &one, sizeof(one)) < 0)
			break;
		while (!__atomic_load_n(&s.woke, __ATOMIC_ACQUIRE))
			;
		v[i] = (mono() - t) * 1e6;
	}
	if (write(s.efd, &bye, sizeof(bye)) < 0)
		pthread_cancel(tid);
	pthread_join(tid, NULL);
	close(s.efd);
	sched_setaffinity(0, sizeof(saved), &saved);
	if (i < 3)
		return 0;
	/* the median of three */
	if ((v[0] <= v[1]) == (v[1] <= v[2]))
		return v[1];
	if ((v[1] <= v[0]) == (v[0] <= v[2]))
		return v[0];
	return v[2];
}

int
perf_run_idle_probe(const struct perf_case *c, bool smoke, const struct perf_tools *t,
		    struct perf_idle_result *res)
{
	char chans[16], line[256];
	char *argv[10];
	struct daemon d;
	uint64_t p0, p1, a0, a1;
	int poller_cpu = -1;
	double t0, t1;
	unsigned int verified = 0;
	FILE *out, *in;
	pid_t pid;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = daemon_start(c, t, &d);
	if (ret < 0)
		return ret;
	snprintf(chans, sizeof(chans), "%u", c->channels);
	argv[0] = (char *)(uintptr_t)"netdma-perf-client";
	argv[1] = (char *)(uintptr_t)"--socket";
	argv[2] = d.socket;
	argv[3] = (char *)(uintptr_t)"--provider";
	argv[4] = (char *)(uintptr_t)c->workers[0].dev;
	argv[5] = (char *)(uintptr_t)"--idle";
	argv[6] = chans;
	argv[7] = NULL;
	if (c->client_cpus[0] != '\0') {
		argv[7] = (char *)(uintptr_t)"--cpus";
		argv[8] = (char *)(uintptr_t)c->client_cpus;
		argv[9] = NULL;
	}
	pid = client_spawn(t, argv, &out, &in);
	if (pid < 0) {
		daemon_stop(&d);
		return (int)pid;
	}
	ret = -EIO;
	if (fgets(line, sizeof(line), out) == NULL || sscanf(line, "idle channels=%u", &res->channels) != 1)
		goto out;
	/* the quiet spell, then one second of the daemon at rest */
	usleep(smoke ? 50000 : c->quiet_ms * 1000u);
	t0 = mono();
	p0 = threads_ns(d.pid, "rte-worker", &poller_cpu);
	a0 = threads_ns(d.pid, NULL, NULL);
	usleep(smoke ? 100000 : 1000000);
	p1 = threads_ns(d.pid, "rte-worker", NULL);
	a1 = threads_ns(d.pid, NULL, NULL);
	t1 = mono();
	res->poller_cpu_pct = (double)(p1 - p0) / 1e9 / (t1 - t0) * 100;
	res->process_cpu_pct = (double)(a1 - a0) / 1e9 / (t1 - t0) * 100;
	res->rss_mib = status_kib(d.pid, "VmRSS") / 1024;
	res->shmem_mib = status_kib(d.pid, "RssShmem") / 1024;
	res->anon_mib = (status_kib(d.pid, "RssAnon") + status_kib(d.pid, "RssFile")) / 1024;
	fputs("go\n", in);
	fflush(in);
	if (fgets(line, sizeof(line), out) != NULL &&
	    sscanf(line, "first_us=%lf verified=%u", &res->first_us, &verified) == 2) {
		res->verified = verified != 0;
		ret = 0;
	}
out:
	fclose(in);
	fclose(out);
	if (client_wait(pid) < 0)
		ret = -EIO;
	daemon_stop(&d);
	if (ret == 0)
		res->wake_floor_us = wake_floor_us(poller_cpu,
						   c->client_cpus[0] != '\0' ? atoi(c->client_cpus) : -1,
						   smoke ? 50 : c->quiet_ms);
	return ret;
}
