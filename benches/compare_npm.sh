#!/usr/bin/env bash
# Compares smsplan's fragment counting with the npm counters people use (split-sms,
# sms-segments-calculator, sms-counter) on the same generated corpus, in-process and end to
# end (JSON lines in and out), and prints the ratios. Needs node and npm.
# Usage: benches/compare_npm.sh [MESSAGES]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cargo build --release --locked -q -p smsplan-cli
cargo build --release --locked -q -p smsplan-text --example fragment_corpus
(cd benches/npm && npm ci --no-audit --no-fund --silent)
target/release/examples/fragment_corpus write "$count" > "$tmp/corpus.jsonl"
echo "corpus: $count messages, $(wc -c < "$tmp/corpus.jsonl") bytes of JSON lines"

best_of_3() { # prints the best wall time in seconds of a command reading the corpus
    local best=""
    for _ in 1 2 3; do
        local start end
        start=$(date +%s.%N)
        "$@" < "$tmp/corpus.jsonl" > "$tmp/out.jsonl"
        end=$(date +%s.%N)
        best=$(echo "$start $end $best" | awk '{t=$2-$1; if ($3=="" || t<$3) print t; else print $3}')
    done
    echo "$best"
}

echo; echo "== in-process"
ours=$(target/release/examples/fragment_corpus time "$count")
echo "$ours"
node benches/npm/compare.mjs inprocess "$tmp/corpus.jsonl" | tee "$tmp/npm.txt"
ours_rate=$(echo "$ours" | awk -F'\t' '{print $3+0}')
while IFS=$'\t' read -r name _ rate _; do
    awk -v n="$name" -v o="$ours_rate" -v t="${rate%% *}" 'BEGIN { printf "ratio smsplan / %s: %.1fx\n", n, o / t }'
done < "$tmp/npm.txt"

echo; echo "== end to end, JSON lines in and out"
t_ours=$(best_of_3 target/release/smsplan fragments)
cp "$tmp/out.jsonl" "$tmp/ours.jsonl"
t_split=$(best_of_3 node benches/npm/compare.mjs cli split-sms)
awk -v a="$t_ours" -v b="$t_split" -v n="$count" 'BEGIN {
    printf "smsplan fragments: %.3f s (%.0f messages/s)\n", a, n / a
    printf "node + split-sms:  %.3f s (%.0f messages/s)\n", b, n / b
    printf "ratio: smsplan is %.1fx split-sms end to end\n", b / a
}'
counter_rate=$(awk -F'\t' '$1 ~ /^sms-counter/ {print $3+0}' "$tmp/npm.txt")
awk -v a="$t_ours" -v n="$count" -v c="$counter_rate" 'BEGIN {
    printf "ratio: smsplan fragments end to end is %.1fx sms-counter in-process (%.0f messages/s)\n", n / a / c, c
}'

echo; echo "== agreement with smsplan (segment counts)"
node benches/npm/compare.mjs agree "$tmp/corpus.jsonl" "$tmp/ours.jsonl"
