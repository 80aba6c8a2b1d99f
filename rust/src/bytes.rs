//! Byte sets tested sixty-four bytes at a time, and the long runs of them.
//!
//! A `ByteSet` is any set of bytes whose high nibbles fall into at most eight groups with the same
//! low nibbles (every set the engine uses: digits, letters, base64 characters, ...). Membership of
//! thirty-two bytes is then two table lookups (`pshufb`) and an AND, as in Hyperscan's "shufti":
//! the high-nibble table gives each byte the groups its high nibble belongs to, the low-nibble
//! table the groups that allow its low nibble. Without AVX2 the same masks come from a 256-entry
//! table, a byte at a time.
//!
//! `long_runs` finds the maximal runs of at least k bytes of a set without looking at the bytes
//! of shorter runs: a run of k ends at bit i of a block's mask when the mask shifted by 0..k
//! (with the previous block's bits carried in) is set there, computed by doubling.

/// A set of bytes, as the nibble tables of the vectorised test and a plain table.
#[derive(Clone)]
pub struct ByteSet {
    lo: [u8; 16],
    hi: [u8; 16],
    table: [bool; 256],
}

impl ByteSet {
    /// The set of bytes `member` accepts. Panics if it needs more than eight nibble groups
    /// (no set the engine uses comes near).
    pub fn new(member: impl Fn(u8) -> bool) -> ByteSet {
        let mut table = [false; 256];
        for (b, slot) in table.iter_mut().enumerate() {
            *slot = member(b as u8);
        }
        // Group the high nibbles by the low nibbles they allow.
        let mut groups: Vec<u16> = Vec::new();
        let (mut lo, mut hi) = ([0u8; 16], [0u8; 16]);
        for h in 0..16 {
            let lows = (0..16).fold(0u16, |m, l| m | (u16::from(table[h << 4 | l]) << l));
            if lows == 0 {
                continue;
            }
            let g = match groups.iter().position(|&x| x == lows) {
                Some(g) => g,
                None => {
                    groups.push(lows);
                    groups.len() - 1
                }
            };
            assert!(g < 8, "a byte set may have at most eight nibble groups");
            hi[h] |= 1 << g;
            for (l, slot) in lo.iter_mut().enumerate() {
                if lows & (1 << l) != 0 {
                    *slot |= 1 << g;
                }
            }
        }
        ByteSet { lo, hi, table }
    }

    pub fn contains(&self, b: u8) -> bool {
        self.table[b as usize]
    }

    /// Bit i of the result is set when `block[i]` is in the set.
    pub fn mask(&self, block: &[u8; 64]) -> u64 {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: AVX2 is present, checked just above.
                return unsafe { avx2::mask(self, block) };
            }
        }
        block.iter().enumerate().fold(0u64, |m, (i, &b)| {
            m | (u64::from(self.table[b as usize]) << i)
        })
    }

    /// The masks of `data` block by block: (offset of the block, its mask), the last block
    /// padded with bytes outside the set.
    pub fn masks<'a>(&'a self, data: &'a [u8]) -> impl Iterator<Item = (usize, u64)> + 'a {
        let tail_at = data.len() - data.len() % 64;
        let full = data
            .chunks_exact(64)
            .enumerate()
            .map(|(i, b)| (64 * i, self.mask(b.try_into().expect("64 bytes"))));
        let tail = (tail_at < data.len()).then(|| {
            let m = data[tail_at..].iter().enumerate().fold(0u64, |m, (i, &b)| {
                m | (u64::from(self.table[b as usize]) << i)
            });
            (tail_at, m)
        });
        full.chain(tail)
    }
}

