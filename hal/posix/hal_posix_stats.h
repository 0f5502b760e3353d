/*
 * hal_posix_stats.h - the API of the test rig around the reference POSIX HAL
 * (hal_posix_rig.c, hal_posix_redirect.c), which libhal_posix.a includes.
 *
 * Hand-written. These functions are NOT part of the V2.10 HAL contract; they
 * exist so tests can measure the library's heap use, inject HAL failures and
 * check the connection redirect (IOTMQTT_HAL_REDIRECT, described at the top of
 * hal_posix_redirect.c). A port copies neither the rig nor this header.
 */
#ifndef IOTMQTT_HAL_POSIX_STATS_H
#define IOTMQTT_HAL_POSIX_STATS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Counters of HAL_Malloc/HAL_Free. Failed allocations are not counted. */
typedef struct {
    uint64_t malloc_calls;      /* successful HAL_Malloc calls */
    uint64_t free_calls;        /* HAL_Free calls with a non-NULL pointer */
    uint64_t bytes_in_use;      /* requested bytes currently allocated */
    uint64_t peak_bytes_in_use; /* maximum of bytes_in_use since start or last reset */
    uint64_t bytes_total;       /* requested bytes allocated since start */
} hal_posix_mem_stats_t;

/* Copy a consistent snapshot of the counters into *out (ignored if NULL). */
void hal_posix_mem_stats(hal_posix_mem_stats_t *out);

/* Set peak_bytes_in_use to the current bytes_in_use. */
void hal_posix_mem_reset_peak(void);

/* Failure injection: the (n+1)-th HAL_Malloc call from now, and every later
 * one, returns NULL. n = 0 fails the next call. n < 0 (-1) disables. */
void hal_posix_fail_malloc_after(long n);

/* Failure injection for the network: 0 none, 1 establish (TCP and SSL
 * establish return 0), 2 read (TCP/SSL read return -2), 3 write (TCP/SSL
 * write return -1). Stays in effect until set back to 0. */
#define HAL_POSIX_FAIL_NONE      0
#define HAL_POSIX_FAIL_ESTABLISH 1
#define HAL_POSIX_FAIL_READ      2
#define HAL_POSIX_FAIL_WRITE     3
void hal_posix_fail_tcp(int which);

/* Apply the IOTMQTT_HAL_REDIRECT rules (read from the environment on every
 * call) to host:port.
 * Returns 1 if a rule matched: *out_host / *out_port hold the target.
 * Returns 0 if no rule matched: *out_host / *out_port hold host / port.
 * Returns -1 on NULL arguments or if out_len is too small for the result.
 * Malformed rules are skipped (and reported once through HAL_Printf). */
int hal_posix_redirect_lookup(const char *host, uint16_t port,
                              char *out_host, size_t out_len, uint16_t *out_port);

/* Internal to the rig: the longest host name a redirect target may have, and
 * hal_posix_redirect_lookup that also logs (once per host:port) what it
 * redirected; hal_posix_rig.c calls it in front of every connect. */
#define HAL_POSIX_REDIRECT_HOST_MAX 256
int hal_posix_redirect_apply(const char *host, uint16_t port,
                             char *out_host, size_t out_len, uint16_t *out_port);

#ifdef __cplusplus
}
#endif

#endif /* IOTMQTT_HAL_POSIX_STATS_H */
