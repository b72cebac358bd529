#!/usr/bin/env bash
# SARK smoke test against a running SARK: scripts/smoke-test.sh [--insecure] [--timeout SECONDS] URL
# (SARK_SMOKE_PASSWORD enables the authenticated checks; see smoke-test.mjs). Runs with node alone,
# so it works inside the image (no curl there) and on any machine with Node.js >= 20.
set -euo pipefail
exec node "$(dirname "$0")/smoke-test.mjs" "$@"