/// The maximal runs of at least `k` (1..=64) bytes of `set` in `data`, in order, as
/// `(start, end)`.
pub fn long_runs<'a>(
    set: &'a ByteSet,
    data: &'a [u8],
    k: usize,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    assert!((1..=64).contains(&k), "run length {k} is not in 1..=64");
    let mut masks = set.masks(data);
    let mut before = 0u64;
    // A run of at least k whose end is not yet seen, by its start.
    let mut open: Option<usize> = None;
    let mut block: Option<(usize, u64, u64)> = None;
    let n = data.len();
    std::iter::from_fn(move || loop {
        let (base, cur, ends) = match block.as_mut() {
            Some(b) => b,
            None => {
                let (base, cur) = masks.next()?;
                let ends = if open.is_some() || cur == 0 {
                    0
                } else {
                    runs_ending(cur, before, k)
                };
                before = cur;
                block = Some((base, cur, ends));
                block.as_mut().expect("just set")
            }
        };
        let (base, cur) = (*base, *cur);
        if let Some(start) = open {
            // The open run ends at this block's first byte outside the set.
            let out = (!cur).trailing_zeros() as usize;
            if out == 64 && base + 64 < n {
                block = None;
                continue;
            }
            let end = (base + out).min(n);
            open = None;
            // Its later ends in this block are the same run's: look on after it.
            *ends = if out < 64 {
                runs_ending(cur & (!0u64 << out), 0, k) & (!0u64 << out)
            } else {
                0
            };
            // A run that began before this block: its bits before `out` were seen already.
            return Some((start, end));
        }
        if *ends == 0 {
            block = None;
            continue;
        }
        let bit = ends.trailing_zeros() as usize;
        let start = base + bit + 1 - k;
        // The run goes on from `bit` to the first byte outside the set.
        let out = bit + (!(cur >> bit)).trailing_zeros() as usize;
        if out >= 64 && base + 64 < n {
            open = Some(start);
            block = None;
            continue;
        }
        let end = (base + out).min(n);
        *ends = if out < 64 { *ends & (!0u64 << out) } else { 0 };
        return Some((start, end));
    })
}

/// Bits of `cur` where a run of at least `k` (1..=64) set bits ends, counting the bits of
/// `before` (the previous block) as coming just before bit 0.
pub fn runs_ending(cur: u64, before: u64, k: usize) -> u64 {
    debug_assert!((1..=64).contains(&k));
    // Bit p of `x` is byte p - 64 of this block. A bit of `levels[j]` is set where a run of at
    // least 2^j ends; the bits a run of k ending in this block needs all lie in `x`.
    let x = (u128::from(cur) << 64) | u128::from(before);
    let mut levels = [0u128; 7];
    levels[0] = x;
    let mut top = 0;
    while (2usize << top) <= k {
        levels[top + 1] = levels[top] & (levels[top] << (1u32 << top));
        top += 1;
    }
    // k as a sum of powers of two, largest first: each level shifted past the ones before it.
    let mut result = !0u128;
    let mut off = 0u32;
    for j in (0..=top).rev() {
        if k & (1 << j) != 0 {
            result &= levels[j] << off;
            off += 1 << j;
        }
    }
    (result >> 64) as u64
}

