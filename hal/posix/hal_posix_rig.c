/*
 * hal_posix_rig.c - the test rig around the reference POSIX HAL, and the one object of
 * libhal_posix.a as CMake builds it (with hal_posix_redirect.c, ../common/hal_print.c and
 * ../common/hal_identity.c). A port copies hal_posix_os.c, hal_posix_tcp.c, hal_ssl_openssl.c,
 * hal_print.c and hal_identity.c; it does not copy this file.
 *
 * The rig is middleware in front of the production HAL (the model: smoltcp's FaultInjector,
 * which wraps a device): this file compiles the production files into itself with the entry
 * points it wraps renamed to *_unrigged, then defines those entry points, which add
 *   - HAL_Malloc / HAL_Free: counters, failure injection, and a stop on a double or foreign free;
 *   - HAL_TCP_* / HAL_SSL_*: failure injection (establish, read, write);
 *   - the connect both establish calls use: the IOTMQTT_HAL_REDIRECT rules (hal_posix_redirect.c).
 * Tests drive the rig through hal_posix_stats.h. Including the .c files (rather than renaming
 * with -D per file) keeps the renames next to the wrappers, applies each only to the file it
 * belongs to (hal_ssl_openssl.c must reach the wrapped connect), and keeps the HAL one object,
 * so a program that links any of it links all of it, as before the split (bench/footprint.sh
 * measures what the library adds over a program that already has the HAL).
 *
 * Build: cc -std=c99 -D_POSIX_C_SOURCE=200809L -I<repo>/include -I<repo>/hal/common -c hal_posix_rig.c
 *        (-DIOTMQTT_HAL_POSIX_SSL=1 to include hal_ssl_openssl.c; link with hal_posix_redirect.o,
 *        hal_print.o and hal_identity.o)
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* before any system header, for hal_posix_os.c's ppoll */
#endif
/* The prototypes keep the real names: the renames below only apply to the definitions. */
#include "iot_import.h"
#include "hal_posix_internal.h"
#include "hal_posix_stats.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HAL_Malloc hal_posix_unrigged_Malloc
#define HAL_Free   hal_posix_unrigged_Free
#include "hal_posix_os.c"
#undef HAL_Malloc
#undef HAL_Free

/* hal_posix_tcp_connect_fd is renamed here only: HAL_TCP_Establish reaches the unrigged one
 * directly (its wrapper below has already redirected), hal_ssl_openssl.c the wrapped one. */
#define HAL_TCP_Establish        hal_posix_unrigged_TCP_Establish
#define HAL_TCP_Read             hal_posix_unrigged_TCP_Read
#define HAL_TCP_Write            hal_posix_unrigged_TCP_Write
#define hal_posix_tcp_connect_fd hal_posix_unrigged_tcp_connect_fd
#include "hal_posix_tcp.c"
#undef HAL_TCP_Establish
#undef HAL_TCP_Read
#undef HAL_TCP_Write
#undef hal_posix_tcp_connect_fd

#if defined(IOTMQTT_HAL_POSIX_SSL) && IOTMQTT_HAL_POSIX_SSL
#define HAL_SSL_Read  hal_posix_unrigged_SSL_Read
#define HAL_SSL_Write hal_posix_unrigged_SSL_Write
#include "hal_ssl_openssl.c"
#undef HAL_SSL_Read
#undef HAL_SSL_Write
#endif

/* ======================================================================= */
/* heap: counters and failure injection                                    */
/* ======================================================================= */

/* A 16-byte header in front of each block holds the size and a magic
 * number; 16 keeps the returned pointer as aligned as malloc's. */
#define MEM_HDR_SIZE 16u
#define MEM_MAGIC_LIVE 0x494F544D414C4C43ull /* "IOTMALLC" */
#define MEM_MAGIC_FREE 0x46524545424C4F4Bull /* "FREEBLOK" */

static pthread_mutex_t g_mem_lock = PTHREAD_MUTEX_INITIALIZER;
static hal_posix_mem_stats_t g_mem;
static long g_fail_malloc_after = -1;

void *HAL_Malloc(uint32_t size)
{
    unsigned char *p;
    uint64_t hdr[2];
    int fail = 0;

    pthread_mutex_lock(&g_mem_lock);
    if (g_fail_malloc_after == 0) {
        fail = 1;
    } else if (g_fail_malloc_after > 0) {
        g_fail_malloc_after--;
    }
    pthread_mutex_unlock(&g_mem_lock);
    if (fail) {
        return NULL;
    }
    if (size > UINT32_MAX - MEM_HDR_SIZE) {
        return NULL; /* the header would not fit in HAL_Malloc's uint32_t size */
    }
    p = (unsigned char *)hal_posix_unrigged_Malloc(size + MEM_HDR_SIZE);
    if (p == NULL) {
        return NULL;
    }
    hdr[0] = size;
    hdr[1] = MEM_MAGIC_LIVE;
    memcpy(p, hdr, sizeof(hdr));

    pthread_mutex_lock(&g_mem_lock);
    g_mem.malloc_calls++;
    g_mem.bytes_total += size;
    g_mem.bytes_in_use += size;
    if (g_mem.bytes_in_use > g_mem.peak_bytes_in_use) {
        g_mem.peak_bytes_in_use = g_mem.bytes_in_use;
    }
    pthread_mutex_unlock(&g_mem_lock);
    return p + MEM_HDR_SIZE;
}

