/*
 * bench_common.h - what bench_iotmqtt.c and bench_mosquitto.c share: the payload format, the
 * loss/duplicate/wrong-payload bookkeeping, clocks, rusage, latency percentiles, and the
 * command line. Header-only (static functions) so each program is one translation unit.
 *
 * The flow (README "Performance"): one client subscribes to /bench/<productKey>/<deviceName>/data and
 * publishes N messages to it; each payload carries a 4-byte big-endian sequence number followed
 * by a pattern derived from it. It keeps publishing while fewer than W messages are outstanding
 * (published - received, and for QoS1 also published - acknowledged), otherwise it runs the
 * client's event loop for 1 ms; then it drains.
 *
 * Output: one line per scenario, "RESULT impl=<lib> scenario=<name> key=value ...".
 */
#ifndef IOTMQTT_BENCH_COMMON_H
#define IOTMQTT_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#define BENCH_BUF_SIZE   4096
#define BENCH_TOPIC_LEN  128
#define BENCH_MAX_N      10000000L
#define BENCH_CYCLES     50
#define BENCH_DRAIN_MS   10000  /* give up draining after this long without progress */

/* ----- clocks and rusage ---------------------------------------------------------------------- */
static double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

typedef struct {
    double cpu_s;      /* user + sys */
    long nvcsw;        /* voluntary context switches (sleeps / blocking waits) */
    long nivcsw;
    long maxrss_kb;
} bench_usage_t;

