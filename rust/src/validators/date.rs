//! Calendar dates, and the Gregorian calendar helpers that the date-bearing national IDs share.
//!
//! Accepted forms (`date`):
//! - `Y-M-D` with a four-digit year: `2024-02-29`, `2024/2/29`, `2024.02.29`;
//! - day and month first, year last: `02/29/2024`, `29.02.2024`, `29-02-24`. The order is read as
//!   M/D/Y or D/M/Y, whichever makes a real date (so `13/01/2024` and `01/13/2024` both pass);
//! - month names, English, full or three-letter (plus "Sept"), any case, with an optional ordinal
//!   suffix on the day: `29 February 2024`, `29-Feb-2024`, `29th of Feb 2024`, `February 29, 2024`,
//!   `Feb. 29th 2024`.
//!
//! Numeric forms use one separator (`-`, `/` or `.`) throughout. A four-digit year must be
//! 1900-2100; a two-digit year (allowed everywhere except `Y-M-D`) is read as 20YY for the leap
//! year rule, which agrees with 19YY for every year but 00.

/// Gregorian leap year.
pub(super) fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1-12) of `year`; 0 for a month that does not exist.
pub(super) fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Is `year-month-day` a day of the Gregorian calendar?
pub(super) fn is_real_date(year: u32, month: u32, day: u32) -> bool {
    day >= 1 && day <= days_in_month(year, month)
}

/// No accepted form is longer ("September 30th, 2024" is 20 bytes); longer input is rejected
/// before any parsing.
const MAX_LEN: usize = 40;

/// `date`: a real calendar date in one of the forms above.
pub(super) fn date(value: &[u8]) -> bool {
    if value.is_empty() || value.len() > MAX_LEN {
        return false;
    }
    if value.iter().any(u8::is_ascii_alphabetic) {
        with_month_name(value)
    } else {
        numeric(value)
    }
}

/// A run of ASCII digits as a number, saturating at `u32::MAX` (callers check lengths first; a
/// long run must still not overflow, which panics in debug builds).
fn num(d: &[u8]) -> u32 {
    d.iter().fold(0u32, |n, &b| {
        n.saturating_mul(10).saturating_add(u32::from(b - b'0'))
    })
}

/// The year a run of digits stands for: four digits in 1900-2100, or two digits read as 20YY.
/// The length is checked before the digits are read: the year token after a month name is
/// unbounded ("March 1, 99999999999").
fn year(d: &[u8]) -> Option<u32> {
    match d.len() {
        4 => Some(num(d)).filter(|y| (1900..=2100).contains(y)),
        2 => Some(2000 + num(d)),
        _ => None,
    }
}

fn numeric(value: &[u8]) -> bool {
    let Some(&sep) = value.iter().find(|b| !b.is_ascii_digit()) else {
        return false;
    };
    if !matches!(sep, b'-' | b'/' | b'.') {
        return false;
    }
    let mut parts = value.split(|&b| b == sep);
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if ![a, b, c].iter().all(|p| p.iter().all(u8::is_ascii_digit)) {
        return false;
    }
    match (a.len(), b.len(), c.len()) {
        (4, 1..=2, 1..=2) => year(a).is_some_and(|y| is_real_date(y, num(b), num(c))),
        (1..=2, 1..=2, 2 | 4) => year(c)
            .is_some_and(|y| is_real_date(y, num(a), num(b)) || is_real_date(y, num(b), num(a))),
        _ => false,
    }
}

#[rustfmt::skip]
const MONTHS: [&[u8]; 12] = [
    b"january", b"february", b"march", b"april", b"may", b"june", b"july", b"august",
    b"september", b"october", b"november", b"december",
];

/// `date_time`: an ISO 8601 date (`Y-M-D`, four-digit year) that is a real day, optionally followed
/// by `T` or one space and a time: `HH:MM`, then optionally `:SS` and a fraction of 1-9 digits,
/// then optionally `Z` or an offset `+HH:MM` / `-HHMM` (hours 00-14). Hours 00-23, minutes 00-59,
/// seconds 00-60 (a leap second).
pub(super) fn date_time(value: &[u8]) -> bool {
    if value.len() > MAX_LEN {
        return false;
    }
    let (day, time) = match value.iter().position(|&b| b == b'T' || b == b' ') {
        Some(i) => (&value[..i], Some(&value[i + 1..])),
        None => (value, None),
    };
    if day.len() != 10 || day[4] != b'-' || !numeric(day) {
        return false;
    }
    time.is_none_or(clock)
}

/// Two ASCII digits as a number, if they are two digits.
fn two(d: &[u8]) -> Option<u32> {
    match d {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => Some(num(d)),
        _ => None,
    }
}

