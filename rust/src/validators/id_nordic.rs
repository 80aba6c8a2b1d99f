//! Nordic personal identity numbers: Finnish HETU, Swedish personnummer, Norwegian
//! fødselsnummer. Each carries a birth date, which must be a real one.

use super::checksum::luhn;
use super::date::is_real_date;
use super::digits::{exact, number};

/// HETU check characters, indexed by the nine-digit number mod 31.
const HETU_CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// The century a HETU's sign stands for: `+` 1800s; `-` and (since 2023) Y, X, W, V, U the
/// 1900s; A and (since 2023) B, C, D, E, F the 2000s.
fn hetu_century(sign: u8) -> Option<u32> {
    match sign {
        b'+' => Some(1800),
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => Some(1900),
        b'A'..=b'F' => Some(2000),
        _ => None,
    }
}

/// `fi_hetu`: a Finnish personal identity code, DDMMYYCZZZQ (Digital and Population Data
/// Services Agency). A real birth date with century sign C, an individual number ZZZ of 002-999
/// (900-999 are temporary ones), and a check character Q = `HETU_CHECK[DDMMYYZZZ mod 31]`.
/// Either case.
pub(super) fn fi_hetu(value: &[u8]) -> bool {
    let Ok(mut s) = <[u8; 11]>::try_from(value) else {
        return false;
    };
    s.make_ascii_uppercase();
    let Some(century) = hetu_century(s[6]) else {
        return false;
    };
    if !s[..6].iter().chain(&s[7..10]).all(u8::is_ascii_digit) {
        return false;
    }
    let digit = |i: usize| u32::from(s[i] - b'0');
    let day = digit(0) * 10 + digit(1);
    let month = digit(2) * 10 + digit(3);
    let year = century + digit(4) * 10 + digit(5);
    let individual = digit(7) * 100 + digit(8) * 10 + digit(9);
    let n = (day * 10_000 + month * 100 + year % 100) * 1000 + individual;
    individual >= 2 && is_real_date(year, month, day) && HETU_CHECK[(n % 31) as usize] == s[10]
}

/// `se_personnummer`: a Swedish personal identity number (Skatteverket), YYMMDD-NNNC or
/// YYYYMMDD-NNNC. The separator may be left out; in the ten-digit form it may be `+`, marking
/// someone aged 100 or more. The date must be real (a coordination number, samordningsnummer,
/// adds 60 to the day), and the last ten digits must pass Luhn.
pub(super) fn se_personnummer(value: &[u8]) -> bool {
    let (date_part, tail, plus) = match value.len() {
        10 | 12 => (&value[..value.len() - 4], &value[value.len() - 4..], false),
        11 | 13 => {
            let sep = value[value.len() - 5];
            let plus = sep == b'+';
            if !(sep == b'-' || (plus && value.len() == 11)) {
                return false;
            }
            (&value[..value.len() - 5], &value[value.len() - 4..], plus)
        }
        _ => return false,
    };
    if !date_part.iter().chain(tail).all(u8::is_ascii_digit) {
        return false;
    }
    let mut d = [0u8; 12];
    let len = date_part.len() + 4;
    for (slot, b) in d.iter_mut().zip(date_part.iter().chain(tail)) {
        *slot = b - b'0';
    }
    let d = &d[..len];
    let (year, rest) = if len == 12 {
        (number(&d[..4]) as u32, &d[2..])
    } else {
        // The century is not written; 19YY for the 100-plus marker, else 20YY, which only
        // matters for 29 February in 1900.
        (if plus { 1900 } else { 2000 } + number(&d[..2]) as u32, d)
    };
    let month = number(&rest[2..4]) as u32;
    let day = number(&rest[4..6]) as u32;
    let day = if day > 60 { day - 60 } else { day };
    (1800..=2100).contains(&year) && is_real_date(year, month, day) && luhn(rest)
}

/// The birth year of a Norwegian number from its two-digit year and individual number
/// (Skatteetaten): 000-499 1900-1999; 500-749 with YY 54-99 1854-1899; 500-999 with YY 00-39
/// 2000-2039; 900-999 with YY 40-99 1940-1999. Other combinations are not issued.
fn fnr_year(yy: u32, individual: u32) -> Option<u32> {
    match (individual, yy) {
        (0..=499, _) => Some(1900 + yy),
        (500..=749, 54..=99) => Some(1800 + yy),
        (500..=999, 0..=39) => Some(2000 + yy),
        (900..=999, 40..=99) => Some(1900 + yy),
        _ => None,
    }
}

/// One fødselsnummer check digit: 11 - (weighted sum mod 11), 11 read as 0, 10 never issued.
fn fnr_check(d: &[u8], weights: &[u32]) -> Option<u8> {
    let sum: u32 = d.iter().zip(weights).map(|(&x, &w)| u32::from(x) * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k as u8),
    }
}

