//! The broker behind the front door: MQTT 3.1.1 answers devices rely on, and many
//! sessions (sequential, concurrent, the same device taking over) on one emulator.

mod common;
use common::*;
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn unsubscribe_packet(id: u16, filter: &str) -> Vec<u8> {
    let mut body = id.to_be_bytes().to_vec();
    put_str(&mut body, filter.as_bytes());
    packet(0xa2, &body)
}

/// CONNECT of device `pk/dn` (secret `ds`) with the V2.10 client id, hmacsha1; `clean`
/// false is what V2.10's example asks for (a persistent session).
fn device_connect(pk: &str, dn: &str, ds: &str, clean: bool) -> Vec<u8> {
    let cid = format!("{pk}.{dn}|securemode=3,timestamp={TS},signmethod=hmacsha1,gw=0,ext=0|");
    let pw = password("hmacsha1", &format!("{pk}.{dn}"), pk, dn, TS, ds);
    let mut pkt = connect_packet(&cid, Some(&format!("{dn}&{pk}")), Some(&pw), 60);
    if !clean {
        // The flags byte follows the protocol name and level.
        let at = pkt.windows(7).position(|w| w == b"\0\x04MQTT\x04").unwrap() + 7;
        pkt[at] &= !0x02;
    }
    pkt
}

/// Connects over TCP; the CONNACK code, or None when the connection closed first.
fn try_connect(emu: &Emulator, pkt: &[u8]) -> (Client, Option<u8>) {
    let mut c = Client::tcp(emu.mqtt.unwrap());
    if c.s.write_all(pkt).is_err() {
        return (c, None);
    }
    let code = match c.read_packet() {
        Some((0x20, body)) if body.len() == 2 => Some(body[1]),
        _ => None,
    };
    (c, code)
}

fn connected(emu: &Emulator, pkt: &[u8], what: &str) -> Client {
    let (c, code) = try_connect(emu, pkt);
    if code != Some(0) {
        let log = emu.log();
        let tail = &log[log.len().saturating_sub(15)..];
        panic!(
            "{what}: CONNACK {code:?} (want 0); last log lines:\n{}",
            tail.join("\n")
        );
    }
    c
}

/// True when the connection still answers a PINGREQ.
fn alive(c: &mut Client) -> bool {
    c.s.write_all(&[0xc0, 0x00]).is_ok() && matches!(c.read_packet(), Some((0xd0, _)))
}

/// SUBSCRIBE, PUBLISH to itself at QoS 1 (PUBACK and the message come back in either
/// order), then UNSUBSCRIBE.
fn round_trip(c: &mut Client, topic: &str, id: u16) {
    c.send(&subscribe_packet(id, topic, 1));
    assert_eq!(
        c.read_packet(),
        Some((0x90, vec![(id >> 8) as u8, id as u8, 1])),
        "SUBACK"
    );
    let pid = id.wrapping_add(1).max(1);
    let payload = format!("round trip {id}");
    c.send(&publish_packet(topic, 1, pid, payload.as_bytes()));
    let (mut acked, mut delivered) = (false, false);
    while !(acked && delivered) {
        let (h, body) = c.read_packet().expect("PUBACK and PUBLISH");
        match h & 0xf0 {
            0x40 => {
                assert_eq!(body, pid.to_be_bytes().to_vec(), "PUBACK id");
                acked = true;
            }
            0x30 => {
                let tlen = u16::from_be_bytes([body[0], body[1]]) as usize;
                assert_eq!(&body[2..2 + tlen], topic.as_bytes());
                assert!(body.ends_with(payload.as_bytes()));
                if h & 0x06 != 0 {
                    c.send(&packet(0x40, &body[2 + tlen..4 + tlen]));
                }
                delivered = true;
            }
            other => panic!("unexpected packet type {:#x}", other >> 4),
        }
    }
    let uid = pid.wrapping_add(1).max(1);
    c.send(&unsubscribe_packet(uid, topic));
    assert_eq!(
        c.read_packet(),
        Some((0xb0, uid.to_be_bytes().to_vec())),
        "UNSUBACK"
    );
}

