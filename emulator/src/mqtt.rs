//! The MQTT front door: reads the first packet (CONNECT, MQTT 3.1.1), checks it as
//! the platform guide describes, answers faults with a CONNACK code and a `REFUSE`
//! line naming the rule, and proxies accepted connections byte-for-byte to the broker.

use crate::ev;
use crate::log::q;
use crate::sign::{self, SignMethod};
use crate::state::{lock, SessionCtl, Shared};
use native_tls::{TlsAcceptor, TlsStream};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Largest CONNECT accepted (client id, username, password and will fit easily).
const MAX_CONNECT: usize = 64 * 1024;
/// Real time a client gets to send CONNECT after the TCP/TLS connection.
const CONNECT_WAIT: Duration = Duration::from_secs(10);
/// Read slice while proxying (bounds keepalive checks and TLS writer waits).
const SLICE: Duration = Duration::from_millis(50);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Transport {
    Tcp,
    Tls,
}

impl Transport {
    pub fn name(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        }
    }
}

/// Accept loop of one front-door listener.
pub fn serve(
    listener: TcpListener,
    transport: Transport,
    acceptor: Option<Arc<TlsAcceptor>>,
    shared: Arc<Shared>,
) {
    for stream in listener.incoming() {
        match stream {
            Ok(s) => {
                let shared = shared.clone();
                let acceptor = acceptor.clone();
                let _ = thread::Builder::new()
                    .name("mqtt-conn".into())
                    .spawn(move || handle(s, transport, acceptor, shared));
            }
            Err(e) => {
                ev!(
                    "ERROR listener={} error={}",
                    transport.name(),
                    q(&e.to_string())
                );
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

enum Conn {
    Tcp(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Tcp(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// The parsed CONNECT packet.
#[derive(Debug)]
pub struct Connect {
    pub proto_name: String,
    pub level: u8,
    pub flags: u8,
    pub keepalive: u16,
    pub client_id: String,
    pub will: Option<(String, Vec<u8>)>,
    pub username: Option<String>,
    pub password: Option<Vec<u8>>,
}

/// Why a CONNECT is refused.
#[derive(Debug)]
pub struct Refusal {
    pub rule: &'static str,
    pub code: u8,
    pub detail: String,
    pub device: Option<String>,
}

fn refuse(rule: &'static str, code: u8, detail: impl Into<String>) -> Refusal {
    Refusal {
        rule,
        code,
        detail: detail.into(),
        device: None,
    }
}

/// A CONNECT that passed every check.
#[derive(Debug)]
pub struct Accepted {
    pub pk: String,
    pub dn: String,
    pub securemode: i32,
    pub auth: String,
}

enum PacketError {
    Io(io::Error),
    Malformed(&'static str),
}

fn read_packet(r: &mut impl Read, max: usize) -> Result<(u8, Vec<u8>), PacketError> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b).map_err(PacketError::Io)?;
    let header = b[0];
    let mut len: usize = 0;
    let mut shift = 0;
    loop {
        r.read_exact(&mut b).map_err(PacketError::Io)?;
        len |= ((b[0] & 0x7f) as usize) << shift;
        if b[0] & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 21 {
            return Err(PacketError::Malformed(
                "remaining length longer than 4 bytes",
            ));
        }
    }
    if len > max {
        return Err(PacketError::Malformed("packet too large"));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).map_err(PacketError::Io)?;
    Ok((header, body))
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn u8(&mut self) -> Result<u8, &'static str> {
        let v = *self.buf.get(self.pos).ok_or("truncated CONNECT")?;
        self.pos += 1;
        Ok(v)
    }
    fn u16(&mut self) -> Result<u16, &'static str> {
        Ok(((self.u8()? as u16) << 8) | self.u8()? as u16)
    }
    fn bytes(&mut self) -> Result<&'a [u8], &'static str> {
        let n = self.u16()? as usize;
        let end = self.pos.checked_add(n).ok_or("truncated CONNECT")?;
        let s = self.buf.get(self.pos..end).ok_or("truncated CONNECT")?;
        self.pos = end;
        Ok(s)
    }
    fn string(&mut self) -> Result<String, &'static str> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| "string is not UTF-8")
    }
}

/// Parses the body of a CONNECT packet. Errors are malformed packets.
pub fn parse_connect(body: &[u8]) -> Result<Connect, &'static str> {
    let mut c = Cursor { buf: body, pos: 0 };
    let proto_name = c.string()?;
    let level = c.u8()?;
    let flags = c.u8()?;
    let keepalive = c.u16()?;
    if proto_name != "MQTT" || level != 4 {
        // Do not read further: other protocol versions lay out the rest differently.
        return Ok(Connect {
            proto_name,
            level,
            flags,
            keepalive,
            client_id: String::new(),
            will: None,
            username: None,
            password: None,
        });
    }
    if flags & 0x01 != 0 {
        return Err("reserved CONNECT flag set");
    }
    let client_id = c.string()?;
    let will = if flags & 0x04 != 0 {
        let topic = c.string()?;
        let msg = c.bytes()?.to_vec();
        Some((topic, msg))
    } else {
        if flags & 0x38 != 0 {
            return Err("will QoS/retain set without will flag");
        }
        None
    };
    let username = if flags & 0x80 != 0 {
        Some(c.string()?)
    } else {
        None
    };
    let password = if flags & 0x40 != 0 {
        if username.is_none() {
            return Err("password flag without user name flag");
        }
        Some(c.bytes()?.to_vec())
    } else {
        None
    };
    if c.pos != body.len() {
        return Err("trailing bytes after CONNECT payload");
    }
    Ok(Connect {
        proto_name,
        level,
        flags,
        keepalive,
        client_id,
        will,
        username,
        password,
    })
}

type Extension = Vec<(String, String)>;

/// Splits `<id>|k=v,k=v|` into the id and the extension fields.
pub fn split_client_id(cid: &str) -> Result<(String, Extension), String> {
    let Some(bar) = cid.find('|') else {
        return Err("client id has no |...| extension".into());
    };
    let id = &cid[..bar];
    let Some(ext) = cid[bar + 1..].strip_suffix('|') else {
        return Err("client id extension not terminated by |".into());
    };
    if ext.contains('|') {
        return Err("client id extension contains |".into());
    }
    let mut fields: Extension = Vec::new();
    if !ext.is_empty() {
        for part in ext.split(',') {
            let Some((k, v)) = part.split_once('=') else {
                return Err(format!("extension field {part:?} has no ="));
            };
            if k.is_empty() {
                return Err("extension field with empty name".into());
            }
            if fields.iter().any(|(k2, _)| k2 == k) {
                return Err(format!("extension field {k} repeated"));
            }
            fields.push((k.to_string(), v.to_string()));
        }
    }
    Ok((id.to_string(), fields))
}

fn field<'a>(ext: &'a Extension, name: &str) -> Option<&'a str> {
    ext.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Applies the platform's CONNECT rules.
pub fn check(c: &Connect, transport: Transport, shared: &Shared) -> Result<Accepted, Refusal> {
    if c.proto_name != "MQTT" || c.level != 4 {
        return Err(refuse(
            "unsupported-protocol-version",
            1,
            format!(
                "protocol {} level {} (MQTT 3.1.1 required)",
                c.proto_name, c.level
            ),
        ));
    }
    let (id, ext) =
        split_client_id(&c.client_id).map_err(|d| refuse("malformed-clientid-extension", 2, d))?;
    if id.is_empty() {
        return Err(refuse(
            "missing-parameter",
            2,
            "clientId (before |) is empty",
        ));
    }
    if id.len() > 64 {
        return Err(refuse(
            "malformed-parameter",
            2,
            "clientId longer than 64 characters",
        ));
    }
    let sm = field(&ext, "securemode")
        .ok_or_else(|| refuse("missing-parameter", 2, "securemode missing"))?;
    let securemode: i32 = match sm {
        "-1" => -1,
        "2" => 2,
        "3" => 3,
        _ => {
            return Err(refuse(
                "malformed-parameter",
                2,
                format!("securemode={sm} (expected -1, 2 or 3)"),
            ))
        }
    };
    let consistent = match transport {
        Transport::Tcp => securemode == 3,
        Transport::Tls => securemode == 2 || securemode == -1,
    };
    if !consistent {
        return Err(refuse(
            "securemode-transport-mismatch",
            2,
            format!("securemode={securemode} over {}", transport.name()),
        ));
    }
    let username = c
        .username
        .as_deref()
        .ok_or_else(|| refuse("missing-parameter", 2, "user name missing"))?;
    let password = c
        .password
        .as_deref()
        .ok_or_else(|| refuse("missing-parameter", 2, "password missing"))?;
    let password = std::str::from_utf8(password)
        .map_err(|_| refuse("malformed-parameter", 2, "password is not text"))?;

    let accepted = if securemode == -1 {
        // After HTTPS pre-auth: user name = iotId, password = iotToken.
        let tokens = lock(&shared.tokens);
        let Some(t) = tokens.get(username) else {
            return Err(refuse("invalid-token", 3, "unknown iotId"));
        };
        let dev = format!("{}/{}", t.pk, t.dn);
        if !sign::matches(&t.token, password) {
            let mut r = refuse("invalid-token", 3, "iotToken does not match iotId");
            r.device = Some(dev);
            return Err(r);
        }
        let age = shared.clock.now() - t.issued;
        if age > shared.settings.token_validity_secs {
            let mut r = refuse(
                "expired-token",
                3,
                format!(
                    "iotToken expired ({:.0}s old, valid {:.0}s)",
                    age, shared.settings.token_validity_secs
                ),
            );
            r.device = Some(dev);
            return Err(r);
        }
        Accepted {
            pk: t.pk.clone(),
            dn: t.dn.clone(),
            securemode,
            auth: "token".into(),
        }
    } else {
        // Absent, the platform assumes hmacmd5 (the guide; docs/requirements.md "Credentials").
        let sm = field(&ext, "signmethod").unwrap_or("hmacmd5");
        let method = SignMethod::parse(sm).ok_or_else(|| {
            refuse(
                "unsupported-signmethod",
                2,
                format!("signmethod={sm} (hmacsha1 or hmacmd5)"),
            )
        })?;
        let ts = field(&ext, "timestamp");
        if let Some(ts) = ts {
            if ts.is_empty() || !ts.bytes().all(|b| b.is_ascii_digit()) {
                return Err(refuse(
                    "malformed-parameter",
                    2,
                    format!("timestamp={ts} is not a number"),
                ));
            }
        }
        let (dn, pk) = match username.split_once('&') {
            Some((dn, pk)) if !dn.is_empty() && !pk.is_empty() && !pk.contains('&') => (dn, pk),
            _ => {
                return Err(refuse(
                    "malformed-parameter",
                    2,
                    format!("user name {username:?} is not deviceName&productKey"),
                ))
            }
        };
        let dev = format!("{pk}/{dn}");
        let Some(secret) = shared.secret(pk, dn) else {
            let mut r = refuse("unknown-device", 5, "device not registered");
            r.device = Some(dev);
            return Err(r);
        };
        let mut pairs = vec![
            ("clientId", id.as_str()),
            ("deviceName", dn),
            ("productKey", pk),
        ];
        if let Some(ts) = ts {
            pairs.push(("timestamp", ts));
        }
        let expected = sign::hmac_hex(method, secret, &sign::content(&pairs));
        if !sign::matches(&expected, password) {
            let mut r = refuse(
                "wrong-signature",
                4,
                format!("password is not the {} signature", method.name()),
            );
            r.device = Some(dev);
            return Err(r);
        }
        Accepted {
            pk: pk.to_string(),
            dn: dn.to_string(),
            securemode,
            auth: method.name().into(),
        }
    };
    if !(60..=300).contains(&c.keepalive) {
        let mut r = refuse(
            "keepalive-out-of-range",
            3,
            format!("keepalive={}s (60-300 s)", c.keepalive),
        );
        r.device = Some(format!("{}/{}", accepted.pk, accepted.dn));
        return Err(r);
    }
    Ok(accepted)
}

fn connack(code: u8) -> [u8; 4] {
    [0x20, 0x02, 0x00, code]
}

fn encode_remaining(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let mut b = (n % 128) as u8;
        n /= 128;
        if n > 0 {
            b |= 0x80;
        }
        out.push(b);
        if n == 0 {
            break;
        }
    }
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u16).to_be_bytes());
    out.extend_from_slice(b);
}

