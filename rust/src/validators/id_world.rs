//! Personal identifiers from elsewhere: Turkish TC Kimlik, South African ID, Korean RRN, Thai
//! national ID, German Steuer-IdNr.

use super::checksum::{iso7064_mod11_10, luhn};
use super::date::is_real_date;
use super::digits::{exact, number};

/// `tr_tckimlik`: a Turkish TC Kimlik number, eleven digits, the first not 0. The tenth is
/// (7 x the sum of digits 1,3,5,7,9 - the sum of digits 2,4,6,8) mod 10, the eleventh the sum of
/// the first ten mod 10 (NVI).
pub(super) fn tr_tckimlik(value: &[u8]) -> bool {
    let Some(d) = exact::<11>(value) else {
        return false;
    };
    let odd: i32 = d[..9].iter().step_by(2).map(|&x| i32::from(x)).sum();
    let even: i32 = d[1..8].iter().step_by(2).map(|&x| i32::from(x)).sum();
    let first10: u32 = d[..10].iter().map(|&x| u32::from(x)).sum();
    d[0] != 0
        && (odd * 7 - even).rem_euclid(10) == i32::from(d[9])
        && first10 % 10 == u32::from(d[10])
}

/// `za_id`: a South African ID number, thirteen digits `YYMMDD SSSS C A Z`: a real birth date,
/// the sequence, citizenship (0 citizen, 1 permanent resident, 2 refugee), 8 or 9 (the digit that
/// once encoded race, fixed since 1986), and a Luhn check digit (Home Affairs). The century is not
/// written; 20YY is used for the leap-year rule, which agrees with 19YY except for 00.
pub(super) fn za_id(value: &[u8]) -> bool {
    let Some(d) = exact::<13>(value) else {
        return false;
    };
    let (yy, mm, dd) = (number(&d[..2]), number(&d[2..4]), number(&d[4..6]));
    is_real_date(2000 + yy as u32, mm as u32, dd as u32)
        && d[10] <= 2
        && matches!(d[11], 8 | 9)
        && luhn(&d)
}

/// The birth date and sex digit of a Korean RRN: `YYMMDD-GNNNNNN` with G 1/2 (born 1900-1999) or
/// 3/4 (2000-2099). 5-8 are foreigners' registration numbers, 9/0 the 1800s; both are refused.
fn kr_rrn_digits(value: &[u8]) -> Option<[u8; 13]> {
    let d = exact::<13>(value)?;
    let century = match d[6] {
        1 | 2 => 1900,
        3 | 4 => 2000,
        _ => return None,
    };
    let year = century + number(&d[..2]) as u32;
    is_real_date(year, number(&d[2..4]) as u32, number(&d[4..6]) as u32).then_some(d)
}

/// `kr_rrn_format`: a Korean resident registration number by its structure alone (a real birth
/// date, a sex digit 1-4). Numbers issued since October 2020 end in random digits, with no
/// region code and no check digit, so this is all that can be checked for them.
pub(super) fn kr_rrn_format(value: &[u8]) -> bool {
    kr_rrn_digits(value).is_some()
}

/// `kr_rrn`: a Korean resident registration number issued before October 2020: the structure
/// above, a region code (digits 8-9) of at most 96, and a check digit: the first twelve weighted
/// 2,3,4,5,6,7,8,9,2,3,4,5, (11 - sum mod 11) mod 10.
pub(super) fn kr_rrn(value: &[u8]) -> bool {
    let Some(d) = kr_rrn_digits(value) else {
        return false;
    };
    const W: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let sum: u32 = d.iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    number(&d[7..9]) <= 96 && (11 - sum % 11) % 10 == u32::from(d[12])
}

/// `th_tnin`: a Thai national ID number, thirteen digits: a person type 1-8, a province code in
/// the ranges the Department of Provincial Administration assigns (10-27, 30-58, 60-67, 70-77,
/// 80-86, 90-96), and a check digit: the first twelve weighted 13 down to 2, (11 - sum mod 11)
/// mod 10.
pub(super) fn th_tnin(value: &[u8]) -> bool {
    let Some(d) = exact::<13>(value) else {
        return false;
    };
    let province = number(&d[1..3]);
    let sum: u32 = d[..12]
        .iter()
        .zip((2..=13).rev())
        .map(|(&x, w)| u32::from(x) * w)
        .sum();
    (1..=8).contains(&d[0])
        && matches!(province, 10..=27 | 30..=58 | 60..=67 | 70..=77 | 80..=86 | 90..=96)
        && (11 - sum % 11) % 10 == u32::from(d[12])
}

