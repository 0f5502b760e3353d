//! Packet ids, subscriptions, dispatch, inbound QoS1/QoS2, overflow and stray packets.

mod common;
use common::*;
use iotmqtt_engine::{Dispatch, Error, Event, Incoming, Outgoing, QoS, Session};

fn pkid_of(out: Result<Outgoing<'_>, Error>) -> u16 {
    match out {
        Ok(Outgoing::Publish { pkid, .. }) => pkid,
        other => panic!("{other:?}"),
    }
}

/// Subscribes and acknowledges; returns the packet id.
fn sub_acked(s: &mut Session<u32>, filter: &str, handler: u32, now: u64) -> u16 {
    let id = s.subscribe(filter, 1, handler, now).unwrap();
    assert_eq!(
        drain(s, now),
        vec![Out::Subscribe {
            pkid: id,
            filter: filter.into(),
            qos: QoS::AtLeastOnce
        }]
    );
    s.handle(
        Incoming::SubAck {
            pkid: id,
            return_codes: &[1],
        },
        now,
    );
    assert_eq!(events(s), vec![Event::SubscribeSuccess(id)]);
    id
}

#[test]
fn packet_ids_shared_start_at_1_wrap_and_skip_used() {
    let mut s = connected(default_config());
    assert_eq!(pkid_of(s.publish("a", b"", 1, false, 0)), 1);
    assert_eq!(s.subscribe("a", 0, 0, 0), Ok(2));
    assert_eq!(s.unsubscribe("b", 0), Ok(3));
    // QoS0 uses no id; QoS2 burns one before being refused (V2.10).
    assert_eq!(pkid_of(s.publish("a", b"", 0, false, 0)), 0);
    assert_eq!(
        s.publish("a", b"", 2, false, 0),
        Err(Error::QosNotSupported)
    );
    assert_eq!(pkid_of(s.publish("a", b"", 1, false, 0)), 5);
    s.set_last_packet_id(65_534);
    assert_eq!(pkid_of(s.publish("a", b"", 1, false, 0)), 65_535);
    // 1, 2 and 3 are still in use: the counter wraps past them.
    assert_eq!(pkid_of(s.publish("a", b"", 1, false, 0)), 4);
    s.handle(Incoming::PubAck(1), 1);
    s.set_last_packet_id(65_535);
    assert_eq!(pkid_of(s.publish("a", b"", 1, false, 0)), 1);
    s.check_invariants().unwrap();
}

#[test]
fn publish_argument_errors() {
    let mut s: Session<u32> = Session::new(default_config()).unwrap();
    assert_eq!(s.publish("a", b"", 0, false, 0), Err(Error::NotConnected));
    assert_eq!(s.subscribe("a", 0, 1, 0), Err(Error::NotConnected));
    connect(&mut s, 0, false);
    assert_eq!(s.publish("a/+", b"", 0, false, 0), Err(Error::InvalidTopic));
    assert_eq!(s.publish("", b"", 1, false, 0), Err(Error::InvalidTopic));
    assert_eq!(s.publish("a", b"", 3, false, 0), Err(Error::InvalidQos));
    assert_eq!(s.subscribe("a/#/b", 0, 1, 0), Err(Error::InvalidTopic));
    assert_eq!(s.unsubscribe("a+", 0), Err(Error::InvalidTopic));
    // None of the failures consumed an id.
    assert_eq!(pkid_of(s.publish("a", b"", 1, false, 0)), 1);
}

#[test]
fn at_most_20_pending_qos1() {
    let mut s = connected(default_config());
    for i in 1..=20 {
        assert_eq!(pkid_of(s.publish("a", b"p", 1, false, 0)), i);
    }
    assert_eq!(s.publish("a", b"p", 1, false, 0), Err(Error::PendingFull));
    // QoS0 is not limited.
    assert_eq!(pkid_of(s.publish("a", b"p", 0, false, 0)), 0);
    s.handle(Incoming::PubAck(7), 1);
    assert_eq!(pkid_of(s.publish("a", b"p", 1, false, 1)), 21);
}

