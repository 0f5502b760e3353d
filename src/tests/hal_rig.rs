//! A HAL written in Rust for `cargo test` (never a C library linked from build.rs, which would
//! end up inside libiotmqtt.a). Log lines are captured so tests can assert them.

use std::collections::HashMap;
use std::ffi::{c_char, c_void, CStr};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

pub fn capture_log(line: &CStr) {
    let text = line.to_string_lossy().into_owned();
    LOG.lock().unwrap_or_else(|p| p.into_inner()).push(text);
}

/// Every captured line containing `needle`.
pub fn log_lines(needle: &str) -> Vec<String> {
    LOG.lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|l| l.contains(needle))
        .cloned()
        .collect()
}

struct RawMutex {
    locked: Mutex<bool>,
    cv: Condvar,
}

#[no_mangle]
extern "C" fn HAL_MutexCreate() -> *mut c_void {
    if mutex_create_fails() {
        return std::ptr::null_mut();
    }
    Box::into_raw(Box::new(RawMutex {
        locked: Mutex::new(false),
        cv: Condvar::new(),
    }))
    .cast()
}

#[no_mangle]
extern "C" fn HAL_MutexDestroy(m: *mut c_void) {
    // SAFETY: created by HAL_MutexCreate above.
    drop(unsafe { Box::from_raw(m.cast::<RawMutex>()) });
}

#[no_mangle]
extern "C" fn HAL_MutexLock(m: *mut c_void) {
    // SAFETY: a live mutex from HAL_MutexCreate.
    let m = unsafe { &*m.cast::<RawMutex>() };
    let mut locked = m.locked.lock().unwrap();
    while *locked {
        locked = m.cv.wait(locked).unwrap();
    }
    *locked = true;
}

#[no_mangle]
extern "C" fn HAL_MutexUnlock(m: *mut c_void) {
    // SAFETY: a live mutex from HAL_MutexCreate.
    let m = unsafe { &*m.cast::<RawMutex>() };
    *m.locked.lock().unwrap() = false;
    m.cv.notify_one();
}

pub static MALLOC_CALLS: AtomicUsize = AtomicUsize::new(0);

#[no_mangle]
extern "C" fn HAL_Malloc(size: u32) -> *mut c_void {
    MALLOC_CALLS.fetch_add(1, Ordering::Relaxed);
    let layout = std::alloc::Layout::from_size_align(size as usize + 16, 16).unwrap();
    // SAFETY: non-zero size layout.
    let p = unsafe { std::alloc::alloc(layout) };
    if p.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: p has 16 + size bytes; the size is kept in front for HAL_Free.
    unsafe {
        p.cast::<usize>().write(size as usize);
        p.add(16).cast()
    }
}

#[no_mangle]
extern "C" fn HAL_Free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: ptr came from HAL_Malloc above, which put the size 16 bytes before it.
    unsafe {
        let p = ptr.cast::<u8>().sub(16);
        let size = p.cast::<usize>().read();
        std::alloc::dealloc(
            p,
            std::alloc::Layout::from_size_align(size + 16, 16).unwrap(),
        );
    }
}

fn epoch() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

#[no_mangle]
extern "C" fn HAL_UptimeMs() -> u64 {
    epoch().elapsed().as_millis() as u64
}

#[no_mangle]
extern "C" fn HAL_SleepMs(ms: u32) {
    std::thread::sleep(Duration::from_millis(u64::from(ms)));
}

static SEED: AtomicU32 = AtomicU32::new(12345);

#[no_mangle]
extern "C" fn HAL_Srandom(seed: u32) {
    SEED.store(seed | 1, Ordering::Relaxed);
}

#[no_mangle]
extern "C" fn HAL_Random(region: u32) -> u32 {
    let next = SEED
        .load(Ordering::Relaxed)
        .wrapping_mul(1_103_515_245)
        .wrapping_add(12_345);
    SEED.store(next, Ordering::Relaxed);
    if region == 0 {
        0
    } else {
        (next >> 8) % region
    }
}

#[no_mangle]
extern "C" fn HAL_GetPartnerID(pid: *mut c_char) -> i32 {
    // SAFETY: the caller passes a 64-byte buffer.
    unsafe { std::ptr::copy_nonoverlapping(ids().0.as_ptr(), pid.cast::<u8>(), 64) };
    0
}

