/*
 * test_v210_fidelity.c - unchanged V2.10 firmware behaves as before, through the
 * V2.10 API, libiotmqtt.a and the reference POSIX HAL against a real mosquitto:
 *   1. topic_msg->retain reaches the wire: a later subscriber gets the message as retained;
 *   2. re-subscribing the same filter with the same handler and context adds no slot (the
 *      handler runs once per message, 40 calls never reach -42); another context gets its
 *      own slot; one unsubscribe removes both;
 *   3. a stale handle gets -2 from every call, however many clients are built after it (glibc
 *      hands the destroyed client's memory to the next one);
 *   4. a CONNECT larger than write_buf_size fails Construct at once (V2.10: -30), not after
 *      the request timeout;
 *   6. topics over 128 characters (up to 65 535) get -41 from publish, subscribe and
 *      unsubscribe whatever the buffer sizes.
 *
 * Run under tests/scripts/with_mosquitto.sh. Prints "N passed, M failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iot_import.h"
#include "iot_export.h"
#include "hal_posix_stats.h"

#include "check.h"
#include "test_client.h"

#define BUF 1024

static uint16_t g_port;
static char g_rbuf[BUF], g_wbuf[BUF];
static char g_rbuf2[BUF], g_wbuf2[BUF];

typedef struct {
    int calls;
    int retained;
    char last_payload[64];
} counter_t;

static void on_event(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    (void)msg;
}

static void on_message(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    counter_t *c = (counter_t *)pcontext;
    iotx_mqtt_topic_info_pt info = (iotx_mqtt_topic_info_pt)msg->msg;
    (void)pclient;
    if (msg->event_type != IOTX_MQTT_EVENT_PUBLISH_RECVEIVED) {
        return;
    }
    c->calls++;
    c->retained += info->retain;
    size_t n = info->payload_len < sizeof(c->last_payload) - 1 ? info->payload_len
                                                                 : sizeof(c->last_payload) - 1;
    memcpy(c->last_payload, info->payload, n);
    c->last_payload[n] = '\0';
}

static void *connect_client(const char *client_id, char *rbuf, char *wbuf, uint32_t wsize)
{
    iotx_mqtt_param_t p;
    test_params(&p, "127.0.0.1", g_port, client_id, 2000, rbuf, BUF, wbuf, wsize, on_event);
    return IOT_MQTT_Construct(&p);
}

static void yield_for(void *h, int ms)
{
    double end = test_now_ms() + ms;
    while (test_now_ms() < end) {
        IOT_MQTT_Yield(h, 20);
    }
}

/* Yields until *count reaches want or 3 s passed. */
static void yield_until_count(void *h, const int *count, int want)
{
    double end = test_now_ms() + 3000;
    while (*count < want && test_now_ms() < end) {
        IOT_MQTT_Yield(h, 20);
    }
}

static void retain_reaches_the_wire(void)
{
    static counter_t later;
    void *pub = connect_client("fidelity-retain-pub", g_rbuf, g_wbuf, BUF);
    CHECK(pub != NULL);
    if (pub == NULL) {
        return;
    }
    iotx_mqtt_topic_info_t m;
    memset(&m, 0, sizeof(m));
    m.qos = IOTX_MQTT_QOS1;
    m.retain = 1;
    m.payload = "kept";
    m.payload_len = 4;
    CHECK(IOT_MQTT_Publish(pub, "fidelity/retained", &m) > 0);
    yield_for(pub, 300); /* the PUBACK: the broker stored it */

    void *sub = connect_client("fidelity-retain-sub", g_rbuf2, g_wbuf2, BUF);
    CHECK(sub != NULL);
    if (sub != NULL) {
        CHECK(IOT_MQTT_Subscribe(sub, "fidelity/retained", IOTX_MQTT_QOS1, on_message, &later) >
              0);
        yield_until_count(sub, &later.calls, 1);
        CHECK_INT(later.calls, 1);
        CHECK_INT(later.retained, 1);
        CHECK_STR(later.last_payload, "kept");
        CHECK_INT(IOT_MQTT_Destroy(&sub), 0);
    }
    /* Clear the retained message (an empty retained publish). */
    m.payload = NULL;
    m.payload_len = 0;
    CHECK(IOT_MQTT_Publish(pub, "fidelity/retained", &m) > 0);
    yield_for(pub, 200);
    CHECK_INT(IOT_MQTT_Destroy(&pub), 0);
}

static void identical_resubscription_adds_no_slot(void)
{
    static counter_t a, b;
    void *h = connect_client("fidelity-resub", g_rbuf, g_wbuf, BUF);
    CHECK(h != NULL);
    if (h == NULL) {
        return;
    }
    /* The multi-thread sample re-subscribes every few seconds: more than the 30 slots. */
    int refused = 0;
    for (int i = 0; i < 40; i++) {
        if (IOT_MQTT_Subscribe(h, "fidelity/resub", IOTX_MQTT_QOS1, on_message, &a) <= 0) {
            refused++;
        }
        IOT_MQTT_Yield(h, 20);
    }
    CHECK_INT(refused, 0);
    yield_for(h, 200);
    CHECK_INT(test_publish_text(h, "fidelity/resub", "one", 1) > 0, 1);
    yield_until_count(h, &a.calls, 1);
    yield_for(h, 200); /* a second delivery would arrive meanwhile */
    CHECK_INT(a.calls, 1);

    /* The same function with another context: a slot of its own. */
    CHECK(IOT_MQTT_Subscribe(h, "fidelity/resub", IOTX_MQTT_QOS1, on_message, &b) > 0);
    yield_for(h, 200);
    CHECK(test_publish_text(h, "fidelity/resub", "two", 1) > 0);
    yield_until_count(h, &b.calls, 1);
    yield_for(h, 200);
    CHECK_INT(a.calls, 2);
    CHECK_INT(b.calls, 1);

    /* One unsubscribe removes every slot of the filter. */
    CHECK(IOT_MQTT_Unsubscribe(h, "fidelity/resub") > 0);
    yield_for(h, 300);
    CHECK(test_publish_text(h, "fidelity/resub", "three", 1) > 0);
    yield_for(h, 300);
    CHECK_INT(a.calls, 2);
    CHECK_INT(b.calls, 1);
    CHECK_INT(IOT_MQTT_Destroy(&h), 0);
}

