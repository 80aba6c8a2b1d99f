//! Asia-Pacific identifiers: Indian Aadhaar, Australian TFN and Medicare number, Singapore
//! NRIC/FIN.

use super::checksum::verhoeff;
use super::digits::{all_same, digits, exact};

/// `in_aadhaar`: a UIDAI Aadhaar number, twelve digits usually written 4-4-4 (with spaces,
/// dashes, or the colons some forms export). The first digit is 2-9 (0 and 1 are never issued)
/// and the last is a Verhoeff check digit. A single repeated digit (999999999999 passes Verhoeff)
/// is a placeholder and rejected.
pub(super) fn in_aadhaar(value: &[u8]) -> bool {
    // Twelve digits and two separators at most; colons read as dashes.
    let mut buf = [0u8; 14];
    let Some(slot) = buf.get_mut(..value.len()) else {
        return false;
    };
    for (out, &b) in slot.iter_mut().zip(value) {
        *out = if b == b':' { b'-' } else { b };
    }
    let Some(d) = exact::<12>(slot) else {
        return false;
    };
    d[0] >= 2 && !all_same(&d) && verhoeff(&d)
}

/// `au_tfn`: an Australian Tax File Number, nine digits (or eight for old ones) whose weighted
/// sum is divisible by 11: weights 1,4,3,7,5,8,6,9,10 for nine digits, 10,7,8,4,6,3,5,1 for
/// eight (ATO). All zeros is rejected.
pub(super) fn au_tfn(value: &[u8]) -> bool {
    let Some(d) = digits(value) else {
        return false;
    };
    let d = d.as_slice();
    let weights: &[u32] = match d.len() {
        9 => &[1, 4, 3, 7, 5, 8, 6, 9, 10],
        8 => &[10, 7, 8, 4, 6, 3, 5, 1],
        _ => return false,
    };
    let sum: u32 = d.iter().zip(weights).map(|(&x, &w)| u32::from(x) * w).sum();
    d.iter().any(|&x| x != 0) && sum % 11 == 0
}

/// `au_medicare`: an Australian Medicare card number, usually written 4-5-1: eight digits
/// starting 2-6, a check digit equal to the sum of the first eight weighted 1,3,7,9,1,3,7,9 mod
/// 10, the card's issue number, and optionally the individual reference number (11 digits).
pub(super) fn au_medicare(value: &[u8]) -> bool {
    let Some(d) = digits(value) else {
        return false;
    };
    let d = d.as_slice();
    if !(10..=11).contains(&d.len()) || !(2..=6).contains(&d[0]) {
        return false;
    }
    const W: [u32; 8] = [1, 3, 7, 9, 1, 3, 7, 9];
    let sum: u32 = d.iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    sum % 10 == u32::from(d[8])
}

/// `sg_nric`: a Singapore NRIC or FIN: a prefix letter, seven digits, a check letter. The digits
/// weighted 2,7,6,5,4,3,2, plus 4 for T and G and 3 for M, mod 11, index a letter table: one
/// for S/T (citizens and PRs), one for F/G (foreigners), and the 2022 M-series table (ICA).
/// Either case.
pub(super) fn sg_nric(value: &[u8]) -> bool {
    let Ok(mut s) = <[u8; 9]>::try_from(value) else {
        return false;
    };
    s.make_ascii_uppercase();
    let (offset, table): (u32, &[u8; 11]) = match s[0] {
        b'S' => (0, b"JZIHGFEDCBA"),
        b'T' => (4, b"JZIHGFEDCBA"),
        b'F' => (0, b"XWUTRQPNMLK"),
        b'G' => (4, b"XWUTRQPNMLK"),
        b'M' => (3, b"XWUTRQPNJLK"),
        _ => return false,
    };
    let body = &s[1..8];
    if !body.iter().all(u8::is_ascii_digit) {
        return false;
    }
    const W: [u32; 7] = [2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = body
        .iter()
        .zip(W)
        .map(|(&b, w)| u32::from(b - b'0') * w)
        .sum();
    table[((sum + offset) % 11) as usize] == s[8]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aadhaar_numbers() {
        assert!(in_aadhaar(b"234123412346"));
        assert!(in_aadhaar(b"2341:2341:2346"));
        assert!(!in_aadhaar(b"2341:2341:2347"));
        assert!(!in_aadhaar(b"2341:2341:2346:"));
        assert!(in_aadhaar(b"2341 2341 2346"));
        assert!(in_aadhaar(b"4993-4912-3451"));
        assert!(!in_aadhaar(b"234123412347"), "wrong check");
        assert!(!in_aadhaar(b"134123412346"), "first digit 1");
        assert!(!in_aadhaar(b"999999999999"), "repeated digit");
        assert!(!in_aadhaar(b"23412341234"), "11 digits");
        assert!(!in_aadhaar(b"2341234123461"), "13 digits");
        assert!(!in_aadhaar(b"2341 2341 234b"));
        assert!(!in_aadhaar(b""));
    }

    #[test]
    fn tfn_numbers() {
        assert!(au_tfn(b"123456782"));
        assert!(au_tfn(b"123 456 782"));
        assert!(au_tfn(b"876 543 210"));
        assert!(au_tfn(b"12345677"), "eight-digit TFN");
        assert!(!au_tfn(b"123456783"), "wrong check");
        assert!(!au_tfn(b"12345678"), "wrong eight-digit check");
        assert!(!au_tfn(b"000000000"));
        assert!(!au_tfn(b"1234567"), "7 digits");
        assert!(!au_tfn(b"1234567820"), "10 digits");
        assert!(!au_tfn(b"123 456 78a"));
        assert!(!au_tfn(b""));
    }

    #[test]
    fn medicare_numbers() {
        assert!(au_medicare(b"2123456701"));
        assert!(au_medicare(b"2123 45670 1"));
        assert!(
            au_medicare(b"21234567011"),
            "with individual reference number"
        );
        assert!(!au_medicare(b"2123456711"), "wrong check");
        assert!(!au_medicare(b"1123456701"), "first digit 1");
        assert!(!au_medicare(b"7123456701"), "first digit 7");
        assert!(!au_medicare(b"212345670"), "9 digits");
        assert!(!au_medicare(b"212345670112"), "12 digits");
        assert!(!au_medicare(b"2123-4567-0X"));
        assert!(!au_medicare(b""));
    }

    #[test]
    fn nric_numbers() {
        assert!(sg_nric(b"S1234567D"));
        assert!(sg_nric(b"s1234567d"));
        assert!(sg_nric(b"T1234567J"));
        assert!(sg_nric(b"F1234567N"));
        assert!(sg_nric(b"G1234567X"));
        assert!(sg_nric(b"M1234567K"));
        assert!(!sg_nric(b"S1234567A"), "wrong check");
        assert!(!sg_nric(b"M1234567L"), "wrong M-series check");
        assert!(!sg_nric(b"A1234567D"), "unknown prefix");
        assert!(!sg_nric(b"S123456D"), "six digits");
        assert!(!sg_nric(b"S12345X7D"));
        assert!(!sg_nric(b"S1234567\xff"));
        assert!(!sg_nric(b""));
    }
}
