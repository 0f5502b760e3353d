/*
 * hal_selftest.c - checks hal/mps2 under qemu-system-arm without the library: SysTick time,
 * sleeps against the host clock (semihosting), the heap, mutexes, random, identity, printf and
 * snprintf, a rustc object of the same target (with HAL_SELFTEST_RUST_PROBE), and TCP over UART0 against tests/mcu/echo_server.py. Exit status 0 when every
 * check passed; "selftest exit N" as the argument (no UART needed) only exits with N, to prove
 * the status reaches the host. Run by tests/mcu/run_selftest.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iot_import.h"
#include "hal_mps2.h"

#ifdef HAL_SELFTEST_RUST_PROBE
/* tests/mcu/rust_probe.rs: a rustc staticlib for the same target (ABI and float passing). */
extern float iotmqtt_probe_mul_add(float a, float b, float c);
extern uint32_t iotmqtt_probe_sum(const uint8_t *p, uint32_t len);
#endif

static int g_failed;

#define CHECK(cond, ...)                                          \
    do {                                                          \
        if (cond) {                                               \
            HAL_Printf("ok   ");                                  \
        } else {                                                  \
            HAL_Printf("FAIL ");                                  \
            g_failed++;                                           \
        }                                                         \
        HAL_Printf(__VA_ARGS__);                                  \
        HAL_Printf("\r\n");                                       \
    } while (0)

static void test_time(void)
{
    uint64_t t0 = HAL_UptimeMs(), t1;
    int64_t h0, h1;
    uint32_t spins = 0;

    while (HAL_UptimeMs() == t0 && spins < 50000000u) {
        spins++;
    }
    CHECK(HAL_UptimeMs() != t0, "HAL_UptimeMs advances (after %lu spins)", (unsigned long)spins);

    t0 = HAL_UptimeMs();
    h0 = hal_mps2_host_elapsed_us();
    HAL_SleepMs(1000);
    t1 = HAL_UptimeMs();
    h1 = hal_mps2_host_elapsed_us();
    /* Uptime: at least the asked time, and the tick that ends it plus a little. Host clock:
     * generous, the machine is shared. */
    CHECK(t1 - t0 >= 1000 && t1 - t0 <= 1020, "HAL_SleepMs(1000) took %lu ms of HAL_UptimeMs",
          (unsigned long)(t1 - t0));
    CHECK(h0 >= 0 && h1 - h0 >= 800000 && h1 - h0 <= 2500000,
          "HAL_SleepMs(1000) took %ld ms of host time", (long)((h1 - h0) / 1000));

    t0 = HAL_UptimeMs();
    HAL_SleepMs(0);
    CHECK(HAL_UptimeMs() - t0 <= 1, "HAL_SleepMs(0) returns at once");
}

static void test_heap(void)
{
    hal_mps2_mem_stats_t before, after;
    char *a, *b;
    void *huge;

    hal_mps2_mem_stats(&before);
    a = (char *)HAL_Malloc(100);
    b = (char *)HAL_Malloc(3000);
    CHECK(a != NULL && b != NULL, "HAL_Malloc(100), HAL_Malloc(3000)");
    CHECK(((uintptr_t)a & 7u) == 0 && ((uintptr_t)b & 7u) == 0, "blocks are 8-byte aligned");
    if (a != NULL && b != NULL) {
        memset(a, 0xA5, 100);
        memset(b, 0x5A, 3000);
        CHECK(a[99] == (char)0xA5 && b[0] == 0x5A && b[2999] == 0x5A, "blocks are writable");
    }
    hal_mps2_mem_stats(&after);
    CHECK(after.bytes_in_use == before.bytes_in_use + 3100, "in use: %lu bytes",
          (unsigned long)after.bytes_in_use);
    HAL_Free(a);
    HAL_Free(b);
    HAL_Free(NULL);
    huge = HAL_Malloc(64u * 1024u * 1024u);
    CHECK(huge == NULL, "HAL_Malloc(64 MB) fails cleanly");
    hal_mps2_mem_stats(&after);
    CHECK(after.bytes_in_use == before.bytes_in_use && after.peak_bytes_in_use >= 3100,
          "after HAL_Free: in use %lu, peak %lu, heap %lu of %lu bytes taken",
          (unsigned long)after.bytes_in_use, (unsigned long)after.peak_bytes_in_use,
          (unsigned long)after.sbrk_bytes, (unsigned long)after.heap_size);
}