/// The CONNECT sent to the broker: same flags, keepalive and will; the client id
/// is `<pk>.<dn>` (one broker session per device); no user name or password.
fn upstream_connect(c: &Connect, a: &Accepted) -> Vec<u8> {
    let cid: String = format!("{}.{}", a.pk, a.dn)
        .chars()
        .map(|ch| if "+$#/".contains(ch) { '_' } else { ch })
        .collect();
    let mut body = Vec::new();
    put_bytes(&mut body, b"MQTT");
    body.push(4);
    body.push(c.flags & 0x3e);
    body.extend_from_slice(&c.keepalive.to_be_bytes());
    put_bytes(&mut body, cid.as_bytes());
    if let Some((topic, msg)) = &c.will {
        put_bytes(&mut body, topic.as_bytes());
        put_bytes(&mut body, msg);
    }
    let mut out = vec![0x10];
    encode_remaining(body.len(), &mut out);
    out.extend_from_slice(&body);
    out
}

fn handle(
    raw: TcpStream,
    transport: Transport,
    acceptor: Option<Arc<TlsAcceptor>>,
    shared: Arc<Shared>,
) {
    let session = shared.next_session_id();
    let peer = raw
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into());
    let tname = transport.name();
    let _ = raw.set_nodelay(true);
    let _ = raw.set_read_timeout(Some(CONNECT_WAIT));
    let _ = raw.set_write_timeout(Some(Duration::from_secs(30)));
    let Ok(raw_ctl) = raw.try_clone() else {
        return;
    };
    let mut conn = match (transport, acceptor) {
        (Transport::Tls, Some(acc)) => match acc.accept(raw) {
            Ok(s) => Conn::Tls(Box::new(s)),
            Err(e) => {
                ev!(
                    "TLS-FAIL session={session} transport={tname} peer={peer} error={}",
                    q(&e.to_string())
                );
                return;
            }
        },
        _ => Conn::Tcp(raw),
    };
    let (header, body) = match read_packet(&mut conn, MAX_CONNECT) {
        Ok(p) => p,
        Err(PacketError::Io(e)) => {
            ev!(
                "CLOSE session={session} transport={tname} peer={peer} reason=no-connect error={}",
                q(&e.to_string())
            );
            return;
        }
        Err(PacketError::Malformed(d)) => {
            ev!("REFUSE rule=malformed-packet code=none session={session} transport={tname} peer={peer} detail={}", q(d));
            return;
        }
    };
    if header != 0x10 {
        ev!(
            "REFUSE rule=not-connect code=none session={session} transport={tname} peer={peer} detail={}",
            q(&format!("first packet type {} is not CONNECT", header >> 4))
        );
        return;
    }
    let c = match parse_connect(&body) {
        Ok(c) => c,
        Err(d) => {
            ev!("REFUSE rule=malformed-packet code=none session={session} transport={tname} peer={peer} detail={}", q(d));
            return;
        }
    };
    let refuse_with = |conn: &mut Conn, r: Refusal| {
        ev!(
            "REFUSE rule={} code={} session={session} transport={tname} device={} clientid={} peer={peer} detail={}",
            r.rule,
            r.code,
            r.device.as_deref().unwrap_or("-"),
            q(&c.client_id),
            q(&r.detail)
        );
        let _ = conn.write_all(&connack(r.code));
        let _ = conn.flush();
    };
    let a = match check(&c, transport, &shared) {
        Ok(a) => a,
        Err(r) => return refuse_with(&mut conn, r),
    };
    let device = format!("{}/{}", a.pk, a.dn);
    let internal = |detail: String| Refusal {
        rule: "internal-failure",
        code: 3,
        detail,
        device: Some(device.clone()),
    };
    if shared.settings.test_internal_failure {
        return refuse_with(&mut conn, internal("--test-internal-failure".into()));
    }

    // A second connection of the same device takes the first offline. Without the
    // order lock, an older session's broker CONNECT could arrive after the newer one's,
    // and the broker (one client id per device) would drop the newer one instead.
    let order = shared.connect_order(&a.pk, &a.dn);
    let ctl = SessionCtl::new(session);
    ctl.add_socket(&raw_ctl);
    let key = (a.pk.clone(), a.dn.clone());
    if let Some(old) = lock(&shared.sessions).insert(key.clone(), ctl.clone()) {
        if old.close("takeover") {
            ev!(
                "TAKEOVER device={device} old-session={} new-session={session}",
                old.id
            );
        }
    }
    let remove_me = || {
        let mut m = lock(&shared.sessions);
        if m.get(&key).is_some_and(|s| s.id == session) {
            m.remove(&key);
        }
    };

    let broker = shared.settings.broker;
    let up = connect_upstream(broker, &upstream_connect(&c, &a));
    drop(order);
    let up = match up {
        Ok(x) => x,
        Err(e) => {
            remove_me();
            return refuse_with(&mut conn, internal(format!("broker {broker}: {e}")));
        }
    };
    let (up, ack) = up;
    ctl.add_socket(&up);
    if conn.write_all(&ack).and_then(|_| conn.flush()).is_err() {
        ctl.close("client-error");
    } else {
        ev!(
            "ACCEPT device={device} session={session} transport={tname} securemode={} auth={} keepalive={} clientid={} peer={peer}",
            a.securemode,
            a.auth,
            c.keepalive,
            q(&c.client_id)
        );
        let _ = raw_ctl.set_read_timeout(Some(SLICE));
        proxy(conn, up, &ctl, &shared, &device, c.keepalive);
    }
    remove_me();
    ev!(
        "CLOSE device={device} session={session} transport={tname} reason={}",
        ctl.reason()
    );
}

