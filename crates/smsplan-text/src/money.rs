//! Money without floats: decimal amounts with up to six fraction digits, in a currency.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use core::fmt;

/// Fraction digits kept by [`Money`].
pub const SCALE: u32 = 6;
const ONE: i64 = 1_000_000;

/// An ISO 4217 currency code: three uppercase ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Euro.
    pub const EUR: Self = Self(*b"EUR");
    /// US dollar.
    pub const USD: Self = Self(*b"USD");
    /// Pound sterling.
    pub const GBP: Self = Self(*b"GBP");

    /// Reads a currency code.
    ///
    /// ```
    /// use smsplan_text::money::Currency;
    /// assert_eq!(Currency::parse("EUR")?, Currency::EUR);
    /// assert!(Currency::parse("eur").is_err());
    /// # Ok::<(), smsplan_text::money::MoneyError>(())
    /// ```
    ///
    /// # Errors
    /// [`MoneyError::InvalidCurrency`] unless `code` is three uppercase ASCII letters.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Self([a, b, c])),
            _ => Err(MoneyError::InvalidCurrency {
                value: code.to_owned(),
            }),
        }
    }

    /// The code, e.g. `"EUR"`.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money: an exact decimal with up to [`SCALE`] fraction digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    micros: i64,
    currency: Currency,
}

/// Errors of money arithmetic and parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// Not a decimal number.
    #[error("{value:?} is not a decimal amount (character {offset})")]
    Invalid {
        /// The text.
        value: String,
        /// Offset of the first wrong character, in chars.
        offset: usize,
    },
    /// More fraction digits than [`SCALE`].
    #[error("{value:?} has more than {SCALE} fraction digits")]
    TooPrecise {
        /// The text.
        value: String,
    },
    /// Not an ISO 4217 code.
    #[error("{value:?} is not a currency code (three uppercase letters)")]
    InvalidCurrency {
        /// The text.
        value: String,
    },
    /// A price below zero.
    #[error("{value:?} is negative: a price cannot be")]
    Negative {
        /// The text.
        value: String,
    },
    /// Adding or comparing amounts in different currencies.
    #[error("cannot combine {left} and {right}")]
    CurrencyMismatch {
        /// One currency.
        left: Currency,
        /// The other.
        right: Currency,
    },
    /// The result does not fit.
    #[error("amount out of range")]
    Overflow,
}

impl Money {
    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self {
            micros: 0,
            currency,
        }
    }

    /// Reads a decimal amount such as `"0.045"`, `"250"` or `"-1.5"`.
    ///
    /// ```
    /// use smsplan_text::money::{Currency, Money};
    /// let price = Money::parse("0.045", Currency::EUR)?;
    /// assert_eq!(price.to_string(), "0.045");
    /// assert_eq!(Money::parse("250", Currency::EUR)?.to_string(), "250.00");
    /// # Ok::<(), smsplan_text::money::MoneyError>(())
    /// ```
    ///
    /// # Errors
    /// [`MoneyError::Invalid`] with the offset of the first wrong character,
    /// [`MoneyError::TooPrecise`] past six fraction digits, [`MoneyError::Overflow`].
    pub fn parse(value: &str, currency: Currency) -> Result<Self, MoneyError> {
        let invalid = |offset| MoneyError::Invalid {
            value: value.to_owned(),
            offset,
        };
        let (negative, digits, skip) = match value.strip_prefix('-') {
            Some(rest) => (true, rest, 1),
            None => (false, value, 0),
        };
        let (int, frac) = match digits.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (digits, None),
        };
        if int.is_empty() {
            return Err(invalid(skip));
        }
        let mut micros: i64 = 0;
        for (i, c) in int.chars().enumerate() {
            let d = c.to_digit(10).ok_or_else(|| invalid(skip + i))?;
            micros = micros
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(d) * ONE))
                .ok_or(MoneyError::Overflow)?;
        }
        if let Some(frac) = frac {
            let start = skip + int.chars().count() + 1;
            if frac.is_empty() {
                return Err(invalid(start));
            }
            let mut place = ONE;
            for (i, c) in frac.chars().enumerate() {
                let d = c.to_digit(10).ok_or_else(|| invalid(start + i))?;
                place /= 10;
                if place == 0 {
                    return Err(MoneyError::TooPrecise {
                        value: value.to_owned(),
                    });
                }
                micros = micros
                    .checked_add(i64::from(d) * place)
                    .ok_or(MoneyError::Overflow)?;
            }
        }
        Ok(Self {
            micros: if negative { -micros } else { micros },
            currency,
        })
    }

    /// Reads a price: as [`Money::parse`], refusing an amount below zero (zero is a price).
    ///
    /// ```
    /// use smsplan_text::money::{Currency, Money, MoneyError};
    /// assert_eq!(Money::parse_price("0.045", Currency::EUR)?.to_string(), "0.045");
    /// assert!(matches!(
    ///     Money::parse_price("-0.045", Currency::EUR),
    ///     Err(MoneyError::Negative { .. })
    /// ));
    /// # Ok::<(), smsplan_text::money::MoneyError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Money::parse`], and [`MoneyError::Negative`] below zero.
    pub fn parse_price(value: &str, currency: Currency) -> Result<Self, MoneyError> {
        let price = Self::parse(value, currency)?;
        if price.micros < 0 {
            return Err(MoneyError::Negative {
                value: value.to_owned(),
            });
        }
        Ok(price)
    }

    /// The amount in millionths of the currency unit.
    pub fn micros(&self) -> i64 {
        self.micros
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// `self + other`.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] or [`MoneyError::Overflow`].
    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        let micros = self
            .micros
            .checked_add(other.micros)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self { micros, ..self })
    }

    /// `self × factor`.
    ///
    /// ```
    /// use smsplan_text::money::{Currency, Money};
    /// let total = Money::parse("0.045", Currency::EUR)?.checked_mul(3)?;
    /// assert_eq!(total.to_string(), "0.135");
    /// # Ok::<(), smsplan_text::money::MoneyError>(())
    /// ```
    ///
    /// # Errors
    /// [`MoneyError::Overflow`].
    pub fn checked_mul(self, factor: u64) -> Result<Self, MoneyError> {
        let factor = i64::try_from(factor).map_err(|_| MoneyError::Overflow)?;
        let micros = self
            .micros
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self { micros, ..self })
    }

    /// Compares two amounts of the same currency.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`].
    pub fn try_cmp(&self, other: &Self) -> Result<core::cmp::Ordering, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        Ok(self.micros.cmp(&other.micros))
    }
}

