#!/usr/bin/env python3
"""Generate holiday test vectors from python `holidays` for smsplan's calendar parity test.

Writes testdata/holidays/{fr,fr-alsace-moselle,us}.json: for every year 1970-2100 the list of
{"date", "name"} pairs python `holidays` gives (English names, actual dates: no observed
shifting for the US). The Rust test (crates/smsplan-core/tests/holidays_parity.rs) compares
smsplan's computed calendars with these files and lists, with reasons, where the law and
python `holidays` disagree.

Usage: pip install holidays==0.109 && python3 tools/gen_holiday_vectors.py
"""
import json
import pathlib

import holidays

FIRST, LAST = 1970, 2100
OUT = pathlib.Path(__file__).resolve().parent.parent / "testdata" / "holidays"


def collect(make):
    years = {}
    for year in range(FIRST, LAST + 1):
        cal = make(year)
        days = []
        for date, names in sorted(cal.items()):
            # Two holidays on one date come joined by "; ".
            for name in sorted(names.split("; ")):
                days.append({"date": date.isoformat(), "name": name})
        years[str(year)] = days
    return years


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    sets = {
        "fr": lambda y: holidays.France(years=y, language="en_US"),
        # "6AE" (Alsace) and "57" (Moselle) give the same public holidays.
        "fr-alsace-moselle": lambda y: holidays.France(years=y, subdiv="6AE", language="en_US"),
        "us": lambda y: holidays.US(years=y, observed=False),
    }
    for name, make in sets.items():
        doc = {
            "source": f"python holidays {holidays.__version__}",
            "calendar": name,
            "years": collect(make),
        }
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