/// Connects to the broker, sends CONNECT and returns the stream and the broker's
/// CONNACK bytes (only a CONNACK with code 0 is accepted).
fn connect_upstream(broker: SocketAddr, connect: &[u8]) -> io::Result<(TcpStream, Vec<u8>)> {
    let mut s = TcpStream::connect_timeout(&broker, Duration::from_secs(5))?;
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(connect)?;
    let mut ack = [0u8; 4];
    s.read_exact(&mut ack)?;
    if ack[0] != 0x20 || ack[1] != 0x02 {
        return Err(io::Error::other("broker did not answer with CONNACK"));
    }
    if ack[3] != 0 {
        return Err(io::Error::other(format!(
            "broker refused with CONNACK {}",
            ack[3]
        )));
    }
    s.set_read_timeout(None)?;
    Ok((s, ack.to_vec()))
}

enum ClientSide {
    Tcp(TcpStream),
    Tls {
        s: Mutex<Box<TlsStream<TcpStream>>>,
        writers: AtomicUsize,
    },
}

impl ClientSide {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            ClientSide::Tcp(s) => (&*s).read(buf),
            ClientSide::Tls { s, writers } => {
                // Let a waiting writer in between read slices.
                while writers.load(Ordering::SeqCst) > 0 {
                    thread::sleep(Duration::from_millis(1));
                }
                lock(s).read(buf)
            }
        }
    }

    fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        match self {
            ClientSide::Tcp(s) => (&*s).write_all(buf),
            ClientSide::Tls { s, writers } => {
                writers.fetch_add(1, Ordering::SeqCst);
                let mut g = lock(s);
                writers.fetch_sub(1, Ordering::SeqCst);
                g.write_all(buf)?;
                g.flush()
            }
        }
    }
}

