//! Throughput-aware placement: each message at the instant its sender can actually send it.
//!
//! The sender delivers `rate` parts per second. Messages are taken in the order they become
//! sendable (their first allowed instant, then contact order) and each starts at the later
//! of that instant and the moment the sender is free; a message of `k` parts keeps the
//! sender busy for `k / rate` seconds. A message whose start would fall at or after the end
//! of its window moves to its next window, in which it queues again (with the messages
//! planned for that window, in contact order); one whose start reaches the deadline expires.
//!
//! Instants are exact: the sender's free instant is `base + ⌈parts × 10⁹ / rate⌉` ns since
//! the last idle moment, so a long send does not drift by rounding.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::num::NonZeroU32;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::{Exclusion, PlannedMessage};
use crate::window::WindowError;

/// What pacing did to a run's rows.
#[derive(Debug, Default)]
pub(super) struct Paced {
    /// Rows that cannot go before the deadline (or whose next window cannot be found),
    /// by index into the rows, with their reason.
    pub(super) dropped: Vec<(usize, Exclusion)>,
    /// Rows that go out in a later window than the first one open to them.
    pub(super) held: usize,
    /// Messages per window opening (the instant from which they could go).
    pub(super) by_window: BTreeMap<DateTime<Utc>, usize>,
}

/// The sender's clock: when it is free again.
struct Sender {
    rate: u128,
    base: Option<DateTime<Utc>>,
    parts: u128,
}

impl Sender {
    fn free_at(&self) -> Option<DateTime<Utc>> {
        let base = self.base?;
        let nanos = (self.parts * 1_000_000_000).div_ceil(self.rate);
        let delta = i64::try_from(nanos).map_or(TimeDelta::MAX, TimeDelta::nanoseconds);
        Some(
            base.checked_add_signed(delta)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        )
    }

    /// The instant a message ready at `ready` can start.
    fn start(&self, ready: DateTime<Utc>) -> DateTime<Utc> {
        self.free_at().map_or(ready, |free| free.max(ready))
    }

    /// Takes `parts` starting at `start` (from [`Sender::start`]).
    fn take(&mut self, start: DateTime<Utc>, parts: usize) {
        let parts = parts as u128;
        if self.free_at().is_none_or(|free| start > free) {
            self.base = Some(start);
            self.parts = parts;
        } else {
            self.parts += parts;
        }
    }
}

/// Next windows by (policy set, zones, end of the closed window): rows of one window move
/// together, so each is searched once.
type NextCache = Vec<(
    (usize, Vec<Tz>, DateTime<Utc>),
    Result<(DateTime<Utc>, Option<DateTime<Utc>>), WindowError>,
)>;

/// Places `rows` (whose `send_at` is their first allowed instant and `window_end` the end of
/// that window) at the pace of `rate` parts per second, before `deadline`.
pub(super) fn pace(
    rows: &mut [PlannedMessage],
    rate: NonZeroU32,
    deadline: Option<DateTime<Utc>>,
) -> Paced {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows.get(i).map(|r| r.send_at));
    let mut order = order.into_iter().peekable();
    let mut moved: BinaryHeap<Reverse<(DateTime<Utc>, usize)>> = BinaryHeap::new();
    let mut sender = Sender {
        rate: u128::from(rate.get()),
        base: None,
        parts: 0,
    };
    let mut cache = NextCache::new();
    let mut was_moved = vec![false; rows.len()];
    let mut out = Paced::default();
    loop {
        // The next row in (ready instant, contact order): the sorted rows or a moved one.
        let next_sorted = order
            .peek()
            .and_then(|&i| rows.get(i).map(|r| (r.send_at, i)));
        let next_moved = moved.peek().map(|Reverse(key)| *key);
        let (ready, index) = match (next_sorted, next_moved) {
            (Some(s), Some(m)) if m < s => {
                moved.pop();
                m
            }
            (Some(s), _) => {
                order.next();
                s
            }
            (None, Some(m)) => {
                moved.pop();
                m
            }
            (None, None) => break,
        };
        let Some(row) = rows.get_mut(index) else {
            continue;
        };
        let start = sender.start(ready);
        if deadline.is_some_and(|d| start >= d) {
            out.dropped.push((
                index,
                Exclusion::Capacity {
                    reached_at: start,
                    parts_per_second: rate,
                },
            ));
            continue;
        }
        match row.window_end {
            Some(end) if start >= end => {
                let key = (row.policies.key(), row.time_zones.clone(), end);
                let found = match cache.iter().rev().find(|(k, _)| *k == key) {
                    Some((_, found)) => found.clone(),
                    None => {
                        let found =
                            row.policies
                                .next_allowed(&row.time_zones, end)
                                .and_then(|open| {
                                    Ok((open, row.policies.window_end(&row.time_zones, open)?))
                                });
                        cache.push((key, found.clone()));
                        found
                    }
                };
                match found {
                    Ok((open, _)) if deadline.is_some_and(|d| open >= d) => {
                        out.dropped.push((
                            index,
                            Exclusion::Expired {
                                first_allowed: open,
                            },
                        ));
                    }
                    Ok((open, next_end)) => {
                        row.send_at = open;
                        row.window_end = next_end;
                        if let Some(flag) = was_moved.get_mut(index) {
                            *flag = true;
                        }
                        moved.push(Reverse((open, index)));
                    }
                    Err(e) => out.dropped.push((index, super::no_window(e))),
                }
            }
            _ => {
                row.send_at = start;
                sender.take(start, row.segments);
                *out.by_window.entry(ready).or_insert(0) += 1;
                if was_moved.get(index).copied().unwrap_or(false) {
                    out.held += 1;
                }
            }
        }
    }
    out.dropped.sort_by_key(|(i, _)| *i);
    out
}
