//! The f64 → decimal boundary. The engine computes in binary floating point;
//! results leave it as `rust_decimal::Decimal` rounded to a stated number
//! of significant digits, so that what is stored and shown is exact text.

use rust_decimal::Decimal;

use crate::error::{LcaError, Result};

/// Significant digits used when none is stated (f64 carries 15–17).
pub const DEFAULT_SIGNIFICANT_DIGITS: u32 = 12;

/// Rounds `value` to `digits` significant digits (half to even on the exact
/// binary value) and returns it as a decimal with trailing zeros removed.
///
/// Fails on NaN and infinities, on `digits` outside 1..=28, and on
/// magnitudes beyond the decimal range (about 7.9e28). Magnitudes below
/// 1e-28 keep only the digits that 28 decimal places hold (values below
/// 5e-29 become 0).
pub fn to_decimal(value: f64, digits: u32) -> Result<Decimal> {
    let err = |message: &str| LcaError::Decimal {
        value,
        message: message.to_string(),
    };
    if !value.is_finite() {
        return Err(err("not a finite number"));
    }
    if !(1..=28).contains(&digits) {
        return Err(err("significant digits must be between 1 and 28"));
    }
    if value == 0.0 {
        return Ok(Decimal::ZERO);
    }
    // Rust's exponent formatting rounds the exact binary value correctly.
    let text = format!("{:.*e}", (digits - 1) as usize, value);
    let (mantissa, exponent) = text.split_once('e').ok_or_else(|| err("formatting"))?;
    let exponent: i32 = exponent.parse().map_err(|_| err("formatting"))?;
    let negative = mantissa.starts_with('-');
    let mut int: i128 = mantissa
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .map_err(|_| err("formatting"))?;
    // value = int × 10^(exponent − (digits − 1))
    let mut power = exponent - (digits as i32 - 1);
    if power > 0 {
        for _ in 0..power {
            int = int
                .checked_mul(10)
                .ok_or_else(|| err("beyond the decimal range"))?;
        }
        power = 0;
    }
    let mut scale = (-power) as u32;
    if scale > 28 {
        // Round half to even to 28 decimal places.
        let drop = scale - 28;
        let div = 10i128.checked_pow(drop).unwrap_or(i128::MAX);
        let (q, r) = (int / div, int % div);
        let twice = r.saturating_mul(2);
        int = if twice > div || (twice == div && q % 2 == 1) {
            q + 1
        } else {
            q
        };
        scale = 28;
    }
    if negative {
        int = -int;
    }
    let d = Decimal::try_from_i128_with_scale(int, scale)
        .map_err(|_| err("beyond the decimal range"))?;
    Ok(d.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rounds_to_significant_digits() {
        assert_eq!(to_decimal(1234.5678, 6).unwrap(), d("1234.57"));
        assert_eq!(to_decimal(-0.000123456789, 3).unwrap(), d("-0.000123"));
        assert_eq!(to_decimal(2.5e10, 12).unwrap(), d("25000000000"));
        assert_eq!(to_decimal(0.1, 12).unwrap(), d("0.1"));
        assert_eq!(to_decimal(1.0 / 3.0, 12).unwrap(), d("0.333333333333"));
        assert_eq!(to_decimal(0.0, 5).unwrap(), Decimal::ZERO);
        assert_eq!(to_decimal(-0.0, 5).unwrap(), Decimal::ZERO);
        // 0.125 is exact in binary: half to even.
        assert_eq!(to_decimal(0.125, 2).unwrap(), d("0.12"));
        assert_eq!(to_decimal(0.375, 2).unwrap(), d("0.38"));
    }

    #[test]
    fn tiny_values_keep_28_places() {
        assert_eq!(
            to_decimal(1.23456e-25, 6).unwrap(),
            d("0.0000000000000000000000001235")
        );
        assert_eq!(to_decimal(1e-30, 6).unwrap(), Decimal::ZERO);
    }

    #[test]
    fn rejects_what_a_decimal_cannot_hold() {
        assert!(to_decimal(f64::NAN, 6).is_err());
        assert!(to_decimal(f64::INFINITY, 6).is_err());
        assert!(to_decimal(f64::NEG_INFINITY, 6).is_err());
        assert!(to_decimal(1e30, 6).is_err());
        assert!(to_decimal(1.0, 0).is_err());
        assert!(to_decimal(1.0, 29).is_err());
        let e = to_decimal(f64::NAN, 6).unwrap_err().to_string();
        assert!(e.contains("not a finite number"), "{e}");
    }
}
