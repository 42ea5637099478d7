//! Why a report could not be made.

use std::io;

use plotters::drawing::DrawingAreaErrorKind;
use smsplan_core::money::MoneyError;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The document is not JSON, or a value does not fit `smsplan.plan/v1`; `at` names
    /// the plan and the row (`the plan's recipients[41]`), the source gives line and column.
    #[error("{at}: not a smsplan.plan/v1 document")]
    Json {
        /// Where in the document: `the document`, `the plan`, `plan 2's excluded[7]`.
        at: String,
        /// What the JSON reader found.
        #[source]
        source: serde_json::Error,
    },
    /// The plan could not be read.
    #[error("cannot read the plan")]
    Io(#[source] io::Error),
    /// A plan's fields other than its rows do not fit `smsplan.plan/v1`.
    #[error("{at}, field `{path}`: not a smsplan.plan/v1 value")]
    Head {
        /// `the plan`, or `plan 2` in an array.
        at: String,
        /// The field's path (`totals.cost`, `checklist[3].status`).
        path: String,
        /// What is wrong with it.
        #[source]
        source: serde_json::Error,
    },
    /// A row's cost, or a sum of costs, is not an amount of money.
    #[error("{at}: cost")]
    Cost {
        /// Where: `the plan's recipients[3].cost`, `the plan's totals.cost`.
        at: String,
        /// Why.
        #[source]
        source: MoneyError,
    },
    /// The document is an empty array: there is no plan to report on.
    #[error("the document is an empty array: it holds no plan")]
    Empty,
    /// A delivery progress point is not a percentage, or not in time order.
    #[error("delivery progress point {index}: {reason}")]
    Progress {
        /// Its position, from 0.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A chart could not be drawn.
    #[error("chart `{chart}`")]
    Chart {
        /// The chart's id.
        chart: &'static str,
        /// What the drawing library said.
        #[source]
        source: DrawingAreaErrorKind<io::Error>,
    },
}
