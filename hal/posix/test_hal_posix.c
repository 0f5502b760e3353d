/*
 * test_hal_posix.c - self-test of the reference POSIX HAL and its test rig, as
 * libhal_posix.a holds them (hal_posix_rig.c compiles in hal_posix_os.c and
 * hal_posix_tcp.c).
 *
 * Build and run:
 *   cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -I<repo>/include -I<repo>/hal/common \
 *      test_hal_posix.c hal_posix_rig.c hal_posix_redirect.c ../common/hal_print.c \
 *      ../common/hal_identity.c \
 *      -lpthread -o test_hal_posix && ./test_hal_posix
 *
 * Covers: redirect rule parsing and matching, TCP read/write semantics
 * against a local listening socket (including one reader and one writer at
 * once), the fd-0 handle mapping, malloc counters
 * and the failure-injection hooks, and the small OS helpers.
 * Prints "N passed, M failed"; exit status is non-zero on any failure.
 */
#include "iot_import.h"
#include "hal_posix_stats.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int g_pass, g_fail;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            g_pass++;                                                        \
        } else {                                                             \
            g_fail++;                                                        \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
        }                                                                    \
    } while (0)

/* ----------------------------------------------------------------------- */

static int lookup(const char *env, const char *host, uint16_t port, char *out, uint16_t *out_port)
{
    if (env == NULL) {
        unsetenv("IOTMQTT_HAL_REDIRECT");
    } else {
        setenv("IOTMQTT_HAL_REDIRECT", env, 1);
    }
    return hal_posix_redirect_lookup(host, port, out, 256, out_port);
}

static void test_redirect(void)
{
    char out[256];
    char small[4];
    uint16_t p = 0;
    const char *two = "pk.iot-as-mqtt.cn-shanghai.aliyuncs.com:1883=127.0.0.1:18830,"
                      "iot-auth.cn-shanghai.aliyuncs.com:443=127.0.0.1:18443";

    /* no variable: identity */
    CHECK(lookup(NULL, "a.aliyuncs.com", 1883, out, &p) == 0);
    CHECK(strcmp(out, "a.aliyuncs.com") == 0 && p == 1883);

    /* wildcard suffix */
    CHECK(lookup("*.aliyuncs.com=127.0.0.1:18830", "pk.iot-as-mqtt.cn-shanghai.aliyuncs.com", 1883,
                 out, &p) == 1);
    CHECK(strcmp(out, "127.0.0.1") == 0 && p == 18830);
    CHECK(lookup("*.aliyuncs.com=127.0.0.1:18830", "PK.IOT-AS-MQTT.Aliyuncs.COM", 443, out, &p) == 1);
    CHECK(lookup("*.aliyuncs.com=127.0.0.1:18830", "aliyuncs.com", 1883, out, &p) == 0);
    CHECK(lookup("*.aliyuncs.com=127.0.0.1:18830", "evilaliyuncs.com", 1883, out, &p) == 0);
    CHECK(strcmp(out, "evilaliyuncs.com") == 0 && p == 1883);

    /* exact host with port, the README example */
    CHECK(lookup(two, "pk.iot-as-mqtt.cn-shanghai.aliyuncs.com", 1883, out, &p) == 1);
    CHECK(strcmp(out, "127.0.0.1") == 0 && p == 18830);
    CHECK(lookup(two, "iot-auth.cn-shanghai.aliyuncs.com", 443, out, &p) == 1);
    CHECK(strcmp(out, "127.0.0.1") == 0 && p == 18443);
    CHECK(lookup(two, "iot-auth.cn-shanghai.aliyuncs.com", 80, out, &p) == 0); /* port differs */
    CHECK(lookup(two, "other.aliyuncs.com", 1883, out, &p) == 0);

    /* a port-specific rule only matches its port; first match wins */
    CHECK(lookup("a.example.com:1883=h1:1,a.example.com=h2:2", "a.example.com", 1883, out, &p) == 1);
    CHECK(strcmp(out, "h1") == 0 && p == 1);
    CHECK(lookup("a.example.com:1883=h1:1,a.example.com=h2:2", "a.example.com", 443, out, &p) == 1);
    CHECK(strcmp(out, "h2") == 0 && p == 2);
    CHECK(lookup("*.example.com=h1:1,a.example.com=h2:2", "a.example.com", 443, out, &p) == 1);
    CHECK(strcmp(out, "h1") == 0);

    /* malformed rules are skipped; spaces trimmed; empty rules ignored */
    CHECK(lookup("bogus,a.b=,x.y=host:99999,q.r=host,,  c.d = 10.0.0.1:7 ,", "c.d", 5, out, &p) == 1);
    CHECK(strcmp(out, "10.0.0.1") == 0 && p == 7);
    CHECK(lookup("bogus,a.b=,x.y=host:99999", "x.y", 5, out, &p) == 0);
    CHECK(lookup("a.b:0=h:1", "a.b", 0, out, &p) == 0); /* port 0 is not a valid rule port */

    /* IPv6 target and the catch-all "*" */
    CHECK(lookup("v6.test=[::1]:1234", "v6.test", 1, out, &p) == 1);
    CHECK(strcmp(out, "::1") == 0 && p == 1234);
    CHECK(lookup("*=localhost:9", "anything.at.all", 1, out, &p) == 1);
    CHECK(strcmp(out, "localhost") == 0 && p == 9);

    /* bad arguments */
    setenv("IOTMQTT_HAL_REDIRECT", "*.aliyuncs.com=127.0.0.1:18830", 1);
    CHECK(hal_posix_redirect_lookup(NULL, 1, out, sizeof(out), &p) == -1);
    CHECK(hal_posix_redirect_lookup("a", 1, NULL, sizeof(out), &p) == -1);
    CHECK(hal_posix_redirect_lookup("a", 1, out, sizeof(out), NULL) == -1);
    CHECK(hal_posix_redirect_lookup("x.aliyuncs.com", 1, small, sizeof(small), &p) == -1);
    unsetenv("IOTMQTT_HAL_REDIRECT");
}

