//! Reads make.settings (the V2.10 feature flags), turns the MQTT flags into cfgs, checks that the
//! cargo features agree, and generates include/iotmqtt_generated.h with cbindgen.

#[path = "src/make_settings.rs"]
#[allow(dead_code)]
mod make_settings;

use std::env;
use std::path::{Path, PathBuf};
use std::process::exit;

use make_settings::TlsBackend;

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    println!("cargo::rerun-if-env-changed=IOTMQTT_MAKE_SETTINGS");
    let settings_path = match env::var("IOTMQTT_MAKE_SETTINGS") {
        Ok(p) if !p.is_empty() => root.join(p),
        _ => root.join("make.settings"),
    };
    println!("cargo::rerun-if-changed={}", settings_path.display());
    let text = std::fs::read_to_string(&settings_path).unwrap_or_else(|e| {
        fail(&format!("cannot read {}: {e}", settings_path.display()));
    });
    let settings = make_settings::parse(&settings_path.display().to_string(), &text)
        .unwrap_or_else(|e| fail(&e.to_string()));
    for (line, flag) in &settings.ignored {
        println!(
            "cargo::warning={}:{line}: ignored: {flag} (not part of MQTT; iotmqtt builds only the MQTT client)",
            settings_path.display()
        );
    }

    for cfg in [
        "iotmqtt_tls",
        "iotmqtt_direct",
        "iotmqtt_tls_hal",
        "iotmqtt_tls_native",
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    if settings.tls {
        println!("cargo::rustc-cfg=iotmqtt_tls");
    }
    if settings.direct {
        println!("cargo::rustc-cfg=iotmqtt_direct");
    }
    check_features(&settings, &settings_path);
    if settings.tls {
        match settings.tls_backend {
            TlsBackend::Hal => println!("cargo::rustc-cfg=iotmqtt_tls_hal"),
            TlsBackend::Native => println!("cargo::rustc-cfg=iotmqtt_tls_native"),
        }
    }

    generate_header(&root);
}

/// A cfg cannot add a dependency, so CMake passes cargo features from the same file; they must agree.
fn check_features(settings: &make_settings::Settings, path: &Path) {
    let hal = env::var_os("CARGO_FEATURE_TLS_HAL").is_some();
    let native = env::var_os("CARGO_FEATURE_TLS_NATIVE").is_some();
    let (want_hal, want_native) = match (settings.tls, settings.tls_backend) {
        (false, _) => (false, false),
        (true, TlsBackend::Hal) => (true, false),
        (true, TlsBackend::Native) => (false, true),
    };
    if (hal, native) != (want_hal, want_native) {
        let wanted = match (want_hal, want_native) {
            (true, _) => "--features tls-hal",
            (_, true) => "--features tls-native",
            _ => "neither tls-hal nor tls-native",
        };
        fail(&format!(
            "{}: cargo features disagree with make.settings (TLS {}, FEATURE_TLS_BACKEND = {}): build with {wanted} (the CMake build derives the features from make.settings)",
            path.display(),
            if settings.tls { "on" } else { "off" },
            match settings.tls_backend {
                TlsBackend::Hal => "hal",
                TlsBackend::Native => "native",
            }
        ));
    }
}

fn generate_header(root: &Path) {
    println!("cargo::rerun-if-changed=cbindgen.toml");
    println!("cargo::rerun-if-changed=src/ffi");
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml"))
        .unwrap_or_else(|e| fail(&format!("cbindgen.toml: {e}")));
    let bindings = cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .unwrap_or_else(|e| fail(&format!("cbindgen: {e}")));
    // Written only when it changed, so the committed header stays byte-identical and mtimes stay put.
    bindings.write_to_file(root.join("include/iotmqtt_generated.h"));
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    println!("cargo::error={message}");
    exit(1);
}
