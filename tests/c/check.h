/*
 * check.h - the assertion helpers the C tests share: CHECK, CHECK_INT, CHECK_STR and the
 * closing "N passed, M failed" line. Plain C99 (and C++): the V2.10 compatibility source uses it
 * too, built without POSIX feature macros.
 */
#ifndef IOTMQTT_TEST_CHECK_H
#define IOTMQTT_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int g_passed;
static int g_failed;

#define CHECK(cond)                                                     \
    do {                                                                \
        if (cond) {                                                     \
            g_passed++;                                                 \
        } else {                                                        \
            g_failed++;                                                 \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
        }                                                               \
    } while (0)

#define CHECK_INT(got, want)                                                                \
    do {                                                                                    \
        long got_ = (long)(got);                                                            \
        long want_ = (long)(want);                                                          \
        if (got_ == want_) {                                                                \
            g_passed++;                                                                     \
        } else {                                                                            \
            g_failed++;                                                                     \
            printf("FAIL %s:%d: %s = %ld, expected %ld\n", __FILE__, __LINE__, #got, got_,  \
                   want_);                                                                  \
        }                                                                                   \
    } while (0)

#define CHECK_STR(got, want)                                                                \
    do {                                                                                    \
        const char *got_ = (got);                                                           \
        const char *want_ = (want);                                                         \
        if (got_ != NULL && strcmp(got_, want_) == 0) {                                     \
            g_passed++;                                                                     \
        } else {                                                                            \
            g_failed++;                                                                     \
            printf("FAIL %s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #got,  \
                   got_ ? got_ : "(null)", want_);                                          \
        }                                                                                   \
    } while (0)

/* Prints the closing line ctest and CI read; the exit status for main. */
static inline int check_report(void)
{
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}

#endif /* IOTMQTT_TEST_CHECK_H */
