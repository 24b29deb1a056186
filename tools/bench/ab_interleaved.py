#!/usr/bin/env python3
"""Two builds of cellgraph against each other: training steps of build A and build B alternated
in bursts, so that the slow phases of a shared machine fall on both alike (the before/after
figures of a change, in docs/performance.md).

Usage (from the repository root):
    python3 tools/bench/ab_interleaved.py --a 'java -cp OLD.jar:OLD/lib/* dev.cellgraph.examples.Main' \\
        [--b './cellgraph'] [--configs small,medium,large] [--cells rnn,lstm,gru]
        [--rounds small=12,medium=8,large=4] [--burst small=20,medium=5,large=1] [--threads 2]

--a and --b are the commands that start each program (split on spaces, `*` in a class path
left to java); each runs `bench --cell CELL --config CFG --serve` (the built-in and, for lstm
and gru, the formula cell, in one JVM). Every round runs one burst of each (A then B, the order
reversed every other round) and takes the median of each burst but its first step; the table
shows, per configuration and implementation, the median over rounds of the per-round ratio
B / A, next to the median seconds per step of each.
"""
import argparse, os, statistics, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rnn_interleaved import Worker  # noqa: E402  (one worker protocol for every driver)


def parse_map(s):
    return {k: int(v) for k, v in (kv.split("=") for kv in s.split(","))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True, help="the command that starts build A (before)")
    ap.add_argument("--b", default="./cellgraph", help="the command that starts build B (after)")
    ap.add_argument("--configs", default="small,medium,large")
    ap.add_argument("--cells", default="rnn,lstm,gru")
    ap.add_argument("--rounds", default="small=12,medium=8,large=4")
    ap.add_argument("--burst", default="small=20,medium=5,large=1")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup-seconds", type=float, default=10)
    a = ap.parse_args()
    rounds, burst = parse_map(a.rounds), parse_map(a.burst)
    print("| config | cell | impl | A s/step | B s/step | B / A | rounds |")
    print("|---|---|---|---|---|---|---|")
    for cfg in a.configs.split(","):
        for cell in a.cells.split(","):
            formula = cell in ("lstm", "gru")
            args = ["bench", "--cell", cell, "--config", cfg, "--threads", str(a.threads),
                    "--warmup-seconds", str(a.warmup_seconds), "--serve"] + (
                        ["--formula", "--against-builtin"] if formula else [])
            wa = Worker(a.a.split() + args)
            wb = Worker(a.b.split() + args)
            impls = ["builtin"] + (["formula"] if formula else [])
            t = {(w, i): [] for w in "ab" for i in impls}
            for r in range(rounds[cfg]):
                order = [("a", wa), ("b", wb)]
                for name, w in (order if r % 2 == 0 else order[::-1]):
                    for impl in impls:
                        t[(name, impl)].append(w.burst(impl, burst[cfg]))
            for impl in impls:
                ra, rb = t[("a", impl)], t[("b", impl)]
                ratio = statistics.median(y / x for x, y in zip(ra, rb))
                print(f"| {cfg} | {cell} | {impl} | {statistics.median(ra):.5f} | "
                      f"{statistics.median(rb):.5f} | {ratio:.2f} | {len(ra)} |", flush=True)
            wa.close()
            wb.close()


if __name__ == "__main__":
    main()
