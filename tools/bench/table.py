#!/usr/bin/env python3
"""The one current training-step table of docs/performance.md: cellgraph against PyTorch 2.7.1
(oneMKL, oneDNN, through djl-torch/) and PyTorch 1.13 (Debian, OpenBLAS), in float32, and
cellgraph against PyTorch 2.7.1 in float64, all workers alternated in one run.

Usage (from the repository root; both PyTorch references set up as tools/bench/README.md says):
    /usr/bin/python3 tools/bench/table.py [--configs small,medium,large] [--cells rnn,lstm,gru]
        [--rounds small=15,medium=10,large=6] [--burst small=20,medium=5,large=1]
        [--dtypes float32,float64] [--threads 2] [--peak GFLOPS] [--quick]

For each configuration and cell these workers stay up, each warmed before the first round:
cellgraph float32 (`cellgraph bench --serve`, the built-in and, for lstm and gru, the formula
cell in one JVM), PyTorch 2.7.1 float32 (`djl-torch/serve.sh`), PyTorch 1.13 (nn.RNN/LSTM/GRU
and the same cell as a Python loop of tensor ops, from torch_rnn.py), and for float64 cellgraph
and PyTorch 2.7.1 in float64. Every round runs a burst of steps of each, in one order and the
next round in the reverse order, with --gap seconds of sleep before each burst, and takes the
median of each burst but its first step (as rnn_interleaved.py does, whose Worker this reuses).
Each ratio is taken within a round; the tables show the median over rounds, next to the median
seconds per step. Weight gradients only, no input gradient, no optimizer, on every side.
Raw JSON lines go to stderr, the markdown tables to stdout.

--quick (rounds small=5,medium=3,large=2, 5 s of cellgraph warm-up) is meant to take about 2
minutes for all configurations on two idle cores, the defaults about 10 (estimates: on a
machine with load average 20 on two cores, 3/2/2 rounds took 35 minutes).
"""
import argparse, json, os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rnn_interleaved import ROOT, TORCH_WORKER, Worker  # noqa: E402

DJL_SERVE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "djl-torch", "serve.sh")

F32_HEAD = ("| config | cell | ours s/step | PyTorch 2.7.1 | PyTorch 1.13 builtin | PyTorch 1.13 custom "
            "| ours / 2.7.1 | ours / 1.13 | formula s/step | formula / 1.13 custom | formula / our builtin "
            "| rounds |\n|---|---|---|---|---|---|---|---|---|---|---|---|")
F64_HEAD = ("| config | cell | ours float64 s/step | PyTorch 2.7.1 float64 | ours / 2.7.1 | rounds |\n"
            "|---|---|---|---|---|---|")


# torch_rnn.py's configurations: input I, hidden H, batch B, steps T.
SIZES = {"small": (32, 64, 16, 50), "medium": (128, 256, 32, 50), "large": (256, 512, 64, 100)}
GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def step_flops(cfg, cell):
    """Flops of the products of one training step without the input gradient: forward x W and
    h U, backward dgates U (the carry's cotangent), dU and dW; the elementwise work is left out."""
    i, h, b, t = SIZES[cfg]
    return 2 * t * b * GATES[cell] * h * (2 * (i + h) + h)


def pairs(s):
    return {k: int(v) for k, v in (x.split("=") for x in s.split(","))}