/// `de_tax_id`: a German Steuerliche Identifikationsnummer, eleven digits, the first not 0. In the
/// first ten, exactly one digit appears twice or three times and no other repeats, and no digit
/// stands three times in a row; the eleventh is an ISO 7064 MOD 11,10 check digit (BZSt, § 139b
/// AO).
pub(super) fn de_tax_id(value: &[u8]) -> bool {
    let Some(d) = exact::<11>(value) else {
        return false;
    };
    let mut counts = [0u8; 10];
    for &x in &d[..10] {
        counts[usize::from(x)] += 1;
    }
    let repeated = counts.iter().filter(|&&c| c > 1).count();
    let most = counts.iter().copied().max().unwrap_or(0);
    let triple_run = d[..10].windows(3).any(|w| w[0] == w[1] && w[1] == w[2]);
    d[0] != 0 && repeated == 1 && matches!(most, 2 | 3) && !triple_run && iso7064_mod11_10(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tckimlik_numbers() {
        // NVI-valid numbers from python-stdnum's and Presidio's tests.
        for n in [
            &b"17291716060"[..],
            b"10000000146",
            b"76543210794",
            b"36493665440",
            b"53857632436",
            b"94357219628",
            b"79059236630",
            b"64625294480",
        ] {
            assert!(tr_tckimlik(n), "{n:?}");
        }
        assert!(!tr_tckimlik(b"17291716050"), "wrong first check");
        assert!(!tr_tckimlik(b"10000000145"), "wrong second check");
        assert!(!tr_tckimlik(b"07291716092"), "leading 0");
        assert!(!tr_tckimlik(b"00000000000"));
        assert!(!tr_tckimlik(b"76543210780"));
        assert!(!tr_tckimlik(b"1729171606"), "10 digits");
        assert!(!tr_tckimlik(b"172917160600"), "12 digits");
    }

    #[test]
    fn za_id_numbers() {
        // python-stdnum's and Presidio's examples (citizen, resident, refugee, 29 Feb 2000).
        for n in [
            &b"7503305044089"[..],
            b"750330 5044 08 9",
            b"8001015009087",
            b"9202201234088",
            b"0002294321191",
            b"9912316789285",
            b"0001015002288",
        ] {
            assert!(za_id(n), "{n:?}");
        }
        assert!(!za_id(b"8503305044089"), "wrong check");
        assert!(!za_id(b"8001015009086"), "wrong check");
        assert!(!za_id(b"9913326789285"), "month 13");
        assert!(!za_id(b"9902294321191"), "29 February 1999");
        assert!(!za_id(b"8001015009176"), "race digit 7");
        assert!(!za_id(b"8001015009384"), "citizenship 3");
        assert!(!za_id(b"800101500908"), "12 digits");
    }

    #[test]
    fn rrn_numbers() {
        // Presidio's checksum-valid cases.
        for n in [&b"960121-1021413"[..], b"9601211021413", b"050912-2000019"] {
            assert!(kr_rrn(n), "{n:?}");
            assert!(kr_rrn_format(n), "{n:?}");
        }
        // Post-2020 style: structure only.
        assert!(!kr_rrn(b"960121-1234567"), "no check digit");
        assert!(kr_rrn_format(b"960121-1234567"));
        assert!(kr_rrn_format(b"000505-3637892"));
        assert!(kr_rrn_format(b"000229-3637892"), "29 February 2000");
        assert!(!kr_rrn_format(b"000229-1637892"), "29 February 1900");
        assert!(!kr_rrn_format(b"001332-1234567"), "month 13");
        assert!(!kr_rrn_format(b"960303-0021413"), "sex digit 0");
        assert!(!kr_rrn_format(b"760413-5212134"), "foreigner");
        assert!(!kr_rrn_format(b"051102-9234110"), "1800s");
        assert!(!kr_rrn_format(b"960111-10214131"), "14 digits");
        assert!(!kr_rrn(b"960121-1021414"), "wrong check");
        assert!(!kr_rrn(b"960121-1971411"), "region 97");
    }

    #[test]
    fn tnin_numbers() {
        // python-stdnum's and Presidio's examples.
        for n in [
            &b"1234545678781"[..],
            b"1-2345-45678-78-1",
            b"3100600445635",
            b"1234567890121",
            b"2345678901234",
            b"5678901234560",
            b"1220000000007",
            b"1580000000004",
        ] {
            assert!(th_tnin(n), "{n:?}");
        }
        assert!(!th_tnin(b"1-2345-45678-78-9"), "wrong check");
        assert!(!th_tnin(b"1234567890123"), "wrong check");
        assert!(!th_tnin(b"0234567890124"), "person type 0");
        assert!(!th_tnin(b"9234567890126"), "person type 9");
        assert!(!th_tnin(b"1284567890121"), "province 28");
        assert!(!th_tnin(b"1000000000009"), "province 00");
        assert!(!th_tnin(b"123456789012"), "12 digits");
    }

    #[test]
    fn steuer_idnr_numbers() {
        assert!(de_tax_id(b"36574261809"));
        assert!(de_tax_id(b"36 574 261 809"));
        assert!(de_tax_id(b"86095742719"));
        assert!(!de_tax_id(b"36574261890"), "wrong check");
        assert!(!de_tax_id(b"36554266806"), "two digits repeated");
        assert!(!de_tax_id(b"11112345678"), "a digit four times");
        assert!(!de_tax_id(b"11111111111"));
        // Presidio's cases: every digit once fails the repetition rule, though the check passes.
        assert!(iso7064_mod11_10(&exact::<11>(b"12345678903").unwrap()));
        assert!(!de_tax_id(b"12345678903"), "no repeated digit");
        assert!(!de_tax_id(b"02345678901"), "leading 0");
        assert!(!de_tax_id(b"1234567890"), "10 digits");
    }

    #[test]
    fn steuer_idnr_repetition_rule() {
        // A digit three times, not adjacent: allowed; three in a row: not.
        let with_check = |body: &[u8; 10]| -> [u8; 11] {
            let mut s = [0u8; 11];
            s[..10].copy_from_slice(body);
            for c in b'0'..=b'9' {
                s[10] = c;
                if iso7064_mod11_10(&exact::<11>(&s).unwrap()) {
                    return s;
                }
            }
            unreachable!("some check digit passes")
        };
        assert!(
            de_tax_id(&with_check(b"1213456789")),
            "1 three times, apart"
        );
        assert!(
            !de_tax_id(&with_check(b"1112345678")),
            "1 three times in a row"
        );
        assert!(de_tax_id(&with_check(b"1123456789")), "1 twice in a row");
        assert!(!de_tax_id(&with_check(b"1122345678")), "two digits twice");
    }
}
