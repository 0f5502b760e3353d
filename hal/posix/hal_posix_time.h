/*
 * hal_posix_time.h - clock and socket waits shared by the files of the reference POSIX HAL.
 * Internal: not part of the V2.10 HAL contract (the symbols are global in libhal_posix.a so that
 * hal_posix.c and hal_ssl_openssl.c share one clock).
 */
#ifndef IOTMQTT_HAL_POSIX_TIME_H
#define IOTMQTT_HAL_POSIX_TIME_H

#include <poll.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds: the clock behind HAL_UptimeMs. */
uint64_t hal_posix_now_ms(void);

/* Milliseconds left until deadline (a hal_posix_now_ms value), clamped to [0, INT_MAX]. */
int hal_posix_ms_left(uint64_t deadline);

/* Waits until fd has one of events (POLLIN, POLLOUT) or hal_posix_now_ms() reaches deadline,
 * ending on that millisecond tick. Returns 1 ready, 0 deadline, -1 error (errno set). */
int hal_posix_wait_fd(int fd, short events, uint64_t deadline);

#endif
