//! Test helpers: start the emulator, read its log, a tiny raw MQTT 3.1.1 client
//! and raw HTTPS requests. Nothing here uses the iotmqtt library.
#![allow(dead_code)]

use hmac::{Hmac, KeyInit, Mac};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub const EXE: &str = env!("CARGO_BIN_EXE_iotmqtt-emulator");

/// The sample device of docs/v210-reference.md §5.1.
pub const PK: &str = "yfTuLfBJTiL";
pub const DN: &str = "TestDeviceForDemo";
pub const DS: &str = "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c";
pub const TS: &str = "2524608000000";

/// The V2.10 client id for the sample device.
pub fn v210_client_id(securemode: i32, signmethod: &str) -> String {
    format!("{PK}.{DN}|securemode={securemode},timestamp={TS},signmethod={signmethod},gw=0,ext=0|")
}

pub fn hmac_hex(method: &str, key: &str, content: &str) -> String {
    match method {
        "hmacsha1" => {
            let mut m = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key.as_bytes()).unwrap();
            m.update(content.as_bytes());
            hex::encode(m.finalize().into_bytes())
        }
        "hmacmd5" => {
            let mut m = <Hmac<md5::Md5> as KeyInit>::new_from_slice(key.as_bytes()).unwrap();
            m.update(content.as_bytes());
            hex::encode(m.finalize().into_bytes())
        }
        other => panic!("no such method {other}"),
    }
}

/// Password for a direct-mode CONNECT.
pub fn password(method: &str, client_id: &str, pk: &str, dn: &str, ts: &str, ds: &str) -> String {
    hmac_hex(
        method,
        ds,
        &format!("clientId{client_id}deviceName{dn}productKey{pk}timestamp{ts}"),
    )
}

/// A CA, server certificate and key shared by the tests of one test binary,
/// made by the emulator's own `--generate-certs`.
pub struct Certs {
    pub dir: PathBuf,
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn certs() -> &'static Certs {
    static C: OnceLock<Certs> = OnceLock::new();
    C.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("iotmqtt-emu-certs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let emu = Emulator::start_raw(&[
            "--generate-certs",
            dir.to_str().unwrap(),
            "--mqtt",
            "127.0.0.1:0",
        ]);
        emu.wait_line("CA path=", 5);
        drop(emu);
        Certs {
            ca: dir.join("ca.pem"),
            cert: dir.join("server.pem"),
            key: dir.join("server.key"),
            dir,
        }
    })
}

pub struct Emulator {
    child: Child,
    lines: Arc<(Mutex<Vec<String>>, Condvar)>,
    pub mqtt: Option<SocketAddr>,
    pub mqtts: Option<SocketAddr>,
    pub https: Option<SocketAddr>,
    pub broker: Option<SocketAddr>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // SIGTERM lets the emulator stop and reap its mosquitto; SIGKILL if it hangs.
        if self.child.try_wait().ok().flatten().is_none() {
            // SAFETY: a signal to the child process this value owns.
            unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
            if self.wait_exit(5).is_none() {
                let _ = self.child.kill();
            }
        }
        let _ = self.child.wait();
    }
}

