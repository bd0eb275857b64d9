#!/usr/bin/env bash
# What depending on shakedown costs: a fresh scratch crate depending on this checkout by
# path, built clean once per feature set; prints the crates compiled and the build time.
#   scripts/footprint.sh                      consumer-only, then everything (the default)
#   scripts/footprint.sh 'consumer' 'cli'     any feature sets ('' = the contract core alone)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=("consumer" "default")
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

for features in "${sets[@]}"; do
  dir="$scratch/crate-${features// /-}"
  cargo new --quiet --lib --name scratch "$dir"
  if [ "$features" = "default" ]; then
    dep="shakedown = { path = \"$root\" }"
  else
    list="$(printf '"%s", ' $features)"
    dep="shakedown = { path = \"$root\", default-features = false, features = [${list%, }] }"
  fi
  echo "$dep" >> "$dir/Cargo.toml"
  (cd "$dir" && cargo fetch --quiet)
  start=$(date +%s.%N)
  crates=$(cd "$dir" && cargo build 2>&1 | grep -c '^ *Compiling ')
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  printf '%-24s %4d crates compiled, clean debug build %6.1f s\n' "[${features}]" "$crates" "$seconds"
done