/// `HH:MM[:SS[.f]][Z|+HH:MM|+HHMM]`, the time part of `date_time`.
fn clock(t: &[u8]) -> bool {
    let (hh, mm) = (t.get(0..2).and_then(two), t.get(3..5).and_then(two));
    let hh_mm = t.get(2) == Some(&b':') && matches!(hh, Some(0..=23)) && matches!(mm, Some(0..=59));
    if !hh_mm {
        return false;
    }
    let mut rest = &t[5..];
    if let Some(r) = rest.strip_prefix(b":") {
        if !matches!(r.get(0..2).and_then(two), Some(0..=60)) {
            return false;
        }
        rest = &r[2..];
        if let Some(f) = rest.strip_prefix(b".") {
            let n = f.iter().take_while(|b| b.is_ascii_digit()).count();
            if !(1..=9).contains(&n) {
                return false;
            }
            rest = &f[n..];
        }
    }
    match rest {
        [] | [b'Z'] => true,
        [b'+' | b'-', zone @ ..] => {
            let (h, m) = match zone {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (two(&[*h1, *h2]), two(&[*m1, *m2])),
                _ => return false,
            };
            matches!(h, Some(0..=14)) && matches!(m, Some(0..=59))
        }
        _ => false,
    }
}

/// The month (1-12) an English name or abbreviation stands for, any case.
fn month_number(word: &[u8]) -> Option<u32> {
    let mut lower = [0u8; 9];
    let lower = lower.get_mut(..word.len())?;
    lower.copy_from_slice(word);
    lower.make_ascii_lowercase();
    if lower == b"sept" {
        return Some(9);
    }
    let i = MONTHS
        .iter()
        .position(|m| *m == lower || (lower.len() == 3 && m.starts_with(lower)))?;
    Some(i as u32 + 1)
}

/// The English ordinal suffix of a day: 1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st.
fn ordinal_suffix(day: u32) -> &'static [u8] {
    match (day % 10, day % 100) {
        (_, 11..=13) => b"th",
        (1, _) => b"st",
        (2, _) => b"nd",
        (3, _) => b"rd",
        _ => b"th",
    }
}

