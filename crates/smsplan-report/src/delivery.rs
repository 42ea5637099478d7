//! The optional input of the "Delivery" section: what happened during and after the send.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::ReportError;

/// What happened to a send, as a campaign store knows it; [`PlanReport::render`] adds a
/// "Delivery" section when given one.
///
/// ```
/// use smsplan_report::{Delivery, ProgressPoint};
///
/// let mut delivery = Delivery::default();
/// delivery.progress.push(ProgressPoint { at: "2026-12-24T18:45:00Z".parse()?, percent: 0.0 });
/// delivery.progress.push(ProgressPoint { at: "2026-12-24T18:49:00Z".parse()?, percent: 100.0 });
/// delivery.states.insert("delivered".into(), 1870);
/// delivery.states.insert("undeliverable".into(), 13);
/// delivery.failures_by_code.insert("0x00000045".into(), 13);
/// delivery.opt_outs = 4;
/// assert!(delivery.check().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`PlanReport::render`]: crate::PlanReport::render
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delivery {
    /// The share of the plan's messages completed (submitted and given a final report),
    /// over time, in time order.
    pub progress: Vec<ProgressPoint>,
    /// Messages per delivery state, named as the store names them (`delivered`,
    /// `undeliverable`, `rejected`, `expired`, `accepted`, `buffered`, ...).
    pub states: BTreeMap<String, u64>,
    /// Failed messages per operator error code (the receipt's `err:` field, or the
    /// gateway's code).
    pub failures_by_code: BTreeMap<String, u64>,
    /// Opt-outs (STOP and its synonyms) received from the campaign's recipients.
    pub opt_outs: u64,
}

/// One point of the completion curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgressPoint {
    /// When.
    pub at: DateTime<Utc>,
    /// Percent completed then, 0 to 100.
    pub percent: f64,
}

impl Delivery {
    /// Checks that every progress point is a percentage between 0 and 100 and that the
    /// points are in time order.
    ///
    /// ```
    /// use smsplan_report::{Delivery, ProgressPoint};
    /// let at = "2026-12-24T18:45:00Z".parse()?;
    /// let bad = Delivery { progress: vec![ProgressPoint { at, percent: 140.0 }], ..Delivery::default() };
    /// assert!(bad.check().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    /// # Errors
    /// [`ReportError::Progress`] naming the first wrong point.
    pub fn check(&self) -> Result<(), ReportError> {
        let mut previous: Option<DateTime<Utc>> = None;
        for (index, p) in self.progress.iter().enumerate() {
            if !(0.0..=100.0).contains(&p.percent) {
                return Err(ReportError::Progress {
                    index,
                    reason: "the percentage is not between 0 and 100",
                });
            }
            if previous.is_some_and(|t| t > p.at) {
                return Err(ReportError::Progress {
                    index,
                    reason: "earlier than the point before it",
                });
            }
            previous = Some(p.at);
        }
        Ok(())
    }

    /// Failed messages: the sum of [`failures_by_code`](Self::failures_by_code).
    #[must_use]
    pub fn failures(&self) -> u64 {
        self.failures_by_code.values().sum()
    }
}
