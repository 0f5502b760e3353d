//! The HAL wrappers: mutexes whose creation fails, random numbers in range, the line printer,
//! TCP reads and writes mapped to V2.10's outcomes, and a pub_key on a build without TLS.

use std::io::Write;
use std::net::TcpListener;

use super::debug_log;
use crate::hal::{self, ReadOutcome, TcpConnection};
use crate::lock::{HalMutex, StaticHalMutex};
use crate::tests::hal_rig::{fail_mutex_creates, fail_tcp_writes, log_lines};

#[test]
fn mutexes_whose_creation_fails_are_reported_and_work_once_created() {
    debug_log();
    fail_mutex_creates(1);
    assert!(HalMutex::new(5u32).is_none());
    static LATE: StaticHalMutex<u32> = StaticHalMutex::new(1);
    fail_mutex_creates(1);
    assert!(LATE.lock().is_none(), "no mutex: no guard");
    assert!(!log_lines("HAL_MutexCreate failed").is_empty());
    // The next call creates it; the value was never touched meanwhile.
    *LATE.lock().unwrap() += 1;
    assert_eq!(*LATE.lock().unwrap(), 2);
    let m = HalMutex::new(vec![1]).unwrap();
    m.lock().push(2);
    assert_eq!(*m.lock(), [1, 2]);
}

#[test]
fn static_mutex_created_by_racing_threads_is_one_mutex() {
    static RACE: StaticHalMutex<u32> = StaticHalMutex::new(0);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(|| {
                for _ in 0..100 {
                    *RACE.lock().unwrap() += 1;
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(
        *RACE.lock().unwrap(),
        800,
        "no update lost: every thread used one mutex"
    );
}

#[test]
fn random_stays_in_its_region_and_print_text_cuts_at_255_bytes() {
    assert_eq!(hal::random(0), 0);
    hal::srandom(7);
    for region in [1u32, 2, 10, 1000] {
        for _ in 0..50 {
            assert!(hal::random(region) < region);
        }
    }
    let long = format!("print-text-marker {}", "y".repeat(400));
    hal::print_text(&long);
    let printed = log_lines("print-text-marker");
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0].len(), 255);
}

#[test]
fn tcp_reads_and_writes_map_to_the_v210_outcomes() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let conn = TcpConnection::establish(c"127.0.0.1", port).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(conn.read(&mut buf, 10), ReadOutcome::Timeout);
    peer.write_all(b"abc").unwrap();
    assert_eq!(conn.read(&mut buf[..3], 1000), ReadOutcome::Data(3));
    assert_eq!(&buf[..3], b"abc");
    assert_eq!(conn.write(b"xyz", 100), Ok(3));
    fail_tcp_writes(1);
    assert_eq!(conn.write(b"xyz", 100), Err(-2));
    let mut got = [0u8; 3];
    std::io::Read::read_exact(&mut peer, &mut got).unwrap();
    assert_eq!(&got, b"xyz", "the failed write sent nothing");
    // A peer closing with nothing unread is "closed" (-1), not an error.
    drop(peer);
    assert_eq!(conn.read(&mut buf, 1000), ReadOutcome::Closed);
    assert!(
        TcpConnection::establish(c"127.0.0.1", 1).is_none(),
        "nothing listens on port 1"
    );
}

#[cfg(not(iotmqtt_tls))]
#[test]
fn a_pub_key_on_a_build_without_tls_fails_construct() {
    use super::{params, Events};
    use std::ffi::c_char;
    debug_log();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let events = Events::default();
    let mut rb = [0 as c_char; 64];
    let mut wb = [0 as c_char; 128];
    let mut p = params(c"127.0.0.1", port, &events, &mut rb, &mut wb);
    p.pub_key = c"-----BEGIN CERTIFICATE-----".as_ptr();
    // SAFETY: valid params.
    assert!(unsafe { crate::ffi::IOT_MQTT_Construct(&mut p) }.is_null());
    assert!(!log_lines("pub_key is set but this build has no TLS").is_empty());
    assert!(listener.accept().is_err(), "no connection was made");
}
