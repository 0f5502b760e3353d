//! One line per event, to stderr and optionally to a file. Lines start with an
//! upper-case event word followed by `key=value` fields, so they can be grepped.
//! Secrets (device secrets, passwords, tokens, signatures) are never logged.

use std::fs::File;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

static LOG_FILE: OnceLock<Mutex<File>> = OnceLock::new();
static STDERR_LOCK: Mutex<()> = Mutex::new(());

/// Opens the optional log file (append mode). Call once at start-up.
pub fn open_file(path: &str) -> std::io::Result<()> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let _ = LOG_FILE.set(Mutex::new(f));
    Ok(())
}

/// Writes one event line.
pub fn event(line: &str) {
    let line = line.replace(['\n', '\r'], " ");
    {
        let _g = STDERR_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
        let _ = err.flush();
    }
    if let Some(f) = LOG_FILE.get() {
        let mut f = f.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(f, "{line}");
        let _ = f.flush();
    }
}

/// Formats a value for a `key=value` field: quoted when it contains spaces,
/// quotes or is empty.
pub fn q(v: &str) -> String {
    if v.is_empty() || v.contains([' ', '"', '=']) {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        v.to_string()
    }
}

#[macro_export]
macro_rules! ev {
    ($($arg:tt)*) => { $crate::log::event(&format!($($arg)*)) };
}
