//! `offsets`: `offsets::bytes_to_chars` (byte offsets to code-point offsets, for findings in `str`
//! input) on arbitrary bytes and offsets, against a naive count per offset.

use arbitrary::{Result, Unstructured};
use weir_core::offsets::bytes_to_chars;

/// Code points before byte `offset` (clamped to the text): one count per offset, no sharing.
fn naive(text: &[u8], offset: usize) -> usize {
    let end = offset.min(text.len());
    text[..end]
        .iter()
        .filter(|&&b| !(0x80..0xC0).contains(&b))
        .count()
}

fn offsets(u: &mut Unstructured<'_>, len: usize) -> Result<Vec<usize>> {
    let n = u.int_in_range(0..=64)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(match u.int_in_range(0..=9)? {
            0 => usize::MAX - u.int_in_range(0..=2)?,
            1 => len + u.int_in_range(0..=3)?,
            _ => u.int_in_range(0..=len)?,
        });
    }
    if u.arbitrary()? {
        out.sort_unstable();
    }
    Ok(out)
}

pub fn run(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(split) = u.arbitrary::<u16>() else {
        return;
    };
    let rest = u.take_rest();
    // The text first, the offsets from what follows it, so mutating one leaves the other alone.
    let (text, tail) = rest.split_at(usize::from(split) % (rest.len() + 1));
    let mut u = Unstructured::new(tail);
    let Ok(wanted) = offsets(&mut u, text.len()) else {
        return;
    };
    let mut got = wanted.clone();
    bytes_to_chars(text, &mut got);
    for (i, (&byte, &chars)) in wanted.iter().zip(&got).enumerate() {
        assert_eq!(
            chars,
            naive(text, byte),
            "offset #{i} (byte {byte}) of {} in {} bytes",
            wanted.len(),
            text.len()
        );
    }
    // Where the text is UTF-8 and the offset a character boundary, the count is what Rust's own
    // decoder says (Python's `str` offsets are exactly these).
    if let Ok(s) = std::str::from_utf8(text) {
        for (&byte, &chars) in wanted.iter().zip(&got) {
            if byte <= s.len() && s.is_char_boundary(byte) {
                assert_eq!(chars, s[..byte].chars().count(), "byte {byte}");
            }
        }
    }
}