def main():
    ap = argparse.ArgumentParser(description="cellgraph vs PyTorch 2.7.1 and 1.13, alternated")
    ap.add_argument("--configs", default="small,medium,large")
    ap.add_argument("--cells", default="rnn,lstm,gru")
    ap.add_argument("--dtypes", default="float32,float64",
                    help="float32 (all four references), float64 (ours vs PyTorch 2.7.1), or both")
    ap.add_argument("--rounds", default=None, help="default small=15,medium=10,large=6")
    ap.add_argument("--burst", default="small=20,medium=5,large=1")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup-seconds", type=float, default=None, help="cellgraph's warm-up (default 10)")
    ap.add_argument("--gap", type=float, default=0.2,
                    help="seconds to sleep before each burst (OpenMP and OpenBLAS threads spin after a product)")
    ap.add_argument("--peak", type=float, default=None,
                    help="GFLOP/s of the FMA peak of all threads (benchmarks' FmaPeak x threads): adds the "
                         "share of it that ours runs at and that the 0.5 and 0.35 targets would need")
    ap.add_argument("--quick", action="store_true",
                    help="rounds small=5,medium=3,large=2 and 5 s of warm-up")
    a = ap.parse_args()
    rounds = pairs(a.rounds or ("small=5,medium=3,large=2" if a.quick else "small=15,medium=10,large=6"))
    burst = pairs(a.burst)
    warm = a.warmup_seconds if a.warmup_seconds is not None else (5 if a.quick else 10)
    dtypes = a.dtypes.split(",")
    for d in dtypes:
        if d not in ("float32", "float64"):
            raise SystemExit(f"--dtypes: expected float32 and/or float64, got '{d}'")
    env = dict(os.environ)
    if "avx512f" in open("/proc/cpuinfo").read():
        env.setdefault("OPENBLAS_CORETYPE", "SKYLAKEX")  # as torch_rnn.py does
    t_start = time.time()
    # Build both programs once, so that workers started together do not build them at once.
    subprocess.run(["./cellgraph", "bench", "--help"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["bash", "-c", 'source "$0" && build', os.path.join(os.path.dirname(DJL_SERVE), "lib.sh")],
                   check=True)
    f32_rows, f64_rows = [], []
    for cfg in a.configs.split(","):
        if cfg not in rounds or cfg not in burst:
            raise SystemExit(f"--configs: '{cfg}' has no --rounds/--burst entry")
        for cell in a.cells.split(","):
            formula = cell in ("lstm", "gru")

            def ours(dtype, with_formula):
                return Worker(["./cellgraph", "bench", "--cell", cell, "--config", cfg,
                               "--threads", str(a.threads), "--warmup-seconds", str(warm),
                               "--dtype", dtype, "--serve"]
                              + (["--formula", "--against-builtin"] if with_formula else []))

            def djl(dtype):
                return Worker([DJL_SERVE, "--cell", cell, "--config", cfg, "--dtype", dtype,
                               "--threads", str(a.threads)], env)

            # All workers start (and warm up) at once; a first burst of one step waits for each.
            w = {}
            if "float32" in dtypes:
                w["ours"] = ours("float32", formula)
                w["djl"] = djl("float32")
                w["torch"] = Worker(["/usr/bin/python3", "-c", TORCH_WORKER,
                                     os.path.dirname(os.path.abspath(__file__)), cfg, cell, str(a.threads)], env)
            if "float64" in dtypes:
                w["ours64"] = ours("float64", False)
                w["djl64"] = djl("float64")
            order = []
            if "float32" in dtypes:
                order += [("builtin", "ours", "builtin"), ("djl", "djl", "builtin"),
                          ("torch_builtin", "torch", "builtin")]
                if formula:
                    order.append(("formula", "ours", "formula"))
                order.append(("torch_custom", "torch", "custom"))
            if "float64" in dtypes:
                order += [("builtin64", "ours64", "builtin"), ("djl64", "djl64", "builtin")]
            for wk, what in (("torch", "PyTorch 1.13 worker"), ("djl", "djl-torch/serve.sh"),
                             ("djl64", "djl-torch/serve.sh --dtype float64")):
                if wk in w and w[wk].p.stdout.readline().strip() != "ready":
                    raise SystemExit(what + " failed to start")
            for _, wk, impl in order:
                w[wk].burst(impl, 1)
            t = {k: [] for k, _, _ in order}
            for r in range(rounds[cfg]):
                for k, wk, impl in (order if r % 2 == 0 else order[::-1]):
                    time.sleep(a.gap)
                    t[k].append(w[wk].burst(impl, burst[cfg]))
            for x in w.values():
                x.close()
            med = statistics.median
            ratio = lambda x, y: med([p / q for p, q in zip(t[x], t[y])])
            base = dict(config=cfg, cell=cell, threads=a.threads, rounds=rounds[cfg], burst=burst[cfg])
            if "float32" in dtypes:
                row = dict(base, dtype="float32", builtin_seconds=med(t["builtin"]),
                           torch271_seconds=med(t["djl"]), torch113_builtin_seconds=med(t["torch_builtin"]),
                           torch113_custom_seconds=med(t["torch_custom"]),
                           vs_torch271=ratio("builtin", "djl"), vs_torch113=ratio("builtin", "torch_builtin"))
                if formula:
                    row.update(formula_seconds=med(t["formula"]),
                               formula_vs_torch113_custom=ratio("formula", "torch_custom"),
                               formula_vs_builtin=ratio("formula", "builtin"))
                print(json.dumps(row), file=sys.stderr, flush=True)
                f32_rows.append(row)
            if "float64" in dtypes:
                row = dict(base, dtype="float64", builtin_seconds=med(t["builtin64"]),
                           torch271_seconds=med(t["djl64"]), vs_torch271=ratio("builtin64", "djl64"))
                print(json.dumps(row), file=sys.stderr, flush=True)
                f64_rows.append(row)
    f = lambda row, k, fmt="%.3g": (fmt % row[k]) if k in row else ""
    if f32_rows:
        print("float32, %d threads:\n\n%s" % (a.threads, F32_HEAD))
        for r in f32_rows:
            print(f"| {r['config']} | {r['cell']} | {f(r, 'builtin_seconds')} | {f(r, 'torch271_seconds')} | "
                  f"{f(r, 'torch113_builtin_seconds')} | {f(r, 'torch113_custom_seconds')} | "
                  f"{f(r, 'vs_torch271', '%.2f')} | {f(r, 'vs_torch113', '%.2f')} | {f(r, 'formula_seconds')} | "
                  f"{f(r, 'formula_vs_torch113_custom', '%.2f')} | {f(r, 'formula_vs_builtin', '%.2f')} | "
                  f"{r['rounds']} |")
        print()
    if f32_rows:
        print("products per float32 step (%s):\n" % ("share of the %.0f GFLOP/s peak" % a.peak if a.peak
                                                      else "no --peak given"))
        print("| config | cell | GFLOP per step | ours GFLOP/s | needed for 0.5 of 2.7.1 | needed for 0.35 |\n"
              "|---|---|---|---|---|---|")
        for r in f32_rows:
            fl = step_flops(r["config"], r["cell"]) / 1e9
            rate = lambda s: ("%.0f" % (fl / s)) + ((" (%.2f)" % (fl / s / a.peak)) if a.peak else "")
            print(f"| {r['config']} | {r['cell']} | {fl:.3g} | {rate(r['builtin_seconds'])} | "
                  f"{rate(0.5 * r['torch271_seconds'])} | {rate(0.35 * r['torch271_seconds'])} |")
        print()
    if f64_rows:
        print("float64, %d threads:\n\n%s" % (a.threads, F64_HEAD))
        for r in f64_rows:
            print(f"| {r['config']} | {r['cell']} | {f(r, 'builtin_seconds')} | {f(r, 'torch271_seconds')} | "
                  f"{f(r, 'vs_torch271', '%.2f')} | {r['rounds']} |")
        print()
    print("(%.0f s)" % (time.time() - t_start), flush=True)


if __name__ == "__main__":
    main()
