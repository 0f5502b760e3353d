/*
 * hal_posix.c - reference POSIX HAL for iotmqtt (the V2.10 HAL_* contract,
 * reference §3): OS, TCP, product/device identity. HAL_SSL_* lives in
 * hal_ssl_openssl.c; HAL_iTLS_* is not provided.
 *
 * Build: cc -std=c99 -D_POSIX_C_SOURCE=200809L -I<repo>/include -c hal_posix.c
 *        (link with -lpthread on older libcs)
 *
 * ---------------------------------------------------------------------------
 * Connection redirect: IOTMQTT_HAL_REDIRECT
 * ---------------------------------------------------------------------------
 * The library asks for the real cloud host names (V2.10-exact). To reach a
 * local emulator or broker instead, set the environment variable
 *
 *     IOTMQTT_HAL_REDIRECT=RULE[,RULE...]
 *     RULE    = HOSTPATTERN[:PORT]=TARGETHOST:TARGETPORT
 *
 *   HOSTPATTERN  an exact host name (compared case-insensitively), or
 *                "*.SUFFIX" to match any host ending in ".SUFFIX" (at least
 *                one label before it; "*.aliyuncs.com" does not match
 *                "aliyuncs.com" itself), or "*" alone to match every host.
 *   :PORT        optional; when present the rule only matches that port.
 *   TARGETHOST   host name or address to connect to instead; an IPv6
 *                address is written in brackets: [::1]:18830.
 *   TARGETPORT   required, 1..65535.
 *
 * Rules are tried left to right; the first match wins. Spaces around rules
 * and around '=' are ignored. Malformed rules are skipped and reported once.
 * The redirect applies to HAL_TCP_Establish and HAL_SSL_Establish; for TLS,
 * SNI and certificate host-name verification still use the ORIGINAL host
 * name. Each distinct redirected host:port is logged once via HAL_Printf.
 *
 * Examples:
 *   IOTMQTT_HAL_REDIRECT='*.aliyuncs.com=127.0.0.1:18830'
 *   IOTMQTT_HAL_REDIRECT='pk.iot-as-mqtt.cn-shanghai.aliyuncs.com:1883=127.0.0.1:18830,iot-auth.cn-shanghai.aliyuncs.com:443=127.0.0.1:18443'
 *
 * Other environment variables:
 *   IOTMQTT_HAL_PARTNER_ID  value returned by HAL_GetPartnerID (default empty)
 *   IOTMQTT_HAL_MODULE_ID   value returned by HAL_GetModuleID  (default empty)
 * ---------------------------------------------------------------------------
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* ppoll: waits end on the millisecond tick of HAL_UptimeMs */
#endif
#include "iot_import.h"
#include "hal_identity.h"
#include "hal_posix_stats.h"
#include "hal_posix_time.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* HAL_TCP_Establish has no timeout parameter: bound the connect here
 * (covers all resolved addresses; name resolution itself is not bounded). */
#ifndef IOTMQTT_HAL_CONNECT_TIMEOUT_MS
#define IOTMQTT_HAL_CONNECT_TIMEOUT_MS 5000
#endif

#define REDIRECT_ENV        "IOTMQTT_HAL_REDIRECT"
#define REDIRECT_HOST_MAX   256
#define REDIRECT_LOGGED_MAX 32

/* ======================================================================= */
/* time                                                                    */
/* ======================================================================= */

uint64_t hal_posix_now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int hal_posix_ms_left(uint64_t deadline)
{
    uint64_t now = hal_posix_now_ms();
    if (now >= deadline) {
        return 0;
    }
    return (deadline - now > (uint64_t)INT_MAX) ? INT_MAX : (int)(deadline - now);
}

/* One poll for pfd until HAL_UptimeMs() reaches deadline. poll() can only wait whole
 * milliseconds from now, so a 1 ms wait started 0.6 ms into a tick would end 0.6 ms past the
 * deadline; ppoll ends on the tick itself, so a caller's HAL_UptimeMs-based timeout
 * (IOT_MQTT_Yield) is not stretched. */
