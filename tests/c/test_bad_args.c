/*
 * test_bad_args.c - bad arguments to every exported IOT_* function give their V2.10 codes
 * (docs/v210-reference.md §1, docs/requirements.md "What bad input gets"), plus the IOT_SetupConnInfo known answers
 * for the sample device (docs/v210-reference.md §5.1) and IOT_SetupDomain's out-of-range rule
 * (docs/requirements.md "out-of-range setup").
 *
 * Every kind of rejection must also leave an [err]/[wrn] log line, and the device secret and
 * password never appear in the log (docs/requirements.md "What bad input gets", "logging"): the reference
 * HAL's HAL_Printf writes to stdout, which the test captures around those calls.
 *
 * Needs a broker for the checks that want a live handle: run under tests/scripts/with_mosquitto.sh
 * (connects to 127.0.0.1:$IOTMQTT_TEST_BROKER_PORT). Set IOTMQTT_TEST_LOG=1 for library logs.
 * Prints "N passed, M failed"; exits non-zero on failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iot_import.h"
#include "iot_export.h"

#include "check.h"
#include "test_client.h"

#define SAMPLE_PK "yfTuLfBJTiL"
#define SAMPLE_DN "TestDeviceForDemo"
#define SAMPLE_DS "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c"

static char g_write_buf[1024];
static char g_read_buf[1024];
static char g_client_id[64];
static uint16_t g_port;

static void on_event(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    (void)msg;
}

static void on_message(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    (void)msg;
}

static void valid_params(iotx_mqtt_param_t *p)
{
    memset(p, 0, sizeof(*p));
    p->port = g_port;
    p->host = "127.0.0.1";
    p->client_id = g_client_id;
    p->username = "user";
    p->password = "password";
    p->pub_key = NULL;
    p->clean_session = 1;
    p->request_timeout_ms = 2000;
    p->keepalive_interval_ms = 60000;
    p->pwrite_buf = g_write_buf;
    p->write_buf_size = sizeof(g_write_buf);
    p->pread_buf = g_read_buf;
    p->read_buf_size = sizeof(g_read_buf);
    p->handle_event.h_fp = on_event;
    p->handle_event.pcontext = NULL;
}

/* Construct with one bad field must give NULL; a non-NULL result is destroyed again. */
static void expect_construct_null(const iotx_mqtt_param_t *p, const char *what)
{
    iotx_mqtt_param_t copy = *p;
    void *h = IOT_MQTT_Construct(&copy);
    if (h == NULL) {
        g_passed++;
    } else {
        g_failed++;
        printf("FAIL IOT_MQTT_Construct with %s returned a handle, expected NULL\n", what);
        IOT_MQTT_Destroy(&h);
    }
}

static void test_construct(void)
{
    iotx_mqtt_param_t p;

    CHECK(IOT_MQTT_Construct(NULL) == NULL);

    valid_params(&p); p.host = NULL;        expect_construct_null(&p, "host NULL");
    valid_params(&p); p.host = "";          expect_construct_null(&p, "host \"\"");
    valid_params(&p); p.client_id = NULL;   expect_construct_null(&p, "client_id NULL");
    valid_params(&p); p.client_id = "";     expect_construct_null(&p, "client_id \"\"");
    valid_params(&p); p.username = NULL;    expect_construct_null(&p, "username NULL");
    valid_params(&p); p.username = "";      expect_construct_null(&p, "username \"\"");
    valid_params(&p); p.password = NULL;    expect_construct_null(&p, "password NULL");
    valid_params(&p); p.password = "";      expect_construct_null(&p, "password \"\"");
    valid_params(&p); p.pwrite_buf = NULL;  expect_construct_null(&p, "pwrite_buf NULL");
    valid_params(&p); p.pread_buf = NULL;   expect_construct_null(&p, "pread_buf NULL");
}

