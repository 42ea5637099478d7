//! Writing an error with its causes, once, where it becomes text.
//!
//! Errors here keep their causes as typed sources and their messages do not repeat them
//! (`holiday calendar`, with the [`HolidayError`](crate::holiday::HolidayError) as
//! `source()`). [`Chain`] writes the whole story where an error is turned into text: an
//! exclusion's detail in a plan, the CLI's last line.

use std::error::Error;
use std::fmt;

/// An error followed by each of its sources: `error: cause: cause`.
///
/// ```
/// use smsplan_core::error::Chain;
/// use smsplan_core::holiday::HolidayError;
/// use smsplan_core::window::WindowError;
///
/// let e = WindowError::from(HolidayError::YearOutOfRange { year: 0 });
/// assert_eq!(e.to_string(), "holiday calendar");
/// assert_eq!(
///     Chain(&e).to_string(),
///     "holiday calendar: year 0 is outside the supported years 1583..=9999"
/// );
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Chain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
