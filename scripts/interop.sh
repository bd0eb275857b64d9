#!/usr/bin/env bash
# Interop with the reference Pact tools: installs pact_mock_server_cli and pact_verifier_cli
# (once, into target/pact-tools; --locked, as their own lock files pin working versions) and
# runs the interop tests: the reference mock server serves our recorded contracts, and the
# reference verifier verifies them against our example provider.
# The reference tools send usage metrics unless told not to: PACT_DO_NOT_TRACK=true.
set -euo pipefail
cd "$(dirname "$0")/.."
export PACT_DO_NOT_TRACK=true
root="$(pwd)/target/pact-tools"
[ -x "$root/bin/pact-mock-server" ] || cargo install --locked --root "$root" pact_mock_server_cli
[ -x "$root/bin/pact-verifier" ] || cargo install --locked --root "$root" pact_verifier_cli
# CI=true: a tool that cannot be found fails the tests instead of skipping them. (Plain
# `cargo test` runs them too, with `pact` from `pip install pact-python-cli` when installed.)
CI=true PACT_MOCK_SERVER="$root/bin/pact-mock-server" PACT_VERIFIER="$root/bin/pact-verifier" \
  cargo test --test interop_pact_reference
