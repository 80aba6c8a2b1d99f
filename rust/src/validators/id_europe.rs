//! Continental European identifiers: Spanish DNI/NIE, Dutch BSN, Polish PESEL, French NIR,
//! Italian fiscal code.

use super::checksum::mod97;
use super::date::{days_in_month, is_real_date};
use super::digits::{compact, exact, number};

/// Spanish control letters, indexed by the number mod 23 (Real Decreto 1553/2005).
const NIF_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// `es_nif`: a Spanish DNI (eight digits and a letter) or NIE (X, Y or Z, seven digits and a
/// letter; X, Y, Z count as 0, 1, 2 in front). The letter is `NIF_LETTERS[number mod 23]`.
/// Spaces, dashes and dots are ignored ("12.345.678-Z"); either case.
pub(super) fn es_nif(value: &[u8]) -> bool {
    let Some((mut buf, 9)) = compact::<9>(value, b" -.") else {
        return false;
    };
    buf.make_ascii_uppercase();
    let [first, body @ .., letter] = buf;
    let lead = match first {
        b'0'..=b'9' => first - b'0',
        b'X' => 0,
        b'Y' => 1,
        b'Z' => 2,
        _ => return false,
    };
    if !body.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = body
        .iter()
        .fold(u32::from(lead), |n, &b| n * 10 + u32::from(b - b'0'));
    NIF_LETTERS[(n % 23) as usize] == letter
}

/// `nl_bsn`: a Dutch burgerservicenummer. Nine digits passing the "11-proof": weights 9..2 on the
/// first eight and -1 on the last, sum divisible by 11. All zeros is rejected.
pub(super) fn nl_bsn(value: &[u8]) -> bool {
    let Some(d) = exact::<9>(value) else {
        return false;
    };
    // -1 is 10 mod 11, which keeps the sum unsigned.
    const W: [u32; 9] = [9, 8, 7, 6, 5, 4, 3, 2, 10];
    let sum: u32 = d.iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    d.iter().any(|&x| x != 0) && sum % 11 == 0
}

/// `pl_pesel`: a Polish PESEL, YYMMDDZZZXQ. Weights 1,3,7,9 repeating over the first ten digits,
/// check digit (10 - sum mod 10) mod 10, and a real birth date, the century being carried in the
/// month (+80 for 1800s, +0 for 1900s, +20 for 2000s). The +40 and +60 month offsets for the
/// 2100s and 2200s are rejected: nobody born then exists yet.
pub(super) fn pl_pesel(value: &[u8]) -> bool {
    let Some(d) = exact::<11>(value) else {
        return false;
    };
    const W: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = d.iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    let yy = number(&d[..2]) as u32;
    let mm = number(&d[2..4]) as u32;
    let (century, month) = match mm {
        81..=92 => (1800, mm - 80),
        1..=12 => (1900, mm),
        21..=32 => (2000, mm - 20),
        _ => return false,
    };
    let day = number(&d[4..6]) as u32;
    (10 - sum % 10) % 10 == u32::from(d[10]) && is_real_date(century + yy, month, day)
}

/// `fr_nir`: a French social security number (NIR), 15 characters: sex (1-4, 7, 8), year, month,
/// department (two digits, or 2A/2B for Corsica), commune, order number, and a two-digit key equal
/// to 97 - (the first 13 as a number, mod 97), with 2A read as 19 and 2B as 18 (INSEE).
/// Spaces, dashes and dots are ignored ("1 84 12 76 451 089 46"); either case for 2A/2B.
pub(super) fn fr_nir(value: &[u8]) -> bool {
    let Some((mut s, 15)) = compact::<15>(value, b" -.") else {
        return false;
    };
    s.make_ascii_uppercase();
    // Corsica: the key is computed with 2A as 19 and 2B as 18; after that, all digits.
    match [s[5], s[6]] {
        [b'2', b'A'] => s[5..7].copy_from_slice(b"19"),
        [b'2', b'B'] => s[5..7].copy_from_slice(b"18"),
        _ => {}
    }
    if !s.iter().all(u8::is_ascii_digit) || !matches!(s[0], b'1'..=b'4' | b'7' | b'8') {
        return false;
    }
    let key = u32::from(s[13] - b'0') * 10 + u32::from(s[14] - b'0');
    mod97(&s[..13]).is_some_and(|r| key == 97 - r)
}

