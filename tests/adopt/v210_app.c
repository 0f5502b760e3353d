/*
 * v210_app.c - a small firmware program written against iotkit-embedded V2.10 only
 * (iot_import.h, iot_export.h; no iotmqtt extension), built by tests/adopt/consume.sh in each
 * way an integrator consumes iotmqtt. It connects as the demo device, subscribes to its data
 * topic, publishes one QoS1 message there and waits for it to come back, unsubscribes and
 * disconnects. Exit 0 and "v210_app: ok" only if the message came back. Against a local
 * broker the reference HAL's IOTMQTT_HAL_REDIRECT sends *.aliyuncs.com there.
 */
#include <stdio.h>
#include <string.h>

#include "iot_import.h"
#include "iot_export.h"

#define MSGLEN  1024
#define PAYLOAD "v210_app: hello"

static char g_topic[128];
static int g_received;

static void on_event(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    HAL_Printf("v210_app: event %d\r\n", msg != NULL ? (int)msg->event_type : -1);
}

static void on_message(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    iotx_mqtt_topic_info_pt info;

    (void)pcontext;
    (void)pclient;
    if (msg == NULL || msg->msg == NULL) {
        return;
    }
    info = (iotx_mqtt_topic_info_pt)msg->msg;
    if (info->payload_len == strlen(PAYLOAD) && memcmp(info->payload, PAYLOAD, info->payload_len) == 0) {
        g_received++;
    }
}

int main(void)
{
    static char wbuf[MSGLEN], rbuf[MSGLEN];
    char pk[PRODUCT_KEY_LEN + 1], dn[DEVICE_NAME_LEN + 1], ds[DEVICE_SECRET_LEN + 1];
    iotx_conn_info_pt conn = NULL;
    iotx_mqtt_param_t params;
    iotx_mqtt_topic_info_t topic_msg;
    void *client;
    uint64_t start;
    int ok;

    IOT_OpenLog("v210_app");
    IOT_SetLogLevel(IOT_LOG_INFO);
    HAL_SetProductKey("yfTuLfBJTiL");
    HAL_SetDeviceName("TestDeviceForDemo");
    HAL_SetDeviceSecret("fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c");
    HAL_GetProductKey(pk);
    HAL_GetDeviceName(dn);
    HAL_GetDeviceSecret(ds);
    snprintf(g_topic, sizeof(g_topic), "/%s/%s/data", pk, dn);

    if (IOT_SetupConnInfo(pk, dn, ds, (void **)&conn) != 0 || conn == NULL) {
        HAL_Printf("v210_app: IOT_SetupConnInfo failed\r\n");
        return 1;
    }
    memset(&params, 0, sizeof(params));
    params.port = conn->port;
    params.host = conn->host_name;
    params.client_id = conn->client_id;
    params.username = conn->username;
    params.password = conn->password;
    params.pub_key = conn->pub_key;
    params.request_timeout_ms = 2000;
    params.keepalive_interval_ms = 60000;
    params.pread_buf = rbuf;
    params.read_buf_size = MSGLEN;
    params.pwrite_buf = wbuf;
    params.write_buf_size = MSGLEN;
    params.handle_event.h_fp = on_event;

    client = IOT_MQTT_Construct(&params);
    if (client == NULL) {
        HAL_Printf("v210_app: IOT_MQTT_Construct failed\r\n");
        return 1;
    }
    ok = IOT_MQTT_Subscribe(client, g_topic, IOTX_MQTT_QOS1, on_message, NULL) >= 0;
    memset(&topic_msg, 0, sizeof(topic_msg));
    topic_msg.qos = IOTX_MQTT_QOS1;
    topic_msg.payload = PAYLOAD;
    topic_msg.payload_len = (uint16_t)strlen(PAYLOAD);
    ok = ok && IOT_MQTT_Publish(client, g_topic, &topic_msg) >= 0;
    start = HAL_UptimeMs();
    while (ok && g_received == 0 && HAL_UptimeMs() - start < 5000) {
        IOT_MQTT_Yield(client, 100);
    }
    IOT_MQTT_Unsubscribe(client, g_topic);
    IOT_MQTT_Yield(client, 100);
    IOT_MQTT_Destroy(&client);
    IOT_CloseLog();

    ok = ok && g_received > 0;
    HAL_Printf("v210_app: %s (received %d)\r\n", ok ? "ok" : "FAILED", g_received);
    return ok ? 0 : 1;
}
