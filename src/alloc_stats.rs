//! The library's heap: with the `hal-alloc` feature (the staticlib build CMake makes), a global
//! allocator over `HAL_Malloc`/`HAL_Free` that honours alignment even where `HAL_Malloc` only
//! guarantees 4 bytes, with the counters `IOT_DumpMemoryStats` prints.

use core::sync::atomic::{AtomicUsize, Ordering};

use crate::log;

static ALLOCATED_BYTES: AtomicUsize = AtomicUsize::new(0);
static FREED_BYTES: AtomicUsize = AtomicUsize::new(0);
static MAX_IN_USE: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static FREES: AtomicUsize = AtomicUsize::new(0);
static MAX_ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static MAX_ITERATIONS_IN_USE: AtomicUsize = AtomicUsize::new(0);

#[allow(dead_code)]
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

#[cfg(all(feature = "hal-alloc", not(test)))]
mod hal_allocator {
    use core::alloc::{GlobalAlloc, Layout};
    use core::ffi::c_void;

    use crate::hal::{HAL_Free, HAL_Malloc};

    /// Alignment every HAL_Malloc is assumed to give; larger alignments are done here.
    const HAL_ALIGN: usize = 4;
    const HEADER: usize = core::mem::size_of::<usize>();

    struct HalAllocator;

    #[global_allocator]
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
            super::record_alloc(size);
            if align <= HAL_ALIGN {
                let Ok(size32) = u32::try_from(size) else {
                    return core::ptr::null_mut();
                };
                // SAFETY: plain size argument.
                let ptr = unsafe { HAL_Malloc(size32) }.cast::<u8>();
                return if ptr.is_null() { failed(size) } else { ptr };
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
