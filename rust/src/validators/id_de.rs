//! German identifiers: USt-IdNr, Personalausweis, Krankenversichertennummer (KVNR),
//! Rentenversicherungsnummer, LANR, Führerscheinnummer, Steuernummer.

use super::checksum::iso7064_mod11_10;
use super::date::days_in_month;
use super::digits::{all_same, compact, digits, exact, number};

/// A character's value in the weighted check digits of German documents (ICAO 9303 style):
/// 0-9 for digits, A=10 ... Z=35. None for anything else. Expects uppercase.
fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// Sum of the digits of a product below 100 (the "Quersumme" of the KVNR and RVNR checks).
fn cross_sum(x: u32) -> u32 {
    x / 10 + x % 10
}

/// `de_vat_id`: a German VAT number (USt-IdNr), "DE" and nine digits, e.g. "DE 136 695 976". The
/// ninth digit is the ISO 7064 MOD 11,10 check digit over the first eight (as for the
/// Steuer-IdNr). Spaces, dashes and dots between groups are ignored; either case. A single
/// repeated digit is a placeholder, not a number.
pub(super) fn de_vat_id(value: &[u8]) -> bool {
    let Some((buf, 11)) = compact::<11>(value, b" -.") else {
        return false;
    };
    if !buf[..2].eq_ignore_ascii_case(b"DE") {
        return false;
    }
    let Some(d) = exact::<9>(&buf[2..]) else {
        return false;
    };
    !all_same(&d) && iso7064_mod11_10(&d)
}

/// The alphabet of German identity card numbers (since November 2010): digits and the consonants
/// that cannot be mistaken for a digit or for each other (no vowels, no B, D, Q, S).
const ID_CARD_ALPHABET: &[u8] = b"0123456789CFGHJKLMNPRTVWXYZ";

/// `de_id_card`: a German identity card number (Personalausweis, since 2010). The document number
/// printed on the card is nine characters from `ID_CARD_ALPHABET`, a letter first; it carries no
/// check digit of its own, so nine characters pass on the alphabet alone, with at least one digit
/// (a run of consonants is a word, not a number). The machine-readable zone and some forms add the
/// check digit: ten characters pass when the tenth is the ICAO 9303 digit over the nine (weights
/// 7, 3, 1 repeating, A=10 ... Z=35, sum mod 10). Either case.
pub(super) fn de_id_card(value: &[u8]) -> bool {
    let Ok(len @ (9 | 10)) = u8::try_from(value.len()) else {
        return false;
    };
    let mut s = [0u8; 10];
    s[..value.len()].copy_from_slice(value);
    s.make_ascii_uppercase();
    let number = &s[..9];
    if !number[0].is_ascii_uppercase()
        || !number.iter().all(|c| ID_CARD_ALPHABET.contains(c))
        || !number.iter().any(u8::is_ascii_digit)
    {
        return false;
    }
    if len == 9 {
        return true;
    }
    let sum: u32 = number
        .iter()
        .zip([7, 3, 1].into_iter().cycle())
        .map(|(&c, w)| char_value(c).unwrap_or(0) * w)
        .sum();
    s[9].is_ascii_digit() && u32::from(s[9] - b'0') == sum % 10
}

/// `de_kvnr`: a Krankenversichertennummer (the unchangeable part printed on the eGK), a letter and
/// nine digits, e.g. "H207319584" (§ 290 SGB V; GKV-Spitzenverband, Richtlinie nach § 290 Abs. 2).
/// The letter counts as its two-digit position in the alphabet (A=01 ... Z=26); those two digits
/// and the next eight take weights 1, 2, 1, 2, ...; the products' digit sums, mod 10, give the
/// tenth character. Either case.
pub(super) fn de_kvnr(value: &[u8]) -> bool {
    let Ok(&[letter, ref rest @ ..]) = <&[u8; 10]>::try_from(value) else {
        return false;
    };
    let letter = letter.to_ascii_uppercase();
    if !letter.is_ascii_uppercase() || !rest.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let pos = u32::from(letter - b'A') + 1;
    let body = [pos / 10, pos % 10]
        .into_iter()
        .chain(rest[..8].iter().map(|&c| u32::from(c - b'0')));
    let sum: u32 = body
        .zip([1, 2].into_iter().cycle())
        .map(|(x, w)| cross_sum(x * w))
        .sum();
    u32::from(rest[8] - b'0') == sum % 10
}

