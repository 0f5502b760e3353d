/*
 * hal_posix_os.c - the operating-system part of the reference POSIX HAL: clock and sleep,
 * mutexes, heap, random numbers, and the partner / module / firmware / chip ids.
 * The rest of the HAL: hal_posix_tcp.c (HAL_TCP_*), hal_ssl_openssl.c (HAL_SSL_*, for
 * FEATURE_TLS_BACKEND = hal), ../common/hal_print.c (HAL_Printf, HAL_Snprintf, HAL_Vsnprintf)
 * and ../common/hal_identity.c (product / device identity).
 * What each function must do for the library: docs/porting.md. HAL_iTLS_* is not provided.
 *
 * Build: cc -std=c99 -D_POSIX_C_SOURCE=200809L -I<repo>/include -I<repo>/hal/common -c hal_posix_os.c
 *        (link with -lpthread on older libcs)
 *
 * Environment:
 *   IOTMQTT_HAL_PARTNER_ID  value returned by HAL_GetPartnerID (default empty)
 *   IOTMQTT_HAL_MODULE_ID   value returned by HAL_GetModuleID  (default empty)
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* ppoll: waits end on the millisecond tick of HAL_UptimeMs */
#endif
#include "iot_import.h"
#include "hal_identity.h"
#include "hal_posix_internal.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ======================================================================= */
/* time                                                                    */
/* ======================================================================= */

uint64_t hal_posix_now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int hal_posix_ms_left(uint64_t deadline)
{
    uint64_t now = hal_posix_now_ms();
    if (now >= deadline) {
        return 0;
    }
    return (deadline - now > (uint64_t)INT_MAX) ? INT_MAX : (int)(deadline - now);
}

/* One poll for pfd until HAL_UptimeMs() reaches deadline. poll() can only wait whole
 * milliseconds from now, so a 1 ms wait started 0.6 ms into a tick would end 0.6 ms past the
 * deadline; ppoll ends on the tick itself, so a caller's HAL_UptimeMs-based timeout
 * (IOT_MQTT_Yield) is not stretched. */
static int poll_until(struct pollfd *pfd, uint64_t deadline)
{
#ifdef __linux__
    struct timespec now, left;
    uint64_t end_ns = deadline * 1000000u, now_ns;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
        return poll(pfd, 1, hal_posix_ms_left(deadline));
    }
    now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    if (now_ns >= end_ns) {
        return 0;
    }
    left.tv_sec = (time_t)((end_ns - now_ns) / 1000000000u);
    left.tv_nsec = (long)((end_ns - now_ns) % 1000000000u);
    return ppoll(pfd, 1, &left, NULL);
#else
    return poll(pfd, 1, hal_posix_ms_left(deadline));
#endif
}

int hal_posix_wait_fd(int fd, short events, uint64_t deadline)
{
    struct pollfd pfd;
    pfd.fd = fd;
    pfd.events = events;
    for (;;) {
        int rc;
        pfd.revents = 0;
        rc = poll_until(&pfd, deadline);
        if (rc > 0) {
            return 1;
        }
        if (rc == 0) {
            return 0;
        }
        if (errno != EINTR) {
            return -1;
        }
    }
}

uint64_t HAL_UptimeMs(void)
{
    return hal_posix_now_ms();
}

void HAL_SleepMs(uint32_t ms)
{
    struct timespec req, rem;
    req.tv_sec = (time_t)(ms / 1000u);
    req.tv_nsec = (long)(ms % 1000u) * 1000000L;
    /* Signals must not shorten the sleep. */
    while (nanosleep(&req, &rem) != 0 && errno == EINTR) {
        req = rem;
    }
}

/* ======================================================================= */
/* mutexes                                                                 */
/* ======================================================================= */

/* malloc, not HAL_Malloc: HAL_Malloc is the library's heap, and tests measure it alone
 * (hal_posix_stats.h). */
