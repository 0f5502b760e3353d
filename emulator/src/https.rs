//! The HTTPS pre-authentication endpoint: `POST /auth/devicename`, form-encoded.
//! Always answers HTTP 200 with a JSON body whose `code` carries the result.

use crate::ev;
use crate::log::q;
use crate::sign::{self, SignMethod};
use crate::state::{lock, random_alnum, random_bytes, Shared, Token};
use native_tls::TlsAcceptor;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

const MAX_HEADERS: usize = 16 * 1024;
const MAX_BODY: usize = 16 * 1024;

pub fn serve(listener: TcpListener, acceptor: Arc<TlsAcceptor>, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        match stream {
            Ok(s) => {
                let shared = shared.clone();
                let acceptor = acceptor.clone();
                let _ = thread::Builder::new()
                    .name("https-conn".into())
                    .spawn(move || handle(s, &acceptor, &shared));
            }
            Err(e) => {
                ev!("ERROR listener=https error={}", q(&e.to_string()));
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

struct Request {
    method: String,
    path: String,
    host: Option<String>,
    body: Vec<u8>,
}

fn read_request(r: &mut impl Read) -> Result<Request, String> {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 2048];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if buf.len() > MAX_HEADERS {
            return Err("headers too large".into());
        }
        let n = r.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before the request was complete".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or("");
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut content_length = 0usize;
    let mut host = None;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim();
            if k == "content-length" {
                content_length = v.parse().map_err(|_| "bad Content-Length".to_string())?;
            } else if k == "host" {
                host = Some(v.to_string());
            }
        }
    }
    if content_length > MAX_BODY {
        return Err("body too large".into());
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < content_length {
        let n = r.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before the body was complete".into());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(content_length);
    Ok(Request {
        method,
        path,
        host,
        body,
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Parses a form body; errors are malformed parameters.
pub fn parse_form(body: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in body.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("parameter {part:?} has no ="))?;
        let k = percent_decode(k).ok_or("bad percent-encoding")?;
        let v = percent_decode(v).ok_or("bad percent-encoding")?;
        if out.iter().any(|(k2, _)| *k2 == k) {
            return Err(format!("parameter {k} repeated"));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn error_json(code: u32, message: &str) -> String {
    format!(
        "{{\"code\":{code},\"data\":{{}},\"message\":{}}}",
        json_str(message)
    )
}

struct Fail {
    rule: &'static str,
    code: u32,
    message: &'static str,
    detail: String,
    device: Option<String>,
}

fn fail(rule: &'static str, code: u32, message: &'static str, detail: impl Into<String>) -> Fail {
    Fail {
        rule,
        code,
        message,
        detail: detail.into(),
        device: None,
    }
}

const PARAM: (u32, &str) = (460, "param error");

/// Region named by the request's Host header (`iot-auth.<region>.aliyuncs.com`).
fn region_of(host: Option<&str>) -> String {
    host.and_then(|h| h.split(':').next())
        .and_then(|h| h.strip_prefix("iot-auth."))
        .and_then(|h| h.strip_suffix(".aliyuncs.com"))
        .filter(|r| !r.is_empty() && !r.contains('.'))
        .unwrap_or("cn-shanghai")
        .to_string()
}

fn authenticate(req: &Request, shared: &Shared) -> Result<String, Fail> {
    let body = std::str::from_utf8(&req.body)
        .map_err(|_| fail("malformed-parameter", PARAM.0, PARAM.1, "body is not text"))?;
    let params = parse_form(body).map_err(|d| fail("malformed-parameter", PARAM.0, PARAM.1, d))?;
    let get = |k: &str| {
        params
            .iter()
            .find(|(k2, _)| k2 == k)
            .map(|(_, v)| v.as_str())
    };
    for k in ["productKey", "deviceName", "clientId", "sign"] {
        match get(k) {
            None | Some("") => {
                return Err(fail(
                    "missing-parameter",
                    PARAM.0,
                    PARAM.1,
                    format!("{k} missing"),
                ))
            }
            Some(_) => {}
        }
    }
    let pk = get("productKey").unwrap_or_default();
    let dn = get("deviceName").unwrap_or_default();
    let dev = format!("{pk}/{dn}");
    let with_dev = |mut f: Fail| {
        f.device = Some(dev.clone());
        f
    };
    if let Some(ts) = get("timestamp") {
        if ts.is_empty() || !ts.bytes().all(|b| b.is_ascii_digit()) {
            return Err(with_dev(fail(
                "malformed-parameter",
                PARAM.0,
                PARAM.1,
                format!("timestamp={ts} is not a number"),
            )));
        }
    }
    let sm = get("signmethod").unwrap_or("hmacmd5");
    let method = SignMethod::parse(sm).ok_or_else(|| {
        with_dev(fail(
            "unsupported-signmethod",
            6200,
            "auth type mismatch",
            format!("signmethod={sm}"),
        ))
    })?;
    let Some(secret) = shared.secret(pk, dn) else {
        return Err(with_dev(fail(
            "unknown-device",
            5001,
            "meta device not found",
            "device not registered",
        )));
    };
    let pairs: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "version" | "sign" | "resources" | "signmethod"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let expected = sign::hmac_hex(method, secret, &sign::content(&pairs));
    if !sign::matches(&expected, get("sign").unwrap_or_default()) {
        return Err(with_dev(fail(
            "wrong-signature",
            401,
            "request auth error",
            format!("sign is not the {} signature", method.name()),
        )));
    }
    let internal = |d: String| with_dev(fail("internal-failure", 500, "unknown error", d));
    if shared.settings.test_internal_failure {
        return Err(internal("--test-internal-failure".into()));
    }
    let iot_id = random_alnum(20).map_err(|e| internal(format!("random: {e}")))?;
    let token = hex::encode(random_bytes(16).map_err(|e| internal(format!("random: {e}")))?);
    let region = region_of(req.host.as_deref());
    let host = match &shared.settings.announce_host {
        Some(h) => h.replace("{pk}", pk).replace("{region}", &region),
        None => format!("{pk}.iot-as-mqtt.{region}.aliyuncs.com"),
    };
    let port = shared.settings.announce_port;
    lock(&shared.tokens).insert(
        iot_id.clone(),
        Token {
            token: token.clone(),
            pk: pk.to_string(),
            dn: dn.to_string(),
            issued: shared.clock.now(),
        },
    );
    ev!(
        "AUTH-OK device={dev} signmethod={} iotId={iot_id} mqtt={host}:{port} valid={:.0}s",
        method.name(),
        shared.settings.token_validity_secs
    );
    Ok(format!(
        "{{\"code\":200,\"data\":{{\"iotId\":{},\"iotToken\":{},\"resources\":{{\"mqtt\":{{\"host\":{},\"port\":{port}}}}}}},\"message\":\"success\"}}",
        json_str(&iot_id),
        json_str(&token),
        json_str(&host)
    ))
}

fn respond(w: &mut impl Write, status: &str, body: &str) {
    let msg = format!(
        "HTTP/1.1 {status}\r\nServer: iotmqtt-emulator\r\nContent-Type: application/json;charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = w.write_all(msg.as_bytes());
    let _ = w.flush();
}

fn handle(raw: TcpStream, acceptor: &TlsAcceptor, shared: &Shared) {
    let peer = raw
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into());
    let _ = raw.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = raw.set_write_timeout(Some(Duration::from_secs(10)));
    let mut s = match acceptor.accept(raw) {
        Ok(s) => s,
        Err(e) => {
            ev!(
                "TLS-FAIL transport=https peer={peer} error={}",
                q(&e.to_string())
            );
            return;
        }
    };
    let req = match read_request(&mut s) {
        Ok(r) => r,
        Err(e) => {
            ev!("HTTP-BAD peer={peer} error={}", q(&e));
            respond(&mut s, "400 Bad Request", &error_json(400, "bad request"));
            return;
        }
    };
    if req.path.split('?').next() != Some("/auth/devicename") {
        ev!("HTTP-BAD peer={peer} path={} error=not-found", q(&req.path));
        respond(&mut s, "404 Not Found", &error_json(404, "not found"));
        return;
    }
    if req.method != "POST" {
        ev!(
            "HTTP-BAD peer={peer} method={} error=method-not-allowed",
            q(&req.method)
        );
        respond(
            &mut s,
            "405 Method Not Allowed",
            &error_json(405, "method not allowed"),
        );
        return;
    }
    match authenticate(&req, shared) {
        Ok(body) => respond(&mut s, "200 OK", &body),
        Err(f) => {
            ev!(
                "AUTH-FAIL rule={} code={} device={} peer={peer} detail={}",
                f.rule,
                f.code,
                f.device.as_deref().unwrap_or("-"),
                q(&f.detail)
            );
            respond(&mut s, "200 OK", &error_json(f.code, f.message));
        }
    }
    let _ = s.shutdown();
}