void HAL_Free(void *ptr)
{
    unsigned char *p;
    uint64_t hdr[2];

    if (ptr == NULL) {
        return;
    }
    p = (unsigned char *)ptr - MEM_HDR_SIZE;
    memcpy(hdr, p, sizeof(hdr));
    if (hdr[1] != MEM_MAGIC_LIVE) {
        /* Double free or a pointer HAL_Malloc never returned: stop loudly,
         * a test must not pass over heap corruption. */
        HAL_Printf("[hal] HAL_Free(%p): %s\r\n", ptr,
                   hdr[1] == MEM_MAGIC_FREE ? "double free" : "not allocated by HAL_Malloc");
        abort();
    }
    hdr[1] = MEM_MAGIC_FREE;
    memcpy(p, hdr, sizeof(hdr));

    pthread_mutex_lock(&g_mem_lock);
    g_mem.free_calls++;
    g_mem.bytes_in_use -= hdr[0];
    pthread_mutex_unlock(&g_mem_lock);
    hal_posix_unrigged_Free(p);
}

void hal_posix_mem_stats(hal_posix_mem_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    pthread_mutex_lock(&g_mem_lock);
    *out = g_mem;
    pthread_mutex_unlock(&g_mem_lock);
}

void hal_posix_mem_reset_peak(void)
{
    pthread_mutex_lock(&g_mem_lock);
    g_mem.peak_bytes_in_use = g_mem.bytes_in_use;
    pthread_mutex_unlock(&g_mem_lock);
}

void hal_posix_fail_malloc_after(long n)
{
    pthread_mutex_lock(&g_mem_lock);
    g_fail_malloc_after = (n < 0) ? -1 : n;
    pthread_mutex_unlock(&g_mem_lock);
}

/* ======================================================================= */
/* network: failure injection and the redirect                             */
/* ======================================================================= */

static int g_fail_tcp; /* accessed with __atomic builtins (gcc and clang) */

void hal_posix_fail_tcp(int which)
{
    if (which < HAL_POSIX_FAIL_NONE || which > HAL_POSIX_FAIL_WRITE) {
        which = HAL_POSIX_FAIL_NONE;
    }
    __atomic_store_n(&g_fail_tcp, which, __ATOMIC_SEQ_CST);
}

static int fail_mode(void)
{
    return __atomic_load_n(&g_fail_tcp, __ATOMIC_SEQ_CST);
}

/* Where a connect to host:port goes: 0 with *target / *target_port set (host:port itself
 * unless a redirect rule matched), or -1 (an injected establish failure, or a name too long),
 * logged. An empty host passes through, for the production connect to refuse. */
static int connect_target(const char *host, uint16_t port, char *target, uint16_t *target_port)
{
    if (host == NULL || host[0] == '\0') {
        target[0] = '\0';
        *target_port = port;
        return 0;
    }
    if (fail_mode() == HAL_POSIX_FAIL_ESTABLISH) {
        HAL_Printf("[hal] connect to %s:%u: injected failure\r\n", host, (unsigned)port);
        return -1;
    }
    if (hal_posix_redirect_apply(host, port, target, HAL_POSIX_REDIRECT_HOST_MAX, target_port) < 0) {
        HAL_Printf("[hal] connect: host name too long\r\n");
        return -1;
    }
    return 0;
}

/* The connect of HAL_SSL_Establish (hal_ssl_openssl.c). */
int hal_posix_tcp_connect_fd(const char *host, uint16_t port)
{
    char target[HAL_POSIX_REDIRECT_HOST_MAX];
    uint16_t target_port;

    if (connect_target(host, port, target, &target_port) != 0) {
        return -1;
    }
    return hal_posix_unrigged_tcp_connect_fd(target, target_port);
}

uintptr_t HAL_TCP_Establish(const char *host, uint16_t port)
{
    char target[HAL_POSIX_REDIRECT_HOST_MAX];
    uint16_t target_port;

    if (connect_target(host, port, target, &target_port) != 0) {
        return 0;
    }
    return hal_posix_unrigged_TCP_Establish(target, target_port);
}

int32_t HAL_TCP_Read(uintptr_t fd, char *buf, uint32_t len, uint32_t timeout_ms)
{
    if (fail_mode() == HAL_POSIX_FAIL_READ) {
        return -2;
    }
    return hal_posix_unrigged_TCP_Read(fd, buf, len, timeout_ms);
}

int32_t HAL_TCP_Write(uintptr_t fd, const char *buf, uint32_t len, uint32_t timeout_ms)
{
    if (fail_mode() == HAL_POSIX_FAIL_WRITE) {
        return -1;
    }
    return hal_posix_unrigged_TCP_Write(fd, buf, len, timeout_ms);
}

#if defined(IOTMQTT_HAL_POSIX_SSL) && IOTMQTT_HAL_POSIX_SSL
int32_t HAL_SSL_Read(uintptr_t handle, char *buf, int len, int timeout_ms)
{
    if (fail_mode() == HAL_POSIX_FAIL_READ) {
        return -2;
    }
    return hal_posix_unrigged_SSL_Read(handle, buf, len, timeout_ms);
}

int32_t HAL_SSL_Write(uintptr_t handle, const char *buf, int len, int timeout_ms)
{
    if (fail_mode() == HAL_POSIX_FAIL_WRITE) {
        return -1;
    }
    return hal_posix_unrigged_SSL_Write(handle, buf, len, timeout_ms);
}
#endif
