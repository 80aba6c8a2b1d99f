//! Network identifiers: IPv4 and IPv6 addresses, MAC addresses, email addresses.

use std::net::Ipv6Addr;

/// The part of `value` before a CIDR prefix length `/n` (n at most `max`, no leading zero), or
/// all of it when it has no `/`; None when the prefix length is malformed.
fn without_prefix(value: &[u8], max: u32) -> Option<&[u8]> {
    let Some(slash) = value.iter().position(|&b| b == b'/') else {
        return Some(value);
    };
    let n = &value[slash + 1..];
    let ok = match n {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] if rest.len() <= 2 => {
            rest.iter().all(u8::is_ascii_digit)
                && n.iter()
                    .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'))
                    <= max
        }
        _ => false,
    };
    ok.then_some(&value[..slash])
}

/// `ipv4`: four dot-separated decimal octets 0-255 without leading zeros ("01" could be read as
/// octal), and not the unspecified address 0.0.0.0; optionally a CIDR prefix length `/0`-`/32`
/// (`10.0.0.0/8`: a network is as telling as the address it is written with; `0.0.0.0/0` is the
/// default route, a network, where 0.0.0.0 or 0.0.0.0/32 is the placeholder for "any interface").
pub(super) fn ipv4(value: &[u8]) -> bool {
    if value.len() > 18 {
        return false;
    }
    // A prefix shorter than /32 names a network (0.0.0.0/0 included); /32 is one address.
    let network = value
        .iter()
        .position(|&b| b == b'/')
        .is_some_and(|i| &value[i + 1..] != b"32");
    let Some(value) = without_prefix(value, 32) else {
        return false;
    };
    let mut octets = 0;
    let mut all_zero = true;
    for part in value.split(|&b| b == b'.') {
        let ok = match part {
            [b'0'] => true,
            [b'1'..=b'9', rest @ ..] if rest.len() <= 2 => {
                rest.iter().all(u8::is_ascii_digit)
                    && part.iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0')) <= 255
            }
            _ => false,
        };
        if !ok {
            return false;
        }
        all_zero &= part == b"0";
        octets += 1;
    }
    octets == 4 && (network || !all_zero)
}

/// The longest textual IPv6 address: eight groups with an embedded IPv4 address,
/// "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255".
const IPV6_MAX_LEN: usize = 45;

/// The longest zone index taken after `%` (an interface name or number).
const ZONE_MAX_LEN: usize = 16;

/// `ipv6`: an IPv6 address as RFC 4291 section 2.2 writes it (std's parser: `::` compression and
/// a trailing embedded IPv4 address), optionally with a zone index (`%eth0`, RFC 4007) and then a
/// prefix length `/0`-`/128`. The unspecified address `::` is rejected, like 0.0.0.0 for IPv4: as
/// a bare value it is far more often C++ or Rust path syntax than an address. Brackets are not
/// part of the address.
pub(super) fn ipv6(value: &[u8]) -> bool {
    if value.len() > IPV6_MAX_LEN + 1 + ZONE_MAX_LEN + 4 {
        return false;
    }
    let Some(mut value) = without_prefix(value, 128) else {
        return false;
    };
    if let Some(pct) = value.iter().position(|&b| b == b'%') {
        let zone = &value[pct + 1..];
        let zone_ok = (1..=ZONE_MAX_LEN).contains(&zone.len())
            && zone
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !zone_ok {
            return false;
        }
        value = &value[..pct];
    }
    if value.len() > IPV6_MAX_LEN {
        return false;
    }
    std::str::from_utf8(value)
        .ok()
        .and_then(|s| s.parse::<Ipv6Addr>().ok())
        .is_some_and(|ip| !ip.is_unspecified())
}

/// `mac`: a 48-bit MAC address as six two-digit hex octets separated by `:` or `-` (the same one
/// throughout), three dot-separated groups of four (Cisco, `0123.4567.89ab`), or twelve bare hex
/// digits. Not all zeros and not the broadcast address ff:ff:ff:ff:ff:ff.
pub(super) fn mac(value: &[u8]) -> bool {
    let (group, sep) = match value.len() {
        12 => (12, None),
        14 => (4, Some(b'.')),
        17 if matches!(value[2], b':' | b'-') => (2, Some(value[2])),
        _ => return false,
    };
    // With the length fixed, equal-sized groups of hex digits leave no room for anything else.
    let mut hex = [0u8; 12];
    let mut n = 0;
    for chunk in value.split(|&b| Some(b) == sep) {
        if chunk.len() != group || !chunk.iter().all(u8::is_ascii_hexdigit) {
            return false;
        }
        for &c in chunk {
            let Some(slot) = hex.get_mut(n) else {
                return false;
            };
            *slot = c.to_ascii_lowercase();
            n += 1;
        }
    }
    n == 12 && hex != *b"000000000000" && hex != *b"ffffffffffff"
}

/// Email local-part characters besides letters and digits (RFC 5322 `atext`); dots are handled
/// separately.
const EMAIL_ATEXT: &[u8] = b"!#$%&'*+/=?^_`{|}~-";

