/*
 * footprint_stubs.c - the IOT_* functions c_examples/mqtt-example.c calls, as empty stubs. The
 * example linked with these instead of libiotmqtt.a is the baseline of bench/footprint.sh: the
 * difference in Berkeley `size` is what libiotmqtt.a adds to a firmware image.
 */
#include <stddef.h>

#include "iot_import.h"
#include "iot_export.h"
#include "iotmqtt_ext.h"

void IOT_OpenLog(const char *ident) { (void)ident; }
void IOT_CloseLog(void) {}
void IOT_SetLogLevel(IOT_LogLevel level) { (void)level; }
void IOT_DumpMemoryStats(IOT_LogLevel level) { (void)level; }
int IOT_SetCACert(const char *pem)
{
    (void)pem;
    return -2;
}

int IOT_SetupConnInfo(const char *product_key, const char *device_name, const char *device_secret,
                      void **info_ptr)
{
    (void)product_key;
    (void)device_name;
    (void)device_secret;
    (void)info_ptr;
    return -1;
}

void *IOT_MQTT_Construct(iotx_mqtt_param_t *pInitParams)
{
    (void)pInitParams;
    return NULL;
}

int IOT_MQTT_Destroy(void **phandle)
{
    (void)phandle;
    return -1;
}

int IOT_MQTT_Yield(void *handle, int timeout_ms)
{
    (void)handle;
    (void)timeout_ms;
    return -1;
}

int IOT_MQTT_Subscribe(void *handle, const char *topic_filter, iotx_mqtt_qos_t qos,
                       iotx_mqtt_event_handle_func_fpt topic_handle_func, void *pcontext)
{
    (void)handle;
    (void)topic_filter;
    (void)qos;
    (void)topic_handle_func;
    (void)pcontext;
    return -1;
}

int IOT_MQTT_Unsubscribe(void *handle, const char *topic_filter)
{
    (void)handle;
    (void)topic_filter;
    return -1;
}

int IOT_MQTT_Publish(void *handle, const char *topic_name, iotx_mqtt_topic_info_pt topic_msg)
{
    (void)handle;
    (void)topic_name;
    (void)topic_msg;
    return -1;
}
