//! A bounded, de-duplicating queue of gateway events shared by the gateways of this
//! crate: a repeated delivery report (same message, part and state) or a repeated
//! inbound message (same gateway id) is dropped.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};

use crate::delivery::DeliveryState;
use crate::gateway::{GatewayEvent, MessageId};

/// How many events may wait for [`crate::gateway::Gateway::poll_events`].
pub(crate) const QUEUE_CAP: usize = 200_000;
/// How many event keys are remembered to drop duplicates.
const SEEN_CAP: usize = 400_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Delivery(MessageId, u16, DeliveryState),
    Inbound(String),
}

fn key(event: &GatewayEvent) -> Key {
    match event {
        GatewayEvent::Delivery(r) => Key::Delivery(r.message.clone(), r.part, r.state),
        GatewayEvent::Inbound(m) => Key::Inbound(m.id.clone()),
    }
}

/// What happened to an offered event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Offer {
    /// Queued for polling.
    Queued,
    /// Seen before: dropped.
    Duplicate,
    /// The queue is full: dropped, the sender should retry later.
    Full,
}

#[derive(Debug, Default)]
struct Inner {
    queue: VecDeque<GatewayEvent>,
    seen: HashSet<Key>,
    order: VecDeque<Key>,
}

/// The queue. Interior mutability: shared by a gateway and its callback handler.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    inner: Mutex<Inner>,
}

impl EventQueue {
    pub(crate) fn offer(&self, event: GatewayEvent) -> Offer {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let k = key(&event);
        if inner.seen.contains(&k) {
            return Offer::Duplicate;
        }
        if inner.queue.len() >= QUEUE_CAP {
            return Offer::Full;
        }
        inner.seen.insert(k.clone());
        inner.order.push_back(k);
        if inner.order.len() > SEEN_CAP
            && let Some(old) = inner.order.pop_front()
        {
            inner.seen.remove(&old);
        }
        inner.queue.push_back(event);
        Offer::Queued
    }

    pub(crate) fn poll(&self, max: usize) -> Vec<GatewayEvent> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let n = max.min(inner.queue.len());
        inner.queue.drain(..n).collect()
    }
}