static int poll_until(struct pollfd *pfd, uint64_t deadline)
{
#ifdef __linux__
    struct timespec now, left;
    uint64_t end_ns = deadline * 1000000u, now_ns;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
        return poll(pfd, 1, hal_posix_ms_left(deadline));
    }
    now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    if (now_ns >= end_ns) {
        return 0;
    }
    left.tv_sec = (time_t)((end_ns - now_ns) / 1000000000u);
    left.tv_nsec = (long)((end_ns - now_ns) % 1000000000u);
    return ppoll(pfd, 1, &left, NULL);
#else
    return poll(pfd, 1, hal_posix_ms_left(deadline));
#endif
}

int hal_posix_wait_fd(int fd, short events, uint64_t deadline)
{
    struct pollfd pfd;
    pfd.fd = fd;
    pfd.events = events;
    for (;;) {
        int rc;
        pfd.revents = 0;
        rc = poll_until(&pfd, deadline);
        if (rc > 0) {
            return 1;
        }
        if (rc == 0) {
            return 0;
        }
        if (errno != EINTR) {
            return -1;
        }
    }
}

uint64_t HAL_UptimeMs(void)
{
    return hal_posix_now_ms();
}

void HAL_SleepMs(uint32_t ms)
{
    struct timespec req, rem;
    req.tv_sec = (time_t)(ms / 1000u);
    req.tv_nsec = (long)(ms % 1000u) * 1000000L;
    /* Signals must not shorten the sleep. */
    while (nanosleep(&req, &rem) != 0 && errno == EINTR) {
        req = rem;
    }
}

/* ======================================================================= */
/* mutexes                                                                 */
/* ======================================================================= */

/* Plain malloc on purpose: mutexes stay outside the HAL_Malloc counters and
 * the malloc failure injection, so tests measure only the library's heap. */
