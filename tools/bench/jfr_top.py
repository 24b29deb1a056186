#!/usr/bin/env python3
"""Where a JFR recording's CPU samples went, as docs/performance.md reports profiles.

usage: jfr_top.py RECORDING.jfr [--since HH:MM:SS]

Reads `jfr print --events jdk.ExecutionSample` and counts each sample once by its first
dev.cellgraph frame, grouped (GEMM micro-kernels, GEMM packing, Parallel's helpers,
elementwise kernels, Workspace, the rest), and by whether it ran inside a scan's loop
(CompiledScan.runBlock on the stack). --since drops the samples before a time of day: the
vector kernels run the Vector API's Java fallback until C2 has compiled them, which on a
loaded machine takes longer than bench's warm-up.
"""
import argparse
import collections
import re
import subprocess


def group(frame):
    if 'FloatGemm.kernel' in frame or 'DoubleGemm.kernel' in frame:
        return 'GEMM micro-kernels'
    if 'Gemm.pack' in frame:
        return 'GEMM packing'
    if 'kernel.Parallel' in frame:
        return 'Parallel (helpers spinning, parking, hand-off)'
    if 'FloatLoops' in frame or 'DoubleLoops' in frame:
        return 'elementwise kernels'
    if 'core.Workspace' in frame:
        return 'Workspace'
    return 'the rest (plans, the fused-op interpreter, shapes, copies)'


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('recording')
    p.add_argument('--since', default='')
    a = p.parse_args()
    text = subprocess.run(['jfr', 'print', '--stack-depth', '40', '--events', 'jdk.ExecutionSample', a.recording],
                          check=True, capture_output=True, text=True).stdout
    groups, where, first = collections.Counter(), collections.Counter(), collections.Counter()
    n = 0
    for event in text.split('jdk.ExecutionSample')[1:]:
        time = re.search(r'startTime = ([\d:.]+)', event)
        frames = re.findall(r'^\s+([\w.$<>]+)\(', event, re.M)
        if not frames or (time and time.group(1) < a.since):
            continue
        n += 1
        ours = [f for f in frames if f.startswith('dev.cellgraph')]
        top = ours[0] if ours else frames[0]
        groups[group(top)] += 1
        first[top] += 1
        where['in a scan loop' if any(f.endswith('CompiledScan.runBlock') for f in frames) else 'outside'] += 1
    print(f'{n} samples')
    for counter in (groups, where):
        for k, v in counter.most_common():
            print(f'{v:6d} {100 * v / max(n, 1):5.1f}%  {k}')
    print('first dev.cellgraph frames:')
    for k, v in first.most_common(15):
        print(f'{v:6d} {100 * v / max(n, 1):5.1f}%  {k}')


if __name__ == '__main__':
    main()
