/*
 * leak.c - a deliberately leaking program: proves that the valgrind wiring of the C tests
 * (tests/c/tests.cmake, "valgrind") fails on a leak. It exits 0, so without valgrind it would
 * pass; ctest registers the leaking runs with WILL_FAIL TRUE and a non-leaking control run
 * that must pass.
 *
 * Usage: leak libc | hal | both | none
 *   libc  drops a block from libc malloc
 *   hal   drops a block from HAL_Malloc (the reference POSIX HAL: a libc block behind a
 *         16-byte header, so the caller only ever held an interior pointer)
 *   both  both of the above
 *   none  frees both blocks (the control: valgrind must report no error)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iot_import.h"

/* The pointers live in globals that are cleared afterwards, so that no copy survives in a
 * register or stack slot that valgrind's leak scan would still see. */
static void *volatile g_libc_block;
static void *volatile g_hal_block;

__attribute__((noinline)) static void allocate(void)
{
    g_libc_block = malloc(100);
    g_hal_block = HAL_Malloc(200);
    if (g_libc_block != NULL) {
        memset(g_libc_block, 0x11, 100);
    }
    if (g_hal_block != NULL) {
        memset(g_hal_block, 0x22, 200);
    }
}

__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char junk[4096];
    size_t i;
    for (i = 0; i < sizeof(junk); i++) {
        junk[i] = 0;
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "both";
    int drop_libc = strcmp(mode, "libc") == 0 || strcmp(mode, "both") == 0;
    int drop_hal = strcmp(mode, "hal") == 0 || strcmp(mode, "both") == 0;

    if (!drop_libc && !drop_hal && strcmp(mode, "none") != 0) {
        fprintf(stderr, "usage: leak libc | hal | both | none\n");
        return 2;
    }
    allocate();
    if (g_libc_block == NULL || g_hal_block == NULL) {
        fprintf(stderr, "allocation failed\n");
        return 2;
    }
    if (!drop_libc) {
        free(g_libc_block);
    }
    if (!drop_hal) {
        HAL_Free(g_hal_block);
    }
    g_libc_block = NULL;
    g_hal_block = NULL;
    scrub_stack();
    printf("leak %s: done\n", mode);
    return 0;
}
