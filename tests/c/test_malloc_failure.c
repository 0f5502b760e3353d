/*
 * test_malloc_failure.c - failing HAL calls get their documented results (docs/requirements.md
 * "Behaviour" memory row, "What bad input gets").
 *
 * HAL_Malloc (hal_posix_fail_malloc_after(n): the (n+1)-th call from now fails), at the named
 * fallible points, each probe in a forked child so that an abort is reported, not fatal:
 *   - IOT_MQTT_Construct with every one of its allocations failing in turn -> NULL, no event,
 *     no crash, bytes_in_use back to its start value;
 *   - the QoS1 resend copy -> IOT_MQTT_Publish returns -42, the message does not go out, and
 *     the client keeps working (a following QoS1 publish is acknowledged and received);
 *   - the subscription copy -> IOT_MQTT_Subscribe returns -42, the filter is not subscribed,
 *     and the client keeps working (a following subscribe gets its SUBACK and its messages).
 *   For Publish and Subscribe, the other allocations they make (if any) are not named fallible
 *   points: docs/requirements.md lets those log and abort, so an abort there is reported, not failed.
 * HAL_TCP (hal_posix_fail_tcp), in this process:
 *   - establish failing -> Construct returns NULL and logs -28 (MQTT_NETWORK_CONNECT_ERROR);
 *   - reads failing during a session -> DISCONNECT, then RECONNECT once reads work again, and
 *     the subscription still delivers;
 *   - writes failing during a session -> a QoS1 publish is kept (returns its id), DISCONNECT,
 *     RECONNECT after the failure is cleared, and the message arrives.
 *
 * Run under tests/scripts/with_mosquitto.sh. Prints "N passed, M failed".
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iot_import.h"
#include "iot_export.h"
#include "hal_posix_stats.h"

#include "check.h"
#include "test_client.h"


static uint64_t bytes_in_use(void)
{
    hal_posix_mem_stats_t s;
    hal_posix_mem_stats(&s);
    return s.bytes_in_use;
}

/* ----- a client and its events ---------------------------------------------------------------- */
static uint16_t g_port;
static char g_prefix[64];
static int g_events_total;
static int g_disconnects;
static int g_reconnects;
static int g_suback[65536];
static int g_puback[65536];
static int g_nacks;

#define MAX_MSGS 64
static char g_msgs[MAX_MSGS][64];
static int g_n_msgs;

static void on_event(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    uintptr_t id = (uintptr_t)msg->msg & 0xFFFF;
    (void)pcontext;
    (void)pclient;
    g_events_total++;
    switch (msg->event_type) {
    case IOTX_MQTT_EVENT_DISCONNECT:
        g_disconnects++;
        break;
    case IOTX_MQTT_EVENT_RECONNECT:
        g_reconnects++;
        break;
    case IOTX_MQTT_EVENT_SUBCRIBE_SUCCESS:
        g_suback[id]++;
        break;
    case IOTX_MQTT_EVENT_SUBCRIBE_NACK:
        g_nacks++;
        break;
    case IOTX_MQTT_EVENT_PUBLISH_SUCCESS:
        g_puback[id]++;
        break;
    default:
        break;
    }
}

static void on_message(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    (void)pcontext;
    (void)pclient;
    if (msg->event_type == IOTX_MQTT_EVENT_PUBLISH_RECVEIVED && g_n_msgs < MAX_MSGS) {
        const iotx_mqtt_topic_info_t *t = (const iotx_mqtt_topic_info_t *)msg->msg;
        size_t n = t->payload_len < 63 ? t->payload_len : 63;
        memcpy(g_msgs[g_n_msgs], t->payload, n);
        g_msgs[g_n_msgs][n] = '\0';
        g_n_msgs++;
    }
}

static int count_msg(const char *payload)
{
    int i, n = 0;
    for (i = 0; i < g_n_msgs; i++) {
        if (strcmp(g_msgs[i], payload) == 0) {
            n++;
        }
    }
    return n;
}

static void reset_events(void)
{
    g_events_total = g_disconnects = g_reconnects = g_nacks = 0;
    memset(g_suback, 0, sizeof(g_suback));
    memset(g_puback, 0, sizeof(g_puback));
    g_n_msgs = 0;
}

