"""Reads a profile that rank 0 wrote under mpirun and prints what
multinode.test checks: a process per node, the node each partition ran on,
the messages (every send starts before its receive ends, once clocks are
aligned) and each link's summary. Exits 1 when fields are missing or the
run count differs from argv[2]."""

import json
import sys

profile = json.load(open(sys.argv[1]))
runs = int(sys.argv[2])
assert profile["edge"]["runs"] == runs, profile["edge"]
processes = {e["pid"]: e["args"]["name"] for e in profile["traceEvents"]
             if e.get("ph") == "M" and e["name"] == "process_name"}
print("processes: " + ", ".join(processes[p] for p in sorted(processes)))
events = [e for e in profile["traceEvents"] if e.get("ph") == "X"]
for event in events:
    assert event["pid"] in processes and event["dur"] >= 0, event
partitions = sorted({(e["name"], processes[e["pid"]].split(" (")[0])
                     for e in events if e["cat"] == "partition"})
print(", ".join(f"{name} on {node}" for name, node in partitions))
messages = [e for e in events if e["cat"] == "message"]
sent = {(e["name"], e["args"]["run"]): e for e in messages
        if e["args"]["how"] == "MPI send"}
received = {(e["name"], e["args"]["run"]): e for e in messages
            if e["args"]["how"] == "MPI receive"}
assert sent.keys() == received.keys(), (sent.keys(), received.keys())
# The clocks are aligned to within half a round trip: a message arrives
# after its send started, give or take 100 us.
inside = all(received[k]["ts"] + received[k]["dur"] >= sent[k]["ts"] - 100
             for k in sent)
print(f"messages: {len(sent)} sent, {len(received)} received, "
      f"{'every arrival after its send began' if inside else 'arrivals before their sends'}")
for link in profile["edge"]["links"]:
    assert link["median_us"] > 0 and link["estimate_us"] > 0, link
    print(f"link {link['from']} -> {link['to']}: {link['messages_per_run']} "
          f"messages, {link['bytes_per_run']} bytes, {link['runs']} runs")