static bench_usage_t bench_usage(void)
{
    struct rusage ru;
    bench_usage_t u;
    getrusage(RUSAGE_SELF, &ru);
    u.cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
              (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    u.nvcsw = ru.ru_nvcsw;
    u.nivcsw = ru.ru_nivcsw;
    u.maxrss_kb = ru.ru_maxrss;
    return u;
}

/* ----- payloads ------------------------------------------------------------------------------- */
static uint8_t bench_pattern(uint32_t seq, size_t i)
{
    return (uint8_t)((seq * 31u + (uint32_t)i * 7u + 1u) & 0xffu);
}

static void bench_fill(uint8_t *p, size_t len, uint32_t seq)
{
    size_t i;
    p[0] = (uint8_t)(seq >> 24);
    p[1] = (uint8_t)(seq >> 16);
    p[2] = (uint8_t)(seq >> 8);
    p[3] = (uint8_t)seq;
    for (i = 4; i < len; i++) {
        p[i] = bench_pattern(seq, i);
    }
}

/* ----- bookkeeping ---------------------------------------------------------------------------- */
typedef struct {
    long n;                /* messages to publish */
    int qos;
    size_t size;           /* payload bytes */
    long window;           /* W */
    char topic[BENCH_TOPIC_LEN];
    long published;
    long received;         /* every delivery on the topic, duplicates included */
    long unique;
    long duplicates;
    long wrong;            /* wrong length, pattern, topic or sequence out of range */
    long acked;            /* QoS1 publish acknowledgements */
    uint8_t *seen;         /* per sequence number */
    uint64_t *sent_ns;     /* publish time per sequence number (latency) */
    uint32_t *lat_us;      /* QoS1 round trips, first delivery of each message */
    long n_lat;
} bench_flow_t;

static int bench_flow_init(bench_flow_t *f, long n, int qos, size_t size, const char *topic)
{
    memset(f, 0, sizeof(*f));
    f->n = n;
    f->qos = qos;
    f->size = size;
    f->window = qos == 0 ? 256 : 16;
    snprintf(f->topic, sizeof(f->topic), "%s", topic);
    /* libc malloc, not HAL_Malloc: outside the library's counters. */
    f->seen = (uint8_t *)calloc((size_t)n, 1);
    f->sent_ns = (uint64_t *)calloc((size_t)n, sizeof(uint64_t));
    f->lat_us = (uint32_t *)calloc((size_t)n, sizeof(uint32_t));
    return f->seen != NULL && f->sent_ns != NULL && f->lat_us != NULL ? 0 : -1;
}

static void bench_flow_free(bench_flow_t *f)
{
    free(f->seen);
    free(f->sent_ns);
    free(f->lat_us);
}

/* True while the flow may publish another message. */
static int bench_may_publish(const bench_flow_t *f)
{
    if (f->published >= f->n) {
        return 0;
    }
    if (f->published - f->received >= f->window) {
        return 0;
    }
    if (f->qos > 0 && f->published - f->acked >= f->window) {
        return 0;
    }
    return 1;
}

static int bench_done(const bench_flow_t *f)
{
    return f->published >= f->n && f->unique >= f->n && (f->qos == 0 || f->acked >= f->n);
}

/* One delivery on the subscription. */
static void bench_on_message(bench_flow_t *f, const char *topic, size_t topic_len,
                             const uint8_t *payload, size_t len)
{
    uint32_t seq;
    size_t i;
    f->received++;
    if (topic_len != strlen(f->topic) || memcmp(topic, f->topic, topic_len) != 0 ||
        len != f->size || len < 4) {
        f->wrong++;
        return;
    }
    seq = ((uint32_t)payload[0] << 24) | ((uint32_t)payload[1] << 16) |
          ((uint32_t)payload[2] << 8) | (uint32_t)payload[3];
    if ((long)seq >= f->n || (long)seq >= f->published) {
        f->wrong++;
        return;
    }
    for (i = 4; i < len; i++) {
        if (payload[i] != bench_pattern(seq, i)) {
            f->wrong++;
            return;
        }
    }
    if (f->seen[seq]) {
        f->duplicates++;
        return;
    }
    f->seen[seq] = 1;
    f->unique++;
    if (f->sent_ns[seq] != 0) {
        uint64_t d = (bench_now_ns() - f->sent_ns[seq]) / 1000u;
        f->lat_us[f->n_lat++] = d > 0xffffffffu ? 0xffffffffu : (uint32_t)d;
    }
}

static int bench_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* p-th percentile (0..100) of sorted values, nearest rank. */
static double bench_pct_u32(const uint32_t *v, long n, double p)
{
    long k;
    if (n <= 0) {
        return 0.0;
    }
    k = (long)(p / 100.0 * (double)n + 0.999999) - 1;
    if (k < 0) {
        k = 0;
    }
    if (k >= n) {
        k = n - 1;
    }
    return (double)v[k];
}

static double bench_pct_double(const double *v, int n, double p)
{
    int k;
    if (n <= 0) {
        return 0.0;
    }
    k = (int)(p / 100.0 * (double)n + 0.999999) - 1;
    if (k < 0) {
        k = 0;
    }
    if (k >= n) {
        k = n - 1;
    }
    return v[k];
}

/* ----- command line --------------------------------------------------------------------------- */
typedef struct {
    const char *scenario;   /* flow | cycles | idle */
    int port;
    long n;
    int qos;
    size_t size;
    int idle_s;
    int cycles;
    const char *pk;
    const char *dn;
} bench_args_t;

static void bench_usage_exit(const char *prog)
{
    fprintf(stderr,
            "usage: %s flow   --port P [--qos 0|1] [--size BYTES] [--n N]\n"
            "       %s cycles --port P [--cycles 50]\n"
            "       %s idle   --port P [--seconds 10]\n"
            "       bench_iotmqtt idle-floor --port P [--seconds 10]   (P unused)\n"
            "options: --pk PRODUCTKEY --dn DEVICENAME (topic /bench/<pk>/<dn>/data)\n",
            prog, prog, prog);
    exit(2);
}

static bench_args_t bench_parse(int argc, char **argv)
{
    bench_args_t a;
    int i;
    memset(&a, 0, sizeof(a));
    a.n = 100000;
    a.size = 64;
    a.idle_s = 10;
    a.cycles = BENCH_CYCLES;
    a.pk = "a1BenchPK01";
    a.dn = "bench-device";
    if (argc < 2) {
        bench_usage_exit(argv[0]);
    }
    a.scenario = argv[1];
    for (i = 2; i < argc; i++) {
        const char *k = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            bench_usage_exit(argv[0]);
        }
        if (strcmp(k, "--port") == 0) {
            a.port = atoi(v);
        } else if (strcmp(k, "--n") == 0) {
            a.n = atol(v);
        } else if (strcmp(k, "--qos") == 0) {
            a.qos = atoi(v);
        } else if (strcmp(k, "--size") == 0) {
            a.size = (size_t)atol(v);
        } else if (strcmp(k, "--seconds") == 0) {
            a.idle_s = atoi(v);
        } else if (strcmp(k, "--cycles") == 0) {
            a.cycles = atoi(v);
        } else if (strcmp(k, "--pk") == 0) {
            a.pk = v;
        } else if (strcmp(k, "--dn") == 0) {
            a.dn = v;
        } else {
            bench_usage_exit(argv[0]);
        }
        i++;
    }
    if (a.port <= 0 || a.port > 65535 || a.n <= 0 || a.n > BENCH_MAX_N || (a.qos != 0 && a.qos != 1) ||
        a.size < 4 || a.size > 2048 || a.idle_s <= 0 || a.cycles <= 0 || a.cycles > 10000) {
        bench_usage_exit(argv[0]);
    }
    return a;
}

