/* Per-client connection cap in accept(): see clientcap.h. */
#include "clientcap.h"

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "log.h"
#include "ratelimit.h"

/* Refusals are logged once per client per window. */
#define REFUSAL_LOG_MS (60 * 1000)
#define REFUSAL_LOG_SLOTS 64

/* accept() has no context argument: the cap lives here, set while civetweb
 * is stopped. max 0: no cap. */
static struct {
    int max;
    struct cc_ratelimit *refusals;
} cap;

int srv_clientcap_start(const struct cc_config *cfg)
{
    if (cfg->max_client_conns <= 0)
        return 0;
    int rc = cc_ratelimit_new(REFUSAL_LOG_SLOTS, UINT32_MAX, REFUSAL_LOG_MS, NULL, &cap.refusals);
    if (rc == 0)
        cap.max = cfg->max_client_conns;
    return rc;
}

void srv_clientcap_stop(void)
{
    cap.max = 0;
    cc_ratelimit_free(cap.refusals);
    cap.refusals = NULL;
}

static int port_of(const struct sockaddr_storage *sa)
{
    if (sa->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)sa)->sin_port);
    if (sa->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    return -1;
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->ss_family == AF_INET6)
        return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
    return false;
}

/* Whether fd is a connection from host to local port port. */
static bool is_from(int fd, const struct sockaddr_storage *host, int port)
{
    struct sockaddr_storage peer, self;
    socklen_t plen = sizeof(peer), slen = sizeof(self);
    return getsockname(fd, (struct sockaddr *)&self, &slen) == 0 && port_of(&self) == port &&
           getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 && same_host(&peer, host);
}

/* The process's connections from host to port, other than except; -errno
 * when /proc cannot be read. Workers may close descriptors meanwhile: the
 * count is what was open while it ran. */
static int count_from(const struct sockaddr_storage *host, int port, int except)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -errno;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end || end == e->d_name || fd == except || fd == dirfd(d))
            continue;
        n += is_from((int)fd, host, port);
    }
    closedir(d);
    return n;
}

static void log_refusal(const struct sockaddr_storage *host)
{
    char name[INET6_ADDRSTRLEN] = "?";
    const void *a = host->ss_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)host)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)host)->sin_addr;
    inet_ntop(host->ss_family, a, name, sizeof(name));
    uint32_t n = cc_ratelimit_fail(cap.refusals, name);
    if (n)
        cc_warn("%s: refused %u connection%s over max_client_conns (%d)", name, n,
                n == 1 ? "" : "s", cap.max);
}

/* Whether the new connection c on the listening socket fd is one too many
 * for its client. When in doubt (/proc unreadable) it is let in. */
static bool over_cap(int fd, int c)
{
    struct sockaddr_storage self, peer;
    socklen_t slen = sizeof(self), plen = sizeof(peer);
    if (getsockname(fd, (struct sockaddr *)&self, &slen) < 0 ||
        getpeername(c, (struct sockaddr *)&peer, &plen) < 0 ||
        (peer.ss_family != AF_INET && peer.ss_family != AF_INET6))
        return false;
    int n = count_from(&peer, port_of(&self), c);
    if (n < cap.max)
        return false;
    log_refusal(&peer);
    return true;
}

/* Replaces libc's accept() for the whole process (see clientcap.h); the
 * prototype is <sys/socket.h>'s. */
int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    int c = accept4(fd, addr, len, 0);
    if (c < 0 || cap.max <= 0)
        return c;
    int saved = errno;
    if (over_cap(fd, c)) {
        /* Ours until returned: closing it is the refusal (the client
         * sees the connection end before any answer). */
        close(c);
        errno = ECONNABORTED;
        return -1;
    }
    errno = saved;
    return c;
}
