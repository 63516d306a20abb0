#!/usr/bin/env bash
# Farad's test command (the README's, and what .ci/run calls).
# Builds everything first: the end-to-end tests start the example UDF executables.
# With no arguments it then runs every shell block of the README as written
# (scripts/check-readme.sh); arguments are passed to `swift test` (e.g. --filter) and skip that.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build "$@"
if (($# == 0)); then
    ./scripts/check-readme.sh
fi
