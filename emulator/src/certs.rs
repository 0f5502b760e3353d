//! Local test certificates, made with the `openssl` command-line tool: a CA and a
//! server certificate whose names cover the real Alibaba host names (so clients that
//! verify host names against them succeed through a redirect), `localhost` and
//! 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const REGIONS: [&str; 5] = [
    "cn-shanghai",
    "ap-southeast-1",
    "ap-northeast-1",
    "us-west-1",
    "eu-central-1",
];

/// The subjectAltName value of the server certificate.
pub fn subject_alt_names() -> String {
    let mut names = Vec::new();
    for r in REGIONS {
        names.push(format!("DNS:*.iot-as-mqtt.{r}.aliyuncs.com"));
        names.push(format!("DNS:iot-as-mqtt.{r}.aliyuncs.com"));
        names.push(format!("DNS:iot-auth.{r}.aliyuncs.com"));
    }
    names.push("DNS:localhost".into());
    names.push("IP:127.0.0.1".into());
    names.push("IP:::1".into());
    names.join(",")
}

pub struct Generated {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn run(args: &[&str]) -> Result<(), String> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "openssl {} failed: {}",
            args.first().copied().unwrap_or(""),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

fn p(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("path {path:?} is not UTF-8"))
}

/// Writes `ca.pem`, `ca.key`, `server.pem`, `server.key` into `dir`.
pub fn generate(dir: &Path) -> Result<Generated, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let ca = dir.join("ca.pem");
    let ca_key = dir.join("ca.key");
    let cert = dir.join("server.pem");
    let key = dir.join("server.key");
    let csr = dir.join("server.csr");
    let ext = dir.join("server.ext");
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha256",
        "-days",
        "3650",
        "-keyout",
        p(&ca_key)?,
        "-out",
        p(&ca)?,
        "-subj",
        "/O=iotmqtt emulator/CN=iotmqtt emulator local CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ])?;
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha256",
        "-keyout",
        p(&key)?,
        "-out",
        p(&csr)?,
        "-subj",
        "/O=iotmqtt emulator/CN=iot-as-mqtt.cn-shanghai.aliyuncs.com",
    ])?;
    std::fs::write(
        &ext,
        format!(
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName={}\n",
            subject_alt_names()
        ),
    )
    .map_err(|e| format!("{}: {e}", ext.display()))?;
    let serial = format!(
        "0x{}",
        hex::encode(crate::state::random_bytes(8).map_err(|e| e.to_string())?)
    );
    run(&[
        "x509",
        "-req",
        "-sha256",
        "-days",
        "825",
        "-in",
        p(&csr)?,
        "-CA",
        p(&ca)?,
        "-CAkey",
        p(&ca_key)?,
        "-set_serial",
        &serial,
        "-extfile",
        p(&ext)?,
        "-out",
        p(&cert)?,
    ])?;
    let _ = std::fs::remove_file(&csr);
    let _ = std::fs::remove_file(&ext);
    Ok(Generated { ca, cert, key })
}

/// Reads a PEM private key, converting a traditional (PKCS#1 / SEC1) key to PKCS#8,
/// which native-tls requires.
pub fn read_key_pkcs8(path: &Path) -> Result<Vec<u8>, String> {
    let key = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if key.starts_with(b"-----BEGIN PRIVATE KEY-----") {
        return Ok(key);
    }
    let out = Command::new("openssl")
        .args(["pkcs8", "-topk8", "-nocrypt", "-in", p(path)?])
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{}: cannot convert the key to PKCS#8: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}
