/* SPDX-License-Identifier: BSD-3-Clause */
/* What /proc says of a process (test_proc.h). */
#include <dirent.h>
#include <stdio.h>

#include "test_proc.h"

int
proc_fd_count(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}
