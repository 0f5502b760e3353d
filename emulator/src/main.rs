//! iotmqtt-emulator: a local stand-in for the Alibaba IoT Platform's connection
//! front door (MQTT CONNECT checks, HTTPS pre-auth), proxying accepted MQTT
//! connections to a real broker. For tests and demos; not for production.

mod broker;
mod certs;
mod https;
mod log;
mod mqtt;
mod sign;
mod state;

use log::q;
use native_tls::{Identity, TlsAcceptor};
use state::{Clock, Settings, Shared};
use std::collections::HashMap;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;

const USAGE: &str = "\
iotmqtt-emulator: local stand-in for the Alibaba IoT Platform front door (tests only)

USAGE: iotmqtt-emulator [OPTIONS]

Devices:
  --device PK:DN:DS          register a device (repeatable)
  --devices FILE             register devices from FILE: one `pk dn ds` per line, # comments
Listeners (ADDR may use port 0; the real ports are printed in the READY line):
  --mqtt ADDR                plain TCP MQTT front door (securemode=3)
  --mqtts ADDR               TLS MQTT front door (securemode=2, or -1 after HTTPS pre-auth)
  --https ADDR               HTTPS pre-auth endpoint (POST /auth/devicename)
TLS:
  --cert PEM --key PEM       server certificate (chain) and private key
  --generate-certs DIR       write DIR/ca.pem, DIR/server.pem, DIR/server.key (openssl CLI)
                             and use them; names include *.iot-as-mqtt.<region>.aliyuncs.com,
                             iot-auth.<region>.aliyuncs.com, localhost, 127.0.0.1
Behaviour:
  --broker HOST:PORT         external MQTT broker (default: a private mosquitto on loopback)
  --mosquitto PATH           the mosquitto binary to start (default: PATH, /usr/sbin)
  --announce-mqtt HOST:PORT  MQTT endpoint announced by pre-auth ({pk}, {region} replaced;
                             default {pk}.iot-as-mqtt.<region>.aliyuncs.com:<mqtts port>)
  --token-validity-secs N    iotToken validity (default 604800 = 7 days)
  --time-scale F             test only: emulated time runs F times faster (keepalive, tokens)
  --test-internal-failure    test only: every otherwise valid request hits an internal failure
  --log FILE                 also append the log lines to FILE
  -h, --help                 this text

Log lines (stderr): READY, CA, BROKER, BROKER-LOG, BROKER-EXIT, STOP, ACCEPT,
REFUSE rule=.. code=.., CLOSE, TAKEOVER, KEEPALIVE-WARN, KEEPALIVE-DROP, AUTH-OK,
AUTH-FAIL rule=.. code=.., TLS-FAIL, HTTP-BAD.
Needs mosquitto installed unless --broker is given; it is stopped with the emulator.
The READY line is also printed on stdout.
";

#[derive(Default)]
struct Options {
    devices: Vec<(String, String, String)>,
    mqtt: Option<String>,
    mqtts: Option<String>,
    https: Option<String>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    generate_certs: Option<PathBuf>,
    broker: Option<String>,
    mosquitto: Option<PathBuf>,
    announce: Option<String>,
    token_validity: Option<f64>,
    time_scale: Option<f64>,
    test_internal_failure: bool,
    log: Option<String>,
}

fn parse_device(s: &str) -> Result<(String, String, String), String> {
    // The product key has no ':'; the secret has none either; the device name may.
    let (pk, rest) = s.split_once(':').ok_or("expected PK:DN:DS")?;
    let (dn, ds) = rest.rsplit_once(':').ok_or("expected PK:DN:DS")?;
    if pk.is_empty() || dn.is_empty() || ds.is_empty() {
        return Err("expected PK:DN:DS with non-empty parts".into());
    }
    Ok((pk.into(), dn.into(), ds.into()))
}

