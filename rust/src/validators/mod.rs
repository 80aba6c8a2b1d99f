//! Checksum and structure validators: the Rust post-filters that turn a pattern's candidate into a
//! finding or drop it. Each takes the finding's bytes (the `value` group) and returns true when the
//! value is plausible. Every validator has unit tests beside it.
//!
//! Shared rules for every validator:
//! - the input is arbitrary bytes (it may not be UTF-8); anything malformed is simply `false`;
//! - no panics, no out-of-bounds indexing, and work linear in the input length (most validators
//!   reject over-long input up front, so their work is bounded by a small constant);
//! - numeric identifiers skip the usual separators (space, `-`, `.`, `/`) themselves, see
//!   `digits`; letter-bearing identifiers accept either case unless the format says otherwise.
//!
//! One module per family: the generic algorithms live in `checksum`, the validators in the rest.

mod checksum;
mod company;
mod country;
mod credential;
mod crypto;
mod date;
mod digits;
mod finance;
mod id_americas;
mod id_apac;
mod id_asia;
mod id_de;
mod id_europe;
mod id_nordic;
mod id_uk;
mod id_us;
mod id_world;
mod jwt;
mod network;
mod phone;
mod secret;

/// Declares the enum and its name table in one place, so the variants, names, order and dispatch
/// cannot drift apart.
macro_rules! validators {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal => $check:path, )*) => {
        /// A validator named by a rule's `validator` field.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Validator {
            $( $(#[$doc])* $variant, )*
        }

        impl Validator {
            /// The validator called `name` in rule files, or None.
            pub fn from_name(name: &str) -> Option<Validator> {
                match name {
                    $( $name => Some(Validator::$variant), )*
                    _ => None,
                }
            }

            /// The name rule files use.
            pub fn name(self) -> &'static str {
                match self {
                    $( Validator::$variant => $name, )*
                }
            }

            /// All validators, in table order.
            pub fn all() -> &'static [Validator] {
                &[ $( Validator::$variant, )* ]
            }

            /// Does `value` pass?
            pub fn check(self, value: &[u8]) -> bool {
                match self {
                    $( Validator::$variant => $check(value), )*
                }
            }
        }
    };
}

