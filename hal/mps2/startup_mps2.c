/*
 * startup_mps2.c - reset, vector table and C runtime glue for QEMU's mps2-an385/mps2-an386:
 * copies .data, clears .bss, enables the FPU (Cortex-M4F), sets up newlib over semihosting
 * (librdimon), starts SysTick and UART0, runs main(argc, argv) with the semihosting command
 * line, prints the heap and UART figures, and exits through semihosting with main's status.
 * Link with -nostartfiles: this file replaces rdimon-crt0, whose SYS_HEAPINFO layout QEMU's
 * M-profile boards do not describe.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hal_mps2.h"

extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __bss_start__[], __bss_end__[];
extern char __HeapBase[], __HeapLimit[];
extern uint32_t __StackTop[];

extern int main(int argc, char **argv);
extern void initialise_monitor_handles(void); /* librdimon: opens :tt for stdin/stdout/stderr */
extern void __libc_init_array(void);

void Reset_Handler(void) __attribute__((noreturn));
void Default_Handler(void);
void HardFault_Handler(void) __attribute__((naked));
void SysTick_Handler(void);     /* hal_mps2.c */
void UART0_RX_Handler(void);    /* hal_mps2.c */

#define SEMIHOST_SYS_WRITE0       0x04
#define SEMIHOST_SYS_ELAPSED      0x30
#define SEMIHOST_SYS_TICKFREQ     0x31
#define SEMIHOST_SYS_GET_CMDLINE  0x15
#define SEMIHOST_SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_CFSR  (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR  (*(volatile uint32_t *)0xE000ED2Cu)

typedef void (*vector_t)(void);

/* 16 system exceptions, then the external interrupts the MPS2 images wire (UART0 RX is IRQ 0). */
__attribute__((section(".vectors"), used)) static const vector_t g_vectors[16 + 32] = {
    (vector_t)(uintptr_t)__StackTop,
    Reset_Handler,
    Default_Handler,   /* NMI */
    HardFault_Handler,
    HardFault_Handler, /* MemManage */
    HardFault_Handler, /* BusFault */
    HardFault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Default_Handler,   /* SVCall */
    Default_Handler,   /* DebugMonitor */
    0,
    Default_Handler,   /* PendSV */
    SysTick_Handler,
    UART0_RX_Handler,  /* IRQ 0 */
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler,
};

