/*
 * test_module_id.c - the V2.10 module-ID report (docs/v210-reference.md §5.12, docs/requirements.md "module-ID report"):
 * with partner and module ids from the HAL and the identity known from IOT_SetupConnInfo,
 * Construct publishes {"id":"<pk>_<dn>_mid","params":{...}} to /sys/<pk>/<dn>/thing/status/update
 * right after CONNACK; a client built from other strings (identity unknown) publishes nothing.
 * The ids also appear in the client id. Runs under with_mosquitto.sh (redirect to the broker).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iot_import.h"
#include "iot_export.h"
#include "check.h"
#include "test_client.h"

#define PK "yfTuLfBJTiL"
#define DN "TestDeviceForDemo"
#define DS "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c"
#define REPORT_TOPIC "/sys/" PK "/" DN "/thing/status/update"

static char g_sub_read[1024], g_sub_write[1024], g_dev_read[1024], g_dev_write[1024];
static char g_report[512];
static int g_reports;

static void on_report(void *ctx, void *client, iotx_mqtt_event_msg_pt msg)
{
    (void)ctx;
    (void)client;
    if (msg->event_type != IOTX_MQTT_EVENT_PUBLISH_RECVEIVED) {
        return;
    }
    iotx_mqtt_topic_info_pt info = (iotx_mqtt_topic_info_pt)msg->msg;
    g_reports++;
    snprintf(g_report, sizeof g_report, "%.*s", (int)info->payload_len, info->payload);
}

static void ignore_events(void *ctx, void *client, iotx_mqtt_event_msg_pt msg)
{
    (void)ctx;
    (void)client;
    (void)msg;
}

static void *connect_with(const char *host, uint16_t port, const char *client_id, const char *user,
                          const char *pass, char *rbuf, char *wbuf)
{
    iotx_mqtt_param_t p;
    memset(&p, 0, sizeof p);
    p.host = host;
    p.port = port;
    p.client_id = client_id;
    p.username = user;
    p.password = pass;
    p.request_timeout_ms = 2000;
    p.keepalive_interval_ms = 60000;
    p.pread_buf = rbuf;
    p.read_buf_size = 1024;
    p.pwrite_buf = wbuf;
    p.write_buf_size = 1024;
    p.handle_event.h_fp = ignore_events;
    return IOT_MQTT_Construct(&p);
}

int main(void)
{
    uint16_t port = test_broker_port();
    if (port == 0) {
        return 1;
    }
    test_open_log_if_wanted("module-id");
    setenv("IOTMQTT_HAL_PARTNER_ID", "pid123", 1);
    setenv("IOTMQTT_HAL_MODULE_ID", "mid456", 1);

    void *sub = connect_with("127.0.0.1", port, "watcher", "w", "w", g_sub_read, g_sub_write);
    CHECK(sub != NULL);
    if (sub == NULL) {
        return check_report();
    }
    CHECK(IOT_MQTT_Subscribe(sub, REPORT_TOPIC, IOTX_MQTT_QOS0, on_report, NULL) > 0);
    IOT_MQTT_Yield(sub, 300);

    iotx_conn_info_pt info = NULL;
    CHECK_INT(IOT_SetupConnInfo(PK, DN, DS, (void **)&info), 0);
    if (info == NULL) {
        return check_report();
    }
    CHECK_STR(info->client_id, PK "." DN "|securemode=3,timestamp=2524608000000,signmethod=hmacsha1,"
                               "gw=0,ext=0,partner_id=pid123,module_id=mid456|");

    /* Identity known (the very strings IOT_SetupConnInfo returned): the report goes out. */
    void *dev = connect_with(info->host_name, info->port, info->client_id, info->username,
                             info->password, g_dev_read, g_dev_write);
    CHECK(dev != NULL);
    for (int i = 0; i < 20 && g_reports == 0; i++) {
        IOT_MQTT_Yield(sub, 100);
    }
    CHECK_INT(g_reports, 1);
    CHECK_STR(g_report, "{\"id\":\"" PK "_" DN "_mid\",\"params\":{\"_sys_device_mid\":\"mid456\","
                        "\"_sys_device_pid\":\"pid123\"}}");
    if (dev != NULL) {
        CHECK_INT(IOT_MQTT_Destroy(&dev), 0);
    }

    /* Same values copied into other buffers: identity unknown, so no report. */
    static char host[129], cid[257], user[513], pass[257];
    strcpy(host, info->host_name);
    strcpy(cid, info->client_id);
    strcpy(user, info->username);
    strcpy(pass, info->password);
    dev = connect_with(host, info->port, cid, user, pass, g_dev_read, g_dev_write);
    CHECK(dev != NULL);
    IOT_MQTT_Yield(sub, 500);
    CHECK_INT(g_reports, 1);
    if (dev != NULL) {
        CHECK_INT(IOT_MQTT_Destroy(&dev), 0);
    }
    CHECK_INT(IOT_MQTT_Destroy(&sub), 0);
    return check_report();
}
