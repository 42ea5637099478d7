#!/usr/bin/env bash
# The report of a 1M-contact plan, end to end: generates the campaign
# (tools/gen_bench_campaign.py), plans it, then times `smsplan report` and prints the
# report's size. Peer in the same run: `smsplan plan` on the same campaign.
#
#     benches/report_1m.sh [CONTACTS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cargo build --release --locked -p smsplan-cli >&2
python3 tools/gen_bench_campaign.py "$n" > "$dir/campaign.json"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "plan:   %e s wall, %U s user, %S s system, peak %M KB" \
    target/release/smsplan plan "$dir/campaign.json" --now 2026-12-20T10:00:00+01:00 \
    > "$dir/plan.json" 2> "$dir/plan.err" || { cat "$dir/plan.err" >&2; exit 1; }
tail -1 "$dir/plan.err"
echo "plan file: $(stat -c %s "$dir/plan.json") bytes"
for run in 1 2 3; do
    /usr/bin/time -f "report: %e s wall, %U s user, %S s system, peak %M KB (run $run)" \
        target/release/smsplan report "$dir/plan.json" -o "$dir/report.html"
done
echo "report file: $(stat -c %s "$dir/report.html") bytes"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
