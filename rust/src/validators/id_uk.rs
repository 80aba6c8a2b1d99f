//! United Kingdom identifiers: National Insurance number, NHS number, driving licence number.

use super::date::days_in_month;
use super::digits::{all_same, compact, exact};

/// Prefix pairs HMRC never allocates although each letter is allowed on its own.
const NINO_BANNED_PREFIXES: [&[u8; 2]; 7] = [b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"];

/// `uk_nino`: a National Insurance number, e.g. "AB 12 34 56 C" (HMRC National Insurance Manual
/// NIM39110). Two prefix letters, six digits, a suffix A-D. The first letter is not D, F, I, Q,
/// U or V; the second not D, F, I, O, Q, U or V; BG, GB, KN, NK, NT, TN and ZZ are unallocated.
/// Spaces and dashes are ignored; either case.
pub(super) fn uk_nino(value: &[u8]) -> bool {
    let Some((mut buf, len)) = compact::<9>(value, b" -") else {
        return false;
    };
    buf.make_ascii_uppercase();
    let [a, b, digits @ .., suffix] = &buf[..len] else {
        return false;
    };
    a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && !b"DFIQUV".contains(a)
        && !b"DFIOQUV".contains(b)
        && !NINO_BANNED_PREFIXES.contains(&&[*a, *b])
        && digits.len() == 6
        && digits.iter().all(u8::is_ascii_digit)
        && (b'A'..=b'D').contains(suffix)
}

/// `uk_nhs`: an NHS number, ten digits usually written 3-3-4. Weights 10..2 over the first nine,
/// check digit 11 - (sum mod 11) with 11 read as 0 and 10 meaning the number is never issued
/// (NHS Data Dictionary, "NHS NUMBER"). A single repeated digit always satisfies the checksum
/// and is rejected.
pub(super) fn uk_nhs(value: &[u8]) -> bool {
    let Some(d) = exact::<10>(value) else {
        return false;
    };
    let sum: u32 = d[..9]
        .iter()
        .zip((2..=10).rev())
        .map(|(&x, w)| u32::from(x) * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    !all_same(&d) && u32::from(d[9]) == check
}

/// `uk_driving_licence`: a DVLA driving licence number (Great Britain), 16 characters, e.g.
/// "MORGA753116SM9IJ": the first five letters of the surname padded with 9s, the decade digit of
/// the birth year, the birth month (+50 for women), the birth day, the year digit, two initials
/// (a 9 for a missing middle initial), a digit, and two computer check characters. The month and
/// day must make a date (29 February passes: the century is unknown). Spaces between the blocks
/// are ignored; either case. The check characters' method is not published.
pub(super) fn uk_driving_licence(value: &[u8]) -> bool {
    let Some((mut s, 16)) = compact::<16>(value, b" ") else {
        return false;
    };
    s.make_ascii_uppercase();
    let surname = &s[..5];
    let letters = surname
        .iter()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    if letters == 0 || !surname[letters..].iter().all(|&c| c == b'9') {
        return false;
    }
    if ![5, 6, 7, 8, 9, 10, 13]
        .iter()
        .all(|&i| s[i].is_ascii_digit())
    {
        return false;
    }
    let num = |i: usize| u32::from(s[i] - b'0') * 10 + u32::from(s[i + 1] - b'0');
    let month = match num(6) {
        m @ 1..=12 => m,
        m @ 51..=62 => m - 50,
        _ => return false,
    };
    let day = num(8);
    day >= 1
        && day <= days_in_month(2000, month)
        && s[11].is_ascii_uppercase()
        && (s[12].is_ascii_uppercase() || s[12] == b'9')
        && s[14..].iter().all(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nino_valid() {
        assert!(uk_nino(b"AB123456C"));
        assert!(uk_nino(b"AB 12 34 56 C"));
        assert!(uk_nino(b"ab123456d"));
        assert!(uk_nino(b"JG-10-37-95-A"));
    }

    #[test]
    fn nino_invalid() {
        assert!(
            !uk_nino(b"QQ123456C"),
            "the HMRC placeholder: Q is never first"
        );
        assert!(!uk_nino(b"DA123456C"), "D first");
        assert!(!uk_nino(b"AO123456C"), "O second");
        assert!(!uk_nino(b"GB123456C"), "GB prefix");
        assert!(!uk_nino(b"ZZ123456C"), "ZZ prefix");
        assert!(!uk_nino(b"AB123456E"), "suffix E");
        assert!(!uk_nino(b"AB12345C"), "five digits");
        assert!(!uk_nino(b"AB1234567C"), "seven digits");
        assert!(!uk_nino(b"AB12345XC"));
        assert!(!uk_nino(b"A\xff123456C"));
        assert!(!uk_nino(b""));
    }

    #[test]
    fn nhs_numbers() {
        assert!(uk_nhs(b"9434765919"));
        assert!(uk_nhs(b"943 476 5919"));
        assert!(uk_nhs(b"401-023-2137"));
        assert!(!uk_nhs(b"9434765918"), "wrong check");
        assert!(!uk_nhs(b"9999999999"), "repeated digit");
        assert!(!uk_nhs(b"0000000000"), "zeros");
        assert!(!uk_nhs(b"943476591"), "9 digits");
        assert!(!uk_nhs(b"94347659190"), "11 digits");
        assert!(!uk_nhs(b"94347659l9"));
        assert!(!uk_nhs(b""));
    }

    #[test]
    fn nhs_remainder_ten_is_never_valid() {
        // A body whose weighted sum is 1 mod 11 would need check digit 10: no tenth digit fits.
        let body = (0..1_000_000_000u32)
            .step_by(7919)
            .map(|n| format!("{n:09}"))
            .find(|s| {
                let sum: u32 = s
                    .bytes()
                    .zip((2..=10).rev())
                    .map(|(b, w)| u32::from(b - b'0') * w)
                    .sum();
                sum % 11 == 1
            })
            .unwrap();
        for last in 0..10 {
            assert!(!uk_nhs(format!("{body}{last}").as_bytes()));
        }
    }

    #[test]
    fn driving_licence_valid() {
        // DVLA's specimen licence, and numbers built by the published layout.
        for v in [
            &b"MORGA753116SM9IJ"[..],
            b"TAYLO611138RJ4XK",
            b"LI999805290A99QP",
            b"OBRIE 562318 DP2AB",
            b"patel705089kn9cd",
        ] {
            assert!(uk_driving_licence(v), "{v:?}");
        }
    }

    #[test]
    fn driving_licence_invalid() {
        assert!(!uk_driving_licence(b"MORGA700116SM9IJ"), "month 00");
        assert!(!uk_driving_licence(b"MORGA713116SM9IJ"), "month 13");
        assert!(!uk_driving_licence(b"MORGA763116SM9IJ"), "month 63");
        assert!(!uk_driving_licence(b"MORGA753006SM9IJ"), "day 00");
        assert!(!uk_driving_licence(b"MORGA752306SM9IJ"), "30 February");
        assert!(
            !uk_driving_licence(b"99999611138RJ4XK"),
            "no surname letter"
        );
        assert!(
            !uk_driving_licence(b"TA9LO611138RJ4XK"),
            "a letter after the padding"
        );
        assert!(!uk_driving_licence(b"MORGA753116991IJ"), "no first initial");
        assert!(
            !uk_driving_licence(b"MORGA753116SMXIJ"),
            "the 14th is a digit"
        );
        assert!(!uk_driving_licence(b"MORGA75311SM9IJ"), "15 characters");
        assert!(!uk_driving_licence(b"MORGA7531166SM9IJ"), "17 characters");
        assert!(!uk_driving_licence(b"MORGA753116SM9I\xff"));
        assert!(!uk_driving_licence(b""));
    }
}
