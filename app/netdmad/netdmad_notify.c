/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telling systemd (Type=notify) how netdmad is: ready once the socket
 * accepts, reloading, stopping, and the watchdog's keep-alive when the unit
 * asks for one (WatchdogSec).  Without libsystemd, or outside systemd
 * (no NOTIFY_SOCKET), every call is a no-op.
 */
#include <stdarg.h>
#include <stdio.h>

#include "netdmad.h"

#ifdef NETDMAD_HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>

static uint64_t watchdog_us;

void
netdmad_notify(const char *fmt, ...)
{
	char state[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	/* 0: not under systemd; < 0: its socket is gone; neither stops the daemon */
	if (sd_notify(0, state) < 0)
		DLOG(DEBUG, "sd_notify(%s) failed\n", state);
}

uint64_t
netdmad_watchdog_us(void)
{
	if (watchdog_us == 0 && sd_watchdog_enabled(0, &watchdog_us) <= 0)
		watchdog_us = UINT64_MAX;
	return watchdog_us == UINT64_MAX ? 0 : watchdog_us;
}
#else
void
netdmad_notify(const char *fmt, ...)
{
	(void)fmt;
}

uint64_t
netdmad_watchdog_us(void)
{
	return 0;
}
#endif
