//! Korean identifiers Presidio recognises beside the resident registration number (see
//! `id_world::kr_rrn`): the foreigner registration number and the business registration number;
//! the Philippine taxpayer identification number's check digit; and the state code of an Indian
//! vehicle registration, which the pattern cannot hold without slowing every scan (forty
//! two-letter literals in the Vectorscan database). The other types of
//! `patterns/pii_regional.toml` (Turkish and Philippine phone numbers, plates, Indian voter IDs,
//! the Korean passport and driver's licence) have no check digit: their patterns hold all there
//! is to check.

use super::date::is_real_date;
use super::digits::{compact, digits, exact, number};

/// The thirteen digits of a foreigner registration number whose structure holds: `YYMMDD`, a real
/// date in the century the sex digit gives (5, 6: 1900s; 7, 8: 2000s), then six more digits.
fn kr_frn_digits(value: &[u8]) -> Option<[u8; 13]> {
    let d = exact::<13>(value)?;
    let century = match d[6] {
        5 | 6 => 1900,
        7 | 8 => 2000,
        _ => return None,
    };
    let year = century + number(&d[..2]) as u32;
    is_real_date(year, number(&d[2..4]) as u32, number(&d[4..6]) as u32).then_some(d)
}

/// `kr_frn_format`: a Korean foreigner registration number by its structure alone (a real birth
/// date, a sex digit 5-8). Numbers issued since October 2020 end in six random digits, so this is
/// all that can be checked for them.
pub(super) fn kr_frn_format(value: &[u8]) -> bool {
    kr_frn_digits(value).is_some()
}

/// `kr_frn`: a Korean foreigner registration number issued before October 2020: the structure
/// above and a check digit: the first twelve weighted 2,3,4,5,6,7,8,9,2,3,4,5 (as for the resident
/// number), then (13 - sum mod 11) mod 10, where the resident number has 11.
pub(super) fn kr_frn(value: &[u8]) -> bool {
    let Some(d) = kr_frn_digits(value) else {
        return false;
    };
    const W: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let sum: u32 = d.iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    (13 - sum % 11) % 10 == u32::from(d[12])
}

/// `kr_brn`: a Korean business registration number (사업자등록번호), ten digits `AAA-BB-CCCCC`: a
/// tax office code (never below 101), a business type code (01-99), and a check digit. The first
/// nine are weighted 1,3,7,1,3,7,1,3,5; the ninth's product also adds its tens digit; the check
/// digit is (10 - sum mod 10) mod 10 (National Tax Service).
pub(super) fn kr_brn(value: &[u8]) -> bool {
    let Some(d) = exact::<10>(value) else {
        return false;
    };
    const W: [u32; 9] = [1, 3, 7, 1, 3, 7, 1, 3, 5];
    let mut sum: u32 = d[..8].iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    let last = u32::from(d[8]) * W[8];
    sum += last + last / 10;
    number(&d[..3]) >= 101 && number(&d[3..5]) != 0 && (10 - sum % 10) % 10 == u32::from(d[9])
}

/// `ph_tin`: a Philippine taxpayer identification number (TIN) of the Bureau of Internal Revenue,
/// nine digits or twelve with the branch code (`000-123-456-000`): the ninth is the check digit,
/// the first eight weighted 9 down to 2, sum mod 11 (a remainder of 10 is never issued). Not all
/// zero.
pub(super) fn ph_tin(value: &[u8]) -> bool {
    let Some(d) = digits(value) else {
        return false;
    };
    let d = d.as_slice();
    if d.len() != 9 && d.len() != 12 || d[..9].iter().all(|&x| x == 0) {
        return false;
    }
    let sum: u32 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(&x, w)| u32::from(x) * w)
        .sum();
    sum % 11 == u32::from(d[8])
}

