//! HTTPS pre-authentication over native-tls against a local TLS server (certificates made at
//! test time by tests/tls/gen_certs.sh): IOT_SetupConnInfo fills the connection info from the
//! reply; a server the CA does not vouch for, a refused signature and a server that closes
//! early each fail with -1 and their log line.

use std::ffi::{c_char, c_void, CStr, CString};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Mutex;

use super::{test_cert, tls_acceptor};
use crate::ffi::types::iotx_conn_info_t;
use crate::ffi::IOT_SetupConnInfo;
use crate::tests::hal_rig::{log_lines, redirect};

extern "C" {
    fn IOT_SetCACert(pem: *const c_char) -> i32;
}

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
const AUTH_HOST: &str = "iot-auth.cn-shanghai.aliyuncs.com";

/// Serves one HTTPS exchange with certificate `cert`: returns the request it read.
fn auth_server(cert: &str, reply: Option<String>) -> (u16, std::thread::JoinHandle<String>) {
    let acceptor = tls_acceptor(cert);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let Ok(mut tls) = acceptor.accept(tcp) else {
            return String::new(); // the client refused the certificate
        };
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(11).any(|w| w == b"&resources=") {
            match tls.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        // "resources=mqtt" ends the body.
        while !request.ends_with(b"mqtt") {
            match tls.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        if let Some(body) = reply {
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            tls.write_all(response.as_bytes()).unwrap();
        }
        let _ = tls.shutdown();
        String::from_utf8_lossy(&request).into_owned()
    });
    (port, handle)
}

fn setup_conn_info(pk: &CStr) -> (i32, *mut c_void) {
    let mut info: *mut c_void = std::ptr::null_mut();
    // SAFETY: NUL-terminated strings, a writable pointer.
    let rc = unsafe {
        IOT_SetupConnInfo(
            pk.as_ptr(),
            c"gdev".as_ptr(),
            c"gsecret".as_ptr(),
            &mut info,
        )
    };
    (rc, info)
}

fn trust(name: &str) {
    let pem = CString::new(test_cert(name)).unwrap();
    // SAFETY: a NUL-terminated PEM.
    assert_eq!(unsafe { IOT_SetCACert(pem.as_ptr()) }, 0);
}

fn text(field: &[c_char]) -> String {
    // SAFETY: NUL-terminated arrays.
    unsafe { CStr::from_ptr(field.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

const OK_REPLY: &str = r#"{"code":200,"data":{"iotId":"gid-42","iotToken":"gtoken-43","resources":{"mqtt":{"host":"mqtt.example.test","port":8883}}},"message":"success"}"#;

#[test]
fn pre_authentication_fills_the_conn_info_from_the_reply() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    super::debug_log();
    trust("ca.pem");
    let (port, server) = auth_server("server", Some(OK_REPLY.to_string()));
    redirect(AUTH_HOST, port);
    let (rc, info) = setup_conn_info(c"gpk1");
    let request = server.join().unwrap();
    assert_eq!(rc, 0, "{:?}", log_lines("HTTPS pre-authentication"));
    assert!(
        request.starts_with("POST /auth/devicename HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(request.contains("productKey=gpk1&deviceName=gdev&signmethod=hmacsha1&sign="));
    // SAFETY: success: info points at the static struct.
    let i = unsafe { &*(info as *const iotx_conn_info_t) };
    assert_eq!(text(&i.host_name), "mqtt.example.test");
    assert_eq!(i.port, 8883);
    assert_eq!(text(&i.username), "gid-42");
    assert_eq!(text(&i.password), "gtoken-43");
    assert!(!i.pub_key.is_null(), "TLS: the CA goes into pub_key");
    assert!(!log_lines("HTTPS pre-authentication of gpk1.gdev succeeded").is_empty());
    assert!(
        log_lines("gtoken-43").is_empty(),
        "the token is never logged"
    );
    // SAFETY: NULL restores the built-in CA.
    assert_eq!(unsafe { IOT_SetCACert(std::ptr::null()) }, 0);
}

#[test]
fn pre_authentication_failures_return_minus_1_with_their_reason() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    super::debug_log();
    // A server certificate from a CA that is not trusted.
    trust("other-ca.pem");
    let (port, server) = auth_server("server", Some(OK_REPLY.to_string()));
    redirect(AUTH_HOST, port);
    let (rc, info) = setup_conn_info(c"gpk2");
    server.join().unwrap();
    assert_eq!((rc, info), (-1, std::ptr::null_mut()));
    assert!(!log_lines("HTTPS pre-authentication of gpk2.gdev: cannot open TLS").is_empty());
    assert!(!log_lines("server certificate rejected").is_empty());

    // A trusted server whose reply refuses the signature.
    trust("ca.pem");
    let refused = r#"{"code":401,"message":"sign check error"}"#.to_string();
    let (port, server) = auth_server("server", Some(refused));
    redirect(AUTH_HOST, port);
    assert_eq!(setup_conn_info(c"gpk3").0, -1);
    assert!(server.join().unwrap().contains("productKey=gpk3"));
    assert!(!log_lines("HTTPS pre-authentication of gpk3.gdev: ")
        .iter()
        .any(|l| l.contains("succeeded")));

    // A server that closes without a reply.
    let (port, server) = auth_server("server", None);
    redirect(AUTH_HOST, port);
    assert_eq!(setup_conn_info(c"gpk4").0, -1);
    server.join().unwrap();
    assert!(!log_lines("HTTPS pre-authentication of gpk4.gdev: ").is_empty());
    // SAFETY: NULL restores the built-in CA.
    assert_eq!(unsafe { IOT_SetCACert(std::ptr::null()) }, 0);
}
