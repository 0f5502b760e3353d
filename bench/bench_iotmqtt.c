/*
 * bench_iotmqtt.c - the benchmark flow (bench_common.h) through iotmqtt's C interface, exactly as
 * firmware uses it: static 4096-byte caller buffers, IOT_MQTT_Construct / Subscribe / Publish /
 * Yield / Destroy, events on the default handler. Linked against libiotmqtt.a and the reference
 * POSIX HAL (whose counters measure HAL_Malloc), with -Wl,--wrap=HAL_TCP_Read,--wrap=HAL_TCP_Write
 * so the number of reads/writes (wake-ups) can be counted.
 *
 *   bench_iotmqtt flow   --port P --qos 0|1 --size 64|1024 --n N
 *   bench_iotmqtt cycles --port P [--cycles 50]
 *   bench_iotmqtt idle   --port P [--seconds 10]
 *   bench_iotmqtt idle-floor --port P [--seconds 10]   the HAL's own idle reads, no MQTT (P unused)
 *
 * Connects straight to 127.0.0.1:P (a private mosquitto) with made-up credentials. Prints one
 * "RESULT impl=iotmqtt scenario=..." line; exits 1 on loss, duplicates, wrong payloads or a
 * failed API call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "iot_import.h"
#include "iot_export.h"
#include "hal_posix_stats.h"

#include "bench_common.h"

/* Caller buffers: static, outside the HAL counters. */
static char g_write_buf[BENCH_BUF_SIZE];
static char g_read_buf[BENCH_BUF_SIZE];
static uint8_t g_payload[BENCH_BUF_SIZE];

static bench_flow_t g_flow;
static long g_suback;
static long g_events_other;

/* ----- HAL_TCP_Read / HAL_TCP_Write counters (link with --wrap) ------------------------------- */
static long g_tcp_reads;
static long g_tcp_writes;

int32_t __real_HAL_TCP_Read(uintptr_t fd, char *buf, uint32_t len, uint32_t timeout_ms);
int32_t __real_HAL_TCP_Write(uintptr_t fd, const char *buf, uint32_t len, uint32_t timeout_ms);
int32_t __wrap_HAL_TCP_Read(uintptr_t fd, char *buf, uint32_t len, uint32_t timeout_ms);
int32_t __wrap_HAL_TCP_Write(uintptr_t fd, const char *buf, uint32_t len, uint32_t timeout_ms);

int32_t __wrap_HAL_TCP_Read(uintptr_t fd, char *buf, uint32_t len, uint32_t timeout_ms)
{
    g_tcp_reads++;
    return __real_HAL_TCP_Read(fd, buf, len, timeout_ms);
}

int32_t __wrap_HAL_TCP_Write(uintptr_t fd, const char *buf, uint32_t len, uint32_t timeout_ms)
{
    g_tcp_writes++;
    return __real_HAL_TCP_Write(fd, buf, len, timeout_ms);
}

/* ----- callbacks ------------------------------------------------------------------------------ */
static void on_event(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    if (msg == NULL) {
        return;
    }
    switch (msg->event_type) {
        case IOTX_MQTT_EVENT_PUBLISH_SUCCESS:
            g_flow.acked++;
            break;
        case IOTX_MQTT_EVENT_SUBCRIBE_SUCCESS:
            g_suback++;
            break;
        default:
            g_events_other++;
            break;
    }
}

static void on_message(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    const iotx_mqtt_topic_info_t *t;
    (void)pcontext;
    (void)pclient;
    if (msg == NULL || msg->event_type != IOTX_MQTT_EVENT_PUBLISH_RECVEIVED || msg->msg == NULL) {
        return;
    }
    t = (const iotx_mqtt_topic_info_t *)msg->msg;
    bench_on_message(&g_flow, t->ptopic, t->topic_len, (const uint8_t *)t->payload, t->payload_len);
}

static void *connect_client(int port, const char *client_id)
{
    iotx_mqtt_param_t p;
    memset(&p, 0, sizeof(p));
    p.port = (uint16_t)port;
    p.host = "127.0.0.1";
    p.client_id = client_id;
    p.username = "bench&bench";
    p.password = "bench";
    p.pub_key = NULL;
    p.clean_session = 1;
    p.request_timeout_ms = 2000;
    p.keepalive_interval_ms = 60000;
    p.pwrite_buf = g_write_buf;
    p.write_buf_size = sizeof(g_write_buf);
    p.pread_buf = g_read_buf;
    p.read_buf_size = sizeof(g_read_buf);
    p.handle_event.h_fp = on_event;
    p.handle_event.pcontext = NULL;
    return IOT_MQTT_Construct(&p);
}

