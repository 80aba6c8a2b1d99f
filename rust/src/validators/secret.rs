//! Placeholder detection for the values of secret assignments (`password = ...`).

/// Whole values that stand for "no secret here", compared case-insensitively. Some are under the
/// minimum length and already rejected by it; they stay listed for the record.
const PLACEHOLDER_WORDS: [&[u8]; 19] = [
    b"changeme",
    b"changeit",
    b"password",
    b"passwd",
    b"passwort",
    b"passphrase",
    b"secret",
    b"null",
    b"nil",
    b"none",
    b"undefined",
    b"true",
    b"false",
    b"example",
    b"redacted",
    b"placeholder",
    b"dummy",
    b"hidden",
    b"filtered",
];

/// Shorter values are too weak to be worth a finding and are mostly words like "none" or "true".
pub(super) const MIN_LEN: usize = 6;

/// `value` without surrounding ASCII white space and one pair of matching quotes.
pub(super) fn trim(value: &[u8]) -> &[u8] {
    let start = value
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    let v = &value[start..end];
    match v {
        [q @ (b'"' | b'\'' | b'`'), inner @ .., last] if q == last => inner,
        _ => v,
    }
}

/// Is `v` entirely `open ... close` with something inside?
fn wrapped(v: &[u8], open: &[u8], close: &[u8]) -> bool {
    v.len() > open.len() + close.len() && v.starts_with(open) && v.ends_with(close)
}

/// A name as templates and environments write one: letters, digits, `_`, `-`, `.`, spaces.
fn is_name(v: &[u8]) -> bool {
    !v.is_empty()
        && v.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b' '))
}

