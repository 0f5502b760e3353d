//! Live client handles. A handle from C is looked up here before use, so a stale, foreign or
//! destroyed handle gets an error instead of undefined behaviour.

use core::ffi::c_void;
use std::sync::Mutex;

use crate::driver::Client;
use crate::heap::Counted;

static CLIENTS: Mutex<Vec<Counted<Client>>> = Mutex::new(Vec::new());

fn clients() -> std::sync::MutexGuard<'static, Vec<Counted<Client>>> {
    CLIENTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn key(client: &Counted<Client>) -> usize {
    Counted::as_ptr(client) as usize
}

/// Registers a client and returns its C handle; None when memory runs out (the client is
/// dropped then).
pub fn insert(client: Counted<Client>) -> Option<usize> {
    let handle = key(&client);
    client.set_handle(handle);
    let mut clients = clients();
    clients.try_reserve(1).ok()?;
    clients.push(client);
    Some(handle)
}

/// The client for a handle, kept alive while the caller uses it.
pub fn get(handle: *mut c_void) -> Option<Counted<Client>> {
    if handle.is_null() {
        return None;
    }
    clients()
        .iter()
        .find(|c| key(c) == handle as usize)
        .cloned()
}

pub fn remove(handle: *mut c_void) {
    let mut clients = clients();
    clients.retain(|c| key(c) != handle as usize);
    if clients.is_empty() {
        // Give the table's memory back: after the last Destroy nothing of the clients is left.
        clients.shrink_to_fit();
    }
}
