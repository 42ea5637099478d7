#!/usr/bin/env python3
"""Writes a large invented campaign (smsplan.campaign/v1) for the end-to-end plan benchmark.

    python3 tools/gen_bench_campaign.py 1000000 > /tmp/bench_1m.json
    /usr/bin/time -v target/release/smsplan plan /tmp/bench_1m.json --now 2026-12-20T10:00:00+01:00 > /dev/null

Seeded; numbers are random in French mobile and US ranges, typed in mixed notations; about
5 % unsubscribed; five overlapping groups; Alsace-Moselle and US-state subdivisions.
"""

import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rng = random.Random(20261224)
SUBS = ["FR-75", "FR-69", "FR-67", "US-TX", "US-FL", "US-WA", "US-NY", "FR-13"]
NAMES = ["Ana", "Zoë", "Jérôme", "Liam", "Chloé 🎄", "Noah", "Hélène", "Mia"]
AREAS = ["214", "305", "206", "212"]

out = sys.stdout
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
