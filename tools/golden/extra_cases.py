"""More PyTorch reference cases for the cells tests (beyond the shared ones).

Usage: python3 extra_cases.py OUTDIR SEED   (needs PyTorch: apt-get install python3-torch)
"""
import sys
import torch
from golden import case

def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(seed)
    case(out, "rnn-relu", "rnn", 3, 4, 5, 2, nonlinearity="relu")
    case(out, "rnn-3layer", "rnn", 2, 3, 4, 2, layers=3)
    case(out, "gru-bidirectional", "gru", 3, 4, 5, 2, bidirectional=True)
    case(out, "lstm-2layer-bidirectional", "lstm", 3, 2, 4, 3, layers=2, bidirectional=True)
    case(out, "gru-nobias", "gru", 3, 4, 5, 2, bias=False)
    case(out, "lstm-nostate", "lstm", 3, 4, 5, 2, with_state=False)
    case(out, "gru-batch1", "gru", 5, 3, 4, 1)
    case(out, "rnn-long", "rnn", 2, 3, 60, 2)
    case(out, "lstm-float32", "lstm", 5, 6, 7, 3, dtype=torch.float32)
    case(out, "gru-float32-2layer", "gru", 4, 5, 6, 2, layers=2, dtype=torch.float32)

if __name__ == "__main__":
    main()
