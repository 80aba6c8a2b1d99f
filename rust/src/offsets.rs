//! Byte offsets to code-point offsets, for findings in `str` input (Python counts code points).

/// Rewrite each byte offset in `offsets` (in any order) as the number of code points of `text`
/// before it. One pass over the text for all offsets.
pub fn bytes_to_chars(text: &[u8], offsets: &mut [usize]) {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let (mut byte, mut chars) = (0usize, 0usize);
    for i in order {
        let target = offsets[i].min(text.len());
        chars += count_chars(&text[byte..target]);
        byte = target;
        offsets[i] = chars;
    }
}

/// Code points in valid UTF-8: every byte that is not a continuation byte starts one.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_code_points() {
        let text = "héllo wörld €5".as_bytes();
        let mut offs = vec![text.len(), 0, 7, 3];
        bytes_to_chars(text, &mut offs);
        assert_eq!(offs, vec![14, 0, 6, 2]);
    }
}
