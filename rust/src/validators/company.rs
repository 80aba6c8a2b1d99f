//! Company and business registration numbers: Australian ABN and ACN, Indian GSTIN, Singapore
//! UEN, Swedish organisationsnummer, Italian partita IVA.

use super::checksum::{luhn, luhn36};
use super::digits::{all_same, compact, exact, number};

/// `au_abn`: an Australian Business Number, eleven digits. Subtract 1 from the first digit, weight
/// the digits 10,1,3,5,...,19; the sum is divisible by 89 (ABR). The first digit is 1-9, since the
/// leading pair is the check and starts at 10.
pub(super) fn au_abn(value: &[u8]) -> bool {
    let Some(d) = exact::<11>(value) else {
        return false;
    };
    if d[0] == 0 {
        return false;
    }
    const W: [u32; 11] = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
    let sum: u32 = d.iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    // The first digit less one, weighted 10: 10 less than its weighted value.
    (sum - 10) % 89 == 0
}

/// `au_acn`: an Australian Company Number, nine digits; the first eight weighted 8,7,...,1, the
/// check digit is (10 - sum mod 10) mod 10 (ASIC). All zeros passes the sum and is rejected.
pub(super) fn au_acn(value: &[u8]) -> bool {
    let Some(d) = exact::<9>(value) else {
        return false;
    };
    let sum: u32 = d[..8]
        .iter()
        .zip((1..=8).rev())
        .map(|(&x, w)| u32::from(x) * w)
        .sum();
    d.iter().any(|&x| x != 0) && (10 - sum % 10) % 10 == u32::from(d[8])
}

/// Is `code` a GST state code: 01-38 (38 is Ladakh, 2020), 97 (other territory), 99 (centre
/// jurisdiction)?
fn gst_state(code: u32) -> bool {
    matches!(code, 1..=38 | 97 | 99)
}

/// `in_gstin`: an Indian GST identification number, 15 characters: state code, the holder's PAN
/// (five letters, four digits, a letter), the registration count within the state (1-9, then
/// A-Z), `Z`, and a check character: Luhn mod 36 over 0-9A-Z (CBIC). Either case.
pub(super) fn in_gstin(value: &[u8]) -> bool {
    let Ok(mut s) = <[u8; 15]>::try_from(value) else {
        return false;
    };
    s.make_ascii_uppercase();
    let digit = |r: std::ops::Range<usize>| s[r].iter().all(u8::is_ascii_digit);
    let alpha = |r: std::ops::Range<usize>| s[r].iter().all(u8::is_ascii_uppercase);
    if !(digit(0..2) && alpha(2..7) && digit(7..11) && alpha(11..12)) {
        return false;
    }
    let state = u32::from(s[0] - b'0') * 10 + u32::from(s[1] - b'0');
    gst_state(state) && s[12] != b'0' && s[13] == b'Z' && luhn36(&s) == Some(true)
}

/// Entity-type codes of the "other" UEN format (TyyPQnnnnC), as ACRA publishes them.
const UEN_ENTITY_TYPES: [&[u8; 2]; 38] = [
    b"CC", b"CD", b"CH", b"CL", b"CM", b"CP", b"CS", b"CX", b"DP", b"FB", b"FC", b"FM", b"FN",
    b"GA", b"GB", b"GS", b"HS", b"LL", b"LP", b"MB", b"MC", b"MD", b"MH", b"MM", b"MQ", b"NB",
    b"NR", b"PA", b"PB", b"PF", b"RF", b"RP", b"SM", b"SS", b"TC", b"TU", b"VH", b"XL",
];

/// The weighted sum of digit characters (which the caller has checked) mod 11.
fn weighted_mod11(s: &[u8], weights: &[u32]) -> usize {
    let sum: u32 = s
        .iter()
        .zip(weights)
        .map(|(&b, &w)| u32::from(b - b'0') * w)
        .sum();
    (sum % 11) as usize
}

