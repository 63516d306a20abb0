#!/usr/bin/env bash
# Intel's wind-turbine pipeline on Farad, started the way Intel's Time Series Analytics service
# starts Kapacitor (classifier_startup.py): fill kapacitor_devmode.conf (the MQTT broker, a
# [udf.functions.windturbine_anomaly_detector] running the Python UDF on the kapacitor.udf
# agent), start `kapacitord -hostname localhost -config …`, wait for port 9092, then
# `kapacitor -skipVerify define <name> -tick <name>.tick` and `kapacitor -skipVerify enable <name>`.
# Then it replays the CSV into /kapacitor/v1/write and checks the outputs: every point in
# InfluxDB (wind-turbine-anomaly-data), one MQTT message per anomalous point on
# alerts/wind_turbine, and no UDF process left after SIGTERM. Exit 0 when all hold.
#
# Needs: an InfluxDB 1.x (INFLUXDB_URL, default http://localhost:8086), an MQTT broker
# (MQTT_BROKER_HOST/PORT, default localhost:1883), python3 with protobuf, protoc, mosquitto_sub.
# FARAD is the farad binary (default: .build/debug/farad, or farad on PATH).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
name=windturbine_anomaly_detector
FARAD="${FARAD:-$root/.build/debug/farad}"
[[ -x "$FARAD" ]] || FARAD="$(command -v farad)"
KAPACITOR_PORT="${KAPACITOR_PORT:-9092}"
INFLUXDB_URL="${INFLUXDB_URL:-http://localhost:8086}"
MQTT_BROKER_HOST="${MQTT_BROKER_HOST:-localhost}"
MQTT_BROKER_PORT="${MQTT_BROKER_PORT:-1883}"
work="${WORK:-$(mktemp -d)}"
deadline=$((SECONDS + ${TIMEOUT:-60}))
log() { echo "run.sh: $*" >&2; }
fail() { log "FAILED: $*"; [[ -f "$work/log/kapacitor/kapacitor.log" ]] && tail -20 "$work/log/kapacitor/kapacitor.log" >&2; exit 1; }

# The binaries under Kapacitor's names, as the service finds them on its PATH.
mkdir -p "$work/bin"
ln -sf "$FARAD" "$work/bin/kapacitord"
ln -sf "$FARAD" "$work/bin/kapacitor"
export PATH="$work/bin:$PATH"

# The UDF package as the service unpacks it: udfs/, tick_scripts/, models/, and the agent.
cp -R "$here/udfs" "$here/tick_scripts" "$here/models" "$here/kapacitor_python" "$work/"
protoc --python_out="$work/kapacitor_python/kapacitor/udf" -I "$root/Sources/KapacitorUDFProto/Proto" udf.proto

# classifier_startup.py's edits of kapacitor_devmode.conf.
conf="$work/kapacitor_devmode.conf"
sed -e "s#DATA_DIR#$work/data#g" -e "s#LOG_DIR#$work/log#g" -e "s#KAPACITOR_PORT#$KAPACITOR_PORT#" \
    -e "s#MQTT_BROKER_HOST#$MQTT_BROKER_HOST#" -e "s#MQTT_BROKER_PORT#$MQTT_BROKER_PORT#" \
    -e 's#^  name = ""#  name = "my_mqtt_broker"#' "$here/config/kapacitor_devmode.conf" > "$conf"
cat >> "$conf" <<CONF
[udf.functions.$name]
prog = "python3"
args = ["-u", "$work/udfs/$name.py"]
timeout = "60s"

[udf.functions.$name.env]
PYTHONPATH = "$work/kapacitor_python/:"
MODEL_PATH = "$work/models/$name.csv"
DEVICE = "auto"
CONF
export KAPACITOR_URL="http://localhost:$KAPACITOR_PORT"
export KAPACITOR_INFLUXDB_0_URLS_0="$INFLUXDB_URL"

