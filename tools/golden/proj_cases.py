"""PyTorch reference cases for nn.LSTM(proj_size=P) (LSTMP, Sak et al. 2014), in golden.py's format.

Usage: python3 proj_cases.py OUTDIR SEED   (needs PyTorch: apt-get install python3-torch)
The committed cases under cells/src/test/resources/golden/pytorch were written with SEED 15.
"""
import sys
import torch
from golden import case

def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(seed)
    case(out, "lstm-proj", "lstm", 3, 5, 6, 2, proj_size=2)
    case(out, "lstm-proj-nostate", "lstm", 3, 5, 6, 2, proj_size=2, with_state=False)
    case(out, "lstm-proj-bidirectional", "lstm", 3, 4, 5, 2, proj_size=3, bidirectional=True)
    case(out, "lstm-proj-bidirectional-nostate", "lstm", 3, 4, 5, 2, proj_size=3, bidirectional=True,
         with_state=False)
    case(out, "lstm-proj-2layer", "lstm", 4, 5, 5, 3, layers=2, proj_size=2)
    case(out, "lstm-proj-2layer-nostate", "lstm", 4, 5, 5, 3, layers=2, proj_size=2, with_state=False)
    case(out, "lstm-proj-2layer-bidirectional", "lstm", 3, 4, 4, 2, layers=2, proj_size=1, bidirectional=True)
    case(out, "lstm-proj-2layer-bidirectional-nostate", "lstm", 3, 4, 4, 2, layers=2, proj_size=3,
         bidirectional=True, with_state=False, bias=False)

if __name__ == "__main__":
    main()
