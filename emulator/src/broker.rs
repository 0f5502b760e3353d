//! The embedded broker (rumqttd) on an ephemeral loopback port.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

fn config(addr: SocketAddr) -> rumqttd::Config {
    let server = rumqttd::ServerSettings {
        name: "v4-embedded".into(),
        listen: addr,
        tls: None,
        next_connection_delay_ms: 1,
        connections: rumqttd::ConnectionSettings {
            connection_timeout_ms: 60_000,
            max_payload_size: 1024 * 1024,
            max_inflight_count: 100,
            auth: None,
            external_auth: None,
            dynamic_filters: true,
        },
    };
    let mut v4 = HashMap::new();
    v4.insert("1".to_string(), server);
    rumqttd::Config {
        id: 0,
        router: rumqttd::RouterConfig {
            max_connections: 10_000,
            max_outgoing_packet_count: 200,
            max_segment_size: 4 * 1024 * 1024,
            max_segment_count: 10,
            ..Default::default()
        },
        v4: Some(v4),
        ..Default::default()
    }
}

/// Starts rumqttd and returns its address once it accepts connections.
pub fn start_embedded() -> Result<SocketAddr, String> {
    for _attempt in 0..5 {
        // rumqttd cannot report the port it bound, so pick a free one first.
        let addr = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("cannot find a free port: {e}"))?;
        let cfg = config(addr);
        let handle = thread::Builder::new()
            .name("broker".into())
            .spawn(move || {
                let mut broker = rumqttd::Broker::new(cfg);
                let _ = broker.start();
            })
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(addr);
            }
            if handle.is_finished() {
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
    Err("the embedded broker did not start".into())
}
