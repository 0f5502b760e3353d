//! One test per MQTT front-door rule (docs/requirements.md "The local platform emulator").

mod common;
use common::*;
use std::time::{Duration, Instant};

fn user() -> String {
    format!("{DN}&{PK}")
}

// ------------------------------------------------------------ signatures

#[test]
fn guide_vector_hmacsha1_accepted_uppercase_hex() {
    let emu = Emulator::start(&["--device", "pk:device:secret"]);
    let pkt = connect_packet(
        "12345|securemode=3,signmethod=hmacsha1,timestamp=789|",
        Some("device&pk"),
        Some("FAFD82A3D602B37FB0FA8B7892F24A477F851A14"),
        60,
    );
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 0);
    emu.wait_line("ACCEPT device=pk/device;transport=tcp;auth=hmacsha1", 5);
}

#[test]
fn reference_vector_hmacsha1_accepted() {
    let emu = Emulator::start(&[]);
    let pkt = connect_packet(
        "yfTuLfBJTiL.TestDeviceForDemo|securemode=3,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0|",
        Some("TestDeviceForDemo&yfTuLfBJTiL"),
        Some("97a7d457a539db070210a6edcf5323e2f5d15142"),
        60,
    );
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 0);
    emu.wait_line(
        "ACCEPT device=yfTuLfBJTiL/TestDeviceForDemo;auth=hmacsha1",
        5,
    );
}

#[test]
fn reference_vector_hmacmd5_accepted() {
    let emu = Emulator::start(&[]);
    let pkt = connect_packet(
        "yfTuLfBJTiL.TestDeviceForDemo|securemode=3,timestamp=2524608000000,signmethod=hmacmd5,gw=0,ext=0|",
        Some("TestDeviceForDemo&yfTuLfBJTiL"),
        Some("949768ad63f69349bb4e04e02f56a5a5"),
        60,
    );
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 0);
    emu.wait_line(
        "ACCEPT device=yfTuLfBJTiL/TestDeviceForDemo;auth=hmacmd5",
        5,
    );
}

#[test]
fn wrong_signature_connack_4() {
    let emu = Emulator::start(&[]);
    // The md5 signature announced as sha1.
    let pkt = connect_packet(
        &v210_client_id(3, "hmacsha1"),
        Some(&user()),
        Some("949768ad63f69349bb4e04e02f56a5a5"),
        60,
    );
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 4);
    emu.wait_line(
        "REFUSE rule=wrong-signature code=4;device=yfTuLfBJTiL/TestDeviceForDemo",
        5,
    );
}

// ------------------------------------------------------------ parameters

#[test]
fn missing_parameter_connack_2() {
    let emu = Emulator::start(&[]);
    let pw = password("hmacsha1", &format!("{PK}.{DN}"), PK, DN, TS, DS);
    let pkt = connect_packet(
        &format!("{PK}.{DN}|timestamp={TS},signmethod=hmacsha1|"),
        Some(&user()),
        Some(&pw),
        60,
    );
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 2);
    emu.wait_line("REFUSE rule=missing-parameter code=2;securemode missing", 5);
}

#[test]
fn mqtt_signmethod_absent_assumes_hmacmd5() {
    let emu = Emulator::start(&[]);
    let client_id = format!("{PK}.{DN}|securemode=3,timestamp={TS}|");
    let md5 = password("hmacmd5", &format!("{PK}.{DN}"), PK, DN, TS, DS);
    let (_c, code) = tcp_connect(
        &emu,
        &connect_packet(&client_id, Some(&user()), Some(&md5), 60),
    );
    assert_eq!(
        code, 0,
        "an hmacmd5 signature is accepted without signmethod"
    );
    emu.wait_line("ACCEPT device=", 5);
    let sha1 = password("hmacsha1", &format!("{PK}.{DN}"), PK, DN, TS, DS);
    let (_c2, code) = tcp_connect(
        &emu,
        &connect_packet(&client_id, Some(&user()), Some(&sha1), 60),
    );
    assert_eq!(
        code, 4,
        "an hmacsha1 signature is checked as hmacmd5, so it is wrong"
    );
    emu.wait_line("REFUSE rule=wrong-signature code=4", 5);
}

#[test]
fn missing_password_connack_2() {
    let emu = Emulator::start(&[]);
    let pkt = connect_packet(&v210_client_id(3, "hmacsha1"), Some(&user()), None, 60);
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 2);
    emu.wait_line("REFUSE rule=missing-parameter code=2;password missing", 5);
}