#[no_mangle]
extern "C" fn HAL_GetModuleID(mid: *mut c_char) -> i32 {
    // SAFETY: the caller passes a 64-byte buffer.
    unsafe { std::ptr::copy_nonoverlapping(ids().1.as_ptr(), mid.cast::<u8>(), 64) };
    0
}

/// One `HAL_TCP_Read` (bytes asked for) or `HAL_TCP_Write` (bytes written), in call order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TcpCall {
    Read(usize),
    Write(Vec<u8>),
}

std::thread_local! {
    /// The calls made on this thread: tests run in parallel, each on its own thread.
    static TCP_CALLS: std::cell::RefCell<Vec<TcpCall>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Takes the TCP calls this thread made since the last take.
pub fn take_tcp_calls() -> Vec<TcpCall> {
    TCP_CALLS.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

fn record(call: TcpCall) {
    TCP_CALLS.with(|c| c.borrow_mut().push(call));
}

fn sockets() -> &'static Mutex<HashMap<usize, TcpStream>> {
    static SOCKETS: OnceLock<Mutex<HashMap<usize, TcpStream>>> = OnceLock::new();
    SOCKETS.get_or_init(|| Mutex::new(HashMap::new()))
}

static NEXT_SOCKET: AtomicUsize = AtomicUsize::new(1);

fn socket(fd: usize) -> Option<TcpStream> {
    sockets()
        .lock()
        .unwrap()
        .get(&fd)
        .and_then(|s| s.try_clone().ok())
}

#[no_mangle]
extern "C" fn HAL_TCP_Establish(host: *const c_char, port: u16) -> usize {
    // SAFETY: the library passes a NUL-terminated host.
    let host = unsafe { CStr::from_ptr(host) }
        .to_string_lossy()
        .into_owned();
    let redirected = redirects().lock().unwrap().get(&host).copied();
    let target = match redirected {
        Some(p) => ("127.0.0.1".to_string(), p),
        None => (host, port),
    };
    match TcpStream::connect((target.0.as_str(), target.1)) {
        Ok(stream) => {
            let fd = NEXT_SOCKET.fetch_add(1, Ordering::Relaxed);
            sockets().lock().unwrap().insert(fd, stream);
            fd
        }
        Err(_) => 0,
    }
}

#[no_mangle]
extern "C" fn HAL_TCP_Destroy(fd: usize) -> i32 {
    if let Some(s) = sockets().lock().unwrap().remove(&fd) {
        let _ = s.shutdown(std::net::Shutdown::Both);
    }
    0
}

#[no_mangle]
extern "C" fn HAL_TCP_Write(fd: usize, buf: *const c_char, len: u32, _timeout_ms: u32) -> i32 {
    let Some(mut s) = socket(fd) else { return -2 };
    if FAILING_WRITES.with(|c| c.replace(c.get().saturating_sub(1))) > 0 {
        return -2;
    }
    // SAFETY: the library passes len readable bytes.
    let data = unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), len as usize) };
    record(TcpCall::Write(data.to_vec()));
    match s.write_all(data) {
        Ok(()) => len as i32,
        Err(_) => -2,
    }
}

/// Reads until `len` bytes or the timeout, as the V2.10 contract asks.
#[no_mangle]
extern "C" fn HAL_TCP_Read(fd: usize, buf: *mut c_char, len: u32, timeout_ms: u32) -> i32 {
    let Some(mut s) = socket(fd) else { return -2 };
    record(TcpCall::Read(len as usize));
    // SAFETY: the library passes len writable bytes.
    let out = unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), len as usize) };
    let deadline = Instant::now() + Duration::from_millis(u64::from(timeout_ms));
    let mut got = 0;
    while got < out.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let _ = s.set_nonblocking(true);
            let r = s.read(&mut out[got..]);
            let _ = s.set_nonblocking(false);
            match r {
                Ok(0) if got == 0 => return -1,
                Ok(n) => got += n,
                Err(_) => {}
            }
            break;
        }
        let _ = s.set_read_timeout(Some(left));
        match s.read(&mut out[got..]) {
            Ok(0) => return if got > 0 { got as i32 } else { -1 },
            Ok(n) => got += n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break
            }
            Err(_) => return if got > 0 { got as i32 } else { -2 },
        }
    }
    got as i32
}

// ----- Hooks for the tests of src/tests/: failure injection and redirection. Thread-local
// where a test needs its own behaviour while others run in parallel. -----