static int semihost(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* SYS_ELAPSED and SYS_TICKFREQ: QEMU counts host real time (SYS_CLOCK is its CPU time). */
int64_t hal_mps2_host_elapsed_us(void)
{
    uint32_t ticks[2] = {0, 0};
    int32_t freq = semihost(SEMIHOST_SYS_TICKFREQ, NULL);
    if (freq < 1000 || semihost(SEMIHOST_SYS_ELAPSED, ticks) != 0) {
        return -1;
    }
    return (int64_t)(((((uint64_t)ticks[1] << 32) | ticks[0]) * 1000u) / ((uint32_t)freq / 1000u));
}

/* SYS_EXIT_EXTENDED carries the status; plain SYS_EXIT on 32-bit ARM only says "ok" or not. */
void hal_mps2_exit(int status)
{
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    for (;;) {
        semihost(SEMIHOST_SYS_EXIT_EXTENDED, block);
    }
}

/* newlib's exit() ends here (atexit handlers and stdio are done by then). */
void _exit(int status)
{
    hal_mps2_exit(status);
}

/* Unused: .init_array is run through the linker-script symbols, not crti's _init. */
void _init(void) {}
void _fini(void) {}

/* The heap lies between .bss and the stack (mps2.ld); newlib's malloc grows it here. */
static char *g_brk = __HeapBase;
static char *g_brk_max = __HeapBase;

void *_sbrk(ptrdiff_t incr)
{
    char *prev = g_brk;
    if (incr > __HeapLimit - g_brk || incr < __HeapBase - g_brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    g_brk += incr;
    if (g_brk > g_brk_max) {
        g_brk_max = g_brk;
    }
    return prev;
}

uint32_t hal_mps2_sbrk_bytes(void)
{
    return (uint32_t)(g_brk_max - __HeapBase);
}

/* The semihosting command line ("<elf> [args]" from QEMU's -kernel/-append) as argv. */
#define MAX_ARGS 8
static char g_cmdline[256];
static char *g_argv[MAX_ARGS + 1];

static int command_line(void)
{
    struct {
        char *buf;
        int len;
    } block = {g_cmdline, (int)sizeof(g_cmdline) - 1};
    int argc = 0;
    char *p = g_cmdline;

    if (semihost(SEMIHOST_SYS_GET_CMDLINE, &block) != 0) {
        g_cmdline[0] = '\0';
    }
    g_cmdline[sizeof(g_cmdline) - 1] = '\0';
    while (*p != '\0' && argc < MAX_ARGS) {
        while (*p == ' ') {
            *p++ = '\0';
        }
        if (*p == '\0') {
            break;
        }
        g_argv[argc++] = p;
        while (*p != '\0' && *p != ' ') {
            p++;
        }
    }
    if (argc == 0) {
        static char name[] = "firmware";
        g_argv[argc++] = name;
    }
    g_argv[argc] = NULL;
    return argc;
}

void Reset_Handler(void)
{
    uint32_t *src, *dst;
    int argc, rc;
    hal_mps2_mem_stats_t mem;
    hal_mps2_uart_stats_t uart;

#if defined(__ARM_FP)
    /* Full access to CP10/CP11 before any floating-point instruction runs. */
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    for (src = __data_load__, dst = __data_start__; dst < __data_end__;) {
        *dst++ = *src++;
    }
    for (dst = __bss_start__; dst < __bss_end__;) {
        *dst++ = 0;
    }
    initialise_monitor_handles();
    __libc_init_array();
    hal_mps2_board_init();

    argc = command_line();
    rc = main(argc, g_argv);

    hal_mps2_mem_stats(&mem);
    hal_mps2_uart_stats(&uart);
    printf("[hal] mps2: exit=%d heap_in_use=%lu heap_peak=%lu malloc_calls=%lu free_calls=%lu "
           "sbrk=%lu heap_size=%lu uart_rx=%lu uart_tx=%lu rx_dropped=%lu rx_overruns=%lu\r\n",
           rc, (unsigned long)mem.bytes_in_use, (unsigned long)mem.peak_bytes_in_use,
           (unsigned long)mem.malloc_calls, (unsigned long)mem.free_calls,
           (unsigned long)mem.sbrk_bytes, (unsigned long)mem.heap_size,
           (unsigned long)uart.rx_bytes, (unsigned long)uart.tx_bytes,
           (unsigned long)uart.rx_dropped, (unsigned long)uart.rx_overruns);
    fflush(NULL);
    hal_mps2_exit(rc);
}

void Default_Handler(void)
{
    semihost(SEMIHOST_SYS_WRITE0, (void *)"[hal] mps2: unexpected interrupt\n");
    hal_mps2_exit(3);
}

static void put_hex(char *out, uint32_t v)
{
    int i;
    for (i = 7; i >= 0; i--) {
        out[i] = "0123456789abcdef"[v & 0xFu];
        v >>= 4;
    }
}

/* frame[6] is the stacked PC of the faulting instruction. */
void hal_mps2_fault_report(const uint32_t *frame) __attribute__((used, noreturn));
void hal_mps2_fault_report(const uint32_t *frame)
{
    char msg[] = "[hal] mps2: fault pc=........ cfsr=........ hfsr=........\n";
    put_hex(msg + 20, frame[6]);
    put_hex(msg + 34, SCB_CFSR);
    put_hex(msg + 48, SCB_HFSR);
    semihost(SEMIHOST_SYS_WRITE0, msg);
    hal_mps2_exit(4);
}

void HardFault_Handler(void)
{
    __asm__ volatile("mrs r0, msp\n\tb hal_mps2_fault_report");
}
