/* SPDX-License-Identifier: BSD-3-Clause */
/* Control connection to netdmad: SOCK_SEQPACKET, one request → one reply. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "client_internal.h"
#include "netdma_proto_io.h"

struct client netdma_cl_state = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.fd = -1,
	.timeout_ms = 5000,
	.intr_thread = true,
};

/*
 * The daemon's reason for this thread's last refused request, or ours for a
 * failed connect (longer: it names the socket and the fix).
 */
static __thread char last_reason[NETDMA_REASON_MAX + 256];

const char *
netdma_client_last_error(void)
{
	return last_reason;
}

void
netdma_cl_set_reason(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_reason, sizeof(last_reason), fmt, ap);
	va_end(ap);
}

/* A refusal: remember its reason.  @return its result. */
static int
take_error(const struct netdma_reply_error *e, ssize_t n)
{
	if ((size_t)n >= sizeof(*e))
		netdma_cl_set_reason("%.*s", (int)sizeof(e->reason) - 1, e->reason);
	else
		netdma_cl_set_reason("%s", strerror(-e->r.result));
	return e->r.result;
}

void
netdma_client_set_timeout_ms(unsigned int ms)
{
	netdma_cl_state.timeout_ms = ms ? ms : 5000;
}

void
netdma_cl_hdr(void *msg, uint16_t type, size_t size)
{
	netdma_proto_hdr(msg, type, size, 0);   /* netdma_cl_rpc() numbers it */
}

/* Wait for one message, with at most one fd; -ETIMEDOUT, -ECONNRESET. */
static ssize_t
recv_msg(int fd, void *buf, size_t len, int *recv_fd, unsigned int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int fds[NETDMA_PROTO_MAX_FDS], nfds, i, ret;
	ssize_t n;

	ret = poll(&p, 1, (int)timeout_ms);
	if (ret == 0)
		return -ETIMEDOUT;
	if (ret < 0)
		return -errno;
	n = netdma_proto_recv(fd, buf, len, fds, NETDMA_PROTO_MAX_FDS, &nfds);
	for (i = 0; i < nfds; i++) {
		if (recv_fd != NULL && *recv_fd < 0 && n >= 0)
			*recv_fd = fds[i];
		else
			close(fds[i]);   /* never leak an fd we did not ask for */
	}
	return n;
}

int
netdma_cl_rpc(void *req, size_t req_len, uint16_t type, int send_fd,
	      void *reply, size_t reply_len, int *recv_fd)
{
	/* an error reply may be longer than the success it replaces */
	union netdma_reply_any buf;
	ssize_t n;
	int ret;

	if (recv_fd != NULL)
		*recv_fd = -1;
	pthread_mutex_lock(&netdma_cl_state.lock);
	if (netdma_cl_state.fd < 0 || netdma_cl_state.dead) {
		pthread_mutex_unlock(&netdma_cl_state.lock);
		netdma_cl_set_reason("not connected to netdmad");
		return -ENOTCONN;
	}
	((struct netdma_msg_hdr *)req)->seq = ++netdma_cl_state.seq;
	ret = netdma_proto_send(netdma_cl_state.fd, req, req_len, send_fd);
	/* turned away: the daemon may have said why before it closed */
	if (ret == 0 || ret == -EPIPE || ret == -ECONNRESET) {
		n = recv_msg(netdma_cl_state.fd, &buf, sizeof(buf), recv_fd,
			     ret == 0 ? netdma_cl_state.timeout_ms : 0);
		if (n < 0 && ret == 0)
			ret = (int)n;
		else if (n >= (ssize_t)sizeof(buf.r) && buf.r.h.magic == NETDMA_PROTO_MAGIC &&
			 buf.r.h.type == NETDMA_MSG_BYE)   /* shutting down, or turned away */
			ret = buf.r.result < 0 ? take_error(&buf.e, n) : -ESHUTDOWN;
		else if (ret < 0)
			;
		else if ((size_t)n < sizeof(buf.r) || buf.r.h.magic != NETDMA_PROTO_MAGIC)
			ret = -EPROTO;
		else if (buf.r.h.seq != ((struct netdma_msg_hdr *)req)->seq || buf.r.h.type != type)
			ret = -EPROTO;
		else if (buf.r.result < 0)
			ret = take_error(&buf.e, n);
		else if ((size_t)n < reply_len)
			ret = -EPROTO;
		else
			memcpy(reply, &buf, reply_len);
	}
	if (ret == -ECONNRESET || ret == -EPIPE || ret == -ESHUTDOWN || ret == -ETIMEDOUT ||
	    ret == -EUSERS || ret == -EMFILE)
		netdma_cl_state.dead = true;   /* no half-understood state: reconnect */
	pthread_mutex_unlock(&netdma_cl_state.lock);
	if (ret < 0 && recv_fd != NULL && *recv_fd >= 0) {
		close(*recv_fd);
		*recv_fd = -1;
	}
	return ret;
}