static int subscribe_and_wait(void *h, const char *topic, int qos)
{
    long before = g_suback;
    double deadline = bench_now_s() + 5.0;
    int rc = IOT_MQTT_Subscribe(h, topic, qos ? IOTX_MQTT_QOS1 : IOTX_MQTT_QOS0, on_message, NULL);
    if (rc < 0) {
        fprintf(stderr, "IOT_MQTT_Subscribe failed: %d\n", rc);
        return -1;
    }
    while (g_suback == before && bench_now_s() < deadline) {
        IOT_MQTT_Yield(h, 10);
    }
    if (g_suback == before) {
        fprintf(stderr, "no SUBACK\n");
        return -1;
    }
    return 0;
}

/* ----- the flow ------------------------------------------------------------------------------- */
static int run_flow(const bench_args_t *a)
{
    char topic[BENCH_TOPIC_LEN];
    char client_id[64];
    void *h;
    iotx_mqtt_topic_info_t m;
    hal_posix_mem_stats_t m0, m1, mb, ma, m_end, m_before;
    uint64_t pub_calls = 0, pub_bytes = 0, yield_calls = 0, yield_bytes = 0;
    long pub_msgs = 0, yield_msgs = 0;
    long warmup;
    long yields = 0;
    double yield_s = 0;
    double t0, t1;
    bench_usage_t u0, u1;
    long reads0, writes0;
    long last_progress_count = -1;
    double last_progress = 0;
    int failed = 0;

    snprintf(topic, sizeof(topic), "/bench/%s/%s/data", a->pk, a->dn);
    snprintf(client_id, sizeof(client_id), "bench-iotmqtt-%ld", (long)getpid());
    if (bench_flow_init(&g_flow, a->n, a->qos, a->size, topic) != 0) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    hal_posix_mem_stats(&m_before);
    h = connect_client(a->port, client_id);
    if (h == NULL) {
        fprintf(stderr, "IOT_MQTT_Construct failed\n");
        return 1;
    }
    if (subscribe_and_wait(h, topic, a->qos) != 0) {
        IOT_MQTT_Destroy(&h);
        return 1;
    }
    warmup = a->n / 10;
    memset(&m, 0, sizeof(m));
    m.qos = a->qos ? IOTX_MQTT_QOS1 : IOTX_MQTT_QOS0;
    m.payload = (const char *)g_payload;
    m.payload_len = (uint16_t)a->size;

    hal_posix_mem_reset_peak();
    hal_posix_mem_stats(&m0);
    reads0 = g_tcp_reads;
    writes0 = g_tcp_writes;
    u0 = bench_usage();
    t0 = bench_now_s();
    last_progress = t0;
    while (!bench_done(&g_flow)) {
        if (bench_may_publish(&g_flow)) {
            uint32_t seq = (uint32_t)g_flow.published;
            int rc;
            bench_fill(g_payload, a->size, seq);
            g_flow.sent_ns[seq] = bench_now_ns();
            hal_posix_mem_stats(&mb);
            rc = IOT_MQTT_Publish(h, topic, &m);
            hal_posix_mem_stats(&ma);
            if (rc < 0) {
                fprintf(stderr, "IOT_MQTT_Publish failed: %d (published %ld)\n", rc, g_flow.published);
                failed = 1;
                break;
            }
            g_flow.published++;
            if ((long)seq >= warmup) {
                pub_calls += ma.malloc_calls - mb.malloc_calls;
                pub_bytes += ma.bytes_total - mb.bytes_total;
                pub_msgs++;
            }
        } else {
            long recv_before = g_flow.received;
            double ys = bench_now_s();
            hal_posix_mem_stats(&mb);
            IOT_MQTT_Yield(h, 1);
            hal_posix_mem_stats(&ma);
            yield_s += bench_now_s() - ys;
            yields++;
            /* Steady state: after the warm-up, while still publishing. */
            if (g_flow.published > warmup && g_flow.published < g_flow.n) {
                yield_calls += ma.malloc_calls - mb.malloc_calls;
                yield_bytes += ma.bytes_total - mb.bytes_total;
                yield_msgs += g_flow.received - recv_before;
            }
            if (g_flow.received + g_flow.acked != last_progress_count) {
                last_progress_count = g_flow.received + g_flow.acked;
                last_progress = bench_now_s();
            } else if (bench_now_s() - last_progress > BENCH_DRAIN_MS / 1000.0) {
                fprintf(stderr, "no progress for %d ms: giving up\n", BENCH_DRAIN_MS);
                break;
            }
        }
    }
    t1 = bench_now_s();
    u1 = bench_usage();
    hal_posix_mem_stats(&m1);
    reads0 = g_tcp_reads - reads0;
    writes0 = g_tcp_writes - writes0;

    IOT_MQTT_Destroy(&h);
    hal_posix_mem_stats(&m_end);

    qsort(g_flow.lat_us, (size_t)g_flow.n_lat, sizeof(uint32_t), bench_cmp_u32);
    {
        long loss = g_flow.n - g_flow.unique;
        double secs = t1 - t0;
        double cpu = u1.cpu_s - u0.cpu_s;
        double mean_yield_ms = yields ? yield_s * 1000.0 / (double)yields : 0.0;
        /* Bytes in flight at the window: W packets, each the payload plus the PUBLISH header. */
        double inflight = (double)g_flow.window * (double)(a->size + strlen(topic) + 2 + 2 + 4);
        printf("RESULT impl=iotmqtt scenario=flow qos=%d size=%zu n=%ld window=%ld published=%ld "
               "received=%ld loss=%ld dup=%ld wrong=%ld acked=%ld secs=%.4f msgs_per_s=%.1f "
               "cpu_s=%.4f cpu_per_10k_s=%.4f "
               "malloc_pub_per_msg=%.3f malloc_pub_bytes_per_msg=%.1f "
               "malloc_recv_per_msg=%.3f malloc_recv_bytes_per_msg=%.1f "
               "malloc_total_per_msg=%.3f "
               "peak_heap_bytes=%llu heap_before_construct=%llu heap_during=%llu heap_after_destroy=%llu "
               "inflight_bytes=%.0f maxrss_kb=%ld "
               "lat_p50_us=%.0f lat_p99_us=%.0f lat_max_us=%.0f "
               "yields=%ld mean_yield_ms=%.4f qos1_ceiling_msgs_per_s=%.1f "
               "tcp_reads_per_msg=%.3f tcp_writes_per_msg=%.3f nvcsw=%ld nivcsw=%ld other_events=%ld\n",
               a->qos, a->size, g_flow.n, g_flow.window, g_flow.published, g_flow.received, loss,
               g_flow.duplicates, g_flow.wrong, g_flow.acked, secs,
               secs > 0 ? (double)g_flow.unique / secs : 0.0, cpu,
               g_flow.unique ? cpu * 10000.0 / (double)g_flow.unique : 0.0,
               pub_msgs ? (double)pub_calls / (double)pub_msgs : 0.0,
               pub_msgs ? (double)pub_bytes / (double)pub_msgs : 0.0,
               yield_msgs ? (double)yield_calls / (double)yield_msgs : 0.0,
               yield_msgs ? (double)yield_bytes / (double)yield_msgs : 0.0,
               g_flow.unique ? (double)(m1.malloc_calls - m0.malloc_calls) / (double)g_flow.unique : 0.0,
               (unsigned long long)m1.peak_bytes_in_use, (unsigned long long)m_before.bytes_in_use,
               (unsigned long long)m0.bytes_in_use, (unsigned long long)m_end.bytes_in_use, inflight,
               u1.maxrss_kb, bench_pct_u32(g_flow.lat_us, g_flow.n_lat, 50),
               bench_pct_u32(g_flow.lat_us, g_flow.n_lat, 99),
               bench_pct_u32(g_flow.lat_us, g_flow.n_lat, 100), yields, mean_yield_ms,
               mean_yield_ms > 0 ? (double)g_flow.window * 1000.0 / mean_yield_ms : 0.0,
               g_flow.unique ? (double)reads0 / (double)g_flow.unique : 0.0,
               g_flow.unique ? (double)writes0 / (double)g_flow.unique : 0.0,
               u1.nvcsw - u0.nvcsw, u1.nivcsw - u0.nivcsw, g_events_other);
        if (failed || loss != 0 || g_flow.duplicates != 0 || g_flow.wrong != 0) {
            failed = 1;
        }
    }
    bench_flow_free(&g_flow);
    return failed;
}

