/*
 * v210_hal.c - a minimal TCP-only HAL with exactly the prototypes of docs/v210-reference.md §3
 * (OS, TCP, product getters/setters; no HAL_SSL_*, no HAL_iTLS_*), as a V2.10 firmware for a
 * FEATURE_MQTT_DIRECT_NOTLS = y build would supply it.
 *
 * Trivial, deterministic bodies: single-threaded mutex stubs, a fake clock advanced by
 * HAL_SleepMs (and by 1 ms per HAL_UptimeMs call, so loops waiting on the clock terminate),
 * and a TCP layer whose HAL_TCP_Establish always fails.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iot_import.h"

/* ----- OS ------------------------------------------------------------------------------------ */
static int g_mutex_dummy;
static uint64_t g_fake_now_ms = 1000;
static uint32_t g_random_state = 1;

void *HAL_MutexCreate(void)
{
    return &g_mutex_dummy;
}

void HAL_MutexDestroy(_IN_ void *mutex)
{
    (void)mutex;
}

void HAL_MutexLock(_IN_ void *mutex)
{
    (void)mutex;
}

void HAL_MutexUnlock(_IN_ void *mutex)
{
    (void)mutex;
}

void *HAL_Malloc(_IN_ uint32_t size)
{
    return malloc(size);
}

void HAL_Free(_IN_ void *ptr)
{
    free(ptr);
}

uint64_t HAL_UptimeMs(void)
{
    return g_fake_now_ms++;
}

void HAL_SleepMs(_IN_ uint32_t ms)
{
    g_fake_now_ms += ms;
}

void HAL_Srandom(uint32_t seed)
{
    g_random_state = seed ? seed : 1;
}

uint32_t HAL_Random(uint32_t region)
{
    g_random_state = g_random_state * 1103515245u + 12345u;
    return region == 0 ? 0 : (g_random_state >> 8) % region;
}

void HAL_Printf(_IN_ const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

int HAL_Snprintf(_IN_ char *str, const int len, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(str, (size_t)len, fmt, ap);
    va_end(ap);
    return n;
}

int HAL_Vsnprintf(_IN_ char *str, _IN_ const int len, _IN_ const char *format, va_list ap)
{
    return vsnprintf(str, (size_t)len, format, ap);
}

int HAL_GetPartnerID(char pid_str[PID_STRLEN_MAX])
{
    pid_str[0] = '\0';
    return 0;
}

int HAL_GetModuleID(char mid_str[MID_STRLEN_MAX])
{
    mid_str[0] = '\0';
    return 0;
}

/* ----- TCP: no network in this program; the connect always fails ---------------------------- */
uintptr_t HAL_TCP_Establish(_IN_ const char *host, _IN_ uint16_t port)
{
    HAL_Printf("v210_hal: HAL_TCP_Establish(%s, %u) fails (no network in this test)\r\n",
               host ? host : "(null)", (unsigned)port);
    return 0;
}

int32_t HAL_TCP_Destroy(_IN_ uintptr_t fd)
{
    (void)fd;
    return 0;
}

int32_t HAL_TCP_Write(_IN_ uintptr_t fd, _IN_ const char *buf, _IN_ uint32_t len, _IN_ uint32_t timeout_ms)
{
    (void)fd;
    (void)buf;
    (void)len;
    (void)timeout_ms;
    return -1;
}

int32_t HAL_TCP_Read(_IN_ uintptr_t fd, _OU_ char *buf, _OU_ uint32_t len, _IN_ uint32_t timeout_ms)
{
    (void)fd;
    (void)buf;
    (void)len;
    (void)timeout_ms;
    return -2;
}

/* ----- Product identity (iot_import_product.h) ----------------------------------------------- */
static char g_product_key[PRODUCT_KEY_LEN + 1];
static char g_device_name[DEVICE_NAME_LEN + 1];
static char g_device_secret[DEVICE_SECRET_LEN + 1];
static char g_product_secret[PRODUCT_SECRET_LEN + 1];

static int copy_out(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return (int)n;
}

int HAL_GetProductKey(_OU_ char product_key[PRODUCT_KEY_LEN])
{
    /* V2.10 passes arrays of LEN + 1 (PRODUCT_KEY_MAXLEN). */
    return copy_out(product_key, PRODUCT_KEY_MAXLEN, g_product_key);
}

int HAL_GetDeviceName(_OU_ char device_name[DEVICE_NAME_LEN])
{
    return copy_out(device_name, DEVICE_NAME_MAXLEN, g_device_name);
}

int HAL_GetDeviceSecret(_OU_ char device_secret[DEVICE_SECRET_LEN])
{
    return copy_out(device_secret, DEVICE_SECRET_MAXLEN, g_device_secret);
}

int HAL_GetProductSecret(_OU_ char product_secret[DEVICE_SECRET_LEN])
{
    return copy_out(product_secret, PRODUCT_SECRET_MAXLEN, g_product_secret);
}

int HAL_GetDeviceID(_OU_ char device_id[DEVICE_ID_LEN])
{
    char id[DEVICE_ID_MAXLEN];
    HAL_Snprintf(id, (int)sizeof(id), "%s.%s", g_product_key, g_device_name);
    return copy_out(device_id, DEVICE_ID_MAXLEN, id);
}

int HAL_GetFirmwareVesion(_OU_ char version[FIRMWARE_VERSION_MAXLEN])
{
    return copy_out(version, FIRMWARE_VERSION_MAXLEN, "app-1.0.0-20180101.1000");
}

char *HAL_GetChipID(_OU_ char cid_str[HAL_CID_LEN])
{
    copy_out(cid_str, HAL_CID_LEN, "rtl8188eu 12345678");
    return cid_str;
}

int HAL_SetProductKey(_IN_ char *product_key)
{
    return copy_out(g_product_key, sizeof(g_product_key), product_key);
}

int HAL_SetDeviceName(_IN_ char *device_name)
{
    return copy_out(g_device_name, sizeof(g_device_name), device_name);
}

int HAL_SetDeviceSecret(_IN_ char *device_secret)
{
    return copy_out(g_device_secret, sizeof(g_device_secret), device_secret);
}

int HAL_SetProductSecret(_IN_ char *product_secret)
{
    return copy_out(g_product_secret, sizeof(g_product_secret), product_secret);
}