#[test]
fn malformed_parameter_connack_2() {
    let emu = Emulator::start(&[]);
    let pkt = connect_packet(
        &format!("{PK}.{DN}|securemode=3,timestamp=12ab,signmethod=hmacsha1|"),
        Some(&user()),
        Some("00"),
        60,
    );
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 2);
    emu.wait_line("REFUSE rule=malformed-parameter code=2;timestamp", 5);
}

#[test]
fn malformed_username_connack_2() {
    let emu = Emulator::start(&[]);
    let pkt = connect_packet(&v210_client_id(3, "hmacsha1"), Some(DN), Some("00"), 60);
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 2);
    emu.wait_line(
        "REFUSE rule=malformed-parameter code=2;deviceName&productKey",
        5,
    );
}

#[test]
fn malformed_clientid_extension_connack_2() {
    let emu = Emulator::start(&[]);
    for cid in [
        format!("{PK}.{DN}"),
        format!("{PK}.{DN}|securemode=3,signmethod=hmacsha1"),
        format!("{PK}.{DN}|securemode=3,signmethod|"),
    ] {
        let pkt = connect_packet(&cid, Some(&user()), Some("00"), 60);
        let (_c, code) = tcp_connect(&emu, &pkt);
        assert_eq!(code, 2, "{cid}");
    }
    assert_eq!(
        emu.wait_count("REFUSE rule=malformed-clientid-extension code=2", 3, 5),
        3
    );
}

#[test]
fn unsupported_signmethod_connack_2() {
    let emu = Emulator::start(&[]);
    let pkt = connect_packet(
        &v210_client_id(3, "hmacsha256"),
        Some(&user()),
        Some("00"),
        60,
    );
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 2);
    emu.wait_line("REFUSE rule=unsupported-signmethod code=2;hmacsha256", 5);
}

// ------------------------------------------------------------ securemode vs transport

#[test]
fn securemode_2_over_tcp_refused_connack_2() {
    let emu = Emulator::start(&[]);
    let (_c, code) = tcp_connect(&emu, &direct_connect(2, "hmacsha1", 60));
    assert_eq!(code, 2);
    emu.wait_line(
        "REFUSE rule=securemode-transport-mismatch code=2;transport=tcp",
        5,
    );
}

#[test]
fn securemode_minus1_over_tcp_refused_connack_2() {
    let emu = Emulator::start(&[]);
    let (id, token) = get_token(&emu);
    let pkt = connect_packet(&v210_client_id(-1, "hmacsha1"), Some(&id), Some(&token), 60);
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 2);
    emu.wait_line(
        "REFUSE rule=securemode-transport-mismatch code=2;transport=tcp",
        5,
    );
}

#[test]
fn securemode_3_over_tls_refused_connack_2() {
    let emu = Emulator::start(&[]);
    let (_c, code) = tls_connect(&emu, &direct_connect(3, "hmacsha1", 60));
    assert_eq!(code, 2);
    emu.wait_line(
        "REFUSE rule=securemode-transport-mismatch code=2;transport=tls",
        5,
    );
}

// ------------------------------------------------------------ front doors

#[test]
fn plain_front_door_securemode_3_accepted() {
    let emu = Emulator::start(&[]);
    let (mut c, code) = tcp_connect(&emu, &direct_connect(3, "hmacsha1", 60));
    assert_eq!(code, 0);
    assert!(c.ping(), "PINGRESP through the broker");
    emu.wait_line(
        "ACCEPT device=yfTuLfBJTiL/TestDeviceForDemo;transport=tcp;securemode=3",
        5,
    );
}

#[test]
fn tls_front_door_securemode_2_accepted() {
    let emu = Emulator::start(&[]);
    let (mut c, code) = tls_connect(&emu, &direct_connect(2, "hmacmd5", 60));
    assert_eq!(code, 0);
    assert!(c.ping(), "PINGRESP through the broker");
    emu.wait_line(
        "ACCEPT device=yfTuLfBJTiL/TestDeviceForDemo;transport=tls;securemode=2;auth=hmacmd5",
        5,
    );
}

#[test]
fn tls_certificate_matches_real_host_names() {
    let emu = Emulator::start(&[]);
    for host in [
        "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com",
        "a1b2c3.iot-as-mqtt.us-west-1.aliyuncs.com",
        "x.iot-as-mqtt.eu-central-1.aliyuncs.com",
        "localhost",
    ] {
        let mut c = Client::tls(emu.mqtts.unwrap(), host);
        assert_eq!(c.connect(&direct_connect(2, "hmacsha1", 60)), 0, "{host}");
    }
    // A name the certificate does not carry fails verification.
    let s = std::net::TcpStream::connect(emu.mqtts.unwrap()).unwrap();
    assert!(tls_connector().connect("example.com", s).is_err());
}

