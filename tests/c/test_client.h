/*
 * test_client.h - what the C tests share to talk to a broker: a monotonic clock in ms, sleeping,
 * the usual connection parameters, and publishing a text payload.
 */
#ifndef IOTMQTT_TEST_CLIENT_H
#define IOTMQTT_TEST_CLIENT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iot_import.h"
#include "iot_export.h"

static inline double test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static inline void test_sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* Parameters for a test client: any credentials (the broker allows anonymous), clean session,
 * keepalive 60 s, the given request timeout, buffers and event handler. */
static inline void test_params(iotx_mqtt_param_t *p, const char *host, uint16_t port,
                               const char *client_id, uint32_t request_timeout_ms, char *rbuf,
                               uint32_t rsize, char *wbuf, uint32_t wsize,
                               iotx_mqtt_event_handle_func_fpt on_event)
{
    memset(p, 0, sizeof(*p));
    p->host = host;
    p->port = port;
    p->client_id = client_id;
    p->username = "test-user";
    p->password = "test-password";
    p->clean_session = 1;
    p->request_timeout_ms = request_timeout_ms;
    p->keepalive_interval_ms = 60000;
    p->pwrite_buf = wbuf;
    p->write_buf_size = wsize;
    p->pread_buf = rbuf;
    p->read_buf_size = rsize;
    p->handle_event.h_fp = on_event;
}

static inline int test_publish_text(void *h, const char *topic, const char *payload, int qos)
{
    iotx_mqtt_topic_info_t m;
    memset(&m, 0, sizeof(m));
    m.qos = (uint8_t)qos;
    m.payload = payload;
    m.payload_len = (uint16_t)strlen(payload);
    return IOT_MQTT_Publish(h, topic, &m);
}

/* The private broker's port that tests/scripts/with_mosquitto.sh exports; 0 (after printing
 * why, and the closing line) when the test does not run under it. */
static inline uint16_t test_broker_port(void)
{
    const char *env = getenv("IOTMQTT_TEST_BROKER_PORT");
    int port = env != NULL ? atoi(env) : 0;
    if (port <= 0 || port > 65535) {
        printf("IOTMQTT_TEST_BROKER_PORT is not set: run under tests/scripts/with_mosquitto.sh\n");
        printf("0 passed, 1 failed\n");
        return 0;
    }
    return (uint16_t)port;
}

/* IOTMQTT_TEST_LOG=1 asks for the library's debug log. */
static inline int test_log_wanted(void)
{
    const char *env = getenv("IOTMQTT_TEST_LOG");
    return env != NULL && env[0] != '\0' && strcmp(env, "0") != 0;
}

static inline void test_open_log_if_wanted(const char *name)
{
    if (test_log_wanted()) {
        IOT_OpenLog(name);
        IOT_SetLogLevel(IOT_LOG_DEBUG);
    }
}

#endif /* IOTMQTT_TEST_CLIENT_H */