/// `sg_uen`: a Singapore Unique Entity Number in one of its three forms, each with a mod-11 check
/// letter: businesses (ROB) `nnnnnnnnC`; local companies (ROC) `yyyynnnnnC` with a registration
/// year 1800-2099; other entities `TyyPQnnnnC` (prefix R, S or T for the century, a year, an
/// entity-type code). ACRA does not publish the check letters; the weights and letter tables are
/// those python-stdnum derived from ACRA's open register of all UENs, where every number passes.
/// Either case.
pub(super) fn sg_uen(value: &[u8]) -> bool {
    let Some((mut s, len)) = compact::<10>(value, b"") else {
        return false;
    };
    s.make_ascii_uppercase();
    let s = &s[..len];
    let Some((&check, body)) = s.split_last() else {
        return false;
    };
    let digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
    match len {
        9 if digits(body) => {
            b"XMKECAWLJDB"[weighted_mod11(body, &[10, 4, 9, 3, 8, 2, 7, 1])] == check
        }
        10 if digits(body) => {
            let year = body[..4]
                .iter()
                .fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'));
            (1800..=2099).contains(&year)
                && b"ZKCMDNERGWH"[weighted_mod11(body, &[10, 8, 6, 4, 9, 7, 5, 3, 1])] == check
        }
        10 => {
            const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWX0123456789";
            const W: [u32; 9] = [4, 3, 5, 3, 10, 2, 2, 5, 7];
            let kind = [body[3], body[4]];
            if !matches!(body[0], b'R' | b'S' | b'T')
                || !digits(&body[1..3])
                || !digits(&body[5..])
                || !UEN_ENTITY_TYPES.contains(&&kind)
            {
                return false;
            }
            let mut sum = 0u32;
            for (&b, w) in body.iter().zip(W) {
                let Some(i) = ALPHABET.iter().position(|&a| a == b) else {
                    return false;
                };
                sum += i as u32 * w;
            }
            // (sum - 5) mod 11, kept non-negative.
            ALPHABET[((sum + 6) % 11) as usize] == check
        }
        _ => false,
    }
}

/// `se_orgnr`: a Swedish organisationsnummer, ten digits (`NNNNNN-NNNN`) passing Luhn. The third
/// digit is at least 2, which keeps it apart from a personnummer, whose third and fourth digits
/// are a month (Bolagsverket, Skatteverket SKV 709).
pub(super) fn se_orgnr(value: &[u8]) -> bool {
    let Some(d) = exact::<10>(value) else {
        return false;
    };
    d[2] >= 2 && !all_same(&d) && luhn(&d)
}