/* ----- Construct / Destroy cycles ------------------------------------------------------------- */
static void destroy_client(void *h)
{
    IOT_MQTT_Destroy(&h);
}

static int run_cycles(const bench_args_t *a)
{
    return bench_run_cycles(a, "iotmqtt", connect_client, destroy_client);
}

/* ----- idle: Yield(h, 200) for S seconds ------------------------------------------------------ */
static int run_idle(const bench_args_t *a)
{
    char topic[BENCH_TOPIC_LEN];
    char client_id[64];
    void *h;
    bench_usage_t u0, u1;
    long reads0, writes0, calls = 0;
    double t0, t1;

    snprintf(topic, sizeof(topic), "/bench/%s/%s/data", a->pk, a->dn);
    snprintf(client_id, sizeof(client_id), "bench-iotmqtt-%ld", (long)getpid());
    h = connect_client(a->port, client_id);
    if (h == NULL || subscribe_and_wait(h, topic, 1) != 0) {
        fprintf(stderr, "connect/subscribe failed\n");
        return 1;
    }
    reads0 = g_tcp_reads;
    writes0 = g_tcp_writes;
    u0 = bench_usage();
    t0 = bench_now_s();
    while (calls < (long)a->idle_s * 5) {
        IOT_MQTT_Yield(h, 200);
        calls++;
    }
    t1 = bench_now_s();
    u1 = bench_usage();
    reads0 = g_tcp_reads - reads0;
    writes0 = g_tcp_writes - writes0;
    IOT_MQTT_Destroy(&h);
    printf("RESULT impl=iotmqtt scenario=idle seconds=%.3f yield_calls=%ld wakeups=%ld tcp_reads=%ld "
           "tcp_writes=%ld nvcsw=%ld cpu_ms=%.3f\n",
           t1 - t0, calls, u1.nvcsw - u0.nvcsw, reads0, writes0,
           u1.nvcsw - u0.nvcsw, (u1.cpu_s - u0.cpu_s) * 1000.0);
    return 0;
}