static char g_wbuf[1024], g_rbuf[1024];
static char g_client_id[64];

static void *construct(const char *name)
{
    iotx_mqtt_param_t p;
    snprintf(g_client_id, sizeof(g_client_id), "iotmqtt-mf-%s-%ld", name, (long)getpid());
    test_params(&p, "127.0.0.1", g_port, g_client_id, 2000, g_rbuf, (uint32_t)sizeof(g_rbuf),
                g_wbuf, (uint32_t)sizeof(g_wbuf), on_event);
    return IOT_MQTT_Construct(&p);
}


/* Yields in 20 ms steps until *flag is non-zero or max_ms passed. */
static int wait_flag(void *h, const int *flag, long max_ms)
{
    double start = test_now_ms();
    while (*flag == 0) {
        if (test_now_ms() - start > max_ms) {
            return 0;
        }
        IOT_MQTT_Yield(h, 20);
    }
    return 1;
}

static int wait_msg(void *h, const char *payload, long max_ms)
{
    double start = test_now_ms();
    while (count_msg(payload) == 0) {
        if (test_now_ms() - start > max_ms) {
            return 0;
        }
        IOT_MQTT_Yield(h, 20);
    }
    return 1;
}

/* ----- forked probes -------------------------------------------------------------------------- */
/* Child exit codes. */
enum {
    R_FAILED_CLEANLY = 10,  /* the probed call returned its documented error, all checks held */
    R_FAILED_BADLY = 11,    /* it returned the error, but a later check failed (see its log) */
    R_NOT_REACHED = 12,     /* the call succeeded: the failing allocation came after it */
    R_WRONG_RESULT = 13,    /* it returned something else */
    R_SETUP = 14            /* the child could not set up (connect, subscribe) */
};

/* Ends a probe: Destroy must give back everything allocated since `before`. */
static int destroy_and_judge(void *h, uint64_t before, int ok)
{
    IOT_MQTT_Destroy(&h);
    if (bytes_in_use() != before) {
        printf("PROBE: bytes_in_use %llu after Destroy, %llu before Construct\n",
               (unsigned long long)bytes_in_use(), (unsigned long long)before);
        ok = 0;
    }
    return ok ? R_FAILED_CLEANLY : R_FAILED_BADLY;
}

typedef int (*probe_fn)(long n);

/* Runs probe(n) in a child with its stdout in a temporary file. Returns the exit code, or
 * -signal if it was killed; *log_fd holds the open log (caller closes). */
