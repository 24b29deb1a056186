"""Reference cases for the zoo cells written with the language's statements (issue 14, section 2):
user functions and activations (where g = h = tanh), tuple targets, named sizes, row vectors,
and the cells as written in their papers (Ba et al.'s LN-LSTM, JANET and its constant beta,
Keras 2's hard-sigmoid LSTM, Graves's diagonal peepholes).

Usage: /usr/bin/python3 statement_cells.py OUTDIR SEED   (needs PyTorch: apt-get install python3-torch;
the committed cases in cells/src/test/resources/golden/cells were made with SEED 14)
Each case's cell.cell is the zoo file as shipped (lstm-projected with its default P replaced by
a small one); the step below is the paper's equations written in PyTorch, independently of the
formula text. Files as golden_cells.py writes them (float64, outputs and every gradient), except
that a state or the output may have its own size (P).
"""
import json, os, sys
import torch
from golden import save_safetensors  # golden.py beside this file

sig, tanh = torch.sigmoid, torch.tanh
ZOO = os.path.join(os.path.dirname(__file__), "..", "..", "cells", "src", "main", "resources", "dev", "cellgraph", "cells", "zoo")

def zoo(name):
    with open(os.path.join(ZOO, name + ".cell"), encoding="utf-8") as f:
        return f.read()

def mm(W, v):  # column vectors: W [out,in], v [B,in] -> [B,out]
    return v @ W.t()

def greff_step(p, x, st):  # Greff et al. 2015, Sect. 2, with g = h = tanh
    y, c = st["y"], st["c"]
    z = tanh(mm(p["W_z"], x) + mm(p["R_z"], y) + p["b_z"])
    i = sig(mm(p["W_i"], x) + mm(p["R_i"], y) + p["p_i"] * c + p["b_i"])
    f = sig(mm(p["W_f"], x) + mm(p["R_f"], y) + p["p_f"] * c + p["b_f"])
    c2 = z * i + c * f
    o = sig(mm(p["W_o"], x) + mm(p["R_o"], y) + p["p_o"] * c2 + p["b_o"])
    return {"y": tanh(c2) * o, "c": c2}

def sak_step(p, x, st):  # Sak et al. 2014, LSTMP, diagonal peepholes as vectors, g = h = tanh
    c, r = st["c"], st["r"]
    i = sig(mm(p["W_ix"], x) + mm(p["W_ir"], r) + p["W_ic"] * c + p["b_i"])
    f = sig(mm(p["W_fx"], x) + mm(p["W_fr"], r) + p["W_fc"] * c + p["b_f"])
    c2 = f * c + i * tanh(mm(p["W_cx"], x) + mm(p["W_cr"], r) + p["b_c"])
    o = sig(mm(p["W_ox"], x) + mm(p["W_or"], r) + p["W_oc"] * c2 + p["b_o"])
    m = o * tanh(c2)
    return {"c": c2, "r": mm(p["W_rm"], m)}

def d2l_step(p, X, st):  # d2l.ai 10.2.1-10.2.3: row vectors, weights [in, out]
    H = st["H"]
    R = sig(X @ p["W_xr"] + H @ p["W_hr"] + p["b_r"])
    Z = sig(X @ p["W_xz"] + H @ p["W_hz"] + p["b_z"])
    Ht = tanh(X @ p["W_xh"] + (R * H) @ p["W_hh"] + p["b_h"])
    return {"H": Z * H + (1 - Z) * Ht}

def ln(z, a, b, eps=1e-5):  # Ba et al. 2016: (z - mu) / sigma * alpha + beta over the vector's own units
    mu = z.mean(-1, keepdim=True)
    sigma = (((z - mu) ** 2).mean(-1, keepdim=True) + eps).sqrt()  # eps as the cell (PyTorch's LayerNorm default)
    return (z - mu) / sigma * a + b

