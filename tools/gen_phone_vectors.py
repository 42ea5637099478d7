#!/usr/bin/env python3
"""Generates testdata/phone/vectors.jsonl from python `phonenumbers` (the reference port).

Usage: pip install phonenumbers==9.0.43 && python3 tools/gen_phone_vectors.py [--out PATH]

Each output line is one case:
  {"raw": "...", "region": "FR" | null, "e164": "+33612345678", "number_region": "FR" | null,
   "type": "mobile", "time_zones": ["Europe/Paris"]}
or, for a number that does not parse or is not valid,
  {"raw": "...", "region": "FR" | null, "error": "too_short"}

`region` is the default region given to the parser (null: none). `number_region` is null for
non-geographic entities (libphonenumber's "001"). Error kinds: a parse failure maps
INVALID_COUNTRY_CODE -> invalid_country_code, NOT_A_NUMBER -> not_a_number,
TOO_SHORT_AFTER_IDD and TOO_SHORT_NSN -> too_short, TOO_LONG -> too_long; a parsed number that is
not valid maps is_possible_number_with_reason: INVALID_COUNTRY_CODE -> invalid_country_code,
TOO_SHORT -> too_short, TOO_LONG -> too_long, anything else -> invalid_number.
`time_zones` follows phonenumbers.timezone.time_zones_for_number, with the "Etc/Unknown"
placeholder written as an empty list.

The corpus is seeded and deterministic: examples of every number type of every region written
in several notations, each also parsed with foreign default regions, plus mutations (digits
dropped, added or changed, letters, noise) and random digit strings.
"""

import json
import random
import sys
from pathlib import Path

import phonenumbers as pn
from phonenumbers import PhoneNumberFormat as F
from phonenumbers import PhoneNumberType as T
from phonenumbers import NumberParseException as E
from phonenumbers import ValidationResult as V
from phonenumbers.timezone import time_zones_for_number

SEED = 20260101
OUT = Path(__file__).resolve().parent.parent / "testdata" / "phone" / "vectors.jsonl"

TYPE_NAMES = {
    T.FIXED_LINE: "fixed_line",
    T.MOBILE: "mobile",
    T.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    T.TOLL_FREE: "toll_free",
    T.PREMIUM_RATE: "premium_rate",
    T.SHARED_COST: "shared_cost",
    T.VOIP: "voip",
    T.PERSONAL_NUMBER: "personal_number",
    T.PAGER: "pager",
    T.UAN: "uan",
    T.VOICEMAIL: "voicemail",
    T.UNKNOWN: "unknown",
}
PARSE_ERRORS = {
    E.INVALID_COUNTRY_CODE: "invalid_country_code",
    E.NOT_A_NUMBER: "not_a_number",
    E.TOO_SHORT_AFTER_IDD: "too_short",
    E.TOO_SHORT_NSN: "too_short",
    E.TOO_LONG: "too_long",
}
POSSIBLE_ERRORS = {
    V.INVALID_COUNTRY_CODE: "invalid_country_code",
    V.TOO_SHORT: "too_short",
    V.TOO_LONG: "too_long",
}
# Regions people write most in the samples of the project, used as foreign default regions.
COMMON = ["FR", "US", "GB", "DE", "IT", "ES", "RU", "BY", "IL", "BR", "IN", "CN", "JP", "MX",
          "AR", "ID", "AU", "NZ", "ZA", "NG", "CI", "GA", "BE", "CH", "NL", "PL", "UA", "KZ"]
# Cases pinned by the issue (defects of the `phonenumber` crate).
PINNED = [
    ("+78005553535", "RU"), ("+78005553535", None), ("8 800 555 35 35", "RU"),
    ("+375 801 123 4567", "BY"), ("+3758011234567", None), ("8 801 123 4567", "BY"),
    ("+375 29 123 4567", "FR"), ("+39 02 1234 5678", "FR"), ("+39 02 1234 5678", "IT"),
    ("02 1234 5678", "IT"), ("+241 06 03 12 34", "FR"), ("+7 812 123 45 67", "FR"),
    ("+97233142764978", "IL"), ("+97233142764978", None), ("+33 0612345678", "FR"),
    ("06 12 34 56 78", "FR"), ("0033 6 12 34 56 78", "FR"), ("+1 212 555 0100", "FR"),
]


