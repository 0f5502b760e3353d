/*
 * hal_ssl_openssl.c - HAL_SSL_* of the reference POSIX HAL, over OpenSSL.
 *
 * Build: cc -std=c99 -D_POSIX_C_SOURCE=200809L -I<repo>/include -c hal_ssl_openssl.c
 *        link with hal_posix_os.o hal_posix_tcp.o -lssl -lcrypto -lpthread
 * What each function must do for the library: docs/porting.md.
 *
 * - The server certificate is verified against the PEM CA(s) passed in
 *   ca_crt (ca_crt_len counts the terminating NUL, as in V2.10) and against
 *   the host name the library asked for. The socket comes from
 *   hal_posix_tcp_connect_fd() (hal_posix_tcp.c); SNI and name verification
 *   use the host name passed here, wherever that socket was connected.
 * - Read/Write follow HAL_TCP_Read/Write: loop until len bytes or the
 *   timeout; data wins over errors; read returns 0 on timeout, -1 when the
 *   peer closed, -2 on error; write returns bytes sent or -1.
 * - One reader and one writer may call at once: each SSL_* call runs under a
 *   per-session lock, and waiting for the socket (poll) happens unlocked.
 * - Failures are explained through HAL_Printf ("certificate has expired",
 *   "hostname mismatch", ...).
 */
#include "iot_import.h"
#include "hal_posix_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

/* TLS handshake bound, on top of the TCP connect bound in hal_posix_tcp.c. */
#ifndef IOTMQTT_HAL_TLS_HANDSHAKE_TIMEOUT_MS
#define IOTMQTT_HAL_TLS_HANDSHAKE_TIMEOUT_MS 10000
#endif

#define SSL_SESSION_MAGIC 0x53534C48u /* "SSLH": catches stale or foreign handles */

typedef struct {
    uint32_t        magic;
    int             fd;
    SSL_CTX        *ctx;
    SSL            *ssl;
    pthread_mutex_t lock; /* serializes SSL_* calls on this session */
} hal_ssl_session_t;

/* ----------------------------------------------------------------------- */

/* OpenSSL writes with write(2): block SIGPIPE around calls that may write,
 * and swallow a SIGPIPE they raised, so a closed peer is an error, not a kill. */
typedef struct {
    sigset_t old;
    int      was_pending;
} pipe_guard_t;

static void pipe_block(pipe_guard_t *g)
{
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    g->was_pending = (sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE) == 1);
    pthread_sigmask(SIG_BLOCK, &set, &g->old);
}

static void pipe_unblock(pipe_guard_t *g)
{
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    if (!g->was_pending && sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE) == 1) {
        struct timespec zero = {0, 0};
        (void)sigtimedwait(&set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* Log the OpenSSL error queue (or a fallback) with a prefix, then clear it. */
static void log_ssl_error(const char *what, const char *fallback)
{
    unsigned long e = ERR_get_error();
    char buf[256];
    if (e == 0) {
        HAL_Printf("[hal] %s: %s\r\n", what, fallback);
        return;
    }
    ERR_error_string_n(e, buf, sizeof(buf));
    HAL_Printf("[hal] %s: %s\r\n", what, buf);
    ERR_clear_error();
}

/* Did the peer just go away (EOF or reset without close_notify)? OpenSSL 3
 * reports that as SSL_ERROR_SSL/UNEXPECTED_EOF, 1.1 as SSL_ERROR_SYSCALL. */
static int is_eof(int err, unsigned long queued, int sys_errno)
{
    if (err == SSL_ERROR_SYSCALL && queued == 0) {
        return sys_errno == 0 || sys_errno == ECONNRESET;
    }
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
    if (err == SSL_ERROR_SSL && ERR_GET_LIB(queued) == ERR_LIB_SSL &&
        ERR_GET_REASON(queued) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        return 1;
    }
#endif
    return 0;
}

static hal_ssl_session_t *session_of(uintptr_t handle)
{
    hal_ssl_session_t *s = (hal_ssl_session_t *)handle;
    if (s == NULL || s->magic != SSL_SESSION_MAGIC) {
        return NULL;
    }
    return s;
}

/* Add every certificate of the PEM text to the context's trust store.
 * Returns the number added. */
static int load_ca(SSL_CTX *ctx, const char *pem, size_t pem_len)
{
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    BIO *bio;
    X509 *x;
    int n = 0;

    /* ca_crt_len counts the terminating NUL (V2.10); tolerate it missing. */
    if (pem_len > 0 && pem[pem_len - 1] == '\0') {
        pem_len--;
    }
    if (store == NULL || pem_len == 0 || pem_len > (size_t)INT_MAX) {
        return 0;
    }
    bio = BIO_new_mem_buf(pem, (int)pem_len);
    if (bio == NULL) {
        return 0;
    }
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(store, x) == 1) {
            n++;
        }
        X509_free(x);
    }
    BIO_free(bio);
    ERR_clear_error(); /* the loop ends with a "no start line" error */
    return n;
}