void *HAL_MutexCreate(void)
{
    pthread_mutex_t *m = (pthread_mutex_t *)malloc(sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    if (pthread_mutex_init(m, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void HAL_MutexDestroy(void *mutex)
{
    if (mutex == NULL) {
        return;
    }
    if (pthread_mutex_destroy((pthread_mutex_t *)mutex) != 0) {
        HAL_Printf("[hal] HAL_MutexDestroy: mutex busy or invalid\r\n");
        return; /* leak rather than free a mutex that is still held */
    }
    free(mutex);
}

void HAL_MutexLock(void *mutex)
{
    if (mutex == NULL) {
        return;
    }
    if (pthread_mutex_lock((pthread_mutex_t *)mutex) != 0) {
        HAL_Printf("[hal] HAL_MutexLock failed\r\n");
    }
}

void HAL_MutexUnlock(void *mutex)
{
    if (mutex == NULL) {
        return;
    }
    if (pthread_mutex_unlock((pthread_mutex_t *)mutex) != 0) {
        HAL_Printf("[hal] HAL_MutexUnlock failed\r\n");
    }
}

/* ======================================================================= */
/* heap                                                                    */
/* ======================================================================= */

void *HAL_Malloc(uint32_t size)
{
    return malloc(size);
}

void HAL_Free(void *ptr)
{
    free(ptr);
}

/* ======================================================================= */
/* random                                                                  */
/* ======================================================================= */

/* random()/srandom() are XSI, not plain POSIX: use splitmix64 instead. */
static pthread_mutex_t g_rand_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t g_rand_state = 1;

void HAL_Srandom(uint32_t seed)
{
    pthread_mutex_lock(&g_rand_lock);
    g_rand_state = seed;
    pthread_mutex_unlock(&g_rand_lock);
}

uint32_t HAL_Random(uint32_t region)
{
    uint64_t z;
    if (region == 0) {
        return 0;
    }
    pthread_mutex_lock(&g_rand_lock);
    g_rand_state += 0x9E3779B97F4A7C15ull;
    z = g_rand_state;
    pthread_mutex_unlock(&g_rand_lock);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    /* The high half, reduced in 32 bits, as hal/mps2 does (where a 64-bit modulo would pull
       in libgcc's division): the same seed gives the same numbers on both. */
    return (uint32_t)(z >> 32) % region;
}

/* ======================================================================= */
/* partner / module id (environment)                                       */
/* ======================================================================= */

static int copy_env(const char *name, char *out, size_t out_size)
{
    const char *v;
    size_t n;
    if (out == NULL || out_size == 0) {
        return 0;
    }
    out[0] = '\0';
    v = getenv(name);
    if (v == NULL) {
        return 0;
    }
    n = strlen(v);
    if (n > out_size - 1) {
        n = out_size - 1;
    }
    memcpy(out, v, n);
    out[n] = '\0';
    return (int)n;
}

int HAL_GetPartnerID(char pid_str[PID_STRLEN_MAX])
{
    return copy_env("IOTMQTT_HAL_PARTNER_ID", pid_str, PID_STRLEN_MAX);
}

int HAL_GetModuleID(char mid_str[MID_STRLEN_MAX])
{
    return copy_env("IOTMQTT_HAL_MODULE_ID", mid_str, MID_STRLEN_MAX);
}

/* ======================================================================= */
/* product / device identity, firmware version, chip id                    */
/* ======================================================================= */

/* The stored strings are in hal/common/hal_identity.c; threads take this lock around them. */
static pthread_mutex_t g_id_lock = PTHREAD_MUTEX_INITIALIZER;

void hal_identity_lock(void)
{
    pthread_mutex_lock(&g_id_lock);
}

void hal_identity_unlock(void)
{
    pthread_mutex_unlock(&g_id_lock);
}

int HAL_GetFirmwareVesion(char version[FIRMWARE_VERSION_MAXLEN])
{
    static const char v[] = "iotmqtt-posix-hal-1.0";
    if (version == NULL) {
        return 0;
    }
    memset(version, 0, FIRMWARE_VERSION_MAXLEN);
    strncpy(version, v, FIRMWARE_VERSION_MAXLEN - 1);
    return (int)strlen(version);
}

char *HAL_GetChipID(char cid_str[HAL_CID_LEN])
{
    if (cid_str == NULL) {
        return NULL;
    }
    memset(cid_str, 0, HAL_CID_LEN);
    strncpy(cid_str, "posix", HAL_CID_LEN - 1);
    return cid_str;
}
