#!/usr/bin/env bash
# End-to-end: `smsplan phone` vs python phonenumbers on the same seeded input.
# Needs `pip install phonenumbers==9.0.43`. Usage: benches/phone_vs_python.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p smsplan-cli
python3 benches/phone_vs_python.py target/release/smsplan "${1:-200000}"
