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
        self.buf
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl<const N: usize> fmt::Write for FixedText<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
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