validators! {
    /// 12 to 19 digits passing the Luhn checksum (payment cards).
    Luhn = "luhn" => checksum::luhn_validator,
    /// International Bank Account Number: country length and mod-97.
    Iban = "iban" => finance::iban,
    /// US ABA routing transit number.
    Aba = "aba" => finance::aba,
    /// US Social Security number.
    UsSsn = "us_ssn" => id_us::us_ssn,
    /// US Individual Taxpayer Identification Number.
    UsItin = "us_itin" => id_us::us_itin,
    /// Any digit string passing the Verhoeff checksum.
    Verhoeff = "verhoeff" => checksum::verhoeff_validator,
    /// A travel document number with its ICAO 9303 (7-3-1) check digit last.
    IcaoCheckDigit = "icao_check_digit" => checksum::icao_check_digit,
    /// Indian Aadhaar number.
    InAadhaar = "in_aadhaar" => id_apac::in_aadhaar,
    /// UK NHS number.
    UkNhs = "uk_nhs" => id_uk::uk_nhs,
    /// UK National Insurance number.
    UkNino = "uk_nino" => id_uk::uk_nino,
    /// Canadian Social Insurance Number.
    CaSin = "ca_sin" => id_americas::ca_sin,
    /// Base58 with a double-SHA-256 checksum.
    Base58check = "base58check" => crypto::base58check,
    /// Bech32 or bech32m string.
    Bech32 = "bech32" => crypto::bech32,
    /// Bitcoin address (legacy base58check or segwit).
    BtcAddress = "btc_address" => crypto::btc_address,
    /// Ethereum address, EIP-55 checked when mixed case.
    EthAddress = "eth_address" => crypto::eth_address,
    /// JSON Web Token (JWS compact serialization).
    Jwt = "jwt" => jwt::jwt,
    /// Dotted-quad IPv4 address.
    Ipv4 = "ipv4" => network::ipv4,
    /// IPv6 address.
    Ipv6 = "ipv6" => network::ipv6,
    /// 48-bit MAC address.
    Mac = "mac" => network::mac,
    /// A real calendar date.
    Date = "date" => date::date,
    /// An ISO 8601 date, optionally with a time and a zone.
    DateTime = "date_time" => date::date_time,
    /// North American (NANP) phone number.
    PhoneNanp = "phone_nanp" => phone::phone_nanp,
    /// International phone number in E.164 form.
    PhoneE164 = "phone_e164" => phone::phone_e164,
    /// Email address.
    Email = "email" => network::email,
    /// SWIFT/BIC code.
    SwiftBic = "swift_bic" => finance::swift_bic,
    /// US National Provider Identifier.
    UsNpi = "us_npi" => id_us::us_npi,
    /// US DEA registration number.
    UsDea = "us_dea" => id_us::us_dea,
    /// Spanish DNI/NIE.
    EsNif = "es_nif" => id_europe::es_nif,
    /// Dutch citizen service number.
    NlBsn = "nl_bsn" => id_europe::nl_bsn,
    /// Brazilian individual taxpayer number.
    BrCpf = "br_cpf" => id_americas::br_cpf,
    /// Brazilian company number.
    BrCnpj = "br_cnpj" => id_americas::br_cnpj,
    /// Polish national identification number.
    PlPesel = "pl_pesel" => id_europe::pl_pesel,
    /// French social security number (NIR).
    FrNir = "fr_nir" => id_europe::fr_nir,
    /// Australian Tax File Number.
    AuTfn = "au_tfn" => id_apac::au_tfn,
    /// Australian Medicare card number.
    AuMedicare = "au_medicare" => id_apac::au_medicare,
    /// Singapore NRIC/FIN.
    SgNric = "sg_nric" => id_apac::sg_nric,
    /// Italian fiscal code (codice fiscale).
    ItFiscalCode = "it_fiscal_code" => id_europe::it_fiscal_code,
    /// Finnish personal identity code (HETU).
    FiHetu = "fi_hetu" => id_nordic::fi_hetu,
    /// Swedish personal identity number.
    SePersonnummer = "se_personnummer" => id_nordic::se_personnummer,
    /// Norwegian national identity number (fødselsnummer).
    NoFnr = "no_fnr" => id_nordic::no_fnr,
    /// International Securities Identification Number.
    Isin = "isin" => finance::isin,
    /// CUSIP security identifier.
    Cusip = "cusip" => finance::cusip,
    /// Legal Entity Identifier.
    Lei = "lei" => finance::lei,
    /// Australian Business Number.
    AuAbn = "au_abn" => company::au_abn,
    /// Australian Company Number.
    AuAcn = "au_acn" => company::au_acn,
    /// Indian GST identification number.
    InGstin = "in_gstin" => company::in_gstin,
    /// Singapore Unique Entity Number.
    SgUen = "sg_uen" => company::sg_uen,
    /// Swedish organisation number.
    SeOrgnr = "se_orgnr" => company::se_orgnr,
    /// Italian VAT number (partita IVA).
    ItVat = "it_vat" => company::it_vat,
    /// Turkish national ID (TC Kimlik No).
    TrTckimlik = "tr_tckimlik" => id_world::tr_tckimlik,
    /// South African ID number.
    ZaId = "za_id" => id_world::za_id,
    /// Korean resident registration number with its check digit (issued before October 2020).
    KrRrn = "kr_rrn" => id_world::kr_rrn,
    /// Korean resident registration number by date and sex digit only (any issue date).
    KrRrnFormat = "kr_rrn_format" => id_world::kr_rrn_format,
    /// Korean foreigner registration number with its check digit (issued before October 2020).
    KrFrn = "kr_frn" => id_asia::kr_frn,
    /// Korean foreigner registration number by date and sex digit only (any issue date).
    KrFrnFormat = "kr_frn_format" => id_asia::kr_frn_format,
    /// Korean business registration number.
    KrBrn = "kr_brn" => id_asia::kr_brn,
    /// Indian vehicle registration number (state code, district, series, number).
    InVehicleRegistration = "in_vehicle_registration" => id_asia::in_vehicle_registration,
    /// Philippine taxpayer identification number (BIR TIN).
    PhTin = "ph_tin" => id_asia::ph_tin,
    /// Thai national ID number.
    ThTnin = "th_tnin" => id_world::th_tnin,
    /// German tax identification number (Steuer-IdNr).
    DeTaxId = "de_tax_id" => id_world::de_tax_id,
    /// German VAT number (USt-IdNr).
    DeVatId = "de_vat_id" => id_de::de_vat_id,
    /// German identity card number (Personalausweis), with or without its check digit.
    DeIdCard = "de_id_card" => id_de::de_id_card,
    /// German health insurance number (Krankenversichertennummer, KVNR).
    DeKvnr = "de_kvnr" => id_de::de_kvnr,
    /// German pension insurance number (Rentenversicherungsnummer).
    DeRvnr = "de_rvnr" => id_de::de_rvnr,
    /// German lifelong physician number (LANR).
    DeLanr = "de_lanr" => id_de::de_lanr,
    /// German driving licence number (Führerscheinnummer).
    DeFuehrerschein = "de_fuehrerschein" => id_de::de_fuehrerschein,
    /// German tax office number (Steuernummer), by its notation.
    DeTaxNumber = "de_tax_number" => id_de::de_tax_number,
    /// UK (DVLA) driving licence number.
    UkDrivingLicence = "uk_driving_licence" => id_uk::uk_driving_licence,
    /// A secret's value that is not an obvious placeholder.
    SecretValue = "secret_value" => secret::secret_value,
    /// `secret_value`, and at least one digit: the check generic assignment rules used to spell
    /// as `[..]{0,127}[0-9][..]{0,128}`, which blows up a regex DFA (counted repetition).
    SecretWithDigit = "secret_with_digit" => secret::secret_with_digit,
    /// The value of a slot the pattern names as a password (a URL's, `-p`'s): any text that is
    /// not a placeholder, dictionary words included.
    PasswordValue = "password_value" => credential::password_value,
    /// `user:password` (curl -u): the password passes `password_value` and is not the user name.
    UserPassword = "user_password" => credential::user_password,
    /// An AWS access key ID or secret access key that is not a documentation example.
    AwsKey = "aws_key" => credential::aws_key,
}

