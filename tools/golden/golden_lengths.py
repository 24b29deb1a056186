"""Write PyTorch reference cases for packed (variable-length) and batch_first nn.RNN / nn.LSTM / nn.GRU.

Usage: /usr/bin/python3 golden_lengths.py OUTDIR SEED
       (written: cells/src/test/resources/golden/lengths, seed 15)
Each case folder holds what golden.py writes, with these differences:
  input.safetensors     input [T,B,I] ([B,T,I] with batch_first), random values past each
                        sequence's length too (they must not be read), optional h0/c0
                        [L*D,B,H], lengths int64 [B] (unsorted) when the case has lengths,
                        grad_output shaped like the output
  expected.safetensors  output from pad_packed_sequence(..., total_length=T): zeros past each
                        length; h_n, c_n at each sequence's own last step; grad.input (zero past
                        each length), grad.h0, grad.c0, grad.<parameter>
  case.json             the module arguments, batch_first and the lengths
"""
import json, os, sys
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from golden import save_safetensors


def case(out, name, kind, I, H, T, B, lengths=None, layers=1, bidirectional=False, nonlinearity="tanh",
         batch_first=False, with_state=True, dtype=torch.float64):
    d = os.path.join(out, name); os.makedirs(d, exist_ok=True)
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    kw = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
    if kind == "rnn": kw["nonlinearity"] = nonlinearity
    m = cls(I, H, **kw).to(dtype)
    with torch.no_grad():
        for p in m.parameters(): p.uniform_(-0.6, 0.6)
    D = 2 if bidirectional else 1
    shape = (B, T) if batch_first else (T, B)
    x = torch.randn(*shape, I, dtype=dtype, requires_grad=True)
    ins = {"input": x}
    state = None
    if with_state:
        h0 = (0.5 * torch.randn(layers * D, B, H, dtype=dtype)).requires_grad_()
        ins["h0"] = h0
        state = h0
        if kind == "lstm":
            c0 = (0.5 * torch.randn(layers * D, B, H, dtype=dtype)).requires_grad_()
            ins["c0"] = c0
            state = (h0, c0)
    if lengths is not None:
        ins["lengths"] = torch.tensor(lengths, dtype=torch.int64)
    gout = torch.randn(*shape, D * H, dtype=dtype)
    ins["grad_output"] = gout
    if lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        yp, hn = m(packed, state)
        y, _ = pad_packed_sequence(yp, batch_first=batch_first, total_length=T)
    else:
        y, hn = m(x, state)
    (y * gout).sum().backward()
    exp = {"output": y}
    if kind == "lstm":
        exp["h_n"], exp["c_n"] = hn
    else:
        exp["h_n"] = hn
    exp["grad.input"] = x.grad
    for s in ("h0", "c0"):
        if s in ins: exp["grad." + s] = ins[s].grad
    params = dict(m.named_parameters())
    for n, p in params.items(): exp["grad." + n] = p.grad
    save_safetensors(os.path.join(d, "weights.safetensors"), params)
    save_safetensors(os.path.join(d, "input.safetensors"), ins)
    save_safetensors(os.path.join(d, "expected.safetensors"), exp)
    meta = dict(cell=kind, input_size=I, hidden_size=H, num_layers=layers, bidirectional=bidirectional,
                nonlinearity=nonlinearity, dtype=str(dtype).replace("torch.", ""), seq_len=T, batch=B,
                initial_state=with_state, batch_first=batch_first, lengths=lengths, torch=torch.__version__)
    with open(os.path.join(d, "case.json"), "w") as f: json.dump(meta, f, indent=1)


def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(seed)
    for kind in ("rnn", "lstm", "gru"):
        for layers in (1, 2):
            for bidi in (False, True):
                for state in (True, False):
                    name = "%s-%dlayer%s%s" % (kind, layers, "-bidirectional" if bidi else "", "" if state else "-nostate")
                    # unsorted lengths, the longest short of T (steps past it are never computed)
                    case(out, name, kind, 3, 4, 6, 4, lengths=[4, 1, 5, 3], layers=layers, bidirectional=bidi,
                         with_state=state)
    case(out, "rnn-relu-lengths", "rnn", 3, 4, 5, 3, lengths=[2, 5, 3], nonlinearity="relu")
    case(out, "lstm-batchfirst", "lstm", 3, 4, 5, 2, batch_first=True)
    case(out, "gru-batchfirst-nostate", "gru", 3, 4, 5, 3, batch_first=True, with_state=False)
    case(out, "lstm-batchfirst-lengths-2layer-bidirectional", "lstm", 3, 4, 5, 3, lengths=[5, 2, 4], layers=2,
         bidirectional=True, batch_first=True)
    case(out, "gru-batchfirst-lengths-nostate", "gru", 2, 3, 4, 5, lengths=[1, 4, 2, 4, 3], batch_first=True,
         with_state=False)
    case(out, "lstm-lengths-equal", "lstm", 3, 4, 5, 3, lengths=[3, 3, 3])


if __name__ == "__main__":
    main()