static int run_child(probe_fn probe, long n, int *log_fd)
{
    char path[] = "/tmp/iotmqtt-mf-XXXXXX";
    int fd = mkstemp(path);
    pid_t pid;
    int status = 0;
    if (fd < 0) {
        return -1000;
    }
    unlink(path);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int code;
        dup2(fd, 1);
        dup2(fd, 2);
        IOT_OpenLog("probe");
        IOT_SetLogLevel(IOT_LOG_DEBUG);
        code = probe(n);
        fflush(stdout);
        _exit(code);
    }
    while (waitpid(pid, &status, 0) < 0) {
    }
    *log_fd = fd;
    if (WIFSIGNALED(status)) {
        return -WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

static void print_log_tail(int fd, int lines)
{
    static char buf[65536];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    char *p;
    int count = 0;
    if (n <= 0) {
        return;
    }
    buf[n] = '\0';
    for (p = buf + n; p > buf; p--) {
        if (p[-1] == '\n' && ++count > lines) {
            break;
        }
    }
    printf("   --- child log (last %d lines) ---\n%s   ---\n", lines, p);
}

/* Construct with the (n+1)-th HAL_Malloc failing. */
static int probe_construct(long n)
{
    uint64_t before = bytes_in_use();
    void *h;
    reset_events();
    hal_posix_fail_malloc_after(n);
    h = construct("construct");
    hal_posix_fail_malloc_after(-1);
    if (h != NULL) {
        IOT_MQTT_Destroy(&h);
        return bytes_in_use() == before ? R_NOT_REACHED : R_FAILED_BADLY;
    }
    if (g_events_total != 0) {
        printf("PROBE: Construct returned NULL but raised %d events\n", g_events_total);
        return R_FAILED_BADLY;
    }
    if (bytes_in_use() != before) {
        printf("PROBE: Construct returned NULL, bytes_in_use %llu, before %llu (leak)\n",
               (unsigned long long)bytes_in_use(), (unsigned long long)before);
        return R_FAILED_BADLY;
    }
    return R_FAILED_CLEANLY;
}

/* A connected client subscribed to <prefix>/own; 0 on failure. */
static void *setup_client(const char *name, char *own, size_t own_len)
{
    void *h;
    int sub;
    reset_events();
    h = construct(name);
    if (h == NULL) {
        return NULL;
    }
    snprintf(own, own_len, "%s/%s/own", g_prefix, name);
    sub = IOT_MQTT_Subscribe(h, own, IOTX_MQTT_QOS1, on_message, NULL);
    if (sub <= 0 || !wait_flag(h, &g_suback[sub], 3000)) {
        printf("PROBE: setup subscribe failed (%d)\n", sub);
        IOT_MQTT_Destroy(&h);
        return NULL;
    }
    return h;
}

/* The client still works: a QoS1 publish to its own topic is acknowledged and received. */
static int still_works(void *h, const char *own, const char *payload)
{
    int rc = test_publish_text(h, own, payload, 1);
    if (rc <= 0) {
        printf("PROBE: publish afterwards returned %d\n", rc);
        return 0;
    }
    if (!wait_flag(h, &g_puback[rc], 3000)) {
        printf("PROBE: no PUBLISH_SUCCESS for the publish afterwards (id %d)\n", rc);
        return 0;
    }
    if (!wait_msg(h, payload, 3000)) {
        printf("PROBE: the publish afterwards was not received\n");
        return 0;
    }
    if (IOT_MQTT_CheckStateNormal(h) != 1) {
        printf("PROBE: CheckStateNormal != 1 afterwards\n");
        return 0;
    }
    return 1;
}

/* How a call made with HAL_Malloc #n+1 failing answered: 0 when it refused with the
 * documented -42 (MQTT_MALLOC_ERROR), else the probe's verdict. */
static int refused(const char *call, long n, int rc)
{
    printf("PROBE: %s with HAL_Malloc #%ld failing returned %d\n", call, n + 1, rc);
    if (rc > 0) {
        return R_NOT_REACHED;
    }
    return rc == -42 ? 0 : R_WRONG_RESULT;
}

/* QoS1 Publish with the (n+1)-th HAL_Malloc from its call on failing. */
static int probe_publish(long n)
{
    char own[128];
    uint64_t before = bytes_in_use();
    int rc, i, verdict, ok = 1;
    void *h = setup_client("publish", own, sizeof(own));
    if (h == NULL) {
        return R_SETUP;
    }
    /* Warm-up: any buffer allocated once is in place. */
    for (i = 0; i < 3; i++) {
        char warm[32];
        snprintf(warm, sizeof(warm), "warm-up %d", i);
        if (!still_works(h, own, warm)) {
            IOT_MQTT_Destroy(&h);
            return R_SETUP;
        }
    }
    hal_posix_fail_malloc_after(n);
    rc = test_publish_text(h, own, "probe message", 1);
    hal_posix_fail_malloc_after(-1);
    verdict = refused("Publish", n, rc);
    if (verdict != 0) {
        IOT_MQTT_Destroy(&h);
        return verdict;
    }
    ok = still_works(h, own, "after the failed publish");
    /* The refused message did not go out. */
    IOT_MQTT_Yield(h, 300);
    if (count_msg("probe message") != 0) {
        printf("PROBE: the refused QoS1 message was sent anyway\n");
        ok = 0;
    }
    if (g_disconnects != 0) {
        printf("PROBE: DISCONNECT after the failed publish\n");
        ok = 0;
    }
    return destroy_and_judge(h, before, ok);
}

/* Subscribe with the (n+1)-th HAL_Malloc from its call on failing. */
static int probe_subscribe(long n)
{
    char own[128], failed[128], second[128];
    uint64_t before = bytes_in_use();
    int rc, sub, verdict, ok = 1;
    void *h = setup_client("subscribe", own, sizeof(own));
    if (h == NULL) {
        return R_SETUP;
    }
    snprintf(failed, sizeof(failed), "%s/subscribe/failed", g_prefix);
    snprintf(second, sizeof(second), "%s/subscribe/second", g_prefix);
    hal_posix_fail_malloc_after(n);
    rc = IOT_MQTT_Subscribe(h, failed, IOTX_MQTT_QOS1, on_message, NULL);
    hal_posix_fail_malloc_after(-1);
    verdict = refused("Subscribe", n, rc);
    if (verdict != 0) {
        IOT_MQTT_Destroy(&h);
        return verdict;
    }
    /* The failed filter is not subscribed: a message to it does not arrive. */
    if (test_publish_text(h, failed, "to the failed filter", 1) <= 0) {
        ok = 0;
    }
    /* The first subscription still works, and a new one does too. */
    if (!still_works(h, own, "own after the failed subscribe")) {
        ok = 0;
    }
    sub = IOT_MQTT_Subscribe(h, second, IOTX_MQTT_QOS1, on_message, NULL);
    if (sub <= 0 || !wait_flag(h, &g_suback[sub], 3000)) {
        printf("PROBE: subscribe after the failed one: %d, no SUBACK\n", sub);
        ok = 0;
    } else if (test_publish_text(h, second, "second after the failed subscribe", 1) <= 0 ||
               !wait_msg(h, "second after the failed subscribe", 3000)) {
        printf("PROBE: the new subscription does not deliver\n");
        ok = 0;
    }
    IOT_MQTT_Yield(h, 200);
    if (count_msg("to the failed filter") != 0) {
        printf("PROBE: a message to the failed filter was delivered\n");
        ok = 0;
    }
    return destroy_and_judge(h, before, ok);
}

/* Runs probe for n = 0, 1, ... until the call is no longer reached. strict: an abort is a
 * failure (Construct); otherwise it is reported (allocations that are not named points). */
static void scan(const char *what, probe_fn probe, int strict, long max_n)
{
    long n;
    int clean = 0, aborted = 0, done = 0;
    for (n = 0; n <= max_n && !done; n++) {
        int fd = -1;
        int code = run_child(probe, n, &fd);
        switch (code) {
        case R_FAILED_CLEANLY:
            clean++;
            g_passed++;
            break;
        case R_NOT_REACHED:
            done = 1;
            break;
        case R_FAILED_BADLY:
        case R_WRONG_RESULT:
        case R_SETUP:
            g_failed++;
            printf("FAIL %s with HAL_Malloc #%ld failing: %s\n", what, n + 1,
                   code == R_FAILED_BADLY ? "returned the error, but a later check failed"
                   : code == R_WRONG_RESULT ? "returned another error than documented"
                   : "the probe could not set up");
            print_log_tail(fd, 15);
            break;
        default:
            if (code < 0) {
                aborted++;
                if (strict) {
                    g_failed++;
                    printf("FAIL %s with HAL_Malloc #%ld failing: killed by signal %d "
                           "(expected the documented error, no crash)\n", what, n + 1, -code);
                    print_log_tail(fd, 5);
                } else {
                    printf("   note: %s with HAL_Malloc #%ld failing: killed by signal %d (not a "
                           "named fallible point: abort allowed)\n", what, n + 1, -code);
                    print_log_tail(fd, 6);
                }
            } else {
                g_failed++;
                printf("FAIL %s with HAL_Malloc #%ld failing: child exit code %d\n", what, n + 1,
                       code);
                print_log_tail(fd, 15);
            }
            break;
        }
        if (fd >= 0) {
            close(fd);
        }
    }
    printf("   %s: %ld allocation points probed: %d returned the documented error cleanly, "
           "%d aborted\n", what, n - 1, clean, aborted);
    CHECK(done);  /* the scan ended with the call succeeding */
    CHECK(clean >= 1);
}

/* ----- HAL_TCP failures ----------------------------------------------------------------------- */
static int capture_begin(int *saved)
{
    char path[] = "/tmp/iotmqtt-mf-log-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        return -1;
    }
    unlink(path);
    fflush(stdout);
    *saved = dup(1);
    dup2(fd, 1);
    return fd;
}

