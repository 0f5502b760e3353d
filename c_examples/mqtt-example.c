/*
 * mqtt-example.c - the iotkit-embedded V2.10 MQTT sample, rewritten for iotmqtt.
 *
 * Does what V2.10's sample/mqtt/mqtt-example.c does: connect as the demo
 * device, publish to /<pk>/<dn>/update, subscribe to /<pk>/<dn>/data, publish
 * to it and receive the messages back, then unsubscribe and disconnect.
 *
 *   ./mqtt-example          run once, exit
 *   ./mqtt-example loop     publish every ~2 s until SIGINT/SIGTERM
 *
 * Differences from the original, for tests:
 *   - IOTMQTT_EXAMPLE_PK / IOTMQTT_EXAMPLE_DN / IOTMQTT_EXAMPLE_DS override
 *     the compiled-in credentials (topics follow the overridden values);
 *   - without "loop", it waits up to EXAMPLE_ECHO_WAIT_MS for one of its own
 *     messages to come back before unsubscribing;
 *   - the exit status is 0 only if construct, publish and subscribe succeeded
 *     and (without "loop") at least one own message was received back; the
 *     last line is "example: published=N received=M";
 *   - in loop mode SIGINT/SIGTERM leave the loop and clean up.
 * To reach a local emulator, set IOTMQTT_HAL_REDIRECT (see hal/posix/hal_posix_redirect.c).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iot_import.h"
#include "iot_export.h"
#include "iotmqtt_ext.h"

#define PRODUCT_KEY   "yfTuLfBJTiL"
#define DEVICE_NAME   "TestDeviceForDemo"
#define DEVICE_SECRET "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c"

#define MQTT_MSGLEN          (1024)
#define EXAMPLE_ECHO_WAIT_MS (5000)
#define EXAMPLE_TOPIC_LEN    (128)

#define MSG_DATA_START "data: hello! start!"
#define MSG_ATTR_PREFIX "{\"attr_name\":\"temperature\""

#define EXAMPLE_TRACE(...)                                       \
    do {                                                         \
        HAL_Printf("%s|%03d :: ", __func__, __LINE__);           \
        HAL_Printf(__VA_ARGS__);                                 \
        HAL_Printf("%s", "\r\n");                                \
    } while (0)

/* Credentials as set into the HAL, and as read back from it. */
static char g_set_pk[PRODUCT_KEY_LEN + 1];
static char g_set_dn[DEVICE_NAME_LEN + 1];
static char g_set_ds[DEVICE_SECRET_LEN + 1];
static char g_product_key[PRODUCT_KEY_LEN + 1];
static char g_device_name[DEVICE_NAME_LEN + 1];
static char g_device_secret[DEVICE_SECRET_LEN + 1];

static char g_topic_update[EXAMPLE_TOPIC_LEN];
static char g_topic_data[EXAMPLE_TOPIC_LEN];

static int g_published;    /* successful IOT_MQTT_Publish calls */
static int g_received;     /* messages delivered on the data topic */
static int g_own_received; /* ... of which this program had published */

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* ----------------------------------------------------------------------- */

