#!/usr/bin/env python3
"""Generates testdata/sample/campaign.json: the bundled campaign of the main example.

Everything is invented from a fixed seed; no real person is described. Phone numbers are
drawn at random in mobile ranges (France 06, UK 07911, ...) and in the fictional 555-01xx
range for North America, then checked with python `phonenumbers` (the reference port of
libphonenumber) so that the "valid" ones are valid and the "invalid" ones are not.

    pip install phonenumbers==9.0.43   # any recent version works
    python3 testdata/sample/generate.py > testdata/sample/campaign.json

The mix: about 3,000 contacts across France (including Alsace-Moselle), the US states of
the windows issue (FL, OK, MD, CT, TX, WA, plus NY and CA) and other countries (some outside
the accepted regions); numbers written as people type them; overlapping groups; some
contacts unsubscribed, with unknown consent, quarantined, with invalid or missing numbers,
and duplicates of another contact's number written differently.
"""

import json
import random
import sys

import phonenumbers

SEED = 20261224
rng = random.Random(SEED)

FIRST = {
    "FR": ["Ana", "Louise", "Hugo", "Léa", "Jules", "Chloé", "Gabriel", "Inès", "Noé", "Zoë",
           "Maël", "Théo", "Camille", "Hélène", "Jérôme", "Éloïse", "Lucas", "Manon", "Raphaël"],
    "AM": ["Florian", "Aurélie", "Jean-Marc", "Odile", "Étienne", "Marlène", "Sébastien"],
    "US": ["Olivia", "Liam", "Emma", "Noah", "Ava", "Mason", "Sophia", "Ethan", "Mia", "Jayden"],
    "GB": ["Oliver", "Amelia", "George", "Isla", "Harry", "Freya"],
    "DE": ["Jonas", "Lena", "Lukas", "Jürgen", "Søren", "Mia"],
    "BE": ["Lotte", "Arthur", "Elise", "Wout"],
    "ES": ["Lucía", "Mateo", "Sofía", "Martín", "Nuño"],
    "CH": ["Luca", "Nina"],
    "JP": ["Yui", "Haruto"],
    "CA": ["Chloe", "William"],
}
CITIES = {
    "FR-75": "Paris", "FR-69": "Lyon", "FR-13": "Marseille", "FR-33": "Bordeaux",
    "FR-59": "Lille", "FR-44": "Nantes", "FR-31": "Toulouse",
    "FR-67": "Strasbourg", "FR-68": "Mulhouse", "FR-57": "Metz",
}
# US states of the windows issue and two more, with area codes and an IANA zone each.
US_STATES = {
    "US-FL": (["305", "407", "813"], "America/New_York"),
    "US-OK": (["405", "918"], "America/Chicago"),
    "US-MD": (["410", "301"], "America/New_York"),
    "US-CT": (["203", "860"], "America/New_York"),
    "US-TX": (["214", "512", "713"], "America/Chicago"),
    "US-WA": (["206", "509"], "America/Los_Angeles"),
    "US-NY": (["212", "718"], "America/New_York"),
    "US-CA": (["213", "415"], "America/Los_Angeles"),
}


def valid(e164):
    n = phonenumbers.parse(e164)
    return phonenumbers.is_valid_number(n)


def fr_mobile():
    while True:
        e164 = "+336" + "".join(rng.choice("0123456789") for _ in range(8))
        if valid(e164):
            return e164


def written_fr(e164):
    """A French number as people type it."""
    national = "0" + e164[3:]
    pairs = " ".join(national[i:i + 2] for i in range(0, 10, 2))
    return rng.choice([
        pairs, national, pairs.replace(" ", "."), pairs.replace(" ", "-"),
        "+33 " + national[1] + " " + " ".join(national[i:i + 2] for i in range(2, 10, 2)),
        "0033" + national[1:], e164,
    ])


def us_number(area):
    while True:
        e164 = "+1" + area + "55501" + "".join(rng.choice("0123456789") for _ in range(2))
        if valid(e164):
            return e164


def written_us(e164):
    a, b, c = e164[2:5], e164[5:8], e164[8:]
    # The project's default region is FR: US numbers carry their country code.
    return rng.choice([f"+1 {a} {b} {c}", f"+1 ({a}) {b}-{c}", f"001 {a}-{b}-{c}", f"+1{a}{b}{c}",
                       f"+1.{a}.{b}.{c}"])


def intl(prefix, digits, region):
    while True:
        e164 = prefix + "".join(rng.choice("0123456789") for _ in range(digits))
        if valid(e164) and phonenumbers.region_code_for_number(phonenumbers.parse(e164)) == region:
            return e164


OTHERS = {
    "GB": lambda: intl("+447911", 6, "GB"),
    "DE": lambda: intl("+49151", 8, "DE"),
    "BE": lambda: intl("+32470", 6, "BE"),
    "ES": lambda: intl("+346", 8, "ES"),
    "CH": lambda: intl("+4179", 7, "CH"),
    "JP": lambda: intl("+8190", 8, "JP"),
    "CA": lambda: us_number(rng.choice(["514", "416"])),
}
OTHER_WEIGHTS = {"GB": 110, "DE": 90, "BE": 60, "ES": 70, "CH": 25, "JP": 15, "CA": 30}

INVALID = ["12345", "06 12", "+33 1 23", "+999 123 456 789", "not a number", "+1 212 555",
           "0000000000", "+44 20 1234", "07 00 00 00 00 00 00"]

