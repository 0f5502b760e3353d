/*
 * test_nothing_lost.c - QoS1 "nothing lost" through a fault-injecting TCP proxy
 * (docs/requirements.md "Behaviour": QoS1 publish, reconnect, Yield).
 *
 *   iotmqtt publisher --(fault proxy, tests/proxy/fault_proxy.c)--> mosquitto <-- libmosquitto
 *                                                                                 subscriber
 * The proxy cuts the publisher's connection a handful of times (deterministic pseudo-random:
 * after 150..400 ms, or after 200..4000 client->broker bytes, possibly mid-packet; FIN or RST);
 * the broker stays up. The subscriber connects directly to the broker with clean_session = 0 at
 * QoS1 and records every sequence number it receives. The publisher publishes QoS1 messages
 * continuously (sequence number in the payload) and calls IOT_MQTT_Yield(h, 20) in between.
 * Checks:
 *   - every Publish that returned > 0 reaches the subscriber at least once, and gets its
 *     PUBLISH_SUCCESS event (its PUBACK arrives, after a resend if needed);
 *   - Publish returns only a packet id, -27 (disconnected) or -42 (20 pending);
 *   - one DISCONNECT per cut and one RECONNECT per DISCONNECT;
 *   - no Yield sleeps through the back-off: every Yield(h, t) lasts t - 1 .. t + request_timeout
 *     + 500 ms (one bounded connection attempt may overrun t);
 *   - after Destroy, hal_posix_mem_stats().bytes_in_use is back to its value before Construct.
 *
 * Run under tests/scripts/with_mosquitto.sh. IOTMQTT_TEST_VALGRIND=1: 2 cuts instead of 5 and a
 * wider Yield tolerance (valgrind is slow; timing is not its point). IOTMQTT_TEST_LOG=1: logs.
 * Prints "N passed, M failed"; exits non-zero on failure.
 */
#include <mosquitto.h>
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



#define MAX_SEQ 20000
#define REQUEST_TIMEOUT_MS 2000
#define YIELD_MS 20

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_received[MAX_SEQ];     /* subscriber: copies per sequence number */
static int g_sub_ready;             /* subscriber: SUBACK seen */
static int g_sub_connected;
static int g_acked[65536];          /* publisher: PUBLISH_SUCCESS per packet id */
static int g_acked_after[65536];    /* publisher: DISCONNECT count when the PUBACK came */
static int g_disconnects;
static int g_reconnects;
static int g_other_events;
static char g_topic[128];

/* ----- the libmosquitto subscriber (its own network thread) ---------------------------------- */
static void sub_on_connect(struct mosquitto *m, void *obj, int rc)
{
    (void)obj;
    if (rc == 0) {
        pthread_mutex_lock(&g_lock);
        g_sub_connected++;
        pthread_mutex_unlock(&g_lock);
        mosquitto_subscribe(m, NULL, g_topic, 1);
    }
}

static void sub_on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
    (void)m;
    (void)obj;
    (void)mid;
    pthread_mutex_lock(&g_lock);
    if (n == 1 && granted[0] == 1) {
        g_sub_ready = 1;
    }
    pthread_mutex_unlock(&g_lock);
}

static void sub_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    char text[32];
    int seq;
    size_t len;
    (void)m;
    (void)obj;
    len = msg->payloadlen < (int)sizeof(text) - 1 ? (size_t)msg->payloadlen : sizeof(text) - 1;
    memcpy(text, msg->payload, len);
    text[len] = '\0';
    if (sscanf(text, "seq=%d", &seq) == 1 && seq >= 0 && seq < MAX_SEQ) {
        pthread_mutex_lock(&g_lock);
        g_received[seq]++;
        pthread_mutex_unlock(&g_lock);
    }
}