static void test_os(void)
{
    void *m = HAL_MutexCreate();
    char buf[32], pk[PRODUCT_KEY_LEN + 1], dn[DEVICE_NAME_LEN + 1], id[DEVICE_ID_LEN + 1];
    char pid[PID_STRLEN_MAX + 1];
    uint32_t i, r, max = 0;
    int n;

    CHECK(m != NULL, "HAL_MutexCreate");
    HAL_MutexLock(m);
    HAL_MutexUnlock(m);
    HAL_MutexLock(m);
    HAL_MutexUnlock(m);
    HAL_MutexDestroy(m);
    CHECK(1, "HAL_MutexLock/Unlock/Destroy");

    HAL_Srandom(42);
    for (i = 0; i < 1000; i++) {
        r = HAL_Random(10);
        max = r > max ? r : max;
    }
    CHECK(max == 9 && HAL_Random(0) == 0, "HAL_Random(10) in 0..9, HAL_Random(0) == 0");
    HAL_Srandom(42);
    r = HAL_Random(1000000);
    HAL_Srandom(42);
    CHECK(HAL_Random(1000000) == r, "HAL_Srandom repeats the sequence");

    n = HAL_Snprintf(buf, sizeof(buf), "%s-%d-%.*s-%03u", "a", -5, 2, "xyz", 7u);
    CHECK(n == 11 && strcmp(buf, "a--5-xy-007") == 0,
          "HAL_Snprintf: \"%s\" (%d)", buf, n);
    n = HAL_Snprintf(buf, 4, "%s", "truncated");
    CHECK(n == 9 && strcmp(buf, "tru") == 0, "HAL_Snprintf truncates and returns the full length");
    HAL_Printf("printf through semihosting: %d %s %c%c\r\n", 42, "works", 'o', 'k');

    CHECK(HAL_SetProductKey("yfTuLfBJTiL") == 11 && HAL_SetDeviceName("TestDeviceForDemo") == 17,
          "HAL_SetProductKey, HAL_SetDeviceName");
    HAL_GetProductKey(pk);
    HAL_GetDeviceName(dn);
    HAL_GetDeviceID(id);
    CHECK(strcmp(pk, "yfTuLfBJTiL") == 0 && strcmp(id, "yfTuLfBJTiL.TestDeviceForDemo") == 0,
          "identity read back: %s / %s", pk, id);
    CHECK(HAL_SetDeviceName("0123456789012345678901234567890123456789") == DEVICE_NAME_LEN &&
              HAL_GetDeviceName(dn) == DEVICE_NAME_LEN,
          "a device name longer than %d characters is truncated", DEVICE_NAME_LEN);
    CHECK(HAL_GetPartnerID(pid) == 0 && HAL_GetModuleID(pid) == 0, "partner and module id empty");
}

#ifdef HAL_SELFTEST_RUST_PROBE
static void test_rust_probe(void)
{
    static const uint8_t bytes[] = {1, 2, 3, 250};
    float f = iotmqtt_probe_mul_add(1.5f, 4.0f, 0.25f);
    CHECK(f == 6.25f, "rustc object: float arguments and result (%d/100)", (int)(f * 100.0f));
    CHECK(iotmqtt_probe_sum(bytes, 4) == 256, "rustc object: pointer and integer arguments");
}
#endif

static void pattern(char *buf, uint32_t len, uint32_t seed)
{
    uint32_t i;
    for (i = 0; i < len; i++) {
        buf[i] = (char)((i * 7u + seed) & 0xFFu);
    }
}

static char g_out[16384], g_in[16384];

