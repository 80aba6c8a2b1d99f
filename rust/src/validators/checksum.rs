//! The generic check-digit algorithms (Luhn and its base-36 form, Verhoeff, ISO 7064 mod 97-10
//! and mod 11,10, the ICAO 9303 7-3-1 check digit) and the three validators that are nothing
//! more than one of them.

use super::digits::{digits, SEPARATORS};

/// Luhn sum of `d` (digit values, check digit last): from the right, every second digit is
/// doubled and 9 subtracted when the result exceeds 9. ISO/IEC 7812-1, Annex B.
pub(super) fn luhn_sum(d: &[u8]) -> u32 {
    d.iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum()
}

/// Does `d` (digit values, check digit last) pass the Luhn checksum?
pub(super) fn luhn(d: &[u8]) -> bool {
    luhn_sum(d) % 10 == 0
}

/// `luhn`: 12 to 19 digits, separators ignored, passing Luhn. All zeros is a placeholder, not a
/// number, and is rejected.
pub(super) fn luhn_validator(value: &[u8]) -> bool {
    let Some(d) = digits(value) else {
        return false;
    };
    let d = d.as_slice();
    (12..=19).contains(&d.len()) && d.iter().any(|&x| x != 0) && luhn(d)
}

/// Verhoeff's dihedral group D5 multiplication table.
const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

/// Verhoeff's position permutation: row `i % 8` applies to the digit `i` places from the right.
/// Row `i` is row 1 applied `i` times; row 1 is the permutation (1 5 8 9 4 2 7 0)(3 6).
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// One Verhoeff step: fold `digit`, `position` places from the right, into the running check.
fn verhoeff_step(check: u8, position: usize, digit: u8) -> u8 {
    let permuted = VERHOEFF_P[position % 8][usize::from(digit % 10)];
    VERHOEFF_D[usize::from(check % 10)][usize::from(permuted)]
}

/// Does `d` (digit values, check digit last) pass the Verhoeff checksum? J. Verhoeff, "Error
/// Detecting Decimal Codes" (1969): the product over the permuted digits must be 0.
pub(super) fn verhoeff(d: &[u8]) -> bool {
    d.iter()
        .rev()
        .enumerate()
        .fold(0, |c, (i, &x)| verhoeff_step(c, i, x))
        == 0
}

/// `verhoeff`: at least two digits (a payload and the check digit), separators ignored. Streams
/// from the right, so any length is fine without a buffer.
pub(super) fn verhoeff_validator(value: &[u8]) -> bool {
    let mut check = 0;
    let mut n = 0;
    for &b in value.iter().rev() {
        if b.is_ascii_digit() {
            check = verhoeff_step(check, n, b - b'0');
            n += 1;
        } else if !SEPARATORS.contains(&b) {
            return false;
        }
    }
    n >= 2 && check == 0
}

/// ISO 7064 MOD 97-10 remainder of an alphanumeric string in which letters stand for 10 to 35
/// (A=10 ... Z=35, either case), as IBAN (ISO 13616) and LEI (ISO 17442) use it. None on any
/// other byte. Works digit by digit, so the number never needs big integers.
pub(super) fn mod97<'a>(chars: impl IntoIterator<Item = &'a u8>) -> Option<u32> {
    let mut r = 0u32;
    for &c in chars {
        r = match c {
            b'0'..=b'9' => (r * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => (r * 100 + u32::from(c - b'A') + 10) % 97,
            b'a'..=b'z' => (r * 100 + u32::from(c - b'a') + 10) % 97,
            _ => return None,
        };
    }
    Some(r)
}

/// Does `d` (digit values, check digit last) pass ISO 7064 MOD 11,10 (the hybrid system: a
/// running product mod 11 of sums mod 10, where a sum of 0 counts as 10)? Used by the German
/// Steuer-IdNr.
pub(super) fn iso7064_mod11_10(d: &[u8]) -> bool {
    let Some((&check, body)) = d.split_last() else {
        return false;
    };
    let product = body.iter().fold(10u32, |p, &x| {
        let s = (u32::from(x) + p) % 10;
        (if s == 0 { 10 } else { s }) * 2 % 11
    });
    (11 - product) % 10 == u32::from(check)
}

/// Luhn mod N over base-36 values (0-9 then A-Z, check character last): from the right, every
/// second value is doubled and its two base-36 digits added. Indian GSTIN. None on a byte that
/// is not an uppercase letter or digit.
pub(super) fn luhn36(chars: &[u8]) -> Option<bool> {
    let mut sum = 0u32;
    for (i, &c) in chars.iter().rev().enumerate() {
        let v = u32::from(match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'Z' => c - b'A' + 10,
            _ => return None,
        });
        let v = if i % 2 == 1 {
            v * 2 / 36 + v * 2 % 36
        } else {
            v
        };
        sum += v;
    }
    Some(sum % 36 == 0)
}