/// `no_fnr`: a Norwegian national identity number, DDMMYYIIIKK, with two mod-11 check digits
/// (weights 3,7,6,1,8,9,4,5,2 and 5,4,3,2,7,6,5,4,3,2). The birth date must be real, counting
/// D-numbers (day + 40) and H-numbers (month + 40), with the century taken from the individual
/// number. Synthetic test numbers (month + 80) are not personal data and are rejected.
pub(super) fn no_fnr(value: &[u8]) -> bool {
    let Some(d) = exact::<11>(value) else {
        return false;
    };
    let k1 = fnr_check(&d[..9], &[3, 7, 6, 1, 8, 9, 4, 5, 2]);
    let k2 = fnr_check(&d[..10], &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
    if k1 != Some(d[9]) || k2 != Some(d[10]) {
        return false;
    }
    let day = number(&d[..2]) as u32;
    let month = number(&d[2..4]) as u32;
    let day = if day > 40 { day - 40 } else { day };
    let month = if month > 40 { month - 40 } else { month };
    let yy = number(&d[4..6]) as u32;
    fnr_year(yy, number(&d[6..9]) as u32).is_some_and(|year| is_real_date(year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hetu_codes() {
        assert!(fi_hetu(b"131052-308T"));
        assert!(fi_hetu(b"010101A123N"));
        assert!(fi_hetu(b"290200A1239"), "2000 was a leap year");
        assert!(fi_hetu(b"010594Y926T"), "2023 century sign Y");
        assert!(fi_hetu(b"010594B0020"), "2023 century sign B");
        assert!(fi_hetu(b"290204-999K"));
        assert!(fi_hetu(b"131052-308t"));
        assert!(!fi_hetu(b"131052-308U"), "wrong check");
        assert!(!fi_hetu(b"290200-1239"), "1900 was not a leap year");
        assert!(!fi_hetu(b"131052G308T"), "G is no century sign");
        assert!(!fi_hetu(b"131052-001T"), "individual number 001");
        assert!(!fi_hetu(b"131352-308T"), "month 13");
        assert!(!fi_hetu(b"131052-308"), "10 characters");
        assert!(!fi_hetu(b"13105X-308T"));
        assert!(!fi_hetu(b""));
    }

    #[test]
    fn personnummer_numbers() {
        assert!(se_personnummer(b"811218-9876"));
        assert!(se_personnummer(b"8112189876"));
        assert!(se_personnummer(b"19811218-9876"));
        assert!(se_personnummer(b"198112189876"));
        assert!(se_personnummer(b"811218+9876"), "aged 100 or more");
        assert!(se_personnummer(b"811278-9873"), "coordination number");
        assert!(!se_personnummer(b"811218-9875"), "wrong check");
        assert!(!se_personnummer(b"811318-9875"), "month 13");
        assert!(
            !se_personnummer(b"19811218+9876"),
            "+ only in the ten-digit form"
        );
        assert!(!se_personnummer(b"17811218-9876"), "year 1781");
        assert!(!se_personnummer(b"811218 9876"));
        assert!(!se_personnummer(b"811218-987"));
        assert!(!se_personnummer(b"811218-98\xff6"));
        assert!(!se_personnummer(b""));
    }

    #[test]
    fn personnummer_leap_days() {
        // 000229: 2000-02-29 exists, 1900-02-29 (the + form) does not.
        assert!(se_personnummer(b"000229-1235"));
        assert!(!se_personnummer(b"000229+1235"));
        assert!(se_personnummer(b"040229-1231"));
    }

    #[test]
    fn fnr_numbers() {
        assert!(no_fnr(b"15058500612"));
        assert!(no_fnr(b"150585 00612"));
        assert!(no_fnr(b"41019012393"), "D-number");
        assert!(no_fnr(b"01529012310"), "H-number");
        assert!(no_fnr(b"29020050088"), "2000-02-29");
        assert!(no_fnr(b"01016060085"), "born 1860");
        assert!(!no_fnr(b"29020010027"), "1900-02-29 did not exist");
        assert!(!no_fnr(b"15058500613"), "wrong second check");
        assert!(!no_fnr(b"15058500602"), "wrong first check");
        assert!(!no_fnr(b"1505850061"), "10 digits");
        assert!(!no_fnr(b"1505850061x"));
        assert!(!no_fnr(b""));
    }

    #[test]
    fn fnr_century_rules() {
        assert_eq!(fnr_year(85, 6), Some(1985));
        assert_eq!(fnr_year(60, 600), Some(1860));
        assert_eq!(fnr_year(5, 800), Some(2005));
        assert_eq!(fnr_year(45, 950), Some(1945));
        assert_eq!(fnr_year(45, 600), None);
        assert_eq!(fnr_year(45, 800), None);
    }
}
