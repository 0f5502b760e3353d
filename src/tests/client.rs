//! The driver with a Rust handler instead of the C boundary's: its typed errors and the engine
//! events it hands over, with no V2.10 code in between.

use std::net::TcpListener;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use iotmqtt_engine::{Config, Event};

use super::broker;
use crate::caller_buffer::CallerBuffer;
use crate::driver::{Client, ClientError, ConnectParams, Endpoint, Handler, Received};
use crate::heap::Counted;

/// Records what the driver hands over.
#[derive(Clone, Copy)]
struct Recorder(&'static Mutex<Vec<Event>>);

/// The same log: what the engine compares when a filter is subscribed again.
impl PartialEq for Recorder {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Handler for Recorder {
    type Message = u16;

    fn message(received: &Received<'_>) -> u16 {
        received.packet_id
    }

    fn deliver(&self, _client: usize, _message: &mut u16) {}

    fn event(&self, _client: usize, event: Event) {
        self.0.lock().unwrap().push(event);
    }

    fn code(_error: ClientError) -> i32 {
        -1
    }
}

fn construct(
    port: u16,
    events: &'static Mutex<Vec<Event>>,
) -> Result<Counted<Client<Recorder>>, ClientError> {
    // Leaked: the buffers must outlive the client, which is dropped at the test's end.
    let read = Box::leak(vec![0u8; 512].into_boxed_slice());
    let write = Box::leak(vec![0u8; 512].into_boxed_slice());
    Client::construct(ConnectParams {
        endpoint: Endpoint {
            host: c"127.0.0.1".to_owned(),
            port,
            ca: None,
            reauthenticate: None,
        },
        config: Config {
            client_id: "typed".to_string(),
            username: "u".to_string(),
            password: "p".to_string(),
            keepalive_ms: 60_000,
            request_timeout_ms: 2000,
            clean_session: false,
        },
        // SAFETY: leaked above, so valid and unused by anyone else for the client's life.
        read_buf: unsafe { CallerBuffer::new(read.as_mut_ptr(), read.len()) },
        // SAFETY: as above.
        write_buf: unsafe { CallerBuffer::new(write.as_mut_ptr(), write.len()) },
        default_handler: Some(Recorder(events)),
        identity: None,
    })
}

fn events() -> &'static Mutex<Vec<Event>> {
    Box::leak(Box::new(Mutex::new(Vec::new())))
}

#[test]
fn the_driver_returns_typed_errors_and_engine_events() {
    // Nothing listens on a port just freed.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    assert_eq!(
        construct(port, events()).err(),
        Some(ClientError::NetworkConnect)
    );

    let (port, server) = broker(vec![5]);
    assert_eq!(
        construct(port, events()).err(),
        Some(ClientError::RefusedNotAuthorized)
    );
    server.join().unwrap();

    let (port, server) = broker(vec![0]);
    let seen = events();
    let client = construct(port, seen).unwrap();
    assert_eq!(
        client.publish("a/+", b"x", 0, false),
        Err(ClientError::InvalidTopic)
    );
    assert_eq!(
        client.publish("q/2", b"x", 2, false),
        Err(ClientError::QosNotSupported)
    );
    let id = client.subscribe("a/b", 1, Recorder(seen)).unwrap();
    let start = Instant::now();
    while !seen.lock().unwrap().contains(&Event::SubscribeSuccess(id)) {
        assert!(start.elapsed() < Duration::from_secs(5), "no SUBACK event");
        assert_eq!(client.run_yield(20), Ok(()));
    }
    client.shutdown();
    drop(client);
    server.join().unwrap();
}
