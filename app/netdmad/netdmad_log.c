/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where netdmad's rte_log lines go.  With [log] file: that file, appended,
 * reopened on SIGHUP (so that logrotate can move it).  Without it, standard
 * error, each line led by its syslog priority ("<3>...") when systemd's
 * journal reads it (JOURNAL_STREAM set): the journal files the line under
 * that priority, and EAL's default stream, which writes every line to
 * syslog as well as to standard output, would put it in the journal twice.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_log.h>

#include "netdmad.h"

static FILE *log_stream;     /* what rte_log writes to, ours to close */

/* One rte_log message, as the journal's stream protocol wants it. */
static ssize_t
journal_write(void *cookie, const char *buf, size_t size)
{
	int level = rte_log_cur_msg_loglevel();

	(void)cookie;
	/* RTE_LOG_EMERG is 1, syslog's LOG_EMERG 0 */
	if (level < (int)RTE_LOG_EMERG || level > (int)RTE_LOG_DEBUG)
		level = RTE_LOG_INFO;
	fprintf(stderr, "<%d>%.*s", level - 1, (int)size, buf);
	fflush(stderr);
	return (ssize_t)size;
}

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

static FILE *
open_sink(const struct netdmad_conf *c)
{
	static const cookie_io_functions_t journal = { .write = journal_write };
	FILE *f;

	if (c->log_file[0] != '\0') {
		f = fopen(c->log_file, "ae");
		if (f != NULL)
			setvbuf(f, NULL, _IOLBF, 0);
		return f;
	}
	if (journal_on_stderr())
		return fopencookie(NULL, "w", journal);
	return NULL;     /* EAL's own stream */
}

int
netdmad_log_open(const struct netdmad_conf *c)
{
	FILE *f = open_sink(c);

	if (f == NULL && (c->log_file[0] != '\0' || journal_on_stderr())) {
		int err = errno;

		DLOG(ERR, "cannot open [log] file %s: %s\n", c->log_file, strerror(err));
		return -err;
	}
	if (f != NULL && rte_openlog_stream(f) < 0) {
		fclose(f);
		return -EINVAL;
	}
	if (log_stream != NULL)
		fclose(log_stream);
	log_stream = f;
	return 0;
}

void
netdmad_log_close(void)
{
	if (log_stream == NULL)
		return;
	rte_openlog_stream(NULL);
	fclose(log_stream);
	log_stream = NULL;
}

void
netdmad_log_set_level(uint32_t level)
{
	rte_log_set_level(netdmad_logtype, level);
	rte_log_set_level_pattern("lib.netdma", level);
	rte_log_set_level_pattern("pmd.netdma*", level);
}
