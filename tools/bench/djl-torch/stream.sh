#!/usr/bin/env bash
# Streaming inference in PyTorch 2.7.1 through DJL: batch 1, one step per call, the state carried
# (bench.StreamRnn; the peer of `cellgraph bench --stream`).
# usage: ./stream.sh [--threads N] [--reps R] [--warmup W] [--warmup-seconds S]
#                    [--configs small,medium] [--cells lstm,gru,rnn] [--ops seq,cell]
#                    [--dtype float32|float64]
# stdout: one JSON line per config and cell ("mode": "stream", "seconds": the median per step).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

THREADS=2 ARGS=()
while (($#)); do
  case $1 in
    --threads) THREADS=$2; shift 2 ;;
    --reps|--warmup|--warmup-seconds|--configs|--cells|--ops|--dtype) ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

build
OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS bench_java stream --threads "$THREADS" "${ARGS[@]}"
