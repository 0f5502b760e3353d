//! Live client handles. A handle from C is looked up here before use, so a stale, foreign or
//! destroyed handle gets an error instead of undefined behaviour.

use alloc::sync::Arc;
use core::ffi::c_void;
use std::sync::Mutex;

use crate::driver::Client;

static CLIENTS: Mutex<Vec<Arc<Client>>> = Mutex::new(Vec::new());

fn clients() -> std::sync::MutexGuard<'static, Vec<Arc<Client>>> {
    CLIENTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn key(client: &Arc<Client>) -> usize {
    Arc::as_ptr(client) as usize
}

/// Registers a client and returns its C handle.
pub fn insert(client: Arc<Client>) -> usize {
    let handle = key(&client);
    client.set_handle(handle);
    clients().push(client);
    handle
}

/// The client for a handle, kept alive while the caller uses it.
pub fn get(handle: *mut c_void) -> Option<Arc<Client>> {
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