fn read_devices_file(path: &str) -> Result<Vec<(String, String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() != 3 {
            return Err(format!("{path}:{}: expected `pk dn ds`", i + 1));
        }
        out.push((parts[0].into(), parts[1].into(), parts[2].into()));
    }
    Ok(out)
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            "--device" => o.devices.push(parse_device(&val("--device")?)?),
            "--devices" => o.devices.extend(read_devices_file(&val("--devices")?)?),
            "--mqtt" => o.mqtt = Some(val("--mqtt")?),
            "--mqtts" => o.mqtts = Some(val("--mqtts")?),
            "--https" => o.https = Some(val("--https")?),
            "--cert" => o.cert = Some(val("--cert")?.into()),
            "--key" => o.key = Some(val("--key")?.into()),
            "--generate-certs" => o.generate_certs = Some(val("--generate-certs")?.into()),
            "--broker" => o.broker = Some(val("--broker")?),
            "--mosquitto" => o.mosquitto = Some(val("--mosquitto")?.into()),
            "--announce-mqtt" => o.announce = Some(val("--announce-mqtt")?),
            "--token-validity-secs" => {
                let v = val("--token-validity-secs")?;
                o.token_validity = Some(
                    v.parse::<f64>()
                        .ok()
                        .filter(|x| *x > 0.0)
                        .ok_or(format!("--token-validity-secs {v}: not a positive number"))?,
                );
            }
            "--time-scale" => {
                let v = val("--time-scale")?;
                o.time_scale = Some(
                    v.parse::<f64>()
                        .ok()
                        .filter(|x| *x > 0.0 && x.is_finite())
                        .ok_or(format!("--time-scale {v}: not a positive number"))?,
                );
            }
            "--test-internal-failure" => o.test_internal_failure = true,
            "--log" => o.log = Some(val("--log")?),
            other => return Err(format!("unknown argument {other} (see --help)")),
        }
    }
    if o.mqtt.is_none() && o.mqtts.is_none() && o.https.is_none() {
        return Err("give at least one of --mqtt, --mqtts, --https (see --help)".into());
    }
    if o.broker.is_some() && o.mosquitto.is_some() {
        return Err("--broker and --mosquitto exclude each other".into());
    }
    Ok(o)
}

fn bind(addr: &str, what: &str) -> Result<TcpListener, String> {
    TcpListener::bind(addr).map_err(|e| format!("{what} {addr}: {e}"))
}

/// SIGINT, SIGTERM and SIGHUP stop the emulator and the mosquitto it started. They are
/// blocked in every thread (threads inherit the mask; child processes get a clean one)
/// and taken by one thread with sigwait, so the stop is ordinary code, not a handler.
fn watch_signals() -> Result<(), String> {
    // SAFETY: plain libc calls on a local, initialised signal set.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, s);
        }
        let rc = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if rc != 0 {
            return Err(format!("pthread_sigmask: error {rc}"));
        }
        set
    };
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || loop {
            let mut sig: libc::c_int = 0;
            // SAFETY: `set` and `sig` are valid for the call.
            if unsafe { libc::sigwait(&set, &mut sig) } == 0 {
                ev!("STOP signal={sig}");
                broker::stop();
                std::process::exit(128 + sig);
            }
        })
        .map(|_| ())
        .map_err(|e| format!("signal thread: {e}"))
}

