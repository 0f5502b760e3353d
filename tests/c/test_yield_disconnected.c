/*
 * test_yield_disconnected.c - IOT_MQTT_Yield never returns early and never sleeps through the
 * reconnect back-off while reconnects fail (docs/requirements.md "Behaviour", Yield and reconnect).
 *
 * The client connects through the fault proxy (tests/proxy/fault_proxy.c); then the proxy's
 * upstream goes away and the connection is cut. Three ways for the reconnects to fail, one
 * client each:
 *   close      - the proxy accepts and closes at once (CONNECT gets EOF);
 *   blackhole  - the proxy accepts and never answers (no CONNACK: the attempt ends after the
 *                request timeout, 1000 ms here);
 *   refuse     - nothing listens on the port (connect refused).
 * For ~4.5 s the test calls Yield(h, 200) and checks each call lasts 199 .. 200 + request
 * timeout + 300 ms, that the client made reconnect attempts meanwhile, raised exactly one
 * DISCONNECT and no RECONNECT, and that Publish returns -27 at once. After the blackhole phase
 * the upstream comes back and the client must reconnect (RECONNECT). Memory counters return to
 * their start value after each Destroy.
 *
 * Run under tests/scripts/with_mosquitto.sh. Prints "N passed, M failed".
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iot_import.h"
#include "iot_export.h"
#include "hal_posix_stats.h"
#include "fault_proxy.h"

#include "check.h"
#include "test_client.h"


#define YIELD_MS 200
#define REQUEST_TIMEOUT_MS 1000
#define PHASE_MS 4500

static int g_disconnects;
static int g_reconnects;

static void on_event(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    if (msg->event_type == IOTX_MQTT_EVENT_DISCONNECT) {
        g_disconnects++;
    } else if (msg->event_type == IOTX_MQTT_EVENT_RECONNECT) {
        g_reconnects++;
    }
}

/* One timed Yield(h, 200); returns its duration and checks the bounds. */
static double timed_yield(void *h, const char *phase)
{
    double start = test_now_ms(), d;
    int rc = IOT_MQTT_Yield(h, YIELD_MS);
    d = test_now_ms() - start;
    CHECK_INT(rc, 0);
    if (d >= YIELD_MS - 1 && d <= YIELD_MS + REQUEST_TIMEOUT_MS + 300) {
        g_passed++;
    } else {
        g_failed++;
        printf("FAIL [%s] Yield(h, %d) took %.1f ms, expected %d..%d ms\n", phase, YIELD_MS, d,
               YIELD_MS - 1, YIELD_MS + REQUEST_TIMEOUT_MS + 300);
    }
    return d;
}

static void run_phase(fault_proxy_t *proxy, fp_mode_t mode, const char *name, int recover)
{
    static char wbuf[1024], rbuf[1024];
    char client_id[64];
    iotx_mqtt_param_t p;
    hal_posix_mem_stats_t before, after;
    fp_stats_t s0, s1;
    void *h;
    double start, max_d = 0, min_d = 1e9;
    int n = 0;

    printf("-- reconnects failing: %s\n", name);
    g_disconnects = g_reconnects = 0;
    fp_set_mode(proxy, FP_PASS);
    snprintf(client_id, sizeof(client_id), "iotmqtt-yd-%s-%ld", name, (long)getpid());
    test_params(&p, "127.0.0.1", fp_port(proxy), client_id, REQUEST_TIMEOUT_MS, rbuf, (uint32_t)sizeof(rbuf),
                wbuf, (uint32_t)sizeof(wbuf), on_event);
    hal_posix_mem_stats(&before);
    h = IOT_MQTT_Construct(&p);
    CHECK(h != NULL);
    if (h == NULL) {
        return;
    }
    timed_yield(h, name);

    fp_set_mode(proxy, mode);
    fp_cut_all(proxy);
    fp_stats(proxy, &s0);
    start = test_now_ms();
    while (test_now_ms() - start < PHASE_MS) {
        double d = timed_yield(h, name);
        n++;
        if (d > max_d) {
            max_d = d;
        }
        if (d < min_d) {
            min_d = d;
        }
    }
    fp_stats(proxy, &s1);
    printf("   %d Yield(h, %d) calls: %.1f .. %.1f ms; %d connection attempts reached the proxy\n",
           n, YIELD_MS, min_d, max_d, s1.accepted - s0.accepted);
    CHECK(n >= PHASE_MS / (YIELD_MS + REQUEST_TIMEOUT_MS + 300));
    if (mode != FP_REFUSE) {
        /* The first attempt comes 1..2 s after the drop: at least one within 4.5 s. */
        CHECK(s1.accepted - s0.accepted >= 1);
    }
    CHECK_INT(g_disconnects, 1);
    CHECK_INT(g_reconnects, 0);
    CHECK_INT(IOT_MQTT_CheckStateNormal(h), 0);
    {
        iotx_mqtt_topic_info_t m;
        double t0;
        int rc;
        memset(&m, 0, sizeof(m));
        m.qos = IOTX_MQTT_QOS1;
        m.payload = "x";
        m.payload_len = 1;
        t0 = test_now_ms();
        rc = IOT_MQTT_Publish(h, "test/yield/disconnected", &m);
        CHECK_INT(rc, -27);
        CHECK(test_now_ms() - t0 < 50);
    }

    if (recover) {
        /* The upstream comes back: the client reconnects within the back-off (at most ~8 s
         * after two failed attempts), every Yield still within its bounds. */
        fp_set_mode(proxy, FP_PASS);
        start = test_now_ms();
        while (g_reconnects == 0 && test_now_ms() - start < 12000) {
            timed_yield(h, name);
        }
        printf("   reconnected after %.1f s\n", (test_now_ms() - start) / 1000.0);
        CHECK_INT(g_reconnects, 1);
        CHECK_INT(IOT_MQTT_CheckStateNormal(h), 1);
    }
    CHECK_INT(IOT_MQTT_Destroy(&h), 0);
    hal_posix_mem_stats(&after);
    CHECK_INT(after.bytes_in_use, before.bytes_in_use); /* heap as before Construct */
}

int main(void)
{
    uint16_t broker_port = test_broker_port();
    fault_proxy_t *proxy;
    double t0 = test_now_ms();

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (broker_port == 0) {
        return 1;
    }
    test_open_log_if_wanted("yield-disconnected");
    proxy = fp_start(broker_port, 0x0badf00du);
    CHECK(proxy != NULL);
    if (proxy != NULL) {
        run_phase(proxy, FP_CLOSE, "close", 0);
        run_phase(proxy, FP_REFUSE, "refuse", 0);
        run_phase(proxy, FP_BLACKHOLE, "blackhole", 1);
        fp_stop(proxy);
    }
    printf("   total %.1f s\n", (test_now_ms() - t0) / 1000.0);
    return check_report();
}