contacts = []
seen_ids = set()


def add(region_key, phone, subdivision=None, time_zone=None, city=None):
    cid = f"c{len(contacts) + 1:05d}"
    seen_ids.add(cid)
    first = rng.choice(FIRST[region_key])
    c = {"id": cid}
    if phone is not None:
        c["phone"] = phone
    c["email"] = f"{cid}@example.org"
    if time_zone is not None:
        c["time_zone"] = time_zone
    r = rng.random()
    if r < 0.05:
        c["consent"] = {"status": "unsubscribed", "changed_at": "2026-10-02T18:12:00+02:00",
                        "source": "STOP reply"}
    elif r < 0.08:
        c["consent"] = {"status": "unknown"}
    else:
        c["consent"] = {"status": "subscribed", "changed_at": "2025-06-14T10:30:00+02:00",
                        "source": rng.choice(["web form", "in-store tablet", "checkout"])}
    if rng.random() < 0.02:
        c["quarantine"] = {"reason": rng.choice(["bounced", "blocked", "invalid_number"])}
    fields = {}
    if rng.random() < 0.88:
        fields["first_name"] = first
    if city is not None:
        fields["city"] = city
    if subdivision is not None:
        fields["subdivision"] = subdivision
    # The template needs a promo code and has no default for it: about 1 % lack one.
    if rng.random() < 0.99:
        fields["promo_code"] = "XMAS" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                                              for _ in range(4))
    c["fields"] = fields
    contacts.append(c)
    return c


for _ in range(1450):
    sub = rng.choice(["FR-75", "FR-75", "FR-69", "FR-13", "FR-33", "FR-59", "FR-44", "FR-31"])
    add("FR", written_fr(fr_mobile()), sub, city=CITIES[sub])
for _ in range(260):
    sub = rng.choice(["FR-67", "FR-67", "FR-68", "FR-57"])
    add("AM", written_fr(fr_mobile()), sub, city=CITIES[sub])
for _ in range(760):
    state = rng.choice(list(US_STATES))
    areas, tz = US_STATES[state]
    explicit = tz if rng.random() < 0.3 else None
    add("US", written_us(us_number(rng.choice(areas))), state, time_zone=explicit)
for region, weight in OTHER_WEIGHTS.items():
    for _ in range(weight):
        e164 = OTHERS[region]()
        add(region, e164 if rng.random() < 0.5 else e164.replace("+", "00", 1))

# Invalid numbers and missing ones.
for _ in range(45):
    c = add("FR", rng.choice(INVALID), "FR-75", city="Paris")
for _ in range(20):
    add("FR", None, "FR-69", city="Lyon")
# Duplicates: another contact's number written differently.
originals = [c for c in contacts if c["id"] <= "c01710" and "phone" in c]
for _ in range(70):
    o = rng.choice(originals)
    sub = o["fields"].get("subdivision", "FR-75")
    e164 = str(phonenumbers.format_number(phonenumbers.parse(o["phone"], "FR"),
                                          phonenumbers.PhoneNumberFormat.E164))
    add("FR", written_fr(e164), sub, city=CITIES.get(sub))

for c in contacts:
    phone = c.get("phone")
    if phone is None or phone in INVALID:
        continue
    n = phonenumbers.parse(phone, "FR")
    assert phonenumbers.is_valid_number(n), (c["id"], phone)
for bad in INVALID:
    try:
        assert not phonenumbers.is_valid_number(phonenumbers.parse(bad, "FR")), bad
    except phonenumbers.NumberParseException:
        pass

ids = [c["id"] for c in contacts]
sub_of = {c["id"]: c["fields"].get("subdivision", "") for c in contacts}
groups = [
    {"id": "newsletter", "members": [i for i in ids if rng.random() < 0.62]},
    {"id": "vip", "members": [i for i in ids if rng.random() < 0.12]},
    {"id": "alsace-moselle", "members": [i for i in ids if sub_of[i] in ("FR-67", "FR-68", "FR-57")
                                         and rng.random() < 0.9]},
    {"id": "us-customers", "members": [i for i in ids if sub_of[i].startswith("US-")
                                       and rng.random() < 0.85]},
    {"id": "staff", "members": [i for i in ids if rng.random() < 0.01]},
]

campaign = {
    "format": "smsplan.campaign/v1",
    "name": "Winter sale 2026",
    "project": {"key": "email", "default_region": "FR",
                "accepted_regions": ["FR", "US", "GB", "DE", "BE", "ES", "CA"]},
    "contacts": contacts,
    "groups": groups,
    "audience": {"groups": ["newsletter", "vip", "alsace-moselle", "us-customers"],
                 "dedup": "per_number"},
    "message": {
        "template": "Hi {{first_name|there}}, winter sale: -20% with code {{promo_code}} until Dec 31. STOP 36111",
        "sender": {"kind": "alphanumeric", "value": "WINTERSHOP"},
        "class": "marketing",
    },
    "schedule": {
        "mode": "later", "at": "2026-12-24T19:45", "time_zone": "Europe/Paris",
        "deadline": "2026-12-31T20:00:00+01:00",
        "outside_window": "hold",
    },
    "credits": {"balance": "400.00", "price_per_segment": "0.045", "currency": "EUR"},
}

json.dump(campaign, sys.stdout, ensure_ascii=False, indent=2)
sys.stdout.write("\n")
print(f"{len(contacts)} contacts", file=sys.stderr)
