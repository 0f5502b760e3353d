/*
 * bench_mosquitto.c - the benchmark flow (bench_common.h) written with libmosquitto (Debian's
 * libmosquitto-dev), the peer iotmqtt is compared with in the same run. Same flow, payloads,
 * window and checks as bench_iotmqtt.c; mosquitto_loop(mosq, 1, 1) stands where iotmqtt calls
 * IOT_MQTT_Yield(h, 1) (it returns as soon as something was read, so it is reported, not matched).
 *
 *   bench_mosquitto flow   --port P --qos 0|1 --size 64|1024 --n N
 *   bench_mosquitto cycles --port P [--cycles 50]
 *   bench_mosquitto idle   --port P [--seconds 10]
 *
 * Heap figures (HAL_Malloc) do not apply: libmosquitto allocates with libc malloc.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

#include "bench_common.h"

static uint8_t g_payload[BENCH_BUF_SIZE];
static bench_flow_t g_flow;
static int g_connected;
static int g_connect_rc = -1;
static long g_suback;

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    (void)obj;
    g_connect_rc = rc;
    g_connected = rc == 0;
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int qos_count, const int *granted)
{
    (void)mosq;
    (void)obj;
    (void)mid;
    (void)qos_count;
    (void)granted;
    g_suback++;
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    (void)mosq;
    (void)obj;
    (void)mid;
    /* Called for QoS0 once written and for QoS1 on PUBACK: count acks only for QoS1. */
    if (g_flow.qos > 0) {
        g_flow.acked++;
    }
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
    (void)mosq;
    (void)obj;
    bench_on_message(&g_flow, msg->topic, strlen(msg->topic), (const uint8_t *)msg->payload,
                     (size_t)msg->payloadlen);
}

/* Connects and waits for CONNACK; NULL on failure. */
static struct mosquitto *connect_client(int port, const char *client_id)
{
    struct mosquitto *m = mosquitto_new(client_id, true, NULL);
    double deadline = bench_now_s() + 5.0;
    if (m == NULL) {
        return NULL;
    }
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_subscribe_callback_set(m, on_subscribe);
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_message_callback_set(m, on_message);
    mosquitto_username_pw_set(m, "bench&bench", "bench");
    /* The reference POSIX HAL sets TCP_NODELAY; so does the peer (without it, QoS1 round trips
     * stall on Nagle + delayed ACK at ~40 ms). */
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    g_connected = 0;
    g_connect_rc = -1;
    if (mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
        mosquitto_destroy(m);
        return NULL;
    }
    while (g_connect_rc < 0 && bench_now_s() < deadline) {
        if (mosquitto_loop(m, 10, 1) != MOSQ_ERR_SUCCESS) {
            break;
        }
    }
    if (!g_connected) {
        mosquitto_destroy(m);
        return NULL;
    }
    return m;
}

static void disconnect_client(struct mosquitto *m)
{
    mosquitto_disconnect(m);
    mosquitto_loop(m, 0, 1);
    mosquitto_destroy(m);
}

static int subscribe_and_wait(struct mosquitto *m, const char *topic, int qos)
{
    long before = g_suback;
    double deadline = bench_now_s() + 5.0;
    if (mosquitto_subscribe(m, NULL, topic, qos) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "mosquitto_subscribe failed\n");
        return -1;
    }
    while (g_suback == before && bench_now_s() < deadline) {
        mosquitto_loop(m, 10, 1);
    }
    return g_suback == before ? -1 : 0;
}

