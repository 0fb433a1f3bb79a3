#!/usr/bin/env bash
# Footprint figures: the crates a user's build pulls in, the clean release build time, and
# the stripped size of a release binary that sends one event.
# With the `websocket` feature (the chat stream): the crates it adds and the clean release
# build of examples/echo_bot.rs, after the default build's figures, which it leaves as they are.
# Usage: bash benches/footprint.sh [--baseline]   (about two minutes on 2 cores; three with
# --baseline, which also builds a bare ureq + serde_json program with the same release
# profile, so that the build time can be read as a ratio that holds on a slower machine)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== crates in the normal (non-dev) dependency tree"
crates=$(cargo tree -e normal --prefix none --format '{p}' | sed 's/ (.*//' | sort -u)
echo "$crates" | sed 's/^/  /'
echo "crates: $(echo "$crates" | wc -l) (including connect-participant itself)"

target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT

echo "== clean release build of the quick start (fresh target directory)"
start=$(date +%s.%N)
CARGO_TARGET_DIR="$target" cargo build --release --example quickstart --quiet
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "clean build: %.1f s\n", e - s }' 

echo "== release binary that sends one event (examples/send_one.rs)"
CARGO_TARGET_DIR="$target" cargo build --release --example send_one --quiet
bin="$target/release/examples/send_one"
cp "$bin" "$target/send_one.stripped"
strip "$target/send_one.stripped"
size=$(stat -c %s "$target/send_one.stripped")
awk -v n="$size" 'BEGIN { printf "stripped size: %d bytes (%.2f MB)\n", n, n / 1000000 }' 

# The quick start's build has the `websocket` feature off (its dependency tree is the 28
# crates above); this says whether the WebSocket crate was compiled for it all the same.
if compgen -G "$target/release/deps/libtungstenite*" >/dev/null; then
  echo "note: the quick start's build compiled tungstenite"
fi

echo "== with --features websocket: crates in the normal dependency tree"
ws_crates=$(cargo tree -e normal --features websocket --prefix none --format '{p}' | sed 's/ (.*//' | sort -u)
added=$(comm -13 <(echo "$crates") <(echo "$ws_crates"))
echo "$added" | sed 's/^/  + /'
echo "crates with websocket: $(echo "$ws_crates" | wc -l) ($(echo "$added" | grep -c .) added)"

echo "== clean release build of the echo bot, --features emulator,websocket (fresh target directory)"
start=$(date +%s.%N)
CARGO_TARGET_DIR="$target/websocket" cargo build --release --example echo_bot \
  --features emulator,websocket --quiet
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "clean build with websocket: %.1f s\n", e - s }'

if [ "${1:-}" = "--baseline" ]; then
  echo "== baseline: a bare ureq (rustls, no default features) + serde_json program"
  bare="$target/bare"
  mkdir -p "$bare/src"
  profile=$(sed -n '/^\[profile.release\]/,/^$/p' Cargo.toml)
  cat > "$bare/Cargo.toml" <<TOML
[package]
name = "bare"
version = "0.1.0"
edition = "2024"

[dependencies]
ureq = { version = "~3.5", default-features = false, features = ["rustls"] }
serde_json = "1"

$profile
TOML
  cat > "$bare/src/main.rs" <<'RS'
fn main() {
    let answer = ureq::post("https://127.0.0.1:9/").send("{}");
    let v: serde_json::Value = serde_json::from_str("{}").unwrap_or_default();
    println!("{} {v}", answer.is_ok());
}
RS
  # The same versions as this crate's lock file, so only the crate set differs.
  cp Cargo.lock "$bare/Cargo.lock"
  start=$(date +%s.%N)
  (cd "$bare" && CARGO_TARGET_DIR="$bare/target" cargo build --release --quiet)
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "baseline clean build: %.1f s\n", e - s }'
  bare_crates=$(cd "$bare" && cargo tree -e normal --prefix none --format '{p}' | sed 's/ (.*//' | sort -u | wc -l)
  echo "baseline crates: $bare_crates"
  strip -o "$bare/bare.stripped" "$bare/target/release/bare"
  awk -v n="$(stat -c %s "$bare/bare.stripped")" 'BEGIN { printf "baseline stripped size: %d bytes (%.2f MB)\n", n, n / 1000000 }'
fi
