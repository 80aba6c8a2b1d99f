//! Canadian and Brazilian identifiers: SIN, CPF, CNPJ.

use super::checksum::luhn;
use super::digits::{all_same, exact};

/// `ca_sin`: a Canadian Social Insurance Number. Nine digits passing Luhn; the first is never 0
/// (unassigned) or 8 (business numbers), per Employment and Social Development Canada.
pub(super) fn ca_sin(value: &[u8]) -> bool {
    let Some(d) = exact::<9>(value) else {
        return false;
    };
    d[0] != 0 && d[0] != 8 && luhn(&d)
}

/// The Receita Federal mod-11 check digit over `d` with `weights`: 0 when the remainder is under
/// 2, else 11 minus the remainder. Shared by CPF and CNPJ.
fn mod11_digit(d: &[u8], weights: &[u32]) -> u8 {
    let sum: u32 = d.iter().zip(weights).map(|(&x, &w)| u32::from(x) * w).sum();
    match sum % 11 {
        0 | 1 => 0,
        r => (11 - r) as u8,
    }
}

/// `br_cpf`: a Brazilian CPF, usually written 123.456.789-09. Eleven digits, not all equal (those
/// pass the checksum but are invalid), and two mod-11 check digits: the first over digits 1-9
/// with weights 10..2, the second over digits 1-10 with weights 11..2.
pub(super) fn br_cpf(value: &[u8]) -> bool {
    let Some(d) = exact::<11>(value) else {
        return false;
    };
    const W: [u32; 10] = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
    !all_same(&d) && mod11_digit(&d[..9], &W[1..]) == d[9] && mod11_digit(&d[..10], &W) == d[10]
}

/// `br_cnpj`: a Brazilian CNPJ, usually written 11.222.333/0001-81. Fourteen digits, not all
/// equal, and two mod-11 check digits with weights 5..2,9..2 over the first 12 digits and
/// 6..2,9..2 over the first 13. (The alphanumeric CNPJ announced for 2026 is not accepted.)
pub(super) fn br_cnpj(value: &[u8]) -> bool {
    let Some(d) = exact::<14>(value) else {
        return false;
    };
    const W: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    !all_same(&d) && mod11_digit(&d[..12], &W[1..]) == d[12] && mod11_digit(&d[..13], &W) == d[13]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sin_numbers() {
        assert!(ca_sin(b"130692544"));
        assert!(ca_sin(b"130 692 544"));
        assert!(ca_sin(b"193-456-787"));
        assert!(!ca_sin(b"130692545"), "wrong check");
        assert!(!ca_sin(b"046454286"), "first digit 0");
        assert!(!ca_sin(b"800000002"), "first digit 8");
        assert!(!ca_sin(b"13069254"), "8 digits");
        assert!(!ca_sin(b"1306925440"), "10 digits");
        assert!(!ca_sin(b"130 692 5a4"));
        assert!(!ca_sin(b""));
    }

    #[test]
    fn cpf_numbers() {
        assert!(br_cpf(b"529.982.247-25"));
        assert!(br_cpf(b"52998224725"));
        assert!(br_cpf(b"111.444.777-35"));
        assert!(!br_cpf(b"529.982.247-24"), "wrong second check");
        assert!(!br_cpf(b"529.982.247-15"), "wrong first check");
        assert!(!br_cpf(b"111.111.111-11"), "all equal");
        assert!(!br_cpf(b"000.000.000-00"), "all zero");
        assert!(!br_cpf(b"529.982.247-2"), "10 digits");
        assert!(!br_cpf(b"529,982,247-25"));
        assert!(!br_cpf(b""));
    }

    #[test]
    fn cnpj_numbers() {
        assert!(br_cnpj(b"11.222.333/0001-81"));
        assert!(br_cnpj(b"11222333000181"));
        assert!(br_cnpj(b"11.444.777/0001-61"));
        assert!(!br_cnpj(b"11.222.333/0001-80"), "wrong check");
        assert!(!br_cnpj(b"11.222.333/0001-91"), "wrong first check");
        assert!(!br_cnpj(b"00.000.000/0000-00"), "all equal");
        assert!(!br_cnpj(b"11.222.333/0001-8"), "13 digits");
        assert!(!br_cnpj(b"12.ABC.345/01DE-35"), "alphanumeric CNPJ");
        assert!(!br_cnpj(b""));
    }
}