/* Why connect() to @p path failed with @p err, and the fix: the first-run mistakes. */
static void
explain_connect(const char *path, int err)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *slash;
	struct stat st;
	struct group grp, *g = NULL;
	char grbuf[1024];

	switch (err) {
	case ENOENT:
	case ECONNREFUSED:
		netdma_cl_set_reason("no netdmad at %s (%s): start it (systemctl start netdmad, or netdmad "
				     "[EAL options] -- --config FILE), or set NETDMA_SOCKET to its socket",
				     path, err == ENOENT ? "no socket there" :
				     "its socket is left, the daemon is gone");
		break;
	case EACCES:
	case EPERM:
		/* the socket's group, or its directory's when that one keeps us out */
		if (stat(path, &st) < 0) {
			snprintf(dir, sizeof(dir), "%s", path);
			slash = strrchr(dir, '/');
			if (slash != NULL && slash != dir)
				*slash = '\0';
			if (slash == NULL || slash == dir || stat(dir, &st) < 0)
				st.st_gid = (gid_t)-1;
		}
		/* _r: the application may have other threads in getgr*() */
		if (st.st_gid != (gid_t)-1 &&
		    getgrgid_r(st.st_gid, &grp, grbuf, sizeof(grbuf), &g) == 0 && g != NULL)
			netdma_cl_set_reason("permission denied on %s (group %s): join group %s (usermod -aG "
					     "%s USER, then log in again), or run as root", path, g->gr_name,
					     g->gr_name, g->gr_name);
		else
			netdma_cl_set_reason("permission denied on %s: join the group of the socket or "
					     "of its directory ([socket] group of netdmad), or run as root",
					     path);
		break;
	default:
		netdma_cl_set_reason("cannot connect to %s: %s", path, strerror(err));
		break;
	}
}

int
netdma_client_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct netdma_msg_hello m;
	struct netdma_reply_hello r;
	int fd, ret;

	if (path == NULL)
		path = getenv("NETDMA_SOCKET");
	if (path == NULL)
		path = NETDMA_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(a.sun_path)) {
		netdma_cl_set_reason("socket path over %zu characters: %s", sizeof(a.sun_path) - 1, path);
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		ret = -errno;
		close(fd);
		explain_connect(path, -ret);
		return ret;
	}
	pthread_mutex_lock(&netdma_cl_state.lock);
	if (netdma_cl_state.fd >= 0)
		close(netdma_cl_state.fd);
	netdma_cl_state.fd = fd;
	netdma_cl_state.dead = false;
	pthread_mutex_unlock(&netdma_cl_state.lock);

	netdma_cl_hdr(&m, NETDMA_MSG_HELLO, sizeof(m));
	m.min_version = NETDMA_PROTO_VERSION;
	m.max_version = NETDMA_PROTO_VERSION;
	m.pid = (uint32_t)getpid();
	snprintf(m.name, sizeof(m.name), "%s", program_invocation_short_name);
	ret = netdma_cl_rpc(&m, sizeof(m), NETDMA_MSG_HELLO, -1, &r, sizeof(r), NULL);
	if (ret < 0) {
		netdma_client_disconnect();
		return ret;
	}
	netdma_cl_state.version = r.version;
	return 0;
}

bool
netdma_cl_alive(void)
{
	struct pollfd p = { .fd = netdma_cl_state.fd, .events = POLLRDHUP };

	if (netdma_cl_state.fd < 0 || netdma_cl_state.dead)
		return false;
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR)))
		netdma_cl_state.dead = true;   /* killed or gone: nothing will answer */
	return !netdma_cl_state.dead;
}

int
netdma_cl_ensure(void)
{
	if (netdma_cl_state.fd >= 0 && !netdma_cl_state.dead)
		return 0;
	if (netdma_cl_state.dead)
		return -ECONNRESET;   /* the daemon went away: tell, don't hide it */
	return netdma_client_connect(NULL);
}

void
netdma_client_disconnect(void)
{
	struct client_region *r, *next;

	/* a DPC reads its channel's ring: none may run once the memory goes */
	netdma_cl_intr_unwatch_all();
	pthread_mutex_lock(&netdma_cl_state.lock);
	if (netdma_cl_state.fd >= 0)
		close(netdma_cl_state.fd);
	netdma_cl_state.fd = -1;
	netdma_cl_state.dead = false;
	/* off the list, then no check may keep a window on it, then unmapped */
	r = netdma_cl_state.regions;
	__atomic_store_n(&netdma_cl_state.regions, NULL, __ATOMIC_RELEASE);
	netdma_cl_check_forget_all();
	for (; r != NULL; r = next) {
		next = r->next;
		netdma_cl_region_del(r);
	}
	pthread_mutex_unlock(&netdma_cl_state.lock);
}
