//! Seeded, generated corpora for the audience benchmarks: numbers as people type them (never
//! real people: random digits in valid ranges), contacts and groups.
#![allow(
    dead_code,
    reason = "shared by several bench and example targets, each using a part"
)]
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    reason = "bench corpus generator"
)]

use smsplan_core::audience::{Project, ProjectKey};
use smsplan_core::contact::{Consent, ConsentStatus, Contact, ContactId, QuarantineReason};
use smsplan_core::group::{Group, GroupId};
use smsplan_core::phone::Region;

// The workspace's seeded SplitMix64, shared with the fragment corpus.
#[allow(dead_code, reason = "only its generator is used here")]
#[path = "../../../smsplan-text/benches/corpus/mod.rs"]
mod texts;

pub use texts::Rng;

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

/// The project of the audience benchmarks: default region FR, six accepted regions.
pub fn project() -> Project {
    Project::new(ProjectKey::Email, Region::FR).with_accepted_regions([
        Region::FR,
        Region::BE,
        Region::DE,
        Region::GB,
        Region::US,
        Region::ES,
    ])
}

/// Groups digits with a separator: "0612345678" by [2,2,2,2,2] and " ".
fn grouped(digits: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (i, size) in sizes.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(&digits[at..(at + size).min(digits.len())]);
        at += size;
    }
    out
}

/// One valid number written as a person would, mostly French (the default region FR),
/// with foreign numbers in international notation.
pub fn typed_number(rng: &mut Rng) -> String {
    let sep = rng.pick(&[" ", "", ".", "-", " "]);
    match rng.below(100) {
        // French mobiles and landlines, national or international.
        0..=54 => {
            let first = rng.pick(&["6", "7", "1", "2", "3", "4", "5", "9"]);
            let national = format!("0{first}{}", digits(rng, 8));
            match rng.below(6) {
                0 => format!("+33 {}", grouped(&national[1..], &[1, 2, 2, 2, 2], sep)),
                1 => format!("0033{}", &national[1..]),
                2 => format!("+33 (0){}", &national[1..]),
                _ => grouped(&national, &[2, 2, 2, 2, 2], sep),
            }
        }
        55..=64 => {
            let area = rng.pick(&["212", "415", "312", "617", "305", "713", "206", "404"]);
            let exchange = format!("{}{}", 2 + rng.below(8), digits(rng, 2));
            match rng.below(3) {
                0 => format!("+1 ({area}) {exchange}-{}", digits(rng, 4)),
                1 => format!("+1-{area}-{exchange}-{}", digits(rng, 4)),
                _ => format!("001 {area} {exchange} {}", digits(rng, 4)),
            }
        }
        65..=71 => format!("+44 7{}{sep}{}", 400 + rng.below(500), digits(rng, 6)),
        72..=77 => format!("+49 15{} {}", 1 + rng.below(2), digits(rng, 8)),
        78..=82 => format!(
            "+32 47{}{sep}{}",
            rng.below(10),
            grouped(&digits(rng, 6), &[2, 2, 2], sep)
        ),
        83..=86 => format!("+34 6{}", grouped(&digits(rng, 8), &[2, 3, 3], sep)),
        87..=89 => format!("+39 3{}{sep}{}", digits(rng, 2), digits(rng, 7)),
        90..=92 => format!(
            "+7 9{} {}-{}-{}",
            digits(rng, 2),
            digits(rng, 3),
            digits(rng, 2),
            digits(rng, 2)
        ),
        93..=95 => format!("+55 11 9{}-{}", digits(rng, 4), digits(rng, 4)),
        96..=97 => format!("+91 9{}{sep}{}", digits(rng, 4), digits(rng, 5)),
        _ => format!("+262 692{sep}{}", grouped(&digits(rng, 6), &[2, 2, 2], sep)),
    }
}

/// `n` numbers as people type them.
pub fn typed_numbers(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| typed_number(&mut rng)).collect()
}

/// `n` contacts: about 2 % without a number, 3 % with a typo, 3 % sharing another's number
/// (in a different notation), consent 85 % subscribed, 5 % unsubscribed, 10 % unknown, and
/// 1 % in quarantine.
pub fn contacts(n: usize, seed: u64) -> Vec<Contact> {
    let mut rng = Rng::new(seed);
    let mut numbers: Vec<String> = Vec::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut contact = Contact::new(ContactId::new(format!("c{i:07}")).unwrap());
        let roll = rng.below(100);
        let phone = match roll {
            0..=1 => None,
            2..=4 => {
                let mut typo = typed_number(&mut rng);
                typo.pop();
                Some(typo)
            }
            5..=7 if !numbers.is_empty() => {
                let earlier = &numbers[rng.below(numbers.len())];
                Some(earlier.replace(' ', ""))
            }
            _ => Some(typed_number(&mut rng)),
        };
        if let Some(p) = &phone {
            numbers.push(p.clone());
            contact.phone = Some(p.clone());
        }
        let status = match rng.below(100) {
            0..=84 => ConsentStatus::Subscribed,
            85..=89 => ConsentStatus::Unsubscribed,
            _ => ConsentStatus::Unknown,
        };
        contact.consent = Consent::new(status);
        if rng.below(100) == 0 {
            contact.quarantine = Some(QuarantineReason::Bounced);
        }
        contact
            .fields
            .insert("first_name", format!("Name{}", i % 1000));
        out.push(contact);
    }
    out
}

/// Five groups over the contacts: each contact in one or two of them.
pub fn groups(contacts: &[Contact], seed: u64) -> Vec<Group> {
    let mut rng = Rng::new(seed);
    let mut members: Vec<Vec<ContactId>> = vec![Vec::new(); 5];
    for contact in contacts {
        let first = rng.below(5);
        members[first].push(contact.id.clone());
        if rng.below(3) == 0 {
            members[(first + 1 + rng.below(4)) % 5].push(contact.id.clone());
        }
    }
    members
        .into_iter()
        .enumerate()
        .map(|(i, m)| Group::new(GroupId::new(format!("g{i}")).unwrap(), m))
        .collect()
}