std::thread_local! {
    /// Allocations this thread may still make before the next ones fail (usize::MAX: no limit).
    static ALLOCS_LEFT: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
    /// The next allocations on this thread that fail, before the budget above applies.
    static FAIL_NEXT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// HAL_TCP_Write calls on this thread that fail with -2.
    static FAILING_WRITES: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// HAL_MutexCreate calls on this thread that return NULL.
    static FAILING_MUTEX_CREATES: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// What HAL_GetPartnerID / HAL_GetModuleID write on this thread (NUL-padded).
    static IDS: std::cell::Cell<([u8; 64], [u8; 64])> = const { std::cell::Cell::new(([0; 64], [0; 64])) };
}

/// The test binary's allocator: the system's, except that a thread may make its allocations
/// fail after a budget ([`fail_allocations_after`]), as a firmware's HAL_Malloc runs out.
struct FailingAlloc;

#[global_allocator]
static ALLOCATOR: FailingAlloc = FailingAlloc;

// SAFETY: forwards to the system allocator, or fails (returns NULL) without allocating.
unsafe impl std::alloc::GlobalAlloc for FailingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let fail_next = FAIL_NEXT.try_with(|c| c.get()).unwrap_or(0);
        if fail_next > 0 {
            let _ = FAIL_NEXT.try_with(|c| c.set(fail_next - 1));
            return std::ptr::null_mut();
        }
        let left = ALLOCS_LEFT.try_with(|c| c.get()).unwrap_or(usize::MAX);
        if left == 0 {
            return std::ptr::null_mut();
        }
        if left != usize::MAX {
            let _ = ALLOCS_LEFT.try_with(|c| c.set(left - 1));
        }
        // SAFETY: forwarded contract.
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: forwarded contract.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

/// From now on this thread may make `n` more allocations; the ones after fail. `None` lifts
/// the limit. Returns how many of the budget were left.
pub fn fail_allocations_after(n: Option<usize>) -> usize {
    ALLOCS_LEFT.with(|c| c.replace(n.unwrap_or(usize::MAX)))
}

/// The next `n` allocations on this thread fail; the ones after succeed.
pub fn fail_next_allocations(n: usize) {
    FAIL_NEXT.with(|c| c.set(n));
}

/// Runs `f` with a budget of `n` allocations on this thread, then lifts the limit.
pub fn with_allocation_budget<R>(n: usize, f: impl FnOnce() -> R) -> R {
    fail_allocations_after(Some(n));
    let r = f();
    fail_allocations_after(None);
    r
}

/// The next `n` HAL_TCP_Write calls on this thread fail with -2.
pub fn fail_tcp_writes(n: u32) {
    FAILING_WRITES.with(|c| c.set(n));
}

/// The next `n` HAL_MutexCreate calls on this thread return NULL.
pub fn fail_mutex_creates(n: u32) {
    FAILING_MUTEX_CREATES.with(|c| c.set(n));
}

pub(crate) fn mutex_create_fails() -> bool {
    FAILING_MUTEX_CREATES.with(|c| {
        let n = c.get();
        if n > 0 {
            c.set(n - 1);
        }
        n > 0
    })
}

/// What HAL_GetPartnerID and HAL_GetModuleID return on this thread (bytes, at most 63).
#[cfg_attr(iotmqtt_tls, allow(dead_code))]
pub fn set_ids(partner: &[u8], module: &[u8]) {
    let mut p = [0u8; 64];
    let mut m = [0u8; 64];
    p[..partner.len().min(63)].copy_from_slice(&partner[..partner.len().min(63)]);
    m[..module.len().min(63)].copy_from_slice(&module[..module.len().min(63)]);
    IDS.with(|c| c.set((p, m)));
}

pub(crate) fn ids() -> ([u8; 64], [u8; 64]) {
    IDS.with(|c| c.get())
}

/// Connections to `host` go to 127.0.0.1:`port` (for the platform's real host names).
#[allow(dead_code)] // used by the direct-TCP and guider-native configurations' tests
pub fn redirect(host: &str, port: u16) {
    redirects().lock().unwrap().insert(host.to_string(), port);
}

pub(crate) fn redirects() -> &'static Mutex<HashMap<String, u16>> {
    static REDIRECTS: OnceLock<Mutex<HashMap<String, u16>>> = OnceLock::new();
    REDIRECTS.get_or_init(|| Mutex::new(HashMap::new()))
}