fn addr_field(line: &str, key: &str) -> Option<SocketAddr> {
    line.split_whitespace()
        .find_map(|f| f.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
}

impl Emulator {
    /// Starts the emulator with all three listeners on port 0, TLS with the shared
    /// certificates, the sample device registered, plus `extra` arguments.
    pub fn start(extra: &[&str]) -> Emulator {
        let c = certs();
        let device = format!("{PK}:{DN}:{DS}");
        let mut args: Vec<&str> = vec![
            "--mqtt",
            "127.0.0.1:0",
            "--mqtts",
            "127.0.0.1:0",
            "--https",
            "127.0.0.1:0",
            "--cert",
            c.cert.to_str().unwrap(),
            "--key",
            c.key.to_str().unwrap(),
            "--device",
            &device,
        ];
        args.extend_from_slice(extra);
        Emulator::start_raw(&args)
    }

    pub fn start_raw(args: &[&str]) -> Emulator {
        let mut cmd = Command::new(EXE);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // Should the test binary be killed (a timeout), its emulators (and so their
        // mosquittos) go with it. The signal comes when the spawning thread ends, which
        // is after the test (and its Drop) is over.
        // SAFETY: only an async-signal-safe call between fork and exec.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("spawn emulator");
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::new((Mutex::new(Vec::<String>::new()), Condvar::new()));
        let l2 = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let (m, cv) = &*l2;
                m.lock().unwrap().push(line);
                cv.notify_all();
            }
        });
        let mut emu = Emulator {
            child,
            lines,
            mqtt: None,
            mqtts: None,
            https: None,
            broker: None,
        };
        let ready = emu.wait_line("READY ", 30);
        emu.mqtt = addr_field(&ready, "mqtt");
        emu.mqtts = addr_field(&ready, "mqtts");
        emu.https = addr_field(&ready, "https");
        emu.broker = addr_field(&ready, "broker");
        emu
    }

    /// Waits for a log line containing every one of the `;`-separated parts of `pattern`.
    pub fn wait_line(&self, pattern: &str, secs: u64) -> String {
        self.try_wait_line(pattern, Duration::from_secs(secs))
            .unwrap_or_else(|| {
                panic!(
                    "no log line matching {pattern:?} within {secs}s; log:\n{}",
                    self.log().join("\n")
                )
            })
    }

    pub fn try_wait_line(&self, pattern: &str, timeout: Duration) -> Option<String> {
        let parts: Vec<&str> = pattern.split(';').collect();
        let deadline = Instant::now() + timeout;
        let (m, cv) = &*self.lines;
        let mut g = m.lock().unwrap();
        loop {
            if let Some(l) = g.iter().find(|l| parts.iter().all(|p| l.contains(p))) {
                return Some(l.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            g = cv.wait_timeout(g, deadline - now).unwrap().0;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `secs` for the emulator to exit.
    pub fn wait_exit(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn log(&self) -> Vec<String> {
        self.lines.0.lock().unwrap().clone()
    }

    /// Waits until `n` log lines contain `needle`; returns the final count.
    pub fn wait_count(&self, needle: &str, n: usize, secs: u64) -> usize {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let c = self.count(needle);
            if c >= n || Instant::now() >= deadline {
                return c;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn count(&self, needle: &str) -> usize {
        self.log().iter().filter(|l| l.contains(needle)).count()
    }
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

// ---------------------------------------------------------------- MQTT client

pub fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s);
}

pub fn remaining(mut n: usize, out: &mut Vec<u8>) {
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

pub fn packet(header: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![header];
    remaining(body.len(), &mut out);
    out.extend_from_slice(body);
    out
}

/// A CONNECT packet (MQTT 3.1.1, clean session).
pub fn connect_packet(
    client_id: &str,
    username: Option<&str>,
    password: Option<&str>,
    keepalive: u16,
) -> Vec<u8> {
    let mut body = Vec::new();
    put_str(&mut body, b"MQTT");
    body.push(4);
    let mut flags = 0x02;
    if username.is_some() {
        flags |= 0x80;
    }
    if password.is_some() {
        flags |= 0x40;
    }
    body.push(flags);
    body.extend_from_slice(&keepalive.to_be_bytes());
    put_str(&mut body, client_id.as_bytes());
    if let Some(u) = username {
        put_str(&mut body, u.as_bytes());
    }
    if let Some(p) = password {
        put_str(&mut body, p.as_bytes());
    }
    packet(0x10, &body)
}

pub trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

pub struct Client {
    pub s: Box<dyn Stream>,
    pub raw: TcpStream,
}

impl Client {
    pub fn tcp(addr: SocketAddr) -> Client {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client {
            raw: s.try_clone().unwrap(),
            s: Box::new(s),
        }
    }

    /// TLS to `addr`, verifying the certificate against the test CA and `host`.
    pub fn tls(addr: SocketAddr, host: &str) -> Client {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let raw = s.try_clone().unwrap();
        let t = tls_connector().connect(host, s).expect("TLS handshake");
        Client {
            s: Box::new(t),
            raw,
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.s.write_all(bytes).unwrap();
        self.s.flush().unwrap();
    }

    /// Reads one packet: (first byte, body). None on EOF or error.
    pub fn read_packet(&mut self) -> Option<(u8, Vec<u8>)> {
        let mut b = [0u8; 1];
        self.s.read_exact(&mut b).ok()?;
        let h = b[0];
        let mut len = 0usize;
        let mut shift = 0;
        loop {
            self.s.read_exact(&mut b).ok()?;
            len |= ((b[0] & 0x7f) as usize) << shift;
            if b[0] & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        let mut body = vec![0u8; len];
        self.s.read_exact(&mut body).ok()?;
        Some((h, body))
    }

    /// Sends CONNECT and returns the CONNACK return code.
    pub fn connect(&mut self, pkt: &[u8]) -> u8 {
        self.send(pkt);
        let (h, body) = self.read_packet().expect("CONNACK");
        assert_eq!(h, 0x20, "expected CONNACK");
        assert_eq!(body.len(), 2);
        body[1]
    }

    /// True when the server has closed the connection (EOF or reset) within `secs`.
    pub fn closed_within(&mut self, secs: u64) -> bool {
        self.raw
            .set_read_timeout(Some(Duration::from_secs(secs)))
            .unwrap();
        let mut b = [0u8; 64];
        loop {
            match self.s.read(&mut b) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e) => {
                    return !matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    )
                }
            }
        }
    }

    pub fn ping(&mut self) -> bool {
        self.send(&[0xc0, 0x00]);
        matches!(self.read_packet(), Some((0xd0, _)))
    }
}

pub fn tls_connector() -> native_tls::TlsConnector {
    let ca = std::fs::read(&certs().ca).unwrap();
    native_tls::TlsConnector::builder()
        .add_root_certificate(native_tls::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap()
}

/// Direct-mode CONNECT of the sample device with the V2.10 client id.
pub fn direct_connect(securemode: i32, method: &str, keepalive: u16) -> Vec<u8> {
    let cid = v210_client_id(securemode, method);
    let pw = password(method, &format!("{PK}.{DN}"), PK, DN, TS, DS);
    connect_packet(&cid, Some(&format!("{DN}&{PK}")), Some(&pw), keepalive)
}

/// Connects over plain TCP and returns the client and CONNACK code.
pub fn tcp_connect(emu: &Emulator, pkt: &[u8]) -> (Client, u8) {
    let mut c = Client::tcp(emu.mqtt.unwrap());
    let code = c.connect(pkt);
    (c, code)
}

pub const MQTT_HOST: &str = "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com";
pub const AUTH_HOST: &str = "iot-auth.cn-shanghai.aliyuncs.com";

/// Connects over TLS (verifying the real MQTT host name) and returns the client and code.
pub fn tls_connect(emu: &Emulator, pkt: &[u8]) -> (Client, u8) {
    let mut c = Client::tls(emu.mqtts.unwrap(), MQTT_HOST);
    let code = c.connect(pkt);
    (c, code)
}

pub fn subscribe_packet(id: u16, filter: &str, qos: u8) -> Vec<u8> {
    let mut body = id.to_be_bytes().to_vec();
    put_str(&mut body, filter.as_bytes());
    body.push(qos);
    packet(0x82, &body)
}

pub fn publish_packet(topic: &str, qos: u8, id: u16, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    put_str(&mut body, topic.as_bytes());
    if qos > 0 {
        body.extend_from_slice(&id.to_be_bytes());
    }
    body.extend_from_slice(payload);
    packet(0x30 | (qos << 1), &body)
}

// ---------------------------------------------------------------- HTTPS

/// POSTs `body` to /auth/devicename as V2.10 does; returns the JSON reply.
pub fn auth_request(emu: &Emulator, body: &str) -> serde_json::Value {
    let s = TcpStream::connect(emu.https.unwrap()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut t = tls_connector()
        .connect(AUTH_HOST, s)
        .expect("TLS handshake");
    let req = format!(
        "POST /auth/devicename HTTP/1.1\r\nHost: {AUTH_HOST}\r\nAccept: text/xml,text/javascript,text/html,application/json\r\nContent-Length: {}\r\nContent-Type: application/x-www-form-urlencoded;charset=utf-8\r\n\r\n{body}",
        body.len()
    );
    t.write_all(req.as_bytes()).unwrap();
    let mut resp = Vec::new();
    let _ = t.read_to_end(&mut resp);
    let resp = String::from_utf8(resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200 "), "reply: {resp}");
    let (_, json) = resp.split_once("\r\n\r\n").expect("header end");
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bad JSON {json:?}: {e}"))
}

/// The V2.10 pre-auth body for the sample device.
pub fn v210_auth_body(method: &str) -> String {
    let sign = password(method, &format!("{PK}.{DN}"), PK, DN, TS, DS);
    format!(
        "productKey={PK}&deviceName={DN}&signmethod={method}&sign={sign}&version=default&clientId={PK}.{DN}&timestamp={TS}&resources=mqtt"
    )
}

pub fn code(v: &serde_json::Value) -> i64 {
    v["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("no code in {v}"))
}

/// Performs the pre-auth and returns (iotId, iotToken).
pub fn get_token(emu: &Emulator) -> (String, String) {
    let v = auth_request(emu, &v210_auth_body("hmacsha1"));
    assert_eq!(code(&v), 200, "{v}");
    (
        v["data"]["iotId"].as_str().unwrap().to_string(),
        v["data"]["iotToken"].as_str().unwrap().to_string(),
    )
}

/// CONNECT with a token (securemode=-1).
pub fn token_connect(iot_id: &str, token: &str, keepalive: u16) -> Vec<u8> {
    connect_packet(
        &v210_client_id(-1, "hmacsha1"),
        Some(iot_id),
        Some(token),
        keepalive,
    )
}
