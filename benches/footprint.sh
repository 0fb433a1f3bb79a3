#!/usr/bin/env bash
# Footprint figures: the crates a user's build pulls in, the clean release build time and
# the stripped size of a user's release binary that sends one event, without and with the
# `websocket` feature (the chat stream).
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

# A user's program, built as a user builds it: a project of its own that depends on this
# crate (by path) with the features asked for, its main examples/send_one.rs, the same
# versions as this crate's lock file. Building inside this repository would not do: its
# dev-dependency turns `emulator`, `cli` and `websocket` on for every example.
user_build() { # $1: label, $2: features (TOML list)
  local dir="$target/user-$1"
  mkdir -p "$dir/src"
  profile=$(sed -n '/^\[profile.release\]/,/^$/p' Cargo.toml)
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "user"
version = "0.1.0"
edition = "2024"

[dependencies]
connect-participant = { path = "$PWD", features = $2 }

$profile
TOML
  cp examples/send_one.rs "$dir/src/main.rs"
  cp Cargo.lock "$dir/Cargo.lock"
  local start end
  start=$(date +%s.%N)
  (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build --release --quiet)
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v l="$1" 'BEGIN { printf "clean build (%s): %.1f s\n", l, e - s }'
  cp "$dir/target/release/user" "$dir/user.stripped"
  strip "$dir/user.stripped"
  local size
  size=$(stat -c %s "$dir/user.stripped")
  awk -v n="$size" -v l="$1" 'BEGIN { printf "stripped size (%s): %d bytes (%.2f MB)\n", l, n, n / 1000000 }'
  if compgen -G "$dir/target/release/deps/libtungstenite*" >/dev/null; then
    echo "($1: tungstenite compiled)"
  fi
}

echo "== a user's program that sends one event, default features (fresh target directory)"
user_build default '[]'

echo "== with --features websocket: crates in the normal dependency tree"
ws_crates=$(cargo tree -e normal --features websocket --prefix none --format '{p}' | sed 's/ (.*//' | sort -u)
added=$(comm -13 <(echo "$crates") <(echo "$ws_crates"))
echo "$added" | sed 's/^/  + /'
echo "crates with websocket: $(echo "$ws_crates" | wc -l) ($(echo "$added" | grep -c .) added)"

echo "== the same program with the websocket feature (fresh target directory)"
user_build websocket '["websocket"]'

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
