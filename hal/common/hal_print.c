/*
 * hal_print.c - HAL_Printf, HAL_Snprintf and HAL_Vsnprintf over the C library's stdio, shared
 * by the reference HALs (hal/posix, and hal/mps2, where newlib's stdout goes out through
 * semihosting). The library itself only calls HAL_Printf("%s", line) (docs/porting.md).
 */
#include <stdarg.h>
#include <stdio.h>

#include "iot_import.h"

void HAL_Printf(const char *fmt, ...)
{
    va_list ap;
    if (fmt == NULL) {
        return;
    }
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

int HAL_Vsnprintf(char *str, const int len, const char *fmt, va_list ap)
{
    /* str may be NULL only when len is 0 (size query), as with vsnprintf. */
    if (fmt == NULL || len < 0 || (str == NULL && len != 0)) {
        return -1;
    }
    return vsnprintf(str, (size_t)len, fmt, ap);
}

int HAL_Snprintf(char *str, const int len, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = HAL_Vsnprintf(str, len, fmt, ap);
    va_end(ap);
    return rc;
}
