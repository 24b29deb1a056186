#!/usr/bin/env python3
"""GEMM ratios against PyTorch, single products alternated between the two, and both as a fraction
of the measured FMA peak.

Usage (from the repository root, after `mvn -B -q -Pbench -pl benchmarks -am package -DskipTests`):
    /usr/bin/python3 tools/bench/gemm_interleaved.py [--against openblas|mkl] [--pairs P] [--size N]
                                                     [--warmup-seconds S] [--gap G]

A cellgraph worker (GemmThroughput --serve) and two PyTorch workers, one with one thread and one
with two, stay up. `--against openblas` (the default): Debian's PyTorch 1.13 in /usr/bin/python3,
OpenBLAS with the AVX-512 kernels named as in tools/bench/torch_gemm.py. `--against mkl`:
PyTorch 2.7.1's oneMKL through DJL (tools/bench/djl-torch, `bench.Bench gemm-serve`, built offline
on first use). The driver asks them in turn for one N x N x N product each, and the cellgraph
worker also for one burst of the FMA peak loop (benchmarks' FmaPeak, the product's 2 N^3 flops
at peak); the order of the three rotates every round, with a pause of --gap seconds before each
(after a product, OpenBLAS's and OpenMP's idle threads spin for about 0.1 s on the core the next
one needs), so that the slow phases of a shared machine, which last seconds, fall on all alike.
For each dtype and thread count it prints the median GFLOP/s of each side and of the peak loop,
the median of the per-round ratios PyTorch time / cellgraph time (`ratio`: cellgraph's speed as a
fraction of PyTorch's), and the medians of the per-round fractions of peak of each side.
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
    ap.add_argument("--against", choices=("openblas", "mkl"), default="openblas")
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
        if a.against == "mkl":
            torch_workers[threads] = Worker(
                ["bash", "-c", 'source tools/bench/djl-torch/lib.sh && build && '
                 f'bench_java gemm-serve --threads {threads} --size {n}'], env)
        else:
            torch_workers[threads] = Worker(["/usr/bin/python3", "-c", TORCH_WORKER, str(n)], env)
    flops = 2.0 * n ** 3
    for threads in (1, 2):
        for dtype in ("float32", "float64"):
            theirs = torch_workers[threads]
            end = time.time() + a.warmup_seconds
            while time.time() < end:
                ours.run(dtype, threads)
                theirs.run(dtype, threads)
                ours.run("peak " + dtype, threads)
            c, t, p, q, cp, tp = [], [], [], [], [], []
            for i in range(a.pairs):
                jobs = [("c", lambda: ours.run(dtype, threads)), ("t", lambda: theirs.run(dtype, threads)),
                        ("p", lambda: ours.run("peak " + dtype, threads))]
                got = {}
                for name, job in jobs[i % 3:] + jobs[:i % 3]:
                    time.sleep(a.gap)
                    got[name] = job()
                c.append(got["c"]); t.append(got["t"]); p.append(got["p"])
                q.append(got["t"] / got["c"]); cp.append(got["p"] / got["c"]); tp.append(got["p"] / got["t"])
            print(json.dumps({"op": "gemm", "dtype": dtype, "threads": threads, "n": n, "pairs": a.pairs,
                              "cellgraph_gflops": round(flops / statistics.median(c) / 1e9, 1),
                              a.against + "_gflops": round(flops / statistics.median(t) / 1e9, 1),
                              "peak_gflops": round(flops / statistics.median(p) / 1e9, 1),
                              "ratio": round(statistics.median(q), 3),
                              "ratio_quartiles": [round(x, 3) for x in statistics.quantiles(q, n=4)],
                              "cellgraph_of_peak": round(statistics.median(cp), 3),
                              a.against + "_of_peak": round(statistics.median(tp), 3)}),
                  flush=True)
    ours.close()
    for w in torch_workers.values():
        w.close()

if __name__ == "__main__":
    main()