/// `it_vat`: an Italian partita IVA, eleven digits: a seven-digit company number (not all zero), a
/// three-digit office code (001-100 for the provinces, 120, 121, 888, 999) and a Luhn check digit
/// (DPR 633/1972, art. 35).
pub(super) fn it_vat(value: &[u8]) -> bool {
    let Some(d) = exact::<11>(value) else {
        return false;
    };
    let office = number(&d[7..10]);
    d[..7].iter().any(|&x| x != 0) && matches!(office, 1..=100 | 120 | 121 | 888 | 999) && luhn(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abn_numbers() {
        // ABR's worked example and python-stdnum's; Presidio's test cases.
        assert!(au_abn(b"51 824 753 556"));
        assert!(au_abn(b"51824753556"));
        assert!(au_abn(b"83 914 571 673"));
        assert!(!au_abn(b"52 824 753 556"), "wrong check");
        assert!(!au_abn(b"99 999 999 999"));
        assert!(!au_abn(b"00000000560"), "first digit 0");
        assert!(!au_abn(b"5182475355"), "10 digits");
        assert!(!au_abn(b"518247535564"), "12 digits");
        assert!(!au_abn(b"51 824 753 55x"));
    }

    #[test]
    fn acn_numbers() {
        // ASIC's published examples.
        for acn in [
            &b"000 000 019"[..],
            b"005 499 981",
            b"006249976",
            b"000000180",
            b"004 085 616",
            b"010 499 966",
        ] {
            assert!(au_acn(acn), "{acn:?}");
        }
        assert!(!au_acn(b"824 753 557"), "wrong check");
        assert!(!au_acn(b"999 999 999"));
        assert!(!au_acn(b"000 000 000"), "all zeros");
        assert!(!au_acn(b"00000019"), "8 digits");
        assert!(!au_acn(b"0000000190"), "10 digits");
    }

    #[test]
    fn gstin_numbers() {
        assert!(in_gstin(b"27AAPFU0939F1ZV"));
        assert!(in_gstin(b"27aapfu0939f1zv"));
        assert!(!in_gstin(b"27AAPFU0939F1ZO"), "wrong check");
        assert!(!in_gstin(b"27AAPFU0939F1Z"), "14 characters");
        assert!(!in_gstin(b"27AAPFU0939F1AA"), "no Z");
        assert!(!in_gstin(b"369296450896540"), "digits only");
        // Presidio's cases carry made-up check characters; the state codes are what differ here.
        assert!(!in_gstin(b"27ABCDE1234F1Z5"), "wrong check");
        assert!(!in_gstin(b"00ABCDE1234F1Z5"), "state 00");
        assert!(!in_gstin(b"27ABCDE1234F0ZT"), "registration count 0");
        // The same PAN and count in other states: 38 and 97 are valid codes, 39 is not.
        let with_check = |prefix: &[u8; 14]| {
            let mut s = [0u8; 15];
            s[..14].copy_from_slice(prefix);
            (b'0'..=b'9')
                .chain(b'A'..=b'Z')
                .find(|&c| {
                    s[14] = c;
                    luhn36(&s) == Some(true)
                })
                .map(|_| s)
                .unwrap()
        };
        assert!(in_gstin(&with_check(b"38AAPFU0939F1Z")));
        assert!(in_gstin(&with_check(b"97AAPFU0939F1Z")));
        assert!(!in_gstin(&with_check(b"39AAPFU0939F1Z")));
        assert!(
            !in_gstin(&with_check(b"27AAPF00939F1Z")),
            "letters where digits go"
        );
    }

    #[test]
    fn uen_numbers() {
        // python-stdnum's examples (from ACRA's register) and Presidio's.
        for uen in [
            &b"00192200M"[..],
            b"53125226D",
            b"197401143C",
            b"201434292D",
            b"S16FC0121D",
            b"T01FC6132D",
            b"T16RF0037C",
            b"S57TU0392K",
            b"R16RF0037F",
            b"t16rf0037c",
        ] {
            assert!(sg_uen(uen), "{uen:?}");
        }
        assert!(!sg_uen(b"53125226E"), "wrong business check");
        assert!(!sg_uen(b"201434292E"), "wrong company check");
        assert!(!sg_uen(b"T16RF0037D"), "wrong other check");
        assert!(!sg_uen(b"T16XX0037E"), "unknown entity type");
        assert!(!sg_uen(b"A16RF0037A"), "unknown prefix");
        assert!(!sg_uen(b"171234567W"), "year 1712");
        assert!(!sg_uen(b"53125226"), "no check letter");
        assert!(!sg_uen(b"531252260D"), "too long");
    }

    #[test]
    fn orgnr_numbers() {
        // Bolagsverket's and Presidio's examples.
        assert!(se_orgnr(b"556703-7485"));
        assert!(se_orgnr(b"5567037485"));
        assert!(se_orgnr(b"212000-0142"));
        assert!(se_orgnr(b"123456-7897"));
        assert!(!se_orgnr(b"556703-7486"), "wrong check");
        assert!(!se_orgnr(b"811218-9876"), "a personnummer: third digit 1");
        assert!(!se_orgnr(b"19000309-3393"), "12 digits");
        assert!(!se_orgnr(b"55670x-7485"));
    }

    #[test]
    fn partita_iva_numbers() {
        assert!(it_vat(b"00743110157"));
        assert!(it_vat(b"01333550323"));
        assert!(!it_vat(b"00743110158"), "wrong check");
        assert!(!it_vat(b"00000000000"), "company number zero");
        assert!(!it_vat(b"00000001000"), "company number zero");
        assert!(!it_vat(b"12345671010"), "office 101");
        assert!(!it_vat(b"0074311015"), "10 digits");
    }
}
