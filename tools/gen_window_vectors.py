#!/usr/bin/env python3
"""Generate send-window test vectors with an independent brute-force reference.

For random (preset, zone, instant) triples in 2024-2030, biased towards DST switches and
public holidays, this script finds `next_allowed` and `window_end` by stepping minute by
minute in the zone's local time (python `zoneinfo`), with holidays from python `holidays`
0.109 (France, France 6AE; the years used here have no law difference with smsplan). The
presets are restated here from their sources, not read from smsplan. None of the preset
ranges touch a DST gap or fold hour, so "the local reading is inside a range of its date"
is exactly smsplan's rule for them.

Writes testdata/windows/vectors.json; crates/smsplan-core/tests/window_vectors.rs compares.
Usage: pip install holidays==0.109 && python3 tools/gen_window_vectors.py
"""
import datetime as dt
import json
import pathlib
import random
from zoneinfo import ZoneInfo

import holidays

SEED = 20261124
COUNT = 1500
OUT = pathlib.Path(__file__).resolve().parent.parent / "testdata" / "windows" / "vectors.json"

H = lambda h: h * 60  # noqa: E731
MON_SAT = {d: [(H(8), H(20))] for d in range(6)}
PRESETS = {
    # name: (ranges per weekday 0=Mon, holiday calendar or None, zones)
    "fr-commercial": (MON_SAT, "FR", ["Europe/Paris"]),
    "fr-commercial-2024": ({d: [(H(8), H(22))] for d in range(6)}, "FR", ["Europe/Paris"]),
    "fr-alsace-moselle": (MON_SAT, "FR-6AE", ["Europe/Paris"]),
    "fr-operator-legacy": ({**{d: [(H(8), H(20))] for d in range(5)}, 5: [(H(10), H(20))]}, "FR",
                           ["Europe/Paris"]),
    "us-tcpa": ({d: [(H(8), H(21))] for d in range(7)}, None,
                ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                 "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu"]),
    "us-fl": ({d: [(H(8), H(20))] for d in range(7)}, None, ["America/New_York", "America/Chicago"]),
    "us-ct": ({d: [(H(9), H(20))] for d in range(7)}, None, ["America/New_York"]),
    "us-tx": ({**{d: [(H(9), H(21))] for d in range(6)}, 6: [(H(12), H(21))]}, None,
              ["America/Chicago", "America/Denver"]),
    "in-trai": ({d: [(H(9), H(21))] for d in range(7)}, None, ["Asia/Kolkata"]),
    "vn": ({d: [(H(7), H(22))] for d in range(7)}, None, ["Asia/Ho_Chi_Minh"]),
}

CALENDARS = {
    "FR": holidays.France(years=range(2023, 2032)),
    "FR-6AE": holidays.France(subdiv="6AE", years=range(2023, 2032)),
}

UTC = dt.timezone.utc


def allowed(preset, zone, t):
    ranges, cal, _ = PRESETS[preset]
    local = t.astimezone(zone)
    if cal is not None and local.date() in CALENDARS[cal]:
        return False
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in ranges.get(local.weekday(), []))


def next_allowed(preset, zone, t):
    limit = t + dt.timedelta(days=12)
    while t < limit:
        if allowed(preset, zone, t):
            return t
        t += dt.timedelta(minutes=1)
    raise RuntimeError("no window")


def window_end(preset, zone, start):
    t = start
    while allowed(preset, zone, t):
        t += dt.timedelta(minutes=1)
    return t


def interesting_instants(rng):
    """Instants near DST switches (EU and US) and French holidays, plus uniform ones."""
    anchors = []
    for year in range(2024, 2031):
        # EU: last Sunday of March / October 01:00 UTC. US: 2nd Sunday March / 1st Sunday Nov.
        for month, in_month in ((3, -1), (10, -1)):
            last = max(d for d in range(25, 32) if dt.date(year, month, d).weekday() == 6)
            anchors.append(dt.datetime(year, month, last, 1, tzinfo=UTC))
        march = [d for d in range(1, 15) if dt.date(year, 3, d).weekday() == 6][1]
        november = [d for d in range(1, 8) if dt.date(year, 11, d).weekday() == 6][0]
        anchors.append(dt.datetime(year, 3, march, 7, tzinfo=UTC))
        anchors.append(dt.datetime(year, 11, november, 6, tzinfo=UTC))
        for day in CALENDARS["FR-6AE"]:
            if day.year == year:
                anchors.append(dt.datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
    start = dt.datetime(2024, 1, 1, tzinfo=UTC)
    while True:
        if rng.random() < 0.6:
            base = rng.choice(anchors)
            yield base + dt.timedelta(minutes=rng.randrange(-3 * 1440, 3 * 1440))
        else:
            yield start + dt.timedelta(minutes=rng.randrange(7 * 365 * 1440))


def main():
    rng = random.Random(SEED)
    instants = interesting_instants(rng)
    cases = []
    for _ in range(COUNT):
        preset = rng.choice(sorted(PRESETS))
        zone_name = rng.choice(PRESETS[preset][2])
        zone = ZoneInfo(zone_name)
        at = next(instants)
        n = next_allowed(preset, zone, at)
        e = window_end(preset, zone, n)
        z = lambda t: t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        cases.append({"policy": preset, "tz": zone_name, "at": z(at), "next_allowed": z(n),
                      "window_end": z(e)})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {"source": f"brute force, python zoneinfo + holidays {holidays.__version__}, seed {SEED}",
           "cases": cases}
    OUT.write_text(json.dumps(doc, indent=0) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