/* ----------------------------------------------------------------------- */

static int listen_local(uint16_t *port)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int one = 1;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        return -1;
    }
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s, 4) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &alen) != 0) {
        close(s);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return s;
}

static int recv_all(int s, char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = recv(s, buf + got, len - got, 0);
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

/* One reader and one writer on the same handle at once, both directions
 * carrying more than the socket buffers hold. */
#define DUPLEX_LEN (512u * 1024u)

typedef struct {
    uintptr_t h;
    int peer;
    char *out;     /* what the HAL writer sends */
    char *in;      /* what the peer sends */
    char *peer_rx; /* what the peer received */
    int32_t write_rc;
    int peer_rx_rc;
} duplex_t;

static void *duplex_hal_writer(void *arg)
{
    duplex_t *d = (duplex_t *)arg;
    d->write_rc = HAL_TCP_Write(d->h, d->out, DUPLEX_LEN, 10000);
    return NULL;
}

static void *duplex_peer_sender(void *arg)
{
    duplex_t *d = (duplex_t *)arg;
    size_t sent = 0;
    while (sent < DUPLEX_LEN) {
        ssize_t n = send(d->peer, d->in + sent, DUPLEX_LEN - sent, 0);
        if (n <= 0) {
            break;
        }
        sent += (size_t)n;
    }
    return NULL;
}

static void *duplex_peer_receiver(void *arg)
{
    duplex_t *d = (duplex_t *)arg;
    d->peer_rx_rc = recv_all(d->peer, d->peer_rx, DUPLEX_LEN);
    return NULL;
}

static void test_duplex(uintptr_t h, int peer)
{
    duplex_t d;
    pthread_t tw, ts, tr;
    char *got;
    uint32_t total = 0, i;
    uint64_t t0 = HAL_UptimeMs();

    memset(&d, 0, sizeof(d));
    d.h = h;
    d.peer = peer;
    d.out = (char *)malloc(DUPLEX_LEN);
    d.in = (char *)malloc(DUPLEX_LEN);
    d.peer_rx = (char *)malloc(DUPLEX_LEN);
    got = (char *)malloc(DUPLEX_LEN);
    CHECK(d.out && d.in && d.peer_rx && got);
    if (!(d.out && d.in && d.peer_rx && got)) {
        return;
    }
    for (i = 0; i < DUPLEX_LEN; i++) {
        d.out[i] = (char)(i * 13u);
        d.in[i] = (char)(i * 31u + 7u);
    }
    pthread_create(&tw, NULL, duplex_hal_writer, &d);
    pthread_create(&ts, NULL, duplex_peer_sender, &d);
    pthread_create(&tr, NULL, duplex_peer_receiver, &d);
    while (total < DUPLEX_LEN && HAL_UptimeMs() - t0 < 10000) {
        int32_t rc = HAL_TCP_Read(h, got + total, DUPLEX_LEN - total, 200);
        if (rc < 0) {
            break;
        }
        total += (uint32_t)rc;
    }
    pthread_join(tw, NULL);
    pthread_join(ts, NULL);
    pthread_join(tr, NULL);
    CHECK(total == DUPLEX_LEN && memcmp(got, d.in, DUPLEX_LEN) == 0);
    CHECK(d.write_rc == (int32_t)DUPLEX_LEN);
    CHECK(d.peer_rx_rc == 0 && memcmp(d.peer_rx, d.out, DUPLEX_LEN) == 0);
    free(d.out);
    free(d.in);
    free(d.peer_rx);
    free(got);
}

#ifdef __linux__
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}
#endif

