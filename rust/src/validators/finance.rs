//! Banking and securities identifiers: IBAN, ABA routing number, SWIFT/BIC, ISIN, CUSIP, LEI.

use super::checksum::{luhn, mod97};
use super::country::is_country;
use super::digits::{compact, exact};

/// IBAN length per country, from the SWIFT IBAN registry (ISO 13616-1), sorted by code.
#[rustfmt::skip]
const IBAN_LENGTHS: [([u8; 2], usize); 89] = [
    (*b"AD", 24), (*b"AE", 23), (*b"AL", 28), (*b"AT", 20), (*b"AZ", 28), (*b"BA", 20),
    (*b"BE", 16), (*b"BG", 22), (*b"BH", 22), (*b"BI", 27), (*b"BR", 29), (*b"BY", 28),
    (*b"CH", 21), (*b"CR", 22), (*b"CY", 28), (*b"CZ", 24), (*b"DE", 22), (*b"DJ", 27),
    (*b"DK", 18), (*b"DO", 28), (*b"EE", 20), (*b"EG", 29), (*b"ES", 24), (*b"FI", 18),
    (*b"FK", 18), (*b"FO", 18), (*b"FR", 27), (*b"GB", 22), (*b"GE", 22), (*b"GI", 23),
    (*b"GL", 18), (*b"GR", 27), (*b"GT", 28), (*b"HN", 28), (*b"HR", 21), (*b"HU", 28),
    (*b"IE", 22), (*b"IL", 23), (*b"IQ", 23), (*b"IS", 26), (*b"IT", 27), (*b"JO", 30),
    (*b"KW", 30), (*b"KZ", 20), (*b"LB", 28), (*b"LC", 32), (*b"LI", 21), (*b"LT", 20),
    (*b"LU", 20), (*b"LV", 21), (*b"LY", 25), (*b"MC", 27), (*b"MD", 24), (*b"ME", 22),
    (*b"MK", 19), (*b"MN", 20), (*b"MR", 27), (*b"MT", 31), (*b"MU", 30), (*b"NI", 28),
    (*b"NL", 18), (*b"NO", 15), (*b"OM", 23), (*b"PK", 24), (*b"PL", 28), (*b"PS", 29),
    (*b"PT", 25), (*b"QA", 29), (*b"RO", 24), (*b"RS", 22), (*b"RU", 33), (*b"SA", 24),
    (*b"SC", 31), (*b"SD", 18), (*b"SE", 24), (*b"SI", 19), (*b"SK", 24), (*b"SM", 27),
    (*b"SO", 23), (*b"ST", 25), (*b"SV", 28), (*b"TL", 23), (*b"TN", 24), (*b"TR", 26),
    (*b"UA", 29), (*b"VA", 22), (*b"VG", 24), (*b"XK", 20), (*b"YE", 30),
];

/// The longest IBAN in the registry.
const IBAN_MAX: usize = 34;

/// Is a two-digit ISO 7064 MOD 97-10 check value in its range? The computed value is
/// 98 - (n mod 97), so 02-98; 00, 01 and 99 would alias 97, 98 and 02 and are never issued.
fn check_pair_in_range(hi: u8, lo: u8) -> bool {
    hi.is_ascii_digit() && lo.is_ascii_digit() && (2..=98).contains(&((hi - b'0') * 10 + lo - b'0'))
}

/// `iban`: ISO 13616. Spaces, dashes and dots (group separators) are ignored, and letters may be either case. The country code must be
/// in the registry with the IBAN's exact length, the check digits 02-98, and the string moved
/// four places left (country and check digits to the end) must be 1 mod 97.
pub(super) fn iban(value: &[u8]) -> bool {
    let Some((mut buf, len)) = compact::<IBAN_MAX>(value, b" -.") else {
        return false;
    };
    buf.make_ascii_uppercase();
    let s = &buf[..len];
    let [c0, c1, k0, k1, bban @ ..] = s else {
        return false;
    };
    let Ok(i) = IBAN_LENGTHS.binary_search_by_key(&[*c0, *c1], |&(code, _)| code) else {
        return false;
    };
    IBAN_LENGTHS[i].1 == len
        && check_pair_in_range(*k0, *k1)
        && mod97(bban.iter().chain(&s[..4])) == Some(1)
}

/// `aba`: a US routing transit number. Nine digits whose first two are a Federal Reserve routing
/// symbol (00-12, 21-32 thrifts, 61-72 electronic, 80 traveler's cheques), and the ABA 3-7-1
/// weighted sum a multiple of 10. All zeros is rejected.
pub(super) fn aba(value: &[u8]) -> bool {
    let Some(d) = exact::<9>(value) else {
        return false;
    };
    let prefix = d[0] * 10 + d[1];
    let prefix_ok = matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80);
    let sum: u32 = d
        .iter()
        .zip([3, 7, 1].iter().cycle())
        .map(|(&x, &w)| u32::from(x) * w)
        .sum();
    prefix_ok && d.iter().any(|&x| x != 0) && sum % 10 == 0
}

