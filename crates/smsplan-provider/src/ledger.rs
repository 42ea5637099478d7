//! Idempotency bookkeeping shared by the gateways of this crate: which parts of which
//! message id were accepted, so that a retry sends only what is missing and a repeat
//! sends nothing.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::gateway::{Body, MessageId, OutboundMessage, ProviderError, Submission, SubmitReceipt};

/// What a submit must do, decided under the ledger's lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Begin {
    /// Send the parts whose flag is `false` (all of them on a first attempt).
    Send {
        /// One flag per part: already accepted.
        done: Vec<bool>,
    },
    /// Everything was accepted before: send nothing.
    Repeat(SubmitReceipt),
}

#[derive(Debug, Clone)]
struct Entry {
    fingerprint: u64,
    done: Vec<bool>,
    queued: bool,
    in_progress: bool,
}

/// Per-id submit state. One entry per id for the gateway's lifetime.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    entries: HashMap<MessageId, Entry>,
}

fn fingerprint(message: &OutboundMessage) -> u64 {
    let mut h = DefaultHasher::new();
    message.to().as_str().hash(&mut h);
    message.from().as_str().hash(&mut h);
    match message.body() {
        Body::Text(t) => t.hash(&mut h),
        Body::Parts(parts) => {
            for part in parts {
                part.udh.hash(&mut h);
                part.user_data().hash(&mut h);
            }
        }
    }
    h.finish()
}

impl Ledger {
    /// Starts (or resumes) the submit of a message of `parts` parts.
    pub(crate) fn begin(
        &mut self,
        message: &OutboundMessage,
        parts: u16,
    ) -> Result<Begin, ProviderError> {
        let print = fingerprint(message);
        let id = message.id();
        let entry = self.entries.entry(id.clone()).or_insert_with(|| Entry {
            fingerprint: print,
            done: vec![false; usize::from(parts)],
            queued: false,
            in_progress: false,
        });
        if entry.fingerprint != print || entry.done.len() != usize::from(parts) {
            return Err(ProviderError::InvalidRequest {
                id: id.clone(),
                reason: crate::gateway::InvalidReason::IdReused,
            });
        }
        if entry.done.iter().all(|d| *d) {
            return Ok(Begin::Repeat(SubmitReceipt {
                id: id.clone(),
                parts,
                submission: Submission::AlreadySubmitted,
            }));
        }
        if entry.in_progress {
            return Err(ProviderError::Unavailable {
                id: id.clone(),
                reason: crate::gateway::Unavailable::InProgress,
                parts_sent: sent(&entry.done),
            });
        }
        entry.in_progress = true;
        Ok(Begin::Send {
            done: entry.done.clone(),
        })
    }

    /// Records that part `index` (0-based) was accepted, queued or not.
    pub(crate) fn part_done(&mut self, id: &MessageId, index: usize, submission: Submission) {
        if let Some(entry) = self.entries.get_mut(id) {
            if let Some(flag) = entry.done.get_mut(index) {
                *flag = true;
            }
            entry.queued |= submission == Submission::Queued;
        }
    }

    /// Ends a submit attempt: returns the receipt when all parts are accepted, else
    /// how many are.
    pub(crate) fn finish(&mut self, id: &MessageId) -> Result<SubmitReceipt, u16> {
        let Some(entry) = self.entries.get_mut(id) else {
            return Err(0);
        };
        entry.in_progress = false;
        let parts = u16::try_from(entry.done.len()).unwrap_or(u16::MAX);
        if entry.done.iter().all(|d| *d) {
            Ok(SubmitReceipt {
                id: id.clone(),
                parts,
                submission: if entry.queued {
                    Submission::Queued
                } else {
                    Submission::Accepted
                },
            })
        } else {
            Err(sent(&entry.done))
        }
    }

    /// Forgets an id entirely (unless a submit of it is in flight); returns whether it
    /// was known.
    pub(crate) fn forget(&mut self, id: &MessageId) -> bool {
        if self.entries.get(id).is_some_and(|e| e.in_progress) {
            return false;
        }
        self.entries.remove(id).is_some()
    }

    /// How many ids are remembered.
    #[cfg(feature = "kannel")]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Forgets an id that was never sent at all, so that a corrected message may reuse
    /// it (an invalid request sends nothing).
    pub(crate) fn abandon_unsent(&mut self, id: &MessageId) {
        if self
            .entries
            .get(id)
            .is_some_and(|e| e.done.iter().all(|d| !*d))
        {
            self.entries.remove(id);
        }
    }
}

fn sent(done: &[bool]) -> u16 {
    u16::try_from(done.iter().filter(|d| **d).count()).unwrap_or(u16::MAX)
}
