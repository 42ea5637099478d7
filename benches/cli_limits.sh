#!/usr/bin/env bash
# The three end-to-end targets of issue 14 in one run: `smsplan plan` on the 1M-contact
# rich campaign (wall, CPU, peak memory, the command's phase lines), `smsplan fragments`
# against the npm counters (benches/compare_npm.sh) and `smsplan phone` against python
# phonenumbers (benches/phone_vs_python.sh), with the load average before and after each.
# Usage: benches/cli_limits.sh [CONTACTS] [MESSAGES] [NUMBERS]
set -euo pipefail
cd "$(dirname "$0")/.."
contacts=${1:-1000000}
messages=${2:-200000}
numbers=${3:-200000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

cargo build --release --locked -q -p smsplan-cli
python3 tools/gen_bench_campaign.py "$contacts" --rich > "$tmp/campaign.json"
echo "== smsplan plan: $contacts contacts, $(( $(stat -c %s "$tmp/campaign.json") / 1000000 )) MB"
for round in 1 2; do
    load
    /usr/bin/time -f "round $round: %e s wall, %U s user + %S s sys, peak %M KB" \
        target/release/smsplan plan "$tmp/campaign.json" --now 2026-12-20T10:00:00+01:00 \
        -o "$tmp/plan.json"
done
load
echo; echo "== smsplan fragments"
benches/compare_npm.sh "$messages"
load
echo; echo "== smsplan phone"
benches/phone_vs_python.sh "$numbers"
load