/// `de_rvnr`: a Rentenversicherungsnummer (the social insurance number on the
/// Sozialversicherungsausweis), 12 characters "BB DDMMYY L SS P": area number, birth date (the day
/// may carry +50), the birth name's initial, a serial number and a check digit (VKVV § 2, § 4).
/// The letter counts as two digits (A=01 ... Z=26); the twelve digits take weights
/// 2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1; the products' digit sums, mod 10, give the check digit. The
/// day and month must make a date (the century is unknown, so 29 February passes). Spaces are
/// ignored ("65 170839 J 003"); either case.
pub(super) fn de_rvnr(value: &[u8]) -> bool {
    let Some((mut s, 12)) = compact::<12>(value, b" ") else {
        return false;
    };
    s.make_ascii_uppercase();
    let letter = s[8];
    let digits_ok = s[..8].iter().chain(&s[9..]).all(u8::is_ascii_digit);
    if !letter.is_ascii_uppercase() || !digits_ok {
        return false;
    }
    let num = |i: usize| u32::from(s[i] - b'0') * 10 + u32::from(s[i + 1] - b'0');
    let (day, month) = (num(2), num(4));
    let day = if day > 50 { day - 50 } else { day };
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(2000, month) {
        return false;
    }
    let pos = u32::from(letter - b'A') + 1;
    let body = s[..8]
        .iter()
        .map(|&c| u32::from(c - b'0'))
        .chain([pos / 10, pos % 10])
        .chain(s[9..11].iter().map(|&c| u32::from(c - b'0')));
    const W: [u32; 12] = [2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1];
    let sum: u32 = body.zip(W).map(|(x, w)| cross_sum(x * w)).sum();
    u32::from(s[11] - b'0') == sum % 10
}

/// `de_lanr`: a lebenslange Arztnummer (KBV Richtlinie nach § 75 Abs. 7 SGB V), nine digits: a
/// six-digit physician number, a check digit, a two-digit specialty code. The first six take
/// weights 4, 9, 4, 9, 4, 9; the check digit is (10 - sum mod 10) mod 10. Six zeros is no
/// physician.
pub(super) fn de_lanr(value: &[u8]) -> bool {
    let Some(d) = exact::<9>(value) else {
        return false;
    };
    let sum: u32 = d[..6]
        .iter()
        .zip([4, 9].into_iter().cycle())
        .map(|(&x, w)| u32::from(x) * w)
        .sum();
    d[..6].iter().any(|&x| x != 0) && u32::from(d[6]) == (10 - sum % 10) % 10
}

/// `de_fuehrerschein`: a German driving licence number (card licences, field 5), 11 characters:
/// a four-character authority key (a state letter A-P, two digits for the district, one more
/// character), a five-character serial number (digits, then letters), a check character and the
/// issue number. The first nine characters (A=10 ... Z=35) take weights 9, 8, ..., 1; the sum mod
/// 11 is the check character, 10 written "X" (FeV Anlage 8; the weights of the vehicle
/// identification number). Either case.
pub(super) fn de_fuehrerschein(value: &[u8]) -> bool {
    let Ok(mut s) = <[u8; 11]>::try_from(value) else {
        return false;
    };
    s.make_ascii_uppercase();
    if !(b'A'..=b'P').contains(&s[0])
        || !s[1].is_ascii_digit()
        || !s[2].is_ascii_digit()
        || !s[10].is_ascii_alphanumeric()
    {
        return false;
    }
    let mut sum = 0;
    for (&c, w) in s[..9].iter().zip((1..=9).rev()) {
        let Some(v) = char_value(c) else {
            return false;
        };
        sum += v * w;
    }
    let check = match sum % 11 {
        10 => b'X',
        r => b'0' + r as u8,
    };
    s[9] == check
}