/// The longest document number `icao_check_digit` takes (the MRZ's optional-data field is 15;
/// passport and identity-card numbers are 9 plus the check digit).
const ICAO_MAX_LEN: usize = 20;

/// `icao_check_digit`: a machine-readable travel document's number with its check digit last, as
/// ICAO Doc 9303 part 3 computes it: digits count as themselves, letters A-Z as 10-35 (either
/// case), weights 7, 3, 1 repeating from the left, the sum mod 10. German passport and identity
/// card numbers carry it as their ninth character. A single repeated character (000000000) is a
/// placeholder and rejected.
pub(super) fn icao_check_digit(value: &[u8]) -> bool {
    let Some((&check, body)) = value.split_last() else {
        return false;
    };
    if body.is_empty() || value.len() > ICAO_MAX_LEN || !check.is_ascii_digit() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &c) in body.iter().enumerate() {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'Z' => c - b'A' + 10,
            b'a'..=b'z' => c - b'a' + 10,
            _ => return false,
        };
        sum += u32::from(v) * [7, 3, 1][i % 3];
    }
    let repeated = value.windows(2).all(|w| w[0] == w[1]);
    !repeated && sum % 10 == u32::from(check - b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_numbers() {
        for card in [
            &b"4111111111111111"[..],
            b"4111 1111 1111 1111",
            b"4111-1111-1111-1111",
            b"5555555555554444",
            b"378282246310005",
            b"6011111111111117",
            b"4222222222222",
            b"3530111333300000",
        ] {
            assert!(luhn_validator(card), "{:?}", std::str::from_utf8(card));
        }
    }

    #[test]
    fn luhn_rejects() {
        assert!(!luhn_validator(b"4111111111111112"), "wrong check digit");
        assert!(!luhn_validator(b"4111111111111121"), "transposition");
        assert!(!luhn_validator(b"42424242426"), "11 digits");
        assert!(!luhn_validator(b"41111111111111111113"), "20 digits");
        assert!(!luhn_validator(b"0000 0000 0000 0000"), "all zeros");
        assert!(!luhn_validator(b"4111x1111x1111x1111"));
        assert!(!luhn_validator(b"4111\xff1111111111111"));
        assert!(!luhn_validator(b""));
    }

    #[test]
    fn luhn_core() {
        assert!(luhn(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]));
        assert!(!luhn(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]));
        assert_eq!(luhn_sum(&[1, 8]), 2 + 8);
    }

    #[test]
    fn verhoeff_known_numbers() {
        assert!(verhoeff_validator(b"2363"));
        assert!(verhoeff_validator(b"2363 "));
        assert!(verhoeff(&[2, 3, 6, 3]));
        // Every single-digit error and adjacent transposition of 2363 is caught.
        assert!(!verhoeff_validator(b"2364"));
        assert!(!verhoeff_validator(b"3263"));
        assert!(!verhoeff_validator(b"2336"));
        assert!(verhoeff_validator(b"12345678902"), "1234567890 -> check 2");
        assert!(!verhoeff_validator(b"12345678901"));
    }

    #[test]
    fn verhoeff_permutation_rows_are_powers_of_row_one() {
        for i in 1..8 {
            for x in 0..10 {
                let next = VERHOEFF_P[1][usize::from(VERHOEFF_P[i - 1][x])];
                assert_eq!(VERHOEFF_P[i][x], next, "row {i}, column {x}");
            }
        }
        // p^8 is the identity, so the cycle of rows closes.
        for x in 0..10 {
            assert_eq!(VERHOEFF_P[1][usize::from(VERHOEFF_P[7][x])], x as u8);
        }
    }

    #[test]
    fn verhoeff_detects_every_single_error_and_adjacent_swap() {
        let good = [8u8, 4, 7, 3, 9, 6, 5, 0, 2, 1];
        let check = (0..10)
            .find(|&c| verhoeff(&[&good[..], &[c]].concat()))
            .unwrap();
        let number = [&good[..], &[check]].concat();
        for i in 0..number.len() {
            for wrong in 0..10 {
                if wrong != number[i] {
                    let mut bad = number.clone();
                    bad[i] = wrong;
                    assert!(!verhoeff(&bad), "{bad:?}");
                }
            }
            if i + 1 < number.len() && number[i] != number[i + 1] {
                let mut bad = number.clone();
                bad.swap(i, i + 1);
                assert!(!verhoeff(&bad), "{bad:?}");
            }
        }
    }

    #[test]
    fn verhoeff_rejects_malformed() {
        assert!(!verhoeff_validator(b""));
        assert!(!verhoeff_validator(b"0"), "a lone digit has no payload");
        assert!(!verhoeff_validator(b"23a63"));
        assert!(!verhoeff_validator(b"23\xc363"));
    }

    #[test]
    fn mod97_letters_and_digits() {
        assert_eq!(mod97(b"97"), Some(0));
        assert_eq!(mod97(b"98"), Some(1));
        // A=10, so "A" is 10 and "1A" is 110.
        assert_eq!(mod97(b"A"), Some(10));
        assert_eq!(mod97(b"1a"), Some(110 % 97));
        assert_eq!(mod97(b"1-2"), None);
        assert_eq!(mod97(b""), Some(0));
    }
    #[test]
    fn iso7064_mod11_10_known_numbers() {
        // Steuer-IdNr values: 36 574 261 809 (python-stdnum's example), 86 095 742 719.
        assert!(iso7064_mod11_10(&[3, 6, 5, 7, 4, 2, 6, 1, 8, 0, 9]));
        assert!(iso7064_mod11_10(&[8, 6, 0, 9, 5, 7, 4, 2, 7, 1, 9]));
        assert!(
            !iso7064_mod11_10(&[3, 6, 5, 7, 4, 2, 6, 1, 8, 9, 0]),
            "swapped"
        );
        assert!(!iso7064_mod11_10(&[8, 6, 0, 9, 5, 7, 4, 2, 7, 1, 8]));
        assert!(!iso7064_mod11_10(&[]));
    }

    #[test]
    fn luhn36_gstin_and_junk() {
        assert_eq!(luhn36(b"27AAPFU0939F1ZV"), Some(true));
        assert_eq!(luhn36(b"27AAPFU0939F1ZW"), Some(false));
        assert_eq!(
            luhn36(b"27aapfu0939f1zv"),
            None,
            "uppercase only; callers fold case"
        );
        assert_eq!(luhn36(b"27-APFU"), None);
        assert_eq!(luhn36(b""), Some(true), "callers check the length");
    }

    #[test]
    fn icao_check_digits() {
        // German passport numbers: eight characters and the 7-3-1 check digit.
        for s in [
            &b"C01234565"[..],
            b"c01234565",
            b"F12345671",
            b"L01X00T44",
            b"CZ6311T03",
            b"G00000002",
            b"C01X00T41",
            // The specimen passport of ICAO Doc 9303 part 4.
            b"L898902C3",
        ] {
            assert!(icao_check_digit(s), "{:?}", String::from_utf8_lossy(s));
        }
        for s in [
            &b"C01234567"[..],
            b"F12345678",
            b"L01X00T47",
            b"C0123456X",
            b"000000000",
            b"C0123-565",
            b"5",
            b"",
            b"C01234565C01234565C01234565",
        ] {
            assert!(!icao_check_digit(s), "{:?}", String::from_utf8_lossy(s));
        }
    }
}