static void stale_handles_never_reach_a_new_client(void)
{
    enum { ROUNDS = 12 };
    void *stale[ROUNDS];
    int reached = 0;
    for (int i = 0; i < ROUNDS; i++) {
        void *h = connect_client("fidelity-stale", g_rbuf, g_wbuf, BUF);
        CHECK(h != NULL);
        if (h == NULL) {
            return;
        }
        /* Every handle destroyed so far, against the client just built. */
        for (int j = 0; j < i; j++) {
            void *copy = stale[j];
            iotx_mqtt_topic_info_t m;
            memset(&m, 0, sizeof(m));
            int codes[6] = {
                IOT_MQTT_Yield(stale[j], 1),
                IOT_MQTT_CheckStateNormal(stale[j]),
                IOT_MQTT_Publish(stale[j], "fidelity/stale", &m),
                IOT_MQTT_Subscribe(stale[j], "fidelity/stale", IOTX_MQTT_QOS0, on_message, NULL),
                IOT_MQTT_Unsubscribe(stale[j], "fidelity/stale"),
                IOT_MQTT_Destroy(&copy),
            };
            for (int k = 0; k < 6; k++) {
                if (codes[k] != NULL_VALUE_ERROR) {
                    reached++;
                    printf("stale handle %d, call %d: %d\n", j, k, codes[k]);
                }
            }
        }
        CHECK_INT(IOT_MQTT_CheckStateNormal(h), 1); /* not destroyed through a stale handle */
        stale[i] = h;
        CHECK_INT(IOT_MQTT_Destroy(&h), 0);
        CHECK(h == NULL);
    }
    CHECK_INT(reached, 0);
}

static void connect_larger_than_the_write_buffer_fails_at_once(void)
{
    iotx_mqtt_param_t p;
    /* The CONNECT of this client id, "test-user" and "test-password" needs 63 bytes. */
    test_params(&p, "127.0.0.1", g_port, "fidelity-connect-larger-than-32", 5000, g_rbuf, BUF,
                g_wbuf, 32, on_event);
    double start = test_now_ms();
    void *h = IOT_MQTT_Construct(&p);
    double took = test_now_ms() - start;
    CHECK(h == NULL);
    /* The request timeout is 5 s; V2.10 fails before sending anything. */
    CHECK(took < 1000.0);
    printf("Construct with a 32-byte write buffer returned after %.1f ms\n", took);
}

static void long_topics_are_invalid_whatever_the_buffers(void)
{
    void *h = connect_client("fidelity-topics", g_rbuf, g_wbuf, BUF);
    CHECK(h != NULL);
    if (h == NULL) {
        return;
    }
    size_t lengths[3] = {129, 2000, 65535};
    for (int i = 0; i < 3; i++) {
        char *topic = (char *)malloc(lengths[i] + 1);
        memset(topic, 'a', lengths[i]);
        topic[lengths[i]] = '\0';
        iotx_mqtt_topic_info_t m;
        memset(&m, 0, sizeof(m));
        m.payload = "x";
        m.payload_len = 1;
        CHECK_INT(IOT_MQTT_Publish(h, topic, &m), MQTT_TOPIC_FORMAT_ERROR);
        CHECK_INT(IOT_MQTT_Subscribe(h, topic, IOTX_MQTT_QOS0, on_message, NULL),
                  MQTT_TOPIC_FORMAT_ERROR);
        CHECK_INT(IOT_MQTT_Unsubscribe(h, topic), MQTT_TOPIC_FORMAT_ERROR);
        free(topic);
    }
    /* 128 characters is the limit, and valid. */
    char topic[129];
    memset(topic, 'b', 128);
    topic[128] = '\0';
    CHECK(test_publish_text(h, topic, "edge", 0) == 0);
    CHECK_INT(IOT_MQTT_CheckStateNormal(h), 1);
    CHECK_INT(IOT_MQTT_Destroy(&h), 0);
}

int main(void)
{
    g_port = test_broker_port();
    if (g_port == 0) {
        return 1;
    }
    test_open_log_if_wanted("fidelity");
    hal_posix_mem_stats_t before, after;
    hal_posix_mem_stats(&before);

    retain_reaches_the_wire();
    identical_resubscription_adds_no_slot();
    stale_handles_never_reach_a_new_client();
    connect_larger_than_the_write_buffer_fails_at_once();
    long_topics_are_invalid_whatever_the_buffers();

    hal_posix_mem_stats(&after);
    CHECK_INT(after.bytes_in_use, before.bytes_in_use);
    return check_report();
}
