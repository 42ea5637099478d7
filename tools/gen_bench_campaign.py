#!/usr/bin/env python3
"""Writes a large invented campaign (smsplan.campaign/v1) for the end-to-end plan benchmark.

    python3 tools/gen_bench_campaign.py 1000000 > /tmp/bench_1m.json
    python3 tools/gen_bench_campaign.py 1000000 --rich > /tmp/bench_1m_rich.json
    /usr/bin/time -v target/release/smsplan plan /tmp/bench_1m.json --now 2026-12-20T10:00:00+01:00 > /dev/null

Seeded; no real people.

The default shape: numbers random in French mobile and US ranges, typed in mixed
notations; about 5 % unsubscribed; five overlapping groups, all selected; Alsace-Moselle and
US-state subdivisions; a short English template.

`--rich` (the shape of issue 14, 189 MB for 1M contacts): each contact has an e-mail, a
consent block with its date and source and one personalization field (`first_name`, some
with accents or an emoji); numbers in French, Belgian and US ranges typed as people write
them (spaces, dots, dashes, `+33`, `0033`, parentheses); four groups of 0.28-0.45M members
(1.6M memberships), three of them selected; a 150-character French template with `€`, so
that many messages take two parts.
"""

import json
import random
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
rich = "--rich" in sys.argv[1:]
n = int(args[0]) if args else 1_000_000
out = sys.stdout


def plain():
    rng = random.Random(20261224)
    SUBS = ["FR-75", "FR-69", "FR-67", "US-TX", "US-FL", "US-WA", "US-NY", "FR-13"]
    NAMES = ["Ana", "Zoë", "Jérôme", "Liam", "Chloé 🎄", "Noah", "Hélène", "Mia"]
    AREAS = ["214", "305", "206", "212"]
    out.write('{"format":"smsplan.campaign/v1","name":"Bench","project":{"key":"email","default_region":"FR"},"contacts":[')
    for i in range(n):
        sub = SUBS[rng.randrange(8)]
        d = rng.randrange(10_000_000, 99_999_999)
        if sub.startswith("US"):
            phone = f"+1 {AREAS[rng.randrange(4)]} {200 + d % 800} {d // 1000 % 10000:04d}"
        elif d & 1:
            phone = f"06 {d // 1000000 % 100:02d} {d // 10000 % 100:02d} {d // 100 % 100:02d} {d % 100:02d}"
        else:
            phone = f"+33 6{d:08d}"
        status = "unsubscribed" if rng.randrange(20) == 3 else "subscribed"
        c = {"id": f"c{i}", "phone": phone, "consent": {"status": status},
             "fields": {"first_name": NAMES[rng.randrange(8)], "subdivision": sub}}
        if i:
            out.write(",")
        out.write(json.dumps(c, ensure_ascii=False, separators=(",", ":")))
    out.write('],"groups":[')
    for g in range(5):
        if g:
            out.write(",")
        members = [f"c{i}" for i in range(n) if i % 5 == g or i % 7 == g]
        out.write(json.dumps({"id": f"g{g}", "members": members}, separators=(",", ":")))
    out.write('],"audience":{"groups":["g0","g1","g2","g3","g4"],"dedup":"per_number"},')
    out.write('"message":{"template":"Hi {{first_name|there}}, winter sale -20% until Dec 31 on shop.example. STOP 36111",'
              '"sender":{"kind":"alphanumeric","value":"SHOP"}},')
    out.write('"schedule":{"mode":"later","at":"2026-12-24T19:45","time_zone":"Europe/Paris"},')
    out.write('"credits":{"balance":"100000.00","price_per_segment":"0.045","currency":"EUR"}}\n')


def typed_fr(rng, d):
    nat = f"06{d:08d}" if rng.randrange(4) else f"07{d:08d}"
    pairs = [nat[i:i + 2] for i in range(0, 10, 2)]
    style = rng.randrange(7)
    if style == 0:
        return " ".join(pairs)
    if style == 1:
        return nat
    if style == 2:
        return ".".join(pairs)
    if style == 3:
        return "-".join(pairs)
    if style == 4:
        return "+33 " + nat[1] + " " + " ".join(pairs[1:])
    if style == 5:
        return "+33" + nat[1:]
    return "0033 " + nat[1:]


def richer():
    rng = random.Random(20261214)
    NAMES = ["Ana", "Zoë", "Jérôme", "Liam", "Chloé 🎄", "Noah", "Hélène", "Mia", "Léa", "Gabriel",
             "Inès", "Raphaël", "Louise", "Maël", "Jade", "Arthur", "Anaïs", "Noé", "Manon ✨", "Hugo",
             "Céline", "François", "Agnès", "Théo"]
    SOURCES = ["web form", "checkout", "store", "import", "keyword"]
    AREAS = ["212", "415", "312", "617"]
    SIZES = [0.45, 0.45, 0.42, 0.28]
    members = [[] for _ in SIZES]
    out.write('{"format":"smsplan.campaign/v1","name":"Soldes d\'hiver","project":{"key":"email",'
              '"default_region":"FR","accepted_regions":["FR","BE","US"]},"contacts":[')
    for i in range(n):
        d = rng.randrange(10_000_000, 99_999_999)
        r = rng.randrange(100)
        if r < 82:
            phone = typed_fr(rng, d)
        elif r < 90:
            phone = f"+32 47{d % 10} {d // 10 % 1000000:06d}" if r & 1 else f"+32 4{70 + d % 30}.{d // 100 % 100:02d}.{d // 10000 % 100:02d}.{d % 100:02d}"
        else:
            phone = f"+1 ({AREAS[d % 4]}) {200 + d % 800}-{d // 1000 % 10000:04d}"
        status = "unsubscribed" if rng.randrange(25) == 3 else "subscribed"
        month, day = 1 + rng.randrange(12), 1 + rng.randrange(28)
        consent = {"status": status,
                   "changed_at": f"2025-{month:02d}-{day:02d}T{8 + rng.randrange(12):02d}:{rng.randrange(60):02d}:00" + ("Z" if i & 1 else f"+0{1 + (3 < month < 11)}:00"),
                   "source": SOURCES[rng.randrange(len(SOURCES))]}
        c = {"id": f"c{i}", "phone": phone, "email": f"c{i}@mail.example", "consent": consent,
             "fields": {"first_name": NAMES[rng.randrange(len(NAMES))]}}
        for g, p in enumerate(SIZES):
            if rng.random() < p:
                members[g].append(c["id"])
        if i:
            out.write(",")
        out.write(json.dumps(c, ensure_ascii=False, separators=(",", ":")))
    out.write('],"groups":[')
    for g, ids in enumerate(members):
        if g:
            out.write(",")
        out.write(json.dumps({"id": f"g{g}", "members": ids}, separators=(",", ":")))
    out.write('],"audience":{"groups":["g0","g1","g2"],"dedup":"per_number"},')
    template = ("Bonjour {{first_name|à vous}}, les soldes d'hiver commencent : -30 % sur tout le "
                "magasin et 10 € offerts dès 50 € d'achat jusqu'au 31/12. STOP au 36111")
    out.write(json.dumps({"message": {"template": template,
                                      "sender": {"kind": "alphanumeric", "value": "BOUTIQUE"}}},
                         ensure_ascii=False, separators=(",", ":"))[1:-1] + ",")
    out.write('"schedule":{"mode":"later","at":"2026-12-24T19:45","time_zone":"Europe/Paris"},')
    out.write('"credits":{"balance":"200000.00","price_per_segment":"0.045","currency":"EUR"}}\n')


richer() if rich else plain()
