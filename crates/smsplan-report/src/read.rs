//! Reading a plan document into a [`Tally`]: rows are read one at a time and folded in,
//! never kept; everything else of each plan is read as the wire type itself.

use std::fmt;
use std::io;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use smsplan_formats::v1::plan as wire;

use crate::ReportError;
use crate::tally::Tally;

/// Reads a plan, or a JSON array of plans, folding the rows into `tally`; returns the
/// plans without their rows.
///
/// The text is read into memory first and parsed from the slice: serde_json's slice
/// reader scans strings many bytes at a time, its `io::Read` reader byte by byte, and the
/// 1M-recipient plan reads in about half the CPU time this way (DESIGN.md, "Report"). Rows
/// are still folded in one at a time and never kept.
pub(crate) fn read(
    mut reader: impl io::Read,
    tally: &mut Tally,
) -> Result<Vec<wire::SendPlan>, ReportError> {
    let mut text = Vec::new();
    reader.read_to_end(&mut text).map_err(ReportError::Io)?;
    let mut state = State {
        tally,
        runs: Vec::new(),
        failure: None,
        at: At::Document,
        array: false,
    };
    let mut de = serde_json::Deserializer::from_slice(&text);
    let result = Document(&mut state)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    match result {
        Ok(()) if state.runs.is_empty() => Err(ReportError::Empty),
        Ok(()) => Ok(state.runs),
        Err(source) => Err(state.failure.take().unwrap_or_else(|| ReportError::Json {
            at: state.describe(),
            source,
        })),
    }
}

struct State<'t> {
    tally: &'t mut Tally,
    runs: Vec<wire::SendPlan>,
    /// A typed error raised inside the reader; serde only carries a message.
    failure: Option<ReportError>,
    at: At,
    array: bool,
}

/// Where the reader is, for error messages.
#[derive(Debug, Clone, Copy)]
enum At {
    Document,
    Plan(usize),
    Row(usize, Section, usize),
}

#[derive(Debug, Clone, Copy)]
enum Section {
    Recipients,
    Excluded,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Self::Recipients => "recipients",
            Self::Excluded => "excluded",
        }
    }
}

impl State<'_> {
    fn plan_name(&self, run: usize) -> String {
        if self.array {
            format!("plan {}", run + 1)
        } else {
            "the plan".to_owned()
        }
    }

    fn describe(&self) -> String {
        match self.at {
            At::Document => "the document".to_owned(),
            At::Plan(run) => self.plan_name(run),
            At::Row(run, section, index) => {
                format!("{}'s {}[{index}]", self.plan_name(run), section.name())
            }
        }
    }

    fn fail<E: de::Error>(&mut self, error: ReportError) -> E {
        let message = error.to_string();
        self.failure = Some(error);
        E::custom(message)
    }
}

/// The whole document: one plan, or an array of plans.
struct Document<'s, 't>(&'s mut State<'t>);

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a smsplan.plan/v1 object, or an array of them")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        Plan(self.0).visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.array = true;
        while seq.next_element_seed(Plan(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

/// One plan.
struct Plan<'s, 't>(&'s mut State<'t>);

impl<'de> DeserializeSeed<'de> for Plan<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Plan<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a smsplan.plan/v1 object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        let run = state.runs.len();
        state.at = At::Plan(run);
        let mut head = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = match key.as_str() {
                "recipients" => {
                    map.next_value_seed(Rows(&mut *state, run, Section::Recipients))?;
                    Value::Array(Vec::new())
                }
                "excluded" => {
                    map.next_value_seed(Rows(&mut *state, run, Section::Excluded))?;
                    Value::Array(Vec::new())
                }
                _ => map.next_value::<Value>()?,
            };
            if head.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            head.insert(key, value);
        }
        // Everything but the rows is small: read it as the wire type itself, so the
        // report accepts exactly what `smsplan.plan/v1` does.
        let plan: wire::SendPlan = match serde_path_to_error::deserialize(Value::Object(head)) {
            Ok(plan) => plan,
            Err(e) => {
                let error = ReportError::Head {
                    at: state.plan_name(run),
                    path: e.path().to_string(),
                    source: e.into_inner(),
                };
                return Err(state.fail(error));
            }
        };
        state.tally.close_plan(&plan).map_err(|e| state.fail(e))?;
        state.runs.push(plan);
        Ok(())
    }
}

/// The rows of one section of one plan, folded into the tally as they are read.
struct Rows<'s, 't>(&'s mut State<'t>, usize, Section);

impl<'de> DeserializeSeed<'de> for Rows<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the array `{}`", self.2.name())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Self(state, run, section) = self;
        for index in 0.. {
            state.at = At::Row(run, section, index);
            let added = match section {
                Section::Recipients => match seq.next_element::<wire::Recipient>()? {
                    Some(row) => state.tally.add_recipient(&row),
                    None => break,
                },
                Section::Excluded => match seq.next_element::<wire::Excluded>()? {
                    Some(row) => {
                        state.tally.add_excluded(&row);
                        Ok(())
                    }
                    None => break,
                },
            };
            if let Err(source) = added {
                let at = format!("{}.cost", state.describe());
                return Err(state.fail(ReportError::Cost { at, source }));
            }
        }
        state.at = At::Plan(run);
        Ok(())
    }
}
