//! The library's heap: with the `hal-alloc` feature (the staticlib build CMake makes), a global
//! allocator over `HAL_Malloc`/`HAL_Free` that honours alignment even where `HAL_Malloc` only
//! guarantees 4 bytes, with the counters `IOT_DumpMemoryStats` prints; and the fallible allocations
//! of the named points (docs/requirements.md "memory": Construct returns NULL when memory runs
//! out), since stable Rust aborts when an ordinary allocation fails.

use alloc::ffi::CString;
use alloc::string::String;
use core::alloc::Layout;
use core::ops::Deref;
use core::ptr::NonNull;
use core::sync::atomic::{fence, AtomicUsize, Ordering};

use crate::log;

static ALLOCATED_BYTES: AtomicUsize = AtomicUsize::new(0);
static FREED_BYTES: AtomicUsize = AtomicUsize::new(0);
static MAX_IN_USE: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static FREES: AtomicUsize = AtomicUsize::new(0);
static MAX_ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static MAX_ITERATIONS_IN_USE: AtomicUsize = AtomicUsize::new(0);

#[allow(dead_code)]
// One copy for alloc's two paths (it is five atomic updates).
#[inline(never)]
fn record_alloc(size: usize) {
    let total = ALLOCATED_BYTES.fetch_add(size, Ordering::Relaxed) + size;
    let allocations = ALLOCATIONS.fetch_add(1, Ordering::Relaxed) + 1;
    MAX_ALLOCATED.fetch_max(size, Ordering::Relaxed);
    MAX_ITERATIONS_IN_USE.fetch_max(
        allocations.saturating_sub(FREES.load(Ordering::Relaxed)),
        Ordering::Relaxed,
    );
    let in_use = total.saturating_sub(FREED_BYTES.load(Ordering::Relaxed));
    MAX_IN_USE.fetch_max(in_use, Ordering::Relaxed);
}

#[allow(dead_code)]
fn record_free(size: usize) {
    FREED_BYTES.fetch_add(size, Ordering::Relaxed);
    FREES.fetch_add(1, Ordering::Relaxed);
}

/// Prints the V2.10 memory summary when `level` is enabled.
pub fn dump(level: u8) {
    if !log::enabled(level) {
        return;
    }
    let total = ALLOCATED_BYTES.load(Ordering::Relaxed);
    let freed = FREED_BYTES.load(Ordering::Relaxed);
    let allocations = ALLOCATIONS.load(Ordering::Relaxed);
    let frees = FREES.load(Ordering::Relaxed);
    let lines: [(&str, usize); 9] = [
        ("bytes_total_allocated", total),
        ("bytes_total_freed", freed),
        ("bytes_total_in_use", total.saturating_sub(freed)),
        ("bytes_max_allocated", MAX_ALLOCATED.load(Ordering::Relaxed)),
        ("bytes_max_in_use", MAX_IN_USE.load(Ordering::Relaxed)),
        ("iterations_allocated", allocations),
        ("iterations_freed", frees),
        ("iterations_in_use", allocations.saturating_sub(frees)),
        (
            "iterations_max_in_use",
            MAX_ITERATIONS_IN_USE.load(Ordering::Relaxed),
        ),
    ];
    crate::log_at!(level, "---------------------------------------------------");
    for (name, value) in lines {
        crate::log_at!(
            level,
            ". {}:{:pad$}{}",
            name,
            "",
            value,
            pad = 25usize.saturating_sub(name.len())
        );
    }
    crate::log_at!(level, "---------------------------------------------------");
}

// Compiled in unit tests too (there the test HAL's allocator is the global one), so the
// alignment arithmetic is tested over the test HAL's HAL_Malloc.
#[cfg(any(feature = "hal-alloc", test))]
mod hal_allocator {
    use core::alloc::{GlobalAlloc, Layout};
    use core::ffi::c_void;

    use crate::hal::{HAL_Free, HAL_Malloc};

    /// Alignment every HAL_Malloc is assumed to give; larger alignments are done here.
    const HAL_ALIGN: usize = 4;
    const HEADER: usize = core::mem::size_of::<usize>();

    pub(super) struct HalAllocator;

    #[cfg_attr(not(test), global_allocator)]
    #[cfg_attr(test, allow(dead_code))]
    static GLOBAL: HalAllocator = HalAllocator;

    /// Fallible callers (`try_reserve`) turn NULL into their error; for the others Rust aborts.
    fn failed(size: usize) -> *mut u8 {
        crate::log_err!("HAL_Malloc({}) failed: out of memory", size);
        core::ptr::null_mut()
    }

