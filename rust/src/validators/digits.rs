//! Separator-tolerant digit extraction for numeric identifiers, on the stack.

/// Separators people write numeric identifiers with: space, dash, dot and slash, and the tab,
/// underscore and pipe a value can be written with to slip past a rule (the patterns decide
/// which shapes are taken).
pub(super) const SEPARATORS: &[u8] = b" -./\t_|";

/// The most digits any numeric validator needs (a 19-digit card number is the longest).
const CAPACITY: usize = 24;

/// Up to [`CAPACITY`] decimal digits, each as its value 0-9.
pub(super) struct Digits {
    buf: [u8; CAPACITY],
    len: usize,
}

impl Digits {
    pub(super) fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The digits of `value`, skipping [`SEPARATORS`]. None when any other byte appears, when there
/// are more than [`CAPACITY`] digits (so work stops early on long input), or when there are none.
pub(super) fn digits(value: &[u8]) -> Option<Digits> {
    let mut out = Digits {
        buf: [0; CAPACITY],
        len: 0,
    };
    for &b in value {
        if b.is_ascii_digit() {
            *out.buf.get_mut(out.len)? = b - b'0';
            out.len += 1;
        } else if !SEPARATORS.contains(&b) {
            return None;
        }
    }
    (out.len > 0).then_some(out)
}

/// Exactly `N` digits of `value` (separators skipped), or None.
pub(super) fn exact<const N: usize>(value: &[u8]) -> Option<[u8; N]> {
    let d = digits(value)?;
    d.as_slice().try_into().ok()
}

/// The digits as a number; callers pass at most 19 digits so it cannot overflow.
pub(super) fn number(d: &[u8]) -> u64 {
    d.iter().fold(0, |n, &x| n * 10 + u64::from(x))
}

/// True when every digit equals the first (including the empty slice).
pub(super) fn all_same(d: &[u8]) -> bool {
    d.windows(2).all(|w| w[0] == w[1])
}

/// `value` without `strip` bytes, copied to a stack buffer of `N`; None when longer than `N`.
/// Used by the letter-bearing identifiers, which are short.
pub(super) fn compact<const N: usize>(value: &[u8], strip: &[u8]) -> Option<([u8; N], usize)> {
    let mut buf = [0u8; N];
    let mut len = 0;
    for &b in value {
        if strip.contains(&b) {
            continue;
        }
        *buf.get_mut(len)? = b;
        len += 1;
    }
    Some((buf, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_digits_skipping_separators() {
        let d = digits(b"4111 1111-1111.1111").unwrap();
        assert_eq!(d.as_slice().len(), 16);
        assert_eq!(d.as_slice()[..4], [4, 1, 1, 1]);
        assert_eq!(exact::<3>(b"1/2/3"), Some([1, 2, 3]));
    }

    #[test]
    fn rejects_other_bytes_and_overflow() {
        assert!(digits(b"").is_none());
        assert!(digits(b" - ").is_none());
        assert!(digits(b"12a4").is_none());
        assert!(digits(b"12\xff4").is_none());
        assert!(digits(&[b'1'; 25]).is_none());
        assert!(digits(&[b'1'; 24]).is_some());
        assert_eq!(exact::<3>(b"1234"), None);
        assert_eq!(exact::<3>(b"12"), None);
    }

    #[test]
    fn helpers() {
        assert_eq!(number(&[1, 2, 3]), 123);
        assert_eq!(number(&[9; 19]), 9_999_999_999_999_999_999);
        assert!(all_same(&[7, 7, 7]));
        assert!(!all_same(&[7, 7, 1]));
        let (buf, len) = compact::<4>(b"a b-c", b" -").unwrap();
        assert_eq!(&buf[..len], b"abc");
        assert!(compact::<2>(b"abc", b"").is_none());
    }
}
