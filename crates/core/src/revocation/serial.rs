//! Serial numbers as cfssl writes them: decimal strings (the database's
//! `serial_number` column, gencrl's input) for big-endian unsigned bytes.

use crate::error::{Error, Result};
pub use crate::issue::certificate::decimal_serial;

/// The most digits a 20-byte serial (RFC 5280's limit) can have.
const MAX_DIGITS: usize = 49;

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
