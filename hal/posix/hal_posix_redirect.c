/*
 * hal_posix_redirect.c - test rig of the reference POSIX HAL (not part of the HAL a port
 * copies): the connection redirect that sends the platform's host names to a local emulator
 * or broker. The library asks for the real cloud host names (V2.10-exact); to reach a local
 * server instead, set the environment variable
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
 * The redirect applies to HAL_TCP_Establish and HAL_SSL_Establish (hal_posix_rig.c calls
 * hal_posix_redirect_apply in front of the connect both use); for TLS, SNI and certificate
 * host-name verification still use the ORIGINAL host name. Each distinct redirected
 * host:port is logged once via HAL_Printf.
 *
 * Examples:
 *   IOTMQTT_HAL_REDIRECT='*.aliyuncs.com=127.0.0.1:18830'
 *   IOTMQTT_HAL_REDIRECT='pk.iot-as-mqtt.cn-shanghai.aliyuncs.com:1883=127.0.0.1:18830,iot-auth.cn-shanghai.aliyuncs.com:443=127.0.0.1:18443'
 */
#include "iot_import.h"
#include "hal_posix_stats.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REDIRECT_ENV        "IOTMQTT_HAL_REDIRECT"
#define REDIRECT_HOST_MAX   HAL_POSIX_REDIRECT_HOST_MAX
#define REDIRECT_LOGGED_MAX 32

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

int hal_posix_redirect_apply(const char *host, uint16_t port,
                             char *out_host, size_t out_len, uint16_t *out_port)
{
    int rc = hal_posix_redirect_lookup(host, port, out_host, out_len, out_port);
    if (rc == 1) {
        log_redirect_once(host, port, out_host, *out_port);
    }
    return rc;
}
