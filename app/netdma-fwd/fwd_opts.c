/* SPDX-License-Identifier: BSD-3-Clause */
/* netdma-fwd's own options (after EAL's and --). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd.h"

#ifdef NETDMA_FWD_CLIENT
#define PROG_KIND "through netdmad (libnetdma_client)"
#define PROVIDER_HELP "a provider of netdmad, by name (default cpu)"
#else
#define PROG_KIND "in-process (libnetdma)"
#define PROVIDER_HELP "cpu (default), or a dmadev: dma_skeleton, 0000:00:04.0, ..."
#endif

void
fwd_conf_default(struct fwd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->provider = "cpu";
	c->copy_break_auto = true;
	c->mac_rewrite = true;
	c->burst = 32;
	c->ring_size = 1024;
	c->queue_size = 1024;
	c->rxd = c->txd = 1024;
	c->data_room = 2048;
	c->stats_interval = 1;
}

void
fwd_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
	       "\n"
	       "Forwards packets between ethdev ports in pairs (0<->1, 2<->3; an odd last port\n"
	       "to itself), each packet copied into a fresh mbuf through a NetDMA channel, %s,\n"
	       "or by the CPU under the copy-break; copies leave in arrival order once complete.\n"
	       "\n"
	       "  --provider NAME      %s\n"
#ifdef NETDMA_FWD_CLIENT
	       "  --socket PATH        netdmad's socket (default $NETDMA_SOCKET, else\n"
	       "                       /run/netdma/netdmad.sock)\n"
#endif
	       "  --copy-break B|auto|off\n"
	       "                       packets shorter than B bytes are copied by the CPU, the\n"
	       "                       others by the engine; auto (default) measures both at\n"
	       "                       start; off sends every packet to the engine\n"
	       "  --cpu-only           no channel: the CPU copies every packet (the baseline)\n"
	       "  --on-full stall|drop|cpu\n"
	       "                       a packet for a full channel waits and RX of its port\n"
	       "                       stops (stall, the default with --copy-break off), is\n"
	       "                       dropped and counted, or is copied by the CPU (cpu, the\n"
	       "                       default with a copy-break)\n"
	       "  --on-fault recopy|drop\n"
	       "                       packets an engine halt caught are copied again by the CPU\n"
	       "                       (default) or dropped and counted; never sent half-copied\n"
	       "  --mac-updating       rewrite the MACs: to 02:00:00:00:00:<port>, from the TX\n"
	       "                       port's own (default)\n"
	       "  --no-mac-updating    forward the bytes unchanged\n"
#ifndef NETDMA_FWD_CLIENT
	       "  --service            the channels live on the first service lcore (EAL -s) and\n"
	       "                       an rte_service mapped there drives them; default: the\n"
	       "                       forwarding lcore polls them itself\n"
#endif
	       "  -p, --portmask MASK  ports to use, hexadecimal (default: all)\n"
	       "  --burst N            packets per RX/TX burst, at most %d (default 32)\n"
	       "  --ring N             descriptors per channel, a power of 2 (default 1024)\n"
	       "  --queue N            packets pending per port, a power of 2 (default 1024)\n"
	       "  --rxd N, --txd N     port ring sizes (default 1024)\n"
	       "  --mbufs N            mbufs in the pool (default: enough for the rings and queues)\n"
	       "  --data-room B        packet bytes per mbuf (default 2048; longer frames are\n"
	       "                       chained, one descriptor per segment)\n"
	       "  --stats SECONDS      print counters this often (default 1; 0: only at exit);\n"
	       "                       also served as /netdma_fwd/stats[,PORT] by rte_telemetry\n"
	       "  --max-packets N      stop after receiving N packets, once they are sent\n"
	       "  --time SECONDS       stop after this long (default: at SIGINT/SIGTERM)\n"
	       "  --warmup SECONDS     leave this long out of the rate printed at exit\n"
	       "  --help               this text\n"
	       "\n"
	       "Test and benchmark only:\n"
	       "  --fault-every N      every Nth copy of the in-process engine fails (fault\n"
	       "                       injection: the channel halts, --on-fault applies)\n"
	       "  --mix LIST           trim received packets to these lengths in turn, e.g.\n"
	       "                       64*7,594*4,1518 (net_null sends one size)\n",
	       prog, PROG_KIND, PROVIDER_HELP, FWD_MAX_BURST);
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s || errno != 0)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_secs(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0) || v > 1e7)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "64*7,594*4,1518": each length, repeated COUNT times */
static int
parse_mix(struct fwd_conf *c, const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int ret = 0;

	if (copy == NULL)
		return -ENOMEM;
	c->nb_mix = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL && ret == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		char *star = strchr(tok, '*');
		uint64_t len, count = 1;

		if (star != NULL)
			*star = '\0';
		ret = parse_u64(tok, 1, UINT16_MAX, &len);
		if (ret == 0 && star != NULL)
			ret = parse_u64(star + 1, 1, FWD_MAX_MIX, &count);
		while (ret == 0 && count-- > 0) {
			if (c->nb_mix == FWD_MAX_MIX)
				ret = -E2BIG;
			else
				c->mix[c->nb_mix++] = (uint32_t)len;
		}
	}
	free(copy);
	return ret == 0 && c->nb_mix == 0 ? -EINVAL : ret;
}