static void test_tcp(void)
{
    char env[128], buf[2048], big[1000];
    uint16_t port = 0;
    uint64_t t0, dt;
    uintptr_t h;
    int32_t rc;
    int ls, peer, i, closed_seen;

    ls = listen_local(&port);
    CHECK(ls >= 0);
    if (ls < 0) {
        return;
    }
    /* connect through the redirect, as the library would */
    snprintf(env, sizeof(env), "*.hal-test.invalid=127.0.0.1:%u", (unsigned)port);
    setenv("IOTMQTT_HAL_REDIRECT", env, 1);
    h = HAL_TCP_Establish("dev.hal-test.invalid", 1883);
    CHECK(h != 0);
    peer = accept(ls, NULL, NULL);
    CHECK(peer >= 0);
    if (h == 0 || peer < 0) {
        close(ls);
        return;
    }

    /* timeout with no data: 0, after about the timeout */
    t0 = HAL_UptimeMs();
    rc = HAL_TCP_Read(h, buf, 16, 300);
    dt = HAL_UptimeMs() - t0;
    CHECK(rc == 0);
    CHECK(dt >= 290 && dt < 800);

#ifdef __linux__
    /* A 1 ms timeout ends on the next tick of HAL_UptimeMs, never before it and not a whole
     * millisecond later: IOT_MQTT_Yield(h, 1) rests on it. Started anywhere within a tick,
     * poll() with 1 ms takes >= 1 ms every time; ending on the tick takes 0.5 ms on average, so
     * a quarter of the reads end within 0.25 ms (the bound allows 0.65 ms of scheduling delay
     * on a loaded machine). Linux only: elsewhere the HAL falls back to poll(). */
    {
        uint32_t us[101];
        int k, early = 0;
        for (k = 0; k < 101; k++) {
            struct timespec a, b, phase = {0, (long)(k * 37 % 100) * 10000L};
            nanosleep(&phase, NULL); /* start anywhere within a tick */
            clock_gettime(CLOCK_MONOTONIC, &a);
            t0 = HAL_UptimeMs();
            rc = HAL_TCP_Read(h, buf, 16, 1);
            early += rc != 0 || HAL_UptimeMs() < t0 + 1;
            clock_gettime(CLOCK_MONOTONIC, &b);
            us[k] = (uint32_t)((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000);
        }
        qsort(us, 101, sizeof(us[0]), cmp_u32);
        CHECK(early == 0);
        CHECK(us[25] < 900);
    }
#endif

    /* timeout 0 with no data returns at once */
    t0 = HAL_UptimeMs();
    CHECK(HAL_TCP_Read(h, buf, 16, 0) == 0);
    CHECK(HAL_UptimeMs() - t0 < 100);

    /* partial data: keeps waiting for more until the timeout, then returns it */
    CHECK(send(peer, "hello", 5, 0) == 5);
    t0 = HAL_UptimeMs();
    rc = HAL_TCP_Read(h, buf, 16, 300);
    dt = HAL_UptimeMs() - t0;
    CHECK(rc == 5 && memcmp(buf, "hello", 5) == 0);
    CHECK(dt >= 290 && dt < 800);

    /* all data available: returns as soon as len bytes are there */
    CHECK(send(peer, "0123456789abcdef", 16, 0) == 16);
    t0 = HAL_UptimeMs();
    rc = HAL_TCP_Read(h, buf, 16, 2000);
    CHECK(rc == 16 && memcmp(buf, "0123456789abcdef", 16) == 0);
    CHECK(HAL_UptimeMs() - t0 < 500);

    /* write: everything arrives */
    for (i = 0; i < (int)sizeof(big); i++) {
        big[i] = (char)(i * 7);
    }
    CHECK(HAL_TCP_Write(h, big, sizeof(big), 1000) == (int32_t)sizeof(big));
    CHECK(recv_all(peer, buf, sizeof(big)) == 0 && memcmp(buf, big, sizeof(big)) == 0);

    test_duplex(h, peer);

    /* failure injection */
    hal_posix_fail_tcp(HAL_POSIX_FAIL_READ);
    CHECK(HAL_TCP_Read(h, buf, 4, 10) == -2);
    hal_posix_fail_tcp(HAL_POSIX_FAIL_WRITE);
    CHECK(HAL_TCP_Write(h, "x", 1, 10) < 0);
    hal_posix_fail_tcp(HAL_POSIX_FAIL_ESTABLISH);
    CHECK(HAL_TCP_Establish("127.0.0.1", port) == 0);
    hal_posix_fail_tcp(HAL_POSIX_FAIL_NONE);
    CHECK(HAL_TCP_Read(h, buf, 4, 10) == 0);

    /* data before close is returned first, then the close is -1 */
    CHECK(send(peer, "bye", 3, 0) == 3);
    close(peer);
    rc = HAL_TCP_Read(h, buf, 16, 500);
    CHECK(rc == 3 && memcmp(buf, "bye", 3) == 0);
    CHECK(HAL_TCP_Read(h, buf, 16, 500) == -1);

    /* writing to a closed peer fails without SIGPIPE killing the test */
    closed_seen = 0;
    for (i = 0; i < 20 && !closed_seen; i++) {
        if (HAL_TCP_Write(h, big, sizeof(big), 100) < 0) {
            closed_seen = 1;
        }
        HAL_SleepMs(10);
    }
    CHECK(closed_seen);
    CHECK(HAL_TCP_Destroy(h) == 0);

    /* bad handles */
    CHECK(HAL_TCP_Read(0, buf, 4, 10) == -2);
    CHECK(HAL_TCP_Read(h, NULL, 4, 10) == -2);
    CHECK(HAL_TCP_Write(0, "x", 1, 10) < 0);
    CHECK(HAL_TCP_Destroy(0) == -1);
    CHECK(HAL_TCP_Establish(NULL, 1) == 0);
    CHECK(HAL_TCP_Establish("", 1) == 0);

    /* fd 0 is a valid connection: its handle must still be non-zero */
    close(STDIN_FILENO);
    h = HAL_TCP_Establish("127.0.0.1", port);
    CHECK(h == 1); /* fd 0 + 1 */
    peer = accept(ls, NULL, NULL);
    CHECK(peer >= 0);
    if (h != 0 && peer >= 0) {
        CHECK(HAL_TCP_Write(h, "fd0", 3, 500) == 3);
        CHECK(recv_all(peer, buf, 3) == 0 && memcmp(buf, "fd0", 3) == 0);
        close(peer);
    }
    if (h != 0) {
        HAL_TCP_Destroy(h);
    }

    /* nobody listening: fails fast */
    close(ls);
    t0 = HAL_UptimeMs();
    CHECK(HAL_TCP_Establish("127.0.0.1", port) == 0);
    CHECK(HAL_UptimeMs() - t0 < 1000);
    CHECK(HAL_TCP_Establish("no-such-host.invalid", 1) == 0);
    unsetenv("IOTMQTT_HAL_REDIRECT");
}

/* ----------------------------------------------------------------------- */

static void test_malloc(void)
{
    hal_posix_mem_stats_t a, b;
    void *p, *q, *r, *z;

    hal_posix_mem_stats(&a);
    p = HAL_Malloc(100);
    CHECK(p != NULL);
    /* As aligned as malloc's blocks: glibc's 2 * sizeof(size_t) (16 on x86-64 and aarch64, 8 on armhf). */
    CHECK(((uintptr_t)p % (2u * sizeof(size_t))) == 0);
    hal_posix_mem_stats(&b);
    CHECK(b.malloc_calls == a.malloc_calls + 1);
    CHECK(b.bytes_in_use == a.bytes_in_use + 100);
    CHECK(b.bytes_total == a.bytes_total + 100);
    CHECK(b.peak_bytes_in_use >= b.bytes_in_use);
    memset(p, 0xA5, 100);
    HAL_Free(p);
    HAL_Free(NULL); /* allowed, not counted */
    hal_posix_mem_stats(&b);
    CHECK(b.free_calls == a.free_calls + 1);
    CHECK(b.bytes_in_use == a.bytes_in_use);

    /* peak follows the maximum, reset brings it down to the current use */
    hal_posix_mem_reset_peak();
    p = HAL_Malloc(5000);
    q = HAL_Malloc(3000);
    HAL_Free(p);
    hal_posix_mem_stats(&b);
    CHECK(b.peak_bytes_in_use == a.bytes_in_use + 8000);
    hal_posix_mem_reset_peak();
    hal_posix_mem_stats(&b);
    CHECK(b.peak_bytes_in_use == a.bytes_in_use + 3000);
    HAL_Free(q);

    /* zero-size allocations are real, distinct blocks */
    z = HAL_Malloc(0);
    CHECK(z != NULL);
    HAL_Free(z);

    /* failure injection: two more succeed, then every call fails */
    hal_posix_fail_malloc_after(2);
    p = HAL_Malloc(8);
    q = HAL_Malloc(8);
    r = HAL_Malloc(8);
    z = HAL_Malloc(8);
    CHECK(p != NULL && q != NULL);
    CHECK(r == NULL && z == NULL);
    hal_posix_fail_malloc_after(0);
    CHECK(HAL_Malloc(1) == NULL);
    hal_posix_fail_malloc_after(-1);
    r = HAL_Malloc(8);
    CHECK(r != NULL);
    HAL_Free(p);
    HAL_Free(q);
    HAL_Free(r);
    hal_posix_mem_stats(&b);
    CHECK(b.bytes_in_use == a.bytes_in_use);
    CHECK(b.malloc_calls - b.free_calls == a.malloc_calls - a.free_calls);
    hal_posix_mem_stats(NULL); /* must not crash */
}

/* ----------------------------------------------------------------------- */

static void test_os(void)
{
    char buf[128];
    char pid[PID_STRLEN_MAX], mid[MID_STRLEN_MAX];
    char pk[PRODUCT_KEY_LEN + 1], dn[DEVICE_NAME_LEN + 1], ds[DEVICE_SECRET_LEN + 1];
    char did[DEVICE_ID_LEN + 1];
    char name32[] = "abcdefghijklmnopqrstuvwxyz012345";
    char long_pk[] = "0123456789012345678901234";
    char good_pk[] = "yfTuLfBJTiL";
    char ds_val[] = "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c";
    uint64_t t0;
    uint32_t r1[8], r2[8];
    void *m;
    int i, ok;

    /* time */
    t0 = HAL_UptimeMs();
    HAL_SleepMs(50);
    CHECK(HAL_UptimeMs() - t0 >= 50);

    /* random: range, determinism after seeding */
    CHECK(HAL_Random(0) == 0);
    CHECK(HAL_Random(1) == 0);
    HAL_Srandom(42);
    for (i = 0; i < 8; i++) {
        r1[i] = HAL_Random(1000);
    }
    HAL_Srandom(42);
    ok = 1;
    for (i = 0; i < 8; i++) {
        r2[i] = HAL_Random(1000);
        ok = ok && r1[i] == r2[i] && r1[i] < 1000;
    }
    CHECK(ok);

    /* printf helpers */
    CHECK(HAL_Snprintf(buf, sizeof(buf), "%s-%d", "ab", 12) == 5 && strcmp(buf, "ab-12") == 0);
    CHECK(HAL_Snprintf(buf, 3, "%s", "abcdef") == 6 && strcmp(buf, "ab") == 0);
    CHECK(HAL_Snprintf(NULL, 0, "%d", 1234) == 4);
    CHECK(HAL_Snprintf(NULL, 10, "x") == -1);
    CHECK(HAL_Snprintf(buf, -1, "x") == -1);

    /* mutex */
    m = HAL_MutexCreate();
    CHECK(m != NULL);
    HAL_MutexLock(m);
    HAL_MutexUnlock(m);
    HAL_MutexDestroy(m);
    HAL_MutexLock(NULL);
    HAL_MutexUnlock(NULL);
    HAL_MutexDestroy(NULL);

    /* partner / module id from the environment */
    unsetenv("IOTMQTT_HAL_PARTNER_ID");
    unsetenv("IOTMQTT_HAL_MODULE_ID");
    CHECK(HAL_GetPartnerID(pid) == 0 && pid[0] == '\0');
    CHECK(HAL_GetModuleID(mid) == 0 && mid[0] == '\0');
    setenv("IOTMQTT_HAL_PARTNER_ID", "example.demo.partner-id", 1);
    setenv("IOTMQTT_HAL_MODULE_ID", "example.demo.module-id", 1);
    CHECK(HAL_GetPartnerID(pid) == 23 && strcmp(pid, "example.demo.partner-id") == 0);
    CHECK(HAL_GetModuleID(mid) == 22 && strcmp(mid, "example.demo.module-id") == 0);
    unsetenv("IOTMQTT_HAL_PARTNER_ID");
    unsetenv("IOTMQTT_HAL_MODULE_ID");
    CHECK(HAL_GetPartnerID(NULL) == 0);

    /* identity: set/get, truncated to iot_export.h's *_LEN sizes, always NUL-terminated */
    CHECK(HAL_SetProductKey(good_pk) == 11);
    CHECK(HAL_GetProductKey(pk) == 11 && strcmp(pk, good_pk) == 0);
    CHECK(HAL_SetProductKey(long_pk) == PRODUCT_KEY_LEN);
    memset(pk, 'X', sizeof(pk));
    CHECK(HAL_GetProductKey(pk) == PRODUCT_KEY_LEN && strlen(pk) == PRODUCT_KEY_LEN);
    CHECK(HAL_SetProductKey(NULL) == -1);
    CHECK(HAL_SetProductKey(good_pk) == 11);
    CHECK(HAL_SetDeviceName(name32) == 32);
    CHECK(HAL_GetDeviceName(dn) == 32 && strcmp(dn, name32) == 0);
    CHECK(HAL_SetDeviceSecret(ds_val) == 32);
    CHECK(HAL_GetDeviceSecret(ds) == 32 && strcmp(ds, ds_val) == 0);
    CHECK(HAL_GetDeviceID(did) == 11 + 1 + 32);
    CHECK(strncmp(did, "yfTuLfBJTiL.abcdef", 18) == 0);
    CHECK(HAL_GetDeviceName(NULL) == 0);
    CHECK(HAL_GetChipID(NULL) == NULL);
}

int main(void)
{
    test_redirect();
    test_malloc();
    test_os();
    test_tcp();
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail == 0 ? 0 : 1;
}