#[test]
fn at_most_30_subscriptions_including_pending() {
    let mut s = connected(default_config());
    for i in 0..30 {
        s.subscribe(&format!("t/{i}"), 0, i, 0).unwrap();
    }
    assert_eq!(s.subscribe("t/x", 0, 99, 0), Err(Error::PendingFull));
    assert_eq!(s.subscription_count(), 30);
    assert_eq!(drain(&mut s, 0).len(), 30);
    s.handle(
        Incoming::SubAck {
            pkid: 4,
            return_codes: &[0x80],
        },
        1,
    );
    assert_eq!(events(&mut s), vec![Event::SubscribeNack(4)]);
    assert!(s.subscribe("t/x", 0, 99, 1).is_ok());
}

#[test]
fn suback_failure_removes_subscription() {
    let mut s = connected(default_config());
    let id = s.subscribe("a/b", 5, 42, 0).unwrap(); // qos 5 -> 0
    assert_eq!(
        drain(&mut s, 0),
        vec![Out::Subscribe {
            pkid: id,
            filter: "a/b".into(),
            qos: QoS::AtMostOnce
        }]
    );
    s.handle(
        Incoming::SubAck {
            pkid: id,
            return_codes: &[0x80],
        },
        5,
    );
    assert_eq!(events(&mut s), vec![Event::SubscribeNack(id)]);
    assert_eq!(s.subscription_count(), 0);
    assert_eq!(
        s.handle(publish_in("a/b", QoS::AtMostOnce, 0, false), 6),
        Dispatch::Default
    );
    // The id is free again and no timeout follows.
    s.handle_timeout(100_000);
    assert!(events(&mut s)
        .iter()
        .all(|e| !matches!(e, Event::SubscribeTimeout(_))));
}

#[test]
fn suback_timeout_is_only_an_event() {
    let mut s = connected(config(60_000, 1000, false));
    let id = s.subscribe("a/#", 0, 7, 0).unwrap();
    drain(&mut s, 0);
    s.handle_timeout(1999);
    assert!(events(&mut s).is_empty());
    s.handle_timeout(2000);
    assert_eq!(events(&mut s), vec![Event::SubscribeTimeout(id)]);
    assert_eq!(s.subscription_count(), 1);
    assert_eq!(
        s.handle(publish_in("a/x", QoS::AtMostOnce, 0, false), 2001),
        Dispatch::Deliver { slots: 1 }
    );
    // A late SUBACK is stray now.
    s.handle(
        Incoming::SubAck {
            pkid: id,
            return_codes: &[0],
        },
        2002,
    );
    assert!(events(&mut s).is_empty());
    s.handle_timeout(10_000);
    assert!(events(&mut s).is_empty());
}

#[test]
fn retained_message_before_suback_reaches_handler() {
    let mut s = connected(default_config());
    let id = s.subscribe("dev/+/status", 1, 77, 0).unwrap();
    let d = s.handle(
        Incoming::Publish {
            dup: false,
            qos: QoS::AtMostOnce,
            retain: true,
            topic: "dev/1/status",
            pkid: 0,
            payload: b"on",
        },
        1,
    );
    assert_eq!(d, Dispatch::Deliver { slots: 1 });
    assert_eq!(s.subscription(0), Some(&77));
    s.handle(
        Incoming::SubAck {
            pkid: id,
            return_codes: &[1],
        },
        2,
    );
    assert_eq!(events(&mut s), vec![Event::SubscribeSuccess(id)]);
}

#[test]
fn dispatch_every_match_in_subscription_order_else_default() {
    let mut s = connected(default_config());
    sub_acked(&mut s, "a/#", 10, 0);
    sub_acked(&mut s, "x/y", 11, 0);
    sub_acked(&mut s, "a/b", 12, 0);
    sub_acked(&mut s, "+/b", 13, 0);
    let d = s.handle(publish_in("a/b", QoS::AtMostOnce, 0, false), 1);
    assert_eq!(d, Dispatch::Deliver { slots: 0b1101 });
    let handlers: Vec<u32> = d.slots().map(|i| *s.subscription(i).unwrap()).collect();
    assert_eq!(handlers, vec![10, 12, 13]);
    assert_eq!(
        s.handle(publish_in("q", QoS::AtMostOnce, 0, false), 1),
        Dispatch::Default
    );
    assert_eq!(Dispatch::Default.slots().count(), 0);
    // Removing a middle subscription keeps the others in order.
    let u = s.unsubscribe("x/y", 2).unwrap();
    s.handle(Incoming::UnsubAck(u), 3);
    let d = s.handle(publish_in("a/b", QoS::AtMostOnce, 0, false), 4);
    let handlers: Vec<u32> = d.slots().map(|i| *s.subscription(i).unwrap()).collect();
    assert_eq!(handlers, vec![10, 12, 13]);
}