fn proxy(
    conn: Conn,
    up: TcpStream,
    ctl: &Arc<SessionCtl>,
    shared: &Shared,
    device: &str,
    keepalive: u16,
) {
    let client = Arc::new(match conn {
        Conn::Tcp(s) => ClientSide::Tcp(s),
        Conn::Tls(s) => ClientSide::Tls {
            s: Mutex::new(s),
            writers: AtomicUsize::new(0),
        },
    });
    let Ok(up_r) = up.try_clone() else {
        ctl.close("internal-error");
        return;
    };
    // broker -> client
    let down = {
        let client = client.clone();
        let ctl = ctl.clone();
        thread::Builder::new()
            .name("mqtt-down".into())
            .spawn(move || {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    match (&up_r).read(&mut buf) {
                        Ok(0) | Err(_) => {
                            ctl.close("broker-closed");
                            break;
                        }
                        Ok(n) => {
                            if client.write_all(&buf[..n]).is_err() {
                                ctl.close("client-error");
                                break;
                            }
                        }
                    }
                }
            })
    };
    // client -> broker, watching for silence.
    let ka = keepalive as f64;
    let session = ctl.id;
    let mut last = Instant::now();
    let mut warned = false;
    let mut buf = vec![0u8; 16 * 1024];
    while !ctl.is_closed() {
        match client.read(&mut buf) {
            Ok(0) => {
                ctl.close("client-closed");
                break;
            }
            Ok(n) => {
                last = Instant::now();
                warned = false;
                if (&up).write_all(&buf[..n]).is_err() {
                    ctl.close("broker-closed");
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => {
                ctl.close("client-error");
                break;
            }
        }
        let silent = shared.clock.since(last);
        if silent >= 1.5 * ka {
            if ctl.close("keepalive") {
                ev!("KEEPALIVE-DROP device={device} session={session} silent={silent:.1}s keepalive={keepalive}s limit={:.1}s", 1.5 * ka);
            }
            break;
        }
        if silent >= ka && !warned {
            warned = true;
            ev!("KEEPALIVE-WARN device={device} session={session} silent={silent:.1}s keepalive={keepalive}s");
        }
    }
    ctl.close("client-closed");
    if let Ok(h) = down {
        let _ = h.join();
    }
}
