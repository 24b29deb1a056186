"""Reference cases for formula cells on sequences of different lengths, each sequence run alone.

Usage: /usr/bin/python3 golden_cells_lengths.py OUTDIR SEED
       (written: cells/src/test/resources/golden/cells-lengths, seed 15)
The files are those of golden_cells.py plus 'lengths' (int64 [B]) in input.safetensors. The
reference does not mask anything: it runs each sequence b alone, batch 1, over its first
lengths[b] steps from its own initial state, and pads its output with zeros to T. So
output [T,B,H] is zero past each length, <state>_n is each sequence's state after its own last
step, grad.input is zero past each length, and grad.<parameter> sums the sequences' gradients.
"""
import json, os, sys
import torch
import extra_cells  # registers gru-ascii, mut1-unicode, mgu-latex beside golden_cells' own
from golden_cells import CELLS
from golden import save_safetensors


def run_case(out, name, I, H, T, lengths, dtype=torch.float64):
    c = CELLS[name]
    if c["same_io"]: I = H
    B = len(lengths)
    dims = {"H": H, "I": I, "C": H + I}
    p = {k: (torch.rand(*[dims[ch] for ch in spec], dtype=dtype) * 1.2 - 0.6).requires_grad_()
         for k, spec in c["params"].items()}
    x = torch.randn(T, B, I, dtype=dtype, requires_grad=True)
    st0 = {s: (0.5 * torch.randn(B, H, dtype=dtype)).requires_grad_() for s in c["states"]}
    gout = torch.randn(T, B, H, dtype=dtype)
    ys, finals = [], {s: [] for s in c["states"]}
    for b, n in enumerate(lengths):
        st, outs = {s: v[b:b + 1] for s, v in st0.items()}, []
        for t in range(n):
            new = c["step"](p, x[t, b:b + 1], st)
            outs.append(c["output"](p, new, st))
            st = new
        outs += [torch.zeros(1, H, dtype=dtype)] * (T - n)
        ys.append(torch.stack(outs))          # [T, 1, H]
        for s in c["states"]: finals[s].append(st[s])
    y = torch.cat(ys, dim=1)
    (y * gout).sum().backward()
    d = os.path.join(out, name); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "cell.cell"), "w") as f: f.write(c["formulas"])
    save_safetensors(os.path.join(d, "weights.safetensors"), p)
    ins = {"input": x, **{s + "0": v for s, v in st0.items()}, "lengths": torch.tensor(lengths, dtype=torch.int64),
           "grad_output": gout}
    save_safetensors(os.path.join(d, "input.safetensors"), ins)
    exp = {"output": y, **{s + "_n": torch.cat(finals[s]) for s in c["states"]}, "grad.input": x.grad,
           **{"grad." + s + "0": v.grad for s, v in st0.items()}, **{"grad." + k: v.grad for k, v in p.items()}}
    save_safetensors(os.path.join(d, "expected.safetensors"), exp)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(dict(cell=name, input_size=I, hidden_size=H, seq_len=T, batch=B, lengths=lengths,
                       dtype=str(dtype).replace("torch.", ""), states=c["states"], torch=torch.__version__,
                       parameters={k: [dims[ch] for ch in v] for k, v in c["params"].items()}), f, indent=1)


def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(seed)
    run_case(out, "mgu-latex", 2, 3, 7, [4, 6, 2])
    run_case(out, "gru-ascii", 3, 5, 6, [6, 1, 3, 5])
    run_case(out, "colah-lstm", 3, 4, 5, [2, 5, 3])
    run_case(out, "mut1-unicode", 4, 4, 6, [3, 5])


if __name__ == "__main__":
    main()
