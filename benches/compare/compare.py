"""Side-by-side driver: infomaniak-block-storage (Rust) versus Python openstacksdk.

Started by run.sh. Starts the bench binary's minimal server (`--serve`), then times, against
that one server, with the same clock (time.perf_counter around subprocess.run):

* cold start: a whole process doing start -> authenticate -> list 100 volumes -> exit;
  Rust: `client --cold-start`, Python: `workload.py cold`. Runs are interleaved.
* per call: sequential get_volume on one authenticated client, keep-alive, after warm-up;
  Rust: `client --per-call`, Python: `workload.py per-call`. Each prints per-run means.

Prints median, min and max of each, the ratios and whether the targets are met.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def summary(xs):
    med = statistics.median(xs)
    return med, min(xs), max(xs)


def fmt(xs, unit, digits=2):
    med, lo, hi = summary(xs)
    spread = (hi - lo) / 2 / med * 100
    return f"median {med:>10.{digits}f} {unit}  [min {lo:.{digits}f} .. max {hi:.{digits}f}, spread ±{spread:.1f}%, n={len(xs)}]"


def timed(cmd):
    t = time.perf_counter()
    done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ms = (time.perf_counter() - t) * 1e3
    if done.returncode != 0:
        sys.exit(f"{cmd[:3]} failed: {done.stderr.decode(errors='replace')}")
    return ms


def per_call(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["per_call_us"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench-bin", required=True)
    ap.add_argument("--python", required=True, help="python of the venv holding openstacksdk")
    ap.add_argument("--cold-runs", type=int, default=15)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--rust-calls", type=int, default=2000)
    ap.add_argument("--python-calls", type=int, default=200)
    a = ap.parse_args()

    server = subprocess.Popen([a.bench_bin, "--serve", "--volumes", "100"], stdout=subprocess.PIPE, text=True)
    try:
        info = dict(kv.split("=", 1) for kv in server.stdout.readline().split())
        url, cid, secret, region, vid = (info[k] for k in ("AUTH_URL", "APP_CRED_ID", "APP_CRED_SECRET", "REGION", "VOLUME_ID"))
        print(f"server: {url} (benches/client.rs --serve, 100 volumes)")
        workload = [a.python, str(HERE / "workload.py")]
        rust_cold = [a.bench_bin, "--cold-start", url, "100"]
        py_cold = workload + ["cold", url, cid, secret, region, "100"]

        print(f"\n== Cold start: spawn -> authenticate -> list 100 volumes -> exit ({a.cold_runs} runs each, interleaved, after one warm-up each) ==")
        timed(rust_cold)
        timed(py_cold)
        r_cold, p_cold = [], []
        for _ in range(a.cold_runs):
            r_cold.append(timed(rust_cold))
            p_cold.append(timed(py_cold))
        print(f"   rust  client --cold-start   {fmt(r_cold, 'ms')}")
        print(f"   python openstacksdk         {fmt(p_cold, 'ms')}")
        cold_ratio = statistics.median(p_cold) / statistics.median(r_cold)

        print(f"\n== Per call: get_volume, one authenticated client, keep-alive ({a.runs} runs; rust {a.rust_calls} calls/run, python {a.python_calls} calls/run) ==")
        r_call = per_call([a.bench_bin, "--per-call", url, vid, str(a.rust_calls), str(a.runs)])
        p_call = per_call(workload + ["per-call", url, cid, secret, region, vid, str(a.python_calls), str(a.runs)])
        print(f"   rust  client                {fmt(r_call, 'µs/call')}")
        print(f"   python openstacksdk         {fmt(p_call, 'µs/call')}")
        call_ratio = statistics.median(p_call) / statistics.median(r_call)

        print("\n== Ratios (openstacksdk median / rust median) ==")
        print(f"   cold start  {cold_ratio:6.1f}x faster   target >= 20x: {'MET' if cold_ratio >= 20 else 'MISSED'}")
        print(f"   per call    {call_ratio:6.1f}x faster   target >=  3x: {'MET' if call_ratio >= 3 else 'MISSED'}")
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
