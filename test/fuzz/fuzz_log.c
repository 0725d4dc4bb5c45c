/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's log type.  netdmad_main.c registers it for the daemon; the
 * fuzzers link netdmad_core without main, so they register it here.
 */
#include <rte_log.h>

RTE_LOG_REGISTER_DEFAULT(netdmad_logtype, INFO);
