#!/usr/bin/env bash
# End-to-end `smsplan plan` over N generated contacts (default 1,000,000) in the three
# forms it reads: embedded in the campaign JSON, a CSV contacts file and a JSON-lines
# contacts file (tools/campaign_to_table.py splits the campaign). Each form runs ROUNDS
# times (default 3), alternating, so the machine's load hits them alike; prints wall and
# CPU time and peak memory of each run, the time the campaign and its contacts were read
# and converted (the command's own progress line), and checks that the three plans are identical.
# Usage: benches/contacts_1m.sh [CONTACTS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
rounds=${2:-3}
now=2026-12-20T10:00:00+01:00
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cargo build --release --locked -q -p smsplan-cli
python3 tools/gen_bench_campaign.py "$count" > "$tmp/campaign.json"
python3 tools/campaign_to_table.py "$tmp/campaign.json" "$tmp"
for f in campaign.json settings.json contacts.csv contacts.jsonl; do
    printf '%-15s %6d MB\n' "$f" $(( $(stat -c %s "$tmp/$f") / 1000000 ))
done

run() { # form, round
    local form=$1 args
    case $form in
        embedded) args=("$tmp/campaign.json") ;;
        csv) args=("$tmp/settings.json" --contacts "$tmp/contacts.csv") ;;
        jsonl) args=("$tmp/settings.json" --contacts "$tmp/contacts.jsonl") ;;
    esac
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "$form round $2: %e s wall, %U s user + %S s sys, peak %M KB (load $load)" \
        target/release/smsplan plan "${args[@]}" --now "$now" -o "$tmp/$form.plan.json" \
        2> "$tmp/err"
    grep -v '^smsplan plan:' "$tmp/err"
    sed -n 's/^smsplan plan: checked the campaign (\(.*\))$/    read and converted after \1/p' "$tmp/err"
}

for round in $(seq "$rounds"); do
    for form in embedded csv jsonl; do
        run "$form" "$round"
    done
done
cmp "$tmp/embedded.plan.json" "$tmp/csv.plan.json"
cmp "$tmp/embedded.plan.json" "$tmp/jsonl.plan.json"
echo "the three plans are identical ($(( $(stat -c %s "$tmp/embedded.plan.json") / 1000000 )) MB)"
