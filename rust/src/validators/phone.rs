//! Telephone numbers: North American Numbering Plan and E.164.

/// Longest NANP number accepted, e.g. "+1 (212) 555-0123" is 17 bytes.
const NANP_MAX_LEN: usize = 24;

/// The ten national digits of a NANP number written in one of the usual layouts, or None.
///
/// Digit groups may be 10, 3-7 or 3-3-4, optionally after a country code 1 written as its own
/// group ("+1 212 555 0123", "1-212-555-0123") or glued to an unbroken 10 ("+12125550123").
/// Between groups: one space, dash or dot, or a parenthesis pair around the area code only
/// ("(212) 555-0123", "+1 (212) 555-0123"). A leading `+` requires the country code.
fn nanp_national(value: &[u8]) -> Option<[u8; 10]> {
    let (plus, s) = match value {
        [b'+', rest @ ..] => (true, rest),
        _ => (false, value),
    };
    let mut digits = [0u8; 11];
    let mut nd = 0;
    let mut lens = [0usize; 4];
    let mut ng: usize = 0;
    // The group a '(' precedes, until its ')' is seen; then the group it enclosed.
    let mut pending_open: Option<usize> = None;
    let mut paren: Option<usize> = None;
    let mut i = 0;
    loop {
        // A run of separators: [')'] [one of " -."] ['(']
        let start = i;
        while i < s.len() && !s[i].is_ascii_digit() {
            i += 1;
        }
        let run = &s[start..i];
        let (close, rest) = match run {
            [b')', rest @ ..] => (true, rest),
            _ => (false, run),
        };
        let (open, mid) = match rest {
            [mid @ .., b'('] => (true, mid),
            _ => (false, rest),
        };
        if mid.len() > 1 || !mid.iter().all(|c| b" -.".contains(c)) {
            return None;
        }
        if ng == 0 && (close || !mid.is_empty() || (open && plus)) {
            return None;
        }
        if close {
            if pending_open != Some(ng.wrapping_sub(1)) {
                return None;
            }
            paren = pending_open.take();
        } else if pending_open.is_some() {
            return None;
        }
        if open {
            if paren.is_some() {
                return None;
            }
            pending_open = Some(ng);
        }
        if i == s.len() {
            // Nothing may trail the last group.
            if !run.is_empty() || ng == 0 {
                return None;
            }
            break;
        }
        let start = i;
        while i < s.len() && s[i].is_ascii_digit() {
            *digits.get_mut(nd)? = s[i] - b'0';
            nd += 1;
            i += 1;
        }
        *lens.get_mut(ng)? = i - start;
        ng += 1;
    }
    let lens = &lens[..ng];
    // Where the national number starts, in digits and in groups.
    let (offset, area_group, national) = match lens {
        [11] => (1, 0, &[10][..]),
        [1, rest @ ..] => (1, 1, rest),
        _ if plus => return None,
        _ => (0, 0, lens),
    };
    if offset == 1 && digits[0] != 1 {
        return None;
    }
    let layout_ok = match national {
        [10] => paren.is_none(),
        [3, 7] | [3, 3, 4] => paren.is_none_or(|g| g == area_group),
        _ => false,
    };
    if !layout_ok {
        return None;
    }
    let mut out = [0u8; 10];
    out.copy_from_slice(digits.get(offset..offset + 10)?);
    Some(out)
}

/// `phone_nanp`: a North American number per the NANP administrator's rules. The area code
/// (NPA) and exchange (NXX) each start with 2-9; neither is an N11 service code (211, 411, 911,
/// ...), which are dialled alone and never assigned as area codes or exchanges; and 555-0100
/// through 555-0199, reserved for fiction, are rejected.
pub(super) fn phone_nanp(value: &[u8]) -> bool {
    if value.len() > NANP_MAX_LEN {
        return false;
    }
    let Some(d) = nanp_national(value) else {
        return false;
    };
    let n11 = |x: &[u8]| x[1] == 1 && x[2] == 1;
    let fiction = d[3..6] == [5, 5, 5] && d[6] == 0 && d[7] == 1;
    d[0] >= 2 && d[3] >= 2 && !n11(&d[..3]) && !n11(&d[3..6]) && !fiction
}

