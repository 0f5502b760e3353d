//! Logging in V2.10's format (`[tag] function(line): message\r\n`) through `HAL_Printf`, never
//! through Rust's stdout. Lines are formatted into a fixed buffer (no heap) and cut with " ..."
//! when too long. Secrets (device secret, password, token) are never passed here.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, AtomicU8, Ordering};

pub const EMERG: u8 = 0;
pub const CRIT: u8 = 1;
pub const ERROR: u8 = 2;
pub const WARNING: u8 = 3;
pub const INFO: u8 = 4;
pub const DEBUG: u8 = 5;

const TAGS: [&str; 6] = ["emg", "crt", "err", "wrn", "inf", "dbg"];
const LINE_MAX: usize = iotmqtt_engine::limits::LOG_LINE_MAX;

// V2.10: nothing is printed until IOT_OpenLog names the log; the level starts at EMERG.
static OPEN: AtomicBool = AtomicBool::new(false);
static LEVEL: AtomicU8 = AtomicU8::new(EMERG);

pub fn open() {
    OPEN.store(true, Ordering::Relaxed);
    LEVEL.store(EMERG, Ordering::Relaxed);
}

pub fn close() {
    OPEN.store(false, Ordering::Relaxed);
    LEVEL.store(EMERG, Ordering::Relaxed);
}

pub fn set_level(level: u8) {
    LEVEL.store(level.min(DEBUG), Ordering::Relaxed);
}

pub fn enabled(level: u8) -> bool {
    OPEN.load(Ordering::Relaxed) && level <= LEVEL.load(Ordering::Relaxed)
}

/// A line buffer that truncates instead of failing.
struct LineBuf {
    buf: [u8; LINE_MAX],
    len: usize,
    cut: bool,
}

impl Write for LineBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // Room for " ...\r\n" and the NUL.
        let room = LINE_MAX - 7 - self.len;
        // NUL bytes inside a message would end the C string early: replace them.
        for (i, b) in s.bytes().enumerate() {
            if i >= room {
                self.cut = true;
                break;
            }
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = if b == 0 { b'?' } else { b };
                self.len += 1;
            }
        }
        Ok(())
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        crate::text::write_char_as_str(self, c)
    }
}

/// Writes one log line if `level` is enabled. Use the `log_*!` macros; `module` is the caller's
/// `module_path!()` (shortened here, not at each of the many call sites).
pub fn write(level: u8, module: &'static str, line: u32, args: fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    let function = short_module(module);
    let tag = TAGS.get(usize::from(level)).copied().unwrap_or("dbg");
    let mut out = LineBuf {
        buf: [0; LINE_MAX],
        len: 0,
        cut: false,
    };
    // The prefix piece by piece: `write!` with `{}` would send each &str through
    // `Formatter::pad`, for widths no one asked for.
    for piece in ["[", tag, "] ", function, "("] {
        let _ = out.write_str(piece);
    }
    let _ = write!(out, "{line}): ");
    let _ = out.write_fmt(args);
    let tail: &[u8] = if out.cut { b" ...\r\n\0" } else { b"\r\n\0" };
    for &b in tail {
        if let Some(slot) = out.buf.get_mut(out.len) {
            *slot = b;
            out.len += 1;
        }
    }
    if let Ok(text) = core::ffi::CStr::from_bytes_until_nul(&out.buf) {
        crate::hal::print(text);
    }
}

/// The last path segment of the calling module, used as V2.10's function field.
fn short_module(path: &'static str) -> &'static str {
    // Bytes, not a `&str` pattern: str searching would add ~2 KB to a firmware image.
    match path.as_bytes().windows(2).rposition(|w| w == b"::") {
        Some(at) => path.get(at + 2..).unwrap_or(path),
        None => path,
    }
}

#[macro_export]
#[doc(hidden)]
macro_rules! log_at {
    ($level:expr, $($arg:tt)*) => {
        $crate::log::write($level, module_path!(), line!(), format_args!($($arg)*))
    };
}
#[macro_export]
#[doc(hidden)]
macro_rules! log_err { ($($arg:tt)*) => { $crate::log_at!($crate::log::ERROR, $($arg)*) }; }
#[macro_export]
#[doc(hidden)]
macro_rules! log_warn { ($($arg:tt)*) => { $crate::log_at!($crate::log::WARNING, $($arg)*) }; }
#[macro_export]
#[doc(hidden)]
macro_rules! log_info { ($($arg:tt)*) => { $crate::log_at!($crate::log::INFO, $($arg)*) }; }
#[macro_export]
#[doc(hidden)]
macro_rules! log_debug { ($($arg:tt)*) => { $crate::log_at!($crate::log::DEBUG, $($arg)*) }; }

#[cfg(test)]
mod tests {
    use crate::tests::hal_rig::log_lines;

    #[test]
    fn lines_have_the_v210_format_and_are_cut() {
        super::open();
        super::set_level(super::DEBUG);
        crate::log_err!("format check {}", 42);
        let lines = log_lines("format check 42");
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with("[err] tests("), "{}", lines[0]);
        assert!(
            lines[0].ends_with("): format check 42\r\n"),
            "{:?}",
            lines[0]
        );
        let long = "x".repeat(2000);
        crate::log_info!("cut check {}", long);
        let cut = log_lines("cut check");
        assert_eq!(cut.len(), 1);
        assert!(cut[0].len() < 512 && cut[0].ends_with(" ...\r\n"));
    }
}
