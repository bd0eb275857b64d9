#!/usr/bin/env bash
# Interop with the reference Pact tools: installs pact_mock_server_cli (once, into
# target/pact-tools) and runs the interop test against our recorded contracts.
# The reference tools send usage metrics unless told not to: PACT_DO_NOT_TRACK=true.
set -euo pipefail
cd "$(dirname "$0")/.."
export PACT_DO_NOT_TRACK=true
root="$(pwd)/target/pact-tools"
if [ ! -x "$root/bin/pact-mock-server" ]; then
  cargo install --locked --root "$root" pact_mock_server_cli
fi
PACT_MOCK_SERVER="$root/bin/pact-mock-server" cargo test --test interop_pact_reference -- --nocapture
