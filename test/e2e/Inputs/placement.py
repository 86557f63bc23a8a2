"""Checks how the placement in edge-compile's report follows the device
description (see placement.test).

Usage: placement.py OUT_DIR EDGE_COMPILE MODEL PINNED_NODE
"""

import collections
import json
import subprocess
import sys

out, compiler, model, pinned = sys.argv[1:5]


def placement(name, gpu_memory_gb, link_gbps, pins=()):
    devices = {
        "devices": [
            # A slow CPU (a small edge board), so that even the small
            # models are worth a GPU over a fast link.
            {"name": "cpu", "kind": "cpu", "peak_gflops": 2,
             "memory_bandwidth_gbps": 2, "memory_gb": 16},
            {"name": "gpu", "kind": "nvidia", "peak_gflops": 50000,
             "memory_bandwidth_gbps": 2000, "memory_gb": gpu_memory_gb,
             "launch_overhead_us": 5},
        ],
        "links": [{"from": "cpu", "to": "gpu", "bandwidth_gbps": link_gbps,
                   "latency_us": 10}],
    }
    path = f"{out}/{name}.json"
    with open(path, "w") as f:
        json.dump(devices, f)
    report = f"{out}/{name}-report.json"
    cmd = [compiler, model, "--emit=edge", f"--devices={path}", f"--report={report}"]
    cmd += [f"--pin={pin}" for pin in pins]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(report) as f:
        return json.load(f)["placement"]


def count(result):
    return collections.Counter(node["device"] for node in result["nodes"])


def gpu_flops_share(name, result):
    with open(f"{out}/{name}-report.json") as f:
        ops = json.load(f)["ops"]
    total = sum(op["flops"] for op in ops)
    on_gpu = sum(op["flops"] for op, node in zip(ops, result["nodes"])
                 if node["device"] == "gpu")
    return on_gpu / total


# Over a fast link the heavy ops go to the GPU (tiny tail ops may stay on
# the CPU, where the output has to return anyway).
fast = placement("fast", 80, 25)
assert gpu_flops_share("fast", fast) > 0.9, f"a fast link and a big GPU: {count(fast)}"

slow = placement("slow", 80, 1e-4)
assert count(slow)["gpu"] == 0, f"a very slow link: {count(slow)}"

# A GPU smaller than the graph's weights and activations holds part of it.
total = sum(fast["memory_bytes"].values())
small = placement("small", total / 3 / 1e9, 25)
assert small["memory_bytes"]["gpu"] <= total / 3, small["memory_bytes"]
assert count(small)["cpu"] > 0, f"a GPU with a third of the memory: {count(small)}"
assert small["seconds"] >= fast["seconds"], (small["seconds"], fast["seconds"])

pinned_result = placement("pinned", 80, 25, [f"{pinned}=cpu"])
for node in pinned_result["nodes"]:
    if pinned in node["node"].split("+"):
        assert node["device"] == "cpu", node
assert pinned_result["seconds"] >= fast["seconds"]
