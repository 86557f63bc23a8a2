"""Reads a profile written by the runtime (EDGE_PROFILE) as a trace viewer
would and prints what profile.test checks: the complete events and their
threads, then each partition's summary. Exits 1 when an event's fields are
missing or the run count differs from argv[2]."""

import json
import sys

profile = json.load(open(sys.argv[1]))
runs = int(sys.argv[2])
threads = {e["tid"]: e["args"]["name"] for e in profile["traceEvents"]
           if e.get("ph") == "M" and e["name"] == "thread_name"}
complete = [e for e in profile["traceEvents"] if e.get("ph") == "X"]
for event in complete:
    assert {"name", "ts", "dur", "tid", "args"} <= event.keys(), event
    assert event["dur"] >= 0 and event["tid"] in threads, event
assert profile["edge"]["runs"] == runs, profile["edge"]
print(f"{len(complete)} complete events on {len(threads)} threads "
      f"({', '.join(threads[t] for t in sorted(threads))})")
for step in profile["edge"]["steps"]:
    if "estimate_us" in step:
        assert step["runs"] == runs and step["median_us"] > 0, step
        print(f"{step['name']} on {step['device']} ({step['how']}): "
              f"{step['runs']} runs, estimate {step['estimate_us']} us")
