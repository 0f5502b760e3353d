//! Allocation counts on the per-message path, measured with a counting global allocator.

mod common;
use common::*;
use iotmqtt_engine::{Incoming, QoS};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // Per thread, so the test harness's own threads do not disturb the count.
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's layout contract, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from System.alloc/realloc with this layout (this allocator's own).
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: as dealloc; new_size is the caller's, per the GlobalAlloc contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn count<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCS.with(|c| c.get());
    let r = f();
    (ALLOCS.with(|c| c.get()) - before, r)
}

#[test]
fn per_message_allocations() {
    let mut s = connected(default_config());
    let sub = s.subscribe("in/#", 1, 1, 0).unwrap();
    while s.poll_transmit(0).is_some() {}
    s.handle(
        Incoming::SubAck {
            pkid: sub,
            return_codes: &[1],
        },
        0,
    );
    while s.poll_event().is_some() {}
    let payload = [7u8; 200];
    // Warm-up: the tables grow to their working size once (steady state is what is capped).
    s.publish("out/a", &payload, 1, false, 0).unwrap();
    let id = s.pending_publish_ids().last().unwrap();
    s.handle(Incoming::PubAck(id), 0);
    s.handle(
        Incoming::Publish {
            dup: false,
            qos: QoS::ExactlyOnce,
            retain: false,
            topic: "in/x",
            pkid: 999,
            payload: &payload,
        },
        0,
    );
    s.handle(Incoming::PubRel(999), 0);
    while s.poll_transmit(0).is_some() {}
    while s.poll_event().is_some() {}

    for round in 0..50u64 {
        let now = round * 10;
        let (n, r) = count(|| s.publish("out/a", &payload, 0, false, now).is_ok());
        assert!(r);
        assert_eq!(n, 0, "QoS0 publish");

        let (n, r) = count(|| s.publish("out/a", &payload, 1, false, now).is_ok());
        assert!(r);
        assert_eq!(n, 1, "QoS1 publish: exactly the resend copy");

        let id = s.pending_publish_ids().last().unwrap();
        let (n, _) = count(|| {
            s.handle(Incoming::PubAck(id), now);
            while s.poll_event().is_some() {}
        });
        assert_eq!(n, 0, "PUBACK");

        let (n, _) = count(|| {
            for qos in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce] {
                let pkid = 1000 + round as u16;
                s.handle(
                    Incoming::Publish {
                        dup: false,
                        qos,
                        retain: false,
                        topic: "in/x",
                        pkid,
                        payload: &payload,
                    },
                    now,
                );
                if qos == QoS::ExactlyOnce {
                    s.handle(Incoming::PubRel(pkid), now);
                }
            }
            while s.poll_transmit(now).is_some() {}
        });
        assert_eq!(n, 0, "receive and acks");
    }

    let (n, _) = count(|| {
        s.handle_timeout(55_000);
        while s.poll_transmit(55_000).is_some() {}
        s.handle(Incoming::PingResp, 55_001);
    });
    assert_eq!(n, 0, "ping");
}
