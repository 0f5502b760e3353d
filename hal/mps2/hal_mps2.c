/*
 * hal_mps2.c - bare-metal reference HAL for iotmqtt on QEMU's mps2-an385 (Cortex-M3) and
 * mps2-an386 (Cortex-M4F): the V2.10 HAL_* contract (include/iot_import.h) with no RTOS.
 *
 *   time      SysTick interrupt every 1 ms counts HAL_UptimeMs; waits sleep in WFI.
 *   heap      HAL_Malloc/HAL_Free over newlib's malloc (newlib-nano), with counters.
 *   console   HAL_Printf through newlib stdio, i.e. semihosting (librdimon): ../common/hal_print.c.
 *   mutexes   one thread of control: a mutex is an owner flag. Taking a held one can only be a
 *             recursive lock or a call from an interrupt handler; both would hang for ever, so
 *             it is reported and aborts.
 *   TCP       UART0 (CMSDK APB UART at 0x40004000) is the wire to the broker: the board (in
 *             tests QEMU's -chardev socket) carries one TCP connection over it.
 *             - HAL_TCP_Establish ignores host and port and returns the UART once. A second
 *               Establish while it is open fails (0). After HAL_TCP_Destroy it fails too: the
 *               line still carries the old connection's byte stream and cannot signal a new
 *               one, so a reconnect gets a clean failure instead of a CONNECT into a stale
 *               session. A board whose modem can reconnect implements that here.
 *             - received bytes go from the RX interrupt into a ring buffer, so nothing is lost
 *               while the library is busy (up to HAL_MPS2_RX_RING bytes; more is counted as
 *               dropped).
 *             - HAL_TCP_Read returns once len bytes arrived or at the timeout (on the SysTick
 *               millisecond of HAL_UptimeMs), with what it has: >0 bytes, 0 timeout with no
 *               data, -2 bad handle or argument. Never -1 (closed): a UART cannot see the peer
 *               close, the library notices through its keepalive.
 *             - HAL_TCP_Write waits for the TX holding register per byte until the timeout:
 *               bytes sent (maybe fewer than len), -1 bad handle or argument.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iot_import.h"
#include "hal_identity.h"
#include "hal_mps2.h"

#ifndef HAL_MPS2_RX_RING
#define HAL_MPS2_RX_RING 4096u /* a power of two */
#endif
#ifndef HAL_MPS2_BAUD
#define HAL_MPS2_BAUD 115200u
#endif
#ifndef HAL_MPS2_PARTNER_ID
#define HAL_MPS2_PARTNER_ID ""
#endif
#ifndef HAL_MPS2_MODULE_ID
#define HAL_MPS2_MODULE_ID ""
#endif

#define REG(addr) (*(volatile uint32_t *)(addr))

/* SysTick and NVIC (ARMv7-M system control space). */
#define SYST_CSR   REG(0xE000E010u)
#define SYST_RVR   REG(0xE000E014u)
#define SYST_CVR   REG(0xE000E018u)
#define NVIC_ISER0 REG(0xE000E100u)
#define SYST_CSR_ENABLE_TICKINT_CPUCLK 0x7u

/* CMSDK APB UART0; its RX interrupt is IRQ 0 on the AN385/AN386 images. */
#define UART0_BASE      0x40004000u
#define UART0_DATA      REG(UART0_BASE + 0x00u)
#define UART0_STATE     REG(UART0_BASE + 0x04u)
#define UART0_CTRL      REG(UART0_BASE + 0x08u)
#define UART0_INTCLEAR  REG(UART0_BASE + 0x0Cu)
#define UART0_BAUDDIV   REG(UART0_BASE + 0x10u)
#define UART_STATE_TXFULL 0x1u
#define UART_STATE_RXFULL 0x2u
#define UART_STATE_RXOVR  0x8u
#define UART_CTRL_TXEN    0x1u
#define UART_CTRL_RXEN    0x2u
#define UART_CTRL_RXIE    0x8u
#define UART_INT_RX       0x2u
#define UART0_RX_IRQ      0