/// The first byte at or after `from` that is not ASCII.
pub fn next_non_ascii(data: &[u8], from: usize) -> Option<usize> {
    let rest = data.get(from..)?;
    let mut words = rest.chunks_exact(8);
    let mut at = 0;
    for w in words.by_ref() {
        let v = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        let high = v & 0x8080_8080_8080_8080;
        if high != 0 {
            return Some(from + at + (high.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b >= 0x80)
        .map(|i| from + at + i)
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::ByteSet;
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn mask(set: &ByteSet, block: &[u8; 64]) -> u64 {
        let lo_t = _mm256_broadcastsi128_si256(_mm_loadu_si128(set.lo.as_ptr().cast()));
        let hi_t = _mm256_broadcastsi128_si256(_mm_loadu_si128(set.hi.as_ptr().cast()));
        let nibble = _mm256_set1_epi8(0x0F);
        let zero = _mm256_setzero_si256();
        let mut bits = 0u64;
        for h in 0..2 {
            let v = _mm256_loadu_si256(block.as_ptr().add(32 * h).cast());
            let lo = _mm256_shuffle_epi8(lo_t, _mm256_and_si256(v, nibble));
            let hi = _mm256_shuffle_epi8(hi_t, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
            let none = _mm256_cmpeq_epi8(_mm256_and_si256(lo, hi), zero);
            bits |= u64::from(!(_mm256_movemask_epi8(none) as u32)) << (32 * h);
        }
        bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xorshift(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn masks_agree_with_the_table() {
        let sets = [
            ByteSet::new(|b| b.is_ascii_digit()),
            ByteSet::new(|b| b.is_ascii_alphanumeric() || b"+/-_".contains(&b)),
            ByteSet::new(|b| b >= 0x80 || b == b'%' || b == b'\\'),
            ByteSet::new(|b| b.is_ascii_hexdigit() || b == b':'),
        ];
        let data: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for set in &sets {
            for (base, m) in set.masks(&data) {
                for i in 0..64.min(data.len() - base) {
                    assert_eq!(m >> i & 1 == 1, set.contains(data[base + i]), "{base}+{i}");
                }
            }
        }
    }

    #[test]
    fn runs_ending_counts_runs() {
        let mut seed = 0x51f1_5eed_u64;
        for _ in 0..2000 {
            let a = xorshift(&mut seed) | xorshift(&mut seed);
            let b = xorshift(&mut seed) | xorshift(&mut seed) | xorshift(&mut seed);
            let bits: Vec<bool> = (0..128)
                .map(|i| {
                    if i < 64 {
                        a >> i & 1 == 1
                    } else {
                        b >> (i - 64) & 1 == 1
                    }
                })
                .collect();
            for k in [1, 2, 3, 5, 7, 8, 11, 14, 16, 17, 31, 32, 40, 63, 64] {
                let got = runs_ending(b, a, k);
                for i in 0..64 {
                    let want = (0..k).all(|j| bits[64 + i - j]);
                    assert_eq!(got >> i & 1 == 1, want, "k {k} bit {i}");
                }
            }
        }
    }

    #[test]
    fn long_runs_are_the_runs_counted_byte_by_byte() {
        let set = ByteSet::new(|b| b == b'x');
        let mut seed = 0x0123_4567_89ab_cdef_u64;
        for round in 0..300 {
            let len = (xorshift(&mut seed) % 600) as usize;
            // Runs of every length, some across block edges, some to the end.
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    if xorshift(&mut seed) % (2 + round % 7) as u64 == 0 {
                        b'.'
                    } else {
                        b'x'
                    }
                })
                .collect();
            for k in [1, 2, 5, 14, 16, 40, 64] {
                let mut want = Vec::new();
                let mut i = 0;
                while i < len {
                    if data[i] != b'x' {
                        i += 1;
                        continue;
                    }
                    let s = i;
                    while i < len && data[i] == b'x' {
                        i += 1;
                    }
                    if i - s >= k {
                        want.push((s, i));
                    }
                }
                let got: Vec<(usize, usize)> = long_runs(&set, &data, k).collect();
                assert_eq!(got, want, "round {round} k {k} len {len}");
            }
        }
    }

    #[test]
    fn finds_the_first_non_ascii_byte() {
        let mut text = vec![b'a'; 100];
        assert_eq!(next_non_ascii(&text, 0), None);
        text[37] = 0xC3;
        text[90] = 0x80;
        assert_eq!(next_non_ascii(&text, 0), Some(37));
        assert_eq!(next_non_ascii(&text, 37), Some(37));
        assert_eq!(next_non_ascii(&text, 38), Some(90));
        assert_eq!(next_non_ascii(&text, 95), None);
        assert_eq!(next_non_ascii(&text, 100), None);
        assert_eq!(next_non_ascii(&text, 101), None);
    }
}