#[test]
fn unsubscribe_removes_on_unsuback() {
    let mut s = connected(default_config());
    sub_acked(&mut s, "a/b", 1, 0);
    sub_acked(&mut s, "c", 2, 0);
    let id = s.unsubscribe("a/b", 10).unwrap();
    assert_eq!(
        drain(&mut s, 10),
        vec![Out::Unsubscribe {
            pkid: id,
            filter: "a/b".into()
        }]
    );
    // Still delivered until the UNSUBACK.
    assert_eq!(
        s.handle(publish_in("a/b", QoS::AtMostOnce, 0, false), 11),
        Dispatch::Deliver { slots: 1 }
    );
    s.handle(Incoming::UnsubAck(id), 12);
    assert_eq!(events(&mut s), vec![Event::UnsubscribeSuccess(id)]);
    assert_eq!(s.subscription_count(), 1);
    assert_eq!(s.subscription_filter(0), Some("c"));
    assert_eq!(
        s.handle(publish_in("a/b", QoS::AtMostOnce, 0, false), 13),
        Dispatch::Default
    );
}

#[test]
fn unsuback_timeout_keeps_subscription() {
    let mut s = connected(default_config());
    sub_acked(&mut s, "a", 1, 0);
    let id = s.unsubscribe("a", 0).unwrap();
    drain(&mut s, 0);
    s.handle_timeout(3999);
    assert!(events(&mut s).is_empty());
    s.handle_timeout(4000);
    assert_eq!(events(&mut s), vec![Event::UnsubscribeTimeout(id)]);
    assert_eq!(s.subscription_count(), 1);
    s.handle(Incoming::UnsubAck(id), 4001);
    assert!(events(&mut s).is_empty());
    assert_eq!(s.subscription_count(), 1);
}

#[test]
fn inbound_qos1_is_delivered_and_acked() {
    let mut s = connected(default_config());
    sub_acked(&mut s, "a", 1, 0);
    assert_eq!(
        s.handle(publish_in("a", QoS::AtLeastOnce, 300, false), 1),
        Dispatch::Deliver { slots: 1 }
    );
    assert_eq!(drain(&mut s, 1), vec![Out::PubAck(300)]);
    assert_eq!(
        s.handle(publish_in("zz", QoS::AtLeastOnce, 301, false), 1),
        Dispatch::Default
    );
    assert_eq!(drain(&mut s, 1), vec![Out::PubAck(301)]);
}

#[test]
fn inbound_qos2_delivered_exactly_once() {
    let mut s = connected(default_config());
    sub_acked(&mut s, "a", 1, 0);
    assert_eq!(
        s.handle(publish_in("a", QoS::ExactlyOnce, 5, false), 1),
        Dispatch::Deliver { slots: 1 }
    );
    assert_eq!(drain(&mut s, 1), vec![Out::PubRec(5)]);
    // DUP re-send before PUBREL: PUBREC again, no second delivery.
    assert_eq!(
        s.handle(publish_in("a", QoS::ExactlyOnce, 5, true), 2),
        Dispatch::None
    );
    assert_eq!(drain(&mut s, 2), vec![Out::PubRec(5)]);
    s.handle(Incoming::PubRel(5), 3);
    assert_eq!(drain(&mut s, 3), vec![Out::PubComp(5)]);
    // The id is released: a new message with it is delivered.
    assert_eq!(
        s.handle(publish_in("a", QoS::ExactlyOnce, 5, false), 4),
        Dispatch::Deliver { slots: 1 }
    );
    // Unknown PUBREL still gets PUBCOMP.
    s.handle(Incoming::PubRel(777), 5);
    assert_eq!(drain(&mut s, 5), vec![Out::PubRec(5), Out::PubComp(777)]);
    assert!(events(&mut s).is_empty());
}

