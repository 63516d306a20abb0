#!/usr/bin/env bash
# Issue 12's scale comparison: `farad serve` beside InfluxDB 1.6 (Debian `influxd`) on the same
# data in the same run, one server at a time (never both loading: the machine has 2 cores).
#
#   swift build -c release --scratch-path .build-release --product farad-bench
#   swift build -c release --scratch-path .build-release --product farad
#   scripts/bench-influxdb.sh [--series N] [--rounds N] [--big-points N] [--bin DIR] [--keep]
#
# For each server, on a fresh data directory:
#   a. ingest: --series (1,000,000) series × --rounds (10) points of
#      `m,host=h<i>,region=r<i%16> v=<float> <t>` to /write?db=bench&precision=s, requests of
#      5,000 lines, 2 keep-alive clients, bodies built on the fly;
#   b. bytes written per point (/proc/PID/io write_bytes during the load, and with 10 s after
#      it) and disk per point at rest (du -sb of the data after SIGTERM);
#   c. restart: start again and time until a count over all of m answers the right total;
#   d. one host's series out of all of them (50 random hosts, the same for both);
#   e. one series `big` of --big-points (10,000,000) points in db big: the newest 1,000 points
#      (20 runs), a count and a mean over all of it (5 runs each, with the server's RSS growth).
# Then prints one Markdown table, Farad | InfluxDB | Farad ÷ InfluxDB. Both servers fsync every
# write (Farad --sync full, its default; influxd wal-fsync-delay = "0s").
set -euo pipefail

SERIES=1000000
ROUNDS=10
BIG=10000000
BIN=.build-release/release
KEEP=""
usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --series) SERIES=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --big-points) BIG=$2; shift 2 ;;
        --bin) BIN=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench-influxdb.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done
for n in "$SERIES" "$ROUNDS" "$BIG"; do
    case "$n" in ''|*[!0-9]*) echo "bench-influxdb.sh: '$n' is not a positive integer" >&2; exit 2 ;; esac
done
FARAD=$BIN/farad
BENCH=$BIN/farad-bench
INFLUXD=/usr/bin/influxd
for exe in "$FARAD" "$BENCH" "$INFLUXD"; do
    [ -x "$exe" ] || { echo "bench-influxdb.sh: $exe is missing (build in release first, see the top of this script)" >&2; exit 2; }
done
POINTS=$((SERIES * ROUNDS))