static int is_ip_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static void session_free(hal_ssl_session_t *s)
{
    if (s == NULL) {
        return;
    }
    s->magic = 0;
    if (s->ssl != NULL) {
        SSL_free(s->ssl);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->ctx != NULL) {
        SSL_CTX_free(s->ctx);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Drive SSL_connect to completion on the non-blocking socket. */
static int handshake(hal_ssl_session_t *s, const char *host, uint16_t port)
{
    uint64_t deadline = hal_posix_now_ms() + IOTMQTT_HAL_TLS_HANDSHAKE_TIMEOUT_MS;
    char what[300];

    snprintf(what, sizeof(what), "HAL_SSL_Establish(%s:%u)", host, (unsigned)port);
    for (;;) {
        pipe_guard_t g;
        int rc, err, w;
        ERR_clear_error();
        pipe_block(&g);
        rc = SSL_connect(s->ssl);
        err = (rc == 1) ? SSL_ERROR_NONE : SSL_get_error(s->ssl, rc);
        pipe_unblock(&g);
        if (rc == 1) {
            return 0;
        }
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            w = hal_posix_wait_fd(s->fd, err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, deadline);
            if (w == 1) {
                continue;
            }
            HAL_Printf("[hal] %s: TLS handshake %s\r\n", what,
                       w == 0 ? "timed out" : "failed while waiting for the socket");
            return -1;
        }
        {
            long vr = SSL_get_verify_result(s->ssl);
            if (vr != X509_V_OK) {
                HAL_Printf("[hal] %s: certificate verification failed: %s\r\n", what,
                           X509_verify_cert_error_string(vr));
                ERR_clear_error();
                return -1;
            }
        }
        log_ssl_error(what, err == SSL_ERROR_SYSCALL ? "connection closed during TLS handshake"
                                                     : "TLS handshake failed");
        return -1;
    }
}

uintptr_t HAL_SSL_Establish(const char *host, uint16_t port, const char *ca_crt, size_t ca_crt_len)
{
    hal_ssl_session_t *s;
    X509_VERIFY_PARAM *param;

    if (host == NULL || host[0] == '\0') {
        HAL_Printf("[hal] HAL_SSL_Establish: empty host name\r\n");
        return 0;
    }
    if (ca_crt == NULL || ca_crt_len == 0) {
        HAL_Printf("[hal] HAL_SSL_Establish(%s:%u): no CA certificate given\r\n", host,
                   (unsigned)port);
        return 0;
    }
    s = (hal_ssl_session_t *)calloc(1, sizeof(*s));
    if (s == NULL) {
        HAL_Printf("[hal] HAL_SSL_Establish: out of memory\r\n");
        return 0;
    }
    s->fd = -1;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return 0;
    }
    s->magic = SSL_SESSION_MAGIC;

    s->ctx = SSL_CTX_new(TLS_client_method());
    if (s->ctx == NULL) {
        log_ssl_error("HAL_SSL_Establish: SSL_CTX_new", "failed");
        goto fail;
    }
    SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION);
    /* Partial writes let HAL_SSL_Write report progress and resume on timeout. */
    SSL_CTX_set_mode(s->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (load_ca(s->ctx, ca_crt, ca_crt_len) == 0) {
        HAL_Printf("[hal] HAL_SSL_Establish(%s:%u): no usable certificate in the CA PEM\r\n", host,
                   (unsigned)port);
        goto fail;
    }
    SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, NULL);

    s->fd = hal_posix_tcp_connect_fd(host, port); /* bounded connect */
    if (s->fd < 0) {
        goto fail;
    }
    s->ssl = SSL_new(s->ctx);
    if (s->ssl == NULL || SSL_set_fd(s->ssl, s->fd) != 1) {
        log_ssl_error("HAL_SSL_Establish: SSL_new", "failed");
        goto fail;
    }
    /* Verify the name the library asked for, also when a test redirected the socket. */
    param = SSL_get0_param(s->ssl);
    if (is_ip_literal(host)) {
        if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1) {
            log_ssl_error("HAL_SSL_Establish: set expected IP", "failed");
            goto fail;
        }
    } else {
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (X509_VERIFY_PARAM_set1_host(param, host, 0) != 1 ||
            SSL_set_tlsext_host_name(s->ssl, host) != 1) {
            log_ssl_error("HAL_SSL_Establish: set host name", "failed");
            goto fail;
        }
    }
    if (handshake(s, host, port) != 0) {
        goto fail;
    }
    return (uintptr_t)s;

