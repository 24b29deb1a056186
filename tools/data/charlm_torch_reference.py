#!/usr/bin/env python3
"""The character model of `cellgraph train --task charlm --cell lstm` in PyTorch, as a reference.

Same data and split (the bundled Jargon File excerpt, last tenth held out), same model (embedding
32, one LSTM layer, dropout on its outputs, a linear head), same batches (32 streams of 64
characters, state carried across chunks, reset when the streams wrap), same schedule (Adam, linear
warm-up over a tenth of the steps, at most 50, then cosine to a tenth of the peak; clipping at
global norm 1) and the same validation (16 streams of the held-out tenth). It answers whether a
figure of docs/training.md is cellgraph's or the task's: it prints training and validation bits
per character every 250 steps.

    python3 tools/data/charlm_torch_reference.py HIDDEN STEPS PEAK_LR DROPOUT [TEXT]
"""
import math
import sys
import time

import torch


def main(hidden, steps, lr, drop, path):
    torch.manual_seed(1)
    torch.set_num_threads(1)
    text = open(path, encoding="utf-8").read()
    voc = sorted(set(text))
    index = {c: i for i, c in enumerate(voc)}
    ids = torch.tensor([index[c] for c in text])
    split = len(ids) - len(ids) // 10
    train, valid = ids[:split], ids[split:]
    b, t, e, v = 32, 64, 32, len(voc)

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(v, e)
            self.lstm = torch.nn.LSTM(e, hidden)
            self.drop = torch.nn.Dropout(drop)
            self.head = torch.nn.Linear(hidden, v)

        def forward(self, x, h):
            y, h = self.lstm(self.embed(x), h)
            return self.head(self.drop(y)), h

    model = Model()
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def chunk(data, streams, k, lane):
        starts = torch.arange(streams) * lane + k * t
        x = torch.stack([data[s:s + t] for s in starts], 1)
        y = torch.stack([data[s + 1:s + t + 1] for s in starts], 1)
        return x, y

    def validation():
        model.eval()
        lane = len(valid) // 16
        chunks = (lane - 1) // t
        h, total = None, 0.0
        with torch.no_grad():
            for k in range(chunks):
                x, y = chunk(valid, 16, k, lane)
                out, h = model(x, h)
                total += torch.nn.functional.cross_entropy(out.reshape(-1, v), y.reshape(-1)).item()
        model.train()
        return total / chunks / math.log(2)

    lane = len(train) // b
    chunks = (lane - 1) // t
    warm = min(50, steps // 10)
    h, t0 = None, time.time()
    for s in range(steps):
        k = s % chunks
        if k == 0:
            h = None
        f = (s + 1) / warm if s < warm else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (s - warm) / (steps - warm)))
        for g in opt.param_groups:
            g["lr"] = lr * f
        x, y = chunk(train, b, k, lane)
        if h is not None:
            h = tuple(z.detach() for z in h)
        out, h = model(x, h)
        loss = torch.nn.functional.cross_entropy(out.reshape(-1, v), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if (s + 1) % 250 == 0:
            print(f"step {s + 1}: training {loss.item() / math.log(2):.3f} validation {validation():.4f} bits/char "
                  f"({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    main(int(a[0]), int(a[1]), float(a[2]), float(a[3]),
         a[4] if len(a) > 4 else "train/src/main/resources/dev/cellgraph/train/tasks/data/jargon.txt")
