/*
 * hal_identity.c - the product / device identity of the V2.10 HAL, in RAM, for the reference
 * HALs (hal/posix, hal/mps2). A port that keeps the identity in flash replaces this file.
 *
 * Values hold at most *_LEN characters (the V2.10 sizes). As in V2.10, getters write the value
 * plus its NUL, i.e. up to *_LEN + 1 bytes: callers (the sample) pass char[*_LEN + 1] buffers,
 * and a maximal 32-character device name must not lose its last character.
 */
#include <stdio.h>
#include <string.h>

#include "iot_import.h"
#include "hal_identity.h"

static char g_product_key[PRODUCT_KEY_LEN + 1];
static char g_device_name[DEVICE_NAME_LEN + 1];
static char g_device_secret[DEVICE_SECRET_LEN + 1];
static char g_product_secret[PRODUCT_SECRET_LEN + 1];

static int id_set(char *store, size_t max_chars, const char *value, const char *what)
{
    size_t n;
    if (value == NULL) {
        return -1;
    }
    n = strlen(value);
    if (n > max_chars) {
        HAL_Printf("[hal] HAL_Set%s: value longer than %u characters, truncated\r\n",
                   what, (unsigned)max_chars);
        n = max_chars;
    }
    hal_identity_lock();
    memset(store, 0, max_chars + 1);
    memcpy(store, value, n);
    hal_identity_unlock();
    return (int)n;
}

static int id_get(char *out, const char *store, size_t max_chars)
{
    size_t n;
    if (out == NULL) {
        return 0;
    }
    hal_identity_lock();
    n = strlen(store); /* always <= max_chars: id_set keeps it NUL-terminated */
    if (n > max_chars) {
        n = max_chars;
    }
    memcpy(out, store, n);
    out[n] = '\0';
    hal_identity_unlock();
    return (int)n;
}

int HAL_SetProductKey(char *product_key)
{
    return id_set(g_product_key, PRODUCT_KEY_LEN, product_key, "ProductKey");
}

int HAL_SetDeviceName(char *device_name)
{
    return id_set(g_device_name, DEVICE_NAME_LEN, device_name, "DeviceName");
}

int HAL_SetDeviceSecret(char *device_secret)
{
    return id_set(g_device_secret, DEVICE_SECRET_LEN, device_secret, "DeviceSecret");
}

int HAL_SetProductSecret(char *product_secret)
{
    return id_set(g_product_secret, PRODUCT_SECRET_LEN, product_secret, "ProductSecret");
}

int HAL_GetProductKey(char product_key[PRODUCT_KEY_LEN])
{
    return id_get(product_key, g_product_key, PRODUCT_KEY_LEN);
}

int HAL_GetDeviceName(char device_name[DEVICE_NAME_LEN])
{
    return id_get(device_name, g_device_name, DEVICE_NAME_LEN);
}

int HAL_GetDeviceSecret(char device_secret[DEVICE_SECRET_LEN])
{
    return id_get(device_secret, g_device_secret, DEVICE_SECRET_LEN);
}

int HAL_GetProductSecret(char product_secret[DEVICE_SECRET_LEN])
{
    return id_get(product_secret, g_product_secret, PRODUCT_SECRET_LEN);
}

/* "<product_key>.<device_name>": at most 20 + 1 + 32 = 53 characters. */
int HAL_GetDeviceID(char device_id[DEVICE_ID_LEN])
{
    int n;
    if (device_id == NULL) {
        return 0;
    }
    hal_identity_lock();
    n = snprintf(device_id, DEVICE_ID_LEN, "%s.%s", g_product_key, g_device_name);
    hal_identity_unlock();
    return (n < 0) ? 0 : (n >= DEVICE_ID_LEN ? DEVICE_ID_LEN - 1 : n);
}
