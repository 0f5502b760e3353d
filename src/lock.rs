//! The HAL's mutexes as Rust locks: data reached only through a guard that holds a
//! `HAL_Mutex*` mutex. No spin lock anywhere: on an RTOS with priorities a spinning
//! high-priority task would starve the holder for ever.

use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::hal::{HAL_MutexCreate, HAL_MutexDestroy, HAL_MutexLock, HAL_MutexUnlock};

/// Data guarded by a HAL mutex.
pub struct HalMutex<T> {
    raw: *mut c_void,
    value: UnsafeCell<T>,
}

// SAFETY: access to `value` only happens through a guard, which holds the HAL mutex.
unsafe impl<T: Send> Send for HalMutex<T> {}
// SAFETY: as above; the HAL mutex serialises all access across threads.
unsafe impl<T: Send> Sync for HalMutex<T> {}

impl<T> HalMutex<T> {
    /// None when `HAL_MutexCreate` fails (returns NULL).
    pub fn new(value: T) -> Option<Self> {
        // SAFETY: no arguments.
        let raw = unsafe { HAL_MutexCreate() };
        (!raw.is_null()).then(|| Self {
            raw,
            value: UnsafeCell::new(value),
        })
    }

    pub fn lock(&self) -> HalMutexGuard<'_, T> {
        // SAFETY: raw is a live mutex from HAL_MutexCreate, destroyed only in drop.
        unsafe { HalMutexGuard::lock(self.raw, &self.value) }
    }
}

impl<T> Drop for HalMutex<T> {
    fn drop(&mut self) {
        // SAFETY: &mut self proves no guard is alive; the mutex is destroyed exactly once.
        unsafe { HAL_MutexDestroy(self.raw) };
    }
}

/// Data in a `static` guarded by a HAL mutex that is created on first use (a static cannot
/// call `HAL_MutexCreate`), and never destroyed.
pub struct StaticHalMutex<T> {
    raw: AtomicPtr<c_void>,
    value: UnsafeCell<T>,
}

// SAFETY: as HalMutex: the value is only reached through a guard holding the HAL mutex.
unsafe impl<T: Send> Sync for StaticHalMutex<T> {}

impl<T> StaticHalMutex<T> {
    pub const fn new(value: T) -> Self {
        Self {
            raw: AtomicPtr::new(core::ptr::null_mut()),
            value: UnsafeCell::new(value),
        }
    }

    /// None when the mutex does not exist yet and `HAL_MutexCreate` fails (logged).
    pub fn lock(&self) -> Option<HalMutexGuard<'_, T>> {
        let mut raw = self.raw.load(Ordering::Acquire);
        if raw.is_null() {
            // SAFETY: no arguments.
            let fresh = unsafe { HAL_MutexCreate() };
            if fresh.is_null() {
                log_err!("HAL_MutexCreate failed");
                return None;
            }
            raw = match self.raw.compare_exchange(
                core::ptr::null_mut(),
                fresh,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => fresh,
                Err(first) => {
                    // Another thread created one first: use it, and give ours back unused.
                    // SAFETY: `fresh` came from HAL_MutexCreate and was never locked or shared.
                    unsafe { HAL_MutexDestroy(fresh) };
                    first
                }
            };
        }
        // SAFETY: raw is a live HAL mutex that is never destroyed.
        Some(unsafe { HalMutexGuard::lock(raw, &self.value) })
    }
}

pub struct HalMutexGuard<'a, T> {
    raw: *mut c_void,
    value: &'a UnsafeCell<T>,
}

impl<'a, T> HalMutexGuard<'a, T> {
    /// # Safety
    /// `raw` is a live HAL mutex that guards `value` and outlives the guard.
    unsafe fn lock(raw: *mut c_void, value: &'a UnsafeCell<T>) -> Self {
        // SAFETY: per this function's contract.
        unsafe { HAL_MutexLock(raw) };
        // The raw pointer also keeps the guard from being Send: the thread that locked a HAL
        // mutex must be the one that unlocks it.
        Self { raw, value }
    }
}

impl<T> Deref for HalMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the HAL mutex, so no other reference to the value is live.
        unsafe { &*self.value.get() }
    }
}

impl<T> DerefMut for HalMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the HAL mutex and is borrowed mutably, so this is the only reference.
        unsafe { &mut *self.value.get() }
    }
}

impl<T> Drop for HalMutexGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: this guard locked the mutex in `lock` and unlocks it exactly once.
        unsafe { HAL_MutexUnlock(self.raw) };
    }
}
