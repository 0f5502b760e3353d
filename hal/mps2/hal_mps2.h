/*
 * hal_mps2.h - board API of the bare-metal reference HAL for QEMU's mps2-an385 (Cortex-M3) and
 * mps2-an386 (Cortex-M4F). Not part of the V2.10 HAL contract: what startup_mps2.c and the
 * self-test need beyond HAL_*.
 */
#ifndef IOTMQTT_HAL_MPS2_H
#define IOTMQTT_HAL_MPS2_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The AN385/AN386 FPGA images clock the core, SysTick and the UARTs at 25 MHz (QEMU too). */
#define HAL_MPS2_SYSCLK_HZ 25000000u

/* Counters of HAL_Malloc/HAL_Free (requested bytes) and of the newlib heap under them. */
typedef struct {
    uint32_t malloc_calls;
    uint32_t free_calls;
    uint32_t bytes_in_use;
    uint32_t peak_bytes_in_use;
    uint32_t sbrk_bytes; /* high-water mark of the heap newlib took from _sbrk */
    uint32_t heap_size;  /* what the linker script left for the heap */
} hal_mps2_mem_stats_t;

/* UART0 receive path: bytes lost because the ring was full, hardware overruns. */
typedef struct {
    uint32_t rx_bytes;
    uint32_t rx_dropped;
    uint32_t rx_overruns;
    uint32_t tx_bytes;
} hal_mps2_uart_stats_t;

void hal_mps2_board_init(void); /* SysTick 1 ms, UART0 with its RX interrupt */
void hal_mps2_mem_stats(hal_mps2_mem_stats_t *out);
void hal_mps2_uart_stats(hal_mps2_uart_stats_t *out);
uint32_t hal_mps2_sbrk_bytes(void); /* from startup_mps2.c */

/* Semihosting (startup_mps2.c): host real time in microseconds (-1 if the host cannot tell), and
 * exit with a status the host sees (SYS_EXIT_EXTENDED). */
int64_t hal_mps2_host_elapsed_us(void);
void hal_mps2_exit(int status) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif
#endif /* IOTMQTT_HAL_MPS2_H */
