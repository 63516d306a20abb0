#!/usr/bin/env bash
# Farad's test command (the README's, and what .ci/run calls).
# Builds everything first: the end-to-end tests start the example UDF executables.
# With no arguments it then runs every shell block of the README as written
# (scripts/check-readme.sh) and every parser's fuzz target for FARAD_FUZZ_SECONDS each
# (scripts/fuzz.sh, default 20 s; 0 skips it); arguments are passed to `swift test` (e.g.
# --filter) and skip both.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build "$@"
if (($# == 0)); then
    ./scripts/check-readme.sh
    fuzz_seconds="${FARAD_FUZZ_SECONDS:-20}"
    if ((fuzz_seconds > 0)); then
        ./scripts/fuzz.sh "$fuzz_seconds"
    fi
fi
