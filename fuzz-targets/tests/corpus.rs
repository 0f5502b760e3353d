//! Replays every file of `fuzz/corpus/<target>/` through its fuzz target on stable Rust, so a
//! seed or a past finding (saved into the corpus with its fix) keeps being checked without
//! nightly or cargo-fuzz.

use std::path::PathBuf;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "{}: fewer than 5 corpus files",
        dir.display()
    );
    for file in &files {
        let data = std::fs::read(file).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{} failed on {}", target, file.display());
    }
}

#[test]
fn wire_corpus() {
    replay("wire", iotmqtt_fuzz_targets::wire);
}

#[test]
fn engine_corpus() {
    replay("engine", iotmqtt_fuzz_targets::engine);
}

#[test]
fn preauth_reply_corpus() {
    replay("preauth_reply", iotmqtt_fuzz_targets::preauth_reply);
}

#[test]
fn make_settings_corpus() {
    replay("make_settings", iotmqtt_fuzz_targets::make_settings);
}
