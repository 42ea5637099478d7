#!/usr/bin/env python3
"""End-to-end comparison: `smsplan phone` against python `phonenumbers` on the same input.

Usage: benches/phone_vs_python.sh [COUNT]   (builds the release CLI, then runs this)
       python3 benches/phone_vs_python.py SMSPLAN_BINARY [COUNT]

Both sides read the same JSON lines (numbers as people type them, seeded, mostly French with
a dozen other regions, ~10 % typos) and write one JSON object per line with e164, region,
type, valid and time_zones (or an error). Timings are process wall and CPU times (user+sys)
of each side, so the ratio holds on a shared, loaded machine. The outputs are compared.
"""

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

SEED = 4


def typed(rng):
    d = lambda n: "".join(rng.choice("0123456789") for _ in range(n))
    sep = rng.choice([" ", "", ".", "-", " "])
    r = rng.randrange(100)
    if r < 55:
        nat = "0" + rng.choice("67123459") + d(8)
        style = rng.randrange(5)
        if style == 0:
            return "+33 " + nat[1] + sep + sep.join(nat[i:i + 2] for i in range(2, 10, 2))
        if style == 1:
            return "0033" + nat[1:]
        return sep.join(nat[i:i + 2] for i in range(0, 10, 2))
    if r < 65:
        return f"+1 ({rng.choice(['212', '415', '312', '617'])}) {rng.randrange(2, 10)}{d(2)}-{d(4)}"
    if r < 72:
        return f"+44 7{rng.randrange(400, 900)}{sep}{d(6)}"
    if r < 78:
        return f"+49 15{rng.randrange(1, 3)} {d(8)}"
    if r < 83:
        return f"+32 47{rng.randrange(10)}{sep}{d(6)}"
    if r < 88:
        return f"+34 6{d(8)}"
    if r < 92:
        return f"+39 3{d(2)}{sep}{d(7)}"
    if r < 95:
        return f"+7 9{d(2)} {d(3)}-{d(2)}-{d(2)}"
    return f"+55 11 9{d(4)}-{d(4)}"


def reference(path_in, path_out):
    """The python side: the same contract as `smsplan phone --region FR`."""
    import phonenumbers as pn
    from phonenumbers import PhoneNumberType as T
    from phonenumbers.timezone import time_zones_for_number
    names = {T.FIXED_LINE: "fixed_line", T.MOBILE: "mobile", T.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
             T.TOLL_FREE: "toll_free", T.PREMIUM_RATE: "premium_rate", T.SHARED_COST: "shared_cost",
             T.VOIP: "voip", T.PERSONAL_NUMBER: "personal_number", T.PAGER: "pager", T.UAN: "uan",
             T.VOICEMAIL: "voicemail", T.UNKNOWN: "unknown"}
    errors = {0: "invalid_country_code", 1: "not_a_number", 2: "too_short", 3: "too_short", 4: "too_long"}
    reasons = {pn.ValidationResult.INVALID_COUNTRY_CODE: "invalid_country_code",
               pn.ValidationResult.TOO_SHORT: "too_short", pn.ValidationResult.TOO_LONG: "too_long"}
    with open(path_in) as src, open(path_out, "w") as out:
        for line in src:
            raw = json.loads(line)
            try:
                n = pn.parse(raw, "FR")
            except pn.NumberParseException as e:
                out.write(json.dumps({"error": {"kind": errors[e.error_type]}}) + "\n")
                continue
            if not pn.is_valid_number(n):
                kind = reasons.get(pn.is_possible_number_with_reason(n), "invalid_number")
                out.write(json.dumps({"error": {"kind": kind}}) + "\n")
                continue
            region = pn.region_code_for_number(n)
            zones = [z for z in time_zones_for_number(n) if z != "Etc/Unknown"]
            out.write(json.dumps({"e164": pn.format_number(n, pn.PhoneNumberFormat.E164),
                                  "region": None if region == "001" else region,
                                  "type": names[pn.number_type(n)], "valid": True,
                                  "time_zones": zones}) + "\n")


def timed(cmd, stdin_path, stdout_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(stdin_path) as src, open(stdout_path, "w") as out:
        subprocess.run(cmd, stdin=src, stdout=out, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--reference":
        reference(sys.argv[2], sys.argv[3])
        return
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    rng = random.Random(SEED)
    tmp = tempfile.mkdtemp(prefix="phone-vs-python-")
    src = os.path.join(tmp, "in.jsonl")
    with open(src, "w") as f:
        for _ in range(count):
            raw = typed(rng)
            if rng.randrange(10) == 0:
                raw = raw[:-1]  # a typo
            f.write(json.dumps(raw) + "\n")
    ours_out, ref_out = os.path.join(tmp, "ours.jsonl"), os.path.join(tmp, "python.jsonl")
    ours = timed([binary, "phone", "--region", "FR"], src, ours_out)
    ref = timed([sys.executable, os.path.abspath(__file__), "--reference", src, ref_out], "/dev/null", "/dev/null")
    agree = 0
    with open(ours_out) as a, open(ref_out) as b:
        for x, y in zip(a, b):
            x, y = json.loads(x), json.loads(y)
            if "error" in x:
                x = {"error": {"kind": x["error"]["kind"]}}
            agree += x == y
    print(f"{count} numbers (seed {SEED}); outputs agree on {agree} ({100 * agree / count:.2f} %)")
    for name, (wall, cpu) in (("smsplan phone", ours), ("python phonenumbers", ref)):
        print(f"{name:20} wall {wall:7.2f} s  cpu {cpu:7.2f} s  {count / cpu:10.0f} numbers per cpu-second")
    print(f"ratio (python / smsplan): wall {ref[0] / ours[0]:.1f}x, cpu {ref[1] / ours[1]:.1f}x")


if __name__ == "__main__":
    main()
