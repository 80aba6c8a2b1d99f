//! United States identifiers: SSN, ITIN, NPI, DEA registration number.

use super::checksum::luhn;
use super::digits::{all_same, exact, number};

/// Splits `AAA?GG?SSSS` into area, group and serial, where `?` is nothing in both places or the
/// same one of space, dash or dot in both places ("123-45 6789" is two different numbers
/// glued together, not one).
fn split_ssn(value: &[u8]) -> Option<([u8; 9], u32, u32, u32)> {
    let digits: [u8; 9] = match value.len() {
        9 => exact(value)?,
        11 => {
            let sep = value[3];
            if !matches!(sep, b'-' | b' ' | b'.' | b'/') || value[6] != sep {
                return None;
            }
            exact(value)?
        }
        _ => return None,
    };
    // With exactly nine digits in eleven bytes the two separators sit at 3 and 6, checked above.
    let area = number(&digits[..3]) as u32;
    let group = number(&digits[3..5]) as u32;
    let serial = number(&digits[5..]) as u32;
    Some((digits, area, group, serial))
}

/// SSNs printed in advertising, on sample cards, or otherwise known not to identify anyone.
const SSN_DUMMIES: [u64; 3] = [
    78_051_120,  // 078-05-1120, the Woolworth wallet insert
    219_099_999, // 219-09-9999, a Social Security Administration pamphlet
    123_456_789, // the sequence
];

/// `us_ssn`: per the SSA's rules (and the 2011 randomization, which kept them): area not 000, 666
/// or 900-999, group not 00, serial not 0000, consistent separators, and not a published dummy or
/// a single repeated digit.
pub(super) fn us_ssn(value: &[u8]) -> bool {
    let Some((digits, area, group, serial)) = split_ssn(value) else {
        return false;
    };
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !all_same(&digits)
        && !SSN_DUMMIES.contains(&number(&digits))
}

/// `us_itin`: an IRS Individual Taxpayer Identification Number has the SSN layout with a 9xx
/// area and a group in 50-65, 70-88, 90-92 or 94-99 (IRS ITIN ranges; 93 was never issued).
pub(super) fn us_itin(value: &[u8]) -> bool {
    let Some((_, area, group, _)) = split_ssn(value) else {
        return false;
    };
    (900..1000).contains(&area) && matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99)
}

/// `us_npi`: a CMS National Provider Identifier. Ten digits beginning 1 or 2 (the only ranges
/// issued), whose Luhn check is computed as if prefixed by 80840, the ISO 7812 issuer prefix for
/// US health (CMS NPI check digit specification).
pub(super) fn us_npi(value: &[u8]) -> bool {
    let Some(d) = exact::<10>(value) else {
        return false;
    };
    let mut full = [8, 0, 8, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    full[5..].copy_from_slice(&d);
    matches!(d[0], 1 | 2) && luhn(&full)
}

/// `us_dea`: a DEA registration number. Two letters (registrant type, then usually the
/// registrant's surname initial, or 9 where the name does not start with a letter) and seven
/// digits, the last a check digit: the sum of the 1st,
/// 3rd and 5th digits plus twice the sum of the 2nd, 4th and 6th ends in the check digit.
pub(super) fn us_dea(value: &[u8]) -> bool {
    let [a, b, rest @ ..] = value else {
        return false;
    };
    if !a.is_ascii_alphabetic() || !(b.is_ascii_alphabetic() || *b == b'9') || rest.len() != 7 {
        return false;
    }
    if !rest.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let digit = |i: usize| u32::from(rest[i] - b'0');
    let sum = digit(0) + digit(2) + digit(4) + 2 * (digit(1) + digit(3) + digit(5));
    sum % 10 == digit(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssn_valid() {
        assert!(us_ssn(b"536-22-8765"));
        assert!(us_ssn(b"536 22 8765"));
        assert!(us_ssn(b"536.22.8765"));
        assert!(us_ssn(b"536228765"));
        assert!(us_ssn(b"001-01-0001"));
        assert!(us_ssn(b"899-99-9998"));
    }

    #[test]
    fn ssn_structure_rules() {
        assert!(!us_ssn(b"000-22-8765"), "area 000");
        assert!(!us_ssn(b"666-22-8765"), "area 666");
        assert!(!us_ssn(b"900-22-8765"), "area 9xx");
        assert!(!us_ssn(b"536-00-8765"), "group 00");
        assert!(!us_ssn(b"536-22-0000"), "serial 0000");
    }

    #[test]
    fn ssn_dummies_and_separators() {
        assert!(!us_ssn(b"078-05-1120"));
        assert!(!us_ssn(b"219-09-9999"));
        assert!(!us_ssn(b"123-45-6789"));
        assert!(!us_ssn(b"111-11-1111"));
        assert!(!us_ssn(b"555555555"));
        assert!(!us_ssn(b"123-45 6789"), "mixed separators");
        assert!(!us_ssn(b"536-228765"), "one separator");
        assert!(!us_ssn(b"5362-2-8765"), "separators in the wrong place");
        assert!(
            us_ssn(b"536/22/8765"),
            "slashes, the same twice (issue 20: 536/22/1847)"
        );
        assert!(!us_ssn(b"536/22-8765"), "mixed slash and dash");
        assert!(!us_ssn(b"53622876"), "8 digits");
        assert!(!us_ssn(b"5362287655"), "10 digits");
        assert!(!us_ssn(b"536-22-876\xff"));
        assert!(!us_ssn(b""));
    }

    #[test]
    fn itin_ranges() {
        assert!(us_itin(b"912-70-1234"));
        assert!(us_itin(b"999-50-0000"));
        assert!(us_itin(b"900 65 1234"));
        assert!(us_itin(b"900941234"));
        assert!(!us_itin(b"900-93-1234"), "group 93");
        assert!(!us_itin(b"900-66-1234"), "group 66");
        assert!(!us_itin(b"900-49-1234"), "group 49");
        assert!(!us_itin(b"800-70-1234"), "not a 9xx area");
        assert!(!us_itin(b"900-70 1234"), "mixed separators");
        assert!(!us_itin(b""));
    }

    #[test]
    fn npi_numbers() {
        assert!(us_npi(b"1234567893"), "the CMS example");
        assert!(us_npi(b"1245319599"));
        assert!(!us_npi(b"1234567890"), "wrong check");
        assert!(!us_npi(b"3234567891"), "first digit 3 is not issued");
        assert!(!us_npi(b"123456789"), "9 digits");
        assert!(!us_npi(b"12345678931"), "11 digits");
        assert!(!us_npi(b"12345678x3"));
        assert!(!us_npi(b""));
    }

    #[test]
    fn dea_numbers() {
        assert!(us_dea(b"AB1234563"));
        assert!(us_dea(b"BJ6125341"));
        assert!(us_dea(b"ab1234563"));
        assert!(!us_dea(b"AB1234564"), "wrong check");
        assert!(
            us_dea(b"A91234563"),
            "9 for a registrant whose name does not start with a letter"
        );
        assert!(!us_dea(b"A81234563"), "second character a letter or 9");
        assert!(!us_dea(b"191234563"), "first character a letter");
        assert!(!us_dea(b"AB123456"), "six digits");
        assert!(!us_dea(b"AB12345633"), "eight digits");
        assert!(!us_dea(b"AB12345x3"));
        assert!(!us_dea(b"\xffB1234563"));
        assert!(!us_dea(b""));
    }
}
