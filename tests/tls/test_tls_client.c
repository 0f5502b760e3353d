/*
 * test_tls_client.c - the device side of the TLS and HTTPS pre-authentication tests, linked
 * against libiotmqtt.a (a TLS build: direct or guider, backend native or hal) and the reference
 * POSIX HAL. Driven by tests/tls/run_tls_tests.sh and tests/tls/run_guider_tests.sh, which start
 * the servers and point IOTMQTT_HAL_REDIRECT at them; the library asks for the real
 * *.aliyuncs.com names and verifies the server certificate against them.
 *
 *   test_tls_client connect CA_FILE     IOT_SetCACert(CA), IOT_SetupConnInfo, Construct over TLS,
 *                                       subscribe, publish QoS1, receive it; a Publish from a
 *                                       second thread while Yield(3000) reads returns quickly
 *                                       (reads are sliced); Destroy; nothing of the client left
 *   test_tls_client refuse CA_FILE      IOT_SetupConnInfo succeeds, Construct returns NULL
 *   test_tls_client setup CA_FILE RC    IOT_SetupConnInfo returns RC; prints the conn info
 *   test_tls_client reauth CA_FILE      connect; a second connection of the device takes the
 *                                       first offline; the first reconnects (guider mode: with
 *                                       a fresh token) and works again
 *
 * IOTMQTT_TEST_BUILTIN_CA=1: IOT_SetCACert(NULL) before IOT_SetupConnInfo (the built-in CA).
 * Device: IOTMQTT_TEST_PK / _DN / _DS, default the V2.10 sample device. Prints "N passed,
 * M failed" and exits non-zero on failure. The library's log is on (debug) on stdout.
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
#include "iotmqtt_ext.h"
#include "hal_posix_stats.h"

#include "check.h"
#include "test_client.h"

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return (v != NULL && v[0] != '\0') ? v : fallback;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (f == NULL) {
        printf("cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        printf("cannot read %s\n", path);
        exit(2);
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* ----- messages ------------------------------------------------------------------------------ */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_received;
static char g_last_payload[1024];
static int g_reconnects;
static int g_disconnects;

static void on_event(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    pthread_mutex_lock(&g_lock);
    if (msg->event_type == IOTX_MQTT_EVENT_DISCONNECT) {
        g_disconnects++;
    } else if (msg->event_type == IOTX_MQTT_EVENT_RECONNECT) {
        g_reconnects++;
    }
    pthread_mutex_unlock(&g_lock);
}

static void on_message(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    if (msg->event_type == IOTX_MQTT_EVENT_PUBLISH_RECVEIVED) {
        const iotx_mqtt_topic_info_t *t = (const iotx_mqtt_topic_info_t *)msg->msg;
        size_t n = t->payload_len < sizeof(g_last_payload) - 1 ? t->payload_len
                                                                : sizeof(g_last_payload) - 1;
        pthread_mutex_lock(&g_lock);
        memcpy(g_last_payload, t->payload, n);
        g_last_payload[n] = '\0';
        g_received++;
        pthread_mutex_unlock(&g_lock);
    }
}