static void test_null_handle(void)
{
    void *null_handle = NULL;
    iotx_mqtt_topic_info_t msg;

    memset(&msg, 0, sizeof(msg));
    msg.payload = "x";
    msg.payload_len = 1;

    CHECK_INT(IOT_MQTT_Destroy(NULL), -2);
    CHECK_INT(IOT_MQTT_Destroy(&null_handle), -2);
    CHECK_INT(IOT_MQTT_Yield(NULL, 10), -2);
    CHECK_INT(IOT_MQTT_Yield(NULL, -1), -2);
    CHECK_INT(IOT_MQTT_CheckStateNormal(NULL), -2);
    CHECK_INT(IOT_MQTT_Subscribe(NULL, "a/b", IOTX_MQTT_QOS0, on_message, NULL), -2);
    CHECK_INT(IOT_MQTT_Unsubscribe(NULL, "a/b"), -2);
    CHECK_INT(IOT_MQTT_Publish(NULL, "a/b", &msg), -2);
    /* Not in V2.10 (declared, never defined); a NULL handle is NULL_VALUE_ERROR like the rest. */
    CHECK_INT(IOT_MQTT_Disable_Reconnect(NULL), -2);
}

static void test_subscribe(void *h)
{
    char long_filter[130];
    static const char *const invalid_filters[] = {
        "a/#/b",  /* '#' not last */
        "a+",     /* '+' not a whole level */
        "a/b+/c", /* '+' not a whole level */
        "+a",     /* '+' not a whole level */
        "#/a",    /* '#' not last */
        "a/b#",   /* '#' not a whole level */
        "a/\x01/b", /* non-printable */
        "a/\x7f",   /* non-printable (DEL) */
        "a/\tb",    /* non-printable (TAB) */
        "a/\xc3\xa9", /* not printable ASCII (V2.10's 32..126 rule) */
    };
    size_t i;

    CHECK_INT(IOT_MQTT_Subscribe(h, NULL, IOTX_MQTT_QOS0, on_message, NULL), -2);
    /* docs/v210-reference.md §1.1: NULL or empty filter gives -2 (STRING_PTR_SANITY_CHECK). */
    CHECK_INT(IOT_MQTT_Subscribe(h, "", IOTX_MQTT_QOS0, on_message, NULL), -2);
    CHECK_INT(IOT_MQTT_Subscribe(h, "a/b", IOTX_MQTT_QOS0, NULL, NULL), -2);

    for (i = 0; i < sizeof(invalid_filters) / sizeof(invalid_filters[0]); i++) {
        int rc = IOT_MQTT_Subscribe(h, invalid_filters[i], IOTX_MQTT_QOS0, on_message, NULL);
        if (rc != -41) {
            printf("FAIL Subscribe filter #%u \"%s\" = %d, expected -41\n", (unsigned)i,
                   invalid_filters[i], rc);
            g_failed++;
        } else {
            g_passed++;
        }
    }
    /* 129 characters: over V2.10's 128-character limit. */
    memset(long_filter, 'a', 129);
    long_filter[129] = '\0';
    CHECK_INT(IOT_MQTT_Subscribe(h, long_filter, IOTX_MQTT_QOS0, on_message, NULL), -41);
    /* 128 characters is still fine (the limit is inclusive). */
    long_filter[128] = '\0';
    CHECK(IOT_MQTT_Subscribe(h, long_filter, IOTX_MQTT_QOS0, on_message, NULL) > 0);
    CHECK(IOT_MQTT_Unsubscribe(h, long_filter) > 0);
}

static void test_unsubscribe(void *h)
{
    CHECK_INT(IOT_MQTT_Unsubscribe(h, NULL), -2);
    CHECK_INT(IOT_MQTT_Unsubscribe(h, "a/#/b"), -41);
    CHECK_INT(IOT_MQTT_Unsubscribe(h, "a+"), -41);
    {
        int rc = IOT_MQTT_Unsubscribe(h, "");
        /* V2.10 checks the filter pointer with STRING_PTR_SANITY_CHECK (-2); MQTT 3.1.1 calls an
         * empty filter invalid (-41). Either is a V2.10 code for it; anything else is wrong. */
        if (rc == -2 || rc == -41) {
            g_passed++;
        } else {
            g_failed++;
            printf("FAIL Unsubscribe(\"\") = %d, expected -2 or -41\n", rc);
        }
    }
}