WORK=$(mktemp -d "${TMPDIR:-/tmp}/farad-scale.XXXXXX")
SERVER_PID=""
cleanup() {
    stop_server || true
    if [ -n "$KEEP" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# SIGTERM, up to 300 s for a clean shutdown, then SIGKILL.
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local i=0
    while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "server $SERVER_PID did not stop within 300 s: SIGKILL" >&2
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# Starts one server in the background (port 0: any) and records its start time in START_NS.
start_server() { # flavor port
    START_NS=$(date +%s%N)
    if [ "$1" = farad ]; then
        "$FARAD" serve --http-bind "127.0.0.1:$2" --data-dir "$WORK/farad" --log-level warning \
            >"$WORK/farad.out" 2>>"$WORK/farad.err" &
    else
        write_influx_config "$2"
        "$INFLUXD" -config "$WORK/influxdb.conf" 2>"$WORK/influxd.log" >/dev/null &
    fi
    SERVER_PID=$!
}

write_influx_config() { # port
    cat >"$WORK/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:0"
[meta]
  dir = "$WORK/influx/meta"
[data]
  dir = "$WORK/influx/data"
  wal-dir = "$WORK/influx/wal"
  wal-fsync-delay = "0s"
  query-log-enabled = false
  max-series-per-database = 0
  max-values-per-tag = 0
[http]
  bind-address = "127.0.0.1:$1"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
EOF
}

# Waits (60 s at most) for the server's "listening" line and sets PORT.
wait_listening() { # flavor
    local i=0 line=""
    while [ $i -lt 600 ]; do
        if [ "$1" = farad ]; then
            line=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/farad.out" 2>/dev/null | head -1 || true)
        else
            line=$(grep 'Listening on HTTP' "$WORK/influxd.log" 2>/dev/null | grep -o 'addr=127.0.0.1:[0-9]*' | head -1 || true)
        fi
        if [ -n "$line" ]; then PORT=${line##*:}; return 0; fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1; i=$((i + 1))
    done
    echo "bench-influxdb.sh: $1 did not start:" >&2
    tail -20 "$WORK/farad.err" "$WORK/influxd.log" 2>/dev/null >&2 || true
    exit 1
}

# Runs farad-bench, shows its output and keeps its RESULT lines as "<flavor> key value".
bench() { # flavor args...
    local flavor=$1; shift
    if ! "$BENCH" "$@" --flavor "$flavor" | while IFS= read -r line; do
        case "$line" in
            "RESULT "*) echo "$flavor ${line#RESULT }" >>"$WORK/results" ;;
            *) echo "  $line" ;;
        esac
    done; then
        echo "bench-influxdb.sh: farad-bench $* --flavor $flavor failed" >&2
        exit 1
    fi
}

run_side() { # flavor
    local flavor=$1 dir
    if [ "$flavor" = farad ]; then dir=$WORK/farad; else dir=$WORK/influx; fi
    echo "== $flavor"
    start_server "$flavor" 0
    wait_listening "$flavor"
    bench "$flavor" scale-load --port "$PORT" --series "$SERIES" --rounds "$ROUNDS" --server-pid "$SERVER_PID" --settle 10
    stop_server
    sync
    echo "$flavor disk_bytes $(du -sb "$dir" | cut -f1)" >>"$WORK/results"
    start_server "$flavor" "$PORT"
    bench "$flavor" scale-count --port "$PORT" --expect "$POINTS" --since-ns "$START_NS" --server-pid "$SERVER_PID" --timeout 1200
    bench "$flavor" scale-query --part tag --port "$PORT" --series "$SERIES" --rounds "$ROUNDS" --server-pid "$SERVER_PID"
    bench "$flavor" scale-load --big --port "$PORT" --big-points "$BIG" --server-pid "$SERVER_PID"
    bench "$flavor" scale-query --part big --port "$PORT" --big-points "$BIG" --server-pid "$SERVER_PID"
    stop_server
    sync
}

: >"$WORK/results"
echo "farad $(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo '?'), $($INFLUXD version 2>/dev/null | head -1)"
echo "data in $WORK; $SERIES series × $ROUNDS points, big series of $BIG points"
run_side farad
run_side influxdb

# One table row: label, key, scale (multiplier), decimals, unit.
awk -v points="$POINTS" -v series="$SERIES" -v rounds="$ROUNDS" -v big="$BIG" '
    { v[$1 "," $2] = $3 }
    function cell(side, key, mul, dec) {
        if (!((side "," key) in v)) return "—"
        return sprintf("%." dec "f", v[side "," key] * mul)
    }
    function row(label, key, mul, dec, unit,   f, i, r) {
        f = cell("farad", key, mul, dec); i = cell("influxdb", key, mul, dec)
        r = "—"
        if (f != "—" && i != "—" && v["influxdb," key] != 0) r = sprintf("%.2f×", v["farad," key] / v["influxdb," key])
        printf("| %s | %s %s | %s %s | %s |\n", label, f, unit, i, unit, r)
    }
    END {
        v["farad,disk_per_point"] = v["farad,disk_bytes"] / points
        v["influxdb,disk_per_point"] = v["influxdb,disk_bytes"] / points
        printf("| %d series × %d points, then one series of %d points | Farad | InfluxDB 1.6 | Farad ÷ InfluxDB |\n", series, rounds, big)
        print "|---|---|---|---|"
        row("a. ingest (5,000 lines a request, 2 clients)", "ingest.points_per_s", 1e-3, 0, "K points/s")
        row("a. ingest: request p50", "ingest.p50_ms", 1, 1, "ms")
        row("a. ingest: request p99", "ingest.p99_ms", 1, 1, "ms")
        row("a. ingest: server CPU per point", "ingest.cpu_us_per_point", 1, 2, "µs")
        row("a. ingest: server peak RSS", "ingest.peak_rss_mib", 1, 0, "MiB")
        row("b. bytes written per point, during the load", "ingest.write_bytes_per_point", 1, 1, "B")
        row("b. bytes written per point, load + 10 s", "ingest.write_bytes_settled_per_point", 1, 1, "B")
        row("b. disk per point at rest", "disk_per_point", 1, 1, "B")
        row("c. restart to first correct count", "restart.seconds", 1, 2, "s")
        row("c. restart: peak RSS", "restart.peak_rss_mib", 1, 0, "MiB")
        row("d. one series by tag, p50 (50 hosts)", "tag.p50_ms", 1, 2, "ms")
        row("d. one series by tag, p99", "tag.p99_ms", 1, 2, "ms")
        row("e. ingest of the big series", "big.points_per_s", 1e-3, 0, "K points/s")
        row("e. newest 1,000 points, p50 (20 runs)", "tail.p50_ms", 1, 2, "ms")
        row("e. count over all, p50 (5 runs)", "count.p50_ms", 1, 1, "ms")
        row("e. count: server RSS growth", "count.rss_growth_mib", 1, 0, "MiB")
        row("e. mean over all, p50 (5 runs)", "mean.p50_ms", 1, 1, "ms")
        row("e. mean: server RSS growth", "mean.rss_growth_mib", 1, 0, "MiB")
    }' "$WORK/results"