def ln_lstm_step(p, x, st):  # Ba et al. 2016, eqs. 20-22
    h, c = st["h"], st["c"]
    gates = ln(mm(p["W_h"], h), p["alpha_1"], p["beta_1"]) + ln(mm(p["W_x"], x), p["alpha_2"], p["beta_2"]) + p["b"]
    f, i, o, g = gates.chunk(4, dim=-1)
    c2 = sig(f) * c + sig(i) * tanh(g)
    return {"h": sig(o) * tanh(ln(c2, p["alpha_3"], p["beta_3"])), "c": c2}

def janet_step(p, x, st, beta=1.0):  # van der Westhuizen & Lasenby 2018, eqs. 9-12
    h, c = st["h"], st["c"]
    s_ = mm(p["U_f"], h) + mm(p["W_f"], x) + p["b_f"]
    ct = tanh(mm(p["U_c"], h) + mm(p["W_c"], x) + p["b_c"])
    c2 = sig(s_) * c + (1 - sig(s_ - beta)) * ct
    return {"h": c2, "c": c2}

def hard_sigmoid_keras2(z):  # Keras 2's keras.backend.hard_sigmoid
    return torch.clamp(0.2 * z + 0.5, 0.0, 1.0)

def keras_lstm_step(p, x, st):  # Keras 2 LSTMCell.call, recurrent_activation='hard_sigmoid', gates i, f, c, o
    h, c = st["h"], st["c"]
    z = x @ p["W"] + h @ p["U"] + p["b"]  # kernel [I, 4H], recurrent_kernel [H, 4H], bias [4H]
    zi, zf, zc, zo = z.chunk(4, dim=-1)
    i, f, o = hard_sigmoid_keras2(zi), hard_sigmoid_keras2(zf), hard_sigmoid_keras2(zo)
    c2 = f * c + i * tanh(zc)
    return {"h": o * tanh(c2), "c": c2}

def graves_step(p, x, st):  # Graves 2013, eqs. 7-11, diagonal peepholes stored as vectors
    h, c = st["h"], st["c"]
    i = sig(mm(p["W_xi"], x) + mm(p["W_hi"], h) + p["W_ci"] * c + p["b_i"])
    f = sig(mm(p["W_xf"], x) + mm(p["W_hf"], h) + p["W_cf"] * c + p["b_f"])
    c2 = f * c + i * tanh(mm(p["W_xc"], x) + mm(p["W_hc"], h) + p["b_c"])
    o = sig(mm(p["W_xo"], x) + mm(p["W_ho"], h) + p["W_co"] * c2 + p["b_o"])
    return {"h": o * tanh(c2), "c": c2}

def graves_params():
    ps = {}
    for g in "ifco":
        ps["W_x" + g], ps["W_h" + g] = "HI", "HH"
        if g != "c":
            ps["W_c" + g] = "H"
        ps["b_" + g] = "H"
    return ps

def greff_params():
    ps = {}
    for g in "zifo":
        ps["W_" + g], ps["R_" + g] = "HI", "HH"
        if g != "z":
            ps["p_" + g] = "H"
        ps["b_" + g] = "H"
    return ps