static void test_publish(void *h)
{
    iotx_mqtt_topic_info_t msg;
    static char big[2048];
    int rc;

    memset(&msg, 0, sizeof(msg));
    msg.qos = IOTX_MQTT_QOS0;
    msg.payload = "hello";
    msg.payload_len = 5;

    CHECK_INT(IOT_MQTT_Publish(h, NULL, &msg), -2);
    CHECK_INT(IOT_MQTT_Publish(h, "a/b", NULL), -2);
    CHECK_INT(IOT_MQTT_Publish(h, "a/+/b", &msg), -41);
    CHECK_INT(IOT_MQTT_Publish(h, "a/#", &msg), -41);
    CHECK_INT(IOT_MQTT_Publish(h, "+", &msg), -41);
    CHECK_INT(IOT_MQTT_Publish(h, "a/\x01", &msg), -41);
    {
        char long_topic[130];
        memset(long_topic, 'b', 129);
        long_topic[129] = '\0';
        CHECK_INT(IOT_MQTT_Publish(h, long_topic, &msg), -41);
    }
    rc = IOT_MQTT_Publish(h, "", &msg);
    if (rc == -2 || rc == -41) {
        g_passed++;
    } else {
        g_failed++;
        printf("FAIL Publish(\"\") = %d, expected -2 or -41\n", rc);
    }

    msg.qos = IOTX_MQTT_QOS2;
    CHECK_INT(IOT_MQTT_Publish(h, "a/b", &msg), -20);

    /* A packet larger than the 1024-byte write buffer: -21, nothing sent. */
    memset(big, 'x', sizeof(big));
    msg.qos = IOTX_MQTT_QOS0;
    msg.payload = big;
    msg.payload_len = (uint16_t)sizeof(big);
    CHECK_INT(IOT_MQTT_Publish(h, "a/b", &msg), -21);
    msg.qos = IOTX_MQTT_QOS1;
    CHECK_INT(IOT_MQTT_Publish(h, "a/b", &msg), -21);

    /* The client is still fine after all of that. */
    msg.qos = IOTX_MQTT_QOS0;
    msg.payload = "ok";
    msg.payload_len = 2;
    CHECK_INT(IOT_MQTT_Publish(h, "a/b", &msg), 0);
    CHECK_INT(IOT_MQTT_CheckStateNormal(h), 1);
}

static void test_live_handle(void)
{
    iotx_mqtt_param_t p;
    void *h;
    void *stale;
    iotx_mqtt_topic_info_t msg;

    valid_params(&p);
    h = IOT_MQTT_Construct(&p);
    CHECK(h != NULL);
    if (h == NULL) {
        printf("FAIL cannot connect to the broker at 127.0.0.1:%u; skipping live-handle checks\n",
               (unsigned)g_port);
        return;
    }
    CHECK_INT(IOT_MQTT_CheckStateNormal(h), 1);
    CHECK_INT(IOT_MQTT_Yield(h, -1), -1);
    CHECK_INT(IOT_MQTT_Yield(h, 10), 0);

    test_subscribe(h);
    test_unsubscribe(h);
    test_publish(h);
    CHECK_INT(IOT_MQTT_Yield(h, 100), 0);
    CHECK_INT(IOT_MQTT_CheckStateNormal(h), 1);

    stale = h;
    CHECK_INT(IOT_MQTT_Destroy(&h), 0);
    CHECK(h == NULL);

    /* A stale handle after Destroy: -2, never a crash. */
    memset(&msg, 0, sizeof(msg));
    msg.payload = "x";
    msg.payload_len = 1;
    CHECK_INT(IOT_MQTT_Yield(stale, 10), -2);
    CHECK_INT(IOT_MQTT_CheckStateNormal(stale), -2);
    CHECK_INT(IOT_MQTT_Subscribe(stale, "a/b", IOTX_MQTT_QOS0, on_message, NULL), -2);
    CHECK_INT(IOT_MQTT_Unsubscribe(stale, "a/b"), -2);
    CHECK_INT(IOT_MQTT_Publish(stale, "a/b", &msg), -2);
    CHECK_INT(IOT_MQTT_Disable_Reconnect(stale), -2);
    CHECK_INT(IOT_MQTT_Destroy(&stale), -2);
    CHECK(stale != NULL); /* a refused Destroy leaves the caller's variable alone */
}

