//! Shared state: device registry, issued tokens, live sessions, the scaled clock.

use std::collections::HashMap;
use std::io::Read;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Elapsed time as the emulator sees it: real elapsed time × `scale`.
pub struct Clock {
    start: Instant,
    scale: f64,
}

impl Clock {
    pub fn new(scale: f64) -> Clock {
        Clock {
            start: Instant::now(),
            scale,
        }
    }

    /// Emulated seconds since start.
    pub fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * self.scale
    }

    /// Emulated seconds elapsed since the real instant `t`.
    pub fn since(&self, t: Instant) -> f64 {
        t.elapsed().as_secs_f64() * self.scale
    }
}

/// Settings fixed at start-up.
pub struct Settings {
    pub broker: SocketAddr,
    pub token_validity_secs: f64,
    /// `HOST:PORT` announced by the HTTPS pre-auth; `{pk}` and `{region}` are replaced.
    pub announce_host: Option<String>,
    pub announce_port: u16,
    pub test_internal_failure: bool,
}

pub struct Token {
    pub token: String,
    pub pk: String,
    pub dn: String,
    pub issued: f64,
}

/// Handle to close a live session from another thread (takeover).
pub struct SessionCtl {
    pub id: u64,
    closed: AtomicBool,
    reason: Mutex<&'static str>,
    sockets: Mutex<Vec<TcpStream>>,
}

impl SessionCtl {
    pub fn new(id: u64) -> Arc<SessionCtl> {
        Arc::new(SessionCtl {
            id,
            closed: AtomicBool::new(false),
            reason: Mutex::new(""),
            sockets: Mutex::new(Vec::new()),
        })
    }

    /// Registers a socket (a clone) to shut down on close.
    pub fn add_socket(&self, s: &TcpStream) {
        if let Ok(c) = s.try_clone() {
            lock(&self.sockets).push(c);
        }
        if self.is_closed() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Closes the session; the first reason given wins. Returns true on the first call.
    pub fn close(&self, reason: &'static str) -> bool {
        let first = !self.closed.swap(true, Ordering::SeqCst);
        if first {
            *lock(&self.reason) = reason;
        }
        for s in lock(&self.sockets).iter() {
            let _ = s.shutdown(Shutdown::Both);
        }
        first
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    pub fn reason(&self) -> &'static str {
        *lock(&self.reason)
    }
}

pub struct Shared {
    pub devices: HashMap<(String, String), String>,
    /// One lock per registered device, held from the takeover to the broker's CONNACK,
    /// so the broker sees the device's sessions in the order the front door took them.
    connect_order: HashMap<(String, String), Mutex<()>>,
    pub tokens: Mutex<HashMap<String, Token>>,
    pub sessions: Mutex<HashMap<(String, String), Arc<SessionCtl>>>,
    pub clock: Clock,
    pub settings: Settings,
    next_session: AtomicU64,
}

impl Shared {
    pub fn new(
        devices: HashMap<(String, String), String>,
        clock: Clock,
        settings: Settings,
    ) -> Shared {
        Shared {
            connect_order: devices
                .keys()
                .map(|k| (k.clone(), Mutex::new(())))
                .collect(),
            devices,
            tokens: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            clock,
            settings,
            next_session: AtomicU64::new(1),
        }
    }

    pub fn next_session_id(&self) -> u64 {
        self.next_session.fetch_add(1, Ordering::SeqCst)
    }

    /// The connect-order lock of a registered device (every accepted session has one).
    pub fn connect_order(&self, pk: &str, dn: &str) -> Option<MutexGuard<'_, ()>> {
        self.connect_order
            .get(&(pk.to_string(), dn.to_string()))
            .map(lock)
    }

    pub fn secret(&self, pk: &str, dn: &str) -> Option<&str> {
        self.devices
            .get(&(pk.to_string(), dn.to_string()))
            .map(|s| s.as_str())
    }
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `n` random bytes from the OS.
pub fn random_bytes(n: usize) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open("/dev/urandom")?;
    let mut buf = vec![0u8; n];
    f.read_exact(&mut buf)?;
    Ok(buf)
}

/// A random alphanumeric string of `n` characters.
pub fn random_alnum(n: usize) -> std::io::Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    Ok(random_bytes(n)?
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect())
}