/// First digits of the four-digit tax office number (Bundesfinanzamtsnummer) that opens a
/// 13-digit Steuernummer in the federal ELSTER scheme: 10 Saarland, 11 Berlin, 21 Schleswig-
/// Holstein, 22 Hamburg, 23 Niedersachsen, 24 Bremen, 26 Hessen, 27 Rheinland-Pfalz,
/// 28 Baden-Württemberg, 30 Brandenburg, 31 Sachsen-Anhalt, 32 Sachsen, 40 Mecklenburg-
/// Vorpommern, 41 Thüringen, 5 Nordrhein-Westfalen, 9 Bayern.
const TAX_OFFICE_PREFIXES: &[u64] = &[10, 11, 21, 22, 23, 24, 26, 27, 28, 30, 31, 32, 40, 41];

/// `de_tax_number`: a German Steuernummer. In a state's own notation it has 10 or 11 digits in
/// groups ("181/815/08155", "133/8150/8159", "93815/08152"); in the federal 13-digit ELSTER notation
/// ("FFFF0BBBUUUUP") it opens with a known tax office prefix and has a 0 in the fifth place. The
/// check digit follows one of several state-specific methods and is not checked. A single repeated
/// digit is a placeholder.
pub(super) fn de_tax_number(value: &[u8]) -> bool {
    let Some(d) = digits(value) else {
        return false;
    };
    let d = d.as_slice();
    if all_same(d) {
        return false;
    }
    match d.len() {
        10 | 11 => true,
        13 => {
            let known = matches!(d[0], 5 | 9) || TAX_OFFICE_PREFIXES.contains(&number(&d[..2]));
            known && d[4] == 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_ids() {
        // Generated numbers, in the notations seen on invoices.
        for v in [
            &b"DE204332189"[..],
            b"DE 160013389",
            b"de 204 332 189",
            b"DE-160-013-389",
            b"DE.138.637.946",
            b"DE 265423518",
        ] {
            assert!(de_vat_id(v), "{v:?}");
        }
        assert!(!de_vat_id(b"DE204332180"), "wrong check digit");
        assert!(!de_vat_id(b"DE204332182"), "wrong check digit");
        assert!(!de_vat_id(b"AT204332189"), "another country");
        assert!(!de_vat_id(b"DE20433218"), "eight digits");
        assert!(!de_vat_id(b"DE2043321890"), "ten digits");
        assert!(!de_vat_id(b"DE999999999"), "one digit repeated");
        assert!(!de_vat_id(b"204332189"), "no country code");
        assert!(!de_vat_id(b"DE20433218X"));
        assert!(!de_vat_id(b""));
    }

    #[test]
    fn id_cards() {
        // Generated numbers, without and with the machine-readable check digit.
        assert!(de_id_card(b"TJV3FG90H"));
        assert!(de_id_card(b"TJV3FG90H3"));
        assert!(de_id_card(b"MMG0WF91H"));
        assert!(de_id_card(b"MMG0WF91H0"));
        assert!(de_id_card(b"m7fhj3k847"), "either case");
        assert!(de_id_card(b"NNJM600N6"));
        assert!(!de_id_card(b"TJV3FG90H8"), "wrong check digit");
        assert!(!de_id_card(b"MMG0WF91H5"), "wrong check digit");
        assert!(
            de_id_card(b"T1FZLFGWW"),
            "nine characters may end in a letter"
        );
        assert!(!de_id_card(b"AJV3FG90H"), "vowels are not used");
        assert!(!de_id_card(b"TBV3FG90H"), "B is not used");
        assert!(!de_id_card(b"1JV3FG90H"), "a letter first");
        assert!(!de_id_card(b"LMNPRTVWX"), "no digit: a word");
        assert!(!de_id_card(b"TJV3FG90"), "eight characters");
        assert!(!de_id_card(b"TJV3FG90H31"), "eleven characters");
        assert!(!de_id_card(b"TJV3FG90HX"), "the check is a digit");
        assert!(!de_id_card(b""));
    }

    #[test]
    fn kvnr() {
        // Generated numbers.
        for v in [
            &b"H207319584"[..],
            b"K615594079",
            b"r816184952",
            b"W931034132",
        ] {
            assert!(de_kvnr(v), "{v:?}");
        }
        assert!(!de_kvnr(b"H207319585"), "wrong check digit");
        assert!(!de_kvnr(b"K615594070"), "wrong check digit");
        assert!(!de_kvnr(b"1207319584"), "a letter first");
        assert!(!de_kvnr(b"H20731958"), "nine characters");
        assert!(!de_kvnr(b"H2073195840"), "eleven characters");
        assert!(!de_kvnr(b"H20731958X"));
        assert!(!de_kvnr(b"\xc3\x84207319584"));
        assert!(!de_kvnr(b""));
    }

    #[test]
    fn rvnr() {
        // Generated numbers, bare and printed in groups.
        for v in [
            &b"24111285D000"[..],
            b"53120384M040",
            b"12 280791 S 512",
            b"65030577k004",
            b"42191162B073",
            b"42690262B078",
        ] {
            assert!(de_rvnr(v), "{v:?}");
        }
        assert!(!de_rvnr(b"24111285D003"), "wrong check digit");
        assert!(!de_rvnr(b"53120384M042"), "wrong check digit");
        assert!(!de_rvnr(b"24110085D000"), "month 00");
        assert!(!de_rvnr(b"24111385D000"), "month 13");
        assert!(!de_rvnr(b"24001285D000"), "day 00");
        assert!(!de_rvnr(b"24310285D000"), "31 February");
        assert!(!de_rvnr(b"241112854000"), "no letter");
        assert!(!de_rvnr(b"24111285D00"), "eleven characters");
        assert!(!de_rvnr(b"24111285D0000"), "thirteen characters");
        assert!(!de_rvnr(b""));
    }

    #[test]
    fn lanr() {
        // Generated numbers with common specialty codes.
        for v in [&b"341928703"[..], b"276483023", b"030564801", b"518273601"] {
            assert!(de_lanr(v), "{v:?}");
        }
        assert!(!de_lanr(b"341928101"), "wrong check digit");
        assert!(!de_lanr(b"518273801"), "wrong check digit");
        assert!(!de_lanr(b"000000001"), "no physician number");
        assert!(!de_lanr(b"34192870"), "eight digits");
        assert!(!de_lanr(b"3419287030"), "ten digits");
        assert!(!de_lanr(b""));
    }

    #[test]
    fn fuehrerschein() {
        // The specimen card's number (Bundesdruckerei), and generated ones.
        for v in [
            &b"B072RRE2I55"[..],
            b"C051J4K2RX1",
            b"f120000rs81",
            b"K030M17W371",
        ] {
            assert!(de_fuehrerschein(v), "{v:?}");
        }
        assert!(!de_fuehrerschein(b"B072RRE2I45"), "wrong check character");
        assert!(!de_fuehrerschein(b"C051J4K2R01"), "10 is written X");
        assert!(!de_fuehrerschein(b"Q072RRE2I55"), "no state letter Q");
        assert!(!de_fuehrerschein(b"CX51J4K2RX1"), "district digits");
        assert!(!de_fuehrerschein(b"B072RRE2I5"), "ten characters");
        assert!(!de_fuehrerschein(b"B072RRE2I5-"));
        assert!(!de_fuehrerschein(b""));
    }

    #[test]
    fn tax_numbers() {
        // The states' notations and the federal scheme, from the ELSTER examples.
        for v in [
            &b"181/815/08155"[..],
            b"133/8150/8159",
            b"93815/08152",
            b"21/815/08150",
            b"9181081508155",
            b"5133081508159",
            b"2893081508152",
            b"1121081508150",
            b"4151081508156",
        ] {
            assert!(de_tax_number(v), "{v:?}");
        }
        assert!(!de_tax_number(b"1923081508152"), "no tax office 19xx");
        assert!(!de_tax_number(b"0093081508152"), "no tax office 00xx");
        assert!(!de_tax_number(b"9181181508155"), "fifth digit not 0");
        assert!(!de_tax_number(b"918108150815"), "twelve digits");
        assert!(!de_tax_number(b"123/456"), "too short");
        assert!(!de_tax_number(b"111/111/11111"), "one digit repeated");
        assert!(!de_tax_number(b"181/815/0815X"));
        assert!(!de_tax_number(b""));
    }
}