/// `email`: RFC 5321/5322 in its common dot-atom form, `local@domain`. Exactly one `@`; a local
/// part of 1-64 atext characters and single inner dots; a domain of at least two dot-separated
/// labels, each 1-63 letters, digits and inner hyphens; a top-level label of at least two letters
/// (or an IDNA `xn--` label); no `..` anywhere; at most 254 bytes in all. Quoted local parts and
/// address literals are not accepted.
pub(super) fn email(value: &[u8]) -> bool {
    if value.len() > 254 {
        return false;
    }
    let Some(at) = memchr::memchr(b'@', value) else {
        return false;
    };
    let (local, domain) = (&value[..at], &value[at + 1..]);
    let local_ok = (1..=64).contains(&local.len())
        && local.first() != Some(&b'.')
        && local.last() != Some(&b'.')
        && !local.windows(2).any(|w| w == b"..")
        && local
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'.' || EMAIL_ATEXT.contains(c));
    if !local_ok {
        return false;
    }
    let mut labels = 0;
    let mut tld: &[u8] = b"";
    for label in domain.split(|&b| b == b'.') {
        let label_ok = (1..=63).contains(&label.len())
            && label.first() != Some(&b'-')
            && label.last() != Some(&b'-')
            && label
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'-');
        if !label_ok {
            return false;
        }
        labels += 1;
        tld = label;
    }
    let tld_ok = (tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic))
        || (tld.len() > 4 && tld[..4].eq_ignore_ascii_case(b"xn--"));
    labels >= 2 && tld_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_addresses() {
        for s in [
            &b"192.168.1.20"[..],
            b"8.8.8.8",
            b"255.255.255.255",
            b"10.0.0.1",
            b"0.0.0.1",
            b"10.0.0.0/8",
            b"192.168.1.0/24",
            b"192.168.1.1/32",
            b"0.0.0.0/0",
        ] {
            assert!(ipv4(s), "{:?}", String::from_utf8_lossy(s));
        }
        for s in [
            &b"0.0.0.0"[..],
            b"01.2.3.4",
            b"1.2.3.04",
            b"1.2.3.00",
            b"256.1.1.1",
            b"1.2.3",
            b"1.2.3.4.5",
            b"1.2.3.4.",
            b".1.2.3",
            b"1..2.3",
            b"1.2.3.-4",
            b"1.2.3.4 ",
            b"1.2.3.1000",
            b"1.2.3.\xff",
            b"10.0.0.0/33",
            b"10.0.0.0/08",
            b"10.0.0.0/",
            b"10.0.0.0/8/8",
            b"10.0.0.0/123",
            b"0.0.0.0/32",
            b"",
        ] {
            assert!(!ipv4(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn ipv6_addresses() {
        for s in [
            &b"2001:db8::1"[..],
            b"2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            b"::1",
            b"fe80::",
            b"::ffff:192.0.2.128",
            b"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
            b"2001:DB8::A",
            b"fe80::1%eth0",
            b"fe80::1%eth0/64",
            b"2001:db8::/32",
            b"2001:db8::%eth0/128",
            b"::1/128",
        ] {
            assert!(ipv6(s), "{:?}", String::from_utf8_lossy(s));
        }
        for s in [
            &b"::"[..],
            b"0:0:0:0:0:0:0:0",
            b"2001:db8:::1",
            b"2001:db8::1::1",
            b"1:2:3:4:5:6:7:8:9",
            b"12345::1",
            b"g::1",
            b"fe80::1%",
            b"fe80::1%eth0 x",
            b"2001:db8::/129",
            b"2001:db8::/9999",
            b"::/0",
            b"[::1]",
            b"std::vec",
            b"2001:db8::\xff",
            b"",
        ] {
            assert!(!ipv6(s), "{:?}", String::from_utf8_lossy(s));
        }
        assert!(!ipv6(&[b'1'; 46]));
    }

    #[test]
    fn mac_addresses() {
        for s in [
            &b"00:1A:2b:3C:4d:5E"[..],
            b"00-1a-2b-3c-4d-5e",
            b"001a.2b3c.4d5e",
            b"001A2B3C4D5E",
            b"01:00:5e:00:00:fb",
        ] {
            assert!(mac(s), "{:?}", String::from_utf8_lossy(s));
        }
        for s in [
            &b"00:00:00:00:00:00"[..],
            b"ff:ff:ff:ff:ff:ff",
            b"FF-FF-FF-FF-FF-FF",
            b"00:1a:2b-3c:4d:5e",
            b"00:1a:2b:3c:4d",
            b"00:1a:2b:3c:4d:5e:6f",
            b"0:1a:2b:3c:4d:5e0",
            b"001a:2b3c:4d5e",
            b"00.1a.2b.3c.4d.5e",
            b"00:1g:2b:3c:4d:5e",
            b"001a.2b3c.4d5\xff",
            b"00:1a:2b:3c:4d:",
            b"",
        ] {
            assert!(!mac(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn emails() {
        for s in [
            &b"alice@example.com"[..],
            b"first.last+tag@mail.example.co.uk",
            b"o'brien@x-y.org",
            b"a@b.io",
            b"user_1@sub.xn--p1ai",
            b"UPPER@EXAMPLE.COM",
        ] {
            assert!(email(s), "{:?}", String::from_utf8_lossy(s));
        }
        for s in [
            &b"alice@localhost"[..],
            b"alice@@example.com",
            b"alice@ex@ample.com",
            b"al..ice@example.com",
            b".alice@example.com",
            b"alice.@example.com",
            b"alice@example..com",
            b"alice@.example.com",
            b"alice@example.com.",
            b"alice@-example.com",
            b"alice@example-.com",
            b"alice@example.c",
            b"alice@example.c0m",
            b"alice@192.168.1.1",
            b"@example.com",
            b"alice@",
            b"ali ce@example.com",
            b"\"alice\"@example.com",
            b"alice@exa_mple.com",
            b"al\xffice@example.com",
            b"",
        ] {
            assert!(!email(s), "{:?}", String::from_utf8_lossy(s));
        }
        let long_local = [b"a".repeat(65), b"@example.com".to_vec()].concat();
        assert!(!email(&long_local));
        let long_label = [b"a@".to_vec(), b"b".repeat(64), b".com".to_vec()].concat();
        assert!(!email(&long_label));
    }
}
