"""Wind-turbine anomaly detector, written as Intel's Time Series Analytics guide writes UDFs:
a Handler on Kapacitor's Python agent (kapacitor.udf.agent), its model loaded in __init__ from
MODEL_PATH, one result field added to each point, every point written back.

The "model" here is a power curve (wind speed -> expected active power, a CSV) instead of
Intel's scikit-learn regressor, so that the example runs anywhere with only protobuf installed;
the thresholds are Intel's: no verdict below cut-in (3 m/s), above cut-out (14 m/s) or under
50 kW; a relative shortfall (expected - actual) / expected above 0.1 is an anomaly of 0.3
(< 0.3), 0.6 (< 0.6) or 1.0.
"""
import os
import sys
import time

from kapacitor.udf.agent import Agent, Handler
from kapacitor.udf import udf_pb2


def load_curve(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line.startswith("wind"):
                continue
            speed, power = line.split(",")[:2]
            rows.append((float(speed), float(power)))
    rows.sort()
    return rows


def expected_power(curve, speed):
    if speed <= curve[0][0]:
        return curve[0][1]
    if speed >= curve[-1][0]:
        return curve[-1][1]
    for (s0, p0), (s1, p1) in zip(curve, curve[1:]):
        if s0 <= speed <= s1:
            return p0 + (p1 - p0) * (speed - s0) / (s1 - s0)
    return curve[-1][1]


class WindTurbineAnomalyHandler(Handler):
    def __init__(self, agent):
        self._agent = agent
        self.curve = load_curve(os.environ["MODEL_PATH"])
        sys.stderr.write("windturbine_anomaly_detector: %d curve points from %s\n" % (len(self.curve), os.environ["MODEL_PATH"]))

    def info(self):
        response = udf_pb2.Response()
        response.info.wants = udf_pb2.STREAM
        response.info.provides = udf_pb2.STREAM
        return response

    def init(self, init_req):
        response = udf_pb2.Response()
        response.init.success = True
        return response

    def snapshot(self):
        response = udf_pb2.Response()
        response.snapshot.snapshot = b""
        return response

    def restore(self, restore_req):
        response = udf_pb2.Response()
        response.restore.success = False
        response.restore.error = "not implemented"
        return response

    def begin_batch(self, begin_req):
        raise Exception("not supported")

    def end_batch(self, end_req):
        raise Exception("not supported")

    def status(self, speed, power):
        if speed <= 3.0 or speed > 14.0 or power < 50.0:
            return 0.0
        expected = expected_power(self.curve, speed)
        if expected <= 0:
            return 0.0
        error = (expected - power) / expected
        if error <= 0.1:
            return 0.0
        return 0.3 if error < 0.3 else 0.6 if error < 0.6 else 1.0

    def point(self, point):
        start = time.time_ns()
        speed = point.fieldsDouble.get("wind_speed")
        power = point.fieldsDouble.get("grid_active_power")
        status = 0.0
        if speed is not None and power is not None:
            status = self.status(speed, power)
        point.fieldsDouble["anomaly_status"] = status
        point.fieldsDouble["processing_time"] = (time.time_ns() - start) / 1e6
        point.fieldsString["analytic"] = "power_curve"
        response = udf_pb2.Response()
        response.point.CopyFrom(point)
        self._agent.write_response(response, True)


if __name__ == "__main__":
    agent = Agent()
    agent.handler = WindTurbineAnomalyHandler(agent)
    agent.start()
    agent.wait()
