#!/usr/bin/python3
"""Runs normviz_bench and the same operations in PyTorch (CPU) in one run, and prints a table.

Usage: /usr/bin/python3 bench/compare_pytorch.py PATH/TO/normviz_bench
           [--shape N,C,H,W] [--threads T] [--repeat R] [--torch-repeat R] [--rounds K]

With --rounds K (default 1) normviz and PyTorch run in K alternating rounds, so that a machine
whose memory speed drifts affects both alike. Each round gives every operation's ratio to the
copy of the same round and PyTorch's time over normviz's; the table prints the medians over
the rounds, the slowest round's ratio to copy, and how many rounds normviz was the faster.

Each operation computes the statistics and writes the normalized tensor into a preallocated
buffer (PyTorch: out= where an op has it; otherwise the op allocates its output, as a model
would). PyTorch variants (no affine, training-mode statistics, eps 1e-5):
  copy         y.copy_(x)
  batch        F.batch_norm(x, None, None, training=True)
  layer        F.layer_norm(x, (C, H, W))
  instance     F.instance_norm(x)
  group        F.group_norm(x, 32)
  layer-token  the faster of F.layer_norm over a channels-last view (permute) and
               var_mean over C + sub(out=) + mul_ (ConvNeXt's channels_first LayerNorm)
  rms          vector_norm over C, then mul(out=)
GB/s counts the bytes read plus written (2 * 4 * numel) for every operation on both sides.
"""
import argparse
import statistics
import subprocess
import sys
import time


def parse_bench(text):
    rows = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[2] == "ms" and parts[4] == "GB/s":
            rows[parts[0]] = float(parts[1])
    return rows


def median_ms(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def torch_ops(torch, x, y, groups, eps):
    F = torch.nn.functional
    n, c, h, w = x.shape

    def token_permute():
        return F.layer_norm(x.permute(0, 2, 3, 1), (c,), eps=eps).permute(0, 3, 1, 2)

    def token_manual():
        var, mean = torch.var_mean(x, dim=1, unbiased=False, keepdim=True)
        torch.sub(x, mean, out=y)
        y.mul_(torch.rsqrt(var.add_(eps)))

    def rms():
        norm = torch.linalg.vector_norm(x, dim=1, keepdim=True)
        torch.mul(x, torch.rsqrt(norm.square_().div_(c).add_(eps)), out=y)

    return [
        ("copy", [lambda: y.copy_(x)]),
        ("batch", [lambda: F.batch_norm(x, None, None, training=True, eps=eps)]),
        ("layer", [lambda: F.layer_norm(x, (c, h, w), eps=eps)]),
        ("instance", [lambda: F.instance_norm(x, eps=eps)]),
        ("group", [lambda: F.group_norm(x, groups, eps=eps)]),
        ("layer-token", [token_permute, token_manual]),
        ("rms", [rms]),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", help="path to the normviz_bench executable")
    ap.add_argument("--shape", default="32,256,56,56")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=0, help="normviz repeats (0: its default)")
    ap.add_argument("--torch-repeat", type=int, default=11)
    ap.add_argument("--rounds", type=int, default=1, help="alternating rounds of normviz and PyTorch")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")

    import torch

    cmd = [args.bench, "--shape", args.shape, "--threads", str(args.threads)]
    if args.repeat:
        cmd += ["--repeat", str(args.repeat)]

    torch.set_num_threads(args.threads)
    shape = tuple(int(v) for v in args.shape.split(","))
    numel = 1
    for v in shape:
        numel *= v
    x = torch.randn(shape, dtype=torch.float32)
    y = torch.zeros_like(x)

    rounds = []  # per round: (ours {op: ms}, theirs {op: ms})
    for r in range(args.rounds):
        ours = parse_bench(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        theirs = {}
        for name, variants in torch_ops(torch, x, y, 32, 1e-5):
            theirs[name] = min(median_ms(fn, args.torch_repeat) for fn in variants)
        rounds.append((ours, theirs))
        if args.rounds > 1:
            print(f"round {r + 1}: " + " ".join(
                f"{n} {ours[n] / ours['copy']:.2f}" for n in theirs if n in ours and n != "copy"), flush=True)

    med = statistics.median
    gbs = lambda ms: 2 * 4 * numel / (ms * 1e6)
    print(f"shape {args.shape}, {args.threads} threads, {args.rounds} round(s) (medians over rounds); "
          f"normviz {args.bench}; torch {torch.__version__}")
    header = ("op", "normviz ms", "GB/s", "x copy", "worst", "torch ms", "GB/s", "x copy", "torch/normviz", "faster")
    print("{:<12} {:>10} {:>7} {:>7} {:>7} {:>9} {:>7} {:>7} {:>13} {:>7}".format(*header))
    for name in rounds[0][1]:
        if any(name not in ours for ours, _ in rounds):
            continue
        a = med(ours[name] for ours, _ in rounds)
        b = med(theirs[name] for _, theirs in rounds)
        ratios = [ours[name] / ours["copy"] for ours, _ in rounds]
        torch_ratio = med(theirs[name] / theirs["copy"] for _, theirs in rounds)
        speedup = med(theirs[name] / ours[name] for ours, theirs in rounds)
        faster = sum(theirs[name] > ours[name] for ours, theirs in rounds)
        print(f"{name:<12} {a:>10.2f} {gbs(a):>7.1f} {med(ratios):>7.2f} {max(ratios):>7.2f} "
              f"{b:>9.2f} {gbs(b):>7.1f} {torch_ratio:>7.2f} {speedup:>13.2f} {faster:>4}/{len(rounds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
