"""Reads a profile written by the runtime (EDGE_PROFILE) as a trace viewer
would and prints what profile.test checks: the steps' complete events and
their threads, the kernels' events (each inside a step's slice on the same
thread), then each partition's summary and the kernels'. Exits 1 when an
event's fields are missing or the run count differs from argv[2]."""

import json
import sys

profile = json.load(open(sys.argv[1]))
runs = int(sys.argv[2])
threads = {e["tid"]: e["args"]["name"] for e in profile["traceEvents"]
           if e.get("ph") == "M" and e["name"] == "thread_name"}
events = [e for e in profile["traceEvents"] if e.get("ph") == "X"]
for event in events:
    assert {"name", "ts", "dur", "tid", "args"} <= event.keys(), event
    assert event["dur"] >= 0 and event["tid"] in threads, event
complete = [e for e in events if e["cat"] != "kernel"]
kernels = [e for e in events if e["cat"] == "kernel"]
for kernel in kernels:
    # Slack for the microsecond rounding of the written times.
    assert any(s["tid"] == kernel["tid"] and s["ts"] - 0.002 <= kernel["ts"]
               and kernel["ts"] + kernel["dur"] <= s["ts"] + s["dur"] + 0.002
               for s in complete), kernel
assert profile["edge"]["runs"] == runs, profile["edge"]
print(f"{len(complete)} complete events on {len(threads)} threads "
      f"({', '.join(threads[t] for t in sorted(threads))})")
print(f"kernel events inside their steps: {len(kernels) > 0}")
for step in profile["edge"]["steps"]:
    if "estimate_us" in step:
        assert step["runs"] == runs and step["median_us"] > 0, step
        print(f"{step['name']} on {step['device']} ({step['how']}): "
              f"{step['runs']} runs, estimate {step['estimate_us']} us")
launches = {k["launches"] for k in profile["edge"]["kernels"]}
steps = sorted({k["step"] for k in profile["edge"]["kernels"]})
print(f"kernels of {', '.join(steps)}, launched {sorted(launches)} times")
loops = [k for k in profile["edge"]["kernels"] if k["how"] == "CPU loop"]
print(f"CPU loops naming their ONNX nodes: {all('nodes' in k for k in loops)}")
print("nodes: " + ", ".join(sorted({k["nodes"] for k in loops if "nodes" in k})))
