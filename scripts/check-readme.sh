#!/usr/bin/env bash
# Runs every ```sh block of README.md as written, against a real `farad serve`, and fails on the
# first command that fails. The quick start's `swift run farad serve` is the server the other
# blocks talk to (started here in the background, data in a temp dir through FARAD_DATA_DIR);
# its `./scripts/test.sh` is the command that calls this script, so it is not run again.
# curl is run with --fail-with-body so an HTTP error fails the block; a command put in the
# background with `&` is given up to 10 s until the socket paths it names exist.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    pkill -TERM -f "$root/.build/debug/udf-mirror --socket" 2>/dev/null || true
    rm -f "$root/cpu.tick" /tmp/mirror.sock
    rm -rf "$work"
}
trap cleanup EXIT

# Extract the sh blocks, one file each.
python3 - "$work" <<'PY'
import re, sys
text = open("README.md").read()
blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)
for i, b in enumerate(blocks):
    lines = []
    for line in b.splitlines():
        lines.append(line)
        m = re.search(r"&\s*(#.*)?$", line)
        if m and not line.rstrip().endswith("&&"):
            for path in re.findall(r"(/tmp/[\w./-]+\.sock)", line):
                lines.append(f'for _ in $(seq 100); do [[ -S {path} ]] && break; sleep 0.1; done')
    open(f"{sys.argv[1]}/block{i}.sh", "w").write("\n".join(lines) + "\n")
print(len(blocks), "sh blocks")
PY

if (echo >/dev/tcp/127.0.0.1/9092) 2>/dev/null; then
    echo "check-readme: port 9092 is in use; the README's commands need it" >&2
    exit 1
fi

passed=0
for block in "$work"/block*.sh; do
    if grep -q '^swift run farad serve' "$block"; then
        serve=$(grep '^swift run farad serve' "$block" | sed 's/ *#.*//')
        FARAD_DATA_DIR="$work/farad-data" bash -c "exec $serve" >"$work/serve.log" 2>&1 &
        server_pid=$!
        for _ in $(seq 3000); do
            grep -q "listening on" "$work/serve.log" 2>/dev/null && break
            kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
            sleep 0.1
        done
        grep -q "listening on" "$work/serve.log" || { echo "check-readme: farad serve did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
        echo "check-readme: $serve (running)"
        continue
    fi
    echo "check-readme: $(basename "$block")"
    if ! (cd "$root" && curl() { command curl --fail-with-body -sS "$@"; } && export -f curl && bash -euo pipefail "$block") >"$work/out" 2>&1; then
        echo "check-readme: a command of this README block failed:" >&2
        cat "$block" >&2
        echo "--- output:" >&2
        cat "$work/out" >&2
        exit 1
    fi
    passed=$((passed + 1))
done
echo "check-readme: $passed blocks ran"
