#!/usr/bin/env bash
# Farad's test command (the README's, and what .ci/run calls).
# Builds everything first: the end-to-end tests start the example UDF executables.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build "$@"