static int run_flow(const bench_args_t *a)
{
    char topic[BENCH_TOPIC_LEN];
    char client_id[64];
    struct mosquitto *m;
    long loops = 0;
    double loop_s = 0;
    double t0, t1;
    bench_usage_t u0, u1;
    long last_progress_count = -1;
    double last_progress;
    int failed = 0;

    snprintf(topic, sizeof(topic), "/bench/%s/%s/data", a->pk, a->dn);
    snprintf(client_id, sizeof(client_id), "bench-mosq-%ld", (long)getpid());
    if (bench_flow_init(&g_flow, a->n, a->qos, a->size, topic) != 0) {
        return 1;
    }
    m = connect_client(a->port, client_id);
    if (m == NULL) {
        fprintf(stderr, "connect failed\n");
        return 1;
    }
    if (subscribe_and_wait(m, topic, a->qos) != 0) {
        fprintf(stderr, "no SUBACK\n");
        disconnect_client(m);
        return 1;
    }
    u0 = bench_usage();
    t0 = bench_now_s();
    last_progress = t0;
    while (!bench_done(&g_flow)) {
        if (bench_may_publish(&g_flow)) {
            uint32_t seq = (uint32_t)g_flow.published;
            int rc;
            bench_fill(g_payload, a->size, seq);
            g_flow.sent_ns[seq] = bench_now_ns();
            rc = mosquitto_publish(m, NULL, topic, (int)a->size, g_payload, a->qos, false);
            if (rc != MOSQ_ERR_SUCCESS) {
                fprintf(stderr, "mosquitto_publish failed: %s\n", mosquitto_strerror(rc));
                failed = 1;
                break;
            }
            g_flow.published++;
        } else {
            double ls = bench_now_s();
            int rc = mosquitto_loop(m, 1, 1);
            loop_s += bench_now_s() - ls;
            loops++;
            if (rc != MOSQ_ERR_SUCCESS) {
                fprintf(stderr, "mosquitto_loop: %s\n", mosquitto_strerror(rc));
                failed = 1;
                break;
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
    disconnect_client(m);

    qsort(g_flow.lat_us, (size_t)g_flow.n_lat, sizeof(uint32_t), bench_cmp_u32);
    {
        long loss = g_flow.n - g_flow.unique;
        double secs = t1 - t0;
        double cpu = u1.cpu_s - u0.cpu_s;
        double mean_loop_ms = loops ? loop_s * 1000.0 / (double)loops : 0.0;
        printf("RESULT impl=mosquitto scenario=flow qos=%d size=%zu n=%ld window=%ld published=%ld "
               "received=%ld loss=%ld dup=%ld wrong=%ld acked=%ld secs=%.4f msgs_per_s=%.1f "
               "cpu_s=%.4f cpu_per_10k_s=%.4f maxrss_kb=%ld "
               "lat_p50_us=%.0f lat_p99_us=%.0f lat_max_us=%.0f "
               "yields=%ld mean_yield_ms=%.4f nvcsw=%ld nivcsw=%ld\n",
               a->qos, a->size, g_flow.n, g_flow.window, g_flow.published, g_flow.received, loss,
               g_flow.duplicates, g_flow.wrong, g_flow.acked, secs,
               secs > 0 ? (double)g_flow.unique / secs : 0.0, cpu,
               g_flow.unique ? cpu * 10000.0 / (double)g_flow.unique : 0.0, u1.maxrss_kb,
               bench_pct_u32(g_flow.lat_us, g_flow.n_lat, 50),
               bench_pct_u32(g_flow.lat_us, g_flow.n_lat, 99),
               bench_pct_u32(g_flow.lat_us, g_flow.n_lat, 100), loops, mean_loop_ms,
               u1.nvcsw - u0.nvcsw, u1.nivcsw - u0.nivcsw);
        if (failed || loss != 0 || g_flow.duplicates != 0 || g_flow.wrong != 0) {
            failed = 1;
        }
    }
    bench_flow_free(&g_flow);
    return failed;
}

static void *connect_any(int port, const char *client_id)
{
    return connect_client(port, client_id);
}

static void destroy_any(void *m)
{
    disconnect_client((struct mosquitto *)m);
}

static int run_cycles(const bench_args_t *a)
{
    return bench_run_cycles(a, "mosquitto", connect_any, destroy_any);
}

static int run_idle(const bench_args_t *a)
{
    char topic[BENCH_TOPIC_LEN];
    char client_id[64];
    struct mosquitto *m;
    bench_usage_t u0, u1;
    long calls = 0;
    double t0, t1;

    snprintf(topic, sizeof(topic), "/bench/%s/%s/data", a->pk, a->dn);
    snprintf(client_id, sizeof(client_id), "bench-mosq-%ld", (long)getpid());
    m = connect_client(a->port, client_id);
    if (m == NULL || subscribe_and_wait(m, topic, 1) != 0) {
        fprintf(stderr, "connect/subscribe failed\n");
        return 1;
    }
    u0 = bench_usage();
    t0 = bench_now_s();
    /* Same duration as iotmqtt's: loop(200) until the time is up (it may return early). */
    while (bench_now_s() - t0 < (double)a->idle_s) {
        mosquitto_loop(m, 200, 1);
        calls++;
    }
    t1 = bench_now_s();
    u1 = bench_usage();
    disconnect_client(m);
    printf("RESULT impl=mosquitto scenario=idle seconds=%.3f yield_calls=%ld wakeups=%ld nvcsw=%ld "
           "cpu_ms=%.3f\n",
           t1 - t0, calls, u1.nvcsw - u0.nvcsw, u1.nvcsw - u0.nvcsw, (u1.cpu_s - u0.cpu_s) * 1000.0);
    return 0;
}

int main(int argc, char **argv)
{
    bench_args_t a = bench_parse(argc, argv);
    int rc;
    mosquitto_lib_init();
    if (strcmp(a.scenario, "flow") == 0) {
        rc = run_flow(&a);
    } else if (strcmp(a.scenario, "cycles") == 0) {
        rc = run_cycles(&a);
    } else if (strcmp(a.scenario, "idle") == 0) {
        rc = run_idle(&a);
    } else {
        bench_usage_exit(argv[0]);
        rc = 2;
    }
    mosquitto_lib_cleanup();
    return rc;
}