# InfluxDB's datain database (Telegraf makes it in Intel's deployment).
python3 -c "import sys,urllib.request,urllib.parse; urllib.request.urlopen(sys.argv[1] + '/query', urllib.parse.urlencode({'q': 'CREATE DATABASE datain'}).encode())" "$INFLUXDB_URL"

kapacitord -hostname localhost -config "$conf" > "$work/kapacitord.out" 2>&1 &
kapacitord_pid=$!
trap 'kill $kapacitord_pid ${sub_pid:-} 2>/dev/null || true' EXIT
until (exec 3<>"/dev/tcp/127.0.0.1/$KAPACITOR_PORT") 2>/dev/null; do
    kill -0 $kapacitord_pid 2>/dev/null || fail "kapacitord exited: $(cat "$work/kapacitord.out")"
    ((SECONDS < deadline)) || fail "kapacitord did not open port $KAPACITOR_PORT"
    sleep 0.1
done
log "kapacitord listens on $KAPACITOR_PORT (log: $work/log/kapacitor/kapacitor.log)"
kapacitor -skipVerify define "$name" -tick "$work/tick_scripts/$name.tick"
kapacitor -skipVerify enable "$name"
kapacitor list tasks >&2

csv="$here/simulation-data/wind-turbine-anomaly-detection.csv"
expected=$(awk -F, 'NR > 1 && $4 > 0' "$csv" | wc -l)
: > "$work/alerts.txt"
mosquitto_sub -h "$MQTT_BROKER_HOST" -p "$MQTT_BROKER_PORT" -q 1 -t alerts/wind_turbine > "$work/alerts.txt" &
sub_pid=$!
# Subscribed once a probe published to the topic comes back.
until grep -q '^probe$' "$work/alerts.txt"; do
    ((SECONDS < deadline)) || fail "mosquitto_sub did not subscribe"
    mosquitto_pub -h "$MQTT_BROKER_HOST" -p "$MQTT_BROKER_PORT" -q 1 -t alerts/wind_turbine -m probe
    sleep 0.1
done
read -r sent anomalous < <(python3 "$here/tools/simulate.py" "$csv" "$KAPACITOR_URL")
log "sent $sent points, $anomalous anomalous"

count=0
while ((SECONDS < deadline)); do
    count=$(python3 -c "
import json,sys,urllib.request,urllib.parse
q = urllib.parse.urlencode({'db': 'datain', 'q': 'SELECT count(anomaly_status) FROM \"wind-turbine-anomaly-data\"'})
r = json.load(urllib.request.urlopen(sys.argv[1] + '/query?' + q))
s = r['results'][0].get('series')
print(s[0]['values'][0][1] if s else 0)" "$INFLUXDB_URL")
    ((count >= sent)) && break
    sleep 0.2
done
((count == sent)) || fail "InfluxDB has $count of $sent points"
alerts() { grep -v '^probe$' "$work/alerts.txt" || true; }
while (($(alerts | wc -l) < anomalous && SECONDS < deadline)); do sleep 0.1; done
kill $sub_pid 2>/dev/null || true
messages=$(alerts | wc -l)
((messages == anomalous)) || fail "MQTT got $messages of $anomalous alerts: $(alerts | head -3)"
bad=$(alerts | grep -cv '^Anomaly detected: Wind Speed: [0-9.]*, Grid Active Power: [0-9.]*, Anomaly Status: [0-9.]*$' || true)
((bad == 0)) || fail "unexpected alert text: $(alerts | head -1)"
log "InfluxDB: $count points; MQTT alerts/wind_turbine: $messages messages, e.g. $(alerts | head -1)"

kill -TERM $kapacitord_pid
wait $kapacitord_pid || true
trap - EXIT
if pgrep -f "$work/udfs/$name.py" > /dev/null; then fail "a UDF process outlived kapacitord"; fi
log "kapacitord stopped; no UDF process left. OK"
[[ -n "${WORK:-}" ]] || rm -rf "$work"
