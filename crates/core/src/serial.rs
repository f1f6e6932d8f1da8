//! Serial numbers as cfssl writes them: decimal strings (the database's
//! `serial_number` column, gencrl's input, what cfssl logs and certinfo
//! prints) for big-endian unsigned bytes. Issuing, reading certificates
//! and revocation all use it, so it depends on none of them.

use crate::error::{Error, Result};

/// The most digits a 20-byte serial (RFC 5280's limit) can have.
const MAX_DIGITS: usize = 49;

/// Renders big-endian unsigned bytes in decimal.
pub fn decimal_serial(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0];
    for &byte in bytes {
        let mut carry = byte as u32;
        for d in digits.iter_mut() {
            let v = (*d as u32) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.iter().rev().map(|d| (b'0' + d) as char).collect()
}

/// Parses a decimal serial into big-endian bytes without leading zeros
/// (one zero byte for 0).
pub fn parse_decimal(text: &str) -> Result<Vec<u8>> {
    let text = text.trim();
    let bad = || {
        Error::Refused(format!(
            "invalid serial number {text:?} (want decimal digits)"
        ))
    };
    if text.is_empty() || text.len() > MAX_DIGITS || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // Little-endian base-256 accumulator: bytes = bytes * 10 + digit.
    let mut bytes: Vec<u8> = vec![0];
    for digit in text.bytes().map(|b| b - b'0') {
        let mut carry = digit as u32;
        for b in bytes.iter_mut() {
            let v = (*b as u32) * 10 + carry;
            *b = v as u8;
            carry = v >> 8;
        }
        if carry > 0 {
            bytes.push(carry as u8);
        }
    }
    while bytes.len() > 1 && bytes.last() == Some(&0) {
        bytes.pop();
    }
    bytes.reverse();
    if bytes.len() > 20 {
        return Err(bad());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_serial_matches_known_values() {
        assert_eq!(decimal_serial(&[0]), "0");
        assert_eq!(decimal_serial(&[1, 0]), "256");
        assert_eq!(
            decimal_serial(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            "18446744073709551615"
        );
    }

    #[test]
    fn decimal_round_trips() {
        for text in [
            "0",
            "1",
            "255",
            "256",
            "65535",
            "123456789012345678901234567890",
        ] {
            assert_eq!(decimal_serial(&parse_decimal(text).unwrap()), text);
        }
        assert_eq!(parse_decimal("256").unwrap(), vec![1, 0]);
        assert_eq!(parse_decimal(" 007 ").unwrap(), vec![7]);
    }

    #[test]
    fn refuses_non_decimal() {
        for bad in ["", "0x10", "12a", "-1", &"9".repeat(50)] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
    }
}
