/*
 * fault_proxy.c - see fault_proxy.h. One thread, poll(), blocking sends on loopback.
 */
#include "fault_proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FP_MAX_PAIRS 16

enum { CUT_NONE = 0, CUT_TIME, CUT_BYTES };

typedef struct {
    int used;
    int cfd;          /* client side */
    int ufd;          /* upstream side, -1 for a black hole */
    int cut;          /* CUT_* */
    int rst;          /* cut with RST */
    uint64_t cut_at;  /* CUT_TIME: monotonic ms */
    uint64_t limit;   /* CUT_BYTES: client->broker bytes */
    uint64_t up;      /* client->broker bytes relayed on this connection */
} fp_pair_t;

struct fault_proxy {
    pthread_t thread;
    pthread_mutex_t lock;
    int stop;
    int lfd;
    uint16_t port;
    uint16_t upstream;
    uint64_t rng;
    fp_mode_t mode;
    int planned;
    int min_ms, max_ms, min_bytes, max_bytes;
    fp_stats_t st;
    int cut_all;
    fp_pair_t pairs[FP_MAX_PAIRS];
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* splitmix64: deterministic for a given seed. */
static uint32_t fp_rand(fault_proxy_t *p, uint32_t lo, uint32_t hi)
{
    uint64_t z;
    p->rng += 0x9E3779B97F4A7C15ull;
    z = p->rng;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    if (hi <= lo) {
        return lo;
    }
    return lo + (uint32_t)(z % (uint64_t)(hi - lo + 1));
}

static int listen_on(uint16_t port, uint16_t *bound)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return -1;
    }
    *bound = ntohs(a.sin_port);
    return fd;
}

