/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where netdmad's rte_log lines go.  One stream for the life of the
 * process, given to rte_log once: rte_log reads its stream without a lock,
 * so a stream swapped (and closed) at SIGHUP could be written by a poller
 * mid-message.  The stream writes to one file descriptor; reopening the
 * log dup2()s the new file over it, which no writer can see half done.
 *
 * With [log] file: that file, appended (reopened on SIGHUP for logrotate).
 * Without it: standard error, each line led by its syslog priority ("<3>")
 * when systemd's journal reads it (JOURNAL_STREAM names it), so that the
 * journal files it under that priority; EAL's own stream, which also
 * writes every line to syslog, would put it in the journal twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rte_log.h>

#include "netdmad.h"

static FILE *log_stream;     /* rte_log's, from the first open to exit */
static int log_fd = -1;      /* what it writes to */
static bool log_prefix;      /* lead each message with <priority> */

/* Is standard error the journal's stream (JOURNAL_STREAM names its device:inode)? */
static bool
journal_on_stderr(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	return js != NULL && sscanf(js, "%lu:%lu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
		st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

/*
 * One rte_log message (the stream is unbuffered: glibc formats a whole
 * vfprintf before one write, on the logging thread, whose message level
 * rte_log_cur_msg_loglevel() gives).
 */
static ssize_t
log_write(void *cookie, const char *buf, size_t size)
{
	char head[8];
	int level = rte_log_cur_msg_loglevel(), n = 0;
	struct iovec iov[2];
	ssize_t ret;

	(void)cookie;
	if (__atomic_load_n(&log_prefix, __ATOMIC_RELAXED)) {
		/* RTE_LOG_EMERG is 1, syslog's LOG_EMERG 0 */
		if (level < (int)RTE_LOG_EMERG || level > (int)RTE_LOG_DEBUG)
			level = RTE_LOG_INFO;
		n = snprintf(head, sizeof(head), "<%d>", level - 1);
	}
	iov[0] = (struct iovec){ .iov_base = head, .iov_len = (size_t)n };
	iov[1] = (struct iovec){ .iov_base = (void *)(uintptr_t)buf, .iov_len = size };
	ret = writev(log_fd, iov, 2);
	return ret < 0 ? -1 : (ssize_t)size;
}

int
netdmad_log_open(const struct netdmad_conf *c)
{
	static const cookie_io_functions_t fns = { .write = log_write };
	bool journal = c->log_file[0] == '\0' && journal_on_stderr();
	int fd, err;

	fd = c->log_file[0] != '\0' ?
		open(c->log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640) :
		fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		err = errno;
		DLOG(ERR, "cannot open [log] file %s: %s (logging goes on where it was)\n",
		     c->log_file, strerror(err));
		return -err;
	}
	if (log_stream == NULL) {
		log_fd = fd;
		log_stream = fopencookie(NULL, "w", fns);
		if (log_stream == NULL) {
			close(fd);
			log_fd = -1;
			return -ENOMEM;
		}
		setvbuf(log_stream, NULL, _IONBF, 0);
		__atomic_store_n(&log_prefix, journal, __ATOMIC_RELAXED);
		rte_openlog_stream(log_stream);
		return 0;
	}
	/* the same descriptor number from now on, the new file under it */
	if (dup2(fd, log_fd) < 0) {
		err = errno;
		close(fd);
		DLOG(ERR, "cannot reopen the log: %s\n", strerror(err));
		return -err;
	}
	close(fd);
	__atomic_store_n(&log_prefix, journal, __ATOMIC_RELAXED);
	return 0;
}

void
netdmad_log_set_level(uint32_t level)
{
	rte_log_set_level(netdmad_logtype, level);
	rte_log_set_level_pattern("lib.netdma", level);
	rte_log_set_level_pattern("pmd.netdma*", level);
}