/* The cycle figures: mean, median, max of each list (ms). */
static void bench_print_cycles(const char *impl, double *construct_ms, double *destroy_ms, int n, int failures)
{
    double sc = 0, sd = 0;
    int i;
    for (i = 0; i < n; i++) {
        sc += construct_ms[i];
        sd += destroy_ms[i];
    }
    qsort(construct_ms, (size_t)n, sizeof(double), bench_cmp_double);
    qsort(destroy_ms, (size_t)n, sizeof(double), bench_cmp_double);
    printf("RESULT impl=%s scenario=cycles cycles=%d failures=%d connect_mean_ms=%.3f connect_p50_ms=%.3f "
           "connect_max_ms=%.3f destroy_mean_ms=%.3f destroy_p50_ms=%.3f destroy_max_ms=%.3f\n",
           impl, n, failures, n ? sc / n : 0.0, bench_pct_double(construct_ms, n, 50),
           n ? construct_ms[n - 1] : 0.0, n ? sd / n : 0.0, bench_pct_double(destroy_ms, n, 50),
           n ? destroy_ms[n - 1] : 0.0);
}

/* The Construct/Destroy scenario for either client: `connect` returns a handle or NULL,
 * `destroy` takes it back. */
static int bench_run_cycles(const bench_args_t *a, const char *impl,
                            void *(*connect)(int port, const char *client_id),
                            void (*destroy)(void *client))
{
    double *c = (double *)calloc((size_t)a->cycles, sizeof(double));
    double *d = (double *)calloc((size_t)a->cycles, sizeof(double));
    char client_id[64];
    int i, n = 0, failures = 0;
    if (c == NULL || d == NULL) {
        free(c);
        free(d);
        return 1;
    }
    snprintf(client_id, sizeof(client_id), "bench-%s-%ld", impl, (long)getpid());
    for (i = 0; i < a->cycles; i++) {
        double t0 = bench_now_s(), t1, t2;
        void *h = connect(a->port, client_id);
        t1 = bench_now_s();
        if (h == NULL) {
            failures++;
            continue;
        }
        destroy(h);
        t2 = bench_now_s();
        c[n] = (t1 - t0) * 1000.0;
        d[n] = (t2 - t1) * 1000.0;
        n++;
    }
    bench_print_cycles(impl, c, d, n, failures);
    free(c);
    free(d);
    return failures != 0;
}

#endif /* IOTMQTT_BENCH_COMMON_H */
