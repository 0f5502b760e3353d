//! SHA-1 (FIPS 180-4 §6.1), written for size: one looped round function and a 16-word message
//! window instead of the unrolled rounds of the `sha1` crate, whose compress function alone was
//! about 3 KB of the Cortex-M4F archive (bench/footprint.sh). The library hashes one short
//! signing string per connection, so speed does not matter here; the `sha1` crate stays as the
//! test oracle (`tests` below).

/// The initial hash value H(0).
const H0: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

/// The SHA-1 of the concatenation of `parts` (HMAC hashes a key block and the message without
/// copying them together first).
pub fn digest(parts: &[&[u8]]) -> [u8; 20] {
    let mut hasher = Hasher::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finish()
}

struct Hasher {
    state: [u32; 5],
    block: [u8; 64],
    filled: usize,
    /// Message length in bytes; the padding stores it in bits, modulo 2^64 as the standard says.
    length: u64,
}

impl Hasher {
    fn new() -> Self {
        Hasher {
            state: H0,
            block: [0; 64],
            filled: 0,
            length: 0,
        }
    }

    fn update(&mut self, data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        for &byte in data {
            self.push(byte);
        }
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.block.get_mut(self.filled) {
            *slot = byte;
        }
        self.filled += 1;
        if self.filled == self.block.len() {
            compress(&mut self.state, &self.block);
            self.filled = 0;
        }
    }

    fn finish(mut self) -> [u8; 20] {
        let bits = self.length.wrapping_mul(8);
        self.push(0x80);
        while self.filled != 56 {
            self.push(0);
        }
        for byte in bits.to_be_bytes() {
            self.push(byte);
        }
        let mut out = [0u8; 20];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

// One copy, called from `push`; inlined it was duplicated into every caller of `push`.
#[inline(never)]
fn compress(state: &mut [u32; 5], block: &[u8; 64]) {
    // `window` holds W[t-16..t]: W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]) then reads at
    // fixed positions, and shifting the window keeps the schedule in 64 bytes.
    let mut window = [0u32; 16];
    for (word, bytes) in window.iter_mut().zip(block.chunks_exact(4)) {
        *word = u32::from_be_bytes(<[u8; 4]>::try_from(bytes).unwrap_or_default());
    }
    let [mut a, mut b, mut c, mut d, mut e] = *state;
    for t in 0..80 {
        let w = if t < 16 {
            window[0]
        } else {
            (window[13] ^ window[8] ^ window[2] ^ window[0]).rotate_left(1)
        };
        window.copy_within(1.., 0);
        window[15] = w;
        let (f, k) = match t / 20 {
            0 => ((b & c) | (!b & d), 0x5A82_7999),
            1 => (b ^ c ^ d, 0x6ED9_EBA1),
            2 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
            _ => (b ^ c ^ d, 0xCA62_C1D6),
        };
        let next = a
            .rotate_left(5)
            .wrapping_add(f)
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(w);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = next;
    }
    for (h, v) in state.iter_mut().zip([a, b, c, d, e]) {
        *h = h.wrapping_add(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sha1::Digest as _;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn fips_180_examples() {
        assert_eq!(
            hex(&digest(&[b"abc"])),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&digest(&[
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            ])),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(
            hex(&digest(&[])),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        let million = vec![b'a'; 1_000_000];
        assert_eq!(
            hex(&digest(&[&million])),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    #[test]
    fn every_length_across_the_padding_boundaries() {
        // 55/56 (the length field fits or spills), 63/64, and the same a block later.
        let data: Vec<u8> = (0..=130u8).collect();
        for len in 0..=data.len() {
            let expected = sha1::Sha1::digest(&data[..len]);
            assert_eq!(&digest(&[&data[..len]])[..], &expected[..], "length {len}");
        }
    }

    proptest! {
        // Random data of random length, split in two parts anywhere, against the `sha1` crate.
        #[test]
        fn matches_the_sha1_crate(
            data in proptest::collection::vec(any::<u8>(), 0..300),
            cut in 0usize..300,
        ) {
            let cut = cut.min(data.len());
            let (head, tail) = data.split_at(cut);
            let expected = sha1::Sha1::digest(&data);
            prop_assert_eq!(&digest(&[head, tail])[..], &expected[..]);
        }
    }
}
