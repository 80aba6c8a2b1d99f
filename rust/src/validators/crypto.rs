//! Cryptocurrency encodings: base58check, bech32/bech32m, Bitcoin and Ethereum addresses.

use sha2::{Digest, Sha256};
use sha3::Keccak256;

/// The Bitcoin base58 alphabet: no 0, O, I or l.
const BASE58_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Byte -> base58 digit, 0xff for bytes outside the alphabet.
const BASE58_DIGITS: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 58 {
        table[BASE58_ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Longest base58 string decoded. Extended keys (xpub...) are 111 characters; the limit keeps the
/// quadratic base conversion to a fixed, small cost.
const BASE58_MAX_CHARS: usize = 128;

/// Decoded base58: at most one byte per character.
struct Base58 {
    bytes: [u8; BASE58_MAX_CHARS],
    len: usize,
}

impl Base58 {
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Decodes base58: each leading `1` is a zero byte, the rest is a big-endian base-58 number.
fn base58_decode(s: &[u8]) -> Option<Base58> {
    if s.is_empty() || s.len() > BASE58_MAX_CHARS {
        return None;
    }
    // The number, little-endian, in `le[..len]`.
    let mut le = [0u8; BASE58_MAX_CHARS];
    let mut len = 0;
    for &c in s {
        let digit = BASE58_DIGITS[usize::from(c)];
        if digit == 0xff {
            return None;
        }
        let mut carry = u32::from(digit);
        for byte in &mut le[..len] {
            carry += u32::from(*byte) * 58;
            *byte = carry as u8;
            carry >>= 8;
        }
        while carry > 0 {
            *le.get_mut(len)? = carry as u8;
            len += 1;
            carry >>= 8;
        }
    }
    let zeros = s.iter().take_while(|&&c| c == b'1').count();
    let mut out = Base58 {
        bytes: [0; BASE58_MAX_CHARS],
        len: zeros + len,
    };
    // A base-58 digit carries less than a byte, so zeros + len never exceeds the input length.
    let number = out.bytes.get_mut(zeros..zeros + len)?;
    for (dst, src) in number.iter_mut().zip(le[..len].iter().rev()) {
        *dst = *src;
    }
    Some(out)
}

/// The payload of a base58check string: its last four bytes must be the first four of
/// SHA-256(SHA-256(payload)) (Bitcoin's Base58Check encoding).
fn base58check_payload(s: &[u8]) -> Option<Base58> {
    let mut decoded = base58_decode(s)?;
    let split = decoded.len.checked_sub(4).filter(|&n| n > 0)?;
    let (payload, checksum) = decoded.as_slice().split_at(split);
    let digest = Sha256::digest(Sha256::digest(payload));
    if digest[..4] != *checksum {
        return None;
    }
    decoded.len = split;
    Some(decoded)
}

/// `base58check`: base58 that decodes to a non-empty payload and a matching four-byte
/// double-SHA-256 checksum. Any version byte.
pub(super) fn base58check(value: &[u8]) -> bool {
    base58check_payload(value).is_some()
}

/// The bech32 data-part alphabet (BIP-173).
const BECH32_ALPHABET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// The BCH code's generator, BIP-173.
const BECH32_GENERATOR: [u32; 5] = [
    0x3b6a_57b2,
    0x2650_8e6d,
    0x1ea1_19fa,
    0x3d42_33dd,
    0x2a14_62b3,
];

/// The checksum constant of bech32m (BIP-350); bech32's is 1.
const BECH32M_CONST: u32 = 0x2bc8_30a3;

/// The maximum length of a bech32 string (BIP-173).
const BECH32_MAX_LEN: usize = 90;

fn polymod_step(chk: u32, value: u8) -> u32 {
    let top = chk >> 25;
    let mut chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(value);
    for (i, g) in BECH32_GENERATOR.iter().enumerate() {
        if (top >> i) & 1 == 1 {
            chk ^= g;
        }
    }
    chk
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bech32Variant {
    Bech32,
    Bech32m,
}

/// A decoded bech32 string: the human-readable part (lowercased) and the 5-bit data values
/// without the six checksum values.
struct Bech32 {
    variant: Bech32Variant,
    hrp: [u8; BECH32_MAX_LEN],
    hrp_len: usize,
    data: [u8; BECH32_MAX_LEN],
    data_len: usize,
}

/// Decodes and checks a bech32 or bech32m string per BIP-173/BIP-350: at most 90 characters of
/// US-ASCII 33-126, not mixed case, a non-empty human-readable part before the last `1`, at
/// least six data characters from the bech32 alphabet, and a valid checksum of either variant.
fn bech32_decode(s: &[u8]) -> Option<Bech32> {
    if s.len() < 8 || s.len() > BECH32_MAX_LEN || !s.iter().all(|c| (33..=126).contains(c)) {
        return None;
    }
    if s.iter().any(u8::is_ascii_lowercase) && s.iter().any(u8::is_ascii_uppercase) {
        return None;
    }
    let sep = s.iter().rposition(|&c| c == b'1')?;
    let (hrp, data) = (&s[..sep], &s[sep + 1..]);
    if hrp.is_empty() || data.len() < 6 {
        return None;
    }
    let mut out = Bech32 {
        variant: Bech32Variant::Bech32,
        hrp: [0; BECH32_MAX_LEN],
        hrp_len: hrp.len(),
        data: [0; BECH32_MAX_LEN],
        data_len: data.len() - 6,
    };
    for (dst, c) in out.hrp.iter_mut().zip(hrp) {
        *dst = c.to_ascii_lowercase();
    }
    for (dst, c) in out.data.iter_mut().zip(data) {
        let c = c.to_ascii_lowercase();
        *dst = BECH32_ALPHABET.iter().position(|&a| a == c)? as u8;
    }
    // The checksum covers the expanded hrp (high bits, a zero, low bits) and all data values.
    let hrp = &out.hrp[..out.hrp_len];
    let mut chk = 1;
    for &c in hrp {
        chk = polymod_step(chk, c >> 5);
    }
    chk = polymod_step(chk, 0);
    for &c in hrp {
        chk = polymod_step(chk, c & 31);
    }
    for &v in &out.data[..data.len()] {
        chk = polymod_step(chk, v);
    }
    out.variant = match chk {
        1 => Bech32Variant::Bech32,
        BECH32M_CONST => Bech32Variant::Bech32m,
        _ => return None,
    };
    Some(out)
}

/// `bech32`: a string with a valid bech32 (BIP-173) or bech32m (BIP-350) checksum.
pub(super) fn bech32(value: &[u8]) -> bool {
    bech32_decode(value).is_some()
}

/// Is `b` a valid segregated witness address (BIP-173, BIP-350) with human-readable part `bc`
/// (mainnet) or `tb` (testnet)? The first data value is the witness version 0-16; the rest,
/// regrouped from 5 to 8 bits with zero padding under 5 bits, is the 2-40 byte program.
/// Version 0 uses bech32 with a 20- or 32-byte program; versions 1-16 use bech32m.
fn is_segwit_address(b: &Bech32) -> bool {
    let hrp = &b.hrp[..b.hrp_len];
    let Some((&version, program)) = b.data[..b.data_len].split_first() else {
        return false;
    };
    if (hrp != b"bc" && hrp != b"tb") || version > 16 {
        return false;
    }
    let bits = program.len() * 5;
    let (bytes, padding) = (bits / 8, bits % 8);
    // Padding must be under 5 bits and all zero.
    let last_ok = program
        .last()
        .is_none_or(|&v| u32::from(v) & ((1 << padding) - 1) == 0);
    if padding >= 5 || !last_ok || !(2..=40).contains(&bytes) {
        return false;
    }
    match version {
        0 => b.variant == Bech32Variant::Bech32 && (bytes == 20 || bytes == 32),
        _ => b.variant == Bech32Variant::Bech32m,
    }
}

/// `btc_address`: a Bitcoin address. Either base58check of a 0x00 (P2PKH) or 0x05 (P2SH) version
/// byte and a 20-byte hash, or a segwit address with hrp `bc` or `tb`.
pub(super) fn btc_address(value: &[u8]) -> bool {
    if let Some(b) = bech32_decode(value) {
        return is_segwit_address(&b);
    }
    base58check_payload(value)
        .is_some_and(|p| matches!(p.as_slice(), [0x00 | 0x05, hash @ ..] if hash.len() == 20))
}

/// `eth_address`: `0x` and 40 hex digits. All-lowercase and all-uppercase hex carry no checksum;
/// mixed case must follow EIP-55: a letter is uppercase exactly when the matching nibble of
/// Keccak-256 of the lowercase hex is 8 or more.
pub(super) fn eth_address(value: &[u8]) -> bool {
    let Some(hex) = value.strip_prefix(b"0x") else {
        return false;
    };
    if hex.len() != 40 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let has_lower = hex.iter().any(u8::is_ascii_lowercase);
    let has_upper = hex.iter().any(u8::is_ascii_uppercase);
    if !(has_lower && has_upper) {
        return true;
    }
    let mut lower = [0u8; 40];
    lower.copy_from_slice(hex);
    lower.make_ascii_lowercase();
    let hash = Keccak256::digest(lower);
    hex.iter().enumerate().all(|(i, &c)| {
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
        !c.is_ascii_alphabetic() || c.is_ascii_uppercase() == (nibble >= 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base58_round_numbers() {
        assert_eq!(base58_decode(b"1").unwrap().as_slice(), [0]);
        assert_eq!(base58_decode(b"2").unwrap().as_slice(), [1]);
        assert_eq!(base58_decode(b"21").unwrap().as_slice(), [58]);
        assert_eq!(base58_decode(b"5R").unwrap().as_slice(), [1, 0]);
        assert_eq!(base58_decode(b"11").unwrap().as_slice(), [0, 0]);
        assert!(base58_decode(b"0").is_none(), "0 is not in the alphabet");
        assert!(base58_decode(b"Il").is_none());
        assert!(base58_decode(b"").is_none());
        assert!(base58_decode(&[b'z'; 129]).is_none());
        // The longest accepted string fits the buffer whatever it holds.
        assert!(base58_decode(&[b'z'; 128]).is_some());
        assert!(base58_decode(&[b'1'; 128]).is_some());
    }

    #[test]
    fn base58check_strings() {
        assert!(base58check(b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
        assert!(
            base58check(b"5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"),
            "WIF key"
        );
        assert!(base58check(
            b"xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"
        ));
        assert!(
            !base58check(b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"),
            "checksum"
        );
        assert!(
            !base58check(b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0"),
            "bad character"
        );
        assert!(!base58check(b"1111"), "no payload");
        assert!(!base58check(b""));
        assert!(!base58check(b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNV\xff2"));
    }

    #[test]
    fn bech32_bip173_vectors() {
        for s in [
            &b"A12UEL5L"[..],
            b"a12uel5l",
            b"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
            b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
            b"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
            b"?1ezyfcl",
        ] {
            let d = bech32_decode(s).expect("valid");
            assert_eq!(d.variant, Bech32Variant::Bech32);
        }
    }

    #[test]
    fn bech32m_bip350_vectors() {
        for s in [
            &b"A1LQFN3A"[..],
            b"a1lqfn3a",
            b"abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
            b"split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
            b"?1v759aa",
        ] {
            let d = bech32_decode(s).expect("valid");
            assert_eq!(d.variant, Bech32Variant::Bech32m);
            assert!(bech32(s));
        }
    }

    #[test]
    fn bech32_invalid() {
        for s in [
            &b"\x201nwldj5"[..],
            b"\x7f1axkwrx",
            b"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
            b"pzry9x0s0muk",
            b"1pzry9x0s0muk",
            b"x1b4n0q5v",
            b"li1dgmt3",
            b"de1lg7wt\xff",
            b"A1G7SGD8",
            b"10a06t8",
            b"1qzzfhee",
            b"a12UEL5L",
            b"",
        ] {
            assert!(!bech32(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn btc_addresses() {
        for s in [
            &b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"[..],
            b"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            b"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            b"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            b"bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            b"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
            b"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            b"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
            b"BC1SW50QGDZ25J",
            b"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
            b"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        ] {
            assert!(btc_address(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn btc_addresses_invalid() {
        for s in [
            &b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"[..],
            b"5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ",
            // BIP-350 invalid addresses: wrong hrp, wrong variant per version, bad program.
            b"tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
            b"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
            b"tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
            b"BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
            b"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
            b"tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
            b"bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
            b"BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
            b"bc1pw5dgrnzv",
            b"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
            b"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
            b"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
            b"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
            b"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
            b"bc1gmk9yu",
            b"",
        ] {
            assert!(!btc_address(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn eth_addresses() {
        // EIP-55's own examples.
        for s in [
            &b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"[..],
            b"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            b"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            b"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
            b"0x52908400098527886E0F7030069857D2E4169EE7",
            b"0xde709f2102306220921060314715629080e2fb77",
            b"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        ] {
            assert!(eth_address(s), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn eth_addresses_invalid() {
        assert!(
            !eth_address(b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"),
            "one letter's case"
        );
        assert!(
            !eth_address(b"0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            "one letter's case"
        );
        assert!(
            !eth_address(b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe"),
            "39 digits"
        );
        assert!(
            !eth_address(b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd"),
            "41 digits"
        );
        assert!(
            !eth_address(b"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00"),
            "no 0x"
        );
        assert!(
            !eth_address(b"0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            "0X"
        );
        assert!(
            !eth_address(b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg"),
            "not hex"
        );
        assert!(!eth_address(
            b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA\xff\xff"
        ));
        assert!(!eth_address(b""));
    }
}