def case(raw, region):
    out = {"raw": raw, "region": region}
    try:
        num = pn.parse(raw, region)
    except E as err:
        out["error"] = PARSE_ERRORS[err.error_type]
        return out
    if not pn.is_valid_number(num):
        out["error"] = POSSIBLE_ERRORS.get(pn.is_possible_number_with_reason(num), "invalid_number")
        return out
    number_region = pn.region_code_for_number(num)
    out["e164"] = pn.format_number(num, F.E164)
    out["number_region"] = None if number_region == "001" else number_region
    out["type"] = TYPE_NAMES[pn.number_type(num)]
    out["time_zones"] = [z for z in time_zones_for_number(num) if z != "Etc/Unknown"]
    return out


def notations(num, rng):
    """The ways people write one number."""
    e164 = pn.format_number(num, F.E164)
    intl = pn.format_number(num, F.INTERNATIONAL)
    national = pn.format_number(num, F.NATIONAL)
    digits = "".join(c for c in national if c.isdigit())
    yield e164
    yield intl
    yield "00" + e164[1:]
    yield national
    yield digits
    yield intl.replace(" ", ".")
    yield intl.replace(" ", "-")
    yield national.replace(" ", "")
    groups = intl.split(" ")
    if len(groups) > 2:
        yield f"{groups[0]} ({groups[1]}) {' '.join(groups[2:])}"
    # Someone wrote the trunk prefix after the country code: +33 (0)6 ...
    yield f"{groups[0]} (0){''.join(groups[1:])}"
    yield " " + e164 + " "
    yield rng.choice(["tel:", "Tel. ", ""]) + intl


def mutations(num, rng):
    """Typing mistakes over one number."""
    e164 = pn.format_number(num, F.E164)
    national = "".join(c for c in pn.format_number(num, F.NATIONAL) if c.isdigit())
    for text in (e164, national):
        if len(text) > 3:
            i = rng.randrange(1, len(text))
            yield text[:i] + text[i + 1:]  # a digit dropped
            yield text + str(rng.randrange(10))  # a digit added
            yield text + str(rng.randrange(10)) + str(rng.randrange(10))
            i = rng.randrange(1, len(text))
            yield text[:i] + str(rng.randrange(10)) + text[i + 1:]  # a digit changed
            yield text[: len(text) // 2]
            yield text[:i] + "x" + text[i:]
    yield e164 + " ext. 12"


def random_inputs(rng, count):
    alphabet = "0123456789"
    for _ in range(count):
        length = rng.randrange(1, 18)
        digits = rng.choice("123456789") + "".join(rng.choice(alphabet) for _ in range(length))
        style = rng.randrange(5)
        if style == 0:
            yield "+" + digits, None
        elif style == 1:
            yield "+" + digits, rng.choice(COMMON)
        elif style == 2:
            yield "0" + digits, rng.choice(COMMON)
        elif style == 3:
            yield digits, rng.choice(COMMON)
        else:
            yield "00" + digits, rng.choice(COMMON)
    for text in ["", " ", "abc", "+", "++33612345678", "+33 6 12 34 56 7a", "N/A", "0",
                 "+0", "+000", "1-800-FLOWERS", "06.12.34.56.78.90.12.34.56.78.90.12",
                 "+33612345678/+33612345679", "#31#0612345678", "+(33) 6 12"]:
        yield text, "FR"
        yield text, None


def main():
    rng = random.Random(SEED)
    seen = set()
    rows = []

    def add(raw, region):
        if (raw, region) in seen:
            return
        seen.add((raw, region))
        rows.append(case(raw, region))

    for raw, region in PINNED:
        add(raw, region)
    regions = sorted(pn.SUPPORTED_REGIONS)
    examples = []
    for region in regions:
        for kind in TYPE_NAMES:
            if kind == T.UNKNOWN:
                continue
            num = pn.example_number_for_type(region, kind)
            if num is not None:
                examples.append((region, num))
    for code in sorted(pn.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        num = pn.example_number_for_non_geo_entity(code)
        if num is not None:
            examples.append((None, num))
    for region, num in examples:
        home = region or rng.choice(COMMON)
        written = list(notations(num, rng))
        # E.164 and the national notation always; then a sample of the other notations.
        for text in written[:1] + written[3:4] + rng.sample(written[1:3] + written[4:], 3):
            add(text, home)
        add(written[0], None)
        add(rng.choice(written[:3]), rng.choice(COMMON))  # international, foreign default
        for text in rng.sample(list(mutations(num, rng)), 3):
            add(text, home)
    for raw, region in random_inputs(rng, 4000):
        add(raw, region)

    out_path = Path(sys.argv[2]) if sys.argv[1:2] == ["--out"] else OUT
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    valid = sum(1 for r in rows if "e164" in r)
    used = {r["region"] for r in rows} | {r.get("number_region") for r in rows}
    print(f"{len(rows)} cases ({valid} valid) over {len(used - {None})} regions, "
          f"phonenumbers {pn.__version__}, into {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