static void test_setup_conn_info(void)
{
    void *sentinel = (void *)&g_passed; /* any non-NULL address: must be left untouched */
    void *info = sentinel;
    iotx_conn_info_pt ci = NULL;

    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_SH);

    CHECK_INT(IOT_SetupConnInfo(NULL, SAMPLE_DN, SAMPLE_DS, &info), -1);
    CHECK(info == sentinel);
    CHECK_INT(IOT_SetupConnInfo("", SAMPLE_DN, SAMPLE_DS, &info), -1);
    CHECK(info == sentinel);
    CHECK_INT(IOT_SetupConnInfo(SAMPLE_PK, NULL, SAMPLE_DS, &info), -1);
    CHECK(info == sentinel);
    CHECK_INT(IOT_SetupConnInfo(SAMPLE_PK, "", SAMPLE_DS, &info), -1);
    CHECK(info == sentinel);
    CHECK_INT(IOT_SetupConnInfo(SAMPLE_PK, SAMPLE_DN, NULL, &info), -1);
    CHECK(info == sentinel);
    CHECK_INT(IOT_SetupConnInfo(SAMPLE_PK, SAMPLE_DN, "", &info), -1);
    CHECK(info == sentinel);
    CHECK_INT(IOT_SetupConnInfo(SAMPLE_PK, SAMPLE_DN, SAMPLE_DS, NULL), -1);

    /* The sample device (docs/v210-reference.md §5.1, direct TCP build). */
    CHECK_INT(IOT_SetupConnInfo(SAMPLE_PK, SAMPLE_DN, SAMPLE_DS, (void **)&ci), 0);
    CHECK(ci != NULL);
    if (ci != NULL) {
        CHECK_INT(ci->port, 1883);
        CHECK_STR(ci->host_name, "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com");
        CHECK_STR(ci->client_id, "yfTuLfBJTiL.TestDeviceForDemo|securemode=3,timestamp=2524608000000,"
                                 "signmethod=hmacsha1,gw=0,ext=0|");
        CHECK_STR(ci->username, "TestDeviceForDemo&yfTuLfBJTiL");
        CHECK_STR(ci->password, "97a7d457a539db070210a6edcf5323e2f5d15142");
        CHECK(ci->pub_key == NULL);
    }
}

static const char *host_for_domain(void)
{
    static iotx_conn_info_t last;
    iotx_conn_info_pt ci = NULL;
    if (IOT_SetupConnInfo(SAMPLE_PK, SAMPLE_DN, SAMPLE_DS, (void **)&ci) != 0 || ci == NULL) {
        return "(SetupConnInfo failed)";
    }
    last = *ci;
    return last.host_name;
}

