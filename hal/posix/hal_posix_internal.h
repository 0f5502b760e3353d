/*
 * hal_posix_internal.h - what the files of the reference POSIX HAL share: one clock, the socket
 * wait, and the bounded TCP connect that HAL_TCP_Establish and HAL_SSL_Establish both use.
 * Not part of the V2.10 HAL contract (the symbols are global so that hal_posix_os.c,
 * hal_posix_tcp.c and hal_ssl_openssl.c can share them).
 */
#ifndef IOTMQTT_HAL_POSIX_INTERNAL_H
#define IOTMQTT_HAL_POSIX_INTERNAL_H

#include <poll.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds: the clock behind HAL_UptimeMs. */
uint64_t hal_posix_now_ms(void);

/* Milliseconds left until deadline (a hal_posix_now_ms value), clamped to [0, INT_MAX]. */
int hal_posix_ms_left(uint64_t deadline);

/* Waits until fd has one of events (POLLIN, POLLOUT) or hal_posix_now_ms() reaches deadline,
 * ending on that millisecond tick. Returns 1 ready, 0 deadline, -1 error (errno set). */
int hal_posix_wait_fd(int fd, short events, uint64_t deadline);

/* Resolves host and connects to port, bounded by IOTMQTT_HAL_CONNECT_TIMEOUT_MS (hal_posix_tcp.c).
 * Returns a connected NON-BLOCKING socket (wait with hal_posix_wait_fd), or -1 with the reason
 * logged through HAL_Printf. */
int hal_posix_tcp_connect_fd(const char *host, uint16_t port);

#endif /* IOTMQTT_HAL_POSIX_INTERNAL_H */
