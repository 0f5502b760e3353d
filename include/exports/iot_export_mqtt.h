/*
 * exports/iot_export_mqtt.h - HAND-WRITTEN (not generated).
 * The MQTT enums of iotkit-embedded V2.10, spellings kept. The MQTT structs and the IOT_MQTT_*
 * prototypes are generated from Rust into iotmqtt_generated.h, which iot_export.h includes
 * after this file; including this file alone pulls in iot_export.h too.
 */
#ifndef IOT_EXPORT_MQTT_H
#define IOT_EXPORT_MQTT_H

#if defined(__cplusplus)
extern "C" {
#endif

typedef enum {
    IOTX_MQTT_QOS0 = 0,
    IOTX_MQTT_QOS1,
    IOTX_MQTT_QOS2
} iotx_mqtt_qos_t;

typedef enum {
    IOTX_MQTT_EVENT_UNDEF = 0,
    IOTX_MQTT_EVENT_DISCONNECT = 1,
    IOTX_MQTT_EVENT_RECONNECT = 2,
    IOTX_MQTT_EVENT_SUBCRIBE_SUCCESS = 3,
    IOTX_MQTT_EVENT_SUBCRIBE_TIMEOUT = 4,
    IOTX_MQTT_EVENT_SUBCRIBE_NACK = 5,
    IOTX_MQTT_EVENT_UNSUBCRIBE_SUCCESS = 6,
    IOTX_MQTT_EVENT_UNSUBCRIBE_TIMEOUT = 7,
    IOTX_MQTT_EVENT_UNSUBCRIBE_NACK = 8,
    IOTX_MQTT_EVENT_PUBLISH_SUCCESS = 9,
    IOTX_MQTT_EVENT_PUBLISH_TIMEOUT = 10,
    IOTX_MQTT_EVENT_PUBLISH_NACK = 11,
    IOTX_MQTT_EVENT_PUBLISH_RECVEIVED = 12,
    IOTX_MQTT_EVENT_BUFFER_OVERFLOW = 13
} iotx_mqtt_event_type_t;

/* The spelling V2.20 and later use, for code written against them. */
#define IOTX_MQTT_EVENT_PUBLISH_RECEIVED IOTX_MQTT_EVENT_PUBLISH_RECVEIVED

#if defined(__cplusplus)
}
#endif

#include "../iot_export.h"

#endif /* IOT_EXPORT_MQTT_H */
