"""Kapacitor's UDF agent API (``from kapacitor.udf.agent import Agent, Handler``), written for Farad.

A UDF process reads length-prefixed ``udf_pb2.Request`` messages on stdin and writes
``udf_pb2.Response`` messages on stdout (each prefixed with its size as a protobuf varint).
``Agent`` runs that loop on a thread and hands each request to the ``Handler``; keepalives are
answered by the agent itself. An exception in the handler is reported to the host as an
``error`` response and ends the agent, as Kapacitor's agent does.
"""
import logging
import sys
import threading
import traceback

from kapacitor.udf import udf_pb2

logger = logging.getLogger("kapacitor.udf.agent")


class Handler(object):
    """What a UDF implements. info, init, snapshot and restore return a udf_pb2.Response; the
    data methods write their results with agent.write_response."""

    def info(self):
        raise NotImplementedError

    def init(self, init_req):
        raise NotImplementedError

    def snapshot(self):
        raise NotImplementedError

    def restore(self, restore_req):
        raise NotImplementedError

    def begin_batch(self, begin_req):
        raise NotImplementedError

    def point(self, point):
        raise NotImplementedError

    def end_batch(self, end_req):
        raise NotImplementedError


def _read_varint(stream):
    """The next varint from stream; None at a clean end of input."""
    result, shift = 0, 0
    while True:
        byte = stream.read(1)
        if not byte:
            if shift == 0:
                return None
            raise EOFError("input ended inside a message length")
        b = byte[0]
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result
        shift += 7
        if shift > 35:
            raise ValueError("message length is not a 32-bit varint")


def _varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


class Agent(object):
    """Speaks the UDF protocol on stdin/stdout (or the given binary streams) for its handler."""

    def __init__(self, _in=None, out=None):
        self._in = _in if _in is not None else sys.stdin.buffer
        self._out = out if out is not None else sys.stdout.buffer
        self._write_lock = threading.Lock()
        self._thread = None
        self.handler = None

    def start(self):
        self._thread = threading.Thread(target=self._read_loop)
        self._thread.start()

    def wait(self):
        self._thread.join()

    def write_response(self, response, flush=False):
        if response is None:
            raise ValueError("cannot write a None response")
        data = response.SerializeToString()
        with self._write_lock:
            self._out.write(_varint(len(data)) + data)
            if flush:
                self._out.flush()

    def _read_loop(self):
        request = udf_pb2.Request()
        while True:
            kind = "unknown"
            try:
                size = _read_varint(self._in)
                if size is None:
                    break
                data = self._in.read(size)
                if len(data) != size:
                    raise EOFError("input ended inside a message: %d of %d bytes" % (len(data), size))
                request.ParseFromString(data)
                kind = request.WhichOneof("message")
                if kind == "info":
                    self.write_response(self.handler.info(), flush=True)
                elif kind == "init":
                    self.write_response(self.handler.init(request.init), flush=True)
                elif kind == "keepalive":
                    response = udf_pb2.Response()
                    response.keepalive.time = request.keepalive.time
                    self.write_response(response, flush=True)
                elif kind == "snapshot":
                    self.write_response(self.handler.snapshot(), flush=True)
                elif kind == "restore":
                    self.write_response(self.handler.restore(request.restore), flush=True)
                elif kind == "begin":
                    self.handler.begin_batch(request.begin)
                elif kind == "point":
                    self.handler.point(request.point)
                elif kind == "end":
                    self.handler.end_batch(request.end)
                else:
                    logger.error("received unhandled request %s", kind)
            except Exception as e:
                traceback.print_exc()
                response = udf_pb2.Response()
                response.error.error = "error processing request of type %s: %s" % (kind, e)
                try:
                    self.write_response(response, flush=True)
                except Exception:
                    pass
                break
        try:
            self._out.flush()
        except Exception:
            pass