/// `phone_e164`: `+`, then 8 to 15 digits (ITU-T E.164 allows at most 15) whose first, the start
/// of the country code, is not 0. Single spaces, dashes or dots may separate digits, and one
/// group after the country code may be put in parentheses, as the area code often is
/// ("+44 (20) 7946 0958", "+90 (532) 123 45 67"), with a separator or nothing on either side.
pub(super) fn phone_e164(value: &[u8]) -> bool {
    let Some(rest) = value.strip_prefix(b"+") else {
        return false;
    };
    // 15 digits, 14 separators and a pair of parentheses.
    if rest.len() > 31 || rest.first() == Some(&b'0') {
        return false;
    }
    let mut n = 0;
    // What the last byte was: a digit, a separator, `(` or `)`.
    #[derive(PartialEq)]
    enum Last {
        Digit,
        Sep,
        Open,
        Close,
    }
    let mut last = Last::Sep;
    let mut parens = 0;
    let mut open = false;
    for &b in rest {
        last = match b {
            b'0'..=b'9' => {
                n += 1;
                Last::Digit
            }
            b' ' | b'-' | b'.' if matches!(last, Last::Digit | Last::Close) => Last::Sep,
            // Not before the country code's first digit, one pair, around digits only.
            b'(' if n > 0 && parens == 0 && matches!(last, Last::Digit | Last::Sep) => {
                parens += 1;
                open = true;
                Last::Open
            }
            b')' if open && last == Last::Digit => {
                open = false;
                Last::Close
            }
            _ => return false,
        };
    }
    !open && last == Last::Digit && (8..=15).contains(&n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanp_layouts() {
        for s in [
            &b"(212) 456-7890"[..],
            b"(212)456-7890",
            b"212.456.7890",
            b"212-456-7890",
            b"212 456 7890",
            b"2124567890",
            b"+1 212 456 7890",
            b"+1-212-456-7890",
            b"+12124567890",
            b"1-212-456-7890",
            b"1 (212) 456-7890",
            b"+1 (212) 456-7890",
            b"(415) 4567890",
            b"212-555-0200",
            b"212-555-1212",
        ] {
            assert!(phone_nanp(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn nanp_rejects() {
        for s in [
            // Numbering rules (each would pass as 212-456-7890).
            &b"(112) 456-7890"[..],
            b"012-456-7890",
            b"212-156-7890",
            b"212-056-7890",
            b"911-456-7890",
            b"411-456-7890",
            b"212-411-7890",
            b"212-555-0100",
            b"212-555-0199",
            b"(212) 555-0123",
            b"+1 212 555 0150",
            // Not NANP.
            b"+44 20 7946 0958",
            b"+2124567890",
            b"2-212-456-7890",
            // Layout.
            b"212-456-789",
            b"212-456-78901",
            b"21-2456-7890",
            b"2124-56-7890",
            b"212--456-7890",
            b"212-456-7890-",
            b"-212-456-7890",
            b"(212 456-7890",
            b"212) 456-7890",
            b"(212)(456)7890",
            b"212 (456) 7890",
            b"(2124567890)",
            b"+(1) 212 456 7890",
            b"212/456/7890",
            b"212-456-7890 x12",
            b"212-456-78\xff0",
            b"",
        ] {
            assert!(!phone_nanp(s), "{:?}", String::from_utf8_lossy(s));
        }
        // The layout checks alone: the same digits pass when laid out properly.
        assert!(phone_nanp(b"212-456-7890"));
    }

    #[test]
    fn e164_numbers() {
        for s in [
            &b"+442079460958"[..],
            b"+44 20 7946 0958",
            b"+1-212-555-0123",
            b"+81.3.1234.5678",
            b"+4930123456",
            b"+123456789012345",
            b"+44 (20) 7946 0958",
            b"+90 (532) 123 45 67",
            b"+44(20)79460958",
            b"+91 4155550132",
        ] {
            assert!(phone_e164(s), "{:?}", String::from_utf8_lossy(s));
        }
        for s in [
            &b"442079460958"[..],
            b"+0442079460958",
            b"+1234567",
            b"+1234567890123456",
            b"+44  20 7946 0958",
            b"+ 44 20 7946 0958",
            b"+44 20 7946 0958 ",
            b"+(44) 20 7946 0958",
            b"+44 (20) (7946) 0958",
            b"+44 (20 7946 0958",
            b"+44 20) 7946 0958",
            b"+44 () 7946 0958",
            b"+44 (20 ) 7946 0958",
            b"+44 20 7946 (0958)",
            b"++442079460958",
            b"+4420794609\xff8",
            b"+",
            b"",
        ] {
            assert!(!phone_e164(s), "{:?}", String::from_utf8_lossy(s));
        }
    }
}
