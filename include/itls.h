/*
 * itls.h - HAND-WRITTEN (not generated).
 * iTLS (ID2) HAL of V2.10. Declared for source compatibility only: iotmqtt never calls these
 * (FEATURE_MQTT_DIRECT_NOITLS = n is rejected by the build).
 */
#ifndef IOTMQTT_ITLS_H
#define IOTMQTT_ITLS_H

#include <stdint.h>

#if defined(__cplusplus)
extern "C" {
#endif

uintptr_t HAL_iTLS_Establish(const char *host, uint16_t port, const char *product_key);
int32_t HAL_iTLS_Destroy(uintptr_t handle);
int32_t HAL_iTLS_Write(uintptr_t handle, const char *buf, int len, int timeout_ms);
int32_t HAL_iTLS_Read(uintptr_t handle, char *buf, int len, int timeout_ms);

#if defined(__cplusplus)
}
#endif
#endif /* IOTMQTT_ITLS_H */