    // SAFETY: memory comes from HAL_Malloc, is aligned as the layout asks, and goes back to
    // HAL_Free with the same pointer HAL_Malloc returned.
    unsafe impl GlobalAlloc for HalAllocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let (size, align) = (layout.size(), layout.align());
            if align <= HAL_ALIGN {
                let Ok(size32) = u32::try_from(size) else {
                    return core::ptr::null_mut();
                };
                // SAFETY: plain size argument.
                let ptr = unsafe { HAL_Malloc(size32) }.cast::<u8>();
                if ptr.is_null() {
                    return failed(size);
                }
                super::record_alloc(size);
                return ptr;
            }
            // Over-allocate, align by hand, and keep the original pointer just before the block.
            let Some(total) = size.checked_add(align + HEADER) else {
                return core::ptr::null_mut();
            };
            let Ok(total32) = u32::try_from(total) else {
                return core::ptr::null_mut();
            };
            // SAFETY: plain size argument.
            let raw = unsafe { HAL_Malloc(total32) }.cast::<u8>();
            if raw.is_null() {
                return failed(size);
            }
            super::record_alloc(size);
            let start = raw as usize + HEADER;
            let aligned = (start + align - 1) & !(align - 1);
            let block = raw.wrapping_add(aligned - raw as usize);
            // SAFETY: block - HEADER >= raw and block + size <= raw + total, all inside the allocation;
            // write_unaligned because raw may be only 4-aligned.
            unsafe {
                block
                    .sub(HEADER)
                    .cast::<usize>()
                    .write_unaligned(raw as usize)
            };
            block
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            super::record_free(layout.size());
            if layout.align() <= HAL_ALIGN {
                // SAFETY: ptr came from HAL_Malloc unchanged (alloc's small-alignment path).
                unsafe { HAL_Free(ptr.cast::<c_void>()) };
                return;
            }
            // SAFETY: alloc stored the HAL_Malloc pointer just before the block.
            let raw = unsafe { ptr.sub(HEADER).cast::<usize>().read_unaligned() };
            // SAFETY: raw is the pointer HAL_Malloc returned.
            unsafe { HAL_Free(raw as *mut c_void) };
        }
    }
}

/// A copy of `s`, or None when memory runs out.
pub fn try_string(s: &str) -> Option<String> {
    let mut copy = String::new();
    copy.try_reserve_exact(s.len()).ok()?;
    copy.push_str(s);
    Some(copy)
}

/// A C copy of `bytes` (which hold no NUL), or None when memory runs out.
pub fn try_cstring(bytes: &[u8]) -> Option<CString> {
    let mut copy = alloc::vec::Vec::new();
    // Room for the NUL too, so CString::new neither grows nor shrinks the buffer.
    copy.try_reserve_exact(bytes.len() + 1).ok()?;
    copy.extend_from_slice(bytes);
    CString::new(copy).ok()
}

/// A reference-counted value whose allocation can fail (`Arc::new` would abort instead).
pub struct Counted<T> {
    inner: NonNull<CountedInner<T>>,
}

struct CountedInner<T> {
    refs: AtomicUsize,
    value: T,
}

// SAFETY: like Arc: shared access to T from many threads needs T: Sync, moving the last
// reference (which drops T) to another thread needs T: Send.
unsafe impl<T: Send + Sync> Send for Counted<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Counted<T> {}

impl<T> Counted<T> {
    /// Gives the value back when memory runs out.
    pub fn try_new(value: T) -> Result<Self, T> {
        let layout = Layout::new::<CountedInner<T>>();
        // SAFETY: the layout has a non-zero size (it holds an AtomicUsize).
        let raw = unsafe { alloc::alloc::alloc(layout) }.cast::<CountedInner<T>>();
        let Some(inner) = NonNull::new(raw) else {
            return Err(value);
        };
        // SAFETY: freshly allocated for exactly this type and suitably aligned.
        unsafe {
            inner.as_ptr().write(CountedInner {
                refs: AtomicUsize::new(1),
                value,
            })
        };
        Ok(Self { inner })
    }
}

impl<T> Clone for Counted<T> {
    fn clone(&self) -> Self {
        // SAFETY: inner is live while self exists.
        unsafe { self.inner.as_ref() }
            .refs
            .fetch_add(1, Ordering::Relaxed);
        Self { inner: self.inner }
    }
}

impl<T> Deref for Counted<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: inner is live while self exists; only shared references are handed out.
        unsafe { &self.inner.as_ref().value }
    }
}

impl<T> Drop for Counted<T> {
    fn drop(&mut self) {
        // SAFETY: inner is live until the last reference is gone (below).
        if unsafe { self.inner.as_ref() }
            .refs
            .fetch_sub(1, Ordering::Release)
            != 1
        {
            return;
        }
        // Everything other threads did through their references happens before the drop.
        fence(Ordering::Acquire);
        // SAFETY: this was the last reference: drop the value and free what try_new allocated.
        unsafe {
            core::ptr::drop_in_place(self.inner.as_ptr());
            alloc::alloc::dealloc(self.inner.as_ptr().cast(), Layout::new::<CountedInner<T>>());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn counted_drops_once_after_the_last_reference() {
        static DROPPED: AtomicBool = AtomicBool::new(false);
        struct Probe;
        impl Drop for Probe {
            fn drop(&mut self) {
                assert!(!DROPPED.swap(true, Ordering::SeqCst), "dropped twice");
            }
        }
        let a = Counted::try_new(Probe).ok().expect("memory");
        let b = a.clone();
        assert!(core::ptr::eq(&*a, &*b), "clones share the value");
        drop(a);
        assert!(!DROPPED.load(Ordering::SeqCst));
        let t = std::thread::spawn(move || drop(b));
        t.join().expect("thread");
        assert!(DROPPED.load(Ordering::SeqCst));
    }

    #[test]
    fn copies() {
        assert_eq!(try_string("abc").as_deref(), Some("abc"));
        assert_eq!(
            try_cstring(b"abc").map(|c| c.into_bytes()),
            Some(b"abc".to_vec())
        );
        assert!(try_cstring(b"a\0b").is_none());
    }
}

#[cfg(test)]
#[path = "tests/heap.rs"]
mod allocator_tests;