/// `swift_bic`: ISO 9362. Four letters (institution), an ISO 3166 country code, two letters or
/// digits (location), and optionally three more (branch): 8 or 11 characters. Uppercase only:
/// BICs are always written so, and lowercase would let ordinary words through.
pub(super) fn swift_bic(value: &[u8]) -> bool {
    if value.len() != 8 && value.len() != 11 {
        return false;
    }
    let upper_alnum = |b: &u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    value[..4].iter().all(u8::is_ascii_uppercase)
        && is_country(value[4], value[5])
        && value[6..].iter().all(upper_alnum)
}

/// ISIN prefixes that are not ISO 3166 countries: EU instruments, international securities (XS),
/// substitute numbering agencies (XA-XD) and agencies' internal ranges (QS, QT, XF).
const ISIN_SPECIAL_PREFIXES: [&[u8; 2]; 9] = [
    b"EU", b"QS", b"QT", b"XA", b"XB", b"XC", b"XD", b"XF", b"XS",
];

/// `isin`: ISO 6166. A prefix (an ISO 3166 country code or one of the special prefixes above),
/// nine letters or digits, a check digit. Letters become two digits (A=10 ... Z=35) and the
/// resulting digit string must pass Luhn. Either case.
pub(super) fn isin(value: &[u8]) -> bool {
    if value.len() != 12
        || !value[2..11].iter().all(u8::is_ascii_alphanumeric)
        || !value[11].is_ascii_digit()
    {
        return false;
    }
    let prefix = [value[0].to_ascii_uppercase(), value[1].to_ascii_uppercase()];
    if !is_country(prefix[0], prefix[1]) && !ISIN_SPECIAL_PREFIXES.contains(&&prefix) {
        return false;
    }
    // 11 characters of at most two digits each, plus the check digit.
    let mut d = [0u8; 23];
    let mut n = 0;
    for &c in value {
        let c = c.to_ascii_uppercase();
        if c.is_ascii_digit() {
            d[n] = c - b'0';
            n += 1;
        } else {
            let v = c - b'A' + 10;
            d[n] = v / 10;
            d[n + 1] = v % 10;
            n += 2;
        }
    }
    luhn(&d[..n])
}

/// The value of a CUSIP character: digits 0-9, letters 10-35, `*` 36, `@` 37, `#` 38.
fn cusip_value(c: u8) -> Option<u32> {
    Some(match c.to_ascii_uppercase() {
        c @ b'0'..=b'9' => u32::from(c - b'0'),
        c @ b'A'..=b'Z' => u32::from(c - b'A') + 10,
        b'*' => 36,
        b'@' => 37,
        b'#' => 38,
        _ => return None,
    })
}

/// `cusip`: nine characters, the last a check digit. Per the CUSIP Global Services algorithm,
/// every second character's value (2nd, 4th, ...) is doubled, the decimal digits of all values
/// are summed, and the check digit is (10 - sum mod 10) mod 10. All zeros is rejected.
pub(super) fn cusip(value: &[u8]) -> bool {
    let [body @ .., check] = value else {
        return false;
    };
    if value.len() != 9 || !check.is_ascii_digit() || body.iter().all(|&c| c == b'0') {
        return false;
    }
    let mut sum = 0;
    for (i, &c) in body.iter().enumerate() {
        let Some(mut v) = cusip_value(c) else {
            return false;
        };
        if i % 2 == 1 {
            v *= 2;
        }
        sum += v / 10 + v % 10;
    }
    u32::from(check - b'0') == (10 - sum % 10) % 10
}

