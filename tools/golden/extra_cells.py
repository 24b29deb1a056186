"""More reference cases for formula cells (beyond the shared ones), in all three notations.

Usage: python3 extra_cells.py OUTDIR SEED   (needs PyTorch: apt-get install python3-torch)
"""
import sys
import torch
from golden_cells import cell, run_case, mm, sig, tanh

cell("gru-ascii", """# GRU in ASCII, next-state values primed
input x
state h
r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
h' = (1 - z) * n + z * h
""", {"W_ir": "HI", "b_ir": "H", "W_hr": "HH", "b_hr": "H", "W_iz": "HI", "b_iz": "H", "W_hz": "HH",
      "b_hz": "H", "W_in": "HI", "b_in": "H", "W_hn": "HH", "b_hn": "H"}, ["h"],
     lambda p, x, st: {"h": (lambda r, z: (1 - z) * tanh(mm(p["W_in"], x) + p["b_in"] + r * (mm(p["W_hn"], st["h"]) + p["b_hn"]))
                             + z * st["h"])(
         sig(mm(p["W_ir"], x) + p["b_ir"] + mm(p["W_hr"], st["h"]) + p["b_hr"]),
         sig(mm(p["W_iz"], x) + p["b_iz"] + mm(p["W_hz"], st["h"]) + p["b_hz"]))},
     lambda p, new, old: new["h"])

cell("mut1-unicode", """# MUT1 (Jozefowicz et al. 2015): needs input size = hidden size
z = σ(W_xz x_t + b_z)
r = σ(W_xr x_t + W_hr h_t + b_r)
h_{t+1} = tanh(W_hh (r ⊙ h_t) + tanh(x_t) + b_h) ⊙ z + h_t ⊙ (1 − z)
""", {"W_xz": "HI", "b_z": "H", "W_xr": "HI", "W_hr": "HH", "b_r": "H", "W_hh": "HH", "b_h": "H"}, ["h"],
     lambda p, x, st: {"h": (lambda z, r: tanh(mm(p["W_hh"], r * st["h"]) + tanh(x) + p["b_h"]) * z + st["h"] * (1 - z))(
         sig(mm(p["W_xz"], x) + p["b_z"]), sig(mm(p["W_xr"], x) + mm(p["W_hr"], st["h"]) + p["b_r"]))},
     lambda p, new, old: new["h"], same_io=True)

def mgu_step(p, x, st):
    h = st["h"]
    f = sig(mm(p["W_f"], torch.cat([h, x], 1)) + p["b_f"])
    ht = tanh(mm(p["W_h"], torch.cat([f * h, x], 1)) + p["b_h"])
    return {"h": (1 - f) * h + f * ht}

cell("mgu-latex", r"""% The minimal gated unit (Zhou et al. 2016), LaTeX
\begin{align*}
f_t &= \sigma(W_f [h_{t-1}, x_t] + b_f) \\
\tilde{h}_t &= \tanh(W_h [f_t \odot h_{t-1}, x_t] + b_h) \\
h_t &= (1 - f_t) \odot h_{t-1} + f_t \odot \tilde{h}_t
\end{align*}
""", {"W_f": "HC", "b_f": "H", "W_h": "HC", "b_h": "H"}, ["h"], mgu_step, lambda p, new, old: new["h"])

def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(seed)
    run_case(out, "gru-ascii", 3, 5, 6, 2)
    run_case(out, "mut1-unicode", 4, 4, 5, 3)
    run_case(out, "mgu-latex", 2, 3, 7, 1)

if __name__ == "__main__":
    main()
