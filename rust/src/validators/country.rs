//! ISO 3166-1 alpha-2 country codes, as a 26x26 bit table built at compile time.

/// Every officially assigned ISO 3166-1 alpha-2 code (249), plus `XK` (Kosovo), the user-assigned
/// code that SWIFT and the IBAN registry use.
const CODES: &[u8] = b"\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ \
EC EE EG EH ER ES ET \
FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT \
JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ \
OM \
PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA \
RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
UA UG UM US UY UZ \
VA VC VE VG VI VN VU \
WF WS \
XK \
YE YT \
ZA ZM ZW";

/// Row = first letter, bit = second letter.
const TABLE: [u32; 26] = build();

const fn build() -> [u32; 26] {
    let mut table = [0u32; 26];
    let mut i = 0;
    while i + 1 < CODES.len() {
        table[(CODES[i] - b'A') as usize] |= 1 << (CODES[i + 1] - b'A');
        i += 3;
    }
    table
}

/// Is `[a, b]` an assigned country code? Uppercase only, as the standard writes them.
pub(super) fn is_country(a: u8, b: u8) -> bool {
    a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && TABLE[usize::from(a - b'A')] & (1 << (b - b'A')) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_every_code() {
        let count: u32 = TABLE.iter().map(|row| row.count_ones()).sum();
        assert_eq!(count, 250, "249 ISO codes plus XK");
        assert!(CODES
            .chunks(3)
            .all(|c| c[0].is_ascii_uppercase() && c[1].is_ascii_uppercase()));
    }

    #[test]
    fn lookups() {
        for code in [b"US", b"GB", b"DE", b"XK", b"ZW", b"AD", b"SS"] {
            assert!(is_country(code[0], code[1]), "{code:?}");
        }
        for code in [b"UK", b"EU", b"ZZ", b"AA", b"us", b"1A", b"\xff\xff"] {
            assert!(!is_country(code[0], code[1]), "{code:?}");
        }
    }
}
