/*
 * iot_export.h - HAND-WRITTEN (not generated).
 * The public interface of iotmqtt, source- and binary-compatible with iotkit-embedded V2.10.
 * The structs and function prototypes that mirror Rust items come from cbindgen and live in
 * iotmqtt_generated.h, included at the end; the enums and macros here are written by hand so
 * they are real C enums under any compiler settings.
 */
#ifndef IOT_EXPORT_H
#define IOT_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define PRODUCT_KEY_LEN     (20)
#define DEVICE_NAME_LEN     (32)
#define DEVICE_ID_LEN       (64)
#define DEVICE_SECRET_LEN   (64)
#define PRODUCT_SECRET_LEN  (64)
#define MODULE_VENDOR_ID    (32)    /* Partner ID */
#define HOST_ADDRESS_LEN    (128)
#define HOST_PORT_LEN       (8)
#define CLIENT_ID_LEN       (256)
#define USER_NAME_LEN       (512)
#define PASSWORD_LEN        (256)
#define AESKEY_STR_LEN      (32)
#define AESKEY_HEX_LEN      (128 / 8)

typedef struct {
    char product_key[PRODUCT_KEY_LEN + 1];
    char device_name[DEVICE_NAME_LEN + 1];
    char device_id[DEVICE_ID_LEN + 1];
    char device_secret[DEVICE_SECRET_LEN + 1];
    char module_vendor_id[MODULE_VENDOR_ID + 1];
} iotx_device_info_t, *iotx_device_info_pt;

typedef enum _IOT_LogLevel {
    IOT_LOG_EMERG = 0,
    IOT_LOG_CRIT,
    IOT_LOG_ERROR,
    IOT_LOG_WARNING,
    IOT_LOG_INFO,
    IOT_LOG_DEBUG
} IOT_LogLevel;

typedef enum IOTX_CLOUD_DOMAIN_TYPES {
    IOTX_CLOUD_DOMAIN_SH,   /* Shanghai */
    IOTX_CLOUD_DOMAIN_SG,   /* Singapore */
    IOTX_CLOUD_DOMAIN_JP,   /* Japan */
    IOTX_CLOUD_DOMAIN_US,   /* America */
    IOTX_CLOUD_DOMAIN_GER,  /* Germany */
    IOTX_CLOUD_DOMAIN_MAX
} iotx_cloud_domain_types_t;

#if defined(__cplusplus)
}
#endif

#include "exports/iot_export_errno.h"
#include "exports/iot_export_mqtt.h"
#include "exports/iot_export_shadow.h"
#include "exports/iot_export_coap.h"
#include "exports/iot_export_ota.h"
#include "exports/iot_export_http.h"
#include "exports/iot_export_fota.h"

/* Structs and prototypes generated from the Rust sources (iotx_conn_info_t, IOT_*). */
#include "iotmqtt_generated.h"

#if defined(__cplusplus)
extern "C" {
#endif

/* Only in V2.10 builds with FEATURE_MQTT_ID2_AUTH = y, which iotmqtt does not support:
 * declared as in V2.10 so source that mentions them compiles, never defined. */
void *IOT_MQTT_ConstructSecure(iotx_mqtt_param_t *pInitParams);
int IOT_SetupConnInfoSecure(const char *product_key, const char *device_name,
                            const char *device_secret, void **info_ptr);

#if defined(__cplusplus)
}
#endif
#endif /* IOT_EXPORT_H */
