#!/usr/bin/env python3
"""The streaming-inference figures of docs/performance.md: whole runs of `cellgraph bench --stream`
and of PyTorch 2.7.1's stream mode (tools/bench/djl-torch/stream.sh) alternated, ratios per round.

Usage (from the repository root):
    python3 tools/bench/stream_interleaved.py [--configs small,medium] [--rounds 3]
        [--reps 5000] [--warmup-seconds 5] [--threads 2] [--dtype float32]

Each round runs, for each configuration, one cellgraph JVM (the built-in LSTM and the zoo's
formula LSTM stepped alternately, batch 1, median of --reps single steps) and one PyTorch JVM
(torch::lstm on a length-1 sequence, and lstm_cell's own composition of ATen ops; both under
no_grad), the order of the two programs reversed every other round. Each ratio is taken within a
round; the table shows every round's ratio and their median. Raw JSON lines go to stderr, the
markdown table to stdout.
"""
import argparse, json, os, statistics, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def lines(cmd):
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    got = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    for g in got:
        print(json.dumps(g), file=sys.stderr)
    return got


def cellgraph(config, a):
    got = lines(["./cellgraph", "bench", "--cell", "lstm", "--formula", "--against-builtin", "--stream",
                 "--config", config, "--reps", str(a.reps), "--warmup-seconds", str(a.warmup_seconds),
                 "--threads", str(a.threads), "--dtype", a.dtype, "--json"])
    return {g["impl"]: g["seconds"] for g in got}


def torch(config, a):
    got = lines(["tools/bench/djl-torch/stream.sh", "--configs", config, "--reps", str(a.reps),
                 "--warmup-seconds", str(a.warmup_seconds), "--threads", str(a.threads), "--dtype", a.dtype])
    return {("cell" if g["op"].startswith("at::lstm_cell") else "seq"): g["seconds"] for g in got}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", default="small,medium")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=5000)
    ap.add_argument("--warmup-seconds", type=float, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtype", default="float32")
    a = ap.parse_args()
    rows = []
    for config in a.configs.split(","):
        rounds = []
        for r in range(a.rounds):
            if r % 2 == 0:
                c, t = cellgraph(config, a), torch(config, a)
            else:
                t, c = torch(config, a), cellgraph(config, a)
            rounds.append((c, t))
        rows.append((config, rounds))
    print("| config | cellgraph built-in µs | formula µs | torch lstm_cell ops µs | torch::lstm T=1 µs "
          "| built-in ÷ lstm_cell | built-in ÷ torch::lstm | formula ÷ lstm_cell |")
    print("|---|---|---|---|---|---|---|---|")
    for config, rounds in rows:
        med = lambda f: statistics.median(f(c, t) for c, t in rounds)
        ratios = lambda f: " ".join("%.2f" % f(c, t) for c, t in rounds) + " (median %.2f)" % med(f)
        print("| %s | %.1f | %.1f | %.1f | %.1f | %s | %s | %s |" % (
            config, med(lambda c, t: c["builtin"] * 1e6), med(lambda c, t: c["formula"] * 1e6),
            med(lambda c, t: t["cell"] * 1e6), med(lambda c, t: t["seq"] * 1e6),
            ratios(lambda c, t: c["builtin"] / t["cell"]), ratios(lambda c, t: c["builtin"] / t["seq"]),
            ratios(lambda c, t: c["formula"] / t["cell"])))


if __name__ == "__main__":
    main()