/// The check-character values of a character in an odd (1st, 3rd, ...) position; digits take the
/// value of the letter with the same index (0 as A, 1 as B, ...). Decreto Ministeriale 23/12/1976.
const FISCAL_ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// The letters that stand for 0-9 in a fiscal code's digit positions when the plain code was
/// already taken ("omocodia").
const FISCAL_OMOCODE: &[u8; 10] = b"LMNPQRSTUV";

/// Month letters A (January) to T (December).
const FISCAL_MONTHS: &[u8; 12] = b"ABCDEHLMPRST";

/// The digit a fiscal code's digit position holds, decoding omocodia letters.
fn fiscal_digit(c: u8) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(u32::from(c - b'0'));
    }
    FISCAL_OMOCODE
        .iter()
        .position(|&o| o == c)
        .map(|i| i as u32)
}

/// `it_fiscal_code`: an Italian codice fiscale, e.g. RSSMRA85T10A562S. Six letters (surname and
/// name), two year digits, a month letter, two day digits (+40 for women), a letter and three
/// digits (birthplace), and a check letter: the sum of the odd-position table values and the
/// even-position plain values (A/0 = 0 ... Z = 25), mod 26, as a letter. Digit positions may
/// hold omocodia letters. Either case.
pub(super) fn it_fiscal_code(value: &[u8]) -> bool {
    let Ok(mut s) = <[u8; 16]>::try_from(value) else {
        return false;
    };
    s.make_ascii_uppercase();
    let letters_ok = [0, 1, 2, 3, 4, 5, 11, 15]
        .iter()
        .all(|&i| s[i].is_ascii_uppercase());
    let digits_ok = [6, 7, 9, 10, 12, 13, 14]
        .iter()
        .all(|&i| fiscal_digit(s[i]).is_some());
    if !letters_ok || !digits_ok {
        return false;
    }
    let Some(month) = FISCAL_MONTHS.iter().position(|&m| m == s[8]) else {
        return false;
    };
    let day = fiscal_digit(s[9]).unwrap_or(0) * 10 + fiscal_digit(s[10]).unwrap_or(0);
    let day = if day > 40 { day - 40 } else { day };
    // The year's century is unknown, so February may have 29 days.
    if day == 0 || day > days_in_month(2000, month as u32 + 1) {
        return false;
    }
    let sum: u32 = s[..15]
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let v = if c.is_ascii_digit() {
                c - b'0'
            } else {
                c - b'A'
            };
            if i % 2 == 0 {
                FISCAL_ODD[usize::from(v)]
            } else {
                u32::from(v)
            }
        })
        .sum();
    u32::from(s[15] - b'A') == sum % 26
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nif_dni_and_nie() {
        assert!(es_nif(b"12345678Z"));
        assert!(es_nif(b"12.345.678-Z"));
        assert!(es_nif(b"12345678z"));
        assert!(es_nif(b"X1234567L"));
        assert!(es_nif(b"Y-1234567-X"));
        assert!(es_nif(b"Z1234567R"));
        assert!(!es_nif(b"12345678A"), "wrong letter");
        assert!(!es_nif(b"X1234567R"), "wrong NIE letter");
        assert!(!es_nif(b"W1234567L"), "W is no NIE prefix");
        assert!(!es_nif(b"1234567Z"), "seven digits");
        assert!(!es_nif(b"123456789Z"), "nine digits");
        assert!(!es_nif(b"123456789"), "no letter");
        assert!(!es_nif(b"12345678\xff"));
        assert!(!es_nif(b""));
    }

    #[test]
    fn bsn_numbers() {
        assert!(nl_bsn(b"111222333"));
        assert!(nl_bsn(b"123456782"));
        assert!(nl_bsn(b"1112.22.333"));
        assert!(!nl_bsn(b"111222334"), "fails the 11-proof");
        assert!(!nl_bsn(b"000000000"));
        assert!(!nl_bsn(b"11122233"), "8 digits");
        assert!(!nl_bsn(b"1112223330"), "10 digits");
        assert!(!nl_bsn(b""));
    }

    #[test]
    fn pesel_numbers() {
        assert!(pl_pesel(b"44051401359"), "1944-05-14");
        assert!(pl_pesel(b"02070803628"), "1902-07-08");
        assert!(pl_pesel(b"02270803624"), "2002-07-08");
        assert!(!pl_pesel(b"44051401358"), "wrong check");
        assert!(!pl_pesel(b"44053201353"), "May 32nd");
        assert!(!pl_pesel(b"00022900003"), "1900-02-29 did not exist");
        assert!(!pl_pesel(b"02470803620"), "2100s");
        assert!(!pl_pesel(b"4405140135"), "10 digits");
        assert!(!pl_pesel(b"4405140135x"));
        assert!(!pl_pesel(b""));
    }

    #[test]
    fn pesel_leap_day_by_century() {
        // 2000-02-29 (month 22) exists; the checksum is filled in to isolate the date rule.
        assert!(pl_pesel(b"00222900009"));
    }

    #[test]
    fn nir_numbers() {
        assert!(fr_nir(b"295109912611193"));
        assert!(fr_nir(b"1 84 12 76 451 089 46"));
        assert!(fr_nir(b"2 69 05 49 588 157 80"));
        assert!(fr_nir(b"185032A00412324"), "Corsica 2A");
        assert!(fr_nir(b"1 85 03 2a 004 123 24"), "lowercase 2a");
        assert!(fr_nir(b"285032B00412301"), "Corsica 2B");
        assert!(!fr_nir(b"185032A00412325"), "wrong key");
        assert!(!fr_nir(b"185032C00412324"), "2C is no department");
        assert!(!fr_nir(b"1 84 12 76 451 089 47"), "wrong key");
        assert!(!fr_nir(b"5 84 12 76 451 089 46"), "sex digit 5");
        assert!(!fr_nir(b"1 84 12 76 451 089 4"), "14 characters");
        assert!(!fr_nir(b"1 84 12 76 451 089 4X"));
        assert!(!fr_nir(b""));
    }

    #[test]
    fn fiscal_codes() {
        assert!(it_fiscal_code(b"RSSMRA85T10A562S"));
        assert!(it_fiscal_code(b"MRTMTT25D09F205Z"));
        assert!(it_fiscal_code(b"BNZVCN32S10E573Z"));
        assert!(it_fiscal_code(b"MRTMTT25D09F20RU"), "omocodia");
        assert!(it_fiscal_code(b"MRTMTT25D49F205D"), "a woman: day + 40");
        assert!(it_fiscal_code(b"rssmra85t10a562s"));
        assert!(!it_fiscal_code(b"RSSMRA85T10A562T"), "wrong check");
        assert!(!it_fiscal_code(b"RSSMRA85F10A562S"), "F is no month letter");
        assert!(!it_fiscal_code(b"RSSMRA85T32A562S"), "day 32");
        assert!(!it_fiscal_code(b"RSSMRA85B30A562S"), "February 30th");
        assert!(!it_fiscal_code(b"RSSMR185T10A562S"), "digit in the name");
        assert!(!it_fiscal_code(b"RSSMRA85T10A56"), "short");
        assert!(!it_fiscal_code(b"RSSMRA85T10A562\xff"));
        assert!(!it_fiscal_code(b""));
    }
}
