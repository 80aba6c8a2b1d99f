//! JSON Web Tokens in JWS compact serialization, with a small base64url decoder.

use serde_json::Value;

/// The value of a base64url character (RFC 4648 section 5), or None.
fn base64url_value(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    })
}

/// Is `s` unpadded base64url, as JWS uses it (RFC 7515 section 2)? A length of 1 mod 4 cannot
/// come from any byte string.
fn is_base64url(s: &[u8]) -> bool {
    s.len() % 4 != 1 && s.iter().all(|&c| base64url_value(c).is_some())
}

/// Decodes unpadded base64url; None on a character outside the alphabet or an impossible length.
/// Leftover bits in the last character are ignored.
fn base64url_decode(s: &[u8]) -> Option<Vec<u8>> {
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 2);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in s {
        acc = (acc << 6) | u32::from(base64url_value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// `jwt`: header.payload.signature, each part base64url (RFC 7515 compact serialization). The
/// header must decode to a JSON object whose `alg` is a string (RFC 7515 section 4.1.1). Header
/// and payload are non-empty; the signature is empty only for `"alg": "none"`, an unsecured JWT
/// (RFC 7519 section 6).
pub(super) fn jwt(value: &[u8]) -> bool {
    let mut parts = value.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if header.is_empty()
        || payload.is_empty()
        || !is_base64url(header)
        || !is_base64url(payload)
        || !is_base64url(signature)
    {
        return false;
    }
    let Some(json) = base64url_decode(header) else {
        return false;
    };
    // serde_json bounds its recursion depth, so a hostile header is an error, not a crash.
    let Ok(Value::Object(header)) = serde_json::from_slice::<Value>(&json) else {
        return false;
    };
    match header.get("alg") {
        Some(Value::String(alg)) => !signature.is_empty() || alg == "none",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unpadded base64url, for building tokens.
    fn encode(data: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let n =
                chunk.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            }
        }
        out
    }

    fn token(header: &str, payload: &str, signature: &[u8]) -> Vec<u8> {
        format!(
            "{}.{}.{}",
            encode(header.as_bytes()),
            encode(payload.as_bytes()),
            encode(signature)
        )
        .into_bytes()
    }

    #[test]
    fn base64url_round_trip() {
        for data in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            b"fooba",
            b"foobar",
            &[0xfb, 0xff, 0xfe],
        ] {
            assert_eq!(base64url_decode(encode(data).as_bytes()).unwrap(), data);
        }
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert!(base64url_decode(b"Zm9vY").is_none(), "5 characters");
        assert!(base64url_decode(b"Zm9v+g").is_none(), "standard alphabet");
        assert!(base64url_decode(b"Zm9=").is_none(), "padding");
    }

    #[test]
    fn built_tokens() {
        let sig = [0x5a_u8; 32];
        assert!(jwt(&token(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"sub":"1234567890","iat":1516239022}"#,
            &sig
        )));
        assert!(jwt(&token(
            r#"{ "typ": "JWT", "alg": "RS256", "kid": "k1" }"#,
            "{}",
            &sig
        )));
        assert!(
            jwt(&token(r#"{"alg":"none"}"#, r#"{"sub":"x"}"#, b"")),
            "unsecured JWT"
        );
        assert!(
            jwt(&token(r#"{"alg":"ES256"}"#, "not json at all", &sig)),
            "payload is opaque"
        );
    }

    #[test]
    fn jwt_io_example() {
        assert!(jwt(b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"));
    }

    #[test]
    fn rejected_tokens() {
        let sig = [7u8; 32];
        assert!(!jwt(&token(r#"{"typ":"JWT"}"#, "{}", &sig)), "no alg");
        assert!(
            !jwt(&token(r#"{"alg":256}"#, "{}", &sig)),
            "alg not a string"
        );
        assert!(
            !jwt(&token(r#"["alg"]"#, "{}", &sig)),
            "header not an object"
        );
        assert!(
            !jwt(&token(r#"{"alg":"HS256""#, "{}", &sig)),
            "truncated JSON"
        );
        assert!(
            !jwt(&token(r#"{"alg":"HS256"}"#, "{}", b"")),
            "signature missing"
        );
        assert!(
            !jwt(&token(r#"{"alg":"HS256"}"#, "", &sig)),
            "empty payload"
        );
        let good = token(r#"{"alg":"HS256"}"#, "{}", &sig);
        assert!(
            !jwt(&good[..good.len() - 1]
                .iter()
                .chain(b"=")
                .copied()
                .collect::<Vec<_>>()),
            "padding"
        );
        assert!(
            !jwt(&[&good[..], b".e30"].concat()),
            "four parts (a JWE has five)"
        );
        assert!(!jwt(b"eyJhbGciOiJIUzI1NiJ9.e30"), "two parts");
        assert!(!jwt(b"eyJhbGciOiJIUzI1NiJ9.e3+0.c2ln"), "standard base64");
        assert!(!jwt(b"eyJhbGciOiJIUzI1NiJ9\xff.e30.c2ln"));
        assert!(!jwt(b".."));
        assert!(!jwt(b""));
    }

    #[test]
    fn deeply_nested_header_is_rejected_not_a_crash() {
        let header = format!(
            r#"{{"alg":"HS256","x":{}{}}}"#,
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert!(!jwt(&token(&header, "{}", b"sig")));
        let header = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(!jwt(&token(&header, "{}", b"sig")));
    }
}