// ------------------------------------------------------------ devices

#[test]
fn unknown_device_connack_5() {
    let emu = Emulator::start(&[]);
    let cid = format!("{PK}.Other|securemode=3,timestamp={TS},signmethod=hmacsha1|");
    let pw = password("hmacsha1", &format!("{PK}.Other"), PK, "Other", TS, DS);
    let pkt = connect_packet(&cid, Some(&format!("Other&{PK}")), Some(&pw), 60);
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 5);
    emu.wait_line(
        "REFUSE rule=unknown-device code=5;device=yfTuLfBJTiL/Other",
        5,
    );
}

#[test]
fn devices_file_registers_devices() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("iotmqtt-emu-devs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("devices.txt");
    std::fs::write(&f, "# pk dn ds\npk device secret\n\n").unwrap();
    let emu = Emulator::start_raw(&["--mqtt", "127.0.0.1:0", "--devices", f.to_str().unwrap()]);
    let pkt = connect_packet(
        "12345|securemode=3,signmethod=hmacsha1,timestamp=789|",
        Some("device&pk"),
        Some("fafd82a3d602b37fb0fa8b7892f24a477f851a14"),
        60,
    );
    let (_c, code) = tcp_connect(&emu, &pkt);
    assert_eq!(code, 0);
}

// ------------------------------------------------------------ keepalive

#[test]
fn keepalive_59_refused_connack_3() {
    let emu = Emulator::start(&[]);
    let (_c, code) = tcp_connect(&emu, &direct_connect(3, "hmacsha1", 59));
    assert_eq!(code, 3);
    emu.wait_line("REFUSE rule=keepalive-out-of-range code=3;keepalive=59s", 5);
}

#[test]
fn keepalive_301_refused_connack_3() {
    let emu = Emulator::start(&[]);
    let (_c, code) = tcp_connect(&emu, &direct_connect(3, "hmacsha1", 301));
    assert_eq!(code, 3);
    emu.wait_line(
        "REFUSE rule=keepalive-out-of-range code=3;keepalive=301s",
        5,
    );
}

#[test]
fn keepalive_60_and_300_accepted() {
    let emu = Emulator::start(&[]);
    let (_a, code) = tcp_connect(&emu, &direct_connect(3, "hmacsha1", 60));
    assert_eq!(code, 0);
    emu.wait_line("ACCEPT;keepalive=60", 5);
    let (_b, code) = tcp_connect(&emu, &direct_connect(3, "hmacsha1", 300));
    assert_eq!(code, 0);
    emu.wait_line("ACCEPT;keepalive=300", 5);
}

#[test]
fn keepalive_silence_warns_at_1x_and_drops_at_1_5x() {
    // 60x time scale: a 60 s keepalive warns after 1 s and drops after 1.5 s.
    let emu = Emulator::start(&["--time-scale", "60"]);
    let start = Instant::now();
    let (mut c, code) = tcp_connect(&emu, &direct_connect(3, "hmacsha1", 60));
    assert_eq!(code, 0);
    let warn = emu.wait_line(
        "KEEPALIVE-WARN device=yfTuLfBJTiL/TestDeviceForDemo;keepalive=60s",
        5,
    );
    let t_warn = start.elapsed();
    assert!(c.closed_within(5), "connection dropped");
    let t_drop = start.elapsed();
    emu.wait_line(
        "KEEPALIVE-DROP device=yfTuLfBJTiL/TestDeviceForDemo;keepalive=60s",
        5,
    );
    emu.wait_line(
        "CLOSE device=yfTuLfBJTiL/TestDeviceForDemo;reason=keepalive",
        5,
    );
    assert!(
        t_warn >= Duration::from_millis(900),
        "warned too early: {t_warn:?} {warn}"
    );
    assert!(
        t_drop >= Duration::from_millis(1400),
        "dropped too early: {t_drop:?}"
    );
    assert!(
        t_drop < Duration::from_secs(4),
        "dropped too late: {t_drop:?}"
    );
}

#[test]
fn keepalive_pings_keep_the_connection() {
    let emu = Emulator::start(&["--time-scale", "60"]);
    let (mut c, code) = tcp_connect(&emu, &direct_connect(3, "hmacsha1", 60));
    assert_eq!(code, 0);
    // A PINGREQ every 0.5 s (30 emulated seconds) for 2.5 s.
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(500));
        assert!(c.ping());
    }
    assert_eq!(emu.count("KEEPALIVE-"), 0, "{:?}", emu.log());
}