/// Template and variable references: `${X}`, `$(cmd)`, `{{ x }}`, `{x}`, `<x>`, `[X]`, `%X%`,
/// and `$UPPER_CASE` environment variables.
pub(super) fn is_reference(v: &[u8]) -> bool {
    if wrapped(v, b"${", b"}")
        || wrapped(v, b"$(", b")")
        || wrapped(v, b"{{", b"}}")
        || wrapped(v, b"<", b">")
    {
        return true;
    }
    let named = |open: &[u8], close: &[u8]| {
        wrapped(v, open, close) && is_name(&v[open.len()..v.len() - close.len()])
    };
    if named(b"{", b"}") || named(b"[", b"]") || named(b"%", b"%") {
        return true;
    }
    // $NAME: shell convention for environment variables is upper case, which keeps passwords
    // like "$ecretPass" out of this rule.
    matches!(v, [b'$', first, rest @ ..]
        if (first.is_ascii_uppercase() || *first == b'_')
            && rest.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_'))
}

/// Template syntax anywhere in the value: `${`, `{{`, Ruby's `#{`, and an HTML-escaped `<`
/// (`&lt;YOUR_PASSWORD&gt;` is `<YOUR_PASSWORD>` in a web page or a generated doc).
pub(super) fn is_templated(v: &[u8]) -> bool {
    v.windows(2).any(|w| w == b"${" || w == b"{{" || w == b"#{")
        || v.windows(4).any(|w| w.eq_ignore_ascii_case(b"&lt;"))
}

/// Words that name a secret's slot: a value built of them names the variable or the field it
/// stands for (`SOME_PASSWORD`, `smtp_password`, `DB_PASS`), it is not a value.
const SLOT_NAMES: [&[u8]; 7] = [
    b"password",
    b"passwd",
    b"pass",
    b"pwd",
    b"secret",
    b"token",
    b"key",
];

/// A variable or constant name that names a secret: upper or lower snake case (letters, digits,
/// `_`, and at least one `_`, or all capital letters) containing one of [`SLOT_NAMES`].
/// `SOME_PASSWORD`, `YOURPASSWORD`, `smtp_password`, `api_key`; not `Pass_w0rd!`, `PASS123`.
pub(super) fn is_slot_name(v: &[u8]) -> bool {
    let upper = v
        .iter()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_');
    let lower = v
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_');
    let snake = v.contains(&b'_') && (upper || lower);
    let capitals = v.iter().all(u8::is_ascii_uppercase);
    (snake || capitals)
        && SLOT_NAMES
            .iter()
            .any(|w| v.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
}

/// printf and Python %-format directives: `%s` or `%d` not followed by a letter or digit (so
/// "100%sure" is not one), and `%(name)s`.
pub(super) fn has_format_directive(v: &[u8]) -> bool {
    let printf = v.windows(2).enumerate().any(|(i, w)| {
        (w == b"%s" || w == b"%d") && !v.get(i + 2).is_some_and(u8::is_ascii_alphanumeric)
    });
    // If any "%(" is followed by ")s", the first one is: one scan each keeps this linear.
    let named = v
        .windows(2)
        .position(|w| w == b"%(")
        .is_some_and(|i| v[i + 2..].windows(2).any(|w| w == b")s"));
    printf || named
}

/// Masked or filler values: a run of four or more `*`, `x`/`X` or `•` (U+2022).
pub(super) fn is_masked(v: &[u8]) -> bool {
    let mut star = 0;
    let mut x = 0;
    for &b in v {
        star = if b == b'*' { star + 1 } else { 0 };
        x = if b == b'x' || b == b'X' { x + 1 } else { 0 };
        if star >= 4 || x >= 4 {
            return true;
        }
    }
    v.windows(12).any(|w| w == "••••".as_bytes())
}

/// Documentation filler: "your_api_key", "YOURPASSWORD", "yourToken", "your-token-here",
/// "insert key here".
pub(super) fn is_filler(v: &[u8]) -> bool {
    let lower_starts = |p: &[u8]| v.len() >= p.len() && v[..p.len()].eq_ignore_ascii_case(p);
    let lower_ends =
        |s: &[u8]| v.len() >= s.len() && v[v.len() - s.len()..].eq_ignore_ascii_case(s);
    lower_starts(b"your_")
        || lower_starts(b"your-")
        || lower_starts(b"your ")
        || v.starts_with(b"YOUR")
        || (v.starts_with(b"your") && v.get(4).is_some_and(u8::is_ascii_uppercase))
        || lower_ends(b"_here")
        || lower_ends(b"-here")
        || lower_ends(b" here")
}

/// `secret_value` plus at least one ASCII digit.
pub(super) fn secret_with_digit(value: &[u8]) -> bool {
    value.iter().any(u8::is_ascii_digit) && secret_value(value)
}

/// `secret_value`: true unless the value is a placeholder. False for values under six bytes
/// (after trimming white space and quotes); values that are not UTF-8 text or hold control
/// characters other than white space; one repeated character; the words in
/// [`PLACEHOLDER_WORDS`]; references like `${X}`, `{{x}}`, `<x>`, `$(x)`, `%X%`, `[X]`, `$VAR`;
/// templates anywhere in the value (`${`, `{{`, `#{`, `&lt;`); format directives `%s`, `%d`,
/// `%(x)s`; masks of four or more `*`, `x`, `X` or `•`; documentation filler ("your_...",
/// "YOUR...", "..._here"); and names of secret variables (`SOME_PASSWORD`, `smtp_password`).
pub(super) fn secret_value(value: &[u8]) -> bool {
    let v = trim(value);
    plausible_text(v)
        && !PLACEHOLDER_WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
        && !is_placeholder(v)
}

/// At least [`MIN_LEN`] bytes of UTF-8 text with no control characters but white space, and not
/// one character repeated.
pub(super) fn plausible_text(v: &[u8]) -> bool {
    if v.len() < MIN_LEN {
        return false;
    }
    let Ok(text) = std::str::from_utf8(v) else {
        return false;
    };
    if v.iter()
        .any(|b| b.is_ascii_control() && !b.is_ascii_whitespace())
    {
        return false;
    }
    let mut chars = text.chars();
    let first = chars.next();
    !chars.all(|c| Some(c) == first)
}

/// The shapes that stand for a value rather than being one: references and templates, format
/// directives, masks, documentation filler, names of secret variables.
pub(super) fn is_placeholder(v: &[u8]) -> bool {
    is_reference(v)
        || is_templated(v)
        || has_format_directive(v)
        || is_masked(v)
        || is_filler(v)
        || is_slot_name(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_looking_secrets_pass() {
        for s in [
            &b"hunter2-but-longer"[..],
            b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            b"AKIAIOSFODNN7EXAMPLE",
            b"\"S3cr3t!Passw0rd\"",
            b"  p@ss:w0rd-2024  ",
            b"$ecretPass",
            b"correct horse battery staple",
            b"xoxb-123456789012-abcdefghij",
            "pässwörd-mit-umlaut".as_bytes(),
            b"100%sure",
            b"50%d1scount",
            b"a%(bcdef",
            b"PASS1234",
            b"Pass_w0rd!",
            b"youngster-42",
            b"MONKEY7",
        ] {
            assert!(secret_value(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn placeholders_fail() {
        for s in [
            &b"${DB_PASSWORD}"[..],
            b"${env:SECRET}",
            b"{{ vault.db_password }}",
            b"{password}",
            b"<your-password>",
            b"<PASSWORD>",
            b"$(cat /run/secrets/db)",
            b"%DB_PASSWORD%",
            b"[REDACTED]",
            b"$DB_PASSWORD",
            b"%s",
            b"prefix-%s-suffix",
            b"%(password)s",
            b"pass %d word",
            b"********",
            b"abc****def",
            b"xxxxxxxx",
            b"sk_live_XXXXXXXXXXXX",
            "••••••••".as_bytes(),
            "sk-••••abcd".as_bytes(),
            b"changeme",
            b"ChangeMe",
            b"PASSWORD",
            b"'password'",
            b"secret",
            b"null",
            b"None",
            b"true",
            b"false",
            b"example",
            b"redacted",
            b"your_api_key",
            b"insert-token-here",
            b"aaaaaaaaaa",
            b"0000000",
            "ééééééé".as_bytes(),
            b"abc12",
            b"  abc12  ",
            b"\"abc12\"",
            b"",
            b"Passwort",
            b"&lt;YOURPASSWORD&gt;",
            b"prefix-&LT;token&GT;",
            b"#{datastore['DBPASSWORD']}",
            b"https://${HOST}/x",
            b"SOME_PASSWORD",
            b"YOURPASSWORD",
            b"yourApiToken",
            b"smtp_password",
            b"user_password",
            b"API_KEY",
        ] {
            assert!(!secret_value(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn binary_fails() {
        assert!(!secret_value(b"abc\xffdefgh"));
        assert!(!secret_value(b"abc\x00defgh"));
        assert!(!secret_value(b"abc\x1bdefgh"));
        assert!(secret_value(b"abc\tdefgh"));
    }

    #[test]
    fn trimming() {
        assert_eq!(trim(b"  'x y'  "), b"x y");
        assert_eq!(trim(b"\"x'"), b"\"x'");
        assert_eq!(trim(b"\""), b"\"");
        assert_eq!(trim(b"   "), b"");
        assert_eq!(trim(b""), b"");
    }

    #[test]
    fn secret_with_digit_needs_a_digit() {
        assert!(secret_with_digit(b"Zx9-kLq2-wT7"));
        assert!(!secret_with_digit(b"correct-horse-battery"));
        assert!(!secret_with_digit(b"${TOKEN_2}"));
    }
}
