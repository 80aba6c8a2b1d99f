//! Credentials in slots the pattern itself names: the password of a connection URL or string, the
//! argument of `psexec -p`, the `user:password` of `curl -u`. There the value is the password
//! whatever it looks like (`secret` in `postgres://app:secret@db` is a weak password, not a
//! placeholder), unless it names the slot, refers to something else or is masked. And AWS keys,
//! whose documentation examples are marked as such.

use super::secret::{is_placeholder, plausible_text, secret_with_digit, trim};

/// Values that name the slot or stand for "nothing here" rather than fill it, compared
/// case-insensitively (`-p password`, `user:pass`, `Password=none`).
const NOT_A_PASSWORD: [&[u8]; 27] = [
    b"password",
    b"passwd",
    b"passwort",
    b"passphrase",
    b"pass",
    b"pwd",
    b"username",
    b"user",
    b"login",
    b"token",
    b"apikey",
    b"api_key",
    b"changeme",
    b"changeit",
    b"null",
    b"nil",
    b"none",
    b"undefined",
    b"true",
    b"false",
    b"empty",
    b"example",
    b"redacted",
    b"placeholder",
    b"dummy",
    b"hidden",
    b"required",
];

/// Longest value looked at: connection-string passwords and `user:password` pairs are short.
const MAX_LEN: usize = 512;

/// A dotted name as code writes one (`args.pw`, `self.db_pass`, `request.form`): two or more
/// identifiers joined by `.`, each starting with a letter or `_`. `Summer.2024` is not one.
fn is_code_reference(v: &[u8]) -> bool {
    let mut parts = 0;
    for part in v.split(|&b| b == b'.') {
        let ident = matches!(part.first(), Some(c) if c.is_ascii_alphabetic() || *c == b'_')
            && part.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
        if !ident {
            return false;
        }
        parts += 1;
    }
    parts >= 2
}

