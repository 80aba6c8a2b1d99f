//! Character normalisation: what a Unicode character means to a detector written for ASCII.
//! Invisible characters vanish (zero-width characters, soft hyphens, variation selectors, tag
//! characters, bidirectional controls, combining marks: each can be slipped between the digits of
//! a number without changing how it looks); decimal digits of any script, superscript, subscript
//! and circled digits become ASCII digits; full-width forms, Latin ligatures and the small `@`
//! become ASCII; Unicode dashes become '-' and Unicode spaces (fillers included) ' '.

/// What normalisation does with one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Norm {
    /// Leave it as it is.
    Keep,
    /// Remove it (it is invisible).
    Drop,
    /// Replace it by this ASCII byte.
    Ascii(u8),
    /// Replace it by these ASCII letters (a ligature).
    Letters(&'static [u8]),
}

/// The zero of every run of ten Unicode decimal digits (general category Nd, Unicode 15) outside
/// ASCII. Each run holds the digits 0 to 9 in order.
const DIGIT_ZEROS: [u32; 67] = [
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
    0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950,
    0x1FBF0,
];

/// How normalisation treats `c`.
pub fn normalize_char(c: char) -> Norm {
    let cp = c as u32;
    if cp < 0x80 {
        return Norm::Keep;
    }
    match cp {
        // Zero-width space, non-joiner, joiner; word joiner and invisible operators; BOM;
        // Mongolian vowel separator; soft hyphen.
        0x200B..=0x200D | 0x2060..=0x2064 | 0xFEFF | 0x180E | 0xAD => Norm::Drop,
        // Combining grapheme joiner, variation selectors (and their supplement), tag characters,
        // bidirectional embeddings, overrides and isolates, left-to-right and right-to-left marks.
        0x34F | 0xFE00..=0xFE0F | 0xE0100..=0xE01EF | 0xE0000..=0xE007F => Norm::Drop,
        0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069 => Norm::Drop,
        // Combining marks (diacritics, their extensions and supplements, marks for symbols,
        // half marks): a mark on a digit leaves the digit.
        0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F => {
            Norm::Drop
        }
        // Superscript and subscript digits.
        0xB9 => Norm::Ascii(b'1'),
        0xB2 | 0xB3 => Norm::Ascii(b'2' + (cp - 0xB2) as u8),
        0x2070 => Norm::Ascii(b'0'),
        0x2074..=0x2079 => Norm::Ascii(b'4' + (cp - 0x2074) as u8),
        0x2080..=0x2089 => Norm::Ascii(b'0' + (cp - 0x2080) as u8),
        // Circled, parenthesised-free negative circled and dingbat circled digits.
        0x24EA | 0x24FF => Norm::Ascii(b'0'),
        0x2460..=0x2468 => Norm::Ascii(b'1' + (cp - 0x2460) as u8),
        0x24F5..=0x24FD => Norm::Ascii(b'1' + (cp - 0x24F5) as u8),
        0x2776..=0x277E => Norm::Ascii(b'1' + (cp - 0x2776) as u8),
        0x2780..=0x2788 => Norm::Ascii(b'1' + (cp - 0x2780) as u8),
        0x278A..=0x2792 => Norm::Ascii(b'1' + (cp - 0x278A) as u8),
        // Latin ligatures, which a domain or a name can be spelled with (`of\u{FB01}ce`).
        0xFB00 => Norm::Letters(b"ff"),
        0xFB01 => Norm::Letters(b"fi"),
        0xFB02 => Norm::Letters(b"fl"),
        0xFB03 => Norm::Letters(b"ffi"),
        0xFB04 => Norm::Letters(b"ffl"),
        0xFB05 | 0xFB06 => Norm::Letters(b"st"),
        // Small commercial at.
        0xFE6B => Norm::Ascii(b'@'),
        // Full-width ASCII (digits included).
        0xFF01..=0xFF5E => Norm::Ascii((cp - 0xFF01 + 0x21) as u8),
        0x2010..=0x2015 | 0x2212 | 0xFE58 | 0xFE63 => Norm::Ascii(b'-'),
        // No-break and typographic spaces; the Hangul fillers and the braille blank, which render
        // as white space.
        0xA0 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => Norm::Ascii(b' '),
        0x115F | 0x1160 | 0x3164 | 0xFFA0 | 0x2800 => Norm::Ascii(b' '),
        _ => {
            let i = DIGIT_ZEROS.partition_point(|&z| z <= cp);
            match i.checked_sub(1).map(|i| DIGIT_ZEROS[i]) {
                Some(zero) if cp - zero < 10 => Norm::Ascii(b'0' + (cp - zero) as u8),
                _ => Norm::Keep,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_of_many_scripts() {
        for (text, want) in [
            ("０１２３４５６７８９", "0123456789"),
            ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
            ("०१२३४५६७८९", "0123456789"),
            ("𝟎𝟗𝟘𝟡𝟿", "09099"),
        ] {
            let got: String = text
                .chars()
                .map(|c| match normalize_char(c) {
                    Norm::Ascii(b) => b as char,
                    _ => '?',
                })
                .collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn zero_runs_hold_ten_digits() {
        for &z in &DIGIT_ZEROS {
            for d in 0..10 {
                let c = char::from_u32(z + d).unwrap();
                assert_eq!(normalize_char(c), Norm::Ascii(b'0' + d as u8), "{c:?}");
            }
        }
        assert!(DIGIT_ZEROS.windows(2).all(|w| w[0] + 10 <= w[1]));
    }

    #[test]
    fn invisible_dashes_spaces_and_the_rest() {
        assert_eq!(normalize_char('\u{200B}'), Norm::Drop);
        assert_eq!(normalize_char('\u{AD}'), Norm::Drop);
        assert_eq!(normalize_char('\u{FEFF}'), Norm::Drop);
        assert_eq!(normalize_char('\u{2013}'), Norm::Ascii(b'-'));
        assert_eq!(normalize_char('\u{2212}'), Norm::Ascii(b'-'));
        assert_eq!(normalize_char('\u{A0}'), Norm::Ascii(b' '));
        assert_eq!(normalize_char('\u{3000}'), Norm::Ascii(b' '));
        assert_eq!(normalize_char('Ａ'), Norm::Ascii(b'A'));
        assert_eq!(normalize_char('＠'), Norm::Ascii(b'@'));
        for (c, want) in [
            ('\u{34F}', Norm::Drop),
            ('\u{FE0F}', Norm::Drop),
            ('\u{E0041}', Norm::Drop),
            ('\u{202E}', Norm::Drop),
            ('\u{301}', Norm::Drop),
            ('\u{3164}', Norm::Ascii(b' ')),
            ('¹', Norm::Ascii(b'1')),
            ('³', Norm::Ascii(b'3')),
            ('⁷', Norm::Ascii(b'7')),
            ('₉', Norm::Ascii(b'9')),
            ('④', Norm::Ascii(b'4')),
            ('⓪', Norm::Ascii(b'0')),
            ('➒', Norm::Ascii(b'9')),
            ('﹫', Norm::Ascii(b'@')),
        ] {
            assert_eq!(normalize_char(c), want, "{c:?}");
        }
        for c in ['a', 'é', '€', '日', 'Ω', '\u{10FFFF}'] {
            assert_eq!(normalize_char(c), Norm::Keep, "{c:?}");
        }
    }
}
