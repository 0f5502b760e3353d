/*
 * footprint_ssl_stubs.c - HAL_SSL_* as empty stubs, for bench/footprint.sh's TLS-over-HAL and
 * pre-authentication builds: the firmware's TLS stack (mbedTLS, a modem's) is not the library's
 * footprint, so both the x86-64 and the Cortex-M links use these (a few dozen bytes, counted).
 */
#include <stddef.h>
#include <stdint.h>

#include "iot_import.h"

uintptr_t HAL_SSL_Establish(const char *host, uint16_t port, const char *ca_crt, size_t ca_crt_len)
{
    (void)host;
    (void)port;
    (void)ca_crt;
    (void)ca_crt_len;
    return 0;
}

int32_t HAL_SSL_Destroy(uintptr_t handle)
{
    (void)handle;
    return -1;
}

int32_t HAL_SSL_Write(uintptr_t handle, const char *buf, int len, int timeout_ms)
{
    (void)handle;
    (void)buf;
    (void)len;
    (void)timeout_ms;
    return -1;
}

int32_t HAL_SSL_Read(uintptr_t handle, char *buf, int len, int timeout_ms)
{
    (void)handle;
    (void)buf;
    (void)len;
    (void)timeout_ms;
    return -2;
}