fail:
    session_free(s);
    return 0;
}

int32_t HAL_SSL_Destroy(uintptr_t handle)
{
    hal_ssl_session_t *s = session_of(handle);
    pipe_guard_t g;

    if (s == NULL) {
        return -1;
    }
    /* One best-effort close_notify; never wait for the peer's answer. */
    pthread_mutex_lock(&s->lock);
    ERR_clear_error();
    pipe_block(&g);
    (void)SSL_shutdown(s->ssl);
    pipe_unblock(&g);
    ERR_clear_error();
    pthread_mutex_unlock(&s->lock);
    session_free(s);
    return 0;
}

int32_t HAL_SSL_Read(uintptr_t handle, char *buf, int len, int timeout_ms)
{
    hal_ssl_session_t *s = session_of(handle);
    uint64_t deadline;
    int got = 0, closed = 0, failed = 0;

    if (s == NULL || buf == NULL || len < 0) {
        return -2;
    }
    if (len == 0) {
        return 0;
    }
    deadline = hal_posix_now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
    while (got < len) {
        int n, err, w, sys_errno;
        unsigned long queued;

        pthread_mutex_lock(&s->lock);
        ERR_clear_error();
        errno = 0;
        n = SSL_read(s->ssl, buf + got, len - got);
        err = (n > 0) ? SSL_ERROR_NONE : SSL_get_error(s->ssl, n);
        sys_errno = errno;
        queued = (err == SSL_ERROR_NONE) ? 0 : ERR_peek_error();
        pthread_mutex_unlock(&s->lock);

        if (n > 0) {
            got += n;
            continue;
        }
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            w = hal_posix_wait_fd(s->fd, err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, deadline);
            if (w == 1) {
                continue;
            }
            failed = (w < 0);
            break; /* timeout (or poll failure) */
        }
        if (err == SSL_ERROR_ZERO_RETURN || is_eof(err, queued, sys_errno)) {
            closed = 1; /* close_notify, or EOF/reset without one */
            ERR_clear_error();
            break;
        }
        if (err == SSL_ERROR_SYSCALL && queued == 0) {
            HAL_Printf("[hal] HAL_SSL_Read: %s\r\n", strerror(sys_errno));
        } else {
            log_ssl_error("HAL_SSL_Read", "TLS error");
        }
        failed = 1;
        break;
    }
    if (got > 0) {
        return got;
    }
    if (failed) {
        return -2;
    }
    return closed ? -1 : 0;
}

int32_t HAL_SSL_Write(uintptr_t handle, const char *buf, int len, int timeout_ms)
{
    hal_ssl_session_t *s = session_of(handle);
    uint64_t deadline;
    int sent = 0, failed = 0;

    if (s == NULL || buf == NULL || len < 0) {
        return -1;
    }
    deadline = hal_posix_now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
    while (sent < len) {
        int n, err, w, sys_errno;
        unsigned long queued;
        pipe_guard_t g;

        pthread_mutex_lock(&s->lock);
        ERR_clear_error();
        errno = 0;
        pipe_block(&g);
        n = SSL_write(s->ssl, buf + sent, len - sent);
        err = (n > 0) ? SSL_ERROR_NONE : SSL_get_error(s->ssl, n);
        sys_errno = errno;
        pipe_unblock(&g);
        queued = (err == SSL_ERROR_NONE) ? 0 : ERR_peek_error();
        pthread_mutex_unlock(&s->lock);

        if (n > 0) {
            sent += n;
            continue;
        }
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            w = hal_posix_wait_fd(s->fd, err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, deadline);
            if (w == 1) {
                continue;
            }
            failed = (w < 0);
            break;
        }
        if (err == SSL_ERROR_SYSCALL && queued == 0) {
            HAL_Printf("[hal] HAL_SSL_Write: %s\r\n",
                       sys_errno != 0 ? strerror(sys_errno) : "connection closed");
        } else {
            /* an empty queue here means the session already failed or closed */
            log_ssl_error("HAL_SSL_Write", "session already closed or failed");
        }
        failed = 1;
        break;
    }
    if (sent == 0 && failed) {
        return -1;
    }
    return sent;
}
