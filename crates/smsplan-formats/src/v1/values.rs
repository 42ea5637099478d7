//! Scalar wire values of v1: instants, local date-times, time zones and money amounts.
//!
//! Each keeps the text it was read from, so that a document reserializes byte for byte,
//! and is checked while reading, so that a bad value is reported with its field path.

#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use chrono_tz::Tz;
#[cfg(feature = "schema")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! text_value {
    ($name:ident, $inner:ty, $doc_name:literal, $schema:tt) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.text)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "schema")]
        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed($doc_name)
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.text)
            }
        }

        impl $name {
            /// The value as written.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.text
            }

            /// The parsed value.
            #[must_use]
            pub fn value(&self) -> $inner {
                self.value.clone()
            }
        }
    };
}

/// Why a scalar value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// Not an RFC 3339 instant with an offset.
    #[error("{text:?} is not an RFC 3339 instant with an offset (e.g. 2026-12-24T20:30:00+01:00)")]
    Instant {
        /// The text.
        text: String,
    },
    /// Not a local date-time.
    #[error("{text:?} is not a local date-time YYYY-MM-DDTHH:MM[:SS]")]
    LocalDateTime {
        /// The text.
        text: String,
    },
    /// Not an IANA time zone name.
    #[error("{text:?} is not an IANA time zone name (e.g. Europe/Paris)")]
    TimeZone {
        /// The text.
        text: String,
    },
    /// Not a decimal amount.
    #[error("{text:?} is not a decimal amount such as \"12.50\"")]
    Decimal {
        /// The text.
        text: String,
    },
}

/// An instant in RFC 3339 with an offset: `2026-12-24T20:30:00+01:00`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instant {
    text: String,
    value: DateTime<FixedOffset>,
}

text_value!(Instant, DateTime<FixedOffset>, "Instant", {
    "type": "string",
    "format": "date-time",
    "description": "RFC 3339 instant with an offset, e.g. 2026-12-24T20:30:00+01:00"
});

impl FromStr for Instant {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        DateTime::parse_from_rfc3339(text)
            .map(|value| Self {
                text: text.to_owned(),
                value,
            })
            .map_err(|_| ValueError::Instant {
                text: text.to_owned(),
            })
    }
}

impl Instant {
    /// Writes an instant at UTC with seconds: `2026-12-24T19:30:00+00:00`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// let at = Utc.with_ymd_and_hms(2026, 12, 24, 19, 30, 0).single().ok_or("time")?;
    /// let i = smsplan_formats::v1::values::Instant::from_utc(at);
    /// assert_eq!(i.as_str(), "2026-12-24T19:30:00+00:00");
    /// # Ok::<(), &str>(())
    /// ```
    #[must_use]
    pub fn from_utc(at: DateTime<Utc>) -> Self {
        Self::from_fixed(at.fixed_offset())
    }

    /// Writes an instant with its own offset, seconds precision (sub-seconds kept if any).
    ///
    /// ```
    /// use chrono::DateTime;
    /// let at = DateTime::parse_from_rfc3339("2026-12-24T20:30:00+01:00")?;
    /// let i = smsplan_formats::v1::values::Instant::from_fixed(at);
    /// assert_eq!(i.as_str(), "2026-12-24T20:30:00+01:00");
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    #[must_use]
    pub fn from_fixed(at: DateTime<FixedOffset>) -> Self {
        Self {
            text: at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
            value: at,
        }
    }

    /// The instant in UTC.
    ///
    /// ```
    /// let i: smsplan_formats::v1::values::Instant = "2026-12-24T20:30:00+01:00".parse()?;
    /// assert_eq!(i.utc().to_rfc3339(), "2026-12-24T19:30:00+00:00");
    /// # Ok::<(), smsplan_formats::v1::values::ValueError>(())
    /// ```
    #[must_use]
    pub fn utc(&self) -> DateTime<Utc> {
        self.value.with_timezone(&Utc)
    }
}

/// A wall-clock date and time without zone: `2026-12-24T20:30` or `2026-12-24T20:30:15`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDateTime {
    text: String,
    value: NaiveDateTime,
}

text_value!(LocalDateTime, NaiveDateTime, "LocalDateTime", {
    "type": "string",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$",
    "description": "local date and time YYYY-MM-DDTHH:MM[:SS], read in the schedule's time zone"
});

impl FromStr for LocalDateTime {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
            .map(|value| Self {
                text: text.to_owned(),
                value,
            })
            .map_err(|_| ValueError::LocalDateTime {
                text: text.to_owned(),
            })
    }
}

/// An IANA time zone name: `Europe/Paris`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName {
    text: String,
    value: Tz,
}

text_value!(TimeZoneName, Tz, "TimeZoneName", {
    "type": "string",
    "description": "IANA time zone name, e.g. Europe/Paris"
});

impl FromStr for TimeZoneName {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        text.parse::<Tz>()
            .map(|value| Self {
                text: text.to_owned(),
                value,
            })
            .map_err(|_| ValueError::TimeZone {
                text: text.to_owned(),
            })
    }
}

impl From<Tz> for TimeZoneName {
    fn from(value: Tz) -> Self {
        Self {
            text: value.name().to_owned(),
            value,
        }
    }
}

/// A money amount as a decimal string, never a float: `"250.00"`, `"0.045"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    text: String,
    value: String,
}

text_value!(Decimal, String, "Decimal", {
    "type": "string",
    "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
    "description": "decimal amount as a string, e.g. \"0.045\""
});

impl FromStr for Decimal {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
        let ok = !int.is_empty()
            && !frac.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Self {
                text: text.to_owned(),
                value: text.to_owned(),
            })
        } else {
            Err(ValueError::Decimal {
                text: text.to_owned(),
            })
        }
    }
}

impl From<smsplan_core::money::Money> for Decimal {
    /// Writes an amount as [`Money`](smsplan_core::money::Money) displays it: `"0.045"`.
    fn from(m: smsplan_core::money::Money) -> Self {
        let text = m.to_string();
        Self {
            value: text.clone(),
            text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_text() {
        let i: Instant = "2026-12-24T20:30:00+01:00".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&i).unwrap(),
            "\"2026-12-24T20:30:00+01:00\""
        );
        assert!("2026-12-24T20:30:00".parse::<Instant>().is_err());
        let l: LocalDateTime = "2026-12-24T20:30".parse().unwrap();
        assert_eq!(l.value().to_string(), "2026-12-24 20:30:00");
        assert!("2026-12-24 20:30".parse::<LocalDateTime>().is_err());
        assert!("Europe/Pariss".parse::<TimeZoneName>().is_err());
        for bad in ["", "1.", ".5", "1,5", "1e3", "--1", "+1"] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
        assert!("-0.045".parse::<Decimal>().is_ok());
    }
}
