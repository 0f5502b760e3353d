//! What native-tls needs from PEM text and OpenSSL's error strings: one certificate block at a
//! time, and the verify result a person reads first.

/// The PEM certificate blocks of `pem` (native-tls takes one certificate at a time).
pub(super) fn pem_blocks(pem: &[u8]) -> impl Iterator<Item = &[u8]> {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut rest = pem;
    core::iter::from_fn(move || {
        let start = find(rest, BEGIN)?;
        let from = rest.get(start..)?;
        let end = find(from, END)?.checked_add(END.len())?;
        let block = from.get(..end)?;
        rest = from.get(end..)?;
        Some(block)
    })
}

/// Shortens an OpenSSL-style error to the part a person reads first: the text in the last
/// parentheses (the X.509 verify result, e.g. "certificate has expired"), if any.
pub(super) fn verify_reason(error: &str) -> Option<&str> {
    let trimmed = error.trim_end();
    let inner = trimmed.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    inner.get(open + 1..).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pem_blocks() {
        let pem = b"junk\n-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----\n\
                    -----BEGIN CERTIFICATE-----\nBB\n-----END CERTIFICATE-----\ntrailing";
        let blocks: Vec<&[u8]> = pem_blocks(pem).collect();
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            blocks[0],
            &b"-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----"[..]
        );
        assert!(blocks[1].starts_with(b"-----BEGIN CERTIFICATE-----\nBB"));
        assert_eq!(pem_blocks(b"-----BEGIN CERTIFICATE-----\nAA").count(), 0);
        assert_eq!(pem_blocks(b"").count(), 0);
    }

    #[test]
    fn extracts_verify_reason() {
        let e = "error:0A000086:SSL routines:tls_post_process_server_certificate:\
                 certificate verify failed:../ssl/statem/statem_clnt.c:1889: (certificate has expired)";
        assert_eq!(verify_reason(e), Some("certificate has expired"));
        assert_eq!(verify_reason("no parentheses"), None);
        assert_eq!(verify_reason("empty ()"), None);
    }
}