static void test_setup_domain(void)
{
    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_SH);
    CHECK_STR(host_for_domain(), "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com");
    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_SG);
    CHECK_STR(host_for_domain(), "yfTuLfBJTiL.iot-as-mqtt.ap-southeast-1.aliyuncs.com");
    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_JP);
    CHECK_STR(host_for_domain(), "yfTuLfBJTiL.iot-as-mqtt.ap-northeast-1.aliyuncs.com");
    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_US);
    CHECK_STR(host_for_domain(), "yfTuLfBJTiL.iot-as-mqtt.us-west-1.aliyuncs.com");
    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_GER);
    CHECK_STR(host_for_domain(), "yfTuLfBJTiL.iot-as-mqtt.eu-central-1.aliyuncs.com");

    /* Out of range: logged and ignored, the previous domain stays (docs/requirements.md). */
    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_SH);
    IOT_SetupDomain(99);
    CHECK_STR(host_for_domain(), "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com");
    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_US);
    IOT_SetupDomain(99);
    CHECK_STR(host_for_domain(), "yfTuLfBJTiL.iot-as-mqtt.us-west-1.aliyuncs.com");
    IOT_SetupDomain(-1);
    CHECK_STR(host_for_domain(), "yfTuLfBJTiL.iot-as-mqtt.us-west-1.aliyuncs.com");
    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_MAX);
    CHECK_STR(host_for_domain(), "yfTuLfBJTiL.iot-as-mqtt.us-west-1.aliyuncs.com");
    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_SH);
    CHECK_STR(host_for_domain(), "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com");
}

/* ----- log capture: the reference HAL's HAL_Printf writes to stdout --------------------------- */
static int g_verbose;
static FILE *g_capture_file;
static int g_saved_stdout = -1;
static char g_captured[8192];

static void capture_begin(void)
{
    fflush(stdout);
    g_capture_file = tmpfile();
    if (g_capture_file == NULL) {
        return;
    }
    g_saved_stdout = dup(1);
    dup2(fileno(g_capture_file), 1);
}

/* Ends the capture; the text is in g_captured (echoed when IOTMQTT_TEST_LOG is set). */
static const char *capture_end(void)
{
    size_t n = 0;
    g_captured[0] = '\0';
    fflush(stdout);
    if (g_capture_file == NULL) {
        return g_captured;
    }
    dup2(g_saved_stdout, 1);
    close(g_saved_stdout);
    g_saved_stdout = -1;
    rewind(g_capture_file);
    n = fread(g_captured, 1, sizeof(g_captured) - 1, g_capture_file);
    g_captured[n] = '\0';
    fclose(g_capture_file);
    g_capture_file = NULL;
    if (g_verbose) {
        fputs(g_captured, stdout);
    }
    return g_captured;
}

/* A rejection must leave a readable error or warning line (docs/requirements.md "What bad input gets"). */
static void check_logged(const char *what, const char *text)
{
    if (strstr(text, "[err]") != NULL || strstr(text, "[wrn]") != NULL) {
        g_passed++;
    } else {
        g_failed++;
        printf("FAIL %s: no [err]/[wrn] log line (got \"%s\")\n", what, text);
    }
}

