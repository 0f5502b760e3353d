/*
 * iot_import.h - HAND-WRITTEN (not generated).
 * The HAL that firmware supplies to iotmqtt: the prototypes of iotkit-embedded V2.10.
 * A TCP-only build (FEATURE_MQTT_DIRECT_NOTLS = y) references no HAL_SSL_* function; the
 * HAL_SSL_* functions are needed only with FEATURE_TLS_BACKEND = hal and TLS on.
 * What each function must do for the library (return values, timeouts, blocking, which calls
 * may run at once): docs/porting.md.
 */
#ifndef IOT_IMPORT_H
#define IOT_IMPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "iot_export.h"
#include "imports/iot_import_config.h"
#include "imports/iot_import_product.h"
#include "itls.h"

#if defined(__cplusplus)
extern "C" {
#endif

/* OS */
void *HAL_MutexCreate(void);
void HAL_MutexDestroy(_IN_ void *mutex);
void HAL_MutexLock(_IN_ void *mutex);
void HAL_MutexUnlock(_IN_ void *mutex);
void *HAL_Malloc(_IN_ uint32_t size);
void HAL_Free(_IN_ void *ptr);
uint64_t HAL_UptimeMs(void);
void HAL_SleepMs(_IN_ uint32_t ms);
void HAL_Srandom(uint32_t seed);
uint32_t HAL_Random(uint32_t region);
void HAL_Printf(_IN_ const char *fmt, ...);
int HAL_Snprintf(_IN_ char *str, const int len, const char *fmt, ...);
int HAL_Vsnprintf(_IN_ char *str, _IN_ const int len, _IN_ const char *format, va_list ap);

/* TCP: HAL_TCP_Read returns -2 on error, -1 when the peer closed, 0 on timeout, else bytes read;
 * timeouts are never 0 (docs/porting.md). */
uintptr_t HAL_TCP_Establish(_IN_ const char *host, _IN_ uint16_t port);
int32_t HAL_TCP_Destroy(_IN_ uintptr_t fd);
int32_t HAL_TCP_Write(_IN_ uintptr_t fd, _IN_ const char *buf, _IN_ uint32_t len, _IN_ uint32_t timeout_ms);
int32_t HAL_TCP_Read(_IN_ uintptr_t fd, _OU_ char *buf, _OU_ uint32_t len, _IN_ uint32_t timeout_ms);

/* TLS: ca_crt_len counts the terminating NUL of the PEM string. */
uintptr_t HAL_SSL_Establish(_IN_ const char *host, _IN_ uint16_t port, _IN_ const char *ca_crt,
                            _IN_ size_t ca_crt_len);
int32_t HAL_SSL_Destroy(_IN_ uintptr_t handle);
int32_t HAL_SSL_Write(_IN_ uintptr_t handle, _IN_ const char *buf, _IN_ int len, _IN_ int timeout_ms);
int32_t HAL_SSL_Read(_IN_ uintptr_t handle, _OU_ char *buf, _OU_ int len, _IN_ int timeout_ms);

#if defined(__cplusplus)
}
#endif
#endif /* IOT_IMPORT_H */