/// Indian state and union territory codes on registration plates, current and former (CT/CG,
/// UA/UL/UK/UT, OR/OD, DD/DN), sorted for the binary search.
const IN_STATES: [&[u8; 2]; 42] = [
    b"AN", b"AP", b"AR", b"AS", b"BR", b"CG", b"CH", b"CT", b"DD", b"DL", b"DN", b"GA", b"GJ",
    b"HP", b"HR", b"JH", b"JK", b"KA", b"KL", b"LA", b"LD", b"MH", b"ML", b"MN", b"MP", b"MZ",
    b"NL", b"OD", b"OR", b"PB", b"PY", b"RJ", b"SK", b"TN", b"TR", b"TS", b"UA", b"UK", b"UL",
    b"UP", b"UT", b"WB",
];

/// `in_vehicle_registration`: an Indian registration number, separators (space, dash) aside:
/// a state code, a district of one or two digits, a series of one to three letters and a number
/// 0001-9999 (`KA 53 ME 3456`); or the Bharat series `YY BH NNNN XX` (a year 21 or later, a
/// number 0001-9999, one or two letters other than I and O).
pub(super) fn in_vehicle_registration(value: &[u8]) -> bool {
    let Some((buf, len)) = compact::<12>(value, b" -") else {
        return false;
    };
    let v = &buf[..len];
    let serial_ok = |d: &[u8]| d.len() == 4 && d.iter().all(u8::is_ascii_digit) && d != b"0000";
    if len >= 9 && &v[2..4] == b"BH" {
        let letters = &v[8..];
        return v[..2].iter().all(u8::is_ascii_digit)
            && number(&[v[0] - b'0', v[1] - b'0']) >= 21
            && serial_ok(&v[4..8])
            && (1..=2).contains(&letters.len())
            && letters
                .iter()
                .all(|&c| c.is_ascii_uppercase() && c != b'I' && c != b'O');
    }
    if len < 8 || !v[..2].iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    let state: &[u8; 2] = &[v[0], v[1]];
    if IN_STATES.binary_search(&state).is_err() {
        return false;
    }
    let rest = &v[2..];
    let district = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let series = rest[district..]
        .iter()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    (1..=2).contains(&district)
        && (1..=3).contains(&series)
        && serial_ok(&rest[district + series..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frn_numbers_with_check_digit() {
        // Worked through the NIA formula by hand, and re-dashed or bare.
        for n in [
            &b"911124-5678906"[..],
            b"9111245678906",
            b"050912-6000012",
            b"0509126000012",
            b"850317-5102342",
            b"040229-8123459",
        ] {
            assert!(kr_frn(n), "{n:?}");
            assert!(kr_frn_format(n), "{n:?}");
        }
        assert!(!kr_frn(b"911124-5678901"), "wrong check");
        assert!(!kr_frn(b"850317-5102348"), "wrong check");
        assert!(!kr_frn_format(b"020229-8123454"), "29 February 2002");
        // The resident number's formula (11 - sum) gives a different digit.
        assert!(!kr_frn(b"911124-5678904"));
    }

    #[test]
    fn frn_structure() {
        // Post-2020 style: structure only.
        assert!(kr_frn_format(b"911124-5678901"));
        assert!(kr_frn_format(b"000505-7637892"));
        assert!(kr_frn_format(b"0005056637892"));
        assert!(kr_frn_format(b"000229-7637892"), "29 February 2000");
        assert!(!kr_frn_format(b"000229-5637892"), "29 February 1900");
        assert!(!kr_frn_format(b"001332-5234567"), "month 13");
        assert!(!kr_frn_format(b"960100-5234567"), "day 0");
        assert!(
            !kr_frn_format(b"960121-1021413"),
            "a resident (sex digit 1)"
        );
        assert!(
            !kr_frn_format(b"000402-2214431"),
            "a resident (sex digit 2)"
        );
        assert!(!kr_frn_format(b"051102-9234110"), "sex digit 9");
        assert!(!kr_frn_format(b"960303-0021413"), "sex digit 0");
        assert!(!kr_frn_format(b"911124-56789012"), "14 digits");
        assert!(!kr_frn_format(b"911124-567890"), "12 digits");
        assert!(!kr_frn_format(b"911124+5678906"));
        assert!(!kr_frn(b"911124x5678906"));
    }

    #[test]
    fn brn_numbers() {
        // Published company numbers (Samsung Electronics 124-81-00998, Naver 220-81-62517,
        // Kakao 120-81-47521) and two more worked by hand.
        for n in [
            &b"124-81-00998"[..],
            b"220-81-62517",
            b"120-81-47521",
            b"1248100998",
            b"104-86-56659",
            b"104-82-13138",
        ] {
            assert!(kr_brn(n), "{n:?}");
        }
        assert!(!kr_brn(b"124-81-00997"), "wrong check");
        assert!(!kr_brn(b"104-86-56658"), "wrong check");
        assert!(!kr_brn(b"123-45-67890"), "wrong check");
        assert!(!kr_brn(b"110-81-4127"), "9 digits");
        assert!(!kr_brn(b"110-81-412722"), "11 digits");
        assert!(!kr_brn(b"110-81-4127A"));
        assert!(!kr_brn(b"000-00-00000"), "office 000");
        assert!(!kr_brn(b"100-81-00008"), "office below 101");
        assert!(!kr_brn(b"124-00-00999"), "business type 00");
    }

    #[test]
    fn ph_tins() {
        // 0*9 + 0*8 + 0*7 + 1*6 + 2*5 + 3*4 + 4*3 + 5*2 = 50, 50 mod 11 = 6.
        for n in [
            &b"000-123-456"[..],
            b"000-123-456-000",
            b"000-123-456-001",
            b"000123456001",
        ] {
            assert!(ph_tin(n), "{n:?}");
        }
        assert!(ph_tin(b"123-456-782"), "156 mod 11 = 2");
        assert!(!ph_tin(b"000-123-457-000"), "wrong check digit");
        assert!(!ph_tin(b"123456789"), "wrong check digit");
        assert!(!ph_tin(b"600-000-000"), "remainder 10 is never issued");
        assert!(!ph_tin(b"000-000-000"), "all zero");
        assert!(!ph_tin(b"000-123-456-00"), "eleven digits");
        assert!(!ph_tin(b"0000-123-456"), "ten digits");
    }

    #[test]
    fn in_vehicle_registrations() {
        for n in [
            &b"KA53ME3456"[..],
            b"KA99ME3456",
            b"DL3CJI0001",
            b"MH12DE1433",
            b"TN 09 BX 4521",
            b"RJ-14-C-7720",
            b"22BH4410AA",
            b"23 BH 0001 C",
        ] {
            assert!(in_vehicle_registration(n), "{n:?}");
        }
        assert!(!in_vehicle_registration(b"ZZ12DE1433"), "no such state");
        assert!(!in_vehicle_registration(b"AB12DE1433"), "no such state");
        assert!(!in_vehicle_registration(b"MH12DE0000"), "number 0000");
        assert!(
            !in_vehicle_registration(b"MH123DE1433"),
            "three-digit district"
        );
        assert!(
            !in_vehicle_registration(b"MH12DEFG1433"),
            "four-letter series"
        );
        assert!(!in_vehicle_registration(b"MH12DE143"), "three-digit number");
        assert!(
            !in_vehicle_registration(b"MH12DE14330"),
            "five-digit number"
        );
        assert!(!in_vehicle_registration(b"mh12de1433"), "lower case");
        assert!(
            !in_vehicle_registration(b"20BH4410AA"),
            "Bharat series began in 2021"
        );
        assert!(
            !in_vehicle_registration(b"22BH4410IO"),
            "no I or O in the series"
        );
        assert!(!in_vehicle_registration(b"22BH0000AA"), "number 0000");
        assert!(!in_vehicle_registration(b"22BH4410"), "no series");
        assert!(!in_vehicle_registration(b"MH12DE1433MH12DE1433"));
    }
}