#define CHECK_REJECTED_LOGGED(call, want)                              \
    do {                                                               \
        long rc_;                                                      \
        capture_begin();                                               \
        rc_ = (long)(call);                                            \
        check_logged(#call, capture_end());                            \
        CHECK_INT(rc_, want);                                          \
    } while (0)

static void check_not_in_log(const char *what, const char *text, const char *secret)
{
    if (strstr(text, secret) == NULL) {
        g_passed++;
    } else {
        g_failed++;
        printf("FAIL %s: the secret \"%s\" appears in the log\n", what, secret);
    }
}

/* Every kind of rejection logs a line; secrets never appear in the log. */
static void test_rejections_logged(void)
{
    iotx_mqtt_param_t p;
    iotx_mqtt_topic_info_t msg;
    static char big[2048];
    void *h;
    void *info = NULL;
    const char *text;

    IOT_OpenLog("bad_args");
    IOT_SetLogLevel(IOT_LOG_DEBUG);

    CHECK_REJECTED_LOGGED(IOT_MQTT_Construct(NULL) == NULL, 1);
    CHECK_REJECTED_LOGGED(IOT_MQTT_Destroy(NULL), -2);
    CHECK_REJECTED_LOGGED(IOT_MQTT_Yield(NULL, 10), -2);
    CHECK_REJECTED_LOGGED(IOT_SetupConnInfo(NULL, SAMPLE_DN, SAMPLE_DS, &info), -1);

    capture_begin();
    IOT_SetupDomain(99);
    check_logged("IOT_SetupDomain(99)", capture_end());

    /* The device secret and the HMAC password are never logged, even at DEBUG. */
    capture_begin();
    CHECK_INT(IOT_SetupConnInfo(SAMPLE_PK, SAMPLE_DN, SAMPLE_DS, &info), 0);
    text = capture_end();
    check_not_in_log("IOT_SetupConnInfo", text, SAMPLE_DS);
    check_not_in_log("IOT_SetupConnInfo", text, "97a7d457a539db070210a6edcf5323e2f5d15142");

    valid_params(&p);
    p.password = "Pa55-secret-word-for-the-log-check";
    capture_begin();
    h = IOT_MQTT_Construct(&p);
    text = capture_end();
    CHECK(h != NULL);
    check_not_in_log("IOT_MQTT_Construct", text, "Pa55-secret-word-for-the-log-check");
    if (h == NULL) {
        return;
    }
    memset(&msg, 0, sizeof(msg));
    msg.payload = "x";
    msg.payload_len = 1;
    CHECK_REJECTED_LOGGED(IOT_MQTT_Yield(h, -1), -1);
    CHECK_REJECTED_LOGGED(IOT_MQTT_Subscribe(h, "a/#/b", IOTX_MQTT_QOS0, on_message, NULL), -41);
    CHECK_REJECTED_LOGGED(IOT_MQTT_Subscribe(h, NULL, IOTX_MQTT_QOS0, on_message, NULL), -2);
    CHECK_REJECTED_LOGGED(IOT_MQTT_Unsubscribe(h, "a+"), -41);
    CHECK_REJECTED_LOGGED(IOT_MQTT_Publish(h, "a/+", &msg), -41);
    msg.qos = IOTX_MQTT_QOS2;
    CHECK_REJECTED_LOGGED(IOT_MQTT_Publish(h, "a/b", &msg), -20);
    msg.qos = IOTX_MQTT_QOS0;
    memset(big, 'x', sizeof(big));
    msg.payload = big;
    msg.payload_len = (uint16_t)sizeof(big);
    CHECK_REJECTED_LOGGED(IOT_MQTT_Publish(h, "a/b", &msg), -21);

    capture_begin();
    CHECK_INT(IOT_MQTT_Destroy(&h), 0);
    text = capture_end();
    check_not_in_log("IOT_MQTT_Destroy", text, "Pa55-secret-word-for-the-log-check");

    IOT_CloseLog();
}

/* Logging and memory dump with out-of-range levels and NULL: no crash (no return codes). */
static void test_log_functions(int verbose)
{
    IOT_OpenLog(NULL);
    IOT_SetLogLevel((IOT_LogLevel)99);
    IOT_SetLogLevel((IOT_LogLevel)-1);
    IOT_DumpMemoryStats((IOT_LogLevel)99);
    IOT_DumpMemoryStats((IOT_LogLevel)-5);
    IOT_CloseLog();
    IOT_CloseLog();
    if (verbose) {
        IOT_OpenLog("bad_args");
        IOT_SetLogLevel(IOT_LOG_DEBUG);
    }
    g_passed++; /* reached without a crash */
}

int main(void)
{
    uint16_t broker_port = test_broker_port();
    int verbose = test_log_wanted();

    g_verbose = verbose;

    if (broker_port == 0) {
        return 1;
    }
    g_port = broker_port;
    snprintf(g_client_id, sizeof(g_client_id), "bad-args-%ld", (long)getpid());

    test_log_functions(verbose);
    test_construct();
    test_null_handle();
    test_live_handle();
    test_setup_conn_info();
    test_setup_domain();
    test_rejections_logged();

    return check_report();
}