static int received(void)
{
    int n;
    pthread_mutex_lock(&g_lock);
    n = g_received;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* ----- the client ------------------------------------------------------------------------------ */
static char g_topic[160];
static char g_wbuf[1024];
static char g_rbuf[1024];

static iotx_conn_info_pt setup(const char *ca_file, int expect_rc)
{
    const char *pk = env_or("IOTMQTT_TEST_PK", "yfTuLfBJTiL");
    const char *dn = env_or("IOTMQTT_TEST_DN", "TestDeviceForDemo");
    const char *ds = env_or("IOTMQTT_TEST_DS", "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c");
    char *ca = read_file(ca_file);
    void *info = NULL;
    int rc;
    iotx_conn_info_pt ci;

    CHECK_INT(IOT_SetCACert("no certificate here"), -2);
    CHECK_INT(IOT_SetCACert(ca), 0);
    if (getenv("IOTMQTT_TEST_BUILTIN_CA") != NULL) {
        CHECK_INT(IOT_SetCACert(NULL), 0); /* back to the built-in GlobalSign Root CA */
        ca[0] = '\0';
    }
    rc = IOT_SetupConnInfo(pk, dn, ds, &info);
    printf("IOT_SetupConnInfo returned %d\n", rc);
    CHECK_INT(rc, expect_rc);
    snprintf(g_topic, sizeof(g_topic), "/%s/%s/update", pk, dn);
    if (rc != 0) {
        CHECK(info == NULL);
        free(ca);
        return NULL;
    }
    ci = (iotx_conn_info_pt)info;
    printf("conninfo host=%s port=%u client_id=%s username=%s password_len=%zu\n",
           ci->host_name, (unsigned)ci->port, ci->client_id, ci->username,
           strlen(ci->password));
    /* Every field, for the sample device: direct TLS (securemode=2) has fixed values; after HTTPS
     * pre-authentication (securemode=-1) host, port, username and password come from the reply. */
    if (strcmp(pk, "yfTuLfBJTiL") == 0 && strcmp(dn, "TestDeviceForDemo") == 0 &&
        strcmp(ds, "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c") == 0) {
        if (strstr(ci->client_id, "securemode=2") != NULL) {
            CHECK(strcmp(ci->host_name, "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com") == 0);
            CHECK_INT(ci->port, 1883);
            CHECK(strcmp(ci->client_id, "yfTuLfBJTiL.TestDeviceForDemo|securemode=2,timestamp="
                                        "2524608000000,signmethod=hmacsha1,gw=0,ext=0|") == 0);
            CHECK(strcmp(ci->username, "TestDeviceForDemo&yfTuLfBJTiL") == 0);
            CHECK(strcmp(ci->password, "97a7d457a539db070210a6edcf5323e2f5d15142") == 0);
        } else {
            CHECK(strcmp(ci->client_id, "yfTuLfBJTiL.TestDeviceForDemo|securemode=-1,timestamp="
                                        "2524608000000,signmethod=hmacsha1,gw=0,ext=0|") == 0);
            CHECK(strstr(ci->host_name, ".iot-as-mqtt.") != NULL); /* from the reply */
            CHECK(ci->port != 0);
            CHECK(ci->username[0] != '\0' && strchr(ci->username, '&') == NULL); /* the iotId */
            CHECK(ci->password[0] != '\0');                                      /* the iotToken */
        }
    }
    /* pub_key is a copy of the CA given to IOT_SetCACert. */
    if (ca[0] != '\0') {
        CHECK(ci->pub_key != NULL && strcmp(ci->pub_key, ca) == 0);
    } else {
        CHECK(ci->pub_key != NULL && strstr(ci->pub_key, "-----BEGIN CERTIFICATE-----") != NULL);
    }
    free(ca);
    return ci;
}

static void *construct(iotx_conn_info_pt ci)
{
    iotx_mqtt_param_t p;
    memset(&p, 0, sizeof(p));
    p.port = ci->port;
    p.host = ci->host_name;
    p.client_id = ci->client_id;
    p.username = ci->username;
    p.password = ci->password;
    p.pub_key = ci->pub_key;
    p.clean_session = 1;
    p.request_timeout_ms = 2000;
    p.keepalive_interval_ms = 60000;
    p.pwrite_buf = g_wbuf;
    p.write_buf_size = sizeof(g_wbuf);
    p.pread_buf = g_rbuf;
    p.read_buf_size = sizeof(g_rbuf);
    p.handle_event.h_fp = on_event;
    return IOT_MQTT_Construct(&p);
}

static int publish(void *h, int qos, const char *payload)
{
    iotx_mqtt_topic_info_t m;
    memset(&m, 0, sizeof(m));
    m.qos = qos;
    m.payload = (void *)payload;
    m.payload_len = strlen(payload);
    return IOT_MQTT_Publish(h, g_topic, &m);
}

/* Yields until `n` messages were received or `ms` passed. */
static void wait_received(void *h, int n, long ms)
{
    double end = test_now_ms() + (double)ms;
    while (received() < n && test_now_ms() < end) {
        IOT_MQTT_Yield(h, 100);
    }
}

static void pub_and_receive(void *h, const char *payload)
{
    int before = received();
    int rc = publish(h, IOTX_MQTT_QOS1, payload);
    CHECK(rc > 0);
    wait_received(h, before + 1, 5000);
    CHECK_INT(received(), before + 1);
    pthread_mutex_lock(&g_lock);
    CHECK(strcmp(g_last_payload, payload) == 0);
    pthread_mutex_unlock(&g_lock);
}

typedef struct {
    void *h;
    long publish_ms;
    int rc;
} publisher_t;

static void *publisher(void *arg)
{
    publisher_t *p = (publisher_t *)arg;
    double t0;
    test_sleep_ms(300); /* the other thread is inside Yield, reading */
    t0 = test_now_ms();
    p->rc = publish(p->h, IOTX_MQTT_QOS0, "from another thread");
    p->publish_ms = (long)(test_now_ms() - t0);
    return NULL;
}

/* Sets up the connection info (into *ci), connects, subscribes to g_topic and checks that a
 * message published there comes back; the client, or NULL. */
static void *connect_and_echo(const char *ca_file, iotx_conn_info_pt *ci, const char *payload)
{
    void *h;
    *ci = setup(ca_file, 0);
    if (*ci == NULL) {
        return NULL;
    }
    h = construct(*ci);
    CHECK(h != NULL);
    if (h == NULL) {
        return NULL;
    }
    CHECK(IOT_MQTT_CheckStateNormal(h) == 1);
    CHECK(IOT_MQTT_Subscribe(h, g_topic, IOTX_MQTT_QOS1, on_message, NULL) > 0);
    IOT_MQTT_Yield(h, 500);
    pub_and_receive(h, payload);
    return h;
}

static int run_connect(const char *ca_file)
{
    hal_posix_mem_stats_t before, after;
    iotx_conn_info_pt ci;
    void *h = connect_and_echo(ca_file, &ci, "hello over TLS");
    if (h == NULL) {
        return 1;
    }

    /* A writer waits at most one read slice (50 ms) while Yield(3000) reads over TLS. */
    {
        pthread_t t;
        publisher_t p = {h, -1, -1};
        long t0 = (long)test_now_ms(), yield_ms;
        pthread_create(&t, NULL, publisher, &p);
        IOT_MQTT_Yield(h, 3000);
        yield_ms = (long)test_now_ms() - t0;
        pthread_join(t, NULL);
        printf("publish during Yield took %ld ms (Yield %ld ms)\n", p.publish_ms, yield_ms);
        CHECK_INT(p.rc, 0);
        CHECK(p.publish_ms >= 0 && p.publish_ms < 250);
        CHECK(yield_ms >= 2999 && yield_ms < 3500);
        CHECK(strcmp(g_last_payload, "from another thread") == 0);
    }
    /* A long message both ways (several TLS records' worth of reads). */
    {
        char big[900];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        pub_and_receive(h, big);
    }
    CHECK_INT(IOT_MQTT_Destroy(&h), 0);
    /* A second client: nothing of it is left after Destroy (the first TLS connection may
     * initialise process-wide TLS state once; OpenSSL's own allocations under the native
     * backend do not go through HAL_Malloc). */
    hal_posix_mem_stats(&before);
    h = construct(ci);
    CHECK(h != NULL);
    if (h != NULL) {
        CHECK(IOT_MQTT_Subscribe(h, g_topic, IOTX_MQTT_QOS1, on_message, NULL) > 0);
        pub_and_receive(h, "second client");
        CHECK_INT(IOT_MQTT_Destroy(&h), 0);
    }
    hal_posix_mem_stats(&after);
    CHECK_INT(after.bytes_in_use, before.bytes_in_use);
    return 0;
}

static int run_refuse(const char *ca_file)
{
    iotx_conn_info_pt ci = setup(ca_file, 0);
    void *h;
    long t0 = (long)test_now_ms();
    if (ci == NULL) {
        return 1;
    }
    h = construct(ci);
    CHECK(h == NULL);
    CHECK((long)test_now_ms() - t0 < 11000);
    if (h != NULL) {
        IOT_MQTT_Destroy(&h);
    }
    return 0;
}

static int run_reauth(const char *ca_file)
{
    iotx_conn_info_pt ci;
    void *h = connect_and_echo(ca_file, &ci, "before takeover"), *h2;
    long end;
    if (h == NULL) {
        return 1;
    }
    /* The same device connecting again takes the first connection offline. */
    h2 = construct(ci);
    CHECK(h2 != NULL);
    if (h2 != NULL) {
        IOT_MQTT_Destroy(&h2);
    }
    end = (long)test_now_ms() + 15000;
    while ((long)test_now_ms() < end) {
        int r;
        IOT_MQTT_Yield(h, 200);
        pthread_mutex_lock(&g_lock);
        r = g_reconnects;
        pthread_mutex_unlock(&g_lock);
        if (r > 0 && IOT_MQTT_CheckStateNormal(h) == 1) {
            break;
        }
    }
    printf("disconnects=%d reconnects=%d\n", g_disconnects, g_reconnects);
    CHECK(g_disconnects >= 1);
    CHECK(g_reconnects >= 1);
    CHECK(IOT_MQTT_CheckStateNormal(h) == 1);
    pub_and_receive(h, "after reconnect");
    CHECK_INT(IOT_MQTT_Destroy(&h), 0);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3) {
        printf("usage: %s connect|refuse|setup RC|reauth CA_FILE\n", argv[0]);
        return 2;
    }
    IOT_OpenLog("tls");
    IOT_SetLogLevel(IOT_LOG_DEBUG);
    if (strcmp(argv[1], "connect") == 0) {
        rc = run_connect(argv[2]);
    } else if (strcmp(argv[1], "refuse") == 0) {
        rc = run_refuse(argv[2]);
    } else if (strcmp(argv[1], "setup") == 0 && argc >= 4) {
        rc = setup(argv[2], atoi(argv[3])) == NULL && atoi(argv[3]) == 0;
    } else if (strcmp(argv[1], "reauth") == 0) {
        rc = run_reauth(argv[2]);
    } else {
        printf("unknown mode %s\n", argv[1]);
        return 2;
    }
    IOT_CloseLog();
    return check_report() == 0 && rc == 0 ? 0 : 1;
}
