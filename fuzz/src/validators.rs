//! `validators`: every validator on arbitrary bytes (never panics, same answer twice), plus
//! differential checks against independent oracles written here from the specifications:
//! Luhn, Verhoeff (from the dihedral group D5, not from tables), IPv4 (std's parser), MAC
//! addresses and Shannon entropy.

use weir_core::validators::{shannon_entropy, Validator};

/// The separators numeric identifiers may contain (validators/digits.rs documents the same set).
const SEPARATORS: &[u8] = b" -./\t_|";

/// An alphabet that reaches the structural branches random bytes rarely do: the input's bytes are
/// also read as indices into it.
const ALPHABET: &[u8] = b"0123456789012345678901234567890123456789 -./:abcdefABCDEF@+()xXZz\xff";

/// Digit values of a separator-tolerant numeric value, or None when another byte appears.
fn digit_values(value: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for &b in value {
        match b {
            b'0'..=b'9' => out.push(b - b'0'),
            _ if SEPARATORS.contains(&b) => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Payment-card Luhn as ISO/IEC 7812-1 states it: from the right, double every second digit and
/// add the digits of the product.
fn luhn_oracle(value: &[u8]) -> bool {
    let Some(d) = digit_values(value) else {
        return false;
    };
    if !(12..=19).contains(&d.len()) || d.iter().all(|&x| x == 0) {
        return false;
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x) * if i % 2 == 1 { 2 } else { 1 };
            x / 10 + x % 10
        })
        .sum();
    sum % 10 == 0
}

/// Multiplication in D5 with 0-4 the rotations and 5-9 the reflections (Verhoeff's numbering).
fn d5(j: u8, k: u8) -> u8 {
    let (a, b) = (j % 5, k % 5);
    match (j < 5, k < 5) {
        (true, true) => (a + b) % 5,
        (true, false) => 5 + (a + b) % 5,
        (false, true) => 5 + (a + 5 - b) % 5,
        (false, false) => (a + 5 - b) % 5,
    }
}

/// Verhoeff's permutation (1 5 8 9 4 2 7 0)(3 6), applied `times` times.
fn sigma(times: usize, mut x: u8) -> u8 {
    const ONE: [u8; 10] = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];
    for _ in 0..times % 8 {
        x = ONE[usize::from(x)];
    }
    x
}

fn verhoeff_oracle(value: &[u8]) -> bool {
    let Some(d) = digit_values(value) else {
        return false;
    };
    d.len() >= 2
        && d.iter()
            .rev()
            .enumerate()
            .fold(0, |c, (i, &x)| d5(c, sigma(i, x)))
            == 0
}

fn ipv4_oracle(value: &[u8]) -> bool {
    std::str::from_utf8(value)
        .ok()
        .and_then(|s| s.parse::<std::net::Ipv4Addr>().ok())
        .is_some_and(|ip| !ip.is_unspecified())
}

/// Six hex pairs joined by one of `:`/`-` throughout, three dotted groups of four, or twelve bare
/// hex digits; not all zeros, not broadcast.
fn mac_oracle(value: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(value) else {
        return false;
    };
    let hex_groups = |sep: char, count: usize, width: usize| {
        let parts: Vec<&str> = s.split(sep).collect();
        parts.len() == count
            && parts
                .iter()
                .all(|p| p.len() == width && p.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let well_formed = (s.len() == 12 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        || hex_groups(':', 6, 2)
        || hex_groups('-', 6, 2)
        || hex_groups('.', 3, 4);
    let digits: String = s
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    well_formed && digits != "000000000000" && digits != "ffffffffffff"
}

fn entropy_oracle(value: &[u8]) -> f64 {
    let n = value.len() as f64;
    let mut seen: Vec<(u8, usize)> = Vec::new();
    for &b in value {
        match seen.iter_mut().find(|(x, _)| *x == b) {
            Some((_, c)) => *c += 1,
            None => seen.push((b, 1)),
        }
    }
    seen.iter()
        .map(|&(_, c)| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

fn check_all(value: &[u8]) {
    for &v in Validator::all() {
        let first = v.check(value);
        assert_eq!(first, v.check(value), "{v:?} is not deterministic");
        let oracle = match v {
            Validator::Luhn => Some(luhn_oracle(value)),
            Validator::Verhoeff => Some(verhoeff_oracle(value)),
            Validator::Ipv4 => Some(ipv4_oracle(value)),
            Validator::Mac => Some(mac_oracle(value)),
            _ => None,
        };
        if let Some(expected) = oracle {
            assert_eq!(first, expected, "{v:?} on {value:?}");
        }
    }
    let e = shannon_entropy(value);
    assert!(e.is_finite() && (0.0..=8.0).contains(&e), "entropy {e}");
    assert!(
        (e - entropy_oracle(value)).abs() < 1e-9,
        "entropy of {value:?}"
    );
}

pub fn run(data: &[u8]) {
    check_all(data);
    let mapped: Vec<u8> = data
        .iter()
        .map(|&b| ALPHABET[usize::from(b) % ALPHABET.len()])
        .collect();
    check_all(&mapped);
}
