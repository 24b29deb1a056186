#!/usr/bin/env python3
"""The RNN table of docs/performance.md, with single training steps of cellgraph and PyTorch
alternated, so that the slow phases of a shared machine fall on both alike.

Usage (from the repository root; PyTorch installed as tools/bench/README.md says):
    /usr/bin/python3 tools/bench/rnn_interleaved.py [--configs small,medium,large]
        [--cells rnn,lstm,gru] [--rounds small=15,medium=10,large=6]
        [--burst small=20,medium=5,large=1] [--threads 2]

For each configuration and cell, one cellgraph worker (`cellgraph bench --serve`, the built-in
and, for lstm and gru, the formula cell, in one JVM) and one PyTorch worker (the builtin and
custom steps of tools/bench/torch_rnn.py, imported) stay up. Every round runs a short burst of
steps of each: cellgraph built-in, PyTorch built-in, cellgraph formula, PyTorch custom (the order
reversed every other round, with a pause of --gap seconds before each burst: after a product,
OpenBLAS's idle threads spin for about 0.1 s on the core the next burst needs), and takes the
median of each burst but its first step (after a
burst of the other side, caches are cold and idle threads asleep, as they would not be in a
training loop). Each ratio is taken within a round and the table shows the median over the
rounds, next to the median seconds per step of each side. Raw JSON lines go to stderr, the
markdown table to stdout.
"""
import argparse, json, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TORCH_WORKER = r'''
import sys, time
sys.path.insert(0, sys.argv[1])
import torch_rnn, torch
cfg = torch_rnn.CONFIGS[sys.argv[2]]
cell = sys.argv[3]
torch.set_num_threads(int(sys.argv[4]))
torch.manual_seed(0)
I, H, B, T = cfg["I"], cfg["H"], cfg["B"], cfg["T"]
x = torch.randn(T, B, I)
p, mod = torch_rnn.make(cell, I, H)
def builtin():
    mod.zero_grad()
    y, _ = mod(x)
    y.sum().backward()
def custom():
    for v in p.values(): v.grad = None
    torch_rnn.custom_step(cell, x, p).sum().backward()
fns = {"builtin": builtin, "custom": custom}
for f in fns.values():
    for _ in range(2):
        f()
print("ready", flush=True)
for line in sys.stdin:
    name, n = line.split()
    ts = []
    for _ in range(int(n)):
        t0 = time.perf_counter(); fns[name](); ts.append(time.perf_counter() - t0)
    print(" ".join(str(t) for t in ts), flush=True)
'''

class Worker:
    def __init__(self, cmd, env=None, ready=False):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=env)
        if ready:
            line = self.p.stdout.readline()
            if line.strip() != "ready":
                raise SystemExit("worker failed to start: " + " ".join(cmd))

    def burst(self, impl, n):
        """Median seconds per step of a burst of n steps, its first step left out when n > 1."""
        self.p.stdin.write(f"{impl} {n}\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise SystemExit("worker exited: " + " ".join(self.p.args))
        ts = [float(x) for x in line.split()]
        return statistics.median(ts[1:] if len(ts) > 1 else ts)

    def close(self):
        self.p.stdin.close()
        self.p.wait()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", default="small,medium,large")
    ap.add_argument("--cells", default="rnn,lstm,gru")
    ap.add_argument("--rounds", default="small=15,medium=10,large=6")
    ap.add_argument("--burst", default="small=20,medium=5,large=1")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup-seconds", type=float, default=10)
    ap.add_argument("--gap", type=float, default=0.2,
                    help="seconds to sleep before each burst: OpenBLAS's idle threads spin for about "
                         "0.1 s after a product, on the core the other side needs")
    ap.add_argument("--bench-dir", default=os.path.dirname(os.path.abspath(__file__)),
                    help="directory holding torch_rnn.py (default: this one)")
    a = ap.parse_args()
    rounds = {k: int(v) for k, v in (x.split("=") for x in a.rounds.split(","))}
    burst = {k: int(v) for k, v in (x.split("=") for x in a.burst.split(","))}
    env = dict(os.environ)
    if "avx512f" in open("/proc/cpuinfo").read():
        env.setdefault("OPENBLAS_CORETYPE", "SKYLAKEX")  # as torch_rnn.py does
    print("| config | cell | cellgraph s/step | PyTorch builtin | PyTorch custom | vs builtin | vs custom "
          "| formula s/step | formula vs custom | formula vs our builtin | rounds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for cfg in a.configs.split(","):
        for cell in a.cells.split(","):
            formula = cell in ("lstm", "gru")
            ours = Worker(["./cellgraph", "bench", "--cell", cell, "--config", cfg, "--threads", str(a.threads),
                           "--warmup-seconds", str(a.warmup_seconds), "--serve"]
                          + (["--formula", "--against-builtin"] if formula else []))
            theirs = Worker(["/usr/bin/python3", "-c", TORCH_WORKER, a.bench_dir, cfg, cell, str(a.threads)],
                            env, ready=True)
            order = [(ours, "builtin"), (theirs, "builtin")] + (
                [(ours, "formula"), (theirs, "custom")] if formula else [(theirs, "custom")])
            t = {k: [] for k in ("builtin", "formula", "torch_builtin", "torch_custom")}
            for r in range(rounds[cfg]):
                got = {}
                for w, impl in (order if r % 2 == 0 else order[::-1]):
                    time.sleep(a.gap)
                    got[(w is ours, impl)] = w.burst(impl, burst[cfg])
                t["builtin"].append(got[(True, "builtin")])
                if formula:
                    t["formula"].append(got[(True, "formula")])
                t["torch_builtin"].append(got[(False, "builtin")])
                t["torch_custom"].append(got[(False, "custom")])
            ours.close()
            theirs.close()
            med = lambda v: statistics.median(v)
            ratio = lambda x, y: med([p / q for p, q in zip(t[x], t[y])])
            row = dict(config=cfg, cell=cell, threads=a.threads, rounds=rounds[cfg], burst=burst[cfg],
                       builtin_seconds=med(t["builtin"]), torch_builtin_seconds=med(t["torch_builtin"]),
                       torch_custom_seconds=med(t["torch_custom"]),
                       vs_torch_builtin=ratio("builtin", "torch_builtin"),
                       vs_torch_custom=ratio("builtin", "torch_custom"))
            if formula:
                row.update(formula_seconds=med(t["formula"]),
                           formula_vs_torch_custom=ratio("formula", "torch_custom"),
                           formula_vs_builtin=ratio("formula", "builtin"))
            print(json.dumps(row), file=sys.stderr, flush=True)
            f = lambda k, fmt="%.3g": (fmt % row[k]) if k in row else ""
            print(f"| {cfg} | {cell} | {f('builtin_seconds')} | {f('torch_builtin_seconds')} | "
                  f"{f('torch_custom_seconds')} | {f('vs_torch_builtin', '%.2f')} | {f('vs_torch_custom', '%.2f')} | "
                  f"{f('formula_seconds')} | {f('formula_vs_torch_custom', '%.2f')} | "
                  f"{f('formula_vs_builtin', '%.2f')} | {rounds[cfg]} |", flush=True)

if __name__ == "__main__":
    main()