#[test]
fn inbound_qos2_state_survives_reconnect_with_session() {
    let mut s = connected(default_config());
    s.handle(publish_in("a", QoS::ExactlyOnce, 9, false), 1);
    s.on_transport_lost(2, 0);
    connect(&mut s, 2000, true);
    assert_eq!(
        s.handle(publish_in("a", QoS::ExactlyOnce, 9, true), 2001),
        Dispatch::None
    );
    // Without the session the broker starts over, so the id is new again.
    s.on_transport_lost(3000, 0);
    connect(&mut s, 5000, false);
    assert_eq!(
        s.handle(publish_in("a", QoS::ExactlyOnce, 9, false), 5001),
        Dispatch::Default
    );
}

#[test]
fn oversized_publish_is_acked_and_reported() {
    let mut s = connected(default_config());
    s.handle_oversized_publish(1, 9, 1);
    assert_eq!(drain(&mut s, 1), vec![Out::PubAck(9)]);
    assert_eq!(events(&mut s), vec![Event::BufferOverflow]);
    s.handle_oversized_publish(2, 10, 2);
    assert_eq!(drain(&mut s, 2), vec![Out::PubRec(10)]);
    assert_eq!(events(&mut s), vec![Event::BufferOverflow]);
    s.handle_oversized_publish(0, 0, 3);
    assert!(drain(&mut s, 3).is_empty());
    assert_eq!(events(&mut s), vec![Event::BufferOverflow]);
}

#[test]
fn stray_packets_change_nothing() {
    let mut s = connected(default_config());
    sub_acked(&mut s, "a", 1, 0);
    let p = pkid_of(s.publish("a", b"x", 1, false, 0));
    let u = s.unsubscribe("zz", 0).unwrap();
    drain(&mut s, 0);
    for pkt in [
        Incoming::PubAck(p + 100),
        Incoming::PubAck(0),
        Incoming::SubAck {
            pkid: 1234,
            return_codes: &[0x80],
        },
        Incoming::SubAck {
            pkid: u, // an UNSUBSCRIBE id is not a SUBSCRIBE id
            return_codes: &[0],
        },
        Incoming::UnsubAck(p),
        Incoming::UnsubAck(4321),
        Incoming::PubRec(p),
        Incoming::PubComp(p),
        Incoming::PingResp,
    ] {
        assert_eq!(s.handle(pkt, 1), Dispatch::None);
    }
    assert!(events(&mut s).is_empty());
    assert!(drain(&mut s, 1).is_empty());
    assert_eq!(s.subscription_count(), 1);
    assert_eq!(s.pending_publish_ids().collect::<Vec<_>>(), vec![p]);
    s.handle(Incoming::UnsubAck(u), 2);
    s.handle(Incoming::PubAck(p), 2);
    assert_eq!(
        events(&mut s),
        vec![Event::UnsubscribeSuccess(u), Event::PublishSuccess(p)]
    );
}

#[test]
fn publish_with_packet_id_zero_is_a_violation() {
    let mut s = connected(default_config());
    s.handle(publish_in("a", QoS::AtLeastOnce, 0, false), 1);
    assert_eq!(
        events(&mut s),
        vec![
            Event::ProtocolViolation("PUBLISH with packet id 0"),
            Event::Disconnected
        ]
    );
}