static void test_tcp(void)
{
    uintptr_t fd = HAL_TCP_Establish("yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com", 1883);
    uint64_t t0, t1;
    int32_t rc;

    CHECK(fd != 0, "HAL_TCP_Establish returns UART0");
    if (fd == 0) {
        return;
    }
    CHECK(HAL_TCP_Establish("other", 1) == 0, "a second HAL_TCP_Establish while open fails");

    /* Round trip through the echo server. */
    pattern(g_out, 1000, 1);
    rc = HAL_TCP_Write(fd, g_out, 1000, 2000);
    CHECK(rc == 1000, "HAL_TCP_Write 1000 bytes: %ld", (long)rc);
    memset(g_in, 0, sizeof(g_in));
    rc = HAL_TCP_Read(fd, g_in, 1000, 5000);
    CHECK(rc == 1000 && memcmp(g_in, g_out, 1000) == 0, "HAL_TCP_Read 1000 echoed bytes: %ld",
          (long)rc);

    /* Nothing comes: 0 at the timeout, on time. */
    t0 = HAL_UptimeMs();
    rc = HAL_TCP_Read(fd, g_in, 10, 300);
    t1 = HAL_UptimeMs();
    CHECK(rc == 0 && t1 - t0 >= 300 && t1 - t0 <= 310, "HAL_TCP_Read timeout: %ld after %lu ms",
          (long)rc, (unsigned long)(t1 - t0));
    rc = HAL_TCP_Read(fd, g_in, 10, 0);
    CHECK(rc == 0, "HAL_TCP_Read with timeout 0 and no data: %ld", (long)rc);

    /* Fewer bytes than asked: what arrived, at the timeout. */
    HAL_TCP_Write(fd, "hello", 5, 1000);
    t0 = HAL_UptimeMs();
    rc = HAL_TCP_Read(fd, g_in, 10, 500);
    t1 = HAL_UptimeMs();
    CHECK(rc == 5 && memcmp(g_in, "hello", 5) == 0 && t1 - t0 >= 500,
          "HAL_TCP_Read partial: %ld bytes after %lu ms", (long)rc, (unsigned long)(t1 - t0));

    /* Bytes that arrive while the program is busy wait in the ring buffer. */
    pattern(g_out, 3000, 3);
    HAL_TCP_Write(fd, g_out, 3000, 2000);
    HAL_SleepMs(1500);
    t0 = HAL_UptimeMs();
    rc = HAL_TCP_Read(fd, g_in, 3000, 2000);
    t1 = HAL_UptimeMs();
    CHECK(rc == 3000 && memcmp(g_in, g_out, 3000) == 0,
          "3000 bytes echoed during a 1.5 s sleep read back in %lu ms: %ld",
          (unsigned long)(t1 - t0), (long)rc);

    /* Throughput, for the record. */
    pattern(g_out, sizeof(g_out), 5);
    t0 = HAL_UptimeMs();
    HAL_TCP_Write(fd, g_out, sizeof(g_out), 5000);
    rc = HAL_TCP_Read(fd, g_in, sizeof(g_in), 10000);
    t1 = HAL_UptimeMs();
    CHECK(rc == (int32_t)sizeof(g_in) && memcmp(g_in, g_out, sizeof(g_in)) == 0,
          "16 KB round trip in %lu ms", (unsigned long)(t1 - t0));

    CHECK(HAL_TCP_Destroy(fd) == 0, "HAL_TCP_Destroy");
    CHECK(HAL_TCP_Destroy(fd) == -1, "a second HAL_TCP_Destroy: -1");
    CHECK(HAL_TCP_Read(fd, g_in, 1, 10) == -2, "HAL_TCP_Read after Destroy: -2");
    CHECK(HAL_TCP_Write(fd, "x", 1, 10) == -1, "HAL_TCP_Write after Destroy: -1");
    CHECK(HAL_TCP_Read(0, g_in, 1, 10) == -2 && HAL_TCP_Write(0, "x", 1, 10) == -1,
          "handle 0 is refused");
    CHECK(HAL_TCP_Establish("again", 1883) == 0,
          "HAL_TCP_Establish after Destroy fails (one UART, one connection)");
}

int main(int argc, char **argv)
{
    hal_mps2_uart_stats_t uart;

    if (argc >= 3 && strcmp(argv[1], "exit") == 0) {
        return atoi(argv[2]);
    }
    HAL_Printf("hal_selftest on %s\r\n", argv[0]);
    test_time();
    test_heap();
    test_os();
#ifdef HAL_SELFTEST_RUST_PROBE
    test_rust_probe();
#endif
    test_tcp();
    hal_mps2_uart_stats(&uart);
    CHECK(uart.rx_dropped == 0 && uart.rx_overruns == 0, "UART0: %lu bytes in, none lost",
          (unsigned long)uart.rx_bytes);
    HAL_Printf("hal_selftest: %d failed\r\n", g_failed);
    return g_failed == 0 ? 0 : 1;
}
