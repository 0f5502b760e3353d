/*
 * imports/iot_import_product.h - HAND-WRITTEN (not generated).
 * Device identity HAL of iotkit-embedded V2.10: the firmware implements these functions.
 * The MQTT path of iotmqtt does not call them; the example and firmware do.
 */
#ifndef IOT_IMPORT_PRODUCT_H
#define IOT_IMPORT_PRODUCT_H

#if defined(__cplusplus)
extern "C" {
#endif

#define _IN_
#define _OU_
#define IOT_TRUE                    1
#define IOT_FALSE                   0

#define PID_STRLEN_MAX              64
#define MID_STRLEN_MAX              64
#define PID_STR_MAXLEN              64
#define MID_STR_MAXLEN              64
#define IOTX_URI_MAX_LEN            135

#define PRODUCT_KEY_MAXLEN          (20 + 1)
#define DEVICE_NAME_MAXLEN          (32 + 1)
#define DEVICE_ID_MAXLEN            (64 + 1)
#define DEVICE_SECRET_MAXLEN        (64 + 1)
#define PRODUCT_SECRET_MAXLEN       (64 + 1)
#define FIRMWARE_VERSION_MAXLEN     (32 + 1)
#define HAL_CID_LEN                 (64 + 1)

int HAL_GetPartnerID(char pid_str[PID_STRLEN_MAX]);
int HAL_GetModuleID(char mid_str[MID_STRLEN_MAX]);
int HAL_GetProductKey(_OU_ char product_key[PRODUCT_KEY_LEN]);
int HAL_GetDeviceName(_OU_ char device_name[DEVICE_NAME_LEN]);
int HAL_GetDeviceSecret(_OU_ char device_secret[DEVICE_SECRET_LEN]);
int HAL_GetProductSecret(_OU_ char product_secret[DEVICE_SECRET_LEN]);
int HAL_GetDeviceID(_OU_ char device_id[DEVICE_ID_LEN]);
int HAL_GetFirmwareVesion(_OU_ char version[FIRMWARE_VERSION_MAXLEN]);
char *HAL_GetChipID(_OU_ char cid_str[HAL_CID_LEN]);
int HAL_SetProductKey(_IN_ char *product_key);
int HAL_SetDeviceName(_IN_ char *device_name);
int HAL_SetDeviceSecret(_IN_ char *device_secret);
int HAL_SetProductSecret(_IN_ char *product_secret);

#if defined(__cplusplus)
}
#endif
#endif /* IOT_IMPORT_PRODUCT_H */