fn run() -> Result<(), String> {
    // Before any other thread exists, so that all of them have the signals blocked.
    watch_signals()?;
    let o = parse_args()?;
    if let Some(l) = &o.log {
        log::open_file(l).map_err(|e| format!("--log {l}: {e}"))?;
    }
    let mut devices = HashMap::new();
    for (pk, dn, ds) in &o.devices {
        devices.insert((pk.clone(), dn.clone()), ds.clone());
    }

    let need_tls = o.mqtts.is_some() || o.https.is_some();
    let acceptor = if need_tls {
        let (cert, key) = match (&o.generate_certs, &o.cert, &o.key) {
            (Some(dir), None, None) => {
                let g = certs::generate(dir)?;
                ev!("CA path={}", g.ca.display());
                (g.cert, g.key)
            }
            (None, Some(c), Some(k)) => (c.clone(), k.clone()),
            _ => {
                return Err(
                    "TLS listeners need either --cert and --key, or --generate-certs DIR".into(),
                )
            }
        };
        let cert_pem = std::fs::read(&cert).map_err(|e| format!("{}: {e}", cert.display()))?;
        let key_pem = certs::read_key_pkcs8(&key)?;
        let id = Identity::from_pkcs8(&cert_pem, &key_pem)
            .map_err(|e| format!("certificate/key: {e}"))?;
        Some(Arc::new(
            TlsAcceptor::new(id).map_err(|e| format!("TLS setup: {e}"))?,
        ))
    } else {
        if let Some(dir) = &o.generate_certs {
            let g = certs::generate(dir)?;
            ev!("CA path={}", g.ca.display());
        }
        None
    };

    let broker: SocketAddr = match &o.broker {
        Some(b) => {
            let a = b
                .to_socket_addrs()
                .map_err(|e| format!("--broker {b}: {e}"))?
                .next()
                .ok_or(format!("--broker {b}: no address"))?;
            ev!("BROKER kind=external addr={a}");
            a
        }
        None => {
            let m = broker::start_mosquitto(&broker::find(o.mosquitto.as_deref())?)?;
            ev!(
                "BROKER kind=mosquitto addr={} pid={} program={}",
                m.addr,
                m.pid,
                q(&m.program.display().to_string())
            );
            m.addr
        }
    };

    let mqtt = o.mqtt.as_deref().map(|a| bind(a, "--mqtt")).transpose()?;
    let mqtts = o.mqtts.as_deref().map(|a| bind(a, "--mqtts")).transpose()?;
    let https = o.https.as_deref().map(|a| bind(a, "--https")).transpose()?;
    let addr_of = |l: &Option<TcpListener>| {
        l.as_ref()
            .and_then(|l| l.local_addr().ok())
            .map(|a| a.to_string())
            .unwrap_or_else(|| "-".into())
    };
    let (mqtt_a, mqtts_a, https_a) = (addr_of(&mqtt), addr_of(&mqtts), addr_of(&https));

    let (announce_host, announce_port) = match &o.announce {
        Some(hp) => {
            let (h, p) = hp
                .rsplit_once(':')
                .ok_or(format!("--announce-mqtt {hp}: expected HOST:PORT"))?;
            let p: u16 = p
                .parse()
                .map_err(|_| format!("--announce-mqtt {hp}: bad port"))?;
            (Some(h.to_string()), p)
        }
        None => {
            let port = mqtts
                .as_ref()
                .or(mqtt.as_ref())
                .and_then(|l| l.local_addr().ok())
                .map(|a| a.port())
                .unwrap_or(1883);
            (None, port)
        }
    };
    let scale = o.time_scale.unwrap_or(1.0);
    let shared = Arc::new(Shared::new(
        devices,
        Clock::new(scale),
        Settings {
            broker,
            token_validity_secs: o.token_validity.unwrap_or(7.0 * 24.0 * 3600.0),
            announce_host,
            announce_port,
            test_internal_failure: o.test_internal_failure,
        },
    ));

    let mut handles = Vec::new();
    if let Some(l) = mqtt {
        let s = shared.clone();
        handles.push(thread::spawn(move || {
            mqtt::serve(l, mqtt::Transport::Tcp, None, s)
        }));
    }
    if let Some(l) = mqtts {
        let s = shared.clone();
        let acc = acceptor.clone();
        handles.push(thread::spawn(move || {
            mqtt::serve(l, mqtt::Transport::Tls, acc, s)
        }));
    }
    if let (Some(l), Some(acc)) = (https, acceptor.clone()) {
        let s = shared.clone();
        handles.push(thread::spawn(move || https::serve(l, acc, s)));
    }

    let ready = format!(
        "READY mqtt={mqtt_a} mqtts={mqtts_a} https={https_a} broker={broker} devices={} time-scale={scale}",
        shared.devices.len()
    );
    log::event(&ready);
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{ready}");
        let _ = out.flush();
    }
    for h in handles {
        let _ = h.join();
    }
    broker::stop();
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        broker::stop();
        log::event(&format!("FATAL {}", log::q(&e)));
        eprintln!("iotmqtt-emulator: {e}");
        std::process::exit(2);
    }
}
