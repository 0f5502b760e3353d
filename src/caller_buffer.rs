//! A buffer the application lent the client for its whole life (V2.10's `pread_buf` and
//! `pwrite_buf`): the driver reads and writes packets in it without allocating.

pub struct CallerBuffer {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: V2.10 hands the buffer to the client for its whole life; the client only reaches it
// through its own locks, whichever thread that runs on.
unsafe impl Send for CallerBuffer {}

impl CallerBuffer {
    /// # Safety
    /// `ptr` must be valid for reads and writes of `len` bytes until the client is destroyed,
    /// and not used by anyone else meanwhile (the V2.10 contract for these buffers).
    pub unsafe fn new(ptr: *mut u8, len: usize) -> Self {
        Self { ptr, len }
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `new`'s contract: valid and exclusive for `len` bytes while the client lives.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }

    pub fn len(&self) -> usize {
        self.len
    }
}