void *HAL_MutexCreate(void)
{
    pthread_mutex_t *m = (pthread_mutex_t *)malloc(sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    if (pthread_mutex_init(m, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void HAL_MutexDestroy(void *mutex)
{
    if (mutex == NULL) {
        return;
    }
    if (pthread_mutex_destroy((pthread_mutex_t *)mutex) != 0) {
        HAL_Printf("[hal] HAL_MutexDestroy: mutex busy or invalid\r\n");
        return; /* leak rather than free a mutex that is still held */
    }
    free(mutex);
}

void HAL_MutexLock(void *mutex)
{
    if (mutex == NULL) {
        return;
    }
    if (pthread_mutex_lock((pthread_mutex_t *)mutex) != 0) {
        HAL_Printf("[hal] HAL_MutexLock failed\r\n");
    }
}

void HAL_MutexUnlock(void *mutex)
{
    if (mutex == NULL) {
        return;
    }
    if (pthread_mutex_unlock((pthread_mutex_t *)mutex) != 0) {
        HAL_Printf("[hal] HAL_MutexUnlock failed\r\n");
    }
}

/* ======================================================================= */
/* memory with counters                                                    */
/* ======================================================================= */

/* A 16-byte header in front of each block holds the size and a magic
 * number; 16 keeps the returned pointer as aligned as malloc's. */
#define MEM_HDR_SIZE 16u
#define MEM_MAGIC_LIVE 0x494F544D414C4C43ull /* "IOTMALLC" */
#define MEM_MAGIC_FREE 0x46524545424C4F4Bull /* "FREEBLOK" */

static pthread_mutex_t g_mem_lock = PTHREAD_MUTEX_INITIALIZER;
static hal_posix_mem_stats_t g_mem;
static long g_fail_malloc_after = -1;

void *HAL_Malloc(uint32_t size)
{
    unsigned char *p;
    uint64_t hdr[2];
    size_t total;
    int fail = 0;

    pthread_mutex_lock(&g_mem_lock);
    if (g_fail_malloc_after == 0) {
        fail = 1;
    } else if (g_fail_malloc_after > 0) {
        g_fail_malloc_after--;
    }
    pthread_mutex_unlock(&g_mem_lock);
    if (fail) {
        return NULL;
    }
    total = (size_t)size + MEM_HDR_SIZE;
    if (total < MEM_HDR_SIZE) {
        return NULL; /* wrapped: only possible where size_t is 32 bits */
    }
    p = (unsigned char *)malloc(total);
    if (p == NULL) {
        return NULL;
    }
    hdr[0] = size;
    hdr[1] = MEM_MAGIC_LIVE;
    memcpy(p, hdr, sizeof(hdr));

    pthread_mutex_lock(&g_mem_lock);
    g_mem.malloc_calls++;
    g_mem.bytes_total += size;
    g_mem.bytes_in_use += size;
    if (g_mem.bytes_in_use > g_mem.peak_bytes_in_use) {
        g_mem.peak_bytes_in_use = g_mem.bytes_in_use;
    }
    pthread_mutex_unlock(&g_mem_lock);
    return p + MEM_HDR_SIZE;
}

void HAL_Free(void *ptr)
{
    unsigned char *p;
    uint64_t hdr[2];

    if (ptr == NULL) {
        return;
    }
    p = (unsigned char *)ptr - MEM_HDR_SIZE;
    memcpy(hdr, p, sizeof(hdr));
    if (hdr[1] != MEM_MAGIC_LIVE) {
        /* Double free or a pointer HAL_Malloc never returned: stop loudly,
         * a test must not pass over heap corruption. */
        HAL_Printf("[hal] HAL_Free(%p): %s\r\n", ptr,
                   hdr[1] == MEM_MAGIC_FREE ? "double free" : "not allocated by HAL_Malloc");
        abort();
    }
    hdr[1] = MEM_MAGIC_FREE;
    memcpy(p, hdr, sizeof(hdr));

    pthread_mutex_lock(&g_mem_lock);
    g_mem.free_calls++;
    g_mem.bytes_in_use -= hdr[0];
    pthread_mutex_unlock(&g_mem_lock);
    free(p);
}

void hal_posix_mem_stats(hal_posix_mem_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    pthread_mutex_lock(&g_mem_lock);
    *out = g_mem;
    pthread_mutex_unlock(&g_mem_lock);
}

void hal_posix_mem_reset_peak(void)
{
    pthread_mutex_lock(&g_mem_lock);
    g_mem.peak_bytes_in_use = g_mem.bytes_in_use;
    pthread_mutex_unlock(&g_mem_lock);
}

void hal_posix_fail_malloc_after(long n)
{
    pthread_mutex_lock(&g_mem_lock);
    g_fail_malloc_after = (n < 0) ? -1 : n;
    pthread_mutex_unlock(&g_mem_lock);
}

/* ======================================================================= */
/* random, printing                                                        */
/* ======================================================================= */

/* random()/srandom() are XSI, not plain POSIX: use splitmix64 instead. */
static pthread_mutex_t g_rand_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t g_rand_state = 1;

void HAL_Srandom(uint32_t seed)
{
    pthread_mutex_lock(&g_rand_lock);
    g_rand_state = seed;
    pthread_mutex_unlock(&g_rand_lock);
}

uint32_t HAL_Random(uint32_t region)
{
    uint64_t z;
    if (region == 0) {
        return 0;
    }
    pthread_mutex_lock(&g_rand_lock);
    g_rand_state += 0x9E3779B97F4A7C15ull;
    z = g_rand_state;
    pthread_mutex_unlock(&g_rand_lock);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (uint32_t)(z % region);
}

void HAL_Printf(const char *fmt, ...)
{
    va_list ap;
    if (fmt == NULL) {
        return;
    }
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

int HAL_Vsnprintf(char *str, const int len, const char *fmt, va_list ap)
{
    /* str may be NULL only when len is 0 (size query), as with vsnprintf. */
    if (fmt == NULL || len < 0 || (str == NULL && len != 0)) {
        return -1;
    }
    return vsnprintf(str, (size_t)len, fmt, ap);
}

int HAL_Snprintf(char *str, const int len, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = HAL_Vsnprintf(str, len, fmt, ap);
    va_end(ap);
    return rc;
}

/* ======================================================================= */
/* partner / module id (environment)                                       */
/* ======================================================================= */

static int copy_env(const char *name, char *out, size_t out_size)
{
    const char *v;
    size_t n;
    if (out == NULL || out_size == 0) {
        return 0;
    }
    out[0] = '\0';
    v = getenv(name);
    if (v == NULL) {
        return 0;
    }
    n = strlen(v);
    if (n > out_size - 1) {
        n = out_size - 1;
    }
    memcpy(out, v, n);
    out[n] = '\0';
    return (int)n;
}

int HAL_GetPartnerID(char pid_str[PID_STRLEN_MAX])
{
    return copy_env("IOTMQTT_HAL_PARTNER_ID", pid_str, PID_STRLEN_MAX);
}

int HAL_GetModuleID(char mid_str[MID_STRLEN_MAX])
{
    return copy_env("IOTMQTT_HAL_MODULE_ID", mid_str, MID_STRLEN_MAX);
}

/* ======================================================================= */
/* product / device identity                                               */
/* ======================================================================= */

/* The stored strings are in hal/common/hal_identity.c; threads take this lock around them. */
static pthread_mutex_t g_id_lock = PTHREAD_MUTEX_INITIALIZER;

void hal_identity_lock(void)
{
    pthread_mutex_lock(&g_id_lock);
}

void hal_identity_unlock(void)
{
    pthread_mutex_unlock(&g_id_lock);
}

int HAL_GetFirmwareVesion(char version[FIRMWARE_VERSION_MAXLEN])
{
    static const char v[] = "iotmqtt-posix-hal-1.0";
    if (version == NULL) {
        return 0;
    }
    memset(version, 0, FIRMWARE_VERSION_MAXLEN);
    strncpy(version, v, FIRMWARE_VERSION_MAXLEN - 1);
    return (int)strlen(version);
}

char *HAL_GetChipID(char cid_str[HAL_CID_LEN])
{
    if (cid_str == NULL) {
        return NULL;
    }
    memset(cid_str, 0, HAL_CID_LEN);
    strncpy(cid_str, "posix", HAL_CID_LEN - 1);
    return cid_str;
}

/* ======================================================================= */
/* failure injection for the network                                       */
/* ======================================================================= */

static int g_fail_tcp; /* accessed with __atomic builtins (gcc and clang) */

void hal_posix_fail_tcp(int which)
{
    if (which < HAL_POSIX_FAIL_NONE || which > HAL_POSIX_FAIL_WRITE) {
        which = HAL_POSIX_FAIL_NONE;
    }
    __atomic_store_n(&g_fail_tcp, which, __ATOMIC_SEQ_CST);
}

int hal_posix_tcp_fail_mode(void)
{
    return __atomic_load_n(&g_fail_tcp, __ATOMIC_SEQ_CST);
}

/* ======================================================================= */
/* redirect rules                                                          */
/* ======================================================================= */

typedef struct {
    char     pattern[REDIRECT_HOST_MAX];
    int      has_port;
    uint16_t port;
    char     target[REDIRECT_HOST_MAX];
    uint16_t target_port;
} redirect_rule_t;

static pthread_mutex_t g_redirect_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_redirect_bad_logged;
static char g_redirect_logged[REDIRECT_LOGGED_MAX][REDIRECT_HOST_MAX + 8];
static int g_redirect_logged_n;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive equality of a[0..n) and b[0..n). */
static int ieq(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (lower(a[i]) != lower(b[i])) {
            return 0;
        }
    }
    return 1;
}

/* Trim [*s, *e) of surrounding white space. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s)) {
        (*s)++;
    }
    while (*e > *s && is_space(*(*e - 1))) {
        (*e)--;
    }
}

/* Parse a decimal port 1..65535 from [s, e). */
static int parse_port(const char *s, const char *e, uint16_t *out)
{
    unsigned long v = 0;
    if (s >= e || e - s > 5) {
        return -1;
    }
    for (; s < e; s++) {
        if (*s < '0' || *s > '9') {
            return -1;
        }
        v = v * 10u + (unsigned long)(*s - '0');
    }
    if (v == 0 || v > 65535u) {
        return -1;
    }
    *out = (uint16_t)v;
    return 0;
}

static int copy_span(char *dst, size_t dst_size, const char *s, const char *e)
{
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= dst_size) {
        return -1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* Parse one rule from [s, e). Returns 0 or -1 if malformed. */
static int parse_rule(const char *s, const char *e, redirect_rule_t *r)
{
    const char *eq, *ls, *le, *rs, *re, *colon, *p;

    memset(r, 0, sizeof(*r));
    for (eq = s; eq < e && *eq != '='; eq++) {
    }
    if (eq == e) {
        return -1;
    }
    /* left: HOSTPATTERN[:PORT] */
    ls = s;
    le = eq;
    trim(&ls, &le);
    colon = NULL;
    for (p = ls; p < le; p++) {
        if (*p == ':') {
            colon = p;
        }
    }
    if (colon != NULL) {
        if (parse_port(colon + 1, le, &r->port) != 0) {
            return -1;
        }
        r->has_port = 1;
        le = colon;
    }
    if (copy_span(r->pattern, sizeof(r->pattern), ls, le) != 0) {
        return -1;
    }
    /* right: TARGETHOST:TARGETPORT or [V6ADDR]:TARGETPORT */
    rs = eq + 1;
    re = e;
    trim(&rs, &re);
    if (rs < re && *rs == '[') {
        const char *close = rs;
        while (close < re && *close != ']') {
            close++;
        }
        if (close == re || close + 1 >= re || close[1] != ':') {
            return -1;
        }
        if (copy_span(r->target, sizeof(r->target), rs + 1, close) != 0) {
            return -1;
        }
        return parse_port(close + 2, re, &r->target_port);
    }
    colon = NULL;
    for (p = rs; p < re; p++) {
        if (*p == ':') {
            colon = p;
        }
    }
    if (colon == NULL || copy_span(r->target, sizeof(r->target), rs, colon) != 0) {
        return -1;
    }
    return parse_port(colon + 1, re, &r->target_port);
}

static int rule_matches(const redirect_rule_t *r, const char *host, uint16_t port)
{
    size_t hl = strlen(host);
    size_t pl = strlen(r->pattern);

    if (r->has_port && r->port != port) {
        return 0;
    }
    if (strcmp(r->pattern, "*") == 0) {
        return 1;
    }
    if (pl >= 2 && r->pattern[0] == '*' && r->pattern[1] == '.') {
        /* "*.suffix": host must be longer than ".suffix" and end with it */
        size_t sl = pl - 1;
        return hl > sl && ieq(host + hl - sl, r->pattern + 1, sl);
    }
    return hl == pl && ieq(host, r->pattern, hl);
}

int hal_posix_redirect_lookup(const char *host, uint16_t port,
                              char *out_host, size_t out_len, uint16_t *out_port)
{
    const char *env, *s, *e;
    redirect_rule_t rule;

    if (host == NULL || out_host == NULL || out_port == NULL || out_len == 0) {
        return -1;
    }
    env = getenv(REDIRECT_ENV);
    for (s = env; s != NULL && *s != '\0'; s = (*e == ',') ? e + 1 : e) {
        const char *ts, *te;
        for (e = s; *e != '\0' && *e != ','; e++) {
        }
        ts = s;
        te = e;
        trim(&ts, &te);
        if (ts == te) {
            continue; /* empty rule, e.g. a trailing comma */
        }
        if (parse_rule(ts, te, &rule) != 0) {
            pthread_mutex_lock(&g_redirect_lock);
            if (!g_redirect_bad_logged) {
                g_redirect_bad_logged = 1;
                HAL_Printf("[hal] %s: skipping malformed rule '%.*s' "
                           "(want HOSTPATTERN[:PORT]=TARGETHOST:TARGETPORT)\r\n",
                           REDIRECT_ENV, (int)(te - ts), ts);
            }
            pthread_mutex_unlock(&g_redirect_lock);
            continue;
        }
        if (rule_matches(&rule, host, port)) {
            if (strlen(rule.target) + 1 > out_len) {
                return -1;
            }
            strcpy(out_host, rule.target);
            *out_port = rule.target_port;
            return 1;
        }
    }
    if (strlen(host) + 1 > out_len) {
        return -1;
    }
    strcpy(out_host, host);
    *out_port = port;
    return 0;
}

/* Log a redirect the first time this host:port is redirected. */
static void log_redirect_once(const char *host, uint16_t port, const char *to, uint16_t to_port)
{
    char key[REDIRECT_HOST_MAX + 8];
    int i, seen = 0;

    snprintf(key, sizeof(key), "%s:%u", host, (unsigned)port);
    pthread_mutex_lock(&g_redirect_lock);
    for (i = 0; i < g_redirect_logged_n; i++) {
        if (strcmp(g_redirect_logged[i], key) == 0) {
            seen = 1;
            break;
        }
    }
    if (!seen && g_redirect_logged_n < REDIRECT_LOGGED_MAX) {
        strcpy(g_redirect_logged[g_redirect_logged_n++], key);
    }
    pthread_mutex_unlock(&g_redirect_lock);
    if (!seen) {
        HAL_Printf("[hal] %s: %s:%u -> %s:%u\r\n", REDIRECT_ENV, host, (unsigned)port, to,
                   (unsigned)to_port);
    }
}

/* ======================================================================= */
/* TCP                                                                     */
/* ======================================================================= */

static int set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        return -1;
    }
    fl = fcntl(fd, F_GETFD, 0);
    if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0) {
        return -1;
    }
    return 0;
}

/* Non-blocking connect to one address, waiting until deadline. Returns 0 or
 * an errno value. */
static int connect_one(int fd, const struct addrinfo *ai, uint64_t deadline)
{
    int err = 0;
    socklen_t elen = sizeof(err);

    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        return 0;
    }
    if (errno != EINPROGRESS && errno != EINTR) {
        return errno;
    }
    switch (hal_posix_wait_fd(fd, POLLOUT, deadline)) {
    case 1:
        break;
    case 0:
        return ETIMEDOUT;
    default:
        return errno;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
        return errno;
    }
    return err;
}

int hal_posix_tcp_connect_fd(const char *host, uint16_t port)
{
    char target[REDIRECT_HOST_MAX];
    char port_str[8];
    uint16_t target_port = 0;
    struct addrinfo hints, *res = NULL, *ai;
    uint64_t deadline;
    int rc, fd = -1, last_err = 0;

    if (host == NULL || host[0] == '\0') {
        HAL_Printf("[hal] connect: empty host name\r\n");
        return -1;
    }
    if (hal_posix_tcp_fail_mode() == HAL_POSIX_FAIL_ESTABLISH) {
        HAL_Printf("[hal] connect to %s:%u: injected failure\r\n", host, (unsigned)port);
        return -1;
    }
    rc = hal_posix_redirect_lookup(host, port, target, sizeof(target), &target_port);
    if (rc < 0) {
        HAL_Printf("[hal] connect: host name too long\r\n");
        return -1;
    }
    if (rc == 1) {
        log_redirect_once(host, port, target, target_port);
    }

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    snprintf(port_str, sizeof(port_str), "%u", (unsigned)target_port);
    rc = getaddrinfo(target, port_str, &hints, &res);
    if (rc != 0 || res == NULL) {
        HAL_Printf("[hal] connect: cannot resolve %s: %s\r\n", target,
                   rc != 0 ? gai_strerror(rc) : "no address");
        return -1;
    }

    deadline = hal_posix_now_ms() + IOTMQTT_HAL_CONNECT_TIMEOUT_MS;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            last_err = errno;
            continue;
        }
        if (set_nonblock_cloexec(fd) != 0) {
            last_err = errno;
        } else {
            last_err = connect_one(fd, ai, deadline);
            if (last_err == 0) {
                break;
            }
        }
        close(fd);
        fd = -1;
        if (hal_posix_ms_left(deadline) == 0) {
            last_err = ETIMEDOUT;
            break;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        HAL_Printf("[hal] connect to %s:%u failed: %s\r\n", target, (unsigned)target_port,
                   last_err == ETIMEDOUT ? "timed out" : strerror(last_err));
        return -1;
    }
    {
        /* MQTT sends small packets that must not wait for Nagle. */
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    return fd; /* stays non-blocking: read/write wait with poll() */
}

/* Handles are fd + 1 so that fd 0 is a valid connection and 0 means failure. */
static int handle_to_fd(uintptr_t handle)
{
    if (handle == 0 || handle > (uintptr_t)INT_MAX) {
        return -1;
    }
    return (int)(handle - 1);
}

uintptr_t HAL_TCP_Establish(const char *host, uint16_t port)
{
    int fd = hal_posix_tcp_connect_fd(host, port);
    if (fd < 0) {
        return 0;
    }
    return (uintptr_t)fd + 1;
}

int32_t HAL_TCP_Destroy(uintptr_t fd)
{
    int s = handle_to_fd(fd);
    if (s < 0) {
        return -1;
    }
    (void)shutdown(s, SHUT_RDWR);
    return close(s) == 0 ? 0 : -1;
}

/* Read until len bytes arrived or timeout_ms passed. Returns bytes read if
 * any (data wins over an error), else 0 on timeout, -1 when the peer closed,
 * -2 on error. Keeps no state, so one reader and one writer may run at once. */
int32_t HAL_TCP_Read(uintptr_t fd, char *buf, uint32_t len, uint32_t timeout_ms)
{
    int s = handle_to_fd(fd);
    uint64_t deadline = hal_posix_now_ms() + timeout_ms;
    uint32_t got = 0;
    int closed = 0, failed = 0;

    if (s < 0 || buf == NULL) {
        return -2;
    }
    if (hal_posix_tcp_fail_mode() == HAL_POSIX_FAIL_READ) {
        return -2;
    }
    if (len == 0) {
        return 0;
    }
    if (len > (uint32_t)INT32_MAX) {
        len = (uint32_t)INT32_MAX; /* the return type must hold the count */
    }
    /* Receive first and wait only when nothing is there: data already buffered by the kernel
     * costs one syscall. */
    while (got < len) {
        ssize_t n = recv(s, buf + got, (size_t)(len - got), MSG_DONTWAIT);
        int wait;
        if (n > 0) {
            got += (uint32_t)n;
            continue;
        }
        if (n == 0) {
            closed = 1;
            break;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            failed = 1;
            break;
        }
        wait = hal_posix_wait_fd(s, POLLIN, deadline);
        if (wait < 0) {
            failed = 1;
        }
        if (wait <= 0) {
            break; /* error or timeout */
        }
    }
    if (got > 0) {
        return (int32_t)got;
    }
    if (failed) {
        return -2;
    }
    return closed ? -1 : 0;
}

/* Write until all len bytes are sent or timeout_ms passed. Returns the bytes
 * sent (possibly fewer than len on timeout or after a late error), or -1 when
 * an error happens before anything was sent. */
int32_t HAL_TCP_Write(uintptr_t fd, const char *buf, uint32_t len, uint32_t timeout_ms)
{
    int s = handle_to_fd(fd);
    uint64_t deadline = hal_posix_now_ms() + timeout_ms;
    uint32_t sent = 0;
    int failed = 0;

    if (s < 0 || buf == NULL) {
        return -1;
    }
    if (hal_posix_tcp_fail_mode() == HAL_POSIX_FAIL_WRITE) {
        return -1;
    }
    if (len > (uint32_t)INT32_MAX) {
        len = (uint32_t)INT32_MAX;
    }
    /* Send first and wait only when the socket buffer is full: one syscall per message on the
     * usual path instead of poll + send. */
    while (sent < len) {
        /* MSG_NOSIGNAL: a closed peer gives EPIPE instead of killing us. */
        ssize_t n = send(s, buf + sent, (size_t)(len - sent), MSG_NOSIGNAL | MSG_DONTWAIT);
        int wait;
        if (n > 0) {
            sent += (uint32_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            failed = 1;
            break;
        }
        wait = hal_posix_wait_fd(s, POLLOUT, deadline);
        if (wait < 0) {
            failed = 1;
        }
        if (wait <= 0) {
            break; /* error or timeout */
        }
    }
    if (sent == 0 && failed) {
        return -1;
    }
    return (int32_t)sent;
}