CASES = {
    "lstm-vanilla": dict(text=lambda: zoo("lstm-vanilla"), states={"y": "H", "c": "H"}, output="y",
                         params=greff_params(), step=greff_step),
    "lstm-projected": dict(text=lambda: zoo("lstm-projected").replace("size P = 64", "size P = 3"),
                           states={"c": "H", "r": "P"}, output="r", step=sak_step,
                           params={"W_ix": "HI", "W_ir": "HP", "W_ic": "H", "b_i": "H", "W_fx": "HI", "W_fr": "HP",
                                   "W_fc": "H", "b_f": "H", "W_cx": "HI", "W_cr": "HP", "b_c": "H", "W_ox": "HI",
                                   "W_or": "HP", "W_oc": "H", "b_o": "H", "W_rm": "PH"}),
    "ln-lstm": dict(text=lambda: zoo("ln-lstm"), states={"h": "H", "c": "H"}, output="h", step=ln_lstm_step,
                    params={"W_h": "FH", "W_x": "FI", "alpha_1": "F", "beta_1": "F", "alpha_2": "F", "beta_2": "F",
                            "b": "F", "alpha_3": "H", "beta_3": "H"}),
    "janet": dict(text=lambda: zoo("janet"), states={"h": "H", "c": "H"}, output="h", step=janet_step,
                  params={"U_f": "HH", "W_f": "HI", "b_f": "H", "U_c": "HH", "W_c": "HI", "b_c": "H"}),
    "janet-beta": dict(text=lambda: zoo("janet").replace("\\beta = 1", "\\beta = 2.5"), states={"h": "H", "c": "H"},
                       output="h", step=lambda p, x, st: janet_step(p, x, st, beta=2.5),
                       params={"U_f": "HH", "W_f": "HI", "b_f": "H", "U_c": "HH", "W_c": "HI", "b_c": "H"}),
    "lstm-keras-hard": dict(text=lambda: zoo("lstm-keras-hard"), states={"h": "H", "c": "H"}, output="h",
                            step=keras_lstm_step, params={"W": "IF", "U": "HF", "b": "F"}),
    "lstm-graves": dict(text=lambda: zoo("lstm-graves"), states={"h": "H", "c": "H"}, output="h", step=graves_step,
                        params=graves_params()),
    "d2l-gru": dict(text=lambda: zoo("d2l-gru"), states={"H": "H"}, output="H", step=d2l_step,
                    params={"W_xr": "IH", "W_xz": "IH", "W_xh": "IH", "W_hr": "HH", "W_hz": "HH", "W_hh": "HH",
                            "b_r": "H", "b_z": "H", "b_h": "H"}),
}

def run_case(out, name, I, H, T, B, P=3, dtype=torch.float64):
    c = CASES[name]
    dims = {"H": H, "I": I, "P": P, "F": 4 * H}
    p = {k: (torch.rand(*[dims[ch] for ch in spec], dtype=dtype) * 1.2 - 0.6).requires_grad_()
         for k, spec in c["params"].items()}
    x = torch.randn(T, B, I, dtype=dtype, requires_grad=True)
    st0 = {s: (0.5 * torch.randn(B, dims[d], dtype=dtype)).requires_grad_() for s, d in c["states"].items()}
    gout = torch.randn(T, B, dims[c["states"][c["output"]]], dtype=dtype)
    st, outs = dict(st0), []
    for t in range(T):
        st = c["step"](p, x[t], st)
        outs.append(st[c["output"]])
    y = torch.stack(outs)
    (y * gout).sum().backward()
    d = os.path.join(out, name); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "cell.cell"), "w", encoding="utf-8") as f: f.write(c["text"]())
    save_safetensors(os.path.join(d, "weights.safetensors"), p)
    save_safetensors(os.path.join(d, "input.safetensors"),
                     {"input": x, **{s + "0": v for s, v in st0.items()}, "grad_output": gout})
    exp = {"output": y, **{s + "_n": st[s] for s in c["states"]}, "grad.input": x.grad,
           **{"grad." + s + "0": v.grad for s, v in st0.items()}, **{"grad." + k: v.grad for k, v in p.items()}}
    save_safetensors(os.path.join(d, "expected.safetensors"), exp)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(dict(cell=name, input_size=I, hidden_size=H, seq_len=T, batch=B, sizes={"P": P},
                       dtype=str(dtype).replace("torch.", ""), states=list(c["states"]),
                       parameters={k: [dims[ch] for ch in v] for k, v in c["params"].items()}), f, indent=1)

def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(seed)
    run_case(out, "lstm-vanilla", 3, 4, 5, 2)
    run_case(out, "lstm-projected", 3, 5, 6, 2, P=3)
    run_case(out, "d2l-gru", 4, 3, 5, 3)
    # the cases added with the paper cells draw from seeds of their own, so that the ones above keep their numbers
    for k, (name, I, H, T, B) in enumerate([("ln-lstm", 3, 4, 5, 2), ("janet", 3, 4, 6, 2), ("janet-beta", 3, 4, 6, 2),
                                            ("lstm-keras-hard", 3, 4, 5, 3), ("lstm-graves", 3, 4, 5, 2)]):
        torch.manual_seed(seed * 1000 + k + 1)
        run_case(out, name, I, H, T, B)

if __name__ == "__main__":
    main()
