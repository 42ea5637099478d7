//! The seeded, invented campaign corpus of the plan benchmarks.

use chrono::NaiveDate;
use smsplan_core::audience::{Project, ProjectKey, Selection};
use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId};
use smsplan_core::dedup::DedupMode;
use smsplan_core::group::{Group, GroupId};
use smsplan_core::money::{Currency, Money};
use smsplan_core::phone::Region;
use smsplan_core::plan::{Campaign, Credits, Message, Timing};
use smsplan_core::schedule::Schedule;
use smsplan_core::sender::SenderKind;
use smsplan_core::template::Template;

const SEED: u64 = 20_261_224;

fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// A campaign of `n` contacts in 5 overlapping groups.
pub fn campaign(n: usize) -> Campaign {
    let mut s = SEED;
    let names = [
        "Ana",
        "Zoë",
        "Jérôme",
        "Liam",
        "Chloé 🎄",
        "Noah",
        "Hélène",
        "Mia",
    ];
    let subs = [
        "FR-75", "FR-69", "FR-67", "US-TX", "US-FL", "US-WA", "US-NY", "FR-13",
    ];
    let contacts: Vec<Contact> = (0..n)
        .map(|i| {
            let r = next(&mut s);
            let sub = subs[(r % 8) as usize];
            let digits = 10_000_000 + (next(&mut s) % 89_999_999);
            let phone = if sub.starts_with("US") {
                let area = ["214", "305", "206", "212"][(r >> 8) as usize % 4];
                // Invented numbers in real area codes; exchanges 200–999.
                format!(
                    "+1 {area} {} {:04}",
                    200 + digits % 800,
                    digits / 1000 % 10_000
                )
            } else if r & 1 == 0 {
                format!(
                    "06 {:02} {:02} {:02} {:02}",
                    digits / 1_000_000 % 100,
                    digits / 10_000 % 100,
                    digits / 100 % 100,
                    digits % 100
                )
            } else {
                format!("+33 6{digits:08}")
            };
            let consent = if r % 20 == 3 {
                ConsentStatus::Unsubscribed
            } else {
                ConsentStatus::Subscribed
            };
            Contact::new(ContactId::new(format!("c{i}")).unwrap())
                .with_phone(phone)
                .with_field("first_name", names[(r >> 16) as usize % 8])
                .with_field("subdivision", sub)
                .with_consent(Consent::new(consent))
        })
        .collect();
    let groups: Vec<Group> = (0..5)
        .map(|g| {
            Group::new(
                GroupId::new(format!("g{g}")).unwrap(),
                contacts
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 5 == g || i % 7 == g)
                    .map(|(_, c)| c.id.clone()),
            )
        })
        .collect();
    let selected: Vec<GroupId> = groups.iter().map(|g| g.id.clone()).collect();
    let eur = |s| Money::parse(s, Currency::EUR).unwrap();
    let template =
        "Hi {{first_name|there}}, winter sale -20% until Dec 31 on shop.example. STOP 36111";
    let mut message = Message::new(Template::parse(template).unwrap());
    message.sender = Some((SenderKind::Alphanumeric, "SHOP".into()));
    let at = NaiveDate::from_ymd_opt(2026, 12, 24)
        .unwrap()
        .and_hms_opt(19, 45, 0)
        .unwrap();
    Campaign::new(
        "bench".parse().unwrap(),
        (
            Project::new(ProjectKey::Email, Region::FR),
            contacts,
            groups,
        ),
        Selection::new(selected, DedupMode::PerNumber),
        message,
        Timing::new(Schedule::Later {
            local: at,
            zone: chrono_tz::Europe::Paris,
        }),
        Credits {
            balance: eur("100000.00"),
            price_per_segment: eur("0.045"),
        },
    )
}
