//! One test per HTTPS pre-auth rule, and the token rules of the MQTT front door.

mod common;
use common::*;

fn body_with(method: Option<&str>, sign: &str) -> String {
    let m = method
        .map(|m| format!("&signmethod={m}"))
        .unwrap_or_default();
    format!(
        "productKey={PK}&deviceName={DN}{m}&sign={sign}&version=default&clientId={PK}.{DN}&timestamp={TS}&resources=mqtt"
    )
}

#[test]
fn https_reference_vector_hmacsha1_v210_body() {
    let emu = Emulator::start(&[]);
    // The exact V2.10 body with docs/v210-reference.md §5.1's signature as a literal.
    let v = auth_request(
        &emu,
        "productKey=yfTuLfBJTiL&deviceName=TestDeviceForDemo&signmethod=hmacsha1&sign=97a7d457a539db070210a6edcf5323e2f5d15142&version=default&clientId=yfTuLfBJTiL.TestDeviceForDemo&timestamp=2524608000000&resources=mqtt",
    );
    assert_eq!(code(&v), 200, "{v}");
    assert_eq!(v["message"], "success");
    emu.wait_line(
        "AUTH-OK device=yfTuLfBJTiL/TestDeviceForDemo;signmethod=hmacsha1",
        5,
    );
}

#[test]
fn https_reference_vector_hmacmd5() {
    let emu = Emulator::start(&[]);
    let v = auth_request(
        &emu,
        &body_with(Some("hmacmd5"), "949768ad63f69349bb4e04e02f56a5a5"),
    );
    assert_eq!(code(&v), 200, "{v}");
}

#[test]
fn https_signmethod_absent_assumes_hmacmd5() {
    let emu = Emulator::start(&[]);
    let v = auth_request(&emu, &body_with(None, "949768ad63f69349bb4e04e02f56a5a5"));
    assert_eq!(code(&v), 200, "{v}");
    emu.wait_line("AUTH-OK;signmethod=hmacmd5", 5);
    // A sha1 signature without signmethod is checked as md5, so it fails.
    let v = auth_request(
        &emu,
        &body_with(None, "97a7d457a539db070210a6edcf5323e2f5d15142"),
    );
    assert_eq!(code(&v), 401, "{v}");
}

#[test]
fn https_wrong_signature_401() {
    let emu = Emulator::start(&[]);
    let v = auth_request(
        &emu,
        &body_with(Some("hmacsha1"), "97a7d457a539db070210a6edcf5323e2f5d15143"),
    );
    assert_eq!(code(&v), 401, "{v}");
    emu.wait_line(
        "AUTH-FAIL rule=wrong-signature code=401;device=yfTuLfBJTiL/TestDeviceForDemo",
        5,
    );
}

#[test]
fn https_missing_parameter_460() {
    let emu = Emulator::start(&[]);
    let v = auth_request(
        &emu,
        &format!("productKey={PK}&deviceName={DN}&sign=00&timestamp={TS}"),
    );
    assert_eq!(code(&v), 460, "{v}");
    emu.wait_line(
        "AUTH-FAIL rule=missing-parameter code=460;clientId missing",
        5,
    );
}

#[test]
fn https_malformed_parameter_460() {
    let emu = Emulator::start(&[]);
    let v = auth_request(
        &emu,
        &format!("{}&productKey=again", v210_auth_body("hmacsha1")),
    );
    assert_eq!(code(&v), 460, "{v}");
    emu.wait_line("AUTH-FAIL rule=malformed-parameter code=460;repeated", 5);
    let v = auth_request(&emu, &body_with(Some("hmacsha1"), "00").replace(TS, "soon"));
    assert_eq!(code(&v), 460, "{v}");
    emu.wait_line("AUTH-FAIL rule=malformed-parameter code=460;timestamp", 5);
}

#[test]
fn https_unsupported_signmethod_6200() {
    let emu = Emulator::start(&[]);
    let v = auth_request(&emu, &body_with(Some("hmacsha256"), "00"));
    assert_eq!(code(&v), 6200, "{v}");
    emu.wait_line("AUTH-FAIL rule=unsupported-signmethod code=6200", 5);
}

#[test]
fn https_unknown_device_5001() {
    let emu = Emulator::start(&[]);
    let sign = password("hmacsha1", "x", PK, "Nobody", TS, DS);
    let v = auth_request(
        &emu,
        &format!("productKey={PK}&deviceName=Nobody&signmethod=hmacsha1&sign={sign}&clientId=x&timestamp={TS}"),
    );
    assert_eq!(code(&v), 5001, "{v}");
    emu.wait_line(
        "AUTH-FAIL rule=unknown-device code=5001;device=yfTuLfBJTiL/Nobody",
        5,
    );
}