/* ----- idle floor: what the idle scenario costs below the library --------------------------- */
/* The same HAL_TCP_Read(h, buf, 4, 200) an idle Yield(h, 200) ends up in, on a loopback
 * connection that never carries data (to a listener of our own, never accepted), with no MQTT
 * around it: the CPU this machine charges for 5 wake-ups a second. */
static int run_idle_floor(const bench_args_t *a)
{
    struct sockaddr_in sa;
    socklen_t sa_len = sizeof(sa);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    uintptr_t conn = 0;
    bench_usage_t u0, u1;
    long calls = 0, reads0;
    double t0, t1;
    char buf[4];

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&sa, &sa_len) != 0 ||
        (conn = HAL_TCP_Establish("127.0.0.1", ntohs(sa.sin_port))) == 0) {
        fprintf(stderr, "idle-floor: no loopback connection\n");
        if (ls >= 0) {
            close(ls);
        }
        return 1;
    }
    reads0 = g_tcp_reads;
    u0 = bench_usage();
    t0 = bench_now_s();
    while (calls < (long)a->idle_s * 5) {
        if (HAL_TCP_Read(conn, buf, sizeof(buf), 200) != 0) {
            fprintf(stderr, "idle-floor: the connection carried data or failed\n");
            break;
        }
        calls++;
    }
    t1 = bench_now_s();
    u1 = bench_usage();
    HAL_TCP_Destroy(conn);
    close(ls);
    printf("RESULT impl=floor scenario=idle seconds=%.3f yield_calls=%ld wakeups=%ld tcp_reads=%ld "
           "nvcsw=%ld cpu_ms=%.3f\n",
           t1 - t0, calls, u1.nvcsw - u0.nvcsw, g_tcp_reads - reads0, u1.nvcsw - u0.nvcsw,
           (u1.cpu_s - u0.cpu_s) * 1000.0);
    return calls == (long)a->idle_s * 5 ? 0 : 1;
}

int main(int argc, char **argv)
{
    bench_args_t a = bench_parse(argc, argv);
    int rc;
    /* Quiet: errors only, as a production firmware would run. */
    IOT_OpenLog("bench");
    IOT_SetLogLevel(getenv("BENCH_LOG") != NULL ? IOT_LOG_DEBUG : IOT_LOG_ERROR);
    if (strcmp(a.scenario, "flow") == 0) {
        rc = run_flow(&a);
    } else if (strcmp(a.scenario, "cycles") == 0) {
        rc = run_cycles(&a);
    } else if (strcmp(a.scenario, "idle") == 0) {
        rc = run_idle(&a);
    } else if (strcmp(a.scenario, "idle-floor") == 0) {
        rc = run_idle_floor(&a);
    } else {
        bench_usage_exit(argv[0]);
        rc = 2;
    }
    IOT_CloseLog();
    return rc;
}