/// Threads of process `pid` (the front door runs two per live session).
fn threads(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

/// Waits until process `pid` has at most `n` threads; returns the last count.
fn threads_fall_to(pid: u32, n: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let t = threads(pid);
        if t <= n || Instant::now() >= deadline {
            return t;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// After everything else: a new session of the sample device is accepted and delivers.
fn fresh_session_works(emu: &Emulator) {
    let mut c = connected(emu, &direct_connect(3, "hmacsha1", 60), "fresh session");
    round_trip(&mut c, &format!("/{PK}/{DN}/user/fresh"), 500);
}

#[test]
fn unsubscribe_without_subscription_gets_unsuback() {
    let emu = Emulator::start(&[]);
    let mut c = connected(&emu, &direct_connect(3, "hmacsha1", 60), "connect");
    c.raw
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    // Firmware often unsubscribes before it subscribes; every UNSUBSCRIBE gets an UNSUBACK.
    c.send(&unsubscribe_packet(
        0x1234,
        &format!("/{PK}/{DN}/user/never"),
    ));
    assert_eq!(
        c.read_packet(),
        Some((0xb0, vec![0x12, 0x34])),
        "UNSUBACK with the same packet id for a filter never subscribed"
    );
    // The same after a subscription came and went.
    let topic = format!("/{PK}/{DN}/user/get");
    round_trip(&mut c, &topic, 7);
    c.send(&unsubscribe_packet(0x0102, &topic));
    assert_eq!(
        c.read_packet(),
        Some((0xb0, vec![0x01, 0x02])),
        "second UNSUBACK"
    );
    assert!(alive(&mut c));
}

#[test]
fn sequential_sessions_1000_of_one_device() {
    let emu = Emulator::start(&[]);
    let idle_threads = threads(emu.pid());
    let start = Instant::now();
    let persistent = device_connect(PK, DN, DS, false);
    let clean = device_connect(PK, DN, DS, true);
    let topic = format!("/{PK}/{DN}/user/seq");
    let mut previous: Option<Client> = None;
    for i in 0..1000u16 {
        let pkt = if i % 4 == 3 { &clean } else { &persistent };
        let mut c = connected(&emu, pkt, &format!("session {i}"));
        // The session it took over (if any) is closed now.
        drop(previous.take());
        if i % 10 == 0 {
            round_trip(&mut c, &topic, i + 1);
        }
        // End by DISCONNECT, by dropping the connection, or by the next session taking over.
        match i % 3 {
            0 => c.send(&[0xe0, 0x00]),
            1 => {}
            _ => previous = Some(c),
        }
    }
    drop(previous);
    let elapsed = start.elapsed();
    // Nothing of the closed sessions stays behind in the front door.
    assert_eq!(threads_fall_to(emu.pid(), idle_threads), idle_threads);
    assert_eq!(
        emu.wait_count("CLOSE device=yfTuLfBJTiL/TestDeviceForDemo", 1000, 5),
        1000
    );
    fresh_session_works(&emu);
    eprintln!("1000 sequential sessions: {elapsed:?}");
}

#[test]
fn concurrent_sessions_50_with_takeover() {
    // 40 devices at once, and 10 connections of one more device at the same instant.
    const DEVICES: usize = 40;
    const SAME: usize = 10;
    let devices: Vec<String> = (0..DEVICES).map(|k| format!("cpk:dev{k}:sec{k}")).collect();
    let mut args: Vec<&str> = Vec::new();
    for d in &devices {
        args.extend(["--device", d.as_str()]);
    }
    let emu = Arc::new(Emulator::start(&args));
    let idle_threads = threads(emu.pid());
    let start = Instant::now();
    let go = Arc::new(Barrier::new(DEVICES + SAME));
    let connected_all = Arc::new(Barrier::new(DEVICES + SAME + 1));
    let done = Arc::new(Barrier::new(DEVICES + SAME + 1));
    let mut workers = Vec::new();
    for k in 0..DEVICES + SAME {
        let (emu, go, connected_all, done) =
            (emu.clone(), go.clone(), connected_all.clone(), done.clone());
        workers.push(std::thread::spawn(move || {
            let own = k < DEVICES;
            let pkt = if own {
                device_connect("cpk", &format!("dev{k}"), &format!("sec{k}"), k % 2 == 0)
            } else {
                device_connect(PK, DN, DS, k % 2 == 0)
            };
            go.wait();
            let (mut c, code) = try_connect(&emu, &pkt);
            // No panics before the barriers: the other threads would wait forever.
            let problem = if own {
                let topic = format!("/cpk/dev{k}/user/get");
                match code {
                    Some(0) => std::panic::catch_unwind(AssertUnwindSafe(|| {
                        round_trip(&mut c, &topic, 10 + k as u16)
                    }))
                    .err()
                    .map(|_| format!("device {k}: round trip failed")),
                    other => Some(format!("device {k}: CONNACK {other:?}")),
                }
            } else {
                // Taken over before its CONNACK, a connection is closed instead.
                match code {
                    Some(0) | None => None,
                    other => Some(format!("same device: CONNACK {other:?}")),
                }
            };
            connected_all.wait();
            done.wait();
            (k, problem, alive(&mut c))
        }));
    }
    connected_all.wait();
    // Every takeover has closed the older connection of the sample device.
    let closed = emu.wait_count("CLOSE device=yfTuLfBJTiL/TestDeviceForDemo", SAME - 1, 10);
    std::thread::sleep(Duration::from_millis(300));
    done.wait();
    let mut same_alive = 0;
    for t in workers {
        let (k, problem, is_alive) = t.join().unwrap();
        assert_eq!(problem, None);
        if k < DEVICES {
            assert!(is_alive, "device {k} lost its session");
        } else if is_alive {
            same_alive += 1;
        }
    }
    assert_eq!(
        same_alive,
        1,
        // The front door closes all but the newest; one alive means the broker kept it.
        "exactly the newest connection of the device stays (closed: {closed}); log:\n{}",
        emu.log()
            .iter()
            .filter(|l| l.contains("TestDeviceForDemo"))
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(threads_fall_to(emu.pid(), idle_threads), idle_threads);
    fresh_session_works(&emu);
    let mut c = connected(
        &emu,
        &device_connect("cpk", "dev0", "sec0", false),
        "dev0 again",
    );
    round_trip(&mut c, "/cpk/dev0/user/get", 600);
    eprintln!("50 concurrent sessions: {:?}", start.elapsed());
}

// ------------------------------------------------------------ the mosquitto started here

fn broker_pid(emu: &Emulator) -> u32 {
    let line = emu.wait_line("BROKER kind=mosquitto", 5);
    line.split_whitespace()
        .find_map(|f| f.strip_prefix("pid="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {line}"))
}

/// Running (a zombie waiting for its parent to reap it counts as gone).
fn running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
fn mosquitto_stops_with_the_emulator() {
    for (sig, name) in [
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGKILL, "SIGKILL"),
    ] {
        let mut emu = Emulator::start_raw(&["--mqtt", "127.0.0.1:0"]);
        let pid = broker_pid(&emu);
        assert!(running(pid), "{name}: mosquitto {pid} runs");
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap();
        assert_eq!(comm.trim(), "mosquitto");
        // Its generated configuration is gone once it runs.
        let prefix = format!("iotmqtt-emulator-{}-", emu.pid());
        let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .collect();
        assert!(left.is_empty(), "{name}: left behind {left:?}");
        // SAFETY: a signal to the emulator child this test started.
        assert_eq!(unsafe { libc::kill(emu.pid() as libc::pid_t, sig) }, 0);
        let status = emu.wait_exit(10).expect("the emulator exits");
        let deadline = Instant::now() + Duration::from_secs(5);
        while running(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !running(pid),
            "{name}: mosquitto {pid} still runs ({status})"
        );
        if sig != libc::SIGKILL {
            assert_eq!(status.code(), Some(128 + sig), "{name}");
            emu.wait_line(&format!("STOP signal={sig}"), 5);
        }
    }
}

#[test]
fn missing_mosquitto_fails_at_start_readably() {
    let out = std::process::Command::new(EXE)
        .args([
            "--mqtt",
            "127.0.0.1:0",
            "--mosquitto",
            "/nonexistent/mosquitto",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("FATAL"), "{err}");
    assert!(err.contains("install mosquitto"), "{err}");
    assert!(out.stdout.is_empty(), "no READY line");
}

#[test]
fn mosquitto_gone_is_an_internal_failure() {
    let emu = Emulator::start(&[]);
    let pid = broker_pid(&emu);
    // SAFETY: a signal to the mosquitto this emulator started.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) }, 0);
    emu.wait_line(&format!("BROKER-EXIT pid={pid}"), 5);
    let (_c, code) = try_connect(&emu, &direct_connect(3, "hmacsha1", 60));
    assert_eq!(code, Some(3));
    emu.wait_line("REFUSE rule=internal-failure code=3", 5);
}
