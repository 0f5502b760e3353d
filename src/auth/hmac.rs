//! HMAC (RFC 2104) over the two hashes the platform's `signmethod` names. Written here rather
//! than taken from the `hmac` crate because it is a dozen lines once SHA-1 is our own
//! ([`super::sha1`], for size), and it keeps `digest`'s generic machinery out of the SHA-1 path.

use md5::Digest as _;

/// The hash block size of both SHA-1 and MD5.
const BLOCK: usize = 64;

/// A hash of the concatenation of some byte strings.
pub trait Hash {
    type Output: AsRef<[u8]>;
    fn digest(parts: &[&[u8]]) -> Self::Output;
}

pub struct Sha1;

impl Hash for Sha1 {
    type Output = [u8; 20];
    fn digest(parts: &[&[u8]]) -> [u8; 20] {
        super::sha1::digest(parts)
    }
}

pub struct Md5;

impl Hash for Md5 {
    type Output = [u8; 16];
    fn digest(parts: &[&[u8]]) -> [u8; 16] {
        let mut hasher = md5::Md5::new();
        for part in parts {
            hasher.update(part);
        }
        hasher.finalize().into()
    }
}

/// HMAC-H(key, message). Keys longer than the block are hashed first, as RFC 2104 says.
pub fn hmac<H: Hash>(key: &[u8], message: &[u8]) -> H::Output {
    let hashed_key;
    let key = if key.len() > BLOCK {
        hashed_key = H::digest(&[key]);
        hashed_key.as_ref()
    } else {
        key
    };
    let mut inner_pad = [0x36u8; BLOCK];
    let mut outer_pad = [0x5Cu8; BLOCK];
    for ((i, o), k) in inner_pad.iter_mut().zip(outer_pad.iter_mut()).zip(key) {
        *i ^= k;
        *o ^= k;
    }
    let inner = H::digest(&[&inner_pad, message]);
    H::digest(&[&outer_pad, inner.as_ref()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac};
    use proptest::prelude::*;

    fn oracle_sha1(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    fn oracle_md5(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = <hmac::Hmac<md5::Md5> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    #[test]
    fn rfc_2202_vectors() {
        let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(&hmac::<Sha1>(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert_eq!(
            hex(&hmac::<Md5>(b"Jefe", b"what do ya want for nothing?")),
            "750c783e6ab0b503eaa86e310a5db738"
        );
        // A key longer than the block (test case 6): hashed first.
        let long_key = [0xAAu8; 80];
        let message = b"Test Using Larger Than Block-Size Key - Hash Key First";
        assert_eq!(
            hex(&hmac::<Sha1>(&long_key, message)),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        );
        assert_eq!(
            hex(&hmac::<Md5>(&long_key, message)),
            "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"
        );
    }

    proptest! {
        // Keys of every length up to past two blocks, against the `hmac` crate.
        #[test]
        fn matches_the_hmac_crate(
            key in proptest::collection::vec(any::<u8>(), 0..150),
            message in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            prop_assert_eq!(hmac::<Sha1>(&key, &message).to_vec(), oracle_sha1(&key, &message));
            prop_assert_eq!(hmac::<Md5>(&key, &message).to_vec(), oracle_md5(&key, &message));
        }
    }
}
