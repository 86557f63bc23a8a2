#!/usr/bin/python3
"""Runs models split across 2 and 3 MPI ranks in an emulated cluster of
edge nodes (scripts/edge-cluster.sh: network namespaces joined by links
shaped with tc tbf) and checks that their outputs equal the one-process
library's bit for bit (docs/distributed.md):

- the tiny CNN of samples/, torchvision's mobilenet_v2 and the BERT-style
  encoder (scripts/export_torch_models.py, random weights);
- over 2 and 3 nodes, each running a contiguous stage of the model (the
  graph's nodes pinned in order, split by their estimated time);
- with links of 100 Mbit/s and of 10 Mbit/s.

Prints, per run, the bytes each link carried (tx_bytes of the link's
interfaces, which count the TCP, IP and MPI headers too) beside the bytes
the placer's report predicts, and the run's latency beside the predicted.
Then a link unplugged during a stream, and a rank killed during one: both
end the job with an error naming the node (or, for the killed rank, its
rank), never a hang. Needs root (namespaces) and Open MPI; exits 77
(skipped) without them.

    check_cluster.py BUILD_DIR [WORK_DIR]
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent.parent
CLUSTER = SOURCE_DIR / "scripts/edge-cluster.sh"
RATES_MBPS = (100, 10)
RANKS = (2, 3)
# The host preset's figures (docs/placement.md): the prediction's compute.
HOST = {"kind": "cpu", "peak_gflops": 192, "memory_bandwidth_gbps": 20,
        "memory_gb": 24}
# Headers of TCP, IP and MPI over the payload (about 3% with MTU-sized
# segments), and segments TCP sends again when the shaped link's queue
# overflows.
HEADER_SHARE = 0.10


def run(command, **kwargs):
    return subprocess.run([str(c) for c in command], check=True,
                          capture_output=True, text=True, **kwargs)


def description(nodes, mbps):
    """Hosts on nodes n0, n1, ... joined pairwise at `mbps`, no latency
    (the emulated links have none)."""
    devices = [dict(HOST, name=f"n{i}-cpu", node=f"n{i}") for i in range(nodes)]
    network = [{"between": [f"n{i}", f"n{j}"], "bandwidth_mbps": mbps,
                "latency_ms": 0, "message_overhead_us": 50}
               for i in range(nodes) for j in range(i + 1, nodes)]
    return {"devices": devices, "network": network}


def stage_pins(build, model, devices_file, nodes, work):
    """Pins the graph's nodes, in order, to `nodes` stages of about equal
    estimated time."""
    report = work / "order.json"
    run([build / "bin/edge-compile", model, f"--devices={devices_file}",
         f"--report={report}", "--emit=edge", "-o", os.devnull])
    data = json.loads(report.read_text())
    seconds = {op["node"]: op["seconds"]["n0-cpu"] for op in data["ops"]}
    order = [n["node"] for n in data["placement"]["nodes"]]
    total = sum(seconds[n] for n in order)
    pins, done = [], 0.0
    for name in order:
        stage = min(nodes - 1, int(done / total * nodes))
        done += seconds[name]
        pins.append(f"--pin={name}=n{stage}-cpu")
    return pins


def predict(build, model, devices_file, pins, work):
    report = work / "prediction.json"
    run([build / "bin/edge-compile", model, f"--devices={devices_file}", *pins,
         f"--report={report}", "--emit=edge", "-o", os.devnull])
    return json.loads(report.read_text())


def link_bytes(nodes):
    """Bytes sent over each link so far, by (from, to)."""
    sent = {}
    for line in run([CLUSTER, "stats", nodes]).stdout.splitlines():
        words = line.split()
        sent[(int(words[1]), int(words[4].rstrip(":")))] = int(words[5])
    return sent


def check_model(build, name, model, inputs, work):
    work.mkdir(parents=True, exist_ok=True)
    whole = work / "whole.so"
    run([build / "bin/edge-compile", model, "-o", whole])
    run([build / "bin/edge-run", whole, *inputs, "--output-dir", work / "whole"])
    expected = sorted((work / "whole").glob("output_*.pb"))
    for nodes in RANKS:
        devices_file = work / f"nodes{nodes}.json"
        devices_file.write_text(json.dumps(description(nodes, RATES_MBPS[0])))
        pins = stage_pins(build, model, devices_file, nodes, work)
        library = work / f"split{nodes}.so"
        run([build / "bin/edge-compile", model, f"--devices={devices_file}",
             *pins, "-o", library])
        for mbps in RATES_MBPS:
            devices_file.write_text(json.dumps(description(nodes, mbps)))
            report = predict(build, model, devices_file, pins, work)
            run([CLUSTER, "up", nodes, f"{mbps}mbit"])
            try:
                before = link_bytes(nodes)
                out = work / f"out{nodes}-{mbps}"
                result = run([CLUSTER, "run", nodes, "--",
                              build / "bin/edge-run", library, *inputs,
                              "--output-dir", out])
                after = link_bytes(nodes)
            finally:
                run([CLUSTER, "down", nodes])
            for reference in expected:
                run([sys.executable, SOURCE_DIR / "scripts/compare_outputs.py",
                     out / reference.name, reference, "--rtol", "0",
                     "--atol", "0"])
            latencies = [float(line.split("=")[1])
                         for line in result.stdout.splitlines()
                         if line.startswith("run: latency_ms=")]
            predicted = report["placement"]["latency_seconds"] * 1e3
            print(f"{name}: {nodes} ranks at {mbps} Mbit/s: outputs equal; "
                  f"run {max(latencies):.1f} ms (predicted {predicted:.1f} ms)")
            for link in report["network"]:
                a, b = (int(n[1:]) for n in link["between"])
                measured = after[(a, b)] - before[(a, b)] + \
                    after[(b, a)] - before[(b, a)]
                bytes_predicted = link["bytes_per_run"]
                print(f"  link n{a}-n{b}: {measured} bytes on the wire, "
                      f"{bytes_predicted} predicted")
                # The payload crosses the link once; headers and segments
                # sent again add a few percent, and an idle link carries
                # only MPI's handshakes.
                if not (bytes_predicted <= measured <=
                        bytes_predicted * (1 + HEADER_SHARE) + 16384):
                    raise SystemExit(
                        f"{name}: link n{a}-n{b} carried {measured} bytes, "
                        f"the placer predicted {bytes_predicted}")


def rank_pids(rank):
    """The edge-run processes of MPI rank `rank`."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if (entry / "comm").read_text().strip() != "edge-run":
                continue
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"OMPI_COMM_WORLD_RANK={rank}".encode() in environ:
            pids.append(int(entry.name))
    return pids