/// The decimal amount without currency, with at least two fraction digits and no trailing
/// zeros beyond them: `"0.045"`, `"250.00"`, `"-1.50"`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.micros < 0 { "-" } else { "" };
        let abs = self.micros.unsigned_abs();
        let int = abs / ONE.unsigned_abs();
        let frac = format!("{:06}", abs % ONE.unsigned_abs());
        let trimmed = frac.trim_end_matches('0');
        let frac = if trimmed.len() < 2 {
            frac.get(..2).unwrap_or("00")
        } else {
            trimmed
        };
        write!(f, "{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for (input, shown) in [
            ("0.045", "0.045"),
            ("250.00", "250.00"),
            ("250", "250.00"),
            ("1.5", "1.50"),
            ("-1.5", "-1.50"),
            ("0.000001", "0.000001"),
            ("12.3456", "12.3456"),
        ] {
            assert_eq!(
                Money::parse(input, Currency::EUR).unwrap().to_string(),
                shown
            );
        }
    }

    #[test]
    fn bad_amounts_say_where() {
        assert_eq!(
            Money::parse("1,5", Currency::EUR),
            Err(MoneyError::Invalid {
                value: "1,5".into(),
                offset: 1
            })
        );
        assert_eq!(
            Money::parse("", Currency::EUR),
            Err(MoneyError::Invalid {
                value: "".into(),
                offset: 0
            })
        );
        assert_eq!(
            Money::parse("1.", Currency::EUR),
            Err(MoneyError::Invalid {
                value: "1.".into(),
                offset: 2
            })
        );
        assert_eq!(
            Money::parse("0.0000001", Currency::EUR),
            Err(MoneyError::TooPrecise {
                value: "0.0000001".into()
            })
        );
        assert_eq!(
            Money::parse("99999999999999999999", Currency::EUR),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn prices_are_never_negative() {
        assert_eq!(
            Money::parse_price("-0.045", Currency::EUR),
            Err(MoneyError::Negative {
                value: "-0.045".into()
            })
        );
        for zero in ["0", "-0", "0.000"] {
            assert_eq!(Money::parse_price(zero, Currency::EUR).unwrap().micros(), 0);
        }
        assert!(matches!(
            Money::parse_price("-x", Currency::EUR),
            Err(MoneyError::Invalid { offset: 1, .. })
        ));
    }

    #[test]
    fn arithmetic_checks_currency_and_overflow() {
        let eur = Money::parse("1", Currency::EUR).unwrap();
        let usd = Money::parse("1", Currency::USD).unwrap();
        assert!(matches!(
            eur.checked_add(usd),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
        assert_eq!(eur.checked_add(eur).unwrap().to_string(), "2.00");
        assert_eq!(eur.checked_mul(u64::MAX), Err(MoneyError::Overflow));
    }
}
