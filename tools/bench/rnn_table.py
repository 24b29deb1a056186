#!/usr/bin/env python3
"""Runs PyTorch's torch_rnn.py and `cellgraph bench` for every configuration and cell in one
session and prints an RNN table (markdown) with the ratios and heap figures, from whole runs
of each program (docs/performance.md's table comes from rnn_interleaved.py, which alternates
bursts of steps and is steadier).

Usage (from the repository root; PyTorch installed as tools/bench/README.md says):
    python3 tools/bench/rnn_table.py [--reps 5] [--small-reps 20] [--threads 2] [--torch PATH]
                                     [--configs small,medium,large] [--repeat N]
Raw JSON lines go to stderr, the table to stdout. Takes about 7 minutes on 2 cores per repeat.
With --repeat N, PyTorch and every cellgraph row are measured N times, in alternating rounds,
and the table shows the median of the N figures for each (the machine is shared: one core at
times runs at half speed for seconds, so single runs of the same code differ by up to 2x).
Formula rows run interleaved with the built-in (bench --against-builtin): their "vs our
builtin" column is the ratio measured within one JVM.
"""
import argparse, json, os, statistics, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--small-reps", type=int, default=20)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--configs", default="small,medium,large")
ap.add_argument("--repeat", type=int, default=1)
ap.add_argument("--torch", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_rnn.py"))
a = ap.parse_args()
root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
configs = a.configs.split(",")

def lines(cmd):
    out = subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout
    rows = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    for r in rows:
        print(json.dumps(r), file=sys.stderr)
    return rows

torch_runs = {}
our_runs = {}
for rnd in range(a.repeat):
    for cfg in configs:
        reps = a.small_reps if cfg == "small" else a.reps
        for r in lines(["/usr/bin/python3", a.torch, "--threads", str(a.threads), "--reps", str(reps), "--configs", cfg]):
            torch_runs.setdefault((r["config"], r["cell"], r["impl"]), []).append(r["seconds"])
        for cell, formula in [("rnn", False), ("lstm", False), ("gru", False), ("lstm", True), ("gru", True)]:
            # a formula cell runs interleaved with the built-in, step by step in one JVM, for its
            # "vs our builtin" ratio (vs_builtin); its own seconds come from the same run
            cmd = ["./cellgraph", "bench", "--cell", cell, "--config", cfg, "--threads", str(a.threads),
                   "--reps", str(reps), "--json"] + (["--formula", "--against-builtin"] if formula else [])
            our_runs.setdefault((cfg, cell, formula), []).append(lines(cmd)[-1])

torch = {k: statistics.median(v) for k, v in torch_runs.items()}
ours = {}
for k, runs in our_runs.items():
    runs = sorted(runs, key=lambda r: r["seconds"])
    ours[k] = dict(runs[(len(runs) - 1) // 2], seconds=statistics.median(r["seconds"] for r in runs))
    if "vs_builtin" in runs[0]:
        ours[k]["vs_builtin"] = statistics.median(r["vs_builtin"] for r in runs)

print("| config | cell | cellgraph s/step | PyTorch builtin | PyTorch custom | vs builtin | vs custom | vs our builtin | peak / live heap MB |")
print("|---|---|---|---|---|---|---|---|---|")
for cfg in configs:
    for cell, formula in [("rnn", False), ("lstm", False), ("gru", False), ("lstm", True), ("gru", True)]:
        r = ours[(cfg, cell, formula)]
        s = r["seconds"]
        b = torch.get((cfg, cell, "builtin"))
        c = torch.get((cfg, cell, "custom"))
        ob = ours[(cfg, cell, False)]["seconds"] if formula else None
        f = lambda x: "" if x is None else ("%.4g" % x)
        rt = lambda x, y: "" if x is None or y is None else "%.2f" % (x / y)
        print("| %s | %s%s | %s | %s | %s | %s | %s | %s | %.0f / %.0f |" % (
            cfg, cell, " (formula)" if formula else "", f(s), f(b), f(c), rt(s, b), rt(s, c),
            ("%.2f" % r["vs_builtin"] if "vs_builtin" in r else rt(s, ob)) if formula else "",
            r.get("peak_heap_mb", 0), r.get("live_heap_mb", 0)))
