#!/usr/bin/env python3
"""Splits a smsplan.campaign/v1 document into its settings and a contact table.

Writes, beside each other under OUT_DIR:
  settings.json    the campaign without its `contacts` and `groups` keys
  contacts.csv     the contacts in the table layout of `smsplan plan --contacts`
  contacts.jsonl   the same contacts as JSON lines (groups as lists)

The contacts name their groups in a `groups` column (`;`-separated in CSV), so
`smsplan plan settings.json --contacts contacts.csv` plans exactly what
`smsplan plan campaign.json` plans. Only the standard library is used.

    python3 tools/campaign_to_table.py testdata/sample/campaign.json testdata/sample
"""
import csv
import json
import sys
from pathlib import Path

STANDARD = ["id", "phone", "email", "consent_status", "consent_changed_at",
            "consent_source", "time_zone", "quarantined", "groups"]


def rows(campaign):
    memberships = {}
    for group in campaign.get("groups", []):
        for member in group["members"]:
            memberships.setdefault(member, []).append(group["id"])
    for contact in campaign["contacts"]:
        consent = contact.get("consent") or {}
        row = {
            "id": contact["id"],
            "phone": contact.get("phone"),
            "email": contact.get("email"),
            "consent_status": consent.get("status"),
            "consent_changed_at": consent.get("changed_at"),
            "consent_source": consent.get("source"),
            "time_zone": contact.get("time_zone"),
            "quarantined": (contact.get("quarantine") or {}).get("reason"),
            "groups": memberships.get(contact["id"], []),
        }
        row.update(contact.get("fields") or {})
        yield row


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    campaign = json.loads(source.read_text(encoding="utf-8"))
    table = list(rows(campaign))
    for contact in table:
        for group in contact["groups"]:
            if ";" in group:
                sys.exit("group id %r contains the list separator `;`" % group)
    fields = sorted({k for row in table for k in row} - set(STANDARD))
    settings = {k: v for k, v in campaign.items() if k not in ("contacts", "groups")}
    (out / "settings.json").write_text(
        json.dumps(settings, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with open(out / "contacts.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(STANDARD + fields)
        for row in table:
            cells = dict(row, groups=";".join(row["groups"]))
            writer.writerow(["" if cells.get(k) is None else cells[k] for k in STANDARD + fields])
    with open(out / "contacts.jsonl", "w", encoding="utf-8") as f:
        for row in table:
            compact = {k: v for k, v in row.items() if v is not None}
            f.write(json.dumps(compact, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