static void capture_end(int fd, int saved, char *out, size_t out_len)
{
    ssize_t n;
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    n = pread(fd, out, out_len - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
}

static void test_tcp_establish(void)
{
    static char log[16384];
    uint64_t before = bytes_in_use();
    int saved = -1, fd;
    void *h;

    printf("-- HAL_TCP_Establish failing\n");
    reset_events();
    fd = capture_begin(&saved);
    CHECK(fd >= 0);
    IOT_OpenLog("mf");
    IOT_SetLogLevel(IOT_LOG_ERROR);
    hal_posix_fail_tcp(HAL_POSIX_FAIL_ESTABLISH);
    h = construct("establish");
    hal_posix_fail_tcp(HAL_POSIX_FAIL_NONE);
    IOT_CloseLog();
    if (fd >= 0) {
        capture_end(fd, saved, log, sizeof(log));
    }
    printf("%s", log);
    CHECK(h == NULL);
    CHECK(strstr(log, "-28") != NULL);
    CHECK_INT(g_events_total, 0);
    CHECK_INT(bytes_in_use(), before);
    if (h != NULL) {
        IOT_MQTT_Destroy(&h);
    }
}

static void test_tcp_session(int which)
{
    const char *name = which == HAL_POSIX_FAIL_READ ? "read" : "write";
    char own[128], payload[64];
    uint64_t before = bytes_in_use();
    int rc = 0;
    double t;
    void *h;

    printf("-- HAL_TCP_%s failing during a session\n", which == HAL_POSIX_FAIL_READ ? "Read" : "Write");
    h = setup_client(name, own, sizeof(own));
    CHECK(h != NULL);
    if (h == NULL) {
        return;
    }
    snprintf(payload, sizeof(payload), "published while %s fails", name);
    hal_posix_fail_tcp(which);
    if (which == HAL_POSIX_FAIL_WRITE) {
        /* The write fails: the QoS1 message stays queued (its id is returned) and goes out
         * after the reconnect. */
        rc = test_publish_text(h, own, payload, 1);
        printf("   QoS1 Publish while writes fail returned %d\n", rc);
        CHECK(rc > 0 || rc == -27);
    }
    t = test_now_ms();
    CHECK(wait_flag(h, &g_disconnects, 3000));
    printf("   DISCONNECT after %.0f ms\n", test_now_ms() - t);
    hal_posix_fail_tcp(HAL_POSIX_FAIL_NONE);
    t = test_now_ms();
    CHECK(wait_flag(h, &g_reconnects, 6000));
    printf("   RECONNECT %.0f ms after the failure was cleared\n", test_now_ms() - t);
    CHECK_INT(g_disconnects, 1);
    CHECK_INT(g_reconnects, 1);
    CHECK_INT(IOT_MQTT_CheckStateNormal(h), 1);
    if (rc > 0) {
        /* Nothing lost: the queued message arrives, and gets its PUBLISH_SUCCESS. */
        CHECK(wait_msg(h, payload, 5000));
        CHECK(wait_flag(h, &g_puback[rc], 5000));
    }
    /* The subscription was sent again (clean_session = 1) and delivers. */
    snprintf(payload, sizeof(payload), "after the %s failure", name);
    CHECK(still_works(h, own, payload));
    CHECK_INT(IOT_MQTT_Destroy(&h), 0);
    CHECK_INT(bytes_in_use(), before);
}

int main(void)
{
    uint16_t broker_port = test_broker_port();
    double t0 = test_now_ms();

    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    if (broker_port == 0) {
        return 1;
    }
    g_port = broker_port;
    snprintf(g_prefix, sizeof(g_prefix), "test/%ld", (long)getpid());

    printf("-- HAL_Malloc failing inside IOT_MQTT_Construct (each allocation in turn)\n");
    scan("Construct", probe_construct, 1, 300);
    printf("-- HAL_Malloc failing inside a QoS1 IOT_MQTT_Publish (the resend copy)\n");
    scan("QoS1 Publish", probe_publish, 0, 10);
    printf("-- HAL_Malloc failing inside IOT_MQTT_Subscribe (the subscription copy)\n");
    scan("Subscribe", probe_subscribe, 0, 10);

    test_tcp_establish();
    test_tcp_session(HAL_POSIX_FAIL_READ);
    test_tcp_session(HAL_POSIX_FAIL_WRITE);

    printf("   total %.1f s\n", (test_now_ms() - t0) / 1000.0);
    return check_report();
}