static bool
pow2(uint64_t v)
{
	return v >= 2 && (v & (v - 1)) == 0;
}

enum {
	O_PROVIDER = 256, O_SOCKET, O_COPY_BREAK, O_CPU_ONLY, O_ON_FULL, O_ON_FAULT, O_MAC,
	O_NO_MAC, O_SERVICE, O_BURST, O_RING, O_QUEUE, O_RXD, O_TXD, O_MBUFS, O_DATA_ROOM,
	O_STATS, O_MAX_PACKETS, O_TIME, O_WARMUP, O_FAULT_EVERY, O_MIX, O_HELP,
};

static const struct option long_opts[] = {
	{ "provider", required_argument, NULL, O_PROVIDER },
	{ "socket", required_argument, NULL, O_SOCKET },
	{ "copy-break", required_argument, NULL, O_COPY_BREAK },
	{ "cpu-only", no_argument, NULL, O_CPU_ONLY },
	{ "on-full", required_argument, NULL, O_ON_FULL },
	{ "on-fault", required_argument, NULL, O_ON_FAULT },
	{ "mac-updating", no_argument, NULL, O_MAC },
	{ "no-mac-updating", no_argument, NULL, O_NO_MAC },
	{ "service", no_argument, NULL, O_SERVICE },
	{ "portmask", required_argument, NULL, 'p' },
	{ "burst", required_argument, NULL, O_BURST },
	{ "ring", required_argument, NULL, O_RING },
	{ "queue", required_argument, NULL, O_QUEUE },
	{ "rxd", required_argument, NULL, O_RXD },
	{ "txd", required_argument, NULL, O_TXD },
	{ "mbufs", required_argument, NULL, O_MBUFS },
	{ "data-room", required_argument, NULL, O_DATA_ROOM },
	{ "stats", required_argument, NULL, O_STATS },
	{ "max-packets", required_argument, NULL, O_MAX_PACKETS },
	{ "time", required_argument, NULL, O_TIME },
	{ "warmup", required_argument, NULL, O_WARMUP },
	{ "fault-every", required_argument, NULL, O_FAULT_EVERY },
	{ "mix", required_argument, NULL, O_MIX },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

static const char *
opt_name(int opt)
{
	const struct option *o;

	for (o = long_opts; o->name != NULL; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

static int
parse_one(struct fwd_conf *c, int opt, const char *arg)
{
	uint64_t v;
	int ret = 0;

	switch (opt) {
	case O_PROVIDER:
		c->provider = arg;
		break;
	case O_SOCKET:
#ifndef NETDMA_FWD_CLIENT
		fprintf(stderr, "netdma-fwd: --socket: this build runs the engines in-process; "
			"netdma-fwd-client goes through netdmad\n");
		return -EINVAL;
#else
		c->socket = arg;
		break;
#endif
	case O_COPY_BREAK:
		c->copy_break_auto = strcmp(arg, "auto") == 0;
		if (strcmp(arg, "off") == 0)
			c->copy_break = 0;
		else if (!c->copy_break_auto && (ret = parse_u64(arg, 0, UINT32_MAX - 1, &v)) == 0)
			c->copy_break = (uint32_t)v;
		break;
	case O_CPU_ONLY:
		c->cpu_only = true;
		break;
	case O_ON_FULL:
		c->full_set = true;
		if (strcmp(arg, "stall") == 0)
			c->on_full = FWD_FULL_STALL;
		else if (strcmp(arg, "drop") == 0)
			c->on_full = FWD_FULL_DROP;
		else if (strcmp(arg, "cpu") == 0)
			c->on_full = FWD_FULL_CPU;
		else
			ret = -EINVAL;
		break;
	case O_ON_FAULT:
		if (strcmp(arg, "recopy") == 0)
			c->on_fault = FWD_FAULT_RECOPY;
		else if (strcmp(arg, "drop") == 0)
			c->on_fault = FWD_FAULT_DROP;
		else
			ret = -EINVAL;
		break;
	case O_MAC:
	case O_NO_MAC:
		c->mac_rewrite = opt == O_MAC;
		break;
	case O_SERVICE:
#ifdef NETDMA_FWD_CLIENT
		fprintf(stderr, "netdma-fwd-client: --service: netdmad's pollers drive its channels\n");
		return -EINVAL;
#else
		c->service = true;
		break;
#endif
	case 'p':
		ret = parse_u64(arg, 1, UINT64_MAX, &c->portmask);
		break;
	case O_BURST:
		ret = parse_u64(arg, 1, FWD_MAX_BURST, &v);
		c->burst = (uint16_t)v;
		break;
	case O_RING:
	case O_QUEUE:
		ret = parse_u64(arg, 2, 1u << 20, &v);
		if (ret == 0 && !pow2(v))
			ret = -EINVAL;
		*(opt == O_RING ? &c->ring_size : &c->queue_size) = (uint32_t)v;
		break;
	case O_RXD:
	case O_TXD:
		ret = parse_u64(arg, 1, UINT16_MAX, &v);
		*(opt == O_RXD ? &c->rxd : &c->txd) = (uint16_t)v;
		break;
	case O_MBUFS:
		ret = parse_u64(arg, 64, UINT32_MAX, &v);
		c->nb_mbufs = (uint32_t)v;
		break;
	case O_DATA_ROOM:
		ret = parse_u64(arg, 64, UINT16_MAX - RTE_PKTMBUF_HEADROOM, &v);
		c->data_room = (uint16_t)v;
		break;
	case O_STATS:
		ret = parse_u64(arg, 0, 86400, &v);
		c->stats_interval = (uint32_t)v;
		break;
	case O_MAX_PACKETS:
		ret = parse_u64(arg, 1, UINT64_MAX, &c->max_packets);
		break;
	case O_TIME:
		ret = parse_secs(arg, &c->run_time);
		break;
	case O_WARMUP:
		ret = parse_secs(arg, &c->warmup);
		break;
	case O_FAULT_EVERY:
		ret = parse_u64(arg, 1, UINT64_MAX, &c->fault_every);
		break;
	case O_MIX:
		ret = parse_mix(c, arg);
		break;
	default:
		return -EINVAL;
	}
	return ret;
}

int
fwd_parse_args(struct fwd_conf *c, int argc, char **argv)
{
	int opt, ret;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "p:", long_opts, NULL)) != -1) {
		if (opt == O_HELP)
			return 1;
		if (opt == '?') {
			fprintf(stderr, "netdma-fwd: unknown option or missing value: %s (see --help)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
		ret = parse_one(c, opt, optarg);
		if (ret < 0) {
			if (optarg != NULL)
				fprintf(stderr, "netdma-fwd: bad value '%s' for --%s (see --help)\n",
					optarg, opt_name(opt));
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netdma-fwd: unexpected argument '%s' (application options go after "
			"--; see --help)\n", argv[optind]);
		return -EINVAL;
	}
	if (c->cpu_only && c->service) {
		fprintf(stderr, "netdma-fwd: --service drives channels, and --cpu-only has none\n");
		return -EINVAL;
	}
	if (c->warmup > 0 && c->run_time > 0 && c->warmup >= c->run_time) {
		fprintf(stderr, "netdma-fwd: --warmup must be shorter than --time\n");
		return -EINVAL;
	}
	return 0;
}
