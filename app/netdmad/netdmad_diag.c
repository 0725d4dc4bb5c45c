/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the machine lacks for hardware engines, said at start with what to
 * do: the IOVA mode (fatal: netdmad hands devices virtual addresses), the
 * IOMMU, vfio-pci, CBDMA channels still bound to the kernel's ioatdma, DSA
 * devices with no work queue for DPDK; and, when EAL cannot start, missing
 * hugepages.  Reads sysfs below $NETDMAD_SYSFS
 * (default /sys), so that the tests can give it a machine of their own.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "netdmad.h"

static const char *
sysfs(void)
{
	const char *root = getenv("NETDMAD_SYSFS");

	return root != NULL && root[0] != '\0' ? root : "/sys";
}

static bool
exists(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", sysfs(), rel);
	return access(path, F_OK) == 0;
}

/* Entries of a sysfs directory whose names start with @p prefix; -1 if none is there. */
static int
count_entries(const char *rel, const char *prefix, char *first, size_t first_len)
{
	char path[512];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", sysfs(), rel);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (n++ == 0 && first != NULL)
			snprintf(first, first_len, "%.63s", e->d_name);
	}
	closedir(d);
	return n;
}

/* CBDMA channels the kernel's ioatdma driver holds: DPDK cannot have them. */
static void
check_cbdma(void)
{
	char dev[64] = "";
	int n = count_entries("bus/pci/drivers/ioatdma", "0000:", dev, sizeof(dev));

	if (n > 0)
		DLOG(NOTICE, "%d CBDMA channel(s) are bound to the kernel's ioatdma driver (e.g. %s): "
		     "for netdmad, dpdk-devbind.py -b vfio-pci %s (and each other one)\n", n, dev, dev);
}

/* DSA devices of the kernel's idxd driver: DPDK takes their work queues named dpdk_*. */
static void
check_dsa(void)
{
	char dev[64] = "";
	int n = count_entries("bus/dsa/devices", "dsa", dev, sizeof(dev));

	if (n <= 0)
		return;
	if (count_entries("bus/dsa/devices", "wq", NULL, 0) <= 0)
		DLOG(NOTICE, "%d DSA device(s) (e.g. %s) have no work queue: accel-config "
		     "config-engine %s/engine0.0 --group-id=0; accel-config config-wq %s/wq0.0 "
		     "--group-id=0 --mode=dedicated --type=user --name=dpdk_netdmad --wq-size=128; "
		     "accel-config enable-device %s; accel-config enable-wq %s/wq0.0 "
		     "(doc/hardware.rst)\n", n, dev, dev, dev, dev, dev);
	DLOG(INFO, "the kernel idxd driver owns DSA devices: DPDK uses their user work queues "
	     "named dpdk_*; for vfio-pci instead, DSA 1.0 (8086:0b25) is on the vfio-pci deny list "
	     "of Linux >= 6.10 (INTEL-SA-01084): modprobe vfio-pci disable_denylist=1\n");
}

/* Hugepages reserved, of every size; -1 when sysfs does not say. */
static long
hugepages_reserved(void)
{
	char path[512], name[64];
	long total = -1, n;
	struct dirent *e;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kernel/mm/hugepages", sysfs());
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "hugepages-", 10) != 0)
			continue;
		snprintf(name, sizeof(name), "%.40s", e->d_name);
		snprintf(path, sizeof(path), "%s/kernel/mm/hugepages/%s/nr_hugepages", sysfs(), name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%ld", &n) == 1)
			total = (total < 0 ? 0 : total) + n;
		fclose(f);
	}
	closedir(d);
	return total;
}

void
netdmad_explain_eal_failure(int argc, char **argv)
{
	bool no_huge = false;
	long reserved;
	int i;

	for (i = 0; i < argc; i++)
		no_huge |= strcmp(argv[i], "--no-huge") == 0;
	if (no_huge)
		return;
	reserved = hugepages_reserved();
	if (reserved == 0)
		fprintf(stderr, "netdmad: [eal] args ask for hugepages and none is reserved: "
			"dpdk-hugepages.py --setup 1G (or echo 512 > /sys/kernel/mm/hugepages/"
			"hugepages-2048kB/nr_hugepages), or add --no-huge to [eal] args "
			"(the software engine and dma_skeleton need none)\n");
	else if (reserved > 0)
		fprintf(stderr, "netdmad: %ld hugepages are reserved: if EAL found none, mount "
			"hugetlbfs (mount -t hugetlbfs nodev /dev/hugepages) or fix --huge-dir\n",
			reserved);
}

int
netdmad_report_environment(void)
{
	bool vfio = exists("module/vfio_pci");
	int groups = count_entries("kernel/iommu_groups", "", NULL, 0);

	/*
	 * A client's descriptors name its memory by the daemon's virtual
	 * addresses, and the engines are handed those: with IOVA as PA a device
	 * would write to whatever physical pages those numbers are.
	 */
	if (rte_eal_iova_mode() != RTE_IOVA_VA) {
		DLOG(ERR, "EAL chose IOVA as PA: netdmad gives devices virtual addresses, so it needs "
		     "IOVA as VA: bind the engines to vfio-pci with the IOMMU on (intel_iommu=on) and "
		     "add --iova-mode=va to [eal] args\n");
		return -ENOTSUP;
	}
	DLOG(INFO, "IOVA mode VA, hugepages %s, vfio-pci %s, IOMMU groups %d\n",
	     rte_eal_has_hugepages() ? "in use" : "not used (--no-huge)",
	     vfio ? "loaded" : "not loaded", groups < 0 ? 0 : groups);
	if (!vfio)
		DLOG(INFO, "no hardware engines: modprobe vfio-pci, then bind I/OAT (CBDMA) or DSA "
		     "functions to it (dpdk-devbind.py -b vfio-pci ...)\n");
	else if (groups <= 0)
		DLOG(NOTICE, "vfio-pci is loaded but there is no IOMMU: enable VT-d and boot with "
		     "intel_iommu=on, or devices cannot be given to userspace safely\n");
	check_cbdma();
	check_dsa();
	return 0;
}
