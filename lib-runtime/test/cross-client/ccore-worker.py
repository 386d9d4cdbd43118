"""A gRPC C-core xDS client (through gRPC Python), driven by a test over stdin/stdout.

One process serves a whole test file: C-core keeps one xDS client per process, made from the
bootstrap file that GRPC_XDS_BOOTSTRAP names, and every `xds:///<service>` channel shares it.

Protocol, one JSON object per line:
  in:  {"id": 1, "op": "call", "target": "ratings.store.local", "method": "/store.Ratings/Get",
        "request": {...}, "metadata": {"x-user-group": "canary"}, "timeoutMs": 5000, "times": 10}
  out: {"id": 1, "ok": true, "result": [{"reply": {...}} | {"error": {"code": 14, "details": "..."}}]}
  in:  {"id": 2, "op": "version"}   out: {"id": 2, "ok": true, "result": "1.51.1"}
A command that cannot be run is answered {"id": ..., "ok": false, "error": "..."}; the worker
never exits on a bad command, only when stdin closes. Messages are JSON bytes: routing looks at
the path and the metadata, never at the payload, and the test's backends speak JSON.
"""
import json
import sys

import grpc

channels = {}


def serialize(value):
    return json.dumps(value).encode()


def deserialize(data):
    return json.loads(data.decode() or "{}")


def channel_of(target):
    if target not in channels:
        channels[target] = grpc.insecure_channel("xds:///" + target)
    return channels[target]


def call(cmd):
    method = channel_of(cmd["target"]).unary_unary(
        cmd["method"], request_serializer=serialize, response_deserializer=deserialize)
    metadata = tuple(cmd.get("metadata", {}).items())
    outcomes = []
    # Sequential on purpose: each RPC picks its route and cluster on its own.
    for _ in range(cmd.get("times", 1)):
        try:
            reply = method(cmd.get("request", {}), metadata=metadata, timeout=cmd.get("timeoutMs", 5000) / 1000)
            outcomes.append({"reply": reply})
        except grpc.RpcError as error:
            outcomes.append({"error": {"code": error.code().value[0], "details": error.details() or ""}})
    return outcomes


def handle(cmd):
    op = cmd.get("op")
    if op == "call":
        return call(cmd)
    if op == "version":
        return grpc.__version__
    raise ValueError("unknown op %r" % (op,))


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = {}
        try:
            cmd = json.loads(line)
            answer = {"id": cmd.get("id"), "ok": True, "result": handle(cmd)}
        except Exception as error:  # a bad command is answered, never fatal
            answer = {"id": cmd.get("id") if isinstance(cmd, dict) else None, "ok": False, "error": repr(error)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    for channel in channels.values():
        channel.close()


if __name__ == "__main__":
    main()