#[derive(Clone, Copy)]
enum Token<'a> {
    /// Digits, and whether an ordinal suffix followed them.
    Num(&'a [u8], bool),
    Word(&'a [u8]),
}

/// Splits `value` into at most three number and word tokens. Separators are runs of up to three
/// of space, comma, dot, dash and slash; a number's ordinal suffix belongs to the number; the
/// word "of" ("29th of February") is skipped. None on anything else.
fn tokenize(value: &[u8]) -> Option<[Token<'_>; 3]> {
    let mut tokens = [Token::Word(b""); 3];
    let mut n = 0;
    let mut i = 0;
    while i < value.len() {
        let start = i;
        let token = if value[i].is_ascii_digit() {
            while i < value.len() && value[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &value[start..i];
            let suffix = value
                .get(i..i + 2)
                .filter(|s| s.iter().all(u8::is_ascii_alphabetic));
            let day_suffix = suffix.is_some_and(|s| {
                digits.len() <= 2 && s.eq_ignore_ascii_case(ordinal_suffix(num(digits)))
            });
            if day_suffix {
                i += 2;
            }
            Token::Num(digits, day_suffix)
        } else if value[i].is_ascii_alphabetic() {
            while i < value.len() && value[i].is_ascii_alphabetic() {
                i += 1;
            }
            Token::Word(&value[start..i])
        } else {
            return None;
        };
        let skip = matches!(token, Token::Word(w) if w.eq_ignore_ascii_case(b"of"));
        if !skip {
            *tokens.get_mut(n)? = token;
            n += 1;
        }
        let sep_start = i;
        while i < value.len() && b" ,.-/".contains(&value[i]) {
            i += 1;
        }
        // Between tokens one to three separator bytes; after the last, none.
        let sep_len = i - sep_start;
        let at_end = i == value.len();
        if (at_end && sep_len > 0) || (!at_end && !(1..=3).contains(&sep_len)) {
            return None;
        }
    }
    (n == 3).then_some(tokens)
}

fn with_month_name(value: &[u8]) -> bool {
    let Some(tokens) = tokenize(value) else {
        return false;
    };
    let (day, month, y) = match tokens {
        [Token::Num(d, _), Token::Word(m), Token::Num(y, false)] => (d, m, y),
        [Token::Word(m), Token::Num(d, _), Token::Num(y, false)] => (d, m, y),
        _ => return false,
    };
    if day.len() > 2 {
        return false;
    }
    let (Some(month), Some(y)) = (month_number(month), year(y)) else {
        return false;
    };
    is_real_date(y, month, num(day))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `validators` fuzz target: a long digit run after a month name overflowed
    /// `num` (a panic with debug assertions; release builds wrapped silently).
    #[test]
    fn long_digit_runs_do_not_overflow() {
        assert_eq!(num(b"4294967295"), u32::MAX);
        assert_eq!(num(b"99999999999999999999"), u32::MAX);
        assert_eq!(year(b"99999999999"), None);
        assert_eq!(year(b"19000000000"), None);
        assert!(!date(b"March 1, 99999999999"));
        assert!(!date(b"1 March 123456789012345678901234"));
    }

    #[test]
    fn date_times() {
        for s in [
            "2024-03-15",
            "2024-02-29T23:59",
            "2024-03-15T14:30Z",
            "2024-03-15T14:30:00Z",
            "2024-03-15 14:30:00",
            "2024-12-31T23:59:60+00:00",
            "2024-06-05T09:15:30.500-07:00",
            "2024-03-15T14:30:00.123456789+0530",
        ] {
            assert!(date_time(s.as_bytes()), "{s}");
        }
        for s in [
            "2023-02-29",
            "2024-13-01T00:00",
            "15-03-2024",
            "03/15/2024",
            "2024-03-15T24:00",
            "2024-03-15T14:60",
            "2024-03-15T14:30:61",
            "2024-03-15T14:30:00.",
            "2024-03-15T14:30:00.1234567890",
            "2024-03-15T14:30+15:00",
            "2024-03-15T14:30+05:3",
            "2024-03-15T14:30ZZ",
            "2024-03-15T1430",
            "2024-03-15T",
            "2024-03-15T14:3",
            "",
        ] {
            assert!(!date_time(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn calendar() {
        assert!(is_leap(2000) && is_leap(2024) && is_leap(1904));
        assert!(!is_leap(1900) && !is_leap(2100) && !is_leap(2023));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2023, 13), 0);
        assert_eq!(days_in_month(2023, 0), 0);
        assert!(is_real_date(2023, 12, 31));
        assert!(!is_real_date(2023, 4, 31));
        assert!(!is_real_date(2023, 4, 0));
    }

    #[test]
    fn ymd() {
        assert!(date(b"2024-02-29"));
        assert!(date(b"2024/2/9"));
        assert!(date(b"2024.12.31"));
        assert!(date(b"1900-01-01"));
        assert!(date(b"2100-12-31"));
        assert!(!date(b"2023-02-29"), "not a leap year");
        assert!(!date(b"1900-02-29"), "1900 was not a leap year");
        assert!(!date(b"2024-04-31"));
        assert!(!date(b"2024-13-01"));
        assert!(!date(b"2024-00-10"));
        assert!(!date(b"1899-12-31"), "before 1900");
        assert!(!date(b"2101-01-01"), "after 2100");
        assert!(!date(b"2024-02/29"), "mixed separators");
        assert!(date(b"24-02-29"), "not Y-M-D but D-M-YY: 24 February 2029");
        assert!(!date(b"99-02-29"), "Y-M-D needs four digits");
        assert!(!date(b"2024-02-29T10:00"));
    }

    #[test]
    fn day_month_year() {
        assert!(date(b"02/29/2024"), "M/D/Y");
        assert!(date(b"29.02.2024"), "D.M.Y");
        assert!(date(b"31/12/2024"), "D/M/Y");
        assert!(date(b"12/31/24"), "two-digit year");
        assert!(date(b"29-02-00"), "00 is 2000, a leap year");
        assert!(date(b"1.2.2024"));
        assert!(!date(b"29.02.2023"));
        assert!(!date(b"31/31/2024"));
        assert!(!date(b"13/13/2024"));
        assert!(!date(b"00/12/2024"));
        assert!(!date(b"12/31/224"), "three-digit year");
        assert!(!date(b"12/31/2224"), "out of range");
        assert!(!date(b"12.31/2024"), "mixed separators");
        assert!(!date(b"12 31 2024"), "space is no numeric separator");
        assert!(!date(b"1/2/3/2024"));
        assert!(!date(b"123/1/2024"));
    }

    #[test]
    fn month_names() {
        for v in [
            &b"29 February 2024"[..],
            b"29 Feb 2024",
            b"29-Feb-2024",
            b"29-FEB-24",
            b"1st March 2024",
            b"22nd of june 2023",
            b"23rd Sept 2023",
            b"February 29, 2024",
            b"Feb. 29th 2024",
            b"feb 29 2024",
            b"December 31, 1999",
            b"Jan 11th, 2024",
        ] {
            assert!(date(v), "{:?}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn month_names_rejected() {
        for v in [
            &b"30 February 2024"[..],
            b"29 Feb 2023",
            b"31 April 2024",
            b"1nd March 2024",
            b"11st March 2024",
            b"29 Febr 2024",
            b"Febuary 2, 2024",
            b"Feb 2024",
            b"29 Feb",
            b"2024 Feb 29",
            b"Feb 29 2024 extra",
            b"Feb 29,    2024",
            b"29Feb2024",
            b"Feb 29, 1850",
            b"Feb 29, 2024,",
            b"Feb 29, 2024.",
            b" Feb 29, 2024",
            b"29 Feb 2024\xff",
            b"Mayday 1, 2024",
        ] {
            assert!(!date(v), "{:?}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn junk() {
        assert!(!date(b""));
        assert!(!date(b"2024"));
        assert!(!date(b"--"));
        assert!(!date(&[b'1'; 100]));
        assert!(!date(b"\xe2\x80\x93"));
    }
}
