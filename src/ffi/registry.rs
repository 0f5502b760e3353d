//! Live client handles. A handle from C is looked up here before use, so a stale, foreign or
//! destroyed handle gets an error instead of undefined behaviour.
//!
//! Handles are numbers from a counter, never the client's address: the allocator hands a
//! destroyed client's memory to the next one, and a handle that was an address would then
//! reach the new client. A number is never handed out twice, however many clients come and go.

use core::ffi::c_void;
use core::sync::atomic::{AtomicUsize, Ordering};

use super::callback::CClient;
use crate::heap::Counted;
use crate::lock::{HalMutexGuard, StaticHalMutex};
use crate::prelude::*;

/// The live clients; each knows its own handle (`Client::handle`).
static CLIENTS: StaticHalMutex<Vec<Counted<CClient>>> = StaticHalMutex::new(Vec::new());
/// The next handle; 0 is NULL and never given.
static NEXT_HANDLE: AtomicUsize = AtomicUsize::new(1);

/// None when the table's lock cannot be created (logged): no client can be registered or
/// found then.
fn clients() -> Option<HalMutexGuard<'static, Vec<Counted<CClient>>>> {
    CLIENTS.lock()
}

/// A handle never given before; None once the counter is used up (2^32 clients on a 32-bit
/// target), rather than start again.
fn fresh_handle() -> Option<usize> {
    NEXT_HANDLE
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_add(1))
        .ok()
}

/// Registers a client and returns its C handle; None when memory runs out or no handle is
/// left (the client is dropped then).
pub fn insert(client: Counted<CClient>) -> Option<usize> {
    let mut clients = clients()?;
    clients.try_reserve(1).ok()?;
    let handle = fresh_handle()?;
    client.set_handle(handle);
    clients.push(client);
    Some(handle)
}

/// The client for a handle, kept alive while the caller uses it.
pub fn get(handle: *mut c_void) -> Option<Counted<CClient>> {
    let handle = handle as usize;
    if handle == 0 {
        return None;
    }
    clients()?.iter().find(|c| c.handle() == handle).cloned()
}

pub fn remove(handle: *mut c_void) {
    let Some(mut clients) = clients() else {
        return;
    };
    clients.retain(|c| c.handle() != handle as usize);
    if clients.is_empty() {
        // Give the table's memory back: after the last Destroy nothing of the clients is left.
        clients.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_never_given_twice() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let h = fresh_handle().unwrap();
            assert_ne!(h, 0);
            assert!(seen.insert(h), "handle {h} given twice");
        }
    }
}
