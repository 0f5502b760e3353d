/*
 * hal_posix_tcp.c - HAL_TCP_* of the reference POSIX HAL: a bounded non-blocking connect, and
 * reads and writes that wait with poll() until all bytes moved or the timeout ended. What each
 * function must do for the library (return values, timeouts, threads): docs/porting.md.
 *
 * Build: cc -std=c99 -D_POSIX_C_SOURCE=200809L -I<repo>/include -c hal_posix_tcp.c
 *        (with hal_posix_os.c, which has the clock these waits use)
 */
#include "iot_import.h"
#include "hal_posix_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* HAL_TCP_Establish has no timeout parameter: bound the connect here
 * (covers all resolved addresses; name resolution itself is not bounded). */
#ifndef IOTMQTT_HAL_CONNECT_TIMEOUT_MS
#define IOTMQTT_HAL_CONNECT_TIMEOUT_MS 5000
#endif

static int set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        return -1;
    }
    fl = fcntl(fd, F_GETFD, 0);
    if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0) {
        return -1;
    }
    return 0;
}

/* Non-blocking connect to one address, waiting until deadline. Returns 0 or
 * an errno value. */
static int connect_one(int fd, const struct addrinfo *ai, uint64_t deadline)
{
    int err = 0;
    socklen_t elen = sizeof(err);

    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        return 0;
    }
    if (errno != EINPROGRESS && errno != EINTR) {
        return errno;
    }
    switch (hal_posix_wait_fd(fd, POLLOUT, deadline)) {
    case 1:
        break;
    case 0:
        return ETIMEDOUT;
    default:
        return errno;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
        return errno;
    }
    return err;
}

int hal_posix_tcp_connect_fd(const char *host, uint16_t port)
{
    char port_str[8];
    struct addrinfo hints, *res = NULL, *ai;
    uint64_t deadline;
    int rc, fd = -1, last_err = 0;

    if (host == NULL || host[0] == '\0') {
        HAL_Printf("[hal] connect: empty host name\r\n");
        return -1;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    snprintf(port_str, sizeof(port_str), "%u", (unsigned)port);
    rc = getaddrinfo(host, port_str, &hints, &res);
    if (rc != 0 || res == NULL) {
        HAL_Printf("[hal] connect: cannot resolve %s: %s\r\n", host,
                   rc != 0 ? gai_strerror(rc) : "no address");
        return -1;
    }

    deadline = hal_posix_now_ms() + IOTMQTT_HAL_CONNECT_TIMEOUT_MS;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            last_err = errno;
            continue;
        }
        if (set_nonblock_cloexec(fd) != 0) {
            last_err = errno;
        } else {
            last_err = connect_one(fd, ai, deadline);
            if (last_err == 0) {
                break;
            }
        }
        close(fd);
        fd = -1;
        if (hal_posix_ms_left(deadline) == 0) {
            last_err = ETIMEDOUT;
            break;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        HAL_Printf("[hal] connect to %s:%u failed: %s\r\n", host, (unsigned)port,
                   last_err == ETIMEDOUT ? "timed out" : strerror(last_err));
        return -1;
    }
    {
        /* MQTT sends small packets that must not wait for Nagle. */
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    return fd; /* stays non-blocking: read/write wait with poll() */
}

/* Handles are fd + 1 so that fd 0 is a valid connection and 0 means failure. */
static int handle_to_fd(uintptr_t handle)
{
    if (handle == 0 || handle > (uintptr_t)INT_MAX) {
        return -1;
    }
    return (int)(handle - 1);
}

uintptr_t HAL_TCP_Establish(const char *host, uint16_t port)
{
    int fd = hal_posix_tcp_connect_fd(host, port);
    if (fd < 0) {
        return 0;
    }
    return (uintptr_t)fd + 1;
}

int32_t HAL_TCP_Destroy(uintptr_t fd)
{
    int s = handle_to_fd(fd);
    if (s < 0) {
        return -1;
    }
    (void)shutdown(s, SHUT_RDWR);
    return close(s) == 0 ? 0 : -1;
}

/* Read until len bytes arrived or timeout_ms passed. Returns bytes read if
 * any (data wins over an error), else 0 on timeout, -1 when the peer closed,
 * -2 on error. Keeps no state, so one reader and one writer may run at once. */
int32_t HAL_TCP_Read(uintptr_t fd, char *buf, uint32_t len, uint32_t timeout_ms)
{
    int s = handle_to_fd(fd);
    uint64_t deadline = hal_posix_now_ms() + timeout_ms;
    uint32_t got = 0;
    int closed = 0, failed = 0;

    if (s < 0 || buf == NULL) {
        return -2;
    }
    if (len == 0) {
        return 0;
    }
    if (len > (uint32_t)INT32_MAX) {
        len = (uint32_t)INT32_MAX; /* the return type must hold the count */
    }
    /* Receive first and wait only when nothing is there: data already buffered by the kernel
     * costs one syscall. */
    while (got < len) {
        ssize_t n = recv(s, buf + got, (size_t)(len - got), MSG_DONTWAIT);
        int wait;
        if (n > 0) {
            got += (uint32_t)n;
            continue;
        }
        if (n == 0) {
            closed = 1;
            break;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            failed = 1;
            break;
        }
        wait = hal_posix_wait_fd(s, POLLIN, deadline);
        if (wait < 0) {
            failed = 1;
        }
        if (wait <= 0) {
            break; /* error or timeout */
        }
    }
    if (got > 0) {
        return (int32_t)got;
    }
    if (failed) {
        return -2;
    }
    return closed ? -1 : 0;
}

/* Write until all len bytes are sent or timeout_ms passed. Returns the bytes
 * sent (possibly fewer than len on timeout or after a late error), or -1 when
 * an error happens before anything was sent. */
int32_t HAL_TCP_Write(uintptr_t fd, const char *buf, uint32_t len, uint32_t timeout_ms)
{
    int s = handle_to_fd(fd);
    uint64_t deadline = hal_posix_now_ms() + timeout_ms;
    uint32_t sent = 0;
    int failed = 0;

    if (s < 0 || buf == NULL) {
        return -1;
    }
    if (len > (uint32_t)INT32_MAX) {
        len = (uint32_t)INT32_MAX;
    }
    /* Send first and wait only when the socket buffer is full: one syscall per message on the
     * usual path instead of poll + send. */
    while (sent < len) {
        /* MSG_NOSIGNAL: a closed peer gives EPIPE instead of killing us. */
        ssize_t n = send(s, buf + sent, (size_t)(len - sent), MSG_NOSIGNAL | MSG_DONTWAIT);
        int wait;
        if (n > 0) {
            sent += (uint32_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            failed = 1;
            break;
        }
        wait = hal_posix_wait_fd(s, POLLOUT, deadline);
        if (wait < 0) {
            failed = 1;
        }
        if (wait <= 0) {
            break; /* error or timeout */
        }
    }
    if (sent == 0 && failed) {
        return -1;
    }
    return (int32_t)sent;
}
