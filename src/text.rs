//! Text in fixed buffers, for what must not touch the heap: the module-ID report inside
//! Construct (which returns NULL rather than abort when memory runs out) and the device identity
//! kept between `IOT_SetupConnInfo` calls (nothing of it stays on the heap, as V2.10's static).

use core::fmt;

/// Up to `N` bytes of UTF-8; writing past the end fails and leaves the text as it was.
#[derive(Clone, Copy)]
pub struct FixedText<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> FixedText<N> {
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
        }
    }

    /// None when `s` does not fit.
    pub fn from_str(s: &str) -> Option<Self> {
        let mut text = Self::new();
        fmt::Write::write_str(&mut text, s).ok()?;
        Some(text)
    }

    /// The parts one after the other; None (and the text as it was up to the part that did not
    /// fit) when they do not fit. Plain copies, no formatting machinery.
    pub fn concat(parts: &[&str]) -> Option<Self> {
        let mut text = Self::new();
        for part in parts {
            fmt::Write::write_str(&mut text, part).ok()?;
        }
        Some(text)
    }

    pub fn as_str(&self) -> &str {
        prefix_str(&self.buf, self.len)
    }
}

/// The first `len` bytes of `buf` as text, or "" when they are not UTF-8. Not generic, so every
/// `FixedText<N>` (and the HAL's id strings) share one copy in the firmware image.
pub fn prefix_str(buf: &[u8], len: usize) -> &str {
    buf.get(..len)
        .and_then(|b| core::str::from_utf8(b).ok())
        .unwrap_or("")
}

/// `fmt::Write::write_char` through `write_str`, as the default does, but one copy for every
/// writer of the crate instead of one per type (each `dyn Write` vtable holds a `write_char`).
pub fn write_char_as_str(out: &mut dyn fmt::Write, c: char) -> fmt::Result {
    out.write_str(c.encode_utf8(&mut [0; 4]))
}

/// Appends `s` at `*len` if it fits; shared by every `FixedText<N>` for the same reason.
fn append(buf: &mut [u8], len: &mut usize, s: &str) -> fmt::Result {
    let end = len.checked_add(s.len()).ok_or(fmt::Error)?;
    buf.get_mut(*len..end)
        .ok_or(fmt::Error)?
        .copy_from_slice(s.as_bytes());
    *len = end;
    Ok(())
}

impl<const N: usize> fmt::Write for FixedText<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        append(&mut self.buf, &mut self.len, s)
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        write_char_as_str(self, c)
    }
}

#[cfg(test)]
mod tests {
    use super::FixedText;
    use core::fmt::Write;

    #[test]
    fn concat_fits_or_is_none() {
        assert_eq!(
            FixedText::<6>::concat(&["ab", "cd", "ef"])
                .unwrap()
                .as_str(),
            "abcdef"
        );
        assert!(FixedText::<5>::concat(&["ab", "cd", "ef"]).is_none());
        assert_eq!(FixedText::<4>::concat(&[]).unwrap().as_str(), "");
    }

    #[test]
    fn fills_up_to_capacity_and_refuses_more() {
        let mut t = FixedText::<5>::new();
        assert!(write!(t, "abc").is_ok());
        assert!(write!(t, "def").is_err());
        assert_eq!(t.as_str(), "abc");
        assert!(write!(t, "de").is_ok());
        assert_eq!(t.as_str(), "abcde");
        assert!(FixedText::<2>::from_str("abc").is_none());
    }
}
