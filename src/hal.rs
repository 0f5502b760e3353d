//! Every `HAL_*` function iotmqtt imports, and safe wrappers around them. The rest of the crate
//! calls the HAL only through this module. What the HAL must do for them: docs/porting.md.

use core::ffi::{c_char, c_void, CStr};

#[allow(non_snake_case)]
extern "C" {
    pub(crate) fn HAL_MutexCreate() -> *mut c_void;
    pub(crate) fn HAL_MutexDestroy(mutex: *mut c_void);
    pub(crate) fn HAL_MutexLock(mutex: *mut c_void);
    pub(crate) fn HAL_MutexUnlock(mutex: *mut c_void);
    #[cfg_attr(any(test, not(feature = "hal-alloc")), allow(dead_code))]
    pub(crate) fn HAL_Malloc(size: u32) -> *mut c_void;
    #[cfg_attr(any(test, not(feature = "hal-alloc")), allow(dead_code))]
    pub(crate) fn HAL_Free(ptr: *mut c_void);
    fn HAL_UptimeMs() -> u64;
    fn HAL_SleepMs(ms: u32);
    fn HAL_Srandom(seed: u32);
    fn HAL_Random(region: u32) -> u32;
    fn HAL_GetPartnerID(pid_str: *mut c_char) -> i32;
    fn HAL_GetModuleID(mid_str: *mut c_char) -> i32;
    fn HAL_TCP_Establish(host: *const c_char, port: u16) -> usize;
    fn HAL_TCP_Destroy(fd: usize) -> i32;
    fn HAL_TCP_Write(fd: usize, buf: *const c_char, len: u32, timeout_ms: u32) -> i32;
    fn HAL_TCP_Read(fd: usize, buf: *mut c_char, len: u32, timeout_ms: u32) -> i32;
}

// The firmware's printf; tests capture log lines in Rust instead (Rust cannot define a C variadic).
#[cfg(not(test))]
#[allow(non_snake_case)]
extern "C" {
    fn HAL_Printf(fmt: *const c_char, ...);
}

#[cfg(iotmqtt_tls_hal)]
#[allow(non_snake_case)]
extern "C" {
    fn HAL_SSL_Establish(
        host: *const c_char,
        port: u16,
        ca_crt: *const c_char,
        ca_crt_len: usize,
    ) -> usize;
    fn HAL_SSL_Destroy(handle: usize) -> i32;
    fn HAL_SSL_Write(handle: usize, buf: *const c_char, len: i32, timeout_ms: i32) -> i32;
    fn HAL_SSL_Read(handle: usize, buf: *mut c_char, len: i32, timeout_ms: i32) -> i32;
}

/// Prints one NUL-terminated line through `HAL_Printf("%s", line)`.
pub fn print(line: &CStr) {
    #[cfg(not(test))]
    // SAFETY: both arguments are valid NUL-terminated strings; "%s" consumes exactly one of them.
    unsafe {
        HAL_Printf(c"%s".as_ptr(), line.as_ptr())
    };
    #[cfg(test)]
    crate::tests::hal_rig::capture_log(line);
}

/// Prints `text` (up to 255 bytes, the rest is cut) followed by nothing: the caller ends lines.
pub fn print_text(text: &str) {
    let mut line = [0u8; 256];
    for (dst, src) in line.iter_mut().zip(text.bytes().take(255)) {
        *dst = src;
    }
    if let Ok(line) = CStr::from_bytes_until_nul(&line) {
        print(line);
    }
}

pub fn uptime_ms() -> u64 {
    // SAFETY: no arguments; the HAL contract makes this callable at any time.
    unsafe { HAL_UptimeMs() }
}

/// Milliseconds from now until `deadline`, as a HAL timeout.
#[cfg(iotmqtt_tls)]
pub fn ms_until(deadline: u64) -> u32 {
    u32::try_from(deadline.saturating_sub(uptime_ms())).unwrap_or(u32::MAX)
}

pub fn sleep_ms(ms: u32) {
    // SAFETY: plain integer argument.
    unsafe { HAL_SleepMs(ms) }
}

pub fn srandom(seed: u32) {
    // SAFETY: plain integer argument.
    unsafe { HAL_Srandom(seed) }
}

/// A value in `0..region` (0 when `region` is 0), whatever the HAL returns.
pub fn random(region: u32) -> u32 {
    if region == 0 {
        return 0;
    }
    // SAFETY: plain integer argument.
    let value = unsafe { HAL_Random(region) };
    value % region
}

/// An id string from `HAL_GetPartnerID` / `HAL_GetModuleID` (at most 63 characters).
#[derive(Clone, Copy)]
pub struct IdString {
    buf: [u8; 65],
    len: usize,
}

impl IdString {
    pub fn as_str(&self) -> &str {
        crate::text::prefix_str(&self.buf, self.len)
    }
}

fn read_id(get: unsafe extern "C" fn(*mut c_char) -> i32) -> IdString {
    let mut id = IdString {
        buf: [0; 65],
        len: 0,
    };
    // SAFETY: the HAL writes at most PID_STRLEN_MAX (64) bytes into a 65-byte zeroed buffer,
    // so the last byte stays NUL whatever it writes.
    unsafe { get(id.buf.as_mut_ptr().cast()) };
    // Printable ASCII only: the id goes into the client id and a JSON payload.
    id.len = id.buf.iter().take(64).take_while(|&&b| b != 0).count();
    if !id.buf.iter().take(id.len).all(|b| (0x21..0x7f).contains(b)) {
        id.len = 0;
    }
    id
}