static int connect_upstream(uint16_t port)
{
    struct sockaddr_in a;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void close_fd(int fd, int rst)
{
    if (fd < 0) {
        return;
    }
    if (rst) {
        struct linger lg;
        lg.l_onoff = 1;
        lg.l_linger = 0;
        (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    } else {
        (void)shutdown(fd, SHUT_RDWR);
    }
    close(fd);
}

static void close_pair(fault_proxy_t *p, fp_pair_t *c, int rst)
{
    close_fd(c->cfd, rst);
    close_fd(c->ufd, rst);
    memset(c, 0, sizeof(*c));
    c->cfd = c->ufd = -1;
    p->st.open--;
}

static void cut_pair(fault_proxy_t *p, fp_pair_t *c)
{
    p->st.cuts_done++;
    if (c->cut == CUT_TIME) {
        p->st.time_cuts++;
    } else {
        p->st.byte_cuts++;
    }
    if (c->rst) {
        p->st.resets++;
    }
    close_pair(p, c, c->rst);
}

static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static void accept_one(fault_proxy_t *p)
{
    int fd = accept(p->lfd, NULL, NULL);
    int one = 1;
    int i;
    fp_pair_t *c = NULL;
    if (fd < 0) {
        return;
    }
    p->st.accepted++;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (p->mode == FP_CLOSE) {
        close_fd(fd, 0);
        return;
    }
    for (i = 0; i < FP_MAX_PAIRS; i++) {
        if (!p->pairs[i].used) {
            c = &p->pairs[i];
            break;
        }
    }
    if (c == NULL) {
        close_fd(fd, 0);
        return;
    }
    memset(c, 0, sizeof(*c));
    c->used = 1;
    c->cfd = fd;
    c->ufd = -1;
    if (p->mode == FP_PASS) {
        c->ufd = connect_upstream(p->upstream);
        if (c->ufd < 0) {
            close_fd(fd, 0);
            memset(c, 0, sizeof(*c));
            return;
        }
        if (p->planned > 0) {
            p->planned--;
            c->rst = (int)fp_rand(p, 0, 1);
            if (fp_rand(p, 0, 1) == 0) {
                c->cut = CUT_TIME;
                c->cut_at = mono_ms() + fp_rand(p, (uint32_t)p->min_ms, (uint32_t)p->max_ms);
            } else {
                c->cut = CUT_BYTES;
                c->limit = fp_rand(p, (uint32_t)p->min_bytes, (uint32_t)p->max_bytes);
            }
        }
    }
    p->st.open++;
}

/* Relays what is readable on one side; returns 0 when the pair was closed. */
static int relay(fault_proxy_t *p, fp_pair_t *c, int from_client)
{
    char buf[4096];
    int src = from_client ? c->cfd : c->ufd;
    int dst = from_client ? c->ufd : c->cfd;
    ssize_t n = recv(src, buf, sizeof(buf), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return 1;
    }
    if (n <= 0) {
        close_pair(p, c, 0);
        return 0;
    }
    if (dst < 0) {
        return 1; /* black hole: swallow */
    }
    if (from_client && c->cut == CUT_BYTES && c->up + (uint64_t)n >= c->limit) {
        size_t part = (size_t)(c->limit - c->up);
        if (part > 0 && send_all(dst, buf, part) == 0) {
            p->st.bytes_up += part;
        }
        cut_pair(p, c);
        return 0;
    }
    if (send_all(dst, buf, (size_t)n) != 0) {
        close_pair(p, c, 0);
        return 0;
    }
    if (from_client) {
        c->up += (uint64_t)n;
        p->st.bytes_up += (uint64_t)n;
    } else {
        p->st.bytes_down += (uint64_t)n;
    }
    return 1;
}

static void *proxy_main(void *arg)
{
    fault_proxy_t *p = (fault_proxy_t *)arg;
    for (;;) {
        struct pollfd fds[1 + 2 * FP_MAX_PAIRS];
        int who[1 + 2 * FP_MAX_PAIRS]; /* -1 listener, else pair index * 2 + side */
        int nfds = 0, i, rc;
        uint64_t now;

        pthread_mutex_lock(&p->lock);
        if (p->stop) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        now = mono_ms();
        for (i = 0; i < FP_MAX_PAIRS; i++) {
            fp_pair_t *c = &p->pairs[i];
            if (!c->used) {
                continue;
            }
            if (p->cut_all) {
                close_pair(p, c, 0);
                continue;
            }
            if (c->cut == CUT_TIME && now >= c->cut_at) {
                cut_pair(p, c);
                continue;
            }
            fds[nfds].fd = c->cfd;
            fds[nfds].events = POLLIN;
            who[nfds++] = i * 2;
            if (c->ufd >= 0) {
                fds[nfds].fd = c->ufd;
                fds[nfds].events = POLLIN;
                who[nfds++] = i * 2 + 1;
            }
        }
        p->cut_all = 0;
        if (p->lfd >= 0) {
            fds[nfds].fd = p->lfd;
            fds[nfds].events = POLLIN;
            who[nfds++] = -1;
        }
        pthread_mutex_unlock(&p->lock);

        for (i = 0; i < nfds; i++) {
            fds[i].revents = 0;
        }
        rc = poll(fds, (nfds_t)nfds, 5);
        if (rc <= 0) {
            continue;
        }
        pthread_mutex_lock(&p->lock);
        for (i = 0; i < nfds; i++) {
            if (fds[i].revents == 0) {
                continue;
            }
            if (who[i] < 0) {
                if (p->lfd == fds[i].fd) {
                    accept_one(p);
                }
            } else {
                fp_pair_t *c = &p->pairs[who[i] / 2];
                int from_client = (who[i] % 2) == 0;
                int fd = from_client ? c->cfd : c->ufd;
                /* The pair may have been closed while handling its other side. */
                if (c->used && fd == fds[i].fd) {
                    (void)relay(p, c, from_client);
                }
            }
        }
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

fault_proxy_t *fp_start(uint16_t upstream_port, uint32_t seed)
{
    int i;
    fault_proxy_t *p = (fault_proxy_t *)calloc(1, sizeof(*p));
    if (p == NULL) {
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    p->upstream = upstream_port;
    p->rng = seed;
    p->mode = FP_PASS;
    for (i = 0; i < FP_MAX_PAIRS; i++) {
        p->pairs[i].cfd = p->pairs[i].ufd = -1;
    }
    p->lfd = listen_on(0, &p->port);
    if (p->lfd < 0) {
        free(p);
        return NULL;
    }
    if (pthread_create(&p->thread, NULL, proxy_main, p) != 0) {
        close(p->lfd);
        free(p);
        return NULL;
    }
    return p;
}

void fp_stop(fault_proxy_t *p)
{
    int i;
    if (p == NULL) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    for (i = 0; i < FP_MAX_PAIRS; i++) {
        if (p->pairs[i].used) {
            close_pair(p, &p->pairs[i], 0);
        }
    }
    if (p->lfd >= 0) {
        close(p->lfd);
    }
    pthread_mutex_destroy(&p->lock);
    free(p);
}

uint16_t fp_port(const fault_proxy_t *p)
{
    return p->port;
}

void fp_set_mode(fault_proxy_t *p, fp_mode_t mode)
{
    /* The listener changes here, so the new mode holds when this returns (the thread sees
     * a closed listener as POLLNVAL and checks p->lfd before accepting). */
    pthread_mutex_lock(&p->lock);
    p->mode = mode;
    if (mode == FP_REFUSE && p->lfd >= 0) {
        close(p->lfd);
        p->lfd = -1;
    } else if (mode != FP_REFUSE && p->lfd < 0) {
        uint16_t bound = 0;
        p->lfd = listen_on(p->port, &bound);
    }
    pthread_mutex_unlock(&p->lock);
}

void fp_plan_cuts(fault_proxy_t *p, int n, int min_ms, int max_ms, int min_bytes, int max_bytes)
{
    pthread_mutex_lock(&p->lock);
    p->planned = n;
    p->min_ms = min_ms;
    p->max_ms = max_ms;
    p->min_bytes = min_bytes;
    p->max_bytes = max_bytes;
    pthread_mutex_unlock(&p->lock);
}

void fp_cut_all(fault_proxy_t *p)
{
    /* Done by the proxy thread at its next turn (at most one poll period, 5 ms). */
    pthread_mutex_lock(&p->lock);
    p->cut_all = 1;
    pthread_mutex_unlock(&p->lock);
    for (;;) {
        int pending;
        struct timespec ts = {0, 2 * 1000 * 1000};
        pthread_mutex_lock(&p->lock);
        pending = p->cut_all;
        pthread_mutex_unlock(&p->lock);
        if (!pending) {
            break;
        }
        nanosleep(&ts, NULL);
    }
}

void fp_stats(fault_proxy_t *p, fp_stats_t *out)
{
    pthread_mutex_lock(&p->lock);
    *out = p->st;
    pthread_mutex_unlock(&p->lock);
}