def check_failure(build, library, inputs, what, fail):
    """Starts a long stream of `library` over 2 ranks at 100 Mbit/s, calls
    `fail` after a second and checks that the job ends with an error (never
    hangs) naming the node or rank that failed. Returns the seconds from
    the failure to the job's end."""
    timeout_ms = 2000
    run([CLUSTER, "up", 2, "100mbit"])
    try:
        job = subprocess.Popen(
            [str(c) for c in [CLUSTER, "run", 2, "--", "env",
                              f"EDGE_NETWORK_TIMEOUT_MS={timeout_ms}",
                              build / "bin/edge-run", library, *inputs,
                              "--bench", 1000000]],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        failed_at = time.monotonic()
        fail()
        try:
            _, stderr = job.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            job.kill()
            raise SystemExit(f"{what}: the job still runs a minute later")
        seconds = time.monotonic() - failed_at
    finally:
        run([CLUSTER, "down", 2])
    return job.returncode, stderr, seconds


def check_failures(build, library, inputs):
    """A link that stalls (its interface down) ends the run with an error
    naming the other node, from EDGE_NETWORK_TIMEOUT_MS; a rank that is
    killed ends the job at once (mpirun ends the other ranks, naming the
    rank: rank r runs the r-th node, n<r> here)."""
    prefix = os.environ["EDGE_CLUSTER_PREFIX"]
    code, stderr, seconds = check_failure(
        build, library, inputs, "unplugged link",
        lambda: run(["ip", "-n", f"{prefix}-n0", "link", "set", "l1", "down"]))
    if code == 0 or "from node 'n1' (rank 1): nothing within 2.0 s" not in stderr \
            and "to node 'n1' (rank 1): nothing within 2.0 s" not in stderr:
        raise SystemExit(f"unplugged link: exit status {code}, no error "
                         f"naming node n1:\n{stderr}")
    print(f"unplugged link n0-n1: the run ended after {seconds:.1f} s "
          f"(timeout 2.0 s) naming node n1")

    def kill_rank():
        for pid in rank_pids(1):
            os.kill(pid, signal.SIGKILL)
    code, stderr, seconds = check_failure(build, library, inputs,
                                          "killed rank", kill_rank)
    if code == 0 or "process rank 1" not in stderr:
        raise SystemExit(f"killed rank: exit status {code}, no error "
                         f"naming rank 1:\n{stderr}")
    print(f"killed rank 1 (node n1): the job ended after {seconds:.1f} s")


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    build = Path(argv[1]).resolve()
    work = Path(argv[2] if len(argv) > 2 else build / "cluster").resolve()
    if os.geteuid() != 0 or not shutil.which("mpirun") or not shutil.which("ip"):
        print("check_cluster: skipped: needs root, mpirun and ip")
        return 77
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("EDGE_CLUSTER_PREFIX", f"ec{os.getpid() % 10000}")
    run([sys.executable, SOURCE_DIR / "scripts/export_torch_models.py", work,
         "--models", "mobilenet_v2,bert_encoder"])
    sample = SOURCE_DIR / "samples/tiny_cnn"
    models = [("tiny_cnn", sample / "model.onnx", sample / "input_0.pb")]
    for name in ("mobilenet_v2", "bert_encoder"):
        models.append((name, work / name / "model.onnx",
                       work / name / "test_data_set_0/input_0.pb"))
    for name, model, input_file in models:
        check_model(build, name, model, ["--input", input_file], work / name)
    check_failures(build, work / "tiny_cnn/split2.so",
                   ["--input", sample / "input_0.pb"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
