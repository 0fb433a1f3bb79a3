#!/usr/bin/env bash
# Instructions per call (user space, client thread only) for the floors and for
# Client::send_event and Client::send_message, counted by callgrind: repeatable whatever else the machine does.
# Usage: bash benches/instructions.sh   (needs valgrind; about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench send_event --no-run --quiet 2>/dev/null
bin=$(ls -t "${CARGO_TARGET_DIR:-target}"/release/deps/send_event-* | grep -v '\.d$' | head -n 1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # who calls -> instructions of the main thread
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out/cg.$1.$2" \
    "$bin" --only "$1" "$2" >/dev/null 2>&1
  awk '/^summary:/ { print $2; exit }' "$out/cg.$1.$2-01"
}
for who in floor client message-floor message; do
  a=$(count "$who" 1000)
  b=$(count "$who" 2000)
  # The difference of two runs leaves out start-up and warm-up.
  echo "$who: $(( (b - a) / 1000 )) instructions per call"
done