impl Validator {
    /// Does a pass mean a check digit or checksum over the whole value matched (as opposed to a
    /// format or range check, which an e-mail address or a date passes by shape)? Overlap
    /// resolution treats what lies inside such a value as part of it.
    pub fn is_checksum(self) -> bool {
        use Validator::*;
        matches!(
            self,
            Luhn | Iban
                | Aba
                | Verhoeff
                | IcaoCheckDigit
                | InAadhaar
                | UkNhs
                | CaSin
                | Base58check
                | Bech32
                | BtcAddress
                | UsNpi
                | UsDea
                | EsNif
                | NlBsn
                | BrCpf
                | BrCnpj
                | PlPesel
                | FrNir
                | AuTfn
                | AuMedicare
                | SgNric
                | ItFiscalCode
                | FiHetu
                | SePersonnummer
                | NoFnr
                | Isin
                | Cusip
                | Lei
                | AuAbn
                | AuAcn
                | InGstin
                | SgUen
                | SeOrgnr
                | ItVat
                | TrTckimlik
                | ZaId
                | KrRrn
                | KrFrn
                | PhTin
                | KrBrn
                | ThTnin
                | DeTaxId
                | DeVatId
                | DeKvnr
                | DeRvnr
                | DeLanr
                | DeFuehrerschein
        )
    }
}

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in value {
        counts[b as usize] += 1;
    }
    let n = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule-file documentation: its Validators table is the contract for the names.
    const README: &str = include_str!("../../../patterns/README.md");

    fn table_names() -> Vec<&'static str> {
        let section = README
            .split("## Validators")
            .nth(1)
            .expect("README has a Validators section");
        section
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split('`').next())
            .collect()
    }

    #[test]
    fn names_round_trip() {
        for &v in Validator::all() {
            assert_eq!(Validator::from_name(v.name()), Some(v), "{v:?}");
        }
        assert_eq!(Validator::from_name("no_such_validator"), None);
        assert_eq!(Validator::from_name(""), None);
        assert_eq!(Validator::from_name("LUHN"), None);
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = Validator::all().iter().map(|v| v.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Validator::all().len());
    }

    #[test]
    fn every_readme_name_exists_and_in_order() {
        let table = table_names();
        assert!(table.len() >= 40, "parsed {} names", table.len());
        for name in &table {
            assert!(
                Validator::from_name(name).is_some(),
                "README names `{name}`"
            );
        }
        let ours: Vec<_> = Validator::all().iter().map(|v| v.name()).collect();
        assert_eq!(ours, table, "Validator::all() follows the README table");
    }

    #[test]
    fn every_validator_rejects_junk() {
        let junk: [&[u8]; 8] = [
            b"",
            b"\xff\xfe\xfd",
            b"\x00\x00\x00\x00\x00\x00\x00\x00",
            b"\xc3\x28 4111 1111 1111 1111",
            b"----------",
            b"..........",
            b"1",
            b"4111\xff1111\xff1111\xff1111",
        ];
        for &v in Validator::all() {
            for input in junk {
                assert!(!v.check(input), "{v:?} accepted {input:?}");
            }
        }
    }

    #[test]
    fn every_validator_handles_long_and_non_ascii_input() {
        let mut long = b"4111111111111111".repeat(1000);
        long.extend_from_slice(b"\xff\x00");
        let text = "日本語のテキスト".as_bytes();
        for &v in Validator::all() {
            assert!(!v.check(&long), "{v:?} accepted 16 KB of digits");
            // Any answer is fine for text (it could be a password); it must not panic.
            let _ = v.check(text);
            for cut in 0..text.len() {
                let _ = v.check(&text[..cut]);
            }
        }
    }

    /// A deterministic fuzz pass: many short inputs over an alphabet that reaches the structural
    /// branches (digits, hex, letters, every separator, brackets, non-UTF-8). Nothing may panic.
    #[test]
    fn no_validator_panics_on_generated_input() {
        const ALPHABET: &[u8] =
            b"0123456789012345abcfxyzABCFXYZ-./: ()+@$%{}<>*_=#,\xff\xc3\x80\x00";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut buf = Vec::with_capacity(64);
        for _ in 0..20_000 {
            buf.clear();
            let len = (next() % 64) as usize;
            for _ in 0..len {
                buf.push(ALPHABET[(next() % ALPHABET.len() as u64) as usize]);
            }
            for &v in Validator::all() {
                let _ = v.check(&buf);
            }
        }
    }

    /// One valid value per validator, reached through `check`.
    const SEEDS: &[(Validator, &[u8])] = &[
        (Validator::Luhn, b"4111 1111 1111 1111"),
        (Validator::Iban, b"GB82 WEST 1234 5698 7654 32"),
        (Validator::Aba, b"011000015"),
        (Validator::UsSsn, b"536-22-8765"),
        (Validator::UsItin, b"912-70-1234"),
        (Validator::Verhoeff, b"2363"),
        (Validator::IcaoCheckDigit, b"C01X00T41"),
        (Validator::InAadhaar, b"2341 2341 2346"),
        (Validator::UkNhs, b"943 476 5919"),
        (Validator::UkNino, b"AB 12 34 56 C"),
        (Validator::CaSin, b"130 692 544"),
        (
            Validator::Base58check,
            b"5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ",
        ),
        (
            Validator::Bech32,
            b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        ),
        (
            Validator::BtcAddress,
            b"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        ),
        (Validator::BtcAddress, b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
        (
            Validator::EthAddress,
            b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        ),
        (Validator::Jwt, b"eyJhbGciOiJIUzI1NiJ9.e30.c2ln"),
        (Validator::Ipv4, b"192.168.1.20"),
        (Validator::Ipv6, b"::ffff:192.0.2.128"),
        (Validator::Mac, b"00:1a:2b:3c:4d:5e"),
        (Validator::Date, b"2024-02-29"),
        (Validator::Date, b"February 29th, 2024"),
        (Validator::DateTime, b"2024-02-29T23:59:59Z"),
        (Validator::PhoneNanp, b"+1 (212) 456-7890"),
        (Validator::PhoneE164, b"+44 20 7946 0958"),
        (Validator::Email, b"first.last+tag@mail.example.co.uk"),
        (Validator::SwiftBic, b"DEUTDEFF500"),
        (Validator::UsNpi, b"1234567893"),
        (Validator::UsDea, b"AB1234563"),
        (Validator::EsNif, b"X1234567L"),
        (Validator::NlBsn, b"111222333"),
        (Validator::BrCpf, b"529.982.247-25"),
        (Validator::BrCnpj, b"11.222.333/0001-81"),
        (Validator::PlPesel, b"44051401359"),
        (Validator::FrNir, b"1 85 03 2A 004 123 24"),
        (Validator::AuTfn, b"123 456 782"),
        (Validator::AuMedicare, b"2123 45670 1"),
        (Validator::SgNric, b"S1234567D"),
        (Validator::ItFiscalCode, b"RSSMRA85T10A562S"),
        (Validator::FiHetu, b"131052-308T"),
        (Validator::SePersonnummer, b"19811218-9876"),
        (Validator::NoFnr, b"15058500612"),
        (Validator::Isin, b"US0378331005"),
        (Validator::Cusip, b"38259P508"),
        (Validator::Lei, b"HWUPKR0MPOU8FGXBT394"),
        (Validator::AuAbn, b"51 824 753 556"),
        (Validator::AuAcn, b"004 085 616"),
        (Validator::InGstin, b"27AAPFU0939F1ZV"),
        (Validator::SgUen, b"T16RF0037C"),
        (Validator::SgUen, b"197401143C"),
        (Validator::SeOrgnr, b"556703-7485"),
        (Validator::ItVat, b"00743110157"),
        (Validator::TrTckimlik, b"17291716060"),
        (Validator::ZaId, b"7503305044089"),
        (Validator::KrRrn, b"960121-1021413"),
        (Validator::KrRrnFormat, b"960121-1234567"),
        (Validator::KrFrn, b"911124-5678906"),
        (Validator::KrFrnFormat, b"911124-5678901"),
        (Validator::KrBrn, b"124-81-00998"),
        (Validator::InVehicleRegistration, b"KA53ME3456"),
        (Validator::PhTin, b"000-123-456-000"),
        (Validator::ThTnin, b"1-2345-45678-78-1"),
        (Validator::DeTaxId, b"36 574 261 809"),
        (Validator::DeVatId, b"DE 204 332 189"),
        (Validator::DeIdCard, b"TJV3FG90H3"),
        (Validator::DeKvnr, b"H207319584"),
        (Validator::DeRvnr, b"24111285D000"),
        (Validator::DeLanr, b"341928703"),
        (Validator::DeFuehrerschein, b"B072RRE2I55"),
        (Validator::DeTaxNumber, b"181/815/08155"),
        (Validator::UkDrivingLicence, b"MORGA753116SM9IJ"),
        (Validator::SecretValue, b"hunter2-but-longer"),
        (Validator::SecretWithDigit, b"hunter2-but-longer"),
        (Validator::PasswordValue, b"whiteduke"),
        (Validator::UserPassword, b"deploy:Kx8vN2qLm4"),
        (Validator::AwsKey, b"AKIAZ2XQ7RTVNBLZ4GRA"),
    ];

    #[test]
    fn dispatch_reaches_each_validator() {
        for &(v, input) in SEEDS {
            assert!(v.check(input), "{v:?} rejected {input:?}");
        }
        for &v in Validator::all() {
            assert!(SEEDS.iter().any(|&(s, _)| s == v), "{v:?} has no seed");
        }
    }

    /// Mutations of valid values reach the deep branches that random bytes rarely do.
    #[test]
    fn no_validator_panics_on_mutated_valid_values() {
        const ALPHABET: &[u8] = b"0123456789AZaz-./: ()+@1q\xff\xc3";
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound.max(1) as u64) as usize
        };
        for &(_, seed) in SEEDS {
            for _ in 0..300 {
                let mut m = seed.to_vec();
                for _ in 0..=next(3) {
                    let at = next(m.len() + 1);
                    let byte = ALPHABET[next(ALPHABET.len())];
                    match next(4) {
                        0 if at < m.len() => m[at] = byte,
                        1 if at < m.len() => drop(m.remove(at)),
                        2 => m.insert(at, byte),
                        _ => m.truncate(at),
                    }
                }
                for &v in Validator::all() {
                    let _ = v.check(&m);
                }
            }
        }
    }

    #[test]
    fn entropy() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abab") - 1.0).abs() < 1e-12);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-12);
    }
}