/* ----- the iotmqtt publisher's event handler ------------------------------------------------- */
static void on_event(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    pthread_mutex_lock(&g_lock);
    switch (msg->event_type) {
    case IOTX_MQTT_EVENT_DISCONNECT:
        g_disconnects++;
        break;
    case IOTX_MQTT_EVENT_RECONNECT:
        g_reconnects++;
        break;
    case IOTX_MQTT_EVENT_PUBLISH_SUCCESS:
        g_acked[(uintptr_t)msg->msg & 0xFFFF]++;
        g_acked_after[(uintptr_t)msg->msg & 0xFFFF] = g_disconnects;
        break;
    default:
        g_other_events++;
        printf("   event %d\n", (int)msg->event_type);
        break;
    }
    pthread_mutex_unlock(&g_lock);
}

static int get_locked(const int *p)
{
    int v;
    pthread_mutex_lock(&g_lock);
    v = *p;
    pthread_mutex_unlock(&g_lock);
    return v;
}

int main(void)
{
    uint16_t broker_port = test_broker_port();
    const char *vg = getenv("IOTMQTT_TEST_VALGRIND");
    int under_valgrind = vg != NULL && vg[0] != '\0' && strcmp(vg, "0") != 0;
    int cuts = under_valgrind ? 2 : 5;
    double tolerance = under_valgrind ? 3000.0 : 500.0;
    double max_budget = YIELD_MS + REQUEST_TIMEOUT_MS + tolerance;
    static int accepted_pkid[MAX_SEQ];
    static int published_after[MAX_SEQ]; /* DISCONNECT count when Publish returned */
    static char wbuf[1024], rbuf[1024];
    uint16_t port;
    struct mosquitto *sub;
    fault_proxy_t *proxy;
    fp_stats_t ps;
    hal_posix_mem_stats_t before, after;
    iotx_mqtt_param_t p;
    char client_id[64], sub_id[64];
    void *h;
    int seq = 0, n_accepted = 0, n_disconnected = 0, n_full = 0, n_other = 0;
    int n_yields = 0, n_early = 0, n_late = 0, after_last = 0;
    double max_yield = 0, start, t0;
    int i, missing, unacked;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (broker_port == 0) {
        return 1;
    }
    port = broker_port;
    test_open_log_if_wanted("nothing-lost");
    snprintf(g_topic, sizeof(g_topic), "test/%ld/nothing-lost", (long)getpid());
    snprintf(client_id, sizeof(client_id), "iotmqtt-nl-pub-%ld", (long)getpid());
    snprintf(sub_id, sizeof(sub_id), "iotmqtt-nl-sub-%ld", (long)getpid());
    t0 = test_now_ms();

    /* The subscriber, directly on the broker, clean_session = 0, QoS1. */
    mosquitto_lib_init();
    sub = mosquitto_new(sub_id, false, NULL);
    CHECK(sub != NULL);
    if (sub == NULL) {
        return check_report(); /* the CHECK above failed */
    }
    mosquitto_connect_callback_set(sub, sub_on_connect);
    mosquitto_subscribe_callback_set(sub, sub_on_subscribe);
    mosquitto_message_callback_set(sub, sub_on_message);
    CHECK_INT(mosquitto_connect(sub, "127.0.0.1", port, 60), MOSQ_ERR_SUCCESS);
    CHECK_INT(mosquitto_loop_start(sub), MOSQ_ERR_SUCCESS);
    for (i = 0; i < 500 && !get_locked(&g_sub_ready); i++) {
        test_sleep_ms(10);
    }
    CHECK(get_locked(&g_sub_ready));

    /* The proxy: the next `cuts` connections are cut. */
    proxy = fp_start(port, 0x5eed1234u);
    CHECK(proxy != NULL);
    if (proxy == NULL) {
        return check_report(); /* the CHECK above failed */
    }
    fp_plan_cuts(proxy, cuts, 150, 400, 200, 4000);
    printf("-- publishing QoS1 through the proxy (port %u -> %u), %d cuts\n",
           (unsigned)fp_port(proxy), (unsigned)port, cuts);

    hal_posix_mem_stats(&before);
    test_params(&p, "127.0.0.1", fp_port(proxy), client_id, REQUEST_TIMEOUT_MS, rbuf, (uint32_t)sizeof(rbuf),
                wbuf, (uint32_t)sizeof(wbuf), on_event);
    h = IOT_MQTT_Construct(&p);
    CHECK(h != NULL);
    if (h == NULL) {
        fp_stop(proxy);
        return check_report(); /* the CHECK above failed */
    }

    /* Publish continuously until every cut happened, the client reconnected after the last
     * one and 50 more messages went through; at most 25 s. */
    start = test_now_ms();
    while (test_now_ms() - start < 25000 && seq < MAX_SEQ) {
        iotx_mqtt_topic_info_t m;
        char payload[32];
        double y0, d;
        int rc, reconnects;

        snprintf(payload, sizeof(payload), "seq=%06d", seq);
        memset(&m, 0, sizeof(m));
        m.qos = IOTX_MQTT_QOS1;
        m.payload = payload;
        m.payload_len = (uint16_t)strlen(payload);
        rc = IOT_MQTT_Publish(h, g_topic, &m);
        if (rc > 0) {
            accepted_pkid[seq] = rc;
            published_after[seq] = get_locked(&g_disconnects);
            n_accepted++;
            if (m.packet_id != (uint16_t)rc) {
                n_other++;
                printf("FAIL publish %d: returned %d but packet_id = %u\n", seq, rc, m.packet_id);
            }
        } else if (rc == -27) {
            n_disconnected++;
        } else if (rc == -42) {
            n_full++;
        } else {
            n_other++;
            printf("FAIL publish %d returned %d (expected a packet id, -27 or -42)\n", seq, rc);
        }
        seq++;

        y0 = test_now_ms();
        rc = IOT_MQTT_Yield(h, YIELD_MS);
        d = test_now_ms() - y0;
        n_yields++;
        if (rc != 0) {
            n_other++;
            printf("FAIL Yield returned %d\n", rc);
        }
        if (d > max_yield) {
            max_yield = d;
        }
        if (d < YIELD_MS - 1) {
            n_early++;
            printf("FAIL Yield(h, %d) returned early after %.2f ms\n", YIELD_MS, d);
        } else if (d > max_budget) {
            n_late++;
            printf("FAIL Yield(h, %d) took %.1f ms, more than %d + request timeout %d + %.0f ms "
                   "(slept through the back-off?)\n", YIELD_MS, d, YIELD_MS, REQUEST_TIMEOUT_MS,
                   tolerance);
        }

        fp_stats(proxy, &ps);
        reconnects = get_locked(&g_reconnects);
        if (ps.cuts_done >= cuts && reconnects >= cuts) {
            if (++after_last >= 50) {
                break;
            }
        }
    }
    fp_stats(proxy, &ps);
    printf("   %.1f s: %d publishes, %d accepted, %d refused while disconnected (-27), "
           "%d refused with 20 pending (-42)\n", (test_now_ms() - start) / 1000.0, seq, n_accepted,
           n_disconnected, n_full);
    printf("   proxy: %d connections, %d cuts (%d after a time, %d after a byte count, %d with RST), "
           "%llu bytes up, %llu down\n", ps.accepted, ps.cuts_done, ps.time_cuts, ps.byte_cuts,
           ps.resets, (unsigned long long)ps.bytes_up, (unsigned long long)ps.bytes_down);
    printf("   events: %d DISCONNECT, %d RECONNECT; Yield: %d calls, longest %.1f ms\n",
           get_locked(&g_disconnects), get_locked(&g_reconnects), n_yields, max_yield);

    /* Drain: keep yielding until every accepted message reached the subscriber and was acked. */
    {
        double drain = test_now_ms();
        for (;;) {
            missing = 0;
            unacked = 0;
            pthread_mutex_lock(&g_lock);
            for (i = 0; i < seq; i++) {
                if (accepted_pkid[i] > 0) {
                    if (g_received[i] == 0) {
                        missing++;
                    }
                    if (g_acked[accepted_pkid[i]] == 0) {
                        unacked++;
                    }
                }
            }
            pthread_mutex_unlock(&g_lock);
            if ((missing == 0 && unacked == 0) || test_now_ms() - drain > 10000) {
                break;
            }
            IOT_MQTT_Yield(h, 50);
        }
        printf("   drained in %.1f s\n", (test_now_ms() - drain) / 1000.0);
    }

    /* Every accepted Publish reached the subscriber, at least once. */
    CHECK_INT(missing, 0);
    CHECK_INT(unacked, 0);
    if (missing > 0 || unacked > 0) {
        int shown = 0;
        pthread_mutex_lock(&g_lock);
        for (i = 0; i < seq && shown < 20; i++) {
            if (accepted_pkid[i] > 0 && (g_received[i] == 0 || g_acked[accepted_pkid[i]] == 0)) {
                printf("   seq %d (packet id %d): received %d times, PUBLISH_SUCCESS %d\n", i,
                       accepted_pkid[i], g_received[i], g_acked[accepted_pkid[i]]);
                shown++;
            }
        }
        pthread_mutex_unlock(&g_lock);
    }
    {
        int dups = 0, unasked = 0;
        pthread_mutex_lock(&g_lock);
        for (i = 0; i < seq; i++) {
            if (g_received[i] > 1) {
                dups++;
            }
            if (g_received[i] > 0 && accepted_pkid[i] == 0) {
                unasked++;
            }
        }
        pthread_mutex_unlock(&g_lock);
        printf("   subscriber: %d messages received more than once (allowed: at least once)\n",
               dups);
        /* A refused Publish (-27/-42) must not go out anyway. */
        CHECK_INT(unasked, 0);
    }
    {
        /* Messages whose PUBACK came only after a reconnect: they were in flight at a cut and
         * had to be resent. A byte cut truncates a PUBLISH (or drops its PUBACK), so with one
         * byte cut at least one message crossed a reconnect. */
        int crossed = 0;
        pthread_mutex_lock(&g_lock);
        for (i = 0; i < seq; i++) {
            if (accepted_pkid[i] > 0 && g_acked[accepted_pkid[i]] > 0 &&
                g_acked_after[accepted_pkid[i]] > published_after[i]) {
                crossed++;
            }
        }
        pthread_mutex_unlock(&g_lock);
        printf("   %d accepted messages were in flight at a cut and acknowledged after the "
               "reconnect\n", crossed);
        if (ps.byte_cuts > 0) {
            CHECK(crossed >= 1);
        }
    }
    CHECK(n_accepted >= 50);
    CHECK(n_disconnected > 0);
    CHECK_INT(n_other, 0);

    /* The cuts happened and each raised DISCONNECT, then RECONNECT. */
    CHECK_INT(ps.cuts_done, cuts);
    CHECK_INT(get_locked(&g_disconnects), cuts);
    CHECK_INT(get_locked(&g_reconnects), cuts);
    CHECK_INT(get_locked(&g_other_events), 0);
    CHECK_INT(IOT_MQTT_CheckStateNormal(h), 1);

    /* No Yield returned early, none slept through the back-off. */
    CHECK_INT(n_early, 0);
    CHECK_INT(n_late, 0);

    /* Memory back to where it was before Construct. */
    CHECK_INT(IOT_MQTT_Destroy(&h), 0);
    hal_posix_mem_stats(&after);
    CHECK_INT(after.bytes_in_use, before.bytes_in_use);
    printf("   HAL memory: %llu HAL_Malloc, %llu HAL_Free, peak %llu bytes\n",
           (unsigned long long)(after.malloc_calls - before.malloc_calls),
           (unsigned long long)(after.free_calls - before.free_calls),
           (unsigned long long)after.peak_bytes_in_use);

    fp_stop(proxy);
    mosquitto_disconnect(sub);
    mosquitto_loop_stop(sub, false);
    mosquitto_destroy(sub);
    mosquitto_lib_cleanup();
    printf("   total %.1f s\n", (test_now_ms() - t0) / 1000.0);
    return check_report();
}