#[test]
fn https_internal_failure_500() {
    let emu = Emulator::start(&["--test-internal-failure"]);
    let v = auth_request(&emu, &v210_auth_body("hmacsha1"));
    assert_eq!(code(&v), 500, "{v}");
    emu.wait_line("AUTH-FAIL rule=internal-failure code=500", 5);
}

// ------------------------------------------------------------ tokens

#[test]
fn token_issue_and_use() {
    let emu = Emulator::start(&[]);
    let v = auth_request(&emu, &v210_auth_body("hmacsha1"));
    assert_eq!(code(&v), 200, "{v}");
    let d = &v["data"];
    let id = d["iotId"].as_str().unwrap();
    let token = d["iotToken"].as_str().unwrap();
    assert!(!id.is_empty() && !token.is_empty());
    assert_eq!(
        d["resources"]["mqtt"]["host"],
        "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com"
    );
    assert_eq!(
        d["resources"]["mqtt"]["port"].as_u64(),
        Some(emu.mqtts.unwrap().port() as u64)
    );
    let line = emu.wait_line("AUTH-OK device=yfTuLfBJTiL/TestDeviceForDemo", 5);
    assert!(!line.contains(token), "token must not be logged");
    let (mut c, code) = tls_connect(&emu, &token_connect(id, token, 60));
    assert_eq!(code, 0);
    assert!(c.ping());
    emu.wait_line(
        "ACCEPT device=yfTuLfBJTiL/TestDeviceForDemo;transport=tls;securemode=-1;auth=token",
        5,
    );
}

#[test]
fn announce_mqtt_endpoint_is_configurable() {
    let emu = Emulator::start(&["--announce-mqtt", "{pk}.example.test:8883"]);
    let v = auth_request(&emu, &v210_auth_body("hmacsha1"));
    assert_eq!(
        v["data"]["resources"]["mqtt"]["host"],
        "yfTuLfBJTiL.example.test"
    );
    assert_eq!(v["data"]["resources"]["mqtt"]["port"].as_u64(), Some(8883));
}

#[test]
fn invalid_token_forgery_connack_3() {
    let emu = Emulator::start(&[]);
    let (id, token) = get_token(&emu);
    let mut forged = token.clone().into_bytes();
    forged[0] = if forged[0] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    let (_c, code) = tls_connect(&emu, &token_connect(&id, &forged, 60));
    assert_eq!(code, 3);
    emu.wait_line(
        "REFUSE rule=invalid-token code=3;iotToken does not match",
        5,
    );
    let (_c, code) = tls_connect(&emu, &token_connect("NoSuchIotId00000000", &token, 60));
    assert_eq!(code, 3);
    emu.wait_line("REFUSE rule=invalid-token code=3;unknown iotId", 5);
}

#[test]
fn expired_token_connack_3() {
    // Tokens valid 120 emulated seconds, time 60x: expired after 2 s.
    let emu = Emulator::start(&["--token-validity-secs", "120", "--time-scale", "60"]);
    let (id, token) = get_token(&emu);
    let (c, code) = tls_connect(&emu, &token_connect(&id, &token, 300));
    assert_eq!(code, 0, "fresh token accepted");
    drop(c);
    std::thread::sleep(std::time::Duration::from_millis(2300));
    let (_c, code) = tls_connect(&emu, &token_connect(&id, &token, 300));
    assert_eq!(code, 3);
    emu.wait_line(
        "REFUSE rule=expired-token code=3;device=yfTuLfBJTiL/TestDeviceForDemo",
        5,
    );
}

#[test]
fn token_keepalive_still_checked() {
    let emu = Emulator::start(&[]);
    let (id, token) = get_token(&emu);
    let (_c, code) = tls_connect(&emu, &token_connect(&id, &token, 30));
    assert_eq!(code, 3);
    emu.wait_line("REFUSE rule=keepalive-out-of-range code=3", 5);
}

#[test]
fn internal_failure_connack_3_when_injected() {
    let emu = Emulator::start(&["--test-internal-failure"]);
    let (_c, code) = tls_connect(&emu, &direct_connect(2, "hmacsha1", 60));
    assert_eq!(code, 3);
    emu.wait_line("REFUSE rule=internal-failure code=3", 5);
}

#[test]
fn https_wrong_path_404() {
    let emu = Emulator::start(&[]);
    let s = std::net::TcpStream::connect(emu.https.unwrap()).unwrap();
    let mut t = tls_connector().connect(AUTH_HOST, s).unwrap();
    use std::io::{Read, Write};
    t.write_all(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut r = String::new();
    let _ = t.read_to_string(&mut r);
    assert!(r.starts_with("HTTP/1.1 404"), "{r}");
}
