/*
 * fault_proxy.h - a fault-injecting TCP proxy for the C tests (runs as a thread inside the test).
 *
 * It listens on an ephemeral loopback port and relays every accepted connection to an upstream
 * port (the private mosquitto). Faults, chosen with a deterministic pseudo-random generator
 * seeded by the caller:
 *   - cuts: the next N connections are cut after a random 150..400 ms (time cut) or after a
 *     random number of client->broker bytes, possibly in the middle of a packet (byte cut);
 *     each cut closes both sides, either with FIN or with RST (SO_LINGER 0);
 *   - modes for new connections: PASS (relay), CLOSE (accept, then close at once), BLACKHOLE
 *     (accept and keep silent, relay nothing), REFUSE (stop listening: connect is refused).
 * The proxy counts the bytes it relays in each direction.
 */
#ifndef IOTMQTT_FAULT_PROXY_H
#define IOTMQTT_FAULT_PROXY_H

#include <stdint.h>

typedef enum {
    FP_PASS = 0,
    FP_CLOSE = 1,
    FP_BLACKHOLE = 2,
    FP_REFUSE = 3
} fp_mode_t;

typedef struct fault_proxy fault_proxy_t;

/* Starts the proxy thread; NULL on failure. */
fault_proxy_t *fp_start(uint16_t upstream_port, uint32_t seed);
/* Stops the thread, closes every socket, frees the proxy. */
void fp_stop(fault_proxy_t *p);
/* The port the proxy listens on (stays the same across REFUSE). */
uint16_t fp_port(const fault_proxy_t *p);
/* Mode for connections accepted from now on (existing ones are kept, see fp_cut_all). */
void fp_set_mode(fault_proxy_t *p, fp_mode_t mode);
/* The next n connections accepted in PASS mode are cut: a time cut after min_ms..max_ms, or a
 * byte cut after min_bytes..max_bytes relayed client->broker (chosen at random per connection). */
void fp_plan_cuts(fault_proxy_t *p, int n, int min_ms, int max_ms, int min_bytes, int max_bytes);
/* Cuts every open connection now (FIN). */
void fp_cut_all(fault_proxy_t *p);

typedef struct {
    int accepted;          /* connections accepted */
    int cuts_done;         /* planned cuts carried out */
    int time_cuts;         /* of which after a time */
    int byte_cuts;         /* of which after a byte count */
    int resets;            /* cuts done with RST */
    int open;              /* connections currently relayed */
    uint64_t bytes_up;     /* client -> broker, relayed */
    uint64_t bytes_down;   /* broker -> client, relayed */
} fp_stats_t;

void fp_stats(fault_proxy_t *p, fp_stats_t *out);

#endif /* IOTMQTT_FAULT_PROXY_H */