static void event_handle(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    uintptr_t packet_id;
    iotx_mqtt_topic_info_pt topic_info;

    (void)pcontext;
    (void)pclient;
    if (msg == NULL) {
        return;
    }
    packet_id = (uintptr_t)msg->msg;
    topic_info = (iotx_mqtt_topic_info_pt)msg->msg;

    switch (msg->event_type) {
        case IOTX_MQTT_EVENT_UNDEF:
            EXAMPLE_TRACE("undefined event occur.");
            break;
        case IOTX_MQTT_EVENT_DISCONNECT:
            EXAMPLE_TRACE("MQTT disconnect.");
            break;
        case IOTX_MQTT_EVENT_RECONNECT:
            EXAMPLE_TRACE("MQTT reconnect.");
            break;
        case IOTX_MQTT_EVENT_SUBCRIBE_SUCCESS:
            EXAMPLE_TRACE("subscribe success, packet-id=%u", (unsigned int)packet_id);
            break;
        case IOTX_MQTT_EVENT_SUBCRIBE_TIMEOUT:
            EXAMPLE_TRACE("subscribe wait ack timeout, packet-id=%u", (unsigned int)packet_id);
            break;
        case IOTX_MQTT_EVENT_SUBCRIBE_NACK:
            EXAMPLE_TRACE("subscribe nack, packet-id=%u", (unsigned int)packet_id);
            break;
        case IOTX_MQTT_EVENT_UNSUBCRIBE_SUCCESS:
            EXAMPLE_TRACE("unsubscribe success, packet-id=%u", (unsigned int)packet_id);
            break;
        case IOTX_MQTT_EVENT_UNSUBCRIBE_TIMEOUT:
            EXAMPLE_TRACE("unsubscribe timeout, packet-id=%u", (unsigned int)packet_id);
            break;
        case IOTX_MQTT_EVENT_UNSUBCRIBE_NACK:
            EXAMPLE_TRACE("unsubscribe nack, packet-id=%u", (unsigned int)packet_id);
            break;
        case IOTX_MQTT_EVENT_PUBLISH_SUCCESS:
            EXAMPLE_TRACE("publish success, packet-id=%u", (unsigned int)packet_id);
            break;
        case IOTX_MQTT_EVENT_PUBLISH_TIMEOUT:
            EXAMPLE_TRACE("publish timeout, packet-id=%u", (unsigned int)packet_id);
            break;
        case IOTX_MQTT_EVENT_PUBLISH_NACK:
            EXAMPLE_TRACE("publish nack, packet-id=%u", (unsigned int)packet_id);
            break;
        case IOTX_MQTT_EVENT_PUBLISH_RECVEIVED:
            /* a message no subscription claimed: goes to the default handler */
            if (topic_info != NULL) {
                EXAMPLE_TRACE("topic message arrived but without any related handle: "
                              "topic=%.*s, topic_msg=%.*s",
                              (int)topic_info->topic_len, topic_info->ptopic,
                              (int)topic_info->payload_len, topic_info->payload);
            }
            break;
        case IOTX_MQTT_EVENT_BUFFER_OVERFLOW:
            EXAMPLE_TRACE("buffer overflow, %s",
                          msg->msg != NULL ? (const char *)msg->msg : "(no detail)");
            break;
        default:
            EXAMPLE_TRACE("Should NOT arrive here.");
            break;
    }
}

/* Was this payload one this program published to the data topic? */
static int is_own_message(const char *payload, size_t len)
{
    size_t a = strlen(MSG_DATA_START), b = strlen(MSG_ATTR_PREFIX);
    return (len == a && memcmp(payload, MSG_DATA_START, a) == 0) ||
           (len >= b && memcmp(payload, MSG_ATTR_PREFIX, b) == 0);
}

static void _demo_message_arrive(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    iotx_mqtt_topic_info_pt ptopic_info;

    (void)pcontext;
    (void)pclient;
    if (msg == NULL || msg->msg == NULL) {
        return;
    }
    ptopic_info = (iotx_mqtt_topic_info_pt)msg->msg;

    /* topic and payload are not NUL-terminated: always print with lengths */
    EXAMPLE_TRACE("----");
    EXAMPLE_TRACE("packetId: %d", (int)ptopic_info->packet_id);
    EXAMPLE_TRACE("Topic '%.*s' (Length: %d)", (int)ptopic_info->topic_len, ptopic_info->ptopic,
                  (int)ptopic_info->topic_len);
    EXAMPLE_TRACE("Payload '%.*s' (Length: %d)", (int)ptopic_info->payload_len,
                  ptopic_info->payload, (int)ptopic_info->payload_len);
    EXAMPLE_TRACE("----");

    g_received++;
    if (ptopic_info->payload != NULL && is_own_message(ptopic_info->payload, ptopic_info->payload_len)) {
        g_own_received++;
    }
}

/* ----------------------------------------------------------------------- */

