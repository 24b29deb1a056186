#!/usr/bin/env python3
"""GEMM ratios against PyTorch (OpenBLAS), measured in alternating pairs.

Usage (from the repository root, after `mvn -B -q -Pbench -pl benchmarks -am package -DskipTests`):
    /usr/bin/python3 tools/bench/gemm_pairs.py [--rounds R] [--size N]

Each round runs cellgraph's GemmThroughput, then tools/bench/torch_gemm.py, right after each
other (the order swaps every round), and takes the ratio of their GFLOP/s per dtype and thread
count. On a shared machine whose cores slow down for seconds at a time, a single pair can be off
by 2x either way; the median over rounds of the per-round ratio is the figure to quote.
"""
import argparse, json, os, statistics, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {(r["dtype"], r["threads"]): r["gflops"] for r in rows}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--torch", default=os.path.join(ROOT, "tools", "bench", "torch_gemm.py"))
    a = ap.parse_args()
    ours = ["java", "--add-modules", "jdk.incubator.vector", "-cp", "benchmarks/target/benchmarks.jar",
            "dev.cellgraph.benchmarks.GemmThroughput", "--size", str(a.size)]
    theirs = ["/usr/bin/python3", a.torch, "--size", str(a.size)]
    ratios = {}
    for r in range(a.rounds):
        if r % 2 == 0:
            c, t = run(ours), run(theirs)
        else:
            t, c = run(theirs), run(ours)
        for key in sorted(c):
            ratios.setdefault(key, []).append((c[key], t[key], c[key] / t[key]))
        print(f"round {r + 1}: " + "  ".join(f"{d} {n}t {x:.1f}/{y:.1f}={q:.2f}"
              for (d, n), v in sorted(ratios.items()) for x, y, q in [v[-1]]), flush=True)
    print(f"median over {a.rounds} rounds (cellgraph GFLOP/s, OpenBLAS GFLOP/s, ratio):")
    for (d, n), v in sorted(ratios.items()):
        print(json.dumps(dict(dtype=d, threads=n, n=a.size, rounds=a.rounds,
                              cellgraph_gflops=statistics.median(x for x, _, _ in v),
                              openblas_gflops=statistics.median(y for _, y, _ in v),
                              ratio=round(statistics.median(q for _, _, q in v), 3),
                              ratios=[round(q, 2) for _, _, q in v])))

if __name__ == "__main__":
    main()