/// A shell, PowerShell, PHP or Perl variable: `$` and an identifier (`$Password`, `$ESXipass`).
/// In the command lines and code these slots come from, that is what it is.
fn is_variable(v: &[u8]) -> bool {
    matches!(v, [b'$', first, rest @ ..]
        if (first.is_ascii_alphabetic() || *first == b'_')
            && rest.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_'))
}

/// `password_value`: the value of a named password slot. True for any text of six bytes or more
/// that is not a placeholder (see `secret::is_placeholder`: references, templates, masks, filler,
/// names of secret variables), not a word of [`NOT_A_PASSWORD`], not a dotted code reference and
/// not a `$variable`.
/// Unlike `secret_value` it takes dictionary words (`secret`, `whiteduke`): in a slot the
/// pattern names, they are weak passwords, not documentation.
pub(super) fn password_value(value: &[u8]) -> bool {
    if value.len() > MAX_LEN {
        return false;
    }
    let v = trim(value);
    plausible_text(v)
        && !NOT_A_PASSWORD.iter().any(|w| v.eq_ignore_ascii_case(w))
        && !is_placeholder(v)
        && !is_code_reference(v)
        && !is_variable(v)
}

/// `user_password`: `user:password` as `curl -u` and similar flags take it, quotes anywhere
/// (`'u:p'`, `u:'p'`, `"u":"p"`), not a placeholder as a whole (`<user:password>`). The password must pass `password_value` and differ from the
/// user name (`test:test`); with no password, the user part is a token (`sk_live_...:`) and must
/// be eight bytes or more, not a placeholder, with a digit.
pub(super) fn user_password(value: &[u8]) -> bool {
    if value.len() > MAX_LEN {
        return false;
    }
    let unquoted: Vec<u8> = value
        .iter()
        .copied()
        .filter(|&b| b != b'"' && b != b'\'')
        .collect();
    let v = trim(&unquoted);
    if is_placeholder(v) {
        // The pair as a whole: `<user:password>`, `${CREDS}`.
        return false;
    }
    let Some(colon) = v.iter().position(|&b| b == b':') else {
        return false;
    };
    let (user, pass) = (&v[..colon], &v[colon + 1..]);
    if pass.is_empty() {
        return user.len() >= 8 && secret_with_digit(user);
    }
    password_value(pass) && !pass.eq_ignore_ascii_case(user)
}

/// `aws_key`: an AWS access key ID (20 capitals and digits) or secret access key (40 base64
/// characters) that is not one of AWS's documentation examples, which all end in `EXAMPLE` (key
/// IDs) or `EXAMPLEKEY` (secret keys). A real key ends so with odds of 1 in 32^7 (about 3e-11).
pub(super) fn aws_key(value: &[u8]) -> bool {
    let shape = match value.len() {
        20 => value
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        40 => value
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'/' || *c == b'+'),
        _ => false,
    };
    shape && !value.ends_with(b"EXAMPLE") && !value.ends_with(b"EXAMPLEKEY")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_named_slots_pass() {
        for s in [
            &b"secret"[..],
            b"whiteduke",
            b"thisismypassword",
            b"dev_admin",
            b"mypass",
            b"Pseg2020",
            b"bria@pass135!",
            b"'braksha'",
            b"sK!g2Ex_=jJ6Gx5v",
            b"Summer.2024",
            b"open sesame",
        ] {
            assert!(password_value(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn placeholders_in_named_slots_fail() {
        for s in [
            &b"password"[..],
            b"PASSWORD",
            b"Passwd",
            b"username",
            b"token",
            b"changeme",
            b"none",
            b"$Password",
            b"%nothing%",
            b"${DB_PASS}",
            b"#{datastore['DBPASSWORD']}",
            b"&lt;YOURPASSWORD&gt;",
            b"<password>",
            b"[PASSWORD]",
            b"SOME_PASSWORD",
            b"smtp_password",
            b"######",
            b"********",
            b"xxxxxxxx",
            b"args.pw",
            b"self.password",
            b"abc",
            b"",
            b"abc\xffdef",
        ] {
            assert!(!password_value(s), "{:?}", String::from_utf8_lossy(s));
        }
        assert!(!password_value(&b"a1".repeat(300)));
    }

    #[test]
    fn user_password_pairs() {
        for s in [
            &b"elastic:P@ssw0rd$1"[..],
            b"developer:yqDVtkqPECriaLRi",
            b":d2LkV78zLx!t",
            b"d2LkV78zLx!t:",
            b"'johns:h0pk1ns~21s'",
            b"kevin:'pRf7vG2h1L8nQkW9'",
            b"roger23@gmail.com:pQ9wTxu4Fg",
            b"\"api\":\"Kx8vN2qLm4\"",
            b"oa2-client-id_zmNtW:5uC5Y4Mcvdl5rB56",
        ] {
            assert!(user_password(s), "{:?}", String::from_utf8_lossy(s));
        }
        for s in [
            &b"test:test"[..],
            b"admin1:ADMIN1",
            b"username:password",
            b"user:pass",
            b"username:token",
            b"xxx:yyy",
            b"$1:$2",
            b"${_username}:${_password}",
            b"SRVC_JENKINS:${APPID}",
            b"neo4j:[PASSWORD]",
            b"<user:password>",
            b"<username:secret99>",
            b":",
            b"myusername",
            b"short:",
            b"nodigits-here:",
            b"",
        ] {
            assert!(!user_password(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn aws_documentation_examples_fail() {
        assert!(aws_key(b"AKIAZ2XQ7RTVNBLZ4GRA"));
        assert!(aws_key(b"19I+6BHS2mJRy1c9TluDKfHgwKjbd0Px1w0ejsPR"));
        assert!(!aws_key(b"AKIAIOSFODNN7EXAMPLE"));
        assert!(!aws_key(b"ASIAJEXAMPLEXEGEXAMPLE"));
        assert!(!aws_key(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assert!(!aws_key(b"AKIAZ2XQ7RTVNBLZ4GR"));
        assert!(!aws_key(b"akiaz2xq7rtvnblz4gra"));
        assert!(!aws_key(b"19I+6BHS2mJRy1c9TluDKfHgwKjbd0Px1w0ejsP="));
    }

    #[test]
    fn code_references() {
        assert!(is_code_reference(b"args.pw"));
        assert!(is_code_reference(b"config.db.password"));
        assert!(!is_code_reference(b"Summer.2024"));
        assert!(!is_code_reference(b"secret"));
        assert!(!is_code_reference(b"a..b"));
        assert!(!is_code_reference(b".hidden"));
    }
}
