#!/usr/bin/env bash
# One warm PyTorch 2.7.1 training step served in bursts, for ../table.py (protocol of
# `cellgraph bench --serve`: prints "ready", then reads "builtin N" lines, prints N seconds a line).
# usage: ./serve.sh --cell lstm --config small [--dtype float32|float64] [--threads 2]
#                   [--warmup 2] [--warmup-seconds 3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
THREADS=2
ARGS=("$@")
for ((i = 0; i < ${#ARGS[@]}; i++)); do
  [[ ${ARGS[i]} == --threads ]] && THREADS=${ARGS[i+1]}
done
build
OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS bench_java serve --threads "$THREADS" "$@"