static int publish(void *pclient, const char *topic, const char *text)
{
    iotx_mqtt_topic_info_t topic_msg;
    int rc;

    memset(&topic_msg, 0, sizeof(topic_msg));
    topic_msg.qos = IOTX_MQTT_QOS1;
    topic_msg.retain = 0;
    topic_msg.dup = 0;
    topic_msg.payload = text;
    topic_msg.payload_len = (uint16_t)strlen(text);
    rc = IOT_MQTT_Publish(pclient, topic, &topic_msg);
    if (rc < 0) {
        EXAMPLE_TRACE("error occur when publish to %s, rc = %d", topic, rc);
        return rc;
    }
    g_published++;
    EXAMPLE_TRACE("publish message: topic: %s, payload: %s, rc = %d", topic, text, rc);
    return rc;
}

/* Sleep ms in short slices so a signal ends it early. */
static void sleep_interruptible(uint32_t ms)
{
    while (ms > 0 && !g_stop) {
        uint32_t step = ms < 100 ? ms : 100;
        HAL_SleepMs(step);
        ms -= step;
    }
}

/* Returns 0 on success (see the file comment), -1 otherwise. */
static int mqtt_client(int loop)
{
    int rc, cnt = 0, ok = 0, subscribed = 0, publish_failed = 0;
    void *pclient = NULL;
    iotx_conn_info_pt pconn_info = NULL;
    iotx_mqtt_param_t mqtt_params;
    char *msg_buf = NULL, *msg_readbuf = NULL;
    char msg_pub[128];

    msg_buf = (char *)HAL_Malloc(MQTT_MSGLEN);
    msg_readbuf = (char *)HAL_Malloc(MQTT_MSGLEN);
    if (msg_buf == NULL || msg_readbuf == NULL) {
        EXAMPLE_TRACE("not enough memory");
        goto out;
    }

    HAL_GetProductKey(g_product_key);
    HAL_GetDeviceName(g_device_name);
    HAL_GetDeviceSecret(g_device_secret);

    /* Device authentication: fills host, port, client id, user name, password. */
    if (0 != IOT_SetupConnInfo(g_product_key, g_device_name, g_device_secret, (void **)&pconn_info) ||
        pconn_info == NULL) {
        EXAMPLE_TRACE("AUTH request failed!");
        goto out;
    }

    memset(&mqtt_params, 0x0, sizeof(mqtt_params));
    mqtt_params.port = pconn_info->port;
    mqtt_params.host = pconn_info->host_name;
    mqtt_params.client_id = pconn_info->client_id;
    mqtt_params.username = pconn_info->username;
    mqtt_params.password = pconn_info->password;
    mqtt_params.pub_key = pconn_info->pub_key;
    mqtt_params.request_timeout_ms = 2000;
    mqtt_params.clean_session = 0;
    mqtt_params.keepalive_interval_ms = 60000;
    mqtt_params.pread_buf = msg_readbuf;
    mqtt_params.read_buf_size = MQTT_MSGLEN;
    mqtt_params.pwrite_buf = msg_buf;
    mqtt_params.write_buf_size = MQTT_MSGLEN;
    mqtt_params.handle_event.h_fp = event_handle;
    mqtt_params.handle_event.pcontext = NULL;

    pclient = IOT_MQTT_Construct(&mqtt_params);
    if (pclient == NULL) {
        EXAMPLE_TRACE("MQTT construct failed");
        goto out;
    }

    if (publish(pclient, g_topic_update, "update: hello! start!") < 0) {
        goto out;
    }

    rc = IOT_MQTT_Subscribe(pclient, g_topic_data, IOTX_MQTT_QOS1, _demo_message_arrive, NULL);
    if (rc < 0) {
        EXAMPLE_TRACE("IOT_MQTT_Subscribe() failed, rc = %d", rc);
        goto out;
    }
    subscribed = 1;

    if (publish(pclient, g_topic_data, MSG_DATA_START) < 0) {
        publish_failed = 1;
    }
    IOT_MQTT_Yield(pclient, 200);

    /* Once, or (with "loop") every ~2 s until a signal or a publish error. */
    do {
        cnt++;
        snprintf(msg_pub, sizeof(msg_pub), MSG_ATTR_PREFIX ", \"attr_value\":\"%d\"}", cnt);
        rc = publish(pclient, g_topic_data, msg_pub);
        if (rc < 0) {
            publish_failed = 1;
            break;
        }
        EXAMPLE_TRACE("packet-id=%u, publish topic msg=%s", (unsigned int)rc, msg_pub);
        IOT_MQTT_Yield(pclient, 200);
        if (loop) {
            sleep_interruptible(2000);
            cnt = 0;
        }
    } while (loop && !g_stop);

    if (g_stop) {
        EXAMPLE_TRACE("signal received, leaving the loop");
    }

    /* Give the broker time to send our own messages back (tests check it). */
    if (!loop) {
        uint64_t start = HAL_UptimeMs();
        while (g_own_received == 0 && HAL_UptimeMs() - start < EXAMPLE_ECHO_WAIT_MS) {
            IOT_MQTT_Yield(pclient, 200);
        }
    }

    IOT_MQTT_Yield(pclient, 200);
    ok = !publish_failed && (loop || g_own_received > 0);

out:
    if (pclient != NULL) {
        if (subscribed) {
            IOT_MQTT_Unsubscribe(pclient, g_topic_data);
            IOT_MQTT_Yield(pclient, 200);
        }
        IOT_MQTT_Destroy(&pclient);
    }
    if (msg_buf != NULL) {
        HAL_Free(msg_buf);
    }
    if (msg_readbuf != NULL) {
        HAL_Free(msg_readbuf);
    }
    return ok ? 0 : -1;
}