// ------------------------------------------------------------ takeover

#[test]
fn takeover_of_older_connection() {
    let emu = Emulator::start(&[]);
    let (mut old, code) = tcp_connect(&emu, &direct_connect(3, "hmacsha1", 60));
    assert_eq!(code, 0);
    let (mut new, code) = tls_connect(&emu, &direct_connect(2, "hmacsha1", 60));
    assert_eq!(code, 0);
    assert!(old.closed_within(5), "older connection taken offline");
    let line = emu.wait_line("TAKEOVER device=yfTuLfBJTiL/TestDeviceForDemo", 5);
    assert!(line.contains("old-session=") && line.contains("new-session="));
    emu.wait_line(
        "CLOSE device=yfTuLfBJTiL/TestDeviceForDemo;reason=takeover",
        5,
    );
    assert!(new.ping(), "the new connection works");
}

// ------------------------------------------------------------ internal failure, protocol

#[test]
fn internal_failure_connack_3() {
    let port = closed_port().to_string();
    let broker = format!("127.0.0.1:{port}");
    let emu = Emulator::start(&["--broker", &broker]);
    let (_c, code) = tcp_connect(&emu, &direct_connect(3, "hmacsha1", 60));
    assert_eq!(code, 3);
    emu.wait_line("REFUSE rule=internal-failure code=3", 5);
}

#[test]
fn protocol_version_3_refused_connack_1() {
    let emu = Emulator::start(&[]);
    let mut body = Vec::new();
    put_str(&mut body, b"MQIsdp");
    body.extend_from_slice(&[3, 0x02, 0, 60]);
    put_str(&mut body, b"x");
    let (_c, code) = tcp_connect(&emu, &packet(0x10, &body));
    assert_eq!(code, 1);
    emu.wait_line("REFUSE rule=unsupported-protocol-version code=1", 5);
}

#[test]
fn first_packet_not_connect_closed() {
    let emu = Emulator::start(&[]);
    let mut c = Client::tcp(emu.mqtt.unwrap());
    c.send(&[0xc0, 0x00]);
    assert!(c.closed_within(5));
    emu.wait_line("REFUSE rule=not-connect", 5);
}

// ------------------------------------------------------------ delivery through the broker

fn delivery(emu: &Emulator) {
    let (mut sub, code) = tls_connect(emu, &direct_connect(2, "hmacsha1", 60));
    assert_eq!(code, 0);
    // A second device publishes.
    let cid = "pub1|securemode=3,signmethod=hmacmd5|";
    let pw = hmac_hex("hmacmd5", "s2", "clientIdpub1deviceNamed2productKeyp2");
    let (mut publ, code) = tcp_connect(emu, &connect_packet(cid, Some("d2&p2"), Some(&pw), 60));
    assert_eq!(code, 0);
    let topic = format!("/{PK}/{DN}/user/get");
    sub.send(&subscribe_packet(7, &topic, 1));
    let (h, body) = sub.read_packet().expect("SUBACK");
    assert_eq!((h, body), (0x90, vec![0, 7, 1]));
    publ.send(&publish_packet(&topic, 1, 9, b"hello emulator"));
    let (h, body) = publ.read_packet().expect("PUBACK");
    assert_eq!((h, body), (0x40, vec![0, 9]));
    let (h, body) = sub.read_packet().expect("PUBLISH");
    assert_eq!(h & 0xf0, 0x30);
    let tlen = u16::from_be_bytes([body[0], body[1]]) as usize;
    assert_eq!(&body[2..2 + tlen], topic.as_bytes());
    assert!(body.ends_with(b"hello emulator"));
}

#[test]
fn publish_delivered_through_started_mosquitto() {
    let emu = Emulator::start(&["--device", "p2:d2:s2"]);
    delivery(&emu);
    emu.wait_line("BROKER kind=mosquitto", 5);
}

/// Kills the child process on drop, so a failing test leaves no broker behind.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn publish_delivered_through_external_mosquitto() {
    // Debian puts mosquitto in /usr/sbin, not always on PATH.
    let program = ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("mosquitto");
    let port = closed_port();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("iotmqtt-emu-mosq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n"),
    )
    .unwrap();
    let _mosq = KillOnDrop(
        std::process::Command::new(program)
            .arg("-c")
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program}: {e} (install mosquitto)")),
    );
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(addr).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let broker = addr.to_string();
    let emu = Emulator::start(&["--device", "p2:d2:s2", "--broker", &broker]);
    delivery(&emu);
    emu.wait_line("BROKER kind=external", 5);
    assert_eq!(emu.count("BROKER kind=mosquitto"), 0);
}
