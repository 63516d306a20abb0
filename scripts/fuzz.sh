#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer from the Swift toolchain and runs each for a bounded
# time; exits non-zero if any run finds a crash or a broken invariant.
#
#   scripts/fuzz.sh [seconds-per-target] [target…]
#
# Targets: lineprotocol json datapoints telnet query tick influxql (all by default). The build goes to
# .build-fuzz (the ordinary .build is untouched). Seeds are in Fuzz/corpus/<target>/; inputs
# found during a run go to .build-fuzz/corpus/<target>/, crashes to .build-fuzz/artifacts/.
# Reproduce a crash in an ordinary build: swift run farad-fuzz <target> <artifact>.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(lineprotocol json datapoints telnet query tick influxql)
fi

scratch=.build-fuzz
start=$(date +%s)
swift build --scratch-path "$scratch" --product farad-fuzz \
    --sanitize=fuzzer --sanitize=address \
    -Xswiftc -DFARAD_LIBFUZZER -Xswiftc -enable-testing -Xswiftc -use-ld=lld 2>&1 | grep -v "Cannot export local symbol" | tail -5
binary="$scratch/debug/farad-fuzz"
[ -x "$binary" ] || { echo "fuzz: build failed"; exit 1; }
echo "fuzz: built in $(( $(date +%s) - start ))s"

failed=()
mkdir -p "$scratch/artifacts"
for t in "${targets[@]}"; do
    mkdir -p "$scratch/corpus/$t" "Fuzz/corpus/$t"
    dict=()
    [ -f "Fuzz/dict/$t.dict" ] && dict=(-dict="Fuzz/dict/$t.dict")
    echo "fuzz: $t for ${seconds}s"
    if ! FARAD_FUZZ_TARGET="$t" "$binary" "${dict[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$scratch/artifacts/$t-" \
        "$scratch/corpus/$t" "Fuzz/corpus/$t" > "$scratch/$t.log" 2>&1; then
        echo "fuzz: $t FAILED (log: $scratch/$t.log)"
        grep -E "ERROR|invariant|Fatal error|artifact|SUMMARY" "$scratch/$t.log" | head -20 || true
        failed+=("$t")
    else
        grep -E "stat::number_of_executed_units|cov:" "$scratch/$t.log" | tail -2 || true
    fi
done
echo "fuzz: total $(( $(date +%s) - start ))s"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in: ${failed[*]}"
    exit 1
fi
echo "fuzz: no crash in ${#targets[@]} targets"