/* Copy an environment override (if set and non-empty) or the default. */
static void pick(char *dst, size_t size, const char *env, const char *def)
{
    const char *v = getenv(env);
    if (v == NULL || v[0] == '\0') {
        v = def;
    }
    snprintf(dst, size, "%s", v);
}

/* Local testing only: a TLS build trusts the built-in GlobalSign CA, which a local emulator
 * cannot present; IOTMQTT_CA_FILE names a PEM to trust instead (iotmqtt extension). */
static void use_ca_file_from_environment(void)
{
    static char pem[16384];
    const char *path = getenv("IOTMQTT_CA_FILE");
    FILE *f;
    size_t n;

    if (path == NULL || path[0] == '\0') {
        return;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        HAL_Printf("cannot open IOTMQTT_CA_FILE %s\r\n", path);
        return;
    }
    n = fread(pem, 1, sizeof(pem) - 1, f);
    fclose(f);
    pem[n] = '\0';
    if (IOT_SetCACert(pem) != 0) {
        HAL_Printf("IOT_SetCACert failed (is this a TLS build?)\r\n");
    }
}

int main(int argc, char **argv)
{
    int loop = (argc >= 2 && argv[1] != NULL && strcmp(argv[1], "loop") == 0);
    int rc;

    IOT_OpenLog("mqtt");
    use_ca_file_from_environment();
    IOT_SetLogLevel(IOT_LOG_DEBUG);

    pick(g_set_pk, sizeof(g_set_pk), "IOTMQTT_EXAMPLE_PK", PRODUCT_KEY);
    pick(g_set_dn, sizeof(g_set_dn), "IOTMQTT_EXAMPLE_DN", DEVICE_NAME);
    pick(g_set_ds, sizeof(g_set_ds), "IOTMQTT_EXAMPLE_DS", DEVICE_SECRET);
    HAL_SetProductKey(g_set_pk);
    HAL_SetDeviceName(g_set_dn);
    HAL_SetDeviceSecret(g_set_ds);
    snprintf(g_topic_update, sizeof(g_topic_update), "/%s/%s/update", g_set_pk, g_set_dn);
    snprintf(g_topic_data, sizeof(g_topic_data), "/%s/%s/data", g_set_pk, g_set_dn);

    if (loop) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
    }

    rc = mqtt_client(loop);

    IOT_DumpMemoryStats(IOT_LOG_DEBUG);
    IOT_CloseLog();

    EXAMPLE_TRACE("out of sample!");
    HAL_Printf("example: published=%d received=%d\r\n", g_published, g_received);
    return rc == 0 ? 0 : 1;
}