/// `lei`: ISO 17442. Twenty letters or digits, the last two the check digits (02-98), and the
/// whole, letters as 10-35, is 1 mod 97 (ISO 7064 MOD 97-10). Either case.
pub(super) fn lei(value: &[u8]) -> bool {
    value.len() == 20
        && value.iter().all(u8::is_ascii_alphanumeric)
        && check_pair_in_range(value[18], value[19])
        && mod97(value) == Some(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_length_table_is_sorted() {
        assert!(IBAN_LENGTHS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(IBAN_LENGTHS.iter().all(|&(_, n)| n <= IBAN_MAX));
        assert!(IBAN_LENGTHS.iter().all(|&(c, _)| is_country(c[0], c[1])));
    }

    #[test]
    fn iban_valid() {
        for v in [
            &b"GB82WEST12345698765432"[..],
            b"GB82 WEST 1234 5698 7654 32",
            b"gb82west12345698765432",
            b"DE89370400440532013000",
            b"FR1420041010050500013M02606",
            b"NL91ABNA0417164300",
            b"NO9386011117947",
            b"BE68539007547034",
            b"MT84MALT011000012345MTLCAST001S",
            b"LC55HEMM000100010012001200023015",
        ] {
            assert!(iban(v), "{:?}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn iban_invalid() {
        assert!(!iban(b"GB82WEST12345698765431"), "wrong check");
        assert!(!iban(b"GB28WEST12345698765432"), "swapped check digits");
        assert!(!iban(b"GB82WEST1234569876543"), "short for GB");
        assert!(!iban(b"DE89370400440532013000 0"), "long for DE");
        assert!(!iban(b"XX82WEST12345698765432"), "unknown country");
        assert!(
            !iban(b"GB82-WEST-1234-5698-7654-33"),
            "separators do not change the check"
        );
        // Group separators are the rule's business (one kind throughout); the checksum ignores them.
        assert!(iban(b"GB82-WEST-1234-5698-7654-32"));
        assert!(iban(b"GB82.WEST.1234.5698.7654.32"));
        assert!(!iban(b"GB82WEST1234569876543\xff"));
        assert!(!iban(b"GB82"));
        assert!(!iban(b""));
        assert!(!iban(&[b'1'; 40]));
    }

    #[test]
    fn iban_rejects_aliasing_check_digits() {
        // GB00..., GB01... and GB99... can satisfy mod 97 but are never issued.
        let mut found = 0;
        for k in [b"00", b"01", b"99"] {
            for bank in 0..200u32 {
                let s = format!(
                    "GB{}WEST1234569876{bank:04}",
                    std::str::from_utf8(k).unwrap()
                );
                let body = format!("{}{}", &s[4..], &s[..4]);
                if mod97(body.as_bytes()) == Some(1) {
                    found += 1;
                    assert!(!iban(s.as_bytes()), "{s}");
                }
            }
        }
        assert!(found > 0, "the test exercised at least one aliasing value");
    }

    #[test]
    fn aba_routing_numbers() {
        assert!(aba(b"011000015"));
        assert!(aba(b"021000021"));
        assert!(aba(b"111000025"));
        assert!(aba(b"322271627"));
        assert!(!aba(b"011000016"), "wrong check");
        assert!(!aba(b"131000005"), "13 is no Federal Reserve prefix");
        assert!(!aba(b"000000000"), "all zeros");
        assert!(!aba(b"01100001"), "8 digits");
        assert!(!aba(b"0110000150"), "10 digits");
        assert!(!aba(b"01100001X"));
        assert!(!aba(b""));
    }

    #[test]
    fn bic_codes() {
        assert!(swift_bic(b"DEUTDEFF"));
        assert!(swift_bic(b"DEUTDEFF500"));
        assert!(swift_bic(b"NEDSZAJJXXX"));
        assert!(swift_bic(b"BOFAUS3N"));
        assert!(!swift_bic(b"DEUTXXFF"), "XX is no country");
        assert!(!swift_bic(b"DEUTUKFF"), "UK is not the ISO code");
        assert!(!swift_bic(b"deutdeff"), "lowercase");
        assert!(!swift_bic(b"DEU1DEFF"), "institution is letters");
        assert!(!swift_bic(b"DEUTDEFF50"), "10 characters");
        assert!(!swift_bic(b"DEUTDEF-"));
        assert!(!swift_bic(b""));
    }

    #[test]
    fn isin_codes() {
        assert!(isin(b"US0378331005"));
        assert!(isin(b"GB0002634946"));
        assert!(isin(b"AU0000XVGZA3"));
        assert!(isin(b"US38259P5089"));
        assert!(isin(b"us0378331005"));
        assert!(!isin(b"US0378331006"), "wrong check");
        assert!(!isin(b"US037833100"), "short");
        assert!(isin(b"XS0123456781"), "international security");
        assert!(isin(b"EU000A3K4DJ5"), "EU bond");
        assert!(!isin(b"1S0378331005"), "country must be letters");
        assert!(
            !isin(b"OPE7P7VSRWN1"),
            "OP is no prefix, although the checksum holds"
        );
        assert!(!isin(b"US037833100X"), "check must be a digit");
        assert!(!isin(b"US03783310-5"));
        assert!(!isin(b""));
    }

    #[test]
    fn cusip_codes() {
        assert!(cusip(b"037833100"));
        assert!(cusip(b"38259P508"));
        assert!(cusip(b"594918104"));
        assert!(!cusip(b"037833101"), "wrong check");
        assert!(!cusip(b"03783310"), "short");
        assert!(!cusip(b"03783310A"), "check must be a digit");
        assert!(!cusip(b"000000000"), "all zeros");
        assert!(!cusip(b"0378$3100"));
        assert!(!cusip(b""));
    }

    #[test]
    fn lei_codes() {
        assert!(lei(b"HWUPKR0MPOU8FGXBT394"));
        assert!(lei(b"5493001KJTIIGC8Y1R12"));
        assert!(lei(b"529900T8BM49AURSDO55"));
        assert!(lei(b"529900t8bm49aursdo55"));
        assert!(!lei(b"HWUPKR0MPOU8FGXBT395"), "wrong check");
        assert!(!lei(b"HWUPKR0MPOU8FGXBT39"), "19 characters");
        assert!(!lei(b"HWUPKR0MPOU8FGXB-394"));
        assert!(!lei(b""));
    }
}
