#!/usr/bin/env python3
"""Two settings of cellgraph's GEMM against each other, single 1024^3 products alternated.

Usage (from the repository root, after `mvn -B -q -Pbench -pl benchmarks -am package -DskipTests`):
    /usr/bin/python3 tools/bench/gemm_ab.py --b=-Dcellgraph.gemm.kcwide=512 [--a="JVM OPTS"]
        [--rounds R] [--threads 1,2]

Two GemmThroughput --serve workers, A (default JVM options) and B, stay up; each round asks each
for one product, the order swapping every round, after a pause of 0.1 s. Prints, per dtype and
thread count, the median GFLOP/s of each and the median of the per-round ratios B time / A time
(above 1: B is slower).
"""
import argparse, json, os, statistics, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

def worker(opts):
    return subprocess.Popen(["java", "--add-modules", "jdk.incubator.vector"] + opts.split()
                            + ["-cp", "benchmarks/target/benchmarks.jar", "dev.cellgraph.benchmarks.GemmThroughput",
                               "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)

def ask(p, request):
    p.stdin.write(request + "\n")
    p.stdin.flush()
    return float(p.stdout.readline())

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", default="")
    ap.add_argument("--b", required=True)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    a, b = worker(args.a), worker(args.b)
    flops = 2.0 * 1024 ** 3
    for threads in [int(t) for t in args.threads.split(",")]:
        for dtype in ("float32", "float64"):
            request = f"{dtype} {threads}"
            end = time.time() + 3  # warm-up: the JIT's final compilation of the kernels
            while time.time() < end:
                ask(a, request); ask(b, request)
            ta, tb, q = [], [], []
            for i in range(args.rounds):
                time.sleep(0.1)
                if i % 2:
                    y = ask(b, request); x = ask(a, request)
                else:
                    x = ask(a, request); y = ask(b, request)
                ta.append(x); tb.append(y); q.append(y / x)
            print(json.dumps(dict(dtype=dtype, threads=threads, rounds=args.rounds,
                                  a_gflops=round(flops / statistics.median(ta) / 1e9, 1),
                                  b_gflops=round(flops / statistics.median(tb) / 1e9, 1),
                                  b_time_over_a=round(statistics.median(q), 3))), flush=True)
    for p in (a, b):
        p.stdin.close()
        p.wait()

if __name__ == "__main__":
    main()