pub fn partner_id() -> IdString {
    read_id(HAL_GetPartnerID)
}

pub fn module_id() -> IdString {
    read_id(HAL_GetModuleID)
}

/// What a HAL read returned (`HAL_TCP_Read`/`HAL_SSL_Read`: -2 or any other negative value an
/// error, -1 closed by the peer, 0 timeout with no data, >0 bytes read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    Data(usize),
    Timeout,
    Closed,
    Error(i32),
}

/// The timeout every HAL read and write gets: never 0, which V2.10 never passed and a firmware
/// HAL may take as "wait forever"; a caller's 0 becomes 1 ms here, in one place for all.
fn hal_timeout(timeout_ms: u32) -> u32 {
    timeout_ms.max(1)
}

/// `hal_timeout` for `HAL_SSL_*`, whose timeout is an `int`.
#[cfg(iotmqtt_tls_hal)]
fn hal_ssl_timeout(timeout_ms: u32) -> i32 {
    i32::try_from(hal_timeout(timeout_ms)).unwrap_or(i32::MAX)
}

fn read_outcome(rc: i32, asked: usize) -> ReadOutcome {
    match rc {
        0 => ReadOutcome::Timeout,
        -1 => ReadOutcome::Closed,
        n if n > 0 => ReadOutcome::Data((n as usize).min(asked)),
        n => ReadOutcome::Error(n),
    }
}

/// A connection made with `HAL_TCP_Establish`, closed on drop.
#[derive(Debug)]
pub struct TcpConnection {
    handle: usize,
}

impl TcpConnection {
    pub fn establish(host: &CStr, port: u16) -> Option<Self> {
        // SAFETY: host is a valid NUL-terminated string for the duration of the call.
        let handle = unsafe { HAL_TCP_Establish(host.as_ptr(), port) };
        (handle != 0).then_some(Self { handle })
    }

    /// `&self`: V2.10 HALs allow one reader and one writer on a connection at once.
    pub fn read(&self, buf: &mut [u8], timeout_ms: u32) -> ReadOutcome {
        let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        let timeout = hal_timeout(timeout_ms);
        // SAFETY: buf is valid for writes of len bytes; the handle is open until drop.
        let rc = unsafe { HAL_TCP_Read(self.handle, buf.as_mut_ptr().cast(), len, timeout) };
        read_outcome(rc, buf.len())
    }

    /// Bytes written (maybe fewer than asked on timeout), or the HAL's negative code.
    pub fn write(&self, buf: &[u8], timeout_ms: u32) -> Result<usize, i32> {
        let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        let timeout = hal_timeout(timeout_ms);
        // SAFETY: buf is valid for reads of len bytes; the handle is open until drop.
        let rc = unsafe { HAL_TCP_Write(self.handle, buf.as_ptr().cast(), len, timeout) };
        if rc < 0 {
            Err(rc)
        } else {
            Ok((rc as usize).min(buf.len()))
        }
    }
}

impl Drop for TcpConnection {
    fn drop(&mut self) {
        // SAFETY: the handle came from HAL_TCP_Establish and is destroyed exactly once.
        unsafe { HAL_TCP_Destroy(self.handle) };
    }
}

/// A connection made with `HAL_SSL_Establish`, closed on drop.
#[cfg(iotmqtt_tls_hal)]
#[derive(Debug)]
pub struct SslConnection {
    handle: usize,
}

#[cfg(iotmqtt_tls_hal)]
impl SslConnection {
    /// `ca` is the PEM the server certificate must chain to; its length includes the NUL (V2.10).
    pub fn establish(host: &CStr, port: u16, ca: &CStr) -> Option<Self> {
        let ca_len = ca.to_bytes_with_nul().len();
        // SAFETY: host and ca are valid NUL-terminated strings for the duration of the call.
        let handle = unsafe { HAL_SSL_Establish(host.as_ptr(), port, ca.as_ptr(), ca_len) };
        (handle != 0).then_some(Self { handle })
    }

    pub fn read(&mut self, buf: &mut [u8], timeout_ms: u32) -> ReadOutcome {
        let len = i32::try_from(buf.len()).unwrap_or(i32::MAX);
        let timeout = hal_ssl_timeout(timeout_ms);
        // SAFETY: buf is valid for writes of len bytes; the handle is open until drop.
        let rc = unsafe { HAL_SSL_Read(self.handle, buf.as_mut_ptr().cast(), len, timeout) };
        read_outcome(rc, buf.len())
    }

    pub fn write(&mut self, buf: &[u8], timeout_ms: u32) -> Result<usize, i32> {
        let len = i32::try_from(buf.len()).unwrap_or(i32::MAX);
        let timeout = hal_ssl_timeout(timeout_ms);
        // SAFETY: buf is valid for reads of len bytes; the handle is open until drop.
        let rc = unsafe { HAL_SSL_Write(self.handle, buf.as_ptr().cast(), len, timeout) };
        if rc < 0 {
            Err(rc)
        } else {
            Ok((rc as usize).min(buf.len()))
        }
    }
}

#[cfg(iotmqtt_tls_hal)]
impl Drop for SslConnection {
    fn drop(&mut self) {
        // SAFETY: the handle came from HAL_SSL_Establish and is destroyed exactly once.
        unsafe { HAL_SSL_Destroy(self.handle) };
    }
}
