"""Replays the wind-turbine CSV into Kapacitor's write API, as Intel's simulator and Telegraf (or
the service's POST /input) do: one line-protocol point per row, measurement wind-turbine-data,
fields wind_speed and grid_active_power, written to /kapacitor/v1/write?db=datain&rp=autogen.

usage: simulate.py CSV KAPACITOR_URL [--batch N]
Prints the number of rows sent and the number the CSV labels anomalous.
"""
import sys
import time
import urllib.request

path, url = sys.argv[1], sys.argv[2].rstrip("/")
batch = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--batch" else 50
rows = [line.strip().split(",") for line in open(path)][1:]
rows = [r for r in rows if len(r) >= 4]
start = time.time_ns() - len(rows) * 1_000_000_000
lines = ["wind-turbine-data,source=simulator wind_speed=%s,grid_active_power=%s %d" % (r[1], r[0], start + i * 1_000_000_000)
         for i, r in enumerate(rows)]
for i in range(0, len(lines), batch):
    body = ("\n".join(lines[i:i + batch]) + "\n").encode()
    request = urllib.request.Request(url + "/kapacitor/v1/write?db=datain&rp=autogen", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 204:
            sys.exit("write failed: HTTP %d" % response.status)
anomalous = sum(1 for r in rows if float(r[3]) > 0)
print("%d %d" % (len(rows), anomalous))