static void irq_off(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static void irq_on(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static void wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }

/* ======================================================================= */
/* time                                                                    */
/* ======================================================================= */

static volatile uint32_t g_ms_lo, g_ms_hi;

void SysTick_Handler(void)
{
    uint32_t lo = g_ms_lo + 1u;
    if (lo == 0u) {
        g_ms_hi = g_ms_hi + 1u;
    }
    g_ms_lo = lo;
}

uint64_t HAL_UptimeMs(void)
{
    uint32_t hi, lo;
    do { /* 64 bits take two loads: retry if the tick carried between them */
        hi = g_ms_hi;
        lo = g_ms_lo;
    } while (hi != g_ms_hi);
    return ((uint64_t)hi << 32) | lo;
}

void HAL_SleepMs(uint32_t ms)
{
    uint64_t end = HAL_UptimeMs() + ms;
    while (HAL_UptimeMs() < end) {
        wait_for_interrupt(); /* the next tick wakes us: the core idles instead of spinning */
    }
}

/* ======================================================================= */
/* UART0: RX interrupt into a ring buffer                                  */
/* ======================================================================= */

static uint8_t g_rx_ring[HAL_MPS2_RX_RING];
static volatile uint32_t g_rx_head; /* written by the interrupt only */
static volatile uint32_t g_rx_tail; /* written by the reader only */
static hal_mps2_uart_stats_t g_uart;

void UART0_RX_Handler(void)
{
    /* Clear first: a byte that lands while we drain raises the interrupt again. */
    UART0_INTCLEAR = UART_INT_RX;
    while (UART0_STATE & UART_STATE_RXFULL) {
        uint8_t b = (uint8_t)UART0_DATA;
        uint32_t head = g_rx_head;
        if (head - g_rx_tail < HAL_MPS2_RX_RING) {
            g_rx_ring[head & (HAL_MPS2_RX_RING - 1u)] = b;
            g_rx_head = head + 1u;
            g_uart.rx_bytes++;
        } else {
            g_uart.rx_dropped++;
        }
    }
    if (UART0_STATE & UART_STATE_RXOVR) {
        g_uart.rx_overruns++;
        UART0_STATE = UART_STATE_RXOVR; /* write one to clear */
    }
}

static uint32_t rx_take(char *out, uint32_t max)
{
    uint32_t tail = g_rx_tail, n = 0;
    uint32_t avail = g_rx_head - tail;
    while (n < max && n < avail) {
        out[n++] = (char)g_rx_ring[tail & (HAL_MPS2_RX_RING - 1u)];
        tail++;
    }
    g_rx_tail = tail;
    return n;
}

/* Sleep until an interrupt, unless bytes are already waiting. With interrupts masked, WFI
 * still wakes on a pending one, so a byte arriving between the check and WFI is not missed. */
static void wait_for_rx_or_tick(void)
{
    irq_off();
    if (g_rx_head == g_rx_tail) {
        wait_for_interrupt();
    }
    irq_on();
}

void hal_mps2_board_init(void)
{
    SYST_RVR = HAL_MPS2_SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0u;
    SYST_CSR = SYST_CSR_ENABLE_TICKINT_CPUCLK;

    UART0_BAUDDIV = HAL_MPS2_SYSCLK_HZ / HAL_MPS2_BAUD; /* >= 16, or the UART stays off */
    UART0_CTRL = UART_CTRL_TXEN | UART_CTRL_RXEN | UART_CTRL_RXIE;
    NVIC_ISER0 = 1u << UART0_RX_IRQ;
}

void hal_mps2_uart_stats(hal_mps2_uart_stats_t *out)
{
    if (out != NULL) {
        irq_off();
        *out = g_uart;
        irq_on();
    }
}

/* ======================================================================= */
/* TCP over UART0                                                          */
/* ======================================================================= */

#define UART0_HANDLE ((uintptr_t)UART0_BASE)
enum { LINK_UNUSED, LINK_OPEN, LINK_CLOSED };
static int g_link = LINK_UNUSED;

uintptr_t HAL_TCP_Establish(const char *host, uint16_t port)
{
    const char *name = host != NULL ? host : "(null)";
    if (g_link == LINK_OPEN) {
        HAL_Printf("[hal] HAL_TCP_Establish(%s:%u): UART0 carries one connection and it is open\r\n",
                   name, (unsigned)port);
        return 0;
    }
    if (g_link == LINK_CLOSED) {
        HAL_Printf("[hal] HAL_TCP_Establish(%s:%u): UART0's connection was closed; it cannot "
                   "be opened again\r\n", name, (unsigned)port);
        return 0;
    }
    g_link = LINK_OPEN;
    HAL_Printf("[hal] HAL_TCP_Establish(%s:%u): UART0\r\n", name, (unsigned)port);
    return UART0_HANDLE;
}

int32_t HAL_TCP_Destroy(uintptr_t fd)
{
    if (fd != UART0_HANDLE || g_link != LINK_OPEN) {
        return -1;
    }
    g_link = LINK_CLOSED;
    return 0;
}

int32_t HAL_TCP_Write(uintptr_t fd, const char *buf, uint32_t len, uint32_t timeout_ms)
{
    uint64_t deadline = HAL_UptimeMs() + timeout_ms;
    uint32_t sent = 0;

    if (fd != UART0_HANDLE || g_link != LINK_OPEN || buf == NULL) {
        return -1;
    }
    if (len > (uint32_t)INT32_MAX) {
        len = (uint32_t)INT32_MAX; /* the return type must hold the count */
    }
    while (sent < len) {
        if (UART0_STATE & UART_STATE_TXFULL) {
            if (HAL_UptimeMs() >= deadline) {
                break;
            }
            continue;
        }
        UART0_DATA = (uint8_t)buf[sent++];
    }
    g_uart.tx_bytes += sent;
    return (int32_t)sent;
}

int32_t HAL_TCP_Read(uintptr_t fd, char *buf, uint32_t len, uint32_t timeout_ms)
{
    uint64_t deadline = HAL_UptimeMs() + timeout_ms;
    uint32_t got = 0;

    if (fd != UART0_HANDLE || g_link != LINK_OPEN || buf == NULL) {
        return -2;
    }
    if (len > (uint32_t)INT32_MAX) {
        len = (uint32_t)INT32_MAX;
    }
    for (;;) {
        got += rx_take(buf + got, len - got);
        if (got == len || HAL_UptimeMs() >= deadline) {
            return (int32_t)got;
        }
        wait_for_rx_or_tick();
    }
}

/* ======================================================================= */
/* heap                                                                    */
/* ======================================================================= */

/* An 8-byte header keeps the size and a magic word and keeps the pointer 8-aligned, as
 * newlib's malloc returns it. */
#define MEM_HDR 8u
#define MEM_LIVE 0x4D504C56u /* "MPLV" */
#define MEM_FREE 0x4D504652u /* "MPFR" */

static hal_mps2_mem_stats_t g_mem;

void *HAL_Malloc(uint32_t size)
{
    uint32_t *p;
    if (size > UINT32_MAX - MEM_HDR) {
        return NULL;
    }
    p = (uint32_t *)malloc((size_t)size + MEM_HDR);
    if (p == NULL) {
        return NULL;
    }
    p[0] = size;
    p[1] = MEM_LIVE;
    g_mem.malloc_calls++;
    g_mem.bytes_in_use += size;
    if (g_mem.bytes_in_use > g_mem.peak_bytes_in_use) {
        g_mem.peak_bytes_in_use = g_mem.bytes_in_use;
    }
    return p + 2;
}

void HAL_Free(void *ptr)
{
    uint32_t *p;
    if (ptr == NULL) {
        return;
    }
    p = (uint32_t *)ptr - 2;
    if (p[1] != MEM_LIVE) {
        /* Heap corruption must stop the firmware, not pass silently. */
        HAL_Printf("[hal] HAL_Free(%p): %s\r\n", ptr,
                   p[1] == MEM_FREE ? "double free" : "not allocated by HAL_Malloc");
        abort();
    }
    p[1] = MEM_FREE;
    g_mem.free_calls++;
    g_mem.bytes_in_use -= p[0];
    free(p);
}

void hal_mps2_mem_stats(hal_mps2_mem_stats_t *out)
{
    extern char __HeapBase[], __HeapLimit[];
    if (out != NULL) {
        *out = g_mem;
        out->sbrk_bytes = hal_mps2_sbrk_bytes();
        out->heap_size = (uint32_t)(__HeapLimit - __HeapBase);
    }
}

/* ======================================================================= */
/* mutexes: an owner flag                                                  */
/* ======================================================================= */

typedef struct {
    volatile uint8_t held;
} hal_mps2_mutex_t;

/* Plain malloc: mutexes stay out of the HAL_Malloc counters, as in hal/posix. */
void *HAL_MutexCreate(void)
{
    hal_mps2_mutex_t *m = (hal_mps2_mutex_t *)malloc(sizeof(*m));
    if (m != NULL) {
        m->held = 0;
    }
    return m;
}

void HAL_MutexDestroy(void *mutex)
{
    hal_mps2_mutex_t *m = (hal_mps2_mutex_t *)mutex;
    if (m == NULL) {
        return;
    }
    if (m->held) {
        HAL_Printf("[hal] HAL_MutexDestroy: mutex still held\r\n");
        return; /* leak rather than free a held mutex */
    }
    free(m);
}

void HAL_MutexLock(void *mutex)
{
    hal_mps2_mutex_t *m = (hal_mps2_mutex_t *)mutex;
    if (m == NULL) {
        return;
    }
    if (m->held) {
        HAL_Printf("[hal] HAL_MutexLock: already held (recursive lock or a call from an "
                   "interrupt handler): with no RTOS that never returns\r\n");
        abort();
    }
    m->held = 1;
}

void HAL_MutexUnlock(void *mutex)
{
    hal_mps2_mutex_t *m = (hal_mps2_mutex_t *)mutex;
    if (m == NULL) {
        return;
    }
    if (!m->held) {
        HAL_Printf("[hal] HAL_MutexUnlock: mutex not held\r\n");
    }
    m->held = 0;
}

/* ======================================================================= */
/* random                                                                  */
/* ======================================================================= */

static uint64_t g_rand_state = 1; /* splitmix64, as hal/posix */

void HAL_Srandom(uint32_t seed)
{
    g_rand_state = seed;
}

uint32_t HAL_Random(uint32_t region)
{
    uint64_t z;
    if (region == 0) {
        return 0;
    }
    g_rand_state += 0x9E3779B97F4A7C15ull;
    z = g_rand_state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    /* 32-bit modulo: the M3 and M4 divide in hardware, a 64-bit one pulls in libgcc's
       __udivmoddi4 (700 bytes). */
    return (uint32_t)(z >> 32) % region;
}

/* ======================================================================= */
/* identity                                                                */
/* ======================================================================= */

/* Copy at most max characters of src and a NUL into out; returns the characters copied. */
static int copy_id(char *out, const char *src, size_t max)
{
    size_t n;
    if (out == NULL) {
        return 0;
    }
    n = strlen(src);
    if (n > max) {
        n = max;
    }
    memcpy(out, src, n);
    out[n] = '\0';
    return (int)n;
}

int HAL_GetPartnerID(char pid_str[PID_STRLEN_MAX])
{
    return copy_id(pid_str, HAL_MPS2_PARTNER_ID, PID_STRLEN_MAX - 1);
}

int HAL_GetModuleID(char mid_str[MID_STRLEN_MAX])
{
    return copy_id(mid_str, HAL_MPS2_MODULE_ID, MID_STRLEN_MAX - 1);
}

/* The stored strings are in hal/common/hal_identity.c; one thread of control, and no
 * interrupt handler touches them, so their lock is nothing. */
void hal_identity_lock(void)
{
}

void hal_identity_unlock(void)
{
}

int HAL_GetFirmwareVesion(char version[FIRMWARE_VERSION_MAXLEN])
{
    return copy_id(version, "iotmqtt-mps2-hal-1.0", FIRMWARE_VERSION_MAXLEN - 1);
}

char *HAL_GetChipID(char cid_str[HAL_CID_LEN])
{
    if (cid_str == NULL) {
        return NULL;
    }
    copy_id(cid_str, "mps2", HAL_CID_LEN - 1);
    return cid_str;
}
