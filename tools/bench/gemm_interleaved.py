#!/usr/bin/env python3
"""GEMM ratios against PyTorch (OpenBLAS), single products alternated between the two.

Usage (from the repository root, after `mvn -B -q -Pbench -pl benchmarks -am package -DskipTests`):
    /usr/bin/python3 tools/bench/gemm_interleaved.py [--pairs P] [--size N] [--warmup-seconds S]

A cellgraph worker (GemmThroughput --serve) and two PyTorch workers (OpenBLAS with one and with
two threads, the AVX-512 kernels named as in tools/bench/torch_gemm.py) stay up; the driver
asks them in turn for one N x N x N product each, cellgraph and PyTorch alternating (the order
swaps every pair, with a pause of --gap seconds before each product: after a product, OpenBLAS's
idle threads spin for about 0.1 s on the core the next one needs), so that the slow phases of a shared machine, which last seconds, fall on both
alike. For each dtype and thread count it prints the median GFLOP/s of each side and the median of
the per-pair ratios.
"""
import argparse, json, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TORCH_WORKER = r'''
import sys, time, torch
n = int(sys.argv[1])
mats = {}
for dt in (torch.float32, torch.float64):
    torch.manual_seed(1)
    mats[str(dt).replace("torch.", "")] = (torch.randn(n, n, dtype=dt), torch.randn(n, n, dtype=dt))
for line in sys.stdin:
    a, b = mats[line.split()[0]]
    t0 = time.perf_counter(); a @ b; t = time.perf_counter() - t0
    print(t, flush=True)
'''

class Worker:
    def __init__(self, cmd, env=None):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=env)

    def run(self, dtype, threads):
        self.p.stdin.write(f"{dtype} {threads}\n")
        self.p.stdin.flush()
        return float(self.p.stdout.readline())

    def close(self):
        self.p.stdin.close()
        self.p.wait()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=60)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--warmup-seconds", type=float, default=3.0)
    ap.add_argument("--gap", type=float, default=0.2,
                    help="seconds to sleep before each burst: OpenBLAS's idle threads spin for about "
                         "0.1 s after a product, on the core the other side needs")
    a = ap.parse_args()
    n = a.size
    ours = Worker(["java", "--add-modules", "jdk.incubator.vector", "-cp", "benchmarks/target/benchmarks.jar",
                   "dev.cellgraph.benchmarks.GemmThroughput", "--size", str(n), "--serve"])
    torch_workers = {}
    for threads in (1, 2):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        if "avx512f" in open("/proc/cpuinfo").read():
            env.setdefault("OPENBLAS_CORETYPE", "SKYLAKEX")
        torch_workers[threads] = Worker(["/usr/bin/python3", "-c", TORCH_WORKER, str(n)], env)
    flops = 2.0 * n ** 3
    for threads in (1, 2):
        for dtype in ("float32", "float64"):
            theirs = torch_workers[threads]
            end = time.time() + a.warmup_seconds
            while time.time() < end:
                ours.run(dtype, threads)
                theirs.run(dtype, threads)
            c, t, q = [], [], []
            for i in range(a.pairs):
                if i % 2 == 0:
                    time.sleep(a.gap); x = ours.run(dtype, threads)
                    time.sleep(a.gap); y = theirs.run(dtype, threads)
                else:
                    time.sleep(a.gap); y = theirs.run(dtype, threads)
                    time.sleep(a.gap); x = ours.run(dtype, threads)
                c.append(x); t.append(y); q.append(y / x)
            print(json.dumps(dict(op="gemm", dtype=dtype, threads=threads, n=n, pairs=a.pairs,
                                  cellgraph_gflops=round(flops / statistics.median(c) / 1e9, 1),
                                  openblas_gflops=round(flops / statistics.median(t) / 1e9, 1),
                                  ratio=round(statistics.median(q), 3),
                                  ratio_quartiles=[round(x, 3) for x in statistics.quantiles(q, n=4)])),
                  flush=True)
    ours.close()
    for w in torch_workers.values():
        w.close()

if __name__ == "__main__":
    main()