#[test]
fn clean_session_resubscribes_after_reconnect_silently() {
    let mut s = connected(config(60_000, 2000, true));
    sub_acked(&mut s, "a", 1, 0);
    sub_acked(&mut s, "b/#", 2, 0);
    let pending = s.subscribe("c", 0, 3, 0).unwrap(); // never acked
    drain(&mut s, 0);
    s.on_transport_lost(10, 0);
    let out = connect(&mut s, 2000, false);
    let subs: Vec<(u16, String)> = out
        .into_iter()
        .map(|p| match p {
            Out::Subscribe { pkid, filter, .. } => (pkid, filter),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(subs.len(), 3);
    assert_eq!(subs[2], (pending, "c".into()));
    for (pkid, _) in &subs {
        s.handle(
            Incoming::SubAck {
                pkid: *pkid,
                return_codes: &[0],
            },
            2001,
        );
    }
    // Only the caller's own (still pending) request reports success.
    assert_eq!(
        events(&mut s),
        vec![
            Event::Disconnected,
            Event::Reconnected,
            Event::SubscribeSuccess(pending)
        ]
    );
    s.check_invariants().unwrap();
}

#[test]
fn persistent_session_resubscribes_only_when_broker_lost_it() {
    let mut s = connected(default_config());
    sub_acked(&mut s, "a", 1, 0);
    s.on_transport_lost(10, 0);
    assert!(connect(&mut s, 2000, true).is_empty());
    s.on_transport_lost(2010, 0);
    let out = connect(&mut s, 5000, false);
    assert!(
        matches!(out.as_slice(), [Out::Subscribe { filter, .. }] if filter == "a"),
        "{out:?}"
    );
}

#[test]
fn pending_unsubscribe_resent_after_reconnect() {
    let mut s = connected(default_config());
    let id = s.unsubscribe("a", 0).unwrap();
    drain(&mut s, 0);
    s.on_transport_lost(10, 0);
    assert_eq!(
        connect(&mut s, 2000, true),
        vec![Out::Unsubscribe {
            pkid: id,
            filter: "a".into()
        }]
    );
}

#[test]
fn resubscribe_after_unsubscribe_survives_the_unsuback() {
    let mut s = connected(default_config());
    sub_acked(&mut s, "a", 1, 0);
    let u = s.unsubscribe("a", 1).unwrap();
    let again = s.subscribe("a", 0, 2, 1).unwrap();
    // Sent in call order.
    assert_eq!(
        drain(&mut s, 1),
        vec![
            Out::Unsubscribe {
                pkid: u,
                filter: "a".into()
            },
            Out::Subscribe {
                pkid: again,
                filter: "a".into(),
                qos: QoS::AtMostOnce
            }
        ]
    );
    s.handle(Incoming::UnsubAck(u), 2);
    assert_eq!(s.subscription_count(), 1);
    assert_eq!(s.subscription(0), Some(&2));
}

#[test]
fn requests_resent_after_reconnect_in_call_order() {
    let mut s = connected(config(60_000, 2000, true));
    sub_acked(&mut s, "a", 1, 0); // re-subscribed silently after the reconnect
    let u = s.unsubscribe("a", 1).unwrap();
    let again = s.subscribe("a", 0, 2, 1).unwrap();
    s.on_transport_lost(2, 0); // before anything was drained
    let out = connect(&mut s, 2000, false);
    let kinds: Vec<(&str, u16)> = out
        .iter()
        .map(|p| match p {
            Out::Subscribe { pkid, .. } => ("sub", *pkid),
            Out::Unsubscribe { pkid, .. } => ("unsub", *pkid),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds.len(), 3);
    assert_eq!(kinds[0].0, "sub"); // the old subscription, new id
    assert_eq!(kinds[1], ("unsub", u));
    assert_eq!(kinds[2], ("sub", again));
}

#[test]
fn cancel_request_withdraws_unsendable_requests() {
    let mut s = connected(default_config());
    let p = pkid_of(s.publish("a", b"x", 1, false, 0));
    let sub = s.subscribe("b", 0, 1, 0).unwrap();
    let un = s.unsubscribe("c", 0).unwrap();
    assert!(s.cancel_request(p));
    assert!(s.cancel_request(sub));
    assert!(s.cancel_request(un));
    assert!(!s.cancel_request(p));
    assert_eq!(s.pending_publish_count(), 0);
    assert_eq!(s.subscription_count(), 0);
    assert!(drain(&mut s, 0).is_empty());
    s.handle_timeout(100_000);
    assert!(events(&mut s).is_empty());
}

/// Where `topic` is delivered: the handlers of the slots, in order.
fn delivered_to(s: &Session<u32>, topic: &str) -> Vec<u32> {
    match s.route(topic) {
        Dispatch::Deliver { .. } => s
            .route(topic)
            .slots()
            .map(|i| *s.subscription(i).unwrap())
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn identical_resubscription_adds_no_slot_but_is_sent_and_reported() {
    let mut s = connected(default_config());
    sub_acked(&mut s, "a/b", 7, 0);
    // The same filter and handler, 40 times (more than the 30 slots): each SUBSCRIBE goes out
    // and is reported, the handler still runs once per message.
    for n in 0..40u64 {
        let id = sub_acked(&mut s, "a/b", 7, n);
        assert!(id > 0);
        assert_eq!(s.subscription_count(), 1);
    }
    assert_eq!(delivered_to(&s, "a/b"), vec![7]);
    // Another handler (for C: function or context) gets its own slot.
    sub_acked(&mut s, "a/b", 8, 50);
    assert_eq!(delivered_to(&s, "a/b"), vec![7, 8]);
    // An unsubscribe removes every slot of the filter.
    let u = s.unsubscribe("a/b", 60).unwrap();
    drain(&mut s, 60);
    s.handle(Incoming::UnsubAck(u), 61);
    assert_eq!(s.subscription_count(), 0);
    assert_eq!(s.route("a/b"), Dispatch::Default);
    s.check_invariants().unwrap();
}

#[test]
fn pending_resubscription_delivers_nothing_and_survives_its_original() {
    let mut s = connected(default_config());
    let first = s.subscribe("x", 1, 3, 0).unwrap();
    let again = s.subscribe("x", 0, 3, 0).unwrap();
    assert_eq!(drain(&mut s, 0).len(), 2, "both SUBSCRIBEs go out");
    // Before either SUBACK: one delivery.
    assert_eq!(delivered_to(&s, "x"), vec![3]);
    // The broker refuses the first: the repeat takes its place when granted.
    s.handle(
        Incoming::SubAck {
            pkid: first,
            return_codes: &[0x80],
        },
        1,
    );
    s.handle(
        Incoming::SubAck {
            pkid: again,
            return_codes: &[0],
        },
        1,
    );
    assert_eq!(
        events(&mut s),
        vec![Event::SubscribeNack(first), Event::SubscribeSuccess(again)]
    );
    assert_eq!(delivered_to(&s, "x"), vec![3]);
    assert_eq!(s.subscription_count(), 1);
    // A repeat that times out is merged too (the slot stays, as for any timeout).
    let late = s.subscribe("x", 1, 3, 10).unwrap();
    drain(&mut s, 10);
    s.handle_timeout(10 + 4_000);
    assert_eq!(events(&mut s), vec![Event::SubscribeTimeout(late)]);
    assert_eq!(s.subscription_count(), 1);
    assert_eq!(delivered_to(&s, "x"), vec![3]);
    s.check_invariants().unwrap();
}

#[test]
fn packets_larger_than_the_limit_are_refused_after_the_topic_check_and_queue_nothing() {
    let mut s = connected(default_config());
    // "a/b" QoS1 with 10 payload bytes: 2 + 3 + 2 + 10 remaining, 19 bytes in all.
    s.set_max_packet_len(18);
    assert_eq!(
        s.publish("a/b", &[0; 10], 1, false, 0).map(|_| ()),
        Err(Error::PacketTooLarge(19))
    );
    assert_eq!(s.pending_publish_count(), 0, "no resend copy kept");
    // The topic is checked first, whatever the size (V2.10: -41 before -21).
    assert_eq!(
        s.publish("a/+", &[0; 100], 0, false, 0).map(|_| ()),
        Err(Error::InvalidTopic)
    );
    // SUBSCRIBE "abcdefghijklmn": 2 + 2 + 14 + 1 remaining, 21 bytes; UNSUBSCRIBE 20 bytes.
    assert_eq!(
        s.subscribe("abcdefghijklmn", 0, 1, 0),
        Err(Error::PacketTooLarge(21))
    );
    assert_eq!(
        s.unsubscribe("abcdefghijklmn", 0),
        Err(Error::PacketTooLarge(20))
    );
    assert_eq!(s.subscription_count(), 0, "no slot kept");
    assert!(drain(&mut s, 0).is_empty(), "nothing queued");
    // What fits goes through, and takes the next packet id as if nothing had been refused.
    s.set_max_packet_len(19);
    assert_eq!(pkid_of(s.publish("a/b", &[0; 10], 1, false, 0)), 1);
    s.check_invariants().unwrap();
}
