//! Topic name / topic filter validation and wildcard matching (MQTT 3.1.1 §4.7).
//!
//! Pure functions. Limits follow V2.10: at most [`MAX_TOPIC_LEN`] characters, each printable
//! ASCII (32..=126). V2.10's rule that a topic starts with `/` is deliberately dropped.

pub use crate::limits::MAX_TOPIC_LEN;

/// Why a topic name or filter was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopicError {
    /// MQTT requires at least one character.
    Empty,
    /// Longer than [`MAX_TOPIC_LEN`].
    TooLong,
    /// A character outside printable ASCII 32..=126.
    BadCharacter,
    /// `+` or `#` in a topic name (they are only allowed in filters).
    WildcardInName,
    /// `+` or `#` not forming a whole level, or `#` not in the last level.
    MisplacedWildcard,
}

fn check_common(s: &str) -> Result<(), TopicError> {
    if s.is_empty() {
        return Err(TopicError::Empty);
    }
    if s.len() > MAX_TOPIC_LEN {
        return Err(TopicError::TooLong);
    }
    if !s.bytes().all(|b| (32..=126).contains(&b)) {
        return Err(TopicError::BadCharacter);
    }
    Ok(())
}

/// Validates a topic name, as used in PUBLISH: no wildcards at all.
pub fn validate_topic_name(name: &str) -> Result<(), TopicError> {
    check_common(name)?;
    if name.bytes().any(|b| b == b'+' || b == b'#') {
        return Err(TopicError::WildcardInName);
    }
    Ok(())
}

/// The `/`-separated levels, as bytes: the byte split compiles to a plain loop, where
/// `str::split` brings a searcher and `memchr` into the firmware image.
fn levels(s: &str) -> impl Iterator<Item = &[u8]> {
    s.as_bytes().split(|&b| b == b'/')
}

/// Validates a topic filter, as used in SUBSCRIBE / UNSUBSCRIBE.
pub fn validate_topic_filter(filter: &str) -> Result<(), TopicError> {
    check_common(filter)?;
    let mut levels = levels(filter).peekable();
    while let Some(level) = levels.next() {
        match level {
            [b'+'] => {}
            [b'#'] => {
                if levels.peek().is_some() {
                    return Err(TopicError::MisplacedWildcard);
                }
            }
            _ => {
                if level.iter().any(|&b| b == b'+' || b == b'#') {
                    return Err(TopicError::MisplacedWildcard);
                }
            }
        }
    }
    Ok(())
}

/// True when `topic` (a topic name) matches `filter` per MQTT 3.1.1 §4.7.
///
/// `+` matches exactly one (possibly empty) level, `#` the rest including the parent level
/// (`a/#` matches `a`), and a wildcard in the first level never matches a topic starting
/// with `$`. Never panics, whatever the inputs; invalid inputs simply compare level by level.
pub fn matches(filter: &str, topic: &str) -> bool {
    let mut f = levels(filter).peekable();
    let mut t = levels(topic);
    if topic.starts_with('$') && matches!(f.peek(), Some([b'+'] | [b'#'])) {
        return false;
    }
    loop {
        match (f.next(), t.next()) {
            (Some([b'#']), _) => return true,
            (Some([b'+']), Some(_)) => {}
            (Some(fl), Some(tl)) => {
                if fl != tl {
                    return false;
                }
            }
            (None, None) => return true,
            _ => return false,
        }
    }
}
